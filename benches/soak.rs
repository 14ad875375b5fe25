//! Soak: a long headless flood (a busy-poll plus peer traffic) through the
//! real binary, reporting its RSS and event count over time. Not run in CI.
//!
//! `SOAK_MINUTES=10 cargo bench --bench soak` (default 1 minute).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Seconds per round: the peer sends 64 KiB, then we spin for this long.
const ROUND_S: u64 = 5;

fn script(minutes: u64) -> String {
    let mut s = String::from("open tcp\nnonblocking\n");
    for _ in 0..(minutes * 60 / ROUND_S) {
        s.push_str(&format!("peer send 64k\nspin recv 64k {ROUND_S}s\nwait {ROUND_S}s\n"));
    }
    s
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let minutes: u64 = std::env::var("SOAK_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(1);
    let path = std::env::temp_dir().join(format!("sockscope-soak-{}.scenario", std::process::id()));
    std::fs::File::create(&path).and_then(|mut f| f.write_all(script(minutes).as_bytes())).expect("script");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sockscope"))
        .args(["run", "--json"])
        .arg(&path)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start sockscope");
    let pid = child.id();
    let lines = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    let stdout = child.stdout.take().expect("piped");
    let (l2, c2) = (lines.clone(), calls.clone());
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            l2.fetch_add(1, Ordering::Relaxed);
            let count = line.split("\"count\":").nth(1).and_then(|r| r.split([',', '}']).next());
            c2.fetch_add(count.and_then(|c| c.parse().ok()).unwrap_or(1), Ordering::Relaxed);
        }
    });
    println!("soak: {minutes} min of `spin recv 64k {ROUND_S}s` rounds with peer sends");
    println!("{:>7}  {:>9}  {:>12}  {:>14}", "time", "RSS kB", "JSON lines", "calls");
    let start = Instant::now();
    let deadline = start + Duration::from_secs(minutes * 60 + 60);
    let mut peak = 0;
    while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_secs(10));
        let rss = rss_kb(pid).unwrap_or(0);
        peak = peak.max(rss);
        println!(
            "{:>6}s  {rss:>9}  {:>12}  {:>14}",
            start.elapsed().as_secs(),
            lines.load(Ordering::Relaxed),
            calls.load(Ordering::Relaxed)
        );
    }
    let _ = child.kill();
    let status = child.wait().expect("wait");
    let _ = reader.join();
    let _ = std::fs::remove_file(&path);
    println!(
        "done: exit {:?}, peak RSS {peak} kB, {} JSON lines, {} calls",
        status.code(),
        lines.load(Ordering::Relaxed),
        calls.load(Ordering::Relaxed)
    );
}
