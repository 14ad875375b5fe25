//! What to try next, for a newcomer looking at a call. The explanation of
//! the call itself comes from `ops`, so there is one source for what the
//! screen, the headless runner and the docs say. A tip is a claim about
//! what a key will do next, so it is picked from the socket as it is now
//! (its mode, what its calls showed, what is queued), not from the call
//! alone.

use crate::record::{Call, Mode, Op, Outcome, PyMode, SockState, TcpState};

use super::keymap::Keymap;

/// The socket a tip is about, as it is now.
#[derive(Debug, Clone, Copy, Default)]
pub struct Now {
    /// The mode its next call runs under.
    pub mode: Mode,
    /// Bytes queued to receive, from the latest kernel sample.
    pub rx_queued: Option<u32>,
    /// `shutdown rd` was made on it.
    pub shut_rd: bool,
    /// The peer's FIN has arrived (TCP state CLOSE-WAIT or later, as
    /// sampled at the call's start, or an EOF with no `shutdown rd`).
    pub fin_in: bool,
    /// A datagram socket: it has no EOF.
    pub datagram: bool,
    /// A listening socket: only accept works on it.
    pub listening: bool,
}

impl Now {
    pub fn of(sock: Option<&SockState>, call: Option<&Call>, rx_queued: Option<u32>) -> Now {
        let state = call.and_then(|c| c.evidence.as_ref()).and_then(|e| e.tcp_state);
        let shut_rd = sock.is_some_and(|s| s.history.shut_rd);
        let fin_state = matches!(state, Some(TcpState::CloseWait | TcpState::LastAck | TcpState::Closing));
        let eof_not_ours = sock.is_some_and(|s| s.history.eof_seen) && !shut_rd;
        let evidence = call.and_then(|c| c.evidence.as_ref());
        let datagram = evidence.is_some_and(|e| !e.stream);
        let listening = evidence.is_some_and(|e| e.listening);
        Now {
            mode: sock.map(|s| s.mode).unwrap_or_default(),
            rx_queued,
            shut_rd,
            fin_in: fin_state || eof_not_ours,
            datagram,
            listening,
        }
    }
}

/// What to try next, for a newcomer looking at this call: (keys, effect),
/// with the keys named as they are bound now.
/// Facts as in SOCKET-FACTS.md (e.g. the first send after a FIN succeeds).
pub fn tips(c: Option<&Call>, now: &Now, keys: &Keymap) -> Vec<(String, &'static str)> {
    let key = |action: &str| match action.strip_prefix("peer ") {
        Some(then) => format!("{} {then}", keys.key_of("peer")),
        None => keys.key_of(action),
    };
    tips_by_action(c, now).iter().map(|&(a, what)| (key(a), what)).collect()
}

/// What a recv made now would do, by the socket's mode and queue.
fn recv_again(now: &Now) -> (&'static str, &'static str) {
    let what = match (now.rx_queued, now.mode.py) {
        (Some(n), _) if n > 0 => "recv again: more is queued",
        (_, _) if now.shut_rd => "recv again: b'' while empty",
        (None, _) => "recv again",
        (Some(_), PyMode::Blocking) => "recv again: waits, none queued",
        (Some(_), PyMode::Timeout(t)) if !t.is_zero() => "recv again: waits up to the timeout",
        (Some(_), _) => "recv again: EAGAIN, none queued",
    };
    ("recv", what)
}

/// The same, naming actions (`peer s` is the peer prefix, then `s`).
fn tips_by_action(c: Option<&Call>, now: &Now) -> Vec<(&'static str, &'static str)> {
    let Some(c) = c else {
        return vec![("recv", "recv"), ("new-tcp", "open a socket")];
    };
    match c.op {
        Op::Accept => accept(c.outcome),
        Op::Send => send(c.outcome, now),
        Op::Recv | Op::Peek => recv(c.outcome, now),
        Op::Spin => vec![("recv", "recv once"), ("toggle-blocking", "toggle non-blocking")],
        Op::Listen => LISTENER.to_vec(),
        Op::Open
        | Op::Socket
        | Op::Connect
        | Op::Shutdown
        | Op::Close
        | Op::Blocking
        | Op::Nonblocking
        | Op::Timeout
        | Op::RcvTimeo
        | Op::SndTimeo
        | Op::Say
        | Op::PollAdd
        | Op::PollWait
        | Op::PollDrain
        | Op::Ready
        | Op::Serve
        | Op::Request
        | Op::Summary
        | Op::PeerSend
        | Op::PeerRecv
        | Op::PeerClose
        | Op::PeerReset
        | Op::PeerShutdown
        | Op::PeerConnect
        | Op::PeerAccept
        | Op::PeerPause
        | Op::Bind
        | Op::Control
        | Op::PeerResume => general(now),
    }
}

const LISTENER: [(&str, &str); 2] = [("peer n", "a peer client connects"), ("accept", "accept it")];

/// After a call that leaves nothing in particular to try: what the socket is.
fn general(now: &Now) -> Vec<(&'static str, &'static str)> {
    if now.listening {
        return LISTENER.to_vec();
    }
    vec![("recv", "recv"), ("toggle-blocking", "toggle non-blocking"), ("timeout", "set a timeout")]
}

fn accept(outcome: Outcome) -> Vec<(&'static str, &'static str)> {
    match outcome {
        Outcome::Blocking => vec![
            ("peer n", "a peer client connects: accept returns"),
            ("toggle-blocking", "switch mode: still blocked"),
        ],
        Outcome::WouldBlock | Outcome::Timeout(_) => {
            vec![("peer n", "a peer client connects"), ("accept", "accept again")]
        }
        Outcome::Accepted(_) => vec![("next-socket", "go to the new socket"), ("accept", "accept again")],
        _ => LISTENER.to_vec(),
    }
}

fn send(outcome: Outcome, now: &Now) -> Vec<(&'static str, &'static str)> {
    match outcome {
        Outcome::Blocking => vec![
            ("peer r", "peer reads again: send finishes"),
            ("toggle-blocking", "switch mode: still blocked"),
        ],
        Outcome::WouldBlock | Outcome::Partial | Outcome::Timeout(_) => {
            vec![("peer r", "peer reads again: room for more"), ("send", "send again")]
        }
        _ => general(now),
    }
}

fn recv(outcome: Outcome, now: &Now) -> Vec<(&'static str, &'static str)> {
    match outcome {
        _ if now.listening => LISTENER.to_vec(),
        // A datagram socket has no FIN: the peer closing wakes nothing.
        Outcome::Blocking if now.datagram => {
            vec![("peer s", "peer sends: recv returns it"), ("toggle-blocking", "switch mode: still blocked")]
        }
        Outcome::Blocking => vec![
            ("peer s", "peer sends: recv returns it"),
            ("toggle-blocking", "switch mode: still blocked"),
            ("peer c", "peer closes: recv gets EOF"),
        ],
        Outcome::WouldBlock => vec![
            ("peer s", "peer sends; recv gets it now"),
            ("toggle-blocking", "blocking again: recv waits"),
            ("timeout", "timeout: waits, not forever"),
        ],
        Outcome::Data => vec![recv_again(now), ("toggle-blocking", "toggle non-blocking")],
        Outcome::Timeout(_) => {
            vec![("peer s", "peer sends; recv gets it"), ("zero-timeout", "timeout 0 = non-blocking")]
        }
        Outcome::Eof if now.fin_in => {
            vec![("recv", "recv again: EOF repeats"), ("send", "send: 1st after FIN succeeds")]
        }
        // EOF from our own SHUT_RD: the peer can still send.
        Outcome::Eof => vec![("peer s", "peer sends: recv still gets it"), recv_again(now)],
        _ => general(now),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::record::evidence::{Evidence, Family};
    use crate::record::{Arg, Lane};

    fn call(op: Op, outcome: Outcome, stream: bool, tcp: Option<TcpState>) -> Call {
        let mut c = Call::begin(1, Lane::Sock(1), op, Arg::Size(1024), Mode::default(), 0);
        c.outcome = outcome;
        c.evidence = Some(Box::new(Evidence {
            family: Family::Inet,
            stream,
            listening: false,
            tcp_state: tcp,
            connected: true,
            rx_queued: 0,
            tx_queued: 0,
            kernel: Default::default(),
            history: Default::default(),
        }));
        c
    }

    fn says(c: &Call, now: &Now) -> Vec<&'static str> {
        tips_by_action(Some(c), now).into_iter().map(|(_, what)| what).collect()
    }

    #[test]
    fn after_data_the_next_recv_is_told_from_the_queue_and_mode() {
        let c = call(Op::Recv, Outcome::Data, true, Some(TcpState::Established));
        let queued = Now { rx_queued: Some(12), ..Now::default() };
        assert!(says(&c, &queued).contains(&"recv again: more is queued"));
        let empty = Now { rx_queued: Some(0), ..Now::default() };
        assert!(says(&c, &empty).contains(&"recv again: waits, none queued"));
        let nonblocking = Now { mode: Mode { py: PyMode::NonBlocking, ..Mode::default() }, ..empty };
        assert!(says(&c, &nonblocking).contains(&"recv again: EAGAIN, none queued"));
        let timeout = Now {
            mode: Mode { py: PyMode::Timeout(Duration::from_millis(200)), ..Mode::default() },
            ..empty
        };
        assert!(says(&c, &timeout).contains(&"recv again: waits up to the timeout"));
    }

    #[test]
    fn an_eof_of_our_own_shutdown_is_not_a_fin() {
        let c = call(Op::Recv, Outcome::Eof, true, Some(TcpState::Established));
        let shut = Now { shut_rd: true, rx_queued: Some(0), ..Now::default() };
        let tips = says(&c, &shut);
        assert!(!tips.iter().any(|t| t.contains("FIN") || t.contains("EOF repeats")), "{tips:?}");
        assert!(tips.contains(&"peer sends: recv still gets it"), "{tips:?}");
        let fin =
            Now::of(None, Some(&call(Op::Recv, Outcome::Eof, true, Some(TcpState::CloseWait))), Some(0));
        assert!(fin.fin_in);
        assert!(says(&c, &fin).contains(&"recv again: EOF repeats"));
    }

    #[test]
    fn a_blocked_datagram_recv_is_not_promised_an_eof() {
        let c = call(Op::Recv, Outcome::Blocking, false, None);
        let now = Now::of(None, Some(&c), Some(0));
        assert!(!says(&c, &now).iter().any(|t| t.contains("EOF")));
        let tcp = call(Op::Recv, Outcome::Blocking, true, Some(TcpState::Established));
        let now = Now::of(None, Some(&tcp), Some(0));
        assert!(says(&tcp, &now).contains(&"peer closes: recv gets EOF"));
    }

    #[test]
    fn a_listener_is_offered_accept_not_recv() {
        let mut c = call(Op::Send, Outcome::Error, true, Some(TcpState::Listen));
        if let Some(e) = c.evidence.as_mut() {
            e.listening = true;
        }
        let tips = tips_by_action(Some(&c), &Now::of(None, Some(&c), None));
        let actions: Vec<&str> = tips.iter().map(|(a, _)| *a).collect();
        assert_eq!(actions, ["peer n", "accept"]);
    }

    #[test]
    fn a_send_that_timed_out_waits_for_the_peer_to_read() {
        let c = call(Op::Send, Outcome::Timeout(crate::record::TimeoutBy::SndTimeo), true, None);
        assert!(says(&c, &Now::default()).contains(&"peer reads again: room for more"));
    }
}
