//! Bytes made safe for a terminal. Everything sockscope shows that came
//! from the network (or from a script) goes through [`escape`].

/// Bytes made safe for any terminal: printable text stays, everything else
/// (control bytes, escape sequences, invalid UTF-8) becomes `\n`, `\xNN`, `\u{…}`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                }
                c if c.is_control() || is_invisible(c) => {
                    out.push_str(&format!("\\u{{{:x}}}", c as u32));
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Format and bidi controls that could reorder or hide what is shown.
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2069 | 0xfeff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_terminal_controls() {
        assert_eq!(escape(b"hi\x1b]0;t\x07\n"), "hi\\x1b]0;t\\x07\\n");
        assert_eq!(escape(b"\xff\x00ok"), "\\xff\\x00ok");
        assert_eq!(escape("\u{9b}2J".as_bytes()), "\\u{9b}2J");
        assert_eq!(escape("é".as_bytes()), "é");
    }
}
