//! What was true of a socket when a call began. The explanations are
//! derived from it rather than from the call's mode alone: the same EAGAIN
//! means "the buffer is full" on a connected socket and "nothing can be sent
//! yet" on one still in SYN_SENT.
//!
//! The kernel part is sampled by the worker just before the call (after its
//! buffers are ready, before the clock starts); the history part is filled
//! in by the record's fold from the calls before it on the same socket.

use serde::{Deserialize, Serialize};

use super::mode::KernelView;

/// The address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Family {
    #[serde(rename = "AF_INET")]
    Inet,
    #[serde(rename = "AF_INET6")]
    Inet6,
    #[serde(rename = "AF_UNIX")]
    Unix,
}

/// A TCP connection's state, as TCP_INFO reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TcpState {
    Established,
    SynSent,
    SynRecv,
    FinWait1,
    FinWait2,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    Closing,
}

impl TcpState {
    /// The kernel's number for the state (`tcpi_state`).
    pub fn from_kernel(n: u8) -> Option<TcpState> {
        Some(match n {
            1 => TcpState::Established,
            2 => TcpState::SynSent,
            3 => TcpState::SynRecv,
            4 => TcpState::FinWait1,
            5 => TcpState::FinWait2,
            6 => TcpState::TimeWait,
            7 => TcpState::Close,
            8 => TcpState::CloseWait,
            9 => TcpState::LastAck,
            10 => TcpState::Listen,
            11 => TcpState::Closing,
            _ => return None,
        })
    }

    /// The name as `ss` and the kernel sources print it.
    pub fn name(self) -> &'static str {
        match self {
            TcpState::Established => "ESTABLISHED",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynRecv => "SYN_RECV",
            TcpState::FinWait1 => "FIN_WAIT1",
            TcpState::FinWait2 => "FIN_WAIT2",
            TcpState::TimeWait => "TIME_WAIT",
            TcpState::Close => "CLOSE",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::LastAck => "LAST_ACK",
            TcpState::Listen => "LISTEN",
            TcpState::Closing => "CLOSING",
        }
    }

    /// The peer's FIN has arrived (it will send nothing more).
    pub fn fin_received(self) -> bool {
        matches!(self, TcpState::CloseWait | TcpState::LastAck | TcpState::Closing | TcpState::TimeWait)
    }
}

/// What happened earlier on this socket, as far as its own calls showed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// `shutdown rd` or `shutdown both` succeeded.
    pub shut_rd: bool,
    /// `shutdown wr` or `shutdown both` succeeded.
    pub shut_wr: bool,
    /// A recv returned 0 on this stream socket.
    pub eof_seen: bool,
    /// A call failed with ECONNRESET.
    pub reset_seen: bool,
    /// A send failed with EPIPE.
    pub epipe_seen: bool,
}

impl History {
    /// What a finished call on the socket adds.
    pub fn learn(&mut self, c: &super::call::Call) {
        use super::call::{Op, Outcome};
        use crate::command::How;
        match (c.op, c.outcome, &c.arg) {
            (Op::Shutdown, Outcome::Ok, super::arg::Arg::How(h)) => {
                self.shut_rd |= matches!(h, How::Read | How::Both);
                self.shut_wr |= matches!(h, How::Write | How::Both);
            }
            (Op::Recv | Op::Peek, Outcome::Eof, _) => self.eof_seen = true,
            (_, Outcome::Error, _) if c.errno == libc::ECONNRESET => self.reset_seen = true,
            (_, Outcome::Error, _) if c.errno == libc::EPIPE => self.epipe_seen = true,
            _ => {}
        }
    }
}

/// The socket as the kernel had it when the call began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub family: Family,
    /// SOCK_STREAM (else SOCK_DGRAM).
    pub stream: bool,
    /// SO_ACCEPTCONN: a listening socket.
    pub listening: bool,
    /// TCP_INFO's state (TCP only).
    pub tcp_state: Option<TcpState>,
    /// getpeername() succeeded: there is a peer address.
    pub connected: bool,
    /// FIONREAD: bytes queued to receive. On a datagram socket, the size of
    /// the next datagram only.
    pub rx_queued: u32,
    /// TIOCOUTQ: bytes in the send queue not yet acknowledged.
    pub tx_queued: u32,
    /// O_NONBLOCK and the timers as the kernel holds them (rounded to its tick).
    pub kernel: KernelView,
    #[serde(default)]
    pub history: History,
}

impl Evidence {
    /// A datagram socket (UDP or AF_UNIX SOCK_DGRAM).
    pub fn is_dgram(&self) -> bool {
        !self.stream
    }

    /// TCP, connected or not.
    pub fn is_tcp(&self) -> bool {
        self.stream && self.family != Family::Unix
    }
}
