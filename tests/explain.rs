//! `lab::explain`: each record explained at three levels (syscalls, Python,
//! why). Table-driven over hand-built records for every outcome × mode × op
//! that can happen, plus one run of real scenarios through the engine.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sockscope::command::{How, Interest, Located, Proto, ServeKind, parse_line};
use sockscope::exec::Session as Lab;
use sockscope::exec::{Executor, Tick};
use sockscope::ops::{Context, Explanation, Prev, explain, prev_call};
use sockscope::record::call::{SpinArg, SpinStats, ready};
use sockscope::record::{
    Arg, Call, Event, KernelView, Lane, Mode, Op, Outcome, PyMode, SockKind, Timeline, TimeoutBy,
};
use sockscope::record::{Evidence, Family, History, TcpState};

// ---- building records ----------------------------------------------------

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn blocking() -> Mode {
    Mode::default()
}
fn nonblocking() -> Mode {
    Mode { py: PyMode::NonBlocking, ..Mode::default() }
}
fn timeout(t: Duration) -> Mode {
    Mode { py: PyMode::Timeout(t), ..Mode::default() }
}
fn rcvtimeo(t: Duration) -> Mode {
    Mode { rcvtimeo: Some(t), ..Mode::default() }
}
fn sndtimeo(t: Duration) -> Mode {
    Mode { sndtimeo: Some(t), ..Mode::default() }
}

/// A finished call on socket #1 that took `took`.
fn call(op: Op, arg: Arg, mode: Mode, outcome: Outcome, took: Duration) -> Call {
    Call {
        seq: 7,
        lane: Lane::Sock(1),
        op,
        arg,
        mode,
        kernel: None,
        start_ns: 1_000_000,
        end_ns: Some(1_000_000 + took.as_nanos() as u64),
        outcome,
        errno: 0,
        bytes: None,
        preview: None,
        evidence: None,
        traced: None,
    }
}

trait With {
    fn errno(self, e: i32) -> Self;
    fn bytes(self, n: u64) -> Self;
    fn preview(self, p: &[u8]) -> Self;
    fn open(self) -> Self;
    fn lane(self, l: Lane) -> Self;
    fn kernel(self, nonblock: bool, rcv_us: u64, snd_us: u64) -> Self;
}

impl With for Call {
    fn errno(mut self, e: i32) -> Self {
        self.errno = e;
        self
    }
    fn bytes(mut self, n: u64) -> Self {
        self.bytes = Some(n);
        self
    }
    fn preview(mut self, p: &[u8]) -> Self {
        self.preview = Some(p.into());
        self
    }
    /// Still in the kernel.
    fn open(mut self) -> Self {
        self.end_ns = None;
        self.outcome = Outcome::Blocking;
        self
    }
    fn lane(mut self, l: Lane) -> Self {
        self.lane = l;
        self
    }
    fn kernel(mut self, nonblock: bool, rcv_us: u64, snd_us: u64) -> Self {
        self.kernel = Some(KernelView { nonblock, rcvtimeo_us: rcv_us, sndtimeo_us: snd_us });
        self
    }
}

fn recv(mode: Mode, outcome: Outcome, took: Duration) -> Call {
    call(Op::Recv, Arg::Size(1024), mode, outcome, took)
}
fn send_text(mode: Mode, text: &[u8], outcome: Outcome, took: Duration) -> Call {
    call(Op::Send, Arg::Text(text.len() as u64), mode, outcome, took).preview(text)
}
fn accept(mode: Mode, outcome: Outcome, took: Duration) -> Call {
    call(Op::Accept, Arg::None, mode, outcome, took)
}
fn connect(mode: Mode, outcome: Outcome) -> Call {
    call(Op::Connect, Arg::Addr(addr("127.0.0.1:4000")), mode, outcome, ms(0))
}
fn set_mode(op: Op, arg: Arg, mode: Mode) -> Call {
    call(op, arg, mode, Outcome::Ok, ms(0))
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("a socket address")
}

const EAGAIN: i32 = libc::EAGAIN;

fn fd5() -> Context {
    Context { fd: Some(5), kind: Some(SockKind::TcpClient), ..Context::default() }
}
fn with_prev(op: Op, outcome: Outcome, errno: i32) -> Context {
    Context { prev: Some(Prev { op, outcome, errno }), ..fd5() }
}
fn udp() -> Context {
    Context { kind: Some(SockKind::Udp), ..fd5() }
}
fn listener() -> Context {
    Context { kind: Some(SockKind::TcpListener), ..fd5() }
}

// ---- the table -----------------------------------------------------------

struct Case {
    name: &'static str,
    call: Call,
    ctx: Context,
    /// Each must appear in some syscall line.
    sys: &'static [&'static str],
    /// None may appear in any syscall line.
    sys_not: &'static [&'static str],
    /// Each must appear in some Python line.
    py: &'static [&'static str],
    py_not: &'static [&'static str],
    /// Each must appear in the why sentence(s).
    why: &'static [&'static str],
    /// None may appear in the why: what the evidence would make false.
    why_not: &'static [&'static str],
}

const NONE: &[&str] = &[];

fn case(name: &'static str, call: Call, ctx: Context) -> Case {
    Case { name, call, ctx, sys: NONE, sys_not: NONE, py: NONE, py_not: NONE, why: NONE, why_not: NONE }
}

impl Case {
    fn sys(mut self, s: &'static [&'static str]) -> Case {
        self.sys = s;
        self
    }
    fn sys_not(mut self, s: &'static [&'static str]) -> Case {
        self.sys_not = s;
        self
    }
    fn py(mut self, s: &'static [&'static str]) -> Case {
        self.py = s;
        self
    }
    fn py_not(mut self, s: &'static [&'static str]) -> Case {
        self.py_not = s;
        self
    }
    fn why(mut self, s: &'static [&'static str]) -> Case {
        self.why = s;
        self
    }
    fn why_not(mut self, s: &'static [&'static str]) -> Case {
        self.why_not = s;
        self
    }

    fn check(&self) -> Vec<String> {
        let e = explain(&self.call, &self.ctx);
        let mut bad = Vec::new();
        let has = |lines: &[String], s: &str| lines.iter().any(|l| l.contains(s));
        for s in self.sys {
            if !has(&e.syscalls, s) {
                bad.push(format!("syscalls lack {s:?}"));
            }
        }
        for s in self.sys_not {
            if has(&e.syscalls, s) {
                bad.push(format!("syscalls must not have {s:?}"));
            }
        }
        for s in self.py {
            if !has(&e.python, s) {
                bad.push(format!("python lacks {s:?}"));
            }
        }
        for s in self.py_not {
            if has(&e.python, s) {
                bad.push(format!("python must not have {s:?}"));
            }
        }
        for s in self.why {
            if !e.why.contains(s) {
                bad.push(format!("why lacks {s:?}"));
            }
        }
        for s in self.why_not {
            if e.why.contains(s) {
                bad.push(format!("why must not say {s:?}"));
            }
        }
        if self.call.lane != Lane::Script && (e.python.is_empty() || e.why.is_empty()) {
            bad.push("python or why is empty".into());
        }
        // `poll drain` is a setting: no syscall of its own.
        let silent = matches!(self.call.lane, Lane::Script | Lane::Peer) || self.call.op == Op::PollDrain;
        if !silent && e.syscalls.is_empty() {
            bad.push("no syscall lines".into());
        }
        if bad.is_empty() { bad } else { vec![format!("{}: {}\n{e}", self.name, bad.join("; "))] }
    }
}

fn run(cases: Vec<Case>) {
    let failures: Vec<String> = cases.iter().flat_map(Case::check).collect();
    assert!(failures.is_empty(), "{} case(s) failed:\n\n{}", failures.len(), failures.join("\n"));
}

// ---- evidence: each why against what would make it false -----------------

/// What a connected, idle TCP socket shows before a call.
fn evidence() -> Evidence {
    Evidence {
        family: Family::Inet,
        stream: true,
        listening: false,
        tcp_state: Some(TcpState::Established),
        connected: true,
        rx_queued: 0,
        tx_queued: 0,
        kernel: KernelView { nonblock: false, rcvtimeo_us: 0, sndtimeo_us: 0 },
        history: History::default(),
    }
}

fn with_evidence(mut c: Call, f: impl FnOnce(&mut Evidence)) -> Call {
    let mut e = evidence();
    f(&mut e);
    c.evidence = Some(Box::new(e));
    c
}

#[test]
fn whys_follow_the_evidence() {
    let eof = recv(blocking(), Outcome::Eof, ms(0));
    let epipe = send_text(blocking(), b"x", Outcome::Error, ms(0)).errno(libc::EPIPE);
    run(vec![
        case("EOF after our shutdown rd", with_evidence(eof.clone(), |e| e.history.shut_rd = true), fd5())
            .why(&["shut down for reading", "still returns that data", "No FIN"])
            .why_not(&["EOF repeats", "the peer closed"]),
        case(
            "EOF after the peer's FIN",
            with_evidence(eof, |e| e.tcp_state = Some(TcpState::CloseWait)),
            fd5(),
        )
        .why(&["FIN", "EOF repeats"])
        .why_not(&["shut down for reading"]),
        case(
            "send EAGAIN while the handshake is still going",
            with_evidence(send_text(nonblocking(), b"x", Outcome::WouldBlock, ms(0)).errno(EAGAIN), |e| {
                (e.tcp_state, e.connected) = (Some(TcpState::SynSent), false)
            }),
            fd5(),
        )
        .why(&["still being set up", "handshake"])
        .why_not(&["send buffer was full"]),
        case(
            "recv EAGAIN while the handshake is still going",
            with_evidence(recv(nonblocking(), Outcome::WouldBlock, ms(0)).errno(EAGAIN), |e| {
                e.tcp_state = Some(TcpState::SynSent)
            }),
            fd5(),
        )
        .why(&["SYN_SENT"])
        .why_not(&["receive queue was empty"]),
        case(
            "EPIPE on a socket never connected",
            with_evidence(epipe.clone(), |e| (e.tcp_state, e.connected) = (Some(TcpState::Close), false)),
            fd5(),
        )
        .why(&["not connected (it never was)", "EPIPE"])
        .why_not(&["RST", "the peer closed"]),
        case("EPIPE on a listener", with_evidence(epipe.clone(), |e| e.listening = true), listener())
            .why(&["listening socket"])
            .why_not(&["RST"]),
        case("EPIPE after our shutdown wr", with_evidence(epipe, |e| e.history.shut_wr = true), fd5())
            .why(&["shut down for writing"])
            .why_not(&["RST"]),
        case(
            "ENOTCONN on a listener",
            with_evidence(recv(blocking(), Outcome::Error, ms(0)).errno(libc::ENOTCONN), |e| {
                e.listening = true
            }),
            listener(),
        )
        .why(&["listening socket has no connection", "accept()"]),
        case(
            "an SO_RCVTIMEO the kernel rounded",
            with_evidence(
                recv(rcvtimeo(ms(1)), Outcome::Timeout(TimeoutBy::RcvTimeo), ms(8)).errno(EAGAIN),
                |e| e.kernel.rcvtimeo_us = 4000,
            ),
            fd5(),
        )
        .py(&["SO_RCVTIMEO held 0.004 s"])
        .py_not(&["0.001 s wait"])
        .why(&["0.004 s (set to 0.001 s", "rounded it up", "8.0 ms"]),
        case(
            "a blocked UDP recv",
            with_evidence(recv(blocking(), Outcome::Blocking, ms(0)).open(), |e| {
                (e.stream, e.tcp_state) = (false, None)
            }),
            udp(),
        )
        .why(&["a datagram arrives"])
        .why_not(&["FIN", "RST"]),
        case(
            "an accept whose listener holds SO_RCVTIMEO",
            with_evidence(accept(blocking(), Outcome::Accepted(2), ms(0)), |e| {
                (e.listening, e.kernel.rcvtimeo_us) = (true, 200_000)
            }),
            listener(),
        )
        .py(&["the listener's SO_RCVTIMEO 0.2 s"])
        .why(&["inherit the listener's SO_RCVTIMEO 0.2 s", "does not pass O_NONBLOCK"]),
    ]);
}

#[test]
fn recv_in_every_mode() {
    let t = ms(200);
    run(vec![
        case(
            "blocking data after a wait",
            recv(blocking(), Outcome::Data, ms(300)).bytes(5).preview(b"hello"),
            fd5(),
        )
        .sys(&["recvfrom(5, \"hello\", 1024, 0, NULL, NULL) = 5"])
        .sys_not(&["poll("])
        .py(&["sock.recv(1024)", "→ b'hello'"])
        .why(&["slept for 300.0 ms", "does not wait to fill all 1024"]),
        case(
            "blocking data already queued",
            recv(blocking(), Outcome::Data, ms(0)).bytes(3).preview(b"abc"),
            fd5(),
        )
        .why(&["already queued", "at once"]),
        case("nonblocking data", recv(nonblocking(), Outcome::Data, ms(0)).bytes(2).preview(b"hi"), fd5())
            .sys(&["recvfrom(5, \"hi\", 1024, 0, NULL, NULL) = 2"])
            .why(&["non-blocking"]),
        case(
            "timeout 0 data",
            recv(timeout(Duration::ZERO), Outcome::Data, ms(0)).bytes(2).preview(b"hi"),
            fd5(),
        )
        .sys_not(&["poll("])
        .why(&["timeout 0 is the same as non-blocking"]),
        case("timeout T data", recv(timeout(t), Outcome::Data, ms(100)).bytes(2).preview(b"hi"), fd5())
            .sys(&[
                "poll([{fd=5, events=POLLIN}], 1, 200) = 1 ([{fd=5, revents=POLLIN}])",
                "recvfrom(5, \"hi\", 1024",
            ])
            .py(&["→ b'hi'"])
            .why(&["poll() reported the socket readable after 100.0 ms", "0.2 s timeout"]),
        case("rcvtimeo T data", recv(rcvtimeo(t), Outcome::Data, ms(50)).bytes(2).preview(b"ok"), fd5())
            .sys_not(&["poll("])
            .why(&["slept", "within SO_RCVTIMEO's 0.2 s"]),
        case(
            "rcvtimeo 0 data after a long wait",
            recv(rcvtimeo(Duration::ZERO), Outcome::Data, ms(1000)).bytes(1).preview(b"x"),
            fd5(),
        )
        .why(&["SO_RCVTIMEO is 0", "no limit"]),
        case("blocking EOF", recv(blocking(), Outcome::Eof, ms(0)), fd5())
            .sys(&["recvfrom(5, \"\", 1024, 0, NULL, NULL) = 0"])
            .py(&["→ b''"])
            .why(&["FIN", "EOF repeats"]),
        case("EOF wakes a blocked recv", recv(blocking(), Outcome::Eof, ms(300)), fd5())
            .why(&["slept for 300.0 ms until the FIN arrived"]),
        case("timeout T EOF", recv(timeout(t), Outcome::Eof, ms(0)), fd5()).sys(&["revents=POLLIN", "= 0"]),
        case(
            "EOF after the reset",
            recv(nonblocking(), Outcome::Eof, ms(0)),
            with_prev(Op::Recv, Outcome::Error, libc::ECONNRESET),
        )
        .py(&["→ b''", "reported once"])
        .why(&["reported once", "ECONNRESET"]),
        case("nonblocking wouldblock", recv(nonblocking(), Outcome::WouldBlock, ms(0)).errno(EAGAIN), fd5())
            .sys(&["recvfrom(5, …, 1024, 0, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)"])
            .py(&["BlockingIOError: [Errno 11] Resource temporarily unavailable"])
            .why(&["non-blocking", "receive queue was empty", "EAGAIN"]),
        case(
            "timeout 0 wouldblock",
            recv(timeout(Duration::ZERO), Outcome::WouldBlock, ms(0)).errno(EAGAIN),
            fd5(),
        )
        .sys(&["EAGAIN"])
        .sys_not(&["poll("])
        .py(&["BlockingIOError", "settimeout(0) is the same as setblocking(False)"])
        .why(&["settimeout(0)", "setblocking(False)", "EAGAIN"]),
        case(
            "nonblocking wins over SO_RCVTIMEO",
            recv(Mode { rcvtimeo: Some(ms(2000)), ..nonblocking() }, Outcome::WouldBlock, ms(0))
                .errno(EAGAIN),
            fd5(),
        )
        .why(&["SO_RCVTIMEO plays no part"]),
        case("poll-based timeout", recv(timeout(t), Outcome::Timeout(TimeoutBy::Poll), ms(200)), fd5())
            .sys(&["poll([{fd=5, events=POLLIN}], 1, 200) = 0 (Timeout)"])
            .sys_not(&["recvfrom"])
            .py(&["sock.recv(1024)", "→ TimeoutError: timed out", "errno is None"])
            .py_not(&["BlockingIOError"])
            .why(&["poll()", "200 ms", "never called"]),
        case(
            "a tiny timeout rounds up to 1 ms",
            recv(timeout(Duration::from_micros(100)), Outcome::Timeout(TimeoutBy::Poll), ms(1)),
            fd5(),
        )
        .sys(&["poll([{fd=5, events=POLLIN}], 1, 1) = 0 (Timeout)"]),
        case(
            "timeout T with SO_RCVTIMEO too",
            recv(
                Mode { rcvtimeo: Some(ms(100)), ..timeout(ms(500)) },
                Outcome::Timeout(TimeoutBy::Poll),
                ms(500),
            ),
            fd5(),
        )
        .why(&["SO_RCVTIMEO plays no part: poll() decides"]),
        case(
            "SO_RCVTIMEO timeout",
            recv(rcvtimeo(t), Outcome::Timeout(TimeoutBy::RcvTimeo), ms(203)).errno(EAGAIN),
            fd5(),
        )
        .sys(&["recvfrom(5, …, 1024, 0, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)"])
        .sys_not(&["poll("])
        .py(&["BlockingIOError: [Errno 11]", "not TimeoutError"])
        .py_not(&["→ TimeoutError"])
        .why(&["SO_RCVTIMEO 0.2 s", "EAGAIN", "BlockingIOError, not TimeoutError"]),
        case("blocked in recvfrom", recv(blocking(), Outcome::Blocking, ms(0)).open(), fd5())
            .sys(&["recvfrom(5, …, 1024, 0, NULL, NULL) <unfinished ...>"])
            .py(&["still waiting"])
            .why(&["Still inside recvfrom()", "data, a FIN or an RST", "does not wake it"]),
        case(
            "blocked with SO_RCVTIMEO 0",
            recv(rcvtimeo(Duration::ZERO), Outcome::Blocking, ms(0)).open(),
            fd5(),
        )
        .why(&["SO_RCVTIMEO is 0", "wait forever", "settimeout(0)"]),
        case("blocked with SO_RCVTIMEO T", recv(rcvtimeo(t), Outcome::Blocking, ms(0)).open(), fd5())
            .why(&["SO_RCVTIMEO's 0.2 s"]),
        case("blocked in poll", recv(timeout(ms(3000)), Outcome::Blocking, ms(0)).open(), fd5())
            .sys(&["poll([{fd=5, events=POLLIN}], 1, 3000) <unfinished ...>"])
            .sys_not(&["recvfrom"])
            .why(&["Still inside poll()", "3000 ms"]),
        case("reset, blocking", recv(blocking(), Outcome::Error, ms(0)).errno(libc::ECONNRESET), fd5())
            .sys(&["recvfrom(5, …, 1024, 0, NULL, NULL) = -1 ECONNRESET (Connection reset by peer)"])
            .py(&["ConnectionResetError: [Errno 104] Connection reset by peer"])
            .why(&["RST", "once", "b''"]),
        case(
            "reset wakes a blocked recv",
            recv(blocking(), Outcome::Error, ms(300)).errno(libc::ECONNRESET),
            fd5(),
        )
        .why(&["slept for 300.0 ms until an RST arrived"]),
        case("reset, nonblocking", recv(nonblocking(), Outcome::Error, ms(0)).errno(libc::ECONNRESET), fd5())
            .why(&["RST"]),
        case("reset, timeout T", recv(timeout(t), Outcome::Error, ms(0)).errno(libc::ECONNRESET), fd5())
            .sys(&["revents=POLLIN|POLLERR|POLLHUP", "ECONNRESET"]),
        case(
            "no fd known",
            recv(nonblocking(), Outcome::WouldBlock, ms(0)).errno(EAGAIN),
            Context::default(),
        )
        .sys(&["recvfrom(fd, …, 1024"]),
        case(
            "payload is escaped and cut",
            recv(blocking(), Outcome::Data, ms(0))
                .bytes(40)
                .preview(b"a\x1b[2J\n0123456789012345678901234567890123"),
            fd5(),
        )
        .sys(&["recvfrom(5, \"a\\x1b[2J\\n", "\"…, 1024, 0, NULL, NULL) = 40"])
        .sys_not(&["\x1b"])
        .py(&["b'a\\x1b[2J\\n", "… (40 bytes)"]),
    ]);
}

#[test]
fn udp_recv() {
    run(vec![
        case("empty datagram", recv(nonblocking(), Outcome::Data, ms(0)).bytes(0).preview(b""), udp())
            .sys(&["recvfrom(5, \"\", 1024, 0, NULL, NULL) = 0"])
            .py(&["not EOF"])
            .why(&["not EOF"]),
        case(
            "datagram cut to fit",
            call(Op::Recv, Arg::Size(10), blocking(), Outcome::Data, ms(0)).bytes(10).preview(b"0123456789"),
            udp(),
        )
        .why(&["one datagram of 10 bytes", "discarded"]),
        case("ICMP refusal", recv(timeout(ms(300)), Outcome::Error, ms(0)).errno(libc::ECONNREFUSED), udp())
            .py(&["ConnectionRefusedError: [Errno 111] Connection refused"])
            .why(&["ICMP", "once"]),
        case("udp send", send_text(blocking(), b"ping", Outcome::Sent, ms(0)).bytes(4), udp())
            .sys(&["sendto(5, \"ping\", 4, MSG_NOSIGNAL, NULL, 0) = 4"])
            .why(&["datagram"]),
        case(
            "too big",
            call(Op::Send, Arg::Size(65508), blocking(), Outcome::Error, ms(0)).errno(libc::EMSGSIZE),
            udp(),
        )
        .sys(&["EMSGSIZE (Message too long)"])
        .py(&["OSError: [Errno 90] Message too long"])
        .why(&["65,507"]),
    ]);
}

#[test]
fn send_in_every_mode() {
    let t = ms(300);
    run(vec![
        case("blocking sent", send_text(blocking(), b"hi", Outcome::Sent, ms(0)).bytes(2), fd5())
            .sys(&["sendto(5, \"hi\", 2, MSG_NOSIGNAL, NULL, 0) = 2"])
            .py(&["sock.send(b'hi')", "→ 2"])
            .why(&["copied all 2 bytes"]),
        case(
            "blocking send waited for room",
            send_text(blocking(), b"hi", Outcome::Sent, ms(700)).bytes(2),
            fd5(),
        )
        .why(&["slept for 700.0 ms", "full count"]),
        case(
            "first send after a FIN",
            send_text(blocking(), b"first", Outcome::Sent, ms(0)).bytes(5),
            with_prev(Op::Recv, Outcome::Eof, 0),
        )
        .why(&["succeeded", "RST", "EPIPE"]),
        case(
            "second send: EPIPE",
            send_text(blocking(), b"second", Outcome::Error, ms(0)).errno(libc::EPIPE),
            with_prev(Op::Send, Outcome::Sent, 0),
        )
        .sys(&["sendto(5, \"second\", 6, MSG_NOSIGNAL, NULL, 0) = -1 EPIPE (Broken pipe)"])
        .py(&["BrokenPipeError: [Errno 32] Broken pipe"])
        .why(&["closed", "RST", "EPIPE", "SIGPIPE"]),
        case(
            "EPIPE with no history",
            send_text(nonblocking(), b"x", Outcome::Error, ms(0)).errno(libc::EPIPE),
            fd5(),
        )
        .why(&["peer closed and its kernel answered our earlier data with an RST", "MSG_NOSIGNAL"]),
        case(
            "send sees the reset first",
            send_text(blocking(), b"x", Outcome::Error, ms(0)).errno(libc::ECONNRESET),
            fd5(),
        )
        .py(&["ConnectionResetError"])
        .why(&["next send gets EPIPE"]),
        case(
            "nonblocking wouldblock",
            call(Op::Send, Arg::Size(65536), nonblocking(), Outcome::WouldBlock, ms(0)).errno(EAGAIN),
            fd5(),
        )
        .sys(&["sendto(5, …, 65536, MSG_NOSIGNAL, NULL, 0) = -1 EAGAIN (Resource temporarily unavailable)"])
        .py(&["sock.send(bytes(65536))", "BlockingIOError: [Errno 11]"])
        .why(&["send buffer was full", "EAGAIN"]),
        case(
            "timeout 0 wouldblock",
            call(Op::Send, Arg::Size(10), timeout(Duration::ZERO), Outcome::WouldBlock, ms(0)).errno(EAGAIN),
            fd5(),
        )
        .why(&["settimeout(0)", "send buffer was full"]),
        case(
            "nonblocking partial",
            call(Op::Send, Arg::Size(100_000), nonblocking(), Outcome::Partial, ms(0)).bytes(44_032),
            fd5(),
        )
        .sys(&["sendto(5, …, 100000, MSG_NOSIGNAL, NULL, 0) = 44032"])
        .py(&["→ 44032", "55968 bytes were not sent"])
        .why(&["room for only 44032 of the 100000 bytes"]),
        case(
            "SO_SNDTIMEO partial",
            call(Op::Send, Arg::Size(65536), sndtimeo(ms(200)), Outcome::Partial, ms(204)).bytes(47_616),
            fd5(),
        )
        .why(&["SO_SNDTIMEO (0.2 s) ran out", "short count"]),
        case(
            "SO_SNDTIMEO timeout",
            call(
                Op::Send,
                Arg::Size(65536),
                sndtimeo(ms(200)),
                Outcome::Timeout(TimeoutBy::SndTimeo),
                ms(204),
            )
            .errno(EAGAIN),
            fd5(),
        )
        .sys(&["sendto(5, …, 65536, MSG_NOSIGNAL, NULL, 0) = -1 EAGAIN"])
        .sys_not(&["poll("])
        .py(&["BlockingIOError", "SO_SNDTIMEO", "not TimeoutError"])
        .why(&["SO_SNDTIMEO 0.2 s", "EAGAIN", "not TimeoutError"]),
        case(
            "poll-based send timeout",
            call(Op::Send, Arg::Size(65536), timeout(t), Outcome::Timeout(TimeoutBy::Poll), ms(300)),
            fd5(),
        )
        .sys(&["poll([{fd=5, events=POLLOUT}], 1, 300) = 0 (Timeout)"])
        .sys_not(&["sendto"])
        .py(&["TimeoutError: timed out"])
        .why(&["room in the send buffer", "never called"]),
        case("timeout T sent", send_text(timeout(t), b"abc", Outcome::Sent, ms(0)).bytes(3), fd5()).sys(&[
            "poll([{fd=5, events=POLLOUT}], 1, 300) = 1 ([{fd=5, revents=POLLOUT}])",
            "sendto(5, \"abc\", 3, MSG_NOSIGNAL, NULL, 0) = 3",
        ]),
        case(
            "timeout T partial",
            call(Op::Send, Arg::Size(10_000_000), timeout(t), Outcome::Partial, ms(0)).bytes(3_919_467),
            fd5(),
        )
        .why(&["only 3919467 of the 10000000 bytes fit"]),
        case(
            "blocked in sendto",
            call(Op::Send, Arg::Size(65536), blocking(), Outcome::Blocking, ms(0)).open(),
            fd5(),
        )
        .sys(&["sendto(5, …, 65536, MSG_NOSIGNAL, NULL, 0) <unfinished ...>"])
        .why(&["Still inside sendto()", "make room"]),
        case(
            "blocked in sendto, SO_SNDTIMEO 0",
            call(Op::Send, Arg::Size(65536), sndtimeo(Duration::ZERO), Outcome::Blocking, ms(0)).open(),
            fd5(),
        )
        .why(&["SO_SNDTIMEO is 0", "forever"]),
        case(
            "long text is cut like strace -s 32",
            send_text(blocking(), &[b'x'; 40], Outcome::Sent, ms(0)).bytes(40),
            fd5(),
        )
        .sys(&["sendto(5, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"…, 40, MSG_NOSIGNAL, NULL, 0) = 40"]),
        case("a quote in the payload", send_text(blocking(), b"it's", Outcome::Sent, ms(0)).bytes(4), fd5())
            .py(&["sock.send(b\"it's\")"]),
    ]);
}

#[test]
fn accept_in_every_mode() {
    run(vec![
        case(
            "nonblocking, none pending",
            accept(nonblocking(), Outcome::WouldBlock, ms(0)).errno(EAGAIN),
            listener(),
        )
        .sys(&["accept4(5, …, SOCK_CLOEXEC) = -1 EAGAIN (Resource temporarily unavailable)"])
        .py(&["conn, addr = sock.accept()", "BlockingIOError: [Errno 11]"])
        .why(&["accept queue", "EAGAIN"]),
        case("accepted, new fd unknown", accept(nonblocking(), Outcome::Accepted(2), ms(0)), listener())
            .sys(&["accept4(5, …, SOCK_CLOEXEC) = <fd of #2>"])
            .py(&["socket #2", "getblocking() is True"])
            .why(&["socket #2", "does not pass O_NONBLOCK"]),
        case(
            "accepted, new fd known",
            accept(blocking(), Outcome::Accepted(3), ms(300)),
            Context { new_fd: Some(7), ..listener() },
        )
        .sys(&["accept4(5, …, SOCK_CLOEXEC) = 7"])
        .why(&["slept for 300.0 ms until a client connected", "#3 starts blocking"]),
        case("timeout T, accepted", accept(timeout(ms(1000)), Outcome::Accepted(2), ms(20)), listener())
            .sys(&["poll([{fd=5, events=POLLIN}], 1, 1000) = 1 ([{fd=5, revents=POLLIN}])", "accept4("]),
        case(
            "timeout T, nobody came",
            accept(timeout(ms(200)), Outcome::Timeout(TimeoutBy::Poll), ms(200)),
            listener(),
        )
        .sys(&["poll([{fd=5, events=POLLIN}], 1, 200) = 0 (Timeout)"])
        .sys_not(&["accept4"])
        .py(&["TimeoutError: timed out"])
        .why(&["Nobody connected", "accept was never called"]),
        case(
            "SO_RCVTIMEO on a listener",
            accept(rcvtimeo(ms(200)), Outcome::Timeout(TimeoutBy::RcvTimeo), ms(204)).errno(EAGAIN),
            listener(),
        )
        .sys(&["accept4(5, …, SOCK_CLOEXEC) = -1 EAGAIN"])
        .py(&["BlockingIOError", "not TimeoutError"])
        .why(&["SO_RCVTIMEO 0.2 s", "EAGAIN"]),
        case("blocked in accept4", accept(blocking(), Outcome::Blocking, ms(0)).open(), listener())
            .sys(&["accept4(5, …, SOCK_CLOEXEC) <unfinished ...>"])
            .why(&["Still inside accept4()", "a client connects"]),
        case(
            "accept on a shut-down listener",
            accept(blocking(), Outcome::Error, ms(200)).errno(libc::EINVAL),
            listener(),
        )
        .sys(&["= -1 EINVAL (Invalid argument)"])
        .py(&["OSError: [Errno 22] Invalid argument"])
        .why(&["EINVAL"]),
    ]);
}

#[test]
fn connect_in_every_mode() {
    const SA: &str = "{sa_family=AF_INET, sin_port=htons(4000), sin_addr=inet_addr(\"127.0.0.1\")}, 16";
    run(vec![
        case("nonblocking: in progress", connect(nonblocking(), Outcome::InProgress).errno(libc::EINPROGRESS), fd5())
            .sys(&["connect(5, {sa_family=AF_INET, sin_port=htons(4000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 EINPROGRESS (Operation now in progress)"])
            .py(&["sock.connect((\"127.0.0.1\", 4000))", "BlockingIOError: [Errno 115] Operation now in progress", "connect_ex"])
            .why(&["non-blocking", "EINPROGRESS", "SO_ERROR"]),
        case("timeout 0: in progress", connect(timeout(Duration::ZERO), Outcome::InProgress).errno(libc::EINPROGRESS), fd5())
            .sys_not(&["poll("])
            .why(&["timeout 0 is the same as non-blocking"]),
        case("nonblocking: second connect", connect(nonblocking(), Outcome::Connected), fd5())
            .sys(&[SA, ") = 0"])
            .py(&["→ None"])
            .why(&["not EALREADY", "EISCONN"]),
        case("third connect", connect(nonblocking(), Outcome::Error).errno(libc::EISCONN), fd5())
            .sys(&["= -1 EISCONN (Transport endpoint is already connected)"])
            .py(&["OSError: [Errno 106] Transport endpoint is already connected"])
            .why(&["already connected"]),
        case("still in progress", connect(nonblocking(), Outcome::Error).errno(libc::EALREADY), fd5())
            .sys(&["= -1 EALREADY (Operation already in progress)"])
            .py(&["BlockingIOError: [Errno 114] Operation already in progress"])
            .why(&["still in progress"]),
        case("blocking: connected", connect(blocking(), Outcome::Connected), fd5())
            .sys(&[") = 0"])
            .sys_not(&["poll("])
            .why(&["returned 0"]),
        case("blocking: refused", connect(blocking(), Outcome::Error).errno(libc::ECONNREFUSED), fd5())
            .sys(&["= -1 ECONNREFUSED (Connection refused)"])
            .sys_not(&["poll(", "SO_ERROR"])
            .py(&["ConnectionRefusedError: [Errno 111] Connection refused"])
            .why(&["Nothing listens"]),
        case("nonblocking: refused later", connect(nonblocking(), Outcome::Error).errno(libc::ECONNREFUSED), fd5())
            .why(&["EINPROGRESS", "later connect()"]),
        case("timeout T: refused", connect(timeout(ms(1000)), Outcome::Error).errno(libc::ECONNREFUSED), fd5())
            .sys(&[
                "= -1 EINPROGRESS (Operation now in progress)",
                "poll([{fd=5, events=POLLOUT}], 1, 1000) = 1 ([{fd=5, revents=POLLOUT|POLLERR|POLLHUP}])",
                "getsockopt(5, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0",
            ])
            .py(&["ConnectionRefusedError"])
            .why(&["SO_ERROR held ECONNREFUSED"]),
        case("timeout T: connected", connect(timeout(ms(1000)), Outcome::Connected), fd5())
            .sys(&["EINPROGRESS", "revents=POLLOUT}", "getsockopt(5, SOL_SOCKET, SO_ERROR, [0], [4]) = 0"])
            .why(&["SO_ERROR read 0"]),
        case("timeout T: no answer", connect(timeout(ms(300)), Outcome::Timeout(TimeoutBy::Poll)), fd5())
            .sys(&["EINPROGRESS", "poll([{fd=5, events=POLLOUT}], 1, 300) = 0 (Timeout)"])
            .sys_not(&["SO_ERROR"])
            .py(&["TimeoutError: timed out"])
            .why(&["did not finish", "drops the SYN"]),
        case("timeout T: EISCONN comes from connect itself", connect(timeout(ms(300)), Outcome::Error).errno(libc::EISCONN), fd5())
            .sys_not(&["poll("]),
        case("blocked in connect", connect(blocking(), Outcome::Blocking).open(), fd5())
            .sys(&["<unfinished ...>"])
            .why(&["Still inside connect()"]),
        case("IPv6", call(Op::Connect, Arg::Addr(addr("[::1]:4000")), nonblocking(), Outcome::InProgress, ms(0)).errno(libc::EINPROGRESS), fd5())
            .sys(&["{sa_family=AF_INET6, sin6_port=htons(4000), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28"])
            .py(&["(\"::1\", 4000)"]),
        case("UDP connect never polls", connect(timeout(ms(300)), Outcome::Connected), udp())
            .sys(&[") = 0"])
            .sys_not(&["poll(", "EINPROGRESS"])
            .why(&["UDP connect() sends nothing"]),
    ]);
}

#[test]
fn setup_shutdown_close() {
    let open = |proto, outcome| {
        call(Op::Open, Arg::Proto(proto, Some(addr("127.0.0.1:36645"))), blocking(), outcome, ms(0))
    };
    run(vec![
        case("open tcp", open(Proto::Tcp, Outcome::Connected), fd5())
            .sys(&[
                "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 5",
                "connect(5, {sa_family=AF_INET, sin_port=htons(36645), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
            ])
            .py(&["socket.SOCK_STREAM", "sock.connect((\"127.0.0.1\", 36645))", "→ None"]),
        case("open tcp refused", open(Proto::Tcp, Outcome::Error).errno(libc::ECONNREFUSED), fd5())
            .sys(&["ECONNREFUSED (Connection refused)"])
            .py(&["ConnectionRefusedError"]),
        case("open udp", open(Proto::Udp, Outcome::Ok), udp())
            .sys(&["socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 5", "connect(5, {sa_family=AF_INET, sin_port=htons(36645)"])
            .py(&["socket.SOCK_DGRAM"])
            .why(&["UDP", "sends nothing"]),
        case("listen", call(Op::Listen, Arg::Addr(addr("127.0.0.1:36645")), blocking(), Outcome::Ok, ms(0)), listener())
            .sys(&["bind(5, {sa_family=AF_INET, sin_port=htons(…)", "listen(5, 128) = 0", "getsockname(5, {sa_family=AF_INET, sin_port=htons(36645)"])
            .py(&["sock.listen(128)"])
            .why(&["accept queue"]),
        case("socket", call(Op::Socket, Arg::Proto(Proto::Tcp, None), blocking(), Outcome::Ok, ms(0)), fd5())
            .sys(&["socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 5"])
            .why(&["starts blocking"]),
        case("shutdown rd", call(Op::Shutdown, Arg::How(How::Read), blocking(), Outcome::Ok, ms(0)), fd5())
            .sys(&["shutdown(5, SHUT_RD) = 0"])
            .py(&["sock.shutdown(socket.SHUT_RD)"])
            .why(&["No FIN is sent", "can still be read"]),
        case("shutdown wr", call(Op::Shutdown, Arg::How(How::Write), blocking(), Outcome::Ok, ms(0)), fd5())
            .sys(&["shutdown(5, SHUT_WR) = 0"])
            .why(&["FIN"]),
        case("shutdown both", call(Op::Shutdown, Arg::How(How::Both), blocking(), Outcome::Ok, ms(0)), fd5())
            .sys(&["shutdown(5, SHUT_RDWR) = 0"]),
        case("shutdown unconnected", call(Op::Shutdown, Arg::How(How::Both), blocking(), Outcome::Error, ms(0)).errno(libc::ENOTCONN), fd5())
            .sys(&["shutdown(5, SHUT_RDWR) = -1 ENOTCONN (Transport endpoint is not connected)"])
            .py(&["OSError: [Errno 107] Transport endpoint is not connected"])
            .why(&["not connected"]),
        case("close", call(Op::Close, Arg::None, blocking(), Outcome::Ok, ms(0)), fd5())
            .sys(&["close(5) = 0"])
            .py(&["sock.close()"])
            .why(&["FIN", "RST"]),
    ]);
}

#[test]
fn mode_changes_show_the_kernel_read_back() {
    let t = ms(200);
    run(vec![
        case("nonblocking", set_mode(Op::Nonblocking, Arg::None, nonblocking()).kernel(true, 0, 0), fd5())
            .sys(&[
                "ioctl(5, FIONBIO, [1]) = 0",
                "fcntl(5, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)",
                "getsockopt(5, SOL_SOCKET, SO_RCVTIMEO_OLD, {tv_sec=0, tv_usec=0}, [16]) = 0",
                "getsockopt(5, SOL_SOCKET, SO_SNDTIMEO_OLD, {tv_sec=0, tv_usec=0}, [16]) = 0",
            ])
            .py(&["sock.setblocking(False)", "getblocking() → False"])
            .why(&["O_NONBLOCK is now set", "already blocked keeps waiting"]),
        case("blocking", set_mode(Op::Blocking, Arg::None, blocking()).kernel(false, 0, 0), fd5())
            .sys(&["ioctl(5, FIONBIO, [0]) = 0", "fcntl(5, F_GETFL) = 0x2 (flags O_RDWR)"])
            .sys_not(&["O_NONBLOCK"])
            .py(&["sock.setblocking(True)", "settimeout(None)"])
            .why(&["O_NONBLOCK is now clear"]),
        case(
            "timeout 0",
            set_mode(Op::Timeout, Arg::Secs(Duration::ZERO), timeout(Duration::ZERO)).kernel(true, 0, 0),
            fd5(),
        )
        .sys(&["ioctl(5, FIONBIO, [1]) = 0", "O_NONBLOCK"])
        .py(&["sock.settimeout(0)", "same as sock.setblocking(False)"])
        .why(&["same as setblocking(False)", "waits forever"]),
        case("timeout T", set_mode(Op::Timeout, Arg::Secs(t), timeout(t)).kernel(true, 0, 0), fd5())
            .sys(&["ioctl(5, FIONBIO, [1]) = 0", "SO_RCVTIMEO_OLD, {tv_sec=0, tv_usec=0}"])
            .sys_not(&["setsockopt"])
            .py(&["sock.settimeout(0.2)", "gettimeout() → 0.2, getblocking() → True"])
            .why(&["poll()", "200 ms", "already blocked keeps waiting"]),
        case(
            "rcvtimeo T",
            set_mode(Op::RcvTimeo, Arg::Secs(t), rcvtimeo(t)).kernel(false, 200_000, 0),
            fd5(),
        )
        .sys(&[
            "setsockopt(5, SOL_SOCKET, SO_RCVTIMEO_OLD, {tv_sec=0, tv_usec=200000}, 16) = 0",
            "getsockopt(5, SOL_SOCKET, SO_RCVTIMEO_OLD, {tv_sec=0, tv_usec=200000}, [16]) = 0",
        ])
        .sys_not(&["ioctl"])
        .py(&[
            "sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack(\"ll\", 0, 200000))",
            "BlockingIOError, not TimeoutError",
        ])
        .why(&["SO_RCVTIMEO is now 0.2 s", "EAGAIN", "not TimeoutError"]),
        case(
            "rcvtimeo 1.5 s",
            set_mode(Op::RcvTimeo, Arg::Secs(ms(1500)), rcvtimeo(ms(1500))).kernel(false, 1_500_000, 0),
            fd5(),
        )
        .sys(&["{tv_sec=1, tv_usec=500000}, 16) = 0"])
        .py(&["struct.pack(\"ll\", 1, 500000)"]),
        case(
            "rcvtimeo 0 means forever",
            set_mode(Op::RcvTimeo, Arg::Secs(Duration::ZERO), rcvtimeo(Duration::ZERO)).kernel(false, 0, 0),
            fd5(),
        )
        .py(&["wait forever"])
        .why(&["SO_RCVTIMEO 0 means wait forever", "settimeout(0) means the opposite"]),
        case(
            "rcvtimeo rounded to a jiffy",
            set_mode(Op::RcvTimeo, Arg::Secs(Duration::from_micros(1)), rcvtimeo(Duration::from_micros(1)))
                .kernel(false, 4000, 0),
            fd5(),
        )
        .why(&["rounded", "0.004 s", "jiffies"]),
        case(
            "rcvtimeo on a non-blocking fd",
            set_mode(Op::RcvTimeo, Arg::Secs(t), Mode { rcvtimeo: Some(t), ..nonblocking() })
                .kernel(true, 200_000, 0),
            fd5(),
        )
        .why(&["O_NONBLOCK wins"]),
        case(
            "rcvtimeo in timeout mode",
            set_mode(Op::RcvTimeo, Arg::Secs(t), Mode { rcvtimeo: Some(t), ..timeout(ms(500)) })
                .kernel(true, 200_000, 0),
            fd5(),
        )
        .why(&["poll() decides"]),
        case(
            "sndtimeo T",
            set_mode(Op::SndTimeo, Arg::Secs(t), sndtimeo(t)).kernel(false, 0, 200_000),
            fd5(),
        )
        .sys(&["setsockopt(5, SOL_SOCKET, SO_SNDTIMEO_OLD, {tv_sec=0, tv_usec=200000}, 16) = 0"])
        .py(&["socket.SO_SNDTIMEO"])
        .why(&["SO_SNDTIMEO is now 0.2 s", "bytes copied so far"]),
        case(
            "sndtimeo 0",
            set_mode(Op::SndTimeo, Arg::Secs(Duration::ZERO), sndtimeo(Duration::ZERO)).kernel(false, 0, 0),
            fd5(),
        )
        .why(&["wait forever"]),
    ]);
}

#[test]
fn peer_records() {
    let peer = |op, arg, outcome| call(op, arg, Mode::default(), outcome, ms(0)).lane(Lane::Peer);
    let ctx = Context::default();
    run(vec![
        case("peer send", peer(Op::PeerSend, Arg::Text(5), Outcome::Sent).bytes(5).preview(b"hello"), ctx)
            .sys(&["sendto(fd, \"hello\", 5, MSG_NOSIGNAL, NULL, 0) = 5"])
            .py(&["peer.send(b'hello')"])
            .why(&["receive queue"]),
        case("peer close", peer(Op::PeerClose, Arg::None, Outcome::Ok), ctx).sys(&["close(fd) = 0"]).why(&[
            "FIN",
            "first send still succeeds",
            "EPIPE",
        ]),
        case("peer reset", peer(Op::PeerReset, Arg::None, Outcome::Ok), ctx)
            .sys(&["SO_LINGER, {l_onoff=1, l_linger=0}", "close(fd) = 0"])
            .py(&["SO_LINGER", "struct.pack(\"ii\", 1, 0)"])
            .why(&["RST", "once with ECONNRESET", "b''", "EPIPE"]),
        case("peer shutdown wr", peer(Op::PeerShutdown, Arg::How(How::Write), Outcome::Ok), ctx)
            .sys(&["shutdown(fd, SHUT_WR) = 0"])
            .why(&["FIN", "still reads"]),
        case("peer pause", peer(Op::PeerPause, Arg::None, Outcome::Ok), ctx).why(&[
            "stopped reading",
            "send buffer",
            "EAGAIN",
        ]),
        case("peer resume", peer(Op::PeerResume, Arg::None, Outcome::Ok), ctx).why(&["reads again"]),
        case(
            "peer connect",
            peer(Op::PeerConnect, Arg::Addr(addr("127.0.0.1:5000")), Outcome::Connected),
            ctx,
        )
        .why(&["accept queue"]),
        case("peer reads", peer(Op::PeerRecv, Arg::Size(65536), Outcome::Data).bytes(2).preview(b"hi"), ctx)
            .sys(&["recvfrom(fd, \"hi\", 65536, 0, NULL, NULL) = 2"]),
    ]);
}

#[test]
fn narration_has_no_explanation() {
    let say =
        call(Op::Say, Arg::Note("hello".into()), Mode::default(), Outcome::Ok, ms(0)).lane(Lane::Script);
    assert!(explain(&say, &Context::default()).is_empty());
}

#[test]
fn prev_call_skips_mode_changes() {
    let mut tl = Timeline::default();
    let mut seq = 0;
    let mut add = |c: Call| {
        seq += 1;
        let c = Call { seq, ..c };
        tl.apply(&Event::Instant(c.clone()));
        c
    };
    let first = add(recv(blocking(), Outcome::Eof, ms(0)));
    add(call(Op::Say, Arg::Note("x".into()), Mode::default(), Outcome::Ok, ms(0)).lane(Lane::Script));
    add(set_mode(Op::Nonblocking, Arg::None, nonblocking()));
    add(send_text(blocking(), b"p", Outcome::Sent, ms(0)).lane(Lane::Peer));
    let sent = add(send_text(nonblocking(), b"x", Outcome::Sent, ms(0)).bytes(1));
    let prev = prev_call(&tl, &sent).expect("a previous call");
    assert_eq!(prev.seq, first.seq);
    assert!(prev_call(&tl, &first).is_none());
    let ctx = Context { prev: Some(Prev::of(prev)), ..fd5() };
    assert!(explain(&sent, &ctx).why.contains("EPIPE"), "{}", explain(&sent, &ctx));
}

// ---- the event loop, busy-polling and servers ------------------------------

fn on_loop(op: Op, arg: Arg, outcome: Outcome, took: Duration) -> Call {
    call(op, arg, Mode::default(), outcome, took).lane(Lane::Loop)
}
fn poll_wait(t: Option<Duration>, events: u64, took: Duration) -> Call {
    let outcome = if events == 0 { Outcome::Timeout(TimeoutBy::Poll) } else { Outcome::Ok };
    on_loop(Op::PollWait, Arg::PollWait { timeout: t, events: Some(events as u32) }, outcome, took)
}
fn ready_on(id: u32, flags: u8) -> Call {
    on_loop(Op::Ready, Arg::Ready(id, flags), Outcome::Ready, ms(0))
}
fn spin(mode: Mode, count: Option<u64>, stats: SpinStats, last: Outcome, took: Duration) -> Call {
    let for_ns = if count.is_none() { Some(2_000_000_000) } else { None };
    let arg = Arg::Spin(Box::new(SpinArg { size: 1024, count, for_ns, stats }));
    call(Op::Spin, arg, mode, last, took).bytes(stats.bytes)
}
fn tally(wouldblock: u64, data: u64, eof: u64, error: u64, bytes: u64) -> SpinStats {
    SpinStats { calls: wouldblock + data + eof + error, wouldblock, data, eof, error, bytes }
}
fn undrained_1() -> Context {
    Context { undrained: Some(1), ..Context::default() }
}

const FIN: u8 = ready::READABLE | ready::READ_CLOSED;
const CTL_ADD_READ: &str = concat!(
    "epoll_ctl(epfd, EPOLL_CTL_ADD, 5, ",
    "{events=EPOLLIN|EPOLLRDHUP|EPOLLET, data={u32=1, u64=1}}) = 0"
);
const SPIN_EAGAIN: &str = concat!(
    "recvfrom(5, …, 1024, MSG_DONTWAIT, NULL, NULL) = ",
    "-1 EAGAIN (Resource temporarily unavailable)  × 10000"
);
const RST: u8 = ready::READABLE | ready::WRITABLE | ready::READ_CLOSED | ready::WRITE_CLOSED | ready::ERROR;

#[test]
fn event_loop_records() {
    let add = |i| on_loop(Op::PollAdd, Arg::PollAdd(1, i), Outcome::Ok, ms(0));
    let none = Context::default();
    run(vec![
        case("poll add read", add(Interest::Read), fd5())
            .sys(&[CTL_ADD_READ])
            .py(&[
                "ep = select.epoll()",
                "ep.register(sock.fileno(), select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLET)",
                "selectors.DefaultSelector()",
                "sock.setblocking(False)",
            ])
            .why(&["edge-triggered (EPOLLET)", "one event per new arrival", "non-blocking", "O_NONBLOCK"]),
        case("poll add write", add(Interest::Write), fd5())
            .sys(&["{events=EPOLLOUT|EPOLLET, data="])
            .sys_not(&["EPOLLIN", "EPOLLRDHUP"])
            .why(&["writable at once"]),
        case("poll add both", add(Interest::Both), fd5())
            .sys(&["events=EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET"]),
        case("a wait with an event at once", poll_wait(Some(ms(300)), 1, ms(0)), none)
            .sys(&["epoll_wait(epfd, […], 256, 300) = 1"])
            .py(&["events = ep.poll(0.3)", "→ [(fd, mask)]"])
            .why(&["returned 1 event at once", "not that it brings data", "recv until EAGAIN"]),
        case("a wait that slept", poll_wait(Some(ms(1000)), 2, ms(200)), none)
            .sys(&["epoll_wait(epfd, […], 256, 1000) = 2"])
            .py(&["2 pairs"])
            .why(&["slept 200.0 ms", "returned 2 events"]),
        case(
            "0 events after a partial read",
            poll_wait(Some(ms(300)), 0, Duration::from_micros(300_500)),
            undrained_1(),
        )
        .sys(&["epoll_wait(epfd, [], 256, 300) = 0"])
        .py(&["→ []", "would return data"])
        .why(&[
            "returned 0 after 300.5 ms",
            "#1 may still have bytes queued",
            "edge-triggered trap",
            "recv until EAGAIN",
        ]),
        case("0 events, nothing left behind", poll_wait(Some(ms(300)), 0, ms(300)), none)
            .py_not(&["would return data"])
            .why(&["No registered socket had a new edge within 300 ms", "does not count"]),
        case("a wait without a timeout, still asleep", poll_wait(None, 0, ms(0)).open(), none)
            .sys(&["epoll_wait(epfd, …, 256, -1) <unfinished ...>"])
            .py(&["events = ep.poll()", "still waiting"])
            .why(&["no CPU", "no timeout"]),
        case(
            "a sub-millisecond timeout rounds up",
            poll_wait(Some(Duration::from_micros(500)), 0, ms(1)),
            none,
        )
        .sys(&["epoll_wait(epfd, [], 256, 1) = 0"]),
        case("readable", ready_on(1, ready::READABLE), fd5())
            .sys(&["{events=EPOLLIN, data={u32=1, u64=1}}"])
            .py(&["→ (5, select.EPOLLIN)"])
            .why(&["new data arrived", "once per arrival", "recv until EAGAIN"]),
        case("readable and writable", ready_on(1, ready::READABLE | ready::WRITABLE), fd5())
            .sys(&["events=EPOLLIN|EPOLLOUT,"])
            .why(&["writable comes along"]),
        case("a FIN", ready_on(1, FIN), fd5())
            .sys(&["events=EPOLLIN|EPOLLRDHUP,"])
            .py(&["select.EPOLLIN | select.EPOLLRDHUP", "b''"])
            .why(&["readable|read_closed", "FIN", "b'' (EOF)"]),
        case("an RST", ready_on(1, RST), fd5())
            .sys(&["events=EPOLLIN|EPOLLOUT|EPOLLERR|EPOLLHUP|EPOLLRDHUP,"])
            .py(&["SO_ERROR", "104 (ECONNRESET)"])
            .why(&["readable|writable|read_closed|write_closed|error", "RST", "ECONNRESET", "once", "b''"]),
        case("an RST, registered for reading only", ready_on(1, RST & !ready::WRITABLE), fd5())
            .sys(&["events=EPOLLIN|EPOLLERR|EPOLLHUP|EPOLLRDHUP,"])
            .why(&["registered for reading only"]),
        case("writable", ready_on(1, ready::WRITABLE), fd5())
            .why(&["room in the send buffer", "full buffer drains"]),
        case("a client to accept", ready_on(1, ready::READABLE), listener())
            .why(&["accept queue", "accept until EAGAIN"]),
        case("drain on", on_loop(Op::PollDrain, Arg::Drain(true), Outcome::Ok, ms(0)), none)
            .py(&["while True:", "except BlockingIOError:", "until EAGAIN"])
            .why(&["recv until EAGAIN", "No syscall"]),
        case("drain off", on_loop(Op::PollDrain, Arg::Drain(false), Outcome::Ok, ms(0)), none)
            .why(&["edge-triggered trap"]),
    ]);
}

#[test]
fn spin_serve_and_clients() {
    let eagain = |c: Call| c.errno(EAGAIN);
    let client = |k| Lane::Client(k);
    let request = |k: u32, took| {
        let text = format!("request from c{k}");
        call(Op::Request, Arg::None, Mode::default(), Outcome::Data, took)
            .lane(client(k))
            .bytes(text.len() as u64)
            .preview(text.as_bytes())
    };
    // (client, microseconds) pairs
    let summary = |waits: &[(u32, u64)]| {
        let waits = waits.iter().map(|&(k, us)| (k, us * 1000)).collect();
        call(Op::Summary, Arg::Waits(waits), Mode::default(), Outcome::Ok, ms(0)).lane(Lane::Peer)
    };
    let serve = |kind| call(Op::Serve, Arg::Serve(kind, 3), blocking(), Outcome::Ok, ms(0));
    let stats = tally(10_000, 0, 0, 0, 0);
    run(vec![
        case(
            "spin of 10000 calls",
            eagain(spin(
                nonblocking(),
                Some(10_000),
                stats,
                Outcome::WouldBlock,
                Duration::from_micros(5400),
            )),
            fd5(),
        )
        .sys(&[SPIN_EAGAIN])
        .sys_not(&["= 0  ×"])
        .py(&[
            "for _ in range(10000):",
            "sock.recv(1024, socket.MSG_DONTWAIT)",
            "except BlockingIOError:",
            "BlockingIOError × 10000",
        ])
        .why(&[
            "10000 recvfrom calls in 5.4 ms",
            "1.9 million calls per second",
            "one every 540 ns",
            "10000 returned EAGAIN",
            "CPU",
            "`poll wait`",
        ]),
        case(
            "spin that caught data",
            spin(nonblocking(), Some(5000), tally(4999, 1, 0, 0, 4), Outcome::WouldBlock, ms(3))
                .errno(EAGAIN),
            fd5(),
        )
        .sys(&["× 4999", "= 4  × 1"])
        .py(&["data × 1 (4 bytes)"])
        .why(&["1 returned data (4 bytes in all)"]),
        case(
            "spin after a FIN",
            spin(nonblocking(), Some(100), tally(0, 0, 100, 0, 0), Outcome::Eof, ms(1)),
            fd5(),
        )
        .sys(&["recvfrom(5, \"\", 1024, MSG_DONTWAIT, NULL, NULL) = 0  × 100"])
        .sys_not(&["EAGAIN"])
        .why(&["just as busy"]),
        case(
            "spin on a reset connection",
            spin(nonblocking(), Some(10), tally(0, 0, 9, 1, 0), Outcome::Eof, ms(1)),
            fd5(),
        )
        .sys(&["= -1 …  × 1", "= 0  × 9"])
        .why(&["1 failed"]),
        case(
            "spin on a blocking socket, for 2 s",
            eagain(spin(blocking(), None, tally(3_000_000, 0, 0, 0, 0), Outcome::WouldBlock, ms(2000))),
            fd5(),
        )
        .py(&["end = time.monotonic() + 2", "while time.monotonic() < end:", "the socket stays blocking"])
        .why(&["1.5 million calls per second", "MSG_DONTWAIT makes each call non-blocking"]),
        case(
            "spin in timeout mode",
            eagain(spin(timeout(ms(300)), Some(10), tally(10, 0, 0, 0, 0), Outcome::WouldBlock, ms(0))),
            fd5(),
        )
        .py(&["settimeout(0.3) CPython polls before each recv"]),
        case(
            "spin still running",
            spin(nonblocking(), None, SpinStats::default(), Outcome::Ok, ms(0)).open(),
            fd5(),
        )
        .sys(&["MSG_DONTWAIT", "still spinning"])
        .why(&["still running"]),
        case("serve blocking", serve(ServeKind::Blocking), listener())
            .sys(&[
                "accept4(5, …, SOCK_CLOEXEC) = <new fd>",
                "recvfrom(<new fd>, …, 1024, 0, NULL, NULL)",
                "close(<new fd>) = 0",
                "each of the 3 clients",
            ])
            .sys_not(&["epoll"])
            .py(&["for _ in range(3):", "conn, addr = sock.accept()", "conn.recv(1024)"])
            .why(&["blocking echo server for 3 clients", "One client at a time", "accept queue"]),
        case("serve eventloop", serve(ServeKind::EventLoop), listener())
            .sys(&[
                "ioctl(5, FIONBIO, [1]) = 0",
                "epoll_create1(EPOLL_CLOEXEC) = epfd",
                CTL_ADD_READ,
                "epoll_wait(epfd, […], 64, 1000)",
                "epoll_ctl(epfd, EPOLL_CTL_DEL, <new fd>, NULL) = 0",
            ])
            .py(&["while served < 3:", "ep.poll(1.0)", "accept until EAGAIN"])
            .why(&["event-loop echo server", "whichever sockets are ready", "holds up nobody"]),
        case("a request kept waiting", request(2, Duration::from_micros(304_400)), Context::default())
            .sys(&[
                "sendto(fd, \"request from c2\", 15, MSG_NOSIGNAL, NULL, 0) = 15",
                "recvfrom(fd, \"request from c2\", 65536, 0, NULL, NULL) = 15",
            ])
            .py(&["client.sendall(b'request from c2')", "waited = 0.3044"])
            .why(&["Not one syscall", "c2's wait", "304.4 ms", "busy elsewhere"]),
        case("a quick request", request(12, Duration::from_micros(400)), Context::default())
            .sys(&["\"request from c12\", 16,"])
            .why(&["400 µs", "round trip"]),
        case("uneven waits", summary(&[(1, 600), (2, 304_400), (3, 304_300)]), Context::default())
            .py(&["'c1': 0.0006", "'c2': 0.3044"])
            .why(&["uneven", "c2 waited 304.4 ms while c1 waited 600 µs", "one client at a time"]),
        case("even waits", summary(&[(4, 300), (5, 100), (6, 400)]), Context::default()).why(&[
            "All are short",
            "c6, 400 µs",
            "holds up nobody",
        ]),
    ]);
}

// ---- real records from the engine ----------------------------------------

/// Runs script lines on a fresh lab, with every wait bounded.
fn run_script(lab: &mut Lab, script: &str) {
    let mut exec = Executor::new();
    for (i, text) in script.lines().enumerate() {
        match parse_line(text) {
            Ok(Some(cmd)) => exec.push(Located { line: i + 1, cmd }),
            Ok(None) => {}
            Err(e) => panic!("line {} {text:?} does not parse: {e}", i + 1),
        }
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match exec.tick(lab) {
            Ok(Tick::Idle) => break,
            Ok(Tick::Busy(until)) => {
                assert!(Instant::now() < deadline, "the script did not finish in time");
                lab.wait_event(until.min(deadline));
            }
            Err(f) => panic!("line {}: {}", f.line, f.message),
        }
    }
    let settle = Instant::now() + ms(100);
    while lab.wait_event(settle) {}
}

/// What every explanation of a socket call must agree with.
fn consistent(c: &Call, e: &Explanation) -> Result<(), String> {
    let all = e.syscalls.join("\n");
    let has = |s: &str| all.contains(s);
    if e.syscalls.is_empty() || e.python.is_empty() || e.why.is_empty() {
        return Err("an empty level".into());
    }
    let ok = match c.outcome {
        Outcome::Data => has("recvfrom(") && has(&format!("= {}", c.bytes.unwrap_or(0))),
        Outcome::Eof => has("recvfrom(") && has(") = 0"),
        Outcome::Sent | Outcome::Partial => has("sendto(") && has(&format!("= {}", c.bytes.unwrap_or(0))),
        Outcome::WouldBlock => has("= -1 EAGAIN (Resource temporarily unavailable)"),
        Outcome::Timeout(TimeoutBy::Poll) => {
            e.syscalls.last().is_some_and(|l| l.ends_with("= 0 (Timeout)"))
                && !has("recvfrom(")
                && !has("sendto(")
                && !has("accept4(")
        }
        Outcome::Timeout(_) => has("= -1 EAGAIN") && !has("poll("),
        Outcome::InProgress => has("connect(") && has("EINPROGRESS"),
        Outcome::Accepted(_) => has("accept4("),
        Outcome::Connected => has("connect(") && (has(") = 0") || has("SO_ERROR, [0]")),
        Outcome::Error => has(c.errno_name().unwrap_or("?")),
        Outcome::Blocking => has("<unfinished ...>"),
        _ if c.op.is_mode() => has("F_GETFL") && (has("FIONBIO") || has("setsockopt(")),
        _ => true,
    };
    if ok { Ok(()) } else { Err(format!("syscalls do not match the outcome {}", c.label())) }
}

#[test]
fn real_records_are_explained_consistently() {
    let mut lab = Lab::start().expect("the session starts");
    run_script(
        &mut lab,
        r#"
open tcp
nonblocking
recv
peer send "hello"
recv
expect data 5
timeout 0.2
recv
expect timeout
blocking
rcvtimeo 0.2
recv
expect timeout
rcvtimeo 0
peer send "hi" after 100ms
recv
expect data 2
peer close
recv
expect eof
send "first"
expect sent 5
wait 50ms
send "second"
expect error EPIPE
open tcp
peer reset
recv
expect error ECONNRESET
recv
expect eof
listen
nonblocking
accept
expect wouldblock
peer connect
accept
expect accepted
socket tcp
nonblocking
connect
expect inprogress
wait 100ms
connect
expect connected
connect
expect error EISCONN
open tcp
recv
expect blocking
"#,
    );
    let tl = lab.record().timeline();
    let mut seen = Vec::new();
    let mut failures = Vec::new();
    for c in tl.calls() {
        let Lane::Sock(id) = c.lane else { continue };
        let info = lab.record().socket(id).map(|h| h.info.clone());
        let new_fd = match c.outcome {
            Outcome::Accepted(k) => lab.record().socket(k).map(|h| h.info.fd),
            _ => None,
        };
        let ctx = Context {
            fd: info.as_ref().map(|i| i.fd),
            kind: info.as_ref().map(|i| i.kind),
            prev: prev_call(tl, c).map(Prev::of),
            new_fd,
            ..Context::default()
        };
        let e = explain(c, &ctx);
        if let Err(why) = consistent(c, &e) {
            failures.push(format!("{} {}: {why}\n{e}", c.lane, c.label()));
        }
        seen.push(c.label());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for want in [
        "wouldblock",
        "data 5",
        "timeout",
        "timeout (SO_RCVTIMEO)",
        "eof",
        "error EPIPE",
        "error ECONNRESET",
        "inprogress",
        "error EISCONN",
        "blocking",
    ] {
        assert!(seen.iter().any(|l| l == want), "no {want} among {seen:?}");
    }
    assert!(seen.iter().any(|l| l.starts_with("accepted #")), "no accepted among {seen:?}");
}

/// The context a front end would give a record: its socket's fd and kind
/// (for loop records, those of the socket they name), the previous call,
/// and for a `poll wait` the socket it may have left undrained.
fn context_of(lab: &Lab, c: &Call) -> Context {
    sockscope::ops::context(lab.record(), c)
}

#[test]
fn real_event_loop_spin_and_serve_records() {
    let mut lab = Lab::start().expect("the session starts");
    run_script(
        &mut lab,
        r#"
open tcp
poll add read
peer send "hello"
poll wait 300ms
expect events 1
recv 2
expect data 2
poll wait 300ms
expect events 0
poll drain on
peer send "!"
poll wait 300ms
expect events 1
poll drain off
spin recv 1000
expect wouldblock
peer reset
poll wait 300ms
expect events 1
listen
serve blocking 2
peer connect 2
expect slowest over 250ms
"#,
    );
    let tl = lab.record().timeline();
    let mut failures = Vec::new();
    let mut seen = Vec::new();
    for c in tl.calls().iter().filter(|c| c.lane != Lane::Script) {
        let ctx = context_of(&lab, c);
        let e = explain(c, &ctx);
        let silent = matches!(c.lane, Lane::Peer | Lane::Client(_)) || c.op == Op::PollDrain;
        let mut fail =
            |why: &str| failures.push(format!("{} {} {}: {why}\n{e}", c.lane, c.op.word(), c.label()));
        if e.python.is_empty() || e.why.is_empty() || (!silent && e.syscalls.is_empty()) {
            fail("an empty level");
        }
        if e.why.contains(" ended as ") {
            fail("the generic fallback");
        }
        let sys = e.syscalls.join("\n");
        match (c.op, c.events().or(c.bytes)) {
            (Op::PollWait, Some(0)) => {
                seen.push("0 events");
                if ctx.undrained != Some(1) || !e.why.contains("edge-triggered trap") {
                    fail("the trap is not explained");
                }
                if !sys.ends_with(") = 0") {
                    fail("epoll_wait should return 0");
                }
            }
            (Op::PollWait, Some(n)) if !sys.ends_with(&format!(") = {n}")) => fail("epoll_wait's count"),
            (Op::Ready, _) if !sys.contains("EPOLLIN") => fail("a readiness without EPOLLIN"),
            // Registered for reading only: an RST comes without writable (case 14).
            (Op::Ready, _) if c.arg == Arg::Ready(1, RST & !ready::WRITABLE) && e.why.contains("RST") => {
                seen.push("rst")
            }
            (Op::Spin, _) if sys.contains("MSG_DONTWAIT") && sys.contains("× 1000") => seen.push("spin"),
            (Op::Serve, _) => seen.push("serve"),
            (Op::Request, _) if e.why.contains("Not one syscall") => seen.push("request"),
            (Op::Summary, _) if e.why.contains("uneven") => seen.push("summary"),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for want in ["0 events", "rst", "spin", "serve", "request", "summary"] {
        assert!(seen.contains(&want), "no {want} among {seen:?}");
    }
}

#[test]
fn a_mode_switch_during_a_blocked_recv_is_named_as_not_waking_it() {
    let mut lab = Lab::start().expect("the session starts");
    run_script(
        &mut lab,
        r#"
open tcp
peer send "late" after 300ms
recv
nonblocking
expect data 4
peer send "now"
recv
expect data 3
"#,
    );
    let recvs: Vec<Call> =
        lab.record().timeline().calls().iter().filter(|c| c.op == Op::Recv).cloned().collect();
    assert_eq!(recvs.len(), 2, "{recvs:?}");
    let why = |c: &Call| explain(c, &context_of(&lab, c)).why;
    let late = why(&recvs[0]);
    assert!(late.contains("switch to nonblocking while it waited did not wake it"), "{late}");
    // The next recv started after the switch: nothing to say about it.
    let now = why(&recvs[1]);
    assert!(!now.contains("did not wake"), "{now}");
}
