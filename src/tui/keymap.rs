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
            action: b.action.clone(),
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
    pub transcript: Vec<Bound>,
    pub trace: Vec<Bound>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap::new(&BTreeMap::new(), config::Config::default().recv_size)
    }
}

impl Keymap {
    /// The defaults with `rebinds` (action name -> key spec) applied: a
    /// rebound action has its new key only. The config was checked when it
    /// was loaded ([`check`]); unchecked, a spec that does not parse is
    /// skipped, and of two bindings on one key the first wins.
    pub fn new(rebinds: &BTreeMap<String, String>, recv_size: u64) -> Keymap {
        let table = |t: &[Binding]| t.iter().map(Bound::of).collect::<Vec<_>>();
        let mut main = table(keys::MAIN);
        for b in main.iter_mut() {
            match b.action {
                Action::Recv => b.help = format!("recv {recv_size} bytes"),
                Action::Peek => b.help = format!("peek {recv_size} bytes (MSG_PEEK)"),
                _ => {}
            }
        }
        let moved = apply(&mut main, rebinds);
        relabel(&mut main, &moved);
        Keymap {
            main,
            peer: table(keys::PEER),
            demo: table(keys::DEMO),
            replay: table(keys::REPLAY),
            transcript: table(keys::TRANSCRIPT),
            trace: table(keys::TRACE),
        }
    }

    /// The action a key press stands for in `table`.
    pub fn lookup(table: &[Bound], k: &KeyEvent) -> Option<Action> {
        table.iter().find(|b| b.chords.iter().any(|c| c.matches(k))).map(|b| b.action.clone())
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

/// Gives each rebound action its new key; returns which rows moved.
fn apply(main: &mut [Bound], rebinds: &BTreeMap<String, String>) -> Vec<bool> {
    let mut moved = vec![false; main.len()];
    for (name, spec) in rebinds {
        let Ok(spec) = config::parse_key(spec) else { continue };
        let Some(at) = main.iter().position(|b| b.name == Some(name.as_str())) else { continue };
        main[at].chords = vec![Chord::of_spec(spec)];
        moved[at] = true;
    }
    moved
}

/// Checks the config's rebinds (each already a known action and a valid
/// spec): every rebound key must reach the key table, and each key may
/// stand for one action only. Otherwise a key could end up doing nothing,
/// or quit could be left with Ctrl-C alone.
pub fn check(rebinds: &BTreeMap<String, String>) -> Result<(), String> {
    let mut main: Vec<Bound> = keys::MAIN.iter().map(Bound::of).collect();
    apply(&mut main, rebinds);
    for (name, spec) in rebinds {
        let Ok(parsed) = config::parse_key(spec) else { continue };
        let chord = Chord::of_spec(parsed);
        let at = format!("keys.{name} = {spec:?}");
        if !sendable(&chord) {
            return Err(format!(
                "{at}: terminals do not send this as a key of its own (ctrl takes a lower-case letter; ctrl-i is tab and ctrl-m is enter)"
            ));
        }
        if let Some(what) = reserved(&chord) {
            return Err(format!("{at}: this key is kept for {what}; choose another"));
        }
        let other = main.iter().position(|b| b.name != Some(name.as_str()) && b.chords.contains(&chord));
        if let Some(i) = other {
            return Err(match main[i].name {
                Some(o) if rebinds.contains_key(o) => {
                    format!("{at}: keys.{o} = {:?} is the same key; give one of them another", rebinds[o])
                }
                Some(o) => format!("{at}: this key is already {o}'s; rebind {o} too, or choose another"),
                None => format!(
                    "{at}: this key already does \"{}\", which cannot be rebound; choose another",
                    does(keys::MAIN, i)
                ),
            });
        }
        let modes = [
            (keys::DEMO, "a demo"),
            (keys::REPLAY, "a replay"),
            (keys::TRANSCRIPT, "the transcript"),
            (keys::TRACE, "a trace"),
        ];
        for (table, mode) in modes {
            if let Some(i) = table.iter().position(|b| b.keys.iter().any(|&k| Chord::plain(k) == chord)) {
                return Err(format!("{at}: in {mode} this key does \"{}\"; choose another", does(table, i)));
            }
        }
    }
    Ok(())
}

/// What row `i` of a table does, as the help says it (a row with no text
/// continues the one above).
fn does(table: &[Binding], i: usize) -> &'static str {
    table[..=i].iter().rev().map(|b| b.help).find(|h| !h.is_empty()).unwrap_or("")
}

/// Keys handled before the key table (Ctrl-C, Ctrl-Z), or that back out
/// of everything (Esc closes the prompt and the help, and clears the
/// selection): what they are kept for.
fn reserved(c: &Chord) -> Option<&'static str> {
    match (c.code, c.ctrl, c.alt) {
        // With Alt too: the quit and suspend checks look at Ctrl only.
        (KeyCode::Char('c'), true, _) => Some("quitting (ctrl-c always quits)"),
        (KeyCode::Char('z'), true, _) => Some("suspending (ctrl-z, as in any shell)"),
        (KeyCode::Esc, false, false) => Some("backing out (esc closes the prompt and the help)"),
        _ => None,
    }
}

/// Whether a terminal sends this chord as a key of its own. Ctrl with a
/// letter arrives as a control byte, so Ctrl-I is Tab and Ctrl-M is Enter;
/// Ctrl with Shift, a digit (but 4-7) or punctuation has no byte of its
/// own, and Alt-Esc arrives as two Escs.
fn sendable(c: &Chord) -> bool {
    match c.code {
        KeyCode::Char(ch) if c.ctrl => {
            (ch.is_ascii_lowercase() && !matches!(ch, 'i' | 'm')) || matches!(ch, ' ' | '4'..='7')
        }
        KeyCode::Tab | KeyCode::Enter => !c.ctrl,
        KeyCode::Esc => !c.ctrl && !c.alt,
        _ => true,
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
    fn a_pair_row_names_both_keys() {
        let km = Keymap::new(&map(&[("zoom-in", "f"), ("follow", "F")]), 1024);
        let f = press(KeyCode::Char('f'), KeyModifiers::NONE);
        assert_eq!(Keymap::lookup(&km.main, &f), Some(Action::Zoom(-1)));
        assert_eq!(km.key_of("follow"), "F");
        let zoom = km.main.iter().find(|b| b.action == Action::Zoom(-1)).unwrap();
        assert_eq!(zoom.label, "f -", "the pair's row names both keys");
    }

    #[test]
    fn the_view_keys_can_be_rebound_too() {
        let km = Keymap::new(
            &map(&[("fit", "Z"), ("scroll-call-up", "ctrl-u"), ("scroll-call-down", "ctrl-d")]),
            1024,
        );
        let shift = |c| press(KeyCode::Char(c), KeyModifiers::SHIFT);
        let ctrl = |c| press(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(Keymap::lookup(&km.main, &shift('Z')), Some(Action::Fit));
        assert_eq!(Keymap::lookup(&km.main, &ctrl('u')), Some(Action::ScrollDetail(-1)));
        assert_eq!(Keymap::lookup(&km.main, &ctrl('d')), Some(Action::ScrollDetail(1)));
        assert_eq!(Keymap::lookup(&km.main, &press(KeyCode::Char('z'), KeyModifiers::NONE)), None);
        let up = km.main.iter().find(|b| b.action == Action::ScrollDetail(-1)).unwrap();
        assert_eq!(up.label, "C-u C-d");
    }

    /// Action and key pairs, as a config's `[keys]` holds them.
    type Rebinds<'a> = &'a [(&'a str, &'a str)];

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|&(a, k)| (a.to_string(), k.to_string())).collect()
    }

    #[test]
    fn conflicts_name_both_actions_and_the_key() {
        let cases: &[(Rebinds, &[&str])] = &[
            (&[("quit", "r")], &["keys.quit = \"r\"", "recv's"]),
            (&[("recv", "q")], &["keys.recv = \"q\"", "quit's"]),
            (&[("zoom-in", "f")], &["keys.zoom-in", "follow's"]),
            (&[("help", "X"), ("recv", "X")], &["keys.help = \"X\"", "keys.recv = \"X\""]),
            (&[("quit", "ctrl-z")], &["keys.quit", "suspending"]),
            (&[("quit", "ctrl-c")], &["keys.quit", "ctrl-c always quits"]),
            (&[("recv", "esc")], &["keys.recv", "backing out"]),
            (&[("recv", "i")], &["keys.recv", "inspector's"]),
            (&[("recv", "h")], &["keys.recv", "does \"previous / next call\"", "cannot be rebound"]),
            (&[("recv", "1")], &["keys.recv", "use socket #N"]),
            (&[("quit", "space")], &["keys.quit", "in a demo", "run the next step"]),
            (&[("quit", "<")], &["keys.quit", "in a replay"]),
            (&[("quit", ">")], &["keys.quit", "in a replay this key does \"speed"]),
            (&[("quit", "alt-ctrl-c")], &["keys.quit", "ctrl-c always quits"]),
            (&[("quit", "ctrl-m")], &["keys.quit", "do not send"]),
            (&[("quit", "ctrl-Q")], &["keys.quit", "do not send"]),
            (&[("quit", "alt-esc")], &["keys.quit", "do not send"]),
        ];
        for (rebinds, want) in cases {
            let e = check(&map(rebinds)).expect_err(&format!("{rebinds:?}"));
            for w in *want {
                assert!(e.contains(w), "{rebinds:?} gave {e:?}, wanted {w:?}");
            }
        }
    }

    #[test]
    fn swaps_and_free_keys_are_fine() {
        let ok: &[Rebinds] = &[
            &[("recv", "s"), ("send", "r")],
            &[("zoom-in", "f"), ("follow", "F")],
            &[("quit", "ctrl-q"), ("recv", "q")],
            &[("recv", "r")],
            &[("help", "f1"), ("prompt", "alt-x"), ("quit", "ctrl-4"), ("peer", "enter")],
        ];
        for rebinds in ok {
            assert_eq!(check(&map(rebinds)), Ok(()), "{rebinds:?}");
        }
    }

    /// A key event as the terminal reports the chord (Shift comes with
    /// upper-case letters).
    fn event_of(c: &Chord) -> KeyEvent {
        let mut mods = KeyModifiers::NONE;
        mods.set(KeyModifiers::CONTROL, c.ctrl);
        mods.set(KeyModifiers::ALT, c.alt);
        if matches!(c.code, KeyCode::Char(ch) if ch.is_uppercase()) {
            mods |= KeyModifiers::SHIFT;
        }
        KeyEvent::new(c.code, mods)
    }

    const KEYS: &[&str] = &[
        "q", "r", "s", "x", "Q", "z", "1", "0", "i", ":", "?", "+", "<", "space", "tab", "enter", "esc",
        "f1", "ctrl-c", "ctrl-z", "ctrl-q", "ctrl-m", "ctrl-Q", "alt-q", "alt-esc",
    ];

    proptest::proptest! {
        /// Whatever the rebinds, once they pass the check quit has a key of
        /// its own that a terminal sends, in every mode's tables.
        #[test]
        fn quit_stays_reachable(picks in proptest::collection::vec(
            (0..config::ACTIONS.len(), 0..KEYS.len()), 0..8)
        ) {
            let rebinds: BTreeMap<String, String> =
                picks.iter().map(|&(a, k)| (config::ACTIONS[a].to_string(), KEYS[k].to_string())).collect();
            if check(&rebinds).is_ok() {
                let km = Keymap::new(&rebinds, 1024);
                let quit = km.main.iter().find(|b| b.action == Action::Quit).unwrap();
                let chord = quit.chords[0];
                proptest::prop_assert!(sendable(&chord) && reserved(&chord).is_none(), "{rebinds:?}");
                let ev = event_of(&chord);
                proptest::prop_assert_eq!(Keymap::lookup(&km.main, &ev), Some(Action::Quit));
                proptest::prop_assert_eq!(Keymap::lookup(&km.demo, &ev), None);
                proptest::prop_assert_eq!(Keymap::lookup(&km.replay, &ev), None);
            }
        }
    }

    #[test]
    fn defaults_keep_their_labels() {
        let km = Keymap::default();
        assert!(km.main.iter().any(|b| b.label == "← → h ."));
        assert_eq!(km.key_of("peer"), "p");
    }
}
