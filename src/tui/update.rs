//! The update step: command lines into the executor, lab events into the
//! timeline, a replay's clock forward, and every reading the panes show
//! (kernel views, queues, the inspector, CPU use) taken here, never in render.

use std::time::{Duration, Instant};

use super::app::{App, FRAME, IDLE_FRAME, Sample, Status, Store};
pub use super::compare::update::COMMANDS_OFF;
use crate::command::{Command, Located, ParseError, parse_line};
use crate::exec::{Failure, FailureKind, Step, Tick};
use crate::lab::sample;
use crate::record::Event;

/// Why a replay refuses commands, for the status line.
pub const NO_SOCKETS: &str = "a replay has no sockets: commands cannot run (Space plays, n steps)";

impl App {
    /// Parses a line typed at the prompt and runs it.
    pub fn run_line(&mut self, text: &str) -> Result<(), ParseError> {
        if self.player().is_some() && !text.trim().is_empty() {
            self.status = Some(Status::Error(NO_SOCKETS.into()));
            return Ok(());
        }
        if self.trace().is_some() && !text.trim().is_empty() {
            self.status = Some(Status::Error(super::traced::NO_COMMANDS.into()));
            return Ok(());
        }
        if self.compared().is_some() && !text.trim().is_empty() {
            self.status = Some(Status::Error(COMMANDS_OFF.into()));
            return Ok(());
        }
        match parse_line(text) {
            Ok(Some(cmd)) => {
                self.run_command(cmd);
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => {
                self.status = Some(Status::Error(format!("col {}: {}", e.col, e.message)));
                Err(e)
            }
        }
    }

    /// Runs one command, from a key or the prompt, and says so.
    pub fn run_command(&mut self, cmd: Command) {
        self.status = Some(Status::Info(format!(":{}", super::fmt::safe(&cmd.to_string()))));
        self.push(vec![Located { line: 0, cmd }]);
    }

    /// Runs a key's step, resolved by the executor when its turn comes.
    pub fn run_step(&mut self, step: Step) {
        self.queue(|exec| exec.push_step(step));
    }

    /// Hands commands to the one executor and runs what can run now.
    pub fn push(&mut self, cmds: Vec<Located>) {
        self.queue(|exec| cmds.into_iter().for_each(|c| exec.push(c)));
    }

    fn queue(&mut self, give: impl FnOnce(&mut crate::exec::Executor)) {
        match &mut self.store {
            Store::Live { exec, .. } => give(exec),
            Store::Traced(_) => {
                self.status = Some(Status::Error(super::traced::NO_COMMANDS.into()));
                return;
            }
            Store::Replay { .. } => {
                self.status = Some(Status::Error(NO_SOCKETS.into()));
                return;
            }
            Store::Fixed(_) => {
                self.status = Some(Status::Error("this view has no live sockets".into()));
                return;
            }
            Store::Compare(_) => {
                self.status = Some(Status::Error(COMMANDS_OFF.into()));
                return;
            }
        }
        self.tick();
    }

    /// Lets the executor run (a failure is shown, and the session goes on),
    /// or moves a replay's clock on.
    pub fn tick(&mut self) {
        if self.compared().is_some() {
            return self.tick_compare();
        }
        let mut failures = Vec::new();
        let mut idle = false;
        match &mut self.store {
            Store::Live { session, exec } => loop {
                match exec.tick(session) {
                    Ok(Tick::Idle) => {
                        self.busy_until = None;
                        idle = true;
                        break;
                    }
                    Ok(Tick::Busy(t)) => {
                        self.busy_until = Some(t);
                        break;
                    }
                    Err(f) => failures.push(f),
                }
            },
            Store::Replay { record, player } => player.advance(Instant::now(), record),
            Store::Traced(_) | Store::Fixed(_) | Store::Compare(_) => {}
        }
        if let Store::Live { exec, .. } = &mut self.store {
            for said in exec.take_notices() {
                self.status = Some(Status::Info(super::fmt::safe(&said)));
            }
        }
        for f in failures {
            let msg = self.failure_text(&f);
            self.status = Some(Status::Error(msg));
        }
        if idle {
            self.demo_idle();
        }
    }

    /// Folds one event in. A replay takes its events from the recording only.
    pub fn apply(&mut self, ev: Event) {
        self.apply_from(0, ev);
    }

    /// Folds one event from lab `k` in (`compare` has two labs; else 0).
    pub fn apply_from(&mut self, k: usize, ev: Event) {
        match &mut self.store {
            Store::Live { session, .. } => session.apply(ev),
            Store::Traced(session) => session.apply(ev),
            Store::Compare(_) => self.apply_compare(k, ev),
            Store::Replay { .. } | Store::Fixed(_) => {}
        }
    }

    /// The update step after events: sample the clock, the open sockets'
    /// kernel views and queues, the inspector and CPU use, and show what
    /// went wrong or needs saying. Render only reads what this stored.
    pub fn refresh(&mut self) {
        self.cpu.sample(Instant::now());
        let session = match &mut self.store {
            Store::Live { session, .. } => session,
            Store::Replay { player, .. } => {
                self.now_ns = player.clock_ns;
                return;
            }
            Store::Traced(_) => return self.trace_refresh(),
            Store::Fixed(_) => return,
            Store::Compare(_) => return self.refresh_compare(),
        };
        // The session keeps an outbox for front ends that print events; we
        // draw from the record instead, so only what needs saying is taken.
        for ev in session.take_fresh() {
            match ev {
                Event::Fault(msg) => self.status = Some(Status::Error(format!("fault: {msg}"))),
                Event::Warning(msg) => self.status = Some(Status::Info(format!("warning: {msg}"))),
                _ => {}
            }
        }
        self.now_ns = session.now_ns();
        self.peer_pending = session.engine.peer_pending().is_some();
        let open: Vec<(u32, i32)> =
            session.record().sockets().filter_map(|s| Some((s.id(), session.engine.fd(s.id())?))).collect();
        self.samples = open
            .iter()
            .map(|&(id, fd)| {
                (
                    id,
                    Sample {
                        kernel: sample::kernel_view(fd).ok(),
                        queues: sample::queues(fd),
                        ..Sample::default()
                    },
                )
            })
            .collect();
        let current_fd = session.record().current().and_then(|id| session.engine.fd(id));
        self.inspection = current_fd.filter(|_| self.inspector).and_then(sample::inspect);
    }

    /// Whether something on screen changes with time alone. In a replay
    /// time is the replay clock, which moves only while playing.
    pub fn animating(&self) -> bool {
        let moving = match self.player() {
            Some(p) => p.playing,
            None => {
                let blocking = self.store.timelines().iter().any(|tl| tl.blocking().next().is_some());
                self.busy_until.is_some() || self.peer_pending || blocking || self.trace_moving()
            }
        };
        moving || self.cpu.busy()
    }

    /// Whether "now" advances on its own: a live lab, a program still
    /// traced, a compare still running (not a replay, whose clock moves
    /// only while it plays, nor a fixed record).
    fn clock_runs(&self) -> bool {
        match &self.store {
            Store::Live { .. } => true,
            Store::Traced(s) => !s.finished(),
            Store::Compare(c) => !c.finished(),
            Store::Replay { .. } | Store::Fixed(_) => false,
        }
    }

    /// How long the loop may sleep: until the executor's deadline, or one
    /// frame while animating, or a second while following a live session;
    /// `None` means until the next event.
    pub fn wake_in(&self) -> Option<Duration> {
        let busy = self.busy_until.map(|t| t.saturating_duration_since(Instant::now()));
        let live = self.view.follow && self.clock_runs();
        let frame = if self.animating() { Some(FRAME) } else { live.then_some(IDLE_FRAME) };
        match (busy, frame) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// A failure as the status line says it, with the script line in demos.
    fn failure_text(&self, f: &Failure) -> String {
        let what = match f.kind {
            FailureKind::Expect => "expect failed",
            FailureKind::Command => "error",
        };
        match self.demo.as_ref().map(|d| d.name.as_str()) {
            Some(name) if f.line > 0 => format!("{name}:{}: {what}: {}", f.line, f.message),
            _ => format!("{what}: {}", f.message),
        }
    }
}
