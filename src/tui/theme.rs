//! Colours and glyphs in one place, so NO_COLOR and an ASCII fallback are a
//! single switch each.
//!
//! Three palettes (the config's `theme`): default, high-contrast for
//! projectors, and mono.
//!
//! Colourless does not mean attribute-less: with NO_COLOR we still use
//! REVERSED and BOLD (crossterm 0.29 would reset REVERSED if we asked it to
//! strip colours itself, so the theme simply never sets a colour).

use ratatui::style::{Color, Modifier, Style};

use crate::config::{self, Config, Glyphs};
use crate::record::{Outcome, TimeoutBy};

/// How colours are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    Default,
    /// For projectors: bright colours, and bold on everything that matters.
    HighContrast,
    /// No colour at all (NO_COLOR, or `theme = "mono"`).
    Mono,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub palette: Palette,
    pub ascii: bool,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::DEFAULT
    }
}

impl Theme {
    pub const DEFAULT: Theme = Theme { palette: Palette::Default, ascii: false };
    pub const MONO: Theme = Theme { palette: Palette::Mono, ascii: false };
    pub const HIGH_CONTRAST: Theme = Theme { palette: Palette::HighContrast, ascii: false };

    /// The config's theme and glyphs, then the environment, then `--ascii`:
    /// NO_COLOR (any non-empty value) wins over any configured theme, and a
    /// locale that is not UTF-8 switches glyphs to ASCII.
    pub fn new(cfg: &Config, ascii_flag: bool) -> Theme {
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        Theme::pick(cfg, ascii_flag, no_colour, locale.as_deref())
    }

    /// [`Theme::new`] with the environment passed in.
    fn pick(cfg: &Config, ascii_flag: bool, no_colour: bool, locale: Option<&str>) -> Theme {
        let palette = match cfg.theme {
            _ if no_colour => Palette::Mono,
            config::Theme::Default => Palette::Default,
            config::Theme::HighContrast => Palette::HighContrast,
            config::Theme::Mono => Palette::Mono,
        };
        let non_utf8 = locale.is_some_and(|l| {
            let l = l.to_ascii_lowercase();
            !(l.contains("utf-8") || l.contains("utf8"))
        });
        Theme { palette, ascii: ascii_flag || cfg.glyphs == Glyphs::Ascii || non_utf8 }
    }

    fn loud(&self) -> bool {
        self.palette == Palette::HighContrast
    }

    /// A foreground colour; high contrast brightens it and makes it bold.
    fn fg(&self, c: Color) -> Style {
        match self.palette {
            Palette::Mono => Style::new(),
            Palette::Default => Style::new().fg(c),
            Palette::HighContrast => Style::new().fg(bright(c)).add_modifier(Modifier::BOLD),
        }
    }

    pub fn plain(&self) -> Style {
        Style::new()
    }

    /// Secondary text. On a projector grey washes out, so it stays white.
    pub fn dim(&self) -> Style {
        match self.palette {
            Palette::Mono => Style::new(),
            Palette::Default => Style::new().fg(Color::DarkGray),
            Palette::HighContrast => Style::new().fg(Color::White),
        }
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
        if self.loud() { Style::new().fg(Color::White) } else { self.dim() }
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

    /// The mark for calls folded away past the history cap (counted, not kept).
    pub fn folded(&self) -> char {
        if self.ascii { '~' } else { '░' }
    }

    /// A count drawn in one cell, on a log scale: 1, 10, 100 … calls.
    pub fn density(&self, count: u64) -> char {
        const UNI: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        const ASCII: [char; 8] = ['.', ':', '-', '=', '+', '*', '#', '@'];
        if count == 0 {
            return ' ';
        }
        let level = (count.ilog10() as usize).min(7);
        if self.ascii { ASCII[level] } else { UNI[level] }
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

    /// A bar where it crosses a compressed idle band: not to scale there.
    pub fn bar_idle(&self) -> char {
        if self.ascii { '-' } else { '╍' }
    }

    /// Where an idle band crosses a lane.
    pub fn idle_lane(&self) -> char {
        if self.ascii { ':' } else { '⋮' }
    }

    /// Leads a label on the row under its glyph.
    pub fn under(&self) -> char {
        if self.ascii { '`' } else { '╰' }
    }

    /// The ends of an idle band's note on the axis (`⋯ 7.2s idle ⋯`).
    pub fn idle_mark(&self) -> &'static str {
        if self.ascii { "~" } else { "⋯" }
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

/// The bright variant of a colour, for projectors.
fn bright(c: Color) -> Color {
    match c {
        Color::Red => Color::LightRed,
        Color::Green => Color::LightGreen,
        Color::Yellow => Color::LightYellow,
        Color::Blue => Color::LightBlue,
        Color::Magenta => Color::LightMagenta,
        Color::Cyan => Color::LightCyan,
        Color::Gray | Color::DarkGray => Color::White,
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_beats_the_config_and_ascii_has_three_switches() {
        let loud = Config { theme: config::Theme::HighContrast, ..Config::default() };
        assert_eq!(Theme::pick(&loud, false, false, Some("C.UTF-8")), Theme::HIGH_CONTRAST);
        assert_eq!(Theme::pick(&loud, false, true, Some("C.UTF-8")), Theme::MONO);
        assert!(Theme::pick(&Config::default(), true, false, Some("C.UTF-8")).ascii, "--ascii");
        assert!(Theme::pick(&Config::default(), false, false, Some("POSIX")).ascii, "a non-UTF-8 locale");
        let ascii = Config { glyphs: Glyphs::Ascii, ..Config::default() };
        assert!(Theme::pick(&ascii, false, false, None).ascii, "glyphs = \"ascii\"");
        assert_eq!(Theme::pick(&Config::default(), false, false, None), Theme::DEFAULT);
    }
}
