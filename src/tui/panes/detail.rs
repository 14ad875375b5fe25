//! The call pane: everything about one call (the selected one, or the one
//! whose state changed last on the current socket, see `App::followed`): what was asked, the mode at that moment,
//! how it ended, and the engine's explanation (the syscalls made, the
//! Python equivalent, why). Pure: it builds text from the records.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::lane::LaneLayout;
use super::{frame, label_text, title};
use crate::ops::explain;
use crate::record::{Call, Lane, Op, Outcome};
use crate::tui::app::App;
use crate::tui::keys::Action;
use crate::tui::theme::Theme;
use crate::tui::tips::{Now, tips};
use crate::tui::{fit, fmt, payload};

/// Enough for the header, four fields and a two-line explanation.
pub const MIN_HEIGHT: u16 = 9;

/// Rows a label takes before the text it names: continuation rows start
/// under the text, so the labels stay in a column.
const FIELD_HANG: u16 = 8;
const LEVEL_HANG: u16 = 4;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut name = if app.view.selected.is_some() { "selected call" } else { "latest call" }.to_string();
    if let Some(c) = app.compared() {
        name = format!("{name} · {}", c.sides[app.view.side.min(1)].letter);
    }
    let mut block = frame(title(name, t), t);
    let inner = block.inner(area);
    let call = app.shown_call();
    let rows = rows(app, inner.width);
    let (first, shown) = window(rows.len(), inner.height, app.detail_offset());
    let below = rows.len() - first - shown;
    if first > 0 || below > 0 {
        block = block.title_bottom(Line::from(scroll_note(first, below, app)).right_aligned());
    }
    let mut visible: Vec<Line> = rows[first..first + shown].iter().map(|r| r.0.clone()).collect();
    // A row cut off in mid-line says so at its end.
    if below > 0
        && rows[first + shown - 1].1
        && let Some(last) = visible.last_mut()
    {
        *last = fit::mark_cut(last, inner.width, t.dim());
    }
    f.render_widget(block, area);
    // Suggestions go at the bottom, only where they do not hide the facts,
    // and only where a key can act on them.
    let tips = if app.keys_off() {
        Vec::new()
    } else {
        let id = call.and_then(|c| c.lane.sock());
        let sock = id.and_then(|id| app.record().socket(id));
        let queued = id.and_then(|id| app.sample(id)).and_then(|s| s.queues).map(|(rx, _)| rx);
        tips(call, &Now::of(sock, call, queued), &app.keys)
    };
    let tips_h = tips.len() as u16 + 1;
    if !tips.is_empty() && rows.len() as u16 + tips_h <= inner.height {
        let at = Rect { y: inner.bottom() - tips_h, height: tips_h, ..inner };
        f.render_widget(Paragraph::new(tip_lines(&tips, t)), at);
    }
    f.render_widget(Paragraph::new(visible), inner);
}

/// How many rows the text is longer than the pane at `area`: how far it
/// can scroll.
pub fn overflow(area: Rect, app: &App) -> u16 {
    let inner = frame("", &app.theme).inner(area);
    (rows(app, inner.width).len() as u16).saturating_sub(inner.height)
}

/// The first row to show and how many, for `total` rows in `height`,
/// scrolled down by `offset` (kept within the text).
fn window(total: usize, height: u16, offset: u16) -> (usize, usize) {
    let height = height as usize;
    let first = (offset as usize).min(total.saturating_sub(height));
    (first, total.saturating_sub(first).min(height))
}

/// `↑ 3  ↓ 5 more · { } scroll`: what is cut, and the keys that show it.
fn scroll_note(above: usize, below: usize, app: &App) -> Vec<Span<'static>> {
    let t = &app.theme;
    let mut parts = Vec::new();
    if above > 0 {
        parts.push(format!("↑ {above}"));
    }
    if below > 0 {
        parts.push(format!("↓ {below} more"));
    }
    let keys =
        app.keys.main.iter().find(|b| matches!(b.action, Action::ScrollDetail(_)) && !b.label.is_empty());
    let keys = keys.map(|b| b.label.clone());
    let mut out = vec![Span::styled(format!(" {}", parts.join("  ")), t.title())];
    if let Some(k) = keys {
        out.push(Span::styled(" · ", t.dim()));
        out.push(Span::styled(k, t.key()));
        out.push(Span::styled(" scroll", t.dim()));
    }
    out.push(Span::raw(" "));
    out
}

/// Everything the pane says about the shown call, wrapped to `width`;
/// each row with whether its line goes on in the next row.
fn rows(app: &App, width: u16) -> Vec<(Line<'static>, bool)> {
    let lines = match app.shown_call() {
        Some(c) => {
            let mut l = describe(c, app, width);
            if let Some(i) = app.view.selected {
                l.splice(1..1, neighbours(app, i));
            }
            l.extend(explained(c, app, &app.theme));
            l
        }
        None => vec![(Line::styled("no calls yet", app.theme.dim()), 0)],
    };
    let mut out = Vec::new();
    for (line, hang) in &lines {
        let rows = fit::wrap(line, *hang, width);
        let n = rows.len();
        out.extend(rows.into_iter().enumerate().map(|(i, r)| (r, i + 1 < n)));
    }
    out
}

/// Most calls listed beside the selected one.
const LIST: usize = 6;

/// "2 of 3 in this cell", and those calls, the selected one marked: a
/// selected call that shares its cell (or its label) with others says
/// which of them it is.
fn neighbours(app: &App, i: usize) -> Vec<(Line<'static>, u16)> {
    let (t, tl) = (&app.theme, app.timeline());
    let Some(lane) = tl.get(i).map(|c| c.lane) else { return Vec::new() };
    let timeline = crate::tui::ui::layout(app.size, app).timeline;
    let w = super::timeline::window(timeline, app);
    let under = super::timeline::geometry_of(timeline, app).gap > 1;
    let layout = LaneLayout::new(tl, lane, w, app.now_ns, Some(i), under);
    let Some(p) = layout.place_of(tl, i, LIST) else { return Vec::new() };
    let whose = if layout.crowded(tl, i) { "in this cell" } else { "in this group" };
    let (mut head, hang) = field("here", format!("{} of {} {whose}", fmt::count(p.at), fmt::count(p.of)), t);
    if app.demo.is_none() && app.player().is_none() {
        head.spans.push(Span::styled("  ← →", t.key()));
    }
    let mut spans = vec![Span::raw(" ".repeat(FIELD_HANG as usize))];
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
    vec![(head, hang), (Line::from(spans), FIELD_HANG)]
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

fn describe(c: &Call, app: &App, width: u16) -> Vec<(Line<'static>, u16)> {
    let (t, now_ns) = (&app.theme, app.now_ns);
    let who = app.lane_name(c.lane);
    let arg = c.arg_text().map(|a| format!(" {}", fmt::safe(&a))).unwrap_or_default();
    let state = match c.outcome {
        // A spin is many short calls from user space, not one in the kernel.
        Outcome::Blocking if c.op == Op::Spin => {
            format!("spinning {}", fmt::dur(now_ns.saturating_sub(c.start_ns)))
        }
        // A traced call still in the kernel when the trace let go of it.
        Outcome::Blocking if c.end_ns.is_some() => "never returned".into(),
        Outcome::Blocking => format!("blocking {}", fmt::dur(now_ns.saturating_sub(c.start_ns))),
        Outcome::Ok => "ok".into(),
        _ => c.label(),
    };
    // A traced control call is named by its syscall (`setsockopt`).
    let word = match &c.traced {
        Some(tr) if c.op == Op::Control => tr.syscall.clone(),
        _ => c.op.word().to_string(),
    };
    // A mode change is a setting, not a call that returns something.
    let head = if c.op.is_mode() {
        vec![Span::styled(format!("{who} mode set: {word}{arg}"), t.bold())]
    } else {
        vec![
            Span::styled(format!("{who} {word}{arg}"), t.bold()),
            Span::raw(" → "),
            Span::styled(state, t.outcome(c.outcome)),
        ]
    };
    let mut lines = vec![(Line::from(head), 2)];
    if matches!(c.lane, Lane::Sock(_)) {
        lines.push(field("mode", c.mode.to_string(), t));
    }
    if let Some(k) = c.kernel {
        lines.push(field("kernel", k.to_string(), t));
    }
    if let Some(name) = c.errno_name() {
        lines.push(field("errno", format!("{name} ({})", c.errno), t));
    }
    if let Some(tr) = c.traced.as_deref().filter(|tr| tr.tid != tr.pid) {
        lines.push(field("thread", format!("{} of process {}", tr.tid, tr.pid), t));
    }
    let took = match c.duration() {
        Some(d) if c.outcome == Outcome::Blocking => {
            format!("in the kernel {} when the trace let go", fmt::dur(d.as_nanos() as u64))
        }
        Some(d) => format!("took {}", fmt::dur(d.as_nanos() as u64)),
        None if c.op == Op::Spin => "still spinning: each call returns at once".into(),
        None => "still in the kernel".into(),
    };
    lines.push(field("time", format!("{}  {took}", fmt::at(c.start_ns)), t));
    if c.op == Op::Spin {
        lines.extend(super::spin_detail::lines(c, app).into_iter().map(|l| (l, FIELD_HANG)));
    }
    if let Some(p) = &c.preview {
        lines.extend(payload_lines(p, c.bytes, app.hex, width, t));
    }
    lines
}

/// The payload as escaped text on one line, or as hex rows under a header.
fn payload_lines(
    bytes: &[u8],
    total: Option<u64>,
    hex: bool,
    width: u16,
    t: &Theme,
) -> Vec<(Line<'static>, u16)> {
    if !hex {
        return vec![field("payload", payload::text(bytes, total), t)];
    }
    let head = Line::from(vec![Span::styled("payload ", t.dim()), Span::styled("hex (v: text)", t.dim())]);
    let mut out = vec![(head, 0)];
    let rows = payload::hex_rows(bytes, total, payload::per_row(width.saturating_sub(2)));
    out.extend(rows.into_iter().map(|r| (Line::raw(format!("  {r}")), 2)));
    out
}

/// The engine's three levels, each line marked with its level.
fn explained(c: &Call, app: &App, t: &Theme) -> Vec<(Line<'static>, u16)> {
    let ex = explain(c, &crate::ops::context(app.record(), c));
    let mut out = Vec::new();
    let mut level = |mark: &'static str, text: &str| {
        out.push((Line::from(vec![Span::styled(mark, t.key()), Span::raw(fmt::safe(text))]), LEVEL_HANG));
    };
    ex.syscalls.iter().for_each(|l| level("sys ", l));
    ex.python.iter().for_each(|l| level("py  ", l));
    if !ex.why.is_empty() {
        level("why ", &ex.why);
    }
    out
}

fn field(name: &str, value: String, t: &Theme) -> (Line<'static>, u16) {
    (Line::from(vec![Span::styled(format!("{name:<8}"), t.dim()), Span::raw(value)]), FIELD_HANG)
}
