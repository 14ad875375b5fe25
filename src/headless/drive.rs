//! Running an executor's queue to its end on one lab, as `run` does: the
//! loop every headless front end shares (`run`, and `export` of a
//! scenario). It takes fresh events after each tick through the caller,
//! lets a bounded spin reach its bound, and waits for the last events.

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Select};

use crate::escape;
use crate::exec::{Executor, Failure, FailureKind, Session, Tick};

/// How a run ended.
#[derive(Debug)]
pub enum Ended {
    /// Every command ran.
    Done,
    /// A command failed or an `expect` did not hold; nothing after it ran.
    Failed(Failure),
    /// A signal (its number) stopped it.
    Stopped(i32),
}

/// Runs `exec`'s queue on `lab` until it is idle, a command fails, or a
/// signal arrives on `stop`. `take` is called after every tick and once at
/// the end, to take the events that came in.
pub fn drive(
    lab: &mut Session,
    exec: &mut Executor,
    stop: &Receiver<i32>,
    mut take: impl FnMut(&mut Session),
) -> Ended {
    let mut ended = loop {
        if let Ok(sig) = stop.try_recv() {
            break Ended::Stopped(sig);
        }
        let tick = exec.tick(lab);
        take(lab);
        match tick {
            Ok(Tick::Idle) => break Ended::Done,
            Ok(Tick::Busy(until)) => wait(lab, until, stop),
            Err(f) => break Ended::Failed(f),
        }
    };
    // A busy-poll with a bound is part of the experiment: it runs to its
    // end (a spin is never left "blocking": its calls return at once).
    if let Ended::Done = ended
        && let Some(sig) = finish_spins(lab, stop)
    {
        ended = Ended::Stopped(sig);
    }
    // Anything that finished in the last instant (a worker may be between
    // its syscall's return and its event).
    settle_quiet(lab);
    take(lab);
    ended
}

/// A failure as `run` prints it: `FILE:LINE: expect failed: …`.
pub fn failure_line(name: &str, f: &Failure) -> String {
    let what = match f.kind {
        FailureKind::Expect => "expect failed",
        FailureKind::Command => "error",
    };
    format!("{name}:{}: {what}: {}", f.line, escape::text(&f.message))
}

/// Waits until the lab has an event or `until`, and takes the event; a
/// stop wakes it too (the caller takes that).
fn wait(lab: &mut Session, until: Instant, stop: &Receiver<i32>) {
    let events = lab.events();
    let mut sel = Select::new();
    sel.recv(stop);
    let lab_ready = sel.recv(&events);
    if sel.ready_deadline(until) == Ok(lab_ready) {
        lab.wait_event(Instant::now());
    }
}

/// Waits for every spin still running to reach its bound (its count, or
/// its duration), at most [`SPIN_CAP`] past its duration.
fn finish_spins(lab: &mut Session, stop: &Receiver<i32>) -> Option<i32> {
    let start = Instant::now();
    loop {
        let tl = lab.record().timeline();
        let running = tl.blocking().filter_map(|i| tl.get(i)).filter(|c| c.op == crate::record::Op::Spin);
        let limit = running
            .map(|c| match &c.arg {
                crate::record::Arg::Spin(s) => {
                    s.for_ns.map_or(SPIN_CAP, |ns| Duration::from_nanos(ns) + SPIN_CAP)
                }
                _ => SPIN_CAP,
            })
            .max();
        let limit = limit?;
        if let Ok(sig) = stop.try_recv() {
            return Some(sig);
        }
        if start.elapsed() > limit {
            return None;
        }
        lab.wait_event(Instant::now() + Duration::from_millis(50));
    }
}

/// How long past its own bound the end of a run waits for a spin.
const SPIN_CAP: Duration = Duration::from_secs(30);

/// Waits until no event has arrived for [`QUIET`], at most [`QUIET_CAP`].
fn settle_quiet(lab: &mut Session) {
    let cap = Instant::now() + QUIET_CAP;
    while Instant::now() < cap && lab.wait_event((Instant::now() + QUIET).min(cap)) {}
}

/// How long the lab must stay silent before the run is over.
const QUIET: Duration = Duration::from_millis(10);
/// The most the end of a run waits for that silence.
const QUIET_CAP: Duration = Duration::from_millis(100);
