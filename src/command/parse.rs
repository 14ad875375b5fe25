//! The parser. (Being written: see the helper task.)

use super::ast::*;

/// A parse error at a 1-based line and column, saying what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Every first word of the language (for tab completion and "did you mean").
pub const COMMAND_WORDS: &[&str] = &[
    "open", "listen", "socket", "use", "blocking", "nonblocking", "timeout", "rcvtimeo",
    "sndtimeo", "recv", "send", "accept", "connect", "shutdown", "close", "peer", "wait",
    "expect", "say", "spin", "poll",
];

/// Parses one line. `Ok(None)` for a blank line or a comment.
pub fn parse_line(text: &str) -> Result<Option<Command>, ParseError> {
    let _ = text;
    Err(ParseError { line: 1, col: 1, message: "parser not built yet".into() })
}

/// Parses a whole script. On failure, returns every error found (one per bad line).
pub fn parse_script(text: &str) -> Result<Vec<Located>, Vec<ParseError>> {
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
