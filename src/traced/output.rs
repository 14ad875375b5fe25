//! Where a traced program's stdin, stdout and stderr go while the screen is
//! sockscope's: its output is read from pipes into output events (the
//! output pane shows them, escaped), or goes to a file; its stdin is
//! /dev/null, so it never reads the keys meant for sockscope.

use std::fs::File;
use std::io::{PipeReader, Read};
use std::os::fd::AsRawFd;
use std::path::Path;

use crossbeam_channel::Sender;

use crate::record::Event;
use crate::record::traced::{OUTPUT_CHUNK, Output, Stream};
use crate::trace::Stdio;

/// What the screen says about the program's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTo {
    /// Captured: the output pane shows it.
    Pane,
    /// Written to this file (its name, escaped).
    File(String),
    /// An attached program writes where it always did.
    Own,
}

/// The fds the program is given, kept open until it has started.
pub struct Capture {
    stdin: File,
    out: Sink,
    pub to: OutputTo,
}

enum Sink {
    Pipes { out: (PipeReader, std::io::PipeWriter), err: (PipeReader, std::io::PipeWriter) },
    File(File),
}

impl Capture {
    /// Pipes into the output pane, or `file` (created, or emptied).
    pub fn new(file: Option<&Path>) -> std::io::Result<Capture> {
        let stdin = File::open("/dev/null")?;
        let (out, to) = match file {
            Some(p) => (Sink::File(File::create(p)?), OutputTo::File(crate::escape::path(p))),
            None => (Sink::Pipes { out: std::io::pipe()?, err: std::io::pipe()? }, OutputTo::Pane),
        };
        Ok(Capture { stdin, out, to })
    }

    pub fn stdio(&self) -> Stdio {
        let (stdout, stderr) = match &self.out {
            Sink::Pipes { out, err } => (out.1.as_raw_fd(), err.1.as_raw_fd()),
            Sink::File(f) => (f.as_raw_fd(), f.as_raw_fd()),
        };
        Stdio { stdin: self.stdin.as_raw_fd(), stdout, stderr }
    }

    /// Once the program runs (it holds its own copies): our write ends
    /// close, and a thread per pipe turns what it reads into events.
    pub fn started(self, tx: &Sender<Event>) {
        if let Sink::Pipes { out, err } = self.out {
            for (stream, (reader, writer)) in [(Stream::Stdout, out), (Stream::Stderr, err)] {
                drop(writer);
                let tx = tx.clone();
                let name = format!("program-{stream:?}").to_lowercase();
                let _ = std::thread::Builder::new().name(name).spawn(move || pump(reader, stream, &tx));
            }
        }
    }
}

/// Reads until every writer is gone (the program and its children ended).
fn pump(mut r: PipeReader, stream: Stream, tx: &Sender<Event>) {
    let mut buf = vec![0u8; OUTPUT_CHUNK];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                let ev = Event::Output(Output { stream, bytes: buf[..n].into() });
                if tx.send(ev).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}
