//! The demo pane: the scenario's current narration and its next command.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{frame, title};
use crate::tui::app::App;
use crate::tui::fmt;

/// Borders, three lines of narration, and the "next" line.
pub const HEIGHT: u16 = 6;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(d) = &app.demo else { return };
    let head = format!("demo: {}  step {}/{}", d.name, d.steps, d.total_steps());
    let block = frame(title(head, t), t);
    let inner_h = area.height.saturating_sub(2) as usize;
    let said = Line::styled(fmt::safe(&d.said.join(" ")), t.narration());
    let next = match d.next_line() {
        Some((n, text)) => Line::from(vec![
            Span::styled("next ▸ ", t.key()),
            Span::styled(fmt::safe(text), t.bold()),
            Span::styled(format!("   (line {n}; Space or → runs it)"), t.dim()),
        ]),
        None => Line::styled("end of the scenario: keep exploring, or q to quit", t.dim()),
    };
    // The "next" line is the one to keep visible: narration wraps above it.
    let para = Paragraph::new(said).wrap(Wrap { trim: true });
    let inner = block.inner(area);
    f.render_widget(block, area);
    let text_h = inner_h.saturating_sub(1) as u16;
    f.render_widget(para, Rect { height: text_h, ..inner });
    f.render_widget(Paragraph::new(next), Rect { y: inner.y + text_h, height: 1, ..inner });
}
