//! The one executor: runs [`Command`]s against a [`Lab`] for every front end.
//!
//! It never blocks. [`Executor::tick`] runs queued commands until one has to
//! wait (a call settling, `wait`, `expect`), then says until when; the front
//! end waits for lab events or that deadline and ticks again.

use std::collections::VecDeque;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::Lab;
use super::call::{Call, Outcome};
use super::error::LabError;
use super::socket::JobOp;
use crate::command::{Addr, Command, ExpectOutcome, Expectation, Located, Proto};

/// How long a call may take before it is shown as blocking and the next
/// command runs.
pub const SETTLE: Duration = Duration::from_millis(50);
/// How long `expect` waits for the latest call to finish.
pub const EXPECT_WAIT: Duration = Duration::from_secs(5);

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
}

#[derive(Default)]
pub struct Executor {
    queue: VecDeque<Located>,
    wait: Option<Wait>,
}

impl Executor {
    pub fn new() -> Executor {
        Executor::default()
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
            self.wait = start(lab, next).map_err(|e| Failure {
                line,
                kind: FailureKind::Command,
                message: e.to_string(),
            })?;
        }
    }

    /// Returns the deadline if still waiting.
    fn check(&mut self, w: Wait, lab: &Lab) -> Result<Option<Instant>, Failure> {
        let now = Instant::now();
        let until = match &w {
            Wait::Settle { seq, until } => {
                let done = lab.timeline().find(*seq).is_some_and(|c| c.end_ns.is_some());
                if done || now >= *until {
                    return Ok(None);
                }
                *until
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
}

fn settle(seq: u64) -> Option<Wait> {
    Some(Wait::Settle { seq, until: Instant::now() + SETTLE })
}

/// Carries out one command. Returns what to wait for, if anything.
fn start(lab: &mut Lab, l: Located) -> Result<Option<Wait>, LabError> {
    if lab.is_replay() {
        return Err(LabError::Invalid("this is a replay: it has no sockets, so commands cannot run".into()));
    }
    Ok(match l.cmd {
        Command::Open { proto: Proto::Tcp, addr } => settle(lab.open_tcp(resolve(addr)?)?.1),
        Command::Open { proto: Proto::Udp, addr } => lab.open_udp(resolve(addr)?).map(|_| None)?,
        Command::Listen { addr } => lab.listen(resolve(addr)?).map(|_| None)?,
        Command::Socket { proto } => lab.new_socket(proto).map(|_| None)?,
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
            Some(Wait::Quiet { until: Instant::now() + SETTLE })
        }
        Command::Wait(d) => Some(Wait::Sleep { until: Instant::now() + d }),
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
        Command::Spin { .. } | Command::PollAdd { .. } | Command::PollWait(_) | Command::PollDrain(_) => {
            return Err(LabError::Invalid(
                "the event-loop commands (`spin`, `poll …`) are not part of this version yet".into(),
            ));
        }
    })
}

/// Resolves `host:port`; the first address wins, IPv4 or IPv6 as the resolver orders them.
fn resolve(addr: Option<Addr>) -> Result<Option<SocketAddr>, LabError> {
    let Some(a) = addr else { return Ok(None) };
    let found = (a.host.as_str(), a.port)
        .to_socket_addrs()
        .map_err(|e| LabError::Invalid(format!("cannot resolve `{a}`: {e}")))?
        .next();
    found.map(Some).ok_or_else(|| LabError::Invalid(format!("`{a}` resolves to no address")))
}

/// Whether a finished (or still blocking) call is what `expect` asked for.
pub fn holds(exp: &Expectation, c: &Call) -> bool {
    let n_ok = |got: Option<u64>| exp.n.is_none() || exp.n == got;
    match (&exp.outcome, c.outcome) {
        (ExpectOutcome::Data, Outcome::Data) => n_ok(c.bytes),
        (ExpectOutcome::Sent, Outcome::Sent) => n_ok(c.bytes),
        (ExpectOutcome::Partial, Outcome::Partial) => n_ok(c.bytes),
        (ExpectOutcome::Accepted, Outcome::Accepted(k)) => n_ok(Some(k as u64)),
        (ExpectOutcome::Eof, Outcome::Eof)
        | (ExpectOutcome::WouldBlock, Outcome::WouldBlock)
        | (ExpectOutcome::Timeout, Outcome::Timeout(_))
        | (ExpectOutcome::InProgress, Outcome::InProgress)
        | (ExpectOutcome::Connected, Outcome::Connected)
        | (ExpectOutcome::Blocking, Outcome::Blocking) => true,
        (ExpectOutcome::Error(name), Outcome::Error) => c.errno_name() == Some(name.as_str()),
        _ => false,
    }
}

/// The expectation as written: `data 5`, `error EPIPE`.
pub fn want(exp: &Expectation) -> String {
    let word = match &exp.outcome {
        ExpectOutcome::Data => "data",
        ExpectOutcome::Eof => "eof",
        ExpectOutcome::Sent => "sent",
        ExpectOutcome::Partial => "partial",
        ExpectOutcome::WouldBlock => "wouldblock",
        ExpectOutcome::Timeout => "timeout",
        ExpectOutcome::InProgress => "inprogress",
        ExpectOutcome::Accepted => "accepted",
        ExpectOutcome::Connected => "connected",
        ExpectOutcome::Blocking => "blocking",
        ExpectOutcome::Error(e) => return format!("error {e}"),
    };
    match exp.n {
        Some(n) => format!("{word} {n}"),
        None => word.into(),
    }
}

fn mismatch(exp: &Expectation, got: Option<&Call>) -> String {
    let Some(c) = got else {
        return format!(
            "expected {}, but the call has not started yet (it is queued behind a blocked call)",
            want(exp)
        );
    };
    let took = match c.duration() {
        Some(d) => format!("after {:.1} ms", d.as_secs_f64() * 1e3),
        None => "still blocking".into(),
    };
    format!(
        "expected {}, got {} ({} {}, {took})",
        want(exp),
        c.label(),
        c.op.word(),
        c.arg_text().unwrap_or_default()
    )
}
