//! The demo and predict screens at 80×24 and 120×36, drawn from fixed
//! records (fixed times, ports and fds): the title and first `say` on open,
//! `step N/M` with the narration of a step still running, after a step back
//! and a restart, the live-keys banner, the question, right and wrong with
//! the why, the tally at the end, and a replay's narration.

mod tui_fixtures;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use insta::assert_snapshot;
use sockscope::command::parse_script;
use sockscope::record::file::Stamped;
use sockscope::record::{Arg, CallEnd, Event, Lane, Mode, Op, Outcome, PyMode, Record};
use sockscope::tui::app::{App, Status};
use sockscope::tui::demo::Demo;
use sockscope::tui::demo::predict::Guess;
use tui_fixtures::*;

const SETTLE: Duration = Duration::from_millis(50);

fn scenario(file: &str, predict: bool) -> Demo {
    let text = std::fs::read_to_string(format!("assets/scenarios/{file}")).unwrap();
    Demo::new(file, &text, parse_script(&text).unwrap(), predict)
}

/// Both sizes the screen must read well at.
fn both(name: &str, app: &App) {
    assert_snapshot!(format!("{name}_80x24"), screen(app, 80, 24).backend());
    assert_snapshot!(format!("{name}_120x36"), screen(app, 120, 36).backend());
}

fn with_demo(mut app: App, demo: Demo, status: &str) -> App {
    app.demo = Some(demo);
    app.status = Some(Status::Info(status.into()));
    app
}

/// `open tcp`, then `nonblocking` at 1 s: the state before 02's first question.
fn nonblocking_record() -> Record {
    let mut rec = opened();
    let mut m = call(2, Lane::Sock(1), Op::Nonblocking, 1_000 * MS, Some(1_000 * MS + 9_000), Outcome::Ok);
    m.mode = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    m.kernel = Some(sockscope::record::KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
    rec.apply(&Event::Instant(m));
    rec
}

fn nonblocking_app(rec: Record, now: u64) -> App {
    app(rec, sock(PyMode::NonBlocking, true, 0), now)
}

/// 02 in predict mode, asking about its first recv.
fn asking() -> Demo {
    let mut d = scenario("02-nonblocking-wouldblock.scenario", true);
    d.advance();
    d.advance();
    d.advance();
    assert!(d.asking());
    d
}

#[test]
fn demo_open() {
    let mut a = app_with(Record::new(), Vec::new(), 0);
    a.start_demo(scenario("01-blocking-recv.scenario", false));
    both("demo_open", &a);
}

#[test]
fn demo_step_running() {
    let mut d = scenario("01-blocking-recv.scenario", false);
    d.advance();
    d.advance();
    let a = with_demo(blocking(), d, "step 2/6: lines 9-10");
    both("demo_step_running", &a);
}

#[test]
fn demo_back() {
    let mut d = scenario("02-nonblocking-wouldblock.scenario", false);
    for _ in 0..4 {
        d.advance();
    }
    d.back();
    d.settle(&wouldblock_record(), SETTLE);
    let a = with_demo(wouldblock(), d, "back at step 3/5: steps 1-3 ran again on fresh sockets");
    both("demo_back", &a);
}

#[test]
fn demo_home() {
    let mut d = scenario("02-nonblocking-wouldblock.scenario", false);
    d.advance();
    d.advance();
    d.restart();
    let a = with_demo(
        app_with(Record::new(), Vec::new(), 0),
        d,
        "started over on fresh sockets: Space runs the first step",
    );
    both("demo_home", &a);
}

#[test]
fn demo_live_keys_on() {
    let mut d = scenario("02-nonblocking-wouldblock.scenario", false);
    d.advance();
    d.advance();
    d.live = true;
    let a = with_demo(
        nonblocking_app(nonblocking_record(), 2_000 * MS),
        d,
        "live keys on: they act between the scenario's lines, so its expects may fail",
    );
    both("demo_live_keys_on", &a);
}

#[test]
fn demo_live_keys_off_help() {
    let mut d = scenario("02-nonblocking-wouldblock.scenario", true);
    d.advance();
    let mut a = with_demo(first_screen(), d, "");
    a.help = true;
    assert_snapshot!("demo_help_80x24", screen(&a, 80, 24).backend());
}

#[test]
fn predict_question() {
    let a = with_demo(
        nonblocking_app(nonblocking_record(), 2_000 * MS),
        asking(),
        "step 3/5: what will recv do? Type the class's answer",
    );
    both("predict_question", &a);
}

#[test]
fn predict_right() {
    let mut d = asking();
    d.answer(Some(Guess::WouldBlock), 2);
    d.settle(&wouldblock_record(), SETTLE);
    let a = with_demo(wouldblock(), d, "the class says wouldblock: lines 8-9");
    both("predict_right", &a);
}

#[test]
fn predict_wrong() {
    let mut d = asking();
    d.answer(Some(Guess::Blocks), 2);
    d.settle(&wouldblock_record(), SETTLE);
    let a = with_demo(wouldblock(), d, "the class says blocks: lines 8-9");
    both("predict_wrong", &a);
}

#[test]
fn predict_tally_at_the_end() {
    let mut rec = wouldblock_record();
    let mut p = call(4, Lane::Peer, Op::PeerSend, 4_000 * MS, Some(4_000 * MS + 30_000), Outcome::Sent);
    (p.arg, p.bytes, p.preview) = (Arg::Text(5), Some(5), Some(b"hello".to_vec().into()));
    rec.apply(&Event::Instant(p));
    let nb = Mode { py: PyMode::NonBlocking, ..Mode::default() };
    let mut r = call(5, Lane::Sock(1), Op::Recv, 4_100 * MS, Some(4_100 * MS + 20_000), Outcome::Data);
    (r.arg, r.mode, r.bytes, r.preview) = (Arg::Size(1024), nb, Some(5), Some(b"hello".to_vec().into()));
    rec.apply(&Event::Instant(r));
    let mut r = call(6, Lane::Sock(1), Op::Recv, 5_000 * MS, Some(5_000 * MS + 12_000), Outcome::WouldBlock);
    (r.arg, r.mode, r.errno) = (Arg::Size(1024), nb, 11);
    rec.apply(&Event::Instant(r));
    let mut d = asking();
    d.answer(Some(Guess::WouldBlock), 2);
    d.advance();
    d.answer(Some(Guess::Blocks), 3);
    d.advance();
    d.answer(Some(Guess::WouldBlock), 5);
    d.settle(&rec, SETTLE);
    assert!(d.finished());
    let a = with_demo(nonblocking_app(rec, 5_500 * MS), d, "the class says wouldblock: lines 17-18");
    both("predict_tally", &a);
}

/// A recording with narration: `say`, `open tcp`, `say`, a recv.
fn narrated() -> Vec<Stamped> {
    let say = |seq, t: u64, text: &str| {
        let mut c = call(seq, Lane::Script, Op::Say, t, Some(t), Outcome::Ok);
        c.arg = Arg::Note(text.into());
        (t + 1_000, Event::Instant(c))
    };
    let row = sock(PyMode::Blocking, false, 0);
    let mut open = call(2, Lane::Sock(1), Op::Open, MS, Some(MS + 120_000), Outcome::Connected);
    open.arg = Arg::Proto(sockscope::command::Proto::Tcp, addr(PEER));
    let mut r = call(5, Lane::Sock(1), Op::Recv, 2_000 * MS, None, Outcome::Blocking);
    r.arg = Arg::Size(1024);
    let end = CallEnd {
        seq: 5,
        lane: Lane::Sock(1),
        end_ns: 2_500 * MS,
        outcome: Outcome::Data,
        errno: 0,
        bytes: Some(2),
        preview: Some(b"hi".to_vec().into()),
        arg: None,
        traced: None,
    };
    let events = vec![
        say(1, 0, "Socket #1 is a fresh TCP connection to the peer."),
        (MS, Event::Socket(row.info.clone())),
        (MS + 130_000, Event::Instant(open)),
        say(3, 1_900 * MS, "Nothing has been sent yet. Our recv goes into the kernel"),
        say(4, 1_900 * MS + 5_000, "and waits there until the peer sends."),
        (2_000 * MS + 5_000, Event::Begin(r)),
        (2_500 * MS + 5_000, Event::End(end)),
    ];
    events.into_iter().map(|(t_ns, ev)| Stamped { t_ns, ev }).collect()
}

#[test]
fn replay_narration() {
    let mut a = sockscope::tui::replay_app("lesson.jsonl", narrated(), &sockscope::tui::Options::default());
    a.theme = THEME;
    for _ in 0..5 {
        a.on_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
        a.refresh();
    }
    let text = format!("{}", screen(&a, 80, 24).backend());
    assert!(text.contains("Nothing has been sent yet") && text.contains("and waits there"), "{text}");
    assert!(!text.contains("fresh TCP connection"), "the narration at the clock, not an older one");
    both("replay_narration", &a);
}
