//! A busy-poll drawn from the dense store, aggregated per cell: each cell
//! shows the outcome most of its calls had (W for wouldblock …), and, where
//! the lane has a free row under it, how many calls it holds on a log scale.
//!
//! Cost is bounded by what is visible: each cell is found with
//! `DenseLane::window` (binary search), and at most `SAMPLE` calls are read
//! per quarter cell. A cell with more is estimated from the time those
//! calls took (busy-poll calls run back to back), which keeps a 5 s/cell
//! view of a million calls as cheap as a 1 µs/cell one.

use ratatui::buffer::Buffer;

use super::timeline::Geometry;
use crate::record::dense::DenseLane;
use crate::record::dense::{Dense, DenseOutcome};
use crate::record::{Call, Outcome, Timeline};
use crate::tui::app::App;
use crate::tui::view::Window;

/// Calls read per quarter cell before estimating.
const SAMPLE: usize = 128;
const STRATA: u64 = 4;

/// What one cell of a spin holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    /// Calls that started in the cell (estimated when `approx`).
    pub count: u64,
    pub approx: bool,
    /// [data, eof, wouldblock, error] among the calls read.
    pub tally: [u64; 4],
    /// The cell lies before the oldest kept call: its calls were folded away.
    pub folded: bool,
}

impl Cell {
    /// The outcome most calls read had.
    pub fn dominant(&self) -> Option<Outcome> {
        let (i, &n) = self.tally.iter().enumerate().max_by_key(|&(i, n)| (*n, usize::MAX - i))?;
        (n > 0).then_some([Outcome::Data, Outcome::Eof, Outcome::WouldBlock, Outcome::Error][i])
    }
}

fn slot(o: DenseOutcome) -> usize {
    match o {
        DenseOutcome::Data => 0,
        DenseOutcome::Eof => 1,
        DenseOutcome::WouldBlock => 2,
        DenseOutcome::Error => 3,
    }
}

/// The calls that started in `[from, to)`.
pub fn cell(lane: &DenseLane, from: u64, to: u64) -> Cell {
    let mut out = Cell::default();
    if to <= from {
        return out;
    }
    if lane.oldest_ns().is_none_or(|o| to <= o) {
        out.folded = lane.folded.calls > 0 && lane.folded.first_ns < to && from <= lane.folded.last_ns;
        return out;
    }
    let step = (to - from).div_ceil(STRATA);
    let mut at = from;
    while at < to {
        let end = (at + step).min(to);
        let calls = lane.window(at, end).filter(|d| d.start_ns >= at).take(SAMPLE);
        let (n, first, last) = read(calls, &mut out.tally);
        out.count += match (n == SAMPLE, first, last) {
            // Back to back: the rest of the stratum runs at the same rate.
            (true, Some(f), Some(l)) if l > f => {
                out.approx = true;
                let covered = covered_until(lane, l, end, (l - f) / 16);
                let est = n as u128 * covered.saturating_sub(f) as u128 / (l - f) as u128;
                (est.min(u64::MAX as u128) as u64).max(n as u64)
            }
            _ => n as u64,
        };
        at = end;
    }
    out
}

/// How far into `[from, to)` the kept calls reach, found by bisection
/// (the newest batch of a running spin may end inside a cell).
/// `precision` is in ns: a few sampled calls' worth keeps it at most ~64 probes.
fn covered_until(lane: &DenseLane, from: u64, to: u64, precision: u64) -> u64 {
    if from >= to || lane.window(to - 1, to).next().is_some() {
        return to;
    }
    let (mut lo, mut hi) = (from, to);
    let precision = precision.max(1);
    while hi - lo > precision {
        let mid = lo + (hi - lo) / 2;
        if lane.window(mid, mid + 1).next().is_some() { lo = mid } else { hi = mid }
    }
    lo
}

/// Tallies the calls; returns how many, the first start and the last end.
fn read<'a>(
    calls: impl Iterator<Item = &'a Dense>,
    tally: &mut [u64; 4],
) -> (usize, Option<u64>, Option<u64>) {
    let (mut n, mut first, mut last) = (0, None, None);
    for d in calls {
        tally[slot(d.outcome)] += 1;
        first.get_or_insert(d.start_ns);
        last = Some(d.start_ns + d.dur_ns as u64);
        n += 1;
    }
    (n, first, last)
}

/// Draws a spin's cells over `a..=b` on row `y` (and counts on `y + 1`
/// when that row is free). Returns the busiest cell's count.
pub fn draw(
    buf: &mut Buffer,
    g: &Geometry,
    y: u16,
    w: Window,
    app: &App,
    // The call, and the timeline it is in (a compare has two).
    (tl, c): (&Timeline, &Call),
    (a, b): (u16, u16),
) -> u64 {
    let t = &app.theme;
    let Some(lane) = tl.dense(c.lane) else {
        for x in a..=b {
            super::lane::put(buf, g.x0 + x, y, t.bar(), t.outcome(c.outcome));
        }
        return 0;
    };
    let end = c.end_ns.unwrap_or(app.now_ns.max(c.start_ns));
    let mut busiest = 0;
    for x in a..=b {
        let from = w.time_of(x).max(c.start_ns);
        let to = w.time_of(x + 1).min(end.saturating_add(1));
        let cell = cell(lane, from, to);
        busiest = busiest.max(cell.count);
        let (ch, style) = match cell.dominant() {
            Some(o) => (t.glyph(o), t.outcome(o)),
            None if cell.folded => (t.folded(), t.dim()),
            // The cell the spin ended in: how it ended, as for any call.
            None if x == b && c.end_ns.is_some() => (t.glyph(c.outcome), t.outcome(c.outcome)),
            // Calls not yet delivered (a batch in flight), or none started here.
            None => (t.bar(), t.outcome(c.outcome)),
        };
        super::lane::put(buf, g.x0 + x, y, ch, style);
        if g.gap > 1 && cell.count > 0 {
            super::lane::put(buf, g.x0 + x, y + 1, t.density(cell.count), t.dim());
        }
    }
    busiest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane(n: u64, dur: u32, outcome: DenseOutcome) -> DenseLane {
        let mut l = DenseLane::default();
        let calls: Vec<Dense> = (0..n)
            .map(|i| Dense { start_ns: i * dur as u64, dur_ns: dur, bytes: 0, outcome, errno: 0 })
            .collect();
        l.push_all(&calls);
        l
    }

    #[test]
    fn small_cells_are_counted_exactly() {
        let l = lane(1000, 100, DenseOutcome::WouldBlock);
        let c = cell(&l, 0, 10_000);
        assert_eq!((c.count, c.approx), (100, false));
        assert_eq!(c.dominant(), Some(Outcome::WouldBlock));
    }

    #[test]
    fn big_cells_are_estimated_from_a_bounded_sample() {
        let l = lane(200_000, 100, DenseOutcome::WouldBlock);
        let c = cell(&l, 0, 20_000_000);
        assert!(c.approx);
        assert_eq!(c.tally.iter().sum::<u64>(), SAMPLE as u64 * STRATA, "only the sample was read");
        assert!((199_000..=201_000).contains(&c.count), "estimate {}", c.count);
    }

    #[test]
    fn folded_cells_are_marked() {
        let mut l = lane(3 * crate::record::dense::CHUNK as u64, 100, DenseOutcome::Data);
        l.fold_oldest();
        let c = cell(&l, 0, 1000);
        assert!(c.folded && c.count == 0);
        let kept = cell(&l, 100 * crate::record::dense::CHUNK as u64, u64::MAX / 2);
        assert_eq!(kept.dominant(), Some(Outcome::Data));
        let n = 2 * crate::record::dense::CHUNK as u64;
        assert!(kept.count.abs_diff(n) < n / 50, "the estimate stops where the calls do: {}", kept.count);
    }
}
