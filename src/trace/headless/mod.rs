//! `sockscope trace [--json] [-o FILE] -- CMD` without a screen: one line per
//! finished call (and per process event), as a table or as JSON lines, on
//! stdout or in a file. The program's own stdout and stderr are its own:
//! they are inherited, untouched.
//!
//! Exit: the traced program's status (a signal as 128 + its number); 0 after
//! detaching from a program attached with `-p`; 127 when the command is not
//! found, 126 when it cannot run, 1 when tracing is refused or fails.
//!
//! SIGINT, SIGTERM or SIGHUP to sockscope: a program it started ends with
//! SIGTERM, then SIGKILL after [`GRACE`] (it carries a seccomp filter that
//! cannot be removed, so it cannot be let go); an attached program is
//! detached and goes on.

mod json;
mod table;

use std::collections::{HashMap, HashSet};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub use json::{call_line as json_call_line, json_line};
pub use table::{HEADER, label, table_line};

use super::{Finish, Options as TraceOptions, Target, TraceEvent, Tracer};

/// How long a program gets to end after SIGTERM before it gets SIGKILL.
pub const GRACE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub json: bool,
    /// Write here instead of stdout (like strace's `-o`).
    pub output: Option<PathBuf>,
    pub read_write: bool,
    /// Give each call its strace line (for a tap that records them).
    pub strace: bool,
}

/// Sees every event as it is written, with the trace's clock (`--record`).
pub type Tap<'a> = &'a mut dyn FnMut(&TraceEvent, u64);

/// Traces `target` to the end; returns the exit code.
pub fn run(target: Target, opts: &Options, err: &mut dyn Write, mut tap: Option<Tap>) -> i32 {
    let mut out: Box<dyn Write> = match &opts.output {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                let _ = writeln!(err, "sockscope: {}: {e}", p.display());
                return 1;
            }
        },
        None => Box::new(std::io::stdout()),
    };
    let quit = Arc::new(AtomicBool::new(false));
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let _ = signal_hook::flag::register(sig, Arc::clone(&quit));
    }
    let (tx, rx) = crossbeam_channel::unbounded();
    let tracer = match Tracer::start(
        target,
        TraceOptions { read_write: opts.read_write, strace: opts.strace, stdio: None },
        tx,
    ) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(err, "sockscope: {e}");
            return e.exit_code();
        }
    };
    let handle = tracer.handle();
    let mut w = Writer {
        out: BufWriter::with_capacity(1 << 16, &mut out),
        json: opts.json,
        broken: false,
        procs: Processes::default(),
    };
    if !opts.json {
        w.line(HEADER);
    }
    let mut stopping: Option<Instant> = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(ev) => {
                let t0 = tracer.started_at();
                let mut each = |ev: &TraceEvent| {
                    if let Some(tap) = tap.as_mut() {
                        tap(ev, t0.elapsed().as_nanos() as u64);
                    }
                    w.event(ev);
                };
                each(&ev);
                // Batch: flush only when nothing else is waiting.
                while let Ok(ev) = rx.try_recv() {
                    each(&ev);
                }
                w.flush();
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        }
        if quit.load(Ordering::SeqCst) {
            match stopping {
                None => {
                    handle.stop();
                    stopping = Some(Instant::now());
                }
                Some(t) if t.elapsed() > GRACE && !handle.attached() => handle.kill(),
                Some(_) => {}
            }
        }
    }
    w.flush();
    drop(w);
    let _ = out.flush();
    match tracer.join() {
        Ok(Finish::Exited(status)) => status.shell_code(),
        Ok(Finish::Detached) => 0,
        Err(e) => {
            let _ = writeln!(err, "sockscope: {e}");
            e.exit_code()
        }
    }
}

struct Writer<W: Write> {
    out: BufWriter<W>,
    json: bool,
    /// The reader went away (a closed pipe): the trace goes on, unwritten.
    broken: bool,
    procs: Processes,
}

/// Which process events are worth a line. A shell script or a launcher
/// forks and execs many helpers that never touch a socket; a process gets
/// its lines only once it makes a socket call (its latest start or exec
/// line is written just before that call). The first process is always shown.
#[derive(Default)]
struct Processes {
    first: Option<u32>,
    shown: HashSet<u32>,
    latest: HashMap<u32, TraceEvent>,
}

impl Processes {
    /// The events to write for `ev`, in order.
    fn filter(&mut self, ev: &TraceEvent) -> Vec<TraceEvent> {
        match ev {
            TraceEvent::Process { pid, .. } => {
                let first = *self.first.get_or_insert(*pid) == *pid;
                if first || self.shown.contains(pid) {
                    self.shown.insert(*pid);
                    return vec![ev.clone()];
                }
                self.latest.insert(*pid, ev.clone());
                Vec::new()
            }
            TraceEvent::End(c) if !self.shown.contains(&c.pid) => {
                self.shown.insert(c.pid);
                let mut v: Vec<TraceEvent> = self.latest.remove(&c.pid).into_iter().collect();
                v.push(ev.clone());
                v
            }
            TraceEvent::Exit { pid, .. } if !self.shown.contains(pid) => {
                self.latest.remove(pid);
                Vec::new()
            }
            _ => vec![ev.clone()],
        }
    }
}

impl<W: Write> Writer<W> {
    fn event(&mut self, ev: &TraceEvent) {
        if let TraceEvent::End(c) = ev
            && self.procs.shown.contains(&c.pid)
        {
            // The hot path: no copy.
            return self.write(ev);
        }
        for e in self.procs.filter(ev) {
            self.write(&e);
        }
    }

    fn write(&mut self, ev: &TraceEvent) {
        let line = if self.json { json_line(ev) } else { table_line(ev) };
        if let Some(l) = line {
            self.line(&l);
        }
    }

    fn line(&mut self, l: &str) {
        if !self.broken && writeln!(self.out, "{l}").is_err() {
            self.broken = true;
        }
    }

    fn flush(&mut self) {
        if !self.broken && self.out.flush().is_err() {
            self.broken = true;
        }
    }
}
