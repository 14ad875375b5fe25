//! One decoder per syscall family, as strace has net.c and poll.c: each
//! says at entry whether a call is shown (it touches a socket) and what it
//! asks, and at exit how it ended and what it changed.

pub mod arg;
mod ctl;
mod fd;
mod io;
pub mod mem;
mod net;
mod wait;

use arg::Arg;
use mem::Mem;

use super::epolls::Epolls;
use super::errno::Errno;
use super::event::{
    Call, Lane, Mode, Op, Outcome, SockFamily, SockId, SockKind, SockOrigin, TimeoutBy, TraceEvent,
};
use super::fds::{Fds, Inode, Lookup};
use super::modes::{SockState, Socks};
use super::sys::Pid;
use super::syscall::{Family, Syscall};

/// What the tracer knows about the traced programs' fds.
#[derive(Debug, Default)]
pub struct Knowledge {
    pub fds: Fds,
    pub socks: Socks,
    pub epolls: Epolls,
    /// Read a socket's addresses after the calls that set them (a screen
    /// shows them; the headless writer does not need them).
    pub addresses: bool,
}

/// One stop's context: who made the call, when, and where side events go
/// (sockets appearing, modes changing).
pub struct Cx<'a> {
    pub tid: Pid,
    pub tgid: u32,
    pub now_ns: u64,
    pub k: &'a mut Knowledge,
    pub side: &'a mut Vec<TraceEvent>,
}

/// What a call is, as known at entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Begin {
    pub lane: Lane,
    pub op: Op,
    pub arg: Arg,
    pub requested: Option<u64>,
    /// The socket the call is on, if any (its mode goes into the record).
    pub inode: Option<Inode>,
}

/// The decision at entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// Not on a socket: let it run, and skip its exit.
    Skip,
    /// Bookkeeping only (dup*, close_range): catch the exit, show nothing.
    Quiet,
    Show(Begin),
}

impl Begin {
    fn on(cx: &Cx, fd: i32, inode: Inode, op: Op, arg: Arg) -> Begin {
        Begin { lane: Lane::Sock(cx.id(fd)), op, arg, requested: None, inode: Some(inode) }
    }

    fn on_loop(cx: &Cx, op: Op, arg: Arg) -> Begin {
        Begin { lane: Lane::Loop(cx.tgid), op, arg, requested: None, inode: None }
    }
}

impl Cx<'_> {
    pub fn mem(&self) -> Mem {
        Mem(self.tid)
    }

    pub fn id(&self, fd: i32) -> SockId {
        SockId { pid: self.tgid, fd }
    }

    /// The socket behind `fd`, announcing it if it is new to the tracer.
    pub fn sock(&mut self, fd: i32) -> Option<Inode> {
        match self.k.fds.lookup(self.tgid, fd) {
            Lookup::NotSocket => None,
            Lookup::Known(i) => Some(i),
            Lookup::New(i) => {
                let s = self.k.socks.get_or_probe(i, self.tgid, fd);
                self.announce(fd, s, SockOrigin::Seen);
                Some(i)
            }
        }
    }

    /// Records a new socket fd (made, accepted, or duplicated by a call).
    pub fn new_socket(&mut self, fd: i32, s: SockState, origin: SockOrigin) {
        let Some(inode) = super::fds::read_inode(self.tgid, fd) else { return };
        self.k.fds.set(self.tgid, fd, inode);
        // A duplicate shares the open file: keep what is known about it.
        let s = match origin {
            SockOrigin::Dup { .. } => *self.k.socks.get(inode).unwrap_or(&s),
            _ => s,
        };
        self.k.socks.insert(inode, s);
        self.announce(fd, s, origin);
    }

    fn announce(&mut self, fd: i32, s: SockState, origin: SockOrigin) {
        let sock = self.id(fd);
        self.side.push(TraceEvent::Socket {
            sock,
            kind: s.kind,
            family: s.family,
            mode: s.mode,
            origin,
            t_ns: self.now_ns,
        });
    }

    /// Reports the addresses socket `fd` has now, read through a duplicate
    /// of it (when asked for: see `Knowledge::addresses`).
    pub fn addresses(&mut self, fd: i32) {
        if !self.k.addresses {
            return;
        }
        let Ok(dup) = super::sys::dup_from(self.tgid as Pid, fd) else { return };
        let sock = socket2::SockRef::from(&dup);
        let local = sock.local_addr().ok().and_then(|a| a.as_socket());
        let peer = sock.peer_addr().ok().and_then(|a| a.as_socket());
        if local.is_some() || peer.is_some() {
            self.side.push(TraceEvent::Addrs { sock: self.id(fd), local, peer, t_ns: self.now_ns });
        }
    }

    /// Changes a socket's mode, announcing the new one if it differs.
    pub fn change_mode(&mut self, fd: i32, f: impl FnOnce(&mut Mode)) {
        let Some(inode) = self.k.fds.cached(self.tgid, fd) else { return };
        if let Some(mode) = self.k.socks.change(inode, f) {
            self.side.push(TraceEvent::Mode { sock: self.id(fd), mode, t_ns: self.now_ns });
        }
    }

    /// Forgets a closed fd, and the socket's state with its last fd.
    pub fn closed(&mut self, fd: i32) {
        self.k.epolls.forget_fd(self.tgid, fd);
        if let Some(inode) = self.k.fds.forget(self.tgid, fd) {
            self.k.socks.remove(inode);
        }
    }

    pub fn kind_of(&self, inode: Option<Inode>) -> SockKind {
        inode.and_then(|i| self.k.socks.get(i)).map(|s| s.kind).unwrap_or_default()
    }

    pub fn state_of(&self, fd: i32) -> SockState {
        self.k.fds.cached(self.tgid, fd).and_then(|i| self.k.socks.get(i)).copied().unwrap_or_default()
    }
}

/// The entry decision for `sc`.
pub fn entry(cx: &mut Cx, sc: Syscall, args: &[u64; 6]) -> Entry {
    match sc.family() {
        Family::Net => net::entry(cx, sc, args),
        Family::Io => io::entry(cx, sc, args),
        Family::Wait => wait::entry(cx, sc, args),
        Family::Ctl => ctl::entry(cx, sc, args),
        Family::Fd => fd::entry(cx, sc, args),
        Family::Restart => Entry::Skip,
    }
}

/// Completes `call` from its return value (`ret`: -errno on failure).
pub fn exit(cx: &mut Cx, call: &mut Call, ret: i64) {
    call.ret = Some(ret);
    if (-4095..0).contains(&ret) {
        call.errno = Some(Errno(-ret as i32));
        call.outcome = Outcome::Error;
    } else {
        call.outcome = Outcome::Ok;
    }
    match call.syscall.family() {
        Family::Net => net::exit(cx, call, ret),
        Family::Io => io::exit(cx, call, ret),
        Family::Wait => wait::exit(cx, call, ret),
        Family::Ctl => ctl::exit(cx, call, ret),
        Family::Fd => fd::exit(cx, call, ret),
        Family::Restart => {}
    }
}

/// EAGAIN (or EINPROGRESS from a timed connect): returned at once on a
/// non-blocking fd or with MSG_DONTWAIT, or after the kernel timer on a
/// blocking fd that has one.
pub fn would_block(call: &mut Call, dontwait: bool, timer: Option<TimeoutBy>) {
    let mode = call.mode.unwrap_or_default();
    let set = match timer {
        Some(TimeoutBy::RcvTimeo) => mode.rcvtimeo.is_some(),
        Some(TimeoutBy::SndTimeo) => mode.sndtimeo.is_some(),
        _ => false,
    };
    call.outcome = match timer {
        Some(by) if set && !mode.nonblock && !dontwait => Outcome::Timeout(by),
        _ => Outcome::WouldBlock,
    };
}

pub fn family_kind(domain: i32, ty: i32) -> (SockFamily, SockKind) {
    (SockFamily::from_domain(domain), SockKind::from_type(ty))
}
