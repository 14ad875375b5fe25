//! What a drawing needs from one lane without reading every record on it:
//! the records in order, when each started (a compact array to search), and
//! the most salient outcome over any run of them ([`Maxima`]). A view of a
//! million calls then costs what is on screen, and a crowded cell still
//! shows the error among its thousand wouldblocks.

use super::call::Call;

/// One lane's records, in the order they were appended (start order).
#[derive(Debug, Default)]
pub struct LaneIndex {
    ids: Vec<u32>,
    /// When each started and ended (`u64::MAX` while in the kernel), side
    /// by side: a search ends on the line that says whether the call reaches on.
    spans: Vec<(u64, u64)>,

    /// Each finished record's [`Outcome::salience`](super::Outcome::salience);
    /// 0 while a call is still in the kernel (a view draws those one by one).
    salience: Maxima,
}

impl LaneIndex {
    pub fn push(&mut self, i: usize, c: &Call) {
        self.ids.push(i as u32);
        self.spans.push((c.start_ns, c.end_ns.unwrap_or(u64::MAX)));
        self.salience.push(finished_salience(c));
    }

    /// Record `i` changed (it ended): its salience is updated.
    pub fn touch(&mut self, i: usize, c: &Call) {
        if let Ok(pos) = self.ids.binary_search(&(i as u32)) {
            self.salience.set(pos, finished_salience(c));
            self.spans[pos].1 = c.end_ns.unwrap_or(u64::MAX);
        }
    }

    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// When each record started and ended (`u64::MAX` while in the kernel).
    pub fn spans(&self) -> &[(u64, u64)] {
        &self.spans
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The lane position of record `i`.
    pub fn position(&self, i: usize) -> Option<usize> {
        self.ids.binary_search(&(i as u32)).ok()
    }

    /// The first position at or after `from` whose start is at least `t_ns`
    /// (starts are in order).
    pub fn seek(&self, from: usize, t_ns: u64) -> usize {
        self.seek_near(from, from, t_ns)
    }

    /// [`LaneIndex::seek`], starting from a guess: galloping from it, so a
    /// good guess (calls come at a steady rate) reads a line or two.
    pub fn seek_near(&self, from: usize, guess: usize, t_ns: u64) -> usize {
        let s = &self.spans;
        let (from, g) = (from.min(s.len()), guess.clamp(from.min(s.len()), s.len()));
        let below = |i: usize| s[i].0 < t_ns;
        if g < s.len() && below(g) {
            // Forward: s[g] starts before t, find the first at or after.
            let (mut lo, mut step) = (g, 1);
            while lo + step < s.len() && below(lo + step) {
                lo += step;
                step *= 2;
            }
            let hi = (lo + step).min(s.len());
            lo + 1 + s[lo + 1..hi].partition_point(|x| x.0 < t_ns)
        } else {
            // Backward: everything from g on starts at or after t (or g is the end).
            let (mut hi, mut step) = (g, 1);
            while hi > from + step && !below(hi - step) {
                hi -= step;
                step *= 2;
            }
            let lo = hi.saturating_sub(step).max(from);
            lo + s[lo..hi].partition_point(|x| x.0 < t_ns)
        }
    }

    /// The most salient finished record in positions `lo..hi` (the first of
    /// equals), with its salience; `None` if all are still in the kernel.
    pub fn top(&self, lo: usize, hi: usize) -> Option<(usize, u8)> {
        let (pos, best) = self.salience.top(lo, hi)?;
        (best > 0).then(|| (self.ids[pos] as usize, best))
    }
}

fn finished_salience(c: &Call) -> u8 {
    if c.end_ns.is_some() { c.outcome.salience() } else { 0 }
}

const SHIFT: u32 = 6;
const FAN: usize = 1 << SHIFT;

/// Range maxima over an append-only array of small values: level `k` holds
/// the maximum of each aligned block of 64^k values, so a query reads at
/// most two cache lines per level.
#[derive(Debug, Default)]
pub struct Maxima {
    levels: Vec<Vec<u8>>,
}

impl Maxima {
    pub fn push(&mut self, v: u8) {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(v);
        let mut k = 1;
        while self.levels[k - 1].len() > 1 {
            let below = &self.levels[k - 1];
            let (last, parent) = (below[below.len() - 1], (below.len() - 1) >> SHIFT);
            if self.levels.len() == k {
                let built = below.chunks(FAN).map(|c| c.iter().copied().max().unwrap_or(0)).collect();
                self.levels.push(built);
            } else if let Some(p) = self.levels[k].get_mut(parent) {
                *p = (*p).max(last);
            } else {
                self.levels[k].push(last);
            }
            k += 1;
        }
    }

    /// Changes value `i` (it may go down): its blocks are summed up again.
    pub fn set(&mut self, i: usize, v: u8) {
        let Some(x) = self.levels.first_mut().and_then(|l| l.get_mut(i)) else { return };
        *x = v;
        for k in 1..self.levels.len() {
            let idx = i >> (SHIFT * k as u32);
            let below = &self.levels[k - 1];
            let block = &below[idx * FAN..((idx + 1) * FAN).min(below.len())];
            let m = block.iter().copied().max().unwrap_or(0);
            self.levels[k][idx] = m;
        }
    }

    pub fn len(&self) -> usize {
        self.levels.first().map_or(0, Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The largest aligned block that starts at `i`, ends by `hi`, and is
    /// at most level `cap`.
    fn block(&self, i: usize, hi: usize, cap: usize) -> usize {
        let mut k = 0;
        while k < cap && k + 1 < self.levels.len() {
            let size = 1usize << (SHIFT * (k as u32 + 1));
            if !i.is_multiple_of(size) || i + size > hi {
                break;
            }
            k += 1;
        }
        k
    }

    /// The largest value in `lo..hi` (0 when empty).
    pub fn max(&self, lo: usize, hi: usize) -> u8 {
        let hi = hi.min(self.len());
        let (mut i, mut m) = (lo, 0);
        while i < hi {
            let k = self.block(i, hi, usize::MAX);
            m = m.max(self.levels[k][i >> (SHIFT * k as u32)]);
            i += 1 << (SHIFT * k as u32);
        }
        m
    }

    /// The largest value in `lo..hi` and the first index holding it:
    /// the partial blocks at each end are read as slices, the whole blocks
    /// between them one level up, and the winner is followed down.
    pub fn top(&self, lo: usize, hi: usize) -> Option<(usize, u8)> {
        let hi = hi.min(self.len());
        let (k, idx, v) = self.top_at(0, lo, hi)?;
        let mut idx = idx;
        for level in (0..k).rev() {
            let below = &self.levels[level];
            let from = idx * FAN;
            idx = from + below[from..(from + FAN).min(below.len())].iter().position(|&x| x == v)?;
        }
        Some((idx, v))
    }

    /// The first of the largest values in `lo..hi` of level `k`, as (the
    /// level it was found at, its index there, the value).
    fn top_at(&self, k: usize, lo: usize, hi: usize) -> Option<(usize, usize, u8)> {
        if lo >= hi {
            return None;
        }
        let level = &self.levels[k];
        let first_max = |a: usize, b: usize| {
            let v = level[a..b].iter().copied().max()?;
            Some((k, a + level[a..b].iter().position(|&x| x == v)?, v))
        };
        let (head_end, tail_start) = (lo.next_multiple_of(FAN).min(hi), (hi / FAN * FAN).max(lo));
        if k + 1 >= self.levels.len() || head_end >= tail_start {
            return first_max(lo, hi);
        }
        let parts = [
            first_max(lo, head_end),
            self.top_at(k + 1, head_end / FAN, tail_start / FAN),
            first_max(tail_start, hi),
        ];
        parts.into_iter().flatten().fold(None, |best, p| match best {
            Some(b) if b.2 >= p.2 => Some(b),
            _ => Some(p),
        })
    }

    /// The first index in `lo..hi` whose value is at least `min`.
    pub fn first_at_least(&self, lo: usize, hi: usize, min: u8) -> Option<usize> {
        let hi = hi.min(self.len());
        let (mut i, mut cap) = (lo, usize::MAX);
        while i < hi {
            let k = self.block(i, hi, cap);
            if self.levels[k][i >> (SHIFT * k as u32)] >= min {
                if k == 0 {
                    return Some(i);
                }
                // The block holds one: look inside it.
                cap = k - 1;
            } else {
                i += 1 << (SHIFT * k as u32);
                cap = usize::MAX;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_max(v: &[u8], lo: usize, hi: usize) -> u8 {
        v[lo..hi].iter().copied().max().unwrap_or(0)
    }

    #[test]
    fn maxima_agree_with_a_scan() {
        let mut m = Maxima::default();
        let mut v = Vec::new();
        // A pseudo-random walk of values, with rare high ones.
        let mut x: u32 = 12345;
        for _ in 0..5000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let val = if (x >> 16).is_multiple_of(97) { 9 } else { ((x >> 20) % 5) as u8 };
            m.push(val);
            v.push(val);
        }
        for (lo, hi) in [(0, 5000), (3, 4), (17, 300), (255, 257), (1000, 4097), (4095, 4096), (10, 10)] {
            assert_eq!(m.max(lo, hi), naive_max(&v, lo, hi), "max {lo}..{hi}");
            let top = (lo..hi).map(|i| (i, v[i])).fold(None, |b: Option<(usize, u8)>, x| match b {
                Some(b) if b.1 >= x.1 => Some(b),
                _ => Some(x),
            });
            assert_eq!(m.top(lo, hi), top, "top {lo}..{hi}");
            let best = naive_max(&v, lo, hi);
            let first = (lo..hi).find(|&i| v[i] >= best.max(1));
            assert_eq!(m.first_at_least(lo, hi, best.max(1)), first, "first {lo}..{hi}");
        }
        m.set(4000, 12);
        v[4000] = 12;
        assert_eq!(m.max(0, 5000), 12);
        m.set(4000, 0);
        v[4000] = 0;
        assert_eq!(m.max(3900, 4100), naive_max(&v, 3900, 4100), "a value set lower is forgotten");
    }

    #[test]
    fn seek_gallops_to_the_first_start_at_or_after() {
        let mut ix = LaneIndex::default();
        for k in 0..1000u64 {
            let mut c = crate::record::Call::begin(
                k,
                crate::record::Lane::Sock(1),
                crate::record::Op::Recv,
                crate::record::Arg::None,
                Default::default(),
                k * 10,
            );
            c.end_ns = Some(k * 10 + 1);
            c.outcome =
                if k == 500 { crate::record::Outcome::Error } else { crate::record::Outcome::WouldBlock };
            ix.push(k as usize, &c);
        }
        assert_eq!(ix.seek(0, 0), 0);
        assert_eq!(ix.seek(0, 55), 6);
        assert_eq!(ix.seek(6, 9_990), 999);
        assert_eq!(ix.seek(100, 1_000_000), 1000);
        assert_eq!(ix.seek(0, 5), 1);
        for t in (0..10_100).step_by(37) {
            assert_eq!(ix.seek(0, t), ix.spans().partition_point(|s| s.0 < t), "seek {t}");
            assert_eq!(
                ix.seek(300, t),
                ix.spans().partition_point(|s| s.0 < t).max(300),
                "seek {t} from 300"
            );
            for guess in [0, 17, 500, 999, 1000, 5000] {
                let want = ix.spans().partition_point(|s| s.0 < t).max(10);
                assert_eq!(ix.seek_near(10, guess, t), want, "seek {t} from 10, guessing {guess}");
            }
        }
        assert_eq!(ix.top(0, 1000), Some((500, crate::record::Outcome::Error.salience())));
        assert_eq!(ix.top(0, 500).map(|t| t.0), Some(0), "the first of equals");
    }
}
