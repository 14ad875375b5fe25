//! The timeline never loses an outcome: every glyph has its label (or is
//! part of a group whose label says what it holds), a crowded cell shows
//! its count and most important label and lists its calls when selected,
//! idle stretches are compressed while following, `+` zooms in, `-` out
//! and `z` fits. Each screen at 80×24 and 120×36, from fixed records.

mod tui_fixtures;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sockscope::record::file::Stamped;
use sockscope::record::{Event, Lane, Op, Outcome};
use sockscope::tui::app::App;
use sockscope::tui::panes::lane::LaneLayout;
use sockscope::tui::panes::timeline;
use sockscope::tui::ui;
use sockscope::tui::view::Scale;
use tui_fixtures::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 36)];

fn text_of(buf: &Buffer) -> String {
    buf.content().iter().map(|c| c.symbol()).collect()
}

fn key(a: &mut App, code: KeyCode) {
    a.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// The screen at both sizes, snapshotted, each checked for bare glyphs;
/// returns the text of each.
fn both(name: &str, a: &App) -> [String; 2] {
    SIZES.map(|(w, h)| {
        every_glyph_is_labelled(a, w, h);
        let t = screen(a, w, h);
        assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
        text_of(t.backend().buffer())
    })
}

/// Each glyph on each lane drawn is spoken for by a label.
fn every_glyph_is_labelled(a: &App, w: u16, h: u16) {
    let area = ui::layout(Rect::new(0, 0, w, h), a).timeline;
    let g = timeline::geometry(area, &a.lanes(), a.focus_lane());
    let win = timeline::window(area, a);
    for &(lane, _) in &g.rows {
        let l = LaneLayout::new(a.timeline(), lane, win, a.now_ns, a.view.selected, g.gap > 1);
        for (k, m) in l.cells.marks.iter().enumerate() {
            let spoken = l.labels.iter().any(|label| label.marks.contains(&k));
            assert!(spoken, "{w}x{h}, lane {lane}: the glyph at column {} has no label", m.cell);
        }
    }
}

#[test]
fn a_reset_keeps_its_label() {
    for text in both("reset", &reset()) {
        assert!(text.contains("error ECONNRESET"), "{text}");
        assert!(text.contains("EPIPE") && text.contains("◆ reset"), "{text}");
    }
}

#[test]
fn a_kernel_timer_says_it_was_the_kernel_timer() {
    for text in both("rcvtimeo", &rcvtimeo()) {
        assert!(text.contains("SO_RCVTIMEO"), "{text}");
    }
}

#[test]
fn partial_sends_are_named_or_counted() {
    let [small, big] = both("partial", &partial());
    assert!(small.contains("wouldblock (+3)") && small.contains("╰nonblocking"), "{small}");
    assert!(big.contains("wouldblock, partial ×2, sent"), "{big}");
}

#[test]
fn several_mode_changes_are_each_named() {
    let [small, big] = both("modes", &modes());
    assert!(small.contains("╰nonblocking, blocking") && small.contains("(+2)"), "{small}");
    assert!(
        big.contains("╰nonblocking, blocking, timeout 0.2, timeout") && big.contains("◆ rcvtimeo 1"),
        "{big}"
    );
}

#[test]
fn a_crowded_cell_counts_its_calls_and_lists_them_when_selected() {
    let mut a = crowded();
    for text in both("crowded", &a) {
        assert!(text.contains("ECONNRESET (+2)"), "the most important of three: {text}");
    }
    // ← starts at the newest call (the reset recv), ← again steps back
    // within the cell to `blocking`.
    key(&mut a, KeyCode::Left);
    key(&mut a, KeyCode::Left);
    let sel = a.shown_call().expect("a selection");
    assert_eq!((sel.op, sel.outcome), (Op::Blocking, Outcome::Ok));
    for text in both("crowded_selected", &a) {
        assert!(text.contains("2 of 3 in this cell"), "{text}");
        assert!(text.contains("W wouldblock") && text.contains("◆ blocking"), "{text}");
    }
    key(&mut a, KeyCode::Left);
    assert!(text_of(screen(&a, 120, 36).backend().buffer()).contains("1 of 3 in this cell"));
}

#[test]
fn an_idle_stretch_is_compressed_while_following() {
    let mut a = idle();
    for text in both("idle", &a) {
        assert!(text.contains("s idle"), "the band says how long: {text}");
        assert!(text.contains("● data 5") && text.contains("▲ sent 5"), "the last calls stay: {text}");
    }
    // Paused, the view is to scale again: seven idle seconds leave the lanes empty.
    a.size = Rect::new(0, 0, 120, 36);
    key(&mut a, KeyCode::Char('f'));
    let paused = text_of(pane(&a, 72, 34, timeline::render).backend().buffer());
    assert!(!paused.contains("data 5") && !paused.contains("idle"), "{paused}");
}

#[test]
fn a_blocked_call_through_an_idle_band_keeps_its_elapsed_time() {
    for text in both("idle_blocked", &idle_blocked()) {
        assert!(text.contains("blocking 7s"), "its live elapsed time: {text}");
        assert!(text.contains('╍'), "dashed where it crosses the band: {text}");
    }
}

#[test]
fn plus_zooms_in_minus_out_and_z_fits() {
    let mut a = long_session();
    let npc = |a: &App| timeline::window(ui::layout(Rect::new(0, 0, 120, 36), a).timeline, a).ns_per_cell();
    let start = npc(&a);
    key(&mut a, KeyCode::Char('+'));
    assert!(npc(&a) < start, "+ zooms in");
    key(&mut a, KeyCode::Char('-'));
    key(&mut a, KeyCode::Char('-'));
    assert!(npc(&a) > start, "- zooms out");
    key(&mut a, KeyCode::Char('z'));
    assert!(matches!(a.view.scale(), Scale::Fit(_)));
    for text in both("fit", &a) {
        assert!(text.contains("(fit)") && text.contains("0s") && text.contains("40s"), "{text}");
    }
}

#[test]
fn a_replay_opens_fitted_to_its_recording() {
    let open = opened().timeline().calls()[0].clone();
    let mut events = vec![Stamped { t_ns: MS, ev: Event::Instant(open) }];
    let mut late = call(9, Lane::Peer, Op::PeerSend, 30_000 * MS, Some(30_000 * MS + 10_000), Outcome::Sent);
    late.bytes = Some(5);
    events.push(Stamped { t_ns: 30_000 * MS, ev: Event::Instant(late) });
    let a = sockscope::tui::replay_app("r.jsonl", events, &sockscope::tui::Options::default());
    assert_eq!(a.view.scale(), Scale::Fit(30_000 * MS));
    assert!(!a.view.follow);
    let w = timeline::window(ui::layout(Rect::new(0, 0, 80, 24), &a).timeline, &a);
    assert!(w.start_ns() == 0 && w.end_ns() >= 30_000 * MS, "the whole recording: {w:?}");
}

#[test]
fn ascii_has_a_stand_in_for_every_new_mark() {
    for mut a in [idle_blocked(), crowded(), modes()] {
        a.theme = sockscope::tui::theme::Theme { ascii: true, ..THEME };
        for (w, h) in SIZES {
            let text = text_of(screen(&a, w, h).backend().buffer()).replace("? help", "");
            // '?' is what a character with no stand-in turns into.
            assert!(text.is_ascii() && !text.contains('?'), "{text}");
        }
    }
}
