//! Faults: resets, refusals, silence, remote closes, exhausted fds, caps,
//! ports in use. Each ends in one clear outcome or message, never a hang or
//! a panic, and afterwards the session still works. Loopback only, port 0.

mod faults_util;

use faults_util::*;
use sockscope::exec::FailureKind;
use sockscope::record::{Outcome, TimeoutBy};

#[track_caller]
fn assert_errno(c: &sockscope::record::Call, names: &[&str]) {
    assert_eq!(c.outcome, Outcome::Error, "{}", describe(c));
    let got = c.errno_name().unwrap_or("none");
    assert!(names.contains(&got), "expected one of {names:?}: {}", describe(c));
}

#[track_caller]
fn assert_prompt(c: &sockscope::record::Call) {
    let d = c.duration().unwrap_or_else(|| panic!("still blocking: {}", describe(c)));
    assert!(d < PROMPT, "not prompt: {}", describe(c));
}

// ---- the peer resets while we are blocked in send

#[test]
fn peer_reset_ends_a_blocked_send_promptly() {
    let mut s = Session::new();
    s.ok("open tcp\npeer pause\nsend 8m");
    let blocked = s.last();
    assert_eq!(blocked.outcome, Outcome::Blocking, "8 MiB cannot fit a paused peer: {}", describe(&blocked));
    s.ok("peer reset");
    let c = s.ended_within(PROMPT);
    // Linux returns the bytes it had already copied when the RST wakes the
    // send (about 3.9 MB here), and an error only if it had copied none.
    match c.outcome {
        Outcome::Partial => assert!(c.bytes.is_some_and(|n| 0 < n && n < 8 << 20), "{}", describe(&c)),
        _ => assert_errno(&c, &["ECONNRESET", "EPIPE"]),
    }
    // The RST is then reported on the next send.
    let next = s.done("send \"after the reset\"");
    assert_errno(&next, &["ECONNRESET", "EPIPE"]);
    assert_prompt(&next);
    s.still_works();
}

// ---- connection refused

#[test]
fn blocking_connect_to_a_closed_port_is_refused() {
    let port = closed_port();
    let mut s = Session::new();
    let c = s.done(&format!("socket tcp\nconnect 127.0.0.1:{port}"));
    assert_errno(&c, &["ECONNREFUSED"]);
    assert_prompt(&c);
    s.still_works();
}

#[test]
fn nonblocking_connect_to_a_closed_port_is_inprogress_then_refused() {
    let port = closed_port();
    let mut s = Session::new();
    let c = s.done(&format!("socket tcp\nnonblocking\nconnect 127.0.0.1:{port}"));
    assert_eq!((c.outcome, c.errno_name()), (Outcome::InProgress, Some("EINPROGRESS")), "{}", describe(&c));
    // The refusal is picked up by the second connect (SOCKET-FACTS case 8).
    let c = s.done(&format!("connect 127.0.0.1:{port}"));
    assert_errno(&c, &["ECONNREFUSED"]);
    // With a timeout, connect polls and reads SO_ERROR: refused at once.
    let c = s.done(&format!("socket tcp\ntimeout 2\nconnect 127.0.0.1:{port}"));
    assert_errno(&c, &["ECONNREFUSED"]);
    assert_prompt(&c);
    s.still_works();
}

// ---- an address that never answers

#[test]
fn connect_to_a_silent_address_is_inprogress_or_times_out() {
    let silent = Silent::new();
    let at = silent.addr;
    let mut s = Session::new();
    let c = s.done(&format!("socket tcp\nnonblocking\nconnect {at}"));
    assert_eq!((c.outcome, c.errno_name()), (Outcome::InProgress, Some("EINPROGRESS")), "{}", describe(&c));
    let c = s.done(&format!("connect {at}"));
    assert_errno(&c, &["EALREADY"]);

    let c = s.done(&format!("socket tcp\ntimeout 0.3\nconnect {at}"));
    assert_eq!(c.outcome, Outcome::Timeout(TimeoutBy::Poll), "{}", describe(&c));
    let d = c.duration().expect("ended");
    assert!(d >= ms(290) && d < PROMPT, "about 300 ms: {}", describe(&c));
    s.still_works();
}

#[test]
fn a_blocking_connect_that_never_answers_does_not_stall_the_session() {
    let silent = Silent::new();
    let mut s = Session::new();
    s.ok(&format!("socket tcp\nconnect {}", silent.addr));
    let c = s.last();
    assert_eq!(c.outcome, Outcome::Blocking, "{}", describe(&c));
    // The executor moved on after the settle time: other sockets still work.
    s.still_works();
    let c = s.lab.timeline().find(c.seq).expect("recorded").clone();
    assert_eq!(c.outcome, Outcome::Blocking, "the SYN is still unanswered: {}", describe(&c));
}

// ---- the remote closes while we are blocked in recv

#[test]
fn peer_close_during_a_blocked_recv_is_eof() {
    let mut s = Session::new();
    s.ok("open tcp\nrecv");
    assert_eq!(s.last().outcome, Outcome::Blocking, "{}", s.dump());
    s.ok("peer close");
    let c = s.ended_within(PROMPT);
    assert_eq!((c.outcome, c.errno_name()), (Outcome::Eof, None), "{}", describe(&c));
    assert!(c.duration().is_some_and(|d| d >= ms(40) && d < PROMPT), "woken by the FIN: {}", describe(&c));
    s.still_works();
}

#[test]
fn peer_reset_during_a_blocked_recv_is_econnreset() {
    let mut s = Session::new();
    s.ok("open tcp\nrecv");
    assert_eq!(s.last().outcome, Outcome::Blocking, "{}", s.dump());
    s.ok("peer reset");
    let c = s.ended_within(PROMPT);
    assert_errno(&c, &["ECONNRESET"]);
    // Reported once; then EOF (SOCKET-FACTS case 10).
    let c = s.done("recv");
    assert_eq!(c.outcome, Outcome::Eof, "{}", describe(&c));
    s.still_works();
}

// ---- running out of file descriptors

#[test]
fn fd_exhaustion_is_a_clear_emfile_message() {
    let script = "open tcp\n".repeat(40);
    let o = run_bin(script.as_bytes(), &[], Some(48));
    assert_eq!(o.code, Some(1), "{}", o.show());
    assert_no_panic(&o);
    let err = o.err();
    // e.g. "script.scenario:22: error: socket: EMFILE (Too many open files)"
    let line = err.lines().find(|l| l.contains("EMFILE")).unwrap_or_else(|| panic!("{}", o.show()));
    let prefix = format!("{}:", o.file);
    let n: usize = line
        .strip_prefix(&prefix)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no file:line in {line:?}"));
    assert!(line.contains(": error: "), "{line:?}");
    assert!((2..=40).contains(&n), "{line:?}");
    // Everything before the failing line ran and was printed.
    let opened = o.out().lines().filter(|l| l.contains(" open tcp ") && l.contains("connected")).count();
    assert_eq!(opened, n - 1, "{}", o.show());
}

// ---- the cap on open sockets

/// Runs under a raised fd limit when this process's is too low for 256+ sockets.
fn cap_limit() -> Option<Option<u64>> {
    let (soft, hard) = fd_limits();
    if soft >= 1024 {
        Some(None)
    } else if hard >= 1024 {
        Some(Some(1024))
    } else {
        None
    }
}

#[test]
fn too_many_sockets_stops_the_script_at_257() {
    let Some(limit) = cap_limit() else {
        eprintln!("skipped: the hard fd limit is below 1024, too low for 256 sockets plus the peer's");
        return;
    };
    for cmd in ["socket tcp", "open udp"] {
        let o = run_bin(format!("{cmd}\n").repeat(257).as_bytes(), &[], limit);
        assert_eq!(o.code, Some(1), "{cmd}: {}", o.show());
        assert_no_panic(&o);
        assert!(o.err().contains(&format!("{}:257: error: too many sockets", o.file)), "{}", o.err());
        assert!(o.err().contains("256"), "{}", o.err());
        assert!(o.out().contains("#256 "), "all 256 were made: {}", o.show());
    }
}

#[test]
fn after_the_socket_cap_closing_one_makes_room() {
    if fd_limits().0 < 1024 {
        eprintln!("skipped: this process's fd limit is below 1024");
        return;
    }
    let mut s = Session::new();
    s.ok(&"socket tcp\n".repeat(256));
    let f = s.fails("socket tcp");
    assert_eq!(f.kind, FailureKind::Command, "{f:?}");
    assert!(f.message.contains("too many sockets") && f.message.contains("256"), "{f:?}");
    assert_eq!(s.lab.sockets().count(), 256, "no socket was made");
    s.ok("close");
    assert!(s.until(PROMPT, |s| s.lab.socket(256).is_some_and(|h| h.closed)), "the close is reported");
    // One slot is free again: a connection to the peer fits, and works.
    s.still_works();
    let f = s.fails("socket tcp");
    assert!(f.message.contains("too many sockets"), "full again: {f:?}");
}

// ---- sizes past the 64 MiB cap

#[test]
fn sizes_over_64_mib_are_refused_before_anything_runs() {
    for (script, at) in [("recv 65m\n", ":1:6:"), ("open tcp\nsend 65m\n", ":2:6:")] {
        let o = run_bin(script.as_bytes(), &[], None);
        assert_eq!(o.code, Some(2), "{script:?}: {}", o.show());
        assert_no_panic(&o);
        let err = o.err();
        assert!(err.starts_with(&format!("{}{at}", o.file)), "file:line:col: {err:?}");
        assert!(err.contains("65m") && err.contains("64 MiB"), "{err:?}");
        assert!(o.stdout.is_empty(), "nothing ran: {}", o.show());
    }
}

#[test]
fn send_64_mib_to_a_reading_peer_completes() {
    let mut s = Session::new();
    s.ok("open tcp\nsend 64m");
    // Building 64 MiB of filler in a debug build takes a moment; be generous.
    let c = s.ended_within(ms(15_000));
    match c.outcome {
        Outcome::Sent => assert_eq!(c.bytes, Some(64 << 20), "{}", describe(&c)),
        Outcome::Partial => assert!(c.bytes.is_some_and(|n| n > 0), "{}", describe(&c)),
        _ => panic!("expected sent or partial: {}", describe(&c)),
    }
    s.still_works();
}

// ---- binding

#[test]
fn listening_on_a_port_in_use_is_eaddrinuse() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let at = held.local_addr().expect("addr");
    let o = run_bin(format!("say \"first\"\nlisten {at}\nsay \"never\"\n").as_bytes(), &[], None);
    assert_eq!(o.code, Some(1), "{}", o.show());
    assert_no_panic(&o);
    let err = o.err();
    assert!(err.contains(&format!("{}:2: error:", o.file)), "{err:?}");
    assert!(err.contains("EADDRINUSE") && err.contains(&at.to_string()), "{err:?}");
    assert!(o.out().contains("first") && !o.out().contains("never"), "{}", o.show());

    // In a session the failure is reported and the session goes on.
    let mut s = Session::new();
    let f = s.fails(&format!("listen {at}"));
    assert!(f.message.contains("EADDRINUSE"), "{f:?}");
    s.still_works();
}

/// The lowest port an unprivileged process may bind (1024 unless the sysctl says otherwise).
fn unprivileged_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(1024)
}

#[test]
fn listening_below_1024() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    // Low ports are shared by everything on the box: try them from 1023
    // down, and move on when one is taken by someone else.
    for port in (1000..1024).rev() {
        let allowed = root || unprivileged_start() <= port;
        let o = run_bin(format!("listen 127.0.0.1:{port}\n").as_bytes(), &[], None);
        assert_no_panic(&o);
        if o.err().contains("EADDRINUSE") {
            continue;
        }
        if allowed {
            // Running as root (or with a lowered ip_unprivileged_port_start),
            // the kernel lets us bind a low port: that is success, not a fault.
            assert_eq!(o.code, Some(0), "{}", o.show());
            assert!(o.out().contains(&format!("listen 127.0.0.1:{port}")), "{}", o.show());
        } else {
            assert_eq!(o.code, Some(1), "{}", o.show());
            assert!(o.err().contains("EACCES") && o.err().contains(":1: error:"), "{}", o.show());
        }
        return;
    }
    panic!("every port from 1000 to 1023 on 127.0.0.1 is in use");
}

#[test]
fn listening_on_all_interfaces_warns_and_plain_listen_is_loopback() {
    let o = run_bin(b"listen 0.0.0.0:0\n", &[], None);
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert!(o.err().contains("warning: #1 listens on all interfaces (0.0.0.0:"), "{}", o.show());
    // The IPv6 wildcard, and the IPv4 one written as a v4-mapped address.
    for addr in ["[::]:0", "[::ffff:0.0.0.0]:0"] {
        let o = run_bin(format!("listen {addr}\n").as_bytes(), &[], None);
        assert_eq!(o.code, Some(0), "{addr}: {}", o.show());
        assert!(o.err().contains("warning: #1 listens on all interfaces ("), "{addr}: {}", o.show());
    }

    let o = run_bin(b"listen\n", &["--json"], None);
    assert_eq!(o.code, Some(0), "{}", o.show());
    assert!(!o.err().contains("warning"), "{}", o.show());
    let v: serde_json::Value = serde_json::from_str(o.out().trim()).expect("one JSON line");
    assert_eq!(v["op"], "listen", "{v}");
    let arg = v["arg"].as_str().unwrap_or_default();
    let addr: std::net::SocketAddr = arg.parse().unwrap_or_else(|_| panic!("an address: {v}"));
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{v}");
}
