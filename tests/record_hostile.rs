//! A recording is data from anywhere: reading one never prints a raw
//! control byte, never panics, never holds more than its caps, and rejects
//! at its line every value a live session could not have made.

use std::io::Cursor;
use std::path::PathBuf;

use sockscope::lab::record::{self, FILE_CAP, MAX_NS, ReadError};
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

fn call(seq: u64, op: &str, start_ns: u64, end_ns: Option<u64>, arg: &str) -> String {
    let end = end_ns.map_or("null".into(), |e| e.to_string());
    format!(
        r#"{{"seq":{seq},"lane":{{"Sock":1}},"op":"{op}","arg":{arg},"mode":{{"py":"Blocking","rcvtimeo":null,"sndtimeo":null}},"kernel":null,"start_ns":{start_ns},"end_ns":{end},"outcome":"{}","errno":0,"bytes":null,"preview":null}}"#,
        if end_ns.is_some() { "Ok" } else { "Blocking" }
    )
}

fn line(t_ns: u64, ev: &str) -> String {
    format!("{{\"t_ns\":{t_ns},\"ev\":{ev}}}\n")
}

#[test]
fn escapes_in_a_line_are_never_printed_raw() {
    let hostile = [
        "{\"t_ns\":0,\"ev\":{\"\\u001b]0;pwned\\u0007\\u001b[2J\":1}}\n".to_string(),
        line(0, r#"{"Socket":{"id":1,"kind":"\u001b]0;pwned\u0007","fd":3,"local":null,"remote":null}}"#),
        "{\"t_ns\":0,\"ev\":{\"\\u009b2J\":1}}\n".to_string(),
    ];
    for text in hostile {
        let e = refused(&text);
        assert_eq!(e.line, Some(1), "{e}");
        assert!(e.to_string().contains("\\x1b") || e.to_string().contains("\\u{9b}"), "{e}");
    }
    // The same through `sockscope replay`, which fails before the terminal.
    let path = temp("escape.jsonl");
    std::fs::write(&path, "{\"t_ns\":0,\"ev\":{\"\\u001b]0;pwned\\u0007\\u001b[2J\":1}}\n").unwrap();
    let mut err = Vec::new();
    assert_eq!(tui::run_replay(&path, &tui::Options::default(), &mut err), tui::INVALID);
    let err = String::from_utf8(err).unwrap();
    assert!(!err.trim_end().chars().any(char::is_control), "{err:?}");
    assert!(err.contains("unknown variant `\\x1b]0;pwned\\x07\\x1b[2J`"), "{err}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_long_quote_is_shortened() {
    let e = refused(&format!("{{\"t_ns\":0,\"ev\":{{\"{}\":1}}}}\n", "x".repeat(100_000)));
    assert!(e.to_string().len() < 400 && e.to_string().contains('…'), "{e}");
}

#[test]
fn summary_waits_must_be_times() {
    for wait in ["inf", "1e300", "NaN", "-5"] {
        let note = format!(r#"{{"Note":"client waits: c1 {wait} ms, c2 3.0 ms"}}"#);
        let summary = call(1, "Summary", 5, Some(5), &note).replace(r#"{"Sock":1}"#, r#""Peer""#);
        let e = refused(&line(10, &format!(r#"{{"Instant":{summary}}}"#)));
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("summary wait") && e.message.contains("not a time"), "{wait}: {e}");
    }
    // Prose is prose: only the waits are read as numbers.
    let note = r#"{"Note":"client waits: whatever"}"#;
    let summary = call(1, "Summary", 5, Some(5), note).replace(r#"{"Sock":1}"#, r#""Peer""#);
    assert!(read_text(&line(10, &format!(r#"{{"Instant":{summary}}}"#))).is_ok());
}

#[test]
fn values_a_session_cannot_make_are_refused_at_their_line() {
    let begin = |seq, start| {
        line(100, &format!(r#"{{"Begin":{}}}"#, call(seq, "Recv", start, None, r#"{"Size":9}"#)))
    };
    let end = |seq, t, end_ns| {
        line(
            t,
            &format!(
                r#"{{"End":{{"seq":{seq},"lane":{{"Sock":1}},"end_ns":{end_ns},"outcome":"Eof","errno":0,"bytes":null,"preview":null,"arg":null}}}}"#
            ),
        )
    };
    let instant = |seq, start, end| {
        line(100, &format!(r#"{{"Instant":{}}}"#, call(seq, "Close", start, end, r#""None""#)))
    };
    let far = MAX_NS + 1;
    let cases: Vec<(String, &str)> = vec![
        (format!("{}{}", begin(1, 50), end(1, 200, 40)), "before it began"),
        (format!("{}{}", begin(1, 50), begin(1, 60)), "a second record numbered 1"),
        (format!("{}{}", begin(1, 50), end(2, 200, 60)), "which has not begun"),
        (format!("{}{}{}", begin(1, 50), end(1, 200, 60), end(1, 300, 70)), "which has not begun"),
        (instant(1, far, Some(far)), "more than a year"),
        (instant(1, 10, Some(5)), "before it began"),
        (line(far, r#"{"Closed":1}"#), "more than a year"),
        (format!("{}{}", line(500, r#"{"Closed":1}"#), line(400, r#"{"Closed":2}"#)), "two sessions"),
        (
            line(
                1,
                r#"{"Dense":{"lane":{"Sock":1},"calls":[{"start_ns":18446744073709551615,"dur_ns":4294967295,"bytes":0,"outcome":"Data","errno":0}]}}"#,
            ),
            "more than a year",
        ),
        (
            line(
                1,
                &format!(
                    r#"{{"Instant":{}}}"#,
                    call(1, "Timeout", 1, Some(1), r#"{"Secs":{"secs":99999999999,"nanos":0}}"#)
                ),
            ),
            "more than a year",
        ),
    ];
    for (text, why) in cases {
        let e = refused(&text);
        assert!(e.line.is_some() && e.message.contains(why), "{text}\n→ {e} (wanted: {why})");
    }
    let long_preview = call(1, "Send", 1, Some(2), r#"{"Text":300}"#)
        .replace(r#""preview":null"#, &format!(r#""preview":[{}]"#, vec!["65"; 300].join(",")));
    let e = refused(&line(1, &format!(r#"{{"Instant":{long_preview}}}"#)));
    assert!(e.message.contains("a preview of 300 bytes"), "{e}");
    // And what a session does make passes.
    let close = line(300, &format!(r#"{{"Instant":{}}}"#, call(2, "Close", 70, Some(80), r#""None""#)));
    let fine = format!("{}{}{close}", begin(1, 50), end(1, 200, 60));
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
}

#[test]
fn a_cut_last_line_is_said() {
    let text = format!("{}{}", line(1, r#"{"Closed":1}"#), "{\"t_ns\":2,\"ev\":{\"Clo");
    let l = read_text(&text).expect("the whole lines read");
    assert_eq!((l.events.len(), l.cut), (1, Some(2)));
    assert_eq!(l.warning().as_deref(), Some("the last line (2) was cut (a crash mid-write?): 1 events read"));
    // A whole last line with no newline is not cut.
    let l = read_text(r#"{"t_ns":1,"ev":{"Closed":1}}"#).expect("reads");
    assert_eq!((l.events.len(), l.cut), (1, None));
}
