//! Ctrl-Z under a real shell's job control: the TUI gives the terminal back
//! and stops; `fg` brings the whole screen back and keys work at once.

mod tui_pty_util;

use tui_pty_util::Session;

#[test]
fn ctrl_z_then_fg_resumes_cleanly() {
    if std::process::Command::new("bash").arg("--version").output().is_err() {
        eprintln!("no bash here: skipping");
        return;
    }
    let mut s = Session::start_shell();
    s.wait_text("$ ");
    s.send(&format!("{}\r", env!("CARGO_BIN_EXE_sockscope")));
    s.wait_text("? help");
    s.send("\x1a");
    s.wait_text("Stopped");
    s.send("fg\r");
    let screen = s.wait_for("the TUI repainted", |t| t.contains("? help") && t.contains("sockets"));
    println!("{screen}");
    s.send("r");
    s.wait_text("blocking");
    s.send("q");
    s.wait_for("the shell prompt back", |t| t.trim_end().ends_with('$'));
}
