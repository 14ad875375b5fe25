//! The App's side of a demo: it hands each step's lines to the one
//! executor, takes the class's answer, steps back by running the steps
//! before again on a fresh session, and says what happened in the status
//! line.

use super::{Advance, Back, Demo};
use crate::command::Located;
use crate::exec::Executor;
use crate::tui::app::{App, Status, Store, peer_names};
use crate::tui::fmt;

/// Why a live key does nothing in a demo.
pub const LIVE_OFF: &str = "live keys are off in a demo, so the scenario's expects hold: L switches them on";

impl App {
    /// Starts a demo: its title and first `say` are on screen, nothing has run.
    pub fn start_demo(&mut self, demo: Demo) {
        let n = demo.total_steps();
        let said = match demo.predict {
            true => format!("{n} steps, the class predicts each call: Space next, ← back, Home start over"),
            false => format!("{n} steps: Space runs the next one, ← steps back, Home starts over"),
        };
        self.status = Some(Status::Info(said));
        self.demo = Some(demo);
    }

    /// Space / →: the next step, or its question first in predict mode.
    pub fn step(&mut self) {
        let Some(demo) = &mut self.demo else { return };
        let (at, n) = (demo.at() + 1, demo.total_steps());
        match demo.advance() {
            Advance::Over => {
                let tally = match demo.tally() {
                    (right, all) if demo.predict => format!("the class got {right} of {all} right. "),
                    _ => String::new(),
                };
                self.say(format!(
                    "the scenario is over: {tally}Home starts again, L switches live keys on, q quits"
                ));
            }
            Advance::Answer => {
                let n = self.choices().len();
                self.say(format!("first the class's answer: 1-{n}, or 0 to run it without one"));
            }
            Advance::Ask(setup) => {
                let verb = demo.question().map_or("it", |q| q.verb);
                self.say(format!("step {at}/{n}: what will {verb} do? Type the class's answer"));
                self.push(setup);
            }
            Advance::Run(lines) => {
                let ran = ran(demo, &lines);
                self.say(format!("step {at}/{n}: {ran}"));
                self.push(lines);
            }
        }
    }

    /// A digit while a question is on screen: 1… picks an answer, 0 runs
    /// the call without one.
    pub fn answer(&mut self, digit: u32) {
        let choices = self.choices();
        let guess = match digit {
            0 => None,
            d => match choices.get(d as usize - 1) {
                Some(&g) => Some(g),
                None => {
                    let n = choices.len();
                    return self.say(format!("the answers are 1-{n} (0 runs it without one)"));
                }
            },
        };
        let from = self.timeline().len();
        let Some(demo) = &mut self.demo else { return };
        let Some(rest) = demo.answer(guess, from) else { return };
        let said = guess.map_or("no answer".to_string(), |g| format!("the class says {}", g.word()));
        let ran = ran(demo, &rest);
        self.say(format!("{said}: {ran}"));
        self.push(rest);
    }

    /// The answers offered for the question on screen (a datagram socket
    /// has no EOF and no partial send).
    pub fn choices(&self) -> Vec<super::predict::Guess> {
        let dgram = self.current_socket().is_some_and(|s| s.info.kind.is_dgram());
        self.demo.as_ref().map_or_else(Vec::new, |d| d.choices(dgram))
    }

    /// Backspace / ←: the state after the step before, by running the steps
    /// up to it again on fresh sockets.
    pub fn step_back(&mut self) {
        let Some(demo) = &mut self.demo else { return };
        match demo.back() {
            Back::AtStart => self.say("at the start already: Space runs the first step".into()),
            Back::Stay => {
                let (at, n) = (demo.at(), demo.total_steps());
                self.say(format!("back at step {at}/{n}, before the question"));
            }
            Back::Rerun(lines) => {
                let (at, n) = (demo.at(), demo.total_steps());
                let what = match at {
                    0 => "back at the start, on fresh sockets".to_string(),
                    1 => format!("back at step 1/{n}: it ran again on fresh sockets"),
                    _ => format!("back at step {at}/{n}: steps 1-{at} ran again on fresh sockets"),
                };
                self.rerun(lines, what);
            }
        }
    }

    /// Home: before the first step, on fresh sockets, with no answers.
    pub fn restart_demo(&mut self) {
        let Some(demo) = &mut self.demo else { return };
        demo.restart();
        self.rerun(Vec::new(), "started over on fresh sockets: Space runs the first step".into());
    }

    /// L: the live keys on or off.
    pub fn toggle_live(&mut self) {
        let Some(demo) = &mut self.demo else { return };
        demo.live = !demo.live;
        let said = if demo.live {
            "live keys on: they act between the scenario's lines, so its expects may fail"
        } else {
            "live keys off: the scenario runs as written"
        };
        self.say(said.into());
    }

    /// The executor went idle: the steps handed on have run.
    pub(crate) fn demo_idle(&mut self) {
        let (Some(demo), Store::Live { session, exec }) = (&mut self.demo, &self.store) else { return };
        if !demo.settled() {
            demo.settle(session.record(), exec.settle());
        }
        if let Some(note) = demo.note.take()
            && !matches!(self.status, Some(Status::Error(_)))
        {
            self.status = Some(Status::Info(note));
        }
    }

    /// New sockets and a new peer, then `lines` on them; `done` is said
    /// once they have run.
    fn rerun(&mut self, lines: Vec<Located>, done: String) {
        let recording = match self.fresh_session() {
            Ok(r) => r,
            Err(e) => {
                self.status = Some(Status::Error(format!("cannot start fresh sockets: {}", fmt::safe(&e))));
                return;
            }
        };
        let stopped =
            if recording { " (--record stopped at the step back: a recording holds one run)" } else { "" };
        if let Some(demo) = &mut self.demo {
            demo.note = Some(format!("{done}{stopped}"));
        }
        let steps = self.demo.as_ref().map_or(0, Demo::at);
        if steps > 0 {
            self.say(format!("running steps 1-{steps} again on fresh sockets…"));
        }
        self.push(lines);
    }

    /// Replaces the session and the executor with new ones; says whether
    /// the old one was recording.
    fn fresh_session(&mut self) -> Result<bool, String> {
        let Store::Live { session, exec } = &mut self.store else {
            return Err("this view has no live sockets".into());
        };
        let new = session.fresh().map_err(|e| e.to_string())?;
        let recording = session.is_recording();
        let settle = exec.settle();
        // The old session goes: its sockets and peer are let go.
        **session = new;
        **exec = Executor::with_settle(settle);
        let (peer, unix) = peer_names(session);
        self.peer_addr = Some(peer);
        self.peer_unix = unix;
        self.samples.clear();
        self.inspection = None;
        self.busy_until = None;
        self.peer_pending = false;
        self.now_ns = 0;
        self.view.set_follow(true, 0, 0);
        Ok(recording)
    }

    fn say(&mut self, text: String) {
        self.status = Some(Status::Info(text));
    }
}

/// What a step runs, for the status line: its line, or its lines' span.
fn ran(demo: &Demo, lines: &[Located]) -> String {
    let cmds: Vec<&Located> = lines.iter().filter(|l| !super::steps::is_say(&l.cmd)).collect();
    match (cmds.first(), cmds.last()) {
        (Some(a), Some(b)) if a.line == b.line => {
            format!("line {}: {}", a.line, fmt::safe(demo.source_line(a.line)))
        }
        (Some(a), Some(b)) => format!("lines {}-{}", a.line, b.line),
        _ => "narration".into(),
    }
}
