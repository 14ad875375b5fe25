//! The timeline: one lane per socket, plus the event loop, the peer and
//! each serve client; in `compare`, each side's lanes under a header row,
//! on the one time axis. The lanes themselves are drawn by `lane.rs`. Frame
//! cost depends on the visible cells, not on how many calls were recorded:
//! each lane is searched by start time and a crowded cell is summed up
//! from the lane index (`marks.rs`; busy-polls: `spin.rs`). An idle band
//! of a live view (`view.rs`) shows on the axis as `⋯ 7.2s idle ⋯`.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::lane::{self, LaneLayout, put};
use super::{frame, title};
use crate::record::Lane;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::view::{Band, Row, Scale, Window};
use crate::tui::{fit, fmt};

/// Columns for the lane name (`▸#12 `, `peer `).
pub const LABEL_W: u16 = 6;
/// A traced program's lane names (`41234:12`, `41234:loop`) are longer.
const TRACED_LABEL_MAX: u16 = 14;

/// Columns for the lane names at this moment.
pub fn label_w(app: &App) -> u16 {
    if !app.record().is_traced() {
        return LABEL_W;
    }
    let longest = app.lanes().iter().map(|&l| app.lane_name(l).chars().count()).max().unwrap_or(0);
    (longest as u16 + 2).clamp(LABEL_W, TRACED_LABEL_MAX)
}
/// Rows under the lanes: the ruler and its labels.
const AXIS_H: u16 = 2;

/// Where lanes and the axis sit inside the pane.
pub struct Geometry {
    /// Screen x of the first time cell.
    pub x0: u16,
    pub cells: u16,
    pub rows: Vec<(Row, u16)>,
    pub axis_y: u16,
    /// Rows per lane: 2 leaves a free row under each (spin counts go there).
    pub gap: u16,
    /// Lanes that did not fit, above and below the ones shown.
    pub hidden: (usize, usize),
}

/// Lays the rows out; when they do not all fit, the window of rows
/// shown moves just enough to include `focus`.
pub fn geometry(area: Rect, lanes: &[Row], focus: Option<Row>) -> Geometry {
    geometry_with(area, lanes, focus, LABEL_W)
}

/// The pane's geometry for `app`: its rows, focus and lane-name width.
pub fn geometry_of(area: Rect, app: &App) -> Geometry {
    geometry_with(area, &app.rows(), app.focus_row(), label_w(app))
}

/// [`geometry`], with lane names `label_w` columns wide.
pub fn geometry_with(area: Rect, lanes: &[Row], focus: Option<Row>, label_w: u16) -> Geometry {
    let inner =
        Rect::new(area.x + 1, area.y + 1, area.width.saturating_sub(2), area.height.saturating_sub(2));
    let lanes_h = inner.height.saturating_sub(AXIS_H);
    // Spread lanes out when there is room: labels are easier to read.
    let gap = if (lanes.len() as u16) * 2 <= lanes_h { 2 } else { 1 };
    let fit = (lanes_h / gap) as usize;
    let at = focus.and_then(|f| lanes.iter().position(|&l| l == f)).unwrap_or(0);
    let first = if lanes.len() <= fit || at < fit { 0 } else { (at + 1 - fit).min(lanes.len() - fit) };
    let shown = lanes.len().saturating_sub(first).min(fit);
    let rows =
        lanes[first..first + shown].iter().enumerate().map(|(i, &l)| (l, inner.y + i as u16 * gap)).collect();
    Geometry {
        x0: inner.x + label_w,
        cells: cells(area, label_w),
        rows,
        axis_y: inner.y + lanes_h,
        gap,
        hidden: (first, lanes.len() - first - shown),
    }
}

/// Time cells across a pane of this size.
pub fn cells(area: Rect, label_w: u16) -> u16 {
    area.width.saturating_sub(2 + label_w).max(1)
}

/// The window drawn in a timeline pane of this size.
pub fn window(area: Rect, app: &App) -> Window {
    app.view.window(app.quiet(), app.now_ns, cells(area, label_w(app)))
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let label_w = label_w(app);
    let g = geometry_of(area, app);
    let w = app.view.window(app.quiet(), app.now_ns, g.cells);
    let state = if app.view.follow { format!("{} follow", t.current_mark()) } else { "‖ paused".into() };
    let fit = if matches!(app.view.scale(), Scale::Fit(_)) { " (fit)" } else { "" };
    let head = format!("timeline  {}/cell{fit}  {state}", fmt::dur(w.ns_per_cell()));
    // The key back to live, and the folded count, where the title has room.
    let hint = if app.view.follow { "" } else { " (f: follow)" };
    let full = format!("{head}{hint}{}", folded_note(app));
    let room = area.width.saturating_sub(4) as usize;
    let head = if full.chars().count() <= room { full } else { format!("{head}{}", folded_note(app)) };
    f.render_widget(frame(title(head, t), t), area);
    let buf = f.buffer_mut();
    for &(row, y) in &g.rows {
        let Row::Lane(side, lane) = row else {
            side_head(buf, &g, y, row, app);
            continue;
        };
        // A compare runs no commands: no socket is "current" there.
        let current = app.compared().is_none() && lane == Lane::Sock(app.pane_socket().unwrap_or(0));
        let mark = if current { t.current_mark() } else { " " };
        let name = format!("{mark}{}", app.record_of(side).lane_name(lane));
        let style = if current { t.bold() } else { t.dim() };
        buf.set_stringn(g.x0 - label_w, y, name, label_w as usize - 1, style);
        lane::draw(buf, &g, y, w, app, (side, lane));
    }
    if g.hidden != (0, 0) {
        // Lanes scrolled out of view: how many, and which way (the current
        // socket's lane, or the selected call's, is always shown).
        let (up, down) = if t.ascii { ("^", "v") } else { ("↑", "↓") };
        let text = format!("{up}{}{down}{}", g.hidden.0, g.hidden.1);
        buf.set_stringn(g.x0 - label_w, g.axis_y + 1, text, label_w as usize - 1, t.dim());
    }
    draw_axis(buf, &g, w, app);
}

/// A side's header across the pane: its letter, file name and first `say`
/// (both escaped when the file was read), cut to fit.
fn side_head(buf: &mut Buffer, g: &Geometry, y: u16, row: Row, app: &App) {
    let (Row::Head(k), Some(cmp)) = (row, app.compared()) else { return };
    let t = &app.theme;
    let side = &cmp.sides[k.min(1)];
    let label_w = label_w(app);
    let x = g.x0 - label_w;
    let width = (g.cells + label_w) as usize;
    let name = format!("{} {}", side.letter, side.name);
    buf.set_stringn(x, y, &name, width, t.bold());
    // The narration mark, as the transcript has it.
    let used = fit::width(&name) + 1;
    if let Some(title) = side.title.as_deref().filter(|_| used + 4 < width) {
        let text = fit::end(&format!("── {title}"), width - used);
        buf.set_stringn(x + used as u16, y, text, width - used, t.narration());
    }
}

/// Busy-poll calls folded away past the history cap, in the title.
fn folded_note(app: &App) -> String {
    let tl = app.timeline();
    let folded: u64 = tl.dense_total() - tl.dense_len() as u64;
    if folded == 0 { String::new() } else { format!("  {} calls folded", fmt::count(folded)) }
}

/// A tick every ten cells or so, at a round time.
fn tick_step(ns_per_cell: u64) -> u64 {
    fmt::round_step(ns_per_cell.saturating_mul(10))
}

fn draw_axis(buf: &mut Buffer, g: &Geometry, w: Window, app: &App) {
    let t = &app.theme;
    let rule = if t.ascii { "-" } else { "─" };
    buf.set_string(g.x0, g.axis_y, rule.repeat(g.cells as usize), t.dim());
    let step = tick_step(w.ns_per_cell());
    let mut free_from = 0u16;
    for p in w.pieces() {
        let (from, to) = (p.g0 * w.ns_per_cell(), (p.g0 + p.len as u64) * w.ns_per_cell());
        let mut at = from.div_ceil(step) * step;
        while at < to {
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
    for b in w.bands() {
        let text = idle_note(b, t);
        buf.set_string(g.x0 + b.col, g.axis_y, " ".repeat(b.width as usize), t.dim());
        let x = b.col + (b.width - text.chars().count() as u16) / 2;
        buf.set_string(g.x0 + x, g.axis_y, &text, t.bold());
    }
}

/// What a band stands for, as long as its width allows: `⋯ 7.2s idle ⋯`.
pub fn idle_note(b: Band, t: &Theme) -> String {
    let d = fmt::about(b.to_ns - b.from_ns);
    let m = t.idle_mark();
    let forms =
        [format!("{m} {d} idle {m}"), format!("{m}{d} idle{m}"), format!("{d} idle"), format!("{m}{d}{m}")];
    forms.into_iter().find(|f| f.chars().count() <= b.width as usize).unwrap_or(d)
}

/// The call under a click at (x, y), if any, as (side, index): see
/// [`LaneLayout::hit`] (a click on the row under a lane finds the labels
/// there; a side's header holds none).
pub fn hit(area: Rect, app: &App, x: u16, y: u16) -> Option<(usize, usize)> {
    let g = geometry_of(area, app);
    let on = |row: u16| match g.rows.iter().find(|&&(_, ry)| ry == row)? {
        &(Row::Lane(side, lane), _) => Some((side, lane)),
        (Row::Head(_), _) => None,
    };
    let ((side, lane), below) = match on(y) {
        Some(at) => (at, false),
        None if g.gap > 1 => (on(y.checked_sub(1)?)?, true),
        None => return None,
    };
    let col = x.checked_sub(g.x0).filter(|&c| c < g.cells)?;
    let w = app.view.window(app.quiet(), app.now_ns, g.cells);
    let tl = app.record_of(side).timeline();
    let layout = LaneLayout::new(tl, lane, w, app.now_ns, app.selected_on(side), g.gap > 1);
    layout.hit(col, below).map(|i| (side, i))
}
