//! The one executor: runs [`Command`]s for every front end.
//!
//! It never blocks. [`Executor::tick`] runs queued commands until one has to
//! wait (a call settling, `wait`, `expect`), then says until when; the front
//! end waits for events or that deadline and ticks again. It decides from
//! the record (which socket is current, how a call ended) and asks the
//! engine to act; what it keeps itself is only its own queue, what it is
//! waiting for, and which call it issued to which socket.

mod expect;
mod log;
mod session;
mod start;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

pub use log::Log;
pub use session::Session;

use crate::command::{ExpectOutcome, Expectation, Located};
use crate::lab::LabError;
use crate::record::{Lane, Outcome};
use expect::{holds, mismatch, want};

/// How long a call may take before it is shown as blocking and the next
/// command runs.
pub const SETTLE: Duration = Duration::from_millis(50);
/// How long `expect` waits for the latest call to finish.
pub const EXPECT_WAIT: Duration = Duration::from_secs(5);
/// How long a call handed to an idle worker may take to start (only a
/// loaded machine needs more than a few microseconds).
const START_WAIT: Duration = Duration::from_secs(2);

/// What the executor is doing after a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// Nothing queued, nothing pending.
    Idle,
    /// Waiting; tick again on a lab event or at this instant.
    Busy(Instant),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// An `expect` did not hold.
    Expect,
    /// A command could not be carried out (port in use, no socket #9…).
    Command,
}

/// A command that failed, with its script line (0 for the prompt).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub line: usize,
    pub kind: FailureKind,
    pub message: String,
}

pub(crate) enum Wait {
    Settle {
        seq: u64,
        until: Instant,
    },
    /// After a peer action: until no call is blocking, or the settle time.
    Quiet {
        until: Instant,
    },
    Sleep {
        until: Instant,
    },
    Expect {
        line: usize,
        exp: Expectation,
        seq: u64,
        until: Instant,
    },
    /// `expect slowest over|under DUR`: until every client has its echo.
    Slowest {
        line: usize,
        exp: Expectation,
        until: Instant,
    },
    /// A `poll wait` on the loop thread, then (with drain on) its reads.
    Poll {
        seq: u64,
        until: Instant,
    },
    /// `poll drain on`: read each socket in `socks` until it stops giving data.
    Drain {
        socks: VecDeque<u32>,
        current: Option<u64>,
        reads: u32,
    },
}

/// Bound on the recvs one drain makes, so a flooding peer cannot stall the session.
const MAX_DRAIN_READS: u32 = 10_000;

/// One thing the executor was asked to do. Keys whose command depends on
/// the state when it runs (toggling blocking, the next socket) are resolved
/// then, from the record, not when the key was pressed.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Run(Located),
    /// `blocking` or `nonblocking`, whichever the current socket is not.
    ToggleBlocking,
    /// `use` the next open socket after the current one (+1) or before it (-1).
    NextSocket(i32),
}

pub struct Executor {
    queue: VecDeque<Step>,
    wait: Option<Wait>,
    /// How long a call may take before the next command runs (config `settle_ms`).
    settle: Duration,
    /// The last call issued to each socket: what `expect` checks.
    last: HashMap<u32, u64>,
    /// The last call of each kind issued to each socket (`expect recv …`).
    last_of: HashMap<(u32, crate::record::Op), u64>,
    /// Which socket each call was issued to.
    sock_of: HashMap<u64, u32>,
    /// Every command started, for `export`.
    log: Log,
    /// What the front end should tell the user (an export that was written).
    notices: Vec<String>,
}

impl Default for Executor {
    fn default() -> Executor {
        Executor::with_settle(SETTLE)
    }
}

impl Executor {
    pub fn new() -> Executor {
        Executor::default()
    }

    /// An executor with another settle time than the default 50 ms.
    pub fn with_settle(settle: Duration) -> Executor {
        Executor {
            queue: VecDeque::new(),
            wait: None,
            settle,
            last: HashMap::new(),
            last_of: HashMap::new(),
            sock_of: HashMap::new(),
            log: Log::default(),
            notices: Vec::new(),
        }
    }

    /// How long a call may take before the next command runs.
    pub fn settle(&self) -> Duration {
        self.settle
    }

    /// Changes the settle time for the commands still to run.
    pub fn set_settle(&mut self, settle: Duration) {
        self.settle = settle;
    }

    pub fn push(&mut self, cmd: Located) {
        self.queue.push_back(Step::Run(cmd));
    }

    pub fn push_step(&mut self, step: Step) {
        self.queue.push_back(step);
    }

    /// The commands started so far.
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// What to tell the user since the last call, oldest first.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// The last call issued to socket `id`.
    pub fn last_on(&self, id: u32) -> Option<u64> {
        self.last.get(&id).copied()
    }

    /// Drops what is queued and what is awaited (after a failure, the rest
    /// of a script does not run); what was issued stays known.
    pub fn clear(&mut self) {
        self.queue.clear();
        self.wait = None;
    }

    pub fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.wait.is_none()
    }

    /// Runs what it can. Returns when idle or waiting.
    pub fn tick(&mut self, s: &mut Session) -> Result<Tick, Failure> {
        loop {
            s.pump();
            if let Some(w) = self.wait.take()
                && let Some(until) = self.check(w, s)?
            {
                return Ok(Tick::Busy(until));
            }
            let Some(step) = self.queue.pop_front() else {
                return Ok(Tick::Idle);
            };
            let Some(next) = resolve(step, s) else { continue };
            let line = next.line;
            tracing::debug!(line, cmd = ?next.cmd, "command");
            self.log.started(&next, s.now_ns(), s.record().current());
            match self.start(s, next) {
                Ok(wait) => self.wait = wait,
                Err(e) => {
                    let kind = match e {
                        LabError::Expect { .. } => FailureKind::Expect,
                        _ => FailureKind::Command,
                    };
                    if kind == FailureKind::Command {
                        self.log.failed_last();
                    }
                    return Err(Failure { line, kind, message: e.to_string() });
                }
            }
        }
    }

    /// Returns the deadline if still waiting.
    fn check(&mut self, w: Wait, s: &mut Session) -> Result<Option<Instant>, Failure> {
        let now = Instant::now();
        let until = match &w {
            Wait::Poll { seq, until } => {
                let done = s.record().timeline().find(*seq).is_some_and(|c| c.end_ns.is_some());
                if done && s.engine.drain_on() {
                    let socks = s.record().readable_after(*seq).into();
                    return self.check(Wait::Drain { socks, current: None, reads: 0 }, s);
                }
                if done || now >= *until {
                    return Ok(None);
                }
                *until
            }
            Wait::Drain { .. } => return self.drain(w, s),
            Wait::Slowest { line, exp, until } => {
                let slowest = slowest_wait(s);
                if slowest.is_none() && now < *until {
                    let until = *until;
                    return self.keep(w, until);
                }
                return match (slowest, &exp.outcome) {
                    (Some(d), ExpectOutcome::SlowestOver(t)) if d > *t => Ok(None),
                    (Some(d), ExpectOutcome::SlowestUnder(t)) if d < *t => Ok(None),
                    (Some(d), _) => Err(Failure {
                        line: *line,
                        kind: FailureKind::Expect,
                        message: format!(
                            "expected {}, but the slowest client waited {:.1} ms",
                            want(exp),
                            d.as_secs_f64() * 1e3
                        ),
                    }),
                    (None, _) => {
                        let (n, done) = clients_progress(s);
                        Err(Failure {
                            line: *line,
                            kind: FailureKind::Expect,
                            message: format!(
                                "expected {}, but only {done} of {n} clients got their echo",
                                want(exp)
                            ),
                        })
                    }
                };
            }
            Wait::Settle { seq, until } => {
                let call = s.record().timeline().find(*seq);
                if call.is_some_and(|c| c.end_ns.is_some()) {
                    return Ok(None);
                }
                let until = match call {
                    // The settle time counts from when the call entered the kernel…
                    Some(c) => (start::began_at(s, c.start_ns) + self.settle).max(*until),
                    // …but a call queued behind a blocked one stays queued, as shown.
                    None if self.sock_of.get(seq).is_none_or(|&id| busy(s, id)) => *until,
                    // Its worker has not run yet (a loaded machine): let it start.
                    None => *until + START_WAIT,
                };
                if now >= until {
                    return Ok(None);
                }
                until
            }
            Wait::Quiet { until } => {
                if s.record().timeline().blocking().next().is_none() || now >= *until {
                    return Ok(None);
                }
                *until
            }
            Wait::Sleep { until } => {
                if now >= *until {
                    return Ok(None);
                }
                *until
            }
            Wait::Expect { line, exp, seq, until } => {
                let record = s.record();
                let call = record.timeline().find(*seq);
                let call = if exp.outcome == ExpectOutcome::Events { record.last_poll_wait() } else { call };
                let settled = call.is_some_and(|c| c.end_ns.is_some());
                if settled || exp.outcome == ExpectOutcome::Blocking || now >= *until {
                    return match call {
                        Some(c) if holds(exp, c) => Ok(None),
                        _ => Err(Failure {
                            line: *line,
                            kind: FailureKind::Expect,
                            message: mismatch(exp, call),
                        }),
                    };
                }
                *until
            }
        };
        self.wait = Some(w);
        Ok(Some(until))
    }

    fn keep(&mut self, w: Wait, until: Instant) -> Result<Option<Instant>, Failure> {
        self.wait = Some(w);
        Ok(Some(until))
    }

    /// One step of a drain: wait for the current recv, then issue the next.
    fn drain(&mut self, w: Wait, s: &mut Session) -> Result<Option<Instant>, Failure> {
        let Wait::Drain { mut socks, current, mut reads } = w else { return Ok(None) };
        if let Some(seq) = current {
            match s.record().timeline().find(seq) {
                Some(c) if c.end_ns.is_some() => {
                    if c.outcome != Outcome::Data || reads >= MAX_DRAIN_READS {
                        socks.pop_front();
                    }
                }
                _ => {
                    let until = Instant::now() + self.settle;
                    self.wait = Some(Wait::Drain { socks, current, reads });
                    return Ok(Some(until));
                }
            }
        }
        let Some(&id) = socks.front() else { return Ok(None) };
        let fail = |e: LabError| Failure { line: 0, kind: FailureKind::Command, message: e.to_string() };
        let seq = self.recv_on(s, id, DRAIN_SIZE).map_err(fail)?;
        reads += 1;
        self.wait = Some(Wait::Drain { socks, current: Some(seq), reads });
        Ok(Some(Instant::now() + self.settle))
    }
}

/// The command a step stands for now, from the record as it is; `None`
/// when there is nothing to do (no other socket to move to).
fn resolve(step: Step, s: &Session) -> Option<Located> {
    use crate::command::{Command, ModeSet};
    use crate::record::PyMode;
    let rec = s.record();
    let cmd = match step {
        Step::Run(l) => return Some(l),
        Step::ToggleBlocking => match rec.current_socket().map(|x| x.mode.py) {
            Some(PyMode::Blocking) | None => Command::Mode(ModeSet::Nonblocking),
            Some(_) => Command::Mode(ModeSet::Blocking),
        },
        Step::NextSocket(dir) => {
            let open: Vec<u32> = rec.sockets().filter(|x| x.is_open()).map(|x| x.id()).collect();
            let at = rec.current().and_then(|c| open.iter().position(|&id| id == c));
            let next = match at {
                Some(i) => (i as i64 + i64::from(dir)).rem_euclid(open.len() as i64) as usize,
                None => 0,
            };
            Command::Use(*open.get(next)?)
        }
    };
    Some(Located { line: 0, cmd })
}

/// What each drain recv asks for (the language's default recv size).
const DRAIN_SIZE: usize = 1024;

/// Whether a call on socket `id` is still in the kernel.
fn busy(s: &Session, id: u32) -> bool {
    let t = s.record().timeline();
    t.blocking().any(|i| t.get(i).is_some_and(|c| c.lane == Lane::Sock(id)))
}

/// The slowest wait of the latest batch of serve clients, once all are in.
fn slowest_wait(s: &Session) -> Option<Duration> {
    let (first, n) = s.engine.batch()?;
    s.record().client_waits(first, n)?.into_iter().map(|(_, d)| d).max()
}

/// How many clients the latest batch has, and how many got an echo.
fn clients_progress(s: &Session) -> (u32, u32) {
    let Some((first, n)) = s.engine.batch() else { return (0, 0) };
    let done = (first..first.saturating_add(n)).filter(|&k| s.record().client_done(k)).count();
    (n, done as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse_line;

    /// Runs lines until the executor is idle; returns the last call on #1.
    fn run_until_idle(exec: &mut Executor, s: &mut Session, lines: &[&str]) -> Outcome {
        for (i, l) in lines.iter().enumerate() {
            exec.push(Located { line: i + 1, cmd: parse_line(l).expect("parses").expect("command") });
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Ok(Tick::Busy(until)) = exec.tick(s) {
            assert!(Instant::now() < deadline, "bounded");
            s.wait_event(until);
        }
        let last = s.record().timeline().calls().iter().rev().find(|c| c.lane == Lane::Sock(1));
        last.expect("a call").outcome
    }

    #[test]
    fn the_settle_time_decides_when_a_slow_call_shows_as_blocking() {
        let script = ["open tcp", "peer send \"x\" after 300ms", "recv"];
        let mut s = Session::start().expect("session");
        let got = run_until_idle(&mut Executor::new(), &mut s, &script);
        assert_eq!(got, Outcome::Blocking, "50 ms is too short for a 300 ms wait");
        let mut s = Session::start().expect("session");
        let got = run_until_idle(&mut Executor::with_settle(Duration::from_secs(3)), &mut s, &script);
        assert_eq!(got, Outcome::Data, "a 3 s settle sees the recv finish");
    }
}
