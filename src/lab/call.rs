//! One call on the timeline: what was asked, in which mode, and what the
//! kernel answered.

use serde::{Deserialize, Serialize};

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use super::mode::{KernelView, Mode, secs};
use super::sys::errno_name;
use crate::command::{How, Interest, ModeSet, Proto, ServeKind, UnixKind};

/// Where a record is drawn: a socket's lane, the peer's lane, or narration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Lane {
    Sock(u32),
    Peer,
    /// The event loop (mio): its waits and the readiness they report.
    Loop,
    /// A peer client made by `peer connect` while a `serve` runs.
    Client(u32),
    Script,
}

/// What was called. Socket set-up, mode changes, peer actions and
/// narration are recorded too, so the timeline tells the whole story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Open,
    Listen,
    Socket,
    Recv,
    Send,
    Accept,
    Connect,
    Shutdown,
    Close,
    Blocking,
    Nonblocking,
    Timeout,
    RcvTimeo,
    SndTimeo,
    Pause,
    Resume,
    Reset,
    Say,
    /// `spin recv`: many non-blocking recvs folded into one record.
    Spin,
    /// `poll add`: a socket registered with the event loop.
    PollAdd,
    /// `poll wait`: one epoll_wait.
    PollWait,
    /// `poll drain on|off`.
    PollDrain,
    /// One readiness event reported by a `poll wait`.
    Ready,
    /// `serve blocking|eventloop N` began on a listener.
    Serve,
    /// A peer client's request, from its send until the echo came back.
    Request,
    /// Every client's wait, once the last echo is in.
    Summary,
}

impl Op {
    pub fn word(self) -> &'static str {
        match self {
            Op::Open => "open",
            Op::Listen => "listen",
            Op::Socket => "socket",
            Op::Recv => "recv",
            Op::Send => "send",
            Op::Accept => "accept",
            Op::Connect => "connect",
            Op::Shutdown => "shutdown",
            Op::Close => "close",
            Op::Blocking => "blocking",
            Op::Nonblocking => "nonblocking",
            Op::Timeout => "timeout",
            Op::RcvTimeo => "rcvtimeo",
            Op::SndTimeo => "sndtimeo",
            Op::Pause => "pause",
            Op::Resume => "resume",
            Op::Reset => "reset",
            Op::Say => "say",
            Op::Spin => "spin",
            Op::PollAdd | Op::PollWait | Op::PollDrain | Op::Ready => "poll",
            Op::Serve => "serve",
            Op::Request => "request",
            Op::Summary => "summary",
        }
    }

    /// Mode changes: the ones that have a kernel read-back.
    pub fn is_mode(self) -> bool {
        matches!(self, Op::Blocking | Op::Nonblocking | Op::Timeout | Op::RcvTimeo | Op::SndTimeo)
    }

    pub fn of_mode(m: ModeSet) -> Op {
        match m {
            ModeSet::Blocking | ModeSet::Timeout(None) => Op::Blocking,
            ModeSet::Nonblocking => Op::Nonblocking,
            ModeSet::Timeout(Some(_)) => Op::Timeout,
            ModeSet::RcvTimeo(_) => Op::RcvTimeo,
            ModeSet::SndTimeo(_) => Op::SndTimeo,
        }
    }
}

/// The call's argument, kept small: text payloads live in the preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Arg {
    None,
    /// A recv size, or the length of a filler send.
    Size(u64),
    /// A text send of this many bytes (its first bytes are the preview).
    Text(u64),
    Addr(SocketAddr),
    Proto(Proto, Option<SocketAddr>),
    /// An AF_UNIX path: where `connect` went (ours, or a peer client's).
    Path(Box<str>),
    /// `open unix|unixgram` and the path it connected to; `listen unix` and
    /// the path it bound (always `Stream`).
    Unix(UnixKind, Box<str>),
    How(How),
    Secs(Duration),
    Count(u32),
    Note(Box<str>),
    PollAdd(u32, Interest),
    /// A wait's timeout; `None` waits until something is ready.
    PollWait(Option<Duration>),
    Drain(bool),
    /// Socket #N was ready with these [`ready`] flags.
    Ready(u32, u8),
    Spin(Box<SpinArg>),
    Serve(ServeKind, u32),
}

/// A spin's request and, once it ends, what its calls came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SpinArg {
    pub size: u64,
    /// Stop after this many calls, or after `for_ns` (one of them is set).
    pub count: Option<u64>,
    pub for_ns: Option<u64>,
    pub stats: SpinStats,
}

/// How a spin's calls ended, by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SpinStats {
    pub calls: u64,
    pub wouldblock: u64,
    pub data: u64,
    pub eof: u64,
    pub error: u64,
    pub bytes: u64,
}

/// Readiness flags, as mio names them.
pub mod ready {
    pub const READABLE: u8 = 1;
    pub const WRITABLE: u8 = 2;
    pub const READ_CLOSED: u8 = 4;
    pub const WRITE_CLOSED: u8 = 8;
    pub const ERROR: u8 = 16;
    pub const NAMES: [(u8, &str); 5] = [
        (READABLE, "readable"),
        (WRITABLE, "writable"),
        (READ_CLOSED, "read_closed"),
        (WRITE_CLOSED, "write_closed"),
        (ERROR, "error"),
    ];

    /// `readable|writable`.
    pub fn text(flags: u8) -> String {
        let names: Vec<&str> = NAMES.iter().filter(|(b, _)| flags & b != 0).map(|(_, n)| *n).collect();
        if names.is_empty() { "none".into() } else { names.join("|") }
    }
}

/// Which mechanism ran out, for a `timeout` outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeoutBy {
    /// CPython's way: poll() ran out, so no recv/send was made.
    Poll,
    /// The kernel's SO_RCVTIMEO expired: recv returned EAGAIN after the wait.
    RcvTimeo,
    /// The kernel's SO_SNDTIMEO expired.
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

/// How a call ended. `Blocking` is the state of a call still in the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Blocking,
    Data,
    Eof,
    Sent,
    Partial,
    WouldBlock,
    Timeout(TimeoutBy),
    InProgress,
    Accepted(u32),
    Connected,
    Error,
    /// A readiness event from the event loop.
    Ready,
    /// A set-up step, mode change, shutdown, close or peer action that succeeded.
    Ok,
}

impl Outcome {
    /// The bare word DESIGN.md's JSON uses.
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
            Outcome::Error => "error",
            Outcome::Ready => "ready",
            Outcome::Ok => "ok",
        }
    }
}

/// Payload previews are capped at this many bytes.
pub const PREVIEW_CAP: usize = 256;

/// One record. Everything is inline except the capped preview and, for
/// narration, the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// Numbers records in the order they were issued.
    pub seq: u64,
    pub lane: Lane,
    pub op: Op,
    pub arg: Arg,
    /// The mode when the call was made.
    pub mode: Mode,
    /// For mode changes: what the kernel held afterwards.
    pub kernel: Option<KernelView>,
    /// Nanoseconds since the session began (monotonic), just before the syscall.
    pub start_ns: u64,
    /// Just after the syscall returned; `None` while blocking.
    pub end_ns: Option<u64>,
    pub outcome: Outcome,
    /// The errno the kernel returned, 0 for none.
    pub errno: i32,
    pub bytes: Option<u64>,
    pub preview: Option<Box<[u8]>>,
}

impl Call {
    /// A call entering the kernel: `blocking` until its end is recorded.
    pub fn begin(seq: u64, lane: Lane, op: Op, arg: Arg, mode: Mode, start_ns: u64) -> Call {
        Call {
            seq,
            lane,
            op,
            arg,
            mode,
            kernel: None,
            start_ns,
            end_ns: None,
            outcome: Outcome::Blocking,
            errno: 0,
            bytes: None,
            preview: None,
        }
    }

    /// The same call, finished at `end_ns` with `outcome`.
    pub fn ended(self, end_ns: u64, outcome: Outcome) -> Call {
        Call { end_ns: Some(end_ns), outcome, ..self }
    }
    pub fn duration(&self) -> Option<Duration> {
        self.end_ns.map(|e| Duration::from_nanos(e.saturating_sub(self.start_ns)))
    }

    pub fn errno_name(&self) -> Option<&'static str> {
        (self.errno != 0).then(|| errno_name(self.errno))
    }

    /// A short label like `data 5`, `partial 3/10`, `error ECONNRESET`.
    pub fn label(&self) -> String {
        let n = self.bytes.unwrap_or(0);
        match self.outcome {
            Outcome::Data | Outcome::Sent => format!("{} {n}", self.outcome.word()),
            Outcome::Partial => format!("partial {n}/{}", self.requested().unwrap_or(0)),
            Outcome::Accepted(k) => format!("accepted #{k}"),
            Outcome::Timeout(TimeoutBy::Poll) => "timeout".into(),
            Outcome::Timeout(by) => format!("timeout ({})", by.word()),
            Outcome::Error => format!("error {}", self.errno_name().unwrap_or("?")),
            o => o.word().into(),
        }
    }

    /// How many bytes a send asked for.
    pub fn requested(&self) -> Option<u64> {
        match self.arg {
            Arg::Size(n) | Arg::Text(n) => Some(n),
            _ => None,
        }
    }

    /// The argument as the command language would write it.
    pub fn arg_text(&self) -> Option<String> {
        Some(match &self.arg {
            Arg::None => return None,
            Arg::Size(n) => n.to_string(),
            Arg::Count(n) => n.to_string(),
            Arg::Text(_) => format!("\"{}\"", escape(self.preview.as_deref().unwrap_or(b""))),
            Arg::Addr(a) => a.to_string(),
            Arg::Proto(p, a) => {
                let p = match p {
                    Proto::Tcp => "tcp",
                    Proto::Udp => "udp",
                };
                match a {
                    Some(a) => format!("{p} {a}"),
                    None => p.into(),
                }
            }
            Arg::Path(p) => escape(p.as_bytes()),
            Arg::Unix(k, p) => format!("{} {}", k.word(), escape(p.as_bytes())),
            Arg::How(h) => match h {
                How::Read => "rd",
                How::Write => "wr",
                How::Both => "both",
            }
            .into(),
            Arg::Secs(d) => secs(*d),
            Arg::Note(t) => t.to_string(),
            Arg::PollAdd(n, i) => format!("add #{n} {}", interest_word(*i)),
            Arg::PollWait(Some(d)) => format!("wait {}", secs(*d)),
            Arg::PollWait(None) => "wait".into(),
            Arg::Drain(on) => format!("drain {}", if *on { "on" } else { "off" }),
            Arg::Ready(n, flags) => format!("#{n} {}", ready::text(*flags)),
            Arg::Serve(kind, n) => match kind {
                ServeKind::Blocking => format!("blocking {n}"),
                ServeKind::EventLoop => format!("eventloop {n}"),
            },
            Arg::Spin(s) => match (s.count, s.for_ns) {
                (Some(n), _) => format!("recv {} {n}", s.size),
                (None, Some(ns)) => format!("recv {} {}s", s.size, secs(Duration::from_nanos(ns))),
                (None, None) => format!("recv {}", s.size),
            },
        })
    }
}

fn interest_word(i: Interest) -> &'static str {
    match i {
        Interest::Read => "read",
        Interest::Write => "write",
        Interest::Both => "both",
    }
}

pub use crate::escape::escape;

impl Lane {
    /// One of our sockets' lanes.
    pub fn is_sock(self) -> bool {
        matches!(self, Lane::Sock(_))
    }
}

impl fmt::Display for Lane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lane::Sock(n) => write!(f, "#{n}"),
            Lane::Peer => f.write_str("peer"),
            Lane::Loop => f.write_str("loop"),
            Lane::Client(k) => write!(f, "c{k}"),
            Lane::Script => f.write_str("say"),
        }
    }
}
