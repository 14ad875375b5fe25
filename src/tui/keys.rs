//! Key bindings as tables: a key is a shortcut for a typed [`Command`]
//! (run by the same executor as the prompt) or for a UI action. These are
//! the defaults; `keymap.rs` applies the config's rebinds, and the help
//! overlay is generated from the result, so it cannot drift.

use crossterm::event::KeyCode;

use super::transcript::Tx;
use super::view::Nav;
use crate::command::{Command, ModeSet, PeerCmd, Proto, SockCall};

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Run this command, exactly as if typed at the prompt.
    Run(Command),
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
    /// Fit the whole history in the pane.
    Fit,
    Follow,
    Nav(Nav),
    Scroll(i64),
    /// Demo mode: run the next step.
    Step,
    /// Demo mode: back to the step before (run again on fresh sockets).
    Back,
    /// Demo mode: start over on fresh sockets.
    Restart,
    /// Demo mode: switch the live keys on or off.
    Live,
    /// Predict mode: the digit pressed is the class's answer.
    Answer,
    /// `recv` with the configured size.
    Recv,
    /// `peek` with the configured size.
    Peek,
    /// Switch the sockets pane to the kernel inspector and back.
    Inspector,
    /// Show payloads as text or as hex.
    Payload,
    /// Scroll the call pane by this many rows (negative: up).
    ScrollDetail(i32),
    /// Replay: play or pause, one event, slower (-1) or faster (+1).
    PlayPause,
    StepEvent,
    Speed(i32),
    /// Tracing: show or hide the program's output.
    Output,
    /// Show the transcript instead of the panes, or the panes again.
    Transcript,
    /// A move, selection or copy in the transcript (see [`TRANSCRIPT`]).
    Lines(Tx),
}

impl Action {
    /// Keys that act on the sockets, off in a demo unless switched on: what
    /// they do would run between the scenario's lines.
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            Action::Run(_)
                | Action::Ask(_)
                | Action::ToggleBlocking
                | Action::Peer
                | Action::UseDigit
                | Action::CycleSocket(_)
                | Action::Prompt
                | Action::Recv
                | Action::Peek
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Demo,
    Socket,
    Mode,
    Timeline,
    General,
    Replay,
    Transcript,
    Trace,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::Demo => "demo",
            Section::Socket => "socket calls",
            Section::Mode => "mode",
            Section::Timeline => "timeline",
            Section::General => "general",
            Section::Replay => "replay",
            Section::Trace => "trace",
            Section::Transcript => "transcript",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub keys: &'static [KeyCode],
    /// How the help overlay names the keys.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    pub section: Section,
    /// The action's name in the config file's `[keys]`, if it can be rebound.
    pub name: Option<&'static str>,
}

use KeyCode::{Backspace, Char, Down, End, Esc, Home, Left, PageDown, PageUp, Right, Tab, Up};

const fn b(
    keys: &'static [KeyCode],
    label: &'static str,
    action: Action,
    help: &'static str,
    section: Section,
) -> Binding {
    Binding { keys, label, action, help, section, name: None }
}

/// A binding the config file can move to another key.
const fn n(
    name: &'static str,
    keys: &'static [KeyCode],
    label: &'static str,
    action: Action,
    help: &'static str,
    section: Section,
) -> Binding {
    Binding { keys, label, action, help, section, name: Some(name) }
}

const DIGITS: &[KeyCode] =
    &[Char('1'), Char('2'), Char('3'), Char('4'), Char('5'), Char('6'), Char('7'), Char('8'), Char('9')];

/// The main keys. `l` is listen, so "right" in vi style is `.` (and →).
/// A row with an empty label continues the row above it in the help.
pub const MAIN: &[Binding] = &[
    n("recv", &[Char('r')], "r", Action::Recv, "recv N bytes", Section::Socket),
    n("peek", &[Char('e')], "e", Action::Peek, "peek N bytes (MSG_PEEK)", Section::Socket),
    n("send", &[Char('s')], "s", Action::Ask("send \"\""), "send text (asks)", Section::Socket),
    n(
        "accept",
        &[Char('a')],
        "a",
        Action::Run(Command::Call(SockCall::Accept)),
        "accept a connection",
        Section::Socket,
    ),
    n(
        "connect",
        &[Char('c')],
        "c",
        Action::Run(Command::Call(SockCall::Connect(None))),
        "connect to the peer",
        Section::Socket,
    ),
    n(
        "close",
        &[Char('x')],
        "x",
        Action::Run(Command::Call(SockCall::Close)),
        "close the socket",
        Section::Socket,
    ),
    n(
        "new-tcp",
        &[Char('n')],
        "n",
        Action::Run(Command::Open { proto: Proto::Tcp, addr: None }),
        "new TCP socket to the peer",
        Section::Socket,
    ),
    n(
        "udp",
        &[Char('u')],
        "u",
        Action::Run(Command::Open { proto: Proto::Udp, addr: None }),
        "new UDP socket to the peer",
        Section::Socket,
    ),
    n(
        "listen",
        &[Char('l')],
        "l",
        Action::Run(Command::Listen { addr: None }),
        "new TCP listener (loopback)",
        Section::Socket,
    ),
    n("peer", &[Char('p')], "p …", Action::Peer, "peer action (below)", Section::Socket),
    b(DIGITS, "1-9", Action::UseDigit, "use socket #N", Section::Socket),
    n("next-socket", &[Tab], "Tab/S-Tab", Action::CycleSocket(1), "next / previous socket", Section::Socket),
    b(&[KeyCode::BackTab], "", Action::CycleSocket(-1), "", Section::Socket),
    n("toggle-blocking", &[Char('b')], "b", Action::ToggleBlocking, "toggle non-blocking", Section::Mode),
    n("timeout", &[Char('t')], "t", Action::Ask("timeout "), "timeout T (asks)", Section::Mode),
    n(
        "zero-timeout",
        &[Char('0')],
        "0",
        Action::Run(Command::Mode(ModeSet::Timeout(Some(std::time::Duration::ZERO)))),
        "timeout 0 (Python's 0)",
        Section::Mode,
    ),
    n("zoom-in", &[Char('+'), Char('=')], "+ -", Action::Zoom(-1), "zoom in / out", Section::Timeline),
    n("zoom-out", &[Char('-'), Char('_')], "", Action::Zoom(1), "", Section::Timeline),
    n("fit", &[Char('z')], "z", Action::Fit, "fit the whole history", Section::Timeline),
    n("follow", &[Char('f')], "f", Action::Follow, "follow live / pause", Section::Timeline),
    // Pairs share a row of the help, so it fits 80×24.
    b(
        &[Left, Char('h'), Char(',')],
        "← → h .",
        Action::Nav(Nav::Prev),
        "previous / next call",
        Section::Timeline,
    ),
    b(&[Right, Char('.')], "", Action::Nav(Nav::Next), "", Section::Timeline),
    b(&[Up, Char('k')], "↑ ↓ k j", Action::Nav(Nav::Up), "the lane above / below", Section::Timeline),
    b(&[Down, Char('j')], "", Action::Nav(Nav::Down), "", Section::Timeline),
    b(&[Char('['), PageUp], "[ ] PgUp", Action::Scroll(-2), "scroll back / fwd (PgDn)", Section::Timeline),
    b(&[Char(']'), PageDown], "", Action::Scroll(2), "", Section::Timeline),
    n("inspector", &[Char('i')], "i", Action::Inspector, "kernel inspector / sockets", Section::General),
    n("payload", &[Char('v')], "v", Action::Payload, "payload as text / hex", Section::General),
    n(
        "scroll-call-up",
        &[Char('{')],
        "{ }",
        Action::ScrollDetail(-1),
        "scroll the call pane",
        Section::General,
    ),
    n("scroll-call-down", &[Char('}')], "", Action::ScrollDetail(1), "", Section::General),
    n("transcript", &[Char('H')], "H", Action::Transcript, "transcript: every call", Section::General),
    n("prompt", &[Char(':')], ":", Action::Prompt, "command prompt (Tab, ↑ ↓)", Section::General),
    n("help", &[Char('?')], "?", Action::Help, "this help", Section::General),
    n("quit", &[Char('q')], "q C-c", Action::Quit, "quit", Section::General),
];

/// After `p`: what the embedded peer should do.
pub const PEER: &[Binding] = &[
    b(&[Char('s')], "p s", Action::Ask("peer send \"\""), "peer sends text (asks)", Section::Socket),
    b(&[Char('p')], "p p", Action::Run(Command::Peer(PeerCmd::Pause)), "peer stops reading", Section::Socket),
    b(&[Char('r')], "p r", Action::Run(Command::Peer(PeerCmd::Resume)), "peer reads again", Section::Socket),
    b(&[Char('c')], "p c", Action::Run(Command::Peer(PeerCmd::Close)), "peer closes (FIN)", Section::Socket),
    b(&[Char('x')], "p x", Action::Run(Command::Peer(PeerCmd::Reset)), "peer resets (RST)", Section::Socket),
    b(
        &[Char('w')],
        "p w",
        Action::Run(Command::Peer(PeerCmd::ShutdownWr)),
        "peer shutdown wr (FIN)",
        Section::Socket,
    ),
    b(
        &[Char('n')],
        "p n",
        Action::Run(Command::Peer(PeerCmd::Connect(1))),
        "peer connects to listener",
        Section::Socket,
    ),
];

/// Words the `:` prompt takes as UI actions rather than commands.
pub const PROMPT: &[(&str, Action)] = &[("help", Action::Help), ("quit", Action::Quit), ("q", Action::Quit)];

/// The UI action a prompt line names (`:help`, `:q`, `:quit`), if any.
pub fn prompt_action(line: &str) -> Option<Action> {
    let line = line.trim();
    PROMPT.iter().find(|(w, _)| w.eq_ignore_ascii_case(line)).map(|(_, a)| a.clone())
}

/// What Tab offers at the prompt: the language's next words, and at the
/// start of a line the UI words too.
pub fn prompt_next(before: &[&str], socks: &[u32]) -> Vec<String> {
    let mut words = crate::command::complete::next_words(before, socks);
    if before.is_empty() {
        words.extend(PROMPT.iter().filter(|(w, _)| w.len() > 1).map(|(w, _)| w.to_string()));
    }
    words
}

/// Demo mode adds these, ahead of the main table (→ steps instead of
/// selecting, ← steps back). The digits answer only while a question is
/// on screen; otherwise they keep their meaning in the main table.
pub const DEMO: &[Binding] = &[
    b(&[Char(' '), Right], "Space →", Action::Step, "run the next step", Section::Demo),
    b(&[Backspace, Left], "Bksp ←", Action::Back, "step back (a re-run)", Section::Demo),
    b(&[Home], "Home", Action::Restart, "start over on fresh sockets", Section::Demo),
    b(&[Char('L')], "L", Action::Live, "live keys on / off", Section::Demo),
    b(ANSWERS, "1-6 0", Action::Answer, "the class's answer; 0: none", Section::Demo),
];

const ANSWERS: &[KeyCode] = &[
    Char('0'),
    Char('1'),
    Char('2'),
    Char('3'),
    Char('4'),
    Char('5'),
    Char('6'),
    Char('7'),
    Char('8'),
    Char('9'),
];

/// A replay adds these, ahead of the main table: it has no sockets, so
/// `n` and → step through the recording instead.
pub const REPLAY: &[Binding] = &[
    b(&[Char(' ')], "Space", Action::PlayPause, "play / pause", Section::Replay),
    b(&[Char('n'), Right], "n →", Action::StepEvent, "step to the next event", Section::Replay),
    b(&[Char('<')], "< >", Action::Speed(-1), "speed 0.25x … 4x", Section::Replay),
    b(&[Char('>')], "", Action::Speed(1), "", Section::Replay),
    b(&[Char('o')], "o", Action::Output, "a traced program's output", Section::Replay),
];

/// While the transcript is shown these come first: they move its cursor,
/// select lines and copy them. The other keys keep working (calls made
/// meanwhile appear at the bottom).
pub const TRANSCRIPT: &[Binding] = &[
    b(
        &[Up, Char('k')],
        "↑ ↓ k j",
        Action::Lines(Tx::Move(-1)),
        "move (up stops following)",
        Section::Transcript,
    ),
    b(&[Down, Char('j')], "", Action::Lines(Tx::Move(1)), "", Section::Transcript),
    b(
        &[PageUp, Char('[')],
        "PgUp PgDn",
        Action::Lines(Tx::Page(-1)),
        "a page up / down",
        Section::Transcript,
    ),
    b(&[PageDown, Char(']')], "", Action::Lines(Tx::Page(1)), "", Section::Transcript),
    b(&[Home], "Home End", Action::Lines(Tx::Top), "first line / follow live", Section::Transcript),
    b(&[End], "", Action::Lines(Tx::Follow), "", Section::Transcript),
    b(&[Char('V')], "V", Action::Lines(Tx::Mark), "mark: select from here", Section::Transcript),
    b(&[Char('K')], "K J S-↑↓", Action::Lines(Tx::Extend(-1)), "select while moving", Section::Transcript),
    b(&[Char('J')], "", Action::Lines(Tx::Extend(1)), "", Section::Transcript),
    b(&[Char('y')], "y", Action::Lines(Tx::Copy), "copy as Python (OSC 52)", Section::Transcript),
    b(&[Char('w')], "w", Action::Lines(Tx::Write), "write as Python to a file", Section::Transcript),
    b(&[Esc], "Esc", Action::Lines(Tx::Back), "unselect, then close", Section::Transcript),
];

/// Tracing adds these, ahead of the main table (its socket keys run
/// nothing: the sockets are the program's).
pub const TRACE: &[Binding] =
    &[b(&[Char('o')], "o", Action::Output, "the program's output (show / hide)", Section::Trace)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_a_table() {
        for table in [MAIN, PEER, DEMO, REPLAY, TRANSCRIPT, TRACE] {
            let mut seen = Vec::new();
            for k in table.iter().flat_map(|b| b.keys) {
                assert!(!seen.contains(k), "{k:?} bound twice");
                seen.push(*k);
            }
        }
    }

    #[test]
    fn every_config_action_names_a_binding() {
        for name in crate::config::ACTIONS {
            assert!(MAIN.iter().any(|b| b.name == Some(name)), "no binding for `{name}`");
        }
    }

    #[test]
    fn key_commands_read_as_lines_the_prompt_accepts() {
        for b in MAIN.iter().chain(PEER) {
            if let Action::Run(cmd) = &b.action {
                let line = cmd.to_string();
                assert_eq!(crate::command::parse_line(&line), Ok(Some(cmd.clone())), "`{line}`");
            }
        }
    }
}
