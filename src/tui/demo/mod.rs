//! `sockscope demo [--predict] FILE`: a scenario cut into steps, and where
//! the presenter is in it. Pure state: it hands lines to run to the App
//! (`drive.rs`), which gives them to the one executor.
//!
//! A step's narration is on screen from the key press that runs it until
//! the next step runs; narration that comments on its results joins once
//! they are in ("settled": the executor went idle). Stepping back re-runs
//! the steps before on fresh sockets, so the screen is what those steps
//! really do, not a picture of it.
//!
//! In predict mode, a step with a predicted call first runs its set-up and
//! asks; the class's answer runs the rest. Its narration shows only then:
//! scenarios' narration often gives the answer away.

mod drive;
pub mod predict;
pub mod steps;

use crate::command::Located;
use crate::record::Record;
pub use drive::LIVE_OFF;
use predict::{Answer, Guess, Verdict, choices};
use steps::{Step, predicted};

#[derive(Debug, Clone)]
pub struct Demo {
    /// The file name, for the pane title and `file:line` messages.
    pub name: String,
    title: Option<String>,
    /// The source lines, to show commands exactly as written.
    source: Vec<String>,
    steps: Vec<Step>,
    pub predict: bool,
    /// How many steps have been handed on to run.
    done: usize,
    /// Predict mode: step `done` is asking (its set-up has run).
    asking: bool,
    /// How many steps have finished running.
    settled: usize,
    /// The class's answer for each step that asked.
    answers: Vec<Option<Answer>>,
    /// The presenter switched the live keys (recv, modes, peer …) on.
    pub live: bool,
    /// What to say once the steps handed on have run (after a step back).
    note: Option<String>,
}

/// What the next key press does.
#[derive(Debug, Clone, PartialEq)]
pub enum Advance {
    /// Run these lines: the step has begun.
    Run(Vec<Located>),
    /// Run this set-up; the question is now on screen.
    Ask(Vec<Located>),
    /// The question on screen wants an answer first.
    Answer,
    Over,
}

/// What stepping back needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Back {
    /// Nothing has changed the sockets since the step shown: no re-run.
    Stay,
    /// Fresh sockets, and these lines (every step before) run on them.
    Rerun(Vec<Located>),
    AtStart,
}

/// The question on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Question<'a> {
    pub verb: &'static str,
    pub line: usize,
    pub text: &'a str,
    /// Lines the answer runs just before the call (a timed peer send), as written.
    pub first: Vec<&'a str>,
}

impl Demo {
    pub fn new(name: &str, text: &str, script: Vec<Located>, predict: bool) -> Demo {
        let source: Vec<String> = text.lines().map(str::to_string).collect();
        let steps = steps::cut(&script, predict);
        Demo {
            name: name.to_string(),
            title: steps::title(&source),
            source,
            answers: vec![None; steps.len()],
            steps,
            predict,
            done: 0,
            asking: false,
            settled: 0,
            live: false,
            note: None,
        }
    }

    pub fn total_steps(&self) -> usize {
        self.steps.len()
    }

    /// The step on screen, counting from 1 (0 before the first).
    pub fn at(&self) -> usize {
        self.done + usize::from(self.asking)
    }

    pub fn asking(&self) -> bool {
        self.asking
    }

    pub fn finished(&self) -> bool {
        self.done >= self.steps.len()
    }

    /// Whether every step handed on has finished running.
    pub fn settled(&self) -> bool {
        self.settled >= self.done
    }

    /// Line `n` (1-based) of the file, trimmed.
    pub fn source_line(&self, n: usize) -> &str {
        self.source.get(n.wrapping_sub(1)).map_or("", |s| s.trim())
    }

    /// Space: begin the next step.
    pub fn advance(&mut self) -> Advance {
        if self.asking {
            return Advance::Answer;
        }
        let Some(step) = self.steps.get(self.done) else { return Advance::Over };
        if step.ask.is_some() {
            self.asking = true;
            return Advance::Ask(step.split_at_ask().0.to_vec());
        }
        self.done += 1;
        Advance::Run(step.lines.clone())
    }

    /// The class's answer (`None`: run it without one). `from` is the
    /// timeline's length now: the call will come after it. Returns the lines
    /// to run, if a question was on screen.
    pub fn answer(&mut self, guess: Option<Guess>, from: usize) -> Option<Vec<Located>> {
        if !self.asking {
            return None;
        }
        self.asking = false;
        let step = &self.steps[self.done];
        self.answers[self.done] = Some(Answer { guess, from, verdict: None });
        self.done += 1;
        Some(step.split_at_ask().1.to_vec())
    }

    /// Backspace: back to the step before the one on screen.
    pub fn back(&mut self) -> Back {
        if self.asking {
            self.asking = false;
            let setup = self.steps[self.done].split_at_ask().0;
            if setup.iter().all(|l| steps::is_say(&l.cmd)) {
                return Back::Stay;
            }
        } else if self.done == 0 {
            return Back::AtStart;
        } else {
            self.done -= 1;
        }
        self.answers[self.done..].fill(None);
        // An answer whose step had not finished cannot be judged on a re-run.
        for a in &mut self.answers[..self.done] {
            if a.as_ref().is_some_and(|a| a.verdict.is_none()) {
                *a = None;
            }
        }
        self.settled = 0;
        Back::Rerun(self.steps[..self.done].iter().flat_map(|s| s.lines.clone()).collect())
    }

    /// Home: before the first step, with no answers.
    pub fn restart(&mut self) {
        self.done = 0;
        self.asking = false;
        self.settled = 0;
        self.answers.fill(None);
    }

    /// The executor went idle: every step handed on has run. Judges the
    /// answers given since; a call that could not be made (the status line
    /// says why) leaves nothing to judge, and its answer is dropped.
    pub fn settle(&mut self, record: &Record, settle: std::time::Duration) {
        self.settled = self.done;
        for (step, slot) in self.steps.iter().zip(&mut self.answers).take(self.done) {
            let Some(a) = slot.as_mut().filter(|a| a.verdict.is_none()) else { continue };
            let op = match step.ask.and_then(|i| step.lines.get(i)).map(|l| &l.cmd) {
                Some(crate::command::Command::Call(c)) => crate::record::Op::from(c),
                _ => continue,
            };
            a.verdict = predict::judge(record, op, a.from, a.guess, settle);
            if a.verdict.is_none() {
                *slot = None;
            }
        }
    }

    /// The question on screen, if one is.
    pub fn question(&self) -> Option<Question<'_>> {
        let step = self.steps.get(self.done).filter(|_| self.asking)?;
        let ask = step.ask?;
        let call = step.lines.get(ask)?;
        let with = step.split_at_ask().1;
        let first = with[..with.len().saturating_sub(step.lines.len() - ask)]
            .iter()
            .filter(|l| !steps::is_say(&l.cmd) && !matches!(l.cmd, crate::command::Command::Expect(_)))
            .map(|l| self.source_line(l.line))
            .collect();
        Some(Question {
            verb: predicted(&call.cmd)?,
            line: call.line,
            text: self.source_line(call.line),
            first,
        })
    }

    /// The answers offered now, for a socket of this kind.
    pub fn choices(&self, dgram: bool) -> Vec<Guess> {
        self.question().map_or_else(Vec::new, |q| choices(q.verb, dgram))
    }

    /// Before the first step: the scenario's title and, if it leads a step
    /// the class is not asked about, the first `say`.
    pub fn intro(&self) -> (Option<&str>, &[String]) {
        let first = self.steps.iter().find(|s| !s.lead.is_empty() || !s.trail.is_empty());
        let said = first.filter(|s| s.ask.is_none()).map_or(&[][..], |s| &s.lead[..]);
        (self.title.as_deref(), said)
    }

    /// The narration on screen for the step last run: its own, or the one
    /// in force before it, then its comments once its results are in.
    pub fn narration(&self) -> Vec<&str> {
        let Some(i) = self.done.checked_sub(1).filter(|_| !self.asking) else { return Vec::new() };
        let lead = self.steps[..=i].iter().rev().find(|s| !s.lead.is_empty()).map_or(&[][..], |s| &s.lead);
        let trail = if self.settled > i { &self.steps[i].trail[..] } else { &[] };
        lead.iter().chain(trail).map(String::as_str).collect()
    }

    /// The class's answer for the step last run, and once it has run, the verdict.
    pub fn last_answer(&self) -> Option<&Answer> {
        let i = self.done.checked_sub(1).filter(|_| !self.asking)?;
        self.answers[i].as_ref()
    }

    /// Right answers, and answers judged, over the steps run so far.
    pub fn tally(&self) -> (usize, usize) {
        let judged: Vec<&Verdict> =
            self.answers[..self.done].iter().flatten().filter_map(|a| a.verdict.as_ref()).collect();
        (judged.iter().filter(|v| v.right).count(), judged.len())
    }

    /// Whether the next step asks the class first.
    pub fn next_asks(&self) -> bool {
        self.steps.get(self.done).is_some_and(|s| s.ask.is_some())
    }

    /// The commands of the next step as written (no says, no expects), for "next ▸".
    pub fn next_lines(&self) -> Vec<(usize, &str)> {
        let Some(step) = self.steps.get(self.done) else { return Vec::new() };
        step.shown().map(|l| (l.line, self.source_line(l.line))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::parse_script;

    const SCRIPT: &str = "# Title here.\nopen tcp\nsay one\nnonblocking\nrecv\nexpect wouldblock\nsay two\n\nsay three\nclose\n";

    fn demo(predict: bool) -> Demo {
        Demo::new("x", SCRIPT, parse_script(SCRIPT).unwrap(), predict)
    }

    fn lines(a: Advance) -> Vec<usize> {
        match a {
            Advance::Run(l) | Advance::Ask(l) => l.iter().map(|l| l.line).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn narration_goes_with_its_step() {
        let mut d = demo(false);
        assert_eq!(d.intro(), (Some("Title here."), &["one".to_string()][..]));
        assert_eq!(d.total_steps(), 3);
        assert_eq!(lines(d.advance()), [2]);
        assert!(d.narration().is_empty(), "open tcp has no narration of its own");
        assert_eq!(lines(d.advance()), [3, 4, 5, 6, 7]);
        assert_eq!(d.narration(), ["one"], "shown as the step runs");
        d.settle(&Record::new(), std::time::Duration::ZERO);
        assert_eq!(d.narration(), ["one", "two"], "its comment joins once it has run");
        assert_eq!(d.next_lines(), [(10, "close")]);
        assert_eq!(lines(d.advance()), [9, 10]);
        assert_eq!(d.narration(), ["three"]);
        assert!(d.finished());
        assert_eq!(d.advance(), Advance::Over);
    }

    #[test]
    fn back_reruns_the_steps_before_and_home_starts_over() {
        let mut d = demo(false);
        d.advance();
        d.advance();
        d.advance();
        assert_eq!(d.at(), 3);
        let Back::Rerun(l) = d.back() else { panic!() };
        assert_eq!(l.iter().map(|l| l.line).collect::<Vec<_>>(), [2, 3, 4, 5, 6, 7]);
        assert_eq!(d.at(), 2);
        assert_eq!(d.narration(), ["one"], "its comment waits for the re-run");
        d.restart();
        assert_eq!(d.at(), 0);
        assert_eq!(d.back(), Back::AtStart);
    }

    #[test]
    fn an_answer_is_judged_by_the_call_it_ran_or_dropped_if_none_was_made() {
        use crate::record::{Arg, Call, Event, Lane, Mode, Op, Outcome};
        let mut d = demo(true);
        d.advance();
        d.advance();
        d.answer(Some(Guess::WouldBlock), 0);
        d.settle(&Record::new(), std::time::Duration::ZERO);
        assert!(d.last_answer().is_none(), "no recv was made: nothing to judge");
        assert_eq!(d.tally(), (0, 0));
        let mut d = demo(true);
        d.advance();
        d.advance();
        let mut rec = Record::new();
        let recv = Call::begin(3, Lane::Sock(1), Op::Recv, Arg::Size(1024), Mode::default(), 0);
        rec.apply(&Event::Instant(Call { errno: 11, ..recv.ended(10_000, Outcome::WouldBlock) }));
        d.answer(Some(Guess::WouldBlock), 0);
        d.settle(&rec, std::time::Duration::from_millis(50));
        let v = d.last_answer().and_then(|a| a.verdict.clone()).unwrap();
        assert!(v.right && v.outcome == "recv → wouldblock" && !v.why.is_empty(), "{v:?}");
        assert_eq!(d.tally(), (1, 1));
    }

    #[test]
    fn predict_asks_then_runs_and_back_keeps_the_tally() {
        let mut d = demo(true);
        assert_eq!(d.intro().1.len(), 0, "the first say leads a question: not shown ahead");
        d.advance();
        assert_eq!(lines(d.advance()), [3, 4], "the set-up runs before the question");
        assert!(d.asking());
        assert_eq!(d.at(), 2);
        let q = d.question().unwrap();
        assert_eq!((q.verb, q.line, q.text), ("recv", 5, "recv"));
        assert!(d.narration().is_empty(), "the narration waits for the answer");
        assert_eq!(d.advance(), Advance::Answer);
        let rest = d.answer(Some(Guess::WouldBlock), 0).unwrap();
        assert_eq!(rest.iter().map(|l| l.line).collect::<Vec<_>>(), [5, 6, 7]);
        assert_eq!(d.last_answer().unwrap().guess, Some(Guess::WouldBlock));
        assert_eq!(d.tally(), (0, 0), "judged once it has run");
        // Stepping back from the next question: its set-up was only a say.
        assert!(matches!(d.advance(), Advance::Run(_)));
        assert!(matches!(d.back(), Back::Rerun(_)));
        assert_eq!(d.at(), 2);
        assert!(d.last_answer().is_none(), "an answer not yet judged is dropped on a re-run");
    }
}
