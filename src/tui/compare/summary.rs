//! The figures a side of `compare` is summed up by, all derived from its
//! record (CPU use is read from the lab separately, in the update step).
//! What each counts is defined here, and the help says the same:
//!
//! - **wall**: from the start of the side's first record to the end of its
//!   last (a call still in the kernel counts until now).
//! - **blocked**: the durations of this side's own calls (on its sockets
//!   and its event loop, never the peer's) that took [`BLOCKED_MIN`] or
//!   more, summed. A call that returns at once takes microseconds; one that
//!   took a millisecond or more was waiting. Two calls blocked at once (two
//!   threads) both count. A busy-poll (`spin`) is not blocked: each of its
//!   calls returns at once.
//! - **calls**: this side's recv, peek, send, accept and connect calls and
//!   its `poll wait`s, by outcome; a spin counts each of its calls. Set-up,
//!   mode changes, `shutdown`, `close` and the peer's actions are left out
//!   (and a traced program's bind and fcntl/ioctl, which compare never has).

use std::time::Duration;

use crate::record::{Arg, Call, Lane, Op, Outcome, Record, TimeoutBy};

/// The figures as the help defines them (name, rows of at most 27
/// characters, the help's column), from the module's definitions above.
pub const DEFINITIONS: &[(&str, &[&str])] = &[
    ("wall", &["first record's start to", "last record's end"]),
    ("blocked", &["its own calls that took", "1 ms or more, summed (not", "the peer's, not spins)"]),
    ("calls", &["recv peek send accept", "connect, poll wait: by", "outcome (a spin: each call)"]),
    ("clients", &["slowest echo a `serve`", "client waited for"]),
    (
        "cpu",
        &[
            "CPU time of its lab's",
            "threads (sockets, event",
            "loop), its peer's apart;",
            "not the UI thread's calls",
        ],
    ),
];

/// A call that took this long or more was waiting, not returning at once.
pub const BLOCKED_MIN: Duration = Duration::from_millis(1);

/// How the calls of one side ended, counted, in the timeline's outcome order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub wall: Duration,
    pub blocked: Duration,
    /// How many calls `blocked` adds up.
    pub blocked_calls: u64,
    /// Calls still in the kernel (their time counts until now).
    pub blocking: u64,
    /// (an outcome it stands for, its word, how many), in a fixed order,
    /// only the ones that occurred.
    pub tally: Vec<(Outcome, &'static str, u64)>,
    /// The slowest echo a `serve` client waited for, if it had clients.
    pub slowest_client: Option<(u32, Duration)>,
}

/// The words of the tally, in the order they are shown, each with an
/// outcome it stands for (for its colour).
const ORDER: &[(&str, Outcome)] = &[
    ("data", Outcome::Data),
    ("eof", Outcome::Eof),
    ("sent", Outcome::Sent),
    ("partial", Outcome::Partial),
    ("wouldblock", Outcome::WouldBlock),
    ("timeout", Outcome::Timeout(TimeoutBy::Poll)),
    ("inprogress", Outcome::InProgress),
    ("accepted", Outcome::Accepted(0)),
    ("connected", Outcome::Connected),
    ("error", Outcome::Error),
    ("poll wait", Outcome::Ok),
    ("blocking", Outcome::Blocking),
];

/// How a record counts in the summary.
enum Counts {
    /// One call that could have waited.
    Call,
    /// A busy-poll: its calls by their tallies, never as blocked.
    Spin,
    /// Not a call of the experiment (set-up, a mode, the peer, narration).
    No,
}

/// Exhaustive, so a new op must say how it counts.
fn counts(op: Op) -> Counts {
    match op {
        Op::Recv | Op::Peek | Op::Send | Op::Accept | Op::Connect | Op::PollWait => Counts::Call,
        Op::Spin => Counts::Spin,
        Op::Open
        | Op::Listen
        | Op::Socket
        | Op::Shutdown
        | Op::Close
        | Op::Blocking
        | Op::Nonblocking
        | Op::Timeout
        | Op::RcvTimeo
        | Op::SndTimeo
        | Op::Say
        | Op::PollAdd
        | Op::PollDrain
        | Op::Ready
        | Op::Serve
        | Op::Request
        | Op::Summary
        | Op::PeerSend
        | Op::PeerRecv
        | Op::PeerClose
        | Op::PeerReset
        | Op::PeerShutdown
        | Op::PeerConnect
        | Op::PeerAccept
        | Op::PeerPause
        | Op::PeerResume
        | Op::Bind
        | Op::Control => Counts::No,
    }
}

/// The tally's word for a call: its outcome's, except that a finished `poll
/// wait` is one word whatever it reported.
fn word(c: &Call) -> &'static str {
    match (c.op, c.outcome) {
        (Op::PollWait, Outcome::Ok) => "poll wait",
        (_, o) => o.word(),
    }
}

impl Summary {
    /// The summary of `rec` at `now_ns` (on the record's clock).
    pub fn of(rec: &Record, now_ns: u64) -> Summary {
        let tl = rec.timeline();
        let end = |c: &Call| c.end_ns.unwrap_or(now_ns.max(c.start_ns));
        let first = tl.calls().iter().map(|c| c.start_ns).min();
        let last = tl.calls().iter().map(end).max();
        let mut s = Summary {
            wall: Duration::from_nanos(last.unwrap_or(0).saturating_sub(first.unwrap_or(0))),
            ..Summary::default()
        };
        let mut tally = [0u64; ORDER.len()];
        let mut add = |w: &str, n: u64| {
            if let Some(k) = ORDER.iter().position(|&(o, _)| o == w) {
                tally[k] += n;
            }
        };
        for c in tl.calls().iter().filter(|c| matches!(c.lane, Lane::Sock(_) | Lane::Loop)) {
            match counts(c.op) {
                Counts::Call => {
                    add(word(c), 1);
                    let took = Duration::from_nanos(end(c).saturating_sub(c.start_ns));
                    if took >= BLOCKED_MIN {
                        s.blocked += took;
                        s.blocked_calls += 1;
                    }
                    s.blocking += u64::from(c.outcome == Outcome::Blocking);
                }
                Counts::Spin => match &c.arg {
                    Arg::Spin(a) => {
                        let st = &a.stats;
                        [
                            ("wouldblock", st.wouldblock),
                            ("data", st.data),
                            ("eof", st.eof),
                            ("error", st.error),
                        ]
                        .into_iter()
                        .for_each(|(w, n)| add(w, n));
                    }
                    _ => add(word(c), 1),
                },
                Counts::No => {}
            }
        }
        s.tally = ORDER.iter().zip(tally).filter(|&(_, n)| n > 0).map(|(&(w, o), n)| (o, w, n)).collect();
        s.slowest_client = tl
            .lanes()
            .filter_map(|l| match l {
                Lane::Client(k) => Some((k, rec.echo_wait(k)?)),
                _ => None,
            })
            .max_by_key(|&(k, d)| (d, std::cmp::Reverse(k)));
        s
    }

    /// Calls counted in the tally.
    pub fn calls(&self) -> u64 {
        self.tally.iter().map(|(_, _, n)| n).sum()
    }
}
