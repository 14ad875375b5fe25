//! Time to x. Time runs left to right in proportion, except where calls
//! come faster than the picture can show them apart: there, each gap
//! between two calls' starts is widened to at least [`MIN_GAP`] px, so a
//! burst of calls is spread out in the order it happened. Such a stretch
//! is a [`Burst`], drawn under the axis with the real time it took. Every
//! other stretch keeps one slope, the same everywhere, so a long wait
//! looks as long as it was and round ticks stay evenly spaced.
//!
//! A call's end is placed within the gap it falls in, in proportion: a
//! call that returned at once still looks instant.

use super::text::Text;
use crate::tui::fmt;

/// The least distance between two ticks, in px.
const TICK_GAP: f64 = 90.0;
/// The least distance between two calls' starts, in px: two badges.
pub const MIN_GAP: f64 = 28.0;
/// A stretch spread out by less than this is not worth a bracket.
const BURST_MIN_PX: f64 = 2.0 * MIN_GAP;

/// A stretch of time spread out to show its calls apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burst {
    pub from_ns: u64,
    pub to_ns: u64,
    pub x0: f64,
    pub x1: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    /// x of t = 0.
    pub x0: f64,
    /// x of t = `span_ns`.
    pub x1: f64,
    pub span_ns: u64,
    /// Times where the slope may change (0, each call's start, the end),
    /// ascending, and their x.
    knots: Vec<u64>,
    xs: Vec<f64>,
    /// px per ns outside bursts.
    slope: f64,
    pub bursts: Vec<Burst>,
}

impl Scale {
    /// A session of `span_ns` (at least 1 ms) over `x0..x1`, in proportion.
    pub fn linear(x0: f64, x1: f64, span_ns: u64) -> Scale {
        Scale::spread(x0, x1, span_ns, std::iter::empty())
    }

    /// A session over `x0..x1` with calls starting at `starts`: gaps
    /// between them are at least [`MIN_GAP`] px where the width allows.
    pub fn spread(x0: f64, x1: f64, span_ns: u64, starts: impl Iterator<Item = u64>) -> Scale {
        let x1 = x1.max(x0 + 1.0);
        let span_ns = span_ns.max(1_000_000);
        let mut knots: Vec<u64> = starts.filter(|&t| t < span_ns).chain([0, span_ns]).collect();
        knots.sort_unstable();
        knots.dedup();
        let gaps: Vec<u64> = knots.windows(2).map(|w| w[1] - w[0]).collect();
        let width = x1 - x0;
        let mins = minimums(&gaps, width);
        let slope = slope(&gaps, &mins, width);
        let widths: Vec<f64> = gaps.iter().zip(&mins).map(|(&d, &m)| (d as f64 * slope).max(m)).collect();
        let total: f64 = widths.iter().sum();
        let mut xs = Vec::with_capacity(knots.len());
        let mut at = 0.0;
        xs.push(x0);
        for w in &widths {
            at += w;
            xs.push(x0 + at / total * width);
        }
        let slope = slope * width / total;
        let bursts = bursts(&knots, &xs, &mins, slope);
        Scale { x0, x1, span_ns, knots, xs, slope, bursts }
    }

    pub fn x(&self, t_ns: u64) -> f64 {
        let t = t_ns.min(self.span_ns);
        let i = self.knots.partition_point(|&k| k <= t).saturating_sub(1).min(self.knots.len() - 2);
        let (ta, tb) = (self.knots[i], self.knots[i + 1]);
        let f = (t - ta) as f64 / (tb - ta) as f64;
        self.xs[i] + f * (self.xs[i + 1] - self.xs[i])
    }

    /// The time at `x` (clamped to the session).
    pub fn t(&self, x: f64) -> u64 {
        let x = x.clamp(self.x0, self.x1);
        let i = self.xs.partition_point(|&k| k <= x).saturating_sub(1).min(self.xs.len() - 2);
        let (xa, xb) = (self.xs[i], self.xs[i + 1]);
        let f = if xb > xa { (x - xa) / (xb - xa) } else { 0.0 };
        self.knots[i] + (f * (self.knots[i + 1] - self.knots[i]) as f64).round() as u64
    }

    /// The tick step: the smallest round time at least [`TICK_GAP`] px
    /// wide where time is in proportion (spread stretches are wider).
    pub fn step(&self) -> u64 {
        let want = (TICK_GAP / self.slope).ceil().min(u64::MAX as f64 / 10.0) as u64;
        fmt::round_step(want)
    }

    /// Each tick's x and label (`0s 0.1s 0.2s …`), within the session.
    pub fn ticks(&self) -> Vec<(f64, Text)> {
        let step = self.step();
        (0..=self.span_ns / step).map(|k| (self.x(k * step), Text::new(&fmt::axis(k * step, step)))).collect()
    }
}

/// The least width of each gap: [`MIN_GAP`] where the width allows it.
/// Widened gaps may take at most half the width; when they would need
/// more, that half is shared out among the bursts (runs of gaps too short
/// to show) so that small bursts keep [`MIN_GAP`] and the largest share
/// what is left, rather than every gap shrinking alike.
fn minimums(gaps: &[u64], width: f64) -> Vec<f64> {
    let budget = width / 2.0;
    if gaps.len() as f64 * MIN_GAP <= budget {
        return vec![MIN_GAP; gaps.len()];
    }
    // Short: narrower than MIN_GAP even if only half the width is in proportion.
    let span: u64 = gaps.iter().sum();
    let short = |d: u64| (d as f64) * budget / (span.max(1) as f64) < MIN_GAP;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, &d) in gaps.iter().enumerate() {
        match runs.last_mut() {
            Some((_, end)) if short(d) && *end == i => *end = i + 1,
            _ if short(d) => runs.push((i, i + 1)),
            _ => {}
        }
    }
    // Water-filling: the smallest wants are met whole, the rest share alike.
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by_key(|&r| runs[r].1 - runs[r].0);
    let (mut left, mut count) = (budget, runs.len());
    let mut mins = vec![MIN_GAP; gaps.len()];
    for r in order {
        let (a, b) = runs[r];
        let give = (MIN_GAP * (b - a) as f64).min(left / count as f64);
        mins[a..b].fill(give / (b - a) as f64);
        left -= give;
        count -= 1;
    }
    mins
}

/// The px per ns that makes `Σ max(min_i, slope·d_i)` fill `width`: with
/// the gaps in order of `d_i / min_i`, largest first, the first j are in
/// proportion and the rest at their minimum, for the j where that holds.
fn slope(gaps: &[u64], mins: &[f64], width: f64) -> f64 {
    let mut order: Vec<usize> = (0..gaps.len()).collect();
    let ratio = |i: usize| gaps[i] as f64 / mins[i].max(f64::MIN_POSITIVE);
    order.sort_unstable_by(|&a, &b| ratio(b).total_cmp(&ratio(a)));
    let mut rest: f64 = mins.iter().sum();
    let mut sum = 0.0;
    for (j, &i) in order.iter().enumerate() {
        sum += gaps[i] as f64;
        rest -= mins[i];
        let k = (width - rest) / sum;
        let next_short = order.get(j + 1).is_none_or(|&n| (gaps[n] as f64) * k < mins[n]);
        if gaps[i] as f64 * k >= mins[i] && next_short {
            return k;
        }
    }
    width / sum.max(1.0)
}

/// Runs of gaps widened past their proportion, spread by enough to show.
fn bursts(knots: &[u64], xs: &[f64], mins: &[f64], slope: f64) -> Vec<Burst> {
    let mut out = Vec::new();
    let mut run: Option<usize> = None;
    for i in 0..=mins.len() {
        let widened = i < mins.len() && ((knots[i + 1] - knots[i]) as f64 * slope) < mins[i] * 0.999;
        match (run, widened) {
            (None, true) => run = Some(i),
            (Some(a), false) => {
                let b = Burst { from_ns: knots[a], to_ns: knots[i], x0: xs[a], x1: xs[i] };
                let real = (b.to_ns - b.from_ns) as f64 * slope;
                if b.x1 - b.x0 >= BURST_MIN_PX && b.x1 - b.x0 >= 2.0 * real {
                    out.push(b);
                }
                run = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_no_calls_time_maps_linearly_and_ticks_are_round() {
        let s = Scale::linear(100.0, 1100.0, 400_000_000);
        assert_eq!(s.x(0), 100.0);
        assert_eq!(s.x(200_000_000), 600.0);
        assert_eq!(s.x(u64::MAX), 1100.0, "clamped to the session");
        assert_eq!(s.step(), 50_000_000, "90 px is 36 ms, so 50 ms");
        let ticks = s.ticks();
        assert_eq!(ticks.len(), 9);
        assert_eq!(ticks[2].1.as_str(), "100ms");
        assert_eq!(s.t(600.0), 200_000_000);
        assert!(s.bursts.is_empty());
    }

    #[test]
    fn an_empty_session_still_has_a_scale() {
        let s = Scale::linear(0.0, 1000.0, 0);
        assert_eq!(s.span_ns, 1_000_000);
        assert!(!s.ticks().is_empty());
    }

    #[test]
    fn a_burst_is_spread_and_the_rest_keeps_one_slope() {
        // Ten calls 10 µs apart at 100 ms, in a 1 s session.
        let starts = (0..10).map(|i| 100_000_000 + i * 10_000);
        let s = Scale::spread(0.0, 1000.0, 1_000_000_000, starts);
        let gap = s.x(100_010_000) - s.x(100_000_000);
        assert!((gap - MIN_GAP).abs() < 0.01, "each call apart: {gap}");
        let a = s.x(500_000_000) - s.x(400_000_000);
        let b = s.x(900_000_000) - s.x(800_000_000);
        assert!((a - b).abs() < 1e-6 && a < 100.0, "one slope elsewhere: {a} {b}");
        assert_eq!(s.x(1_000_000_000), 1000.0);
        assert_eq!(s.bursts.len(), 1);
        assert_eq!((s.bursts[0].from_ns, s.bursts[0].to_ns), (100_000_000, 100_090_000));
        // A call 2 µs long in the burst still looks instant.
        assert!(s.x(100_000_002) - s.x(100_000_000) < 0.01);
        for x in [0.0, 123.4, 400.0, 999.0] {
            assert!((s.x(s.t(x)) - x).abs() < 0.5, "t inverts x at {x}");
        }
    }

    #[test]
    fn a_large_burst_does_not_crowd_a_small_one() {
        // Two calls 10 µs apart at 100 ms, and 200 calls 1 µs apart at 500 ms.
        let small = [100_000_000, 100_010_000];
        let large = (0..200).map(|i| 500_000_000 + i * 1_000);
        let s = Scale::spread(0.0, 1000.0, 1_000_000_000, small.into_iter().chain(large));
        let gap = s.x(100_010_000) - s.x(100_000_000);
        assert!((gap - MIN_GAP).abs() < 0.01, "the small burst keeps its spacing: {gap}");
        let burst = s.x(500_199_000) - s.x(500_000_000);
        assert!(burst <= 500.0 && burst > 300.0, "the large one shares what is left: {burst}");
        assert_eq!(s.bursts.len(), 1, "two calls apart are not worth a bracket");
        assert_eq!(s.bursts[0].from_ns, 500_000_000);
    }

    #[test]
    fn too_many_calls_leave_half_the_width_in_proportion() {
        let s = Scale::spread(0.0, 1000.0, 1_000_000_000, (0..100_000).map(|i| i * 10));
        let rest = s.x(1_000_000_000) - s.x(1_000_000);
        assert!(rest >= 499.0, "{rest}");
    }
}
