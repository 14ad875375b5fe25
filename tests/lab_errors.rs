//! Commands that cannot be carried out when they run: each is a `Failure`
//! with its line, of kind `Command` (or `Expect`), with a message that says
//! what went wrong, and the session goes on. A syscall that fails inside a
//! call is not a failure: it is that call's `error ERRNO` outcome.

mod common;

use common::*;
use sockscope::exec::{Failure, FailureKind};
use sockscope::record::Outcome;

#[track_caller]
fn fails(s: &mut Session, script: &str) -> Failure {
    match s.run(script) {
        Err(f) => f,
        Ok(()) => panic!("{script:?} should have failed:\n{}", s.dump()),
    }
}

#[track_caller]
fn assert_names(f: &Failure, kind: FailureKind, line: usize, needles: &[&str]) {
    assert_eq!((f.kind, f.line), (kind, line), "{f:?}");
    for n in needles {
        assert!(f.message.contains(n), "{:?} lacks {n:?}", f.message);
    }
}

#[test]
fn use_of_a_missing_socket_names_it() {
    let mut s = Session::new();
    let f = fails(&mut s, "open tcp\nuse 99\nsend \"never\"");
    assert_names(&f, FailureKind::Command, 2, &["#99", "#1"]);
    // The rest of the script did not run; #1 is still current and works.
    assert_eq!(s.lab.current(), Some(1));
    assert!(s.current_lane().iter().all(|c| c.op != sockscope::record::Op::Send), "{}", s.dump());
    let c = s.done("peer send \"ok\"\nrecv");
    assert_result(&c, Outcome::Data, None, Some(2));
}

#[test]
fn use_with_no_sockets_says_there_are_none() {
    let mut s = Session::new();
    let f = fails(&mut s, "use 99");
    assert_names(&f, FailureKind::Command, 1, &["#99", "no sockets"]);
}

#[test]
fn a_call_before_any_socket_fails() {
    let mut s = Session::new();
    let f = fails(&mut s, "recv");
    assert_names(&f, FailureKind::Command, 1, &["no socket"]);
}

#[test]
fn a_call_on_a_closed_socket_fails() {
    let mut s = Session::new();
    let c = s.done("open tcp\nclose");
    assert_result(&c, Outcome::Ok, None, None);
    let closed = s.until(IMMEDIATE, |s| s.lab.socket(1).is_some_and(|h| h.closed));
    assert!(closed, "the close is reported");
    let f = fails(&mut s, "recv");
    assert_names(&f, FailureKind::Command, 1, &["#1", "closed"]);
    let f = fails(&mut s, "nonblocking");
    assert_names(&f, FailureKind::Command, 1, &["#1", "closed"]);
    let f = fails(&mut s, "peer send \"x\"");
    assert_names(&f, FailureKind::Command, 1, &["#1", "closed"]);
    // Its number is not reused.
    s.ok("open tcp");
    assert_eq!(s.lab.current(), Some(2));
}

#[test]
fn listen_on_a_port_in_use_is_eaddrinuse() {
    let (_held, at) = held_port();
    let mut s = Session::new();
    let f = fails(&mut s, &format!("listen {at}"));
    assert_names(&f, FailureKind::Command, 1, &["EADDRINUSE", &at.to_string()]);
    assert_eq!(s.lab.sockets().count(), 0, "no socket was made");
}

#[test]
fn blocking_connect_to_a_closed_port_is_a_call_error_not_a_failure() {
    let port = closed_port();
    let mut s = Session::new();
    let c = s.done(&format!("socket tcp\nconnect 127.0.0.1:{port}"));
    assert_result(&c, Outcome::Error, Some("ECONNREFUSED"), None);
    assert_immediate(&c);
}

#[test]
fn peer_connect_needs_a_listener() {
    let mut s = Session::new();
    let f = fails(&mut s, "open tcp\npeer connect 2");
    assert_names(&f, FailureKind::Command, 2, &["listener", "#1"]);
}

#[test]
fn peer_action_on_a_socket_the_peer_does_not_hold() {
    let mut s = Session::new();
    let f = fails(&mut s, "socket tcp\npeer send \"x\"");
    assert_names(&f, FailureKind::Command, 2, &["#1", "not connected to the peer"]);
    let f = fails(&mut s, "listen\npeer close");
    assert_names(&f, FailureKind::Command, 2, &["peer connect"]);
}

#[test]
fn expect_with_no_call_yet_fails() {
    let mut s = Session::new();
    let f = fails(&mut s, "open udp\nexpect data");
    assert_names(&f, FailureKind::Command, 2, &["no call"]);
}

#[test]
fn expect_slowest_with_no_clients_yet_fails_at_once() {
    let mut s = Session::new();
    let began = std::time::Instant::now();
    let f = fails(&mut s, "listen\nexpect slowest over 1s");
    assert_names(&f, FailureKind::Command, 2, &["expect slowest over 1s", "no `peer connect` yet"]);
    assert!(began.elapsed() < std::time::Duration::from_secs(4), "not after the 5 s expect wait");
}

#[test]
fn a_failed_expect_says_what_happened() {
    let mut s = Session::new();
    let f = fails(&mut s, "open tcp\nnonblocking\nrecv\nexpect data 5");
    assert_names(&f, FailureKind::Expect, 4, &["expected data 5", "got wouldblock"]);
    let f = fails(&mut s, "peer send \"abc\"\nrecv\nexpect data 5");
    assert_names(&f, FailureKind::Expect, 3, &["expected data 5", "got data 3"]);
    // A held expectation passes.
    s.ok("peer reset\nblocking\nrecv\nexpect error ECONNRESET\nrecv\nexpect eof");
}
