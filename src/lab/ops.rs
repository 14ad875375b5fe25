//! What the lab does for each command: set-up, modes, calls, peer actions.
//! Calls go to the socket's worker; everything else happens here, at once.

use std::net::{SocketAddr, UdpSocket};
use std::os::fd::RawFd;

use socket2::{Domain, SockAddr, Socket, Type};

use super::Lab;
use super::call::{Arg, Lane, Op};
use super::error::LabError;
use super::event::{LabEvent, SockKind};
use super::mode::{KernelView, Mode, PyMode};
use super::peer::{Peer, Request};
use super::shared::RecordOk;
use super::socket::{Job, JobOp, spawn_unix};
use super::sys::{self, Timer};
use super::unix::Bound;
use crate::command::{ModeSet, Proto};

/// Reads back the kernel's view of an fd's mode.
pub fn read_kernel(fd: RawFd) -> std::io::Result<KernelView> {
    Ok(KernelView {
        nonblock: sys::is_nonblocking(fd)?,
        rcvtimeo_us: sys::get_timer(fd, Timer::Recv)?.as_micros() as u64,
        sndtimeo_us: sys::get_timer(fd, Timer::Send)?.as_micros() as u64,
    })
}

fn domain(addr: &SocketAddr) -> Domain {
    if addr.is_ipv6() { Domain::IPV6 } else { Domain::IPV4 }
}

/// Most sockets open at once: a guard against a runaway script, well
/// below the usual fd limit.
pub const MAX_OPEN: usize = 256;

const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);

impl Lab {
    pub(super) fn live_peer(&self) -> Result<&Peer, LabError> {
        self.peer
            .as_ref()
            .ok_or_else(|| LabError::Invalid("a replay has no sockets: commands cannot run".into()))
    }

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
        let open = self.socks.values().filter(|h| !h.closed).count();
        if open >= MAX_OPEN {
            return Err(LabError::Invalid(format!(
                "too many sockets: sockscope keeps at most {MAX_OPEN} open at once; close some first"
            )));
        }
        Ok(())
    }

    /// Starts a worker for a new socket, makes it current and announces it.
    pub(super) fn adopt(&mut self, kind: SockKind, socket: Socket) -> u32 {
        self.adopt_unix(kind, socket, None)
    }

    /// [`Lab::adopt`] for a socket that bound a file sockscope unlinks later.
    pub(super) fn adopt_unix(&mut self, kind: SockKind, socket: Socket, bound: Option<Bound>) -> u32 {
        let id = self.shared.next_id();
        if let Some(b) = &bound {
            self.bound.push(b.clone());
        }
        let h = spawn_unix(self.shared.clone(), id, kind, socket, None, bound);
        self.shared.send(LabEvent::Socket(h.info.clone()));
        self.socks.insert(id, h);
        self.current = Some(id);
        id
    }

    /// `open tcp [ADDR]`: the connect runs on the new socket's worker, so a
    /// remote that never answers does not stall the session.
    pub fn open_tcp(&mut self, addr: Option<SocketAddr>) -> Result<(u32, u64), LabError> {
        self.room()?;
        let to = addr.unwrap_or(self.live_peer()?.listen_addr);
        let s = Socket::new(domain(&to), Type::STREAM, None).map_err(LabError::sys("socket", None))?;
        let id = self.adopt(SockKind::TcpClient, s);
        let seq = self.submit(id, JobOp::Connect { addr: SockAddr::from(to), as_open: true })?;
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
        let to = match addr {
            Some(to) => to,
            None => {
                s.bind(&SockAddr::from(to)).map_err(LabError::sys("bind", Some(to)))?;
                self.pair_udp(&s)?
            }
        };
        s.connect(&SockAddr::from(to)).map_err(LabError::sys("connect", Some(to)))?;
        let id = self.adopt(SockKind::Udp, s);
        self.instant(
            Lane::Sock(id),
            Op::Open,
            Arg::Proto(Proto::Udp, Some(to)),
            Mode::default(),
            None,
            start,
        );
        Ok(id)
    }

    /// Makes the peer's UDP socket for `ours` and returns its address.
    fn pair_udp(&self, ours: &Socket) -> Result<SocketAddr, LabError> {
        let peer = UdpSocket::bind(LOOPBACK).map_err(LabError::sys("bind", Some(LOOPBACK)))?;
        let at = peer.local_addr().map_err(LabError::sys("getsockname", None))?;
        let _ = ours;
        self.live_peer()?.request(Request::Adopt(peer)).map_err(LabError::Peer)?;
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
        let id = self.adopt(SockKind::TcpListener, s);
        let local = self.socks[&id].info.local;
        if every_interface(at.ip()) {
            self.shared.send(LabEvent::Warning(format!(
                "#{id} listens on all interfaces ({}): other machines can connect to it",
                local.map_or(at.to_string(), |a| a.to_string())
            )));
        }
        self.instant(
            Lane::Sock(id),
            Op::Listen,
            local.map_or(Arg::None, Arg::Addr),
            Mode::default(),
            None,
            start,
        );
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

    /// `use N`.
    pub fn use_socket(&mut self, id: u32) -> Result<(), LabError> {
        match self.socks.get(&id) {
            None => Err(LabError::NoSocket { id, open: self.socks.keys().copied().collect() }),
            Some(_) => {
                self.current = Some(id);
                Ok(())
            }
        }
    }

    pub(crate) fn current_open(&self) -> Result<u32, LabError> {
        let id = self.current.ok_or(LabError::NoCurrent)?;
        match self.socks.get(&id) {
            Some(h) if h.is_open() => Ok(id),
            _ => Err(LabError::Closed(id)),
        }
    }

    /// A mode command, made on the fd at once (not queued behind a blocked
    /// call), then read back from the kernel.
    pub fn set_mode(&mut self, set: ModeSet) -> Result<(), LabError> {
        let id = self.current_open()?;
        self.set_mode_of(id, set)
    }

    /// [`Lab::set_mode`] on socket `id`.
    pub(crate) fn set_mode_of(&mut self, id: u32, set: ModeSet) -> Result<(), LabError> {
        let h = &self.socks[&id];
        let fd = h.info.fd;
        let start = self.shared.now_ns();
        let mut mode = *h.mode.lock().unwrap_or_else(|p| p.into_inner());
        let arg = match set {
            ModeSet::Blocking | ModeSet::Timeout(None) => {
                sys::set_nonblocking(fd, false).map_err(LabError::sys("ioctl FIONBIO", None))?;
                mode.py = PyMode::Blocking;
                Arg::None
            }
            ModeSet::Nonblocking => {
                sys::set_nonblocking(fd, true).map_err(LabError::sys("ioctl FIONBIO", None))?;
                mode.py = PyMode::NonBlocking;
                Arg::None
            }
            ModeSet::Timeout(Some(t)) => {
                sys::set_nonblocking(fd, true).map_err(LabError::sys("ioctl FIONBIO", None))?;
                mode.py = PyMode::Timeout(t);
                Arg::Secs(t)
            }
            ModeSet::RcvTimeo(t) => {
                sys::set_timer(fd, Timer::Recv, t).map_err(LabError::sys("setsockopt SO_RCVTIMEO", None))?;
                mode.rcvtimeo = Some(t);
                Arg::Secs(t)
            }
            ModeSet::SndTimeo(t) => {
                sys::set_timer(fd, Timer::Send, t).map_err(LabError::sys("setsockopt SO_SNDTIMEO", None))?;
                mode.sndtimeo = Some(t);
                Arg::Secs(t)
            }
        };
        *h.mode.lock().unwrap_or_else(|p| p.into_inner()) = mode;
        let kernel = read_kernel(fd).map_err(LabError::sys("fcntl F_GETFL", None))?;
        tracing::debug!(sock = id, %mode, %kernel, "mode set");
        self.instant(Lane::Sock(id), Op::of_mode(set), arg, mode, Some(kernel), start);
        Ok(())
    }

    /// Hands a call to the current socket's worker. Returns its seq.
    pub fn call(&mut self, op: JobOp) -> Result<u64, LabError> {
        let id = self.current_open()?;
        self.submit(id, op)
    }

    pub(crate) fn submit(&mut self, id: u32, op: JobOp) -> Result<u64, LabError> {
        let seq = self.shared.next_seq();
        let h = self.socks.get_mut(&id).ok_or(LabError::Closed(id))?;
        h.submit(Job { seq, op });
        Ok(seq)
    }

    /// `connect` with no address goes to the peer's listener (its AF_UNIX
    /// one for an AF_UNIX socket).
    pub fn connect(&mut self, addr: Option<SocketAddr>) -> Result<u64, LabError> {
        let unix = self.current.and_then(|id| self.socks.get(&id)).is_some_and(|h| h.info.kind.is_unix());
        let to = match addr {
            Some(a) => SockAddr::from(a),
            None if unix => {
                let path = &self.live_peer()?.unix_path;
                SockAddr::unix(path).map_err(LabError::sys_path("connect", path))?
            }
            None => SockAddr::from(self.peer_for_current()?),
        };
        self.call(JobOp::Connect { addr: to, as_open: false })
    }

    /// The peer's listener as the current socket can reach it: an IPv6
    /// socket (`socket tcp6`) uses the v4-mapped address, as a dual-stack
    /// client would.
    fn peer_for_current(&self) -> Result<SocketAddr, LabError> {
        let at = self.live_peer()?.listen_addr;
        let fd = self.current.and_then(|id| self.socks.get(&id)).map(|h| h.info.fd);
        match (at, fd.and_then(|fd| sys::addrs(fd).0)) {
            (SocketAddr::V4(v4), Some(SocketAddr::V6(_))) => {
                Ok(SocketAddr::new(v4.ip().to_ipv6_mapped().into(), v4.port()))
            }
            _ => Ok(at),
        }
    }

    /// The seq of the last call handed to the current socket.
    pub fn last_call(&self) -> Option<u64> {
        self.socks.get(&self.current?)?.last_seq
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
