//! Keys and the mouse on the transcript, and where copied lines go.

use crossterm::event::{KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::{Tx, copy, python};
use crate::config::CopyTo;
use crate::tui::app::{App, Status};
use crate::tui::keymap::Keymap;
use crate::tui::keys::Action;
use crate::tui::panes::transcript as pane;
use crate::tui::ui;

/// The most lines one copy takes: each is explained on the UI thread.
pub const COPY_MAX: usize = 5_000;

impl App {
    /// Lines in the transcript: every record of the session.
    fn transcript_len(&self) -> usize {
        self.timeline().len()
    }

    /// Rows of lines the transcript pane shows at the current size.
    fn transcript_rows(&self) -> usize {
        ui::layout(self.size, self).transcript.map_or(1, pane::rows)
    }

    /// The transcript's action for a key, while it is shown.
    pub fn transcript_lines(&self, k: &KeyEvent) -> Option<Tx> {
        match Keymap::lookup(&self.keys.transcript, k).filter(|_| self.transcript.open) {
            Some(Action::Lines(tx)) => Some(tx),
            _ => None,
        }
    }

    /// `H`: the transcript, following live, or with the cursor on the call
    /// selected on the timeline; pressed again, the panes.
    pub fn toggle_transcript(&mut self) {
        let len = self.transcript_len();
        self.transcript.toggle();
        if let Some(i) = self.view.selected.filter(|_| self.transcript.open) {
            self.transcript.point(i, len);
        }
        self.transcript_moved(len, self.transcript_rows());
    }

    /// A transcript key. Shift with ↑/↓ selects while moving, as in an editor.
    pub fn transcript_key(&mut self, tx: Tx, mods: KeyModifiers) {
        let tx = match tx {
            Tx::Move(by) if mods.contains(KeyModifiers::SHIFT) => Tx::Extend(by),
            tx => tx,
        };
        let (len, rows) = (self.transcript_len(), self.transcript_rows());
        let t = &mut self.transcript;
        match tx {
            Tx::Move(by) => t.move_by(by as i64, len),
            Tx::Extend(by) => {
                if t.anchor.is_none() {
                    t.mark(len);
                }
                t.move_by(by as i64, len);
            }
            Tx::Page(by) => t.move_by(by as i64 * rows.saturating_sub(1).max(1) as i64, len),
            Tx::Top => t.top(len),
            Tx::Follow => t.follow(),
            Tx::Mark => t.mark(len),
            Tx::Back if t.anchor.is_some() => t.anchor = None,
            Tx::Back => t.toggle(),
            Tx::Copy => self.copy_lines(self.copy),
            Tx::Write => self.copy_lines(CopyTo::File),
        }
        self.transcript_moved(len, rows);
    }

    /// Wheel scrolls, a click puts the cursor on a line (Shift: selects to it).
    pub fn transcript_mouse(&mut self, m: MouseEvent, area: Rect) {
        let (len, rows) = (self.transcript_len(), self.transcript_rows());
        let t = &mut self.transcript;
        match m.kind {
            MouseEventKind::ScrollUp => t.move_by(-3, len),
            MouseEventKind::ScrollDown => t.move_by(3, len),
            MouseEventKind::Down(_) => {
                if let Some(line) = pane::hit(area, t, len, m.row) {
                    if m.modifiers.contains(KeyModifiers::SHIFT) && t.anchor.is_none() {
                        t.mark(len);
                    }
                    t.point(line, len);
                }
            }
            _ => return,
        }
        self.transcript_moved(len, rows);
    }

    /// After a move: keep the view still around the cursor, and let the
    /// call pane explain the line under it (the newest while following).
    fn transcript_moved(&mut self, len: usize, rows: usize) {
        let t = &mut self.transcript;
        t.settle(len, rows);
        if t.open {
            self.view.selected = if t.following { None } else { t.cursor(len) };
        }
    }

    /// The selected lines as Python, to the clipboard or a file; the
    /// status line says where they went.
    fn copy_lines(&mut self, to: CopyTo) {
        let len = self.transcript_len();
        let Some(range) = self.transcript.selection(len) else {
            self.status = Some(Status::Error("nothing to copy yet: the transcript is empty".into()));
            return;
        };
        let n = range.end() - range.start() + 1;
        if n > COPY_MAX {
            let msg = format!("{n} lines selected: at most {COPY_MAX} are copied at once (V drops the mark)");
            self.status = Some(Status::Error(msg));
            return;
        }
        let calls = &self.timeline().calls()[range];
        let mut text = python::python(self.record(), calls.iter()).join("\n");
        text.push('\n');
        let lines = if n == 1 { "1 line".to_string() } else { format!("{n} lines") };
        let osc = (to == CopyTo::Osc52).then(|| copy::osc52(&text));
        self.status = Some(match osc {
            Some(Some(seq)) => {
                self.to_terminal.push(seq);
                Status::Info(format!("copied {lines} as Python to the clipboard (OSC 52)"))
            }
            too_long => {
                let why = if too_long.is_some() { "too long for the clipboard: " } else { "" };
                match copy::to_file(&std::env::temp_dir(), &text) {
                    Ok(path) => Status::Info(format!(
                        "{why}wrote {lines} as Python to {}",
                        crate::escape::path(&path)
                    )),
                    Err(e) => Status::Error(format!(
                        "cannot write the lines: {}",
                        crate::escape::text(&e.to_string())
                    )),
                }
            }
        });
    }
}
