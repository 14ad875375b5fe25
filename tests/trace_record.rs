//! `sockscope trace --record FILE`: a recording of a traced program in the
//! versioned format, which `sockscope replay FILE` plays back with the same
//! lanes (`PID:FD`, `PID:loop`), labels and explanations. Recorded without
//! the screen here; the screen's own recording is checked in trace_tui.rs.

mod trace_util;
mod tui_pty_util;

use std::process::Command;

use sockscope::ops::{context, explain};
use sockscope::record::{Lane, Op, Outcome, Record, TimeoutBy, file};
use trace_util::{py_file, python, remove, run_bounded, scratch};
use tui_pty_util::Session;

/// A TCP connection on loopback, data both ways, then a settimeout that
/// runs out as the last call (`os._exit`: no closes after it).
const PROGRAM: &str = r#"
import os, socket
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
c = socket.create_connection(srv.getsockname())
a, _ = srv.accept()
a.sendall(b"hello")
print(c.recv(100))
c.settimeout(0.2)
try: c.recv(100)
except TimeoutError: print("timed out", flush=True)
os._exit(0)
"#;

fn record(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let prog = py_file(name, PROGRAM);
    let rec = scratch(&format!("{name}.jsonl"));
    remove(&rec);
    let out = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_sockscope"))
            .args(["trace", "--table", "--record"])
            .arg(&rec)
            .arg("--")
            .arg(python())
            .arg(&prog),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("timed out"), "the program's own output passes through: {stdout}");
    (prog, rec)
}

#[test]
fn a_recording_folds_into_the_same_lanes_and_explanations() {
    let (prog, rec) = record("rec-fold");
    let loaded = file::load(&rec).expect("a valid recording");
    let mut r = Record::new();
    for s in &loaded.events {
        r.apply(&s.ev);
    }
    let p = r.processes().next().expect("the process").clone();
    assert!(p.python && p.end.is_some(), "{p:?}");
    let names: Vec<String> = r.sockets().map(|s| r.lane_name(Lane::Sock(s.id()))).collect();
    assert!(names.len() >= 3 && names.iter().all(|n| n.starts_with(&format!("{}:", p.pid))), "{names:?}");
    let listener = r.sockets().find(|s| s.info.kind.is_listener()).expect("a listener");
    assert!(
        listener.info.local.is_some_and(|a| a.port() != 0),
        "the port the kernel gave it: {:?}",
        listener.info
    );
    let calls = r.timeline().calls();
    let wait =
        calls.iter().find(|c| c.outcome == Outcome::Timeout(TimeoutBy::Poll)).expect("the poll that ran out");
    assert_eq!((wait.lane, wait.op), (Lane::ProcLoop(p.pid), Op::PollWait));
    let ex = explain(wait, &context(&r, wait));
    assert!(
        ex.syscalls[0].starts_with("poll([{fd=") && ex.syscalls[0].ends_with("1, 200) = 0 (Timeout)"),
        "{ex}"
    );
    assert!(ex.python.iter().any(|l| l.contains("TimeoutError: timed out")), "{ex}");
    let data = calls.iter().find(|c| c.outcome == Outcome::Data).expect("the recv");
    assert_eq!(data.preview.as_deref(), Some(&b"hello"[..]));
    let ex = explain(data, &context(&r, data));
    assert!(
        ex.syscalls[0].starts_with("recvfrom(")
            && ex.syscalls[0].contains("\"hello\", 100, 0, NULL, NULL) = 5"),
        "{ex}"
    );
    remove(&prog);
    remove(&rec);
}

#[test]
fn replay_shows_a_recorded_trace() {
    let (prog, rec) = record("rec-replay");
    let pid = {
        let r = file::load(&rec).expect("a recording");
        let mut rec = Record::new();
        r.events.iter().for_each(|s| rec.apply(&s.ev));
        rec.processes().next().expect("a process").pid
    };
    let mut s = Session::start(&["replay", &rec.to_string_lossy()]);
    s.wait_text("replay:");
    s.send(" ");
    let screen = s.wait_for("the end of the recording", |t| t.contains("end of the recording"));
    assert!(screen.contains(&format!("{pid}:loop")), "{screen}");
    let flat: String = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("TimeoutError: timed"), "the Python lens, replayed:\n{screen}");
    s.send("q");
    let (_, alt) = s.wait_exit();
    assert!(!alt);
    remove(&prog);
    remove(&rec);
}
