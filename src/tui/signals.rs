//! SIGTERM, SIGHUP, SIGINT and SIGQUIT end the session the normal way, so
//! the terminal is restored. A handler may do next to nothing, so it writes
//! the signal number into a pipe (the self-pipe trick) and a thread turns
//! that into a channel message for the main loop.

use std::io;
use std::sync::atomic::{AtomicI32, Ordering};

use crossbeam_channel::{Receiver, unbounded};

/// The pipe's write end, for the handler.
static PIPE_W: AtomicI32 = AtomicI32::new(-1);

const SIGNALS: [libc::c_int; 4] = [libc::SIGTERM, libc::SIGHUP, libc::SIGINT, libc::SIGQUIT];

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = PIPE_W.load(Ordering::Relaxed);
    if fd >= 0 {
        let b = sig as u8;
        // SAFETY: write(2) is async-signal-safe; errno is saved and restored
        // around it so the interrupted code does not see ours.
        unsafe {
            let errno = *libc::__errno_location();
            libc::write(fd, (&raw const b).cast(), 1);
            *libc::__errno_location() = errno;
        }
    }
}

/// Installs the handlers; the receiver yields each signal's number.
pub fn watch() -> io::Result<Receiver<i32>> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: fds is valid for two c_ints.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    PIPE_W.store(fds[1], Ordering::Relaxed);
    for sig in SIGNALS {
        // SAFETY: a zeroed sigaction with a plain handler is valid; the
        // handler only calls async-signal-safe functions.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            if libc::sigaction(sig, &sa, std::ptr::null_mut()) < 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    let (tx, rx) = unbounded();
    let read_fd = fds[0];
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        loop {
            let mut b = 0u8;
            // SAFETY: b is valid for one byte.
            let n = unsafe { libc::read(read_fd, (&raw mut b).cast(), 1) };
            if n == 1 {
                if tx.send(b as i32).is_err() {
                    return;
                }
            } else if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                continue;
            } else {
                return;
            }
        }
    })?;
    Ok(rx)
}
