//! Hostile files, file names and config: no raw byte from a file or a path
//! reaches the terminal. Each boundary is checked on the real binary, byte
//! by byte (stdout and stderr), with a deadline so a hang is a failure.

use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use sockscope::escape::is_unsafe;

/// No run here may take longer than this (a hang is a failure, not a wait).
const DEADLINE: Duration = Duration::from_secs(20);

/// The terminal attacks a file can carry, in every form tried here.
const TITLE: &str = "\x1b]0;pwned\x07";

struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    took: Duration,
}

impl Run {
    fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    fn show(&self) -> String {
        format!(
            "exit {:?} after {:?}\nstdout: {:?}\nstderr: {:?}",
            self.code,
            self.took,
            self.out(),
            self.err()
        )
    }
}

/// A fresh directory for one test, removed when it is dropped.
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(name: &str) -> TempDir {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "sockscope-hostile-files-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    TempDir(dir)
}

/// Runs the binary with `args` (and `env`), killing it after [`DEADLINE`].
fn sockscope(args: &[&std::ffi::OsStr], env: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sockscope"));
    cmd.args(args);
    cmd.env_remove("RUST_BACKTRACE");
    // No config file from the machine running the tests, unless one is given.
    cmd.env("XDG_CONFIG_HOME", std::env::temp_dir().join("sockscope-hostile-files-no-config"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(cmd)
}

/// Runs `cmd` to its end, killing it after [`DEADLINE`].
fn run(mut cmd: Command) -> Run {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn sockscope");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break Some(st);
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.and_then(|s| s.code()),
        stdout: out.join().expect("stdout"),
        stderr: err.join().expect("stderr"),
        took: start.elapsed(),
    }
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

/// No C0 (but newline), DEL, invalid UTF-8, C1 or invisible character.
#[track_caller]
fn assert_safe(what: &str, bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8 ({e}): {bytes:?}"));
    if let Some(c) = text.chars().find(|&c| c != '\n' && is_unsafe(c)) {
        panic!("{what}: raw U+{:04X} in {text:?}", c as u32);
    }
}

#[track_caller]
fn assert_run_safe(what: &str, r: &Run) {
    assert!(r.code.is_some(), "{what}: no exit in {DEADLINE:?}: {}", r.show());
    assert_safe(&format!("{what} (stdout)"), &r.stdout);
    assert_safe(&format!("{what} (stderr)"), &r.stderr);
    assert!(!r.err().contains("panicked"), "{what}: {}", r.show());
}

/// A file name that tries to set the terminal title, and clear the screen.
fn hostile_name(dir: &Path, ext: &str) -> PathBuf {
    let name = format!("{TITLE}\x1b[2J\u{9d}0;x\u{7}{ext}");
    dir.join(std::ffi::OsStr::from_bytes(name.as_bytes()))
}

// ---- file names ----

#[test]
fn missing_files_with_hostile_names_are_named_escaped() {
    let dir = temp_dir("names");
    let script = hostile_name(&dir, ".sc");
    let rec = hostile_name(&dir, ".jsonl");
    let py = hostile_name(&dir, ".scenario");
    let cases: Vec<(&str, Vec<&std::ffi::OsStr>)> = vec![
        ("run", vec![os("run"), script.as_os_str()]),
        ("run --json", vec![os("run"), script.as_os_str(), os("--json")]),
        ("demo", vec![os("demo"), script.as_os_str()]),
        ("replay", vec![os("replay"), rec.as_os_str()]),
        ("export python", vec![os("export"), os("python"), py.as_os_str()]),
        ("--config", vec![os("--config"), script.as_os_str(), os("demo"), os("x.sc")]),
    ];
    for (what, args) in cases {
        let r = sockscope(&args, &[]);
        assert_run_safe(what, &r);
        assert_eq!(r.code, Some(2), "{what}: {}", r.show());
        assert!(r.err().contains(r"\x1b]0;pwned\x07\x1b[2J\u{9d}0;x\x07"), "{what}: {}", r.show());
    }
}

#[test]
fn a_script_with_a_hostile_name_reports_errors_under_its_escaped_name() {
    let dir = temp_dir("named-script");
    let script = hostile_name(&dir, ".sc");
    std::fs::write(&script, "recv 0\n").expect("write");
    for args in [vec![os("run"), script.as_os_str()], vec![os("export"), os("python"), script.as_os_str()]] {
        let r = sockscope(&args, &[]);
        assert_run_safe("a bad script", &r);
        assert_eq!(r.code, Some(2), "{}", r.show());
        assert!(r.err().contains(r"\x07.sc:1:6: size must be at least 1"), "{}", r.show());
    }
}

#[test]
fn a_hostile_recording_is_reported_escaped() {
    let dir = temp_dir("replay");
    let long = "k".repeat(100_000);
    for (i, line) in [
        r#"{"t_ns":0,"ev":{"\u001b]0;pwned\u0007\u001b[2J":1}}"#.to_string(),
        format!("{{\"t_ns\":0,\"ev\":{{\"\u{9d}0;pwned\u{9c}{long}\":1}}}}"),
        "\x1b]0;pwned\x07 not json\n".to_string(),
    ]
    .iter()
    .enumerate()
    {
        let path = dir.join(format!("{i}.jsonl"));
        std::fs::write(&path, format!("{line}\n")).expect("write");
        let r = sockscope(&[os("replay"), path.as_os_str()], &[]);
        assert_run_safe(line, &r);
        assert_eq!(r.code, Some(2), "{}", r.show());
        assert!(r.err().len() < 2000, "shortened: {}", r.show());
    }
}

// ---- script content ----

/// Writes `text` as a script and runs `args` on it (the path goes last).
fn on_script(text: &[u8], args: &[&str]) -> Run {
    let dir = temp_dir("script");
    let path = dir.join("s.sc");
    std::fs::write(&path, text).expect("write");
    let mut all: Vec<&std::ffi::OsStr> = args.iter().map(|a| os(a)).collect();
    all.push(path.as_os_str());
    sockscope(&all, &[])
}

#[test]
fn an_address_with_escapes_is_quoted_escaped() {
    let r = on_script(b"open tcp [\x1b[2J\x1b[31mRED]:80\n", &["run"]);
    assert_run_safe("not an IPv6 address", &r);
    assert_eq!(r.code, Some(2), "{}", r.show());
    assert!(r.err().contains(r"s.sc:1:10: `\x1b[2J\x1b[31mRED` is not an IPv6 address"), "{}", r.show());

    // A zone id may hold anything: the resolver refuses it, and says so escaped.
    for zone in ["\x1b[31mRED\x07", "\u{9d}0;pwned\u{9c}", "\u{ad}\u{e0041}\u{1f1e6}"] {
        let r = on_script(format!("open tcp [fe80::1%{zone}]:80\n").as_bytes(), &["run"]);
        assert_run_safe("a zone id", &r);
        assert_eq!(r.code, Some(1), "{}", r.show());
        assert!(r.err().contains("s.sc:1: error: cannot resolve `[fe80::1%"), "{}", r.show());
    }
}

#[test]
fn export_python_keeps_hostile_text_escaped_and_valid() {
    let script =
        "say \u{9b}2J \u{2028} \u{e0041}\u{1f1e6} \x1b]0;t\x07\nopen tcp [fe80::1%\x1b[31mx\x07]:80\n";
    let r = on_script(script.as_bytes(), &["export", "python", "--harness"]);
    assert_run_safe("export python", &r);
    assert_eq!(r.code, Some(0), "{}", r.show());
    let py = r.out();
    assert!(py.contains(r#"open_tcp("fe80::1%\x1b[31mx\x07", 80)"#), "{py}");
    let have_python = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if have_python {
        let dir = temp_dir("py");
        let file = dir.join("x.py");
        std::fs::write(&file, &py).expect("write");
        let check = Command::new("python3").args(["-m", "py_compile"]).arg(&file).output().expect("python3");
        assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
        // Run, it narrates and then fails to resolve the address: both escaped.
        let mut cmd = Command::new("python3");
        cmd.arg(&file);
        let r = run(cmd);
        assert_run_safe("the exported script", &r);
        assert_eq!(r.code, Some(1), "{}", r.show());
        assert!(r.out().contains(r"# say: \u{9b}2J"), "{}", r.show());
        assert!(r.err().contains(r"error: cannot resolve `fe80::1%\x1b[31mx\x07:80`"), "{}", r.show());
    }
}

#[test]
fn the_learners_export_keeps_hostile_text_escaped_and_valid() {
    let script = "# \u{9b}2J title \x1b]0;t\x07\nsay \u{9b}2J \u{2028} \u{e0041}\u{1f1e6} \x1b]0;t\x07\n\
                  open tcp\nsend \"\\x1b[2J\\\"\u{202e}\"\nopen tcp [fe80::1%\x1b[31mx\x07]:80\n";
    let r = on_script(script.as_bytes(), &["export", "python"]);
    assert_run_safe("export python", &r);
    assert_eq!(r.code, Some(0), "{}", r.show());
    let py = r.out();
    assert!(py.contains(r#"socket.create_connection(("fe80::1%\x1b[31mx\x07", 80))"#), "{py}");
    assert!(py.contains(r#"sock.send(b"\x1b[2J\"\xe2\x80\xae")"#), "{py}");
    assert!(py.contains(r"# \u{9b}2J \u{2028}"), "{py}");
    let have_python = Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if have_python {
        let dir = temp_dir("learner");
        let file = dir.join("x.py");
        std::fs::write(&file, &py).expect("write");
        // It sends, then fails to resolve the address: the traceback quotes
        // the source line, which holds only escapes.
        let mut cmd = Command::new("python3");
        cmd.arg(&file);
        let r = run(cmd);
        assert_run_safe("the learner's script", &r);
        assert_eq!(r.code, Some(1), "{}", r.show());
        assert!(r.out().contains("sock.send -> 8 of 8"), "{}", r.show());
    }
}

#[test]
fn json_strings_hold_no_raw_c1_or_invisible_characters() {
    let say = "C1 \u{9b}2J OSC \u{9d}0;t\u{9c} LS \u{2028} tag \u{e0041} flag \u{1f1e6}\u{1f1e8} soft \u{ad}";
    let r = on_script(format!("say {say}\n").as_bytes(), &["run", "--json"]);
    assert_run_safe("run --json", &r);
    assert_eq!(r.code, Some(0), "{}", r.show());
    let out = r.out();
    assert!(out.contains(r"C1 \u009b2J OSC \u009d0;t\u009c LS \u2028 tag \udb40\udc41"), "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("valid JSON");
    assert_eq!(v["text"], say, "decodes to the same text");
    // The table shows the same text escaped.
    let r = on_script(format!("say {say}\n").as_bytes(), &["run"]);
    assert_run_safe("run", &r);
    assert!(r.out().contains(r"C1 \u{9b}2J OSC \u{9d}0;t\u{9c} LS \u{2028}"), "{}", r.show());
}

// ---- reading files ----

#[test]
fn a_fifo_is_refused_at_once() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("s.sc");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success(), "mkfifo");
    for args in [
        vec![os("run"), fifo.as_os_str()],
        vec![os("demo"), fifo.as_os_str()],
        vec![os("export"), os("python"), fifo.as_os_str()],
    ] {
        let r = sockscope(&args, &[]);
        assert_run_safe("a FIFO", &r);
        assert_eq!(r.code, Some(2), "{}", r.show());
        assert!(r.err().contains("s.sc: a FIFO (named pipe) is not a regular file"), "{}", r.show());
    }
    let r = sockscope(&[os("--config"), fifo.as_os_str(), os("demo"), os("x.sc")], &[]);
    assert_eq!(r.code, Some(2), "{}", r.show());
    assert!(r.err().contains("a FIFO (named pipe) is not a regular file"), "{}", r.show());
}

#[test]
fn a_script_over_one_mib_is_refused() {
    let big = "# filler\n".repeat((1 << 20) / 9 + 1);
    let r = on_script(big.as_bytes(), &["run"]);
    assert_run_safe("a big script", &r);
    assert_eq!(r.code, Some(2), "{}", r.show());
    assert!(r.err().contains("s.sc: larger than 1024 KiB"), "{}", r.show());
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let r = on_script(b"\xef\xbb\xbfsay hello\n", &["run"]);
    assert_eq!(r.code, Some(0), "{}", r.show());
    let r = on_script(b"\xef\xbb\xbfrecv 0\n", &["run"]);
    assert!(r.err().contains("s.sc:1:6: size must be at least 1"), "{}", r.show());
}

#[test]
fn a_non_utf8_script_is_placed_by_line_and_column() {
    let r = on_script(b"open tcp\nsay \"\xc3\xa9\xff\x1b\"\n", &["run"]);
    assert_run_safe("not UTF-8", &r);
    assert_eq!(r.code, Some(2), "{}", r.show());
    assert!(r.err().contains("s.sc:2:7: not UTF-8 text (byte 0xff)"), "{}", r.show());
    assert!(r.stdout.is_empty(), "nothing ran: {}", r.show());
}

#[test]
fn a_day_long_wait_is_refused_before_anything_runs() {
    let r = on_script(b"open tcp\nwait 1000000000s\n", &["run"]);
    assert_eq!(r.code, Some(2), "{}", r.show());
    assert!(r.err().contains("s.sc:2:6: duration too long"), "{}", r.show());
    assert!(r.took < Duration::from_secs(10), "{}", r.show());
}

#[test]
fn an_unknown_errno_is_refused() {
    let r = on_script(b"open tcp\nexpect error EFOO\n", &["run"]);
    assert_eq!(r.code, Some(2), "{}", r.show());
    assert!(r.err().contains("s.sc:2:14: unknown errno `EFOO`"), "{}", r.show());
}

// ---- the config file ----

/// Config texts that try to reach the terminal through the error message.
fn hostile_configs() -> Vec<String> {
    vec![
        // An unknown key, written with TOML's own escapes.
        "\"\\u001b]0;pwned\\u0007\" = 1\n".into(),
        // An unknown theme value: raw C1 is valid in a TOML string.
        "theme = \"\u{9d}0;pwned\u{9c}\\u001b[2J\"\n".into(),
        // A key binding named with an escape, and one bound to an escape.
        "[keys]\n\"\\u001b[31m\" = \"r\"\n".into(),
        "[keys]\nrecv = \"\\u001b[31m\\u2028\"\n".into(),
        // A raw control (invalid TOML) and a raw line separator.
        "theme = \"\x1b\"\n\u{2028}".into(),
    ]
}

#[test]
fn a_hostile_config_is_reported_escaped() {
    let dir = temp_dir("config");
    for (i, text) in hostile_configs().iter().enumerate() {
        let path = dir.join(format!("{i}.toml"));
        std::fs::write(&path, text).expect("write");
        let r = sockscope(&[os("--config"), path.as_os_str(), os("demo"), os("x.sc")], &[]);
        assert_run_safe(text, &r);
        assert_eq!(r.code, Some(2), "{text:?}: {}", r.show());
        assert!(r.err().contains(&format!("{i}.toml: ")), "{text:?}: {}", r.show());
    }
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, b"mouse = true\n\xff").expect("write");
    let r = sockscope(&[os("--config"), bad.as_os_str(), os("demo"), os("x.sc")], &[]);
    assert!(r.err().contains("bad.toml: line 2, column 1: not UTF-8 text (byte 0xff)"), "{}", r.show());
}

#[test]
fn the_default_config_is_reported_escaped_too() {
    for text in hostile_configs() {
        let home = temp_dir("xdg");
        std::fs::create_dir_all(home.join("sockscope")).expect("dir");
        std::fs::write(home.join("sockscope").join("config.toml"), &text).expect("write");
        // No subcommand: the TUI, which checks its config before it touches the terminal.
        let r = sockscope(&[], &[("XDG_CONFIG_HOME", &*home)]);
        assert_run_safe(&text, &r);
        assert_eq!(r.code, Some(2), "{text:?}: {}", r.show());
        assert!(r.err().contains("sockscope/config.toml: "), "{}", r.show());
    }
}
