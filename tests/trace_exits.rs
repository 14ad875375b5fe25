//! How a trace ends: the program's exit status is sockscope's; a missing
//! command is 127; SIGTERM to sockscope ends a program it started (SIGKILL
//! after the grace period) and leaves its blocked call unfinished in the
//! output; `-p` attaches and detaching lets the program go on; a refused
//! ptrace says why. And the library API: a blocked call is reported live.

mod trace_util;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use trace_util::*;

fn sockscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sockscope"))
}

fn code(argv: &[&str]) -> (i32, String) {
    let out = run_bounded(sockscope().args(["trace", "-o", "/dev/null", "--"]).args(argv));
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_programs_exit_status_is_sockscopes() {
    let py = python();
    assert_eq!(code(&[&py, "-c", "import sys; sys.exit(3)"]).0, 3);
    assert_eq!(code(&[&py, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]).0, 128 + 9);
    let (c, err) = code(&["sockscope-no-such-command"]);
    assert_eq!(c, 127);
    assert!(err.contains("sockscope-no-such-command: command not found"), "{err}");
    let (c, err) = code(&["/etc/hostname"]);
    assert_eq!(c, 126, "{err}");
    assert!(err.contains("cannot run"), "{err}");
}

/// Starts `cmd` with piped stdout and waits (bounded) for a line saying `word`.
fn start_until(cmd: &mut Command, word: &str) -> (Child, BufReader<std::process::ChildStdout>, String) {
    let mut child =
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let start = Instant::now();
    while line.trim().is_empty() || !line.contains(word) {
        line.clear();
        if out.read_line(&mut line).expect("read") == 0 || start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("no {word:?} line");
        }
    }
    (child, out, line)
}

fn wait_bounded(child: &mut Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("still running");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn json_file(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

const BLOCKED: &str = "
import signal, socket, sys
if len(sys.argv) > 1: signal.signal(signal.SIGTERM, signal.SIG_IGN)
a, b = socket.socketpair()
print('ready', flush=True)
b.recv(10)
";

fn sigterm_ends(name: &str, ignore_term: bool, expect: i32) {
    let file = py_file(name, BLOCKED);
    let log = scratch(&format!("{name}.jsonl"));
    let py = python();
    let mut cmd = sockscope();
    cmd.args(["trace", "--json", "-o"]).arg(&log).args(["--", &py]).arg(&file);
    if ignore_term {
        cmd.arg("ignore");
    }
    let (mut child, _out, _) = start_until(&mut cmd, "ready");
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    let status = wait_bounded(&mut child);
    assert_eq!(status.code(), Some(expect));
    if ignore_term {
        assert!(started.elapsed() >= Duration::from_millis(1500), "SIGKILL only after the grace period");
    }
    let lines = json_file(&log);
    let recv = lines.iter().find(|l| l["syscall"] == "recvfrom").expect("the blocked recv is written");
    assert_eq!((recv["outcome"].as_str(), recv["dur_us"].as_u64()), (Some("blocking"), None));
    assert!(lines.iter().any(|l| l["op"] == "exit" && l["status"] == expect));
    remove(&file);
    remove(&log);
}

#[test]
fn sigterm_to_sockscope_ends_the_program_it_started() {
    sigterm_ends("term", false, 128 + libc::SIGTERM);
}

#[test]
fn a_program_that_ignores_sigterm_gets_sigkill_after_the_grace_period() {
    sigterm_ends("kill", true, 128 + libc::SIGKILL);
}

const LOOP: &str = "
import os, socket, sys, time
a, b = socket.socketpair()
b.setblocking(False)
print(os.getpid(), flush=True)
for i in range(int(sys.argv[1])):
    a.send(b'x')
    b.recv(10)
    time.sleep(0.01)
print('done', flush=True)
";

#[test]
fn attach_then_detach_and_the_program_goes_on() {
    let file = py_file("attach", LOOP);
    let log = scratch("attach.jsonl");
    let py = python();
    let (mut prog, mut out, pid) = start_until(Command::new(&py).arg(&file).arg("150"), "");
    let pid = pid.trim().to_string();
    let mut tracer =
        sockscope().args(["trace", "--json", "-o"]).arg(&log).args(["-p", &pid]).spawn().expect("spawn");
    let start = Instant::now();
    while !json_file(&log).iter().any(|l| l["syscall"] == "recvfrom") {
        assert!(start.elapsed() < DEADLINE, "no calls seen after attaching");
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill").args(["-INT", &tracer.id().to_string()]).status().expect("kill");
    assert_eq!(wait_bounded(&mut tracer).code(), Some(0));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    assert!(!status.contains("TracerPid:\t") || status.contains("TracerPid:\t0"), "detached: {status}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).expect("read");
    assert!(rest.contains("done"), "the program went on to its end: {rest:?}");
    assert!(wait_bounded(&mut prog).success());
    let lines = json_file(&log);
    let pid: u64 = pid.parse().expect("a pid");
    assert!(lines.iter().any(|l| l["op"] == "attach" && l["pid"] == pid));
    assert!(lines.iter().any(|l| l["op"] == "detach"));
    let recv = lines.iter().find(|l| l["syscall"] == "recvfrom").unwrap();
    assert_eq!(recv["mode"], "nonblocking", "read from /proc/PID/fdinfo at attach");
    remove(&file);
    remove(&log);
}

#[test]
fn a_refused_attach_says_why() {
    let py = python();
    let mut cmd = sockscope();
    cmd.args([
        "trace",
        "-o",
        "/dev/null",
        "--",
        &py,
        "-c",
        "import os, time; print(os.getpid(), flush=True); time.sleep(20)",
    ]);
    let (mut first, _out, pid) = start_until(&mut cmd, "");
    let out = run_bounded(sockscope().args(["trace", "-p", pid.trim()]));
    let _ = first.kill();
    let _ = first.wait();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("ptrace was refused (EPERM)") && err.contains("already traced"), "{err}");
    let out = run_bounded(sockscope().args(["trace", "-p", "999999999"]));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_api_reports_a_blocked_call_while_it_is_in_the_kernel() {
    use sockscope::trace::{Finish, Options, Target, TraceEvent, Tracer};
    let file = py_file(
        "api",
        "import socket, threading\na, b = socket.socketpair()\nb.setblocking(False)\nb.setblocking(True)\n\
         threading.Timer(0.3, lambda: a.send(b'late')).start()\nassert b.recv(10) == b'late'\n",
    );
    let (tx, rx) = crossbeam_channel::unbounded();
    let argv = vec![python().into(), file.clone().into_os_string()];
    let tracer = Tracer::start(Target::Spawn(argv), Options::default(), tx).expect("start");
    let mut events = Vec::new();
    let deadline = Instant::now() + DEADLINE;
    while let Ok(ev) = rx.recv_deadline(deadline) {
        events.push(ev);
    }
    assert_eq!(tracer.join().expect("join"), Finish::Exited(sockscope::trace::ExitStatus::Code(0)));
    let pos = |f: &dyn Fn(&TraceEvent) -> bool| events.iter().position(f).expect("event");
    let is_recv = |c: &sockscope::trace::Call| c.syscall.name() == "recvfrom";
    let begin = pos(&|e| matches!(e, TraceEvent::Begin(c) if is_recv(c)));
    let end = pos(&|e| matches!(e, TraceEvent::End(c) if is_recv(c)));
    let send = pos(&|e| matches!(e, TraceEvent::Begin(c) if c.syscall.name() == "sendto"));
    assert!(begin < send && send < end, "the recv began before the send that woke it");
    let TraceEvent::End(c) = &events[end] else { unreachable!() };
    assert_eq!((c.bytes, c.preview.as_deref()), (Some(4), Some(&b"late"[..])));
    assert!(c.end_ns.unwrap() - c.start_ns >= 250_000_000);
    let modes: Vec<bool> = events
        .iter()
        .filter_map(|e| if let TraceEvent::Mode { mode, .. } = e { Some(mode.nonblock) } else { None })
        .collect();
    assert_eq!(modes, [true, false]);
    assert_eq!(events.iter().filter(|e| matches!(e, TraceEvent::Socket { .. })).count(), 2);
    remove(&file);
}
