//! Hostile bytes: a peer that sends terminal escape sequences, control
//! bytes and invalid UTF-8 must not reach the terminal raw (DESIGN.md,
//! "Safe"). The real binary's table and JSON output are checked byte by
//! byte, and `escape` is checked on each payload. Loopback only.

mod faults_util;

use faults_util::*;
use sockscope::record::call::escape;

/// (what it tries, the script literal, the bytes it stands for, how `escape` shows them)
const PAYLOADS: &[(&str, &str, &[u8], &str)] = &[
    ("set the window title", r"\x1b]0;pwned\x07", b"\x1b]0;pwned\x07", r"\x1b]0;pwned\x07"),
    ("clear the screen", r"\x1b[2J", b"\x1b[2J", r"\x1b[2J"),
    ("move the cursor", r"\x1b[10;10H", b"\x1b[10;10H", r"\x1b[10;10H"),
    ("change colours", r"\x1b[31mred", b"\x1b[31mred", r"\x1b[31mred"),
    (
        "write the clipboard (OSC 52)",
        r"\x1b]52;c;aGVsbG8=\x07",
        b"\x1b]52;c;aGVsbG8=\x07",
        r"\x1b]52;c;aGVsbG8=\x07",
    ),
    ("ring the bell", r"\x07", b"\x07", r"\x07"),
    ("invalid UTF-8", r"bad\xff\xfeutf8", b"bad\xff\xfeutf8", r"bad\xff\xfeutf8"),
    ("NUL bytes", r"nul\x00in\x00side", b"nul\x00in\x00side", r"nul\x00in\x00side"),
    ("8-bit CSI (C1)", r"\xc2\x9b2J", b"\xc2\x9b2J", r"\u{9b}2J"),
    ("bidi override", r"abc\xe2\x80\xaedef", b"abc\xe2\x80\xaedef", r"abc\u{202e}def"),
    ("overwrite the line", r"ok\rFAKE\x08\x7f", b"ok\rFAKE\x08\x7f", r"ok\rFAKE\x08\x7f"),
    ("a look-alike escape", r"\\x1b[2J", b"\\x1b[2J", r"\\x1b[2J"),
    ("a line separator (U+2028)", r"a\xe2\x80\xa8b", b"a\xe2\x80\xa8b", r"a\u{2028}b"),
    (
        "tag characters",
        r"\xf3\xa0\x81\x81\xf3\xa0\x81\xbf",
        b"\xf3\xa0\x81\x81\xf3\xa0\x81\xbf",
        r"\u{e0041}\u{e007f}",
    ),
    (
        "a flag from regional indicators",
        r"\xf0\x9f\x87\xab\xf0\x9f\x87\xb7",
        b"\xf0\x9f\x87\xab\xf0\x9f\x87\xb7",
        r"\u{1f1eb}\u{1f1f7}",
    ),
    ("a Hangul filler", r"\xe3\x85\xa4", b"\xe3\x85\xa4", r"\u{3164}"),
];

/// A character a terminal might act on: C0 (but newline), DEL, C1, an
/// invisible/bidi format character, or anything else sockscope's rule
/// escapes (separators, fillers, tags, regional indicators).
fn acts_on_terminal(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n')
        || (0x7f..=0x9f).contains(&u)
        || matches!(u, 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2069 | 0xfeff)
        || (c != '\n' && sockscope::escape::is_unsafe(c))
}

#[track_caller]
fn assert_terminal_safe(what: &str, bytes: &[u8]) {
    if let Some(i) = bytes.iter().position(|&b| (b < 0x20 && b != b'\n') || b == 0x7f) {
        let from = i.saturating_sub(60);
        panic!(
            "{what}: raw control byte {:#04x} at {i}: {:?}",
            bytes[i],
            String::from_utf8_lossy(&bytes[from..])
        );
    }
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    if let Some(c) = text.chars().find(|&c| acts_on_terminal(c)) {
        panic!("{what}: raw {:?} (U+{:04X}) in the output", c, c as u32);
    }
}

/// The script: the peer sends every payload, we recv each; then a long
/// line, and one hostile payload of ours for the peer to receive.
fn script() -> String {
    let mut s = String::from("open tcp\n");
    for (_, lit, bytes, _) in PAYLOADS {
        s.push_str(&format!("peer send \"{lit}\"\nrecv 65536\nexpect data {}\n", bytes.len()));
    }
    s.push_str("peer send 10k\nrecv 65536\nexpect data 10240\n");
    s.push_str(&format!("peer send \"{}\"\nrecv 65536\nexpect data 304\n", long_text()));
    s.push_str("send \"\\x1b]0;ours\\x07\"\nexpect sent 9\nwait 100ms\n");
    s
}

/// 300 characters with a screen clear in the middle (304 bytes in all).
fn long_text() -> String {
    format!("{}\\x1b[2J{}", "L".repeat(150), "M".repeat(150))
}

#[test]
fn escape_neutralises_every_payload() {
    for (what, _, bytes, shown) in PAYLOADS {
        let e = escape(bytes);
        assert_eq!(e, *shown, "{what}");
        assert!(!e.chars().any(acts_on_terminal), "{what}: {e:?}");
    }
    let long: Vec<u8> = [&[b'x'; 10 * 1024][..], b"\x1b[2J\n\x00", &[b'y'; 300]].concat();
    let e = escape(&long);
    assert!(!e.contains('\n') && !e.chars().any(acts_on_terminal), "one line, no controls");
    assert!(e.contains(r"\x1b[2J\n\x00"), "escapes shown in place");
}

#[test]
fn table_output_has_no_raw_control_bytes() {
    let o = run_bin(script().as_bytes(), &[], None);
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert_no_panic(&o);
    assert_terminal_safe("table stdout", &o.stdout);
    assert_terminal_safe("table stderr", &o.stderr);
    let out = o.out();
    // The escapes are shown as text, on our lane and on the peer's.
    assert!(out.contains(r#""\x1b]0;pwned\x07""#), "{out}");
    assert!(out.contains(r"bad\xff\xfeutf8") && out.contains(r"\u{202e}"), "{out}");
    assert!(out.contains(r#"peer  recv 65536"#) && out.contains(r#""\x1b]0;ours\x07""#), "{out}");
    // Long data is clipped: no row runs on.
    let widest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest < 200, "a row of {widest} characters:\n{out}");
}

#[test]
fn json_output_has_no_raw_control_bytes_and_shows_escapes_as_text() {
    let o = run_bin(script().as_bytes(), &["--json"], None);
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert_no_panic(&o);
    assert_terminal_safe("json stdout", &o.stdout);
    assert_terminal_safe("json stderr", &o.stderr);
    let out = o.out();
    // In the raw bytes, the escape is a JSON-escaped backslash: `\\x1b]0;pwned`.
    assert!(out.contains(r"\\x1b]0;pwned"), "{out}");
    assert!(!out.contains(r"\u001b") && !out.contains(r"\u0007"), "no JSON-escaped raw controls: {out}");

    let events: Vec<serde_json::Value> =
        out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    for v in &events {
        check_strings(v);
    }
    let ours: Vec<&str> = events
        .iter()
        .filter(|v| v["sock"] == 1 && v["op"] == "recv" && v["outcome"] == "data")
        .map(|v| v["data"].as_str().unwrap_or_else(|| panic!("a recv with data has `data`: {v}")))
        .collect();
    assert_eq!(ours.len(), PAYLOADS.len() + 2, "one recv per payload:\n{out}");
    for ((what, _, _, shown), data) in PAYLOADS.iter().zip(&ours) {
        assert_eq!(data, shown, "{what}");
    }
    // The preview of the long recvs is capped, the escape still text.
    assert!(ours[PAYLOADS.len()].len() <= 256, "capped: {}", ours[PAYLOADS.len()]);
    assert!(ours[PAYLOADS.len() + 1].contains(r"L\x1b[2JM"), "{}", ours[PAYLOADS.len() + 1]);
}

/// Every string anywhere in the event is terminal-safe once decoded.
fn check_strings(v: &serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            assert!(!s.chars().any(acts_on_terminal), "a decoded JSON string with controls: {s:?}");
        }
        serde_json::Value::Array(a) => a.iter().for_each(check_strings),
        serde_json::Value::Object(m) => m.values().for_each(check_strings),
        _ => {}
    }
}

// ---- hostile script text (not received bytes, but still input)

#[test]
fn say_text_is_escaped_in_the_table() {
    let o = run_bin(b"say \"title\\x1b]0;pwned\\x07 clear\\x1b[2J\"\n", &[], None);
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert_terminal_safe("table stdout", &o.stdout);
}

#[test]
fn parse_errors_quote_hostile_tokens_escaped() {
    let o = run_bin(b"\x1b]0;pwned\x07\n", &[], None);
    assert_eq!(o.code, Some(2), "{}", o.show());
    assert_terminal_safe("stderr", &o.stderr);
}

#[test]
fn a_script_that_is_not_utf8_is_refused_cleanly() {
    let o = run_bin(b"open tcp\nsay \"\xff\xfe\"\n", &[], None);
    assert_eq!(o.code, Some(2), "{}", o.show());
    assert_no_panic(&o);
    assert_terminal_safe("stderr", &o.stderr);
    assert!(o.err().contains("not UTF-8"), "{}", o.show());
    assert!(o.stdout.is_empty(), "nothing ran: {}", o.show());
}
