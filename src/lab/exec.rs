//! The one executor: runs [`Command`]s against a [`Lab`] for every front end.
//!
//! It never blocks. [`Executor::tick`] runs queued commands until one has to
//! wait (a call settling, `wait`, `expect`), then says until when; the front
//! end waits for lab events or that deadline and ticks again.

use std::collections::VecDeque;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::Lab;
use super::call::{Lane, Outcome};
use super::error::LabError;
use super::expect::{expect_queued, holds, mismatch, want};
use super::socket::JobOp;
use crate::command::{Addr, Command, ExpectOutcome, Expectation, Located, Proto, UnixKind};

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

enum Wait {
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

pub struct Executor {
    queue: VecDeque<Located>,
    wait: Option<Wait>,
    /// How long a call may take before the next command runs (config `settle_ms`).
    settle: Duration,
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
        Executor { queue: VecDeque::new(), wait: None, settle }
    }

    /// Changes the settle time for the commands still to run.
    pub fn set_settle(&mut self, settle: Duration) {
        self.settle = settle;
    }

    pub fn push(&mut self, cmd: Located) {
        self.queue.push_back(cmd);
    }

    pub fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.wait.is_none()
    }

    /// Runs what it can. Returns when idle or waiting.
    pub fn tick(&mut self, lab: &mut Lab) -> Result<Tick, Failure> {
        loop {
            lab.pump();
            if let Some(w) = self.wait.take()
                && let Some(until) = self.check(w, lab)?
            {
                return Ok(Tick::Busy(until));
            }
            let Some(next) = self.queue.pop_front() else {
                return Ok(Tick::Idle);
            };
            let line = next.line;
            tracing::debug!(line, cmd = ?next.cmd, "command");
            self.wait = start(lab, next, self.settle).map_err(|e| {
                let kind = match e {
                    LabError::Expect { .. } => FailureKind::Expect,
                    _ => FailureKind::Command,
                };
                Failure { line, kind, message: e.to_string() }
            })?;
        }
    }

    /// Returns the deadline if still waiting.
    fn check(&mut self, w: Wait, lab: &mut Lab) -> Result<Option<Instant>, Failure> {
        let now = Instant::now();
        let until = match &w {
            Wait::Poll { seq, until } => {
                let done = lab.timeline().find(*seq).is_some_and(|c| c.end_ns.is_some());
                if done && lab.drain_on() {
                    let socks = lab.readable_after(*seq).into();
                    return self.check(Wait::Drain { socks, current: None, reads: 0 }, lab);
                }
                if done || now >= *until {
                    return Ok(None);
                }
                *until
            }
            Wait::Drain { .. } => return self.drain(w, lab),
            Wait::Slowest { line, exp, until } => {
                let slowest = lab.slowest_wait();
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
                        let (n, done) = lab.clients_progress();
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
                let call = lab.timeline().find(*seq);
                if call.is_some_and(|c| c.end_ns.is_some()) {
                    return Ok(None);
                }
                let until = match call {
                    // The settle time counts from when the call entered the kernel…
                    Some(c) => (lab.epoch() + Duration::from_nanos(c.start_ns) + self.settle).max(*until),
                    // …but a call queued behind a blocked one stays queued, as shown.
                    None if sock_of(lab, *seq).is_none_or(|id| busy(lab, id)) => *until,
                    // Its worker has not run yet (a loaded machine): let it start.
                    None => *until + START_WAIT,
                };
                if now >= until {
                    return Ok(None);
                }
                until
            }
            Wait::Quiet { until } => {
                if lab.timeline().blocking().next().is_none() || now >= *until {
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
                let call = lab.timeline().find(*seq);
                let call = if exp.outcome == ExpectOutcome::Events { lab.last_poll_wait() } else { call };
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
    fn drain(&mut self, w: Wait, lab: &mut Lab) -> Result<Option<Instant>, Failure> {
        let Wait::Drain { mut socks, current, mut reads } = w else { return Ok(None) };
        if let Some(seq) = current {
            match lab.timeline().find(seq) {
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
        let seq = lab.recv_on(id, DRAIN_SIZE).map_err(fail)?;
        reads += 1;
        self.wait = Some(Wait::Drain { socks, current: Some(seq), reads });
        Ok(Some(Instant::now() + self.settle))
    }
}

/// What each drain recv asks for (the language's default recv size).
const DRAIN_SIZE: usize = 1024;

fn settle(seq: u64, settle: Duration) -> Option<Wait> {
    Some(Wait::Settle { seq, until: Instant::now() + settle })
}

/// The socket a call was handed to, while it is that socket's latest.
fn sock_of(lab: &Lab, seq: u64) -> Option<u32> {
    lab.sockets().find(|h| h.last_seq == Some(seq)).map(|h| h.info.id)
}

/// Whether a call on socket `id` is still in the kernel.
fn busy(lab: &Lab, id: u32) -> bool {
    let t = lab.timeline();
    t.blocking().any(|i| t.get(i).is_some_and(|c| c.lane == Lane::Sock(id)))
}

/// Carries out one command. Returns what to wait for, if anything.
fn start(lab: &mut Lab, l: Located, settle_for: Duration) -> Result<Option<Wait>, LabError> {
    let settle = |seq| self::settle(seq, settle_for);
    if lab.is_replay() {
        return Err(LabError::Invalid("this is a replay: it has no sockets, so commands cannot run".into()));
    }
    Ok(match l.cmd {
        Command::Open { proto: Proto::Tcp, addr } => settle(lab.open_tcp(resolve(addr)?)?.1),
        Command::Open { proto: Proto::Udp, addr } => lab.open_udp(resolve(addr)?).map(|_| None)?,
        Command::Listen { addr } => lab.listen(resolve(addr)?).map(|_| None)?,
        Command::Socket { proto, v6 } => lab.new_socket(proto, v6).map(|_| None)?,
        Command::OpenUnix { kind: UnixKind::Stream, path } => settle(lab.open_unix(path.as_deref())?.1),
        Command::OpenUnix { kind: UnixKind::Datagram, path } => {
            lab.open_unixgram(path.as_deref()).map(|_| None)?
        }
        Command::ListenUnix { path } => lab.listen_unix(path.as_deref()).map(|_| None)?,
        Command::Use(n) => lab.use_socket(n).map(|_| None)?,
        Command::Mode(m) => lab.set_mode(m).map(|_| None)?,
        Command::Recv { size } => settle(lab.call(JobOp::Recv(size as usize))?),
        Command::Send(p) => settle(lab.call(JobOp::Send(p))?),
        Command::Accept => settle(lab.call(JobOp::Accept)?),
        Command::Connect(addr) => settle(lab.connect(resolve(addr)?)?),
        Command::Shutdown(how) => settle(lab.call(JobOp::Shutdown(how))?),
        Command::Close => settle(lab.call(JobOp::Close)?),
        Command::Peer(p) => {
            lab.peer(p)?;
            Some(Wait::Quiet { until: Instant::now() + settle_for })
        }
        Command::Wait(d) => Some(Wait::Sleep { until: Instant::now() + d }),
        Command::Expect(exp)
            if matches!(exp.outcome, ExpectOutcome::SlowestOver(_) | ExpectOutcome::SlowestUnder(_)) =>
        {
            Some(Wait::Slowest { line: l.line, exp, until: Instant::now() + EXPECT_WAIT })
        }
        Command::Serve { kind, clients } => settle(lab.serve(kind, clients)?),
        Command::Expect(exp) if exp.outcome == ExpectOutcome::Queued => {
            expect_queued(lab, l.line, &exp)?;
            None
        }
        Command::Expect(exp) if exp.outcome == ExpectOutcome::Events => {
            let seq = lab.last_poll_wait().map(|c| c.seq).ok_or_else(|| {
                LabError::Invalid("`expect events`: there has been no `poll wait` yet".into())
            })?;
            Some(Wait::Expect { line: l.line, exp, seq, until: Instant::now() + EXPECT_WAIT })
        }
        Command::Expect(exp) => {
            let seq = lab.last_call().ok_or_else(|| {
                LabError::Invalid(format!(
                    "`expect {}`: no call has been made on this socket yet",
                    want(&exp)
                ))
            })?;
            Some(Wait::Expect { line: l.line, exp, seq, until: Instant::now() + EXPECT_WAIT })
        }
        Command::Say(t) => {
            lab.say(&t);
            None
        }
        Command::Spin { size, limit } => settle(lab.spin(size, limit)?),
        Command::PollAdd { sock, interest } => lab.poll_add(sock, interest).map(|_| None)?,
        Command::PollDrain(on) => lab.poll_drain(on).map(|_| None)?,
        Command::PollWait(d) => {
            let seq = lab.poll_wait(d)?;
            // The loop's own wait is what runs next in an event-loop program,
            // so wait for it (bounded by its timeout) rather than settling.
            let until = Instant::now() + d.unwrap_or(settle_for) + settle_for;
            Some(Wait::Poll { seq, until })
        }
    })
}

/// Resolves `host:port`; the first address wins, IPv4 or IPv6 as the resolver orders them.
/// The address is script text (an IPv6 zone id may hold any character), so
/// messages quote it escaped and shortened.
fn resolve(addr: Option<Addr>) -> Result<Option<SocketAddr>, LabError> {
    let Some(a) = addr else { return Ok(None) };
    let shown = crate::escape::shorten(&a.to_string());
    let found = (a.host.as_str(), a.port)
        .to_socket_addrs()
        .map_err(|e| {
            LabError::Invalid(format!("cannot resolve `{shown}`: {}", crate::escape::text(&e.to_string())))
        })?
        .next();
    found.map(Some).ok_or_else(|| LabError::Invalid(format!("`{shown}` resolves to no address")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse_line;

    /// Runs lines until the executor is idle; returns the last call on #1.
    fn run_until_idle(exec: &mut Executor, lab: &mut Lab, lines: &[&str]) -> Outcome {
        for (i, l) in lines.iter().enumerate() {
            exec.push(Located { line: i + 1, cmd: parse_line(l).expect("parses").expect("command") });
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Ok(Tick::Busy(until)) = exec.tick(lab) {
            assert!(Instant::now() < deadline, "bounded");
            lab.wait_event(until);
        }
        lab.timeline().find(lab.last_call().expect("a call")).expect("recorded").outcome
    }

    #[test]
    fn the_settle_time_decides_when_a_slow_call_shows_as_blocking() {
        let script = ["open tcp", "peer send \"x\" after 300ms", "recv"];
        let mut lab = Lab::new().expect("lab");
        let got = run_until_idle(&mut Executor::new(), &mut lab, &script);
        assert_eq!(got, Outcome::Blocking, "50 ms is too short for a 300 ms wait");
        let mut lab = Lab::new().expect("lab");
        let got = run_until_idle(&mut Executor::with_settle(Duration::from_secs(3)), &mut lab, &script);
        assert_eq!(got, Outcome::Data, "a 3 s settle sees the recv finish");
    }
}
