//! The key under the picture: each outcome that appears, with its badge
//! and what it means, so a printed page reads without the TUI.

use super::marks::Mark;
use super::palette::{Tone, tone};
use super::text::{CHAR_W, Text};
use super::{BADGE, ROW_H};
use crate::record::{Outcome, TimeoutBy};
use crate::tui::theme::Theme;

/// One entry, placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub x: f64,
    pub y: f64,
    /// `None` for the entry that explains bars.
    pub glyph: Option<char>,
    pub tone: Tone,
    pub text: Text,
}

/// The entries for the outcomes among `marks`, flowed into rows from `y`
/// between `xmin` and `xmax`. Returns them and the y under the last row.
pub fn build(marks: &[Mark], xmin: f64, xmax: f64, y: f64) -> (Vec<Item>, f64) {
    let mut seen: Vec<(usize, Outcome)> = Vec::new();
    for m in marks {
        let rank = rank(m.outcome);
        if !seen.iter().any(|&(r, _)| r == rank) {
            seen.push((rank, m.outcome));
        }
    }
    seen.sort_by_key(|&(r, _)| r);
    let mut entries: Vec<(Option<char>, Tone, Text)> =
        seen.iter().map(|&(_, o)| (Some(Theme::DEFAULT.glyph(o)), tone(o), Text::new(meaning(o)))).collect();
    entries.push((None, Tone::Dim, Text::new("bar: the time spent inside the call")));
    let (mut x, mut y) = (xmin, y);
    let mut items = Vec::new();
    for (glyph, tone, text) in entries {
        let w = BADGE + 4.0 + text.width() + 2.0 * CHAR_W;
        if x + w > xmax && x > xmin {
            x = xmin;
            y += ROW_H;
        }
        items.push(Item { x, y, glyph, tone, text });
        x += w;
    }
    (items, y + ROW_H)
}

/// The legend's order: as the outcomes table in DESIGN.md lists them.
fn rank(o: Outcome) -> usize {
    match o {
        Outcome::Data => 0,
        Outcome::Eof => 1,
        Outcome::Sent => 2,
        Outcome::Partial => 3,
        Outcome::WouldBlock => 4,
        Outcome::Timeout(TimeoutBy::Poll) => 5,
        Outcome::Timeout(_) => 6,
        Outcome::InProgress => 7,
        Outcome::Accepted(_) => 8,
        Outcome::Connected => 9,
        Outcome::Error => 10,
        Outcome::Ready => 11,
        Outcome::Blocking => 12,
        Outcome::Ok => 13,
    }
}

fn meaning(o: Outcome) -> &'static str {
    match o {
        Outcome::Data => "data: bytes received",
        Outcome::Eof => "eof: the peer closed",
        Outcome::Sent => "sent",
        Outcome::Partial => "partial send",
        Outcome::WouldBlock => "wouldblock: EAGAIN, returned at once",
        Outcome::Timeout(TimeoutBy::Poll) => "timeout (poll ran out)",
        Outcome::Timeout(_) => "timeout (kernel timer)",
        Outcome::InProgress => "inprogress: connect goes on",
        Outcome::Accepted(_) => "accepted",
        Outcome::Connected => "connected",
        Outcome::Error => "error (errno)",
        Outcome::Ready => "ready (event loop)",
        Outcome::Blocking => "still blocking at the end",
        Outcome::Ok => "set-up, mode change or peer action",
    }
}
