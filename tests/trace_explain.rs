//! A traced CPython program's calls explained: each Python line and what
//! it raises, checked on real runs against SOCKET-FACTS (cases 2, 3, 4, 5,
//! 9, 10, 13). The program is recorded (`trace --record`) and its record
//! folded, as the screen and `replay` fold it.

mod trace_util;

use std::process::Command;

use sockscope::ops::{Explanation, context, explain};
use sockscope::record::{Call, Record, file};
use trace_util::{gcc, py_file, python, remove, run_bounded, scratch};

/// Runs `argv` under `trace --record` and folds the recording.
fn traced(name: &str, argv: &[&str]) -> Record {
    let rec = scratch(&format!("{name}.jsonl"));
    remove(&rec);
    let out = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_sockscope"))
            .args(["trace", "--table", "--record"])
            .arg(&rec)
            .arg("--")
            .args(argv),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let loaded = file::load(&rec).expect("a recording");
    remove(&rec);
    let mut r = Record::new();
    loaded.events.iter().for_each(|s| r.apply(&s.ev));
    r
}

/// The explanation of the `n`th call whose strace line holds `head`.
fn nth(r: &Record, head: &str, n: usize) -> (Call, Explanation) {
    let c = r
        .timeline()
        .calls()
        .iter()
        .filter(|c| c.traced.as_ref().is_some_and(|t| t.strace.contains(head)))
        .nth(n)
        .unwrap_or_else(|| panic!("no call {n} with {head}"))
        .clone();
    let ex = explain(&c, &context(r, &c));
    (c, ex)
}

fn py(ex: &Explanation) -> String {
    ex.python.join("\n")
}

const MODES: &str = r#"
import socket, struct, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
srv.settimeout(1.0)
c = socket.create_connection(srv.getsockname())
a, _ = srv.accept()
c.setblocking(False)
try: c.recv(10)
except BlockingIOError: pass
a.send(b"hello")
time.sleep(0.05)
c.recv(3, socket.MSG_PEEK)
c.setblocking(True)
c.recv(100)
c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 200000))
try: c.recv(10)
except BlockingIOError: pass
"#;

#[test]
fn modes_and_timers_read_as_python_sets_and_sees_them() {
    let file = py_file("explain-modes", MODES);
    let r = traced("explain-modes", &[&python(), &file.to_string_lossy()]);
    remove(&file);
    // settimeout(1.0) on the listener: one ioctl, as setblocking(False) is (case 3).
    let (_, ex) = nth(&r, "ioctl(3, FIONBIO, [1])", 0);
    assert!(py(&ex).contains("setblocking(False)") && py(&ex).contains("settimeout(T)"), "{ex}");
    // accept under that timeout: poll first (case 4), then CPython makes the
    // new socket blocking with a redundant ioctl (case 9).
    let (_, ex) = nth(&r, "poll([{fd=3, events=POLLIN}], 1, 1000) = 1", 0);
    assert!(py(&ex).contains("conn, addr = sock.accept()  # under sock.settimeout(1)"), "{ex}");
    let (_, ex) = nth(&r, "accept4(3, ", 0);
    assert!(py(&ex).contains("conn, addr = sock.accept()") && ex.why.contains("does not inherit"), "{ex}");
    let (_, ex) = nth(&r, "ioctl(5, FIONBIO, [0])", 0);
    assert!(py(&ex).contains("makes the new socket blocking") && ex.why.contains("It already was"), "{ex}");
    // Non-blocking with nothing queued: BlockingIOError (case 2).
    let (c, ex) = nth(&r, "recvfrom(4, 0x", 0);
    assert_eq!(c.label(), "wouldblock");
    assert!(
        py(&ex).contains("→ raises BlockingIOError: [Errno 11] Resource temporarily unavailable"),
        "{ex}"
    );
    assert!(ex.why.contains("non-blocking (O_NONBLOCK)"), "{ex}");
    // MSG_PEEK: the bytes stay (case 13).
    let (_, ex) = nth(&r, "recvfrom(4, \"hel\", 3, MSG_PEEK", 0);
    assert!(py(&ex).contains("sock.recv(3, socket.MSG_PEEK)") && py(&ex).contains("b'hel'"), "{ex}");
    assert!(ex.why.contains("stay queued"), "{ex}");
    // SO_RCVTIMEO on a blocking socket: EAGAIN after the timer, which
    // Python raises as BlockingIOError, not TimeoutError (cases 4, 5).
    let (c, ex) = nth(&r, "recvfrom(4, 0x", 1);
    assert_eq!(c.label(), "timeout (SO_RCVTIMEO)");
    assert!(c.duration().is_some_and(|d| d.as_millis() >= 150), "{:?}", c.duration());
    assert!(py(&ex).contains("BlockingIOError") && !py(&ex).contains("raises TimeoutError"), "{ex}");
    assert!(ex.why.contains("SO_RCVTIMEO of 0.2 s") && ex.why.contains("not ETIMEDOUT"), "{ex}");
}

const ENDINGS: &str = r#"
import socket, struct, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
c = socket.create_connection(srv.getsockname())
a, _ = srv.accept()
a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
a.close()
time.sleep(0.05)
try: c.recv(10)
except ConnectionResetError: pass
c2 = socket.create_connection(srv.getsockname())
a2, _ = srv.accept()
a2.close()
time.sleep(0.05)
c2.send(b"first")
time.sleep(0.05)
try: c2.send(b"second")
except BrokenPipeError: pass
"#;

#[test]
fn a_reset_and_a_broken_pipe_raise_what_python_raises() {
    let file = py_file("explain-endings", ENDINGS);
    let r = traced("explain-endings", &[&python(), &file.to_string_lossy()]);
    remove(&file);
    let (_, ex) = nth(&r, "SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0", 0);
    assert!(py(&ex).contains("socket.SO_LINGER"), "{ex}");
    let (_, ex) = nth(&r, "recvfrom(4, 0x", 0);
    assert!(py(&ex).contains("ConnectionResetError: [Errno 104] Connection reset by peer"), "{ex}");
    assert!(ex.why.contains("reports a reset once"), "{ex}");
    // After a FIN the first send still succeeds; the second gets EPIPE (case 10).
    let (c, _) = nth(&r, "\"first\", 5, 0, NULL, 0) = 5", 0);
    assert_eq!(c.label(), "sent 5");
    let (_, ex) = nth(&r, "\"second\", 6, 0, NULL, 0) = -1 EPIPE (Broken pipe)", 0);
    assert!(py(&ex).contains("BrokenPipeError: [Errno 32] Broken pipe"), "{ex}");
    assert!(ex.why.contains("SIGPIPE"), "{ex}");
}

const C_TIMER: &str = r#"
#include <sys/socket.h>
#include <sys/time.h>
int main(void) {
    int sv[2]; char b[8];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct timeval tv = {0, 100000};
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    recv(sv[0], b, sizeof b, 0);
    return 0;
}
"#;

#[test]
fn a_c_programs_calls_have_the_why_but_no_python() {
    let Some(bin) = gcc("explain-c", C_TIMER) else {
        eprintln!("gcc is missing: skipped");
        return;
    };
    let r = traced("explain-c", &[&bin.to_string_lossy()]);
    remove(&bin);
    assert!(r.processes().all(|p| !p.python));
    let (c, ex) = nth(&r, "recvfrom(3, ", 0);
    assert_eq!(c.label(), "timeout (SO_RCVTIMEO)");
    assert!(ex.python.is_empty(), "no Python lens for C: {ex}");
    assert!(ex.why.contains("SO_RCVTIMEO of 0.1 s"), "{ex}");
}
