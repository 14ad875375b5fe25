//! An engine that goes away while the process goes on (a demo starting
//! over) lets its sockets go: idle ones and ones with a call still in the
//! kernel are closed, which the other end sees as EOF. Real loopback
//! sockets to a listener of the test's own; every wait bounded.

mod common;

use std::io::Read;
use std::time::Duration;

use common::*;
use sockscope::record::Outcome;

/// Reads until EOF (true) or the timeout (false).
fn sees_eof(mut s: std::net::TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 64];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

#[test]
fn dropping_a_session_closes_its_sockets_even_with_a_call_blocked() {
    let (listener, at) = held_port();
    let mut s = Session::new();
    s.ok(&format!("open tcp {at}\nopen tcp {at}"));
    let (idle, _) = listener.accept().unwrap();
    let (busy, _) = listener.accept().unwrap();
    assert_eq!(s.call("recv").outcome, Outcome::Blocking, "#2's recv waits in the kernel");
    drop(s);
    assert!(sees_eof(idle), "the idle socket was closed");
    assert!(sees_eof(busy), "the socket with a blocked recv was closed");
}
