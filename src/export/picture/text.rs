//! Text that may be written into a picture. The only way to make a
//! [`Text`] runs it through [`escape::text`], so nothing from outside (a
//! payload preview, a `say`, a file name) reaches SVG or HTML unescaped;
//! the writers then XML-escape it. Escaping twice changes nothing, so our
//! own labels take the same road.
//!
//! Everything is set in a monospace font, so a text's width is its length
//! in characters times [`CHAR_W`]: that is how the layout knows which label
//! fits where.

use crate::escape;

/// The font size of labels and captions, in px.
pub const FONT: f64 = 12.0;
/// The advance of one character of a monospace font at [`FONT`] (most
/// monospace faces are 0.6 em wide).
pub const CHAR_W: f64 = FONT * 0.6;

/// Escaped, printable text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(String);

impl Text {
    pub fn new(s: &str) -> Text {
        Text(escape::text(s))
    }

    /// At most `max` characters of the escaped text, with `…` if cut.
    pub fn cut(s: &str, max: usize) -> Text {
        let t = escape::text(s);
        match t.char_indices().nth(max) {
            Some((i, _)) => Text(format!("{}…", &t[..i])),
            None => Text(t),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }

    /// Its width in px at [`FONT`].
    pub fn width(&self) -> f64 {
        self.chars() as f64 * CHAR_W
    }

    /// The text broken into lines of at most `cols` characters, at spaces
    /// where it can be.
    pub fn wrap(&self, cols: usize) -> Vec<Text> {
        let cols = cols.max(8);
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in self.0.split(' ') {
            let mut word = word;
            loop {
                let have = line.chars().count();
                let need = word.chars().count() + usize::from(have > 0);
                if have + need <= cols {
                    if have > 0 {
                        line.push(' ');
                    }
                    line.push_str(word);
                    break;
                }
                if have > 0 {
                    lines.push(Text(std::mem::take(&mut line)));
                    continue;
                }
                // A word longer than a line is split.
                let at = word.char_indices().nth(cols).map_or(word.len(), |(i, _)| i);
                lines.push(Text(word[..at].to_string()));
                word = &word[at..];
                if word.is_empty() {
                    break;
                }
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(Text(line));
        }
        lines
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_is_escaped_and_cut() {
        assert_eq!(Text::new("a\x1b[2J\u{202e}b\n").as_str(), "a\\x1b[2J\\u{202e}b\\n");
        assert_eq!(Text::cut("abcdef", 3).as_str(), "abc…");
        assert_eq!(Text::new(Text::new("\x07").as_str()), Text::new("\x07"), "escaping twice is once");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_splits_long_words() {
        let t = Text::new("the peer sends hello in 300 ms");
        let lines: Vec<String> = t.wrap(12).iter().map(|l| l.to_string()).collect();
        assert_eq!(lines, ["the peer", "sends hello", "in 300 ms"]);
        let long = Text::new(&"x".repeat(20));
        assert_eq!(long.wrap(8).len(), 3);
        assert_eq!(Text::new("").wrap(10).len(), 1);
    }
}
