//! The tracer's events as record events, so a traced program is folded by
//! the same `Record` as the lab and drawn by the same panes: one socket of
//! the record per socket of the program (its lane named `PID:FD`), each
//! process's waits on its `PID:loop` lane, and each call with the real
//! syscall behind it. Pure: events in, events out.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::command::How;
use crate::escape::escape;
use crate::record::traced::{self as rt, ProcEnd, ProcInfo, ProcOrigin, Traced};
use crate::record::{Arg, CallEnd, Event, Lane, Mode, Op, Outcome, PyMode, SockInfo, SockKind, TimeoutBy};
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

fn op(c: &trace::Call) -> Op {
    let peek = matches!(c.arg, TArg::Buf { flags, .. } if flags & libc::MSG_PEEK != 0);
    match c.op {
        trace::Op::Socket => Op::Socket,
        trace::Op::Bind => Op::Bind,
        trace::Op::Listen => Op::Listen,
        trace::Op::Accept => Op::Accept,
        trace::Op::Connect => Op::Connect,
        trace::Op::Recv if peek => Op::Peek,
        trace::Op::Recv => Op::Recv,
        trace::Op::Send => Op::Send,
        trace::Op::Shutdown => Op::Shutdown,
        trace::Op::Close => Op::Close,
        trace::Op::Poll if c.syscall == trace::Syscall::EpollCtl => Op::PollAdd,
        trace::Op::Poll => Op::PollWait,
        trace::Op::Blocking => Op::Blocking,
        trace::Op::Nonblocking => Op::Nonblocking,
        trace::Op::RcvTimeo => Op::RcvTimeo,
        trace::Op::SndTimeo => Op::SndTimeo,
        trace::Op::Fcntl | trace::Op::Ioctl | trace::Op::Setsockopt => Op::Control,
    }
}

/// The kernel's mode as the record keeps a mode: O_NONBLOCK is what
/// `setblocking(False)` sets; the timers are the kernel's own.
fn record_mode(m: Option<trace::Mode>) -> Mode {
    let m = m.unwrap_or_default();
    Mode {
        py: if m.nonblock { PyMode::NonBlocking } else { PyMode::Blocking },
        rcvtimeo: m.rcvtimeo,
        sndtimeo: m.sndtimeo,
    }
}

fn record_arg(a: &TArg) -> Arg {
    let note = |a: &TArg| a.text().map_or(Arg::None, |t| Arg::Note(t.into()));
    match a {
        TArg::None => Arg::None,
        TArg::Addr(Addr::Inet(s)) => Arg::Addr(*s),
        TArg::Addr(Addr::Unix { path, abstract_: false }) => Arg::Path(escape(path).into()),
        TArg::Backlog(n) => Arg::Count((*n).max(0) as u32),
        TArg::Buf { len, .. } => Arg::Size(*len),
        TArg::Shutdown(h) => match *h {
            libc::SHUT_RD => Arg::How(How::Read),
            libc::SHUT_WR => Arg::How(How::Write),
            _ => Arg::How(How::Both),
        },
        TArg::Timeo(d) => Arg::Secs(*d),
        TArg::Wait { timeout, .. } => Arg::PollWait { timeout: timeout.map(cap), events: None },
        other => note(other),
    }
}

/// A wait's timeout, kept within what a recording may hold.
fn cap(d: Duration) -> Duration {
    d.min(Duration::from_secs(30 * 24 * 3600))
}

fn traced(c: &trace::Call) -> Traced {
    let watch = match &c.arg {
        TArg::Wait { fds, .. } => fds.iter().map(|w| rt::WaitFd { fd: w.fd, events: w.events }).collect(),
        _ => Vec::new(),
    };
    Traced {
        pid: c.pid,
        tid: c.tid,
        syscall: c.syscall.name().into(),
        args: c.args,
        ret: c.ret,
        strace: c.strace.clone().unwrap_or_default(),
        watch,
        ready: c.ready.iter().map(|w| rt::WaitFd { fd: w.fd, events: w.events }).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::event::{Call as TCall, Mode as TMode, WaitFd};
    use crate::trace::{Errno, Syscall};

    const PID: u32 = 4242;

    fn sock(fd: i32) -> SockId {
        SockId { pid: PID, fd }
    }

    fn call(seq: u64, syscall: Syscall, op: trace::Op, lane: trace::Lane) -> TCall {
        TCall {
            seq,
            pid: PID,
            tid: PID,
            syscall,
            args: [0; 6],
            lane,
            op,
            arg: TArg::None,
            mode: Some(TMode::default()),
            start_ns: seq * 1000,
            end_ns: None,
            ret: None,
            outcome: trace::Outcome::Blocking,
            bytes: None,
            requested: None,
            errno: None,
            preview: None,
            ready: Vec::new(),
            strace: Some(format!("{}(", syscall.name())),
            len_in: None,
        }
    }

    fn ended(mut c: TCall, ret: i64, outcome: trace::Outcome) -> TCall {
        c.end_ns = Some(c.start_ns + 500);
        c.ret = Some(ret);
        c.outcome = outcome;
        if ret < 0 {
            c.errno = Some(Errno(-ret as i32));
        }
        c
    }

    fn new_socket(fd: i32, origin: SockOrigin) -> TraceEvent {
        TraceEvent::Socket {
            sock: sock(fd),
            kind: trace::SockKind::Stream,
            family: SockFamily::Inet,
            mode: TMode::default(),
            origin,
            t_ns: 0,
        }
    }

    #[test]
    fn a_socket_call_is_recorded_whole_on_the_lane_of_the_socket_it_made() {
        let mut b = Bridge::new();
        let c = call(1, Syscall::Socket, trace::Op::Socket, trace::Lane::Loop(PID));
        assert!(b.event(&TraceEvent::Begin(c.clone()), 0).is_empty(), "its lane is not known yet");
        let info = b.event(&new_socket(5, SockOrigin::Created), 0);
        let [Event::Socket(info)] = info.as_slice() else { panic!("{info:?}") };
        assert_eq!((info.id, info.fd, info.pid, info.kind), (1, 5, Some(PID), SockKind::TcpClient));
        let mut done = ended(c, 5, trace::Outcome::Ok);
        done.lane = trace::Lane::Sock(sock(5));
        let out = b.event(&TraceEvent::End(done), 0);
        let [Event::Instant(c)] = out.as_slice() else { panic!("{out:?}") };
        assert_eq!((c.lane, c.op, c.outcome), (Lane::Sock(1), Op::Socket, Outcome::Ok));
        assert_eq!(c.traced.as_ref().map(|t| (t.syscall.as_str(), t.ret)), Some(("socket", Some(5))));
    }

    #[test]
    fn an_accept_names_the_socket_it_made_and_a_listen_makes_a_listener() {
        let mut b = Bridge::new();
        b.event(&new_socket(3, SockOrigin::Created), 0);
        let listen = ended(
            call(2, Syscall::Listen, trace::Op::Listen, trace::Lane::Sock(sock(3))),
            0,
            trace::Outcome::Ok,
        );
        b.event(&TraceEvent::Begin(listen.clone()), 0);
        let out = b.event(&TraceEvent::End(listen), 0);
        assert!(matches!(&out[1], Event::Socket(i) if i.kind == SockKind::TcpListener), "{out:?}");
        let accept = call(3, Syscall::Accept4, trace::Op::Accept, trace::Lane::Sock(sock(3)));
        let out = b.event(&TraceEvent::Begin(accept.clone()), 0);
        let [Event::Begin(begun)] = out.as_slice() else { panic!("{out:?}") };
        assert_eq!((begun.lane, begun.outcome), (Lane::Sock(1), Outcome::Blocking));
        let side = b.event(&new_socket(6, SockOrigin::Accepted { listener: sock(3) }), 0);
        assert!(matches!(&side[..], [Event::Socket(i)] if i.id == 2 && i.kind == SockKind::TcpAccepted));
        let out = b.event(&TraceEvent::End(ended(accept, 6, trace::Outcome::Accepted(sock(6)))), 0);
        let [Event::End(e)] = out.as_slice() else { panic!("{out:?}") };
        assert_eq!((e.seq, e.outcome), (3, Outcome::Accepted(2)));
    }

    #[test]
    fn a_closed_fd_reused_is_a_new_socket_and_an_exit_closes_the_rest() {
        let mut b = Bridge::new();
        b.event(&new_socket(5, SockOrigin::Created), 0);
        let close = ended(
            call(2, Syscall::Close, trace::Op::Close, trace::Lane::Sock(sock(5))),
            0,
            trace::Outcome::Ok,
        );
        let out = b.event(&TraceEvent::End(close), 0);
        assert!(matches!(out.last(), Some(Event::Closed(1))), "{out:?}");
        let out = b.event(&new_socket(5, SockOrigin::Created), 0);
        assert!(matches!(&out[..], [Event::Socket(i)] if i.id == 2 && i.fd == 5), "{out:?}");
        // The same fd again without a close seen (dup2 over it): the old one goes.
        let out = b.event(&new_socket(5, SockOrigin::Seen), 0);
        assert!(matches!(&out[..], [Event::Closed(2), Event::Socket(i)] if i.id == 3), "{out:?}");
        b.event(
            &TraceEvent::Process {
                seq: 9,
                pid: PID,
                origin: trace::Origin::Spawned,
                exe: b"/usr/bin/python3".to_vec(),
                argv0: Vec::new(),
                t_ns: 0,
            },
            0,
        );
        let out = b.event(
            &TraceEvent::Exit {
                seq: 10,
                pid: PID,
                status: trace::ExitStatus::Signal(libc::SIGTERM),
                t_ns: 0,
            },
            0,
        );
        assert!(matches!(&out[0], Event::Closed(3)), "{out:?}");
        let Event::Process(p) = &out[1] else { panic!("{out:?}") };
        assert!(p.python && p.end == Some(ProcEnd::Killed(libc::SIGTERM)));
        assert_eq!(p.end.unwrap().to_string(), "killed by SIGTERM");
    }

    #[test]
    fn modes_are_the_programs_and_a_call_that_never_returned_ends_when_let_go() {
        let mut b = Bridge::new();
        b.event(&new_socket(5, SockOrigin::Created), 0);
        let m = TMode { nonblock: true, rcvtimeo: Some(Duration::from_millis(200)), sndtimeo: None };
        let out = b.event(&TraceEvent::Mode { sock: sock(5), mode: m, t_ns: 0 }, 0);
        let [Event::Socket(i)] = out.as_slice() else { panic!("{out:?}") };
        let mode = i.mode.unwrap();
        assert_eq!((mode.py, mode.rcvtimeo), (PyMode::NonBlocking, Some(Duration::from_millis(200))));
        let recv = call(3, Syscall::Recvfrom, trace::Op::Recv, trace::Lane::Sock(sock(5)));
        b.event(&TraceEvent::Begin(recv.clone()), 0);
        let out = b.event(&TraceEvent::End(recv), 9_000);
        let [Event::End(e)] = out.as_slice() else { panic!("{out:?}") };
        assert_eq!((e.outcome, e.end_ns), (Outcome::Blocking, 9_000));
    }

    #[test]
    fn a_wait_goes_on_its_process_loop_lane_with_what_it_watched_and_found() {
        let mut b = Bridge::new();
        let mut w = call(4, Syscall::Poll, trace::Op::Poll, trace::Lane::Loop(PID));
        w.arg =
            TArg::Wait { fds: vec![WaitFd { fd: 5, events: 1 }], timeout: Some(Duration::from_millis(200)) };
        w.mode = None;
        let out = b.event(&TraceEvent::Begin(w.clone()), 0);
        let [Event::Begin(c)] = out.as_slice() else { panic!("{out:?}") };
        assert_eq!((c.lane, c.op), (Lane::ProcLoop(PID), Op::PollWait));
        assert_eq!(c.lane.to_string(), "4242:loop");
        let mut done = ended(w, 0, trace::Outcome::Timeout(trace::TimeoutBy::Poll));
        done.bytes = Some(0);
        let out = b.event(&TraceEvent::End(done), 0);
        let [Event::End(e)] = out.as_slice() else { panic!("{out:?}") };
        assert_eq!(e.outcome, Outcome::Timeout(TimeoutBy::Poll));
        let t = e.traced.as_ref().unwrap();
        assert_eq!(t.watch, [rt::WaitFd { fd: 5, events: 1 }]);
        assert_eq!(e.arg, Some(Arg::PollWait { timeout: Some(Duration::from_millis(200)), events: Some(0) }));
    }
}
