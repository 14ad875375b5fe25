//! A traced program behind a screen: the tracer, a thread that bridges its
//! events into record events (one channel, beside the program's output),
//! the record they fold into, and where `--record` writes them. Ending it:
//! a program sockscope started gets SIGTERM, then SIGKILL after a grace
//! period (its seccomp filter cannot be taken off, so it cannot be let go);
//! an attached one is let go and goes on.

use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::bridge::Bridge;
use super::output::{Capture, OutputTo};
use crate::record::file::Recorder;
use crate::record::{Event, Record};
use crate::trace::{self, Finish, Handle, Target, TraceError, TraceEvent, Tracer};

/// How long a program gets to end after SIGTERM before it gets SIGKILL.
pub const GRACE: Duration = Duration::from_secs(2);

/// What to trace and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub read_write: bool,
    /// `--program-output FILE`: the program's stdout and stderr go there
    /// instead of the output pane.
    pub program_output: Option<std::path::PathBuf>,
}

/// The program a session traces, for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub pid: u32,
    /// Its command's file name (escaped), or `pid N`.
    pub name: String,
    /// Attached with `-p`: ending the session lets it go.
    pub attached: bool,
}

pub struct TraceSession {
    tracer: Option<Tracer>,
    handle: Handle,
    t0: Instant,
    rx: Receiver<Event>,
    record: Record,
    recorder: Option<Recorder>,
    record_failure: Option<String>,
    pub program: Program,
    pub output_to: OutputTo,
    /// When the end was asked for, and whether SIGKILL has followed.
    ending: Option<(Instant, bool)>,
    finish: Option<Result<Finish, TraceError>>,
    /// When the tracer let go of the last process: the screen's clock stops there.
    ended_ns: Option<u64>,
    /// Every sender is gone (the bridge and the output readers ended):
    /// nothing more will come.
    drained: bool,
}

impl TraceSession {
    /// Starts the program (or attaches); errors say why it could not.
    pub fn start(target: Target, opts: &Options) -> Result<TraceSession, TraceError> {
        let attached = matches!(target, Target::Attach(_));
        let capture = if attached {
            None
        } else {
            Some(
                Capture::new(opts.program_output.as_deref())
                    .map_err(|e| TraceError::sys("program output", e))?,
            )
        };
        let name = match &target {
            // The command's file name: `python3`, not its whole path.
            Target::Spawn(argv) => argv
                .first()
                .map(|a| {
                    let p = std::path::Path::new(a);
                    crate::escape::escape(p.file_name().unwrap_or(a).as_encoded_bytes())
                })
                .unwrap_or_default(),
            Target::Attach(pid) => format!("pid {pid}"),
        };
        let topts = trace::Options {
            read_write: opts.read_write,
            strace: true,
            stdio: capture.as_ref().map(Capture::stdio),
        };
        let (tx, trace_rx) = crossbeam_channel::unbounded();
        let tracer = Tracer::start(target.clone(), topts, tx)?;
        let t0 = tracer.started_at();
        let (ev_tx, rx) = crossbeam_channel::unbounded();
        let output_to = match capture {
            Some(c) => {
                let to = c.to.clone();
                c.started(&ev_tx);
                to
            }
            None => OutputTo::Own,
        };
        spawn_bridge(trace_rx, ev_tx, t0).map_err(|e| TraceError::sys("thread", e))?;
        let pid = match target {
            Target::Attach(pid) => pid,
            Target::Spawn(_) => tracer.handle().root_pid(),
        };
        Ok(TraceSession {
            handle: tracer.handle(),
            tracer: Some(tracer),
            t0,
            rx,
            record: Record::new(),
            recorder: None,
            record_failure: None,
            program: Program { pid, name, attached },
            output_to,
            ending: None,
            finish: None,
            ended_ns: None,
            drained: false,
        })
    }

    /// Appends every event from now on to `path` (`--record`).
    pub fn record_to(&mut self, path: &Path) -> std::io::Result<()> {
        self.recorder = Some(Recorder::create(path)?);
        Ok(())
    }

    pub fn record_failure(&self) -> Option<&str> {
        self.record_failure.as_deref()
    }

    /// The bridged events: pass each to [`TraceSession::apply`]. Once
    /// every sender is gone, a channel that never yields (a disconnected
    /// one would wake a `select!` at once, for ever).
    pub fn events(&self) -> Receiver<Event> {
        if self.drained { crossbeam_channel::never() } else { self.rx.clone() }
    }

    /// Records and folds one event.
    pub fn apply(&mut self, ev: Event) {
        let now = self.now_ns();
        if let Some(rec) = &mut self.recorder
            && let Err(e) = rec.write(now, &ev)
        {
            self.recorder = None;
            self.record_failure =
                Some(format!("recording stopped: {e}; the file lacks every event from here on"));
        }
        self.record.apply(&ev);
    }

    pub fn record(&self) -> &Record {
        &self.record
    }

    /// Nanoseconds on the trace's clock.
    pub fn now_ns(&self) -> u64 {
        self.t0.elapsed().as_nanos() as u64
    }

    /// The screen's clock: the trace's, stopped when the trace ended (so a
    /// finished trace stays in view, like a replay at its end).
    pub fn clock_ns(&self) -> u64 {
        self.ended_ns.unwrap_or_else(|| self.now_ns())
    }

    /// Ends the trace: SIGTERM to a program sockscope started (SIGKILL
    /// follows after [`GRACE`], see [`TraceSession::tick`]); an attached
    /// program is let go.
    pub fn end(&mut self) {
        if self.ending.is_none() {
            self.handle.stop();
            self.ending = Some((Instant::now(), false));
        }
    }

    pub fn ending(&self) -> bool {
        self.ending.is_some()
    }

    /// Moves an ending on (SIGKILL once the grace is over), and collects
    /// the tracer once it is done. Returns true when it just finished.
    pub fn tick(&mut self) -> bool {
        if let Some((at, false)) = self.ending
            && at.elapsed() >= GRACE
            && !self.program.attached
        {
            self.handle.kill();
            self.ending = Some((at, true));
        }
        if self.finish.is_some() && !self.drained {
            loop {
                match self.rx.try_recv() {
                    Ok(ev) => self.apply(ev),
                    Err(crossbeam_channel::TryRecvError::Empty) => break,
                    Err(crossbeam_channel::TryRecvError::Disconnected) => {
                        self.drained = true;
                        break;
                    }
                }
            }
        }
        if self.finish.is_none() && self.handle.is_done() {
            if let Some(t) = self.tracer.take() {
                self.finish = Some(t.join());
            }
            self.ended_ns = Some(self.now_ns());
            return true;
        }
        false
    }

    /// Whether the tracer has let go of everything (the program ended, or
    /// was let go).
    pub fn finished(&self) -> bool {
        self.finish.is_some()
    }

    /// How the trace ended, once it did.
    pub fn finish(&self) -> Option<&Result<Finish, TraceError>> {
        self.finish.as_ref()
    }

    /// Ends the trace and waits (bounded) for it: for a signal, a closed
    /// terminal, or a quit that should not leave anything behind.
    pub fn end_and_wait(&mut self) {
        self.end();
        let deadline = Instant::now() + GRACE + Duration::from_secs(3);
        while !self.finished() && Instant::now() < deadline {
            self.tick();
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TraceSession {
    /// Never leave a tracee stopped or a started program running: whatever
    /// path the session ends by, the program is ended (or let go).
    fn drop(&mut self) {
        if self.tracer.is_some() {
            self.end_and_wait();
        }
    }
}

/// The thread that turns tracer events into record events.
fn spawn_bridge(rx: Receiver<TraceEvent>, tx: Sender<Event>, t0: Instant) -> std::io::Result<()> {
    std::thread::Builder::new().name("bridge".into()).spawn(move || {
        let mut bridge = Bridge::new();
        for ev in rx {
            let now = t0.elapsed().as_nanos() as u64;
            for out in bridge.event(&ev, now) {
                if tx.send(out).is_err() {
                    return;
                }
            }
        }
    })?;
    Ok(())
}
