//! What `expect` checks, and how a failed one is told.

use crate::command::{ExpectOutcome, Expectation};
use crate::lab::{Engine, LabError};
use crate::record::{Call, Outcome, SockInfo};

/// Whether a finished (or still blocking) call is what `expect` asked for.
pub fn holds(exp: &Expectation, c: &Call) -> bool {
    let n_ok = |got: Option<u64>| exp.n.is_none() || exp.n == got;
    match (&exp.outcome, c.outcome) {
        (ExpectOutcome::Data, Outcome::Data) => n_ok(c.bytes),
        (ExpectOutcome::Sent, Outcome::Sent) => n_ok(c.bytes),
        (ExpectOutcome::Partial, Outcome::Partial) => n_ok(c.bytes),
        (ExpectOutcome::Accepted, Outcome::Accepted(k)) => n_ok(Some(k as u64)),
        (ExpectOutcome::Eof, Outcome::Eof)
        | (ExpectOutcome::WouldBlock, Outcome::WouldBlock)
        | (ExpectOutcome::Timeout, Outcome::Timeout(_))
        | (ExpectOutcome::InProgress, Outcome::InProgress)
        | (ExpectOutcome::Connected, Outcome::Connected)
        | (ExpectOutcome::Blocking, Outcome::Blocking) => true,
        (ExpectOutcome::Error(name), Outcome::Error) => c.errno_name() == Some(name.as_str()),
        (ExpectOutcome::Events, _) if c.op == crate::record::call::Op::PollWait && c.end_ns.is_some() => {
            let n = c.events().unwrap_or(0);
            exp.n.map_or(n > 0, |want| want == n)
        }
        _ => false,
    }
}

/// The expectation as written: `data 5`, `error EPIPE`, `recv eof`.
pub fn want(exp: &Expectation) -> String {
    exp.to_string()
}

pub fn mismatch(exp: &Expectation, got: Option<&Call>) -> String {
    let Some(c) = got else {
        return format!(
            "expected {}, but the call has not started yet (it is queued behind a blocked call)",
            want(exp)
        );
    };
    let took = match c.duration() {
        Some(d) => format!("after {:.1} ms", d.as_secs_f64() * 1e3),
        None => "still blocking".into(),
    };
    format!(
        "expected {}, got {} ({} {}, {took})",
        want(exp),
        c.label(),
        c.op.word(),
        c.arg_text().unwrap_or_default()
    )
}

/// `expect queued [N]`: the receive queue of the current socket, read now.
pub fn expect_queued(
    engine: &Engine,
    sock: &SockInfo,
    line: usize,
    exp: &Expectation,
) -> Result<(), LabError> {
    let id = sock.id;
    let fd = engine.fd(id).ok_or(LabError::Closed(id))?;
    let (rx, _) = crate::lab::sample::queues(fd).ok_or(LabError::Closed(id))?;
    if exp.n.map_or(rx > 0, |n| n == rx as u64) {
        return Ok(());
    }
    let message = if sock.kind.is_dgram() {
        format!(
            "expected {}, but #{id}'s next datagram is {rx} bytes (on a datagram socket FIONREAD gives the \
             size of the next datagram only)",
            want(exp)
        )
    } else {
        format!("expected {}, but #{id} has {rx} bytes queued to receive", want(exp))
    };
    Err(LabError::Expect { line, message })
}
