//! `sockscope trace` on the screen, end to end: the real binary in a
//! pseudo-terminal tracing real programs on loopback, every check made on
//! the vt100 screen. Lanes are named `PID:FD`, a blocked wait grows live,
//! the call pane gives the strace line and, for CPython only, the Python
//! lens; quitting asks, then ends the program (or, attached, lets it go),
//! and the terminal comes back.

mod trace_util;
mod tui_pty_util;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use trace_util::{gcc, py_file, python, remove, scratch};
use tui_pty_util::Session;

/// The pid in the trace bar's title: `trace: python3 (pid 4242)`.
fn traced_pid(screen: &str) -> Option<u32> {
    let at = screen.find("(pid ")? + "(pid ".len();
    screen[at..].split(')').next()?.parse().ok()
}

/// The elapsed time beside `blocking` on the row of `lane`, in ns.
fn blocked_for(screen: &str, lane: &str) -> Option<u64> {
    let row = screen.lines().find(|l| l.contains(lane) && l.contains("blocking "))?;
    let rest = &row[row.find("blocking ")? + "blocking ".len()..];
    let tok: String =
        rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || c.is_alphabetic()).collect();
    let (num, unit) = tok.split_at(tok.find(|c: char| c.is_alphabetic())?);
    let n: f64 = num.parse().ok()?;
    let scale = match unit {
        "s" => 1e9,
        "ms" => 1e6,
        "µs" => 1e3,
        _ => return None,
    };
    Some((n * scale) as u64)
}

/// The left column (sockets and call panes) as one line of words: a line
/// the call pane wrapped reads whole again.
fn left(screen: &str) -> String {
    let rows: Vec<&str> = screen.lines().filter_map(|l| l.split('│').nth(1)).collect();
    rows.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Waits until the left column says `text`; returns it.
fn wait_left(s: &Session, text: &str) -> String {
    left(&s.wait_for(text, |t| left(t).contains(text)))
}

fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// The state letter of /proc/PID/stat (R, S, t, T, Z …).
fn state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A selectors server with two clients; the second connects, then says
/// nothing for four seconds before it sends.
const STALL: &str = r#"
import selectors, socket, threading, time
sel = selectors.DefaultSelector()
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(); srv.setblocking(False)
sel.register(srv, selectors.EVENT_READ)
def client(msg, stall):
    c = socket.create_connection(srv.getsockname())
    time.sleep(stall)
    c.sendall(msg); c.recv(100); c.close()
threading.Thread(target=client, args=(b"hi", 0)).start()
threading.Thread(target=client, args=(b"slow", 4.0)).start()
served = 0
while served < 2:
    for key, _ in sel.select(timeout=10):
        if key.fileobj is srv:
            conn, _ = srv.accept(); conn.setblocking(False); sel.register(conn, selectors.EVENT_READ)
        else:
            data = key.fileobj.recv(100)
            if data: key.fileobj.send(data.upper())
            else: sel.unregister(key.fileobj); key.fileobj.close(); served += 1
print("served", served)
"#;

#[test]
fn a_selectors_server_with_a_stalled_client_is_drawn_live() {
    let file = py_file("tui-stall", STALL);
    let rec = scratch("tui-stall.jsonl");
    remove(&rec);
    let py = python();
    let path = file.to_string_lossy().into_owned();
    let mut s = Session::start(&["trace", "--record", &rec.to_string_lossy(), "--", &py, &path]);
    let screen = s.wait_for("the trace bar", |t| traced_pid(t).is_some());
    let pid = traced_pid(&screen).unwrap();
    let lane = format!("{pid}:loop");
    // While the stalled client holds, the server's wait is in the kernel,
    // drawn blocking on its loop lane, and growing.
    let screen = s.wait_for("a blocked wait", |t| blocked_for(t, &lane).is_some());
    let first = blocked_for(&screen, &lane).unwrap();
    // A lane per socket, named PID:FD (the listener, two clients, two
    // accepted; a closed fd's number may come back as a new socket's lane).
    let lanes = |t: &str| {
        // The timeline's column: from its top-left corner on.
        let col = t
            .lines()
            .next()
            .and_then(|l| l.find("┌ timeline"))
            .map(|b| t.lines().next().unwrap()[..b].chars().count());
        let Some(col) = col else { return 0 };
        let name = |l: &str| l.trim_start_matches(['│', ' ', '▸']).starts_with(&format!("{pid}:"));
        let right = |l: &str| l.chars().skip(col).collect::<String>();
        t.lines().map(right).filter(|l| name(l) && !l.contains(":loop")).count()
    };
    // All at once (the screen changes under us): every lane, the wait grown
    // by 300 ms, and the call pane on it with its strace line and Python.
    let grown = s.wait_for("the wait to grow, with every lane", |t| {
        let pane = left(t);
        lanes(t) >= 5
            && blocked_for(t, &lane).is_some_and(|n| n >= first + 300_000_000)
            && pane.contains("epoll_wait(")
            && pane.contains("<unfinished ...>")
            && pane.contains("sel.select(timeout=10)")
    });
    assert!(grown.contains("blocking"), "{grown}");
    // The stalled client sends at last; the server serves it and exits.
    let end = s.wait_text("exited with 0");
    assert!(end.contains("output: 1 line,"), "its output is captured:\n{end}");
    s.send("o");
    s.wait_text("served 2");
    s.send("q");
    let (status, alt) = s.wait_exit();
    assert!(status.success(), "{status:?}");
    assert!(!alt, "the terminal is restored");
    // The recording replays with the same lanes (checked in trace_record.rs too).
    let text = std::fs::read_to_string(&rec).expect("the recording");
    assert!(text.starts_with("{\"format\":\"sockscope-recording\""), "{text:.200}");
    assert!(text.contains("\"strace\":\"epoll_wait("), "strace lines are recorded");
    remove(&file);
    remove(&rec);
}

/// Non-blocking EAGAIN first, then a settimeout that runs out.
const TIMEOUTS: &str = r#"
import socket, time
a, b = socket.socketpair()
b.setblocking(False)
try: b.recv(1024)
except BlockingIOError: pass
time.sleep(1.5)
b.settimeout(0.2)
try: b.recv(1024)
except TimeoutError: pass
time.sleep(30)
"#;

#[test]
fn the_python_lens_names_what_cpython_raises() {
    let file = py_file("tui-timeouts", TIMEOUTS);
    let py = python();
    let mut s = Session::start(&["trace", "--", &py, &file.to_string_lossy()]);
    let t = wait_left(&s, "BlockingIOError: [Errno 11] Resource temporarily unavailable");
    assert!(t.contains("recvfrom(") && t.contains("= -1 EAGAIN (Resource temporarily unavailable)"), "{t}");
    assert!(t.contains("sock.recv(1024)"), "{t}");
    let t = wait_left(&s, "TimeoutError: timed out");
    assert!(t.contains("events=POLLIN}], 1, 200) = 0 (Timeout)"), "the poll that ran out:\n{t}");
    assert!(t.contains("settimeout(0.2)"), "{t}");
    let pid = traced_pid(&s.wait_text("(pid ")).unwrap();
    // The sockets are the program's: keys that would run a command say so.
    s.send("r");
    s.wait_text("commands cannot run here");
    s.send(":");
    s.wait_for("the status again", |t| t.contains("commands cannot run here") && !t.contains("\n:"));
    s.send("q");
    s.wait_text("? q or y: end it");
    s.send("y");
    let (_, alt) = s.wait_exit();
    assert!(!alt);
    wait_until("the program to be gone", || !alive(pid));
    remove(&file);
}

const C_EAGAIN: &str = r#"
#include <sys/socket.h>
#include <unistd.h>
int main(void) {
    int sv[2]; char b[64];
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    recv(sv[0], b, sizeof b, 0);
    sleep(30);
    return 0;
}
"#;

#[test]
fn a_c_program_has_no_python_lens() {
    let Some(bin) = gcc("tui-c-eagain", C_EAGAIN) else {
        eprintln!("gcc is missing: skipped");
        return;
    };
    let mut s = Session::start(&["trace", "--", &bin.to_string_lossy()]);
    let t = wait_left(&s, "= -1 EAGAIN (Resource temporarily unavailable)");
    assert!(t.contains("recvfrom(") && t.contains("why "), "{t}");
    assert!(t.contains("non-blocking"), "the why, from the measured mode:\n{t}");
    assert!(!t.contains("py  ") && !t.contains("BlockingIOError"), "no Python lens for C:\n{t}");
    s.send("\x03");
    s.wait_text("? q or y: end it");
    s.send("q");
    let (_, alt) = s.wait_exit();
    assert!(!alt);
    remove(&bin);
}

const BLOCKED_FOREVER: &str = "import socket\na, b = socket.socketpair()\nb.recv(10)\n";

#[test]
fn quitting_asks_first_then_ends_the_program() {
    let file = py_file("tui-quit", BLOCKED_FOREVER);
    let py = python();
    let mut s = Session::start(&["trace", "--", &py, &file.to_string_lossy()]);
    let t = s.wait_for("a blocked recv", |t| t.contains("recvfrom(") && t.contains("blocking "));
    let pid = traced_pid(&t).unwrap();
    s.send("q");
    s.wait_text("quit ends python");
    // Any other key keeps watching: nothing is ended.
    s.send("x");
    s.wait_text("still tracing: nothing was ended");
    std::thread::sleep(Duration::from_millis(200));
    assert!(alive(pid) && state(pid) != Some('Z'), "the program still runs");
    s.send("q");
    s.wait_text("? q or y: end it");
    s.send("q");
    let (status, alt) = s.wait_exit();
    assert!(status.success(), "{status:?}");
    assert!(!alt, "the terminal is restored");
    wait_until("the program to be gone", || !alive(pid));
    remove(&file);
}

/// Waits in recv under a timeout, again and again, until killed.
const LOOPING: &str = r#"
import os, socket, sys
print(os.getpid(), flush=True)
a, b = socket.socketpair()
b.settimeout(0.1)
for _ in range(600):
    try: b.recv(10)
    except TimeoutError: pass
"#;

#[test]
fn an_attached_program_goes_on_after_quit() {
    let file = py_file("tui-attach", LOOPING);
    let mut prog = Command::new(python()).arg(&file).stdout(Stdio::piped()).spawn().expect("python");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(prog.stdout.as_mut().unwrap()), &mut line)
        .unwrap();
    let pid: u32 = line.trim().parse().expect("its pid");
    let mut s = Session::start(&["trace", "-p", &pid.to_string()]);
    s.wait_text(&format!("trace: pid {pid}"));
    s.wait_text(&format!("{pid}:loop"));
    s.wait_text("q lets it go");
    s.send("q");
    let (status, alt) = s.wait_exit();
    assert!(status.success(), "{status:?}");
    assert!(!alt);
    // Let go, not stopped: it runs (or sleeps in its wait), and it has no tracer.
    std::thread::sleep(Duration::from_millis(300));
    let st = state(pid);
    assert!(matches!(st, Some('S' | 'R')), "state {st:?}");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    assert!(status.contains("TracerPid:\t0"), "{status}");
    let _ = prog.kill();
    let _ = prog.wait();
    remove(&file);
}

#[test]
fn sigterm_to_sockscope_restores_the_terminal_and_ends_the_program() {
    let file = py_file("tui-sigterm", BLOCKED_FOREVER);
    let py = python();
    let mut s = Session::start(&["trace", "--", &py, &file.to_string_lossy()]);
    let t = s.wait_for("a blocked recv", |t| t.contains("recvfrom(") && t.contains("blocking "));
    let pid = traced_pid(&t).unwrap();
    let me = s.child.process_id().expect("pid");
    // SAFETY: kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(me as libc::pid_t, libc::SIGTERM) }, 0);
    let (status, alt) = s.wait_exit();
    assert_eq!(status.exit_code(), 128 + libc::SIGTERM as u32, "{status:?}");
    assert!(!alt, "the terminal is restored");
    wait_until("the program to be gone", || !alive(pid));
    remove(&file);
}

/// Writes what would move the cursor, clear the screen and retitle the
/// window, if it reached the terminal.
const HOSTILE: &str = r#"
import sys, time
sys.stdout.write("before\x1b[2J\x1b]0;pwned\x07after\n"); sys.stdout.flush()
sys.stderr.write("err\x1b[31mred\n"); sys.stderr.flush()
time.sleep(30)
"#;

#[test]
fn the_programs_output_is_escaped_in_its_pane_or_goes_to_a_file() {
    let file = py_file("tui-hostile", HOSTILE);
    let py = python();
    let mut s = Session::start(&["trace", "--", &py, &file.to_string_lossy()]);
    s.wait_text("output: 2 lines, o shows");
    s.send("o");
    // Both streams, escaped, in a whole frame (a frame is drawn in pieces).
    let t = s.wait_for("the output, escaped", |t| {
        t.contains("before\\x1b[2J\\x1b]0;pwned\\x07after")
            && t.contains("err\\x1b[31mred")
            && t.contains("o hides")
    });
    assert!(t.contains("┌ sockets"), "nothing cleared the screen:\n{t}");
    s.send("qy");
    s.wait_exit();

    let out = scratch("tui-hostile.out");
    let mut s = Session::start(&[
        "trace",
        "--program-output",
        &out.to_string_lossy(),
        "--",
        &py,
        &file.to_string_lossy(),
    ]);
    s.wait_text("output goes to");
    wait_until("the output in the file", || {
        std::fs::read(&out)
            .is_ok_and(|b| b.windows(5).any(|w| w == b"after") && b.windows(3).any(|w| w == b"red"))
    });
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"before\x1b[2J"), "the file gets the bytes as written");
    s.send("qy");
    s.wait_exit();
    remove(&out);
    remove(&file);
}

#[test]
fn a_refused_attach_says_why_before_the_screen_opens() {
    // A process already traced (by a headless sockscope) cannot be traced twice.
    let file = py_file("tui-refused", "import os, time\nprint(os.getpid(), flush=True)\ntime.sleep(20)\n");
    let mut first = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["trace", "-o", "/dev/null", "--", &python(), &file.to_string_lossy()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("sockscope");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(first.stdout.as_mut().unwrap()), &mut line)
        .unwrap();
    let pid = line.trim().to_string();
    let mut s = Session::start(&["trace", "-p", &pid]);
    let (status, alt) = s.wait_exit();
    let screen = s.shared.0.lock().unwrap().parser.screen().contents();
    assert_eq!(status.exit_code(), 1, "{screen}");
    assert!(!alt, "the terminal was never taken over");
    assert!(screen.contains("ptrace was refused (EPERM)") && screen.contains("already traced"), "{screen}");
    // SAFETY: kill(2) on our own child, which ends the program it traces.
    unsafe { libc::kill(first.id() as libc::pid_t, libc::SIGTERM) };
    let _ = first.wait();
    remove(&file);
}
