//! `spin recv [SIZE] COUNT|DUR`: recvs with MSG_DONTWAIT back to back, as
//! fast as they go. Every call is kept in the dense store; the spin's own
//! record carries the tallies.

use std::time::Duration;

use super::io::{fd, plain, took};
use super::text::{bytes, dur, py_error, strace_err};
use super::{Context, Describe};
use crate::record::mode::secs;
use crate::record::{Arg, Call, Outcome, PyMode, SpinArg};

pub struct Spin;

impl Describe for Spin {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        match &c.arg {
            Arg::Spin(s) => spin_strace(c, s, &fd(cx)),
            _ => Vec::new(),
        }
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        match &c.arg {
            Arg::Spin(s) => spin_py(c, s),
            _ => Vec::new(),
        }
    }

    fn why(&self, c: &Call, _cx: &Context) -> String {
        match &c.arg {
            Arg::Spin(s) => spin(c, s),
            _ => plain(c),
        }
    }
}

fn spin_strace(c: &Call, s: &SpinArg, fd: &str) -> Vec<String> {
    let call = |buf: &str| format!("recvfrom({fd}, {buf}, {}, MSG_DONTWAIT, NULL, NULL)", s.size);
    if c.outcome == Outcome::Blocking {
        return vec![format!("{} = …  × ? (still spinning)", call("…"))];
    }
    let st = s.stats;
    let mut out = Vec::new();
    if st.wouldblock > 0 {
        out.push(format!("{} = {}  × {}", call("…"), strace_err(libc::EAGAIN), st.wouldblock));
    }
    if st.data == 1 {
        out.push(format!("{} = {}  × 1", call("…"), st.bytes));
    } else if st.data > 1 {
        out.push(format!("{} = …  × {} ({} bytes in all)", call("…"), st.data, st.bytes));
    }
    if st.eof > 0 {
        out.push(format!("{} = 0  × {}", call("\"\""), st.eof));
    }
    if st.error > 0 {
        let err = if c.outcome == Outcome::Error { strace_err(c.errno) } else { "-1 …".into() };
        out.push(format!("{} = {err}  × {}", call("…"), st.error));
    }
    out
}

fn spin_py(c: &Call, s: &SpinArg) -> Vec<String> {
    let mut out = match (s.count, s.for_ns) {
        (Some(n), _) => vec![format!("for _ in range({n}):")],
        (None, Some(ns)) => vec![
            format!("end = time.monotonic() + {}", secs(Duration::from_nanos(ns))),
            "while time.monotonic() < end:".into(),
        ],
        (None, None) => vec!["while True:".into()],
    };
    out.extend([
        "    try:".into(),
        format!("        data = sock.recv({}, socket.MSG_DONTWAIT)", s.size),
        "    except BlockingIOError:".into(),
        "        pass  # EAGAIN: ask again at once".into(),
    ]);
    if c.outcome == Outcome::Blocking {
        out.push("# still spinning: the loop has not ended".into());
        return out;
    }
    let st = s.stats;
    let mut got = Vec::new();
    if st.wouldblock > 0 {
        got.push(format!("BlockingIOError × {}", st.wouldblock));
    }
    if st.data > 0 {
        got.push(format!("data × {} ({} bytes)", st.data, st.bytes));
    }
    if st.eof > 0 {
        got.push(format!("b'' × {}", st.eof));
    }
    if st.error > 0 {
        let e = if c.outcome == Outcome::Error { py_error(c.errno) } else { "OSError".into() };
        got.push(format!("{e} × {}", st.error));
    }
    out.push(format!("→ {}", if got.is_empty() { "no calls".into() } else { got.join(", ") }));
    match c.mode.py {
        PyMode::Timeout(t) if !t.is_zero() => out.push(format!(
            "# with settimeout({}) CPython polls before each recv, so the flag has no effect and each call \
             may wait; sockscope calls recv directly",
            secs(t)
        )),
        PyMode::Blocking => {
            out.push("# MSG_DONTWAIT makes each call non-blocking; the socket stays blocking".into())
        }
        _ => {}
    }
    out
}

/// A short time, down to nanoseconds: `540 ns`, `12 µs`.
fn short(d: Duration) -> String {
    if d < Duration::from_micros(1) { format!("{} ns", d.as_nanos()) } else { dur(d) }
}

/// `1.9 million`, `52,000`, `900`.
fn per_second(rate: f64) -> String {
    if rate >= 1e6 {
        return format!("{:.1} million", rate / 1e6);
    }
    let n = rate.round() as u64;
    if n < 10_000 {
        return n.to_string();
    }
    format!("{},{:03}", n / 1000, n % 1000)
}

fn spin(c: &Call, s: &SpinArg) -> String {
    const BUSY: &str = "The loop never sleeps, so it keeps a CPU busy asking a question whose answer has not \
                        changed; a `poll wait` instead sleeps in epoll_wait at no cost until the kernel has \
                        something to report.";
    let (Some(d), false) = (c.duration(), c.outcome == Outcome::Blocking) else {
        return format!(
            "The spin is still running, in user space: recv with MSG_DONTWAIT again and again, as fast as the \
             CPU allows. No call waits in the kernel; each is a real syscall that returns at once. {BUSY}"
        );
    };
    let st = s.stats;
    if st.calls == 0 {
        return "The spin made no call: its time was up before the first.".into();
    }
    let rate = match d.as_secs_f64() {
        secs if secs > 0.0 => {
            let each = d / st.calls.min(u32::MAX as u64) as u32;
            format!(
                " (about {} calls per second, one every {})",
                per_second(st.calls as f64 / secs),
                short(each)
            )
        }
        _ => String::new(),
    };
    let mut tally = Vec::new();
    if st.wouldblock > 0 {
        tally.push(format!("{} returned EAGAIN", st.wouldblock));
    }
    if st.data > 0 {
        tally.push(format!("{} returned data ({} in all)", st.data, bytes(st.bytes)));
    }
    if st.eof > 0 {
        tally.push(format!("{} returned 0 (EOF)", st.eof));
    }
    if st.error > 0 {
        tally.push(format!("{} failed", st.error));
    }
    let mut out = format!(
        "{} recvfrom calls in {}{rate}, each a real syscall that returned at once: {}. {BUSY}",
        st.calls,
        took(c),
        tally.join(", ")
    );
    if st.eof > 0 {
        out.push_str(
            " After a FIN every recv returns 0 at once, so spinning on a closed connection is just as busy.",
        );
    }
    match c.mode.py {
        PyMode::Blocking => {
            out.push_str(" MSG_DONTWAIT makes each call non-blocking though the socket is blocking.")
        }
        PyMode::Timeout(t) if !t.is_zero() => out.push_str(
            " sockscope calls recv directly; CPython in timeout mode would wait in poll() before each recv.",
        ),
        _ => {}
    }
    out
}
