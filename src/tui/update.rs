//! The update step: command lines into the executor, lab events into the
//! timeline, a replay's clock forward, and every reading the panes show
//! (kernel views, queues, the inspector, CPU use) taken here, never in render.

use std::time::{Duration, Instant};

use super::app::{App, FRAME, SockRow, Status, Store};
use super::session;
use crate::command::{Command, Located, ParseError, parse_line};
use crate::lab::exec::{Failure, FailureKind, Tick};
use crate::lab::{Lab, LabEvent};

/// Why a replay refuses commands, for the status line.
pub const NO_SOCKETS: &str = "a replay has no sockets: commands cannot run (Space plays, n steps)";

impl App {
    /// Parses a line and queues it: the prompt and every key go through
    /// here. `export python PATH` is the TUI's own and never reaches the parser.
    pub fn run_line(&mut self, text: &str) -> Result<(), ParseError> {
        if self.player().is_some() && !text.trim().is_empty() {
            self.status = Some(Status::Error(NO_SOCKETS.into()));
            return Ok(());
        }
        if let Some(export) = session::parse_export(text) {
            self.status = Some(match export.and_then(|path| self.session.export(&path)) {
                Ok(done) => Status::Info(done),
                Err(e) => Status::Error(e),
            });
            return Ok(());
        }
        match parse_line(text) {
            Ok(Some(cmd)) => {
                self.status = Some(Status::Info(format!(":{}", text.trim())));
                self.push(vec![Located { line: 0, cmd }]);
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => {
                self.status = Some(Status::Error(format!("col {}: {}", e.col, e.message)));
                Err(e)
            }
        }
    }

    /// Hands commands to the one executor (and the session log) and runs
    /// what can run now.
    pub fn push(&mut self, cmds: Vec<Located>) {
        match &mut self.store {
            Store::Live { exec, .. } => cmds.into_iter().for_each(|c| exec.push(self.session.log(c))),
            Store::Replay { .. } => {
                self.status = Some(Status::Error(NO_SOCKETS.into()));
                return;
            }
            Store::Fixed(_) => {
                self.status = Some(Status::Error("this view has no live sockets".into()));
                return;
            }
        }
        self.tick();
    }

    /// Demo mode: queue the next step.
    pub fn step(&mut self) {
        let Some(demo) = &mut self.demo else { return };
        if demo.finished() {
            self.status = Some(Status::Info("the scenario is over: q quits, : still works".into()));
            return;
        }
        let cmds = demo.step();
        let ran = cmds.iter().find(|c| !matches!(c.cmd, Command::Say(_)));
        if let Some(c) = ran {
            let text = super::fmt::safe(demo.source_line(c.line));
            self.status = Some(Status::Info(format!("ran line {}: {text}", c.line)));
        }
        self.push(cmds);
    }

    /// Lets the executor run (a failure is shown, and the session goes on),
    /// or moves a replay's clock on.
    pub fn tick(&mut self) {
        let mut failures = Vec::new();
        match &mut self.store {
            Store::Live { lab, exec } => loop {
                match exec.tick(lab) {
                    Ok(Tick::Idle) => {
                        self.busy_until = None;
                        break;
                    }
                    Ok(Tick::Busy(t)) => {
                        self.busy_until = Some(t);
                        break;
                    }
                    Err(f) => failures.push(f),
                }
            },
            Store::Replay { lab, player } => player.advance(Instant::now(), lab),
            Store::Fixed(_) => {}
        }
        for f in failures {
            let msg = self.failure_text(&f);
            self.status = Some(Status::Error(msg));
        }
    }

    /// Folds one lab event in (the timeline lives in the lab). A replay
    /// takes its events from the recording only.
    pub fn apply(&mut self, ev: LabEvent) {
        if let Store::Live { lab, .. } = &mut self.store {
            lab.apply(ev);
        }
    }

    /// The update step after events: sample the clock, read each socket's
    /// mode, kernel view and queues, the inspector and CPU use. Render
    /// only reads what this stored.
    pub fn refresh(&mut self) {
        self.cpu.sample(Instant::now());
        let lab: &mut Lab = match &mut self.store {
            Store::Live { lab, .. } | Store::Replay { lab, .. } => lab,
            Store::Fixed(_) => return,
        };
        // The lab keeps an outbox for front ends that print events; we draw
        // from the timeline instead, so only faults are of interest.
        for ev in lab.take_fresh() {
            if let LabEvent::Fault(msg) = ev {
                self.status = Some(Status::Error(format!("fault: {msg}")));
            }
        }
        self.now_ns = lab.now_ns();
        self.current = lab.current();
        self.peer_pending = lab.peer_pending().is_some();
        self.socks = lab.sockets().map(|h| row(lab, h)).collect();
        self.inspection = match self.current {
            Some(id) if self.inspector => lab.inspect(id),
            _ => None,
        };
    }

    /// Whether something on screen changes with time alone. In a replay
    /// time is the replay clock, which moves only while playing.
    pub fn animating(&self) -> bool {
        let moving = match self.player() {
            Some(p) => p.playing,
            None => {
                self.busy_until.is_some() || self.peer_pending || self.timeline().blocking().next().is_some()
            }
        };
        moving || self.cpu.busy()
    }

    /// How long the loop may sleep: until the executor's deadline, or one
    /// frame while animating; `None` means until the next event.
    pub fn wake_in(&self) -> Option<Duration> {
        let busy = self.busy_until.map(|t| t.saturating_duration_since(Instant::now()));
        let frame = self.animating().then_some(FRAME);
        match (busy, frame) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// A failure as the status line says it, with the script line in demos.
    fn failure_text(&mut self, f: &Failure) -> String {
        let what = match f.kind {
            FailureKind::Expect => "expect failed",
            FailureKind::Command => "error",
        };
        // A command that could not run is left out of `:export python`.
        let line = self.session.source_line(f.line);
        if f.kind == FailureKind::Command {
            self.session.failed(f.line);
        }
        match (self.demo.as_ref().map(|d| d.name.as_str()), line) {
            (Some(name), Some(line)) if line > 0 => format!("{name}:{line}: {what}: {}", f.message),
            _ => format!("{what}: {}", f.message),
        }
    }
}

fn row(lab: &Lab, h: &crate::lab::SockHandle) -> SockRow {
    let id = h.info.id;
    SockRow {
        info: h.info.clone(),
        mode: *h.mode.lock().unwrap_or_else(|p| p.into_inner()),
        kernel: lab.kernel_view(id),
        queues: lab.queues(id),
        closed: !h.is_open(),
    }
}
