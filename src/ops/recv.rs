//! `recv [SIZE]`: one recvfrom on the socket, in its mode. Also the reading
//! half that `peek` shares (same waits and outcomes, MSG_PEEK added).

use std::io::Read;

use super::io::{
    How, Waiting, after_reset, blocked, count, evidence, fd, how, is_dgram, is_unix, plain, polled, result,
    timer, timer_note, timer_timeout, took, waited, would_block,
};
use super::site::Site;
use super::text::{bytes, py_bytes, set, strace_buf};
use super::{Context, Describe, Done, Io, errors};
use crate::record::{Call, Outcome, TimeoutBy};

pub struct Recv;

pub fn run(io: Io) -> Done {
    read(io, false)
}

/// recv, or with `peek` recv(MSG_PEEK), under the socket's mode.
pub(super) fn read(io: Io, peek: bool) -> Done {
    let (sock, mode, buf) = (io.sock, io.mode, io.buf);
    let r = super::with_mode(sock, mode, super::Dir::In, || {
        if peek {
            use std::os::fd::AsRawFd;
            crate::sys::recv_flags(sock.as_raw_fd(), buf, libc::MSG_PEEK)
        } else {
            (&*sock).read(buf)
        }
    });
    match r {
        Err(done) => done,
        // A zero-length datagram is data, not EOF.
        Ok(Ok(0)) if !io.kind.is_dgram() => Done::of(Outcome::Eof),
        Ok(Ok(got)) => Done::data(&buf[..got]),
        Ok(Err(e)) => super::failed(&e, mode, super::Dir::In),
    }
}

pub fn export(size: u64) -> String {
    format!("recv({size})")
}

/// `data = sock.recv(1024)` in the learner's script.
pub fn learner(size: u64, site: &Site) -> Vec<String> {
    let n = &site.sock;
    let stmt = format!("data = {n}.recv({size})");
    let mut out = site.attempt(&[stmt], &format!("{n}.recv"), Some("{data}"), &[], NOTHING_QUEUED);
    let print = format!("print(f\"{n}.recv -> {{data}}\")");
    if site.eof
        && let Some(line) = out.iter_mut().find(|l| l.trim_start() == print)
    {
        line.push_str("  # b'': EOF, the other end sends nothing more");
    }
    out
}

/// Why a recv raises BlockingIOError, as the script says it.
pub(super) const NOTHING_QUEUED: &str = "EAGAIN: nothing to read yet";

impl Describe for Recv {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        strace(c, cx, "0")
    }

    fn python(&self, c: &Call, cx: &Context) -> Vec<String> {
        python(c, cx, "")
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        why(c, cx, false)
    }
}

/// `recvfrom(5, "hello", 1024, 0, NULL, NULL) = 5`, behind a poll in timeout mode.
pub(super) fn strace(c: &Call, cx: &Context, flags: &str) -> Vec<String> {
    let fd = fd(cx);
    let size = c.requested().map_or_else(|| "…".into(), |n| n.to_string());
    let buf = match (c.outcome, &c.preview) {
        (Outcome::Data, p) => strace_buf(p.as_deref(), c.bytes.unwrap_or(0)),
        (Outcome::Eof, _) => "\"\"".into(),
        _ => "…".into(),
    };
    let call = format!("recvfrom({fd}, {buf}, {size}, {flags}, NULL, NULL){}", super::io::ret(c, &count(c)));
    polled(c, &fd, true, call)
}

/// `sock.recv(1024)`, what it gives, and a note where Python surprises.
pub(super) fn python(c: &Call, cx: &Context, flags: &str) -> Vec<String> {
    let received = match c.outcome {
        Outcome::Data => py_bytes(c.preview.as_deref(), c.bytes.unwrap_or(0)),
        _ => "b''".into(),
    };
    let mut out = vec![format!("sock.recv({}{flags})", c.requested().unwrap_or(1024)), result(c, &received)];
    match c.outcome {
        Outcome::Timeout(TimeoutBy::Poll) => {
            out.push("# e.errno is None: poll() ran out, so recv() was never called".into());
        }
        Outcome::Timeout(_) => out.push(timer_note(c, "recv", true)),
        Outcome::WouldBlock if how(c) == How::Zero => {
            out.push("# settimeout(0) is the same as setblocking(False)".into());
        }
        Outcome::Eof if after_reset(c, cx) => {
            out.push("# the reset was reported once (ConnectionResetError); from now on, EOF".into());
        }
        Outcome::Data if c.bytes == Some(0) && is_dgram(c, cx) => {
            out.push("# an empty datagram, not EOF".into());
        }
        _ => {}
    }
    out
}

pub(super) fn why(c: &Call, cx: &Context, peek: bool) -> String {
    let dgram = is_dgram(c, cx);
    let verb = if peek { "recv(MSG_PEEK)" } else { "recv" };
    match c.outcome {
        Outcome::Blocking => {
            let until = if dgram { "a datagram arrives" } else { "data, a FIN or an RST arrives" };
            let w = Waiting { verb, syscall: "recvfrom()", until, ready: "readable", input: true };
            blocked(c, &w)
        }
        Outcome::Data => data(c, cx, peek),
        Outcome::Eof => eof(c, cx),
        Outcome::WouldBlock => would_block(c, &empty(c, dgram), true),
        Outcome::Timeout(TimeoutBy::Poll) => super::io::poll_timeout(
            c,
            verb,
            "for data",
            if dgram { "No datagram arrived" } else { "Nothing arrived" },
            true,
        ),
        Outcome::Timeout(_) => timer_timeout(c, "recv slept with nothing to read", true),
        Outcome::Error => errors::why(c, cx),
        Outcome::Sent
        | Outcome::Partial
        | Outcome::InProgress
        | Outcome::Accepted(_)
        | Outcome::Connected
        | Outcome::Ready
        | Outcome::Ok => plain(c),
    }
}

/// Why there was nothing to read.
fn empty(c: &Call, dgram: bool) -> String {
    let e = evidence(c);
    if e.is_some_and(|e| e.tcp_state == Some(crate::record::TcpState::SynSent)) {
        return "the connection is still being set up (SYN_SENT): there is nothing to read until the \
                handshake completes"
            .into();
    }
    if dgram { "no datagram was queued".into() } else { "its receive queue was empty".into() }
}

fn data(c: &Call, cx: &Context, peek: bool) -> String {
    let n = c.bytes.unwrap_or(0);
    let size = c.requested().unwrap_or(0);
    let dgram = is_dgram(c, cx);
    if dgram && n == 0 {
        return "recv returned an empty datagram: for UDP, 0 bytes is a datagram, not EOF.".into();
    }
    let what = if dgram { format!("one datagram of {}", bytes(n)) } else { bytes(n) };
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
            if !dgram && n < size {
                s.push_str(&format!("; it does not wait to fill all {size}"));
            }
            s.push('.');
            match timer(c, true) {
                Some((name, t)) if t.is_zero() && waited(c) => {
                    s.push_str(&format!(" {name} is 0, which the kernel reads as no limit."));
                }
                Some((name, t)) if waited(c) => s.push_str(&format!(" It came within {name}'s {}.", set(t))),
                _ => {}
            }
            s
        }
    };
    if dgram && n == size && !is_unix(c, cx) {
        s.push_str(
            " If the datagram was longer, the rest was discarded: UDP cuts a datagram to the buffer size.",
        );
    } else if dgram && is_unix(c, cx) {
        s.push_str(" A datagram is never split across calls: if it was longer than the size asked for, the rest was discarded.");
    }
    if peek {
        s.push_str(
            " With MSG_PEEK the kernel copied the bytes without taking them: they are still queued, and the \
             next recv returns them again.",
        );
    } else if evidence(c).is_some_and(|e| e.history.shut_rd) {
        s.push_str(
            " This end was shut down for reading, yet data the peer sends is still delivered: SHUT_RD only \
             stops recv from waiting.",
        );
    }
    s
}

fn eof(c: &Call, cx: &Context) -> String {
    if after_reset(c, cx) {
        return "The RST was reported once, by the ECONNRESET before; since then recv returns 0 (EOF) at once \
                instead of an error, in every mode."
            .into();
    }
    let e = evidence(c);
    if e.is_some_and(|e| e.history.shut_rd) {
        return "recv returned 0 at once because this end was shut down for reading (shutdown SHUT_RD) and \
                nothing was queued. No FIN came from the peer: if it sends more, a later recv still returns that \
                data, and b'' again once the queue is empty."
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
    if is_unix(c, cx) {
        return format!(
            "{head} (EOF): the other end closed or shut down its writing side, and everything it sent before \
             has been read. On AF_UNIX no FIN travels: the kernel marks our end at once. Every later recv \
             returns b'' at once."
        );
    }
    format!(
        "{head} (EOF): the peer closed its writing side with a FIN, and everything sent before it has been \
         read. The peer can send nothing more, so EOF repeats: every later recv returns b'' at once."
    )
}
