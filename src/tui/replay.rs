//! `sockscope replay FILE.jsonl`: a recording folded into a record with no
//! engine behind it. The replay clock moves with the wall clock, scaled by
//! the speed, while playing; each event is folded in once the clock passes
//! its stamp.

use std::time::Instant;

use crate::record::file::Stamped;
use crate::record::{Arg, Event, Lane, Op, Record};

/// Speeds as (numerator, denominator), slowest first.
const SPEEDS: [(u64, u64, &str); 5] =
    [(1, 4, "0.25x"), (1, 2, "0.5x"), (1, 1, "1x"), (2, 1, "2x"), (4, 1, "4x")];
const NORMAL: usize = 2;

#[derive(Debug, Clone)]
pub struct Player {
    /// The file name, for the pane title.
    pub name: String,
    events: Vec<Stamped>,
    /// Index of the next event to apply.
    next: usize,
    /// The replay clock: ns since the recorded session began.
    pub clock_ns: u64,
    pub playing: bool,
    speed: usize,
    /// The wall-clock instant the clock was last moved while playing.
    last: Option<Instant>,
    /// Whether the recording holds narration (`say`), so the pane keeps room for it.
    narrated: bool,
    /// Whether it is a traced program's (it names a process), so `o` has
    /// output to show from the first event on.
    traced: bool,
}

impl Player {
    pub fn new(name: &str, events: Vec<Stamped>) -> Player {
        let narrated = events.iter().any(|e| matches!(&e.ev, Event::Instant(c) if c.op == Op::Say));
        let traced = events.iter().any(|e| matches!(&e.ev, Event::Process(_)));
        Player {
            name: name.into(),
            events,
            next: 0,
            clock_ns: 0,
            playing: false,
            speed: NORMAL,
            last: None,
            narrated,
            traced,
        }
    }

    pub fn narrated(&self) -> bool {
        self.narrated
    }

    pub fn traced(&self) -> bool {
        self.traced
    }

    pub fn finished(&self) -> bool {
        self.next >= self.events.len()
    }

    /// Events applied so far, and in all.
    pub fn position(&self) -> (usize, usize) {
        (self.next, self.events.len())
    }

    /// When the last event was recorded.
    pub fn end_ns(&self) -> u64 {
        self.events.last().map_or(0, |e| e.t_ns)
    }

    pub fn speed_label(&self) -> &'static str {
        SPEEDS[self.speed].2
    }

    /// Space: play or pause. A finished replay stays paused: the record
    /// cannot forget what it was fed, so it cannot start over.
    pub fn toggle(&mut self, now: Instant) {
        self.playing = !self.playing && !self.finished();
        self.last = self.playing.then_some(now);
    }

    /// `<` / `>`: one speed slower (-1) or faster (+1).
    pub fn change_speed(&mut self, by: i32) {
        self.speed = (self.speed as i32 + by).clamp(0, SPEEDS.len() as i32 - 1) as usize;
    }

    /// `n` / →: moves the clock to the next event's stamp and applies it
    /// (with any stamped the same instant), and pauses. A call whose end is
    /// the very next event is one step: it was never seen blocked, so it is
    /// not shown blocked.
    pub fn step(&mut self, record: &mut Record) {
        self.playing = false;
        self.last = None;
        let Some(ev) = self.events.get(self.next) else { return };
        let mut to = ev.t_ns;
        if let (Event::Begin(c), Some(next)) = (&ev.ev, self.events.get(self.next + 1))
            && matches!(&next.ev, Event::End(e) if e.seq == c.seq)
        {
            to = next.t_ns;
        }
        self.clock_ns = self.clock_ns.max(to);
        self.apply_due(record);
    }

    /// While playing: moves the clock by the wall time since the last
    /// move, scaled, and applies every event now due.
    pub fn advance(&mut self, now: Instant, record: &mut Record) {
        if !self.playing {
            return;
        }
        if let Some(last) = self.last {
            let (num, den, _) = SPEEDS[self.speed];
            let wall = now.saturating_duration_since(last).as_nanos() as u64;
            self.clock_ns = self.clock_ns.saturating_add(wall.saturating_mul(num) / den);
        }
        self.last = Some(now);
        self.apply_due(record);
        if self.finished() {
            self.playing = false;
        }
    }

    /// Applies the events stamped at or before the clock, each at its own stamp.
    fn apply_due(&mut self, record: &mut Record) {
        while let Some(ev) = self.events.get(self.next).filter(|e| e.t_ns <= self.clock_ns) {
            record.apply(&ev.ev);
            self.next += 1;
        }
    }
}

/// The narration at the replay clock: the latest `say`, with the ones
/// recorded right before it (a run of `say` lines in the script).
pub fn narration(record: &Record) -> Vec<&str> {
    let tl = record.timeline();
    let says = tl.lane(Lane::Script);
    let mut run: Vec<&str> = Vec::new();
    let mut expect = None;
    for &i in says.iter().rev() {
        if expect.is_some_and(|e| e != i) {
            break;
        }
        let Some(c) = tl.get(i as usize) else { break };
        if let (Op::Say, Arg::Note(text)) = (c.op, &c.arg) {
            run.push(text);
        }
        expect = i.checked_sub(1);
    }
    run.reverse();
    run
}
