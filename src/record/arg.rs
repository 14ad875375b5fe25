//! A call's argument, kept small: text payloads live in the preview.

use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::mode::secs;
use crate::command::{How, Interest, Proto, ServeKind, UnixKind};
use crate::escape::escape;

/// The note on the `close` the peer makes on its own, after ours, so the
/// timeline (and its explanation) can tell it from `peer close`.
pub const AFTER_OURS: &str = "ours closed";

/// The call's argument, kept small: text payloads live in the preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arg {
    None,
    /// A recv size, or the length of a filler send.
    Size(u64),
    /// A text send of this many bytes (its first bytes are the preview).
    Text(u64),
    Addr(SocketAddr),
    Proto(Proto, Option<SocketAddr>),
    /// `open udp` with no address: bound to `local` first, then connected
    /// to the peer's socket at `to`.
    Bound {
        local: SocketAddr,
        to: SocketAddr,
    },
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
    /// A wait's timeout (`None` waits until something is ready) and, once it
    /// returned, how many readiness events it reported.
    PollWait {
        timeout: Option<Duration>,
        events: Option<u32>,
    },
    Drain(bool),
    /// Socket #N was ready with these [`ready`] flags.
    Ready(u32, u8),
    Spin(Box<SpinArg>),
    Serve(ServeKind, u32),
    /// Each serve client's wait for its echo: (client number, nanoseconds).
    Waits(Box<[(u32, u64)]>),
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

impl Arg {
    /// The argument as the command language would write it; a text send
    /// shows its (escaped) preview.
    pub fn text(&self, preview: Option<&[u8]>) -> Option<String> {
        Some(match self {
            Arg::None => return None,
            Arg::Size(n) => n.to_string(),
            Arg::Count(n) => n.to_string(),
            Arg::Text(_) => format!("\"{}\"", escape(preview.unwrap_or(b""))),
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
            Arg::PollWait { timeout: Some(d), .. } => format!("wait {}", secs(*d)),
            Arg::PollWait { timeout: None, .. } => "wait".into(),
            Arg::Bound { to, .. } => format!("udp {to}"),
            Arg::Waits(w) => {
                let parts: Vec<String> =
                    w.iter().map(|&(k, ns)| format!("c{k} {:.1} ms", ns as f64 / 1e6)).collect();
                format!("client waits: {}", parts.join(", "))
            }
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
