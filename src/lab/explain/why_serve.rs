//! Level 3 for a `spin`, a `serve`, a client's `request` and the `summary`
//! of the clients' waits.

use std::time::Duration;

use super::text::{bytes, dur};
use super::{Context, took};
use crate::command::ServeKind;
use crate::lab::call::{Arg, Call, Lane, Op, Outcome, SpinArg};
use crate::lab::mode::PyMode;

/// A request that took longer than this was kept waiting by the server.
const KEPT_WAITING: Duration = Duration::from_millis(50);

pub fn text(c: &Call, _ctx: &Context) -> String {
    match (&c.arg, c.op) {
        (Arg::Spin(s), _) => spin(c, s),
        (&Arg::Serve(kind, n), _) => serve(c, kind, n),
        (_, Op::Request) => request(c),
        (Arg::Note(note), Op::Summary) => summary(note),
        _ => format!("{} ended as {}.", c.op.word(), c.label()),
    }
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
            "The spin is still running: recv with MSG_DONTWAIT again and again, as fast as the CPU allows. \
             Each is a real syscall that returns at once. {BUSY}"
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

fn serve(c: &Call, kind: ServeKind, n: u32) -> String {
    let id = match c.lane {
        Lane::Sock(id) => format!("#{id}"),
        _ => "The listener".into(),
    };
    match kind {
        ServeKind::Blocking => {
            let nonblocking = if c.mode.py == PyMode::Blocking {
                String::new()
            } else {
                format!(
                    " {id} is not blocking, so an accept with no client waiting yet returns EAGAIN at once \
                     and that client's turn is skipped."
                )
            };
            format!(
                "{id} becomes a blocking echo server for {n} clients: accept one client, recv its request \
                 (sleeping until it comes), send it back, close, then the next. One client at a time: while \
                 the server sleeps in recv on a slow client, the others wait in the accept queue however \
                 quick they are. Each call is recorded on the lane of the socket it is made on.{nonblocking}"
            )
        }
        ServeKind::EventLoop => format!(
            "{id} becomes an event-loop echo server for {n} clients (mio, epoll): the listener and every \
             accepted socket are non-blocking and registered edge-triggered. Each epoll_wait reports \
             whichever sockets are ready; the server accepts until EAGAIN and answers each client whose \
             request has arrived, so a slow client holds up nobody. Each call is recorded on the lane of the \
             socket it is made on; the waits go on the loop lane. It gives up after 30 s."
        ),
    }
}

fn request(c: &Call) -> String {
    let who = match c.lane {
        Lane::Client(k) => format!("c{k}"),
        _ => "the client".into(),
    };
    let head = format!(
        "Not one syscall: this is {who}'s wait, from the moment it sent its request to the moment the echo \
         came back, {}.",
        took(c)
    );
    let tail = if c.duration().is_some_and(|d| d >= KEPT_WAITING) {
        " That is long for loopback: the server was busy elsewhere. A blocking server stuck in recv on a \
         slower client answers the others only after it, so their waits include that client's slowness."
    } else {
        " That is about one round trip on loopback: the server answered as soon as the request arrived."
    };
    format!("{head} The client's own send and recv return at once; the time is the server's.{tail}")
}

/// Milliseconds as a duration, whatever the number: a recording may hold
/// `inf`, `1e300` or `NaN` (NaN and negatives are zero, too large is the
/// longest duration there is).
pub(super) fn of_ms(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1e3).unwrap_or(if ms > 0.0 { Duration::MAX } else { Duration::ZERO })
}

fn summary(note: &str) -> String {
    let head = "Each client's wait from sending its request to getting the echo (the `request` records on \
                the client lanes).";
    let Some(w) = crate::lab::clients::parse_waits(note).filter(|w| !w.is_empty()) else {
        return format!("{head} {note}.");
    };
    let by = |a: &&(String, f64), b: &&(String, f64)| a.1.total_cmp(&b.1);
    let (slow, quick) = (w.iter().max_by(by).expect("not empty"), w.iter().min_by(by).expect("not empty"));
    if of_ms(slow.1) >= KEPT_WAITING && slow.1 > 4.0 * quick.1 {
        format!(
            "{head} The waits are uneven: {} waited {} while {} waited {}. That is a server answering one \
             client at a time, as the blocking server does: a quick client queued behind a slow one waits \
             for it.",
            slow.0,
            dur(of_ms(slow.1)),
            quick.0,
            dur(of_ms(quick.1))
        )
    } else {
        format!(
            "{head} All are short (the longest, {}, {}): each client was answered as soon as its request \
             arrived, as an event-loop server does, so a slow client holds up nobody.",
            slow.0,
            dur(of_ms(slow.1))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_float_is_a_duration() {
        assert_eq!(of_ms(1.5), Duration::from_micros(1500));
        assert_eq!(of_ms(f64::INFINITY), Duration::MAX);
        assert_eq!(of_ms(1e300), Duration::MAX);
        assert_eq!(of_ms(f64::NAN), Duration::ZERO);
        assert_eq!(of_ms(-3.0), Duration::ZERO);
        assert_eq!(of_ms(f64::NEG_INFINITY), Duration::ZERO);
    }

    #[test]
    fn a_summary_with_wild_numbers_is_still_explained() {
        for note in ["client waits: c1 inf ms, c2 1e300 ms", "client waits: c1 NaN ms, c2 -1 ms"] {
            assert!(summary(note).starts_with("Each client's wait"), "{note}");
        }
    }
}
