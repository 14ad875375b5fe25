//! The values the parser produces. Addresses stay unresolved text here:
//! resolving a hostname is I/O, so the executor does it.

use serde::{Deserialize, Serialize};

use std::time::Duration;

/// Largest recv/send size accepted (64 MiB).
pub const MAX_SIZE: u64 = 64 * 1024 * 1024;

/// One parsed command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `open tcp [ADDR]` / `open udp [ADDR]`: with no address, paired with the embedded peer.
    Open { proto: Proto, addr: Option<Addr> },
    /// `listen [ADDR]`: a TCP listener (default 127.0.0.1:0).
    Listen { addr: Option<Addr> },
    /// `socket tcp|udp|tcp6|udp6`: a new, unconnected socket (IPv4, or IPv6
    /// with the `6` forms, so it can connect to `[v6]:port`).
    Socket { proto: Proto, v6: bool },
    /// `open unix [PATH]` / `open unixgram [PATH]`: an AF_UNIX socket; with
    /// no path, paired with the embedded peer.
    OpenUnix { kind: UnixKind, path: Option<String> },
    /// `listen unix [PATH]`: an AF_UNIX stream listener (with no path, at a
    /// fresh path in sockscope's private temp directory).
    ListenUnix { path: Option<String> },
    /// `use N`
    Use(u32),
    /// `blocking`, `nonblocking`, `timeout …`, `rcvtimeo …`, `sndtimeo …`
    Mode(ModeSet),
    /// A call on the current socket: `recv`, `peek`, `send`, `accept`,
    /// `connect`, `shutdown`, `close`.
    Call(SockCall),
    /// `peer …`
    Peer(PeerCmd),
    /// `wait DUR`
    Wait(Duration),
    /// `expect OUTCOME [N]`
    Expect(Expectation),
    /// `say TEXT`
    Say(String),
    /// `spin recv [SIZE] COUNT|DUR`
    Spin { size: u64, limit: SpinLimit },
    /// `poll add [N] read|write|both`
    PollAdd { sock: Option<u32>, interest: Interest },
    /// `poll wait [DUR]`
    PollWait(Option<Duration>),
    /// `poll drain on|off`
    PollDrain(bool),
    /// `serve blocking|eventloop [N]`: an echo server on the current
    /// listener that serves N clients (default 3) and stops.
    Serve { kind: ServeKind, clients: u32 },
    /// `export python [--harness] PATH`: the commands run so far, as the
    /// learner's plain script (or the faithful harness).
    Export { path: String, harness: bool },
}

impl Command {
    /// The kind `expect CALL …` names this command's call by, if it is a
    /// call that has one.
    pub fn call_kind(&self) -> Option<CallKind> {
        match self {
            Command::Call(call) => call.kind(),
            _ => None,
        }
    }
}

/// A socket call, from the language to the worker that makes it. Each
/// variant has its module in `ops`.
#[derive(Debug, Clone, PartialEq)]
pub enum SockCall {
    /// `recv [SIZE]` (default 1024)
    Recv { size: u64 },
    /// `peek [SIZE]` (default 1024): recv with MSG_PEEK, the data stays queued.
    Peek { size: u64 },
    /// `send TEXT | send SIZE`
    Send(Payload),
    /// `accept`
    Accept,
    /// `connect [ADDR]`: with no address, the embedded peer's listener.
    Connect(Option<Addr>),
    /// `shutdown rd|wr|both`
    Shutdown(How),
    /// `close`
    Close,
}

impl SockCall {
    /// Mode-changing and ending calls act at once on a busy socket, as
    /// from a second thread; data calls wait their turn or run beside.
    pub fn is_control(&self) -> bool {
        matches!(self, SockCall::Shutdown(_) | SockCall::Close)
    }

    /// The kind `expect CALL …` names this call by, if it has one (see
    /// also [`Command::call_kind`]).
    pub fn kind(&self) -> Option<CallKind> {
        match self {
            SockCall::Recv { .. } => Some(CallKind::Recv),
            SockCall::Peek { .. } => Some(CallKind::Peek),
            SockCall::Send(_) => Some(CallKind::Send),
            SockCall::Accept => Some(CallKind::Accept),
            SockCall::Connect(_) => Some(CallKind::Connect),
            SockCall::Shutdown(_) | SockCall::Close => None,
        }
    }
}

/// How `serve` handles its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServeKind {
    /// One client at a time: accept, then a blocking recv and a send.
    Blocking,
    /// All clients at once, through one mio event loop.
    EventLoop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
}

/// Which AF_UNIX socket type `open unix|unixgram` makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnixKind {
    /// `unix`: SOCK_STREAM.
    Stream,
    /// `unixgram`: SOCK_DGRAM.
    Datagram,
}

impl UnixKind {
    /// The word the language uses: `unix` or `unixgram`.
    pub fn word(self) -> &'static str {
        match self {
            UnixKind::Stream => "unix",
            UnixKind::Datagram => "unixgram",
        }
    }
}

/// Longest AF_UNIX path: `sun_path` holds 108 bytes with the closing NUL.
pub const MAX_UNIX_PATH: usize = 107;

/// An address as written: `host:port` or `[v6]:port`. Not yet resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addr {
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// A mode command, exactly as DESIGN.md's mode table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ModeSet {
    Blocking,
    Nonblocking,
    /// `timeout SECS`; `None` is `timeout none` (= blocking). `Some(ZERO)` is Python's `settimeout(0)`.
    Timeout(Option<Duration>),
    /// `rcvtimeo SECS`: SO_RCVTIMEO. Zero means "forever" in the kernel.
    RcvTimeo(Duration),
    /// `sndtimeo SECS`: SO_SNDTIMEO. Zero means "forever" in the kernel.
    SndTimeo(Duration),
}

/// What a `send` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Text(Vec<u8>),
    /// That many filler bytes.
    Size(u64),
}

impl Payload {
    pub fn len(&self) -> u64 {
        match self {
            Payload::Text(t) => t.len() as u64,
            Payload::Size(n) => *n,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum How {
    Read,
    Write,
    Both,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PeerCmd {
    Send { payload: Payload, after: Option<Duration> },
    Pause,
    Resume,
    Close,
    Reset,
    ShutdownWr,
    Connect(u32),
}

/// `expect OUTCOME [N]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// `expect recv eof`: the latest call of this kind, not just the latest
    /// call (a blocked recv checked after a shutdown or close was made).
    pub call: Option<CallKind>,
    pub outcome: ExpectOutcome,
    /// For data/sent/partial: the byte count; for accepted: the new socket number.
    pub n: Option<u64>,
}

/// The calls `expect` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallKind {
    Recv,
    Peek,
    Send,
    Accept,
    Connect,
}

impl CallKind {
    pub fn word(self) -> &'static str {
        match self {
            CallKind::Recv => "recv",
            CallKind::Peek => "peek",
            CallKind::Send => "send",
            CallKind::Accept => "accept",
            CallKind::Connect => "connect",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectOutcome {
    Data,
    Eof,
    Sent,
    Partial,
    WouldBlock,
    Timeout,
    InProgress,
    Accepted,
    Connected,
    Blocking,
    /// `error ERRNO`, the name upper-cased (e.g. "ECONNRESET").
    Error(String),
    /// `expect events [N]`: the latest `poll wait` reported N readiness
    /// events (any number above zero when N is left out).
    Events,
    /// `expect queued [N]`: the current socket's receive queue holds N bytes
    /// now (FIONREAD; any number above zero when N is left out).
    Queued,
    /// `expect slowest over DUR`: the slowest client of the latest
    /// `peer connect` waited longer than DUR for its echo.
    SlowestOver(std::time::Duration),
    /// `expect slowest under DUR`: every client got its echo within DUR.
    SlowestUnder(std::time::Duration),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpinLimit {
    Count(u64),
    For(Duration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interest {
    Read,
    Write,
    Both,
}

/// A command with where it came from, for `file:line` messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub line: usize,
    pub cmd: Command,
}
