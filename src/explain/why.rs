//! Level 3, for recv/send/accept/connect: why the call came out as it did,
//! in one or two plain sentences built from the record.

use std::time::Duration;

use super::text::{bytes, set, strerror};
use super::{Context, after_reset, is_udp, poll_ms, poll_wait, took, waited};
use crate::record::call::{Call, Lane, Op, Outcome, TimeoutBy};
use crate::record::mode::PyMode;
use crate::sys::errno_name;

pub fn text(c: &Call, ctx: &Context) -> String {
    if c.lane.is_sock()
        && super::is_unix(c, ctx)
        && let Some(text) = super::why_unix::text(c, ctx)
    {
        return text;
    }
    match c.lane {
        Lane::Sock(_) => match c.op {
            Op::Recv | Op::Send | Op::Accept | Op::Connect => io(c, ctx),
            Op::Open if c.outcome != Outcome::Ok => io(c, ctx),
            Op::Spin | Op::Serve => super::why_serve::text(c, ctx),
            _ => super::why_setup::ours(c, ctx),
        },
        Lane::Peer | Lane::Client(_) => match c.op {
            Op::Request | Op::Summary => super::why_serve::text(c, ctx),
            _ => super::why_setup::peer(c, ctx),
        },
        Lane::Loop => super::why_loop::text(c, ctx),
        Lane::Script => format!("{} ended as {}.", c.op.word(), c.label()),
    }
}

/// The mode as it decides how a call waits.
#[derive(Clone, Copy, PartialEq)]
enum How {
    Blocking,
    NonBlocking,
    /// `timeout 0`: the same as non-blocking.
    Zero,
    /// `timeout T`, T > 0: poll first.
    Timed(Duration),
}

fn how(c: &Call) -> How {
    match c.mode.py {
        PyMode::Blocking => How::Blocking,
        PyMode::NonBlocking => How::NonBlocking,
        PyMode::Timeout(t) if t.is_zero() => How::Zero,
        PyMode::Timeout(t) => How::Timed(t),
    }
}

fn verb(c: &Call) -> &'static str {
    match c.op {
        Op::Recv => "recv",
        Op::Send => "send",
        Op::Accept => "accept",
        _ => "connect",
    }
}

/// The kernel timer that governs this call on a blocking fd, if one was set.
fn timer(c: &Call) -> Option<(&'static str, Duration)> {
    match c.op {
        Op::Recv | Op::Accept => c.mode.rcvtimeo.map(|t| ("SO_RCVTIMEO", t)),
        Op::Send => c.mode.sndtimeo.map(|t| ("SO_SNDTIMEO", t)),
        _ => None,
    }
}

/// A non-zero kernel timer that plays no part because of the mode.
fn idle_timer(c: &Call) -> String {
    match (timer(c), how(c)) {
        (Some((name, t)), How::NonBlocking | How::Zero) if !t.is_zero() => {
            format!(" {name} plays no part: with O_NONBLOCK set the call returns at once.")
        }
        (Some((name, t)), How::Timed(_)) if !t.is_zero() => {
            format!(" {name} plays no part: poll() decides.")
        }
        _ => String::new(),
    }
}

fn io(c: &Call, ctx: &Context) -> String {
    match c.outcome {
        Outcome::Blocking => blocked(c),
        Outcome::Data => data(c, ctx),
        Outcome::Eof => eof(c, ctx),
        Outcome::Sent => sent(c, ctx),
        Outcome::Partial => partial(c),
        Outcome::WouldBlock => would_block(c),
        Outcome::Timeout(TimeoutBy::Poll) => poll_timeout(c),
        Outcome::Timeout(by) => timer_timeout(c, by),
        Outcome::InProgress => in_progress(c),
        Outcome::Accepted(k) => accepted(c, k),
        Outcome::Connected => connected(c, ctx),
        Outcome::Error => super::why_error::text(c, ctx),
        _ => format!("{} ended as {}.", c.op.word(), c.label()),
    }
}

fn blocked(c: &Call) -> String {
    if let Some(t) = poll_wait(c.mode) {
        let ms = poll_ms(t);
        return match c.op {
            Op::Connect | Op::Open => format!(
                "connect() returned EINPROGRESS, and sockscope is inside poll(), waiting up to {ms} ms \
                 for the handshake to finish."
            ),
            _ => {
                let ready = if c.op == Op::Send { "writable" } else { "readable" };
                let v = verb(c);
                format!(
                    "Still inside poll(): like CPython, sockscope waits up to {ms} ms for the socket to \
                     become {ready} before it calls {v}. If that time runs out, {v} is never called."
                )
            }
        };
    }
    if how(c) != How::Blocking {
        return "The call has not returned yet.".into();
    }
    let (syscall, until) = match c.op {
        Op::Recv => ("recvfrom()", "data, a FIN or an RST arrives"),
        Op::Send => ("sendto()", "the peer has read enough to make room in the send buffer"),
        Op::Accept => ("accept4()", "a client connects"),
        _ => ("connect()", "the handshake finishes"),
    };
    let limit = match timer(c) {
        Some((name, t)) if t.is_zero() => format!(
            ". {name} is 0, which to the kernel means wait forever (Python's settimeout(0) means the \
             opposite: don't wait)"
        ),
        Some((name, t)) => format!(", or until {name}'s {} run out", set(t)),
        None => String::new(),
    };
    let wake = if c.op == Op::Recv {
        " Changing the mode now does not wake it: the new mode applies from the next call."
    } else {
        ""
    };
    format!("Still inside {syscall}; the kernel has put the thread to sleep until {until}{limit}.{wake}")
}

fn data(c: &Call, ctx: &Context) -> String {
    let n = c.bytes.unwrap_or(0);
    let size = c.requested().unwrap_or(0);
    let udp = is_udp(c, ctx);
    if udp && n == 0 {
        return "recv returned an empty datagram: for UDP, 0 bytes is a datagram, not EOF.".into();
    }
    let what = if udp { format!("one datagram of {}", bytes(n)) } else { bytes(n) };
    let mut s = match how(c) {
        How::Timed(t) if waited(c) => format!(
            "poll() reported the socket readable after {}, within the {} timeout, and recv then took {what}.",
            took(c),
            set(t)
        ),
        How::Timed(_) => format!("Data was already queued, so poll() returned at once and recv took {what}."),
        How::NonBlocking => {
            format!("Data was already queued, so the non-blocking recv returned {what} at once.")
        }
        How::Zero => format!(
            "Data was already queued, so recv returned {what} at once (timeout 0 is the same as non-blocking)."
        ),
        How::Blocking => {
            let mut s = if waited(c) {
                format!("recv slept for {} until data arrived, then returned {what}", took(c))
            } else {
                format!("Data was already queued, so recv returned {what} at once")
            };
            if !udp && n < size {
                s.push_str(&format!("; it does not wait to fill all {size}"));
            }
            s.push('.');
            match timer(c) {
                Some((name, t)) if t.is_zero() && waited(c) => {
                    s.push_str(&format!(" {name} is 0, which the kernel reads as no limit."));
                }
                Some((name, t)) if waited(c) => s.push_str(&format!(" It came within {name}'s {}.", set(t))),
                _ => {}
            }
            s
        }
    };
    if udp && n == size {
        s.push_str(
            " If the datagram was longer, the rest was discarded: UDP cuts a datagram to the buffer size.",
        );
    }
    s
}

fn eof(c: &Call, ctx: &Context) -> String {
    if after_reset(ctx) {
        return "The RST was reported once, by the ECONNRESET before; since then recv returns 0 (EOF) at \
                once instead of an error, in every mode."
            .into();
    }
    let head = match how(c) {
        How::Blocking if waited(c) => {
            format!("recv slept for {} until the FIN arrived, then returned 0", took(c))
        }
        How::Timed(_) if waited(c) => {
            format!("poll() woke after {} when the FIN arrived, and recv returned 0", took(c))
        }
        _ => "recv returned 0".into(),
    };
    format!(
        "{head} (EOF): the peer closed its writing side with a FIN (or this end was shut down for reading), \
         and everything sent before it has been read. EOF repeats: every later recv returns b'' at once."
    )
}

fn sent(c: &Call, ctx: &Context) -> String {
    let n = bytes(c.bytes.unwrap_or(0));
    if is_udp(c, ctx) {
        return format!("The kernel took one datagram of {n} at once; UDP does not wait for the receiver.");
    }
    if ctx.prev.is_some_and(|p| p.outcome == Outcome::Eof) {
        return "We had read EOF, yet this send succeeded: a FIN only says the peer will send no more. If the \
                peer closed its socket (not just its writing side), its kernel answers this data with an RST, \
                and the next send fails with EPIPE."
            .into();
    }
    match how(c) {
        How::Timed(_) if waited(c) => {
            format!("poll() waited {} for room in the send buffer; then send copied all {n}.", took(c))
        }
        How::Timed(_) => format!("poll() saw room in the send buffer at once, and send copied all {n}."),
        How::Blocking if waited(c) => format!(
            "send slept for {} until the peer had read enough to make room, then returned the full count, {n}.",
            took(c)
        ),
        _ => format!(
            "The send buffer had room, so the kernel copied all {n} at once. Sent means queued in our kernel, \
             not yet read by the peer."
        ),
    }
}

fn partial(c: &Call) -> String {
    let n = c.bytes.unwrap_or(0);
    let m = c.requested().unwrap_or(0);
    match (how(c), c.mode.sndtimeo) {
        (How::Blocking, Some(t)) if !t.is_zero() => format!(
            "SO_SNDTIMEO ({}) ran out after {n} of the {m} bytes had been copied, so the blocking send \
             returned that short count instead of an error.",
            set(t)
        ),
        (How::NonBlocking | How::Zero, _) => format!(
            "The socket is non-blocking and the send buffer had room for only {n} of the {m} bytes, so send \
             took what fit and returned {n}. The other {} were not sent: the program must send them later.",
            bytes(m.saturating_sub(n))
        ),
        (How::Timed(_), _) => format!(
            "poll() reported room in the send buffer, but only {n} of the {m} bytes fit, so send returned {n}; \
             the rest was not sent."
        ),
        _ => format!("send returned only {n} of the {m} bytes; the rest was not sent."),
    }
}

fn would_block(c: &Call) -> String {
    let what = match c.op {
        Op::Recv => "its receive queue was empty",
        Op::Send => "its send buffer was full (the receiver has not read what was sent before)",
        Op::Accept => "no connection was waiting in the listener's accept queue",
        _ => "the call could not complete at once",
    };
    let s = match how(c) {
        How::NonBlocking => format!(
            "The socket is non-blocking and {what}, so the kernel returned at once with EAGAIN instead of waiting."
        ),
        How::Zero => format!(
            "timeout 0 is settimeout(0), the same as setblocking(False): the socket is non-blocking and {what}, \
             so the kernel returned EAGAIN at once instead of waiting."
        ),
        _ => format!("The kernel returned EAGAIN: {what}, and the call was not allowed to wait."),
    };
    s + &idle_timer(c)
}

fn poll_timeout(c: &Call) -> String {
    let Some(t) = poll_wait(c.mode) else {
        return format!("poll() ran out after {}, so {} was never called.", took(c), verb(c));
    };
    let ms = poll_ms(t);
    let s = match c.op {
        Op::Connect | Op::Open => format!(
            "connect() sent the SYN and returned EINPROGRESS; poll() then waited {ms} ms for the handshake, \
             which did not finish in time (a listener whose accept queue is full drops the SYN)."
        ),
        _ => {
            let (wait_for, none) = match c.op {
                Op::Send => ("for room in the send buffer", "The buffer stayed full"),
                Op::Accept => ("for a client", "Nobody connected"),
                _ => ("for data", "Nothing arrived"),
            };
            format!(
                "In timeout mode (settimeout({})) sockscope, like CPython, first waits in poll() {wait_for} for up \
                 to {ms} ms. {none}, so poll ran out after {} and {} was never called.",
                crate::record::mode::secs(t),
                took(c),
                verb(c)
            )
        }
    };
    s + &idle_timer(c)
}

fn timer_timeout(c: &Call, by: TimeoutBy) -> String {
    let (name, t) = match by {
        TimeoutBy::SndTimeo => ("SO_SNDTIMEO", c.mode.sndtimeo),
        _ => ("SO_RCVTIMEO", c.mode.rcvtimeo),
    };
    let t = t.map_or_else(|| "timer".into(), set);
    let slept = match c.op {
        Op::Send => "send slept with a full send buffer",
        Op::Accept => "accept slept with no client",
        _ => "recv slept with nothing to read",
    };
    format!(
        "The fd is blocking with {name} {t}, a kernel timer: {slept}, and when the timer ran out after {} \
         the kernel returned EAGAIN (not ETIMEDOUT). Python's own timeout is None, so it raises \
         BlockingIOError, not TimeoutError.",
        took(c)
    )
}

fn in_progress(c: &Call) -> String {
    let head = match how(c) {
        How::NonBlocking => "The socket is non-blocking, so connect()",
        How::Zero => "timeout 0 is the same as non-blocking, so connect()",
        _ => "connect()",
    };
    format!(
        "{head} sent the SYN and returned at once with EINPROGRESS, even on loopback. The handshake goes on \
         in the kernel: poll for writable and read SO_ERROR, or call connect() again."
    )
}

fn accepted(c: &Call, k: u32) -> String {
    let got = match how(c) {
        How::Timed(_) if waited(c) => {
            format!("poll() reported the listener readable after {}; accept4() then made a new fd", took(c))
        }
        How::Blocking if waited(c) => format!("accept4() slept for {} until a client connected", took(c)),
        _ => "A connection was waiting in the accept queue, so accept4() made a new fd at once".into(),
    };
    format!(
        "{got}: socket #{k}. #{k} starts blocking whatever this listener's mode: Linux does not pass \
         O_NONBLOCK on to an accepted socket."
    )
}

fn connected(c: &Call, ctx: &Context) -> String {
    if is_udp(c, ctx) {
        return "A UDP connect() sends nothing: it only sets the default destination, so it returns at once."
            .into();
    }
    match how(c) {
        How::Timed(_) => format!(
            "connect() sent the SYN and returned EINPROGRESS; poll() saw the socket writable after {}, and \
             SO_ERROR read 0: the handshake is done.",
            took(c)
        ),
        How::NonBlocking | How::Zero => "connect() returned 0: the handshake begun by an earlier non-blocking \
                                         connect() had finished, so this call reports success (not EALREADY). \
                                         One more connect() fails with EISCONN."
            .into(),
        How::Blocking => {
            format!("connect() sent the SYN, waited for the handshake, and returned 0 after {}.", took(c))
        }
    }
}

/// "EPIPE (Broken pipe)".
pub(super) fn named(errno: i32) -> String {
    format!("{} ({})", errno_name(errno), strerror(errno))
}
