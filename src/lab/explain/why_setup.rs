//! Level 3 for everything that is not a recv/send/accept/connect: set-up,
//! mode changes (with the kernel read-back), shutdown, close, and what the
//! peer did.

use std::time::Duration;

use super::text::{bytes, set};
use super::why::named;
use super::{Context, fd, poll_ms, target};
use crate::command::How;
use crate::lab::SockKind;
use crate::lab::call::{Arg, Call, Op, Outcome};
use crate::lab::mode::PyMode;
use crate::lab::peer::AFTER_OURS;

const STILL_BLOCKED: &str = "A call already blocked keeps waiting: the new mode applies from the next call.";

pub fn ours(c: &Call, ctx: &Context) -> String {
    if c.outcome == Outcome::Error {
        return super::why_error::text(c, ctx);
    }
    let addr = || match c.arg {
        Arg::Addr(a) => a.to_string(),
        _ => target(c).map_or_else(|| "its address".into(), |a| a.to_string()),
    };
    match c.op {
        Op::Open => format!(
            "A UDP socket connected to {}. connect() on UDP sends nothing: it only sets where send() goes.",
            addr()
        ),
        Op::Listen => format!(
            "A TCP listener on {}. Clients that connect wait in its accept queue until accept() takes them.",
            addr()
        ),
        Op::Socket => "A new, unconnected socket. Like every new socket it starts blocking; set its mode before \
                       connect() to see a non-blocking connect."
            .into(),
        Op::Shutdown => match c.arg {
            Arg::How(How::Read) => "No FIN is sent. From now on a recv with nothing queued returns b'' (EOF) at \
                                    once instead of waiting, yet data the peer sends later can still be read."
                .into(),
            Arg::How(How::Write) => "shutdown(SHUT_WR) sends a FIN: the peer's recv returns b'' once it has read \
                                     everything. This end can still receive."
                .into(),
            _ => "shutdown(SHUT_RDWR) sends a FIN and ends both directions: recv now returns b'' (EOF) at once, \
                  and the peer sees EOF."
                .into(),
        },
        Op::Close => match ctx.kind {
            Some(SockKind::TcpListener) => {
                format!("close() released fd {}: the listener accepts no more connections.", fd(ctx))
            }
            Some(SockKind::Udp) => format!("close() released fd {}; for UDP nothing is sent.", fd(ctx)),
            _ => format!(
                "close() released fd {}. On a connected TCP socket the kernel sends a FIN, or an RST if \
                 received data was left unread.",
                fd(ctx)
            ),
        },
        op if op.is_mode() => mode(c),
        _ => format!("{} ended as {}.", c.op.word(), c.label()),
    }
}

/// A timer as the kernel holds it: `0.2 s`, or `0 (forever)`.
fn held(us: u64) -> String {
    if us == 0 { "0 (wait forever)".into() } else { set(Duration::from_micros(us)) }
}

fn mode(c: &Call) -> String {
    let kernel = c.kernel.map_or_else(String::new, |k| format!(" (the kernel holds: {k})"));
    match c.op {
        Op::Blocking => format!(
            "O_NONBLOCK is now clear{kernel}: a call that cannot complete sleeps until it can. {STILL_BLOCKED}"
        ),
        Op::Nonblocking => format!(
            "O_NONBLOCK is now set{kernel}: a call that would have to wait returns EAGAIN at once (Python: \
             BlockingIOError). {STILL_BLOCKED}"
        ),
        Op::Timeout => match c.mode.py {
            PyMode::Timeout(t) if !t.is_zero() => format!(
                "Like CPython, sockscope sets O_NONBLOCK and keeps the timeout itself{kernel}: each call first \
                 waits in poll() for up to {} ms, and if that runs out the call is never made. {STILL_BLOCKED}",
                poll_ms(t)
            ),
            _ => format!(
                "settimeout(0) is the same as setblocking(False): O_NONBLOCK is now set{kernel}, so a call that \
                 would wait returns EAGAIN at once. To the kernel a zero timeout means the opposite: \
                 SO_RCVTIMEO 0 waits forever."
            ),
        },
        _ => timer(c),
    }
}

fn timer(c: &Call) -> String {
    let recv = c.op == Op::RcvTimeo;
    let (name, calls) = if recv { ("SO_RCVTIMEO", "recv or accept") } else { ("SO_SNDTIMEO", "send") };
    let asked = match c.arg {
        Arg::Secs(d) => d,
        _ => Duration::ZERO,
    };
    let got = c.kernel.map(|k| if recv { k.rcvtimeo_us } else { k.sndtimeo_us });
    if asked.is_zero() {
        return format!(
            "To the kernel, {name} 0 means wait forever: a blocking {calls} now has no time limit. Python's \
             settimeout(0) means the opposite: don't wait at all."
        );
    }
    let mut s = if recv {
        format!(
            "{name} is now {}: while the fd is blocking, a {calls} sleeps at most that long and then returns \
             EAGAIN (Python: BlockingIOError, not TimeoutError).",
            got.map_or_else(|| set(asked), held)
        )
    } else {
        format!(
            "{name} is now {}: while the fd is blocking, a send that finds the buffer full sleeps at most that \
             long, then returns the bytes copied so far, or EAGAIN if none.",
            got.map_or_else(|| set(asked), held)
        )
    };
    if let Some(us) = got.filter(|&us| us != asked.as_micros() as u64) {
        s.push_str(&format!(" The kernel rounded {} to {}: it counts in jiffies.", set(asked), held(us)));
    }
    match c.mode.py {
        PyMode::NonBlocking => s.push_str(" Right now the fd is non-blocking, and O_NONBLOCK wins."),
        PyMode::Timeout(t) if t.is_zero() => {
            s.push_str(" Right now the fd is non-blocking, and O_NONBLOCK wins.")
        }
        PyMode::Timeout(_) => s.push_str(" In timeout mode poll() decides, and this timer plays no part."),
        PyMode::Blocking => {}
    }
    s
}

/// What the embedded peer did, from our side's point of view.
pub fn peer(c: &Call, ctx: &Context) -> String {
    let udp = ctx.kind == Some(SockKind::Udp);
    let n = bytes(c.bytes.unwrap_or(0));
    if c.outcome == Outcome::Error {
        return format!("The peer's {} failed with {}.", c.op.word(), named(c.errno));
    }
    match (c.op, c.outcome) {
        (Op::Send, Outcome::Partial) => format!(
            "The peer's kernel took only {n}: our receive queue is full. The peer writes the rest when there \
             is room."
        ),
        (Op::Send, _) if udp => format!("The peer sent a datagram of {n} to our socket."),
        (Op::Send, _) => {
            format!("The peer wrote {n}; on loopback they are in our receive queue by the time its send returns.")
        }
        (Op::Recv, Outcome::Eof) => "The peer read EOF: our side closed or shut down its writing side.".into(),
        (Op::Recv, _) => format!("The peer read {n} that we sent, which makes room for more."),
        (Op::Close, _) if matches!(&c.arg, Arg::Note(n) if **n == *AFTER_OURS) => {
            "Our end was closed, so the peer closed its end too, as a server does once it has read the EOF: \
             nothing more can happen on the connection. Left open, its end would wait in CLOSE-WAIT and \
             keep an fd for good. A datagram socket has no EOF: the peer closes the one paired with ours at \
             once."
                .into()
        }
        (Op::Close, _) if udp => "The peer closed its UDP socket; nothing is sent. A datagram we send there now \
                                  draws an ICMP port-unreachable, reported on a later call as ECONNREFUSED."
            .into(),
        (Op::Close, _) => "The peer closed its socket: its kernel sends a FIN (an RST instead, if data we sent was \
                           left unread). After a FIN, our recv returns b'' once the data before it is read; our first send \
                           still succeeds, the peer's kernel answers it with an RST, and the next send gets EPIPE."
            .into(),
        (Op::Reset, _) => "The peer set SO_LINGER to {on, 0 s} and closed, so its kernel sent an RST instead of a \
                           FIN. Our next recv or send fails once with ECONNRESET; after that recv returns b'' and \
                           send gets EPIPE."
            .into(),
        (Op::Shutdown, _) => "The peer shut down its writing side: a FIN. Our recv returns b'' once the data before \
                              it is read, but the peer still reads what we send."
            .into(),
        (Op::Pause, _) => "The peer stopped reading (no syscall: it just stops calling recv). What we send piles \
                           up in its receive queue, then in our send buffer; once both are full, a blocking send \
                           sleeps and a non-blocking one returns a partial count or EAGAIN."
            .into(),
        (Op::Resume, _) => "The peer reads again: its receive queue drains, our send buffer empties, and a send \
                            waiting for room can finish."
            .into(),
        (Op::Connect, _) => "A client of the peer connected to our listener. The connection waits in the \
                             listener's accept queue until accept() takes it."
            .into(),
        _ => format!("The peer's {} ended as {}.", c.op.word(), c.label()),
    }
}
