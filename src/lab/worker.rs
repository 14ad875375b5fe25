//! The syscalls a worker makes for each call, and how their results map to
//! outcomes. Timeouts follow CPython: with `timeout T` the fd is O_NONBLOCK
//! and each call first polls for up to T; if poll runs out, no recv/send is
//! made at all.

use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use socket2::{SockAddr, Socket};

use super::socket::{JobOp, Worker, spawn, spawn_unix};
use crate::command::{How, Payload};
use crate::record::call::{Outcome, PREVIEW_CAP, TimeoutBy};
use crate::record::event::SockKind;
use crate::record::mode::Mode;
use crate::sys::{self, POLLIN, POLLOUT, errno_of};

/// What a call came to.
pub struct Done {
    pub outcome: Outcome,
    pub errno: i32,
    pub bytes: Option<u64>,
    pub preview: Option<Box<[u8]>>,
    /// The socket's addresses changed (connect), so the lab should hear of it.
    pub addrs_changed: bool,
    /// A spin's final tallies.
    pub arg: Option<crate::record::call::Arg>,
}

impl Done {
    pub(super) fn of(outcome: Outcome) -> Done {
        Done { outcome, errno: 0, bytes: None, preview: None, addrs_changed: false, arg: None }
    }

    pub fn errno(errno: i32) -> Done {
        Done { errno, ..Done::of(Outcome::Error) }
    }

    fn bytes(outcome: Outcome, n: usize) -> Done {
        Done { bytes: Some(n as u64), ..Done::of(outcome) }
    }

    fn eagain(outcome: Outcome) -> Done {
        Done { errno: libc::EAGAIN, ..Done::of(outcome) }
    }
}

/// Which way a call waits: for input (recv, accept) or output (send, connect).
#[derive(Clone, Copy)]
pub(super) enum Dir {
    In,
    Out,
}

pub fn perform(w: &mut Worker, op: &JobOp, mode: Mode) -> Done {
    let Some(sock) = w.socket.as_ref() else {
        return Done::errno(libc::EBADF);
    };
    match op {
        JobOp::Recv(n) => recv(sock, w.kind, &mut w.buf[..*n], mode),
        JobOp::Send(Payload::Text(t)) => send(sock, t, mode),
        JobOp::Send(Payload::Size(n)) => send(sock, &w.filler[..*n as usize], mode),
        JobOp::Accept => accept(w, mode),
        JobOp::Connect { addr, .. } => {
            let done = connect(sock, addr, mode);
            if done.outcome == Outcome::Connected
                && let Some(path) = addr.as_pathname()
            {
                w.pair = Some(w.shared.dial(&super::unix::text(path)));
            }
            done
        }
        JobOp::Shutdown(how) => shutdown(sock, *how),
        // The worker's run loop hands `serve` to serve::serve before this.
        JobOp::Serve(..) => Done::of(Outcome::Ok),
        JobOp::Spin(s) => super::spin::spin(&w.shared, w.id, sock, w.kind, &mut w.buf[..s.size as usize], *s),
        JobOp::Close => {
            w.socket = None;
            // A listener's socket file goes with it, so its path can be bound again.
            if let Some(b) = w.bound.take() {
                b.unlink();
            }
            Done::of(Outcome::Ok)
        }
    }
}

/// Runs `call` the way the mode says: directly, or CPython-style behind a
/// poll with a deadline. EAGAIN after a poll said ready is retried until
/// the deadline, as CPython's `sock_call` does.
fn with_mode(
    sock: &Socket,
    mode: Mode,
    dir: Dir,
    mut call: impl FnMut() -> io::Result<usize>,
) -> Result<io::Result<usize>, Done> {
    let Some(t) = mode.py.poll_timeout() else {
        return Ok(call());
    };
    let deadline = Instant::now() + t;
    let events = match dir {
        Dir::In => POLLIN,
        Dir::Out => POLLOUT,
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match sys::poll_one(sock.as_raw_fd(), events, left) {
            Ok(0) => return Err(Done::of(Outcome::Timeout(TimeoutBy::Poll))),
            Err(e) => return Err(Done::errno(errno_of(&e))),
            Ok(_) => {}
        }
        match call() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {}
            r => return Ok(r),
        }
    }
}

/// EAGAIN means "would block" on a non-blocking fd, but "the kernel timer
/// ran out" on a blocking fd with SO_RCVTIMEO/SO_SNDTIMEO set.
fn eagain(mode: Mode, dir: Dir) -> Done {
    let (timer, by) = match dir {
        Dir::In => (mode.rcvtimeo, TimeoutBy::RcvTimeo),
        Dir::Out => (mode.sndtimeo, TimeoutBy::SndTimeo),
    };
    match mode.py.poll_timeout() {
        Some(_) => Done::of(Outcome::Timeout(TimeoutBy::Poll)),
        None if !mode.py.wants_nonblock() && timer.is_some_and(|t| !t.is_zero()) => {
            Done::eagain(Outcome::Timeout(by))
        }
        None => Done::eagain(Outcome::WouldBlock),
    }
}

pub(super) fn failed(e: &io::Error, mode: Mode, dir: Dir) -> Done {
    if e.kind() == io::ErrorKind::WouldBlock { eagain(mode, dir) } else { Done::errno(errno_of(e)) }
}

pub(super) fn recv(sock: &Socket, kind: SockKind, buf: &mut [u8], mode: Mode) -> Done {
    let r = match with_mode(sock, mode, Dir::In, || (&*sock).read(buf)) {
        Ok(r) => r,
        Err(done) => return done,
    };
    match r {
        // A zero-length datagram is data, not EOF.
        Ok(0) if !kind.is_dgram() => Done::of(Outcome::Eof),
        Ok(got) => {
            Done { preview: Some(buf[..got.min(PREVIEW_CAP)].into()), ..Done::bytes(Outcome::Data, got) }
        }
        Err(e) => failed(&e, mode, Dir::In),
    }
}

pub(super) fn send(sock: &Socket, data: &[u8], mode: Mode) -> Done {
    // MSG_NOSIGNAL: socket2's plain `send` passes flags 0, and an EPIPE would
    // then kill us with SIGPIPE.
    let r = with_mode(sock, mode, Dir::Out, || sock.send_with_flags(data, libc::MSG_NOSIGNAL));
    match r {
        Err(done) => done,
        Ok(Ok(n)) if n == data.len() => Done::bytes(Outcome::Sent, n),
        Ok(Ok(n)) => Done::bytes(Outcome::Partial, n),
        Ok(Err(e)) => failed(&e, mode, Dir::Out),
    }
}

fn accept(w: &mut Worker, mode: Mode) -> Done {
    let Some(sock) = w.socket.as_ref() else {
        return Done::errno(libc::EBADF);
    };
    let mut got = None;
    let r = with_mode(sock, mode, Dir::In, || {
        sock.accept().map(|(s, _)| {
            got = Some(s);
            0
        })
    });
    match r {
        Err(done) => done,
        Ok(Err(e)) => failed(&e, mode, Dir::In),
        Ok(Ok(_)) => {
            let Some(new) = got else { return Done::errno(libc::EIO) };
            let id = w.shared.next_id();
            if w.kind == SockKind::UnixListener {
                // The k-th accepted is the other end of the k-th connect (see Shared::dial).
                w.accepted += 1;
                spawn_unix(&w.shared, id, SockKind::UnixAccepted, new, Some(w.accepted - 1), None);
            } else {
                spawn(&w.shared, id, SockKind::TcpAccepted, new);
            }
            Done::of(Outcome::Accepted(id))
        }
    }
}

fn connect(sock: &Socket, addr: &SockAddr, mode: Mode) -> Done {
    let mut done = match sock.connect(addr) {
        Ok(()) => Done::of(Outcome::Connected),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => match mode.py.poll_timeout() {
            Some(t) => finish_connect(sock, t),
            None => Done { errno: libc::EINPROGRESS, ..Done::of(Outcome::InProgress) },
        },
        Err(e) => failed(&e, mode, Dir::Out),
    };
    done.addrs_changed = true;
    done
}

/// CPython's connect with a timeout: poll for writability, then SO_ERROR.
fn finish_connect(sock: &Socket, t: Duration) -> Done {
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

fn shutdown(sock: &Socket, how: How) -> Done {
    let how = match how {
        How::Read => std::net::Shutdown::Read,
        How::Write => std::net::Shutdown::Write,
        How::Both => std::net::Shutdown::Both,
    };
    match sock.shutdown(how) {
        Ok(()) => Done::of(Outcome::Ok),
        Err(e) => Done::errno(errno_of(&e)),
    }
}
