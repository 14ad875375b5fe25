//! Snapshots of each pane and of the whole screen in key states, drawn from
//! fixed records (fixed times, ports and fds), so they are deterministic.

mod tui_fixtures;

use insta::assert_snapshot;
use sockscope::command::parse_script;
use sockscope::record::{Lane, PyMode};
use sockscope::tui::app::{App, Status};
use sockscope::tui::demo::Demo;
use sockscope::tui::panes;
use sockscope::tui::theme::Theme;
use tui_fixtures::*;

#[test]
fn screen_first() {
    assert_snapshot!(screen(&first_screen(), 100, 30).backend());
}

#[test]
fn screen_first_80x24() {
    assert_snapshot!(screen(&first_screen(), 80, 24).backend());
}

#[test]
fn screen_too_small() {
    assert_snapshot!(screen(&first_screen(), 60, 20).backend());
}

#[test]
fn screen_wouldblock() {
    assert_snapshot!(screen(&wouldblock(), 100, 30).backend());
}

#[test]
fn screen_blocking() {
    assert_snapshot!(screen(&blocking(), 100, 30).backend());
}

#[test]
fn screen_help() {
    let mut a = first_screen();
    a.help = true;
    assert_snapshot!(screen(&a, 100, 30).backend());
}

#[test]
fn screen_help_80x24() {
    let mut a = first_screen();
    a.help = true;
    assert_snapshot!(screen(&a, 80, 24).backend());
}

#[test]
fn screen_demo() {
    let text =
        "say Nothing is queued: a non-blocking recv cannot wait.\nnonblocking\nrecv\nexpect wouldblock\n";
    let demo = Demo::new("02-demo.scenario", text, parse_script(text).unwrap(), false);
    let mut a = first_screen();
    a.demo = Some(demo);
    assert_snapshot!(screen(&a, 100, 30).backend());
}

#[test]
fn screen_prompt_error() {
    let mut a = first_screen();
    a.prompt.start("rcev");
    a.prompt_open = true;
    a.status = Some(Status::Error("col 1: unknown command `rcev`: did you mean `recv`?".into()));
    assert_snapshot!(screen(&a, 100, 30).backend());
}

#[test]
fn pane_sockets() {
    let mut two = sock(PyMode::Timeout(std::time::Duration::ZERO), true, 12);
    two.info.id = 2;
    two.mode.rcvtimeo = Some(std::time::Duration::ZERO);
    let mut closed = sock(PyMode::Blocking, false, 0);
    closed.info.id = 3;
    closed.closed = true;
    let a = app_with(wouldblock_record(), vec![sock(PyMode::NonBlocking, true, 0), two, closed], 3_000 * MS);
    assert_snapshot!(pane(&a, 44, 14, panes::sockets::render).backend());
}

#[test]
fn pane_timeline_blocking() {
    assert_snapshot!(pane(&blocking(), 60, 8, panes::timeline::render).backend());
}

#[test]
fn pane_timeline_completed_selected() {
    let mut a = app(completed(), sock(PyMode::Blocking, false, 0), 2_500 * MS);
    a.view.selected = Some(1);
    assert_snapshot!(pane(&a, 60, 8, panes::timeline::render).backend());
}

#[test]
fn pane_detail_escapes_payload() {
    let a = app(completed(), sock(PyMode::Blocking, false, 0), 2_500 * MS);
    let t = pane(&a, 44, 10, panes::detail::render);
    let text = format!("{}", t.backend());
    assert!(!text.contains('\x1b'), "raw escape reached the screen");
    assert_snapshot!(t.backend());
}

#[test]
fn pane_detail_mode_change_shows_kernel() {
    let mut a = wouldblock();
    a.view.selected = Some(1);
    assert_snapshot!(pane(&a, 44, 10, panes::detail::render).backend());
}

#[test]
fn pane_demo() {
    let text =
        "open tcp\nsay The peer sends five bytes.\nsay Watch the recv return them.\npeer send \"hello\"\n";
    let mut demo = Demo::new("x.scenario", text, parse_script(text).unwrap(), false);
    demo.advance();
    let mut a = first_screen();
    a.demo = Some(demo);
    assert_snapshot!(pane(&a, 80, 5, panes::demo::render).backend());
}

/// Styles matter here: the selection must stay visible without colours.
#[test]
fn timeline_no_color_keeps_reverse() {
    let mut a = app(completed(), sock(PyMode::Blocking, false, 0), 2_500 * MS);
    a.theme = Theme::MONO;
    a.view.selected = Some(1);
    let t = pane(&a, 40, 6, panes::timeline::render);
    let buf = t.backend().buffer();
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset)
    );
    assert!(buf.content().iter().any(|c| c.modifier.contains(ratatui::style::Modifier::REVERSED)));
    assert_snapshot!(format!("{buf:?}"));
}

#[test]
fn ascii_glyphs() {
    let mut a = app(completed(), sock(PyMode::Blocking, false, 0), 2_500 * MS);
    a.theme = Theme { ascii: true, ..Theme::DEFAULT };
    assert_snapshot!(pane(&a, 60, 8, panes::timeline::render).backend());
}

// Mouse: hit-testing uses the same layout as drawing.

fn click(app: &mut App, kind: crossterm::event::MouseEventKind, column: u16, row: u16) {
    use crossterm::event::{KeyModifiers, MouseEvent};
    app.on_mouse(MouseEvent { kind, column, row, modifiers: KeyModifiers::NONE });
}

#[test]
fn click_selects_a_call_and_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEventKind};
    let mut a = app(completed(), sock(PyMode::Blocking, false, 0), 2_500 * MS);
    a.size = ratatui::layout::Rect::new(0, 0, 100, 30);
    let t = screen(&a, 100, 30);
    // Find the peer's ▲ on screen and click it.
    let buf = t.backend().buffer();
    let at = buf.content().iter().position(|c| c.symbol() == "▲").expect("peer glyph drawn");
    let (x, y) = ((at % 100) as u16, (at / 100) as u16);
    click(&mut a, MouseEventKind::Down(MouseButton::Left), x, y);
    assert_eq!(a.view.selected, Some(2), "the peer's send is record 2");
    assert_eq!(a.shown_call().unwrap().lane, Lane::Peer);
    click(&mut a, MouseEventKind::ScrollUp, x, y);
    assert!(!a.view.follow, "the wheel pauses and scrolls back");
}

#[test]
fn keyboard_selection_walks_calls_and_lanes() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut a = app(completed(), sock(PyMode::Blocking, false, 0), 2_500 * MS);
    let press = |a: &mut App, code| a.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    press(&mut a, KeyCode::Left);
    assert_eq!(a.view.selected, Some(1), "starts at the newest call on the current socket");
    press(&mut a, KeyCode::Char('h'));
    assert_eq!(a.view.selected, Some(0));
    press(&mut a, KeyCode::Char('j'));
    assert_eq!(a.shown_call().unwrap().lane, Lane::Peer);
    press(&mut a, KeyCode::Char('k'));
    assert_eq!(a.shown_call().unwrap().lane, Lane::Sock(1));
    press(&mut a, KeyCode::Char('-'));
    press(&mut a, KeyCode::Char('['));
    assert!(!a.view.follow, "scrolling back pauses");
    press(&mut a, KeyCode::Char('f'));
    assert!(a.view.follow && a.view.selected.is_none(), "f follows live again");
    press(&mut a, KeyCode::Char('f'));
    assert!(!a.view.follow);
}
