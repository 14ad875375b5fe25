//! One test per outcome in DESIGN.md's closed set, on real loopback sockets.
//! Each checks the outcome, the errno name, the byte count and the duration.

mod common;

use common::*;
use sockscope::record::{Outcome, TimeoutBy};

#[test]
fn data_is_what_the_peer_sent() {
    let mut s = Session::new();
    s.ok("open tcp\npeer send \"hello\"");
    let c = s.done("recv");
    assert_result(&c, Outcome::Data, None, Some(5));
    assert_immediate(&c);
    assert_eq!(c.preview.as_deref(), Some(&b"hello"[..]));
}

#[test]
fn data_is_at_most_the_size_asked_for() {
    let mut s = Session::new();
    s.ok("open tcp\npeer send \"abcdefgh\"");
    let c = s.done("recv 3");
    assert_result(&c, Outcome::Data, None, Some(3));
    assert_eq!(c.preview.as_deref(), Some(&b"abc"[..]));
    let c = s.done("recv");
    assert_result(&c, Outcome::Data, None, Some(5));
}

#[test]
fn eof_after_the_peer_closes() {
    let mut s = Session::new();
    s.ok("open tcp\npeer close");
    let c = s.done("recv");
    assert_result(&c, Outcome::Eof, None, None);
    assert_immediate(&c);
    // EOF repeats.
    let c = s.done("recv");
    assert_result(&c, Outcome::Eof, None, None);
}

#[test]
fn sent_takes_every_byte() {
    let mut s = Session::new();
    s.ok("open tcp");
    let c = s.done("send \"hello\"");
    assert_result(&c, Outcome::Sent, None, Some(5));
    assert_immediate(&c);
    let c = s.done("send 64k");
    assert_result(&c, Outcome::Sent, None, Some(64 * 1024));
    assert_immediate(&c);
}

#[test]
fn partial_when_the_send_buffer_has_less_room() {
    let mut s = Session::new();
    // Loopback's send buffer holds about 4 MB; 8 MB cannot fit at once.
    s.ok("open tcp\npeer pause\nnonblocking");
    let c = s.done("send 8m");
    assert_eq!(c.outcome, Outcome::Partial, "{}", s.dump());
    let n = c.bytes.expect("a partial send has a count");
    assert!(n > 0 && n < 8 * 1024 * 1024, "partial {n}");
    assert_eq!(c.errno_name(), None);
    assert_eq!(c.label(), format!("partial {n}/{}", 8 * 1024 * 1024));
    assert_immediate(&c);
}

#[test]
fn wouldblock_is_eagain_at_once() {
    let mut s = Session::new();
    s.ok("open tcp\nnonblocking");
    let c = s.done("recv");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
    assert_immediate(&c);
}

#[test]
fn timeout_poll_based_has_no_errno() {
    let mut s = Session::new();
    s.ok("open tcp\ntimeout 0.2");
    let c = s.done("recv");
    assert_result(&c, Outcome::Timeout(TimeoutBy::Poll), None, None);
    assert_took(&c, ms(200));
    assert_eq!(c.label(), "timeout");
}

#[test]
fn timeout_so_rcvtimeo_is_eagain() {
    let mut s = Session::new();
    s.ok("open tcp\nrcvtimeo 0.2");
    let c = s.done("recv");
    assert_result(&c, Outcome::Timeout(TimeoutBy::RcvTimeo), Some("EAGAIN"), None);
    assert_took(&c, ms(200));
    assert_eq!(c.label(), "timeout (SO_RCVTIMEO)");
}

#[test]
fn timeout_so_sndtimeo_is_eagain() {
    let mut s = Session::new();
    s.ok("open tcp\npeer pause");
    fill_send_buffer(&mut s);
    // The buffer is full and stays full: a blocking send waits for the timer.
    s.ok("blocking\nsndtimeo 0.2");
    let c = send_until_sndtimeo(&mut s, ms(200));
    assert_result(&c, Outcome::Timeout(TimeoutBy::SndTimeo), Some("EAGAIN"), None);
    assert_took(&c, ms(200));
    assert_eq!(c.label(), "timeout (SO_SNDTIMEO)");
}

#[test]
fn inprogress_then_connected_then_eisconn() {
    let mut s = Session::new();
    s.ok("socket tcp\nnonblocking");
    let c = s.done("connect");
    assert_result(&c, Outcome::InProgress, Some("EINPROGRESS"), None);
    assert_immediate(&c);
    // Loopback finishes the handshake at once; the 2nd connect reports it.
    let c = s.done("wait 50ms\nconnect");
    assert_result(&c, Outcome::Connected, None, None);
    assert_immediate(&c);
    let c = s.done("connect");
    assert_result(&c, Outcome::Error, Some("EISCONN"), None);
    assert_immediate(&c);
}

#[test]
fn accepted_names_the_new_socket() {
    let mut s = Session::new();
    s.ok("listen\npeer connect 1");
    let c = s.done("accept");
    assert_result(&c, Outcome::Accepted(2), None, None);
    assert_immediate(&c);
    assert_eq!(c.label(), "accepted #2");
    let h = s.lab.socket(2).expect("socket #2 exists after accept");
    assert_eq!(h.info.kind, sockscope::record::SockKind::TcpAccepted);
}

#[test]
fn connected_from_a_blocking_connect() {
    let mut s = Session::new();
    s.ok("socket tcp");
    let c = s.done("connect");
    assert_result(&c, Outcome::Connected, None, None);
    assert_immediate(&c);
    let h = s.lab.socket(1).expect("#1");
    let peer = s.lab.peer_addr();
    assert!(peer.is_some());
    assert_eq!(h.info.remote, peer, "the Socket event carries the new peer address");
}

#[test]
fn error_econnreset_once_then_eof() {
    let mut s = Session::new();
    s.ok("open tcp\npeer reset");
    let c = s.done("recv");
    assert_result(&c, Outcome::Error, Some("ECONNRESET"), None);
    assert_immediate(&c);
    assert_eq!(c.label(), "error ECONNRESET");
    let c = s.done("recv");
    assert_result(&c, Outcome::Eof, None, None);
    assert_immediate(&c);
}

#[test]
fn error_epipe_on_the_second_send_after_fin() {
    let mut s = Session::new();
    s.ok("open tcp\npeer close");
    let c = s.done("send \"first\"");
    assert_result(&c, Outcome::Sent, None, Some(5));
    // The peer answered the first send with RST.
    let c = s.done("wait 20ms\nsend \"second\"");
    assert_result(&c, Outcome::Error, Some("EPIPE"), None);
    assert_immediate(&c);
    let c = s.done("send \"third\"");
    assert_result(&c, Outcome::Error, Some("EPIPE"), None);
}

#[test]
fn error_econnrefused_on_a_closed_port() {
    let port = closed_port();
    let mut s = Session::new();
    s.ok("socket tcp");
    let c = s.done(&format!("connect 127.0.0.1:{port}"));
    assert_result(&c, Outcome::Error, Some("ECONNREFUSED"), None);
    assert_immediate(&c);
    // `open tcp ADDR` connects inside its set-up, with the same result.
    let c = s.done(&format!("open tcp 127.0.0.1:{port}"));
    assert_result(&c, Outcome::Error, Some("ECONNREFUSED"), None);
}

#[test]
fn error_enotconn_on_an_unconnected_socket() {
    let mut s = Session::new();
    s.ok("socket tcp");
    let c = s.done("recv");
    assert_result(&c, Outcome::Error, Some("ENOTCONN"), None);
    assert_immediate(&c);
    let c = s.done("shutdown wr");
    assert_result(&c, Outcome::Error, Some("ENOTCONN"), None);
}

#[test]
fn error_eisconn_on_connecting_twice() {
    let mut s = Session::new();
    s.ok("open tcp");
    let c = s.done("connect");
    assert_result(&c, Outcome::Error, Some("EISCONN"), None);
    assert_immediate(&c);
}
