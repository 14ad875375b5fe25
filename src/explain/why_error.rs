//! Level 3 for `error ERRNO`: what each errno means for the call that got it.

use super::why::named;
use super::{Context, is_udp, poll_wait, took, waited};
use crate::record::call::{Call, Op, Outcome};
use crate::record::mode::PyMode;

const NOSIGNAL: &str =
    "With MSG_NOSIGNAL the kernel returns EPIPE instead of killing the process with SIGPIPE.";

pub fn text(c: &Call, ctx: &Context) -> String {
    let connecting = matches!(c.op, Op::Connect | Op::Open);
    match c.errno {
        libc::ECONNRESET if c.op == Op::Recv => {
            let rst = "the peer reset the connection (close() with SO_LINGER 0, or close() with data it had \
                       not read)";
            let head = if c.mode.py == PyMode::Blocking && waited(c) {
                format!("recv slept for {} until an RST arrived: {rst}", took(c))
            } else {
                format!("An RST arrived: {rst}")
            };
            format!(
                "{head}. The kernel reports a reset once: the next recv returns b'' (EOF), and a send gets EPIPE."
            )
        }
        libc::ECONNRESET if c.op == Op::Send => {
            "The peer had reset the connection, and this send was the first call to see it, so it got \
             ECONNRESET. The reset is reported once: the next send gets EPIPE."
                .into()
        }
        libc::EPIPE => {
            if ctx.prev.is_some_and(|p| p.op == Op::Send && matches!(p.outcome, Outcome::Sent | Outcome::Partial))
            {
                format!(
                    "The peer had closed (a FIN), so our previous send still went through, but the peer's kernel \
                     answered that data with an RST; this send hits the reset and gets EPIPE. {NOSIGNAL}"
                )
            } else {
                format!(
                    "This connection can no longer send: the peer closed and its kernel answered our earlier data \
                     with an RST (or a reset was already reported, or this end was shut down for writing). \
                     {NOSIGNAL}"
                )
            }
        }
        libc::ECONNREFUSED if connecting && !is_udp(c, ctx) => {
            if poll_wait(c.mode).is_some() {
                "connect() returned EINPROGRESS at once (on a non-blocking fd a refusal is not immediate); \
                 poll() then reported POLLERR, and SO_ERROR held ECONNREFUSED: nothing listens on that port."
                    .into()
            } else if c.mode.py == PyMode::Blocking {
                "Nothing listens on that port: the other side answered the SYN with an RST, so connect() \
                 failed at once."
                    .into()
            } else {
                "Nothing listens on that port. On a non-blocking socket the first connect() only says \
                 EINPROGRESS; the refusal is reported by a later connect() (or by SO_ERROR)."
                    .into()
            }
        }
        libc::ECONNREFUSED => "An earlier datagram drew an ICMP port-unreachable: nothing listens at the \
                               destination. A connected UDP socket reports that once, on a later call."
            .into(),
        libc::EISCONN => "The socket is already connected, so another connect() fails with EISCONN.".into(),
        libc::EALREADY => "An earlier non-blocking connect() on this socket is still in progress (the handshake \
                           has not finished), so connect() fails with EALREADY."
            .into(),
        libc::ENOTCONN => format!("The socket is not connected, so {} has no connection to use.", c.op.word()),
        libc::EBADF => "The socket's fd was already closed.".into(),
        libc::EINVAL if c.op == Op::Accept => "accept() works only on a listening socket: on one that is not \
                                               listening, or a listener that was shut down, it fails with EINVAL."
            .into(),
        libc::EMSGSIZE => {
            "The datagram is larger than UDP allows (at most 65,507 bytes of payload over IPv4).".into()
        }
        e => format!("The kernel returned {}.", named(e)),
    }
}
