//! A traced program's call, explained at the same three levels as the
//! lab's: the strace line (the real syscall, its arguments and result, as
//! the tracer saw them), the Python line and what Python gave back (only
//! when the program is CPython), and why it came out so, from what was
//! measured: the outcome, the socket's mode, how long it took.
//!
//! The lab's modules describe calls sockscope made under a mode it knows
//! the Python meaning of; a traced call is one real syscall of someone
//! else's program, so it has its own, more careful, sentences.

mod python;
mod setup;
mod why;

use std::time::Duration;

use super::{Context, Describe};
use crate::record::traced::WaitFd;
use crate::record::{Arg, Call, Op, Outcome, Timeline};

pub struct TracedCall;

impl Describe for TracedCall {
    fn strace(&self, c: &Call, _: &Context) -> Vec<String> {
        c.traced.as_ref().map(|t| vec![t.strace.clone()]).unwrap_or_default()
    }

    fn python(&self, c: &Call, cx: &Context) -> Vec<String> {
        match (&c.traced, cx.traced) {
            (Some(_), Some(tcx)) if tcx.python => python::lines(c, cx, &tcx),
            _ => Vec::new(),
        }
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        if c.traced.is_none() {
            return String::new();
        }
        why::why(c, cx, &cx.traced.unwrap_or_default())
    }
}

/// What the record knows around a traced call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TracedCx {
    /// Its process runs CPython.
    pub python: bool,
    /// The socket it is on has listened.
    pub listener: bool,
    /// The calls just before and after it on the same thread.
    pub before: Option<Near>,
    pub after: Option<Near>,
}

/// A neighbouring call on the same thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Near {
    pub op: Op,
    pub fd: i32,
    pub outcome: Outcome,
    pub ret: Option<i64>,
    /// A wait on this one socket fd (with its poll events, its timeout).
    pub single: Option<(WaitFd, Option<Duration>)>,
}

/// How far to look for a call's neighbours on its thread.
const LOOK: usize = 256;

/// The context of a traced call: its process, its socket, its neighbours.
pub fn context(record: &crate::record::Record, c: &Call) -> Option<TracedCx> {
    let t = c.traced.as_ref()?;
    let tl = record.timeline();
    // The socket the call is on: its lane's, or the one a single wait watches.
    let sock = match (c.lane, single_wait(c)) {
        (crate::record::Lane::Sock(id), _) => record.socket(id),
        (_, Some((w, _))) => {
            record.sockets().filter(|s| s.info.pid == Some(t.pid) && s.info.fd == w.fd).last()
        }
        _ => None,
    };
    let listener = sock.is_some_and(|s| s.info.kind.is_listener());
    let at = index_of(tl, c)?;
    let same = |i: &usize| tl.get(*i).and_then(|o| o.traced.as_ref()).is_some_and(|o| o.tid == t.tid);
    let before = (at.saturating_sub(LOOK)..at).rev().find(same).and_then(|i| near(tl.get(i)?));
    let after = (at + 1..(at + 1 + LOOK).min(tl.len())).find(same).and_then(|i| near(tl.get(i)?));
    Some(TracedCx { python: record.process(t.pid).is_some_and(|p| p.python), listener, before, after })
}

fn index_of(tl: &Timeline, c: &Call) -> Option<usize> {
    let calls = tl.calls();
    // Records are in start order: search back from the newest.
    calls.iter().rposition(|o| o.seq == c.seq)
}

fn near(c: &Call) -> Option<Near> {
    let t = c.traced.as_ref()?;
    Some(Near { op: c.op, fd: t.fd(), outcome: c.outcome, ret: t.ret, single: single_wait(c) })
}

/// A wait on exactly one socket fd, the way CPython waits under a timeout:
/// the fd, and the wait's timeout.
pub fn single_wait(c: &Call) -> Option<(WaitFd, Option<Duration>)> {
    let t = c.traced.as_ref()?;
    let single = matches!(t.syscall.as_str(), "poll" | "ppoll") && t.args[1] == 1;
    match (&t.watch[..], &c.arg) {
        ([w], Arg::PollWait { timeout, .. }) if single => Some((*w, *timeout)),
        _ => None,
    }
}
