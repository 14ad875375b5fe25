//! Timing truth: a blocked recv released by a peer send 300 ms later must
//! record 300 ms ± 2 ms (median of 20 runs). Prints the median and spread.

use std::time::{Duration, Instant};

use sockscope::command::{Located, parse_line};
use sockscope::exec::{Executor, Session, Tick};
use sockscope::record::{Op, Outcome};

const RUNS: usize = 20;

fn one_run() -> (f64, f64) {
    let mut lab = Session::start().expect("session");
    let mut exec = Executor::new();
    let script = ["open tcp", "peer send \"x\" after 300ms", "recv", "expect data 1"];
    for (i, l) in script.iter().enumerate() {
        exec.push(Located { line: i + 1, cmd: parse_line(l).expect("parses").expect("command") });
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Ok(Tick::Busy(until)) = exec.tick(&mut lab) {
        assert!(Instant::now() < deadline, "bounded");
        lab.wait_event(until);
    }
    // The peer records its send just after the syscall; give it a moment.
    let until = Instant::now() + Duration::from_secs(2);
    while !lab.record().timeline().calls().iter().any(|c| c.op == Op::Send) && Instant::now() < until {
        lab.wait_event(until);
    }
    let calls = lab.record().timeline().calls();
    let recv = calls.iter().find(|c| c.op == Op::Recv && c.outcome == Outcome::Data).expect("recv");
    let send = calls.iter().find(|c| c.op == Op::Send).expect("the peer's send");
    let recorded = recv.duration().expect("ended").as_secs_f64() * 1e3;
    // The truth the recv should match: from its start to the peer's send.
    let truth = (send.start_ns.saturating_sub(recv.start_ns)) as f64 / 1e6;
    (recorded, truth)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut recorded = Vec::new();
    let mut error = Vec::new();
    for _ in 0..RUNS {
        let (r, t) = one_run();
        recorded.push(r);
        error.push(r - t);
    }
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[0], v[v.len() - 1])
    };
    let (med, lo, hi) = stats(&mut recorded);
    let (emed, elo, ehi) = stats(&mut error);
    println!("timing truth: blocked recv released by a peer send after 300 ms, {RUNS} runs");
    println!("  recorded duration: median {med:.3} ms, min {lo:.3} ms, max {hi:.3} ms (target 300 ± 2 ms)");
    println!(
        "  recorded minus (peer send start - recv start): median {emed:.3} ms, min {elo:.3}, max {ehi:.3}"
    );
}
