//! SIGTERM, SIGHUP, SIGINT and SIGQUIT end the session the normal way, so
//! the terminal is restored.
//! signal-hook does the async-signal-safe part (its own self-pipe).

use std::io;

use crossbeam_channel::{Receiver, unbounded};
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};
use signal_hook::iterator::Signals;

/// Installs the handlers; the receiver yields each signal's number.
pub fn watch() -> io::Result<Receiver<i32>> {
    let mut signals = Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])?;
    let (tx, rx) = unbounded();
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for sig in signals.forever() {
            if tx.send(sig).is_err() {
                return;
            }
        }
    })?;
    Ok(rx)
}

/// Stops this process as a shell's Ctrl-Z would; returns once it is continued.
pub fn stop_self() -> io::Result<()> {
    signal_hook::low_level::raise(SIGTSTP)
}
