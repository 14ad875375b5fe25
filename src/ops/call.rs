//! How a socket call runs under a mode, the way CPython runs it: directly,
//! or with `timeout T` first waiting in poll() for up to T (no syscall at all
//! when poll runs out), and what EAGAIN means in each mode.

use std::io;
use std::os::fd::AsRawFd;
use std::time::Instant;

use socket2::Socket;

use crate::record::{Arg, Mode, Outcome, PREVIEW_CAP, TimeoutBy};
use crate::sys::{self, POLLIN, POLLOUT, errno_of};

/// What a call came to.
#[derive(Debug)]
pub struct Done {
    pub outcome: Outcome,
    pub errno: i32,
    pub bytes: Option<u64>,
    pub preview: Option<Box<[u8]>>,
    /// The socket's addresses changed (connect), so the record should hear of it.
    pub addrs_changed: bool,
    /// A new argument for the record (a spin's final tallies).
    pub arg: Option<Arg>,
    /// The socket an accept made.
    pub accepted: Option<Socket>,
}

impl Done {
    pub fn of(outcome: Outcome) -> Done {
        Done {
            outcome,
            errno: 0,
            bytes: None,
            preview: None,
            addrs_changed: false,
            arg: None,
            accepted: None,
        }
    }

    pub fn errno(errno: i32) -> Done {
        Done { errno, ..Done::of(Outcome::Error) }
    }

    pub fn bytes(outcome: Outcome, n: usize) -> Done {
        Done { bytes: Some(n as u64), ..Done::of(outcome) }
    }

    /// Data received: the count and the first bytes.
    pub fn data(buf: &[u8]) -> Done {
        Done {
            preview: Some(buf[..buf.len().min(PREVIEW_CAP)].into()),
            ..Done::bytes(Outcome::Data, buf.len())
        }
    }

    fn eagain(outcome: Outcome) -> Done {
        Done { errno: libc::EAGAIN, ..Done::of(outcome) }
    }
}

/// Which way a call waits: for input (recv, accept) or output (send, connect).
#[derive(Clone, Copy)]
pub enum Dir {
    In,
    Out,
}

/// Runs `call` the way the mode says: directly, or CPython-style behind a
/// poll with a deadline. EAGAIN after a poll said ready is retried until
/// the deadline, as CPython's `sock_call` does.
pub fn with_mode(
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

/// A failed call's outcome.
pub fn failed(e: &io::Error, mode: Mode, dir: Dir) -> Done {
    if e.kind() == io::ErrorKind::WouldBlock { eagain(mode, dir) } else { Done::errno(errno_of(e)) }
}
