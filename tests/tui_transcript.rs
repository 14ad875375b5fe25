//! The transcript (`H`): every call in order, one line each, scrolled and
//! following, and its lines copied as Python. Drawn from a fixed record
//! (fixed times, ports and fds), so the screens are deterministic.

mod tui_fixtures;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;
use sockscope::record::{
    Arg, Call, CallEnd, Event, KernelView, Lane, Mode, Op, Outcome, PyMode, Record, TimeoutBy,
};
use sockscope::tui::app::App;
use tui_fixtures::*;

const S: u64 = 1_000 * MS;

fn mode(py: PyMode) -> Mode {
    Mode { py, ..Mode::default() }
}

/// One finished record.
#[allow(clippy::too_many_arguments)]
fn done(seq: u64, lane: Lane, op: Op, arg: Arg, m: Mode, start: u64, took: u64, o: Outcome) -> Call {
    let mut c = call(seq, lane, op, start, Some(start + took), o);
    c.arg = arg;
    c.mode = m;
    c
}

fn payload(c: &mut Call, bytes: &[u8]) {
    c.bytes = Some(bytes.len() as u64);
    c.preview = Some(bytes.to_vec().into());
}

fn kernel(c: &mut Call, nonblock: bool, rcvtimeo_us: u64) {
    c.kernel = Some(KernelView { nonblock, rcvtimeo_us, sndtimeo_us: 0 });
}

/// The mode #1 is left in at the end of [`session`].
fn rcvtimeo() -> Mode {
    Mode { py: PyMode::Blocking, rcvtimeo: Some(Duration::from_millis(300)), sndtimeo: None }
}

/// A session with a bit of everything: set-up, mode changes and their
/// kernel read-backs, EAGAIN, a blocking recv the peer's send released,
/// narration, both kinds of timeout, a send the peer read, a reset, and a
/// recv still blocked on a second socket.
fn session() -> Record {
    use Lane::{Peer, Script, Sock};
    let mut r = opened();
    let (nb, bl, rt) = (mode(PyMode::NonBlocking), mode(PyMode::Blocking), rcvtimeo());
    let t = mode(PyMode::Timeout(Duration::from_millis(200)));
    let say = |t: &str| Arg::Note(t.into());
    let mut calls = Vec::new();
    calls.push(done(2, Script, Op::Say, say("A non-blocking recv never waits."), bl, S / 2, 0, Outcome::Ok));
    let mut c = done(3, Sock(1), Op::Nonblocking, Arg::None, nb, S, 9_000, Outcome::Ok);
    kernel(&mut c, true, 0);
    calls.push(c);
    let mut c = done(4, Sock(1), Op::Recv, Arg::Size(1024), nb, 2 * S, 12_000, Outcome::WouldBlock);
    c.errno = libc::EAGAIN;
    calls.push(c);
    let mut c = done(5, Sock(1), Op::Blocking, Arg::None, bl, 3 * S, 8_000, Outcome::Ok);
    kernel(&mut c, false, 0);
    calls.push(c);
    for c in calls.drain(..) {
        r.apply(&Event::Instant(c));
    }
    // A blocking recv, released 2.1 s later by the peer's send.
    let mut c = call(6, Sock(1), Op::Recv, 4 * S, None, Outcome::Blocking);
    c.arg = Arg::Size(1024);
    c.mode = bl;
    r.apply(&Event::Begin(c));
    let said = "The peer sends; the blocked recv returns.";
    calls.push(done(7, Script, Op::Say, say(said), bl, 6 * S, 0, Outcome::Ok));
    let mut c = done(8, Peer, Op::PeerSend, Arg::Text(12), bl, 6 * S + 100 * MS, 40_000, Outcome::Sent);
    payload(&mut c, b"hello\x1b[2J\r\n!");
    calls.push(c);
    for c in calls.drain(..) {
        r.apply(&Event::Instant(c));
    }
    r.apply(&Event::End(CallEnd {
        seq: 6,
        lane: Sock(1),
        end_ns: 6 * S + 100 * MS + 90_000,
        outcome: Outcome::Data,
        errno: 0,
        bytes: Some(12),
        preview: Some(b"hello\x1b[2J\r\n!".to_vec().into()),
        arg: None,
        traced: None,
    }));
    let mut c =
        done(9, Sock(1), Op::Timeout, Arg::Secs(Duration::from_millis(200)), t, 7 * S, 7_000, Outcome::Ok);
    kernel(&mut c, true, 0);
    calls.push(c);
    let o = Outcome::Timeout(TimeoutBy::Poll);
    calls.push(done(10, Sock(1), Op::Recv, Arg::Size(1024), t, 8 * S, 200_400_000, o));
    let mut c =
        done(11, Sock(1), Op::RcvTimeo, Arg::Secs(Duration::from_millis(300)), rt, 9 * S, 6_000, Outcome::Ok);
    kernel(&mut c, false, 300_000);
    calls.push(c);
    let o = Outcome::Timeout(TimeoutBy::RcvTimeo);
    let mut c = done(12, Sock(1), Op::Recv, Arg::Size(1024), rt, 10 * S, 304_000_000, o);
    c.errno = libc::EAGAIN;
    calls.push(c);
    let mut c = done(13, Sock(1), Op::Send, Arg::Text(4), rt, 11 * S, 30_000, Outcome::Sent);
    payload(&mut c, b"ping");
    calls.push(c);
    let mut c = done(14, Peer, Op::PeerRecv, Arg::Size(65536), bl, 11 * S + 50_000, 20_000, Outcome::Data);
    payload(&mut c, b"ping");
    calls.push(c);
    calls.push(done(15, Peer, Op::PeerReset, Arg::None, bl, 12 * S, 50_000, Outcome::Ok));
    let mut c = done(16, Sock(1), Op::Recv, Arg::Size(1024), rt, 13 * S, 15_000, Outcome::Error);
    c.errno = libc::ECONNRESET;
    calls.push(c);
    calls.push(done(17, Sock(1), Op::Recv, Arg::Size(1024), rt, 14 * S, 11_000, Outcome::Eof));
    let mut c = done(18, Sock(1), Op::Send, Arg::Text(5), rt, 14 * S + 500 * MS, 14_000, Outcome::Error);
    payload(&mut c, b"again");
    c.errno = libc::EPIPE;
    calls.push(c);
    calls.push(done(19, Sock(1), Op::Close, Arg::None, rt, 14 * S + 800 * MS, 9_000, Outcome::Ok));
    for c in calls.drain(..) {
        r.apply(&Event::Instant(c));
    }
    // A listener, non-blocking: nothing to accept until the peer connects.
    let mut three = sock(PyMode::Blocking, false, 0).info;
    three.id = 3;
    three.fd = 7;
    three.kind = sockscope::record::SockKind::TcpListener;
    three.local = addr("127.0.0.1:51003");
    three.remote = None;
    r.apply(&Event::Socket(three));
    let at = "127.0.0.1:51003".parse().unwrap();
    calls.push(done(20, Sock(3), Op::Listen, Arg::Addr(at), bl, 15 * S, 60_000, Outcome::Ok));
    let mut c = done(21, Sock(3), Op::Nonblocking, Arg::None, nb, 15 * S + 300 * MS, 8_000, Outcome::Ok);
    kernel(&mut c, true, 0);
    calls.push(c);
    let mut c = done(22, Sock(3), Op::Accept, Arg::None, nb, 15 * S + 600 * MS, 10_000, Outcome::WouldBlock);
    c.errno = libc::EAGAIN;
    calls.push(c);
    calls.push(done(23, Peer, Op::PeerConnect, Arg::Addr(at), bl, 16 * S, 90_000, Outcome::Connected));
    calls.push(done(24, Sock(3), Op::Accept, Arg::None, nb, 16 * S + 400 * MS, 20_000, Outcome::Accepted(4)));
    for c in calls.drain(..) {
        r.apply(&Event::Instant(c));
    }
    // A second socket, its recv still in the kernel.
    let mut two = sock(PyMode::Blocking, false, 0).info;
    two.id = 2;
    two.fd = 6;
    two.local = addr("127.0.0.1:51002");
    r.apply(&Event::Socket(two));
    let mut o = done(25, Sock(2), Op::Open, Arg::None, bl, 17 * S, 110_000, Outcome::Connected);
    o.arg = Arg::Proto(sockscope::command::Proto::Tcp, addr(PEER));
    r.apply(&Event::Instant(o));
    let mut b = call(26, Sock(2), Op::Recv, 18 * S, None, Outcome::Blocking);
    b.arg = Arg::Size(1024);
    r.apply(&Event::Begin(b));
    r
}

fn transcript_app() -> App {
    let mut row = sock(PyMode::Blocking, false, 0);
    row.mode = rcvtimeo();
    let mut a = app(session(), row, 19_310 * MS);
    a.on_key(key('H'));
    a
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), if c.is_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE })
}

fn press(a: &mut App, code: KeyCode, n: usize) {
    for _ in 0..n {
        a.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

#[test]
fn transcript_following_80x24() {
    let mut a = transcript_app();
    a.size = ratatui::layout::Rect::new(0, 0, 80, 24);
    assert_snapshot!(screen(&a, 80, 24).backend());
}

#[test]
fn transcript_following_120x36() {
    let mut a = transcript_app();
    a.size = ratatui::layout::Rect::new(0, 0, 120, 36);
    assert_snapshot!(screen(&a, 120, 36).backend());
}

/// Scrolled back to the top, then three lines selected (the blocking recv,
/// the narration and the peer's send that released it).
fn scrolled(w: u16, h: u16) -> App {
    let mut a = transcript_app();
    a.size = ratatui::layout::Rect::new(0, 0, w, h);
    press(&mut a, KeyCode::PageUp, 3);
    press(&mut a, KeyCode::Down, 5);
    a.on_key(key('V'));
    press(&mut a, KeyCode::Down, 2);
    a
}

#[test]
fn transcript_scrolled_selected_80x24() {
    let a = scrolled(80, 24);
    assert!(!a.transcript.following);
    assert_snapshot!(screen(&a, 80, 24).backend());
}

#[test]
fn transcript_scrolled_selected_120x36() {
    assert_snapshot!(screen(&scrolled(120, 36), 120, 36).backend());
}

#[test]
fn transcript_help_80x24() {
    let mut a = transcript_app();
    a.on_key(key('?'));
    assert_snapshot!(screen(&a, 80, 24).backend());
}

#[test]
fn the_selection_copies_as_python_through_osc52() {
    let mut a = scrolled(80, 24);
    a.on_key(key('y'));
    let status = format!("{:?}", a.status);
    assert!(status.contains("copied 3 lines as Python to the clipboard (OSC 52)"), "{status}");
    let [seq] = a.to_terminal.as_slice() else { panic!("one sequence: {:?}", a.to_terminal) };
    let body = seq.strip_prefix("\x1b]52;c;").and_then(|s| s.strip_suffix('\x07')).expect("an OSC 52");
    use base64::Engine;
    let text = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(body).unwrap()).unwrap();
    assert_snapshot!(text);
    assert!(!text.chars().any(|c| c != '\n' && sockscope::escape::is_unsafe(c)), "{text:?}");
}

#[test]
fn the_whole_session_copies_as_python() {
    let mut a = transcript_app();
    press(&mut a, KeyCode::Home, 1);
    a.on_key(key('V'));
    press(&mut a, KeyCode::End, 1);
    let len = a.timeline().len();
    let sel = a.transcript.selection(len).unwrap();
    assert_eq!(sel, 0..=len - 1);
    let text = sockscope::tui::transcript::python::python(a.record(), a.timeline().calls().iter()).join("\n");
    assert_snapshot!(text);
}

#[test]
fn new_calls_follow_at_the_bottom_until_scrolled_up() {
    let mut a = transcript_app();
    let len = a.timeline().len();
    assert_eq!(a.transcript.cursor(len), Some(len - 1));
    press(&mut a, KeyCode::Up, 1);
    assert!(!a.transcript.following);
    assert_eq!(a.transcript.cursor(len + 5), Some(len - 2), "a paused cursor stays on its line");
    assert_eq!(a.view.selected, Some(len - 2), "the call pane explains the line under the cursor");
    press(&mut a, KeyCode::End, 1);
    assert!(a.transcript.following);
    assert_eq!(a.transcript.cursor(len + 5), Some(len + 4));
    // Esc drops a range first, then closes.
    a.on_key(key('V'));
    press(&mut a, KeyCode::Esc, 1);
    assert!(a.transcript.open && a.transcript.anchor.is_none());
    press(&mut a, KeyCode::Esc, 1);
    assert!(!a.transcript.open);
}

#[test]
fn shift_arrows_select_while_moving() {
    let mut a = transcript_app();
    for _ in 0..3 {
        a.on_key(KeyEvent::new(KeyCode::Up, KeyModifiers::SHIFT));
    }
    let len = a.timeline().len();
    assert_eq!(a.transcript.selection(len), Some(len - 4..=len - 1));
}

#[test]
fn the_file_key_writes_the_lines() {
    let mut a = scrolled(80, 24);
    a.on_key(key('w'));
    let Some(sockscope::tui::app::Status::Info(s)) = &a.status else { panic!("{:?}", a.status) };
    let path = s.strip_prefix("wrote 3 lines as Python to ").expect(s);
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::remove_file(path).unwrap();
    assert!(
        text.starts_with("data = sock.recv(1024)  # → b'hello\\x1b[2J\\r\\n!'  (after 2.10 s)\n"),
        "{text}"
    );
    assert!(a.to_terminal.is_empty());
}

/// Styles matter here: without colours (the mono theme) the cursor's line
/// is reversed and the range is bold, so both stay visible.
#[test]
fn the_cursor_and_the_range_show_without_colour() {
    let mut a = scrolled(80, 24);
    a.theme = sockscope::tui::theme::Theme::MONO;
    let t = screen(&a, 80, 24);
    let buf = t.backend().buffer();
    let row_has = |y: u16, m: ratatui::style::Modifier| (1..79).all(|x| buf[(x, y)].modifier.contains(m));
    // Rows: frame, header, then lines from the first: the cursor is on line 8.
    assert!(row_has(9, ratatui::style::Modifier::REVERSED), "the cursor's line is reversed");
    assert!(row_has(7, ratatui::style::Modifier::BOLD) && row_has(8, ratatui::style::Modifier::BOLD));
    assert!(!row_has(6, ratatui::style::Modifier::BOLD), "a line outside the range is not");
}

#[test]
fn the_config_can_send_copies_to_a_file() {
    let mut a = scrolled(80, 24);
    a.copy = sockscope::config::CopyTo::File;
    a.on_key(key('y'));
    let Some(sockscope::tui::app::Status::Info(s)) = &a.status else { panic!("{:?}", a.status) };
    let path = s.strip_prefix("wrote 3 lines as Python to ").expect(s);
    std::fs::remove_file(path).unwrap();
    assert!(a.to_terminal.is_empty(), "no OSC 52 when the config says file");
}
