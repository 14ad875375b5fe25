//! What the calls that can wait (recv, peek, send, accept, connect) share:
//! how the mode decides the wait, the poll a `timeout T` call makes first,
//! how a result ends a strace line and a Python line, and the sentences on
//! waiting, EAGAIN and timeouts, worded for each call by its module.

use std::time::Duration;

use super::Context;
use super::text::{dur, py_error, set, strace_err};
use crate::record::{Call, Evidence, Outcome, PyMode, SockKind, TimeoutBy};

/// The mode as it decides how a call waits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum How {
    Blocking,
    NonBlocking,
    /// `timeout 0`: the same as non-blocking.
    Zero,
    /// `timeout T`, T > 0: poll first.
    Timed(Duration),
}

pub fn how(c: &Call) -> How {
    match c.mode.py {
        PyMode::Blocking => How::Blocking,
        PyMode::NonBlocking => How::NonBlocking,
        PyMode::Timeout(t) if t.is_zero() => How::Zero,
        PyMode::Timeout(t) => How::Timed(t),
    }
}

/// CPython-style `timeout T` (T > 0): each call waits in poll() first.
pub fn poll_wait(c: &Call) -> Option<Duration> {
    c.mode.py.poll_timeout()
}

/// poll()'s millisecond argument, rounded up as the engine does.
pub fn poll_ms(t: Duration) -> i32 {
    crate::sys::timeout_ms(t)
}

/// Whether the call spent noticeable time in the kernel (not just a copy).
pub fn waited(c: &Call) -> bool {
    c.duration().is_some_and(|d| d >= Duration::from_millis(1))
}

pub fn took(c: &Call) -> String {
    c.duration().map_or_else(|| "?".into(), dur)
}

pub fn fd(cx: &Context) -> String {
    cx.fd.map_or_else(|| "fd".into(), |f| f.to_string())
}

/// A datagram socket (UDP or AF_UNIX SOCK_DGRAM), from the evidence or the socket's kind.
pub fn is_dgram(c: &Call, cx: &Context) -> bool {
    c.evidence.as_ref().map_or_else(|| cx.kind.is_some_and(SockKind::is_dgram), |e| e.is_dgram())
}

/// An AF_UNIX socket, from the evidence or the socket's kind.
pub fn is_unix(c: &Call, cx: &Context) -> bool {
    match &c.evidence {
        Some(e) => e.family == crate::record::Family::Unix,
        None => cx.kind.is_some_and(SockKind::is_unix),
    }
}

pub fn evidence(c: &Call) -> Option<&Evidence> {
    c.evidence.as_deref()
}

/// After an ECONNRESET on this socket, a recv gives EOF instead.
pub fn after_reset(c: &Call, cx: &Context) -> bool {
    evidence(c).is_some_and(|e| e.history.reset_seen)
        || cx.prev.is_some_and(|p| p.outcome == Outcome::Error && p.errno == libc::ECONNRESET)
}

// ---- strace --------------------------------------------------------------

/// The tail of a line: ` = 5`, ` = -1 EAGAIN (…)`, or ` <unfinished ...>`.
pub fn ret(c: &Call, ok: &str) -> String {
    if c.outcome == Outcome::Blocking {
        " <unfinished ...>".into()
    } else if c.errno != 0 {
        format!(" = {}", strace_err(c.errno))
    } else {
        format!(" = {ok}")
    }
}

pub fn count(c: &Call) -> String {
    c.bytes.unwrap_or(0).to_string()
}

/// The poll a `timeout T` call waits in first.
pub fn poll(c: &Call, fd: &str, input: bool, ms: i32) -> String {
    let events = if input { "POLLIN" } else { "POLLOUT" };
    let head = format!("poll([{{fd={fd}, events={events}}}], 1, {ms})");
    match c.outcome {
        Outcome::Timeout(TimeoutBy::Poll) => format!("{head} = 0 (Timeout)"),
        Outcome::Blocking => format!("{head} <unfinished ...>"),
        o => {
            let revents = match (input, o) {
                (true, Outcome::Data | Outcome::Eof | Outcome::Accepted(_)) => "POLLIN",
                (true, Outcome::Error) if c.errno == libc::ECONNRESET => "POLLIN|POLLERR|POLLHUP",
                (false, Outcome::Sent | Outcome::Partial | Outcome::Connected) => "POLLOUT",
                (false, Outcome::Error) if c.errno == libc::ECONNREFUSED => "POLLOUT|POLLERR|POLLHUP",
                _ => "…",
            };
            format!("{head} = 1 ([{{fd={fd}, revents={revents}}}])")
        }
    }
}

/// A call made directly, or CPython-style behind a poll that may run out
/// before the call is made at all.
pub fn polled(c: &Call, fd: &str, input: bool, call: String) -> Vec<String> {
    match poll_wait(c) {
        None => vec![call],
        Some(t) => {
            let p = poll(c, fd, input, poll_ms(t));
            match c.outcome {
                Outcome::Timeout(TimeoutBy::Poll) | Outcome::Blocking => vec![p],
                _ => vec![p, call],
            }
        }
    }
}

// ---- Python --------------------------------------------------------------

/// `→ result`, where `ok` is what a successful call returns.
pub fn result(c: &Call, ok: &str) -> String {
    match c.outcome {
        Outcome::Blocking => "# still waiting: the call has not returned".into(),
        Outcome::Timeout(TimeoutBy::Poll) => "→ TimeoutError: timed out".into(),
        _ if c.errno != 0 => format!("→ {}", py_error(c.errno)),
        _ => format!("→ {ok}"),
    }
}

/// The kernel timer for a call, as the kernel held it when the call began
/// (rounded to its tick), else as it was set.
pub fn held_timer(c: &Call, input: bool) -> Option<Duration> {
    let held = evidence(c).map(|e| if input { e.kernel.rcvtimeo_us } else { e.kernel.sndtimeo_us });
    match held {
        Some(us) => (us != 0).then(|| Duration::from_micros(us)),
        None => if input { c.mode.rcvtimeo } else { c.mode.sndtimeo }.filter(|t| !t.is_zero()),
    }
}

/// The note under a SO_RCVTIMEO/SO_SNDTIMEO expiry: EAGAIN, so BlockingIOError.
pub fn timer_note(c: &Call, call: &str, input: bool) -> String {
    let opt = if input { "SO_RCVTIMEO" } else { "SO_SNDTIMEO" };
    let after = match (c.duration(), held_timer(c, input)) {
        (Some(d), Some(t)) => format!("after {} ({opt} held {})", dur(d), set(t)),
        (Some(d), None) => format!("after {}", dur(d)),
        _ => "when the timer ran out".into(),
    };
    format!(
        "# raised {after}: {opt} ran out and {call}() got EAGAIN, so Python raises BlockingIOError, not \
         TimeoutError"
    )
}

// ---- why -----------------------------------------------------------------

/// The kernel timer that governs a call on a blocking fd, if one was set.
pub fn timer(c: &Call, input: bool) -> Option<(&'static str, Duration)> {
    if input {
        c.mode.rcvtimeo.map(|t| ("SO_RCVTIMEO", held_timer(c, true).unwrap_or(t)))
    } else {
        c.mode.sndtimeo.map(|t| ("SO_SNDTIMEO", held_timer(c, false).unwrap_or(t)))
    }
}

/// A non-zero kernel timer that plays no part because of the mode.
pub fn idle_timer(c: &Call, input: bool) -> String {
    match (timer(c, input), how(c)) {
        (Some((name, t)), How::NonBlocking | How::Zero) if !t.is_zero() => {
            format!(" {name} plays no part: with O_NONBLOCK set the call returns at once.")
        }
        (Some((name, t)), How::Timed(_)) if !t.is_zero() => format!(" {name} plays no part: poll() decides."),
        _ => String::new(),
    }
}

/// What a call still in the kernel is waiting for, worded by its module.
pub struct Waiting<'a> {
    pub verb: &'a str,
    pub syscall: &'a str,
    /// "data, a FIN or an RST arrives"
    pub until: &'a str,
    /// "readable" or "writable", for the poll of `timeout T`.
    pub ready: &'a str,
    pub input: bool,
}

pub fn blocked(c: &Call, w: &Waiting) -> String {
    if let Some(t) = poll_wait(c) {
        let ms = poll_ms(t);
        let v = w.verb;
        return format!(
            "Still inside poll(): like CPython, sockscope waits up to {ms} ms for the socket to become {} \
             before it calls {v}. If that time runs out, {v} is never called.",
            w.ready
        );
    }
    if how(c) != How::Blocking {
        return "The call has not returned yet.".into();
    }
    let limit = match timer(c, w.input) {
        Some((name, t)) if t.is_zero() => format!(
            ". {name} is 0, which to the kernel means wait forever (Python's settimeout(0) means the \
             opposite: don't wait)"
        ),
        Some((name, t)) => format!(", or until {name}'s {} run out", set(t)),
        None => String::new(),
    };
    format!(
        "Still inside {}; the kernel has put the thread to sleep until {}{limit}. Changing the mode now \
         does not wake it: the new mode applies from the next call.",
        w.syscall, w.until
    )
}

/// EAGAIN on a non-blocking socket, with what made the call unable to go on.
pub fn would_block(c: &Call, what: &str, input: bool) -> String {
    let s = match how(c) {
        How::NonBlocking => format!(
            "The socket is non-blocking and {what}, so the kernel returned at once with EAGAIN instead of \
             waiting."
        ),
        How::Zero => format!(
            "timeout 0 is settimeout(0), the same as setblocking(False): the socket is non-blocking and {what}, \
             so the kernel returned EAGAIN at once instead of waiting."
        ),
        _ => format!("The kernel returned EAGAIN: {what}, and the call was not allowed to wait."),
    };
    s + &idle_timer(c, input)
}

/// CPython's poll deadline ran out: the call itself was never made.
pub fn poll_timeout(c: &Call, verb: &str, wait_for: &str, none: &str, input: bool) -> String {
    let Some(t) = poll_wait(c) else {
        return format!("poll() ran out after {}, so {verb} was never called.", took(c));
    };
    format!(
        "In timeout mode (settimeout({})) sockscope, like CPython, first waits in poll() {wait_for} for up to \
         {} ms. {none}, so poll ran out after {} and {verb} was never called.{}",
        crate::record::mode::secs(t),
        poll_ms(t),
        took(c),
        idle_timer(c, input)
    )
}

/// A SO_RCVTIMEO/SO_SNDTIMEO expiry on a blocking fd: EAGAIN after the wait.
pub fn timer_timeout(c: &Call, slept: &str, input: bool) -> String {
    let name = if input { "SO_RCVTIMEO" } else { "SO_SNDTIMEO" };
    let asked = if input { c.mode.rcvtimeo } else { c.mode.sndtimeo };
    let held = held_timer(c, input);
    let t = match (held, asked) {
        (Some(h), Some(a)) if h != a => {
            format!("{} (set to {}; the kernel counts in ticks and rounded it up)", set(h), set(a))
        }
        (Some(h), _) => set(h),
        (None, Some(a)) => set(a),
        (None, None) => "a timer".into(),
    };
    format!(
        "The fd is blocking with {name} {t}, a kernel timer: {slept}, and when the timer ran out after {} the \
         kernel returned EAGAIN (not ETIMEDOUT). Python's own timeout is None, so it raises BlockingIOError, \
         not TimeoutError.",
        took(c)
    )
}

/// The record's fallback for an outcome a call cannot have.
pub fn plain(c: &Call) -> String {
    format!("{} ended as {}.", c.op.word(), c.label())
}
