//! One call on the timeline: what was asked, in which mode, and what the
//! kernel answered.

use serde::{Deserialize, Serialize};

use std::fmt;
use std::time::Duration;

pub use super::arg::{Arg, SpinArg, SpinStats, ready};
use super::evidence::Evidence;
use super::mode::{KernelView, Mode};
use crate::command::{CallKind, ModeSet, SockCall};
use crate::sys::errno_name;

/// Where a record is drawn: a socket's lane, the peer's lane, or narration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    Sock(u32),
    Peer,
    /// The event loop (mio): its waits and the readiness they report.
    Loop,
    /// A peer client made by `peer connect` while a `serve` runs.
    Client(u32),
    Script,
    /// A traced process's readiness waits (poll, select, epoll): `PID:loop`.
    ProcLoop(u32),
}

/// What was called. Socket set-up, mode changes, peer actions and
/// narration are recorded too, so the timeline tells the whole story. Each
/// variant is explained by one module of `ops` (see `ops::describe`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Open,
    Listen,
    Socket,
    Recv,
    /// recv with MSG_PEEK: the data stays queued.
    Peek,
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
    /// The embedded peer (or one of its clients) sent, on its own socket.
    PeerSend,
    /// The peer read what we sent.
    PeerRecv,
    /// `peer close`: close() (a FIN).
    PeerClose,
    /// `peer reset`: SO_LINGER 0 and close() (an RST).
    PeerReset,
    /// `peer shutdown wr`.
    PeerShutdown,
    /// A peer client connected to our listener (`peer connect`).
    PeerConnect,
    /// The peer accepted a connection of ours.
    PeerAccept,
    /// `peer pause`: the peer stops reading.
    PeerPause,
    /// `peer resume`.
    PeerResume,
    /// A traced program's bind().
    Bind,
    /// A traced program's fcntl, ioctl or setsockopt that leaves the mode as it was.
    Control,
}

/// The record's name for a call of the language.
impl From<&SockCall> for Op {
    fn from(call: &SockCall) -> Op {
        match call {
            SockCall::Recv { .. } => Op::Recv,
            SockCall::Peek { .. } => Op::Peek,
            SockCall::Send(_) => Op::Send,
            SockCall::Accept => Op::Accept,
            SockCall::Connect(_) => Op::Connect,
            SockCall::Shutdown(_) => Op::Shutdown,
            SockCall::Close => Op::Close,
        }
    }
}

/// The call an `expect CALL …` names.
impl From<CallKind> for Op {
    fn from(kind: CallKind) -> Op {
        match kind {
            CallKind::Recv => Op::Recv,
            CallKind::Peek => Op::Peek,
            CallKind::Send => Op::Send,
            CallKind::Accept => Op::Accept,
            CallKind::Connect => Op::Connect,
        }
    }
}

impl Op {
    /// The word the table and JSON use. A peer's action is named as the
    /// call it made; its lane says whose it was.
    pub fn word(self) -> &'static str {
        match self {
            Op::Open => "open",
            Op::Listen => "listen",
            Op::Socket => "socket",
            Op::Recv | Op::PeerRecv => "recv",
            Op::Peek => "peek",
            Op::Send | Op::PeerSend => "send",
            Op::Accept | Op::PeerAccept => "accept",
            Op::Connect | Op::PeerConnect => "connect",
            Op::Shutdown | Op::PeerShutdown => "shutdown",
            Op::Close | Op::PeerClose => "close",
            Op::Blocking => "blocking",
            Op::Nonblocking => "nonblocking",
            Op::Timeout => "timeout",
            Op::RcvTimeo => "rcvtimeo",
            Op::SndTimeo => "sndtimeo",
            Op::PeerPause => "pause",
            Op::PeerResume => "resume",
            Op::PeerReset => "reset",
            Op::Say => "say",
            Op::Spin => "spin",
            Op::PollAdd | Op::PollWait | Op::PollDrain | Op::Ready => "poll",
            Op::Serve => "serve",
            Op::Request => "request",
            Op::Summary => "summary",
            Op::Bind => "bind",
            Op::Control => "control",
        }
    }

    /// Mode changes: the ones that have a kernel read-back.
    pub fn is_mode(self) -> bool {
        matches!(self, Op::Blocking | Op::Nonblocking | Op::Timeout | Op::RcvTimeo | Op::SndTimeo)
    }

    /// Something the embedded peer (or a client of it) did.
    pub fn is_peer(self) -> bool {
        matches!(
            self,
            Op::PeerSend
                | Op::PeerRecv
                | Op::PeerClose
                | Op::PeerReset
                | Op::PeerShutdown
                | Op::PeerConnect
                | Op::PeerAccept
                | Op::PeerPause
                | Op::PeerResume
                | Op::Request
        )
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

/// Which mechanism ran out, for a `timeout` outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeoutBy {
    /// CPython's way: poll() ran out, so no recv/send was made.
    #[serde(rename = "poll")]
    Poll,
    /// The kernel's SO_RCVTIMEO expired: recv returned EAGAIN after the wait.
    #[serde(rename = "SO_RCVTIMEO")]
    RcvTimeo,
    /// The kernel's SO_SNDTIMEO expired.
    #[serde(rename = "SO_SNDTIMEO")]
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
#[serde(rename_all = "lowercase")]
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

    /// How much a reader needs to see this outcome when several calls share
    /// one spot of a drawing: an error first, then a timeout, a call still
    /// in the kernel (its elapsed time is live), wouldblock, eof, data, and
    /// set-up steps and mode changes last. Never 0.
    pub fn salience(self) -> u8 {
        match self {
            Outcome::Blocking => 11,
            Outcome::Error => 10,
            Outcome::Timeout(_) => 9,
            Outcome::WouldBlock => 8,
            Outcome::Partial => 7,
            Outcome::InProgress => 6,
            Outcome::Eof => 5,
            Outcome::Data => 4,
            Outcome::Sent => 3,
            Outcome::Accepted(_) | Outcome::Connected => 3,
            Outcome::Ready => 2,
            Outcome::Ok => 1,
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
    /// The socket as the kernel had it when the call began, and what the
    /// record knew of its history (see [`Evidence`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Box<Evidence>>,
    /// A traced program's call: the real syscall behind it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traced: Option<Box<super::traced::Traced>>,
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
            evidence: None,
            traced: None,
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
            // A traced program's new socket is known by its fd.
            Outcome::Accepted(k) => match self.traced.as_ref().and_then(|t| t.ret) {
                Some(fd) => format!("accepted fd {fd}"),
                None => format!("accepted #{k}"),
            },
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

    /// How many readiness events a finished `poll wait` reported.
    pub fn events(&self) -> Option<u64> {
        match self.arg {
            Arg::PollWait { events, .. } => events.map(u64::from),
            _ => None,
        }
    }

    /// The argument as the command language would write it.
    pub fn arg_text(&self) -> Option<String> {
        self.arg.text(self.preview.as_deref())
    }
}

pub use crate::escape::escape;

impl Lane {
    /// One of our sockets' lanes.
    pub fn is_sock(self) -> bool {
        matches!(self, Lane::Sock(_))
    }

    /// The socket number of one of our sockets' lanes.
    pub fn sock(self) -> Option<u32> {
        match self {
            Lane::Sock(id) => Some(id),
            _ => None,
        }
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
            Lane::ProcLoop(pid) => write!(f, "{pid}:loop"),
        }
    }
}
