//! Every mode in DESIGN.md's table, on real loopback sockets: what a call
//! does in it, what the kernel reads back after the change, and what a mode
//! change does to a call that is already blocked.

mod common;

use std::time::Duration;

use common::*;
use sockscope::record::{Arg, KernelView, Op, Outcome, PyMode, TimeoutBy};

/// SO_RCVTIMEO/SO_SNDTIMEO read back rounded up to the kernel's jiffy
/// (4 ms here; up to 10 ms at HZ=100).
#[track_caller]
fn assert_timer_us(got: u64, set: Duration) {
    let set = set.as_micros() as u64;
    assert!(got >= set && got <= set + 10_000, "the kernel holds {got} µs for a timer set to {set} µs");
}

#[track_caller]
fn kernel(s: &Session) -> KernelView {
    let c = s.last_mode_change();
    match c.kernel {
        Some(k) => k,
        None => panic!("mode change without a kernel read-back:\n{}", s.dump()),
    }
}

#[test]
fn blocking_recv_waits_for_the_peer() {
    let mut s = Session::new();
    s.ok("open tcp\nblocking");
    assert_eq!(kernel(&s), KernelView { nonblock: false, rcvtimeo_us: 0, sndtimeo_us: 0 });
    let c = s.call("recv");
    assert_blocking(&c);
    s.ok("peer send \"hello\" after 300ms");
    let c = s.last_done();
    assert_result(&c, Outcome::Data, None, Some(5));
    assert_took(&c, ms(300));
    assert_eq!(c.mode.py, PyMode::Blocking);
}

#[test]
fn blocking_recv_stays_blocked_while_the_peer_is_silent() {
    let mut s = Session::new();
    s.ok("open tcp");
    let c = s.call("recv\nwait 400ms");
    assert_blocking(&c);
    // The script's own check agrees.
    s.ok("expect blocking");
}

#[test]
fn nonblocking_returns_at_once_either_way() {
    let mut s = Session::new();
    s.ok("open tcp\nnonblocking");
    assert_eq!(kernel(&s), KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
    let c = s.done("recv");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
    assert_immediate(&c);
    assert_eq!(c.mode.py, PyMode::NonBlocking);
    let c = s.done("peer send \"hi\"\nrecv");
    assert_result(&c, Outcome::Data, None, Some(2));
    assert_immediate(&c);
    // The queue is empty again.
    let c = s.done("recv");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
}

#[test]
fn timeout_zero_is_nonblocking() {
    let mut s = Session::new();
    s.ok("open tcp\ntimeout 0");
    let m = s.last_mode_change();
    assert_eq!(m.op, Op::Timeout);
    assert_eq!(m.mode.py, PyMode::Timeout(Duration::ZERO));
    assert_eq!(m.mode.to_string(), "timeout 0");
    assert_eq!(kernel(&s), KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
    let c = s.done("recv");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
    assert_immediate(&c);
}

#[test]
fn timeout_t_runs_out_without_a_recv() {
    let mut s = Session::new();
    s.ok("open tcp\ntimeout 0.3");
    let m = s.last_mode_change();
    assert_eq!(m.arg, Arg::Secs(ms(300)));
    // CPython's way: O_NONBLOCK and poll; no kernel timer is set.
    assert_eq!(kernel(&s), KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
    let c = s.done("recv");
    assert_result(&c, Outcome::Timeout(TimeoutBy::Poll), None, None);
    assert_took(&c, ms(300));
    // The socket still works after a timeout.
    let c = s.done("peer send \"ok\"\nrecv");
    assert_result(&c, Outcome::Data, None, Some(2));
    assert_immediate(&c);
}

#[test]
fn timeout_t_returns_data_that_arrives_in_time() {
    let mut s = Session::new();
    s.ok("open tcp\ntimeout 2");
    s.ok("recv\npeer send \"hi\" after 200ms");
    let c = s.last_done();
    assert_result(&c, Outcome::Data, None, Some(2));
    assert_took(&c, ms(200));
    assert!(c.duration().is_some_and(|d| d < ms(1900)), "the data, not the timeout, ended it");
}

#[test]
fn timeout_none_is_blocking() {
    let mut s = Session::new();
    s.ok("open tcp\nnonblocking\ntimeout none");
    let m = s.last_mode_change();
    assert_eq!(m.op, Op::Blocking);
    assert_eq!(m.mode.py, PyMode::Blocking);
    assert_eq!(kernel(&s), KernelView { nonblock: false, rcvtimeo_us: 0, sndtimeo_us: 0 });
    let c = s.call("recv\nwait 200ms");
    assert_blocking(&c);
}

#[test]
fn timeout_t_wins_over_so_rcvtimeo() {
    let mut s = Session::new();
    // The fd is O_NONBLOCK under `timeout T`, so the kernel timer plays no part.
    s.ok("open tcp\nrcvtimeo 0.1\ntimeout 0.3");
    let k = kernel(&s);
    assert!(k.nonblock);
    assert_timer_us(k.rcvtimeo_us, ms(100));
    let c = s.done("recv");
    assert_result(&c, Outcome::Timeout(TimeoutBy::Poll), None, None);
    assert_took(&c, ms(300));
}

#[test]
fn rcvtimeo_t_expires_with_eagain() {
    let mut s = Session::new();
    s.ok("open tcp\nrcvtimeo 0.2");
    let m = s.last_mode_change();
    assert_eq!((m.op, m.arg.clone()), (Op::RcvTimeo, Arg::Secs(ms(200))));
    assert_eq!(m.mode.rcvtimeo, Some(ms(200)));
    let k = kernel(&s);
    assert!(!k.nonblock);
    assert_timer_us(k.rcvtimeo_us, ms(200));
    assert_eq!(k.sndtimeo_us, 0);
    let c = s.done("recv");
    assert_result(&c, Outcome::Timeout(TimeoutBy::RcvTimeo), Some("EAGAIN"), None);
    assert_took(&c, ms(200));
    // After expiry the socket still works, and is still blocking.
    assert_eq!(s.lab.kernel_view(1).map(|k| k.nonblock), Some(false));
    let c = s.done("peer send \"ok\"\nrecv");
    assert_result(&c, Outcome::Data, None, Some(2));
}

#[test]
fn rcvtimeo_rounds_up_to_a_jiffy() {
    let mut s = Session::new();
    s.ok("open tcp\nrcvtimeo 0.000001");
    let k = kernel(&s);
    assert!(k.rcvtimeo_us >= 1000 && k.rcvtimeo_us <= 10_000, "1 µs reads back as one jiffy, got {k:?}");
}

#[test]
fn rcvtimeo_zero_waits_forever() {
    let mut s = Session::new();
    s.ok("open tcp\nrcvtimeo 0.2\nrcvtimeo 0");
    let m = s.last_mode_change();
    assert_eq!(m.mode.rcvtimeo, Some(Duration::ZERO));
    assert_eq!(m.mode.to_string(), "blocking rcvtimeo 0");
    assert_eq!(kernel(&s), KernelView { nonblock: false, rcvtimeo_us: 0, sndtimeo_us: 0 });
    let c = s.call("recv\nwait 400ms");
    assert_blocking(&c);
    let c = s.done("peer send \"x\"");
    assert_result(&c, Outcome::Data, None, Some(1));
    assert_took(&c, ms(400));
}

#[test]
fn rcvtimeo_does_not_apply_to_a_nonblocking_socket() {
    let mut s = Session::new();
    s.ok("open tcp\nnonblocking\nrcvtimeo 2");
    let k = kernel(&s);
    assert!(k.nonblock);
    assert_timer_us(k.rcvtimeo_us, Duration::from_secs(2));
    let c = s.done("recv");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
    assert_immediate(&c);
}

#[test]
fn sndtimeo_t_expires_on_a_full_buffer() {
    let mut s = Session::new();
    s.ok("open tcp\npeer pause");
    fill_send_buffer(&mut s);
    s.ok("blocking\nsndtimeo 0.3");
    let m = s.last_mode_change();
    assert_eq!((m.op, m.arg.clone()), (Op::SndTimeo, Arg::Secs(ms(300))));
    let k = kernel(&s);
    assert!(!k.nonblock);
    assert_eq!(k.rcvtimeo_us, 0);
    assert_timer_us(k.sndtimeo_us, ms(300));
    let c = send_until_sndtimeo(&mut s, ms(300));
    assert_result(&c, Outcome::Timeout(TimeoutBy::SndTimeo), Some("EAGAIN"), None);
    assert_took(&c, ms(300));
}

#[test]
fn timeout_t_on_a_full_send_buffer_is_poll_based() {
    let mut s = Session::new();
    s.ok("open tcp\npeer pause");
    fill_send_buffer(&mut s);
    s.ok("timeout 0.2");
    let c = s.done("send 1m");
    assert_result(&c, Outcome::Timeout(TimeoutBy::Poll), None, None);
    assert_took(&c, ms(200));
}

#[test]
fn every_mode_change_records_the_kernel_view() {
    let mut s = Session::new();
    s.ok("open tcp");
    let steps: [(&str, bool, u64, u64); 9] = [
        ("nonblocking", true, 0, 0),
        ("blocking", false, 0, 0),
        ("timeout 0", true, 0, 0),
        ("timeout 0.5", true, 0, 0),
        ("timeout none", false, 0, 0),
        ("rcvtimeo 0.2", false, 200_000, 0),
        ("sndtimeo 0.3", false, 200_000, 300_000),
        ("timeout 0.1", true, 200_000, 300_000),
        ("rcvtimeo 0", true, 0, 300_000),
    ];
    for (cmd, nonblock, rcv, snd) in steps {
        s.ok(cmd);
        let k = kernel(&s);
        assert_eq!(k.nonblock, nonblock, "after `{cmd}`: {k:?}");
        assert_timer_us(k.rcvtimeo_us, Duration::from_micros(rcv));
        assert_timer_us(k.sndtimeo_us, Duration::from_micros(snd));
        // The read-back in the record is what the kernel still holds.
        assert_eq!(s.lab.kernel_view(1), Some(k), "after `{cmd}`");
    }
    let modes = s.current_lane().iter().filter(|c| c.op.is_mode()).count();
    assert_eq!(modes, steps.len(), "one record per mode change");
    assert_eq!(s.last_mode_change().mode.to_string(), "timeout 0.1 rcvtimeo 0 sndtimeo 0.3");
}

#[test]
fn mode_change_while_blocked_takes_effect_and_the_call_stays_blocked() {
    let mut s = Session::new();
    s.ok("open tcp");
    let c = s.call("recv");
    assert_blocking(&c);
    // The change is made at once, not queued behind the blocked recv.
    s.ok("nonblocking");
    let m = s.last_mode_change();
    assert_eq!(kernel(&s), KernelView { nonblock: true, rcvtimeo_us: 0, sndtimeo_us: 0 });
    let blocked = s.lab.timeline().find(c.seq).expect("the recv").clone();
    assert_blocking(&blocked);
    assert!(m.start_ns > c.start_ns, "the mode change came while the recv was in the kernel");
    // A timeout set now does not reach the call already waiting either.
    s.ok("timeout 0.1\nwait 300ms");
    let blocked = s.lab.timeline().find(c.seq).expect("the recv").clone();
    assert_blocking(&blocked);
    // The peer's data completes it.
    s.ok("peer send \"late\"");
    let c = s.last_done();
    assert_result(&c, Outcome::Data, None, Some(4));
    assert_took(&c, ms(300));
    assert_eq!(c.mode.py, PyMode::Blocking, "a call keeps the mode it started in");
    // The next call runs in the new mode.
    let c = s.done("recv");
    assert_result(&c, Outcome::Timeout(TimeoutBy::Poll), None, None);
    assert_took(&c, ms(100));
}

#[test]
fn send_buffer_fills_partial_then_wouldblock_then_blocks_until_resume() {
    let mut s = Session::new();
    s.ok("open tcp\npeer pause\nnonblocking");
    let mut sends = Vec::new();
    for _ in 0..64 {
        let c = s.done("send 1m");
        assert_immediate(&c);
        let more = c.outcome == Outcome::Sent;
        sends.push(c);
        if !more {
            break;
        }
    }
    let first_short = sends.last().expect("sends").clone();
    assert_eq!(first_short.outcome, Outcome::Partial, "sends: {:?}\n{}", sends.len(), s.dump());
    let n = first_short.bytes.expect("partial has a count");
    assert!(n > 0 && n < 1 << 20, "partial {n}");
    assert_eq!(first_short.errno_name(), None);
    // The buffer may still grow a little; a few more sends reach EAGAIN.
    let mut last = s.done("send 1m");
    for _ in 0..8 {
        if last.outcome == Outcome::WouldBlock {
            break;
        }
        assert_eq!(last.outcome, Outcome::Partial, "{}", s.dump());
        sends.push(last);
        last = s.done("send 1m");
    }
    assert_result(&last, Outcome::WouldBlock, Some("EAGAIN"), None);
    assert_immediate(&last);
    let queued: u64 = sends.iter().filter_map(|c| c.bytes).sum();
    assert!(queued > 1 << 20, "more than 1 MB fits in loopback buffers, got {queued}");

    // A blocking send now waits for room.
    s.ok("blocking\nsend 1m\nexpect blocking\nwait 300ms");
    let c = s.last();
    assert_blocking(&c);
    s.ok("peer resume");
    let c = s.last_done();
    assert_result(&c, Outcome::Sent, None, Some(1 << 20));
    assert_took(&c, ms(300));

    // The peer reads every byte that was accepted.
    let total = queued + (1 << 20);
    let read = |s: &Session| -> u64 { s.peer(Op::PeerRecv).iter().filter_map(|c| c.bytes).sum() };
    let all = s.until(Duration::from_secs(5), |s| read(s) >= total);
    assert!(all, "the peer read {} of {total} bytes", read(&s));
    assert_eq!(read(&s), total);
}

#[test]
fn a_call_settles_from_when_it_starts_not_from_when_it_was_queued() {
    let mut s = Session::new();
    // The worker makes 8 MB of filler before the send starts (a long while
    // in a debug build). The mode change after it must wait for the send to
    // have run, or the send would run in the new mode.
    s.ok("open tcp\npeer pause\nnonblocking\nsend 8m\nblocking");
    let send = |s: &Session| s.current_lane().into_iter().find(|c| c.op == Op::Send);
    s.until(ms(3000), |s| send(s).is_some_and(|c| c.end_ns.is_some()));
    let send = send(&s).expect("the send was recorded");
    assert_eq!(send.mode.py, PyMode::NonBlocking, "{}", s.dump());
    assert_eq!(send.outcome, Outcome::Partial, "{}", s.dump());
    assert_immediate(&send);
}

#[test]
fn a_second_call_on_a_busy_socket_runs_at_once_beside_the_blocked_one() {
    let mut s = Session::new();
    let t = std::time::Instant::now();
    s.ok("open tcp\nrecv\nnonblocking\nrecv");
    assert!(t.elapsed() < IMMEDIATE, "the executor moved on after the settle time");
    // The second recv did not wait for the first: it ran at once, in the new
    // mode, as a second thread of a program would, and found nothing.
    let c = s.last_done();
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
    assert_eq!(c.mode.py, PyMode::NonBlocking);
    // The first is still in the kernel: the mode change did not wake it.
    let first = s.current_lane().into_iter().find(|c| c.op == Op::Recv).expect("the first recv");
    assert_eq!(first.outcome, Outcome::Blocking, "{}", s.dump());
    assert_eq!(first.mode.py, PyMode::Blocking);
    s.ok("peer send \"a\"");
    let first = s.current_lane().into_iter().find(|c| c.op == Op::Recv).expect("the first recv");
    assert_result(&first, Outcome::Data, None, Some(1));
}
