//! Demos over a real lab, driven as the event loop drives them (keys in,
//! events folded, the executor ticked), with what the screen says read
//! from a drawn frame: the title and first `say` on open, `step N/M`,
//! narration that stays while its step runs, stepping back and starting
//! over on fresh sockets, the live keys, and predict mode.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockscope::command::parse_script;
use sockscope::exec::Session;
use sockscope::record::{Lane, Op, Outcome};
use sockscope::tui::app::{App, Status};
use sockscope::tui::demo::Demo;
use sockscope::tui::theme::Theme;

fn demo_app(file: &str, predict: bool) -> App {
    let text = std::fs::read_to_string(format!("assets/scenarios/{file}")).unwrap();
    let script = parse_script(&text).unwrap();
    let mut app = App::live(Session::start().expect("session"), Theme::default());
    app.start_demo(Demo::new(file, &text, script, predict));
    app
}

/// Runs the update loop until `pred` holds (bounded). The events come from
/// whichever session the app has now: stepping back replaces it.
fn until(app: &mut App, what: &str, pred: impl Fn(&App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        app.refresh();
        if pred(app) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}; status {:?}", app.status);
        if let Ok(ev) = app.events().recv_timeout(Duration::from_millis(20)) {
            app.apply(ev);
        }
        app.tick();
    }
}

fn idle(app: &mut App) {
    until(app, "the executor to be idle", |a| a.busy_until.is_none());
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    idle(app);
}

fn space(app: &mut App) {
    key(app, KeyCode::Char(' '));
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| sockscope::tui::ui::render(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n").collect()
}

fn status(app: &App) -> String {
    match &app.status {
        Some(Status::Info(s) | Status::Error(s)) => s.clone(),
        None => String::new(),
    }
}

fn at(app: &App) -> usize {
    app.demo.as_ref().unwrap().at()
}

fn outcomes(app: &App, id: u32) -> Vec<Outcome> {
    let tl = app.timeline();
    tl.lane(Lane::Sock(id)).iter().filter_map(|&i| tl.get(i as usize)).map(|c| c.outcome).collect()
}

#[test]
fn open_shows_the_title_and_the_first_say_then_steps_count() {
    let mut app = demo_app("01-blocking-recv.scenario", false);
    let s = screen(&app, 80, 24);
    assert!(s.contains("A blocking recv waits inside the kernel until data arrives."), "{s}");
    assert!(s.contains("Socket #1 is a fresh TCP connection"), "{s}");
    assert!(s.contains("step 0/6"), "{s}");
    assert!(app.timeline().is_empty(), "nothing runs before the first key");
    space(&mut app);
    assert!(screen(&app, 80, 24).contains("step 1/6"));
    assert!(status(&app).starts_with("step 1/6: lines 5-6"), "{}", status(&app));
}

/// The narration of a step is on screen while its call is in the kernel,
/// not the next step's.
#[test]
fn narration_stays_while_its_step_runs() {
    let mut app = demo_app("01-blocking-recv.scenario", false);
    space(&mut app);
    space(&mut app);
    assert_eq!(outcomes(&app, 1).last(), Some(&Outcome::Blocking), "the recv waits");
    let s = screen(&app, 120, 36);
    assert!(s.contains("step 2/6") && s.contains("Nothing has been sent yet."), "{s}");
    assert!(!s.contains("The peer sends"), "the next step's narration waits for its step: {s}");
    assert!(s.contains("next ▸ peer send \"hello\" after 300ms"), "{s}");
    space(&mut app);
    until(&mut app, "the data", |a| outcomes(a, 1).contains(&Outcome::Data));
    assert!(screen(&app, 120, 36).contains("The peer sends \"hello\" in 300 ms."));
}

#[test]
fn back_reruns_the_steps_before_on_fresh_sockets_and_home_starts_over() {
    let mut app = demo_app("02-nonblocking-wouldblock.scenario", false);
    for _ in 0..4 {
        space(&mut app);
    }
    assert_eq!(outcomes(&app, 1).last(), Some(&Outcome::Data), "step 4: the peer sent, recv got it");
    let peer = app.peer_addr;
    key(&mut app, KeyCode::Backspace);
    assert_eq!(at(&app), 3);
    assert_eq!(status(&app), "back at step 3/5: steps 1-3 ran again on fresh sockets");
    assert_ne!(app.peer_addr, peer, "a new peer");
    assert_eq!(
        outcomes(&app, 1),
        [Outcome::Connected, Outcome::Ok, Outcome::WouldBlock],
        "the state after step 3, and nothing of step 4"
    );
    let s = screen(&app, 80, 24);
    assert!(s.contains("step 3/5") && s.contains("Nothing is queued"), "{s}");
    // ← does the same.
    key(&mut app, KeyCode::Left);
    assert_eq!(at(&app), 2);
    assert_eq!(outcomes(&app, 1), [Outcome::Connected, Outcome::Ok]);
    // Forward again from there, as if nothing had happened.
    space(&mut app);
    assert_eq!(outcomes(&app, 1).last(), Some(&Outcome::WouldBlock));
    key(&mut app, KeyCode::Home);
    assert_eq!(at(&app), 0);
    assert!(app.timeline().is_empty(), "fresh sockets, nothing run");
    assert!(status(&app).starts_with("started over on fresh sockets"), "{}", status(&app));
    assert!(screen(&app, 80, 24).contains("setblocking(False): a recv that would have to wait"));
    key(&mut app, KeyCode::Backspace);
    assert!(status(&app).starts_with("at the start already"));
}

#[test]
fn live_keys_are_off_until_switched_on_and_then_a_banner_warns() {
    let mut app = demo_app("02-nonblocking-wouldblock.scenario", false);
    space(&mut app);
    for c in ['r', 'b', 'p', ':', '1'] {
        key(&mut app, KeyCode::Char(c));
        assert!(status(&app).starts_with("live keys are off"), "{c}: {}", status(&app));
    }
    assert!(!app.prompt_open && !app.peer_prefix);
    assert_eq!(outcomes(&app, 1), [Outcome::Connected], "no key reached the sockets");
    let s = screen(&app, 80, 24);
    assert!(s.contains("L live keys on") && !s.contains("r recv"), "hints: {s}");
    assert!(!s.contains("expects may fail"));
    key(&mut app, KeyCode::Char('L'));
    let s = screen(&app, 80, 24);
    assert!(s.contains("live keys on: the scenario's expects may fail"), "the banner: {s}");
    assert!(s.contains("r recv"), "the live keys are hinted: {s}");
    key(&mut app, KeyCode::Char('r'));
    assert_eq!(outcomes(&app, 1).last(), Some(&Outcome::Blocking), "a live recv");
    app.on_key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
    let help = screen(&app, 80, 24);
    assert!(help.contains("live keys (on: expects may fail)") && help.contains("Bksp ←"), "{help}");
    app.help = false;
    key(&mut app, KeyCode::Char('L'));
    assert!(!screen(&app, 80, 24).contains("expects may fail"));
}

#[test]
fn predict_asks_judges_with_the_why_and_keeps_the_tally_across_a_step_back() {
    let mut app = demo_app("02-nonblocking-wouldblock.scenario", true);
    assert!(screen(&app, 80, 24).contains("Predict mode"));
    space(&mut app);
    space(&mut app);
    space(&mut app);
    let s = screen(&app, 80, 24);
    assert!(s.contains("What will recv do?"), "{s}");
    assert!(s.contains("1 data · 2 blocks · 3 wouldblock · 4 timeout · 5 eof · 6 error"), "{s}");
    assert!(!s.contains("Nothing is queued"), "the narration would give it away: {s}");
    assert_eq!(outcomes(&app, 1), [Outcome::Connected, Outcome::Ok], "the recv waits for the answer");
    // Space does not skip the question.
    space(&mut app);
    assert!(status(&app).starts_with("first the class's answer"));
    key(&mut app, KeyCode::Char('3'));
    let s = screen(&app, 80, 24);
    assert!(s.contains("RIGHT: recv → wouldblock") && s.contains("the class said wouldblock"), "{s}");
    assert!(s.contains("why "), "{s}");
    assert!(s.contains("Nothing is queued"), "the narration, once answered: {s}");
    assert!(s.contains("1 of 1 right"), "{s}");
    // Step 4: the peer sends first (the set-up runs before the question), then recv.
    space(&mut app);
    until(&mut app, "the peer's send", |a| !a.timeline().lane(Lane::Peer).is_empty());
    key(&mut app, KeyCode::Char('2'));
    let s = screen(&app, 120, 36);
    assert!(s.contains("WRONG: recv → data 5") && s.contains("the class said blocks"), "{s}");
    assert!(s.contains("1 of 2 right"), "{s}");
    // Back: step 4 is undone, and so is its answer.
    key(&mut app, KeyCode::Backspace);
    assert_eq!(at(&app), 3);
    assert_eq!(app.demo.as_ref().unwrap().tally(), (1, 1));
    assert!(screen(&app, 80, 24).contains("RIGHT: recv → wouldblock"), "the verdict of step 3 stays");
    space(&mut app);
    key(&mut app, KeyCode::Char('1'));
    assert_eq!(app.demo.as_ref().unwrap().tally(), (2, 2));
    space(&mut app);
    key(&mut app, KeyCode::Char('9'));
    assert!(status(&app).starts_with("the answers are 1-6"), "{}", status(&app));
    key(&mut app, KeyCode::Char('3'));
    let s = screen(&app, 80, 24);
    assert!(s.contains("end of the scenario: the class got 3 of 3 right"), "{s}");
    space(&mut app);
    assert!(status(&app).contains("the class got 3 of 3 right"), "{}", status(&app));
}

/// A call that waited a visible while before its data came: "blocks" is
/// right too, and the verdict says how long it waited.
#[test]
fn predict_counts_blocks_for_a_call_that_waited_before_its_data() {
    let text =
        "open tcp\ntimeout 2\nsay The peer sends soon.\npeer send \"hi\" after 300ms\nrecv\nexpect data 2\n";
    let mut app = App::live(Session::start().unwrap(), Theme::default());
    app.start_demo(Demo::new("t", text, parse_script(text).unwrap(), true));
    for _ in 0..3 {
        space(&mut app);
    }
    assert!(app.demo.as_ref().unwrap().asking());
    // The timed send waits for the answer: it races the call, not the class.
    std::thread::sleep(Duration::from_millis(400));
    let s = screen(&app, 120, 36);
    assert!(s.contains("(line 5: recv; first peer send \"hi\" after 300ms)"), "{s}");
    assert!(app.timeline().lane(Lane::Peer).is_empty(), "not sent before the answer");
    key(&mut app, KeyCode::Char('2'));
    let s = screen(&app, 120, 36);
    assert!(s.contains("RIGHT: recv → data 2 after"), "{s}");
}

#[test]
fn every_shipped_scenario_steps_in_predict_mode_and_back() {
    let mut files: Vec<_> = std::fs::read_dir("assets/scenarios")
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "scenario"))
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let mut app = demo_app(&name, true);
        let mut keys = 0;
        while !app.demo.as_ref().unwrap().finished() {
            let answer = app.demo.as_ref().unwrap().asking();
            key(&mut app, if answer { KeyCode::Char('0') } else { KeyCode::Char(' ') });
            keys += 1;
            assert!(keys < 500, "{name}: the demo never ends");
            if let Some(Status::Error(e)) = &app.status {
                panic!("{name}: {e}");
            }
        }
        // One step back from the end re-runs all but the last step cleanly.
        let n = app.demo.as_ref().unwrap().total_steps();
        key(&mut app, KeyCode::Backspace);
        assert_eq!(at(&app), n - 1, "{name}");
        if let Some(Status::Error(e)) = &app.status {
            panic!("{name} after a step back: {e}");
        }
    }
}

/// A recording of a demo carries its narration; a replay shows it at the
/// replay clock.
#[test]
fn a_replay_shows_the_narration_at_its_clock() {
    let dir = std::env::temp_dir().join(format!("sockscope-demo-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rec = dir.join("demo.jsonl");
    let _ = std::fs::remove_file(&rec);
    let mut app = demo_app("02-nonblocking-wouldblock.scenario", false);
    if let sockscope::tui::app::Store::Live { session, .. } = &mut app.store {
        session.record_to(&rec).unwrap();
    }
    for _ in 0..3 {
        space(&mut app);
    }
    drop(app);
    let events = sockscope::record::file::read(&rec).unwrap();
    let mut replay = sockscope::tui::replay_app("demo.jsonl", events, &sockscope::tui::Options::default());
    let mut seen = Vec::new();
    while !replay.player().unwrap().finished() {
        replay.on_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
        replay.refresh();
        let s = screen(&replay, 80, 24);
        for said in ["setblocking(False) sets O_NONBLOCK", "Nothing is queued"] {
            if s.contains(said) && !seen.contains(&said) {
                seen.push(said);
            }
        }
    }
    assert_eq!(seen, ["setblocking(False) sets O_NONBLOCK", "Nothing is queued"], "in the order said");
    let recv = replay.timeline().calls().iter().find(|c| c.op == Op::Recv).unwrap();
    assert_eq!(recv.outcome, Outcome::WouldBlock);
}
