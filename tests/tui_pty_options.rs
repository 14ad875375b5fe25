//! End to end in a pty: `replay`, the config file, `--ascii` and NO_COLOR,
//! and that every bad input is reported before the terminal is touched.

mod tui_pty_util;

use std::path::PathBuf;
use std::process::Command;

use sockscope::headless::{Format, Options, run_file_with};
use tui_pty_util::{COLS, ROWS, Session};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sockscope-pty-options-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// Runs the binary without a terminal; checks exit 2, the message, and
/// that nothing was written to stdout (the terminal was not touched).
fn exits_2_naming(args: &[&str], needle: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent/sockscope-tests")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: stderr {err:?} lacks {needle:?}");
    assert!(out.stdout.is_empty(), "{args:?}: the terminal was touched");
}

#[test]
fn replay_opens_plays_and_quits() {
    let rec = scratch("session.jsonl");
    let opts = Options { format: Format::Json, record: Some(rec.clone()) };
    let scenario = std::path::Path::new("assets/scenarios/07-eof-reset-epipe.scenario");
    assert_eq!(run_file_with(scenario, &opts, &mut Vec::new(), &mut Vec::new()), 0);
    let mut s = Session::start(&["replay", rec.to_str().unwrap()]);
    s.wait_for("the replay bar", |t| t.contains("replay: session.jsonl") && t.contains("Space play"));
    s.send(">>>");
    s.wait_text("speed 4x");
    s.send(" ");
    s.wait_text("end of the recording");
    s.wait_text("error EPIPE");
    s.send("r");
    s.wait_text("a replay has no sockets");
    s.send("q");
    let (status, alternate) = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!alternate, "the alternate screen was not left");
}

#[test]
fn bad_inputs_exit_2_before_the_terminal() {
    let bad = scratch("bad.jsonl");
    let header = "{\"format\":\"sockscope-recording\",\"version\":1}\n";
    std::fs::write(&bad, format!("{header}{{\"t_ns\":1,\"type\":\"closed\",\"data\":1}}\n{{\"t_ns\":2}}\n"))
        .unwrap();
    exits_2_naming(&["replay", bad.to_str().unwrap()], &format!("{}:3: ", bad.display()));
    exits_2_naming(&["replay", "/no/such/file.jsonl"], "/no/such/file.jsonl");
    let cfg = scratch("bad.toml");
    std::fs::write(&cfg, "[keys]\nfly = \"f\"\n").unwrap();
    exits_2_naming(&["--config", cfg.to_str().unwrap()], "keys.fly: unknown action");
    exits_2_naming(&["replay", bad.to_str().unwrap(), "--config", cfg.to_str().unwrap()], "keys.fly");
}

#[test]
fn the_config_rebinds_keys_and_sets_the_recv_size() {
    let cfg = scratch("keys.toml");
    std::fs::write(&cfg, "recv_size = 4096\nmouse = false\n[keys]\nrecv = \"R\"\n").unwrap();
    let mut s = Session::start(&["--config", cfg.to_str().unwrap()]);
    s.wait_for("the hints", |t| t.contains("R recv") && t.contains("Press R to recv"));
    s.send("b");
    s.wait_text("you set  nonblocking");
    s.send("r");
    s.send("R");
    s.wait_text("recv 4096 → wouldblock");
    s.send("?");
    s.wait_text("recv 4096 bytes");
    s.send("\x1b");
    s.wait_for("the overlay to close", |t| !t.contains("recv 4096 bytes"));
    s.send("q");
    assert!(s.wait_exit().0.success());
}

#[test]
fn ascii_and_no_color_reach_the_terminal() {
    let mut s = Session::start_with(&["--ascii"], &[("NO_COLOR", "1")]);
    let text = s.wait_for("the first screen", |t| t.contains("connected") && t.contains("? help"));
    assert!(text.is_ascii(), "non-ASCII with --ascii: {text}");
    s.send("j");
    s.wait_text("selected call");
    {
        let (lock, _) = &*s.shared;
        let screen = lock.lock().unwrap();
        let screen = screen.parser.screen();
        let cells = (0..ROWS).flat_map(|r| (0..COLS).map(move |c| (r, c)));
        let cells: Vec<_> = cells.filter_map(|(r, c)| screen.cell(r, c)).collect();
        assert!(
            cells
                .iter()
                .all(|c| c.fgcolor() == vt100::Color::Default && c.bgcolor() == vt100::Color::Default),
            "NO_COLOR: a colour reached the terminal"
        );
        assert!(cells.iter().any(|c| c.inverse()), "the selection still shows, by reverse video");
        assert!(cells.iter().any(|c| c.bold()));
    }
    s.send("q");
    assert!(s.wait_exit().0.success());
}

#[test]
fn key_conflicts_exit_2_before_the_terminal() {
    let cfg = scratch("conflicts.toml");
    let every_action_on_q: String =
        sockscope::config::ACTIONS.iter().map(|a| format!("{a} = \"q\"\n")).collect();
    let cases = [
        ("quit = \"r\"\n".to_string(), "keys.quit = \"r\": this key is already recv's"),
        (every_action_on_q, "is the same key"),
        ("quit = \"ctrl-z\"\n".to_string(), "keys.quit = \"ctrl-z\": this key is kept for suspending"),
        ("recv = \"esc\"\n".to_string(), "keys.recv = \"esc\": this key is kept for backing out"),
        ("quit = \"space\"\n".to_string(), "in a demo this key does \"run the next step\""),
    ];
    for (keys, needle) in cases {
        std::fs::write(&cfg, format!("[keys]\n{keys}")).unwrap();
        exits_2_naming(&["--config", cfg.to_str().unwrap()], needle);
    }
}

#[test]
fn a_rebound_quit_quits() {
    let cfg = scratch("quit.toml");
    std::fs::write(&cfg, "[keys]\nquit = \"ctrl-q\"\nrecv = \"q\"\n").unwrap();
    let mut s = Session::start(&["--config", cfg.to_str().unwrap()]);
    s.wait_for("the hints", |t| t.contains("q recv") && t.contains("C-q quit"));
    s.send("q");
    s.wait_text("recv 1024 → blocking");
    s.send("\x11");
    let (status, alternate) = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!alternate, "the alternate screen was not left");
}

/// A recording that stops mid-session (here the file may grow no more) is
/// said in the status line and again after the terminal is restored, and
/// the exit code is 1, not 0.
#[test]
fn a_recording_that_stops_is_said_and_exits_1() {
    let rec = scratch("stops.jsonl");
    let bin = env!("CARGO_BIN_EXE_sockscope");
    // A file limit of one block, with SIGXFSZ ignored: a write past it
    // fails with EFBIG instead of killing the process.
    let script = "ulimit -f 1; trap '' XFSZ; exec \"$0\" --record \"$1\"";
    let mut s = Session::start_program("sh", &["-c", script, bin, rec.to_str().unwrap()]);
    s.wait_text("recording stopped");
    s.send("q");
    let (status, alternate) = s.wait_exit();
    assert_eq!(status.exit_code(), 1, "exit status {status:?}");
    assert!(!alternate, "the alternate screen was not left");
    let screen = s.wait_text("sockscope: recording stopped");
    assert!(screen.contains("lacks every event"), "{screen}");
}

/// `--theme` overrides the config's `theme`: mono draws no colour at all,
/// though the config asks for high contrast.
#[test]
fn the_theme_flag_overrides_the_config() {
    let cfg = scratch("theme.toml");
    std::fs::write(&cfg, "theme = \"high-contrast\"\n").unwrap();
    let mut s = Session::start(&["--config", cfg.to_str().unwrap(), "--theme", "mono"]);
    s.wait_for("the first screen", |t| t.contains("connected") && t.contains("? help"));
    {
        let (lock, _) = &*s.shared;
        let screen = lock.lock().unwrap();
        let screen = screen.parser.screen();
        let cells = (0..ROWS).flat_map(|r| (0..COLS).map(move |c| (r, c)));
        let coloured =
            cells.filter_map(|(r, c)| screen.cell(r, c)).any(|c| c.fgcolor() != vt100::Color::Default);
        assert!(!coloured, "--theme mono: a colour reached the terminal");
    }
    s.send("q");
    assert!(s.wait_exit().0.success());
}
