//! The transcript (`H`): every record of the session in order, one line
//! each, as a REPL keeps its history: scrollable, following live, and
//! copyable as the Python each line corresponds to.
//!
//! This module holds the view state (cursor, range, scroll) and the moves
//! keys make on it; `line.rs` formats a record as a line, `python.rs` turns
//! lines into Python, `copy.rs` sends that text to the clipboard (OSC 52) or
//! to a file, and `act.rs` wires keys to all of it. The pane that draws it
//! is `panes/transcript.rs`. Everything here reads the record only, so it
//! works the same live, in a demo and in a replay.

mod act;
pub mod copy;
pub mod line;
pub mod python;

use std::ops::RangeInclusive;

/// What a key asks of the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tx {
    /// The cursor up or down by this many lines (stops following).
    Move(i32),
    /// Move, selecting from where the cursor was (Shift with ↑/↓, or K/J).
    Extend(i32),
    /// Up or down by a page.
    Page(i32),
    /// The first line.
    Top,
    /// The newest line, and follow live again.
    Follow,
    /// Start a range at the cursor, or drop the range.
    Mark,
    /// Drop the range; with none, close the transcript.
    Back,
    /// Copy the selected lines as Python (clipboard by OSC 52, or the file
    /// if the config says so).
    Copy,
    /// Write the selected lines as Python to a file.
    Write,
}

/// The transcript's view: which line the cursor is on, where a range
/// starts, and what is scrolled into view. Lines are timeline indices,
/// which are stable (the timeline only grows).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    pub open: bool,
    /// The cursor sits on the newest line and moves with it.
    pub following: bool,
    /// The line under the cursor (while not following).
    cursor: usize,
    /// The other end of a selected range.
    pub anchor: Option<usize>,
    /// The first line shown (while not following); kept near the cursor.
    top: usize,
}

impl Transcript {
    /// Opens following live, or closes.
    pub fn toggle(&mut self) {
        if self.open {
            self.open = false;
        } else {
            *self = Transcript { open: true, following: true, ..Transcript::default() };
        }
    }

    /// The line under the cursor, of `len` lines.
    pub fn cursor(&self, len: usize) -> Option<usize> {
        let last = len.checked_sub(1)?;
        Some(if self.following { last } else { self.cursor.min(last) })
    }

    /// The selected lines: the range between the anchor and the cursor, or
    /// the cursor's line alone.
    pub fn selection(&self, len: usize) -> Option<RangeInclusive<usize>> {
        let cur = self.cursor(len)?;
        let other = self.anchor.map_or(cur, |a| a.min(len - 1));
        Some(cur.min(other)..=cur.max(other))
    }

    /// Moves the cursor by `by` lines; moving up (or anywhere but the last
    /// line) stops following, reaching the last line going down does not
    /// resume it (End does).
    pub fn move_by(&mut self, by: i64, len: usize) {
        let Some(cur) = self.cursor(len) else { return };
        let to = (cur as i64 + by).clamp(0, len as i64 - 1) as usize;
        if self.following && to == cur {
            return;
        }
        self.following = false;
        self.cursor = to;
    }

    pub fn top(&mut self, len: usize) {
        if len > 0 {
            self.following = false;
            self.cursor = 0;
        }
    }

    pub fn follow(&mut self) {
        self.following = true;
    }

    /// Starts a range at the cursor, or drops the one there is.
    pub fn mark(&mut self, len: usize) {
        self.anchor = match self.anchor {
            Some(_) => None,
            None => self.cursor(len),
        };
    }

    /// Puts the cursor on `line` (a click), stopping following.
    pub fn point(&mut self, line: usize, len: usize) {
        if line < len {
            self.following = false;
            self.cursor = line;
        }
    }

    /// The first line to draw in `rows` rows: the newest lines while
    /// following, else the remembered top moved just enough to show the
    /// cursor. Pure, so a resize needs no update.
    pub fn first_shown(&self, len: usize, rows: usize) -> usize {
        let rows = rows.max(1);
        let bottom = len.saturating_sub(rows);
        if self.following {
            return bottom;
        }
        let cur = self.cursor(len).unwrap_or(0);
        let top = self.top.min(bottom);
        if cur < top {
            cur
        } else if cur >= top + rows {
            cur + 1 - rows
        } else {
            top
        }
    }

    /// Remembers what is on screen, so the view does not jump while the
    /// cursor moves inside it.
    pub fn settle(&mut self, len: usize, rows: usize) {
        self.top = self.first_shown(len, rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> Transcript {
        let mut t = Transcript::default();
        t.toggle();
        t
    }

    #[test]
    fn following_keeps_the_cursor_on_the_newest_line() {
        let t = open();
        assert_eq!(t.cursor(5), Some(4));
        assert_eq!(t.cursor(9), Some(8));
        assert_eq!(t.first_shown(30, 10), 20);
        assert_eq!(t.cursor(0), None);
    }

    #[test]
    fn moving_up_stops_following_and_end_resumes() {
        let mut t = open();
        t.move_by(-2, 10);
        assert!(!t.following);
        assert_eq!(t.cursor(12), Some(7), "new lines do not move a cursor that left the end");
        t.move_by(1, 12);
        assert_eq!(t.cursor(12), Some(8));
        t.follow();
        assert_eq!(t.cursor(12), Some(11));
        // Down at the end while following changes nothing.
        t.move_by(1, 12);
        assert!(t.following);
    }

    #[test]
    fn a_range_runs_from_the_mark_to_the_cursor() {
        let mut t = open();
        t.move_by(-1, 10);
        t.mark(10);
        t.move_by(-3, 10);
        assert_eq!(t.selection(10), Some(5..=8));
        t.move_by(5, 10);
        assert_eq!(t.selection(10), Some(8..=9));
        t.mark(10);
        assert_eq!(t.selection(10), Some(9..=9));
        assert_eq!(open().selection(0), None);
    }

    #[test]
    fn the_view_scrolls_only_to_keep_the_cursor_on_screen() {
        let mut t = open();
        t.settle(100, 10);
        assert_eq!(t.first_shown(100, 10), 90);
        t.move_by(-5, 100);
        assert_eq!(t.first_shown(100, 10), 90, "the cursor is still on screen");
        t.move_by(-10, 100);
        assert_eq!(t.first_shown(100, 10), 84);
        t.settle(100, 10);
        t.move_by(3, 100);
        assert_eq!(t.first_shown(100, 10), 84);
        t.top(100);
        assert_eq!(t.first_shown(100, 10), 0);
        // A shorter screen than lines: never past the end.
        assert_eq!(open().first_shown(3, 10), 0);
    }
}
