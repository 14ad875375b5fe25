//! The TUI boundary: text from a scenario file (narration, its source lines,
//! an error that quotes it) is drawn with every control, invisible and
//! width-changing character escaped. Drawn into a `TestBackend`, cell by cell.

mod tui_fixtures;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sockscope::command::parse_script;
use sockscope::escape::is_unsafe;
use sockscope::exec::Session;
use sockscope::tui::app::{App, Status};
use sockscope::tui::demo::Demo;
use sockscope::tui::theme::Theme;
use tui_fixtures::screen;

/// Characters that slipped past the old filter, and classic C1 controls.
const HOSTILE: &str = "LS\u{2028}PS\u{2029}SHY\u{ad}ALM\u{61c}MVS\u{180e}HF\u{3164}\u{115f}\u{1160}\u{ffa0}\
                       TAG\u{e0041}\u{e007f}RI\u{1f1e6}\u{1f1e8}VS\u{fe0f}CSI\u{9b}2J OSC\u{9d}0;t\u{9c}";

/// Every cell of the drawn screen, and the screen as text.
fn drawn(app: &App) -> String {
    let t = screen(app, 140, 40);
    let buf = t.backend().buffer();
    let mut text = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let sym = buf[(x, y)].symbol();
            if let Some(c) = sym.chars().find(|&c| is_unsafe(c)) {
                panic!("raw U+{:04X} drawn at ({x}, {y})", c as u32);
            }
            text.push_str(sym);
        }
        text.push('\n');
    }
    text
}

#[test]
fn narration_source_lines_and_errors_are_drawn_escaped() {
    let text = format!("say {HOSTILE}\nsay \"quoted {HOSTILE}\"\n");
    let script = parse_script(&text).expect("parses");
    let session = Session::start().expect("session");
    let rx = session.events();
    let mut app = App::live(session, Theme::default());
    app.start_demo(Demo::new("s", &text, script, false));
    let deadline = Instant::now() + Duration::from_secs(15);
    while !app.demo.as_ref().expect("demo").finished() {
        assert!(Instant::now() < deadline, "the demo never ends");
        app.on_key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE));
        while app.busy_until.is_some() {
            assert!(Instant::now() < deadline, "the executor never idles");
            if let Ok(ev) = rx.recv_timeout(Duration::from_millis(20)) {
                app.apply(ev);
            }
            app.tick();
        }
        app.refresh();
        let shown = drawn(&app);
        assert!(shown.contains("LS\\u{2028}PS"), "{shown}");
    }

    let _ = app.run_line(&format!("bogus{HOSTILE}"));
    let _ = app.run_line(&format!("open tcp [{HOSTILE}]:80"));
    assert!(matches!(app.status, Some(Status::Error(_))), "{:?}", app.status);
    drawn(&app);
}
