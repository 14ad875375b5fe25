//! What part of the timeline is on screen: the scale (a zoom level, or
//! fitted to the whole history), follow-live or paused, and which call is
//! selected. Pure state plus the arithmetic that builds the [`Window`], so
//! the timeline pane, the detail pane and mouse hit-testing agree.
//!
//! While following at a zoom level, quiet stretches (nothing started or
//! ended) are compressed into bands, newest first, only as far as needed
//! to keep the history since the first call on screen.

use crate::record::quiet::Quiet;
use crate::record::{Lane, Timeline};

pub use super::window::{Band, MAX_PIECES, Piece, Window};

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
/// Cells a newest call's label wants right of "now".
const LIVE_LABEL: u64 = 12;

/// Cells kept as they are after the last event before a quiet stretch:
/// with the band's own width, room for that call's label.
const KEEP: u64 = 2;

/// A band stands for at least this many times its width: shorter pauses
/// stay to scale.
const MIN_RATIO: u64 = 2;

/// How many columns a band takes: room for "⋯ 7.2s idle ⋯", or at least
/// for a short label running into it.
pub fn band_width(cells: u16) -> u16 {
    (cells / 4).clamp(10, 13)
}

/// How the pane is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Nanoseconds per cell.
    Cell(u64),
    /// Everything from t=0 to this time (and on to "now" while following).
    Fit(u64),
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
    scale: Scale,
    pub follow: bool,
    /// The right edge while paused.
    end_ns: u64,
    /// The selected record, as an index into the timeline (stable: append-only).
    pub selected: Option<usize>,
}

impl Default for TimelineView {
    fn default() -> TimelineView {
        TimelineView { scale: Scale::Cell(ZOOMS[DEFAULT_ZOOM]), follow: true, end_ns: 0, selected: None }
    }
}

impl TimelineView {
    pub fn scale(&self) -> Scale {
        self.scale
    }

    /// What is drawn: while following at a zoom level, quiet stretches are
    /// compressed; otherwise the window is linear.
    pub fn window(&self, tl: &Timeline, now_ns: u64, cells: u16) -> Window {
        match self.scale {
            Scale::Cell(npc) if self.follow => compressed(tl.quiet(), now_ns, npc, cells),
            _ => self.linear(now_ns, cells),
        }
    }

    /// The window with no compression (the same right edge).
    fn linear(&self, now_ns: u64, cells: u16) -> Window {
        let c = cells.max(1) as u64;
        match self.scale {
            Scale::Cell(npc) => {
                let end_cell = if self.follow {
                    now_ns / npc + 1 + live_margin(cells)
                } else {
                    self.end_ns.div_ceil(npc)
                };
                // A young session starts at t=0 on the left rather than floating.
                Window::linear(end_cell.saturating_sub(c) * npc, npc, cells)
            }
            Scale::Fit(end) => {
                let end = if self.follow { end.max(now_ns) } else { end };
                Window::linear(0, fit_npc(end, cells), cells)
            }
        }
    }

    /// Zooms by `steps` (negative: in) through the 1-2-5 levels, keeping the
    /// middle of a paused view still. From a fitted view the next level
    /// in that direction is the first step.
    pub fn zoom(&mut self, steps: i32, now_ns: u64, cells: u16) {
        let old = self.linear(now_ns, cells);
        let mid = old.start_ns() + old.ns_per_cell() * cells as u64 / 2;
        let mut npc = old.ns_per_cell();
        for _ in 0..steps.unsigned_abs() {
            npc = if steps < 0 {
                ZOOMS.iter().rev().copied().find(|&z| z < npc).unwrap_or(ZOOMS[0])
            } else {
                ZOOMS.iter().copied().find(|&z| z > npc).unwrap_or(ZOOMS[ZOOMS.len() - 1])
            };
        }
        self.scale = Scale::Cell(npc);
        if !self.follow {
            self.end_ns = mid + npc * cells as u64 / 2;
        }
    }

    /// Fits everything recorded so far (up to `now_ns`); while following
    /// it keeps fitting as the history grows.
    pub fn fit(&mut self, now_ns: u64) {
        self.scale = Scale::Fit(now_ns);
    }

    /// Shows `[0, end_ns]` whole, paused: a replay opens on its recording.
    pub fn fit_to(&mut self, end_ns: u64) {
        self.scale = Scale::Fit(end_ns);
        self.follow = false;
    }

    /// Pauses and moves the view by `quarters` of its width (negative: back).
    pub fn scroll(&mut self, quarters: i64, now_ns: u64, cells: u16) {
        let w = self.linear(now_ns, cells);
        let span = w.ns_per_cell() * cells as u64;
        let step = (span / 4).max(1);
        let end = w.end_ns() as i64 + quarters * step as i64;
        self.end_ns = end.max(span as i64) as u64;
        self.scale = Scale::Cell(w.ns_per_cell());
        self.follow = false;
    }

    /// Follow live again (and forget the selection, which would pin the view).
    pub fn set_follow(&mut self, on: bool, now_ns: u64, cells: u16) {
        if !on {
            self.end_ns = self.linear(now_ns, cells).end_ns();
            if let Scale::Fit(end) = self.scale {
                self.scale = Scale::Fit(end.max(now_ns));
            }
        } else {
            self.selected = None;
        }
        self.follow = on;
    }

    /// Makes sure [start, end] is on screen, pausing if the view must move.
    pub fn reveal(&mut self, tl: &Timeline, (start_ns, end_ns): (u64, u64), now_ns: u64, cells: u16) {
        let w = self.window(tl, now_ns, cells);
        if start_ns >= w.start_ns() && end_ns <= w.end_ns() {
            return;
        }
        let span = w.ns_per_cell() * cells as u64;
        self.follow = false;
        self.scale = Scale::Cell(w.ns_per_cell());
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

/// Cells kept free right of "now" while following: a fifth of the pane,
/// and on a narrow one up to a third, so the newest label has room.
fn live_margin(cells: u16) -> u64 {
    let c = cells as u64;
    (c / LIVE_MARGIN_DIV).max((c / 3).min(LIVE_LABEL)).max(1)
}

/// The scale that shows `[0, end_ns]` with the live margin spare on the
/// right (for the last labels), rounded up to two significant digits.
fn fit_npc(end_ns: u64, cells: u16) -> u64 {
    let room = (cells as u64).saturating_sub(live_margin(cells)).max(1);
    let want = end_ns.div_ceil(room).max(ZOOMS[0]);
    let mut unit = 1;
    while want / unit >= 100 {
        unit *= 10;
    }
    want.div_ceil(unit) * unit
}

/// The live window at `npc` ns per cell: its right edge just past "now",
/// then quiet stretches compressed newest first until everything since
/// the first call fits (or no band is left that would help).
pub fn compressed(q: &Quiet, now_ns: u64, npc: u64, cells: u16) -> Window {
    let npc = npc.max(1);
    let width = band_width(cells) as u64;
    let mut end = now_ns / npc + 1 + live_margin(cells);
    let mut room = cells as u64;
    let first = q.first_ns().map_or(0, |f| f / npc);
    // Right to left: (first cell, cells) of each piece.
    let mut right: Vec<(u64, u64)> = Vec::with_capacity(MAX_PIECES);
    let trailing = q.last_ns().filter(|&l| l < now_ns).map(|l| (l, now_ns));
    for (a, b) in trailing.into_iter().chain(q.before(now_ns)) {
        if right.len() + 1 >= MAX_PIECES || end.saturating_sub(first) <= room {
            break;
        }
        // The cells strictly between the two events, less KEEP after the first.
        let (ga, gb) = (a / npc + 1 + KEEP, b / npc);
        if gb + room <= end {
            // Left of the window as it stands: this and every older stretch.
            break;
        }
        if gb < ga + MIN_RATIO * width {
            continue;
        }
        let kept = end - gb;
        if kept + width + 1 > room {
            break;
        }
        // Compress only as much as needed, but enough to be worth a band.
        let need = (end - first) - room;
        let covered = (need + width).max(MIN_RATIO * width).min(gb - ga);
        right.push((gb, kept));
        room -= kept + width;
        end = gb - covered;
    }
    let g0 = end.saturating_sub(room);
    right.push((g0, end - g0));
    // A young session: the cells left over go to the right.
    let spare = room - (end - g0);
    right[0].1 += spare;
    let mut pieces = Vec::with_capacity(right.len());
    let mut col = 0u64;
    for (g0, len) in right.into_iter().rev() {
        pieces.push(Piece { col: col as u16, len: len as u16, g0 });
        col += len + width;
    }
    Window::of_pieces(npc, cells, &pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;
    const S: u64 = 1_000 * MS;

    fn quiet(events: &[u64]) -> Quiet {
        let mut q = Quiet::default();
        events.iter().for_each(|&t| q.mark(t));
        q
    }

    #[test]
    fn a_session_that_fits_is_not_compressed() {
        let q = quiet(&[MS, 2 * S]);
        let w = compressed(&q, 3 * S, 100 * MS, 60);
        assert_eq!(w, Window::linear(0, 100 * MS, 60), "a young session starts at 0, as before");
        let q = quiet(&[MS, 2 * S, 4 * S]);
        let w = compressed(&q, 6 * S + 500 * MS, 100 * MS, 60);
        assert_eq!(
            w,
            Window::linear(1_800 * MS, 100 * MS, 60),
            "pauses shorter than two bands stay to scale"
        );
    }

    #[test]
    fn an_idle_stretch_keeps_the_last_calls_on_screen() {
        // Calls at 1 s, 1.5 s and 2 s, then idle until 9 s; 48 cells at
        // 100 ms span 4.8 s, so linear the calls would be gone.
        let q = quiet(&[S, 3 * S / 2, 2 * S]);
        let w = compressed(&q, 9 * S, 100 * MS, 48);
        let bands: Vec<Band> = w.bands().collect();
        assert_eq!(bands.len(), 1);
        let b = bands[0];
        assert_eq!((w.col(S), w.col(2 * S)), (0, 10), "the calls keep their spacing");
        assert_eq!((b.col, b.width), (23, band_width(48)));
        assert_eq!((b.from_ns, b.to_ns), (3_300 * MS, 9 * S), "compressed only as far as needed");
        assert_eq!(w.col(9 * S), 35, "now, with the live margin after it");
        assert_eq!(w.end_ns(), 10_300 * MS);
    }

    #[test]
    fn compression_never_hides_or_merges_calls() {
        // Bursts of calls with pauses of 0.2 s to 20 s, drawn live at several zooms.
        let mut x: u64 = 7;
        let mut t = 0;
        let mut events = Vec::new();
        for _ in 0..200 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            t += if x >> 60 < 3 { (x >> 30) % (20 * S) } else { (x >> 40) % (200 * MS) + MS };
            events.push(t);
        }
        let q = quiet(&events);
        for npc in [10 * MS, 100 * MS, S] {
            for cells in [34, 64, 150] {
                let now = t + 5 * S;
                let w = compressed(&q, now, npc, cells);
                let bands: Vec<Band> = w.bands().collect();
                for &e in events.iter().filter(|&&e| e >= w.start_ns()) {
                    assert!(!bands.iter().any(|b| b.from_ns < e && e < b.to_ns), "{e} hidden in a band");
                }
                for pair in events.windows(2).filter(|p| p[0] >= w.start_ns()) {
                    let (a, b) = (w.col(pair[0]), w.col(pair[1]));
                    assert!(a <= b, "order kept");
                    let between = bands.iter().any(|band| pair[0] <= band.from_ns && band.to_ns <= pair[1]);
                    if between {
                        assert!(b - a > band_width(cells), "a band keeps the two apart");
                    }
                }
                let used: u16 =
                    w.pieces().map(|p| p.len).sum::<u16>() + bands.iter().map(|b| b.width).sum::<u16>();
                assert_eq!(used, cells, "every column is accounted for");
            }
        }
    }

    #[test]
    fn plus_zooms_in_and_z_fits_everything() {
        let tl = Timeline::default();
        let mut v = TimelineView::default();
        v.zoom(-1, 0, 60);
        assert_eq!(v.scale(), Scale::Cell(50 * MS), "a step in: fewer ns per cell");
        v.zoom(2, 0, 60);
        assert_eq!(v.scale(), Scale::Cell(200 * MS));
        v.fit(95 * S);
        let w = v.window(&tl, 95 * S, 60);
        assert!(w.start_ns() == 0 && w.end_ns() >= 95 * S, "{w:?}");
        assert!(w.ns_per_cell() < 2 * (95 * S / 60), "and not far too wide: {}", w.ns_per_cell());
        // Fitted and paused (a replay opening on its recording).
        let mut r = TimelineView::default();
        r.fit_to(4 * S);
        let w = r.window(&tl, 0, 54);
        assert!(!r.follow && w.start_ns() == 0 && w.end_ns() >= 4 * S);
        r.zoom(-1, 0, 54);
        assert!(matches!(r.scale(), Scale::Cell(n) if n < w.ns_per_cell()), "+ from fit zooms in");
    }
}
