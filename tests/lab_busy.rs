//! A second thread's view of a socket: `peek`, calls on a socket whose
//! earlier call is still in the kernel, shutdown and close while a recv is
//! blocked, and what an accepted socket inherits (SOCKET-FACTS 11, 13, 16,
//! 17). Real loopback sockets; every wait bounded.

mod common;

use common::*;
use sockscope::record::{Op, Outcome, PyMode, TimeoutBy};

#[test]
fn peek_returns_the_data_and_leaves_it_queued() {
    let mut s = Session::new();
    s.ok("open tcp\npeer send \"hello\"\nwait 50ms");
    let c = s.done("peek");
    assert_eq!(c.op, Op::Peek);
    assert_result(&c, Outcome::Data, None, Some(5));
    assert_eq!(c.preview.as_deref(), Some(&b"hello"[..]));
    let c = s.done("peek 2");
    assert_eq!(c.preview.as_deref(), Some(&b"he"[..]), "a peek takes nothing away");
    let c = s.done("recv");
    assert_result(&c, Outcome::Data, None, Some(5));
    assert_eq!(c.preview.as_deref(), Some(&b"hello"[..]), "the recv reads the same bytes");
}

#[test]
fn peek_waits_fails_and_sees_eof_as_recv_does() {
    let mut s = Session::new();
    s.ok("open tcp\nnonblocking");
    assert_result(&s.done("peek"), Outcome::WouldBlock, Some("EAGAIN"), None);
    s.ok("timeout 0.2");
    let c = s.done("peek");
    assert_result(&c, Outcome::Timeout(TimeoutBy::Poll), None, None);
    assert_took(&c, ms(200));
    s.ok("blocking\npeer send \"x\" after 200ms");
    let c = s.done("peek");
    assert_result(&c, Outcome::Data, None, Some(1));
    // The peek returned with the data, 200 ms after it was scheduled (right
    // after `blocking`); on a loaded machine the peek itself may start late.
    let scheduled = s.last_mode_change().end_ns.expect("the mode change ended");
    let end = c.end_ns.expect("the peek ended");
    assert!(end - scheduled + SLACK.as_nanos() as u64 >= ms(200).as_nanos() as u64, "{c:?}");
    assert!(c.duration().is_some_and(|d| d < LATE), "{c:?}");
    s.ok("recv\npeer close\nwait 50ms");
    assert_result(&s.done("peek"), Outcome::Eof, None, None);
}

#[test]
fn a_second_recv_on_a_busy_socket_runs_beside_the_first() {
    let mut s = Session::new();
    s.ok("open tcp\nrecv\nrecv");
    let lane = s.current_lane();
    let recvs: Vec<_> = lane.iter().filter(|c| c.op == Op::Recv).collect();
    assert_eq!(recvs.len(), 2, "both recvs are in the kernel:\n{}", s.dump());
    assert!(recvs.iter().all(|c| c.outcome == Outcome::Blocking), "{}", s.dump());
    // One arrival wakes one of them.
    s.ok("peer send \"a\"");
    assert!(
        s.until(LATE, |s| s.current_lane().iter().any(|c| c.op == Op::Recv && c.outcome == Outcome::Data))
    );
    let waiting =
        s.current_lane().iter().filter(|c| c.op == Op::Recv && c.outcome == Outcome::Blocking).count();
    assert_eq!(waiting, 1, "the other still waits:\n{}", s.dump());
}

#[test]
fn shutdown_rd_wakes_a_blocked_recv_at_once_with_eof() {
    let mut s = Session::new();
    s.ok("open tcp\nrecv\nwait 200ms\nshutdown rd");
    assert!(s.until(IMMEDIATE, |s| {
        s.current_lane().iter().any(|c| c.op == Op::Recv && c.outcome == Outcome::Eof)
    }));
    let recv = s.current_lane().into_iter().find(|c| c.op == Op::Recv).expect("the recv");
    assert_took(&recv, ms(200));
    let shutdown = s.current_lane().into_iter().find(|c| c.op == Op::Shutdown).expect("the shutdown");
    assert!(
        shutdown.start_ns < recv.end_ns.expect("ended"),
        "the shutdown ran while the recv was in the kernel"
    );
    // No FIN came from the peer: data it sends later is still read.
    s.ok("peer send \"later\"\nwait 50ms");
    let c = s.done("recv");
    assert_result(&c, Outcome::Data, None, Some(5));
    assert!(c.evidence.as_ref().expect("evidence").history.shut_rd, "the record remembers the shutdown");
}

#[test]
fn shutdown_wr_does_not_wake_a_blocked_recv() {
    let mut s = Session::new();
    s.ok("open tcp\nrecv\nwait 100ms\nshutdown wr\nwait 200ms");
    let recv = s.current_lane().into_iter().find(|c| c.op == Op::Recv).expect("the recv");
    assert_eq!(recv.outcome, Outcome::Blocking, "{}", s.dump());
    s.ok("peer send \"x\"");
    assert!(
        s.until(LATE, |s| s.current_lane().iter().any(|c| c.op == Op::Recv && c.outcome == Outcome::Data))
    );
}

#[test]
fn close_does_not_wake_a_blocked_recv_and_late_data_still_reaches_it() {
    let mut s = Session::new();
    s.ok("open tcp\npeer send \"late\" after 700ms\nrecv\nwait 200ms\nclose");
    let close = s.current_lane().into_iter().find(|c| c.op == Op::Close).expect("the close");
    assert_eq!(close.outcome, Outcome::Ok, "close() returned at once:\n{}", s.dump());
    let recv = s.current_lane().into_iter().find(|c| c.op == Op::Recv).expect("the recv");
    assert_eq!(recv.outcome, Outcome::Blocking, "close() did not wake it:\n{}", s.dump());
    assert!(
        s.until(LATE, |s| s.current_lane().iter().any(|c| c.op == Op::Recv && c.outcome == Outcome::Data)),
        "the blocked recv still returns what the peer sends afterwards:\n{}",
        s.dump()
    );
    let recv = s.current_lane().into_iter().find(|c| c.op == Op::Recv).expect("the recv");
    assert_eq!(recv.preview.as_deref(), Some(&b"late"[..]));
    assert_took(&recv, ms(700));
}

#[test]
fn an_accepted_socket_inherits_the_listeners_timers_not_its_mode() {
    let mut s = Session::new();
    s.ok("listen\nnonblocking\nrcvtimeo 0.2\npeer connect\nwait 50ms");
    let c = s.done("accept");
    assert_result(&c, Outcome::Accepted(2), None, None);
    s.ok("use 2");
    let two = s.lab.socket(2).expect("#2").clone();
    assert_eq!(two.mode.py, PyMode::Blocking, "O_NONBLOCK is not inherited");
    let held = two.mode.rcvtimeo.expect("SO_RCVTIMEO is inherited");
    assert_eq!(held.as_millis(), 200);
    let k = s.lab.kernel_view(2).expect("sampled");
    assert!(!k.nonblock);
    assert_eq!(k.rcvtimeo_us, 200_000);
    let c = s.done("recv");
    assert_result(&c, Outcome::Timeout(TimeoutBy::RcvTimeo), Some("EAGAIN"), None);
    assert_took(&c, ms(200));
}
