//! What part of the timeline is on screen: zoom, follow-live or paused, and
//! which call is selected. Pure state plus the arithmetic that maps time to
//! cells, so the timeline pane and mouse hit-testing agree.

use crate::record::{Lane, Timeline};

/// Nanoseconds per cell, in 1-2-5 steps: 1 µs per cell up to 5 s per cell
/// (a 60-cell pane then spans 60 µs … 5 minutes).
pub const ZOOMS: &[u64] = &[
    1_000,
    2_000,
    5_000,
    10_000,
    20_000,
    50_000,
    100_000,
    200_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    20_000_000,
    50_000_000,
    100_000_000,
    200_000_000,
    500_000_000,
    1_000_000_000,
    2_000_000_000,
    5_000_000_000,
];

/// 100 ms per cell: human-paced experiments fit, a blocked call visibly grows.
pub const DEFAULT_ZOOM: usize = 15;

/// The share of the width kept free to the right of "now" while following,
/// so the newest calls have room for their labels.
const LIVE_MARGIN_DIV: u64 = 5;

/// The visible time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start_ns: u64,
    pub ns_per_cell: u64,
    pub cells: u16,
}

impl Window {
    pub fn end_ns(&self) -> u64 {
        self.start_ns + self.ns_per_cell * self.cells as u64
    }

    /// The cell a time falls in, clamped to the window.
    pub fn col(&self, t_ns: u64) -> u16 {
        let c = t_ns.saturating_sub(self.start_ns) / self.ns_per_cell.max(1);
        c.min(self.cells.saturating_sub(1) as u64) as u16
    }

    /// The time at the left edge of a cell.
    pub fn time_of(&self, col: u16) -> u64 {
        self.start_ns + col as u64 * self.ns_per_cell
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Prev,
    Next,
    Up,
    Down,
}

#[derive(Debug, Clone)]
pub struct TimelineView {
    zoom: usize,
    pub follow: bool,
    /// The right edge while paused.
    end_ns: u64,
    /// The selected record, as an index into the timeline (stable: append-only).
    pub selected: Option<usize>,
}

impl Default for TimelineView {
    fn default() -> TimelineView {
        TimelineView { zoom: DEFAULT_ZOOM, follow: true, end_ns: 0, selected: None }
    }
}

impl TimelineView {
    pub fn ns_per_cell(&self) -> u64 {
        ZOOMS[self.zoom]
    }

    pub fn window(&self, now_ns: u64, cells: u16) -> Window {
        let npc = self.ns_per_cell();
        let span = npc * cells as u64;
        let margin = (cells as u64 / LIVE_MARGIN_DIV).max(1) * npc;
        let end = if self.follow { now_ns + margin } else { self.end_ns };
        // A young session starts at t=0 on the left rather than floating.
        Window { start_ns: end.saturating_sub(span), ns_per_cell: npc, cells }
    }

    /// Zooms by `steps` (negative: in), keeping the middle of a paused view still.
    pub fn zoom(&mut self, steps: i32, now_ns: u64, cells: u16) {
        let old = self.window(now_ns, cells);
        let mid = old.start_ns + old.ns_per_cell * cells as u64 / 2;
        self.zoom = (self.zoom as i32 + steps).clamp(0, ZOOMS.len() as i32 - 1) as usize;
        if !self.follow {
            self.end_ns = mid + self.ns_per_cell() * cells as u64 / 2;
        }
    }

    /// Pauses and moves the view by `quarters` of its width (negative: back).
    pub fn scroll(&mut self, quarters: i64, now_ns: u64, cells: u16) {
        let w = self.window(now_ns, cells);
        let step = (w.ns_per_cell * cells as u64 / 4).max(1);
        let end = w.end_ns() as i64 + quarters * step as i64;
        let min_end = (w.ns_per_cell * cells as u64) as i64;
        self.end_ns = end.max(min_end) as u64;
        self.follow = false;
    }

    /// Follow live again (and forget the selection, which would pin the view).
    pub fn set_follow(&mut self, on: bool, now_ns: u64, cells: u16) {
        if !on {
            self.end_ns = self.window(now_ns, cells).end_ns();
        } else {
            self.selected = None;
        }
        self.follow = on;
    }

    /// Makes sure [start, end] is on screen, pausing if the view must move.
    pub fn reveal(&mut self, start_ns: u64, end_ns: u64, now_ns: u64, cells: u16) {
        let w = self.window(now_ns, cells);
        if start_ns >= w.start_ns && end_ns <= w.end_ns() {
            return;
        }
        let span = w.ns_per_cell * cells as u64;
        self.follow = false;
        // Put the call two thirds of the way across, so what led up to it shows.
        self.end_ns = (start_ns + span / 3).max(span);
    }

    /// Moves the selection; with none yet, selects `shown` (the call the
    /// detail pane was showing), so the first key press keeps it in view.
    pub fn navigate(&mut self, tl: &Timeline, lanes: &[Lane], shown: Option<usize>, nav: Nav) {
        let Some(cur) = self.selected.and_then(|i| tl.get(i).map(|c| (i, c))) else {
            self.selected = shown.or_else(|| lanes.iter().find_map(|&l| newest(tl, Some(l))));
            return;
        };
        let (i, call) = cur;
        let ids = tl.lane(call.lane);
        let pos = ids.binary_search(&(i as u32)).ok();
        self.selected = match nav {
            Nav::Prev => pos.and_then(|p| p.checked_sub(1)).map(|p| ids[p] as usize).or(Some(i)),
            Nav::Next => pos.and_then(|p| ids.get(p + 1)).map(|&j| j as usize).or(Some(i)),
            Nav::Up | Nav::Down => {
                let dir = if nav == Nav::Up { -1 } else { 1 };
                other_lane(tl, lanes, call.lane, dir).and_then(|l| nearest(tl, l, call.start_ns)).or(Some(i))
            }
        };
    }
}

/// The newest record on a lane.
pub fn newest(tl: &Timeline, lane: Option<Lane>) -> Option<usize> {
    tl.lane(lane?).last().map(|&i| i as usize)
}

/// The next lane up or down that has records.
fn other_lane(tl: &Timeline, lanes: &[Lane], from: Lane, dir: i32) -> Option<Lane> {
    let at = lanes.iter().position(|&l| l == from)? as i32;
    let mut k = at + dir;
    while k >= 0 && (k as usize) < lanes.len() {
        let l = lanes[k as usize];
        if !tl.lane(l).is_empty() {
            return Some(l);
        }
        k += dir;
    }
    None
}

/// The record on `lane` whose start is nearest to `t_ns` (binary search:
/// records on a lane are in start order).
pub fn nearest(tl: &Timeline, lane: Lane, t_ns: u64) -> Option<usize> {
    let ids = tl.lane(lane);
    let start = |j: u32| tl.get(j as usize).map_or(0, |c| c.start_ns);
    let p = ids.partition_point(|&j| start(j) < t_ns);
    let before = p.checked_sub(1).map(|q| ids[q]);
    let after = ids.get(p).copied();
    let best = match (before, after) {
        (Some(b), Some(a)) => {
            if t_ns.abs_diff(start(b)) <= start(a).abs_diff(t_ns) {
                b
            } else {
                a
            }
        }
        (b, a) => b.or(a)?,
    };
    Some(best as usize)
}
