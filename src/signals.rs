//! Signals as messages. signal-hook's handler only writes to its self-pipe
//! (the async-signal-safe part); a thread turns each signal into its number
//! on a channel, which a front end selects on beside its other events. So a
//! signal ends a session the normal way: the lab is dropped (its temp dir
//! removed) and the terminal restored.

use std::io::{self, Write};

use crossbeam_channel::{Receiver, Sender, unbounded};
use signal_hook::consts::{SIGHUP, SIGINT, SIGPIPE, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;

/// The signals that end a session (exit 128 + N).
pub const ENDS: [i32; 4] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT];

/// Watches `signals`. The receiver yields each one's number; the sender
/// lets the caller report a stop of its own on the same channel (see
/// [`PipeOut`]).
pub fn watch(signals: &[i32]) -> io::Result<(Sender<i32>, Receiver<i32>)> {
    let mut iter = Signals::new(signals)?;
    let (tx, rx) = unbounded();
    let thread_tx = tx.clone();
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for sig in iter.forever() {
            if thread_tx.send(sig).is_err() {
                return;
            }
        }
    })?;
    Ok((tx, rx))
}

/// A signal by name: `SIGTERM`, or `signal 40` for one without a name.
pub fn name(sig: i32) -> String {
    signal_hook::low_level::signal_name(sig).map_or_else(|| format!("signal {sig}"), str::to_string)
}

/// The exit code of a session ended by `sig`, as a shell reports a process
/// killed by it.
pub fn exit_code(sig: i32) -> i32 {
    128 + sig
}

/// A writer whose reader went away (`sockscope run … | head`) reports
/// SIGPIPE on the stop channel, once. Rust ignores SIGPIPE, so the write
/// only fails with EPIPE; this makes it end the run as the signal would
/// have, but with the lab dropped and nothing printed.
pub struct PipeOut<W> {
    inner: W,
    stop: Sender<i32>,
    closed: bool,
}

impl<W: Write> PipeOut<W> {
    pub fn new(inner: W, stop: Sender<i32>) -> PipeOut<W> {
        PipeOut { inner, stop, closed: false }
    }

    fn check<T>(&mut self, r: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &r
            && e.kind() == io::ErrorKind::BrokenPipe
            && !std::mem::replace(&mut self.closed, true)
        {
            let _ = self.stop.send(SIGPIPE);
        }
        r
    }
}

impl<W: Write> Write for PipeOut<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.check(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.check(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    #[test]
    fn a_closed_reader_is_reported_once_as_sigpipe() {
        let (tx, rx) = unbounded();
        let mut out = PipeOut::new(Closed, tx);
        assert!(writeln!(out, "one").is_err());
        assert!(out.flush().is_err());
        assert_eq!(rx.try_iter().collect::<Vec<_>>(), [SIGPIPE]);
    }

    #[test]
    fn other_writes_pass_through() {
        let (tx, rx) = unbounded();
        let mut out = PipeOut::new(Vec::new(), tx);
        writeln!(out, "one").unwrap();
        assert_eq!(out.inner, b"one\n");
        assert!(rx.try_recv().is_err());
    }
}
