//! The TUI's update step over a real lab: keys and prompt lines become
//! commands for the one executor; failures are shown and the session goes
//! on; every shipped scenario steps through as a demo.

mod tui_live_util;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sockscope::command::parse_script;
use sockscope::record::{Lane, Outcome, PyMode};
use sockscope::tui::app::{App, Status};
use sockscope::tui::demo::Demo;
use tui_live_util::*;

fn mode_of(app: &App) -> Option<PyMode> {
    app.current_socket().map(|s| s.mode.py)
}

#[test]
fn keys_run_commands() {
    let (mut app, rx) = started();
    chars(&mut app, "b");
    until(&mut app, &rx, "non-blocking", |a| mode_of(a) == Some(PyMode::NonBlocking));
    assert!(app.current_socket().unwrap().kernel.unwrap().nonblock, "the kernel view is read back");
    assert!(app.sample(1).unwrap().kernel.unwrap().nonblock, "and sampled");
    chars(&mut app, "r");
    until(&mut app, &rx, "wouldblock", |a| last_outcome(a, 1) == Some(Outcome::WouldBlock));
    chars(&mut app, "b");
    until(&mut app, &rx, "blocking", |a| mode_of(a) == Some(PyMode::Blocking));
    chars(&mut app, "0");
    until(&mut app, &rx, "timeout 0", |a| mode_of(a) == Some(PyMode::Timeout(Duration::ZERO)));
    chars(&mut app, "n");
    until(&mut app, &rx, "#2", |a| a.current() == Some(2) && a.record().sockets().count() == 2);
    chars(&mut app, "1");
    until(&mut app, &rx, "use 1", |a| a.current() == Some(1));
    key(&mut app, KeyCode::Tab);
    until(&mut app, &rx, "Tab to #2", |a| a.current() == Some(2));
}

/// Keys whose command depends on the state (toggling, the next socket)
/// read it when the command runs, not from a screen row of the last frame:
/// `b` `b` pressed in one instant toggles twice, and `Tab` `Tab` moves twice.
#[test]
fn state_keys_pressed_in_one_instant_each_see_the_state_the_last_one_left() {
    let (mut app, rx) = started();
    chars(&mut app, "bb");
    idle(&mut app, &rx);
    assert_eq!(mode_of(&app), Some(PyMode::Blocking), "b b is a round trip");
    chars(&mut app, "bbb");
    idle(&mut app, &rx);
    assert_eq!(mode_of(&app), Some(PyMode::NonBlocking), "b b b ends non-blocking");
    chars(&mut app, "nn1");
    idle(&mut app, &rx);
    assert_eq!(app.current(), Some(1));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    idle(&mut app, &rx);
    assert_eq!(app.current(), Some(3), "Tab Tab from #1 is #3");
    key(&mut app, KeyCode::BackTab);
    idle(&mut app, &rx);
    assert_eq!(app.current(), Some(2));
}

/// A warning from the engine reaches the status line, as headless prints it.
#[test]
fn warnings_are_shown() {
    let (mut app, rx) = started();
    app.run_line("listen 0.0.0.0:0").unwrap();
    until(
        &mut app,
        &rx,
        "the warning",
        |a| matches!(&a.status, Some(Status::Info(t)) if t.contains("listens on all interfaces")),
    );
}

/// `peek` has a key: the bytes stay queued, so the recv after it gets them.
#[test]
fn peek_key_leaves_the_data_for_recv() {
    let (mut app, rx) = started();
    app.run_line("peer send \"hello\"").unwrap();
    idle(&mut app, &rx);
    chars(&mut app, "e");
    until(&mut app, &rx, "the peek", |a| last_outcome(a, 1) == Some(Outcome::Data));
    let peeked = app.shown_call().unwrap().clone();
    assert_eq!((peeked.op, peeked.label()), (sockscope::record::Op::Peek, "data 5".to_string()));
    chars(&mut app, "r");
    until(&mut app, &rx, "the recv", |a| {
        a.shown_call().is_some_and(|c| c.op == sockscope::record::Op::Recv && c.label() == "data 5")
    });
}

#[test]
fn peer_prefix_and_asking_keys_prefill_the_prompt() {
    let (mut app, rx) = started();
    chars(&mut app, "ps");
    assert!(app.prompt_open);
    assert_eq!((app.prompt.text(), app.prompt.cursor()), ("peer send \"\"", 11), "between the quotes");
    // The closing quote typed out of habit steps over the one already there.
    chars(&mut app, "hello\"");
    assert_eq!(app.prompt.text(), "peer send \"hello\"");
    key(&mut app, KeyCode::Enter);
    chars(&mut app, "r");
    until(&mut app, &rx, "data", |a| last_outcome(a, 1) == Some(Outcome::Data));
    let c = app.shown_call().unwrap();
    assert_eq!(c.label(), "data 5");
    key(&mut app, KeyCode::Char('s'));
    assert_eq!(app.prompt.text(), "send \"\"");
    chars(&mut app, "hi");
    key(&mut app, KeyCode::Enter);
    assert!(!app.prompt_open);
    until(&mut app, &rx, "the send", |a| a.shown_call().is_some_and(|c| c.label() == "sent 2"));
}

#[test]
fn the_prompt_takes_help_and_quit_and_completes_arguments() {
    let (mut app, _rx) = started();
    chars(&mut app, ":help");
    key(&mut app, KeyCode::Enter);
    assert!(app.help && !app.prompt_open, "`:help` opens the help");
    key(&mut app, KeyCode::Esc);
    chars(&mut app, ":use ");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.prompt.text(), "use 1 ", "the only socket is offered");
    key(&mut app, KeyCode::Esc);
    chars(&mut app, ":peer sh");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.prompt.text(), "peer shutdown wr ");
    key(&mut app, KeyCode::Esc);
    chars(&mut app, ":q");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.prompt.text(), "quit ");
    key(&mut app, KeyCode::Enter);
    assert!(app.quit, "`:quit` quits");
    let (mut app, _rx) = started();
    chars(&mut app, ":q");
    key(&mut app, KeyCode::Enter);
    assert!(app.quit, "`:q` quits");
}

#[test]
fn prompt_completes_remembers_and_keeps_bad_lines() {
    let (mut app, rx) = started();
    chars(&mut app, ":rec");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.prompt.text(), "recv ");
    chars(&mut app, "16");
    key(&mut app, KeyCode::Enter);
    assert!(!app.prompt_open);
    idle(&mut app, &rx);
    // A parse error: shown with its column, and the line stays to be fixed.
    chars(&mut app, ":recv 1x");
    key(&mut app, KeyCode::Enter);
    assert!(app.prompt_open);
    assert!(matches!(&app.status, Some(Status::Error(e)) if e.starts_with("col 6:")), "{:?}", app.status);
    key(&mut app, KeyCode::Esc);
    chars(&mut app, ":");
    key(&mut app, KeyCode::Up);
    assert_eq!(app.prompt.text(), "recv 1x");
    key(&mut app, KeyCode::Up);
    assert_eq!(app.prompt.text(), "recv 16");
    key(&mut app, KeyCode::Esc);
}

#[test]
fn executor_failures_are_shown_and_the_session_goes_on() {
    let (mut app, rx) = started();
    app.run_line("use 9").unwrap();
    assert!(matches!(&app.status, Some(Status::Error(e)) if e.contains("no socket #9")), "{:?}", app.status);
    app.run_line("nonblocking").unwrap();
    until(&mut app, &rx, "still working", |a| mode_of(a) == Some(PyMode::NonBlocking));
}

#[test]
fn quit_keys() {
    let (mut app, _rx) = live();
    chars(&mut app, "q");
    assert!(app.quit);
    let (mut app, _rx) = live();
    app.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.quit);
}

#[test]
fn every_shipped_scenario_runs_as_a_demo() {
    let mut files: Vec<_> = std::fs::read_dir("assets/scenarios")
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "scenario"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let script = parse_script(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let (mut app, rx) = live();
        app.start_demo(Demo::new("s", &text, script, false));
        let mut steps = 0;
        while !app.demo.as_ref().unwrap().finished() {
            key(&mut app, KeyCode::Char(' '));
            steps += 1;
            assert!(steps < 500, "{}: the demo never ends", path.display());
            idle(&mut app, &rx);
            if let Some(Status::Error(e)) = &app.status {
                panic!("{}: {e}", path.display());
            }
        }
    }
}

#[test]
fn export_python_writes_the_commands_that_ran() {
    let (mut app, rx) = started();
    chars(&mut app, "b");
    until(&mut app, &rx, "non-blocking", |a| mode_of(a) == Some(PyMode::NonBlocking));
    app.run_line("use 9").unwrap();
    chars(&mut app, "r");
    until(&mut app, &rx, "wouldblock", |a| last_outcome(a, 1) == Some(Outcome::WouldBlock));
    let dir = std::env::temp_dir().join(format!("sockscope-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("session.py");
    chars(&mut app, ":expo");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.prompt.text(), "export ", "export is completed like a command");
    chars(&mut app, &format!("python {}", path.display()));
    key(&mut app, KeyCode::Enter);
    let status = format!("{:?}", app.status);
    assert!(
        status.contains("wrote 3 commands as a Python 3 script") && status.contains("session.py"),
        "{status}"
    );
    // The learner's script: plain socket calls, the exception the call raised caught.
    let py = std::fs::read_to_string(&path).unwrap();
    for line in ["setblocking(False)", "except BlockingIOError"] {
        assert!(py.contains(line), "{line} in:\n{py}");
    }
    assert!(!py.contains("lab.at("), "not the harness:\n{py}");
    if let Some(out) = run_python(&path) {
        assert!(out.contains("BlockingIOError"), "the script meets the same EAGAIN: {out}");
    }
    // The faithful harness on request.
    let harness = dir.join("harness.py");
    app.run_line(&format!("export python --harness {}", harness.display())).unwrap();
    let py = std::fs::read_to_string(&harness).unwrap();
    let steps: Vec<&str> = py.lines().filter(|l| l.trim_start().starts_with("lab.at(")).collect();
    assert_eq!(
        steps,
        ["    lab.at(1).open_tcp()", "    lab.at(2).setblocking(False)", "    lab.at(3).recv(1024)"]
    );
    if let Some(out) = run_python(&harness) {
        assert!(out.contains("#1 recv wouldblock"), "the exported session repeats it: {out}");
    }
    // A path that cannot be written: the error is shown, the session goes on.
    app.run_line(&format!("export python {}", dir.join("no/such/dir/x.py").display())).unwrap();
    assert!(matches!(&app.status, Some(Status::Error(e)) if e.contains("cannot write")), "{:?}", app.status);
}

#[test]
fn a_recv_that_blocked_exports_as_a_program_makes_it() {
    // Typed at the prompt, with no expects: the export learns from the
    // record that the recv blocked until the peer's send released it.
    let (mut app, rx) = started();
    chars(&mut app, "r");
    until(&mut app, &rx, "blocking", |a| last_outcome(a, 1) == Some(Outcome::Blocking));
    app.run_line("peer send \"late\"").unwrap();
    until(&mut app, &rx, "data", |a| last_outcome(a, 1) == Some(Outcome::Data));
    let path = std::env::temp_dir().join(format!("sockscope-export-blocked-{}.py", std::process::id()));
    app.run_line(&format!("export python {}", path.display())).unwrap();
    let py = std::fs::read_to_string(&path).unwrap();
    assert!(
        py.contains("Thread") || py.contains("Timer"),
        "the peer's send comes from a second thread:\n{py}"
    );
    let out = run_python(&path);
    let _ = std::fs::remove_file(&path);
    if let Some(out) = out {
        assert!(out.contains("sock.recv -> b'late'"), "the blocked recv gets the late data: {out}");
    }
}

#[test]
fn the_inspector_reads_the_kernel_in_the_update_step() {
    let (mut app, rx) = started();
    app.run_line("peer send \"hello\"").unwrap();
    idle(&mut app, &rx);
    chars(&mut app, "i");
    until(&mut app, &rx, "5 bytes queued", |a| a.inspection.as_ref().is_some_and(|i| i.queued_in == 5));
    let i = app.inspection.clone().unwrap();
    assert_eq!(i.tcp_state.as_deref(), Some("ESTABLISHED"));
    assert!(!i.nonblock && i.readiness().contains("POLLIN"), "{}", i.readiness());
    chars(&mut app, "i");
    app.refresh();
    assert!(app.inspection.is_none(), "not read while hidden");
}

#[test]
fn a_poll_wait_is_explained_with_the_socket_left_undrained() {
    let (mut app, rx) = live();
    let script = "open tcp\npoll add read\npeer send \"hello\"\npoll wait 300ms\nrecv 2\npoll wait 300ms\n";
    app.push(parse_script(script).unwrap());
    idle(&mut app, &rx);
    until(&mut app, &rx, "the second wait", |a| a.timeline().lane(Lane::Loop).len() >= 4);
    let waits: Vec<usize> = app.timeline().lane(Lane::Loop).iter().map(|&i| i as usize).collect();
    let last = *waits.last().unwrap();
    app.view.selected = Some(last);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    t.draw(|f| sockscope::tui::ui::render(f, &app)).unwrap();
    // The call pane's words, whatever rows they wrapped into.
    let d = sockscope::tui::ui::layout(ratatui::layout::Rect::new(0, 0, 120, 40), &app).detail;
    let buf = t.backend().buffer();
    let rows: Vec<String> =
        (d.y..d.bottom()).map(|y| (d.x + 1..d.right() - 1).map(|x| buf[(x, y)].symbol()).collect()).collect();
    let text = rows.join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Yet #1 may still have bytes queued"), "{text}");
}

/// Runs a script with python3 (if there is one), bounded; its stdout.
fn run_python(path: &std::path::Path) -> Option<String> {
    use std::process::{Command, Stdio};
    let mut child = Command::new("python3")
        .arg("-I")
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().ok()?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the exported script did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let ok = child.try_wait().ok()??.success();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take()?, &mut out).ok()?;
    assert!(ok, "the exported script failed: {out}");
    Some(out)
}

/// "Now" advances with nothing happening: while following a live session
/// the screen is redrawn once a second, so the axis and the idle band keep
/// time; paused, nothing moves, and nothing is redrawn.
#[test]
fn an_idle_live_session_still_keeps_time_while_following() {
    use sockscope::tui::app::IDLE_FRAME;
    let (mut app, rx) = started();
    idle(&mut app, &rx);
    assert!(!app.animating(), "nothing moves");
    assert_eq!(app.wake_in(), Some(IDLE_FRAME), "but the clock does");
    app.view.follow = false;
    assert_eq!(app.wake_in(), None, "paused: no redraws at all");
}

/// The sockets pane's rows as text, at 120×36.
fn sockets_pane(app: &App) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 36)).unwrap();
    t.draw(|f| sockscope::tui::ui::render(f, app)).unwrap();
    let s = sockscope::tui::ui::layout(ratatui::layout::Rect::new(0, 0, 120, 36), app).sockets;
    let buf = t.backend().buffer();
    let rows: Vec<String> =
        (s.y..s.bottom()).map(|y| (s.x..s.right()).map(|x| buf[(x, y)].symbol()).collect()).collect();
    rows.join("\n")
}

/// `open udp` pairs the socket with a UDP socket of the peer's: the pane
/// calls that end `peer`, as it does a TCP connection's; a UDP socket
/// connected to an address of the user's shows the address.
#[test]
fn a_udp_socket_paired_with_the_peer_shows_peer() {
    let (mut app, rx) = started();
    app.run_line("open udp").unwrap();
    until(&mut app, &rx, "#2", |a| a.current() == Some(2));
    let pane = sockets_pane(&app);
    let row = pane.lines().find(|l| l.contains("#2 udp")).unwrap_or_default().to_string();
    assert!(row.contains("⇄ peer"), "{pane}");
    let away = app.record().socket(1).and_then(|s| s.info.local).expect("#1's address");
    app.run_line(&format!("open udp {away}")).unwrap();
    until(&mut app, &rx, "#3", |a| a.current() == Some(3));
    let pane = sockets_pane(&app);
    let row = pane.lines().find(|l| l.contains("#3 udp")).unwrap_or_default().to_string();
    assert!(row.contains(&format!("⇄ {away}")) && !row.contains("peer"), "{pane}");
}
