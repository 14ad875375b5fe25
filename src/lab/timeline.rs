//! The store of call records. Records are appended in the order their first
//! event arrives; per-lane index lists keep lane lookups cheap.

use std::collections::HashMap;

use super::call::{Call, Lane};
use super::event::{CallEnd, LabEvent};
use super::spin::Dense;

#[derive(Debug, Default)]
pub struct Timeline {
    calls: Vec<Call>,
    /// Calls still in the kernel: seq -> index.
    open: HashMap<u64, usize>,
    /// Record indices per lane, in order.
    lanes: HashMap<Lane, Vec<u32>>,
    /// Busy-poll calls per lane, in order (24 bytes each).
    dense: HashMap<Lane, Vec<Dense>>,
}

impl Timeline {
    /// Folds one event in. Returns the index of the record it touched.
    pub fn apply(&mut self, ev: &LabEvent) -> Option<usize> {
        match ev {
            LabEvent::Begin(c) => {
                let i = self.push(c.clone());
                self.open.insert(c.seq, i);
                Some(i)
            }
            LabEvent::Instant(c) => Some(self.push(c.clone())),
            LabEvent::End(e) => self.finish(e),
            LabEvent::Dense { lane, calls } => {
                self.dense.entry(*lane).or_default().extend_from_slice(calls);
                None
            }
            _ => None,
        }
    }

    fn push(&mut self, c: Call) -> usize {
        let i = self.calls.len();
        self.lanes.entry(c.lane).or_default().push(i as u32);
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
        self.lanes.get(&lane).map_or(&[], Vec::as_slice)
    }

    /// The busy-poll calls on one lane, oldest first.
    pub fn dense(&self, lane: Lane) -> &[Dense] {
        self.dense.get(&lane).map_or(&[], Vec::as_slice)
    }

    /// How many busy-poll calls are kept, on all lanes.
    pub fn dense_len(&self) -> usize {
        self.dense.values().map(Vec::len).sum()
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
