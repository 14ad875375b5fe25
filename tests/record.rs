//! `--record` writes every event as it is applied, and a replay rebuilds the
//! same timeline with no sockets at all.

use std::path::PathBuf;

use sockscope::headless::{Format, Options, run_file_with};
use sockscope::record::file as record;
use sockscope::record::{Event, Record};

fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios").join(name)
}

fn temp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("sockscope-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

#[test]
fn a_recorded_run_replays_into_the_same_timeline() {
    let rec = temp("replay.jsonl");
    let opts = Options { format: Format::Json, record: Some(rec.clone()) };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_file_with(&scenario("07-eof-reset-epipe.scenario"), &opts, &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));

    let events = record::read(&rec).expect("the recording reads back");
    let ends = events.iter().filter(|s| matches!(s.ev, Event::End(_))).count();
    let begins = events.iter().filter(|s| matches!(s.ev, Event::Begin(_))).count();
    assert!(begins >= 8, "recv/send calls were recorded: {begins}");
    assert_eq!(begins, ends, "every call that began also ended");
    let printed = String::from_utf8(out).expect("utf-8").lines().count();
    let calls = events.iter().filter(|s| matches!(s.ev, Event::Begin(_) | Event::Instant(_))).count();
    assert_eq!(calls, printed, "one JSON line per recorded call");
    assert!(events.windows(2).all(|w| w[0].t_ns <= w[1].t_ns), "stamps never go back");

    let mut lab = Record::new();
    for s in &events {
        lab.apply(&s.ev);
    }
    assert_eq!(lab.timeline().len(), calls);
    let sockets: Vec<u32> = lab.sockets().map(|h| h.id()).collect();
    assert_eq!(sockets, vec![1, 2]);
    let epipe = lab.timeline().calls().iter().filter(|c| c.errno_name() == Some("EPIPE")).count();
    assert_eq!(epipe, 2, "both EPIPE sends are in the replay");
    let _ = std::fs::remove_file(&rec);
}

#[test]
fn a_torn_last_line_is_skipped_but_a_bad_line_is_named() {
    let rec = temp("torn.jsonl");
    let opts = Options { format: Format::Table, record: Some(rec.clone()) };
    let code = run_file_with(
        &scenario("02-nonblocking-wouldblock.scenario"),
        &opts,
        &mut Vec::new(),
        &mut Vec::new(),
    );
    assert_eq!(code, 0);
    let good = record::read(&rec).expect("reads").len();
    let mut text = std::fs::read_to_string(&rec).expect("exists");
    text.push_str("{\"t_ns\":1,\"type\":\"fau");
    std::fs::write(&rec, &text).expect("write");
    assert_eq!(record::read(&rec).expect("torn tail is skipped").len(), good);

    let bad = text.replacen("{\"t_ns\"", "{\"nope\"", 1);
    std::fs::write(&rec, bad).expect("write");
    let e = record::read(&rec).expect_err("a bad first event is an error");
    assert_eq!(e.line, Some(2), "line 1 is the header");
    assert!(e.to_string().contains(":2: not a sockscope event"), "{e}");
    let _ = std::fs::remove_file(&rec);
}

/// A script for the tests below: a few events, exits 0.
fn tiny_script(name: &str) -> PathBuf {
    let p = temp(name);
    std::fs::write(&p, "open tcp\nnonblocking\nrecv\nexpect wouldblock\n").expect("script");
    p
}

fn run_recording_to(script: &std::path::Path, rec: &std::path::Path) -> (i32, String) {
    let opts = Options { format: Format::Table, record: Some(rec.to_path_buf()) };
    let mut err = Vec::new();
    let code = run_file_with(script, &opts, &mut Vec::new(), &mut err);
    (code, String::from_utf8(err).expect("utf-8"))
}

#[test]
fn record_refuses_what_is_not_a_regular_file() {
    let script = tiny_script("refuse.sc");
    let fifo = temp("fifo");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo(3) with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    // A FIFO with no reader would block the run for good: it is refused.
    for (target, kind) in
        [(fifo.as_path(), "a FIFO"), (std::path::Path::new("/dev/full"), "a character device")]
    {
        let (code, err) = run_recording_to(&script, target);
        assert_eq!(code, 1, "{}: {err}", target.display());
        assert!(err.contains(&format!("it is {kind}: a recording goes to a regular file")), "{err}");
    }
    let (code, err) = run_recording_to(&script, &std::env::temp_dir());
    assert!(code == 1 && err.contains("directory"), "{err}");
    let _ = std::fs::remove_file(&fifo);
    let _ = std::fs::remove_file(&script);
}

#[test]
fn record_refuses_the_file_being_run() {
    let script = tiny_script("self.sc");
    let before = std::fs::read(&script).unwrap();
    let link = temp("self-link.sc");
    std::fs::hard_link(&script, &link).expect("a hard link");
    for rec in [&script, &link] {
        let (code, err) = run_recording_to(&script, rec);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("--record names the file being run"), "{err}");
    }
    assert_eq!(std::fs::read(&script).unwrap(), before, "the script is untouched");
    let _ = std::fs::remove_file(&link);
    let _ = std::fs::remove_file(&script);
}

/// `--record` that stops mid-run (the file may grow no more: a full disk
/// gives ENOSPC the same way) is a fault, and the run exits 1.
#[test]
fn a_recording_that_stops_fails_the_run() {
    let script = scenario("02-nonblocking-wouldblock.scenario");
    let rec = temp("stops.jsonl");
    // One block at most, with SIGXFSZ ignored: a write past it fails (EFBIG).
    let sh = "ulimit -f 1; trap '' XFSZ; exec \"$0\" run --record \"$1\" \"$2\"";
    let out = std::process::Command::new("sh")
        .args(["-c", sh, env!("CARGO_BIN_EXE_sockscope")])
        .arg(&rec)
        .arg(&script)
        .output()
        .expect("sh");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("fault: recording stopped"), "{err}");
    let printed = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(printed > 5, "the run itself went on to its end: {printed} lines");
    let _ = std::fs::remove_file(&rec);
}

/// A busy-poll is recorded as its one record with the tallies, as
/// `run --json` prints it: not one line per call.
#[test]
fn a_spin_is_recorded_folded() {
    let script = temp("spin.sc");
    std::fs::write(&script, "open tcp\nnonblocking\nspin recv 1 300ms\nexpect wouldblock\n").unwrap();
    let rec = temp("spin.jsonl");
    let (code, err) = run_recording_to(&script, &rec);
    assert_eq!(code, 0, "{err}");
    let size = std::fs::metadata(&rec).unwrap().len();
    assert!(size < 20_000, "a 300 ms spin took {size} bytes");
    let events = record::read(&rec).expect("reads back");
    assert!(!events.iter().any(|s| matches!(s.ev, Event::Dense { .. })), "no dense calls");
    let calls = events.iter().find_map(|s| match &s.ev {
        Event::End(e) => match &e.arg {
            Some(sockscope::record::Arg::Spin(a)) => Some(a.stats.calls),
            _ => None,
        },
        _ => None,
    });
    assert!(calls.is_some_and(|n| n > 1000), "the spin's end carries its tallies: {calls:?}");
    let _ = std::fs::remove_file(&rec);
    let _ = std::fs::remove_file(&script);
}
