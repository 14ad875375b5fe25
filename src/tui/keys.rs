//! Key bindings as tables: a key is a shortcut for a command line (run
//! through the same parser as the prompt) or for a UI action. The help
//! overlay is generated from these tables, so it cannot drift.

use crossterm::event::KeyCode;

use super::view::Nav;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Run this command line, exactly as if typed at the prompt.
    Run(&'static str),
    /// Open the prompt prefilled with this text, for the user to finish.
    Ask(&'static str),
    /// `blocking` or `nonblocking`, whichever the current socket is not.
    ToggleBlocking,
    /// The next key is a peer action (see [`PEER`]).
    Peer,
    /// `use N` for the digit pressed.
    UseDigit,
    /// `use` the next / previous socket.
    CycleSocket(i32),
    Prompt,
    Help,
    Quit,
    Zoom(i32),
    Follow,
    Nav(Nav),
    Scroll(i64),
    /// Demo mode: run the next step.
    Step,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Socket,
    Mode,
    Timeline,
    General,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::Socket => "socket calls",
            Section::Mode => "mode",
            Section::Timeline => "timeline",
            Section::General => "general",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [KeyCode],
    /// How the help overlay names the keys.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    pub section: Section,
}

use KeyCode::{Char, Down, Left, PageDown, PageUp, Right, Up};

const fn b(
    keys: &'static [KeyCode],
    label: &'static str,
    action: Action,
    help: &'static str,
    section: Section,
) -> Binding {
    Binding { keys, label, action, help, section }
}

const DIGITS: &[KeyCode] =
    &[Char('1'), Char('2'), Char('3'), Char('4'), Char('5'), Char('6'), Char('7'), Char('8'), Char('9')];

/// The main keys. `l` is listen, so "right" in vi style is `.` (and →).
pub const MAIN: &[Binding] = &[
    b(&[Char('r')], "r", Action::Run("recv"), "recv 1024 bytes", Section::Socket),
    b(&[Char('s')], "s", Action::Ask("send \""), "send text (asks)", Section::Socket),
    b(&[Char('a')], "a", Action::Run("accept"), "accept a connection", Section::Socket),
    b(&[Char('c')], "c", Action::Run("connect"), "connect to the peer", Section::Socket),
    b(&[Char('x')], "x", Action::Run("close"), "close the socket", Section::Socket),
    b(&[Char('n')], "n", Action::Run("open tcp"), "new TCP socket to the peer", Section::Socket),
    b(&[Char('u')], "u", Action::Run("open udp"), "new UDP socket to the peer", Section::Socket),
    b(&[Char('l')], "l", Action::Run("listen"), "new TCP listener (loopback)", Section::Socket),
    b(&[Char('p')], "p …", Action::Peer, "peer action (below)", Section::Socket),
    b(DIGITS, "1-9", Action::UseDigit, "use socket #N", Section::Socket),
    b(&[KeyCode::Tab], "Tab/S-Tab", Action::CycleSocket(1), "next / previous socket", Section::Socket),
    b(&[KeyCode::BackTab], "", Action::CycleSocket(-1), "", Section::Socket),
    b(&[Char('b')], "b", Action::ToggleBlocking, "toggle non-blocking", Section::Mode),
    b(&[Char('t')], "t", Action::Ask("timeout "), "timeout T (asks)", Section::Mode),
    b(&[Char('0')], "0", Action::Run("timeout 0"), "timeout 0 (Python's 0)", Section::Mode),
    b(&[Char('+'), Char('=')], "+ -", Action::Zoom(1), "zoom out / in", Section::Timeline),
    b(&[Char('-'), Char('_')], "", Action::Zoom(-1), "", Section::Timeline),
    b(&[Char('f')], "f", Action::Follow, "follow live / pause", Section::Timeline),
    b(
        &[Left, Char('h'), Char(',')],
        "← h ,",
        Action::Nav(Nav::Prev),
        "select the previous call",
        Section::Timeline,
    ),
    b(&[Right, Char('.')], "→ .", Action::Nav(Nav::Next), "select the next call", Section::Timeline),
    b(&[Up, Char('k')], "↑ k", Action::Nav(Nav::Up), "select on the lane above", Section::Timeline),
    b(&[Down, Char('j')], "↓ j", Action::Nav(Nav::Down), "select on the lane below", Section::Timeline),
    b(&[Char('['), PageUp], "[ PgUp", Action::Scroll(-2), "scroll back (pauses)", Section::Timeline),
    b(&[Char(']'), PageDown], "] PgDn", Action::Scroll(2), "scroll forward", Section::Timeline),
    b(&[Char(':')], ":", Action::Prompt, "command prompt (Tab, ↑ ↓)", Section::General),
    b(&[Char('?')], "?", Action::Help, "this help", Section::General),
    b(&[Char('q')], "q C-c", Action::Quit, "quit", Section::General),
];

/// After `p`: what the embedded peer should do.
pub const PEER: &[Binding] = &[
    b(&[Char('s')], "p s", Action::Ask("peer send \""), "peer sends text (asks)", Section::Socket),
    b(&[Char('p')], "p p", Action::Run("peer pause"), "peer stops reading", Section::Socket),
    b(&[Char('r')], "p r", Action::Run("peer resume"), "peer reads again", Section::Socket),
    b(&[Char('c')], "p c", Action::Run("peer close"), "peer closes (FIN)", Section::Socket),
    b(&[Char('x')], "p x", Action::Run("peer reset"), "peer resets (RST)", Section::Socket),
    b(&[Char('w')], "p w", Action::Run("peer shutdown wr"), "peer shutdown wr (FIN)", Section::Socket),
    b(&[Char('n')], "p n", Action::Run("peer connect"), "peer connects to listener", Section::Socket),
];

/// Demo mode adds these, ahead of the main table (→ steps instead of selecting).
pub const DEMO: &[Binding] =
    &[b(&[Char(' '), Right], "Space →", Action::Step, "run the next step", Section::General)];

/// The action bound to `code` in `table`.
pub fn lookup(table: &[Binding], code: KeyCode) -> Option<Action> {
    table.iter().find(|b| b.keys.contains(&code)).map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_a_table() {
        for table in [MAIN, PEER, DEMO] {
            let mut seen = Vec::new();
            for k in table.iter().flat_map(|b| b.keys) {
                assert!(!seen.contains(k), "{k:?} bound twice");
                seen.push(*k);
            }
        }
    }

    #[test]
    fn key_commands_parse() {
        for b in MAIN.iter().chain(PEER) {
            if let Action::Run(line) = b.action {
                assert!(crate::command::parse_line(line).is_ok(), "`{line}` does not parse");
            }
        }
    }
}
