//! XML escaping for the SVG and HTML writers. The picture's strings are
//! already [`Text`](super::picture::Text) (escaped by sockscope's one rule,
//! so no control or invisible character is left); this escapes what XML
//! itself gives meaning to.

use std::fmt::Write;

/// `s` with `& < > " '` as entities, fit for element text and for
/// attribute values in either quote. A character XML 1.0 cannot hold at
/// all (none should be left after [`crate::escape::text`]) is written as
/// U+FFFD.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if allowed(c) => out.push(c),
            _ => out.push('\u{fffd}'),
        }
    }
    out
}

/// XML 1.0's Char production.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// A length in px, short: `12`, `12.5`.
pub fn px(v: f64) -> String {
    let mut s = String::new();
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        let _ = write!(s, "{}", r as i64);
    } else {
        let _ = write!(s, "{r:.1}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_nothing_invalid_is_left() {
        assert_eq!(esc(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(esc("a\u{1}b\u{fffe}"), "a\u{fffd}b\u{fffd}");
        assert_eq!(esc("é 中 🦀"), "é 中 🦀");
    }

    #[test]
    fn lengths_are_short() {
        assert_eq!(px(12.0), "12");
        assert_eq!(px(12.04), "12");
        assert_eq!(px(12.25), "12.3");
        assert_eq!(px(-3.0), "-3");
    }
}
