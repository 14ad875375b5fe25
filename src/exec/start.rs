//! Carrying out one command: which socket it is for (from the record), and
//! what the engine is asked to do.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::expect::{expect_queued, want};
use super::{Executor, Session, Wait};
use crate::command::SockCall;
use crate::command::{Addr, Command, ExpectOutcome, Located, Proto, UnixKind};
use crate::lab::LabError;
use crate::record::{Op, SockInfo};

impl Executor {
    /// Carries out one command. Returns what to wait for, if anything.
    pub(super) fn start(&mut self, s: &mut Session, l: Located) -> Result<Option<Wait>, LabError> {
        let settle_for = self.settle;
        let settle = |seq| Some(Wait::Settle { seq, until: Instant::now() + settle_for });
        Ok(match l.cmd {
            Command::Open { proto: Proto::Tcp, addr } => {
                let (id, seq) = s.engine.open_tcp(resolve(addr)?)?;
                settle(self.issued(id, seq, Op::Open))
            }
            Command::Open { proto: Proto::Udp, addr } => s.engine.open_udp(resolve(addr)?).map(|_| None)?,
            Command::Listen { addr } => s.engine.listen(resolve(addr)?).map(|_| None)?,
            Command::Socket { proto, v6 } => s.engine.new_socket(proto, v6).map(|_| None)?,
            Command::OpenUnix { kind: UnixKind::Stream, path } => {
                let (id, seq) = s.engine.open_unix(path.as_deref())?;
                settle(self.issued(id, seq, Op::Open))
            }
            Command::OpenUnix { kind: UnixKind::Datagram, path } => {
                s.engine.open_unixgram(path.as_deref()).map(|_| None)?
            }
            Command::ListenUnix { path } => s.engine.listen_unix(path.as_deref()).map(|_| None)?,
            Command::Use(n) => {
                let sock = s
                    .record()
                    .socket(n)
                    .ok_or_else(|| LabError::NoSocket { id: n, open: s.record().ids() })?;
                s.engine.use_socket(sock.id());
                None
            }
            Command::Mode(m) => {
                let id = current_open(s)?.id;
                s.engine.set_mode(id, m).map(|_| None)?
            }
            Command::Call(SockCall::Connect(addr)) => {
                let sock = current_open(s)?;
                let seq = s.engine.connect(&sock, resolve(addr)?)?;
                settle(self.issued(sock.id, seq, Op::Connect))
            }
            Command::Call(call) => settle(self.call(s, call)?),
            Command::Peer(p) => {
                let sock = current_open(s)?;
                s.engine.peer(p, &sock)?;
                Some(Wait::Quiet { until: Instant::now() + settle_for })
            }
            Command::Wait(d) => Some(Wait::Sleep { until: Instant::now() + d }),
            Command::Expect(exp)
                if matches!(exp.outcome, ExpectOutcome::SlowestOver(_) | ExpectOutcome::SlowestUnder(_)) =>
            {
                if s.engine.batch().is_none() {
                    return Err(LabError::Invalid(format!(
                        "`expect {}`: there has been no `peer connect` yet (it checks the clients of the \
                         latest `peer connect N` to a `serve`)",
                        want(&exp)
                    )));
                }
                Some(Wait::Slowest { line: l.line, exp, until: Instant::now() + super::EXPECT_WAIT })
            }
            Command::Serve { kind, clients } => {
                let sock = current_open(s)?;
                let seq = s.engine.serve(&sock, kind, clients)?;
                settle(self.issued(sock.id, seq, Op::Serve))
            }
            Command::Expect(exp) if exp.outcome == ExpectOutcome::Queued => {
                let sock = current_open(s)?;
                expect_queued(&s.engine, &sock, l.line, &exp)?;
                None
            }
            Command::Expect(exp) if exp.outcome == ExpectOutcome::Events => {
                let seq = s.record().last_poll_wait().map(|c| c.seq).ok_or_else(|| {
                    LabError::Invalid("`expect events`: there has been no `poll wait` yet".into())
                })?;
                Some(Wait::Expect { line: l.line, exp, seq, until: Instant::now() + super::EXPECT_WAIT })
            }
            Command::Expect(exp) => {
                let current = s.record().current();
                let seq = match exp.call {
                    Some(k) => current.and_then(|id| self.last_of.get(&(id, Op::from(k))).copied()),
                    None => current.and_then(|id| self.last.get(&id).copied()),
                };
                let seq = seq.ok_or_else(|| {
                    let what = exp.call.map_or("call".to_string(), |k| format!("`{}`", k.word()));
                    LabError::Invalid(format!(
                        "`expect {}`: no {what} has been made on this socket yet",
                        want(&exp)
                    ))
                })?;
                Some(Wait::Expect { line: l.line, exp, seq, until: Instant::now() + super::EXPECT_WAIT })
            }
            Command::Say(t) => {
                s.engine.say(&t);
                None
            }
            Command::Spin { size, limit } => {
                let id = current_open(s)?.id;
                let seq = s.engine.spin(id, size, limit)?;
                settle(self.issued(id, seq, Op::Spin))
            }
            Command::PollAdd { sock, interest } => {
                let id = match sock {
                    Some(n) => open(s, n)?.id,
                    None => current_open(s)?.id,
                };
                s.engine.poll_add(id, interest).map(|_| None)?
            }
            Command::PollDrain(on) => s.engine.poll_drain(on).map(|_| None)?,
            Command::Export { path, harness } => {
                let said = self.log.export(std::path::Path::new(&path), harness, s.record());
                let said = said.map_err(LabError::Invalid)?;
                self.notices.push(said);
                None
            }
            Command::PollWait(d) => {
                let seq = s.engine.poll_wait(d)?;
                // The loop's own wait is what runs next in an event-loop program,
                // so wait for it (bounded by its timeout) rather than settling.
                let until = Instant::now() + d.unwrap_or(settle_for) + settle_for;
                Some(Wait::Poll { seq, until })
            }
        })
    }

    /// Hands a call to the current socket's worker.
    fn call(&mut self, s: &mut Session, call: SockCall) -> Result<u64, LabError> {
        let id = current_open(s)?.id;
        let op = Op::from(&call);
        let seq = s.engine.call(id, call, None)?;
        Ok(self.issued(id, seq, op))
    }

    /// A recv on socket `id` (for a drain), current or not.
    pub(super) fn recv_on(&mut self, s: &mut Session, id: u32, size: usize) -> Result<u64, LabError> {
        let seq = s.engine.call(id, SockCall::Recv { size: size as u64 }, None)?;
        Ok(self.issued(id, seq, Op::Recv))
    }

    /// Notes that call `seq` (an `op`) went to socket `id`; returns `seq`.
    fn issued(&mut self, id: u32, seq: u64, op: Op) -> u64 {
        self.last.insert(id, seq);
        self.last_of.insert((id, op), seq);
        self.sock_of.insert(seq, id);
        self.log.issued(id, seq);
        seq
    }
}

/// The current socket, if it is open.
fn current_open(s: &Session) -> Result<SockInfo, LabError> {
    let id = s.record().current().ok_or(LabError::NoCurrent)?;
    open(s, id)
}

/// Socket `id`, if it exists and is open.
fn open(s: &Session, id: u32) -> Result<SockInfo, LabError> {
    match s.record().socket(id) {
        None => Err(LabError::NoSocket { id, open: s.record().ids() }),
        Some(sock) if sock.closed || s.engine.fd(id).is_none() => Err(LabError::Closed(id)),
        Some(sock) => Ok(sock.info.clone()),
    }
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

/// What the settle time counts from when a call has begun.
pub(super) fn began_at(s: &Session, start_ns: u64) -> Instant {
    s.engine.epoch() + Duration::from_nanos(start_ns)
}
