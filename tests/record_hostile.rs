//! A recording is data from anywhere: reading one never prints a raw
//! control byte, never panics, never holds more than its caps, and rejects
//! at its line every value a live session could not have made.

use std::io::Cursor;
use std::path::PathBuf;

use sockscope::record::file::{self as record, FILE_CAP, MAX_NS, ReadError};
use sockscope::tui;

fn temp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("sockscope-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

fn read_text(text: &str) -> Result<record::Loaded, ReadError> {
    record::load_from(Cursor::new(text.as_bytes().to_vec()), "r.jsonl")
}

/// The message for a recording that must be refused.
#[track_caller]
fn refused(text: &str) -> ReadError {
    match read_text(text) {
        Ok(l) => panic!("accepted {} events of {text}", l.events.len()),
        Err(e) => {
            let shown = e.to_string();
            assert!(!shown.chars().any(char::is_control), "a raw control character in {shown:?}");
            e
        }
    }
}

/// A recording's first line.
const HEADER: &str = "{\"format\":\"sockscope-recording\",\"version\":1}\n";

fn call(seq: u64, op: &str, start_ns: u64, end_ns: Option<u64>, arg: &str) -> String {
    let end = end_ns.map_or("null".into(), |e| e.to_string());
    format!(
        r#"{{"seq":{seq},"lane":{{"sock":1}},"op":"{op}","arg":{arg},"mode":{{"py":"blocking","rcvtimeo":null,"sndtimeo":null}},"kernel":null,"start_ns":{start_ns},"end_ns":{end},"outcome":"{}","errno":0,"bytes":null,"preview":null}}"#,
        if end_ns.is_some() { "ok" } else { "blocking" }
    )
}

/// One event line: `{"t_ns":…,"type":…,"data":…}`.
fn line(t_ns: u64, ty: &str, data: &str) -> String {
    format!("{{\"t_ns\":{t_ns},\"type\":\"{ty}\",\"data\":{data}}}\n")
}

#[test]
fn escapes_in_a_line_are_never_printed_raw() {
    let hostile = [
        "{\"t_ns\":0,\"type\":\"\\u001b]0;pwned\\u0007\\u001b[2J\",\"data\":1}\n".to_string(),
        line(0, "socket", r#"{"id":1,"kind":"\u001b]0;pwned\u0007","fd":3,"local":null,"remote":null}"#),
        "{\"t_ns\":0,\"type\":\"\\u009b2J\",\"data\":1}\n".to_string(),
    ];
    for text in hostile {
        let e = refused(&format!("{HEADER}{text}"));
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.to_string().contains("\\x1b") || e.to_string().contains("\\u{9b}"), "{e}");
    }
    // The same through `sockscope replay`, which fails before the terminal.
    let path = temp("escape.jsonl");
    let text = format!("{HEADER}{{\"t_ns\":0,\"type\":\"\\u001b]0;pwned\\u0007\\u001b[2J\",\"data\":1}}\n");
    std::fs::write(&path, text).unwrap();
    let mut err = Vec::new();
    assert_eq!(tui::run_replay(&path, &tui::Options::default(), &mut err), tui::INVALID);
    let err = String::from_utf8(err).unwrap();
    assert!(!err.trim_end().chars().any(char::is_control), "{err:?}");
    assert!(err.contains("unknown variant `\\x1b]0;pwned\\x07\\x1b[2J`"), "{err}");
    // A header that is not ours, or from a newer sockscope, is refused as such.
    let e = refused("{\"format\":\"\\u001b[2Jx\",\"version\":1}\n");
    assert!(e.message.contains("not a sockscope recording"), "{e}");
    let e = refused("{\"format\":\"sockscope-recording\",\"version\":9}\n");
    assert!(e.message.contains("newer sockscope"), "{e}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_long_quote_is_shortened() {
    let e = refused(&format!("{HEADER}{{\"t_ns\":0,\"type\":\"{}\",\"data\":1}}\n", "x".repeat(100_000)));
    assert!(e.to_string().len() < 400 && e.to_string().contains('…'), "{e}");
}

#[test]
fn summary_waits_must_be_times() {
    let summary = |waits: &str| {
        let c = call(1, "summary", 5, Some(5), &format!(r#"{{"waits":{waits}}}"#))
            .replace(r#"{"sock":1}"#, r#""peer""#);
        format!("{HEADER}{}", line(10, "instant", &c))
    };
    let e = refused(&summary(&format!("[[1,{}]]", MAX_NS + 1)));
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("client c1's wait") && e.message.contains("more than a year"), "{e}");
    for bad in ["[[1,1e300]]", "[[1,-5]]", "[[1,\"inf\"]]"] {
        let e = refused(&summary(bad));
        assert_eq!(e.line, Some(2), "{bad}: {e}");
    }
    assert!(read_text(&summary("[[1,600000],[2,304000000]]")).is_ok());
}

#[test]
fn values_a_session_cannot_make_are_refused_at_their_line() {
    let begin = |seq, start| line(100, "begin", &call(seq, "recv", start, None, r#"{"size":9}"#));
    let end = |seq, t, end_ns| {
        line(
            t,
            "end",
            &format!(
                r#"{{"seq":{seq},"lane":{{"sock":1}},"end_ns":{end_ns},"outcome":"eof","errno":0,"bytes":null,"preview":null,"arg":null}}"#
            ),
        )
    };
    let instant = |seq, start, end| line(100, "instant", &call(seq, "close", start, end, r#""none""#));
    let far = MAX_NS + 1;
    let cases: Vec<(String, &str)> = vec![
        (format!("{}{}", begin(1, 50), end(1, 200, 40)), "before it began"),
        (format!("{}{}", begin(1, 50), begin(1, 60)), "a second record numbered 1"),
        (format!("{}{}", begin(1, 50), end(2, 200, 60)), "which has not begun"),
        (format!("{}{}{}", begin(1, 50), end(1, 200, 60), end(1, 300, 70)), "which has not begun"),
        (instant(1, far, Some(far)), "more than a year"),
        (instant(1, 10, Some(5)), "before it began"),
        (line(far, "closed", "1"), "more than a year"),
        (format!("{}{}", line(500, "closed", "1"), line(400, "closed", "2")), "two sessions"),
        (format!("{}{HEADER}", line(500, "closed", "1")), "a second session"),
        (
            line(
                1,
                "dense",
                r#"{"lane":{"sock":1},"calls":[{"start_ns":18446744073709551615,"dur_ns":4294967295,"bytes":0,"outcome":"data","errno":0}]}"#,
            ),
            "more than a year",
        ),
        (
            line(1, "instant", &call(1, "timeout", 1, Some(1), r#"{"secs":{"secs":99999999999,"nanos":0}}"#)),
            "more than a year",
        ),
    ];
    for (text, why) in cases {
        let e = refused(&format!("{HEADER}{text}"));
        assert!(e.line.is_some() && e.message.contains(why), "{text}\n→ {e} (wanted: {why})");
    }
    let long_preview = call(1, "send", 1, Some(2), r#"{"text":300}"#)
        .replace(r#""preview":null"#, &format!(r#""preview":[{}]"#, vec!["65"; 300].join(",")));
    let e = refused(&format!("{HEADER}{}", line(1, "instant", &long_preview)));
    assert!(e.message.contains("a preview of 300 bytes"), "{e}");
    // And what a session does make passes.
    let close = line(300, "instant", &call(2, "close", 70, Some(80), r#""none""#));
    let fine = format!("{HEADER}{}{}{close}", begin(1, 50), end(1, 200, 60));
    assert_eq!(read_text(&fine).expect("a plain recording").events.len(), 3);
}

#[test]
fn a_stream_that_never_ends_stops_at_the_line_cap() {
    let e = record::load(std::path::Path::new("/dev/zero")).expect_err("no recording");
    assert_eq!(e.to_string(), "/dev/zero:1: a line longer than 1 MiB: not a recording");
}

#[test]
fn a_file_past_the_size_cap_is_refused_unread() {
    let path = temp("huge.jsonl");
    // Sparse: nothing is written, the size alone says it.
    std::fs::File::create(&path).unwrap().set_len(FILE_CAP + 1).unwrap();
    let e = record::load(&path).expect_err("too big");
    assert_eq!(e.line, None);
    assert!(e.to_string().ends_with(": larger than 1 GiB: too big to replay"), "{e}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn whole_file_problems_name_the_file_alone() {
    let e = record::load(std::path::Path::new("/nonexistent/\u{1b}[2Jrec.jsonl")).expect_err("missing");
    assert_eq!(e.line, None);
    assert!(e.to_string().starts_with("/nonexistent/\\x1b[2Jrec.jsonl: "), "{e}");
    let e = record::load(&std::env::temp_dir()).expect_err("a directory");
    assert!(e.to_string().ends_with(": is a directory, not a recording"), "{e}");
    let e = record::load_from(Cursor::new(b"\xff\xfe\n".to_vec()), "r").expect_err("not UTF-8");
    assert_eq!(e.to_string(), "r:1: not UTF-8 text (byte 1 of the line)");
    let e = record::load_from(Cursor::new(b"hello\n".to_vec()), "r").expect_err("not ours");
    assert!(e.to_string().starts_with("r:1: not a sockscope recording"), "{e}");
}

#[test]
fn a_cut_last_line_is_said() {
    let text = format!("{HEADER}{}{}", line(1, "closed", "1"), "{\"t_ns\":2,\"type\":\"clo");
    let l = read_text(&text).expect("the whole lines read");
    assert_eq!((l.events.len(), l.cut), (1, Some(3)));
    assert_eq!(l.warning().as_deref(), Some("the last line (3) was cut (a crash mid-write?): 1 events read"));
    // A whole last line with no newline is not cut.
    let l = read_text(&format!("{HEADER}{}", r#"{"t_ns":1,"type":"closed","data":1}"#)).expect("reads");
    assert_eq!((l.events.len(), l.cut), (1, None));
}
