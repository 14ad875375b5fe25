//! One recording format, versioned: a header line, then one line per event.
//! `replay` reads it, reads `run --json` output too, and keeps reading
//! recordings made by earlier versions (a fixture made by this one is kept
//! in tests/fixtures).

use std::path::{Path, PathBuf};

use sockscope::headless::{Format, Options, run_file_with};
use sockscope::record::file as record;
use sockscope::record::{Event, Lane, Op, Outcome, Record};

fn temp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("sockscope-formats-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

fn fold(events: &[record::Stamped]) -> Record {
    let mut r = Record::new();
    for s in events {
        r.apply(&s.ev);
    }
    r
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios").join(name)
}

#[test]
fn a_recording_starts_with_its_header() {
    let rec = temp("header.jsonl");
    let opts = Options { format: Format::Table, record: Some(rec.clone()) };
    assert_eq!(
        run_file_with(
            &scenario("02-nonblocking-wouldblock.scenario"),
            &opts,
            &mut Vec::new(),
            &mut Vec::new()
        ),
        0
    );
    let text = std::fs::read_to_string(&rec).expect("written");
    let header: serde_json::Value = serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
    assert_eq!(header["format"], "sockscope-recording");
    assert_eq!(header["version"], 1);
    let second: serde_json::Value =
        serde_json::from_str(text.lines().nth(1).expect("an event")).expect("JSON");
    assert!(
        second["t_ns"].is_u64() && second["type"].is_string() && second.get("data").is_some(),
        "{second}"
    );
    let _ = std::fs::remove_file(&rec);
}

/// Made by this version from scenario 07 (EOF, reset, EPIPE) and kept:
/// later versions must replay it to the same calls.
#[test]
fn the_version_1_fixture_still_replays() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recording-v1.jsonl");
    let events = record::read(&path).expect("the fixture reads");
    let r = fold(&events);
    let calls: Vec<_> = r.timeline().calls().iter().filter(|c| c.lane.is_sock()).collect();
    let count = |op: Op, label: &str| calls.iter().filter(|c| c.op == op && c.label() == label).count();
    assert_eq!(count(Op::Recv, "eof"), 3, "{calls:#?}");
    assert_eq!(count(Op::Send, "error EPIPE"), 2);
    assert_eq!(count(Op::Recv, "error ECONNRESET"), 1);
    assert_eq!(r.sockets().count(), 2);
    let recv = calls.iter().find(|c| c.op == Op::Recv).expect("a recv");
    assert!(recv.evidence.is_some(), "evidence is recorded with each call");
    assert!(r.timeline().calls().iter().any(|c| c.op == Op::Say), "narration is kept");
}

/// `run --json` output replays: the same calls with the same outcomes and
/// durations, on the same lanes, with sockets made as they are named.
#[test]
fn run_json_output_replays_to_the_same_calls() {
    let out_path = temp("run.json");
    let opts = Options { format: Format::Json, record: None };
    let mut out = Vec::new();
    assert_eq!(run_file_with(&scenario("07-eof-reset-epipe.scenario"), &opts, &mut out, &mut Vec::new()), 0);
    std::fs::write(&out_path, &out).expect("write");
    let events = record::read(&out_path).expect("run --json output reads as a recording");
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let r = fold(&events);
    assert_eq!(r.timeline().len(), lines.len(), "one record per line");
    for v in &lines {
        let c = r.timeline().find(v["seq"].as_u64().unwrap()).expect("every line is a record");
        assert_eq!(c.outcome.word(), v["outcome"].as_str().unwrap_or("ok"), "{v}");
        assert_eq!(c.op.word(), v["op"].as_str().unwrap(), "{v}");
        let dur = c.duration().map(|d| (d.as_nanos() / 1000) as u64);
        assert_eq!(dur, v["dur_us"].as_u64(), "{v}");
        assert_eq!(c.errno_name(), v["errno"].as_str(), "{v}");
    }
    let peer = r.timeline().lane(Lane::Peer).len();
    assert!(peer > 0, "the peer's lane is there");
    let data =
        r.timeline().calls().iter().find(|c| c.op == Op::Recv && c.outcome == Outcome::Data).expect("data");
    assert_eq!(data.preview.as_deref(), Some(&b"bye"[..]), "the payload reads back from `data`");
    assert!(events.iter().any(|s| matches!(s.ev, Event::Socket(_))), "sockets appear");
    assert_eq!(r.sockets().count(), 2);
    let _ = std::fs::remove_file(&out_path);
}
