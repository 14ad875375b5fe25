//! The TUI's signals. SIGTERM, SIGHUP, SIGINT and SIGQUIT end the session
//! the normal way, so the terminal is restored and the lab's temp dir
//! removed. SIGTSTP (a `kill -TSTP` from outside: Ctrl-Z itself is a key in
//! raw mode) suspends as Ctrl-Z does, and SIGCONT takes the terminal back,
//! whoever stopped us.
//!
//! SIGTTIN and SIGTTOU keep their default action (stop). They come only
//! when a background job touches the terminal, and sockscope has given the
//! terminal back before it can be in the background. Caught, they would
//! never end: the kernel restarts the read or tcsetattr that raised them,
//! which raises them again.

use std::io;

use crossbeam_channel::Receiver;
use signal_hook::consts::{SIGCONT, SIGSTOP, SIGTSTP};

use crate::signals::ENDS;

/// What a signal asks of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asks {
    /// End it; the exit code is 128 + N.
    End(i32),
    /// Give the terminal back and stop.
    Suspend,
    /// We were continued: take the terminal back.
    Resume,
}

pub fn asks(sig: i32) -> Asks {
    match sig {
        SIGTSTP => Asks::Suspend,
        SIGCONT => Asks::Resume,
        sig => Asks::End(sig),
    }
}

/// Installs the handlers; the receiver yields each signal's number.
pub fn watch() -> io::Result<Receiver<i32>> {
    let mut sigs = ENDS.to_vec();
    sigs.extend([SIGTSTP, SIGCONT]);
    crate::signals::watch(&sigs).map(|(_, rx)| rx)
}

/// Stops this process as a shell's Ctrl-Z would; returns once it is
/// continued. SIGSTOP, not SIGTSTP: SIGTSTP is caught, so raising it would
/// only come back to us (signal-hook's own emulation of a default stop does
/// the same).
pub fn stop_self() -> io::Result<()> {
    signal_hook::low_level::raise(SIGSTOP)
}
