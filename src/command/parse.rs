//! The parser: entry points and the token-level helpers that the grammar in
//! `grammar.rs` is written with. One command per line, no lookahead beyond
//! one token, so a hand-written parser stays short and gives exact columns.

use super::ast::*;
use super::lexer::{Kind, Lexer, Token};
use super::suggest::closest;
use super::values::err;

/// A parse error at a 1-based line and column, saying what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Every first word of the language (for tab completion and "did you mean").
#[rustfmt::skip]
pub const COMMAND_WORDS: &[&str] = &[
    "open",
    "listen",
    "socket",
    "use",
    "blocking",
    "nonblocking",
    "timeout",
    "rcvtimeo",
    "sndtimeo",
    "recv",
    "peek",
    "send",
    "accept",
    "connect",
    "shutdown",
    "close",
    "peer",
    "wait",
    "expect",
    "say",
    "spin",
    "poll",
    "serve",
    "export",
];

/// Parses one line. `Ok(None)` for a blank line or a comment.
pub fn parse_line(text: &str) -> Result<Option<Command>, ParseError> {
    let mut p = Parser::new(text);
    match p.next()? {
        None => Ok(None),
        Some(first) => p.command(&first).map(Some),
    }
}

/// Parses a whole script. On failure, returns every error found (one per bad line).
/// A leading byte-order mark (some editors write one) is skipped.
pub fn parse_script(text: &str) -> Result<Vec<Located>, Vec<ParseError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match parse_line(line) {
            Ok(Some(cmd)) => out.push(Located { line: i + 1, cmd }),
            Ok(None) => {}
            Err(mut e) => {
                e.line = i + 1;
                errs.push(e);
            }
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// A one-token-lookahead cursor over a line's tokens.
pub(crate) struct Parser<'a> {
    lx: Lexer<'a>,
    peeked: Option<Token<'a>>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser { lx: Lexer::new(text), peeked: None }
    }

    pub fn next(&mut self) -> Result<Option<Token<'a>>, ParseError> {
        match self.peeked.take() {
            Some(t) => Ok(Some(t)),
            None => self.lx.next_token(),
        }
    }

    pub fn peek(&mut self) -> Result<Option<&Token<'a>>, ParseError> {
        if self.peeked.is_none() {
            self.peeked = self.lx.next_token()?;
        }
        Ok(self.peeked.as_ref())
    }

    /// Whether the next token is the given keyword (it is not consumed).
    pub fn peek_is(&mut self, kw: &str) -> Result<bool, ParseError> {
        Ok(self.peek()?.and_then(Token::word).is_some_and(|w| w == kw))
    }

    /// An error at the point where a missing argument should have been.
    pub fn missing(&mut self, message: impl Into<String>) -> ParseError {
        let col = match &self.peeked {
            Some(t) => t.col,
            None => self.lx.next_col(),
        };
        err(col, message)
    }

    /// The next token, which must be there; `what` explains what was expected.
    pub fn required(&mut self, what: &str) -> Result<Token<'a>, ParseError> {
        match self.next()? {
            Some(t) => Ok(t),
            None => Err(self.missing(what)),
        }
    }

    /// The next token parsed with `f`, if there is one.
    pub fn optional<T>(
        &mut self,
        f: impl FnOnce(&Token<'a>) -> Result<T, ParseError>,
    ) -> Result<Option<T>, ParseError> {
        match self.next()? {
            Some(t) => f(&t).map(Some),
            None => Ok(None),
        }
    }

    /// `say` text: a quoted string, or else the rest of the line verbatim
    /// (up to a comment), so `say hello there` works. `None` if empty.
    pub fn text_or_rest(&mut self) -> Result<Option<Token<'a>>, ParseError> {
        if self.peeked.is_some() || self.lx.at_quote() {
            return self.next();
        }
        let (raw, col) = self.lx.rest_of_line();
        Ok((!raw.is_empty()).then(|| Token { kind: Kind::Str(raw.as_bytes().to_vec()), raw, col }))
    }

    /// Ends a command: anything left on the line is an error at that token.
    /// `form` is the command's usage, e.g. `recv [SIZE]`.
    pub fn end(&mut self, form: &str) -> Result<(), ParseError> {
        let Some(t) = self.next()? else { return Ok(()) };
        let takes_args = form.contains(|c: char| c.is_ascii_uppercase() || c == '|');
        let message = if takes_args {
            format!("unexpected `{}`: the form is `{form}`", t.shown())
        } else {
            format!("unexpected `{}`: `{form}` takes no arguments", t.shown())
        };
        Err(err(t.col, message))
    }

    /// A required keyword, one of `choices`, after `ctx` (e.g. `peer`).
    pub fn keyword(&mut self, ctx: &str, choices: &[&'static str]) -> Result<&'static str, ParseError> {
        let Some(t) = self.next()? else {
            return Err(self.missing(format!("`{ctx}` needs {}", one_of(choices))));
        };
        keyword_of(&t, ctx, choices)
    }
}

/// Matches a token against `choices`, with a "did you mean" when it misses.
pub(crate) fn keyword_of(t: &Token, ctx: &str, choices: &[&'static str]) -> Result<&'static str, ParseError> {
    let word = t.word().unwrap_or_default();
    if let Some(&kw) = choices.iter().find(|&&c| c == word) {
        return Ok(kw);
    }
    let message = match closest(&word, choices).filter(|_| t.kind == Kind::Word) {
        Some(s) => format!("unknown `{}` after `{ctx}`: did you mean `{s}`?", t.shown()),
        None => format!("expected {} after `{ctx}`, not `{}`", one_of(choices), t.shown()),
    };
    Err(err(t.col, message))
}

/// "`wr`" for one choice, "one of rd|wr|both" for several.
fn one_of(choices: &[&str]) -> String {
    match choices {
        [only] => format!("`{only}`"),
        _ => format!("one of {}", choices.join("|")),
    }
}

/// The error for an unknown first word.
pub(crate) fn unknown_command(t: &Token) -> ParseError {
    if t.kind != Kind::Word {
        return err(t.col, "expected a command (e.g. `recv`), not a string");
    }
    let message = match closest(t.raw, COMMAND_WORDS) {
        Some(s) => format!("unknown command `{}`: did you mean `{s}`?", t.shown()),
        None => format!("unknown command `{}`; commands are: {}", t.shown(), COMMAND_WORDS.join(", ")),
    };
    err(t.col, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_read_naturally() {
        assert_eq!(one_of(&["wr"]), "`wr`");
        assert_eq!(one_of(&["on", "off"]), "one of on|off");
    }

    #[test]
    fn end_says_whether_arguments_were_possible() {
        let mut p = Parser::new("x y");
        p.next().unwrap();
        assert!(p.end("close").unwrap_err().message.ends_with("`close` takes no arguments"));
        let mut p = Parser::new("x y");
        p.next().unwrap();
        assert!(p.end("recv [SIZE]").unwrap_err().message.contains("the form is"));
    }

    #[test]
    fn missing_points_at_a_trailing_comment() {
        let mut p = Parser::new("peer   # c");
        p.next().unwrap();
        assert_eq!(p.keyword("peer", &["send"]).unwrap_err().col, 8);
    }

    #[test]
    fn script_errors_carry_their_line() {
        let errs = parse_script("close\nbogus\n\nrecv 0").unwrap_err();
        let lines: Vec<_> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 4]);
    }
}
