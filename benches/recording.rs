//! Recording overhead: a raw loop of non-blocking recvs that return EAGAIN
//! (nothing recorded) against the same loop through sockscope's real
//! recording path (`spin recv`, which keeps every call).
//!
//! Target: sockscope's rate is at least 0.9x the raw rate.

use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use sockscope::command::{Located, parse_line};
use sockscope::lab::exec::{Executor, Tick};
use sockscope::lab::{Lab, Op};

const CALLS: u64 = 200_000;

/// A connected loopback socket with nothing to read.
fn quiet_socket() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let c = TcpStream::connect(l.local_addr().expect("addr")).expect("connect");
    let (s, _) = l.accept().expect("accept");
    (c, s)
}

fn raw_loop(fd: i32, n: u64) -> Duration {
    let mut buf = [0u8; 1];
    let t = Instant::now();
    for _ in 0..n {
        // SAFETY: buf is valid for one byte.
        let r = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), 1, libc::MSG_DONTWAIT) };
        std::hint::black_box(r);
    }
    t.elapsed()
}

/// Runs `spin recv 1 N` in a real Lab and returns the spin's own recorded span.
fn spin_loop(n: u64) -> Duration {
    let mut lab = Lab::new().expect("lab");
    let mut exec = Executor::new();
    for (i, line) in
        ["open tcp", "nonblocking", &format!("spin recv 1 {n}"), "expect wouldblock"].iter().enumerate()
    {
        let cmd = parse_line(line).expect("parses").expect("a command");
        exec.push(Located { line: i + 1, cmd });
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Ok(Tick::Busy(until)) = exec.tick(&mut lab) {
        assert!(Instant::now() < deadline, "spin finished in time");
        lab.wait_event(until);
    }
    let spin = lab.timeline().calls().iter().find(|c| c.op == Op::Spin).expect("the spin was recorded");
    assert_eq!(lab.timeline().dense_total(), n, "every call was kept");
    spin.duration().expect("finished")
}

fn bench(c: &mut Criterion) {
    let (sock, _peer) = quiet_socket();
    let fd = sock.as_raw_fd();
    let mut g = c.benchmark_group("recv_eagain");
    g.sample_size(10);
    g.throughput(criterion::Throughput::Elements(CALLS));
    g.bench_function("raw_libc_recv", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| raw_loop(fd, CALLS)).sum())
    });
    g.bench_function("sockscope_spin_recorded", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| spin_loop(CALLS)).sum())
    });
    g.finish();

    // The ratio the target is about, from one more paired run.
    let raw: Duration = (0..5).map(|_| raw_loop(fd, CALLS)).min().unwrap_or_default();
    let rec: Duration = (0..5).map(|_| spin_loop(CALLS)).min().unwrap_or_default();
    let rate = |d: Duration| CALLS as f64 / d.as_secs_f64();
    println!(
        "recording overhead: raw {:.2} M calls/s, recorded {:.2} M calls/s, ratio {:.3} (target >= 0.9)",
        rate(raw) / 1e6,
        rate(rec) / 1e6,
        rate(rec) / rate(raw)
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
