//! `--record` writes every event as it is applied, and a replay rebuilds the
//! same timeline with no sockets at all.

use std::path::PathBuf;

use sockscope::headless::{Format, Options, run_file_with};
use sockscope::lab::{Lab, LabEvent, record};

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
    let ends = events.iter().filter(|s| matches!(s.ev, LabEvent::End(_))).count();
    let begins = events.iter().filter(|s| matches!(s.ev, LabEvent::Begin(_))).count();
    assert!(begins >= 8, "recv/send calls were recorded: {begins}");
    assert_eq!(begins, ends, "every call that began also ended");
    let printed = String::from_utf8(out).expect("utf-8").lines().count();
    let calls = events.iter().filter(|s| matches!(s.ev, LabEvent::Begin(_) | LabEvent::Instant(_))).count();
    assert_eq!(calls, printed, "one JSON line per recorded call");
    assert!(events.windows(2).all(|w| w[0].t_ns <= w[1].t_ns), "stamps never go back");

    let mut lab = Lab::replay();
    for s in &events {
        lab.set_clock(s.t_ns);
        lab.apply(s.ev.clone());
    }
    assert_eq!(lab.timeline().len(), calls);
    let sockets: Vec<u32> = lab.sockets().map(|h| h.info.id).collect();
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
    text.push_str("{\"t_ns\":1,\"ev\":{\"Fau");
    std::fs::write(&rec, &text).expect("write");
    assert_eq!(record::read(&rec).expect("torn tail is skipped").len(), good);

    let bad = text.replacen("{\"t_ns\"", "{\"nope\"", 1);
    std::fs::write(&rec, bad).expect("write");
    let e = record::read(&rec).expect_err("a bad first line is an error");
    assert_eq!(e.line, Some(1));
    assert!(e.to_string().contains(":1: not a sockscope event"), "{e}");
    let _ = std::fs::remove_file(&rec);
}
