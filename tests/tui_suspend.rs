//! Job control under a real shell: Ctrl-Z, an outside `kill -TSTP`, and an
//! outside `kill -STOP` / `fg`. Each time the TUI gives the terminal back
//! (main screen, cursor shown, mouse off) or the shell is seen to have it,
//! and `fg` brings the whole screen back in raw mode: keys work at once,
//! with no Enter.

mod tui_pty_util;

use tui_pty_util::Session;

fn have_bash() -> bool {
    let ok = std::process::Command::new("bash").arg("--version").output().is_ok();
    if !ok {
        eprintln!("no bash here: skipping");
    }
    ok
}

/// Bash with sockscope running as its foreground job; returns sockscope's pid.
fn shell_with_sockscope() -> (Session, i32) {
    let mut s = Session::start_shell();
    s.wait_text("$ ");
    s.send(&format!("{}\r", env!("CARGO_BIN_EXE_sockscope")));
    s.wait_text("? help");
    let bash = s.child.process_id().expect("bash's pid");
    let pid = child_of(bash).expect("sockscope runs under bash");
    (s, pid)
}

/// The pid of a process whose parent is `parent`, from /proc.
fn child_of(parent: u32) -> Option<i32> {
    std::fs::read_dir("/proc").ok()?.filter_map(Result::ok).find_map(|e| {
        let pid: i32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
        // pid (comm) state ppid …: comm may hold spaces, so split after ')'.
        let ppid: u32 = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent).then_some(pid)
    })
}

fn kill(pid: i32, sig: i32) {
    // SAFETY: kill(2) on a process this test started.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0, "kill {pid} {sig}");
}

/// The terminal is the shell's again: main screen, cursor shown, no mouse.
fn assert_given_back(s: &Session) {
    let (lock, _) = &*s.shared;
    let st = lock.lock().unwrap();
    let screen = st.parser.screen();
    assert!(!screen.alternate_screen(), "still on the alternate screen");
    assert!(!screen.hide_cursor(), "the shell's cursor is hidden");
    assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None, "mouse capture is still on");
}

/// `fg`, then the repainted TUI must take `r` at once, and `q` must quit.
fn fg_and_keys_work(s: &mut Session) {
    s.send("fg\r");
    let screen = s.wait_for("the TUI repainted", |t| t.contains("? help") && t.contains("sockets"));
    println!("{screen}");
    s.send("r");
    s.wait_text("blocking");
    s.send("q");
    s.wait_for("the shell prompt back", |t| t.trim_end().ends_with('$'));
    assert_given_back(s);
}

#[test]
fn ctrl_z_then_fg_resumes_cleanly() {
    if !have_bash() {
        return;
    }
    let (mut s, _) = shell_with_sockscope();
    s.send("\x1a");
    s.wait_text("Stopped");
    assert_given_back(&s);
    fg_and_keys_work(&mut s);
}

#[test]
fn an_outside_sigtstp_suspends_like_ctrl_z() {
    if !have_bash() {
        return;
    }
    let (mut s, pid) = shell_with_sockscope();
    kill(pid, libc::SIGTSTP);
    s.wait_text("Stopped");
    assert_given_back(&s);
    fg_and_keys_work(&mut s);
}

#[test]
fn an_outside_stop_and_fg_retake_the_terminal() {
    if !have_bash() {
        return;
    }
    let (mut s, pid) = shell_with_sockscope();
    // SIGSTOP cannot be caught: the shell takes the terminal back as it is
    // (and resets its modes); SIGCONT on `fg` must set raw mode again.
    kill(pid, libc::SIGSTOP);
    s.wait_text("Stopped");
    fg_and_keys_work(&mut s);
}
