//! `spin recv`: non-blocking recvs back to back. Every call is kept, in a
//! compact [`Dense`] record (24 bytes), sent to the front end in batches so
//! the channel costs nothing per call. The spin's own record carries the
//! tallies.

use std::os::fd::AsRawFd;

use socket2::Socket;

use super::shared::Shared;
use crate::ops::Done;
use crate::record::call::{Arg, Lane, Outcome, SpinArg};
use crate::record::dense::{Dense, DenseOutcome};
use crate::record::event::{Event, SockKind};
use crate::sys::{self};

/// Calls per batch on the channel.
const BATCH: usize = 4096;

pub fn spin(
    shared: &Shared,
    id: u32,
    sock: &Socket,
    kind: SockKind,
    buf: &mut [u8],
    mut arg: SpinArg,
) -> Done {
    let fd = sock.as_raw_fd();
    let until_ns = arg.for_ns.map(|ns| shared.now_ns().saturating_add(ns));
    let limit = arg.count.unwrap_or(u64::MAX);
    let lane = Lane::Sock(id);
    let mut batch = Vec::with_capacity(BATCH);
    // Calls are timed in ticks, then placed on the clock once per batch
    // between two anchors where both were read.
    let mut anchor = Anchor::now(shared);
    let mut t0 = anchor.ticks;
    // The last call's result, made into a `Done` once, after the loop.
    let mut last = None;
    let st = &mut arg.stats;
    while st.calls < limit {
        let r = sys::recv_dontwait_raw(fd, buf);
        let t1 = sys::ticks();
        st.calls += 1;
        let (outcome, bytes, errno) = match r {
            Ok(0) if !kind.is_dgram() => (DenseOutcome::Eof, 0, 0),
            Ok(n) => (DenseOutcome::Data, n, 0),
            Err(libc::EAGAIN) => (DenseOutcome::WouldBlock, 0, libc::EAGAIN),
            Err(errno) => (DenseOutcome::Error, 0, errno),
        };
        batch.push(Dense {
            start_ns: t0,
            dur_ns: (t1 - t0).min(u32::MAX as u64) as u32,
            bytes: bytes.min(u32::MAX as usize) as u32,
            outcome,
            errno: errno.clamp(0, 255) as u8,
        });
        tally(st, outcome, bytes);
        last = Some((outcome, bytes, errno));
        t0 = t1;
        if batch.len() == BATCH {
            let next = Anchor::now(shared);
            shared.send(Event::Dense { lane, calls: anchor.place(next, std::mem::take(&mut batch)) });
            batch.reserve(BATCH);
            anchor = next;
            t0 = sys::ticks();
            if until_ns.is_some_and(|u| next.ns >= u) {
                break;
            }
        } else if st.calls.is_multiple_of(256) && until_ns.is_some_and(|u| shared.now_ns() >= u) {
            break;
        }
    }
    if !batch.is_empty() {
        let next = Anchor::now(shared);
        shared.send(Event::Dense { lane, calls: anchor.place(next, batch) });
    }
    let last = last.map_or(Done::of(Outcome::Ok), |(o, b, e)| done_of(o, b, e));
    Done { bytes: Some(arg.stats.bytes), arg: Some(Arg::Spin(Box::new(arg))), ..last }
}

/// A moment read on both the tick counter and the session clock.
#[derive(Clone, Copy)]
struct Anchor {
    ticks: u64,
    ns: u64,
}

impl Anchor {
    fn now(shared: &Shared) -> Anchor {
        Anchor { ticks: sys::ticks(), ns: shared.now_ns() }
    }

    /// Converts a batch timed in ticks (since `self`) to nanoseconds, by
    /// the rate the two anchors give.
    fn place(self, next: Anchor, mut calls: Vec<Dense>) -> Vec<Dense> {
        let rate = (next.ns - self.ns) as f64 / (next.ticks.saturating_sub(self.ticks)).max(1) as f64;
        for d in &mut calls {
            d.start_ns = self.ns + (d.start_ns.saturating_sub(self.ticks) as f64 * rate) as u64;
            d.dur_ns = (d.dur_ns as f64 * rate).min(u32::MAX as f64) as u32;
        }
        calls
    }
}

fn tally(st: &mut crate::record::call::SpinStats, outcome: DenseOutcome, bytes: usize) {
    match outcome {
        DenseOutcome::Data => {
            st.data += 1;
            st.bytes += bytes as u64;
        }
        DenseOutcome::Eof => st.eof += 1,
        DenseOutcome::WouldBlock => st.wouldblock += 1,
        DenseOutcome::Error => st.error += 1,
    }
}

fn done_of(outcome: DenseOutcome, bytes: usize, errno: i32) -> Done {
    match outcome {
        DenseOutcome::Data => Done { bytes: Some(bytes as u64), ..Done::of(Outcome::Data) },
        DenseOutcome::Eof => Done::of(Outcome::Eof),
        DenseOutcome::WouldBlock => Done { errno, ..Done::of(Outcome::WouldBlock) },
        DenseOutcome::Error => Done::errno(errno),
    }
}

#[cfg(test)]
mod tests {
    use super::Dense;

    #[test]
    fn a_dense_call_stays_small() {
        assert!(std::mem::size_of::<Dense>() <= 24);
    }
}

#[cfg(test)]
mod bound_tests {
    use std::time::{Duration, Instant};

    use crate::command::{Located, parse_line};
    use crate::exec::{Executor, Session, Tick};
    use crate::record::Lane;

    #[test]
    fn a_long_spin_is_bounded_but_every_call_is_counted() {
        let mut lab = Session::start().expect("session");
        lab.set_history_cap(8192);
        let mut exec = Executor::new();
        for (i, l) in ["open tcp", "nonblocking", "spin recv 1 30000", "expect wouldblock"].iter().enumerate()
        {
            exec.push(Located { line: i + 1, cmd: parse_line(l).expect("parses").expect("command") });
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Ok(Tick::Busy(until)) = exec.tick(&mut lab) {
            assert!(Instant::now() < deadline, "bounded");
            lab.wait_event(until);
        }
        lab.pump();
        let tl = lab.record().timeline();
        assert!(tl.dense_len() <= 8192, "kept {}", tl.dense_len());
        assert_eq!(tl.dense_total(), 30_000);
        let lane = tl.dense(Lane::Sock(1)).expect("the spin's lane");
        assert_eq!(lane.folded.calls + lane.kept() as u64, 30_000);
        assert_eq!(lane.folded.wouldblock, lane.folded.calls, "all EAGAIN");
    }
}
