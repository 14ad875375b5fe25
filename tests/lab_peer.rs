//! Every peer action (send, send after, pause, resume, close, reset,
//! shutdown wr, connect N), accept/connect set-ups, UDP and IPv6, on real
//! loopback sockets.

mod common;

use std::time::Duration;

use common::*;
use sockscope::ops::{Context, explain};
use sockscope::record::{Arg, Lane, Op, Outcome, TimeoutBy};

#[test]
fn peer_send_text_arrives_as_data() {
    let mut s = Session::new();
    s.ok("open tcp\npeer send \"hello\"");
    let sent = s.peer(Op::PeerSend);
    assert_eq!(sent.len(), 1, "{}", s.dump());
    assert_result(&sent[0], Outcome::Sent, None, Some(5));
    assert_eq!(sent[0].lane, Lane::Peer);
    assert_eq!(sent[0].preview.as_deref(), Some(&b"hello"[..]));
    let c = s.done("recv");
    assert_result(&c, Outcome::Data, None, Some(5));
    assert_eq!(c.preview.as_deref(), Some(&b"hello"[..]));
}

#[test]
fn peer_send_size_sends_filler() {
    let mut s = Session::new();
    s.ok("open tcp\npeer send 10");
    let c = s.done("recv");
    assert_result(&c, Outcome::Data, None, Some(10));
    assert_eq!(c.preview.as_deref(), Some(&b"ABCDEFGHIJ"[..]));
}

#[test]
fn peer_send_after_arrives_after_the_delay() {
    let mut s = Session::new();
    s.ok("open tcp");
    let c = s.call("recv");
    assert_blocking(&c);
    s.ok("peer send \"late\" after 300ms");
    let c = s.last_done();
    assert_result(&c, Outcome::Data, None, Some(4));
    assert_took(&c, ms(300));
    // The peer's record is sent after its syscall, so it may come after our End.
    s.until(IMMEDIATE, |s| !s.peer(Op::PeerSend).is_empty());
    let sent = s.peer(Op::PeerSend);
    assert_eq!(sent.len(), 1, "{}", s.dump());
    assert!(sent[0].start_ns >= c.start_ns + 290_000_000, "{}", s.dump());
    assert!(sent[0].start_ns <= c.end_ns.expect("ended"), "the send came before the recv returned");
}

#[test]
fn peer_pause_stops_reading_and_resume_reads_everything() {
    let mut s = Session::new();
    s.ok("open tcp\npeer pause");
    assert_eq!(s.peer(Op::PeerPause).len(), 1, "{}", s.dump());
    let c = s.done("send \"abc\"\nwait 100ms");
    assert_result(&c, Outcome::Sent, None, Some(3));
    assert!(s.peer(Op::PeerRecv).is_empty(), "a paused peer reads nothing:\n{}", s.dump());
    // The bytes wait in the peer's receive queue.
    s.ok("peer resume");
    assert_eq!(s.peer(Op::PeerResume).len(), 1, "{}", s.dump());
    let got = s.until(Duration::from_secs(2), |s| !s.peer(Op::PeerRecv).is_empty());
    assert!(got, "{}", s.dump());
    let r = &s.peer(Op::PeerRecv)[0];
    assert_result(r, Outcome::Data, None, Some(3));
    assert_eq!(r.preview.as_deref(), Some(&b"abc"[..]));
}

#[test]
fn peer_close_wakes_a_blocked_recv_with_eof() {
    let mut s = Session::new();
    s.ok("open tcp");
    let c = s.call("recv\nwait 200ms");
    assert_blocking(&c);
    s.ok("peer close");
    let c = s.last_done();
    assert_result(&c, Outcome::Eof, None, None);
    assert_took(&c, ms(200));
    let close = &s.peer(Op::PeerClose)[0];
    let after = c.end_ns.expect("ended") - close.start_ns;
    assert!(after < IMMEDIATE.as_nanos() as u64, "the EOF came {after} ns after the peer's close");
}

#[test]
fn peer_close_first_send_succeeds_second_gets_epipe() {
    let mut s = Session::new();
    s.ok("open tcp\npeer close");
    let c = s.done("send \"first\"");
    assert_result(&c, Outcome::Sent, None, Some(5));
    let c = s.done("wait 20ms\nsend \"second\"");
    assert_result(&c, Outcome::Error, Some("EPIPE"), None);
    // No SIGPIPE killed us, and reading gives EOF, not an error.
    let c = s.done("recv");
    assert_result(&c, Outcome::Eof, None, None);
}

#[test]
fn peer_reset_wakes_a_blocked_recv_with_econnreset() {
    let mut s = Session::new();
    s.ok("open tcp");
    let c = s.call("recv\nwait 200ms");
    assert_blocking(&c);
    s.ok("peer reset");
    assert_eq!(s.peer(Op::PeerReset).len(), 1, "{}", s.dump());
    let c = s.last_done();
    assert_result(&c, Outcome::Error, Some("ECONNRESET"), None);
    assert_took(&c, ms(200));
    // Reported once; then EOF, then EPIPE on a send.
    let c = s.done("recv");
    assert_result(&c, Outcome::Eof, None, None);
    assert_immediate(&c);
    let c = s.done("send \"x\"");
    assert_result(&c, Outcome::Error, Some("EPIPE"), None);
}

#[test]
fn peer_reset_then_a_send_consumes_the_error() {
    let mut s = Session::new();
    s.ok("open tcp\npeer reset");
    let c = s.done("send \"x\"");
    assert_result(&c, Outcome::Error, Some("ECONNRESET"), None);
    let c = s.done("send \"x\"");
    assert_result(&c, Outcome::Error, Some("EPIPE"), None);
    let c = s.done("recv");
    assert_result(&c, Outcome::Eof, None, None);
}

#[test]
fn peer_shutdown_wr_gives_eof_but_still_reads() {
    let mut s = Session::new();
    s.ok("open tcp\npeer shutdown wr");
    let sd = s.peer(Op::PeerShutdown);
    assert_eq!(sd.len(), 1, "{}", s.dump());
    assert_result(&sd[0], Outcome::Ok, None, None);
    let c = s.done("recv");
    assert_result(&c, Outcome::Eof, None, None);
    assert_immediate(&c);
    // Half-closed: our data still reaches the peer.
    let c = s.done("send \"still here\"");
    assert_result(&c, Outcome::Sent, None, Some(10));
    let got = s.until(Duration::from_secs(2), |s| !s.peer(Op::PeerRecv).is_empty());
    assert!(got, "{}", s.dump());
    assert_result(&s.peer(Op::PeerRecv)[0], Outcome::Data, None, Some(10));
}

#[test]
fn peer_connect_n_queues_n_clients_to_accept() {
    let mut s = Session::new();
    s.ok("listen\npeer connect 3");
    let connects = s.peer(Op::PeerConnect);
    assert_eq!(connects.len(), 3, "{}", s.dump());
    for c in &connects {
        assert_result(c, Outcome::Connected, None, None);
    }
    for k in 2..=4 {
        let c = s.done("accept");
        assert_result(&c, Outcome::Accepted(k), None, None);
        assert_immediate(&c);
    }
    let c = s.done("nonblocking\naccept");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
    assert_immediate(&c);
}

#[test]
fn blocking_accept_waits_for_peer_connect() {
    let mut s = Session::new();
    let c = s.call("listen\naccept\nwait 200ms");
    assert_blocking(&c);
    s.ok("peer connect 1");
    let c = s.last_done();
    assert_result(&c, Outcome::Accepted(2), None, None);
    assert_took(&c, ms(200));
}

#[test]
fn accept_with_timeout_t_runs_out() {
    let mut s = Session::new();
    let c = s.done("listen\ntimeout 0.2\naccept");
    assert_result(&c, Outcome::Timeout(TimeoutBy::Poll), None, None);
    assert_took(&c, ms(200));
}

#[test]
fn accepted_socket_is_blocking_even_from_a_nonblocking_listener() {
    let mut s = Session::new();
    s.ok("listen\nnonblocking\npeer connect 1");
    assert_eq!(s.lab.kernel_view(1).map(|k| k.nonblock), Some(true));
    let c = s.done("accept");
    assert_result(&c, Outcome::Accepted(2), None, None);
    let k = s.lab.kernel_view(2).expect("#2 is open");
    assert!(!k.nonblock, "Linux does not pass O_NONBLOCK on to an accepted socket: {k:?}");
    // And it acts blocking, talking to the peer client.
    let c = s.call("use 2\nrecv\nwait 100ms");
    assert_blocking(&c);
    assert_eq!(c.mode.to_string(), "blocking");
    s.ok("peer send \"hi\"");
    let c = s.last_done();
    assert_result(&c, Outcome::Data, None, Some(2));
}

#[test]
fn peer_actions_on_a_listener_go_to_its_newest_client() {
    let mut s = Session::new();
    s.ok("listen\npeer connect 1\naccept\npeer send \"via listener\"");
    let c = s.done("use 2\nrecv");
    assert_result(&c, Outcome::Data, None, Some(12));
}

#[test]
fn socket_tcp_then_mode_then_connect() {
    let mut s = Session::new();
    s.ok("socket tcp\ntimeout 0.5");
    let c = s.done("connect");
    assert_result(&c, Outcome::Connected, None, None);
    assert_immediate(&c);
    assert_eq!(c.mode.to_string(), "timeout 0.5");
    let c = s.done("peer send \"hi\"\nrecv");
    assert_result(&c, Outcome::Data, None, Some(2));
}

#[test]
fn socket_tcp_with_timeout_refused_at_once() {
    let port = closed_port();
    let mut s = Session::new();
    let c = s.done(&format!("socket tcp\ntimeout 1\nconnect 127.0.0.1:{port}"));
    assert_result(&c, Outcome::Error, Some("ECONNREFUSED"), None);
    assert_immediate(&c);
}

#[test]
fn nonblocking_connect_to_a_closed_port_is_refused_on_the_second_connect() {
    let port = closed_port();
    let mut s = Session::new();
    let c = s.done(&format!("socket tcp\nnonblocking\nconnect 127.0.0.1:{port}"));
    assert_result(&c, Outcome::InProgress, Some("EINPROGRESS"), None);
    let c = s.done(&format!("wait 50ms\nconnect 127.0.0.1:{port}"));
    assert_result(&c, Outcome::Error, Some("ECONNREFUSED"), None);
}

#[test]
fn udp_send_and_recv_with_the_peer() {
    let mut s = Session::new();
    s.ok("open udp");
    let open = s.current_lane()[0].clone();
    assert_eq!(open.op, Op::Open);
    let c = s.done("send \"ping\"");
    assert_result(&c, Outcome::Sent, None, Some(4));
    let got = s.until(Duration::from_secs(2), |s| !s.peer(Op::PeerRecv).is_empty());
    assert!(got, "{}", s.dump());
    let r = &s.peer(Op::PeerRecv)[0];
    assert_result(r, Outcome::Data, None, Some(4));
    assert_eq!(r.preview.as_deref(), Some(&b"ping"[..]));
    let c = s.done("peer send \"pong\"\nrecv");
    assert_result(&c, Outcome::Data, None, Some(4));
    assert_eq!(c.preview.as_deref(), Some(&b"pong"[..]));
    let c = s.done("nonblocking\nrecv");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
}

#[test]
fn udp_blocking_recv_waits_for_a_datagram() {
    let mut s = Session::new();
    let c = s.call("open udp\nrecv");
    assert_blocking(&c);
    s.ok("peer send \"dgram\" after 300ms");
    let c = s.last_done();
    assert_result(&c, Outcome::Data, None, Some(5));
    assert_took(&c, ms(300));
}

#[test]
fn udp_short_recv_discards_the_rest_of_the_datagram() {
    let mut s = Session::new();
    s.ok("open udp\npeer send 100");
    let c = s.done("recv 10");
    assert_result(&c, Outcome::Data, None, Some(10));
    let c = s.done("nonblocking\nrecv");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
}

#[test]
fn ipv6_loopback_listen_connect_accept() {
    let mut s = Session::new();
    s.ok("listen [::1]:0");
    let at = s.lab.socket(1).and_then(|h| h.info.local).expect("the listener's address");
    assert!(at.ip().is_loopback() && at.is_ipv6(), "{at}");
    let c = s.done(&format!("open tcp [::1]:{}", at.port()));
    assert_result(&c, Outcome::Connected, None, None);
    let c = s.done("use 1\naccept");
    assert_result(&c, Outcome::Accepted(3), None, None);
    let c = s.done("use 2\nsend \"six\"");
    assert_result(&c, Outcome::Sent, None, Some(3));
    let c = s.done("use 3\nrecv");
    assert_result(&c, Outcome::Data, None, Some(3));
    assert_eq!(c.preview.as_deref(), Some(&b"six"[..]));
    // The peer serves IPv6 listeners too.
    s.ok("use 1\npeer connect 1");
    let c = s.done("accept");
    assert_result(&c, Outcome::Accepted(4), None, None);
}

#[test]
fn udp_peer_close_makes_the_next_recv_econnrefused() {
    let mut s = Session::new();
    s.ok("open udp\npeer close");
    assert_eq!(s.peer(Op::PeerClose).len(), 1, "{}", s.dump());
    // Our datagram draws an ICMP port unreachable, reported on the next call.
    let c = s.done("send \"anyone?\"");
    assert_result(&c, Outcome::Sent, None, Some(7));
    let c = s.done("wait 20ms\nrecv");
    assert_result(&c, Outcome::Error, Some("ECONNREFUSED"), None);
    assert_immediate(&c);
}

#[test]
fn our_shutdown_wr_gives_the_peer_eof_and_us_epipe() {
    let mut s = Session::new();
    s.ok("open tcp");
    let c = s.done("shutdown wr");
    assert_result(&c, Outcome::Ok, None, None);
    let eof = |s: &Session| s.peer(Op::PeerRecv).iter().any(|c| c.outcome == Outcome::Eof);
    assert!(s.until(IMMEDIATE, eof), "the peer read EOF:\n{}", s.dump());
    let c = s.done("send \"x\"");
    assert_result(&c, Outcome::Error, Some("EPIPE"), None);
    // Reading still works: a half-close is not a close, the peer keeps its end.
    let c = s.done("peer send \"back\"\nrecv");
    assert_result(&c, Outcome::Data, None, Some(4));
    assert!(s.peer(Op::PeerClose).is_empty(), "the peer closed a half-closed connection:\n{}", s.dump());
}

#[test]
fn our_close_gives_the_peer_eof() {
    let mut s = Session::new();
    let c = s.done("open tcp\nclose");
    assert_result(&c, Outcome::Ok, None, None);
    assert_immediate(&c);
    let eof = |s: &Session| s.peer(Op::PeerRecv).iter().any(|c| c.outcome == Outcome::Eof);
    assert!(s.until(IMMEDIATE, eof), "the peer read EOF:\n{}", s.dump());
    assert!(s.lab.socket(1).is_some_and(|h| h.closed), "#1 is marked closed");
    // And then closes its end, as a server does: recorded after the EOF.
    assert!(s.until(IMMEDIATE, |s| !s.peer(Op::PeerClose).is_empty()), "the peer closed:\n{}", s.dump());
    let (recv, close) = (&s.peer(Op::PeerRecv)[0], &s.peer(Op::PeerClose)[0]);
    assert!(close.seq > recv.seq, "{}", s.dump());
    assert_eq!(close.arg, Arg::Note("ours closed".into()));
    let why = explain(close, &Context::default()).why;
    assert!(why.starts_with("Our end was closed") && why.contains("CLOSE-WAIT"), "{why}");
}

#[test]
fn a_paused_peer_closes_its_end_unread_once_ours_is_closed() {
    let mut s = Session::new();
    s.ok("open tcp\npeer pause\nsend \"unread\"\nclose");
    assert!(s.until(IMMEDIATE, |s| !s.peer(Op::PeerClose).is_empty()), "the peer closed:\n{}", s.dump());
    assert!(s.peer(Op::PeerRecv).is_empty(), "a paused peer reads nothing:\n{}", s.dump());
}

#[test]
fn closing_our_udp_socket_closes_the_peers_paired_one() {
    let mut s = Session::new();
    s.ok("open udp\nsend \"last\"\nclose");
    assert!(s.until(IMMEDIATE, |s| !s.peer(Op::PeerClose).is_empty()), "the peer closed:\n{}", s.dump());
    // What we sent before closing was read first.
    let recv = s.peer(Op::PeerRecv);
    assert_eq!(recv.len(), 1, "{}", s.dump());
    assert!(recv[0].seq < s.peer(Op::PeerClose)[0].seq);
}

/// Sends the peer cannot deliver (we do not recv) are held up to 256 MiB in
/// all; past that `peer send` is refused, and says what to do. Once the
/// connection is gone, what it held is let go.
#[test]
fn the_peer_holds_at_most_256_mib_not_yet_sent() {
    let mut s = Session::new();
    // 4 × 64 MiB: the bound, less what the kernel took (our queues hold
    // tens of MiB at most).
    s.ok("open tcp\npeer send 64m\npeer send 64m\npeer send 64m\npeer send 64m");
    for line in ["peer send 64m", "peer send 64m after 10s"] {
        let f = s.run(line).expect_err("past the bound");
        assert!(
            f.message.contains("the peer already holds")
                && f.message.contains("256 MiB in all")
                && f.message.contains("recv on #1"),
            "{line}: {}",
            f.message
        );
    }
    // The bound is for all connections together.
    let f = s.run("open tcp\npeer send 64m").expect_err("past the bound");
    assert!(f.message.contains("recv on the other sockets it sends to"), "{}", f.message);
    // Our close (unread data: an RST) ends the peer's writes; a new
    // connection may have the whole bound again.
    s.ok("use 1\nclose");
    assert!(s.until(LATE, |s| !s.peer(Op::PeerClose).is_empty()), "the peer let #1 go:\n{}", s.dump());
    s.ok("open tcp\npeer send 64m\npeer send 64m\npeer send 64m\npeer send 64m");
}
