//! Predict mode: what the class may answer for a call, and whether the
//! call bore them out. Only outcomes the call can have are offered (a
//! datagram recv never sees EOF); which of them the mode allows is the
//! lesson, so that is not narrowed.

use std::time::Duration;

use crate::ops::{context, explain};
use crate::record::{Call, Op, Outcome, Record};

/// An answer the class can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    Data,
    Sent,
    Partial,
    Accepted,
    Connected,
    InProgress,
    Blocks,
    WouldBlock,
    Timeout,
    Eof,
    Error,
}

impl Guess {
    pub fn word(self) -> &'static str {
        match self {
            Guess::Data => "data",
            Guess::Sent => "sent",
            Guess::Partial => "partial",
            Guess::Accepted => "accepted",
            Guess::Connected => "connected",
            Guess::InProgress => "inprogress",
            Guess::Blocks => "blocks",
            Guess::WouldBlock => "wouldblock",
            Guess::Timeout => "timeout",
            Guess::Eof => "eof",
            Guess::Error => "error",
        }
    }

    /// What a call's outcome (or its state, if still in the kernel) counts as.
    pub fn of(o: Outcome) -> Option<Guess> {
        Some(match o {
            Outcome::Blocking => Guess::Blocks,
            Outcome::Data => Guess::Data,
            Outcome::Eof => Guess::Eof,
            Outcome::Sent => Guess::Sent,
            Outcome::Partial => Guess::Partial,
            Outcome::WouldBlock => Guess::WouldBlock,
            Outcome::Timeout(_) => Guess::Timeout,
            Outcome::InProgress => Guess::InProgress,
            Outcome::Accepted(_) => Guess::Accepted,
            Outcome::Connected => Guess::Connected,
            Outcome::Error => Guess::Error,
            Outcome::Ready | Outcome::Ok => return None,
        })
    }

    /// An outcome a call reaches once it stops waiting for something to arrive.
    fn completes(self) -> bool {
        matches!(self, Guess::Data | Guess::Eof | Guess::Sent | Guess::Accepted | Guess::Connected)
    }
}

/// The answers offered for a call of `verb` on a socket (`dgram`: a
/// datagram socket, which has no EOF and no partial send).
pub fn choices(verb: &str, dgram: bool) -> Vec<Guess> {
    use Guess::*;
    let all: &[Guess] = match verb {
        "send" => &[Sent, Partial, Blocks, WouldBlock, Timeout, Error],
        "accept" => &[Accepted, Blocks, WouldBlock, Timeout, Error],
        "connect" => &[Connected, InProgress, Blocks, WouldBlock, Timeout, Error],
        _ => &[Data, Blocks, WouldBlock, Timeout, Eof, Error],
    };
    all.iter().copied().filter(|g| !dgram || !matches!(g, Eof | Partial)).collect()
}

/// The class's answer to one step's question, and once the step has run,
/// what the call did.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// `None`: run without an answer.
    pub guess: Option<Guess>,
    /// The timeline's length when the call was handed on: the call is the
    /// first of its kind after that.
    pub from: usize,
    pub verdict: Option<Verdict>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub right: bool,
    /// The call as it came out: `recv → wouldblock`.
    pub outcome: String,
    /// The explanation of the call.
    pub why: String,
}

/// Judges `guess` by the first call of `op` on a socket lane at or after
/// record index `from`. A call the class said blocks that waited a visible
/// while (`settle` or more) before data came counts too.
pub fn judge(
    record: &Record,
    op: Op,
    from: usize,
    guess: Option<Guess>,
    settle: Duration,
) -> Option<Verdict> {
    let tl = record.timeline();
    let call = tl.calls().get(from..)?.iter().find(|c| c.lane.is_sock() && c.op == op)?;
    let got = Guess::of(call.outcome)?;
    let waited = call.duration().is_some_and(|d| d >= settle);
    let right = guess.is_some_and(|g| g == got || (g == Guess::Blocks && waited && got.completes()));
    Some(Verdict {
        right,
        outcome: outcome_text(call, waited),
        why: explain(call, &context(record, call)).why,
    })
}

fn outcome_text(c: &Call, waited: bool) -> String {
    let label = match c.outcome {
        Outcome::Blocking => "blocks".to_string(),
        _ => c.label(),
    };
    let after = match (waited, c.outcome, c.duration()) {
        (true, o, Some(d)) if o != Outcome::Blocking => {
            format!(" after {}", crate::tui::fmt::dur(d.as_nanos() as u64))
        }
        _ => String::new(),
    };
    format!("{} → {label}{after}", c.op.word())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_offered_only_what_it_can_do() {
        let words = |v: &str, d| choices(v, d).iter().map(|g| g.word()).collect::<Vec<_>>().join(" ");
        assert_eq!(words("recv", false), "data blocks wouldblock timeout eof error");
        assert_eq!(words("peek", true), "data blocks wouldblock timeout error");
        assert_eq!(words("send", false), "sent partial blocks wouldblock timeout error");
        assert_eq!(words("send", true), "sent blocks wouldblock timeout error");
        assert_eq!(words("accept", false), "accepted blocks wouldblock timeout error");
        assert_eq!(words("connect", false), "connected inprogress blocks wouldblock timeout error");
    }

    #[test]
    fn every_outcome_of_a_call_is_one_of_its_choices() {
        use crate::record::TimeoutBy;
        let outcomes = [
            (Op::Recv, vec![Outcome::Data, Outcome::Eof, Outcome::WouldBlock, Outcome::Error]),
            (Op::Send, vec![Outcome::Sent, Outcome::Partial, Outcome::Timeout(TimeoutBy::SndTimeo)]),
            (Op::Accept, vec![Outcome::Accepted(2), Outcome::Blocking]),
            (Op::Connect, vec![Outcome::InProgress, Outcome::Connected, Outcome::Timeout(TimeoutBy::Poll)]),
        ];
        for (op, outs) in outcomes {
            for o in outs {
                let g = Guess::of(o).unwrap();
                assert!(choices(op.word(), false).contains(&g), "{op:?} {o:?}");
            }
        }
    }
}
