//! The bridge from the tracer's events to the record's, event by event:
//! a socket per program socket (made, accepted, closed, its fd reused),
//! the program's modes, calls that never returned, and waits on their
//! process's loop lane.

use std::time::Duration;

use sockscope::record::traced::{self as rt, ProcEnd};
use sockscope::record::{Arg, Event, Lane, Op, Outcome, PyMode, Record, SockKind, TimeoutBy};
use sockscope::trace::event::{Arg as TArg, SockFamily, SockOrigin};
use sockscope::trace::{self, SockId, TraceEvent};
use sockscope::traced::Bridge;

use sockscope::trace::event::{Call as TCall, Mode as TMode, WaitFd};
use sockscope::trace::{Errno, Syscall};

const PID: u32 = 4242;

fn sock(fd: i32) -> SockId {
    SockId { pid: PID, fd }
}

fn call(seq: u64, syscall: Syscall, op: trace::Op, lane: trace::Lane) -> TCall {
    TCall {
        seq,
        pid: PID,
        tid: PID,
        syscall,
        args: [0; 6],
        lane,
        op,
        arg: TArg::None,
        mode: Some(TMode::default()),
        start_ns: seq * 1000,
        end_ns: None,
        ret: None,
        outcome: trace::Outcome::Blocking,
        bytes: None,
        requested: None,
        errno: None,
        preview: None,
        ready: Vec::new(),
        strace: Some(format!("{}(", syscall.name())),
        len_in: None,
    }
}

fn ended(mut c: TCall, ret: i64, outcome: trace::Outcome) -> TCall {
    c.end_ns = Some(c.start_ns + 500);
    c.ret = Some(ret);
    c.outcome = outcome;
    if ret < 0 {
        c.errno = Some(Errno(-ret as i32));
    }
    c
}

fn new_socket(fd: i32, origin: SockOrigin) -> TraceEvent {
    TraceEvent::Socket {
        sock: sock(fd),
        kind: trace::SockKind::Stream,
        family: SockFamily::Inet,
        mode: TMode::default(),
        origin,
        t_ns: 0,
    }
}

#[test]
fn a_socket_call_is_recorded_whole_on_the_lane_of_the_socket_it_made() {
    let mut b = Bridge::new();
    let c = call(1, Syscall::Socket, trace::Op::Socket, trace::Lane::Loop(PID));
    assert!(b.event(&TraceEvent::Begin(c.clone()), 0).is_empty(), "its lane is not known yet");
    let info = b.event(&new_socket(5, SockOrigin::Created), 0);
    let [Event::Socket(info)] = info.as_slice() else { panic!("{info:?}") };
    assert_eq!((info.id, info.fd, info.pid, info.kind), (1, 5, Some(PID), SockKind::TcpClient));
    let mut done = ended(c, 5, trace::Outcome::Ok);
    done.lane = trace::Lane::Sock(sock(5));
    let out = b.event(&TraceEvent::End(done), 0);
    let [Event::Instant(c)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!((c.lane, c.op, c.outcome), (Lane::Sock(1), Op::Socket, Outcome::Ok));
    assert_eq!(c.traced.as_ref().map(|t| (t.syscall.as_str(), t.ret)), Some(("socket", Some(5))));
}

#[test]
fn an_accept_names_the_socket_it_made_and_a_listen_makes_a_listener() {
    let mut b = Bridge::new();
    b.event(&new_socket(3, SockOrigin::Created), 0);
    let listen =
        ended(call(2, Syscall::Listen, trace::Op::Listen, trace::Lane::Sock(sock(3))), 0, trace::Outcome::Ok);
    b.event(&TraceEvent::Begin(listen.clone()), 0);
    let out = b.event(&TraceEvent::End(listen), 0);
    assert!(matches!(&out[1], Event::Socket(i) if i.kind == SockKind::TcpListener), "{out:?}");
    let accept = call(3, Syscall::Accept4, trace::Op::Accept, trace::Lane::Sock(sock(3)));
    let out = b.event(&TraceEvent::Begin(accept.clone()), 0);
    let [Event::Begin(begun)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!((begun.lane, begun.outcome), (Lane::Sock(1), Outcome::Blocking));
    let side = b.event(&new_socket(6, SockOrigin::Accepted { listener: sock(3) }), 0);
    assert!(matches!(&side[..], [Event::Socket(i)] if i.id == 2 && i.kind == SockKind::TcpAccepted));
    let out = b.event(&TraceEvent::End(ended(accept, 6, trace::Outcome::Accepted(sock(6)))), 0);
    let [Event::End(e)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!((e.seq, e.outcome), (3, Outcome::Accepted(2)));
}

#[test]
fn a_closed_fd_reused_is_a_new_socket_and_an_exit_closes_the_rest() {
    let mut b = Bridge::new();
    let mut record = Record::new();
    let mut fold = |out: Vec<Event>| {
        out.iter().for_each(|e| record.apply(e));
        out
    };
    fold(b.event(&new_socket(5, SockOrigin::Created), 0));
    let close =
        ended(call(2, Syscall::Close, trace::Op::Close, trace::Lane::Sock(sock(5))), 0, trace::Outcome::Ok);
    let out = fold(b.event(&TraceEvent::End(close), 0));
    assert!(matches!(out.last(), Some(Event::Closed(1))), "{out:?}");
    let out = fold(b.event(&new_socket(5, SockOrigin::Created), 0));
    assert!(matches!(&out[..], [Event::Socket(i)] if i.id == 2 && i.fd == 5), "{out:?}");
    // The same fd again without a close seen (dup2 over it): the old one goes.
    let out = fold(b.event(&new_socket(5, SockOrigin::Seen), 0));
    assert!(matches!(&out[..], [Event::Closed(2), Event::Socket(i)] if i.id == 3), "{out:?}");
    // Three sockets on one fd number: three lanes, each its own name.
    let names: Vec<String> = (1..=3).map(|id| record.lane_name(Lane::Sock(id))).collect();
    assert_eq!(names, [format!("{PID}:5"), format!("{PID}:5 (2)"), format!("{PID}:5 (3)")]);
    b.event(
        &TraceEvent::Process {
            seq: 9,
            pid: PID,
            origin: trace::Origin::Spawned,
            exe: b"/usr/bin/python3".to_vec(),
            argv0: Vec::new(),
            t_ns: 0,
        },
        0,
    );
    let out = b.event(
        &TraceEvent::Exit { seq: 10, pid: PID, status: trace::ExitStatus::Signal(libc::SIGTERM), t_ns: 0 },
        0,
    );
    assert!(matches!(&out[0], Event::Closed(3)), "{out:?}");
    let Event::Process(p) = &out[1] else { panic!("{out:?}") };
    assert!(p.python && p.end == Some(ProcEnd::Killed(libc::SIGTERM)));
    assert_eq!(p.end.unwrap().to_string(), "killed by SIGTERM");
}

#[test]
fn modes_are_the_programs_and_a_call_that_never_returned_ends_when_let_go() {
    let mut b = Bridge::new();
    b.event(&new_socket(5, SockOrigin::Created), 0);
    let m = TMode { nonblock: true, rcvtimeo: Some(Duration::from_millis(200)), sndtimeo: None };
    let out = b.event(&TraceEvent::Mode { sock: sock(5), mode: m, t_ns: 0 }, 0);
    let [Event::Socket(i)] = out.as_slice() else { panic!("{out:?}") };
    let mode = i.mode.unwrap();
    assert_eq!((mode.py, mode.rcvtimeo), (PyMode::NonBlocking, Some(Duration::from_millis(200))));
    let recv = call(3, Syscall::Recvfrom, trace::Op::Recv, trace::Lane::Sock(sock(5)));
    b.event(&TraceEvent::Begin(recv.clone()), 0);
    let out = b.event(&TraceEvent::End(recv), 9_000);
    let [Event::End(e)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!((e.outcome, e.end_ns), (Outcome::Blocking, 9_000));
}

#[test]
fn a_wait_goes_on_its_process_loop_lane_with_what_it_watched_and_found() {
    let mut b = Bridge::new();
    let mut w = call(4, Syscall::Poll, trace::Op::Poll, trace::Lane::Loop(PID));
    w.arg = TArg::Wait { fds: vec![WaitFd { fd: 5, events: 1 }], timeout: Some(Duration::from_millis(200)) };
    w.mode = None;
    let out = b.event(&TraceEvent::Begin(w.clone()), 0);
    let [Event::Begin(c)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!((c.lane, c.op), (Lane::ProcLoop(PID), Op::PollWait));
    assert_eq!(c.lane.to_string(), "4242:loop");
    let mut done = ended(w, 0, trace::Outcome::Timeout(trace::TimeoutBy::Poll));
    done.bytes = Some(0);
    let out = b.event(&TraceEvent::End(done), 0);
    let [Event::End(e)] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!(e.outcome, Outcome::Timeout(TimeoutBy::Poll));
    let t = e.traced.as_ref().unwrap();
    assert_eq!(t.watch, [rt::WaitFd { fd: 5, events: 1 }]);
    assert_eq!(e.arg, Some(Arg::PollWait { timeout: Some(Duration::from_millis(200)), events: Some(0) }));
}
