//! `connect [ADDR]`: connect(), CPython's way in each mode: directly, or
//! EINPROGRESS then poll for writable and SO_ERROR under `timeout T`. The
//! connect inside `open tcp`/`open unix` is this same call (see `open`).

use std::net::SocketAddr;

use socket2::Socket;

use super::io::{
    How, Waiting, blocked, fd, how, is_dgram, is_unix, plain, poll, poll_ms, poll_wait, result, took,
};
use super::text::{py_addr, sockaddr, strace_err};
use super::{Context, Describe, Done, Io, errors, unix};
use crate::command::Addr;
use crate::record::{Arg, Call, Outcome, TimeoutBy};
use crate::sys::{self, POLLOUT, errno_of};

pub struct Connect;

pub fn run(io: Io) -> Done {
    let Some(to) = io.to else { return Done::errno(libc::EDESTADDRREQ) };
    let mut done = match io.sock.connect(to) {
        Ok(()) => Done::of(Outcome::Connected),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => match io.mode.py.poll_timeout() {
            Some(t) => finish(io.sock, t),
            None => Done { errno: libc::EINPROGRESS, ..Done::of(Outcome::InProgress) },
        },
        Err(e) => super::failed(&e, io.mode, super::Dir::Out),
    };
    done.addrs_changed = true;
    done
}

/// CPython's connect with a timeout: poll for writability, then SO_ERROR.
fn finish(sock: &Socket, t: std::time::Duration) -> Done {
    use std::os::fd::AsRawFd;
    let fd = sock.as_raw_fd();
    match sys::poll_one(fd, POLLOUT, t) {
        Ok(0) => Done::of(Outcome::Timeout(TimeoutBy::Poll)),
        Err(e) => Done::errno(errno_of(&e)),
        Ok(_) => match sys::take_error(fd) {
            Ok(0) => Done::of(Outcome::Connected),
            Ok(errno) => Done::errno(errno),
            Err(e) => Done::errno(errno_of(&e)),
        },
    }
}

/// `sock.connect(addr)` in the learner's script.
pub fn learner(addr: Option<&Addr>, site: &super::site::Site) -> Vec<String> {
    let to = addr.map_or_else(|| site.peer_addr.clone(), super::literal::addr_tuple);
    let stmt = format!("{}.connect({to})", site.sock);
    let why = "EAGAIN: the listener's queue is full";
    site.attempt(&[stmt], &format!("{}.connect", site.sock), Some("connected"), &[], why)
}

pub fn export(addr: Option<&Addr>) -> String {
    format!("connect({})", super::literal::addr_args(addr))
}

/// Where a connect (or `open tcp`) went.
pub(super) fn target(c: &Call) -> Option<SocketAddr> {
    match c.arg {
        Arg::Addr(a) | Arg::Bound { to: a, .. } => Some(a),
        Arg::Proto(_, a) => a,
        _ => None,
    }
}

/// Errors a timed connect learns from SO_ERROR after poll, rather than
/// from connect() itself.
pub(super) fn via_so_error(errno: i32) -> bool {
    matches!(errno, libc::ECONNREFUSED | libc::ETIMEDOUT | libc::EHOSTUNREACH | libc::ENETUNREACH)
}

/// The connect's strace lines: one connect(), or in timeout mode
/// EINPROGRESS, the poll and the SO_ERROR read.
pub(super) fn strace_lines(c: &Call, cx: &Context, fd: &str, out: &mut Vec<String>) {
    let (sa, len) = sockaddr(target(c));
    let head = format!("connect({fd}, {sa}, {len})");
    let polled = poll_wait(c).filter(|_| !is_dgram(c, cx));
    match polled {
        Some(t) if c.outcome != Outcome::Error || via_so_error(c.errno) => {
            out.push(format!("{head} = {}", strace_err(libc::EINPROGRESS)));
            out.push(poll(c, fd, false, poll_ms(t)));
            let so_error = match c.outcome {
                Outcome::Connected => "0",
                Outcome::Error => sys::errno_name(c.errno),
                _ => return,
            };
            out.push(format!("getsockopt({fd}, SOL_SOCKET, SO_ERROR, [{so_error}], [4]) = 0"));
        }
        _ => out.push(format!("{head}{}", super::io::ret(c, "0"))),
    }
}

/// `sock.connect(("127.0.0.1", 4000))` and what it gives.
pub(super) fn python_lines(c: &Call, out: &mut Vec<String>) {
    let addr = py_addr(target(c));
    out.push(format!("sock.connect({addr})"));
    out.push(result(c, "None"));
    if c.outcome == Outcome::InProgress {
        out.push(format!("# sock.connect_ex({addr}) returns {} instead of raising", libc::EINPROGRESS));
    }
}

impl Describe for Connect {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        let fd = fd(cx);
        if let Some(path) = unix::path(c) {
            return vec![unix::connect_line(c, &fd, path)];
        }
        let mut out = Vec::new();
        strace_lines(c, cx, &fd, &mut out);
        out
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        if let Some(path) = unix::path(c) {
            return vec![format!("sock.connect({})", super::text::py_path(path)), result(c, "None")];
        }
        let mut out = Vec::new();
        python_lines(c, &mut out);
        out
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        why(c, cx)
    }
}

/// Why a connect (or the connect of `open`) came out as it did.
pub(super) fn why(c: &Call, cx: &Context) -> String {
    if is_unix(c, cx)
        && let Some(text) = unix::connect_why(c)
    {
        return text;
    }
    match c.outcome {
        Outcome::Blocking => match poll_wait(c) {
            Some(t) => format!(
                "connect() returned EINPROGRESS, and sockscope is inside poll(), waiting up to {} ms for the \
                 handshake to finish.",
                poll_ms(t)
            ),
            None => blocked(
                c,
                &Waiting {
                    verb: "connect",
                    syscall: "connect()",
                    until: "the handshake finishes",
                    ready: "writable",
                    input: false,
                },
            ),
        },
        Outcome::Connected => connected(c, cx),
        Outcome::InProgress => in_progress(c),
        Outcome::Timeout(TimeoutBy::Poll) => format!(
            "connect() sent the SYN and returned EINPROGRESS; poll() then waited {} ms for the handshake, which \
             did not finish in time (a listener whose accept queue is full drops the SYN).",
            poll_wait(c).map_or(0, poll_ms)
        ),
        Outcome::Error => errors::why(c, cx),
        Outcome::Timeout(_)
        | Outcome::WouldBlock
        | Outcome::Data
        | Outcome::Eof
        | Outcome::Sent
        | Outcome::Partial
        | Outcome::Accepted(_)
        | Outcome::Ready
        | Outcome::Ok => plain(c),
    }
}

fn in_progress(c: &Call) -> String {
    let head = match how(c) {
        How::NonBlocking => "The socket is non-blocking, so connect()",
        How::Zero => "timeout 0 is the same as non-blocking, so connect()",
        _ => "connect()",
    };
    format!(
        "{head} sent the SYN and returned at once with EINPROGRESS, even on loopback. The handshake goes on in \
         the kernel: poll for writable and read SO_ERROR, or call connect() again."
    )
}

fn connected(c: &Call, cx: &Context) -> String {
    if is_dgram(c, cx) {
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
        How::Blocking => format!("connect() sent the SYN, waited for the handshake, and returned 0 after {}.", took(c)),
    }
}
