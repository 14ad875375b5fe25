//! Drives the engine the way the front ends do: parsed lines go to one
//! [`Executor`], which is ticked while lab events are waited for, always with
//! a deadline. Every test makes its own [`Session`] (its own `Lab`), so tests
//! can run in parallel threads. Loopback only, port 0.

// Each test file uses a different part of this helper.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use sockscope::command::{Located, parse_line};
use sockscope::exec::{Executor, Failure, Tick};
use sockscope::headless::table_line;
use sockscope::record::{Call, Lane, Op, Outcome};

/// No script in these tests may take longer than this.
pub const OVERALL: Duration = Duration::from_secs(20);
/// "At once", generously, for a slow CI box.
pub const IMMEDIATE: Duration = Duration::from_secs(1);
/// The upper bound for any measured delay of a few hundred ms.
pub const LATE: Duration = Duration::from_secs(3);
/// How much earlier than asked a delay may measure (jiffy rounding, clocks).
pub const SLACK: Duration = Duration::from_millis(10);

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// One lab, one executor.
pub struct Session {
    pub lab: Lab,
    exec: Executor,
}

impl Session {
    /// The last call issued to the current socket.
    pub fn last_call(&self) -> Option<u64> {
        self.lab.current().and_then(|id| self.exec.last_on(id))
    }

    pub fn new() -> Session {
        Session { lab: Lab::new(), exec: Executor::new() }
    }

    /// Runs the script's lines (numbered from 1) until the executor is idle.
    /// A failure leaves the session usable, as at the prompt.
    pub fn run(&mut self, script: &str) -> Result<(), Failure> {
        for (i, text) in script.lines().enumerate() {
            match parse_line(text) {
                Ok(Some(cmd)) => self.exec.push(Located { line: i + 1, cmd }),
                Ok(None) => {}
                Err(e) => panic!("test script line {} {text:?} does not parse: {e}", i + 1),
            }
        }
        let deadline = Instant::now() + OVERALL;
        loop {
            match self.exec.tick(&mut self.lab.session) {
                Ok(Tick::Idle) => return Ok(()),
                Ok(Tick::Busy(until)) => {
                    assert!(
                        Instant::now() < deadline,
                        "the script did not finish in {OVERALL:?}:\n{}",
                        self.dump()
                    );
                    self.lab.wait_event(until.min(deadline));
                }
                Err(f) => {
                    // Drop what was queued after the failed line.
                    self.exec.clear();
                    return Err(f);
                }
            }
        }
    }

    /// Runs the script; any failure fails the test, with the timeline.
    #[track_caller]
    pub fn ok(&mut self, script: &str) {
        if let Err(f) = self.run(script) {
            panic!("line {} failed ({:?}): {}\n{}", f.line, f.kind, f.message, self.dump());
        }
    }

    /// Runs the script and returns the latest call on the current socket.
    #[track_caller]
    pub fn call(&mut self, script: &str) -> Call {
        self.ok(script);
        self.last()
    }

    /// Runs the script and returns the latest call on the current socket
    /// once it has ended (up to 5 s).
    #[track_caller]
    pub fn done(&mut self, script: &str) -> Call {
        self.ok(script);
        self.last_done()
    }

    /// Waits up to `within` for new events; returns once `done` holds.
    pub fn until(&mut self, within: Duration, mut done: impl FnMut(&Session) -> bool) -> bool {
        let deadline = Instant::now() + within.min(OVERALL);
        loop {
            self.lab.pump();
            if done(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            self.lab.wait_event(deadline.min(Instant::now() + ms(20)));
        }
    }

    /// The latest call handed to the current socket's worker, as recorded.
    #[track_caller]
    pub fn last(&mut self) -> Call {
        let seq = self
            .lab
            .current()
            .and_then(|id| self.exec.last_on(id))
            .expect("a call has been made on the current socket");
        // Its Begin may still be on its way on a slow box.
        self.until(IMMEDIATE, |s| s.lab.timeline().find(seq).is_some());
        match self.lab.timeline().find(seq) {
            Some(c) => c.clone(),
            None => panic!("call seq {seq} was never recorded:\n{}", self.dump()),
        }
    }

    /// The latest call on the current socket, once it has ended (up to 5 s).
    #[track_caller]
    pub fn last_done(&mut self) -> Call {
        let seq = self
            .lab
            .current()
            .and_then(|id| self.exec.last_on(id))
            .expect("a call has been made on the current socket");
        let ended = self.until(Duration::from_secs(5), |s| {
            s.lab.timeline().find(seq).is_some_and(|c| c.end_ns.is_some())
        });
        assert!(ended, "call seq {seq} did not end within 5 s:\n{}", self.dump());
        self.last()
    }

    /// Every record on one lane, oldest first.
    pub fn lane(&self, lane: Lane) -> Vec<Call> {
        let t = self.lab.timeline();
        t.lane(lane).iter().filter_map(|&i| t.get(i as usize).cloned()).collect()
    }

    /// The records on the current socket's lane.
    pub fn current_lane(&self) -> Vec<Call> {
        self.lane(Lane::Sock(self.lab.current().expect("a current socket")))
    }

    /// The latest mode change on the current socket.
    #[track_caller]
    pub fn last_mode_change(&self) -> Call {
        match self.current_lane().into_iter().rev().find(|c| c.op.is_mode()) {
            Some(c) => c,
            None => panic!("no mode change recorded:\n{}", self.dump()),
        }
    }

    /// The peer's records of one kind.
    pub fn peer(&self, op: Op) -> Vec<Call> {
        self.lane(Lane::Peer).into_iter().filter(|c| c.op == op).collect()
    }

    /// The whole timeline as the headless table prints it, for failure messages.
    pub fn dump(&self) -> String {
        let lines: Vec<String> = self.lab.timeline().calls().iter().map(table_line).collect();
        format!("timeline:\n{}", lines.join("\n"))
    }
}

/// A loopback port that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// A loopback listener that holds its port for as long as it lives.
pub fn held_port() -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let a = l.local_addr().expect("local addr");
    (l, a)
}

fn describe(c: &Call) -> String {
    let dur = match c.duration() {
        Some(d) => format!("{:.1} ms", d.as_secs_f64() * 1e3),
        None => "still blocking".into(),
    };
    format!(
        "{} {} on {} in mode `{}`: {} (errno {:?}, bytes {:?}, {dur})",
        c.op.word(),
        c.arg_text().unwrap_or_default(),
        c.lane,
        c.mode,
        c.label(),
        c.errno_name(),
        c.bytes
    )
}

/// The outcome, the errno name and the byte count, all at once.
#[track_caller]
pub fn assert_result(c: &Call, outcome: Outcome, errno: Option<&str>, bytes: Option<u64>) {
    let got = (c.outcome, c.errno_name(), c.bytes);
    assert_eq!(got, (outcome, errno, bytes), "{}", describe(c));
}

/// Ended, and within [`IMMEDIATE`].
#[track_caller]
pub fn assert_immediate(c: &Call) {
    match c.duration() {
        Some(d) => assert!(d < IMMEDIATE, "not immediate: {}", describe(c)),
        None => panic!("expected an immediate result: {}", describe(c)),
    }
}

/// Ended after at least `delay` (less [`SLACK`]) and before [`LATE`].
#[track_caller]
pub fn assert_took(c: &Call, delay: Duration) {
    match c.duration() {
        Some(d) => assert!(
            d + SLACK >= delay && d < LATE.max(delay + ms(500)),
            "expected about {delay:?}: {}",
            describe(c)
        ),
        None => panic!("expected it to end after {delay:?}: {}", describe(c)),
    }
}

/// Has not returned.
#[track_caller]
pub fn assert_blocking(c: &Call) {
    assert!(c.outcome == Outcome::Blocking && c.end_ns.is_none(), "expected still blocking: {}", describe(c));
}

/// With the peer paused, makes the current socket's send buffer full and
/// keeps it full: non-blocking `send 1m` until wouldblock, in rounds 100 ms
/// apart, because the kernel grows the buffer a little while ACKs for the
/// first fill are still arriving. Done when a round starts with wouldblock.
/// Leaves the socket non-blocking. Returns every send, in order.
#[track_caller]
pub fn fill_send_buffer(s: &mut Session) -> Vec<Call> {
    s.ok("nonblocking");
    let mut sends = Vec::new();
    for _round in 0..20 {
        let first = sends.len();
        for _ in 0..64 {
            let c = s.done("send 1m");
            let stop = c.outcome == Outcome::WouldBlock;
            sends.push(c);
            if stop {
                break;
            }
        }
        let last = sends.last().expect("at least one send");
        assert_eq!(last.outcome, Outcome::WouldBlock, "the send buffer never filled:\n{}", s.dump());
        if sends.len() == first + 1 {
            return sends;
        }
        s.ok("wait 100ms");
    }
    panic!("the send buffer kept growing:\n{}", s.dump());
}

/// On a full send buffer with SO_SNDTIMEO set, `send 1m` until the timer
/// runs out with nothing copied. Each try waits for the timer; a try that
/// found a little room (the kernel may still grow the buffer) copies it and
/// returns a partial count when the timer runs out (SOCKET-FACTS case 5).
/// Returns the try that timed out.
#[track_caller]
pub fn send_until_sndtimeo(s: &mut Session, timer: Duration) -> Call {
    for _ in 0..5 {
        let c = s.done("send 1m");
        if c.outcome != Outcome::Partial {
            return c;
        }
        assert_took(&c, timer);
    }
    panic!("the send buffer kept growing:\n{}", s.dump());
}

/// The parts of a live session these tests read: the record (the one
/// source of state), and kernel samples taken through the engine.
pub struct Lab {
    pub session: sockscope::exec::Session,
}

impl Lab {
    pub fn new() -> Lab {
        Lab { session: sockscope::exec::Session::start().expect("the session starts") }
    }
    pub fn record(&self) -> &sockscope::record::Record {
        self.session.record()
    }
    pub fn timeline(&self) -> &sockscope::record::Timeline {
        self.session.record().timeline()
    }
    pub fn socket(&self, id: u32) -> Option<&sockscope::record::SockState> {
        self.session.record().socket(id)
    }
    pub fn sockets(&self) -> impl Iterator<Item = &sockscope::record::SockState> {
        self.session.record().sockets()
    }
    pub fn current(&self) -> Option<u32> {
        self.session.record().current()
    }
    /// What the kernel holds for socket `id`'s mode, sampled now.
    pub fn kernel_view(&self, id: u32) -> Option<sockscope::record::KernelView> {
        sockscope::lab::sample::kernel_view(self.session.engine.fd(id)?).ok()
    }
    pub fn peer_addr(&self) -> Option<std::net::SocketAddr> {
        Some(self.session.engine.peer_addr())
    }
    pub fn peer_unix_path(&self) -> Option<&std::path::Path> {
        Some(self.session.engine.peer_unix_path())
    }
    pub fn pump(&mut self) -> usize {
        self.session.pump()
    }
    pub fn wait_event(&mut self, deadline: std::time::Instant) -> bool {
        self.session.wait_event(deadline)
    }
}
