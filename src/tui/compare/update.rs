//! The update step of `compare`: both executors ticked, both labs' events
//! folded, and the readings the panes show (each side's figures and CPU
//! use, "now" on the shared clock) taken here, never in render.

use std::time::Instant;

use super::{Compare, Run};
use crate::record::Event;
use crate::record::quiet::Quiet;
use crate::tui::app::{App, Status, Store};

/// What the status line says when a key would run a command.
pub const COMMANDS_OFF: &str = "compare runs the two scenarios as written: commands are off";

/// Said once both scripts have ended and the view was fitted to them.
const FITTED: &str = "both have ended: the view holds all of A and B (f: follow live)";

impl App {
    fn compare_mut(&mut self) -> Option<&mut Compare> {
        match &mut self.store {
            Store::Compare(c) => Some(c),
            _ => None,
        }
    }

    /// Ticks both executors; a side that stops says why in the status line.
    pub(crate) fn tick_compare(&mut self) {
        let Some(c) = self.compare_mut() else { return };
        let mut busy: Option<Instant> = None;
        let mut said = Vec::new();
        for side in c.sides.iter_mut() {
            let (until, failure) = side.tick();
            busy = match (busy, until) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            said.extend(failure.map(|f| side.failure_text(&f)));
        }
        self.busy_until = busy;
        for s in said {
            self.status = Some(Status::Error(s));
        }
    }

    /// Folds an event from side `k`'s lab.
    pub(crate) fn apply_compare(&mut self, k: usize, ev: Event) {
        if let Some(c) = self.compare_mut() {
            c.sides[k.min(1)].session.apply(ev);
        }
    }

    /// The readings: "now", each side's figures and CPU use, faults; and
    /// once both scripts have ended, the view fitted to the whole run.
    pub(crate) fn refresh_compare(&mut self) {
        let side = self.view.side.min(1);
        let Some(c) = self.compare_mut() else { return };
        let now = c.now_ns();
        let mut said = Vec::new();
        for s in c.sides.iter_mut() {
            for ev in s.session.take_fresh() {
                match ev {
                    Event::Fault(m) => said.push(Status::Error(format!("{}: fault: {m}", s.letter))),
                    Event::Warning(m) => said.push(Status::Info(format!("{}: warning: {m}", s.letter))),
                    _ => {}
                }
            }
            s.read(now);
        }
        c.quiet = Quiet::both(c.sides[0].record().timeline().quiet(), c.sides[1].record().timeline().quiet());
        let pending = c.sides.iter_mut().any(|s| s.session.engine.peer_pending().is_some());
        let engine = &c.sides[side].session.engine;
        let peer = engine.peer_addr();
        let peer_unix = engine.peer_unix_path().parent().map(|p| crate::lab::unix::text(&p.join("peer")));
        // A call still in the kernel keeps the view following it, growing.
        let blocking = c.sides.iter().any(|s| s.summary.blocking > 0);
        let fit = (c.finished() && !blocking && !c.fitted).then(|| {
            c.fitted = true;
            c.sides.iter().map(|s| s.summary_end()).max().unwrap_or(now)
        });
        self.now_ns = now;
        self.peer_pending = pending;
        self.peer_addr = Some(peer);
        self.peer_unix = peer_unix;
        if let Some(s) = said.pop() {
            self.status = Some(s);
        }
        // Both have run: show all of it at once, unless the user has moved.
        if let Some(end) = fit.filter(|_| self.view.follow) {
            self.view.fit_to(end);
            // A side that stopped said why; that stays.
            if !matches!(self.status, Some(Status::Error(_))) {
                self.status = Some(Status::Info(FITTED.into()));
            }
        }
    }
}

impl super::Side {
    /// When this side's last record ended, or its script did if later.
    fn summary_end(&self) -> u64 {
        let end = match self.run {
            Run::Done(at) => at,
            Run::Running | Run::Stopped { .. } => 0,
        };
        let tl = self.record().timeline();
        tl.calls().iter().filter_map(|c| c.end_ns).max().unwrap_or(0).max(end)
    }
}
