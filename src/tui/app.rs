//! The TUI's state and its update step. No drawing here: the panes read an
//! `&App`. Everything that touches the kernel (kernel read-backs, queue
//! sizes) happens in [`App::refresh`], after events, never during render.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ratatui::layout::Rect;

use super::demo::Demo;
use super::input::LineEdit;
use super::theme::Theme;
use super::view::{TimelineView, newest};
use crate::command::{Command, Located, ParseError, parse_line};
use crate::lab::exec::{Executor, Failure, FailureKind, Tick};
use crate::lab::{Call, KernelView, Lab, LabEvent, Lane, Mode, PyMode, SockInfo, Timeline};

/// How often to redraw while something moves (a blocked call's elapsed
/// time, a scheduled peer action, a `wait`). Idle: no redraws at all.
pub const FRAME: Duration = Duration::from_millis(80);

/// One socket as the sockets pane shows it, read in the update step.
#[derive(Debug, Clone, PartialEq)]
pub struct SockRow {
    pub info: SockInfo,
    /// What the user set (the Python view).
    pub mode: Mode,
    /// What the kernel holds, read back now; `None` once closed.
    pub kernel: Option<KernelView>,
    /// Bytes queued to receive and to send (FIONREAD, TIOCOUTQ).
    pub queues: Option<(u32, u32)>,
    pub closed: bool,
}

/// Where the records come from: a live session, or fixed data (tests, and
/// later `replay`), which has no executor.
pub enum Store {
    Live { lab: Box<Lab>, exec: Executor },
    Fixed(Timeline),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Info(String),
    Error(String),
}

pub struct App {
    pub store: Store,
    pub socks: Vec<SockRow>,
    pub current: Option<u32>,
    /// The embedded peer's listening address, to print `peer` instead.
    pub peer_addr: Option<SocketAddr>,
    /// "Now" on the session clock, sampled in the update step so a frame is
    /// drawn from one consistent instant.
    pub now_ns: u64,
    pub view: TimelineView,
    pub prompt: LineEdit,
    pub prompt_open: bool,
    pub status: Option<Status>,
    pub help: bool,
    /// `p` was pressed: the next key picks a peer action.
    pub peer_prefix: bool,
    pub demo: Option<Demo>,
    pub theme: Theme,
    /// The terminal's size, for layout-dependent input (mouse, zoom).
    pub size: Rect,
    pub quit: bool,
    /// The executor is waiting until then (a settle, `wait`, `expect`).
    pub busy_until: Option<Instant>,
    /// A scheduled peer action is still to come.
    pub peer_pending: bool,
}

impl App {
    fn with_store(store: Store, theme: Theme) -> App {
        App {
            store,
            socks: Vec::new(),
            current: None,
            peer_addr: None,
            now_ns: 0,
            view: TimelineView::default(),
            prompt: LineEdit::default(),
            prompt_open: false,
            status: None,
            help: false,
            peer_prefix: false,
            demo: None,
            theme,
            size: Rect::new(0, 0, 100, 30),
            quit: false,
            busy_until: None,
            peer_pending: false,
        }
    }

    /// A live session over `lab`.
    pub fn live(lab: Lab, theme: Theme) -> App {
        let peer = lab.peer_addr();
        let mut app = App::with_store(Store::Live { lab: Box::new(lab), exec: Executor::new() }, theme);
        app.peer_addr = peer;
        app
    }

    /// Fixed records and sockets, drawn at a fixed "now" (tests, replay).
    pub fn fixed(timeline: Timeline, socks: Vec<SockRow>, now_ns: u64, theme: Theme) -> App {
        let mut app = App::with_store(Store::Fixed(timeline), theme);
        app.current = socks.first().map(|s| s.info.id);
        app.socks = socks;
        app.now_ns = now_ns;
        app
    }

    pub fn timeline(&self) -> &Timeline {
        match &self.store {
            Store::Live { lab, .. } => lab.timeline(),
            Store::Fixed(t) => t,
        }
    }

    /// Lanes top to bottom: every socket in number order, the peer, and
    /// the event loop once it has been used.
    pub fn lanes(&self) -> Vec<Lane> {
        let mut lanes: Vec<Lane> = self.socks.iter().map(|s| Lane::Sock(s.info.id)).collect();
        lanes.push(Lane::Peer);
        if !self.timeline().lane(Lane::Loop).is_empty() {
            lanes.push(Lane::Loop);
        }
        lanes
    }

    pub fn current_row(&self) -> Option<&SockRow> {
        self.socks.iter().find(|s| Some(s.info.id) == self.current)
    }

    /// The call the detail pane explains: the selected one, or else the
    /// newest on the current socket, or else the newest anywhere.
    pub fn shown_call(&self) -> Option<&Call> {
        let tl = self.timeline();
        let i = self
            .view
            .selected
            .or_else(|| newest(tl, self.current.map(Lane::Sock)))
            .or_else(|| newest(tl, Some(Lane::Peer)))?;
        tl.get(i)
    }

    /// The command `b` runs: the opposite of the current socket's mode.
    pub fn toggle_line(&self) -> &'static str {
        match self.current_row().map(|s| s.mode.py) {
            Some(PyMode::Blocking) | None => "nonblocking",
            Some(_) => "blocking",
        }
    }

    /// Parses a line and queues it: the prompt and every key go through here.
    pub fn run_line(&mut self, text: &str) -> Result<(), ParseError> {
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

    /// Hands commands to the one executor and runs what can run now.
    pub fn push(&mut self, cmds: Vec<Located>) {
        match &mut self.store {
            Store::Live { exec, .. } => cmds.into_iter().for_each(|c| exec.push(c)),
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

    /// Lets the executor run; a failure is shown, and the session goes on.
    pub fn tick(&mut self) {
        let Store::Live { lab, exec } = &mut self.store else { return };
        loop {
            match exec.tick(lab) {
                Ok(Tick::Idle) => {
                    self.busy_until = None;
                    break;
                }
                Ok(Tick::Busy(t)) => {
                    self.busy_until = Some(t);
                    break;
                }
                Err(f) => {
                    let msg = failure_text(&f, self.demo.as_ref().map(|d| d.name.as_str()));
                    self.status = Some(Status::Error(msg));
                }
            }
        }
    }

    /// Folds one lab event in (the timeline lives in the lab).
    pub fn apply(&mut self, ev: LabEvent) {
        if let Store::Live { lab, .. } = &mut self.store {
            lab.apply(ev);
        }
    }

    /// The update step after events: sample the clock, read each socket's
    /// mode, kernel view and queues. Render only reads what this stored.
    pub fn refresh(&mut self) {
        let Store::Live { lab, .. } = &mut self.store else { return };
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
        self.socks = lab
            .sockets()
            .map(|h| {
                let id = h.info.id;
                SockRow {
                    info: h.info.clone(),
                    mode: *h.mode.lock().unwrap_or_else(|p| p.into_inner()),
                    kernel: lab.kernel_view(id),
                    queues: lab.queues(id),
                    closed: !h.is_open(),
                }
            })
            .collect();
    }

    /// Whether something on screen changes with time alone.
    pub fn animating(&self) -> bool {
        self.busy_until.is_some() || self.peer_pending || self.timeline().blocking().next().is_some()
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
}

fn failure_text(f: &Failure, file: Option<&str>) -> String {
    let what = match f.kind {
        FailureKind::Expect => "expect failed",
        FailureKind::Command => "error",
    };
    match (file, f.line) {
        (Some(name), line) if line > 0 => format!("{name}:{line}: {what}: {}", f.message),
        _ => format!("{what}: {}", f.message),
    }
}
