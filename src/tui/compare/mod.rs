//! `sockscope compare A B`: two scenarios run at once, each on a lab of its
//! own (its own sockets, peer, threads and event channel), with one
//! executor and one record per side. Both labs are started with one epoch,
//! so every time either records is on one clock and both sides share the
//! time axis as they are: nothing is shifted or rescaled.
//!
//! This module holds the two sides and their reading (summary, CPU), taken
//! in the update step; the panes draw from it. Commands are off: each side
//! runs its script as written.

pub mod summary;
pub mod update;

use std::path::Path;
use std::time::Instant;

use crate::command::{Command, Located, parse_script};
use crate::escape;
use crate::exec::{Executor, Failure, FailureKind, Session, Tick};
use crate::lab::LabError;
use crate::lab::cpu::CpuUse;
use crate::record::Record;
use crate::record::quiet::Quiet;
use summary::Summary;

/// The status line's first words.
pub const START: &str = "A and B run at once, each on its own lab, one clock. Tab: other side";

/// The letters the sides go by, on every pane.
pub const LETTERS: [char; 2] = ['A', 'B'];

/// A scenario file, read and parsed, not yet run.
pub struct Script {
    /// The file's name (not its directory), escaped.
    pub name: String,
    /// Its first `say`, escaped.
    pub title: Option<String>,
    pub lines: Vec<Located>,
}

impl Script {
    /// Reads and parses `path`. `Err` holds the messages to print, one per
    /// line, as `run` gives them (`path:line:col: what`).
    pub fn load(path: &Path) -> Result<Script, Vec<String>> {
        let shown = escape::path(path);
        let text = crate::textfile::read(path).map_err(|e| vec![e.show(&shown)])?;
        let lines = parse_script(&text)
            .map_err(|errs| errs.iter().map(|e| format!("{shown}:{e}")).collect::<Vec<_>>())?;
        let title = lines.iter().find_map(|l| match &l.cmd {
            Command::Say(text) => Some(escape::text(text)),
            _ => None,
        });
        let name = escape::path(path.file_name().map_or(path, Path::new));
        Ok(Script { name, title, lines })
    }
}

/// Where a side's script is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    Running,
    /// Every line ran, by this time on the shared clock.
    Done(u64),
    /// It stopped at this line (an `expect` failed, or a command could not run).
    Stopped {
        line: usize,
        message: String,
    },
}

/// One experiment: its lab, its executor, and what the update step read.
pub struct Side {
    pub letter: char,
    pub name: String,
    pub title: Option<String>,
    pub session: Session,
    pub exec: Executor,
    pub run: Run,
    /// CPU time of its lab's threads, read in the update step.
    pub cpu: CpuUse,
    /// Its figures, computed in the update step.
    pub summary: Summary,
}

impl Side {
    fn start(letter: char, script: Script, epoch: Instant) -> Result<Side, LabError> {
        let session = Session::start_at(epoch)?;
        let mut exec = Executor::new();
        script.lines.into_iter().for_each(|l| exec.push(l));
        Ok(Side {
            letter,
            name: script.name,
            title: script.title,
            session,
            exec,
            run: Run::Running,
            cpu: CpuUse::default(),
            summary: Summary::default(),
        })
    }

    pub fn record(&self) -> &Record {
        self.session.record()
    }

    /// Runs what the executor can run now; returns when to tick again, and
    /// the failure that stopped the script, if it just did.
    pub fn tick(&mut self) -> (Option<Instant>, Option<Failure>) {
        if self.run != Run::Running {
            self.session.pump();
            return (None, None);
        }
        match self.exec.tick(&mut self.session) {
            Ok(Tick::Busy(t)) => (Some(t), None),
            Ok(Tick::Idle) => {
                self.run = Run::Done(self.session.now_ns());
                (None, None)
            }
            Err(f) => {
                // As `run` does: the rest of the script does not run.
                self.exec.clear();
                self.run = Run::Stopped { line: f.line, message: f.message.clone() };
                (None, Some(f))
            }
        }
    }

    /// The update step's reading: CPU use, and the figures at `now_ns`.
    pub fn read(&mut self, now_ns: u64) {
        self.cpu = self.session.engine.cpu_used();
        self.summary = Summary::of(self.session.record(), now_ns);
    }

    /// `A: name:LINE: expect failed: …`, for the status line.
    pub fn failure_text(&self, f: &Failure) -> String {
        let what = match f.kind {
            FailureKind::Expect => "expect failed",
            FailureKind::Command => "error",
        };
        format!("{}: {}:{}: {what}: {}", self.letter, self.name, f.line, escape::text(&f.message))
    }
}

/// The two sides (which one the selection, the call pane and the
/// transcript are on is the view's: `TimelineView::side`).
pub struct Compare {
    pub sides: [Side; 2],
    /// The view was fitted to the whole run once both scripts ended.
    pub fitted: bool,
    /// When neither side had an event: what a live view may narrow. Taken
    /// in the update step.
    pub quiet: Quiet,
}

impl Compare {
    /// Starts both labs with one epoch, and queues each script.
    pub fn start(a: Script, b: Script) -> Result<Compare, LabError> {
        let epoch = Instant::now();
        let sides = [Side::start(LETTERS[0], a, epoch)?, Side::start(LETTERS[1], b, epoch)?];
        Ok(Compare { sides, fitted: false, quiet: Quiet::default() })
    }

    /// Whether both scripts have ended (run to the end, or stopped).
    pub fn finished(&self) -> bool {
        self.sides.iter().all(|s| s.run != Run::Running)
    }

    /// "Now" on the shared clock (both labs count from one epoch).
    pub fn now_ns(&self) -> u64 {
        self.sides[0].session.now_ns()
    }
}
