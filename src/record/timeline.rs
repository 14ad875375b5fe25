//! The store of call records. Records are appended in the order their first
//! event arrives; per-lane index lists keep lane lookups cheap.

use std::collections::HashMap;

use super::call::{Call, Lane};
use super::dense::{CHUNK, DenseLane};
use super::event::{CallEnd, Event};
use super::index::LaneIndex;
use super::quiet::Quiet;

#[derive(Debug)]
pub struct Timeline {
    calls: Vec<Call>,
    /// Calls still in the kernel: seq -> index.
    open: HashMap<u64, usize>,
    /// Record indices per lane, in order, with what a view searches.
    lanes: HashMap<Lane, LaneIndex>,
    /// When nothing started or ended.
    quiet: Quiet,
    /// Busy-poll calls per lane, in order (24 bytes each).
    dense: HashMap<Lane, DenseLane>,
    /// How many busy-poll calls to keep before folding the oldest.
    dense_cap: usize,
}

/// The default bound on kept busy-poll calls: about a million (24 MB).
pub const DEFAULT_DENSE_CAP: usize = 1 << 20;

impl Default for Timeline {
    fn default() -> Timeline {
        Timeline::with_cap(DEFAULT_DENSE_CAP)
    }
}

impl Timeline {
    /// Folds one event in. Returns the index of the record it touched.
    pub fn apply(&mut self, ev: &Event) -> Option<usize> {
        match ev {
            Event::Begin(c) => {
                self.quiet.mark(c.start_ns);
                let i = self.push(c.clone());
                self.open.insert(c.seq, i);
                Some(i)
            }
            Event::Instant(c) => {
                self.quiet.mark(c.start_ns);
                self.quiet.mark(c.end_ns.unwrap_or(c.start_ns));
                Some(self.push(c.clone()))
            }
            Event::End(e) => {
                self.quiet.mark(e.end_ns);
                self.finish(e)
            }
            Event::Dense { lane, calls } => {
                if let (Some(first), Some(last)) = (calls.first(), calls.last()) {
                    self.quiet.mark(first.start_ns);
                    self.quiet.mark(last.start_ns + last.dur_ns as u64);
                }
                self.dense.entry(*lane).or_default().push_all(calls);
                self.bound();
                None
            }
            _ => None,
        }
    }

    fn push(&mut self, c: Call) -> usize {
        let i = self.calls.len();
        self.lanes.entry(c.lane).or_default().push(i, &c);
        self.calls.push(c);
        i
    }

    fn finish(&mut self, e: &CallEnd) -> Option<usize> {
        let i = self.open.remove(&e.seq)?;
        let c = &mut self.calls[i];
        c.end_ns = Some(e.end_ns);
        c.outcome = e.outcome;
        c.errno = e.errno;
        c.bytes = e.bytes;
        if e.preview.is_some() {
            c.preview = e.preview.clone();
        }
        if let Some(arg) = &e.arg {
            c.arg = arg.clone();
        }
        if e.traced.is_some() {
            c.traced = e.traced.clone();
        }
        if let Some(ix) = self.lanes.get_mut(&c.lane) {
            ix.touch(i, c);
        }
        Some(i)
    }

    pub fn len(&self) -> usize {
        self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&Call> {
        self.calls.get(i)
    }

    pub(super) fn get_mut(&mut self, i: usize) -> Option<&mut Call> {
        self.calls.get_mut(i)
    }

    pub fn calls(&self) -> &[Call] {
        &self.calls
    }

    /// The record with this seq, searching back from the newest (the usual case).
    pub fn find(&self, seq: u64) -> Option<&Call> {
        if let Some(&i) = self.open.get(&seq) {
            return self.calls.get(i);
        }
        self.calls.iter().rev().find(|c| c.seq == seq)
    }

    /// Record indices on one lane, oldest first.
    pub fn lane(&self, lane: Lane) -> &[u32] {
        self.lanes.get(&lane).map_or(&[], LaneIndex::ids)
    }

    /// One lane's records with their start times and salience maxima.
    pub fn lane_index(&self, lane: Lane) -> Option<&LaneIndex> {
        self.lanes.get(&lane)
    }

    /// The stretches in which no call started or ended.
    pub fn quiet(&self) -> &Quiet {
        &self.quiet
    }

    /// A timeline that keeps at most `dense_cap` busy-poll calls.
    pub fn with_cap(dense_cap: usize) -> Timeline {
        Timeline {
            calls: Vec::new(),
            open: HashMap::new(),
            lanes: HashMap::new(),
            quiet: Quiet::default(),
            dense: HashMap::new(),
            dense_cap: dense_cap.max(CHUNK),
        }
    }

    /// Changes the bound on kept busy-poll calls (at least one chunk).
    pub fn set_cap(&mut self, dense_cap: usize) {
        self.dense_cap = dense_cap.max(CHUNK);
        self.bound();
    }

    /// The busy-poll calls on one lane (kept ones, and the folded tally).
    pub fn dense(&self, lane: Lane) -> Option<&DenseLane> {
        self.dense.get(&lane)
    }

    /// How many busy-poll calls are kept, on all lanes.
    pub fn dense_len(&self) -> usize {
        self.dense.values().map(DenseLane::kept).sum()
    }

    /// Every busy-poll call recorded, kept or folded.
    pub fn dense_total(&self) -> u64 {
        self.dense.values().map(DenseLane::total).sum()
    }

    /// Folds the oldest chunks (across lanes) until under the cap.
    fn bound(&mut self) {
        while self.dense_len() > self.dense_cap {
            let oldest = self.dense.values_mut().filter(|l| l.kept() > 0).min_by_key(|l| l.oldest_ns());
            let freed = oldest.map_or(0, DenseLane::fold_oldest);
            if freed == 0 {
                return;
            }
        }
    }

    /// All lanes that have records.
    pub fn lanes(&self) -> impl Iterator<Item = Lane> + '_ {
        self.lanes.keys().copied()
    }

    /// Calls still blocking, as indices.
    pub fn blocking(&self) -> impl Iterator<Item = usize> + '_ {
        self.open.values().copied()
    }
}
