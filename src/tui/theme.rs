//! Colours and glyphs in one place, so NO_COLOR and an ASCII fallback are a
//! single switch each.
//!
//! Colourless does not mean attribute-less: with NO_COLOR we still use
//! REVERSED and BOLD (crossterm 0.29 would reset REVERSED if we asked it to
//! strip colours itself, so the theme simply never sets a colour).

use ratatui::style::{Color, Modifier, Style};

use crate::lab::{Outcome, TimeoutBy};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub colour: bool,
    pub ascii: bool,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme { colour: true, ascii: false }
    }
}

impl Theme {
    /// From the environment: NO_COLOR (any non-empty value) turns colours off;
    /// a locale that is not UTF-8 switches glyphs to ASCII.
    pub fn from_env() -> Theme {
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        let ascii = locale.is_some_and(|l| {
            let l = l.to_ascii_lowercase();
            !(l.contains("utf-8") || l.contains("utf8"))
        });
        Theme { colour: !no_colour, ascii }
    }

    fn fg(&self, c: Color) -> Style {
        if self.colour { Style::new().fg(c) } else { Style::new() }
    }

    pub fn plain(&self) -> Style {
        Style::new()
    }

    pub fn dim(&self) -> Style {
        if self.colour { self.fg(Color::DarkGray) } else { Style::new() }
    }

    pub fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// The selected call, the current socket, the focused thing.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self) -> Style {
        self.dim()
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn narration(&self) -> Style {
        self.fg(Color::LightYellow)
    }

    /// The colour of an outcome: green when data moved, yellow when the call
    /// came back without waiting, red for errors, magenta while blocked.
    pub fn outcome(&self, o: Outcome) -> Style {
        let c = match o {
            Outcome::Blocking => Color::Magenta,
            Outcome::Data | Outcome::Sent | Outcome::Accepted(_) | Outcome::Connected => Color::Green,
            Outcome::Partial | Outcome::WouldBlock | Outcome::InProgress => Color::Yellow,
            Outcome::Timeout(_) => Color::LightBlue,
            Outcome::Ready => Color::Cyan,
            Outcome::Eof => Color::Cyan,
            Outcome::Error => Color::Red,
            Outcome::Ok => Color::Gray,
        };
        let s = self.fg(c);
        if o == Outcome::Blocking { s.add_modifier(Modifier::BOLD) } else { s }
    }

    /// The one-cell mark drawn where a call ended.
    pub fn glyph(&self, o: Outcome) -> char {
        let (uni, ascii) = match o {
            Outcome::Blocking => ('▶', '>'),
            Outcome::Data => ('●', 'D'),
            Outcome::Eof => ('∎', 'E'),
            Outcome::Sent => ('▲', 'S'),
            Outcome::Partial => ('◑', 'P'),
            Outcome::WouldBlock => ('W', 'W'),
            Outcome::Timeout(TimeoutBy::Poll) => ('◷', 'T'),
            Outcome::Timeout(_) => ('◶', 'T'),
            Outcome::InProgress => ('◌', 'I'),
            Outcome::Accepted(_) => ('⊕', 'A'),
            Outcome::Connected => ('⇄', 'C'),
            Outcome::Error => ('✗', 'X'),
            Outcome::Ready => ('◉', 'R'),
            Outcome::Ok => ('◆', '*'),
        };
        if self.ascii { ascii } else { uni }
    }

    /// The body of a bar: the time a call spent in the kernel.
    pub fn bar(&self) -> char {
        if self.ascii { '=' } else { '━' }
    }

    /// The "now" marker at the live edge of the timeline.
    pub fn now_mark(&self) -> char {
        if self.ascii { '|' } else { '┊' }
    }

    pub fn current_mark(&self) -> &'static str {
        if self.ascii { ">" } else { "▸" }
    }

    pub fn arrow(&self) -> &'static str {
        if self.ascii { "<->" } else { "⇄" }
    }
}
