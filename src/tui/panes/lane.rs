//! One lane of the timeline: each call a bar from its start to its end
//! with a glyph for how it ended; a call still in the kernel grows live.
//! Which glyph each cell shows is decided in `marks.rs`, where the labels
//! go in `labels.rs` (what they say: `label_text.rs`); this file puts the layout together, draws it, and
//! answers mouse hits and the detail pane from the very same layout.
//! Some records draw their own way: a spin is aggregated from the dense
//! store (`spin.rs`), readiness on the event loop's lane is a small tag
//! naming the socket (`◉5`), and a serve client's lane shows its request,
//! from send to echo, rather than the calls inside it.

use ratatui::buffer::Buffer;
use ratatui::style::Style;

use super::labels::{self, Label, Rows};
use super::marks::{Cells, Place};
use super::spin;
use super::timeline::Geometry;
use crate::record::{Arg, Call, Lane, Op, Outcome, Timeline};
use crate::tui::app::App;
use crate::tui::view::Window;

pub use super::marks::span;

/// A readiness tag at column `x`: the socket it names, and its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    pub x: u16,
    pub sock: u32,
    pub call: usize,
}

/// Everything drawn on one lane, and where.
#[derive(Debug)]
pub struct LaneLayout {
    pub cells: Cells,
    pub tags: Vec<Tag>,
    pub labels: Vec<Label>,
    /// Cells taken by bars, glyphs, tags and labels ("now" goes elsewhere).
    pub used: Vec<bool>,
    /// Whether labels may use the free row under the lane.
    pub under: bool,
}

impl LaneLayout {
    /// The lane laid out in window `w`; `under`: the row below it is free
    /// for labels (and a spin's counts).
    pub fn new(
        tl: &Timeline,
        lane: Lane,
        w: Window,
        now_ns: u64,
        selected: Option<usize>,
        under: bool,
    ) -> LaneLayout {
        let cells = Cells::new(tl, lane, w, now_ns, selected);
        let n = w.cells() as usize;
        let mut used = vec![false; n];
        for b in cells.bars.iter().chain(&cells.spins) {
            used[(b.a as usize).min(n)..(b.b as usize + 1).min(n)].fill(true);
        }
        for m in &cells.marks {
            if let Some(u) = used.get_mut(m.cell as usize) {
                *u = true;
            }
        }
        let mut tags = Vec::new();
        let mut tag_cells = vec![false; n];
        for &i in &cells.ready {
            let Some(c) = tl.get(i) else { continue };
            let Arg::Ready(sock, _) = c.arg else { continue };
            let len = 1 + sock.to_string().len();
            if let Some(x) = tag_spot(&mut used, w.col(c.start_ns) as usize, len) {
                tag_cells[x..x + len].fill(true);
                tags.push(Tag { x: x as u16, sock, call: i });
            }
        }
        // A spin's counts take the row below (see `spin.rs`).
        let mut below = vec![false; n];
        for b in &cells.spins {
            below[(b.a as usize).min(n)..(b.b as usize + 1).min(n)].fill(true);
        }
        let mut rows = Rows { main: &mut used, tag: &tag_cells, under: under.then_some(&mut below[..]) };
        let labels = labels::place(tl, &cells, w, now_ns, &mut rows);
        LaneLayout { cells, tags, labels, used, under }
    }

    /// Where call `i` is among the calls its glyph or its label stands for
    /// ("2 of 3"); `None` when it is drawn alone.
    pub fn place_of(&self, tl: &Timeline, i: usize, max: usize) -> Option<Place> {
        let m = self.cells.mark_of(tl, i)?;
        let range = self.labels.iter().find(|l| l.marks.contains(&m)).map_or(m..m + 1, |l| l.marks.clone());
        let p = self.cells.place(tl, range, i, max);
        (p.of > 1).then_some(p)
    }

    /// Whether call `i`'s glyph shares its cell with others.
    pub fn crowded(&self, tl: &Timeline, i: usize) -> bool {
        self.cells.mark_of(tl, i).is_some_and(|m| self.cells.marks[m].count > 1)
    }

    /// The call under column `col` of the lane's row (or, `below`, of
    /// the row under it): a glyph, a label or a tag there, a bar over it,
    /// or else the nearest glyph within two cells.
    pub fn hit(&self, col: u16, below: bool) -> Option<usize> {
        let cells = &self.cells;
        let on_label = self.labels.iter().find(|l| l.under == below && l.cols().contains(&col));
        if below {
            return on_label.map(|l| l.call);
        }
        if let Some(m) = cells.mark_at(col) {
            return Some(m.shown);
        }
        if let Some(l) = on_label {
            return Some(l.call);
        }
        if let Some(t) =
            self.tags.iter().find(|t| (t.x..=t.x + t.sock.to_string().len() as u16).contains(&col))
        {
            return Some(t.call);
        }
        let bar = cells.bars.iter().chain(&cells.spins).rfind(|b| (b.a..=b.b).contains(&col));
        if let Some(b) = bar {
            return Some(b.call);
        }
        cells
            .marks
            .iter()
            .map(|m| (m.cell.abs_diff(col), m))
            .filter(|&(d, _)| d <= 2)
            .min_by_key(|&(d, m)| (d, usize::MAX - m.shown))
            .map(|(_, m)| m.shown)
    }
}

pub fn draw(buf: &mut Buffer, g: &Geometry, y: u16, w: Window, app: &App, lane: Lane) {
    let t = &app.theme;
    let tl = app.timeline();
    let sel = app.view.selected;
    let layout = LaneLayout::new(tl, lane, w, app.now_ns, sel, g.gap > 1);
    let style_of = |i: usize, c: &Call| {
        let s = t.outcome(c.outcome);
        if Some(i) == sel { s.patch(t.selected()) } else { s }
    };
    let cells = &layout.cells;
    for bar in &cells.bars {
        let Some(c) = tl.get(bar.call) else { continue };
        for x in bar.a..bar.b {
            // Through an idle band the bar is dashed: its length there is not to scale.
            let ch = if w.in_band(x) { t.bar_idle() } else { t.bar() };
            put(buf, g.x0 + x, y, ch, style_of(bar.call, c));
        }
    }
    for s in &cells.spins {
        if let Some(c) = tl.get(s.call) {
            spin::draw(buf, g, y, w, app, c, (s.a, s.b));
        }
    }
    for m in &cells.marks {
        let Some(c) = tl.get(m.shown) else { continue };
        // A lone spin's last cell is drawn by the spin itself.
        if m.count == 1 && c.op == Op::Spin {
            continue;
        }
        put(buf, g.x0 + m.cell, y, t.glyph(c.outcome), style_of(m.shown, c));
    }
    for tag in &layout.tags {
        let Some(c) = tl.get(tag.call) else { continue };
        let text = format!("{}{}", t.glyph(Outcome::Ready), tag.sock);
        buf.set_string(g.x0 + tag.x, y, &text, style_of(tag.call, c));
    }
    for l in &layout.labels {
        let Some(c) = tl.get(l.call) else { continue };
        // Reversed only when it is the selected call's own label.
        let alone = l.marks.len() == 1 && cells.marks[l.marks.start].count == 1;
        let style = if alone && Some(cells.marks[l.marks.start].shown) == sel {
            style_of(l.call, c)
        } else {
            t.outcome(c.outcome)
        };
        let room = |x: u16| (w.cells() - x.min(w.cells())) as usize;
        if l.under {
            put(buf, g.x0 + l.x, y + 1, t.under(), t.dim());
            buf.set_stringn(g.x0 + l.x + 1, y + 1, &l.text, room(l.x + 1), style);
        } else {
            buf.set_stringn(g.x0 + l.x, y, &l.text, room(l.x), style);
        }
    }
    // An idle band shows on every lane where nothing is drawn across it.
    for b in w.bands() {
        let mid = b.col + b.width / 2;
        if layout.used.get(mid as usize) == Some(&false) {
            put(buf, g.x0 + mid, y, t.idle_lane(), t.dim());
        }
    }
    // "Now" last, where neither a call nor a label (nor its padding) is.
    if app.view.follow {
        let now = w.col(app.now_ns) as usize;
        if layout.used.get(now) == Some(&false) {
            put(buf, g.x0 + now as u16, y, t.now_mark(), t.dim());
        }
    }
}

/// Where a readiness tag of `len` cells goes: the first free cell from
/// `col` on (the wait's own glyph is usually at `col`). Claims the cells.
fn tag_spot(used: &mut [bool], col: usize, len: usize) -> Option<usize> {
    let x = (col..used.len()).find(|&x| !used[x])?;
    if x + len > used.len() || used[x..x + len].iter().any(|&u| u) {
        return None;
    }
    used[x..x + len].fill(true);
    Some(x)
}

pub fn put(buf: &mut Buffer, x: u16, y: u16, ch: char, style: Style) {
    if let Some(cell) = buf.cell_mut((x, y)) {
        cell.set_char(ch).set_style(style);
    }
}
