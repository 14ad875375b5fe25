//! How `sockscope` ends when it is told to: a signal ends `run` the normal
//! way (the lab's private temp dir removed, the events so far printed, exit
//! 128 + N), and a reader that goes away (`| head`) ends every command that
//! prints quietly, with no panic.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Generous: a loaded CI machine may be slow to start the binary.
const WAIT: Duration = Duration::from_secs(15);

/// A fresh directory for one test, used as the child's TMPDIR so its
/// `sockscope-PID-N` directory can be found and checked.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sockscope-exits-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The lab directories a child made under `tmp`.
fn lab_dirs(tmp: &Path, pid: u32) -> Vec<PathBuf> {
    let prefix = format!("sockscope-{pid}-");
    std::fs::read_dir(tmp)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// Waits for the child's exit, killing it if it overstays.
fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the process did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `run --json` of a script that leaves a recv blocking and then waits a
/// long time; `signal` arrives during the wait.
fn signalled_run(signal: i32) {
    let tmp = scratch(&signal.to_string());
    let script = tmp.join("blocks.scenario");
    std::fs::write(&script, "open tcp\nrecv\nsay \"now waiting\"\nwait 60s\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["run", "--json"])
        .arg(&script)
        .env("TMPDIR", &tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + WAIT;
    while !lines.iter().any(|l: &String| l.contains("\"op\":\"say\"")) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => lines.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("no narration; got {lines:?}");
            }
        }
    }
    let dirs = lab_dirs(&tmp, child.id());
    assert_eq!(dirs.len(), 1, "the lab's temp dir exists while it runs: {dirs:?}");
    assert!(dirs[0].join("peer.sock").exists(), "the peer's socket file is there");

    // SAFETY: kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    let status = wait_exit(&mut child);
    lines.extend(rx.iter());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();

    assert_eq!(status.code(), Some(128 + signal), "signal {signal}: {status:?}, stderr {stderr:?}");
    assert!(stderr.contains("stopped by SIG"), "it says why: {stderr:?}");
    assert!(!dirs[0].exists(), "signal {signal} left {} behind", dirs[0].display());
    let recv = lines.iter().find(|l| l.contains("\"op\":\"recv\"")).expect("the recv is printed");
    assert!(recv.contains("\"outcome\":\"blocking\""), "printed as still blocking: {recv}");
    assert!(recv.contains("\"dur_us\":null"), "{recv}");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn sigint_ends_run_cleanly() {
    signalled_run(libc::SIGINT);
}

#[test]
fn sigterm_ends_run_cleanly() {
    signalled_run(libc::SIGTERM);
}

#[test]
fn sighup_ends_run_cleanly() {
    signalled_run(libc::SIGHUP);
}

/// Runs the binary with stdout on a pipe whose reader is already gone.
fn into_closed_pipe(args: &[&str], tmp: &Path) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .env("TMPDIR", tmp)
        .env("XDG_CONFIG_HOME", "/nonexistent/sockscope-tests")
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let status = wait_exit(&mut child);
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code(), stderr)
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let tmp = scratch("pipe");
    let script = tmp.join("waits.scenario");
    std::fs::write(&script, "open tcp\nrecv\nwait 60s\n").unwrap();
    let script = script.to_str().unwrap();
    let scenario = "assets/scenarios/07-eof-reset-epipe.scenario";
    let cases: [&[&str]; 5] = [
        &["completions", "bash"],
        &["man"],
        &["export", "python", scenario],
        &["run", script],
        &["run", "--json", script],
    ];
    for args in cases {
        let (code, stderr) = into_closed_pipe(args, &tmp);
        assert_eq!(code, Some(141), "{args:?} exits as SIGPIPE would; stderr {stderr:?}");
        assert!(stderr.is_empty(), "{args:?} is quiet: {stderr:?}");
    }
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("sockscope-"))
        .collect();
    assert!(left.is_empty(), "a run left its temp dir: {left:?}");
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Runs the binary to its end with every stream piped (so no terminal),
/// TMPDIR at `tmp`; returns its exit code and stderr.
fn to_the_end(args: &[&str], tmp: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(args)
        .env("TMPDIR", tmp)
        .env("XDG_CONFIG_HOME", "/nonexistent/sockscope-tests")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let status = wait_exit(&mut child);
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code(), stderr)
}

/// Every way out that is not a signal leaves no lab directory (and so no
/// `peer.sock`) behind: the commands that never start a lab, a run that
/// fails, and the TUI stopped before it could take a terminal (no tty, a
/// recording that cannot be made, a bad config).
#[test]
fn every_other_exit_leaves_no_lab_dir() {
    let tmp = scratch("paths");
    let failing = tmp.join("fails.scenario");
    std::fs::write(&failing, "open tcp\nrecv\nexpect wouldblock\n").unwrap();
    let invalid = tmp.join("invalid.scenario");
    std::fs::write(&invalid, "open tcp\nfrobnicate\n").unwrap();
    let bad_config = tmp.join("bad.toml");
    std::fs::write(&bad_config, "theme = \"neon\"\n").unwrap();
    let scenario = "assets/scenarios/13-unix-sockets.scenario";
    let (failing, invalid, bad_config) =
        (failing.to_str().unwrap(), invalid.to_str().unwrap(), bad_config.to_str().unwrap());
    let cases: [(&[&str], i32); 12] = [
        (&["export", "python", scenario], 0),
        (&["export", "python", "--harness", scenario], 0),
        (&["completions", "bash"], 0),
        (&["man"], 0),
        (&["--help"], 0),
        (&["run", failing], 1),
        (&["run", invalid], 2),
        (&[], 1),
        (&["demo", scenario], 1),
        (&["--record", "/nonexistent/dir/s.jsonl"], 1),
        (&["--config", bad_config], 2),
        (&["--theme", "neon"], 2),
    ];
    for (args, want) in cases {
        let (code, stderr) = to_the_end(args, &tmp);
        assert_eq!(code, Some(want), "{args:?}: stderr {stderr:?}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        let left = lab_dirs_of_anyone(&tmp);
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// The `sockscope-PID-N` directories under `tmp`, whoever made them.
fn lab_dirs_of_anyone(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("sockscope-") && e.path().is_dir())
        .map(|e| e.path())
        .collect()
}
