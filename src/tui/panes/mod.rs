//! One file per pane. Each draws from an `&App` and changes nothing.

pub mod demo;
pub mod detail;
pub mod glossary;
pub mod help;
pub mod inspector;
pub mod label_text;
pub mod labels;
pub mod lane;
pub mod marks;
pub mod prompt;
pub mod replay;
pub mod sockets;
pub mod spin;
mod spin_detail;
pub mod timeline;
pub mod trace;
pub mod transcript;

use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType};

use super::theme::Theme;

/// The frame every pane uses, so they look alike.
pub fn frame<'a>(title: impl Into<ratatui::text::Line<'a>>, theme: &Theme) -> Block<'a> {
    Block::bordered().border_type(BorderType::Plain).border_style(theme.border()).title(title)
}

/// A pane title in the title style, padded with a space each side.
pub fn title<'a>(text: impl Into<String>, theme: &Theme) -> Span<'a> {
    Span::styled(format!(" {} ", text.into()), theme.title())
}
