//! End to end: the real binary in a pseudo-terminal, its output parsed by
//! vt100, and every check made on the parsed screen (ratatui skips
//! unchanged cells, so the raw byte stream cannot be matched).

mod tui_pty_util;

use tui_pty_util::Session;

/// Every elapsed time shown beside `blocking` (e.g. `1.20s`, `250ms`).
fn elapsed_readings(screen: &str) -> Vec<String> {
    screen
        .match_indices("blocking ")
        .filter_map(|(i, m)| {
            let rest = &screen[i + m.len()..];
            let tok: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || c.is_ascii_alphabetic())
                .collect();
            tok.starts_with(|c: char| c.is_ascii_digit()).then_some(tok)
        })
        .collect()
}

#[test]
fn explore_wouldblock_blocking_and_quit() {
    let mut s = Session::start(&[]);
    // The first screen: #1 already connected to the peer, and the key hints.
    s.wait_for("the first screen", |t| t.contains("connected") && t.contains("? help"));

    s.send(":nonblocking\r");
    s.wait_text("you set  nonblocking");
    s.send(":recv\r");
    s.wait_text("wouldblock");

    s.send(":blocking\r");
    s.wait_text("you set  blocking");
    s.send(":recv\r");
    let first = s.wait_for("a blocking call", |t| !elapsed_readings(t).is_empty());
    let first = elapsed_readings(&first)[0].clone();
    s.wait_for("the elapsed time to grow", |t| elapsed_readings(t).iter().any(|r| *r != first));

    s.send(":peer send \"hello\"\r");
    s.wait_for("the blocked recv to complete", |t| t.contains("data 5") && elapsed_readings(t).is_empty());

    s.send("q");
    let (status, alternate) = s.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(!alternate, "the alternate screen was not left");
}

#[test]
fn keys_and_help_overlay() {
    let mut s = Session::start(&[]);
    s.wait_text("? help");
    s.send("?");
    s.wait_text("p then: the peer");
    s.send("\x1b");
    s.wait_for("the overlay to close", |t| !t.contains("p then: the peer"));
    // A click on #1's header (SGR mouse, 1-based) makes it current again.
    s.send("n");
    s.wait_text("▸#2 tcp");
    s.send("\x1b[<0;5;2M\x1b[<0;5;2m");
    s.wait_text("▸#1 tcp");
    s.send("b");
    s.wait_text("you set  nonblocking");
    s.send("r");
    s.wait_text("wouldblock");
    // A bad line: the error is shown in place and the session goes on.
    s.send(":rcev\r");
    s.wait_text("did you mean");
    s.send("\x1b");
    s.send("\x03");
    let (status, alternate) = s.wait_exit();
    assert!(status.success());
    assert!(!alternate);
}

#[test]
fn demo_with_bad_script_exits_2_before_touching_the_terminal() {
    let dir = std::env::temp_dir().join(format!("sockscope-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.scenario");
    std::fs::write(&file, "open tcp\nrcev\n").unwrap();
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_sockscope")).arg("demo").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.scenario:2:1:"), "stderr: {err}");
    assert!(out.stdout.is_empty(), "the terminal was touched");
}

#[test]
fn demo_steps_through_a_scenario() {
    let dir = std::env::temp_dir().join(format!("sockscope-demo-ok-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("d.scenario");
    std::fs::write(&file, "say First we open a socket.\nopen tcp\nsay Now a non-blocking recv.\nnonblocking\nrecv\nexpect data\n").unwrap();
    let mut s = Session::start(&["demo", file.to_str().unwrap()]);
    s.wait_for("the intro", |t| t.contains("First we open a socket.") && t.contains("next ▸ open tcp"));
    s.send(" ");
    // A step's narration stays with it; the next step's waits for its key.
    s.wait_for("step 1", |t| {
        t.contains("step 1/2")
            && t.contains("First we open a socket.")
            && t.contains("next ▸ nonblocking · recv")
    });
    s.send(" ");
    s.wait_text("Now a non-blocking recv.");
    // The expect fails (nothing was sent): shown in the status line, not fatal.
    s.wait_text("d.scenario:6: expect failed");
    s.send("q");
    let (status, alternate) = s.wait_exit();
    assert!(status.success());
    assert!(!alternate);
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut s = Session::start(&[]);
    s.wait_text("? help");
    let pid = s.child.process_id().expect("pid") as libc::pid_t;
    // SAFETY: plain kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let (status, alternate) = s.wait_exit();
    assert_eq!(status.exit_code(), 128 + libc::SIGTERM as u32);
    assert!(!alternate, "the alternate screen was not left");
}
