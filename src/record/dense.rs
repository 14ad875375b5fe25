//! Busy-poll calls kept per lane in fixed-size chunks, with a bound: past
//! the cap the oldest chunk is folded into per-lane tallies that are still
//! counted and drawn, so a ten-minute spin never grows without bound.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// How one dense call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum DenseOutcome {
    Data,
    Eof,
    WouldBlock,
    Error,
}

/// One call of a busy-poll. Its start is the previous call's end, so one
/// clock read per call is enough; the duration therefore includes the few
/// nanoseconds of bookkeeping between two syscalls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dense {
    pub start_ns: u64,
    pub dur_ns: u32,
    /// Bytes received (capped at u32::MAX).
    pub bytes: u32,
    pub outcome: DenseOutcome,
    /// The errno for `Error` (errno values fit a byte on Linux).
    pub errno: u8,
}

/// Calls per chunk: dropping a whole chunk keeps folding O(1) per call.
pub const CHUNK: usize = 4096;

/// Calls folded away, by outcome, with the span they covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Folded {
    pub calls: u64,
    pub data: u64,
    pub eof: u64,
    pub wouldblock: u64,
    pub error: u64,
    pub first_ns: u64,
    pub last_ns: u64,
}

impl Folded {
    fn add(&mut self, d: &Dense) {
        if self.calls == 0 {
            self.first_ns = d.start_ns;
        }
        self.calls += 1;
        self.last_ns = d.start_ns + d.dur_ns as u64;
        match d.outcome {
            DenseOutcome::Data => self.data += 1,
            DenseOutcome::Eof => self.eof += 1,
            DenseOutcome::WouldBlock => self.wouldblock += 1,
            DenseOutcome::Error => self.error += 1,
        }
    }
}

/// One lane's dense calls.
#[derive(Debug, Default)]
pub struct DenseLane {
    chunks: VecDeque<Vec<Dense>>,
    kept: usize,
    pub folded: Folded,
}

impl DenseLane {
    pub fn push_all(&mut self, calls: &[Dense]) {
        for d in calls {
            match self.chunks.back_mut() {
                Some(c) if c.len() < CHUNK => c.push(*d),
                _ => {
                    let mut c = Vec::with_capacity(CHUNK);
                    c.push(*d);
                    self.chunks.push_back(c);
                }
            }
        }
        self.kept += calls.len();
    }

    /// Folds the oldest chunk away. Returns how many calls that freed.
    pub fn fold_oldest(&mut self) -> usize {
        let Some(c) = self.chunks.pop_front() else { return 0 };
        for d in &c {
            self.folded.add(d);
        }
        self.kept -= c.len();
        c.len()
    }

    pub fn kept(&self) -> usize {
        self.kept
    }

    /// Every call kept plus every call folded.
    pub fn total(&self) -> u64 {
        self.kept as u64 + self.folded.calls
    }

    /// When the oldest kept call started.
    pub fn oldest_ns(&self) -> Option<u64> {
        self.chunks.front().and_then(|c| c.first()).map(|d| d.start_ns)
    }

    /// The kept calls that overlap `[from_ns, to_ns)`, oldest first. Found by
    /// binary search, so drawing a window costs what is visible, not the history.
    pub fn window(&self, from_ns: u64, to_ns: u64) -> impl Iterator<Item = &Dense> {
        let first_chunk = self.chunks.partition_point(|c| c.last().is_some_and(|d| end(d) <= from_ns));
        self.chunks
            .range(first_chunk..)
            .take_while(move |c| c.first().is_some_and(|d| d.start_ns < to_ns))
            .flat_map(move |c| {
                let i = c.partition_point(|d| end(d) <= from_ns);
                c[i..].iter().take_while(move |d| d.start_ns < to_ns)
            })
    }

    /// All kept calls, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Dense> {
        self.chunks.iter().flatten()
    }
}

fn end(d: &Dense) -> u64 {
    d.start_ns + d.dur_ns as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(start_ns: u64) -> Dense {
        Dense { start_ns, dur_ns: 10, bytes: 0, outcome: DenseOutcome::WouldBlock, errno: 11 }
    }

    #[test]
    fn windows_find_only_what_overlaps() {
        let mut lane = DenseLane::default();
        let calls: Vec<Dense> = (0..10_000).map(|i| call(i * 100)).collect();
        lane.push_all(&calls);
        let got: Vec<u64> = lane.window(50_000, 50_300).map(|d| d.start_ns).collect();
        assert_eq!(got, vec![50_000, 50_100, 50_200]);
        assert_eq!(lane.window(2_000_000, 3_000_000).count(), 0);
    }

    #[test]
    fn folding_keeps_the_count() {
        let mut lane = DenseLane::default();
        let calls: Vec<Dense> = (0..10_000).map(|i| call(i * 100)).collect();
        lane.push_all(&calls);
        assert_eq!(lane.fold_oldest(), CHUNK);
        assert_eq!(lane.kept(), 10_000 - CHUNK);
        assert_eq!(lane.total(), 10_000);
        assert_eq!(lane.folded.wouldblock, CHUNK as u64);
        assert_eq!(lane.oldest_ns(), Some(CHUNK as u64 * 100));
    }
}
