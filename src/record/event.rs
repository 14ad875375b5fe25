//! The one event type every background thread sends to the front end.

use serde::{Deserialize, Serialize};

use std::net::SocketAddr;
use std::os::fd::RawFd;

use super::call::{Call, Lane, Outcome};

/// Everything the lab reports, in one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Event {
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
    /// `use N`: socket #N is now the current socket.
    Use(u32),
    /// A batch of busy-poll calls on one lane (see `spin`).
    Dense { lane: Lane, calls: Vec<super::dense::Dense> },
    /// Something the user should know, though nothing failed (a listener
    /// open to other machines…).
    Warning(String),
    /// Something went wrong outside any call (a worker thread panicked…).
    Fault(String),
    /// A traced process appeared, or ended (later ones replace earlier ones).
    Process(super::traced::ProcInfo),
    /// A traced program wrote to its stdout or stderr.
    Output(super::traced::Output),
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
    /// A traced call's syscall as it returned (its result, its whole strace line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traced: Option<Box<super::traced::Traced>>,
}

/// What kind of socket a number names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SockKind {
    TcpClient,
    TcpListener,
    TcpAccepted,
    Udp,
    /// `open unix`: an AF_UNIX SOCK_STREAM client.
    UnixClient,
    /// `listen unix`.
    UnixListener,
    /// Accepted from a `listen unix` listener.
    UnixAccepted,
    /// `open unixgram`: an AF_UNIX SOCK_DGRAM socket.
    UnixDgram,
    /// A traced program's socket of another kind (netlink, raw, seqpacket…).
    Other,
}

impl SockKind {
    pub fn word(self) -> &'static str {
        match self {
            SockKind::TcpClient => "tcp",
            SockKind::TcpListener => "tcp listener",
            SockKind::TcpAccepted => "tcp accepted",
            SockKind::Udp => "udp",
            SockKind::UnixClient => "unix",
            SockKind::UnixListener => "unix listener",
            SockKind::UnixAccepted => "unix accepted",
            SockKind::UnixDgram => "unixgram",
            SockKind::Other => "socket",
        }
    }

    /// AF_UNIX rather than AF_INET/AF_INET6.
    pub fn is_unix(self) -> bool {
        matches!(
            self,
            SockKind::UnixClient | SockKind::UnixListener | SockKind::UnixAccepted | SockKind::UnixDgram
        )
    }

    /// SOCK_DGRAM: a zero-length read is an empty datagram, not EOF.
    pub fn is_dgram(self) -> bool {
        matches!(self, SockKind::Udp | SockKind::UnixDgram)
    }

    /// Made by accept (ours or a `serve`'s), not by the user.
    pub fn is_accepted(self) -> bool {
        matches!(self, SockKind::TcpAccepted | SockKind::UnixAccepted)
    }

    pub fn is_listener(self) -> bool {
        matches!(self, SockKind::TcpListener | SockKind::UnixListener)
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
    /// AF_UNIX: the path this socket is bound to (a listener's, an accepted
    /// socket's listener's), if it has one. Absent for IP sockets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_path: Option<String>,
    /// AF_UNIX: the path of the socket at the other end, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_path: Option<String>,
    /// AF_UNIX streams: which connection to the listener at the other end
    /// this is, counting from 0 in connect order (see `Shared::dial`). This
    /// is how `peer …` finds the peer's end: unix peers have no ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair: Option<u64>,
    /// The mode it has from birth when that is not the default: an accepted
    /// socket inherits its listener's SO_RCVTIMEO and SO_SNDTIMEO.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<super::mode::Mode>,
    /// A traced program's socket: the process it belongs to. Its lane is
    /// named `PID:FD`, and a later event's `mode` replaces the mode (the
    /// program changed it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
}
