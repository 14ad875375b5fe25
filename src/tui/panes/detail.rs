//! The call pane: everything about one call (the selected one, or the
//! newest on the current socket): what was asked, the mode at that moment,
//! how it ended, and the engine's explanation (the syscalls made, the
//! Python equivalent, why). Pure: it builds text from the records.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::lane::LaneLayout;
use super::{frame, label_text, title};
use crate::ops::explain;
use crate::record::{Call, Lane, Op, Outcome};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::tips::tips;
use crate::tui::{fmt, payload};

/// Enough for the header, four fields and a two-line explanation.
pub const MIN_HEIGHT: u16 = 9;

/// Drawn alone (tests): the timeline is where the layout for the
/// terminal's size puts it.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    draw(f, area, app, crate::tui::ui::layout(app.size, app).timeline);
}

/// Drawn beside the timeline pane at `timeline`: a selected call that
/// shares its cell (or its label) with others says which of them it is.
pub fn draw(f: &mut Frame, area: Rect, app: &App, timeline: Rect) {
    let t = &app.theme;
    let name = if app.view.selected.is_some() { "selected call" } else { "latest call" };
    let block = frame(title(name, t), t);
    let call = app.shown_call();
    let inner = block.inner(area);
    let mut lines = match call {
        Some(c) => describe(c, app, inner.width),
        None => vec![Line::styled("no calls yet", t.dim())],
    };
    if let (Some(i), Some(_)) = (app.view.selected, call) {
        lines.splice(1..1, neighbours(app, i, timeline));
    }
    if let Some(c) = call {
        lines.extend(explained(c, app, t));
    }
    f.render_widget(block, area);
    // Suggestions go at the bottom, only where they do not hide the facts;
    // a replay runs nothing, so it has none.
    let tips = if app.player().is_some() { Vec::new() } else { tips(call, &app.keys) };
    let used = wrapped_height(&lines, inner.width);
    let tips_h = tips.len() as u16 + 1;
    if !tips.is_empty() && used + tips_h <= inner.height {
        let at = Rect { y: inner.bottom() - tips_h, height: tips_h, ..inner };
        f.render_widget(Paragraph::new(tip_lines(&tips, t)), at);
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Rows the lines take once wrapped (an estimate that errs high).
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let w = width.max(1) as usize;
    // Word wrapping may leave a row part-empty, hence the extra row.
    lines.iter().map(|l| if l.width() <= w { 1 } else { l.width().div_ceil(w) as u16 + 1 }).sum()
}

fn tip_lines<'a>(tips: &[(String, &str)], t: &Theme) -> Vec<Line<'a>> {
    let mut out = vec![Line::styled("try", t.dim())];
    for (k, what) in tips {
        out.push(Line::from(vec![
            Span::styled(format!(" {k:<4}"), t.key()),
            Span::styled(what.to_string(), t.dim()),
        ]));
    }
    out
}

fn describe<'a>(c: &Call, app: &App, width: u16) -> Vec<Line<'a>> {
    let (t, now_ns) = (&app.theme, app.now_ns);
    let who = match c.lane {
        Lane::Sock(n) => format!("#{n}"),
        lane => lane.to_string(),
    };
    let arg = c.arg_text().map(|a| format!(" {}", fmt::safe(&a))).unwrap_or_default();
    let state = match c.outcome {
        Outcome::Blocking => format!("blocking {}", fmt::dur(now_ns.saturating_sub(c.start_ns))),
        Outcome::Ok => "ok".into(),
        _ => c.label(),
    };
    // A mode change is a setting, not a call that returns something.
    let head = if c.op.is_mode() {
        vec![Span::styled(format!("{who} mode set: {}{arg}", c.op.word()), t.bold())]
    } else {
        vec![
            Span::styled(format!("{who} {}{arg}", c.op.word()), t.bold()),
            Span::raw(" → "),
            Span::styled(state, t.outcome(c.outcome)),
        ]
    };
    let mut lines = vec![Line::from(head)];
    if matches!(c.lane, Lane::Sock(_)) {
        lines.push(field("mode", c.mode.to_string(), t));
    }
    if let Some(k) = c.kernel {
        lines.push(field("kernel", k.to_string(), t));
    }
    if let Some(name) = c.errno_name() {
        lines.push(field("errno", format!("{name} ({})", c.errno), t));
    }
    let took = match c.duration() {
        Some(d) => format!("took {}", fmt::dur(d.as_nanos() as u64)),
        None => "still in the kernel".into(),
    };
    lines.push(field("time", format!("{}  {took}", fmt::at(c.start_ns)), t));
    if c.op == Op::Spin {
        lines.extend(super::spin_detail::lines(c, app));
    }
    if let Some(p) = &c.preview {
        lines.extend(payload_lines(p, c.bytes, app.hex, width, t));
    }
    lines
}

/// The payload as escaped text on one line, or as hex rows under a header.
fn payload_lines<'a>(bytes: &[u8], total: Option<u64>, hex: bool, width: u16, t: &Theme) -> Vec<Line<'a>> {
    if !hex {
        return vec![field("payload", payload::text(bytes, total), t)];
    }
    let mut out =
        vec![Line::from(vec![Span::styled("payload ", t.dim()), Span::styled("hex (v: text)", t.dim())])];
    let rows = payload::hex_rows(bytes, total, payload::per_row(width.saturating_sub(2)));
    out.extend(rows.into_iter().map(|r| Line::raw(format!("  {r}"))));
    out
}

/// The engine's three levels, each line marked with its level.
fn explained<'a>(c: &Call, app: &App, t: &Theme) -> Vec<Line<'a>> {
    let ex = explain(c, &crate::ops::context(app.record(), c));
    let mut out = Vec::new();
    let mut level = |mark: &'static str, text: &str| {
        out.push(Line::from(vec![Span::styled(mark, t.key()), Span::raw(fmt::safe(text))]));
    };
    ex.syscalls.iter().for_each(|l| level("sys ", l));
    ex.python.iter().for_each(|l| level("py  ", l));
    if !ex.why.is_empty() {
        level("why ", &ex.why);
    }
    out
}

/// Most calls listed beside the selected one.
const LIST: usize = 6;

/// "2 of 3 in this cell", and those calls, the selected one marked.
fn neighbours<'a>(app: &App, i: usize, timeline: Rect) -> Vec<Line<'a>> {
    let (t, tl) = (&app.theme, app.timeline());
    let Some(lane) = tl.get(i).map(|c| c.lane) else { return Vec::new() };
    let w = super::timeline::window(timeline, app);
    let under = super::timeline::geometry(timeline, &app.lanes(), app.focus_lane()).gap > 1;
    let layout = LaneLayout::new(tl, lane, w, app.now_ns, Some(i), under);
    let Some(p) = layout.place_of(tl, i, LIST) else { return Vec::new() };
    let whose = if layout.crowded(tl, i) { "in this cell" } else { "in this group" };
    let mut head = field("here", format!("{} of {} {whose}", fmt::count(p.at), fmt::count(p.of)), t);
    if app.demo.is_none() && app.player().is_none() {
        head.spans.push(Span::styled("  ← →", t.key()));
    }
    let mut out = vec![head];
    let mut spans = vec![Span::raw("        ")];
    for (k, &j) in p.calls.iter().enumerate() {
        let Some(c) = tl.get(j) else { continue };
        if k > 0 {
            spans.push(Span::styled(" · ", t.dim()));
        }
        let text = format!(
            "{} {}",
            t.glyph(c.outcome),
            label_text::forms(c, app.now_ns).into_iter().next().unwrap_or_default()
        );
        let style = if j == i { t.outcome(c.outcome).patch(t.selected()) } else { t.outcome(c.outcome) };
        spans.push(Span::styled(text, style));
    }
    let more = p.of.saturating_sub(p.calls.len() as u64);
    if more > 0 {
        spans.push(Span::styled(format!(" · {} more", fmt::count(more)), t.dim()));
    }
    out.push(Line::from(spans));
    out
}

fn field<'a>(name: &str, value: String, t: &Theme) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{name:<8}"), t.dim()), Span::raw(value)])
}
