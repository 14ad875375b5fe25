//! What tracing costs. Two measurements, each side by side in one run:
//!
//! 1. A busy loop: a C program makes 1e5 non-blocking `recv` calls that
//!    return EAGAIN. Its calls/s under `sockscope trace --json -o /dev/null`
//!    and under `strace -f -e trace=network -o /dev/null`, and the ratio.
//! 2. Untouched syscalls: a C program makes 1e6 `getpid()` calls, traced by
//!    sockscope (the seccomp filter lets them run) and untraced; the program
//!    times its own loop, so start-up is not counted.
//!
//! Each side runs RUNS times, interleaved, and the best run counts (the
//! machine is shared; the best run is the least disturbed one). Needs gcc
//! and strace. Run: `cargo bench --bench trace`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const RECVS: u64 = 100_000;
const GETPIDS: u64 = 1_000_000;

const RECV_LOOP: &str = r#"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
int main(int argc, char **argv) {
    long n = atol(argv[1]);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (bind(l, (void *)&a, sizeof a) || listen(l, 1) || getsockname(l, (void *)&a, &len)) return 2;
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, (void *)&a, sizeof a)) return 3;
    int s = accept(l, 0, 0);
    fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
    char buf[64];
    for (long i = 0; i < n; i++)
        if (recv(s, buf, sizeof buf, 0) != -1) return 4;
    return 0;
}
"#;

/// Times its own loop (monotonic clock), so start-up is not counted.
const GETPID_LOOP: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    long n = atol(argv[1]);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) syscall(SYS_getpid);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%ld\n", (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec));
    return 0;
}
"#;

fn gcc(dir: &Path, name: &str, code: &str) -> PathBuf {
    let src = dir.join(format!("{name}.c"));
    let bin = dir.join(name);
    std::fs::write(&src, code).expect("write C");
    let ok = Command::new("gcc").args(["-O2", "-o"]).arg(&bin).arg(&src).status().is_ok_and(|s| s.success());
    assert!(ok, "gcc failed");
    bin
}

fn time(cmd: &mut Command) -> Duration {
    let t = Instant::now();
    let status = cmd.status().expect("run");
    let d = t.elapsed();
    assert!(status.success(), "{cmd:?}: {status}");
    d
}

/// The loop time a program printed on its stdout (ns).
fn self_timed(cmd: &mut Command) -> Duration {
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{cmd:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let ns: u64 = text.lines().last().and_then(|l| l.trim().parse().ok()).expect("a time on stdout");
    Duration::from_nanos(ns)
}

fn best(samples: &[Duration]) -> Duration {
    samples.iter().copied().min().unwrap_or_default()
}

fn main() {
    let dir = std::env::temp_dir().join(format!("sockscope-bench-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let recv = gcc(&dir, "recvloop", RECV_LOOP);
    let getpid = gcc(&dir, "getpidloop", GETPID_LOOP);
    let sockscope = env!("CARGO_BIN_EXE_sockscope");
    let n = RECVS.to_string();
    let (mut ours, mut theirs, mut raw) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        raw.push(time(Command::new(&recv).arg(&n)));
        ours.push(time(
            Command::new(sockscope).args(["trace", "--json", "-o", "/dev/null", "--"]).arg(&recv).arg(&n),
        ));
        theirs.push(time(
            Command::new("strace").args(["-f", "-e", "trace=network", "-o", "/dev/null"]).arg(&recv).arg(&n),
        ));
    }
    let rate = |d: Duration| RECVS as f64 / d.as_secs_f64();
    let (o, t) = (rate(best(&ours)), rate(best(&theirs)));
    println!("busy loop: {RECVS} non-blocking recv (EAGAIN), best of {RUNS}");
    println!("  untraced                                 {:>10.0} calls/s", rate(best(&raw)));
    println!("  sockscope trace --json -o /dev/null      {o:>10.0} calls/s");
    println!("  strace -f -e trace=network -o /dev/null  {t:>10.0} calls/s");
    println!("  ratio sockscope / strace                 {:>10.2}x (target >= 1.0x, goal >= 1.5x)", o / t);

    let n = GETPIDS.to_string();
    let (mut traced, mut untraced) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        untraced.push(self_timed(Command::new(&getpid).arg(&n)));
        traced.push(self_timed(
            Command::new(sockscope).args(["trace", "-o", "/dev/null", "--"]).arg(&getpid).arg(&n),
        ));
    }
    let (u, tr) = (best(&untraced), best(&traced));
    println!(
        "untouched syscalls: {GETPIDS} getpid(), best of {RUNS} (the loop, timed by the program itself)"
    );
    println!("  untraced                                 {:>10.1} ms", u.as_secs_f64() * 1e3);
    println!("  sockscope trace                          {:>10.1} ms", tr.as_secs_f64() * 1e3);
    println!(
        "  speed traced / untraced                  {:>10.2}x (target >= 0.9x)",
        u.as_secs_f64() / tr.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
