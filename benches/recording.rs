//! Recording overhead: a raw loop of non-blocking recvs that return EAGAIN
//! (nothing recorded) against the same loop through sockscope's real
//! recording path (`spin recv`, which keeps every call), both on the same
//! loopback socket of one live session, so both run in the same conditions.
//!
//! Target: sockscope's rate is at least 0.9x the raw rate.

use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use sockscope::command::{Located, parse_line};
use sockscope::exec::{Executor, Session as Lab, Tick};
use sockscope::record::Op;

const CALLS: u64 = 200_000;

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

/// A live session with socket #1 connected to the peer and non-blocking.
struct Session {
    lab: Lab,
    exec: Executor,
    line: usize,
}

impl Session {
    fn new() -> Session {
        let mut s = Session { lab: Lab::start().expect("session"), exec: Executor::new(), line: 0 };
        s.run(&["open tcp", "nonblocking"]);
        s
    }

    fn run(&mut self, lines: &[&str]) {
        for l in lines {
            self.line += 1;
            self.exec
                .push(Located { line: self.line, cmd: parse_line(l).expect("parses").expect("a command") });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Ok(Tick::Busy(until)) = self.exec.tick(&mut self.lab) {
            assert!(Instant::now() < deadline, "finished in time");
            self.lab.wait_event(until);
        }
    }

    fn fd(&self) -> i32 {
        self.lab.engine.fd(1).expect("#1 is open")
    }

    /// Runs `spin recv 1 N` and returns the spin's own recorded span.
    fn spin(&mut self, n: u64) -> Duration {
        let before = self.lab.record().timeline().dense_total();
        self.run(&[&format!("spin recv 1 {n}"), "expect wouldblock"]);
        assert_eq!(self.lab.record().timeline().dense_total() - before, n, "every call was kept");
        let tl = self.lab.record().timeline();
        let spin = tl.calls().iter().rev().find(|c| c.op == Op::Spin).expect("the spin was recorded");
        spin.duration().expect("finished")
    }
}

fn bench(c: &mut Criterion) {
    let mut s = Session::new();
    let fd = s.fd();
    let mut g = c.benchmark_group("recv_eagain");
    g.sample_size(10);
    g.throughput(criterion::Throughput::Elements(CALLS));
    g.bench_function("raw_libc_recv", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| raw_loop(fd, CALLS)).sum())
    });
    g.bench_function("sockscope_spin_recorded", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| s.spin(CALLS)).sum())
    });
    g.finish();

    // The ratio the target is about, from paired runs: best of five each.
    let rate = |d: Duration| CALLS as f64 / d.as_secs_f64();
    let raw: Duration = (0..5).map(|_| raw_loop(fd, CALLS)).min().unwrap_or_default();
    let rec: Duration = (0..5).map(|_| s.spin(CALLS)).min().unwrap_or_default();
    println!(
        "recording overhead: raw {:.2} M calls/s, recorded {:.2} M calls/s, ratio {:.3} (target >= 0.9)",
        rate(raw) / 1e6,
        rate(rec) / 1e6,
        rate(rec) / rate(raw)
    );

    // For comparison: the raw loop on a plain socket pair, with no session
    // in the process at all (its threads are idle, yet syscalls run slower
    // beside them on this machine).
    drop(s);
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let plain = TcpStream::connect(l.local_addr().expect("addr")).expect("connect");
    let _other = l.accept().expect("accept");
    let alone: Duration = (0..5).map(|_| raw_loop(plain.as_raw_fd(), CALLS)).min().unwrap_or_default();
    println!("raw loop with no session in the process: {:.2} M calls/s", rate(alone) / 1e6);
}

criterion_group!(benches, bench);
criterion_main!(benches);
