//! What the engine does for each request: set-up, modes, calls. Calls go to
//! the socket's worker; everything else happens here, at once.

use std::net::{SocketAddr, UdpSocket};

use socket2::{Domain, SockAddr, Socket, Type};

use super::Engine;
use super::error::LabError;
use super::peer::Request;
use super::sample::kernel_view;
use super::shared::RecordOk;
use super::socket::{Job, Start, Work, spawn, spawn_with};
use super::unix::Bound;
use crate::command::{ModeSet, Proto, SockCall};
use crate::record::{Arg, Event, KernelView, Lane, Mode, Op, Outcome, SockInfo, SockKind};
use crate::sys;

fn domain(addr: &SocketAddr) -> Domain {
    if addr.is_ipv6() { Domain::IPV6 } else { Domain::IPV4 }
}

/// Most sockets open at once: a guard against a runaway script, well
/// below the usual fd limit.
pub const MAX_OPEN: usize = 256;

const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);

impl Engine {
    pub(super) fn instant(
        &self,
        lane: Lane,
        op: Op,
        arg: Arg,
        mode: Mode,
        kernel: Option<KernelView>,
        start_ns: u64,
    ) {
        self.shared.record_ok(RecordOk { lane, op, arg, mode, kernel, start_ns });
    }

    /// Refuses a new socket past [`MAX_OPEN`].
    pub(super) fn room(&self) -> Result<(), LabError> {
        if self.shared.open_count() >= MAX_OPEN {
            return Err(LabError::Invalid(format!(
                "too many sockets: sockscope keeps at most {MAX_OPEN} open at once; close some first"
            )));
        }
        Ok(())
    }

    /// Starts a worker for a new socket and announces it (the record makes
    /// it current).
    pub(super) fn adopt(&mut self, kind: SockKind, socket: Socket) -> u32 {
        let id = self.shared.next_id();
        spawn(&self.shared, id, kind, socket);
        id
    }

    /// [`Engine::adopt`] for a socket that bound a file sockscope unlinks later.
    pub(super) fn adopt_unix(&mut self, kind: SockKind, socket: Socket, bound: Option<Bound>) -> u32 {
        let id = self.shared.next_id();
        if let Some(b) = &bound {
            self.bound.push(b.clone());
        }
        spawn_with(&self.shared, id, kind, socket, Start { bound, ..Start::default() });
        id
    }

    /// `open tcp [ADDR]`: the connect runs on the new socket's worker, so a
    /// remote that never answers does not stall the session.
    pub fn open_tcp(&mut self, addr: Option<SocketAddr>) -> Result<(u32, u64), LabError> {
        self.room()?;
        let to = addr.unwrap_or(self.peer.listen_addr);
        let s = Socket::new(domain(&to), Type::STREAM, None).map_err(LabError::sys("socket", None))?;
        let id = self.adopt(SockKind::TcpClient, s);
        let seq = self.submit(id, Work::Open(SockAddr::from(to)))?;
        Ok((id, seq))
    }

    /// `open udp [ADDR]`: with no address, paired with a peer UDP socket.
    pub fn open_udp(&mut self, addr: Option<SocketAddr>) -> Result<u32, LabError> {
        self.room()?;
        let start = self.shared.now_ns();
        let (s, to) = match addr {
            Some(to) => (Socket::new(domain(&to), Type::DGRAM, None), to),
            None => (Socket::new(Domain::IPV4, Type::DGRAM, None), LOOPBACK),
        };
        let s = s.map_err(LabError::sys("socket", None))?;
        let (to, arg) = match addr {
            Some(to) => (to, Arg::Proto(Proto::Udp, Some(to))),
            None => {
                s.bind(&SockAddr::from(to)).map_err(LabError::sys("bind", Some(to)))?;
                let local = s.local_addr().ok().and_then(|a| a.as_socket()).unwrap_or(to);
                let peer = self.pair_udp()?;
                (peer, Arg::Bound { local, to: peer })
            }
        };
        s.connect(&SockAddr::from(to)).map_err(LabError::sys("connect", Some(to)))?;
        let id = self.adopt(SockKind::Udp, s);
        self.instant(Lane::Sock(id), Op::Open, arg, Mode::default(), None, start);
        Ok(id)
    }

    /// Makes the peer's UDP socket for a new socket of ours; returns its address.
    fn pair_udp(&self) -> Result<SocketAddr, LabError> {
        let peer = UdpSocket::bind(LOOPBACK).map_err(LabError::sys("bind", Some(LOOPBACK)))?;
        let at = peer.local_addr().map_err(LabError::sys("getsockname", None))?;
        self.peer.request(Request::Adopt(peer)).map_err(LabError::Peer)?;
        Ok(at)
    }

    /// `listen [ADDR]`, on loopback unless told otherwise.
    pub fn listen(&mut self, addr: Option<SocketAddr>) -> Result<u32, LabError> {
        self.room()?;
        let start = self.shared.now_ns();
        let at = addr.unwrap_or(LOOPBACK);
        let s = Socket::new(domain(&at), Type::STREAM, None).map_err(LabError::sys("socket", None))?;
        s.bind(&SockAddr::from(at)).map_err(LabError::sys("bind", Some(at)))?;
        s.listen(128).map_err(LabError::sys("listen", Some(at)))?;
        let local = s.local_addr().ok().and_then(|a| a.as_socket());
        let id = self.adopt(SockKind::TcpListener, s);
        if every_interface(at.ip()) {
            self.shared.send(Event::Warning(format!(
                "#{id} listens on all interfaces ({}): other machines can connect to it",
                local.map_or(at.to_string(), |a| a.to_string())
            )));
        }
        let arg = local.map_or(Arg::None, Arg::Addr);
        self.instant(Lane::Sock(id), Op::Listen, arg, Mode::default(), None, start);
        Ok(id)
    }

    /// `socket tcp|udp`: unconnected, so its mode can be set before connect.
    /// With `v6`, an AF_INET6 socket; its record carries the unspecified
    /// IPv6 address so the explanation names the family.
    pub fn new_socket(&mut self, proto: Proto, v6: bool) -> Result<u32, LabError> {
        self.room()?;
        let start = self.shared.now_ns();
        let (ty, kind) = match proto {
            Proto::Tcp => (Type::STREAM, SockKind::TcpClient),
            Proto::Udp => (Type::DGRAM, SockKind::Udp),
        };
        let domain = if v6 { Domain::IPV6 } else { Domain::IPV4 };
        let s = Socket::new(domain, ty, None).map_err(LabError::sys("socket", None))?;
        let id = self.adopt(kind, s);
        let any6 = v6.then_some(SocketAddr::new(std::net::Ipv6Addr::UNSPECIFIED.into(), 0));
        self.instant(Lane::Sock(id), Op::Socket, Arg::Proto(proto, any6), Mode::default(), None, start);
        Ok(id)
    }

    /// `use N`: the record makes #N current.
    pub fn use_socket(&self, id: u32) {
        self.shared.send(Event::Use(id));
    }

    /// An open socket's fd, or why there is none.
    fn open_fd(&self, id: u32) -> Result<std::os::fd::RawFd, LabError> {
        match self.shared.with_sock(id, |h| h.is_open().then_some(h.fd())) {
            Some(Some(fd)) => Ok(fd),
            _ => Err(LabError::Closed(id)),
        }
    }

    /// The Python-level mode socket `id`'s calls run under.
    pub fn mode_of(&self, id: u32) -> Option<Mode> {
        self.shared.with_sock(id, |h| h.mode())
    }

    /// A mode command on socket `id`, made on the fd at once (not queued
    /// behind a blocked call), then read back from the kernel.
    pub fn set_mode(&mut self, id: u32, set: ModeSet) -> Result<(), LabError> {
        let fd = self.open_fd(id)?;
        let start = self.shared.now_ns();
        let mut mode = self.mode_of(id).unwrap_or_default();
        let arg = crate::ops::mode::apply(fd, set, &mut mode).map_err(|(call, e)| LabError::Sys {
            call,
            addr: None,
            source: e,
        })?;
        self.shared.with_sock(id, |h| h.set_mode(mode));
        let kernel = kernel_view(fd).map_err(LabError::sys("fcntl F_GETFL", None))?;
        tracing::debug!(sock = id, %mode, %kernel, "mode set");
        self.instant(Lane::Sock(id), Op::of_mode(set), arg, mode, Some(kernel), start);
        Ok(())
    }

    /// A socket call on socket `id`. Returns its seq. `shutdown` and `close`
    /// are made here at once, as from a second thread of a program: neither
    /// waits for a call already in the kernel. The others run on the
    /// socket's threads (see `socket.rs`).
    pub fn call(&mut self, id: u32, call: SockCall, to: Option<SockAddr>) -> Result<u64, LabError> {
        if call.is_control() {
            return self.control(id, call);
        }
        self.submit(id, Work::Call(call, to))
    }

    pub(super) fn submit(&mut self, id: u32, work: Work) -> Result<u64, LabError> {
        let seq = self.shared.next_seq();
        let submitted = self.shared.with_sock(id, |h| {
            if !h.is_open() {
                return false;
            }
            h.submit(Job { seq, work });
            true
        });
        match submitted {
            Some(true) => Ok(seq),
            _ => Err(LabError::Closed(id)),
        }
    }

    /// `shutdown` or `close`, made on this thread and recorded like any call.
    fn control(&mut self, id: u32, call: SockCall) -> Result<u64, LabError> {
        let ctx = self.shared.with_sock(id, |h| h.is_open().then(|| h.ctx.clone())).flatten();
        let ctx = ctx.ok_or(LabError::Closed(id))?;
        let closing = call == SockCall::Close;
        // Its addresses, read while the fd is still ours, for the peer.
        let info = ctx.info();
        let seq = self.shared.next_seq();
        let lane = Lane::Sock(id);
        let evidence = super::sample::evidence(ctx.fd.raw()).map(Box::new);
        let arg = match &call {
            SockCall::Shutdown(h) => Arg::How(*h),
            _ => Arg::None,
        };
        let start = self.shared.now_ns();
        let mut c =
            crate::record::Call::begin(seq, lane, crate::record::Op::from(&call), arg, ctx.mode(), start);
        c.evidence = evidence;
        let done = match call {
            SockCall::Close => match ctx.fd.close() {
                Ok(()) => crate::ops::Done::of(Outcome::Ok),
                Err(e) => crate::ops::Done::errno(crate::sys::errno_of(&e)),
            },
            call => {
                let io = crate::ops::Io {
                    sock: ctx.fd.socket(),
                    kind: ctx.kind,
                    mode: ctx.mode(),
                    buf: &mut [],
                    filler: &[],
                    to: None,
                };
                crate::ops::run(&call, io)
            }
        };
        let c = crate::record::Call { errno: done.errno, ..c.ended(self.shared.now_ns(), done.outcome) };
        self.shared.send(Event::Instant(c));
        if closing && done.outcome == Outcome::Ok {
            self.closed(id);
            self.tell_peer_closed(&info);
        }
        Ok(seq)
    }

    /// After a close: the worker ends once idle, a bound socket file goes.
    fn closed(&mut self, id: u32) {
        self.shared.with_sock(id, |h| {
            h.retire();
            if let Some(b) = h.bound.take() {
                b.unlink();
            }
        });
        self.forget(id);
        self.shared.send(Event::Closed(id));
    }

    /// `connect [ADDR]` on `sock`. With no address it goes to the peer's
    /// listener (its AF_UNIX one for an AF_UNIX socket).
    pub fn connect(&mut self, sock: &SockInfo, addr: Option<SocketAddr>) -> Result<u64, LabError> {
        let to = match addr {
            Some(a) => SockAddr::from(a),
            None if sock.kind.is_unix() => {
                let path = &self.peer.unix_path;
                SockAddr::unix(path).map_err(LabError::sys_path("connect", path))?
            }
            None => SockAddr::from(self.peer_for(sock.fd)),
        };
        self.submit(sock.id, Work::Call(SockCall::Connect(None), Some(to)))
    }

    /// The peer's listener as a socket can reach it: an IPv6 socket
    /// (`socket tcp6`) uses the v4-mapped address, as a dual-stack client would.
    fn peer_for(&self, fd: std::os::fd::RawFd) -> SocketAddr {
        let at = self.peer.listen_addr;
        match (at, sys::addrs(fd).0) {
            (SocketAddr::V4(v4), Some(SocketAddr::V6(_))) => {
                SocketAddr::new(v4.ip().to_ipv6_mapped().into(), v4.port())
            }
            _ => at,
        }
    }

    /// `say TEXT`: narration, recorded on its own lane.
    pub fn say(&mut self, text: &str) {
        let start = self.shared.now_ns();
        self.instant(Lane::Script, Op::Say, Arg::Note(text.into()), Mode::default(), None, start);
    }
}

/// Whether binding to `ip` listens on every interface: `0.0.0.0`, `::`, or
/// `::ffff:0.0.0.0`, the IPv4 wildcard written as an IPv6 address, which a
/// dual-stack socket binds as `0.0.0.0`.
fn every_interface(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => v4.is_unspecified(),
        std::net::IpAddr::V6(v6) => {
            v6.is_unspecified() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_unspecified())
        }
    }
}
