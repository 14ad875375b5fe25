//! `strace` of a run agrees with its records: a poll-based timeout is a
//! `poll(…) = 0 (Timeout)` with no recvfrom after it, a WouldBlock is a real
//! `recvfrom(…) = -1 EAGAIN`, and every recv that reached the kernel is one
//! recvfrom. Skipped (with a note) where strace is missing or not permitted.

use std::path::Path;
use std::process::Command;

fn strace_works() -> bool {
    Command::new("strace").args(["-f", "-o", "/dev/null", "true"]).status().is_ok_and(|s| s.success())
}

/// Runs a script under strace; returns (JSON lines, strace lines).
fn traced(name: &str, script: &str) -> Option<(Vec<serde_json::Value>, Vec<String>)> {
    if !strace_works() {
        eprintln!("strace is missing or not permitted here: skipping");
        return None;
    }
    let dir = std::env::temp_dir();
    let file = dir.join(format!("sockscope-strace-{}-{name}.scenario", std::process::id()));
    std::fs::write(&file, script).expect("write the script");
    let log = dir.join(format!("sockscope-strace-{}-{name}.txt", std::process::id()));
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=recvfrom,poll,sendto", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_sockscope"))
        .args(["run", "--json"])
        .arg(&file)
        .output()
        .expect("run strace");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let trace = std::fs::read_to_string(&log).expect("strace log");
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&file);
    Some((json, join_halves(&trace)))
}

/// strace -f splits a call that another thread interrupts into
/// "<unfinished ...>" and "<... resumed>" halves; join them by pid.
fn join_halves(trace: &str) -> Vec<String> {
    let mut pending: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for line in trace.lines() {
        let pid = line.split_whitespace().next().unwrap_or("");
        if let Some(head) = line.strip_suffix(" <unfinished ...>") {
            pending.insert(pid, head.to_string());
        } else if let Some((_, tail)) = line.split_once(" resumed>") {
            // The resumed half is padded to strace's result column.
            let tail =
                tail.split_once(')').map_or(tail.to_string(), |(a, b)| format!("{a}) {}", b.trim_start()));
            out.push(format!("{}{tail}", pending.remove(pid).unwrap_or_default()));
        } else {
            out.push(line.to_string());
        }
    }
    out
}

/// Our recvs ask for 1024 bytes; the peer reads with 64 KiB, so the size tells them apart.
fn ours(trace: &[String], pred: impl Fn(&str) -> bool) -> usize {
    // A whole call and a "resumed" half both hold the arguments after the buffer.
    trace.iter().filter(|l| l.contains("recvfrom") && l.contains(", 1024, 0, NULL, NULL") && pred(l)).count()
}

fn count(json: &[serde_json::Value], op: &str, outcome: &str) -> usize {
    json.iter().filter(|v| v["op"] == op && v["outcome"] == outcome && v["sock"].is_u64()).count()
}

#[test]
fn a_wouldblock_is_a_real_eagain_from_recvfrom() {
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/02-nonblocking-wouldblock.scenario");
    let script = std::fs::read_to_string(scenario).expect("the shipped scenario");
    let Some((json, trace)) = traced("wouldblock", &script) else { return };
    let wouldblock = count(&json, "recv", "wouldblock");
    assert_eq!(wouldblock, 2);
    assert_eq!(ours(&trace, |l| l.ends_with("= -1 EAGAIN (Resource temporarily unavailable)")), wouldblock);
    assert_eq!(ours(&trace, |l| l.contains("\"hello\"") && l.ends_with("= 5")), count(&json, "recv", "data"));
}

#[test]
fn a_poll_timeout_makes_no_recvfrom() {
    // Like the shipped 04 scenario, with margins wide enough for strace on a
    // loaded machine: one poll-based timeout, one poll that saw data, one
    // SO_RCVTIMEO expiry, one plain recv.
    let script = "open tcp\ntimeout 0.3\nrecv\nexpect timeout\ntimeout 5\npeer send \"hi\" after 100ms\nrecv\n\
                  expect data 2\nblocking\nrcvtimeo 0.2\nrecv\nexpect timeout\npeer send \"ok\"\nrecv\nexpect data 2\n";
    let Some((json, trace)) = traced("timeouts", script) else { return };
    let polled_out = trace.iter().filter(|l| l.contains("poll([{fd=") && l.contains(", 300) = 0 (Timeout)"));
    assert_eq!(polled_out.count(), 1, "timeout 0.3 is one poll(…, 300) that times out");
    let poll_timeouts = json
        .iter()
        .filter(|v| v["op"] == "recv" && v["outcome"] == "timeout" && v["errno"].is_null())
        .count();
    assert_eq!(poll_timeouts, 1);
    let made_a_syscall = json
        .iter()
        .filter(|v| v["op"] == "recv" && (!v["errno"].is_null() || v["outcome"] == "data"))
        .count();
    assert_eq!(ours(&trace, |_| true), made_a_syscall, "every other recv is exactly one recvfrom");
    assert_eq!(
        ours(&trace, |l| l.ends_with("= -1 EAGAIN (Resource temporarily unavailable)")),
        1,
        "the SO_RCVTIMEO expiry"
    );
}

/// `peek` is one recvfrom with MSG_PEEK that returns the bytes and leaves
/// them queued: the recv after it reads the same bytes.
#[test]
fn a_peek_is_a_recvfrom_with_msg_peek() {
    let script = "open tcp\npeer send \"hello\"\nwait 50ms\npeek\nexpect data 5\nrecv\nexpect data 5\n\
                  nonblocking\npeek\nexpect wouldblock\n";
    let Some((json, trace)) = traced("peek", script) else { return };
    assert_eq!(count(&json, "peek", "data"), 1, "{json:?}");
    assert_eq!(count(&json, "peek", "wouldblock"), 1, "{json:?}");
    let peeks: Vec<&String> = trace.iter().filter(|l| l.contains(", 1024, MSG_PEEK, NULL, NULL")).collect();
    assert_eq!(peeks.len(), 2, "{trace:#?}");
    assert!(peeks[0].contains("\"hello\"") && peeks[0].ends_with("= 5"), "{}", peeks[0]);
    assert!(peeks[1].ends_with("= -1 EAGAIN (Resource temporarily unavailable)"), "{}", peeks[1]);
    assert_eq!(
        ours(&trace, |l| l.contains("\"hello\"") && l.ends_with("= 5")),
        1,
        "then the recv takes them"
    );
}
