//! One record as one transcript line: when, on which socket, the call as
//! it is typed at the prompt, how it ended, how long it took, and what it
//! carried (the payload, escaped, or the kernel's read-back of a mode).

use std::net::SocketAddr;
use std::time::Duration;

use crate::record::mode::secs;
use crate::record::{Arg, Call, KernelView, Lane, Op, Outcome};
use crate::tui::{fmt, payload};

/// A transcript line's columns, as text made safe for the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Seconds since the session began: `12.345s`.
    pub time: String,
    /// `#1`, `peer`, `loop`, `c1`, or `say` for narration.
    pub sock: String,
    /// The call in the command language (`recv 1024`, `peer send "hi"`);
    /// for narration, its text.
    pub call: String,
    /// `data 5`, `wouldblock`, `blocking 2.31s` …; empty for narration.
    pub outcome: String,
    /// How long the call took; empty while blocking and for narration.
    pub took: String,
    /// The payload preview, or the kernel's view after a mode change.
    pub carried: String,
    pub narration: bool,
}

/// The line for `c`, drawn at `now_ns` (a call still in the kernel shows
/// how long it has been there). `peer` is the embedded peer's address: a
/// call made to it reads as typed, with no address (`open tcp`, `connect`).
pub fn row(c: &Call, now_ns: u64, peer: Option<SocketAddr>) -> Row {
    let time = format!("{:.3}s", c.start_ns as f64 / 1e9);
    let sock = c.lane.to_string();
    if narration(c) {
        let text = c.arg_text().unwrap_or_default();
        return Row {
            time,
            sock,
            call: fmt::safe(&text),
            outcome: String::new(),
            took: String::new(),
            carried: String::new(),
            narration: true,
        };
    }
    let took = c.duration().map(|d| fmt::dur(d.as_nanos() as u64)).unwrap_or_default();
    Row {
        time,
        sock,
        call: fmt::safe(&typed(c, peer)),
        outcome: outcome(c, now_ns),
        took,
        carried: carried(c),
        narration: false,
    }
}

/// Narration: a `say`, or a serve's summary of its clients' waits.
pub fn narration(c: &Call) -> bool {
    matches!(c.op, Op::Say | Op::Summary)
}

/// The call as the prompt takes it: `recv 1024`, `timeout 0.2`,
/// `peer send "hello"`, `poll add 1 read`. Records no one typed (the peer
/// reading what we sent, a readiness event) read the same way.
pub fn typed(c: &Call, peer: Option<SocketAddr>) -> String {
    let arg = c.arg_text().and_then(|a| match peer.map(|p| p.to_string()) {
        Some(p) if a == p => None,
        Some(p) => Some(a.strip_suffix(&format!(" {p}")).map_or(a.clone(), str::to_string)),
        None => Some(a),
    });
    let with = |head: &str| match &arg {
        Some(a) => format!("{head} {a}"),
        None => head.to_string(),
    };
    match c.op {
        Op::PollAdd => match &c.arg {
            Arg::PollAdd(n, _) => with("poll").replacen(&format!("add #{n}"), &format!("add {n}"), 1),
            _ => with("poll add"),
        },
        Op::PollWait | Op::PollDrain => with("poll"),
        Op::Ready => with("ready"),
        // The address is the listener's, on its own line already.
        Op::PeerConnect if c.lane == Lane::Peer => "peer connect".into(),
        op if op.is_peer() && c.lane == Lane::Peer => with(&format!("peer {}", op.word())),
        op => with(op.word()),
    }
}

/// The outcome with its timeline glyph's meaning in words: `data 5`,
/// `timeout (SO_RCVTIMEO)`, `blocking 2.31s`, `ready 2`.
fn outcome(c: &Call, now_ns: u64) -> String {
    let elapsed = || fmt::dur(now_ns.saturating_sub(c.start_ns));
    match c.outcome {
        Outcome::Blocking if c.op == Op::Spin => format!("spinning {}", elapsed()),
        Outcome::Blocking => format!("blocking {}", elapsed()),
        Outcome::Ok if c.op == Op::PollWait => match c.events() {
            Some(n) => format!("ready {n}"),
            None => "ok".into(),
        },
        _ => c.label(),
    }
}

/// What the call carried: the bytes received (sends show theirs in the
/// call itself), a spin's tally, or the kernel's view after a mode change.
fn carried(c: &Call) -> String {
    if let Some(k) = c.kernel {
        return kernel(c.op, k);
    }
    if let Arg::Spin(s) = &c.arg {
        let st = s.stats;
        return format!("{} calls: {} wouldblock, {} data", st.calls, st.wouldblock, st.data);
    }
    let shown_in_call = matches!(c.arg, Arg::Text(_));
    match &c.preview {
        Some(p) if !shown_in_call => payload::text(p, c.bytes),
        _ => String::new(),
    }
}

/// The kernel's read-back, short: the O_NONBLOCK flag, and a timer when
/// it is set or was just set (a zero timer is the lesson: it waits forever).
fn kernel(op: Op, k: KernelView) -> String {
    let mut s = format!("kernel: {}", if k.nonblock { "O_NONBLOCK" } else { "no O_NONBLOCK" });
    for (name, us, set_now) in [
        ("SO_RCVTIMEO", k.rcvtimeo_us, op == Op::RcvTimeo),
        ("SO_SNDTIMEO", k.sndtimeo_us, op == Op::SndTimeo),
    ] {
        match us {
            0 if set_now => s.push_str(&format!(", {name} 0 (forever)")),
            0 => {}
            us => s.push_str(&format!(", {name} {}", secs(Duration::from_micros(us)))),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Mode, TimeoutBy};

    const MS: u64 = 1_000_000;

    fn call(lane: Lane, op: Op, arg: Arg, start: u64, end: Option<u64>, outcome: Outcome) -> Call {
        let mut c = Call::begin(1, lane, op, arg, Mode::default(), start);
        c.end_ns = end;
        c.outcome = outcome;
        c
    }

    #[test]
    fn a_recv_with_data_shows_its_payload_escaped() {
        let mut c = call(
            Lane::Sock(1),
            Op::Recv,
            Arg::Size(1024),
            2_500 * MS,
            Some(2_500 * MS + 80_000),
            Outcome::Data,
        );
        c.bytes = Some(8);
        c.preview = Some(b"hi\x1b[2J\r\n".to_vec().into());
        let r = row(&c, 3_000 * MS, None);
        assert_eq!(
            (r.time.as_str(), r.sock.as_str(), r.call.as_str(), r.outcome.as_str(), r.took.as_str()),
            ("2.500s", "#1", "recv 1024", "data 8", "80µs")
        );
        assert_eq!(r.carried, "\"hi\\x1b[2J\\r\\n\"");
        assert!(!r.carried.chars().any(char::is_control));
    }

    #[test]
    fn each_kind_of_call_reads_as_typed() {
        let cases = [
            (
                call(Lane::Sock(1), Op::Recv, Arg::Size(64), 0, Some(1), Outcome::WouldBlock),
                "recv 64",
                "wouldblock",
            ),
            (
                call(
                    Lane::Sock(2),
                    Op::Timeout,
                    Arg::Secs(std::time::Duration::from_millis(200)),
                    0,
                    Some(1),
                    Outcome::Ok,
                ),
                "timeout 0.2",
                "ok",
            ),
            (
                call(
                    Lane::Sock(1),
                    Op::Recv,
                    Arg::Size(1024),
                    0,
                    Some(1),
                    Outcome::Timeout(TimeoutBy::RcvTimeo),
                ),
                "recv 1024",
                "timeout (SO_RCVTIMEO)",
            ),
            (call(Lane::Peer, Op::PeerClose, Arg::None, 0, Some(1), Outcome::Ok), "peer close", "ok"),
            (
                call(
                    Lane::Peer,
                    Op::PeerShutdown,
                    Arg::How(crate::command::How::Write),
                    0,
                    Some(1),
                    Outcome::Ok,
                ),
                "peer shutdown wr",
                "ok",
            ),
            (
                call(Lane::Sock(1), Op::Accept, Arg::None, 0, Some(1), Outcome::Accepted(2)),
                "accept",
                "accepted #2",
            ),
            (
                call(
                    Lane::Loop,
                    Op::PollAdd,
                    Arg::PollAdd(3, crate::command::Interest::Read),
                    0,
                    Some(1),
                    Outcome::Ok,
                ),
                "poll add 3 read",
                "ok",
            ),
        ];
        for (c, want_call, want_outcome) in cases {
            let r = row(&c, 0, None);
            assert_eq!((r.call.as_str(), r.outcome.as_str()), (want_call, want_outcome), "{c:?}");
        }
    }

    #[test]
    fn calls_to_the_embedded_peer_read_as_typed() {
        let peer = "127.0.0.1:40000".parse().ok();
        let open = call(
            Lane::Sock(1),
            Op::Open,
            Arg::Proto(crate::command::Proto::Tcp, peer),
            0,
            Some(1),
            Outcome::Connected,
        );
        assert_eq!(row(&open, 0, peer).call, "open tcp");
        assert_eq!(row(&open, 0, None).call, "open tcp 127.0.0.1:40000");
        let conn = call(Lane::Sock(2), Op::Connect, Arg::Addr(peer.unwrap()), 0, Some(1), Outcome::Connected);
        assert_eq!(row(&conn, 0, peer).call, "connect");
    }

    #[test]
    fn a_send_shows_its_text_in_the_call() {
        let mut c = call(Lane::Peer, Op::PeerSend, Arg::Text(5), 0, Some(30_000), Outcome::Sent);
        c.bytes = Some(5);
        c.preview = Some(b"he\"l\n".to_vec().into());
        let r = row(&c, 0, None);
        assert_eq!(r.call, "peer send \"he\\\"l\\n\"");
        assert_eq!(r.outcome, "sent 5");
        assert_eq!(r.carried, "", "the payload is not said twice");
    }

    #[test]
    fn a_blocking_call_shows_how_long_it_has_waited() {
        let c = call(Lane::Sock(1), Op::Recv, Arg::Size(1024), 1_000 * MS, None, Outcome::Blocking);
        let r = row(&c, 3_310 * MS, None);
        assert_eq!(r.outcome, "blocking 2.31s");
        assert_eq!(r.took, "");
    }

    #[test]
    fn a_mode_change_shows_what_the_kernel_holds() {
        let mut c = call(Lane::Sock(1), Op::Nonblocking, Arg::None, 0, Some(9_000), Outcome::Ok);
        c.kernel = Some(KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
        let r = row(&c, 0, None);
        assert_eq!((r.call.as_str(), r.outcome.as_str(), r.took.as_str()), ("nonblocking", "ok", "9µs"));
        assert_eq!(r.carried, "kernel: O_NONBLOCK");
        c.op = Op::RcvTimeo;
        c.kernel = Some(KernelView { nonblock: false, rcvtimeo_us: 0, sndtimeo_us: 0 });
        assert_eq!(row(&c, 0, None).carried, "kernel: no O_NONBLOCK, SO_RCVTIMEO 0 (forever)");
        c.op = Op::Blocking;
        c.kernel = Some(KernelView { nonblock: false, rcvtimeo_us: 200_000, sndtimeo_us: 0 });
        assert_eq!(row(&c, 0, None).carried, "kernel: no O_NONBLOCK, SO_RCVTIMEO 0.2");
    }

    #[test]
    fn narration_is_marked_and_escaped() {
        let c = call(Lane::Script, Op::Say, Arg::Note("look\x1b[31m here".into()), 0, Some(0), Outcome::Ok);
        let r = row(&c, 0, None);
        assert!(r.narration);
        assert_eq!((r.sock.as_str(), r.call.as_str(), r.outcome.as_str()), ("say", "look\\x1b[31m here", ""));
    }
}
