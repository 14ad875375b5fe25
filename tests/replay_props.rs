//! Property tests over replay files: real recordings, mutated (any value
//! swapped for a hostile one, lines dropped, repeated, swapped, cut, or
//! replaced by arbitrary text). Reading one never panics and never quotes
//! a raw control character; a replay of whatever is accepted never panics
//! when stepped to the end, navigated and drawn.

use std::io::Cursor;
use std::path::Path;
use std::sync::OnceLock;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use proptest::sample::Index;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use sockscope::headless::{Format, Options, run_file_with};
use sockscope::record::file::{self as record, MAX_NS};
use sockscope::tui::{self, replay_app};

/// Recordings of shipped scenarios, as lines: every kind of event there is.
fn bases() -> &'static [Vec<String>] {
    static BASES: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    BASES.get_or_init(|| {
        let scenarios = ["07-eof-reset-epipe", "09-udp-datagrams", "10-edge-triggered", "12-many-clients"];
        scenarios
            .iter()
            .map(|name| {
                let rec =
                    std::env::temp_dir().join(format!("sockscope-props-{}-{name}.jsonl", std::process::id()));
                let _ = std::fs::remove_file(&rec);
                let script = Path::new("assets/scenarios").join(format!("{name}.scenario"));
                let opts = Options { format: Format::Json, record: Some(rec.clone()) };
                assert_eq!(run_file_with(&script, &opts, &mut Vec::new(), &mut Vec::new()), 0, "{name}");
                let text = std::fs::read_to_string(&rec).expect("the recording");
                let _ = std::fs::remove_file(&rec);
                text.lines().map(str::to_string).collect()
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    /// The n-th leaf (number, string, bool, null) of a line becomes this.
    Leaf(Index, Index, Value),
    Drop(Index),
    Repeat(Index, Index),
    Swap(Index, Index),
    Cut(Index, Index),
    Raw(Index, String),
    /// From a line on, every stamp (and that line's call times) is this:
    /// later in the session than any real one, yet still in order.
    Late(Index, u64),
}

fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::from(0u64)),
        Just(Value::from(u64::MAX)),
        Just(Value::from(MAX_NS)),
        Just(Value::from(MAX_NS + 1)),
        (0..2_000_000_000u64).prop_map(Value::from),
        (0..MAX_NS).prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop_oneof![Just("inf"), Just("1e300"), Just("NaN"), Just("-1"), Just("0.5")]
            .prop_map(|x| Value::from(format!("client waits: c1 {x} ms, c2 3.0 ms"))),
        any::<String>().prop_map(Value::from),
        Just(Value::from("\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}\u{2028}")),
        Just(Value::from("Blocking")),
        Just(Value::from("Spin")),
        Just(Value::from("Summary")),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), any::<Index>(), hostile_value()).prop_map(|(l, n, v)| Mutation::Leaf(l, n, v)),
        1 => any::<Index>().prop_map(Mutation::Drop),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Repeat(a, b)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Cut(a, b)),
        1 => (any::<Index>(), any::<String>()).prop_map(|(a, s)| Mutation::Raw(a, s)),
        1 => (any::<Index>(), prop_oneof![Just(MAX_NS), Just(MAX_NS + 1), Just(u64::MAX - 1), Just(u64::MAX), any::<u64>()])
            .prop_map(|(a, t)| Mutation::Late(a, t)),
    ]
}

/// Every leaf of a JSON value, as a mutable reference.
fn leaves(v: &mut Value) -> Vec<&mut Value> {
    match v {
        Value::Array(a) => a.iter_mut().flat_map(leaves).collect(),
        Value::Object(o) => o.values_mut().flat_map(leaves).collect(),
        leaf => vec![leaf],
    }
}

fn apply(lines: &mut Vec<String>, m: &Mutation) {
    if lines.is_empty() {
        return;
    }
    let n = lines.len();
    match m {
        Mutation::Leaf(l, k, value) => {
            let i = l.index(n);
            let Ok(mut v) = serde_json::from_str::<Value>(&lines[i]) else { return };
            let mut all = leaves(&mut v);
            if !all.is_empty() {
                let j = k.index(all.len());
                *all[j] = value.clone();
            }
            lines[i] = v.to_string();
        }
        Mutation::Drop(l) => {
            lines.remove(l.index(n));
        }
        Mutation::Repeat(a, b) => {
            let line = lines[a.index(n)].clone();
            lines.insert(b.index(n + 1), line);
        }
        Mutation::Swap(a, b) => lines.swap(a.index(n), b.index(n)),
        Mutation::Cut(l, at) => {
            let i = l.index(n);
            let cut = at.index(lines[i].len() + 1);
            let end = (0..=cut).rev().find(|&k| lines[i].is_char_boundary(k)).unwrap_or(0);
            lines[i].truncate(end);
        }
        Mutation::Raw(l, text) => lines[l.index(n)] = text.clone(),
        Mutation::Late(l, t) => {
            let from = l.index(n);
            for (i, line) in lines.iter_mut().enumerate().skip(from) {
                let Ok(mut v) = serde_json::from_str::<Value>(line) else { continue };
                set_times(&mut v, *t, i == from);
                *line = v.to_string();
            }
        }
    }
}

/// Sets `t_ns` (and, when `calls`, every `start_ns` and `end_ns`) to `t`.
fn set_times(v: &mut Value, t: u64, calls: bool) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k == "t_ns" || (calls && (k == "start_ns" || (k == "end_ns" && !x.is_null()))) {
                    *x = Value::from(t);
                } else {
                    set_times(x, t, calls);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| set_times(x, t, calls)),
        _ => {}
    }
}

fn press(app: &mut tui::app::App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Steps a replay of `events` to the end, moving about and drawing as it goes.
fn replay_all(events: Vec<record::Stamped>) {
    let n = events.len();
    let mut app = replay_app("props.jsonl", events, &tui::Options::default());
    let mut term = Terminal::new(TestBackend::new(100, 30)).expect("a test terminal");
    let keys = [KeyCode::Left, KeyCode::Up, KeyCode::Down, KeyCode::Tab, KeyCode::Char('v')];
    for step in 0..=n {
        press(&mut app, KeyCode::Char('n'));
        app.refresh();
        if step % 7 == 0 {
            press(&mut app, keys[step % keys.len()]);
            term.draw(|f| tui::ui::render(f, &app)).expect("draws");
        }
    }
    assert!(app.player().expect("a replay").finished());
    for code in
        [KeyCode::Char('-'), KeyCode::Char('['), KeyCode::Char('i'), KeyCode::Left, KeyCode::Char('+')]
    {
        press(&mut app, code);
        app.refresh();
        term.draw(|f| tui::ui::render(f, &app)).expect("draws");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_replay_file_reads_safely_and_replays_without_panic(
        base in 0..4usize,
        mutations in prop::collection::vec(mutation(), 0..5),
        newline_at_end in any::<bool>(),
    ) {
        let mut lines = bases()[base].clone();
        for m in &mutations {
            apply(&mut lines, m);
        }
        let mut text = lines.join("\n");
        if newline_at_end {
            text.push('\n');
        }
        match record::load_from(Cursor::new(text.into_bytes()), "props.jsonl") {
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(!shown.chars().any(char::is_control), "raw control character in {:?}", shown);
            }
            Ok(loaded) => replay_all(loaded.events),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_reader(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Err(e) = record::load_from(Cursor::new(bytes), "props.jsonl") {
            prop_assert!(!e.to_string().chars().any(char::is_control), "{:?}", e.to_string());
        }
    }
}
