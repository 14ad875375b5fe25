//! Splits one line into tokens: bare words and quoted strings, each with the
//! column it starts at. Tokens are produced on demand so that `say` can take
//! the rest of the line verbatim instead of tokenizing it.

use std::str::CharIndices;

use super::parse::ParseError;

/// What a token holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A run of characters up to whitespace, `"` or `#`.
    Word,
    /// A quoted string with its escapes decoded (may hold any bytes).
    Str(Vec<u8>),
}

/// One token with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub kind: Kind,
    /// The token exactly as written (quotes included for strings).
    pub raw: &'a str,
    /// 1-based character column of the token's first character.
    pub col: usize,
}

impl Token<'_> {
    /// The word, lower-cased (keywords are case-insensitive); `None` for strings.
    pub fn word(&self) -> Option<String> {
        match self.kind {
            Kind::Word => Some(self.raw.to_lowercase()),
            Kind::Str(_) => None,
        }
    }

    /// The raw text for an error message, shortened so a huge token cannot
    /// flood the screen. Cuts on a character boundary.
    pub fn shown(&self) -> String {
        shorten(self.raw)
    }
}

/// Text for messages: escaped and cut with `…` (see [`crate::escape::shorten`]).
pub(crate) use crate::escape::shorten;

/// A cursor over one line. `pos` is a byte offset that always sits on a char
/// boundary, because it only ever moves by whole characters.
pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0 }
    }

    /// 1-based character column of a byte offset.
    fn col_at(&self, byte: usize) -> usize {
        self.src[..byte].chars().count() + 1
    }

    fn skip_space(&mut self) {
        let rest = &self.src[self.pos..];
        let trimmed = rest.trim_start();
        self.pos += rest.len() - trimmed.len();
    }

    /// The column where the next token would start (a comment or the line's
    /// end when there is none): where "missing argument" errors point.
    pub fn next_col(&mut self) -> usize {
        self.skip_space();
        self.col_at(self.pos)
    }

    /// Whether the next token is a quoted string.
    pub fn at_quote(&mut self) -> bool {
        self.skip_space();
        self.src[self.pos..].starts_with('"')
    }

    /// The rest of the line, up to a comment, trimmed, with its column.
    pub fn rest_of_line(&mut self) -> (&'a str, usize) {
        self.skip_space();
        let rest = &self.src[self.pos..];
        let text = rest.split('#').next().unwrap_or("").trim_end();
        let col = self.col_at(self.pos);
        // Stop before the comment, so nothing is left but it.
        self.pos += text.len();
        (text, col)
    }

    /// The next token, `None` at the end of the line or at a comment.
    pub fn next_token(&mut self) -> Result<Option<Token<'a>>, ParseError> {
        self.skip_space();
        let start = self.pos;
        let kind = match self.src[start..].chars().next() {
            None | Some('#') => return Ok(None),
            Some('"') => Kind::Str(self.string()?),
            Some(_) => {
                let rest = &self.src[start..];
                let len = rest.find(|c: char| c.is_whitespace() || c == '"' || c == '#');
                self.pos += len.unwrap_or(rest.len());
                Kind::Word
            }
        };
        let raw = &self.src[start..self.pos];
        Ok(Some(Token { kind, raw, col: self.col_at(start) }))
    }

    /// Decodes a quoted string starting at `self.pos` (on the opening quote).
    fn string(&mut self) -> Result<Vec<u8>, ParseError> {
        let open = self.pos;
        let mut out = Vec::new();
        let mut chars = self.src[open + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            let at = open + 1 + i;
            match c {
                '"' => {
                    self.pos = at + 1;
                    return Ok(out);
                }
                '\\' => out.push(self.escape(open, at, &mut chars)?),
                _ => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        Err(self.error(open, "unterminated string: add a closing `\"`"))
    }

    /// Decodes the escape whose backslash is at byte `at` (`open`: the string's quote).
    fn escape(&self, open: usize, at: usize, chars: &mut CharIndices) -> Result<u8, ParseError> {
        let byte = match chars.next().map(|(_, c)| c) {
            Some('n') => b'\n',
            Some('t') => b'\t',
            Some('r') => b'\r',
            Some('\\') => b'\\',
            Some('"') => b'"',
            Some('x') => {
                let hi = chars.next().and_then(|(_, c)| c.to_digit(16));
                let lo = chars.next().and_then(|(_, c)| c.to_digit(16));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => (hi * 16 + lo) as u8,
                    _ => return Err(self.error(at, "`\\x` needs two hex digits, like \\x0a")),
                }
            }
            None => return Err(self.error(open, "unterminated string: add a closing `\"`")),
            Some(other) => {
                let shown = shorten(other.encode_utf8(&mut [0; 4]));
                let msg = format!("unknown escape `\\{shown}`: use \\n \\t \\r \\\\ \\\" or \\xNN");
                return Err(self.error(at, &msg));
            }
        };
        Ok(byte)
    }

    fn error(&self, byte: usize, message: &str) -> ParseError {
        ParseError { line: 1, col: self.col_at(byte), message: message.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(src: &str) -> Result<Vec<(Kind, usize)>, ParseError> {
        let mut lx = Lexer::new(src);
        let mut out = Vec::new();
        while let Some(t) = lx.next_token()? {
            out.push((t.kind, t.col));
        }
        Ok(out)
    }

    #[test]
    fn words_strings_and_comments() {
        let toks = all(r#"  send "a\x00\"b" # hi "#).unwrap();
        assert_eq!(toks, vec![(Kind::Word, 3), (Kind::Str(b"a\0\"b".to_vec()), 8)]);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let toks = all("é ü x").unwrap();
        assert_eq!(toks.iter().map(|t| t.1).collect::<Vec<_>>(), vec![1, 3, 5]);
    }

    #[test]
    fn string_errors_point_at_the_problem() {
        assert_eq!(all(r#"say "abc"#).unwrap_err().col, 5);
        assert_eq!(all(r#"say "a\qb""#).unwrap_err().col, 7);
        assert_eq!(all(r#"say "ab\x"#).unwrap_err().col, 8);
        assert_eq!(all(r#"say "ab\x4"#).unwrap_err().col, 8);
        assert_eq!(all("say \"ab\\").unwrap_err().col, 5);
    }
}
