//! Opening and closing sockets over and over leaves nothing behind: the
//! peer closes its end of each connection once ours is closed, so neither
//! the process's fds nor CLOSE-WAIT sockets pile up. Alone in its file:
//! it counts the whole process's fds, which other tests would disturb.

mod common;

use std::time::Duration;

use common::*;
use sockscope::record::{Arg, Op};

const CYCLES: usize = 150;

fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").expect("/proc/self/fd").count()
}

/// TCP sockets in CLOSE-WAIT whose local port is `port` (/proc/net/tcp:
/// state 08, local address `IP:PORT` in hex).
fn close_wait_on(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    table
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let local_port = f.get(1).and_then(|a| a.rsplit(':').next());
            f.get(3) == Some(&"08") && local_port.and_then(|p| u16::from_str_radix(p, 16).ok()) == Some(port)
        })
        .count()
}

#[test]
fn open_close_cycles_leave_no_fd_and_no_close_wait() {
    let mut s = Session::new();
    let port = s.lab.peer_addr().expect("a live lab has a peer").port();
    // One of each first, so lazily made things (threads' fds…) are counted.
    s.ok("open tcp\nclose\nopen udp\nclose\nopen unix\nclose\nopen unixgram\nclose");
    assert!(s.until(Duration::from_secs(5), |s| s.peer(Op::PeerClose).len() == 4), "{}", s.dump());
    let before = fds();

    let mut script = String::new();
    for _ in 0..CYCLES {
        script.push_str("open tcp\nclose\nopen udp\nclose\nopen unix\nclose\nopen unixgram\nclose\n");
    }
    s.ok(&script);
    let hung_up = 4 + 4 * CYCLES;
    let all_closed = s.until(Duration::from_secs(20), |s| s.peer(Op::PeerClose).len() >= hung_up);
    assert!(all_closed, "the peer closed {} of {hung_up} ends", s.peer(Op::PeerClose).len());
    assert!(
        s.peer(Op::PeerClose).iter().all(|c| matches!(&c.arg, Arg::Note(n) if &**n == "ours closed")),
        "every close was the peer's answer to ours"
    );
    // The peer's fds are gone once it has closed them; allow a few for
    // whatever else the process is doing.
    let after = fds();
    assert!(after <= before + 3, "fds: {before} before {} cycles, {after} after", 4 * CYCLES);
    assert_eq!(close_wait_on(port), 0, "CLOSE-WAIT sockets on the peer's port {port}");
}
