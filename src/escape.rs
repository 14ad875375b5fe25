//! The one rule for outside bytes: everything sockscope shows that came from
//! outside (network data, file contents, file names, the config, error text
//! that quotes input) goes through [`escape`] before it reaches any output:
//! the TUI, stdout, stderr, JSON and exported scripts.
//!
//! [`is_unsafe`] says which characters are never written raw. The wrappers
//! here ([`text`], [`path`], [`shorten`]) and the JSON writer
//! ([`json_line`]) all rest on it, so one table decides for every boundary.

use std::io;
use std::path::Path;

use serde::Serialize;

/// Bytes made safe for any terminal: printable text stays, everything else
/// (control bytes, escape sequences, invalid UTF-8, invisible and
/// width-changing characters) becomes `\n`, `\xNN` or `\u{…}`. Backslashes
/// and quotes are escaped too, so the result reads back unambiguously.
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
                c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// The bytes [`escape`] was given, from what it wrote (for reading back
/// `run --json`'s `data`). Text that [`escape`] could not have written is
/// taken as it stands.
pub fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\\') {
        out.extend_from_slice(&rest.as_bytes()[..i]);
        let after = &rest[i + 1..];
        let (bytes, used): (Vec<u8>, usize) = match after.as_bytes().first() {
            Some(b'n') => (vec![b'\n'], 1),
            Some(b'r') => (vec![b'\r'], 1),
            Some(b't') => (vec![b'\t'], 1),
            Some(b'\\') => (vec![b'\\'], 1),
            Some(b'"') => (vec![b'"'], 1),
            Some(b'x') => match after.get(1..3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(b) => (vec![b], 3),
                None => (vec![b'\\'], 0),
            },
            Some(b'u') => {
                let code = after.strip_prefix("u{").and_then(|t| t.split_once('}'));
                match code.and_then(|(h, _)| u32::from_str_radix(h, 16).ok().and_then(char::from_u32)) {
                    Some(c) => (c.to_string().into_bytes(), 3 + code.map_or(0, |(h, _)| h.len())),
                    None => (vec![b'\\'], 0),
                }
            }
            _ => (vec![b'\\'], 0),
        };
        out.extend_from_slice(&bytes);
        rest = &after[used..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

/// Text for a message (an error that quotes input, a narration line):
/// only what [`escape`] must change for safety is changed. Quotes and
/// backslashes stay as written, so escaping twice changes nothing.
pub fn text(s: &str) -> String {
    bytes_text(s.as_bytes())
}

/// A file name as [`text`] shows it. Bytes that are not UTF-8 become `\xNN`.
pub fn path(p: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        bytes_text(p.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        bytes_text(p.to_string_lossy().as_bytes())
    }
}

/// Input quoted in an error message: escaped, and cut to [`QUOTE_MAX`]
/// characters with `…`, so a 1 MB token cannot flood the screen.
pub fn shorten(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX) {
        Some((i, _)) => format!("{}…", escape(&s.as_bytes()[..i])),
        None => escape(s.as_bytes()),
    }
}

/// The most characters of input an error message quotes.
pub const QUOTE_MAX: usize = 40;

/// The longest error message shown whole.
pub const MESSAGE_MAX: usize = 400;

/// A library's error message that quotes input (toml's, serde's): as
/// [`text`], with each span quoted in backticks or double quotes cut to
/// [`QUOTE_MAX`] characters and the whole to [`MESSAGE_MAX`], with `…`.
pub fn message(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(MESSAGE_MAX * 4));
    let mut rest = msg;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = &rest[open..=open];
        out.push_str(&text(&rest[..=open]));
        rest = &rest[open + 1..];
        let close = rest.find(quote).unwrap_or(rest.len());
        out.push_str(&text(&cut(&rest[..close], QUOTE_MAX)));
        out.push_str(&text(&rest[close..(close + 1).min(rest.len())]));
        rest = &rest[(close + 1).min(rest.len())..];
    }
    out.push_str(&text(rest));
    cut(&out, MESSAGE_MAX)
}

/// At most `max` characters of `s`, with `…` if it was longer.
fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn bytes_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_unsafe(c) {
                out.push_str(&escape(c.encode_utf8(&mut [0; 4]).as_bytes()));
            } else {
                out.push(c);
            }
        }
        out.push_str(&escape(chunk.invalid()));
    }
    out
}

/// Whether `c` is never written raw. The classes, and why:
///
/// - **Controls** (Cc: C0, DEL, C1 U+0080–U+009F): a terminal acts on them;
///   U+009B and U+009D are 8-bit CSI and OSC.
/// - **Format characters** (Cf): bidi embeddings, overrides, isolates and
///   marks (U+061C, U+200E/F, U+202A–E, U+2066–9) reorder what is shown;
///   zero-width ones (U+200B–D, U+2060–4, U+FEFF, U+00AD) hide text or
///   split words invisibly; prepended marks (U+0600–5 …), interlinear
///   annotations (U+FFF9–B), tags (U+E0001, U+E0020–7F) and the other
///   format controls draw nothing or attach to their neighbours.
/// - **Line and paragraph separators** (U+2028, U+2029): some terminals and
///   renderers break the line there, which leaves stale cells behind.
/// - **Default-ignorable code points** that are not Cf: fillers drawn as
///   blanks or nothing (Hangul U+115F, U+1160, U+3164, U+FFA0), U+034F,
///   U+17B4/5, U+180B–F, variation selectors (U+FE00–F, U+E0100–EF) and the
///   reserved rest of U+E0000–E0FFF. Text can hide in them.
/// - **Width-changing combiners**: regional indicators (U+1F1E6–FF) pair
///   into one flag and emoji modifiers (U+1F3FB–F) merge with the emoji
///   before them, so a terminal draws fewer cells than were laid out, and
///   glyphs are left behind.
/// - **Noncharacters** (U+FDD0–FDEF, U+xFFFE/F): never meant for text.
///
/// Unassigned code points are not tracked (that needs the full Unicode
/// tables); printable text in any script, combining accents and spaces stay.
pub fn is_unsafe(c: char) -> bool {
    let u = c as u32;
    if u & 0xfffe == 0xfffe {
        return true;
    }
    UNSAFE_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < u {
                std::cmp::Ordering::Less
            } else if lo > u {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The ranges of [`is_unsafe`], sorted and disjoint (a test checks); with
/// the noncharacters U+xFFFE/F, the whole rule. Exported scripts carry it.
#[rustfmt::skip]
pub const UNSAFE_RANGES: &[(u32, u32)] = &[
    (0x0000, 0x001f), (0x007f, 0x009f), // C0, DEL, C1
    (0x00ad, 0x00ad), // soft hyphen
    (0x034f, 0x034f), // combining grapheme joiner
    (0x0600, 0x0605), (0x061c, 0x061c), (0x06dd, 0x06dd), (0x070f, 0x070f), // Arabic, Syriac format
    (0x0890, 0x0891), (0x08e2, 0x08e2),
    (0x115f, 0x1160), // Hangul fillers
    (0x17b4, 0x17b5), // Khmer inherent vowels
    (0x180b, 0x180f), // Mongolian variation selectors and vowel separator
    (0x200b, 0x200f), // zero-width space, non-joiner, joiner, LRM, RLM
    (0x2028, 0x202e), // line and paragraph separators, bidi embeddings and overrides
    (0x2060, 0x206f), // word joiner, invisible operators, bidi isolates, deprecated format
    (0x3164, 0x3164), // Hangul filler
    (0xfdd0, 0xfdef), // noncharacters
    (0xfe00, 0xfe0f), // variation selectors
    (0xfeff, 0xfeff), // zero-width no-break space (BOM)
    (0xffa0, 0xffa0), // halfwidth Hangul filler
    (0xfff0, 0xfffb), // reserved default-ignorables, interlinear annotations
    (0x110bd, 0x110bd), (0x110cd, 0x110cd), // Kaithi number signs
    (0x13430, 0x1343f), // Egyptian hieroglyph format controls
    (0x1bca0, 0x1bca3), // shorthand format controls
    (0x1d173, 0x1d17a), // musical symbol format controls
    (0x1f1e6, 0x1f1ff), // regional indicators
    (0x1f3fb, 0x1f3ff), // emoji modifiers
    (0xe0000, 0xe0fff), // tags, variation selectors supplement, reserved
];

/// One value as one line of JSON. Besides what JSON requires, every
/// [`is_unsafe`] character inside a string is written as a `\u` escape (`\u009b`; a
/// surrogate pair above U+FFFF), so the line holds no raw C1 or invisible
/// character and still decodes to the same text.
pub fn json_line<T: Serialize>(v: &T) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, SafeJson);
    match v.serialize(&mut ser) {
        // The formatter writes only ASCII escapes around serde_json's own
        // UTF-8, so the buffer is UTF-8.
        Ok(()) => String::from_utf8(buf).unwrap_or_else(|e| escape(e.as_bytes())),
        Err(e) => format!("{{\"error\":\"{}\"}}", escape(e.to_string().as_bytes())),
    }
}

/// serde_json's compact output, with [`is_unsafe`] characters escaped.
struct SafeJson;

impl serde_json::ser::Formatter for SafeJson {
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_reads_back_what_escape_wrote() {
        for bytes in [&b"hi\x1b]0;t\x07\n\\\"q\""[..], b"\xff\x00ok", "é\u{2028}x".as_bytes(), b"a\\x41"] {
            assert_eq!(unescape(&escape(bytes)), bytes, "{:?}", escape(bytes));
        }
    }

    #[test]
    fn escape_neutralises_terminal_controls() {
        assert_eq!(escape(b"hi\x1b]0;t\x07\n"), "hi\\x1b]0;t\\x07\\n");
        assert_eq!(escape(b"\xff\x00ok"), "\\xff\\x00ok");
        assert_eq!(escape("\u{9b}2J".as_bytes()), "\\u{9b}2J");
        assert_eq!(escape("é".as_bytes()), "é");
    }

    #[test]
    fn escape_shows_invisible_and_width_changing_characters() {
        let cases = [
            ('\u{2028}', "\\u{2028}"),
            ('\u{2029}', "\\u{2029}"),
            ('\u{ad}', "\\u{ad}"),
            ('\u{61c}', "\\u{61c}"),
            ('\u{180e}', "\\u{180e}"),
            ('\u{3164}', "\\u{3164}"),
            ('\u{115f}', "\\u{115f}"),
            ('\u{1160}', "\\u{1160}"),
            ('\u{ffa0}', "\\u{ffa0}"),
            ('\u{e0000}', "\\u{e0000}"),
            ('\u{e0041}', "\\u{e0041}"),
            ('\u{e007f}', "\\u{e007f}"),
            ('\u{1f1e6}', "\\u{1f1e6}"),
            ('\u{1f1ff}', "\\u{1f1ff}"),
            ('\u{fe0f}', "\\u{fe0f}"),
            ('\u{e0100}', "\\u{e0100}"),
            ('\u{34f}', "\\u{34f}"),
            ('\u{17b4}', "\\u{17b4}"),
            ('\u{17b5}', "\\u{17b5}"),
            ('\u{2061}', "\\u{2061}"),
            ('\u{2064}', "\\u{2064}"),
            ('\u{206a}', "\\u{206a}"),
            ('\u{206f}', "\\u{206f}"),
            ('\u{fff9}', "\\u{fff9}"),
            ('\u{fffb}', "\\u{fffb}"),
            ('\u{1f3fb}', "\\u{1f3fb}"),
            ('\u{ffff}', "\\u{ffff}"),
            ('\u{10fffe}', "\\u{10fffe}"),
        ];
        for (c, shown) in cases {
            assert_eq!(escape(c.to_string().as_bytes()), shown, "U+{:04X}", c as u32);
        }
        for keep in
            ['a', 'é', 'ß', '中', '🦀', '\u{301}', ' ', '\u{a0}', '\u{fffd}', '\u{1f1e5}', '\u{e1000}']
        {
            assert!(!is_unsafe(keep), "U+{:04X} is ordinary text", keep as u32);
        }
    }

    #[test]
    fn the_table_is_sorted_and_disjoint() {
        for w in UNSAFE_RANGES.windows(2) {
            assert!(w[0].0 <= w[0].1 && w[0].1 < w[1].0, "{w:x?}");
        }
    }

    #[test]
    fn text_keeps_quotes_and_is_idempotent() {
        let once = text("a \"b\" \\x1b \x1b[2J\u{2028}\u{9d}");
        assert_eq!(once, "a \"b\" \\x1b \\x1b[2J\\u{2028}\\u{9d}");
        assert_eq!(text(&once), once);
    }

    #[test]
    fn paths_show_bad_bytes_escaped() {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let p = Path::new(std::ffi::OsStr::from_bytes(b"/tmp/\x1b]0;pwned\x07\xff.sc"));
            assert_eq!(path(p), "/tmp/\\x1b]0;pwned\\x07\\xff.sc");
        }
    }

    #[test]
    fn shorten_cuts_on_a_char_boundary_with_an_ellipsis() {
        let long = "é".repeat(100);
        assert_eq!(shorten(&long).chars().count(), QUOTE_MAX + 1);
        assert!(shorten(&long).ends_with('…'));
        assert_eq!(shorten("\x1b[2J"), "\\x1b[2J");
    }

    #[test]
    fn messages_are_escaped_and_their_quotes_cut() {
        let long = "k".repeat(1000);
        let m = message(&format!("unknown field `{long}\u{1b}`, expected `theme`; string \"\u{9b}{long}\""));
        let k40 = "k".repeat(QUOTE_MAX);
        assert_eq!(
            m,
            format!("unknown field `{k40}…`, expected `theme`; string \"\\u{{9b}}{}…\"", &k40[1..])
        );
        assert_eq!(message("unclosed `\u{1b}"), "unclosed `\\x1b");
        assert_eq!(message(&"x".repeat(5000)).chars().count(), MESSAGE_MAX + 1);
        assert_eq!(text(&m), m, "nothing left for text to escape");
    }

    #[test]
    fn json_lines_escape_c1_and_invisibles_and_decode_to_the_same_text() {
        let s = "a\u{9b}2J\u{9d}0;t\u{2028}\u{e0041}\u{1f1e6}\"\\\x1b é🦀";
        let line = json_line(&serde_json::json!({ "text": s }));
        assert_eq!(
            line,
            "{\"text\":\"a\\u009b2J\\u009d0;t\\u2028\\udb40\\udc41\\ud83c\\udde6\\\"\\\\\\u001b é🦀\"}"
        );
        let back: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(back["text"], s);
        assert!(!line.chars().any(is_unsafe));
    }
}
