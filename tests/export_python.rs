//! `export python` repeats every shipped scenario in CPython, and the
//! exported script's calls come out as sockscope's own do: the same calls,
//! on the same socket numbers, with the same outcomes. Both exports are
//! checked: the learner's plain script (the default) and the faithful
//! harness (`--harness`).
//!
//! The learner's script is compared in the form `export_util::learner`
//! describes: outcomes as the kernel gave them (Python's BlockingIOError is
//! EAGAIN, whether sockscope calls it wouldblock or an SO_RCVTIMEO
//! timeout), every call per socket in order, the event loop's waits with
//! how many events each reported, a serve's calls without socket numbers
//! (the learner's server calls each connection `conn`), each serve
//! client's echo, and the scenario's `expect slowest` checked against the
//! learner's own timings. The harness is compared as follows.
//!
//! Compared: every socket call (open tcp, recv, send, accept, connect,
//! shutdown, close, spin) and every event-loop wait with its readiness
//! events. Byte counts are compared for `data` and `sent`; a `partial`
//! send's count depends on buffer sizes, so only its word is. Lines are
//! compared per lane in order; how lanes interleave is left to the threads.

mod export_util;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use export_util::learner::{json_form, learner_form};
use serde_json::Value;
use sockscope::command::{Command as Cmd, ExpectOutcome, Located, PeerCmd, ServeKind, parse_script};
use sockscope::export::{intro, learner_script, python_script};
use sockscope::headless::{Format, run_script};

/// No exported script may run longer than this.
const LIMIT: Duration = Duration::from_secs(30);

/// The shipped scenarios: the lessons, and the pairs made for `compare`.
fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios");
    let mut v: Vec<PathBuf> = [root.clone(), root.join("compare")]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "scenario"))
        .collect();
    v.sort();
    v
}

fn have_python() -> bool {
    Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Runs the script with python3, killing it after [`LIMIT`]. Returns the
/// exit code (None if killed), stdout and stderr.
fn run_python(script: &str) -> (Option<i32>, String, String) {
    let mut child = Command::new("python3")
        .args(["-I", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(script.as_bytes()).expect("the script is written to python3");
    drop(stdin);
    let read_all = |mut r: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out = read_all(Box::new(child.stdout.take().expect("stdout is piped")));
    let err = read_all(Box::new(child.stderr.take().expect("stderr is piped")));
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("python3 can be waited for") {
            break status.code();
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    (code, out.join().unwrap_or_default(), err.join().unwrap_or_default())
}

/// One sockscope JSON event in the exported script's form, keyed by the
/// lane it is compared on; `None` for events the script does not print.
fn from_json(v: &Value) -> Option<(String, String)> {
    let (op, outcome) = (v["op"].as_str()?, v["outcome"].as_str()?);
    let sock = match &v["sock"] {
        Value::Number(n) => n.to_string(),
        Value::String(s) if s == "loop" => s.clone(),
        _ => return None,
    };
    let arg = v["arg"].as_str().unwrap_or("");
    let count = |key: &str| v[key].as_u64().map(|n| n.to_string());
    let detail = match (op, outcome) {
        ("poll", "ready") => {
            let flags: Vec<&str> = v["flags"].as_array()?.iter().filter_map(Value::as_str).collect();
            let flags = if flags.is_empty() { "none".to_string() } else { flags.join("|") };
            return Some(("loop".into(), format!("#{sock} ready {flags}")));
        }
        ("poll", "ok") if arg.starts_with("wait") => {
            return Some(("loop".into(), format!("#loop poll events {}", count("bytes")?)));
        }
        ("poll", _) if arg.starts_with("wait") => None,
        // Set-ups that connect inside (tcp, unix) are calls; the others are not.
        ("open", _) if !(arg.starts_with("tcp") || arg.starts_with("unix ")) => return None,
        (
            "recv" | "peek" | "send" | "accept" | "connect" | "shutdown" | "close" | "open" | "spin"
            | "serve",
            _,
        ) => None,
        _ => return None,
    };
    let detail = detail.or(match outcome {
        "data" | "sent" => count("bytes"),
        "accepted" => count("new_sock"),
        "error" => v["errno"].as_str().map(String::from),
        _ => None,
    });
    let line = match detail {
        Some(d) => format!("#{sock} {op} {outcome} {d}"),
        None => format!("#{sock} {op} {outcome}"),
    };
    Some((if op == "poll" { "loop".into() } else { sock }, line))
}

/// One line the exported script printed, keyed the same way; comments
/// (`# say: …`, `#   spin tallies`) are skipped.
fn from_python(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?;
    let lane: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    if lane.is_empty() {
        return None;
    }
    let words: Vec<&str> = line.split(' ').collect();
    let line = match words.as_slice() {
        [sock, "send", "partial", _] => format!("{sock} send partial"),
        _ => line.to_string(),
    };
    let key = if lane == "loop" || words.get(1) == Some(&"ready") { "loop".into() } else { lane };
    Some((key, line))
}

/// How an event-loop `serve` batches its accepts depends on when its wait
/// wakes relative to the clients' connects, in sockscope as in Python. So
/// with one, the loop lane and a serving listener's `accept wouldblock`
/// (the end of each accept round) are left out; every accept, recv, send
/// and close of the clients is still compared.
fn without_races(lines: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut serving = Vec::new();
    let mut out = Vec::new();
    for (lane, line) in lines {
        if line.ends_with(" serve ok") {
            serving.push(lane.clone());
        }
        let round_end = line.ends_with(" accept wouldblock") && serving.contains(&lane);
        if lane != "loop" && !round_end {
            out.push((lane, line));
        }
    }
    out
}

/// Lines grouped by lane (in order within each lane).
fn by_lane(mut lines: Vec<(String, String)>) -> Vec<String> {
    lines.sort_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0)));
    lines.into_iter().map(|(_, l)| l).collect()
}

/// A shutdown (or close) and the blocked call it wakes end in the same
/// instant, so either may print first: put the control call first.
fn woken_after_control(mut lines: Vec<String>) -> Vec<String> {
    for i in 1..lines.len() {
        let control = |l: &str| l.contains(" shutdown ") || l.contains(" close ");
        // What a shutdown wakes a blocked call with: EOF, or EINVAL for accept.
        let woken = |l: &str| l.ends_with(" recv eof") || l.ends_with(" accept error EINVAL");
        let same_socket = lines[i].split(' ').next() == lines[i - 1].split(' ').next();
        if control(&lines[i]) && woken(&lines[i - 1]) && same_socket {
            lines.swap(i - 1, i);
        }
    }
    lines
}

/// Runs one script both ways. `Err` says how they differ.
fn compare(name: &str, text: &str) -> Result<usize, String> {
    let script = parse_script(text).map_err(|e| format!("{name}: does not parse: {e:?}"))?;
    let (code, py_out, py_err) = run_python(&python_script(name, &script));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let ours_code = run_script(name, text, Format::Json, &mut out, &mut err);
    if ours_code != 0 {
        return Err(format!("{name}: sockscope exited {ours_code}: {}", String::from_utf8_lossy(&err)));
    }
    if code != Some(0) {
        let how = code.map_or("was killed after 30 s".into(), |c| format!("exited {c}"));
        return Err(format!("{name}: the Python export {how}:\n{py_out}{py_err}"));
    }
    let ours: Vec<(String, String)> = String::from_utf8_lossy(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{name}: {l}: {e}")))
        .filter_map(|v| from_json(&v))
        .collect();
    let theirs: Vec<(String, String)> = py_out.lines().filter_map(from_python).collect();
    let evloop = script.iter().any(|l| matches!(l.cmd, Cmd::Serve { kind: ServeKind::EventLoop, .. }));
    let (ours, theirs) = match evloop {
        true => (by_lane(without_races(ours)), by_lane(without_races(theirs))),
        false => (by_lane(ours), by_lane(theirs)),
    };
    let (ours, theirs) = (woken_after_control(ours), woken_after_control(theirs));
    if ours == theirs {
        return Ok(ours.len());
    }
    let width = ours.iter().map(String::len).max().unwrap_or(0).max(9);
    let mut diff = format!("{name}: the outcomes differ\n  {:<width$}  python\n", "sockscope");
    for i in 0..ours.len().max(theirs.len()) {
        let (a, b) = (ours.get(i).map_or("", |s| s), theirs.get(i).map_or("", |s| s));
        let mark = if a == b { ' ' } else { '!' };
        diff += &format!("{mark} {a:<width$}  {b}\n");
    }
    Err(diff + &py_err)
}

/// Code lines of a Python script: not blank, not a comment.
fn code_lines(py: &str) -> usize {
    py.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).count()
}

/// The clients of each `peer connect` to a serving listener, numbered as
/// sockscope numbers them, and the latest batch at each `expect slowest`.
fn slowest_claims(script: &[Located]) -> Vec<(usize, Vec<u32>, ExpectOutcome)> {
    let (mut serving, mut next, mut batch, mut claims) = (false, 1, Vec::new(), Vec::new());
    for l in script {
        match &l.cmd {
            Cmd::Listen { .. } | Cmd::ListenUnix { .. } => serving = false,
            Cmd::Serve { .. } => serving = true,
            Cmd::Peer(PeerCmd::Connect(n)) if serving => {
                batch = (next..next + n).collect();
                next += n;
            }
            Cmd::Expect(e)
                if matches!(e.outcome, ExpectOutcome::SlowestOver(_) | ExpectOutcome::SlowestUnder(_)) =>
            {
                claims.push((l.line, batch.clone(), e.outcome.clone()));
            }
            _ => {}
        }
    }
    claims
}

/// Runs one script both ways, as the learner's plain script. `Err` says
/// how they differ.
fn compare_learner(name: &str, text: &str) -> Result<String, String> {
    compare_learner_from(name, text, false)
}

/// The same, with the script written by the session itself: `export python
/// PATH` as its last line, as `:export` in the TUI writes it, from what the
/// calls did in that same run.
fn compare_learner_from(name: &str, text: &str, session: bool) -> Result<String, String> {
    let script = parse_script(text).map_err(|e| format!("{name}: does not parse: {e:?}"))?;
    let path = std::env::temp_dir().join(format!("sockscope-session-{}-{name}.py", std::process::id()));
    let text_run = match session {
        true => format!("{text}\nexport python \"{}\"\n", path.display()),
        false => text.to_string(),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let ours_code = run_script(name, &text_run, Format::Json, &mut out, &mut err);
    if ours_code != 0 {
        return Err(format!("{name}: sockscope exited {ours_code}: {}", String::from_utf8_lossy(&err)));
    }
    let py = match session {
        true => {
            let py = std::fs::read_to_string(&path).map_err(|e| format!("{name}: no export: {e}"))?;
            let _ = std::fs::remove_file(&path);
            py
        }
        false => learner_script(name, &script, &intro(text)),
    };
    let (code, py_out, py_err) = run_python(&py);
    if code != Some(0) {
        let how = code.map_or("was killed after 30 s".into(), |c| format!("exited {c}"));
        return Err(format!("{name}: the learner's script {how}:\n{py_out}{py_err}\n{py}"));
    }
    let json: Vec<Value> = String::from_utf8_lossy(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{name}: {l}: {e}")))
        .collect();
    let evloop = script.iter().any(|l| matches!(l.cmd, Cmd::Serve { kind: ServeKind::EventLoop, .. }));
    let (ours, theirs) = (json_form(&json, evloop), learner_form(&py_out));
    let mut diffs = Vec::new();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let parts: [(&str, Vec<String>, Vec<String>); 3] = [
        (
            "calls",
            woken_after_control(by_lane(ours.lanes)),
            woken_after_control(by_lane(theirs.lanes.clone())),
        ),
        ("served", sorted(ours.served), sorted(theirs.served.clone())),
        ("clients", sorted(ours.clients), sorted(theirs.clients.clone())),
    ];
    let mut agree = 0;
    for (what, a, b) in parts {
        if a == b {
            agree += a.len();
            continue;
        }
        let width = a.iter().map(String::len).max().unwrap_or(0).max(9);
        diffs.push(format!("{what}:\n  {:<width$}  learner's script", "sockscope"));
        for i in 0..a.len().max(b.len()) {
            let (x, y) = (a.get(i).map_or("", |s| s), b.get(i).map_or("", |s| s));
            diffs.push(format!("{} {x:<width$}  {y}", if x == y { ' ' } else { '!' }));
        }
    }
    for (line, batch, claim) in slowest_claims(&script) {
        let waits: Vec<f64> = batch.iter().filter_map(|k| theirs.waits.get(k).copied()).collect();
        let slowest = waits.iter().copied().fold(0.0, f64::max);
        let holds = waits.len() == batch.len()
            && match claim {
                ExpectOutcome::SlowestOver(d) => slowest > d.as_secs_f64() * 1e3,
                ExpectOutcome::SlowestUnder(d) => slowest < d.as_secs_f64() * 1e3,
                _ => true,
            };
        if !holds {
            diffs.push(format!(
                "line {line}: {claim:?} does not hold for the learner's clients {batch:?}: {waits:?}"
            ));
        }
    }
    if diffs.is_empty() {
        return Ok(format!("{name}: {agree} outcomes agree ({} code lines)", code_lines(&py)));
    }
    Err(format!("{name}: the learner's script differs\n{}\n{py_out}{py_err}", diffs.join("\n")))
}

/// Compares each (name, script) in its own thread; fails with every difference.
fn compare_all(scripts: Vec<(String, String)>) {
    if !have_python() {
        eprintln!("note: python3 is not installed, so the Python export was not checked");
        return;
    }
    let runs: Vec<_> = scripts
        .into_iter()
        .map(|(name, text)| (name.clone(), thread::spawn(move || compare(&name, &text))))
        .collect();
    let mut failures = Vec::new();
    for (name, run) in runs {
        match run.join().unwrap_or_else(|_| Err(format!("{name}: the comparison panicked"))) {
            Ok(n) => println!("{name}: {n} calls agree"),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each shipped scenario's learner script, run by python3, agrees with
/// sockscope, and stays short: at most 80 code lines.
#[test]
fn every_shipped_scenario_exports_to_a_learners_script_that_agrees() {
    if !have_python() {
        eprintln!("note: python3 is not installed, so the learner's export was not checked");
        return;
    }
    let runs: Vec<_> = scenarios()
        .into_iter()
        .map(|f| {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
            let text = std::fs::read_to_string(&f).expect("the scenario is readable");
            thread::spawn(move || {
                let script = parse_script(&text).expect("parses");
                let lines = code_lines(&learner_script(&name, &script, &intro(&text)));
                let long = (lines > 80).then(|| format!("{name}: {lines} code lines, more than 80"));
                match (compare_learner(&name, &text), long) {
                    (Ok(said), None) => Ok(said),
                    (Ok(_), Some(e)) | (Err(e), _) => Err(e),
                }
            })
        })
        .collect();
    all_agree(runs);
}

/// Waits for each comparison; fails with every difference at once.
fn all_agree(runs: Vec<thread::JoinHandle<Result<String, String>>>) {
    let mut failures = Vec::new();
    for run in runs {
        match run.join().unwrap_or_else(|_| Err("a comparison panicked".into())) {
            Ok(said) => println!("{said}"),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Sessions as typed at the prompt: no expects, each call left to finish
/// or be released before the next of its kind, and before the export.
const TYPED: &[(&str, &str)] = &[
    ("typed-release", "open tcp\nrecv\npeer send \"late\"\nnonblocking\nrecv\nblocking\npeer close\nrecv\n"),
    (
        "typed-timeouts",
        "open tcp\ntimeout 0.2\nrecv\nwait 400ms\nrcvtimeo 0.1\nblocking\nrecv\nwait 300ms\nrecv 2\nwait 300ms\n",
    ),
    ("typed-accept", "listen\naccept\npeer connect\nuse 2\nrecv\npeer send \"hi\"\nshutdown wr\n"),
    ("typed-udp-reset", "open udp\nrecv\npeer send \"dgram\"\nopen tcp\npeer reset\nrecv\nsend \"x\"\n"),
    ("typed-shutdown", "open tcp\nrecv\nshutdown rd\nrecv\nuse 1\npeek\n"),
];

/// A session exported from the prompt (`export python PATH`, as `:export`
/// in the TUI writes it, from what the calls did in that same run) agrees
/// with the run: the typed sessions above, which have no expects to go by,
/// and each shipped scenario with the export as its last line.
#[test]
fn a_session_exports_a_script_that_agrees() {
    if !have_python() {
        return;
    }
    let shipped = scenarios().into_iter().map(|f| {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
        (name, std::fs::read_to_string(&f).expect("the scenario is readable"))
    });
    let typed = TYPED.iter().map(|(n, t)| (n.to_string(), t.to_string()));
    let runs: Vec<_> = typed
        .chain(shipped)
        .map(|(name, text)| thread::spawn(move || compare_learner_from(&name, &text, true)))
        .collect();
    all_agree(runs);
}

#[test]
fn every_shipped_scenario_exports_to_python_that_agrees() {
    let files = scenarios();
    assert!(!files.is_empty(), "no scenarios found");
    compare_all(
        files
            .iter()
            .map(|f| {
                let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
                (name, std::fs::read_to_string(f).expect("the scenario is readable"))
            })
            .collect(),
    );
}

/// Corners the shipped scenarios do not reach.
const EDGES: &[(&str, &str)] = &[
    // Still blocking at the end: printed as blocking; the call queued behind it never started.
    ("blocking-at-exit", "open tcp\nrecv\nrecv 10\n"),
    // A blocked call that the scenario says is blocking, and nothing ends.
    ("blocked-to-the-end", "open tcp\nrecv\nexpect blocking\nsay \"still waiting\"\nwait 100ms\n"),
    // While #1's recv waits, #2's blocks too: it must wait beside it, not
    // hold up the sends that release both.
    (
        "two-waiting",
        "open tcp\nopen tcp\nuse 1\nrecv\nexpect blocking\nuse 2\nrecv\nexpect blocking\npeer send \"b\"\n\
         expect recv data 1\nuse 1\npeer send \"a\"\nexpect recv data 1\n",
    ),
    // sockscope's peer reads what arrives: after a 300 KiB send its close
    // is a FIN, not the RST of a close with unread data.
    (
        "big-send-then-close",
        "open tcp\nsend 300k\nexpect sent 307200\npeer close\nwait 100ms\nshutdown wr\nrecv\nexpect eof\n",
    ),
    // The peer's send after its own shutdown fails (EPIPE) and the
    // session goes on, in the learner's script too.
    (
        "peer-send-after-shutdown",
        "open tcp\npeer shutdown wr\nrecv\nexpect eof\npeer send \"more\"\nsend \"x\"\nexpect sent 1\n",
    ),
    // Calls that block and then end on their own, with nothing acting
    // meanwhile: a timeout, and a send scheduled before the recv.
    (
        "ends-on-its-own",
        "open tcp\ntimeout 0.3\nrecv\nexpect blocking\nexpect timeout\npeer send \"hi\" after 200ms\nrecv\n\
         expect blocking\nsay \"the send was scheduled before\"\nwait 50ms\nexpect data 2\n",
    ),
    // peek leaves the bytes for the recv; a second recv on a busy socket runs beside it.
    (
        "peek-and-beside",
        "open tcp\npeer send \"hello\"\nwait 50ms\npeek\nexpect data 5\nrecv\nexpect data 5\nnonblocking\npeek\n\
         expect wouldblock\nblocking\nrecv\nnonblocking\nrecv\nexpect wouldblock\npeer send \"z\"\nwait 50ms\n",
    ),
    // Peer actions on a listener go to its newest peer client; accepted sockets are numbered in order.
    (
        "listener",
        "listen\npeer connect 2\npeer send \"to newest\"\naccept\naccept\nuse 3\nrecv\nexpect data 9\n\
         use 2\nnonblocking\nrecv\nexpect wouldblock\npeer close\nuse 1\npeer reset\nuse 2\nrecv\nexpect eof\n",
    ),
    // UDP aimed at a TCP port, a refused timeout connect, shutdown on an unconnected socket.
    (
        "errors",
        "socket udp\nconnect\nsend \"hey\"\nrecv\nexpect error ECONNREFUSED\nsocket tcp\ntimeout 0.3\n\
         connect 127.0.0.1:1\nexpect error ECONNREFUSED\nshutdown both\nopen tcp\nshutdown rd\nrecv\nexpect eof\nclose\n",
    ),
    // A blocking server still waiting for its second client when the script ends.
    ("serve-at-exit", "listen\nserve blocking 2\npeer connect 1\nexpect slowest under 100ms\nwait 100ms\n"),
    // SO_RCVTIMEO on a blocking socket, then the loop with both interests and a drain that meets EOF.
    (
        "timers-and-drain",
        "open tcp\nrcvtimeo 0.3\nrecv\nnonblocking\nrecv\nwait 400ms\nexpect wouldblock\npoll add both\n\
         poll wait 100ms\npeer close\npoll drain on\npoll wait 200ms\nexpect events 1\nspin recv 100\nexpect eof\n",
    ),
    // AF_UNIX: a stream pair, a datagram pair, a listener with two peer
    // clients told apart by connect order, a refused and a missing path.
    (
        "unix",
        "open unix\nnonblocking\nrecv\nexpect wouldblock\npeer send \"hi\"\nrecv\nexpect data 2\npeer close\n\
         recv\nexpect eof\nsend \"x\"\nexpect error EPIPE\nopen unixgram\npeer send \"abcdef\"\nrecv 2\n\
         expect data 2\nnonblocking\nrecv\nexpect wouldblock\nlisten unix\npeer connect 2\naccept\naccept\n\
         use 5\npeer send \"second\"\nrecv\nexpect data 6\nuse 4\npeer shutdown wr\nrecv\nexpect eof\n\
         use 3\nclose\nopen unix /nonexistent/sockscope.sock\nexpect error ENOENT\n",
    ),
];

#[test]
fn edge_cases_export_to_python_that_agrees() {
    compare_all(EDGES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect());
}

#[test]
fn json_events_map_to_the_exported_form() {
    let map = |s: &str| from_json(&serde_json::from_str(s).expect("json")).map(|(_, l)| l);
    let ev = r#"{"sock":1,"op":"recv","arg":"1024","outcome":"data","bytes":5,"errno":null}"#;
    assert_eq!(map(ev).as_deref(), Some("#1 recv data 5"));
    let ev = r#"{"sock":1,"op":"send","arg":"8388608","outcome":"partial","bytes":3919467,"errno":null}"#;
    assert_eq!(map(ev).as_deref(), Some("#1 send partial"));
    let ev = r#"{"sock":1,"op":"accept","arg":null,"outcome":"accepted","bytes":null,"new_sock":2}"#;
    assert_eq!(map(ev).as_deref(), Some("#1 accept accepted 2"));
    let ev = r#"{"sock":2,"op":"recv","arg":"1024","outcome":"error","bytes":null,"errno":"ECONNRESET"}"#;
    assert_eq!(map(ev).as_deref(), Some("#2 recv error ECONNRESET"));
    let ev = r#"{"sock":1,"op":"open","arg":"udp 127.0.0.1:5","outcome":"ok","bytes":null}"#;
    assert_eq!(map(ev), None);
    let ev = r#"{"sock":"loop","op":"poll","arg":"wait 0.3","outcome":"ok","bytes":1}"#;
    assert_eq!(map(ev).as_deref(), Some("#loop poll events 1"));
    assert_eq!(from_python("#1 send partial 123").map(|(_, l)| l).as_deref(), Some("#1 send partial"));
    assert_eq!(from_python("# say: hi"), None);
    assert_eq!(from_python("#   10 calls: 10 wouldblock"), None);
}

/// The learner's script of the corners above, where it can be compared.
/// Left out, and why:
/// - blocking-at-exit, peek-and-beside: calls that block with no `expect`
///   saying so. The learner's script follows the expects to know which
///   calls block; without one, its call blocks the script, as a plain
///   program's would (the harness runs it beside the rest).
/// - errors: a `shutdown` whose ENOTCONN no expect names raises in the
///   learner's script, as it would in a learner's own.
/// - serve-at-exit: a server still waiting for a client when the scenario
///   ends; the learner's server thread is left waiting and prints nothing.
#[test]
fn edge_cases_export_to_a_learners_script_that_agrees() {
    if !have_python() {
        return;
    }
    let compared = [
        "blocked-to-the-end",
        "ends-on-its-own",
        "two-waiting",
        "big-send-then-close",
        "peer-send-after-shutdown",
        "listener",
        "timers-and-drain",
        "unix",
    ];
    let mut failures = Vec::new();
    for (name, text) in EDGES.iter().filter(|(n, _)| compared.contains(n)) {
        match compare_learner(name, text) {
            Ok(said) => println!("{said}"),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
