//! The replay bar: where the replay clock is in the recording, whether it
//! plays, and how fast.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{frame, title};
use crate::tui::app::App;
use crate::tui::fmt;

/// Borders and one line.
pub const HEIGHT: u16 = 3;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(p) = app.player() else { return };
    let block = frame(title(format!("replay: {}", fmt::safe(&p.name)), t), t);
    let (done, all) = p.position();
    let state = match (p.playing, p.finished()) {
        (true, _) => format!("{} playing {}", if t.ascii { ">" } else { "▶" }, p.speed_label()),
        (false, true) => "■ end of the recording".into(),
        (false, false) => format!("‖ paused ({})", p.speed_label()),
    };
    let text =
        format!("  {} of {}  event {done}/{all}  ", fmt::at(p.clock_ns.min(p.end_ns())), fmt::at(p.end_ns()));
    let inner = block.inner(area);
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
    f.render_widget(Paragraph::new(line).block(block), area);
}
