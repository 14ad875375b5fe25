//! Input → state changes. Keys are looked up in the bindings in force
//! (`keymap.rs`: the tables of `keys.rs` plus the config's rebinds); a key
//! that stands for a command hands that typed command to the executor, the
//! same one the prompt's lines go to.

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Position;

use std::time::Instant;

use super::app::{App, DetailScroll, Status, Store};
use super::demo::LIVE_OFF;
use super::input::Completion;
use super::keymap::Keymap;
use super::keys::{self, Action};
use super::panes::{detail, sockets, timeline};
use super::ui;
use super::update::{COMMANDS_OFF, NO_SOCKETS};
use super::view::{Nav, Row, across, nearest};
use crate::command::{Command, SockCall};
use crate::exec::Step;

/// `i` in a compare: the pane it would swap is the compare pane.
const NO_INSPECTOR: &str = "compare shows each side's figures where the sockets or the inspector would be";
/// `o` in a replay of the lab (not of a traced program).
const NO_OUTPUT: &str =
    "this recording is of sockscope's own sockets, not of a traced program: it holds no program output";

impl App {
    /// Time cells in the timeline pane at the current terminal size.
    fn cells(&self) -> u16 {
        timeline::cells(ui::layout(self.size, self).timeline, timeline::label_w(self))
    }

    pub fn on_key(&mut self, k: KeyEvent) {
        // Only presses: terminals that report releases would double every key.
        if k.kind == KeyEventKind::Release {
            return;
        }
        let ctrl_c = k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c');
        if self.quit_asked {
            // The question "end the program?" takes the next key.
            let again = ctrl_c
                || matches!(k.code, KeyCode::Char('y'))
                || Keymap::lookup(&self.keys.main, &k) == Some(Action::Quit);
            if again { self.ask_quit() } else { self.keep_watching() }
        } else if ctrl_c {
            self.ask_quit();
        } else if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('z') {
            self.suspend = true;
        } else if self.prompt_open {
            self.prompt_key(k);
        } else if self.help {
            // `g` flips between the keys and the glossary; any of the others
            // closes the overlay; other keys are ignored under it.
            let help_key = Keymap::lookup(&self.keys.main, &k) == Some(Action::Help);
            if k.code == KeyCode::Char('g') {
                self.glossary = !self.glossary;
            } else if help_key || matches!(k.code, KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::Enter) {
                self.help = false;
                self.glossary = false;
            }
        } else if self.peer_prefix {
            self.peer_prefix = false;
            if let Some(a) = Keymap::lookup(&self.keys.peer, &k) {
                self.act(a, k.code);
            }
        } else if let Some(tx) = self.transcript_lines(&k) {
            self.transcript_key(tx, k.modifiers);
        } else if let Some(a) = self.mode_keys(&k).or_else(|| Keymap::lookup(&self.keys.main, &k)) {
            self.act(a, k.code);
        } else if k.code == KeyCode::Esc {
            self.view.selected = None;
        }
    }

    /// Demo, replay and trace keys come ahead of the main table.
    fn mode_keys(&self, k: &KeyEvent) -> Option<Action> {
        let table = match (&self.store, &self.demo) {
            (Store::Replay { .. }, _) => &self.keys.replay,
            (Store::Traced(_), _) => &self.keys.trace,
            (_, Some(_)) => &self.keys.demo,
            _ => return None,
        };
        let asking = self.demo.as_ref().is_some_and(|d| d.asking());
        Keymap::lookup(table, k).filter(|a| *a != Action::Answer || asking)
    }

    /// Whether a key that acts on the sockets is off (in a demo, unless switched on).
    fn live_off(&self) -> bool {
        self.demo.as_ref().is_some_and(|d| !d.live)
    }

    fn act(&mut self, a: Action, code: KeyCode) {
        let cells = self.cells();
        if self.compared().is_some() {
            match a {
                // Tab moves between sockets; here, between the two sides.
                Action::CycleSocket(_) => return self.other_side(),
                Action::Inspector => return self.status = Some(Status::Info(NO_INSPECTOR.into())),
                a if a.is_live() => return self.status = Some(Status::Error(COMMANDS_OFF.into())),
                _ => {}
            }
        }
        if a.is_live() && self.live_off() {
            self.status = Some(Status::Info(LIVE_OFF.into()));
            return;
        }
        match a {
            Action::Run(cmd) => self.run_command(cmd),
            Action::Recv => self.run_command(Command::Call(SockCall::Recv { size: self.recv_size })),
            Action::Peek => self.run_command(Command::Call(SockCall::Peek { size: self.recv_size })),
            Action::Ask(_) if self.player().is_some() => self.status = Some(Status::Error(NO_SOCKETS.into())),
            Action::Ask(_) | Action::Prompt if self.trace().is_some() => {
                self.status = Some(Status::Error(super::traced::NO_COMMANDS.into()))
            }
            Action::Ask(prefill) => self.open_prompt(prefill),
            Action::ToggleBlocking => self.run_step(Step::ToggleBlocking),
            Action::Peer => self.peer_prefix = true,
            Action::UseDigit => {
                if let Some(d) = code.as_char().and_then(|c| c.to_digit(10)) {
                    self.run_command(Command::Use(d));
                }
            }
            Action::CycleSocket(dir) => self.run_step(Step::NextSocket(dir)),
            Action::Prompt => self.open_prompt(""),
            Action::Help => self.help = true,
            Action::Quit => self.ask_quit(),
            Action::Output if self.player().is_some_and(|p| !p.traced()) => {
                self.status = Some(Status::Info(NO_OUTPUT.into()));
            }
            Action::Output => self.output_shown = !self.output_shown,
            Action::Zoom(steps) => self.view.zoom(steps, self.now_ns, cells),
            Action::Fit => self.view.fit(self.now_ns),
            Action::Follow => self.view.set_follow(!self.view.follow, self.now_ns, cells),
            Action::Nav(nav) => self.navigate(nav),
            Action::Scroll(q) => self.view.scroll(q, self.now_ns, cells),
            Action::Step => self.step(),
            Action::Back => self.step_back(),
            Action::Restart => self.restart_demo(),
            Action::Live => self.toggle_live(),
            Action::Answer => {
                if let Some(d) = code.as_char().and_then(|c| c.to_digit(10)) {
                    self.answer(d);
                }
            }
            Action::Inspector => self.inspector = !self.inspector,
            Action::Payload => self.hex = !self.hex,
            Action::ScrollDetail(rows) => self.scroll_detail(rows),
            Action::PlayPause | Action::StepEvent | Action::Speed(_) => self.replay_key(a),
            Action::Transcript => self.toggle_transcript(),
            Action::Lines(tx) => self.transcript_key(tx, KeyModifiers::NONE),
        }
    }

    /// Scrolls the call pane by `rows` (negative: up), within its text;
    /// the offset belongs to the call shown, so another call starts at the top.
    fn scroll_detail(&mut self, rows: i32) {
        let max = detail::overflow(ui::layout(self.size, self).detail, self);
        let to = (self.detail_offset() as i32 + rows).clamp(0, max as i32) as u16;
        self.detail_scroll = DetailScroll { call: self.shown_index(), rows: to };
    }

    /// Moves the selection. In `compare`, up and down go on across sides.
    fn navigate(&mut self, nav: Nav) {
        let from = self.view.selected.and_then(|i| self.timeline().get(i)).map(|c| (c.lane, c.start_ns));
        let dir = match nav {
            Nav::Up => -1,
            Nav::Down => 1,
            Nav::Prev | Nav::Next => 0,
        };
        if let (Some((lane, t)), true, true) = (from, dir != 0, self.compared().is_some()) {
            let rows = self.rows();
            let to = across(&self.store.timelines(), &rows, Row::Lane(self.view.side, lane), t, dir);
            if let Some((side, i)) = to {
                self.select(side, Some(i));
            }
        } else {
            let lanes = self.lanes();
            let shown = self.shown_index();
            let tls = self.store.timelines();
            let tl = tls[self.view.side.min(tls.len() - 1)];
            self.view.navigate(tl, &lanes, shown, nav);
        }
        self.reveal_selected();
    }

    /// `compare`: the other side, with the call nearest in time to the one
    /// selected (on the same lane if that side has it).
    fn other_side(&mut self) {
        let to = 1 - self.view.side.min(1);
        let picked = self.view.selected.and_then(|i| self.timeline().get(i)).map(|c| (c.lane, c.start_ns));
        let rec = self.record_of(to);
        let tl = rec.timeline();
        let pick = picked.and_then(|(lane, t)| {
            nearest(tl, lane, t).or_else(|| rec.lanes().into_iter().find_map(|l| nearest(tl, l, t)))
        });
        self.select(to, pick);
        self.reveal_selected();
    }

    /// Selects call `i` (or none) on side `side`; the transcript, if open,
    /// moves to that side's lines.
    fn select(&mut self, side: usize, i: Option<usize>) {
        let moved = side != self.view.side;
        self.view.side = side;
        self.view.selected = i;
        if moved && self.transcript.open {
            let len = self.timeline().len();
            match i {
                Some(i) => self.transcript.point(i, len),
                None => self.transcript.follow(),
            }
        }
    }

    fn replay_key(&mut self, a: Action) {
        let Store::Replay { record, player } = &mut self.store else { return };
        match a {
            Action::PlayPause => {
                player.toggle(Instant::now());
                if player.finished() {
                    self.status = Some(Status::Info("the recording is over: q quits".into()));
                }
            }
            Action::StepEvent => player.step(record),
            Action::Speed(by) => player.change_speed(by),
            _ => {}
        }
    }

    fn open_prompt(&mut self, prefill: &str) {
        self.prompt.start(prefill);
        self.prompt_open = true;
    }

    fn reveal_selected(&mut self) {
        let cells = self.cells();
        let Some(c) = self.view.selected.and_then(|i| self.timeline().get(i)) else { return };
        let (start, end) = (c.start_ns, c.end_ns.unwrap_or(self.now_ns));
        let mut view = self.view.clone();
        view.reveal(self.quiet(), (start, end), self.now_ns, cells);
        self.view = view;
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
                let socks: Vec<u32> = self.record().sockets().map(|s| s.id()).collect();
                if let Completion::Choices(words) =
                    self.prompt.complete(|before| keys::prompt_next(before, &socks))
                {
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
        if let Some(a) = keys::prompt_action(&line) {
            return self.act(a, KeyCode::Enter);
        }
        if let Err(e) = self.run_line(&line) {
            self.prompt.start(&line);
            self.prompt.set_cursor_col(e.col);
            self.prompt_open = true;
        }
    }

    pub fn on_mouse(&mut self, m: MouseEvent) {
        let at = Position::new(m.column, m.row);
        if !self.mouse {
            return;
        }
        if self.help {
            if matches!(m.kind, MouseEventKind::Down(_)) {
                self.help = false;
            }
            return;
        }
        let a = ui::layout(self.size, self);
        if let Some(area) = a.transcript.filter(|r| r.contains(at)) {
            return self.transcript_mouse(m, area);
        }
        let cells = self.cells();
        match m.kind {
            MouseEventKind::Down(MouseButton::Left)
                if a.sockets.contains(at) && self.compared().is_some() => {}
            MouseEventKind::Down(MouseButton::Left) if a.sockets.contains(at) && self.live_off() => {
                self.status = Some(Status::Info(LIVE_OFF.into()));
            }
            MouseEventKind::Down(MouseButton::Left) if a.sockets.contains(at) => {
                if let Some(id) = sockets::hit(a.sockets, self, m.row) {
                    self.run_command(Command::Use(id));
                }
            }
            MouseEventKind::Down(MouseButton::Left) if a.timeline.contains(at) => {
                if let Some((side, i)) = timeline::hit(a.timeline, self, m.column, m.row) {
                    self.select(side, Some(i));
                }
            }
            MouseEventKind::ScrollUp if a.detail.contains(at) => self.scroll_detail(-2),
            MouseEventKind::ScrollDown if a.detail.contains(at) => self.scroll_detail(2),
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
