//! What each cell of one lane holds. Calls whose glyphs fall in one cell
//! form a *mark*: it shows one glyph (the selected call's if it is there,
//! else the most salient: error > timeout > wouldblock > eof > data …, see
//! [`Outcome::salience`]) and knows how many calls it stands for.
//!
//! Cost depends on what is visible: the lane index is searched cell by
//! cell, and a crowded cell (more than [`FEW`] calls start in it) is summed
//! up from the index (count by position, most salient call by range maxima)
//! rather than read call by call. There a call that reaches past its cell
//! is still drawn as a bar if it is among the last to start in it, which
//! holds for calls made one after another.

use std::ops::Range;

use crate::record::{Call, Lane, Op, Outcome, Timeline};
use crate::tui::view::Window;

/// A cell where more calls than this start is summed up.
pub const FEW: usize = 8;
/// How far back to look for a call that began left of the window and is
/// still drawn in it (socket calls are sequential, so a few suffice).
const LOOKBACK: usize = 8;

/// One cell's glyph and the calls behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub cell: u16,
    /// The call whose glyph is drawn: the selected one if it is here.
    pub shown: usize,
    /// The most salient call here (the first of equals).
    pub top: usize,
    pub salience: u8,
    /// How many calls end in this cell.
    pub count: u64,
    /// Calls here one by one: a range of [`Cells::listed`].
    listed: Range<usize>,
    /// Lane positions summed up (a crowded cell), less those listed.
    pub run: Option<(usize, usize)>,
}

/// A call drawn over cells `a..=b` (its glyph's cell is `b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    pub a: u16,
    pub b: u16,
    pub call: usize,
}

/// One lane's cells.
#[derive(Debug)]
pub struct Cells {
    lane: Lane,
    pub marks: Vec<Mark>,
    /// Calls with a bar of more than one cell (spins excluded).
    pub bars: Vec<Bar>,
    /// Busy-polls: drawn aggregated over their span.
    pub spins: Vec<Bar>,
    /// Readiness reports: drawn as tags, not glyphs.
    pub ready: Vec<usize>,
    listed: Vec<usize>,
}

/// Where a call is among the calls of its mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// 1-based.
    pub at: u64,
    pub of: u64,
    /// The first calls of the mark, in order.
    pub calls: Vec<usize>,
}

/// Whether a record is drawn on its lane. On a client's lane the request
/// stands for the send and the recvs inside it, unless one failed.
pub fn drawn(c: &Call) -> bool {
    match (c.lane, c.op) {
        (Lane::Client(_), Op::PeerSend | Op::PeerRecv) => {
            !matches!(c.outcome, Outcome::Sent | Outcome::Data | Outcome::Eof)
        }
        _ => true,
    }
}

pub fn end_or(c: &Call, now_ns: u64) -> u64 {
    c.end_ns.unwrap_or(now_ns.max(c.start_ns))
}

/// First and last cell of a call's bar (the last holds its glyph).
pub fn span(c: &Call, w: Window, now_ns: u64) -> (u16, u16) {
    let a = w.col(c.start_ns.max(w.start_ns()));
    let b = w.col(end_or(c, now_ns).min(w.end_ns().saturating_sub(1)));
    (a, b.max(a))
}

impl Cells {
    pub fn new(tl: &Timeline, lane: Lane, w: Window, now_ns: u64, selected: Option<usize>) -> Cells {
        let mut out = Cells {
            lane,
            marks: Vec::new(),
            bars: Vec::new(),
            spins: Vec::new(),
            ready: Vec::new(),
            listed: Vec::new(),
        };
        let (ones, runs) = gather(tl, lane, w, now_ns, selected);
        // (cell, salience, call) for calls one by one.
        let mut each: Vec<(u16, u8, usize)> = Vec::with_capacity(ones.len());
        for i in ones {
            let Some(c) = tl.get(i) else { continue };
            if c.op == Op::Ready {
                out.ready.push(i);
                continue;
            }
            let (a, b) = span(c, w, now_ns);
            if c.op == Op::Spin {
                out.spins.push(Bar { a, b, call: i });
            } else if a < b {
                out.bars.push(Bar { a, b, call: i });
            }
            each.push((b, c.outcome.salience(), i));
        }
        each.sort_by_key(|&(cell, _, i)| (cell, i));
        let ix = tl.lane_index(lane);
        let sel_pos = selected.and_then(|s| ix.and_then(|ix| ix.position(s)));
        let (mut e, mut r) = (0, 0);
        while e < each.len() || r < runs.len() {
            let cell = match (each.get(e), runs.get(r)) {
                (Some(x), Some(y)) => x.0.min(y.0),
                (Some(x), None) => x.0,
                (None, Some(y)) => y.0,
                (None, None) => break,
            };
            let from = out.listed.len();
            let mut best: Option<(u8, usize)> = None;
            let mut better = |s: u8, i: usize| {
                if best.is_none_or(|(bs, bi)| s > bs || (s == bs && i < bi)) {
                    best = Some((s, i));
                }
            };
            while let Some(&(_, s, i)) = each.get(e).filter(|x| x.0 == cell) {
                out.listed.push(i);
                better(s, i);
                e += 1;
            }
            let mut count = (out.listed.len() - from) as u64;
            let mut run = None;
            if let Some(&(_, lo, hi, pulled)) = runs.get(r).filter(|x| x.0 == cell) {
                r += 1;
                count += (hi - lo - pulled) as u64;
                if let Some((i, s)) = ix.and_then(|x| x.top(lo, hi)) {
                    better(s, i);
                }
                run = Some((lo, hi));
            }
            let Some((salience, top)) = best else { continue };
            out.listed[from..].sort_unstable();
            let here = |s: usize| {
                out.listed[from..].contains(&s)
                    || run.zip(sel_pos).is_some_and(|((lo, hi), p)| (lo..hi).contains(&p))
            };
            let shown = selected.filter(|&s| here(s)).unwrap_or(top);
            out.marks.push(Mark { cell, shown, top, salience, count, listed: from..out.listed.len(), run });
        }
        out
    }

    /// The calls of a mark listed one by one (all of them unless it has a run).
    pub fn listed(&self, m: &Mark) -> &[usize] {
        &self.listed[m.listed.clone()]
    }

    /// The mark in a cell.
    pub fn mark_at(&self, cell: u16) -> Option<&Mark> {
        let i = self.marks.partition_point(|m| m.cell < cell);
        self.marks.get(i).filter(|m| m.cell == cell)
    }

    /// The mark that holds call `i`.
    pub fn mark_of(&self, tl: &Timeline, i: usize) -> Option<usize> {
        let pos = tl.get(i).and_then(|c| tl.lane_index(c.lane)).and_then(|ix| ix.position(i));
        self.marks.iter().position(|m| {
            self.listed[m.listed.clone()].contains(&i)
                || m.run.zip(pos).is_some_and(|((lo, hi), p)| (lo..hi).contains(&p))
        })
    }

    /// The calls of marks `range`, in order: the first `max` of them, how
    /// many there are, and where call `i` is among them.
    pub fn place(&self, tl: &Timeline, range: Range<usize>, i: usize, max: usize) -> Place {
        let lane_ids = tl.lane(self.lane);
        let (mut at, mut of, mut calls) = (0, 0, Vec::new());
        for m in &self.marks[range] {
            let listed = &self.listed[m.listed.clone()];
            let run: &[u32] = m.run.map_or(&[], |(lo, hi)| &lane_ids[lo..hi]);
            if listed.contains(&i) || run.binary_search(&(i as u32)).is_ok() {
                let before =
                    listed.iter().filter(|&&j| j < i).count() + run.partition_point(|&j| (j as usize) < i);
                at = of + before as u64 + 1;
            }
            let mut here: Vec<usize> = listed.to_vec();
            here.extend(run.iter().take(max).map(|&j| j as usize));
            here.sort_unstable();
            here.dedup();
            let room = max.saturating_sub(calls.len());
            calls.extend(here.into_iter().take(room));
            of += m.count;
        }
        Place { at, of, calls }
    }
}

/// A crowded cell: its column, the lane positions `lo..hi` of the calls
/// that start in it, and how many of those are drawn one by one instead.
type Run = (u16, usize, usize, usize);

/// The calls to draw one by one, and the crowded cells to sum up.
fn gather(
    tl: &Timeline,
    lane: Lane,
    w: Window,
    now_ns: u64,
    selected: Option<usize>,
) -> (Vec<usize>, Vec<Run>) {
    let (mut ones, mut runs) = (Vec::new(), Vec::new());
    let Some(ix) = tl.lane_index(lane) else { return (ones, runs) };
    let (ids, spans) = (ix.ids(), ix.spans());
    let (t0, t1) = (w.start_ns(), w.end_ns());
    let call = |pos: usize| tl.get(ids[pos] as usize);
    let p0 = ix.seek(0, t0);
    for &i in &ids[p0.saturating_sub(LOOKBACK)..p0] {
        if tl.get(i as usize).is_some_and(|c| drawn(c) && end_or(c, now_ns) >= t0) {
            ones.push(i as usize);
        }
    }
    // A client makes a handful of records: each is looked at.
    let one_by_one = matches!(lane, Lane::Client(_));
    let (mut k, mut last_run) = (p0, 1);
    while k < ids.len() && spans[k].0 < t1 {
        let cell = w.col(spans[k].0);
        let next = w.time_of(cell + 1);
        // Calls come at a steady rate in a crowded stretch: as many as last time.
        let q = ix.seek_near(k, k + last_run, next).max(k + 1);
        last_run = q - k;
        if one_by_one || q - k <= FEW {
            ones.extend((k..q).filter(|&p| call(p).is_some_and(drawn)).map(|p| ids[p] as usize));
        } else {
            // The last calls to start here may reach further right: drawn as they are.
            let mut tail = q;
            let reaches = |(start, end): (u64, u64)| end.min(now_ns.max(start)) >= next;
            while tail > k + 1 && q - tail < FEW && reaches(spans[tail - 1]) {
                tail -= 1;
                ones.push(ids[tail] as usize);
            }
            runs.push((cell, k, tail, 0));
        }
        k = q;
    }
    // Calls still in the kernel are always drawn, however far back they began.
    let mut open: Vec<usize> = tl.blocking().collect();
    open.sort_unstable();
    for i in open.into_iter().chain(selected) {
        let Some(c) = tl.get(i).filter(|c| c.lane == lane && drawn(c)) else { continue };
        let pos = ix.position(i);
        let run = runs.iter_mut().find(|r| pos.is_some_and(|p| (r.1..r.2).contains(&p)));
        let visible = c.start_ns < t1 && end_or(c, now_ns) >= t0;
        if !visible || ones.contains(&i) {
            continue;
        }
        match run {
            // Still in the kernel: drawn live, and not counted in its cell.
            Some(r) if c.end_ns.is_none() => {
                r.3 += 1;
                ones.push(i);
            }
            Some(_) => {}
            None => ones.push(i),
        }
    }
    (ones, runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Arg, Event, Mode, Record};

    const MS: u64 = 1_000_000;

    fn rec(calls: &[(u64, u64, Outcome)]) -> Record {
        let mut r = Record::new();
        for (k, &(start, end, outcome)) in calls.iter().enumerate() {
            let c = Call::begin(k as u64 + 1, Lane::Sock(1), Op::Recv, Arg::None, Mode::default(), start)
                .ended(end, outcome);
            r.apply(&Event::Instant(c));
        }
        r
    }

    #[test]
    fn calls_in_one_cell_are_one_mark_shown_by_the_most_salient() {
        let r = rec(&[
            (100 * MS, 101 * MS, Outcome::Data),
            (120 * MS, 121 * MS, Outcome::Error),
            (150 * MS, 151 * MS, Outcome::WouldBlock),
            (450 * MS, 451 * MS, Outcome::Eof),
        ]);
        let w = Window::linear(0, 100 * MS, 10);
        let c = Cells::new(r.timeline(), Lane::Sock(1), w, 500 * MS, None);
        assert_eq!(c.marks.len(), 2);
        let m = &c.marks[0];
        assert_eq!((m.cell, m.count, m.top, m.shown), (1, 3, 1, 1), "the error stands for its cell");
        assert_eq!(c.marks[1].count, 1);
        // Selecting another call of the cell shows its glyph instead.
        let c = Cells::new(r.timeline(), Lane::Sock(1), w, 500 * MS, Some(2));
        assert_eq!((c.marks[0].top, c.marks[0].shown), (1, 2));
        let p = c.place(r.timeline(), 0..1, 2, 10);
        assert_eq!((p.at, p.of, p.calls), (3, 3, vec![0, 1, 2]));
    }

    #[test]
    fn priority_is_error_timeout_wouldblock_eof_data() {
        use crate::record::TimeoutBy;
        let order = [
            Outcome::Error,
            Outcome::Timeout(TimeoutBy::RcvTimeo),
            Outcome::WouldBlock,
            Outcome::Eof,
            Outcome::Data,
        ];
        for pair in order.windows(2) {
            assert!(pair[0].salience() > pair[1].salience(), "{:?} before {:?}", pair[0], pair[1]);
        }
        assert!(
            Outcome::Blocking.salience() > Outcome::Error.salience(),
            "a live call keeps its elapsed time"
        );
        assert!(Outcome::Ok.salience() < Outcome::Data.salience(), "mode changes last");
    }

    #[test]
    fn a_crowded_cell_is_summed_and_still_shows_its_error() {
        // 5,000 wouldblocks 10 µs apart with one reset among them.
        let calls: Vec<(u64, u64, Outcome)> = (0..5_000u64)
            .map(|k| {
                let o = if k == 3_333 { Outcome::Error } else { Outcome::WouldBlock };
                (k * 10_000, k * 10_000 + 5_000, o)
            })
            .collect();
        let r = rec(&calls);
        let w = Window::linear(0, 100 * MS, 10);
        let c = Cells::new(r.timeline(), Lane::Sock(1), w, 100 * MS, None);
        assert_eq!(c.marks.len(), 1);
        let m = &c.marks[0];
        assert_eq!((m.count, m.top, m.salience), (5_000, 3_333, Outcome::Error.salience()));
        assert!(m.run.is_some(), "summed, not read call by call");
        let p = c.place(r.timeline(), 0..1, 4_000, 3);
        assert_eq!((p.at, p.of), (4_001, 5_000));
        assert_eq!(p.calls, vec![0, 1, 2]);
    }

    #[test]
    fn a_long_call_keeps_its_bar_and_its_glyph_cell() {
        let r = rec(&[(100 * MS, 480 * MS, Outcome::Data), (490 * MS, 491 * MS, Outcome::Ok)]);
        let w = Window::linear(0, 100 * MS, 10);
        let c = Cells::new(r.timeline(), Lane::Sock(1), w, 600 * MS, None);
        assert_eq!(c.bars, vec![Bar { a: 1, b: 4, call: 0 }]);
        let m = c.mark_at(4).expect("the recv and the mode change end in cell 4");
        assert_eq!((m.count, m.top), (2, 0), "data outranks a mode change");
    }
}
