//! The one event type every background thread sends to the front end.

use serde::{Deserialize, Serialize};

use std::net::SocketAddr;
use std::os::fd::RawFd;

use super::call::{Call, Lane, Outcome};

/// Everything the lab reports, in one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LabEvent {
    /// A call entered the kernel; its outcome is `Blocking` until its `End`.
    Begin(Call),
    /// The call with this `seq` returned.
    End(CallEnd),
    /// A complete record: set-up, mode change, peer action, narration.
    Instant(Call),
    /// A socket appeared (open, listen, socket, accept), or its addresses
    /// changed (connect). Later ones replace earlier ones.
    Socket(SockInfo),
    /// A socket was closed; its number is not reused.
    Closed(u32),
    /// A batch of busy-poll calls on one lane (see `spin`).
    Dense { lane: Lane, calls: Vec<super::spin::Dense> },
    /// Something the user should know, though nothing failed (a listener
    /// open to other machines…).
    Warning(String),
    /// Something went wrong outside any call (a worker thread panicked…).
    Fault(String),
}

/// The end of a call begun earlier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallEnd {
    pub seq: u64,
    pub lane: Lane,
    pub end_ns: u64,
    pub outcome: Outcome,
    pub errno: i32,
    pub bytes: Option<u64>,
    pub preview: Option<Box<[u8]>>,
    /// A new argument, when the call's end adds to it (a spin's tallies).
    pub arg: Option<super::call::Arg>,
}

/// What kind of socket a number names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SockKind {
    TcpClient,
    TcpListener,
    TcpAccepted,
    Udp,
}

impl SockKind {
    pub fn word(self) -> &'static str {
        match self {
            SockKind::TcpClient => "tcp",
            SockKind::TcpListener => "tcp listener",
            SockKind::TcpAccepted => "tcp accepted",
            SockKind::Udp => "udp",
        }
    }
}

/// A socket as it was when it appeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SockInfo {
    pub id: u32,
    pub kind: SockKind,
    pub fd: RawFd,
    pub local: Option<SocketAddr>,
    pub remote: Option<SocketAddr>,
}
