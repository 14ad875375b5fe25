//! Why a traced call came out as it did, from what was measured: its
//! outcome, the socket's mode when it began (O_NONBLOCK and the kernel
//! timers, as the program set them), and how long it took. Nothing here
//! speaks of sockscope's peer: the other end is someone else's.

use std::time::Duration;

use super::setup::{bind, epoll_ctl, mode_set, shutdown, socket, timer_set};
use super::{Context, TracedCx, single_wait};
use crate::ops::text::{bytes, dur, named, set};
use crate::record::traced::{Traced, poll_bits};
use crate::record::{Arg, Call, Op, Outcome, PyMode, TimeoutBy};

pub fn why(c: &Call, cx: &Context, tcx: &TracedCx) -> String {
    let Some(t) = c.traced.as_deref() else { return String::new() };
    let sys = t.syscall.as_str();
    if c.outcome == Outcome::Blocking && c.end_ns.is_some() {
        return format!(
            "{sys} was still in the kernel when the trace of this process ended: it never returned."
        );
    }
    if c.outcome == Outcome::Error {
        return failed(c, t, cx);
    }
    match c.op {
        Op::Recv | Op::Peek => recv(c, t, cx),
        Op::Send => send(c, t),
        Op::Accept => accept(c, t),
        Op::Connect => connect(c, t),
        Op::PollWait => wait(c, t, tcx),
        Op::PollAdd => epoll_ctl(t),
        Op::Blocking | Op::Nonblocking => mode_set(c, t),
        Op::RcvTimeo | Op::SndTimeo => timer_set(c),
        Op::Socket => socket(c, t),
        Op::Bind => bind(c),
        Op::Listen => format!(
            "listen() made the socket a listener (backlog {}): connections now wait in its accept queue until \
             accept() takes them.",
            t.args[1] as i32
        ),
        Op::Shutdown => shutdown(t),
        Op::Close => format!(
            "close() released fd {}. Once no fd and no call in progress holds the socket, the kernel closes it: a \
             connection ends with a FIN (an RST if unread data was left). A recv blocked in another thread is not \
             woken.",
            t.fd()
        ),
        _ => format!("{sys} on the socket; it does not change how its calls wait."),
    }
}

fn blocking(c: &Call) -> bool {
    c.mode.py == PyMode::Blocking
}

/// MSG_DONTWAIT on this one call.
fn dontwait(t: &Traced) -> bool {
    let flags = match t.syscall.as_str() {
        "recvfrom" | "sendto" | "recvmmsg" | "sendmmsg" => t.args[3],
        "recvmsg" | "sendmsg" => t.args[2],
        _ => 0,
    };
    flags & libc::MSG_DONTWAIT as u64 != 0
}

fn waited(c: &Call) -> bool {
    c.duration().is_some_and(|d| d >= Duration::from_millis(1))
}

fn took(c: &Call) -> String {
    c.duration().map_or_else(|| "?".into(), dur)
}

/// `, or until its SO_RCVTIMEO of 0.2 s runs out`.
fn timer_clause(t: Option<Duration>, name: &str) -> String {
    t.filter(|t| !t.is_zero())
        .map_or_else(String::new, |t| format!(", or until its {name} of {} runs out", set(t)))
}

fn recv(c: &Call, t: &Traced, cx: &Context) -> String {
    let sys = t.syscall.as_str();
    let dgram = cx.kind.is_some_and(|k| k.is_dgram());
    let n = c.bytes.unwrap_or(0);
    match c.outcome {
        Outcome::Blocking => format!(
            "{sys} is in the kernel: the socket is blocking (no O_NONBLOCK) and nothing has arrived, so it sleeps \
             until {}{}.",
            if dgram { "a datagram arrives" } else { "data, a FIN or an RST arrives" },
            timer_clause(c.mode.rcvtimeo, "SO_RCVTIMEO")
        ),
        Outcome::Data if dgram && n == 0 => {
            format!("{sys} returned an empty datagram: on a datagram socket 0 bytes is a datagram, not EOF.")
        }
        Outcome::Data => {
            let what = if dgram { format!("one datagram of {}", bytes(n)) } else { bytes(n) };
            let asked = c.requested().filter(|&r| !dgram && n < r);
            let fill = asked.map_or_else(String::new, |r| format!("; it does not wait to fill all {r}"));
            let head = if blocking(c) && !dontwait(t) && waited(c) {
                format!("{sys} slept for {} until data arrived, then returned {what}{fill}.", took(c))
            } else if blocking(c) && !dontwait(t) {
                format!("Data was already queued, so {sys} returned {what} at once{fill}.")
            } else {
                format!("Data was already queued, so the non-blocking {sys} returned {what} at once.")
            };
            if c.op == Op::Peek {
                format!("{head} With MSG_PEEK the bytes stay queued: the next recv returns them again.")
            } else {
                head
            }
        }
        Outcome::Eof => {
            let head = if waited(c) {
                format!("{sys} slept for {} until the other end finished, then returned 0", took(c))
            } else {
                format!("{sys} returned 0")
            };
            format!(
                "{head} (EOF): the other end closed its writing side (close or shutdown: a FIN) and everything it \
                 sent has been read. It can send nothing more, so every later recv returns 0 at once."
            )
        }
        Outcome::WouldBlock if dontwait(t) => format!(
            "MSG_DONTWAIT made this one call non-blocking: nothing was queued, so {sys} returned EAGAIN at once. \
             The socket's own mode is unchanged."
        ),
        Outcome::WouldBlock => format!(
            "The socket is non-blocking (O_NONBLOCK) and {}, so {sys} returned EAGAIN at once instead of waiting.",
            if dgram { "no datagram was queued" } else { "its receive queue was empty" }
        ),
        Outcome::Timeout(by) => expired(c, sys, by, "nothing arrived"),
        _ => format!("{sys} returned {}.", c.label()),
    }
}

fn send(c: &Call, t: &Traced) -> String {
    let sys = t.syscall.as_str();
    let n = c.bytes.unwrap_or(0);
    match c.outcome {
        Outcome::Blocking => format!(
            "{sys} is in the kernel: the socket is blocking and its send buffer is full, so it sleeps until the \
             other end reads and makes room{}.",
            timer_clause(c.mode.sndtimeo, "SO_SNDTIMEO")
        ),
        Outcome::Sent => format!(
            "The data fit in the send buffer: {sys} copied all {} and returned{}. It does not wait for the other \
             end to read it.",
            bytes(n),
            if waited(c) { format!(" after {}", took(c)) } else { " at once".into() }
        ),
        Outcome::Partial => format!(
            "Only {} of {} fit in the send buffer{}, so {sys} returned that count: the program must send the rest.",
            n,
            bytes(c.requested().unwrap_or(n)),
            if blocking(c) { "" } else { " and the socket is non-blocking" }
        ),
        Outcome::WouldBlock => format!(
            "The send buffer is full and {}, so {sys} returned EAGAIN at once: nothing was sent.",
            if dontwait(t) { "MSG_DONTWAIT asked not to wait" } else { "the socket is non-blocking" }
        ),
        Outcome::Timeout(by) => expired(c, sys, by, "the send buffer stayed full"),
        _ => format!("{sys} returned {}.", c.label()),
    }
}

/// SO_RCVTIMEO or SO_SNDTIMEO ran out on a blocking socket.
fn expired(c: &Call, sys: &str, by: TimeoutBy, what: &str) -> String {
    let t = match by {
        TimeoutBy::RcvTimeo => c.mode.rcvtimeo,
        TimeoutBy::SndTimeo => c.mode.sndtimeo,
        TimeoutBy::Poll => None,
    };
    let set_to = t.map_or_else(String::new, |t| format!(" of {}", set(t)));
    format!(
        "The socket is blocking with {}{set_to}: {sys} slept for {}, {what}, and when the timer ran out it \
         returned EAGAIN (Linux reports this expiry as EAGAIN, not ETIMEDOUT).",
        by.word(),
        took(c)
    )
}

fn accept(c: &Call, t: &Traced) -> String {
    match c.outcome {
        Outcome::Blocking => format!(
            "{} is in the kernel: the listener is blocking and no connection is waiting, so it sleeps until a \
             client connects{}.",
            t.syscall,
            timer_clause(c.mode.rcvtimeo, "SO_RCVTIMEO")
        ),
        Outcome::Accepted(_) => {
            let fd = t.ret.unwrap_or(-1);
            let head = if blocking(c) && waited(c) {
                format!(
                    "accept slept for {} until a client connected, then returned a new socket, fd {fd}.",
                    took(c)
                )
            } else {
                format!(
                    "A connection was already waiting in the accept queue, so accept returned a new socket, fd {fd}, at once."
                )
            };
            let flags = if t.syscall == "accept4" { t.args[3] as i32 } else { 0 };
            if flags & libc::SOCK_NONBLOCK == 0 {
                format!("{head} The new socket is blocking: it does not inherit the listener's O_NONBLOCK.")
            } else {
                format!("{head} SOCK_NONBLOCK made it non-blocking from the start.")
            }
        }
        Outcome::WouldBlock => {
            "No connection was waiting and the listener is non-blocking, so accept returned EAGAIN at once."
                .into()
        }
        Outcome::Timeout(by) => expired(c, &t.syscall, by, "no client connected"),
        _ => format!("{} returned {}.", t.syscall, c.label()),
    }
}

fn connect(c: &Call, t: &Traced) -> String {
    match c.outcome {
        Outcome::Blocking => {
            "connect is in the kernel: the socket is blocking, so it waits for the handshake to finish.".into()
        }
        Outcome::Connected => format!("The handshake completed: connect returned 0 after {}.", took(c)),
        Outcome::InProgress => "The socket is non-blocking, so connect started the handshake and returned \
                                EINPROGRESS at once. The program learns how it ended later: the socket becomes \
                                writable, and getsockopt(SO_ERROR) gives the result."
            .into(),
        Outcome::WouldBlock | Outcome::Timeout(_) => {
            format!("{} ended with {} after {}.", t.syscall, c.label(), took(c))
        }
        _ => format!("{} returned {}.", t.syscall, c.label()),
    }
}

/// poll, select and epoll waits, on the process's loop lane.
fn wait(c: &Call, t: &Traced, tcx: &TracedCx) -> String {
    let sys = t.syscall.as_str();
    let timeout = match c.arg {
        Arg::PollWait { timeout, .. } => timeout,
        _ => None,
    };
    let fds: Vec<String> = t.watch.iter().map(|w| w.fd.to_string()).collect();
    let watched = match fds.as_slice() {
        [one] => format!("socket fd {one}"),
        many => format!("sockets (fds {})", many.join(", ")),
    };
    match c.outcome {
        Outcome::Blocking => format!(
            "{sys} is waiting {} for its {watched} to become ready.",
            timeout.map_or_else(|| "with no time limit".into(), |t| format!("up to {}", set(t)))
        ),
        Outcome::Timeout(_) => {
            let limit = timeout.map_or_else(|| "its timeout".into(), |t| format!("its full {}", set(t)));
            let mut s =
                format!("{sys} waited {limit} and its {watched} did not become ready, so it returned 0.");
            if tcx.python && single_wait(c).is_some() {
                s.push_str(
                    " A poll on one socket with a deadline is how CPython waits under settimeout(): it ran out, so \
                     the call it guarded (recv, accept or send) was never made.",
                );
            }
            s
        }
        Outcome::Ready => {
            let when = if waited(c) { format!("After {}", took(c)) } else { "At once".into() };
            let ready: Vec<String> =
                t.ready.iter().map(|w| format!("fd {} {}", w.fd, readiness(w.events))).collect();
            let list = if ready.is_empty() { String::new() } else { format!(": {}", ready.join(", ")) };
            format!("{when}, {sys} reported {} ready{list}.", c.bytes.unwrap_or(0))
        }
        _ => format!("{sys} returned {}.", c.label()),
    }
}

/// Poll bits as words.
pub fn readiness(events: u32) -> String {
    let words = [
        (poll_bits::IN, "readable"),
        (poll_bits::OUT, "writable"),
        (poll_bits::ERR, "error"),
        (poll_bits::HUP, "hung up"),
        (poll_bits::RDHUP, "peer closed its side"),
    ];
    let named: Vec<&str> = words.iter().filter(|(b, _)| events & b != 0).map(|(_, w)| *w).collect();
    if named.is_empty() { format!("events {events:#x}") } else { named.join(" and ") }
}

fn failed(c: &Call, t: &Traced, cx: &Context) -> String {
    let sys = t.syscall.as_str();
    let after = if waited(c) { format!(" after {}", took(c)) } else { String::new() };
    let fd = cx.fd.unwrap_or(t.fd());
    match c.errno {
        libc::ECONNRESET if matches!(c.op, Op::Recv | Op::Peek) => format!(
            "The other end reset the connection{after} (an RST: it closed with data unread, or with SO_LINGER 0). \
             The kernel reports a reset once: the next recv returns 0 (EOF), and a send gets EPIPE."
        ),
        libc::ECONNRESET => format!(
            "The other end had reset the connection, and this {sys} was the first call to see it. The reset is \
             reported once: the next send gets EPIPE."
        ),
        libc::EPIPE => "This connection can no longer send: the other end closed and answered with an RST, or \
                        this end was shut down for writing. Without MSG_NOSIGNAL the kernel also sends SIGPIPE, \
                        which ends the process unless it ignores it (CPython does)."
            .into(),
        libc::ECONNREFUSED => {
            "Nothing was listening at that address: the SYN was answered with an RST, so the connection was \
             refused."
                .into()
        }
        libc::EBADF => format!("fd {fd} is not open: it was closed (perhaps by another thread) or never opened."),
        libc::ENOTCONN => format!("{sys} needs a connected socket, and this one is not connected."),
        libc::EINTR => format!("A signal interrupted {sys}{after}, and it was not restarted: the program got EINTR."),
        libc::EINPROGRESS | libc::EALREADY => format!("{sys}: {}: the handshake is still going on.", named(c.errno)),
        e => format!("{sys} failed{after}: {}.", named(e)),
    }
}
