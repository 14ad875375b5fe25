//! `lab::explain` for AF_UNIX records: strace lines with `sun_path`, Python
//! with `socket.AF_UNIX`, and the reasons that differ from TCP.

use std::time::Duration;

use sockscope::command::UnixKind;
use sockscope::ops::{Context, explain};
use sockscope::record::{Arg, Call, Lane, Mode, Op, Outcome, SockKind};

fn call(op: Op, arg: Arg, outcome: Outcome, errno: i32) -> Call {
    Call {
        seq: 3,
        lane: Lane::Sock(1),
        op,
        arg,
        mode: Mode::default(),
        kernel: None,
        start_ns: 0,
        end_ns: Some(Duration::from_micros(40).as_nanos() as u64),
        outcome,
        errno,
        bytes: None,
        preview: None,
        evidence: None,
        traced: None,
    }
}

fn ctx(kind: SockKind) -> Context {
    Context { fd: Some(5), kind: Some(kind), ..Context::default() }
}

const PATH: &str = "/tmp/s.sock";

#[test]
fn open_unix_is_socket_then_connect_by_path() {
    let c = call(Op::Open, Arg::Unix(UnixKind::Stream, PATH.into()), Outcome::Connected, 0);
    let ex = explain(&c, &ctx(SockKind::UnixClient));
    assert_eq!(
        ex.syscalls,
        [
            "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 5",
            "connect(5, {sa_family=AF_UNIX, sun_path=\"/tmp/s.sock\"}, 14) = 0",
        ]
    );
    assert_eq!(ex.python[0], "sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)");
    assert_eq!(ex.python[1], "sock.connect(\"/tmp/s.sock\")");
    assert!(ex.why.contains("no handshake"), "{}", ex.why);
}

#[test]
fn open_unixgram_binds_its_own_path() {
    let c = call(Op::Open, Arg::Unix(UnixKind::Datagram, PATH.into()), Outcome::Ok, 0);
    let ex = explain(&c, &ctx(SockKind::UnixDgram));
    assert_eq!(ex.syscalls[0], "socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0) = 5");
    assert!(ex.syscalls[1].starts_with("bind(5, {sa_family=AF_UNIX"), "{:?}", ex.syscalls);
    assert_eq!(ex.python[0], "sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)");
    assert!(ex.why.contains("datagram"), "{}", ex.why);
}

#[test]
fn listen_unix_binds_the_file() {
    let c = call(Op::Listen, Arg::Unix(UnixKind::Stream, PATH.into()), Outcome::Ok, 0);
    let ex = explain(&c, &ctx(SockKind::UnixListener));
    assert_eq!(ex.syscalls[1], "bind(5, {sa_family=AF_UNIX, sun_path=\"/tmp/s.sock\"}, 14) = 0");
    assert_eq!(ex.syscalls[2], "listen(5, 128) = 0");
    assert_eq!(ex.python[1], "sock.bind(\"/tmp/s.sock\")");
    assert!(ex.why.contains("unlinks"), "{}", ex.why);
    let close = call(Op::Close, Arg::None, Outcome::Ok, 0);
    assert!(explain(&close, &ctx(SockKind::UnixListener)).why.contains("unlinked"));
}

#[test]
fn connect_errors_say_what_the_path_holds() {
    let refused = call(Op::Connect, Arg::Path(PATH.into()), Outcome::Error, libc::ECONNREFUSED);
    let ex = explain(&refused, &ctx(SockKind::UnixClient));
    assert_eq!(
        ex.syscalls,
        [
            "connect(5, {sa_family=AF_UNIX, sun_path=\"/tmp/s.sock\"}, 14) = -1 ECONNREFUSED (Connection refused)"
        ]
    );
    assert!(ex.why.contains("no socket listens"), "{}", ex.why);
    let missing = call(Op::Open, Arg::Unix(UnixKind::Stream, PATH.into()), Outcome::Error, libc::ENOENT);
    let ex = explain(&missing, &ctx(SockKind::UnixClient));
    assert!(ex.syscalls[1].ends_with("= -1 ENOENT (No such file or directory)"), "{:?}", ex.syscalls);
    assert!(ex.python.iter().any(|l| l.contains("FileNotFoundError")), "{:?}", ex.python);
    assert!(ex.why.contains("No file exists"), "{}", ex.why);
}

#[test]
fn recv_on_unix_reads_like_tcp_but_eof_has_no_fin() {
    let mut c = call(Op::Recv, Arg::Size(1024), Outcome::Eof, 0);
    c.bytes = None;
    let ex = explain(&c, &ctx(SockKind::UnixClient));
    assert_eq!(ex.syscalls, ["recvfrom(5, \"\", 1024, 0, NULL, NULL) = 0"]);
    assert!(ex.why.contains("No FIN") || ex.why.contains("no FIN"), "{}", ex.why);
}
