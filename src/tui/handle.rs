//! Input → state changes. Keys are looked up in the tables of `keys.rs`;
//! a key that stands for a command builds its text and runs it through the
//! same parser as the prompt, so there is one path into the executor.

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Position;

use super::app::{App, Status, Store};
use super::input::Completion;
use super::keys::{self, Action};
use super::panes::{sockets, timeline};
use super::ui;
use crate::command::COMMAND_WORDS;
use crate::lab::{Lane, Timeline};

fn timeline_of(store: &Store) -> &Timeline {
    match store {
        Store::Live { lab, .. } => lab.timeline(),
        Store::Fixed(t) => t,
    }
}

impl App {
    /// Time cells in the timeline pane at the current terminal size.
    fn cells(&self) -> u16 {
        timeline::cells(ui::layout(self.size, self).timeline)
    }

    pub fn on_key(&mut self, k: KeyEvent) {
        // Only presses: terminals that report releases would double every key.
        if k.kind == KeyEventKind::Release {
            return;
        }
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            self.quit = true;
        } else if self.prompt_open {
            self.prompt_key(k);
        } else if self.help {
            // Any of these closes the overlay; other keys are ignored under it.
            if matches!(k.code, KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::Enter) {
                self.help = false;
            }
        } else if self.peer_prefix {
            self.peer_prefix = false;
            if let Some(a) = keys::lookup(keys::PEER, k.code) {
                self.act(a, k.code);
            }
        } else if k.code == KeyCode::Esc {
            self.view.selected = None;
        } else {
            let demo = self.demo.as_ref().and_then(|_| keys::lookup(keys::DEMO, k.code));
            if let Some(a) = demo.or_else(|| keys::lookup(keys::MAIN, k.code)) {
                self.act(a, k.code);
            }
        }
    }

    fn act(&mut self, a: Action, code: KeyCode) {
        let cells = self.cells();
        match a {
            Action::Run(line) => self.run_key_line(line),
            Action::Ask(prefill) => self.open_prompt(prefill),
            Action::ToggleBlocking => self.run_key_line(self.toggle_line()),
            Action::Peer => self.peer_prefix = true,
            Action::UseDigit => {
                if let KeyCode::Char(d) = code {
                    self.run_key_line(&format!("use {d}"));
                }
            }
            Action::CycleSocket(dir) => self.cycle_socket(dir),
            Action::Prompt => self.open_prompt(""),
            Action::Help => self.help = true,
            Action::Quit => self.quit = true,
            Action::Zoom(steps) => self.view.zoom(steps, self.now_ns, cells),
            Action::Follow => self.view.set_follow(!self.view.follow, self.now_ns, cells),
            Action::Nav(nav) => {
                let lanes = self.lanes();
                let home = self.current.map(Lane::Sock);
                self.view.navigate(timeline_of(&self.store), &lanes, home, nav);
                self.reveal_selected();
            }
            Action::Scroll(q) => self.view.scroll(q, self.now_ns, cells),
            Action::Step => self.step(),
        }
    }

    /// Keys run fixed, valid lines; a parse error here would be our bug, and
    /// it is shown like any other.
    fn run_key_line(&mut self, line: &str) {
        let _ = self.run_line(line);
    }

    fn open_prompt(&mut self, prefill: &str) {
        self.prompt.start(prefill);
        self.prompt_open = true;
    }

    fn cycle_socket(&mut self, dir: i32) {
        let open: Vec<u32> = self.socks.iter().filter(|s| !s.closed).map(|s| s.info.id).collect();
        if open.is_empty() {
            return;
        }
        let at = self.current.and_then(|c| open.iter().position(|&id| id == c));
        let next = match at {
            Some(i) => (i as i32 + dir).rem_euclid(open.len() as i32) as usize,
            None => 0,
        };
        self.run_key_line(&format!("use {}", open[next]));
    }

    fn reveal_selected(&mut self) {
        let cells = self.cells();
        let Some(c) = self.view.selected.and_then(|i| self.timeline().get(i)) else { return };
        let (start, end) = (c.start_ns, c.end_ns.unwrap_or(self.now_ns));
        self.view.reveal(start, end, self.now_ns, cells);
    }

    fn prompt_key(&mut self, k: KeyEvent) {
        let p = &mut self.prompt;
        match k.code {
            KeyCode::Enter => self.submit_prompt(),
            KeyCode::Esc => self.prompt_open = false,
            KeyCode::Backspace if p.text().is_empty() => self.prompt_open = false,
            KeyCode::Backspace => p.backspace(),
            KeyCode::Delete => p.delete(),
            KeyCode::Left => p.left(),
            KeyCode::Right => p.right(),
            KeyCode::Home => p.home(),
            KeyCode::End => p.end(),
            KeyCode::Up => p.older(),
            KeyCode::Down => p.newer(),
            KeyCode::Tab => {
                if let Completion::Choices(words) = p.complete(COMMAND_WORDS) {
                    self.status = Some(Status::Info(format!("one of: {}", words.join(" "))));
                }
            }
            KeyCode::Char('u') if k.modifiers.contains(KeyModifiers::CONTROL) => p.start(""),
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => p.insert(c),
            _ => {}
        }
    }

    /// Runs the typed line. On a parse error the prompt stays open with the
    /// cursor at the column the error names, so it can be fixed in place.
    fn submit_prompt(&mut self) {
        let line = self.prompt.submit();
        self.prompt_open = false;
        if let Err(e) = self.run_line(&line) {
            self.prompt.start(&line);
            self.prompt.set_cursor_col(e.col);
            self.prompt_open = true;
        }
    }

    pub fn on_mouse(&mut self, m: MouseEvent) {
        let at = Position::new(m.column, m.row);
        if self.help {
            if matches!(m.kind, MouseEventKind::Down(_)) {
                self.help = false;
            }
            return;
        }
        let a = ui::layout(self.size, self);
        let cells = self.cells();
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) if a.sockets.contains(at) => {
                if let Some(id) = sockets::hit(a.sockets, self, m.row) {
                    self.run_key_line(&format!("use {id}"));
                }
            }
            MouseEventKind::Down(MouseButton::Left) if a.timeline.contains(at) => {
                if let Some(i) = timeline::hit(a.timeline, self, m.column, m.row) {
                    self.view.selected = Some(i);
                }
            }
            MouseEventKind::ScrollUp | MouseEventKind::ScrollLeft if a.timeline.contains(at) => {
                self.view.scroll(-1, self.now_ns, cells);
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollRight if a.timeline.contains(at) => {
                self.view.scroll(1, self.now_ns, cells);
            }
            _ => {}
        }
    }
}
