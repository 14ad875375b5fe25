//! The replay bar: where the replay clock is in the recording, whether it
//! plays, and how fast; above it, the recording's narration at that clock.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{frame, title};
use crate::tui::app::App;
use crate::tui::fit::{cut_rows as cut, wrap_spans as wrap};
use crate::tui::fmt;
use crate::tui::replay::narration;

/// Borders and the bar.
pub const HEIGHT: u16 = 3;

/// Rows for a recording's narration, on a screen this tall.
fn narration_rows(screen_h: u16) -> u16 {
    if screen_h >= 30 { 3 } else { 2 }
}

/// The bar, and room for narration if the recording has any, and for a
/// traced program's output when `o` shows it.
pub fn height(app: &App, screen: Rect) -> u16 {
    let narration = narrated_rows(app, screen.height);
    let output = if shows_output(app) { super::trace::output_height(screen) - HEIGHT } else { 0 };
    HEIGHT + narration + output
}

/// Rows for the recording's narration, if it has any.
fn narrated_rows(app: &App, screen_h: u16) -> u16 {
    match app.player() {
        Some(p) if p.narrated() => narration_rows(screen_h),
        _ => 0,
    }
}

/// Whether the program's output is shown under the bar: asked for, and
/// the recording is of a traced program.
fn shows_output(app: &App) -> bool {
    app.output_shown && app.player().is_some_and(|p| p.traced())
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(p) = app.player() else { return };
    let block = frame(title(format!("replay: {}", fmt::safe(&p.name)), t), t);
    let mut inner = block.inner(area);
    if shows_output(app) {
        // The output goes under the bar, the narration and the bar above it.
        let rows = inner.height.saturating_sub(1 + narrated_rows(app, f.area().height));
        let out_at = Rect { y: inner.bottom() - rows, height: rows, ..inner };
        let lines = super::trace::output_lines(app.record().output(), rows.into(), inner.width, t);
        f.render_widget(Paragraph::new(lines), out_at);
        inner.height -= rows;
    }
    if inner.height > 1 {
        let said = narration(app.record()).join(" ");
        let rows = inner.height - 1;
        let lines = match said.is_empty() {
            true => vec![Line::styled("(narration shows here as the replay reaches it)", t.dim())],
            false => cut(
                wrap(&[Span::styled(fmt::safe(&said), t.narration())], inner.width),
                rows.into(),
                inner.width,
                t.dim(),
            ),
        };
        f.render_widget(Paragraph::new(lines), Rect { height: rows, ..inner });
    }
    let bar_at = Rect { y: inner.bottom().saturating_sub(1), height: 1.min(inner.height), ..inner };
    let (done, all) = p.position();
    let state = match (p.playing, p.finished()) {
        (true, _) => format!("{} playing {}", if t.ascii { ">" } else { "▶" }, p.speed_label()),
        (false, true) => "■ end of the recording".into(),
        (false, false) => format!("‖ paused ({})", p.speed_label()),
    };
    let text =
        format!("  {} of {}  event {done}/{all}  ", fmt::at(p.clock_ns.min(p.end_ns())), fmt::at(p.end_ns()));
    let used = state.chars().count() + text.chars().count();
    let bar_w = (inner.width as usize).saturating_sub(used + 1).min(40);
    let filled = (bar_w * done).checked_div(all).unwrap_or(bar_w);
    let (full, empty) = if t.ascii { ('#', '.') } else { ('█', '░') };
    let bar: String =
        std::iter::repeat_n(full, filled).chain(std::iter::repeat_n(empty, bar_w - filled)).collect();
    let line = Line::from(vec![
        Span::styled(state, t.key()),
        Span::styled(text, t.plain()),
        Span::styled(bar, t.dim()),
    ]);
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(line), bar_at);
}
