//! Python literals and comment-safe text, written so that any input gives a
//! valid, printable line of Python source: the Python lens and `export
//! python` spell values with these.

use std::fmt::Write;
use std::time::Duration;

use crate::command::{Addr, Payload};

/// A Python `bytes` literal: printable ASCII stays, the rest is escaped.
pub fn py_bytes(bytes: &[u8]) -> String {
    let mut out = String::from("b\"");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    out
}

/// A Python `str` literal. Printable characters stay (the source is UTF-8);
/// control, format and bidi characters are escaped.
pub fn py_str(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => {
                let _ = match c as u32 {
                    n @ 0..=0xff => write!(out, "\\x{n:02x}"),
                    n @ 0x100..=0xffff => write!(out, "\\u{n:04x}"),
                    n => write!(out, "\\U{n:08x}"),
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text with every character that could disturb a terminal shown as an
/// escape (`\x1b`, `\u{202e}`), for narration the script prints and for
/// comments: [`crate::escape::text`], so the rule is the one used everywhere.
pub fn printable(text: &str) -> String {
    crate::escape::text(text)
}

/// Characters a Python literal writes as an escape: the one rule of
/// [`crate::escape::is_unsafe`].
fn hidden(c: char) -> bool {
    crate::escape::is_unsafe(c)
}

/// Seconds as a Python number: `0.3`, `1.5`, `2`, `0`.
pub fn py_secs(d: Duration) -> String {
    format!("{}", d.as_secs_f64())
}

/// The host and port of an address as Python arguments, or nothing.
pub fn addr_args(addr: Option<&Addr>) -> String {
    addr.map(|a| format!("{}, {}", py_str(&a.host), a.port)).unwrap_or_default()
}

/// A text payload as bytes; a size as the export's filler (ours a..z, the
/// peer's A..Z).
pub fn payload(p: &Payload, first: &str) -> String {
    match p {
        Payload::Text(t) => py_bytes(t),
        Payload::Size(n) if first == "a" => format!("filler({n})"),
        Payload::Size(n) => format!("filler({n}, {})", py_str(first)),
    }
}

/// A byte count as a learner writes it: `(64 * 1024)`, `(8 * 1024 * 1024)`, `10`.
pub fn size_expr(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    match n {
        0 => "0".into(),
        n if n % MIB == 0 => format!("({} * 1024 * 1024)", n / MIB),
        n if n % 1024 == 0 => format!("({} * 1024)", n / 1024),
        n => n.to_string(),
    }
}

/// An address as a Python tuple: `("127.0.0.1", 8080)`.
pub fn addr_tuple(a: &Addr) -> String {
    format!("({})", addr_args(Some(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_escape_everything_unprintable() {
        assert_eq!(py_bytes(b"hi \"x\"\\\n\x00\xff"), r#"b"hi \"x\"\\\n\x00\xff""#);
    }

    #[test]
    fn strings_keep_text_and_escape_controls() {
        assert_eq!(py_str("é \"q\" \x1b[2J\u{202e}"), "\"é \\\"q\\\" \\x1b[2J\\u202e\"");
        assert_eq!(py_str("🦀"), "\"🦀\"");
        assert_eq!(py_str("\u{9d}\u{2028}\u{e0041}"), "\"\\x9d\\u2028\\U000e0041\"");
    }

    #[test]
    fn printable_text_has_no_controls() {
        assert_eq!(printable("a\nb\x1b\u{202e}c"), "a\\nb\\x1b\\u{202e}c");
        assert_eq!(printable("\u{2028}\u{e0041}"), "\\u{2028}\\u{e0041}");
    }

    #[test]
    fn seconds_read_as_python_numbers() {
        assert_eq!(py_secs(Duration::from_millis(300)), "0.3");
        assert_eq!(py_secs(Duration::from_secs(2)), "2");
        assert_eq!(py_secs(Duration::ZERO), "0");
        assert_eq!(py_secs(Duration::from_micros(1)), "0.000001");
    }
}
