//! A replay file is data from anywhere: reading it never panics and never
//! quotes a raw control character, and a replay of whatever is accepted
//! never panics when stepped to the end, navigated and drawn.
//! Run: `cargo +nightly fuzz run replay_lines` (from the repository root).
//! Seeds: any recording (`sockscope run --record s.jsonl FILE`). Not run in CI;
//! tests/replay_props.rs checks the same with proptest.
#![no_main]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use libfuzzer_sys::fuzz_target;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockscope::lab::record;
use sockscope::tui;

fuzz_target!(|data: &[u8]| {
    let loaded = match record::load_from(data, "fuzz.jsonl") {
        Ok(l) => l,
        Err(e) => {
            let shown = e.to_string();
            assert!(!shown.chars().any(char::is_control), "{shown:?}");
            return;
        }
    };
    let n = loaded.events.len();
    let mut app = tui::replay_app("fuzz.jsonl", loaded.events, &tui::Options::default());
    let mut term = Terminal::new(TestBackend::new(100, 30)).expect("a test terminal");
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    for step in 0..=n {
        app.on_key(key(KeyCode::Char('n')));
        app.refresh();
        if step % 5 == 0 {
            app.on_key(key([KeyCode::Left, KeyCode::Up, KeyCode::Down, KeyCode::Tab][step / 5 % 4]));
            term.draw(|f| tui::ui::render(f, &app)).expect("draws");
        }
    }
});
