//! The key bindings in force: the default tables of `keys.rs` with the
//! config file's `[keys]` rebinds applied. The help overlay, the hint line
//! and the tips all read their key names from here, so a rebind shows
//! everywhere.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keys::{self, Action, Binding, Section};
use crate::config::{self, Key, KeySpec};

/// One key with the modifiers that matter (Shift is part of the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chord {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Chord {
    pub fn plain(code: KeyCode) -> Chord {
        Chord { code, ctrl: false, alt: false }
    }

    fn of_spec(s: KeySpec) -> Chord {
        let code = match s.key {
            Key::Char(c) => KeyCode::Char(c),
            Key::F(n) => KeyCode::F(n),
            Key::Tab => KeyCode::Tab,
            Key::Enter => KeyCode::Enter,
            Key::Esc => KeyCode::Esc,
        };
        Chord { code, ctrl: s.ctrl, alt: s.alt }
    }

    pub fn matches(&self, k: &KeyEvent) -> bool {
        self.code == k.code
            && self.ctrl == k.modifiers.contains(KeyModifiers::CONTROL)
            && self.alt == k.modifiers.contains(KeyModifiers::ALT)
    }

    /// How the help names it: `r`, `C-q`, `F5`, `Space`, `←`.
    pub fn name(&self) -> String {
        let key = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            other => format!("{other:?}"),
        };
        let ctrl = if self.ctrl { "C-" } else { "" };
        let alt = if self.alt { "M-" } else { "" };
        format!("{ctrl}{alt}{key}")
    }
}

/// A binding in force.
#[derive(Debug, Clone)]
pub struct Bound {
    pub chords: Vec<Chord>,
    /// How the help names the keys; empty continues the row above.
    pub label: String,
    pub action: Action,
    pub help: String,
    pub section: Section,
    pub name: Option<&'static str>,
}

impl Bound {
    fn of(b: &Binding) -> Bound {
        Bound {
            chords: b.keys.iter().map(|&k| Chord::plain(k)).collect(),
            label: b.label.to_string(),
            action: b.action,
            help: b.help.to_string(),
            section: b.section,
            name: b.name,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub main: Vec<Bound>,
    pub peer: Vec<Bound>,
    pub demo: Vec<Bound>,
    pub replay: Vec<Bound>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap::new(&BTreeMap::new(), config::Config::default().recv_size)
    }
}

impl Keymap {
    /// The defaults with `rebinds` (action name -> key spec) applied. A
    /// rebound key is taken away from whatever had it before. Specs were
    /// checked when the config was loaded; one that does not parse is skipped.
    pub fn new(rebinds: &BTreeMap<String, String>, recv_size: u64) -> Keymap {
        let table = |t: &[Binding]| t.iter().map(Bound::of).collect::<Vec<_>>();
        let mut main = table(keys::MAIN);
        for b in main.iter_mut().filter(|b| b.action == Action::Recv) {
            b.help = format!("recv {recv_size} bytes");
        }
        let mut moved = vec![false; main.len()];
        for (name, spec) in rebinds {
            let Ok(spec) = config::parse_key(spec) else { continue };
            let chord = Chord::of_spec(spec);
            let Some(at) = main.iter().position(|b| b.name == Some(name.as_str())) else { continue };
            for (i, b) in main.iter_mut().enumerate() {
                if b.chords.contains(&chord) {
                    b.chords.retain(|c| *c != chord);
                    moved[i] = true;
                }
            }
            main[at].chords = vec![chord];
            moved[at] = true;
        }
        relabel(&mut main, &moved);
        Keymap { main, peer: table(keys::PEER), demo: table(keys::DEMO), replay: table(keys::REPLAY) }
    }

    /// The action a key press stands for in `table`.
    pub fn lookup(table: &[Bound], k: &KeyEvent) -> Option<Action> {
        table.iter().find(|b| b.chords.iter().any(|c| c.matches(k))).map(|b| b.action)
    }

    /// The key for a named action (`recv`, `peer` …), for hints and tips.
    pub fn key_of(&self, name: &str) -> String {
        self.main
            .iter()
            .find(|b| b.name == Some(name))
            .and_then(|b| b.chords.first())
            .map_or_else(|| "—".into(), Chord::name)
    }
}

/// Rows whose keys moved get a label made from the keys they now have; a
/// row that continues another (empty label) is named in its head's label.
fn relabel(main: &mut [Bound], moved: &[bool]) {
    let mut head = 0;
    while head < main.len() {
        let mut end = head + 1;
        while end < main.len() && main[end].label.is_empty() {
            end += 1;
        }
        if moved[head..end].iter().any(|&m| m) {
            let names: Vec<String> = main[head..end]
                .iter()
                .map(|b| b.chords.first().map_or_else(|| "—".into(), Chord::name))
                .collect();
            main[head].label = names.join(" ");
        }
        head = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn a_rebind_moves_the_key_and_the_label() {
        let rebinds: BTreeMap<String, String> =
            [("recv".into(), "R".into()), ("quit".into(), "ctrl-q".into())].into();
        let km = Keymap::new(&rebinds, 4096);
        let recv = km.main.iter().find(|b| b.action == Action::Recv).unwrap();
        assert_eq!(recv.label, "R");
        assert_eq!(recv.help, "recv 4096 bytes");
        assert_eq!(
            Keymap::lookup(&km.main, &press(KeyCode::Char('R'), KeyModifiers::SHIFT)),
            Some(Action::Recv)
        );
        assert_eq!(Keymap::lookup(&km.main, &press(KeyCode::Char('r'), KeyModifiers::NONE)), None);
        let ctrl_q = press(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(Keymap::lookup(&km.main, &ctrl_q), Some(Action::Quit));
        assert_eq!(Keymap::lookup(&km.main, &press(KeyCode::Char('q'), KeyModifiers::NONE)), None);
        assert_eq!(km.key_of("quit"), "C-q");
    }

    #[test]
    fn a_taken_key_leaves_its_old_binding() {
        let rebinds: BTreeMap<String, String> = [("zoom-in".into(), "f".into())].into();
        let km = Keymap::new(&rebinds, 1024);
        let f = press(KeyCode::Char('f'), KeyModifiers::NONE);
        assert_eq!(Keymap::lookup(&km.main, &f), Some(Action::Zoom(-1)));
        assert_eq!(km.key_of("follow"), "—");
        let zoom = km.main.iter().find(|b| b.action == Action::Zoom(1)).unwrap();
        assert_eq!(zoom.label, "+ f", "the pair's row names both keys");
    }

    #[test]
    fn defaults_keep_their_labels() {
        let km = Keymap::default();
        assert!(km.main.iter().any(|b| b.label == "← h ,"));
        assert_eq!(km.key_of("peer"), "p");
    }
}
