//! Why a call failed with `error ERRNO`: what each errno means for the call
//! that got it, from the evidence (a listener, a socket never connected, a
//! reset already seen).

use super::io::{evidence, is_dgram, poll_wait, took, waited};
use super::text::named;
use super::{Context, Prev};
use crate::record::{Call, Op, Outcome, PyMode};

const NOSIGNAL: &str =
    "With MSG_NOSIGNAL the kernel returns EPIPE instead of killing the process with SIGPIPE.";

pub fn why(c: &Call, cx: &Context) -> String {
    let connecting = matches!(c.op, Op::Connect | Op::Open);
    let e = evidence(c);
    let listening = e.is_some_and(|e| e.listening);
    let reading = matches!(c.op, Op::Recv | Op::Peek);
    match c.errno {
        libc::ECONNRESET if reading => {
            let rst = "the peer reset the connection (close() with SO_LINGER 0, or close() with data it had not \
                       read)";
            let head = if c.mode.py == PyMode::Blocking && waited(c) {
                format!("recv slept for {} until an RST arrived: {rst}", took(c))
            } else {
                format!("An RST arrived: {rst}")
            };
            format!("{head}. The kernel reports a reset once: the next recv returns b'' (EOF), and a send gets EPIPE.")
        }
        libc::ECONNRESET if c.op == Op::Send => "The peer had reset the connection, and this send was the first \
                                                 call to see it, so it got ECONNRESET. The reset is reported once: \
                                                 the next send gets EPIPE."
            .into(),
        libc::EPIPE if listening => format!(
            "A listening socket has no connection to send on: Linux answers a send on it with EPIPE. Send on a \
             socket that accept() returned instead. {NOSIGNAL}"
        ),
        libc::EPIPE if e.is_some_and(|e| !e.connected && !e.history.eof_seen && !e.history.reset_seen && !e.history.shut_wr) => {
            format!(
                "The socket is not connected (it never was): Linux reports a send on an unconnected TCP socket as \
                 EPIPE, not ENOTCONN. {NOSIGNAL}"
            )
        }
        libc::EPIPE if e.is_some_and(|e| e.history.shut_wr) => format!(
            "This end was shut down for writing (shutdown SHUT_WR): a send after that fails with EPIPE. \
             {NOSIGNAL}"
        ),
        libc::EPIPE if sent_after_fin(cx.prev) => format!(
            "The peer had closed (a FIN), so our previous send still went through, but the peer's kernel answered \
             that data with an RST; this send hits the reset and gets EPIPE. {NOSIGNAL}"
        ),
        libc::EPIPE if e.is_some_and(|e| e.history.reset_seen || e.history.epipe_seen) => format!(
            "The connection was reset earlier (reported once, as ECONNRESET or EPIPE): every send since fails \
             with EPIPE. {NOSIGNAL}"
        ),
        libc::EPIPE => format!(
            "This connection can no longer send: the peer closed and its kernel answered our earlier data with an \
             RST (or this end was shut down for writing). {NOSIGNAL}"
        ),
        libc::ECONNREFUSED if connecting && !is_dgram(c, cx) => {
            if poll_wait(c).is_some() {
                "connect() returned EINPROGRESS at once (on a non-blocking fd a refusal is not immediate); poll() \
                 then reported POLLERR, and SO_ERROR held ECONNREFUSED: nothing listens on that port."
                    .into()
            } else if c.mode.py == PyMode::Blocking {
                "Nothing listens on that port: the other side answered the SYN with an RST, so connect() failed at \
                 once."
                    .into()
            } else {
                "Nothing listens on that port. On a non-blocking socket the first connect() only says EINPROGRESS; \
                 the refusal is reported by a later connect() (or by SO_ERROR)."
                    .into()
            }
        }
        libc::ECONNREFUSED => "An earlier datagram drew an ICMP port-unreachable: nothing listens at the \
                               destination. A connected UDP socket reports that once, on a later call."
            .into(),
        libc::EISCONN => "The socket is already connected, so another connect() fails with EISCONN.".into(),
        libc::EALREADY => "An earlier non-blocking connect() on this socket is still in progress (the handshake has \
                           not finished), so connect() fails with EALREADY."
            .into(),
        libc::ENOTCONN if listening => format!(
            "A listening socket has no connection of its own: {} works only on a connected socket. accept() a \
             connection and use the socket it returns.",
            c.op.word()
        ),
        libc::ENOTCONN => format!("The socket is not connected, so {} has no connection to use.", c.op.word()),
        libc::EBADF => "The socket's fd was already closed: Python raises OSError: [Errno 9] Bad file descriptor."
            .into(),
        libc::EINVAL if c.op == Op::Accept => "accept() works only on a listening socket: on one that is not \
                                               listening, or a listener that was shut down, it fails with EINVAL."
            .into(),
        libc::EMSGSIZE => "The datagram is larger than UDP allows (at most 65,507 bytes of payload over IPv4).".into(),
        n => format!("The kernel returned {}.", named(n)),
    }
}

/// The call before was a send that went through: an EPIPE now is the RST
/// that send drew from a closed peer.
fn sent_after_fin(prev: Option<Prev>) -> bool {
    prev.is_some_and(|p| p.op == Op::Send && matches!(p.outcome, Outcome::Sent | Outcome::Partial))
}
