//! The headless runner's contract (DESIGN.md, "Headless output"): JSON lines
//! with a fixed schema, one per call, and exit codes 0/1/2.

use std::collections::HashSet;

use serde_json::Value;
use sockscope::headless::{Format, run_script};

const KEYS: [&str; 10] = ["seq", "t_us", "dur_us", "sock", "op", "arg", "mode", "outcome", "bytes", "errno"];

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn run(name: &str, script: &str, format: Format) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_script(name, script, format, &mut out, &mut err);
    Run {
        code,
        out: String::from_utf8(out).expect("UTF-8 out"),
        err: String::from_utf8(err).expect("UTF-8 err"),
    }
}

/// Parses every line, checking the keys and their types on each.
fn events(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .map(check_schema)
        .collect()
}

fn check_schema(v: Value) -> Value {
    let o = v.as_object().unwrap_or_else(|| panic!("not an object: {v}"));
    for k in KEYS {
        assert!(o.contains_key(k), "missing {k:?}: {v}");
    }
    let is_count = |k: &str| o[k].is_u64();
    let count_or_null = |k: &str| o[k].is_u64() || o[k].is_null();
    let text_or_null = |k: &str| o[k].is_string() || o[k].is_null();
    assert!(is_count("seq") && is_count("t_us"), "seq, t_us: {v}");
    assert!(count_or_null("dur_us") && count_or_null("bytes"), "dur_us, bytes: {v}");
    assert!(o["op"].is_string(), "op: {v}");
    for k in ["arg", "mode", "outcome", "errno"] {
        assert!(text_or_null(k), "{k}: {v}");
    }
    let sock = &o["sock"];
    assert!(sock.is_u64() || sock == "peer" || sock.is_null(), "sock: {v}");
    if sock.is_null() {
        assert_eq!(o["op"], "say", "only narration has no lane: {v}");
    }
    if o["op"] != "say" {
        let outcome = o["outcome"].as_str().unwrap_or_else(|| panic!("outcome: {v}"));
        let words = [
            "data",
            "eof",
            "sent",
            "partial",
            "wouldblock",
            "timeout",
            "inprogress",
            "accepted",
            "connected",
            "error",
            "blocking",
            "ok",
        ];
        assert!(words.contains(&outcome), "a bare outcome word: {v}");
        assert_eq!(
            outcome == "blocking",
            o["dur_us"].is_null(),
            "dur_us is null exactly while blocking: {v}"
        );
    }
    v
}

/// The one event with this sock and op (and arg, if given).
fn find<'a>(evs: &'a [Value], sock: Value, op: &str, arg: Option<&str>) -> Vec<&'a Value> {
    evs.iter().filter(|e| e["sock"] == sock && e["op"] == op && arg.is_none_or(|a| e["arg"] == a)).collect()
}

fn one<'a>(evs: &'a [Value], sock: Value, op: &str, arg: Option<&str>) -> &'a Value {
    let found = find(evs, sock.clone(), op, arg);
    assert_eq!(found.len(), 1, "one {sock} {op} {arg:?} in {evs:#?}");
    found[0]
}

fn dur_us(e: &Value) -> u64 {
    e["dur_us"].as_u64().unwrap_or_else(|| panic!("ended: {e}"))
}

const SCRIPT: &str = r#"say "the schema"
open tcp
peer send "hello"
recv
nonblocking
recv
timeout 0.2
recv
expect timeout
blocking
rcvtimeo 0.2
recv
expect timeout
listen
peer connect 1
accept
use 1
rcvtimeo 0
recv
expect blocking
"#;

#[test]
fn json_lines_follow_the_schema() {
    let r = run("schema.scenario", SCRIPT, Format::Json);
    assert_eq!(r.code, 0, "stderr: {}", r.err);
    assert_eq!(r.err, "");
    let evs = events(&r.out);

    // Each event is exactly one line.
    let seqs: HashSet<u64> = evs.iter().map(|e| e["seq"].as_u64().expect("seq")).collect();
    assert_eq!(seqs.len(), evs.len(), "a seq printed twice:\n{}", r.out);
    // On one socket, calls start in seq order.
    let mut on1: Vec<&Value> = evs.iter().filter(|e| e["sock"] == 1).collect();
    on1.sort_by_key(|e| e["seq"].as_u64());
    assert!(on1.windows(2).all(|w| w[0]["t_us"].as_u64() <= w[1]["t_us"].as_u64()), "{on1:#?}");

    let say = one(&evs, Value::Null, "say", None);
    assert_eq!(say["text"], "the schema");

    // Set-up that connects inside is one `open` event.
    let open = one(&evs, 1.into(), "open", None);
    assert_eq!((&open["outcome"], &open["errno"]), (&"connected".into(), &Value::Null));
    assert!(find(&evs, 1.into(), "connect", None).is_empty(), "no separate connect event");

    let send = one(&evs, "peer".into(), "send", None);
    assert_eq!((&send["outcome"], &send["bytes"], &send["mode"]), (&"sent".into(), &5.into(), &Value::Null));

    let recvs = find(&evs, 1.into(), "recv", Some("1024"));
    assert_eq!(recvs.len(), 5, "{recvs:#?}");
    let data = recvs[0];
    assert_eq!((&data["outcome"], &data["bytes"], &data["errno"]), (&"data".into(), &5.into(), &Value::Null));
    assert_eq!((&data["mode"], &data["data"]), (&"blocking".into(), &"hello".into()));

    let wb = recvs[1];
    assert_eq!(
        (&wb["outcome"], &wb["errno"], &wb["bytes"]),
        (&"wouldblock".into(), &"EAGAIN".into(), &Value::Null)
    );
    assert!(dur_us(wb) < 1_000_000);

    // CPython-style: poll ran out, so there was no recv and no errno.
    let poll = recvs[2];
    assert_eq!(
        (&poll["outcome"], &poll["errno"], &poll["mode"]),
        (&"timeout".into(), &Value::Null, &"timeout 0.2".into())
    );
    assert_eq!(poll["timeout_by"], "poll");
    assert!((190_000..3_000_000).contains(&dur_us(poll)), "{poll}");

    // The kernel timer: recv returned EAGAIN after the wait.
    let kern = recvs[3];
    assert_eq!((&kern["outcome"], &kern["errno"]), (&"timeout".into(), &"EAGAIN".into()));
    assert_eq!(
        (&kern["timeout_by"], &kern["mode"]),
        (&"SO_RCVTIMEO".into(), &"blocking rcvtimeo 0.2".into())
    );
    assert!((190_000..3_000_000).contains(&dur_us(kern)), "{kern}");

    // Still blocking when the script ended: written last, dur_us null.
    let last = recvs[4];
    assert_eq!(
        (&last["outcome"], &last["dur_us"], &last["errno"]),
        (&"blocking".into(), &Value::Null, &Value::Null)
    );
    assert_eq!(last["mode"], "blocking rcvtimeo 0");
    assert_eq!(evs.last(), Some(last), "a call still blocking is written at the end");

    // Mode changes are events, with the kernel's read-back.
    let to = one(&evs, 1.into(), "timeout", Some("0.2"));
    assert_eq!((&to["outcome"], &to["mode"]), (&"ok".into(), &"timeout 0.2".into()));
    assert_eq!(to["kernel"]["nonblock"], true);
    let rt = one(&evs, 1.into(), "rcvtimeo", Some("0.2"));
    let us = rt["kernel"]["rcvtimeo_us"].as_u64().expect("rcvtimeo_us");
    assert!((200_000..=210_000).contains(&us), "{rt}");
    assert_eq!(rt["kernel"]["nonblock"], false);
    let forever = one(&evs, 1.into(), "rcvtimeo", Some("0"));
    assert_eq!(forever["kernel"]["rcvtimeo_us"], 0);

    let listen = one(&evs, 2.into(), "listen", None);
    assert_eq!(listen["outcome"], "ok");
    let conn = one(&evs, "peer".into(), "connect", None);
    assert_eq!(conn["outcome"], "connected");
    let acc = one(&evs, 2.into(), "accept", None);
    assert_eq!(
        (&acc["outcome"], &acc["new_sock"], &acc["bytes"]),
        (&"accepted".into(), &3.into(), &Value::Null)
    );
}

#[test]
fn an_invalid_script_runs_nothing_and_exits_2() {
    for format in [Format::Json, Format::Table] {
        let r = run("bad.scenario", "open tcp\nrecv lots\nfrobnicate\n", format);
        assert_eq!(r.code, 2, "{format:?}: {}", r.err);
        assert_eq!(r.out, "", "{format:?}: nothing is printed");
        let lines: Vec<&str> = r.err.lines().collect();
        assert!(lines.iter().any(|l| l.starts_with("bad.scenario:2:")), "{}", r.err);
        assert!(lines.iter().any(|l| l.starts_with("bad.scenario:3:1:")), "{}", r.err);
        for l in &lines {
            let mut parts = l.splitn(4, ':');
            let (name, line, col) = (parts.next(), parts.next(), parts.next());
            assert_eq!(name, Some("bad.scenario"), "{l}");
            assert!(line.is_some_and(|n| n.parse::<usize>().is_ok()), "line in {l}");
            assert!(col.is_some_and(|n| n.parse::<usize>().is_ok()), "col in {l}");
        }
    }
}

#[test]
fn a_failed_expect_exits_1_naming_its_line() {
    let r = run("exp.scenario", "open tcp\nnonblocking\nrecv\nexpect data 5\nrecv\n", Format::Json);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("exp.scenario:4:"), "{}", r.err);
    assert!(r.err.contains("expected data 5"), "{}", r.err);
    // The events so far are printed; the line after the failure never ran.
    let evs = events(&r.out);
    let recvs = find(&evs, 1.into(), "recv", None);
    assert_eq!(recvs.len(), 1, "{}", r.out);
    assert_eq!(recvs[0]["outcome"], "wouldblock");
}

#[test]
fn a_command_that_cannot_run_exits_1_naming_its_line() {
    let r = run("use.scenario", "open tcp\nsay \"before\"\nuse 9\nsay \"after\"\n", Format::Json);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("use.scenario:3:"), "{}", r.err);
    assert!(r.err.contains("#9"), "{}", r.err);
    let evs = events(&r.out);
    one(&evs, 1.into(), "open", None);
    let says: Vec<&Value> = find(&evs, Value::Null, "say", None);
    assert_eq!(says.len(), 1, "only the narration before the failure: {}", r.out);
}

#[test]
fn a_passing_script_exits_0_with_a_table() {
    let script = "open tcp\npeer send \"hi\"\nrecv\nexpect data 2\nrecv\nexpect blocking\n";
    let r = run("ok.scenario", script, Format::Table);
    assert_eq!(r.code, 0, "{}", r.err);
    let lines: Vec<&str> = r.out.lines().collect();
    assert!(lines[0].contains("time") && lines[0].contains("outcome"), "a header first: {}", r.out);
    // open, peer send, recv, recv: one row each.
    assert_eq!(lines.len(), 5, "{}", r.out);
    assert!(lines.iter().any(|l| l.contains("data 2")), "{}", r.out);
    assert!(lines.last().is_some_and(|l| l.contains("(blocking)")), "{}", r.out);
}

/// Every call issued is in the output: a second recv on a busy socket runs
/// beside the first (both blocking at the end), and a bounded busy-poll as
/// the last line runs to its bound before the run ends.
#[test]
fn no_issued_call_is_missing_at_the_end() {
    let r = run("ends", "open tcp\nrecv\nrecv\n", Format::Json);
    assert_eq!(r.code, 0, "{}", r.err);
    let recvs: Vec<Value> = events(&r.out).into_iter().filter(|v| v["op"] == "recv").collect();
    assert_eq!(recvs.len(), 2, "{}", r.out);
    assert!(recvs.iter().all(|v| v["outcome"] == "blocking" && v["dur_us"].is_null()), "{}", r.out);

    let r = run("spin", "open tcp\nnonblocking\nspin recv 200000\n", Format::Json);
    assert_eq!(r.code, 0, "{}", r.err);
    let spin = events(&r.out).into_iter().find(|v| v["op"] == "spin").expect("the spin");
    assert_eq!(spin["count"], 200_000, "{spin}");
    assert_eq!(spin["outcome"], "wouldblock");
    assert!(spin["dur_us"].is_u64());
}

/// A peer send that fails keeps what it tried to send, and an empty one is
/// a real (zero-length) send.
#[test]
fn a_failed_peer_send_keeps_its_payload() {
    let r = run("epipe", "open tcp\npeer shutdown wr\npeer send \"more\"\npeer send \"\"\n", Format::Json);
    assert_eq!(r.code, 0, "{}", r.err);
    let sends: Vec<Value> =
        events(&r.out).into_iter().filter(|v| v["op"] == "send" && v["sock"] == "peer").collect();
    assert_eq!(sends.len(), 2, "{}", r.out);
    assert_eq!((sends[0]["arg"].as_str(), sends[0]["errno"].as_str()), (Some("\"more\""), Some("EPIPE")));
    assert_eq!(sends[0]["data"], "more");
    assert_eq!((sends[1]["arg"].as_str(), sends[1]["errno"].as_str()), (Some("\"\""), Some("EPIPE")));
}

/// The table reads top to bottom in time: a call that blocked is printed
/// where it started, before what happened while it waited. Narration is
/// prose: quotes and backslashes are printed as written, controls escaped.
#[test]
fn table_rows_are_in_time_order_and_narration_reads_as_written() {
    let script = "say \"the peer sends \\\"hi\\\" in C:\\\\tmp\\x1b[2J\"\nopen tcp\nrecv\nexpect blocking\n\
                  say \"meanwhile\"\npeer send \"hi\" after 200ms\nexpect data 2\nrecv\n";
    let r = run("order.scenario", script, Format::Table);
    assert_eq!(r.code, 0, "{}", r.err);
    let lines: Vec<&str> = r.out.lines().skip(1).collect();
    assert!(lines[0].ends_with("── the peer sends \"hi\" in C:\\tmp\\x1b[2J"), "{}", r.out);
    let times: Vec<f64> =
        lines.iter().map(|l| l.trim_start().split('s').next().unwrap().parse().expect("a time")).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "rows out of time order:\n{}", r.out);
    let at = |what: &str| lines.iter().position(|l| l.contains(what)).unwrap_or_else(|| panic!("{what}"));
    assert!(at("data 2") < at("meanwhile"), "the blocked recv is printed where it started:\n{}", r.out);
    assert!(lines.last().is_some_and(|l| l.contains("(blocking)")), "{}", r.out);
}
