//! Colours for a printed page (light, the default) and a dark one. An
//! outcome's colour is the TUI theme's, looked up in
//! [`Theme::outcome`](crate::tui::theme::Theme::outcome) and turned into a
//! shade that reads on paper or on a dark slide: green is data moving,
//! yellow came back at once, red failed, magenta is still blocked.

use ratatui::style::Color;

use crate::record::Outcome;
use crate::tui::theme::Theme;

/// What a thing is coloured as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    Text,
    Dim,
    /// Grid lines and lane baselines.
    Rule,
    Narration,
    Green,
    Yellow,
    Blue,
    Cyan,
    Red,
    Magenta,
    Gray,
}

/// The tone of an outcome: the TUI's colour for it.
pub fn tone(o: Outcome) -> Tone {
    match Theme::DEFAULT.outcome(o).fg {
        Some(Color::Green | Color::LightGreen) => Tone::Green,
        Some(Color::Yellow | Color::LightYellow) => Tone::Yellow,
        Some(Color::Blue | Color::LightBlue) => Tone::Blue,
        Some(Color::Cyan | Color::LightCyan) => Tone::Cyan,
        Some(Color::Red | Color::LightRed) => Tone::Red,
        Some(Color::Magenta | Color::LightMagenta) => Tone::Magenta,
        _ => Tone::Gray,
    }
}

/// Light (prints well) or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Palette {
    pub dark: bool,
}

impl Palette {
    pub fn background(self) -> &'static str {
        if self.dark { "#0d1117" } else { "#ffffff" }
    }

    /// A tone as a CSS/SVG colour.
    pub fn colour(self, t: Tone) -> &'static str {
        let (light, dark) = match t {
            Tone::Text => ("#1f2328", "#e6edf3"),
            Tone::Dim => ("#59636e", "#9198a1"),
            Tone::Rule => ("#d1d9e0", "#30363d"),
            Tone::Narration => ("#7d4e00", "#e3b341"),
            Tone::Green => ("#1a7f37", "#3fb950"),
            Tone::Yellow => ("#9a6700", "#d29922"),
            Tone::Blue => ("#0969da", "#58a6ff"),
            Tone::Cyan => ("#1b7c83", "#39c5cf"),
            Tone::Red => ("#cf222e", "#f85149"),
            Tone::Magenta => ("#8250df", "#bc8cff"),
            Tone::Gray => ("#6e7781", "#8b949e"),
        };
        if self.dark { dark } else { light }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::TimeoutBy;

    #[test]
    fn outcomes_keep_the_tui_colours() {
        assert_eq!(tone(Outcome::Data), Tone::Green);
        assert_eq!(tone(Outcome::WouldBlock), Tone::Yellow);
        assert_eq!(tone(Outcome::Error), Tone::Red);
        assert_eq!(tone(Outcome::Blocking), Tone::Magenta);
        assert_eq!(tone(Outcome::Timeout(TimeoutBy::Poll)), Tone::Blue);
        assert_eq!(tone(Outcome::Eof), Tone::Cyan);
        assert_eq!(tone(Outcome::Ok), Tone::Gray);
    }

    #[test]
    fn the_two_palettes_differ_in_background() {
        assert_ne!(Palette { dark: true }.background(), Palette::default().background());
    }
}
