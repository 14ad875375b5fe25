//! How the TUI ends when it is told to: a signal (SIGTERM, SIGINT) or a
//! closed terminal (the window shut, ssh dropped: the kernel hangs up the
//! pty and sends SIGHUP). Each ends the session the normal way: exit
//! 128 + N, no panic or abort on a dead terminal, the terminal restored if
//! it is still there, and the lab's temp dir removed.

mod tui_pty_util;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use tui_pty_util::Session;

const WAIT: Duration = Duration::from_secs(15);
const ALT_SCREEN: &[u8] = b"\x1b[?1049h";

/// A fresh directory for the child's TMPDIR, so its lab dir can be checked.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sockscope-tui-exits-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn signalled(signal: i32) {
    let tmp = scratch(&signal.to_string());
    let mut s = Session::start_with(&[], &[("TMPDIR", tmp.to_str().unwrap())]);
    s.wait_text("? help");
    let pid = s.child.process_id().expect("pid");
    let lab_dir = tmp.join(format!("sockscope-{pid}-0"));
    assert!(lab_dir.join("peer.sock").exists(), "the lab's temp dir is there while it runs");
    // SAFETY: kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, signal) }, 0);
    let (status, alternate) = s.wait_exit();
    assert_eq!(status.exit_code(), 128 + signal as u32, "{status:?}");
    assert!(!alternate, "the alternate screen was not left");
    assert!(!lab_dir.exists(), "signal {signal} left {} behind", lab_dir.display());
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn sigterm_ends_the_tui_cleanly() {
    signalled(libc::SIGTERM);
}

#[test]
fn sigint_ends_the_tui_cleanly() {
    signalled(libc::SIGINT);
}

/// Not through `tui_pty_util`: a hangup needs every master-side fd closed,
/// and its reader thread keeps one open for as long as it reads.
#[test]
fn a_closed_terminal_ends_the_tui_cleanly() {
    let tmp = scratch("hangup");

    let pty = native_pty_system()
        .openpty(PtySize { rows: 30, cols: 100, pixel_width: 0, pixel_height: 0 })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sockscope"));
    cmd.env("TERM", "xterm-256color");
    cmd.env("LANG", "C.UTF-8");
    cmd.env("TMPDIR", &tmp);
    cmd.env("XDG_CONFIG_HOME", "/nonexistent/sockscope-tests");
    let mut child = pty.slave.spawn_command(cmd).expect("spawn");
    drop(pty.slave);
    let pid = child.process_id().expect("pid");

    // The reader stops after the next read once `done` is set, and with it
    // goes its copy of the master fd.
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let mut writer = pty.master.take_writer().expect("writer");
    let done = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let stop = done.clone();
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf) {
                Ok(n) if n > 0 => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        return;
                    }
                }
                _ => return,
            }
            if stop.load(Ordering::SeqCst) {
                return;
            }
        }
    });

    // Up and drawing, with its temp dir made.
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    let lab_dir = tmp.join(format!("sockscope-{pid}-0"));
    while !(seen.windows(ALT_SCREEN.len()).any(|w| w == ALT_SCREEN) && lab_dir.join("peer.sock").exists()) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left.min(Duration::from_millis(100))) {
            Ok(bytes) => seen.extend(bytes),
            Err(_) => assert!(!left.is_zero(), "the TUI did not start ({} bytes seen)", seen.len()),
        }
    }

    // Stop the reader: set the flag, then make the TUI draw (the help).
    done.store(true, Ordering::SeqCst);
    writer.write_all(b"?").unwrap();
    writer.flush().unwrap();
    let deadline = Instant::now() + WAIT;
    while !reading.is_finished() {
        assert!(Instant::now() < deadline, "the reader did not stop");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Hang up: the last master-side fds go.
    drop(rx);
    drop(writer);
    drop(pty.master);

    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("sockscope did not exit on hangup");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.exit_code(), 129, "128 + SIGHUP, not a panic (101) or an abort: {status:?}");
    assert!(!lab_dir.exists(), "the hangup left {} behind", lab_dir.display());
    let _ = std::fs::remove_dir_all(&tmp);
}
