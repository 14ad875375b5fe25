//! The `compare` pane, in the sockets pane's place: each side summed up by
//! the figures the update step computed (`compare::summary`) and the CPU
//! use it read. Pure: it formats what is stored.
//!
//! ```text
//! ┌ compare ───────────────────────────┐
//! │A serve-blocking.scenario  done     │
//! │ wall 347ms · blocked 340ms         │
//! │ data 3 · sent 3 · accepted 3       │
//! │ slowest client echo 331ms (c3)     │
//! │ cpu 343µs · its peer 434µs         │
//! │B serve-eventloop.scenario  done    │
//! │ …                                  │
//! └────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{frame, title};
use std::time::Duration;

use crate::record::Outcome;
use crate::tui::app::App;
use crate::tui::compare::{Run, Side};
use crate::tui::theme::Theme;
use crate::tui::{fit, fmt};

/// Continuation rows start one cell in, under the text.
const HANG: u16 = 1;

/// Rows the pane wants at `width` (the frame's two included).
pub fn wanted_height(app: &App, width: u16) -> u16 {
    rows(app, width.saturating_sub(2)).len() as u16 + 2
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let block = frame(title("compare", t), t);
    let inner = block.inner(area);
    let mut rows = rows(app, inner.width);
    if rows.len() > inner.height as usize {
        rows.truncate(inner.height as usize);
        if let Some(last) = rows.last_mut() {
            *last = fit::mark_cut(last, inner.width, t.dim());
        }
    }
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(rows), inner);
}

/// Every row, wrapped to `width`.
fn rows(app: &App, width: u16) -> Vec<Line<'static>> {
    let Some(c) = app.compared() else { return Vec::new() };
    let lines = c.sides.iter().flat_map(|s| side_lines(s, &app.theme));
    lines.flat_map(|l| fit::wrap(&l, HANG, width)).collect()
}

/// One side: its name and state, then its figures (see the help, or
/// `compare::summary`, for what each counts).
fn side_lines(s: &Side, t: &Theme) -> Vec<Line<'static>> {
    let sum = &s.summary;
    let dur = |d: Duration| fmt::dur(d.as_nanos() as u64);
    let state = match &s.run {
        Run::Running => Span::styled("running", t.key()),
        Run::Done(_) => Span::styled("done", t.dim()),
        Run::Stopped { line, .. } => Span::styled(format!("stopped at line {line}"), t.error()),
    };
    let head =
        Line::from(vec![Span::styled(format!("{} {}", s.letter, s.name), t.bold()), Span::raw("  "), state]);
    // A call still in the kernel counts until now; the tally names it `blocking`.
    let blocked = dur(sum.blocked);
    let mut out = vec![
        head,
        Line::from(vec![
            Span::styled(" wall ", t.dim()),
            Span::raw(dur(sum.wall)),
            Span::styled(" · blocked ", t.dim()),
            Span::raw(blocked),
        ]),
        tally(&sum.tally, t),
    ];
    if let Some((k, d)) = sum.slowest_client {
        out.push(Line::from(vec![
            Span::styled(" slowest client echo ", t.dim()),
            Span::raw(format!("{} (c{k})", dur(d))),
        ]));
    }
    out.push(Line::from(vec![
        Span::styled(" cpu ", t.dim()),
        Span::raw(dur(s.cpu.ours)),
        Span::styled(" · its peer ", t.dim()),
        Span::raw(dur(s.cpu.peer)),
    ]));
    out
}

/// The calls by outcome, each in its outcome's colour.
fn tally(tally: &[(Outcome, &str, u64)], t: &Theme) -> Line<'static> {
    if tally.is_empty() {
        return Line::styled(" no calls yet", t.dim());
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, (o, w, n)) in tally.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.dim()));
        }
        spans.push(Span::styled(format!("{w} {n}"), t.outcome(*o)));
    }
    Line::from(spans)
}
