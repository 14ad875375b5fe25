//! One call on the timeline: what was asked, in which mode, and what the
//! kernel answered.

use serde::{Deserialize, Serialize};

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use super::mode::{KernelView, Mode, secs};
use super::sys::errno_name;
use crate::command::{How, ModeSet, Proto};

/// Where a record is drawn: a socket's lane, the peer's lane, or narration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Lane {
    Sock(u32),
    Peer,
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
    How(How),
    Secs(Duration),
    Count(u32),
    Note(Box<str>),
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
            Arg::How(h) => match h {
                How::Read => "rd",
                How::Write => "wr",
                How::Both => "both",
            }
            .into(),
            Arg::Secs(d) => secs(*d),
            Arg::Note(t) => t.to_string(),
        })
    }
}

/// Bytes made safe for any terminal: printable text stays, everything else
/// (control bytes, escape sequences, invalid UTF-8) becomes `\n`, `\xNN`, `\u{…}`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                }
                c if c.is_control() || is_invisible(c) => {
                    out.push_str(&format!("\\u{{{:x}}}", c as u32));
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Format and bidi controls that could reorder or hide what is shown.
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2069 | 0xfeff)
}

impl fmt::Display for Lane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lane::Sock(n) => write!(f, "#{n}"),
            Lane::Peer => f.write_str("peer"),
            Lane::Script => f.write_str("say"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_terminal_controls() {
        assert_eq!(escape(b"hi\x1b]0;t\x07\n"), "hi\\x1b]0;t\\x07\\n");
        assert_eq!(escape(b"\xff\x00ok"), "\\xff\\x00ok");
        assert_eq!(escape("\u{9b}2J".as_bytes()), "\\u{9b}2J");
        assert_eq!(escape("é".as_bytes()), "é");
    }
}
