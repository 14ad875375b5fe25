//! The call pane follows the call whose state changed last on our side
//! (it ended, began blocking, or set a mode), not the one issued last; a
//! call the user selects stays selected while new calls arrive, until Esc.
//! Live sessions on loopback, driven by keys.

mod tui_live_util;

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use sockscope::command::parse_script;
use sockscope::record::{Lane, Op, Outcome, PyMode};
use sockscope::tui::app::App;
use sockscope::tui::demo::Demo;
use sockscope::tui::ui;
use tui_live_util::*;

fn shown(app: &App) -> Option<(Op, String)> {
    app.shown_call().map(|c| (c.op, c.label()))
}

/// The call pane's text at 120×36, row by row.
fn detail_text(app: &App) -> String {
    let area = Rect::new(0, 0, 120, 36);
    let mut t = Terminal::new(TestBackend::new(area.width, area.height)).unwrap();
    t.draw(|f| ui::render(f, app)).unwrap();
    let d = ui::layout(area, app).detail;
    let buf = t.backend().buffer();
    (d.y..d.bottom())
        .map(|y| (d.x..d.right()).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `r`, `b`, `p s late"`: the recv that blocked before the mode change
/// returns after it, and it is the call explained, not the mode change.
#[test]
fn a_recv_that_returns_after_a_mode_change_is_the_call_shown() {
    let (mut app, rx) = started();
    chars(&mut app, "r");
    until(&mut app, &rx, "the recv blocks", |a| shown(a) == Some((Op::Recv, "blocking".into())));
    chars(&mut app, "b");
    until(&mut app, &rx, "non-blocking", |a| {
        a.current_socket().is_some_and(|s| s.mode.py == PyMode::NonBlocking)
    });
    assert_eq!(shown(&app).map(|s| s.0), Some(Op::Nonblocking), "the mode change is the latest change");
    chars(&mut app, "ps");
    chars(&mut app, "late\"");
    key(&mut app, KeyCode::Enter);
    until(&mut app, &rx, "the recv returns", |a| shown(a) == Some((Op::Recv, "data 4".into())));
    idle(&mut app, &rx);
    assert_eq!(
        last_on(&app, Lane::Sock(1)).map(|c| c.0),
        Some(Op::Nonblocking),
        "issued last: the mode change"
    );
    let text = detail_text(&app);
    assert!(text.contains("latest call") && text.contains("#1 recv 1024 → data 4"), "{text}");
    assert!(text.contains("b'late'"), "{text}");
}

/// `r`, `b`, `p x`: the peer's reset comes after our mode change and
/// before our recv returns with ECONNRESET; ours is the call explained.
#[test]
fn a_recv_reset_by_the_peer_is_explained_rather_than_the_reset() {
    let (mut app, rx) = started();
    chars(&mut app, "r");
    until(&mut app, &rx, "the recv blocks", |a| shown(a) == Some((Op::Recv, "blocking".into())));
    chars(&mut app, "b");
    until(&mut app, &rx, "non-blocking", |a| {
        a.current_socket().is_some_and(|s| s.mode.py == PyMode::NonBlocking)
    });
    chars(&mut app, "px");
    until(&mut app, &rx, "the reset", |a| last_on(a, Lane::Peer).is_some_and(|c| c.0 == Op::PeerReset));
    until(&mut app, &rx, "ECONNRESET", |a| shown(a) == Some((Op::Recv, "error ECONNRESET".into())));
    idle(&mut app, &rx);
    let text = detail_text(&app);
    assert!(text.contains("#1 recv 1024 → error ECONNRESET"), "{text}");
    assert!(text.contains("ConnectionResetError") && text.contains("RST"), "{text}");
}

/// Demo 08 at its key moment: the step `peer send "late"` releases the
/// recv blocked since before the mode change; the pane shows that recv.
#[test]
fn demo_08_shows_the_released_recv_at_its_key_moment() {
    let path = "assets/scenarios/08-mode-change-while-blocked.scenario";
    let text = std::fs::read_to_string(path).unwrap();
    let (mut app, rx) = live();
    app.start_demo(Demo::new("08", &text, parse_script(&text).unwrap(), false));
    let mut steps = 0;
    let late_is_next =
        |a: &App| a.demo.as_ref().unwrap().next_lines().iter().any(|(_, l)| *l == "peer send \"late\"");
    while !late_is_next(&app) {
        key(&mut app, KeyCode::Char(' '));
        idle(&mut app, &rx);
        steps += 1;
        assert!(steps < 20, "no `peer send \"late\"` step");
    }
    assert_eq!(shown(&app).map(|s| s.0), Some(Op::Nonblocking), "before it: the mode change");
    key(&mut app, KeyCode::Char(' '));
    idle(&mut app, &rx);
    assert_eq!(shown(&app), Some((Op::Recv, "data 4".into())));
    let text = detail_text(&app);
    assert!(text.contains("#1 recv 1024 → data 4"), "{text}");
}

/// A selected call stays selected (and shown) while calls begin and end
/// on its lane and others; Esc lets the pane follow again.
#[test]
fn a_selected_call_stays_while_new_calls_arrive() {
    let (mut app, rx) = started();
    app.run_line("peer send \"one\"").unwrap();
    idle(&mut app, &rx);
    chars(&mut app, "r");
    until(&mut app, &rx, "data 3", |a| shown(a) == Some((Op::Recv, "data 3".into())));
    // The first selection key selects the call shown, where it is.
    key(&mut app, KeyCode::Left);
    let picked = app.view.selected.expect("a selection");
    assert_eq!(shown(&app), Some((Op::Recv, "data 3".into())));
    chars(&mut app, "r");
    until(&mut app, &rx, "a second recv blocks", |a| {
        last_on(a, Lane::Sock(1)) == Some((Op::Recv, Outcome::Blocking))
    });
    chars(&mut app, "n");
    until(&mut app, &rx, "#2", |a| a.current() == Some(2));
    app.run_line("use 1").unwrap();
    app.run_line("peer send \"second\"").unwrap();
    until(&mut app, &rx, "the second recv returns", |a| {
        last_on(a, Lane::Sock(1)) == Some((Op::Recv, Outcome::Data))
    });
    idle(&mut app, &rx);
    assert_eq!(app.view.selected, Some(picked), "new calls do not move the selection");
    assert_eq!(app.shown_index(), Some(picked));
    let text = detail_text(&app);
    assert!(text.contains("selected call") && text.contains("b'one'"), "{text}");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.view.selected, None);
    assert_eq!(shown(&app), Some((Op::Recv, "data 6".into())), "Esc: the pane follows again");
    assert!(detail_text(&app).contains("latest call"));
}
