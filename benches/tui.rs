//! The real TUI binary in a pseudo-terminal: time to the first frame, and
//! its own CPU use sampled from /proc over 5 s, idle and while a blocked
//! call animates. Targets: first frame within 100 ms; CPU under 0.5% idle
//! and under 5% while animating.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const SAMPLE: Duration = Duration::from_secs(5);

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at ") ".
    let rest = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
    f.get(11).and_then(|u| u.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0)
}

fn ticks_per_sec() -> f64 {
    // SAFETY: sysconf has no preconditions.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).max(1) as f64
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let pty = native_pty_system()
        .openpty(PtySize { rows: 30, cols: 100, pixel_width: 0, pixel_height: 0 })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sockscope"));
    cmd.env("TERM", "xterm-256color");
    cmd.env("LANG", "C.UTF-8");
    let started = Instant::now();
    let mut child = pty.slave.spawn_command(cmd).expect("spawn");
    drop(pty.slave);
    let pid = child.process_id().expect("pid");
    let mut reader = pty.master.try_clone_reader().expect("reader");
    let mut writer = pty.master.take_writer().expect("writer");
    let parser = Arc::new(Mutex::new(vt100::Parser::new(30, 100, 0)));
    let feed = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                return;
            }
            feed.lock().expect("parser").process(&buf[..n]);
        }
    });
    let deadline = started + Duration::from_secs(10);
    let first_frame = loop {
        if parser.lock().expect("parser").screen().contents().contains("connected") {
            break started.elapsed();
        }
        assert!(Instant::now() < deadline, "the first screen appeared");
        std::thread::sleep(Duration::from_millis(1));
    };
    println!(
        "tui: first frame (socket #1 connected) after {:.1} ms (target 100 ms)",
        first_frame.as_secs_f64() * 1e3
    );

    let measure = |what: &str| {
        let t0 = cpu_ticks(pid);
        std::thread::sleep(SAMPLE);
        let used = (cpu_ticks(pid) - t0) as f64 / ticks_per_sec();
        println!("tui: {what}: {:.2}% CPU over {}s", used / SAMPLE.as_secs_f64() * 100.0, SAMPLE.as_secs());
    };
    std::thread::sleep(Duration::from_millis(500));
    measure("idle (target < 0.5%)");
    writer.write_all(b"r").expect("press r");
    writer.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(200));
    measure("a blocked recv animating (target < 5%)");
    writer.write_all(b"q").expect("press q");
    writer.flush().expect("flush");
    let _ = child.wait();
}
