//! Where each label of a lane goes. The rules, so that no outcome is lost
//! and none is read as another's:
//!
//! - A label sits right of its own glyph, one space after it, with a free
//!   cell (or the edge) after it; or inside its own bar, with a bar cell
//!   left on each side; or, where the lane has a free row under it, on
//!   that row starting under its glyph (`╰error ECONNRESET`). Never left
//!   of a glyph, where it would read as another's.
//! - A cell holding several calls says so: `error ECONNRESET (+2)`, the
//!   most salient call's label and how many more there are.
//! - A label that does not fit is cut with `…` if enough of it still
//!   shows. Else its mark joins the marks close to its right into a group
//!   with one label: the list when it fits (`blocking, nonblocking,
//!   timeout 1s`, `wouldblock ×3`), else what kinds it holds (`wouldblock,
//!   partial ×2, sent`), else the label of the glyph it sits by and the
//!   count (`data 2 (+2)`). A group never reaches across an idle band.
//! - Greedy, left to right; a label on the row below stops short of the
//!   next glyph when it can, since that glyph may need the row too.

use std::ops::Range;

use super::label_text::{LIST_MAX, candidates, cut_to, forms, lead, list, top_of};
use super::marks::{Cells, Mark};
use crate::record::Timeline;
use crate::tui::view::Window;

/// A label is cut rather than grouped if this many characters still show…
const CUT_KEEP: usize = 5;
/// … or this many, when the next glyph is not close.
const STUB: usize = 3;
/// Marks this close (in cells) form a clump: they are grouped rather than
/// each given a stub of a label.
const NEAR: u16 = 4;

/// A label placed at column `x` of the lane's row (`under` false), or of
/// the row below it, where `x` holds the `╰` and the text follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub x: u16,
    pub under: bool,
    pub text: String,
    /// The marks it speaks for.
    pub marks: Range<usize>,
    /// The call whose colour it takes (the most salient of its marks).
    pub call: usize,
}

impl Label {
    /// The columns it covers on its row.
    pub fn cols(&self) -> Range<u16> {
        self.x..self.x + self.under as u16 + self.text.chars().count() as u16
    }
}

/// The rows a lane's labels go on: cells already taken on the lane's own
/// row (bars, glyphs, tags), tags (a label follows the tags right after
/// its glyph), and the free row below when there is one.
pub struct Rows<'a> {
    pub main: &'a mut [bool],
    pub tag: &'a [bool],
    pub under: Option<&'a mut [bool]>,
}

/// Places the labels of a lane's marks, claiming their cells in `rows`.
pub fn place(tl: &Timeline, cells: &Cells, w: Window, now_ns: u64, rows: &mut Rows) -> Vec<Label> {
    let marks = &cells.marks;
    let mut out = Vec::new();
    let mut i = 0;
    while i < marks.len() {
        // A clump whose first glyph has no room beside it is labelled as
        // one group on the row below, when that fits.
        if let Some(label) = clump_below(tl, cells, i, w, now_ns, rows) {
            i = label.marks.end;
            out.push(label);
            continue;
        }
        let mut j = i;
        loop {
            let from = after(rows.tag, marks[j].cell);
            let room = free_run(rows.main, from);
            let below = rows.under.as_deref().map_or(0, |u| free_run(u, marks[i].cell as usize));
            // Nothing fits in less than a space (or a ╰), a character and a space.
            let placed = (room >= 3 || below >= 3)
                .then(|| fit(tl, cells, i..j + 1, now_ns, rows, from))
                .flatten()
                .or_else(|| cut(tl, marks, i..j + 1, now_ns, rows.main, from, CUT_KEEP));
            if let Some(label) = placed {
                out.push(label);
                break;
            }
            let next = marks.get(j + 1).filter(|n| !crosses_band(w, marks[j].cell, n.cell));
            let placed = match next {
                Some(n) if n.cell <= marks[j].cell + NEAR => None,
                _ => cut(tl, marks, i..j + 1, now_ns, rows.main, from, STUB),
            };
            if let Some(label) = placed {
                out.push(label);
                break;
            }
            if next.is_some() {
                j += 1;
                continue;
            }
            if let Some(label) = cut(tl, marks, i..j + 1, now_ns, rows.main, from, 0) {
                out.push(label);
            }
            break;
        }
        i = j + 1;
    }
    out
}

/// The marks from `i` that sit close together with no room for a label
/// between them, labelled as one group under the first: the most of them
/// for which a text fits. Only when mark `i`'s own label does not fit
/// beside it.
fn clump_below(
    tl: &Timeline,
    cells: &Cells,
    i: usize,
    w: Window,
    now_ns: u64,
    rows: &mut Rows,
) -> Option<Label> {
    let marks = &cells.marks;
    let under = rows.under.as_deref()?;
    let start = marks[i].cell as usize;
    if free_run(under, start) < 3 {
        return None;
    }
    let own = candidates(tl, cells, i..i + 1, now_ns, false);
    let from = after(rows.tag, marks[i].cell);
    if own.iter().any(|t| fits(rows.main, from, t.chars().count())) {
        return None;
    }
    let mut k = i;
    while let Some(n) = marks.get(k + 1) {
        let apart = n.cell > marks[k].cell + NEAR || crosses_band(w, marks[k].cell, n.cell);
        if apart || !cramped(tl, cells, k + 1, now_ns, rows) {
            break;
        }
        k += 1;
    }
    // The most marks whose list fits; else all of them, summed up. First
    // without reaching under the next glyph (its label may need the row).
    let fitting = |end: usize, lists: bool, short: bool| {
        let texts = if lists {
            let ms = &marks[i..end];
            vec![list(tl, ms, now_ns, false), list(tl, ms, now_ns, true)]
        } else {
            candidates(tl, cells, i..end, now_ns, true)
        };
        let stop = marks.get(end).filter(|_| short).map_or(usize::MAX, |m| m.cell as usize);
        texts
            .into_iter()
            .find(|t| fits(under, start, t.chars().count()) && start + t.chars().count() + 2 <= stop)
    };
    let few = marks[i..=k].iter().take_while(|m| m.run.is_none()).count();
    let lists = (i + 2..=(i + few).min(i + LIST_MAX)).rev();
    let pass = |short: bool| {
        lists
            .clone()
            .find_map(|end| fitting(end, true, short).map(|t| (end, t)))
            .or_else(|| fitting(k + 1, false, short).map(|t| (k + 1, t)))
    };
    // If the next glyph will need this row, a cut text that stops short of
    // it before a whole one that runs under it.
    let stop = marks.get(k + 1).map(|m| m.cell as usize);
    let cut_short = || {
        let stop = stop.filter(|_| cramped(tl, cells, k + 1, now_ns, rows))?;
        let texts = candidates(tl, cells, i..k + 1, now_ns, true);
        let text = cut_to(texts.last()?, stop.checked_sub(start + 2)?, CUT_KEEP)?;
        fits(under, start, text.chars().count()).then_some((k + 1, text))
    };
    let (end, text) = pass(true).or_else(cut_short).or_else(|| pass(false))?;
    let under = rows.under.as_deref_mut()?;
    claim(under, start, start + text.chars().count() + 2);
    Some(Label { x: start as u16, under: true, text, marks: i..end, call: top_of(&marks[i..end]) })
}

/// The first column after a glyph and the tags that follow it.
fn after(tag: &[bool], cell: u16) -> usize {
    let from = cell as usize + 1;
    from + tag.iter().skip(from).take_while(|&&t| t).count()
}

/// Free cells from column `from` on.
fn free_run(used: &[bool], from: usize) -> usize {
    used.iter().skip(from).take_while(|&&u| !u).count()
}

/// Whether `len` cells of text fit one cell after `from` (a space or a
/// `╰` there), with a free cell after them unless they end at the edge.
fn fits(used: &[bool], from: usize, len: usize) -> bool {
    let room = free_run(used, from);
    let at_edge = from + room == used.len();
    if at_edge { len < room } else { len + 1 < room }
}

fn claim(used: &mut [bool], from: usize, to: usize) {
    let to = to.min(used.len());
    used[from.min(to)..to].fill(true);
}

fn fit(
    tl: &Timeline,
    cells: &Cells,
    range: Range<usize>,
    now_ns: u64,
    rows: &mut Rows,
    from: usize,
) -> Option<Label> {
    let marks = &cells.marks;
    let (first, last) = (marks[range.start].cell, marks[range.end - 1].cell);
    let call = top_of(&marks[range.clone()]);
    let texts = candidates(tl, cells, range.clone(), now_ns, false);
    // A label may also go inside the long bar of the last glyph, when that
    // glyph is one call: the label then reads as that call's (and its group's).
    let end = &marks[range.end - 1];
    let bar =
        (end.count == 1).then(|| cells.bars.iter().find(|b| b.call == end.top && b.b == last)).flatten();
    let label = |x: usize, under: bool, text: &String| Label {
        x: x as u16,
        under,
        text: text.clone(),
        marks: range.clone(),
        call,
    };
    for text in &texts {
        let len = text.chars().count();
        if fits(rows.main, from, len) {
            claim(rows.main, from, from + len + 2);
            return Some(label(from + 1, false, text));
        }
        if let Some(b) = bar
            && (b.b as usize) >= b.a as usize + len + 2
            && !marks.iter().any(|m| (b.a + 1..b.a + 1 + len as u16).contains(&m.cell))
        {
            return Some(label(b.a as usize + 1, false, text));
        }
    }
    // On the row below: first a text that stops short of the next glyph,
    // cut if that glyph will need the row too, else any.
    let next_needs = range.end < marks.len() && cramped(tl, cells, range.end, now_ns, rows);
    let under = rows.under.as_deref_mut()?;
    let (start, stop) = (first as usize, marks.get(range.end).map_or(usize::MAX, |m| m.cell as usize));
    let ok = |t: &&String, short: bool| {
        let len = t.chars().count();
        fits(under, start, len) && (!short || start + len + 2 <= stop)
    };
    let texts = candidates(tl, cells, range.clone(), now_ns, true);
    let cut = || {
        let t = cut_to(texts.last()?, stop.checked_sub(start + 2)?, CUT_KEEP)?;
        fits(under, start, t.chars().count()).then_some(t)
    };
    let text = texts
        .iter()
        .find(|t| ok(t, true))
        .cloned()
        .or_else(|| next_needs.then(cut).flatten())
        .or_else(|| texts.iter().find(|t| ok(t, false)).cloned())?;
    let text = &text;
    claim(under, start, start + text.chars().count() + 2);
    Some(label(start, true, text))
}

/// A label cut to the room on the lane's row, ending in `…` (and keeping
/// its count), if more than `keep` characters of the text still show.
fn cut(
    tl: &Timeline,
    marks: &[Mark],
    range: Range<usize>,
    now_ns: u64,
    used: &mut [bool],
    from: usize,
    keep: usize,
) -> Option<Label> {
    let room = free_run(used, from);
    let at_edge = from + room == used.len();
    let fits = room.saturating_sub(if at_edge { 1 } else { 2 });
    if fits <= keep {
        return None;
    }
    let ms = &marks[range.clone()];
    let n: u64 = ms.iter().map(|m| m.count).sum();
    let call = lead(ms, false);
    let base = forms(tl.get(call)?, now_ns).pop()?;
    let text = if n > 1 { super::label_text::more(&base, n - 1) } else { base };
    let text = cut_to(&text, fits, keep)?;
    claim(used, from, from + text.chars().count() + 2);
    Some(Label { x: from as u16 + 1, under: false, text, marks: range, call })
}

/// Whether mark `k`'s own label has no room beside it, even short or cut.
fn cramped(tl: &Timeline, cells: &Cells, k: usize, now_ns: u64, rows: &Rows) -> bool {
    let from = after(rows.tag, cells.marks[k].cell);
    let room = free_run(rows.main, from);
    let at_edge = from + room == rows.main.len();
    let fits_cut = room.saturating_sub(if at_edge { 1 } else { 2 }) > CUT_KEEP;
    room < 3
        || !fits_cut
            && candidates(tl, cells, k..k + 1, now_ns, false)
                .last()
                .is_none_or(|t| !fits(rows.main, from, t.chars().count()))
}

fn crosses_band(w: Window, from: u16, to: u16) -> bool {
    w.bands().any(|b| b.col > from && b.col < to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Arg, Call, Event, Lane, Mode, Op, Outcome, Record};
    use crate::tui::panes::marks::Cells;

    const MS: u64 = 1_000_000;

    fn rec(calls: &[(u64, Op, Outcome, i32)]) -> Record {
        let mut r = Record::new();
        for (k, &(start, op, outcome, errno)) in calls.iter().enumerate() {
            let mut c = Call::begin(k as u64 + 1, Lane::Sock(1), op, Arg::Size(100), Mode::default(), start)
                .ended(start + 10_000, outcome);
            c.errno = errno;
            c.bytes = Some(if outcome == Outcome::Partial { 30 } else { 100 });
            r.apply(&Event::Instant(c));
        }
        r
    }

    /// Labels as (column, under, text), on a lane `cells` wide.
    fn labels(r: &Record, cells: u16, under: bool) -> Vec<(u16, bool, String)> {
        let w = Window::linear(0, 100 * MS, cells);
        let c = Cells::new(r.timeline(), Lane::Sock(1), w, 0, None);
        let mut used = vec![false; cells as usize];
        for m in &c.marks {
            used[m.cell as usize] = true;
        }
        let (tag, mut below) = (vec![false; cells as usize], vec![false; cells as usize]);
        let mut rows = Rows { main: &mut used, tag: &tag, under: under.then_some(&mut below[..]) };
        place(r.timeline(), &c, w, 0, &mut rows).into_iter().map(|l| (l.x, l.under, l.text)).collect()
    }

    #[test]
    fn a_label_sits_right_of_its_own_glyph() {
        let r = rec(&[(0, Op::Recv, Outcome::Error, libc::ECONNRESET)]);
        assert_eq!(labels(&r, 30, false), vec![(2, false, "error ECONNRESET".into())]);
        // Short of room: the errno alone, never a bare glyph.
        assert_eq!(labels(&r, 13, false), vec![(2, false, "ECONNRESET".into())]);
    }

    #[test]
    fn the_row_below_takes_a_label_that_does_not_fit_beside_its_glyph() {
        let r = rec(&[(0, Op::Nonblocking, Outcome::Ok, 0), (600 * MS, Op::Recv, Outcome::WouldBlock, 11)]);
        assert_eq!(
            labels(&r, 30, true),
            vec![(0, true, "nonblocking".into()), (8, false, "wouldblock".into())]
        );
        assert_eq!(labels(&r, 30, false), vec![(8, false, "wouldblock, mode set".into())], "or grouped");
        let r = rec(&[(0, Op::Nonblocking, Outcome::Ok, 0), (800 * MS, Op::Recv, Outcome::WouldBlock, 11)]);
        assert_eq!(labels(&r, 30, false)[0], (2, false, "nonb…".into()), "or cut, and it says so");
    }

    #[test]
    fn marks_too_close_for_their_labels_are_grouped() {
        let modes = [(0, Op::Blocking, Outcome::Ok, 0), (100 * MS, Op::Nonblocking, Outcome::Ok, 0)];
        let r = rec(&[modes[0], modes[1], (200 * MS, Op::Blocking, Outcome::Ok, 0)]);
        assert_eq!(labels(&r, 40, false), vec![(4, false, "blocking, nonblocking, blocking".into())]);
        assert_eq!(labels(&r, 18, false), vec![(4, false, "mode set ×3".into())], "too narrow for the list");
        let r = rec(&[
            (0, Op::Send, Outcome::Sent, 0),
            (100 * MS, Op::Send, Outcome::Partial, 0),
            (200 * MS, Op::Send, Outcome::Partial, 0),
            (300 * MS, Op::Send, Outcome::WouldBlock, 11),
        ]);
        assert_eq!(labels(&r, 44, false), vec![(5, false, "sent 100, partial 30/100 ×2, wouldblock".into())]);
        assert_eq!(labels(&r, 34, false), vec![(5, false, "wouldblock, partial ×2, sent".into())]);
    }

    #[test]
    fn a_crowded_cell_has_a_count_and_its_most_salient_label() {
        let r = rec(&[
            (0, Op::Recv, Outcome::WouldBlock, libc::EAGAIN),
            (MS, Op::Nonblocking, Outcome::Ok, 0),
            (2 * MS, Op::Recv, Outcome::Error, libc::ECONNRESET),
        ]);
        assert_eq!(labels(&r, 40, false), vec![(2, false, "error ECONNRESET (+2)".into())]);
    }

    #[test]
    fn only_the_edge_cuts_a_label_short() {
        let r = rec(&[(400 * MS, Op::Recv, Outcome::WouldBlock, libc::EAGAIN)]);
        assert_eq!(labels(&r, 11, false), vec![(6, false, "woul…".into())]);
    }
}
