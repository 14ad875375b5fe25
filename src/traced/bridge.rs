//! The tracer's events as record events, so a traced program is folded by
//! the same `Record` as the lab and drawn by the same panes: one socket of
//! the record per socket of the program (its lane named `PID:FD`), each
//! process's waits on its `PID:loop` lane, and each call with the real
//! syscall behind it. Pure: events in, events out.

use std::collections::{BTreeMap, HashMap};

use super::map::{op, record_arg, record_mode, traced};
use crate::escape::escape;
use crate::record::traced::{self as rt, ProcEnd, ProcInfo, ProcOrigin};
use crate::record::{Arg, CallEnd, Event, Lane, Outcome, SockInfo, SockKind, TimeoutBy};
use crate::trace::event::{Addr, Arg as TArg, SockFamily, SockOrigin};
use crate::trace::{self, SockId, TraceEvent};

#[derive(Debug, Default)]
pub struct Bridge {
    /// The record's number for each open socket of the program.
    ids: HashMap<SockId, u32>,
    /// What the record has been told of each socket (to tell it changes).
    infos: BTreeMap<u32, SockInfo>,
    next_id: u32,
    procs: BTreeMap<u32, ProcInfo>,
    /// socket() and socketpair() calls: their lane is known only at their
    /// end, so they are recorded then, whole.
    deferred: HashMap<u64, ()>,
}

impl Bridge {
    pub fn new() -> Bridge {
        Bridge::default()
    }

    /// The record events for one tracer event; `now_ns` is the trace's
    /// clock when it arrives (a call that never returned ends then).
    pub fn event(&mut self, ev: &TraceEvent, now_ns: u64) -> Vec<Event> {
        match ev {
            TraceEvent::Process { pid, origin, exe, .. } => {
                let origin = match origin {
                    trace::Origin::Spawned => ProcOrigin::Started,
                    trace::Origin::Forked { parent } => ProcOrigin::Forked { parent: *parent },
                    trace::Origin::Exec => ProcOrigin::Exec,
                    trace::Origin::Attached => ProcOrigin::Attached,
                };
                let p =
                    ProcInfo { pid: *pid, exe: escape(exe), origin, python: rt::is_python(exe), end: None };
                self.procs.insert(*pid, p.clone());
                vec![Event::Process(p)]
            }
            TraceEvent::Exit { pid, status, .. } => {
                let end = match status {
                    trace::ExitStatus::Code(c) => ProcEnd::Exited(*c),
                    trace::ExitStatus::Signal(s) => ProcEnd::Killed(*s),
                };
                let mut out = self.close_all(*pid);
                out.extend(self.ended(*pid, end));
                out
            }
            TraceEvent::Detached { pid, .. } => self.ended(*pid, ProcEnd::Detached),
            TraceEvent::Socket { sock, kind, family, mode, origin, .. } => {
                self.socket(*sock, *kind, *family, *mode, *origin)
            }
            TraceEvent::Mode { sock, mode, .. } => {
                let Some(&id) = self.ids.get(sock) else { return Vec::new() };
                self.tell(id, |i| i.mode = Some(record_mode(Some(*mode))))
            }
            TraceEvent::Gone { sock, .. } => self.close(*sock),
            TraceEvent::Addrs { sock, local, peer, .. } => {
                let Some(&id) = self.ids.get(sock) else { return Vec::new() };
                self.tell(id, |i| {
                    i.local = local.or(i.local);
                    i.remote = peer.or(i.remote);
                })
            }
            TraceEvent::Begin(c) => {
                if matches!(c.op, trace::Op::Socket) {
                    self.deferred.insert(c.seq, ());
                    return Vec::new();
                }
                vec![Event::Begin(self.call(c))]
            }
            TraceEvent::End(c) => self.end(c, now_ns),
        }
    }

    fn ended(&mut self, pid: u32, end: ProcEnd) -> Vec<Event> {
        let Some(p) = self.procs.get_mut(&pid) else { return Vec::new() };
        p.end = Some(end);
        vec![Event::Process(p.clone())]
    }

    /// The record's number for a socket of the program, made on first sight.
    fn id(&mut self, sock: SockId) -> u32 {
        *self.ids.entry(sock).or_insert_with(|| {
            self.next_id += 1;
            self.next_id
        })
    }

    fn socket(
        &mut self,
        sock: SockId,
        kind: trace::SockKind,
        family: SockFamily,
        mode: trace::Mode,
        origin: SockOrigin,
    ) -> Vec<Event> {
        let mut out = Vec::new();
        // An fd number already taken by a socket the record knows: that one
        // is gone (replaced by dup2, or closed unseen).
        if self.ids.get(&sock).is_some_and(|id| self.infos.contains_key(id)) {
            out.extend(self.close(sock));
        }
        let id = self.id(sock);
        let accepted = matches!(origin, SockOrigin::Accepted { .. });
        let kind = match (family, kind) {
            (SockFamily::Inet | SockFamily::Inet6, trace::SockKind::Stream) if accepted => {
                SockKind::TcpAccepted
            }
            (SockFamily::Inet | SockFamily::Inet6, trace::SockKind::Stream) => SockKind::TcpClient,
            (SockFamily::Inet | SockFamily::Inet6, trace::SockKind::Datagram) => SockKind::Udp,
            (SockFamily::Unix, trace::SockKind::Stream | trace::SockKind::SeqPacket) if accepted => {
                SockKind::UnixAccepted
            }
            (SockFamily::Unix, trace::SockKind::Stream | trace::SockKind::SeqPacket) => SockKind::UnixClient,
            (SockFamily::Unix, trace::SockKind::Datagram) => SockKind::UnixDgram,
            _ => SockKind::Other,
        };
        let info = SockInfo {
            id,
            kind,
            fd: sock.fd,
            local: None,
            remote: None,
            local_path: None,
            remote_path: None,
            pair: None,
            mode: Some(record_mode(Some(mode))),
            pid: Some(sock.pid),
        };
        self.infos.insert(id, info.clone());
        out.push(Event::Socket(info));
        out
    }

    /// Changes what the record knows of socket `id`, and tells it if it changed.
    fn tell(&mut self, id: u32, f: impl FnOnce(&mut SockInfo)) -> Vec<Event> {
        let Some(info) = self.infos.get_mut(&id) else { return Vec::new() };
        let before = info.clone();
        f(info);
        if *info == before { Vec::new() } else { vec![Event::Socket(info.clone())] }
    }

    fn close(&mut self, sock: SockId) -> Vec<Event> {
        let Some(id) = self.ids.remove(&sock) else { return Vec::new() };
        match self.infos.remove(&id) {
            Some(_) => vec![Event::Closed(id)],
            None => Vec::new(),
        }
    }

    fn close_all(&mut self, pid: u32) -> Vec<Event> {
        let mut socks: Vec<SockId> = self.ids.keys().filter(|s| s.pid == pid).copied().collect();
        socks.sort();
        socks.into_iter().flat_map(|s| self.close(s)).collect()
    }

    fn lane(&mut self, lane: trace::Lane) -> Lane {
        match lane {
            trace::Lane::Sock(s) => Lane::Sock(self.id(s)),
            trace::Lane::Loop(pid) => Lane::ProcLoop(pid),
        }
    }

    fn end(&mut self, c: &trace::Call, now_ns: u64) -> Vec<Event> {
        if self.deferred.remove(&c.seq).is_some() {
            let mut call = self.call(c);
            if call.end_ns.is_none() {
                call.end_ns = Some(now_ns.max(c.start_ns));
            }
            return vec![Event::Instant(call)];
        }
        let lane = self.lane(c.lane);
        let outcome = self.outcome(c.outcome);
        let end = CallEnd {
            seq: c.seq,
            lane,
            // A call that never returned ends when the tracer let go of it.
            end_ns: c.end_ns.unwrap_or(now_ns).max(c.start_ns),
            outcome,
            errno: c.errno.map_or(0, |e| e.0),
            bytes: c.bytes,
            preview: c.preview.as_deref().map(Into::into),
            arg: match record_arg(&c.arg) {
                Arg::PollWait { timeout, .. } if c.end_ns.is_some() => {
                    Some(Arg::PollWait { timeout, events: c.bytes.map(|n| n as u32) })
                }
                _ => None,
            },
            traced: Some(Box::new(traced(c))),
        };
        let mut out = vec![Event::End(end)];
        out.extend(self.after(c, lane));
        out
    }

    /// What a finished call tells of its socket: a listener now, its
    /// addresses, or that it is closed.
    fn after(&mut self, c: &trace::Call, lane: Lane) -> Vec<Event> {
        let (Lane::Sock(id), trace::Lane::Sock(sock)) = (lane, c.lane) else { return Vec::new() };
        let ok = c.errno.is_none() && c.end_ns.is_some();
        let in_progress = c.errno.is_some_and(|e| e.0 == libc::EINPROGRESS);
        match (c.op, &c.arg) {
            (trace::Op::Close, _) if c.errno.is_none_or(|e| e.0 != libc::EBADF) && c.end_ns.is_some() => {
                self.close(sock)
            }
            (trace::Op::Listen, _) if ok => self.tell(id, |i| {
                i.kind = if i.kind.is_unix() { SockKind::UnixListener } else { SockKind::TcpListener }
            }),
            (trace::Op::Bind, TArg::Addr(Addr::Inet(a))) if ok => self.tell(id, |i| i.local = Some(*a)),
            (trace::Op::Bind, TArg::Addr(Addr::Unix { path, .. })) if ok => {
                self.tell(id, |i| i.local_path = Some(escape(path)))
            }
            (trace::Op::Connect, TArg::Addr(Addr::Inet(a))) if ok || in_progress => {
                self.tell(id, |i| i.remote = Some(*a))
            }
            (trace::Op::Connect, TArg::Addr(Addr::Unix { path, .. })) if ok || in_progress => {
                self.tell(id, |i| i.remote_path = Some(escape(path)))
            }
            _ => Vec::new(),
        }
    }

    fn outcome(&mut self, o: trace::Outcome) -> Outcome {
        match o {
            trace::Outcome::Blocking => Outcome::Blocking,
            trace::Outcome::Data => Outcome::Data,
            trace::Outcome::Eof => Outcome::Eof,
            trace::Outcome::Sent => Outcome::Sent,
            trace::Outcome::Partial => Outcome::Partial,
            trace::Outcome::WouldBlock => Outcome::WouldBlock,
            trace::Outcome::Timeout(by) => Outcome::Timeout(match by {
                trace::TimeoutBy::Poll => TimeoutBy::Poll,
                trace::TimeoutBy::RcvTimeo => TimeoutBy::RcvTimeo,
                trace::TimeoutBy::SndTimeo => TimeoutBy::SndTimeo,
            }),
            trace::Outcome::InProgress => Outcome::InProgress,
            trace::Outcome::Accepted(s) => Outcome::Accepted(self.id(s)),
            trace::Outcome::Connected => Outcome::Connected,
            trace::Outcome::Ready => Outcome::Ready,
            trace::Outcome::Ok => Outcome::Ok,
            trace::Outcome::Error => Outcome::Error,
        }
    }

    /// The record of a call, as far as it is known (at its entry, or whole).
    fn call(&mut self, c: &trace::Call) -> crate::record::Call {
        let lane = self.lane(c.lane);
        let outcome = self.outcome(c.outcome);
        let mut arg = record_arg(&c.arg);
        if let (Arg::PollWait { timeout, .. }, Some(_)) = (&arg, c.end_ns) {
            arg = Arg::PollWait { timeout: *timeout, events: c.bytes.map(|n| n as u32) };
        }
        let mut call = crate::record::Call::begin(c.seq, lane, op(c), arg, record_mode(c.mode), c.start_ns);
        call.end_ns = c.end_ns;
        call.outcome = outcome;
        call.errno = c.errno.map_or(0, |e| e.0);
        call.bytes = c.bytes;
        call.preview = c.preview.as_deref().map(Into::into);
        call.traced = Some(Box::new(traced(c)));
        call
    }
}
