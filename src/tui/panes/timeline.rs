//! The timeline: one lane per socket plus the peer's, each call a bar from
//! its start to its end with a glyph for how it ended; a call still in the
//! kernel grows live. Frame cost depends on the visible cells, not on how
//! many calls were recorded: each lane is binary-searched by start time and
//! at most two calls are drawn per cell.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::{frame, title};
use crate::lab::{Call, Lane, Op, Outcome, Timeline};
use crate::tui::app::App;
use crate::tui::fmt;
use crate::tui::view::Window;

/// Columns for the lane name (`▸#12 `, `peer `).
pub const LABEL_W: u16 = 6;
/// Rows under the lanes: the ruler and its labels.
const AXIS_H: u16 = 2;
/// How far back to look for a call that began left of the window and is
/// still drawn in it (socket calls are sequential, so a few suffice).
const LOOKBACK: usize = 8;

/// Where lanes and the axis sit inside the pane.
pub struct Geometry {
    /// Screen x of the first time cell.
    pub x0: u16,
    pub cells: u16,
    pub rows: Vec<(Lane, u16)>,
    pub axis_y: u16,
}

pub fn geometry(area: Rect, lanes: &[Lane]) -> Geometry {
    let inner =
        Rect::new(area.x + 1, area.y + 1, area.width.saturating_sub(2), area.height.saturating_sub(2));
    let lanes_h = inner.height.saturating_sub(AXIS_H);
    // Spread lanes out when there is room: labels are easier to read.
    let gap = if (lanes.len() as u16) * 2 <= lanes_h { 2 } else { 1 };
    let rows = lanes
        .iter()
        .enumerate()
        .map(|(i, &l)| (l, inner.y + i as u16 * gap))
        .filter(|&(_, y)| y < inner.y + lanes_h)
        .collect();
    Geometry { x0: inner.x + LABEL_W, cells: cells(area), rows, axis_y: inner.y + lanes_h }
}

/// Time cells across a pane of this size.
pub fn cells(area: Rect) -> u16 {
    area.width.saturating_sub(2 + LABEL_W).max(1)
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let g = geometry(area, &app.lanes());
    let w = app.view.window(app.now_ns, g.cells);
    let state = if app.view.follow {
        format!("{} follow", t.current_mark())
    } else {
        "‖ paused (f: follow)".into()
    };
    let head = format!("timeline  {}/cell  {state}", fmt::dur(w.ns_per_cell));
    f.render_widget(frame(title(head, t), t), area);
    let buf = f.buffer_mut();
    for &(lane, y) in &g.rows {
        let current = lane == Lane::Sock(app.current.unwrap_or(0));
        let name = match lane {
            Lane::Sock(n) if current => format!("{}#{n}", t.current_mark()),
            lane => format!(" {lane}"),
        };
        let style = if current { t.bold() } else { t.dim() };
        buf.set_stringn(g.x0 - LABEL_W, y, name, LABEL_W as usize - 1, style);
        draw_lane(buf, &g, y, w, app, lane);
    }
    draw_axis(buf, &g, w, app);
}

/// The calls drawn on a lane: at most two per cell, plus what reaches in
/// from the left and the selection.
fn visible(tl: &Timeline, lane: Lane, w: Window, now_ns: u64, selected: Option<usize>) -> Vec<usize> {
    let ids = tl.lane(lane);
    let start = |j: u32| tl.get(j as usize).map_or(u64::MAX, |c| c.start_ns);
    let p = ids.partition_point(|&j| start(j) < w.start_ns);
    let mut out: Vec<usize> = ids[p.saturating_sub(LOOKBACK)..p]
        .iter()
        .map(|&j| j as usize)
        .filter(|&j| tl.get(j).is_some_and(|c| end_or(c, now_ns) >= w.start_ns))
        .collect();
    let mut k = p;
    while let Some(c) = ids.get(k).and_then(|&j| tl.get(j as usize)) {
        if c.start_ns >= w.end_ns() {
            break;
        }
        out.push(ids[k] as usize);
        // Skip to the next cell; the latest call in this cell is kept too,
        // since it may be a long one that reaches further right.
        let next_cell = w.time_of(w.col(c.start_ns) + 1);
        let q = k + ids[k..].partition_point(|&j| start(j) < next_cell);
        if q > k + 1 {
            out.push(ids[q - 1] as usize);
        }
        k = q.max(k + 1);
    }
    let extra = tl.blocking().chain(selected).filter(|&i| tl.get(i).is_some_and(|c| c.lane == lane));
    for i in extra.collect::<Vec<_>>() {
        if !out.contains(&i) && tl.get(i).is_some_and(|c| c.start_ns < w.end_ns()) {
            out.push(i);
        }
    }
    out
}

fn end_or(c: &Call, now_ns: u64) -> u64 {
    c.end_ns.unwrap_or(now_ns.max(c.start_ns))
}

/// First and last cell of a call's bar (the last holds its glyph).
fn span(c: &Call, w: Window, now_ns: u64) -> (u16, u16) {
    let a = w.col(c.start_ns.max(w.start_ns));
    let b = w.col(end_or(c, now_ns).min(w.end_ns().saturating_sub(1)));
    (a, b.max(a))
}

fn draw_lane(buf: &mut Buffer, g: &Geometry, y: u16, w: Window, app: &App, lane: Lane) {
    let t = &app.theme;
    let tl = app.timeline();
    let items = visible(tl, lane, w, app.now_ns, app.view.selected);
    let mut used = vec![false; g.cells as usize];
    // Which call's glyph a cell shows: only that call may put its label beside it.
    let mut owner = vec![usize::MAX; g.cells as usize];
    let style_of = |i: usize, c: &Call| {
        let s = t.outcome(c.outcome);
        if Some(i) == app.view.selected { s.patch(t.selected()) } else { s }
    };
    for &i in &items {
        let Some(c) = tl.get(i) else { continue };
        let (a, b) = span(c, w, app.now_ns);
        for x in a..b {
            put(buf, g.x0 + x, y, t.bar(), style_of(i, c));
        }
        put(buf, g.x0 + b, y, t.glyph(c.outcome), style_of(i, c));
        used[a as usize..=b as usize].fill(true);
        owner[b as usize] = i;
    }
    if app.view.follow {
        let now = w.col(app.now_ns) as usize;
        if now < used.len() && !used[now] {
            put(buf, g.x0 + now as u16, y, t.now_mark(), t.dim());
        }
    }
    // Labels go where no other call is, and only whole: a cut label misleads.
    for &i in &items {
        let Some(c) = tl.get(i) else { continue };
        let (a, b) = span(c, w, app.now_ns);
        if owner[b as usize] != i {
            continue;
        }
        let text = label(c, app.now_ns);
        if let Some(x) = label_spot(&mut used, a as usize, b as usize, text.chars().count()) {
            let style = if Some(i) == app.view.selected { style_of(i, c) } else { t.outcome(c.outcome) };
            buf.set_string(g.x0 + x as u16, y, &text, style);
        }
    }
}

/// Where a label of `len` cells goes for a bar over cells `a..=b`: right
/// of the glyph, else inside a long bar, else left of the bar. Claims the
/// cells it returns (plus a space of padding).
fn label_spot(used: &mut [bool], a: usize, b: usize, len: usize) -> Option<usize> {
    let free = |used: &[bool], from: usize, to: usize| to <= used.len() && !used[from..to].iter().any(|&u| u);
    let right = b + 2;
    if free(used, b + 1, right + len) {
        used[b + 1..right + len].fill(true);
        return Some(right);
    }
    // Inside the bar: the bar's own cells are taken by itself, so only the
    // length is checked; one bar cell stays visible on each side.
    if b >= a + len + 2 {
        return Some(a + 1);
    }
    let left = a.checked_sub(len + 1)?;
    if free(used, left.saturating_sub(1), a) {
        used[left.saturating_sub(1)..a].fill(true);
        return Some(left);
    }
    None
}

fn put(buf: &mut Buffer, x: u16, y: u16, ch: char, style: Style) {
    if let Some(cell) = buf.cell_mut((x, y)) {
        cell.set_char(ch).set_style(style);
    }
}

/// The short text beside a call's glyph.
pub fn label(c: &Call, now_ns: u64) -> String {
    match c.outcome {
        Outcome::Blocking => format!("blocking {}", fmt::dur(now_ns.saturating_sub(c.start_ns))),
        Outcome::Ok => match (c.op, c.arg_text()) {
            (Op::Timeout | Op::RcvTimeo | Op::SndTimeo, Some(a)) => format!("{} {a}", c.op.word()),
            (op, _) => op.word().into(),
        },
        _ => c.label(),
    }
}

/// A tick every ten cells or so, at a round time.
fn tick_step(ns_per_cell: u64) -> u64 {
    let want = ns_per_cell * 10;
    let mut step = 1_000u64;
    loop {
        for m in [1, 2, 5] {
            if step * m >= want {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn draw_axis(buf: &mut Buffer, g: &Geometry, w: Window, app: &App) {
    let t = &app.theme;
    let rule = if t.ascii { "-" } else { "─" };
    buf.set_string(g.x0, g.axis_y, rule.repeat(g.cells as usize), t.dim());
    let step = tick_step(w.ns_per_cell);
    let mut at = w.start_ns.div_ceil(step) * step;
    let mut free_from = 0u16;
    while at < w.end_ns() {
        let x = w.col(at);
        put(buf, g.x0 + x, g.axis_y, if t.ascii { '+' } else { '┬' }, t.dim());
        let text = fmt::axis(at, step);
        if x >= free_from && x as usize + text.len() <= g.cells as usize {
            buf.set_string(g.x0 + x, g.axis_y + 1, &text, t.dim());
            free_from = x + text.chars().count() as u16 + 1;
        }
        at += step;
    }
}

/// The call under a click at (x, y), if any: one whose bar covers the
/// cell, else the nearest within two cells.
pub fn hit(area: Rect, app: &App, x: u16, y: u16) -> Option<usize> {
    let g = geometry(area, &app.lanes());
    let &(lane, _) = g.rows.iter().find(|&&(_, ry)| ry == y)?;
    let col = x.checked_sub(g.x0).filter(|&c| c < g.cells)?;
    let w = app.view.window(app.now_ns, g.cells);
    let tl = app.timeline();
    let items = visible(tl, lane, w, app.now_ns, None);
    let dist = |i: usize| {
        let (a, b) = tl.get(i).map_or((u16::MAX, u16::MAX), |c| span(c, w, app.now_ns));
        if (a..=b).contains(&col) { 0 } else { a.abs_diff(col).min(b.abs_diff(col)) }
    };
    items
        .into_iter()
        .map(|i| (dist(i), i))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, i)| (d, usize::MAX - i))
        .map(|(_, i)| i)
}
