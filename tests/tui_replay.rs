//! `sockscope replay`: a session recorded by a real headless run, replayed
//! to the end through the TUI's update step (no terminal), gives the same
//! timeline: the same calls, outcomes and durations, as the run printed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockscope::headless::{Format, Options, json_line, run_file_with};
use sockscope::record::file as record;
use sockscope::record::{Arg, Op};
use sockscope::tui::app::{App, Status};
use sockscope::tui::{self, replay_app};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sockscope-tui-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// Runs a shipped scenario headless with `--record`; returns its JSON
/// lines (one per call, as printed) and the recording's path.
/// `test` keeps recordings apart: tests run in parallel, and recording appends.
fn record_run(test: &str, scenario: &str) -> (Vec<String>, PathBuf) {
    let rec = scratch(&format!("{test}-{scenario}.jsonl"));
    let opts = Options { format: Format::Json, record: Some(rec.clone()) };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let path = Path::new("assets/scenarios").join(scenario);
    let code = run_file_with(&path, &opts, &mut out, &mut err);
    assert_eq!(code, 0, "{scenario}: {}", String::from_utf8_lossy(&err));
    let lines = String::from_utf8(out).unwrap().lines().map(str::to_string).collect();
    (lines, rec)
}

fn press(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

/// Every call on the replayed timeline, as the headless run prints it.
fn replayed_lines(app: &App) -> Vec<String> {
    let mut calls: Vec<_> = app.timeline().calls().iter().collect();
    calls.sort_by_key(|c| c.seq);
    calls.into_iter().map(json_line).collect()
}

fn by_seq(mut lines: Vec<String>) -> Vec<String> {
    let seq = |l: &String| serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"].as_u64().unwrap();
    lines.sort_by_key(seq);
    lines
}

#[test]
fn stepping_a_recording_to_the_end_gives_the_recorded_timeline() {
    for scenario in [
        "07-eof-reset-epipe.scenario",
        "10-edge-triggered.scenario",
        "11-busy-poll.scenario",
        "12-many-clients.scenario",
    ] {
        let (printed, rec) = record_run("step", scenario);
        let events = record::read(&rec).expect("the recording reads back");
        let mut app = replay_app(scenario, events, &tui::Options::default());
        let mut steps = 0;
        while !app.player().unwrap().finished() {
            press(&mut app, 'n');
            app.refresh();
            steps += 1;
            assert!(steps < 100_000, "{scenario}: the replay never ends");
        }
        assert_eq!(replayed_lines(&app), by_seq(printed), "{scenario}: the replay differs from the run");
        if scenario.starts_with("11") {
            // The recording keeps the busy-poll folded: its one record, with
            // the tallies, and none of the 10,000 calls one by one.
            assert_eq!(app.timeline().dense_total(), 0);
            let spin = app.timeline().calls().iter().find(|c| c.op == Op::Spin).expect("the spin's record");
            let Arg::Spin(arg) = &spin.arg else { panic!("a spin's argument: {spin:?}") };
            assert_eq!(arg.stats.calls, 10_000);
            assert_eq!(arg.stats.wouldblock + arg.stats.data + arg.stats.eof + arg.stats.error, 10_000);
            let mut term = Terminal::new(TestBackend::new(160, 30)).unwrap();
            app.view.selected = app.timeline().calls().iter().position(|c| c.op == Op::Spin);
            term.draw(|f| tui::ui::render(f, &app)).unwrap();
            let screen = format!("{}", term.backend());
            assert!(
                screen.contains("spin recv 1024 10000") && screen.contains("calls   10000"),
                "the spin and its tallies are shown:\n{screen}"
            );
        }
    }
}

#[test]
fn playing_runs_the_clock_to_the_end_at_the_chosen_speed() {
    let (printed, rec) = record_run("play", "07-eof-reset-epipe.scenario");
    let mut app = replay_app("rec", record::read(&rec).unwrap(), &tui::Options::default());
    for _ in 0..4 {
        press(&mut app, '>');
    }
    assert_eq!(app.player().unwrap().speed_label(), "4x");
    press(&mut app, ' ');
    assert!(app.player().unwrap().playing && app.animating(), "playing redraws every frame");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !app.player().unwrap().finished() {
        assert!(Instant::now() < deadline, "the replay did not reach its end");
        std::thread::sleep(app.wake_in().expect("a frame while playing"));
        app.tick();
        app.refresh();
    }
    assert!(!app.player().unwrap().playing, "it stops at the end");
    assert!(!app.animating(), "and then it is idle");
    assert_eq!(replayed_lines(&app), by_seq(printed));
}

#[test]
fn a_replay_refuses_commands() {
    let (_, rec) = record_run("refuse", "02-nonblocking-wouldblock.scenario");
    let mut app = replay_app("rec", record::read(&rec).unwrap(), &tui::Options::default());
    let before = app.timeline().len();
    press(&mut app, 'r');
    assert!(matches!(&app.status, Some(Status::Error(e)) if e.contains("a replay has no sockets")));
    app.status = None;
    press(&mut app, ':');
    for c in "recv".chars() {
        press(&mut app, c);
    }
    app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(matches!(&app.status, Some(Status::Error(e)) if e.contains("a replay has no sockets")));
    assert_eq!(app.timeline().len(), before, "nothing ran");
}

#[test]
fn a_bad_recording_names_its_line_and_exits_2() {
    let bad = scratch("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"format\":\"sockscope-recording\",\"version\":1}\n{\"t_ns\":1,\"type\":\"closed\",\"data\":1}\nnot json\n",
    )
    .unwrap();
    let mut err = Vec::new();
    let code = tui::run_replay(&bad, &tui::Options::default(), &mut err);
    assert_eq!(code, tui::INVALID);
    let err = String::from_utf8(err).unwrap();
    assert!(err.starts_with(&format!("{}:3: ", bad.display())), "{err}");
}

/// A session driven through the TUI's own keys and prompt, recorded with
/// `--record`, replays to the very timeline the live session had.
#[test]
fn a_recording_made_in_the_tui_replays_identically() {
    use sockscope::exec::Session;
    use sockscope::record::{Lane, Outcome};
    let rec = scratch("tui-live.jsonl");
    let mut session = Session::start().expect("session");
    session.record_to(&rec).expect("record");
    let rx = session.events();
    let mut app = App::live(session, sockscope::tui::theme::Theme::default());
    let last = |app: &App| {
        let tl = app.timeline();
        tl.lane(Lane::Sock(1)).last().and_then(|&i| tl.get(i as usize)).map(|c| c.outcome)
    };
    let settle = |app: &mut App, what: &str, pred: &dyn Fn(&App) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            app.refresh();
            if pred(app) && app.busy_until.is_none() {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            if let Ok(ev) = rx.recv_timeout(Duration::from_millis(20)) {
                app.apply(ev);
            }
            app.tick();
        }
    };
    app.run_line("open tcp").expect("runs");
    settle(&mut app, "#1 connected", &|a| last(a) == Some(Outcome::Connected));
    press(&mut app, 'b');
    press(&mut app, 'r');
    settle(&mut app, "wouldblock", &|a| last(a) == Some(Outcome::WouldBlock));
    press(&mut app, 'b');
    press(&mut app, 'r');
    settle(&mut app, "a blocking recv", &|a| last(a) == Some(Outcome::Blocking));
    app.run_line("peer send \"hello\"").expect("runs");
    settle(&mut app, "data 5", &|a| last(a) == Some(Outcome::Data));
    std::thread::sleep(Duration::from_millis(50));
    while let Ok(ev) = rx.try_recv() {
        app.apply(ev);
    }
    app.refresh();
    let live = replayed_lines(&app);
    drop(app);

    let events = record::read(&rec).expect("the recording reads back");
    let mut replay = replay_app("tui-live", events, &tui::Options::default());
    let mut steps = 0;
    while !replay.player().unwrap().finished() {
        press(&mut replay, 'n');
        replay.refresh();
        steps += 1;
        assert!(steps < 10_000, "the replay never ends");
    }
    assert!(live.len() >= 6, "the session made calls: {live:?}");
    assert_eq!(replayed_lines(&replay), live, "the replay differs from the live session");
}

/// The screen as text.
fn screen_text(app: &App, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| tui::ui::render(f, app)).unwrap();
    let buf = term.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>()).collect::<Vec<_>>().join("\n")
}

/// A traced program's recording keeps what it printed: `o` shows it under
/// the replay bar, as far as the replay clock has come. A recording of the
/// lab has none, and `o` says so.
#[test]
fn a_replayed_trace_shows_the_programs_output_with_o() {
    use sockscope::record::Event;
    use sockscope::record::file::Stamped;
    use sockscope::record::traced::{Output, ProcInfo, ProcOrigin, Stream};
    let (_, rec) = record_run("output", "02-nonblocking-wouldblock.scenario");
    let mut lab = replay_app("rec", record::read(&rec).unwrap(), &tui::Options::default());
    press(&mut lab, 'o');
    assert!(!lab.output_shown);
    assert!(
        matches!(&lab.status, Some(Status::Info(s)) if s.contains("not of a traced program")),
        "{:?}",
        lab.status
    );

    let proc = ProcInfo {
        pid: 42,
        exe: "/usr/bin/python3".into(),
        origin: ProcOrigin::Started,
        python: true,
        end: None,
    };
    let out = |stream, text: &str| Event::Output(Output { stream, bytes: text.as_bytes().into() });
    let events = vec![
        Stamped { t_ns: 0, ev: Event::Process(proc) },
        Stamped { t_ns: 1_000_000, ev: out(Stream::Stdout, "hello from the program\n") },
        Stamped { t_ns: 2_000_000, ev: out(Stream::Stderr, "a warning\x1b[31m\n") },
    ];
    let mut app = replay_app("trace.jsonl", events, &tui::Options::default());
    press(&mut app, 'o');
    assert!(app.output_shown);
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("written nothing"), "nothing yet at the replay clock:\n{screen}");
    for _ in 0..3 {
        press(&mut app, 'n');
    }
    let screen = screen_text(&app, 80, 24);
    assert!(screen.contains("hello from the program"), "{screen}");
    assert!(screen.contains("a warning\\x1b[31m"), "escaped, never raw:\n{screen}");
    press(&mut app, 'o');
    assert!(!screen_text(&app, 80, 24).contains("hello from the program"), "o hides it again");
}
