//! What the tracer reports: typed events over one channel. A front end (the
//! headless writer, later the TUI timeline) is one consumer of them.

use std::fmt;
use std::time::Duration;

use super::errno::Errno;
use super::syscall::Syscall;

/// A socket of a traced program: its process (thread group) and fd.
/// Shown as `PID:FD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SockId {
    pub pid: u32,
    pub fd: i32,
}

impl fmt::Display for SockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.pid, self.fd)
    }
}

/// Where a call is drawn: a socket's lane, or the process's readiness waits
/// (poll, select, epoll) on its loop lane `PID:loop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    Sock(SockId),
    Loop(u32),
}

impl fmt::Display for Lane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lane::Sock(s) => s.fmt(f),
            Lane::Loop(pid) => write!(f, "{pid}:loop"),
        }
    }
}

/// What a call does, in the words of `sockscope run`'s JSON `op`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Socket,
    Bind,
    Listen,
    Accept,
    Connect,
    Recv,
    Send,
    Shutdown,
    Close,
    /// poll, select, epoll_wait and epoll_ctl.
    Poll,
    Blocking,
    Nonblocking,
    RcvTimeo,
    SndTimeo,
    /// fcntl, ioctl or setsockopt that does not change the mode.
    Fcntl,
    Ioctl,
    Setsockopt,
}

impl Op {
    pub fn word(self) -> &'static str {
        match self {
            Op::Socket => "socket",
            Op::Bind => "bind",
            Op::Listen => "listen",
            Op::Accept => "accept",
            Op::Connect => "connect",
            Op::Recv => "recv",
            Op::Send => "send",
            Op::Shutdown => "shutdown",
            Op::Close => "close",
            Op::Poll => "poll",
            Op::Blocking => "blocking",
            Op::Nonblocking => "nonblocking",
            Op::RcvTimeo => "rcvtimeo",
            Op::SndTimeo => "sndtimeo",
            Op::Fcntl => "fcntl",
            Op::Ioctl => "ioctl",
            Op::Setsockopt => "setsockopt",
        }
    }
}

/// Stream or datagram: a recv of 0 bytes is EOF only on a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SockKind {
    Stream,
    Datagram,
    SeqPacket,
    Raw,
    #[default]
    Unknown,
}

impl SockKind {
    pub fn from_type(ty: i32) -> SockKind {
        match ty & 0xf {
            libc::SOCK_STREAM => SockKind::Stream,
            libc::SOCK_DGRAM => SockKind::Datagram,
            libc::SOCK_SEQPACKET => SockKind::SeqPacket,
            libc::SOCK_RAW => SockKind::Raw,
            _ => SockKind::Unknown,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            SockKind::Stream => "stream",
            SockKind::Datagram => "dgram",
            SockKind::SeqPacket => "seqpacket",
            SockKind::Raw => "raw",
            SockKind::Unknown => "unknown",
        }
    }
}

/// A socket's address family, as far as the tracer learnt it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SockFamily {
    Inet,
    Inet6,
    Unix,
    Netlink,
    #[default]
    Other,
}

impl SockFamily {
    pub fn from_domain(domain: i32) -> SockFamily {
        match domain {
            libc::AF_INET => SockFamily::Inet,
            libc::AF_INET6 => SockFamily::Inet6,
            libc::AF_UNIX => SockFamily::Unix,
            libc::AF_NETLINK => SockFamily::Netlink,
            _ => SockFamily::Other,
        }
    }
}

/// How a socket behaves when a call cannot finish at once, as the kernel
/// holds it: O_NONBLOCK on the open file, and the two kernel timers
/// (`None`: not set, or set to 0, which means forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mode {
    pub nonblock: bool,
    pub rcvtimeo: Option<Duration>,
    pub sndtimeo: Option<Duration>,
}

/// Seconds as the command language writes them: `0.2`, `1.5`.
pub fn secs(d: Duration) -> String {
    let s = format!("{:.6}", d.as_secs_f64());
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() { "0".into() } else { s.into() }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.nonblock { "nonblocking" } else { "blocking" })?;
        for (name, t) in [("rcvtimeo", self.rcvtimeo), ("sndtimeo", self.sndtimeo)] {
            if let Some(t) = t {
                write!(f, " {name} {}", secs(t))?;
            }
        }
        Ok(())
    }
}

/// Which mechanism made a call time out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutBy {
    /// A readiness wait ran out (poll/select/epoll returned 0).
    Poll,
    RcvTimeo,
    SndTimeo,
}

impl TimeoutBy {
    pub fn word(self) -> &'static str {
        match self {
            TimeoutBy::Poll => "poll",
            TimeoutBy::RcvTimeo => "SO_RCVTIMEO",
            TimeoutBy::SndTimeo => "SO_SNDTIMEO",
        }
    }
}

/// How a call ended: the lab's closed set, plus `Ready` for readiness waits
/// and `Ok` for set-up, mode and close calls. `Blocking` is the state of a
/// call still in the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Blocking,
    Data,
    Eof,
    Sent,
    Partial,
    WouldBlock,
    Timeout(TimeoutBy),
    InProgress,
    Accepted(SockId),
    Connected,
    Ready,
    Ok,
    Error,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Blocking => "blocking",
            Outcome::Data => "data",
            Outcome::Eof => "eof",
            Outcome::Sent => "sent",
            Outcome::Partial => "partial",
            Outcome::WouldBlock => "wouldblock",
            Outcome::Timeout(_) => "timeout",
            Outcome::InProgress => "inprogress",
            Outcome::Accepted(_) => "accepted",
            Outcome::Connected => "connected",
            Outcome::Ready => "ready",
            Outcome::Ok => "ok",
            Outcome::Error => "error",
        }
    }
}

pub use super::decode::arg::{Addr, Arg, WaitFd};

/// One traced call. A [`TraceEvent::Begin`] carries it as known at entry
/// (`end_ns` None, outcome `Blocking`); [`TraceEvent::End`] carries it whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Numbers calls in the order they started.
    pub seq: u64,
    /// The process (thread group) and the thread that made it.
    pub pid: u32,
    pub tid: u32,
    pub syscall: Syscall,
    /// The raw arguments, for a strace-style line.
    pub args: [u64; 6],
    pub lane: Lane,
    pub op: Op,
    pub arg: Arg,
    /// The socket's mode when the call started (None on a loop lane).
    pub mode: Option<Mode>,
    /// Nanoseconds since the trace started (monotonic).
    pub start_ns: u64,
    /// None while the call is in the kernel, and for a call that never
    /// returned (its thread died, or the trace ended first).
    pub end_ns: Option<u64>,
    /// The raw return value: -errno on failure.
    pub ret: Option<i64>,
    pub outcome: Outcome,
    /// Bytes moved (data, sent, partial) or fds ready (ready).
    pub bytes: Option<u64>,
    /// Bytes asked for (recv size, send length) when known.
    pub requested: Option<u64>,
    pub errno: Option<Errno>,
    /// The first bytes moved (at most [`PREVIEW_CAP`]), raw: escape them to show them.
    pub preview: Option<Vec<u8>>,
    /// For readiness waits: the socket fds reported ready, with their events.
    pub ready: Vec<WaitFd>,
    /// The call as `strace -f` prints it (see `strace`), when asked for:
    /// `recvfrom(5,  <unfinished ...>` in a `Begin`, the whole line in an `End`.
    pub strace: Option<String>,
    /// An in-out length as the call was given it (accept's addrlen,
    /// recvmsg's msg_namelen), for strace's `[128 => 16]`.
    pub len_in: Option<u32>,
}

/// Payload previews are capped at this many bytes.
pub const PREVIEW_CAP: usize = 256;

/// How a process came under the tracer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Started by sockscope (reported at its first exec).
    Spawned,
    /// Forked or cloned (not a thread) by a traced process.
    Forked { parent: u32 },
    /// Replaced its program with execve.
    Exec,
    /// Attached with `-p`.
    Attached,
}

/// How a socket came to the tracer's notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SockOrigin {
    Created,
    Accepted {
        listener: SockId,
    },
    /// Duplicated from another fd of the same process (dup, F_DUPFD).
    Dup {
        from: SockId,
    },
    /// Already open when first seen: inherited, or open at attach.
    Seen,
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Code(i32),
    Signal(i32),
}

impl ExitStatus {
    /// As a shell reports it: the code, or 128 + the signal.
    pub fn shell_code(self) -> i32 {
        match self {
            ExitStatus::Code(c) => c,
            ExitStatus::Signal(s) => 128 + s,
        }
    }
}

/// One event from the tracer, in the order the tracer saw it. `seq`
/// numbers calls and process events together, in the order they started.
#[derive(Debug, Clone, PartialEq)]
pub enum TraceEvent {
    /// A process came under the tracer. `exe` is the raw path of its program.
    Process { seq: u64, pid: u32, origin: Origin, exe: Vec<u8>, argv0: Vec<u8>, t_ns: u64 },
    /// A socket fd appeared, with its kind and mode.
    Socket { sock: SockId, kind: SockKind, family: SockFamily, mode: Mode, origin: SockOrigin, t_ns: u64 },
    /// A socket's mode changed (through `sock`; every fd of that socket shares it).
    Mode { sock: SockId, mode: Mode, t_ns: u64 },
    /// An fd stopped being a socket without a traced close (close-on-exec).
    Gone { sock: SockId, t_ns: u64 },
    /// A socket's addresses as the kernel has them, read after a bind,
    /// listen, connect or accept (only with `Options::strace`).
    Addrs { sock: SockId, local: Option<std::net::SocketAddr>, peer: Option<std::net::SocketAddr>, t_ns: u64 },
    /// A call entered the kernel.
    Begin(Call),
    /// A call returned, or will never return (`end_ns` None).
    End(Call),
    /// A process exited.
    Exit { seq: u64, pid: u32, status: ExitStatus, t_ns: u64 },
    /// The tracer let go of a process that goes on running (`-p`).
    Detached { seq: u64, pid: u32, t_ns: u64 },
}
