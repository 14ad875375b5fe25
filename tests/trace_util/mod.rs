//! Runs a program under `sockscope trace --json` and under `strace -f`, and
//! reads both into the same shape: (syscall, result) per call on a socket,
//! where the result is the return value or the errno name. Every run has a
//! deadline; loopback only.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// No traced program in these tests may take longer than this.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The syscalls `sockscope trace` reports (without --read-write).
pub const TRACED: [&str; 26] = [
    "socket",
    "socketpair",
    "bind",
    "listen",
    "accept",
    "accept4",
    "connect",
    "recvfrom",
    "recvmsg",
    "recvmmsg",
    "sendto",
    "sendmsg",
    "sendmmsg",
    "shutdown",
    "close",
    "fcntl",
    "ioctl",
    "setsockopt",
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_ctl",
];

/// The real interpreter behind `python3` (not a launcher script).
pub fn python() -> String {
    let out =
        Command::new("python3").args(["-c", "import sys; print(sys.executable)"]).output().expect("python3");
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

pub fn strace_works() -> bool {
    Command::new("strace").args(["-f", "-o", "/dev/null", "true"]).status().is_ok_and(|s| s.success())
}

/// A scratch file path unique to this test process and `name`.
pub fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("sockscope-trace-{}-{name}", std::process::id()))
}

/// Writes a Python program to a scratch file.
pub fn py_file(name: &str, code: &str) -> PathBuf {
    let p = scratch(&format!("{name}.py"));
    std::fs::write(&p, code).expect("write the program");
    p
}

/// Runs `cmd` to its end, killing it at the deadline.
pub fn run_bounded(cmd: &mut Command) -> Output {
    let mut child =
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!("still running after {DEADLINE:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `sockscope trace --json -o FILE -- argv`: the JSON lines and the run's output.
pub fn trace(name: &str, argv: &[&str]) -> (Vec<Value>, Output) {
    let log = scratch(&format!("{name}.jsonl"));
    let out = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_sockscope"))
            .args(["trace", "--json", "-o"])
            .arg(&log)
            .arg("--")
            .args(argv),
    );
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let lines =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    (lines, out)
}

/// The calls among the JSON lines.
pub fn calls(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|l| l["syscall"].is_string()).collect()
}

/// (syscall, result) of a JSON call line.
pub fn key(l: &Value) -> (String, String) {
    let ret = l["ret"].as_i64();
    let result = match (ret, l["errno"].as_str()) {
        (_, Some(e)) => e.to_string(),
        (Some(r), None) => r.to_string(),
        (None, None) => "unfinished".to_string(),
    };
    (l["syscall"].as_str().unwrap_or("?").to_string(), result)
}

/// The multiset of (syscall, result) over sockscope's calls.
pub fn ours(lines: &[Value]) -> BTreeMap<(String, String), usize> {
    let mut m = BTreeMap::new();
    for l in calls(lines) {
        *m.entry(key(l)).or_default() += 1;
    }
    m
}

/// One strace line, parsed.
#[derive(Debug, Clone)]
pub struct StraceCall {
    pub pid: u32,
    pub name: String,
    pub args: String,
    pub result: String,
    /// The whole line without the pid, as strace wrote it (joined if split).
    pub line: String,
}

/// `strace -f -y` of `argv`: the calls of the traced set that touch a socket.
pub fn strace(name: &str, argv: &[&str]) -> Vec<StraceCall> {
    let log = scratch(&format!("{name}.strace"));
    let set = "trace=network,poll,ppoll,select,pselect6,epoll_wait,epoll_pwait,epoll_pwait2,epoll_ctl,fcntl,ioctl,setsockopt,close";
    let out =
        run_bounded(Command::new("strace").args(["-f", "-y", "-qq", "-e", set, "-o"]).arg(&log).args(argv));
    assert!(out.status.success(), "strace: {}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&log).expect("strace log");
    let _ = std::fs::remove_file(&log);
    parse_strace(&text).into_iter().filter(on_socket).collect()
}

/// Whether a call is one sockscope reports: in its set, and on a socket.
fn on_socket(c: &StraceCall) -> bool {
    if !TRACED.contains(&c.name.as_str()) || c.result == "?" {
        return false;
    }
    match c.name.as_str() {
        "socket" | "socketpair" => true,
        "epoll_wait" | "epoll_pwait" | "epoll_pwait2" => true,
        "poll" | "ppoll" | "select" | "pselect6" => c.args.contains("<socket:["),
        "epoll_ctl" => c.args.split(", ").nth(2).is_some_and(|a| a.contains("<socket:[")),
        _ => c.args.split(", ").next().is_some_and(|a| a.contains("<socket:[")),
    }
}

/// Parses `PID name(args) = RESULT …`, joining `<unfinished ...>` halves.
pub fn parse_strace(text: &str) -> Vec<StraceCall> {
    let mut pending: BTreeMap<u32, String> = BTreeMap::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((pid, rest)) = line.split_once(' ') else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        let rest = rest.trim_start();
        let full = if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            pending.insert(pid, head.to_string());
            continue;
        } else if let Some((_, tail)) = rest.split_once(" resumed>") {
            format!("{}{tail}", pending.remove(&pid).unwrap_or_default())
        } else {
            rest.to_string()
        };
        if full.starts_with("---") || full.starts_with("+++") {
            continue;
        }
        let Some((name, after)) = full.split_once('(') else { continue };
        // The result is padded to a column: `close(3<…>)      = 0`.
        let Some((args, result)) = after.rsplit_once(" = ") else { continue };
        let Some(args) = args.trim_end().strip_suffix(')') else { continue };
        let result = parse_result(result.trim());
        let full = full.to_string();
        let line = full.clone();
        out.push(StraceCall { pid, name: name.to_string(), args: args.to_string(), result, line });
    }
    out
}

/// `-1 EAGAIN (…)` → EAGAIN; `3<socket:[…]>` → 3; `0x802 (flags …)` → 2050.
fn parse_result(r: &str) -> String {
    let mut words = r.split_whitespace();
    let first = words.next().unwrap_or("?");
    if first == "-1" {
        return words.next().unwrap_or("?").to_string();
    }
    let num = first.split('<').next().unwrap_or(first);
    match num.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16).map(|n| n.to_string()).unwrap_or_else(|_| num.to_string()),
        None => num.to_string(),
    }
}

/// The multiset of (syscall, result) over strace's calls.
pub fn theirs(calls: &[StraceCall]) -> BTreeMap<(String, String), usize> {
    let mut m = BTreeMap::new();
    for c in calls {
        *m.entry((c.name.clone(), c.result.clone())).or_default() += 1;
    }
    m
}

/// Traces `argv` both ways and asserts that the calls on sockets agree.
/// Returns sockscope's JSON lines for further checks.
pub fn agree(name: &str, argv: &[&str]) -> Vec<Value> {
    let (lines, out) = trace(name, argv);
    assert!(
        out.status.success(),
        "sockscope trace: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    if !strace_works() {
        eprintln!("strace is missing or not permitted here: comparing with it is skipped");
        return lines;
    }
    let s = strace(name, argv);
    let (a, b) = (ours(&lines), theirs(&s));
    assert_eq!(a, b, "sockscope (left) and strace (right) disagree on {name}\nstrace: {s:#?}");
    assert!(!a.is_empty(), "no calls at all");
    lines
}

/// Compiles a C program with gcc into a scratch binary.
pub fn gcc(name: &str, code: &str) -> Option<PathBuf> {
    let src = scratch(&format!("{name}.c"));
    let bin = scratch(name);
    std::fs::write(&src, code).expect("write C");
    let ok = Command::new("gcc").args(["-O2", "-o"]).arg(&bin).arg(&src).status().is_ok_and(|s| s.success());
    let _ = std::fs::remove_file(&src);
    ok.then_some(bin)
}

pub fn remove(p: &Path) {
    let _ = std::fs::remove_file(p);
}

/// The calls on one lane (`sock`), in the order they started.
pub fn on_lane<'a>(lines: &'a [Value], sock: &str) -> Vec<&'a Value> {
    let mut v: Vec<&Value> = calls(lines).into_iter().filter(|l| l["sock"] == sock).collect();
    v.sort_by_key(|l| l["seq"].as_u64());
    v
}
