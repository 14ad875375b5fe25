//! AF_UNIX sockets on real paths: each outcome that applies to them, the
//! embedded peer on both ends, the socket files sockscope binds and removes,
//! and the JSON lines. Paths are temporary and cleaned up.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;
use sockscope::headless::{Format, run_script};
use sockscope::record::{Outcome, SockKind, TimeoutBy};

/// A path under the temp directory, unique to this test; removed on drop.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> TempPath {
        let p = std::env::temp_dir().join(format!("sockscope-test-{}-{name}.sock", std::process::id()));
        let _ = std::fs::remove_file(&p);
        TempPath(p)
    }
    fn text(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn data_from_the_peer_releases_a_blocking_recv() {
    let mut s = Session::new();
    s.ok("open unix");
    let open = s.last_done();
    assert_result(&open, Outcome::Connected, None, None);
    let h = s.lab.socket(1).expect("#1");
    assert_eq!(h.info.kind, SockKind::UnixClient);
    let peer_path =
        s.lab.peer_unix_path().expect("the peer listens on a path").to_string_lossy().into_owned();
    assert_eq!(h.info.remote_path.as_deref(), Some(peer_path.as_str()));
    assert_eq!((h.info.local, h.info.remote), (None, None), "no ip:port on AF_UNIX");
    assert_eq!(open.arg_text(), Some(format!("unix {peer_path}")));
    let c = s.call("recv");
    assert_blocking(&c);
    let c = s.done("peer send \"hello\"");
    assert_result(&c, Outcome::Data, None, Some(5));
    assert_eq!(c.preview.as_deref(), Some(&b"hello"[..]));
}

#[test]
fn wouldblock_and_eof_after_the_peer_closes() {
    let mut s = Session::new();
    s.ok("open unix\nnonblocking");
    let c = s.done("recv");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
    assert_immediate(&c);
    s.ok("blocking\npeer close");
    let c = s.done("recv");
    assert_result(&c, Outcome::Eof, None, None);
    assert_immediate(&c);
    // No first send that still works, as on TCP: AF_UNIX refuses at once.
    let c = s.done("send \"late\"");
    assert_result(&c, Outcome::Error, Some("EPIPE"), None);
}

#[test]
fn timeouts_by_poll_and_by_so_rcvtimeo() {
    let mut s = Session::new();
    s.ok("open unix\ntimeout 0.2");
    let c = s.done("recv");
    assert_result(&c, Outcome::Timeout(TimeoutBy::Poll), None, None);
    assert_took(&c, ms(200));
    s.ok("blocking\nrcvtimeo 0.2");
    let c = s.done("recv");
    assert_result(&c, Outcome::Timeout(TimeoutBy::RcvTimeo), Some("EAGAIN"), None);
    assert_took(&c, ms(200));
}

#[test]
fn sent_then_partial_with_a_paused_peer() {
    let mut s = Session::new();
    s.ok("open unix");
    let c = s.done("send \"hello\"");
    assert_result(&c, Outcome::Sent, None, Some(5));
    s.ok("peer pause\nnonblocking");
    let c = s.done("send 8m");
    assert_eq!(c.outcome, Outcome::Partial, "{}", s.dump());
    assert!(c.bytes.is_some_and(|n| n > 0 && n < 8 * 1024 * 1024), "{c:?}");
    let c = s.done("send 8m");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
}

#[test]
fn a_listener_accepts_peer_clients_and_peer_actions_find_each() {
    let mut s = Session::new();
    s.ok("listen unix\npeer connect 2");
    let path = s.lab.socket(1).and_then(|h| h.info.local_path.clone()).expect("the listener's path");
    assert!(Path::new(&path).exists());
    let c = s.done("accept");
    assert_result(&c, Outcome::Accepted(2), None, None);
    s.ok("use 1\naccept");
    let h = s.lab.socket(2).expect("#2");
    assert_eq!((h.info.kind, h.info.local_path.as_deref()), (SockKind::UnixAccepted, Some(path.as_str())));
    // Each accepted socket reaches the peer client that made its connect.
    s.ok("use 3\npeer send \"three\"\nuse 2\npeer send \"two\"");
    assert_result(&s.done("recv"), Outcome::Data, None, Some(3));
    s.ok("use 3");
    assert_result(&s.done("recv"), Outcome::Data, None, Some(5));
    s.ok("peer shutdown wr");
    assert_result(&s.done("recv"), Outcome::Eof, None, None);
    // Closing the listener removes its socket file.
    s.ok("use 1\nclose");
    assert!(!Path::new(&path).exists(), "{path} is left behind");
}

#[test]
fn connect_errors_name_the_path() {
    let stale = TempPath::new("stale");
    // A listener that closed without unlinking leaves its file behind.
    drop(std::os::unix::net::UnixListener::bind(&stale.0).expect("bind"));
    let mut s = Session::new();
    let c = s.done(&format!("open unix {}", stale.text()));
    assert_result(&c, Outcome::Error, Some("ECONNREFUSED"), None);
    let missing = TempPath::new("missing");
    let c = s.done(&format!("open unix {}", missing.text()));
    assert_result(&c, Outcome::Error, Some("ENOENT"), None);
}

#[test]
fn datagram_boundaries_on_unixgram() {
    let mut s = Session::new();
    s.ok("open unixgram\npeer send \"abcdefgh\"");
    assert_eq!(s.lab.socket(1).expect("#1").info.kind, SockKind::UnixDgram);
    let c = s.done("recv 4");
    assert_result(&c, Outcome::Data, None, Some(4));
    assert_eq!(c.preview.as_deref(), Some(&b"abcd"[..]));
    s.ok("nonblocking");
    let c = s.done("recv");
    assert_result(&c, Outcome::WouldBlock, Some("EAGAIN"), None);
    // An empty datagram is data, not EOF.
    s.ok("peer send \"\"");
    assert_result(&s.done("recv"), Outcome::Data, None, Some(0));
    assert_result(&s.done("send \"up\""), Outcome::Sent, None, Some(2));
    assert!(
        s.until(IMMEDIATE, |s| s.peer(sockscope::record::Op::PeerRecv).iter().any(|c| c.bytes == Some(2)))
    );
}

#[test]
fn listen_unix_at_a_path_binds_once_and_unlinks_on_drop() {
    let at = TempPath::new("listen");
    let mut s = Session::new();
    s.ok(&format!("listen unix {}", at.text()));
    assert!(at.0.exists());
    let f = s.run(&format!("listen unix {}", at.text())).expect_err("the path is taken");
    assert!(f.message.contains("bind") && f.message.contains("EADDRINUSE"), "{}", f.message);
    let f = s.run("peer reset").expect_err("no RST on AF_UNIX");
    assert!(f.message.contains("no meaning on an AF_UNIX socket"), "{}", f.message);
    let dir = s.lab.peer_unix_path().and_then(Path::parent).map(Path::to_path_buf).expect("temp dir");
    drop(s);
    assert!(!at.0.exists(), "the lab unlinks the file its listener bound");
    assert!(!dir.exists(), "the lab's private directory is removed");
}

#[test]
fn json_lines_show_paths() {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let script = "open unix\nopen unixgram\nlisten unix\npeer connect\naccept\nexpect accepted 4\n";
    let code = run_script("u.scenario", script, Format::Json, &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let lines: Vec<Value> =
        String::from_utf8_lossy(&out).lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    let find = |sock: Value, op: &str| {
        lines.iter().find(|v| v["sock"] == sock && v["op"] == op).cloned().unwrap_or_else(|| panic!("{op}"))
    };
    let open = find(1.into(), "open");
    assert_eq!(open["outcome"], "connected");
    assert!(
        open["arg"].as_str().is_some_and(|a| a.starts_with("unix /") && a.ends_with("/peer.sock")),
        "{open}"
    );
    let gram = find(2.into(), "open");
    assert!(gram["arg"].as_str().is_some_and(|a| a.starts_with("unixgram /")), "{gram}");
    let listen = find(3.into(), "listen");
    assert!(
        listen["arg"].as_str().is_some_and(|a| a.starts_with("unix /") && a.ends_with(".sock")),
        "{listen}"
    );
    let connect = find("peer".into(), "connect");
    assert_eq!(connect["outcome"], "connected");
    assert_eq!(connect["arg"].as_str(), listen["arg"].as_str().and_then(|a| a.strip_prefix("unix ")));
    let accept = find(3.into(), "accept");
    assert_eq!((accept["outcome"].clone(), accept["new_sock"].clone()), ("accepted".into(), 4.into()));
}

#[test]
fn a_tcp_socket_event_serializes_as_before() {
    let mut s = Session::new();
    s.ok("open tcp");
    let info = s.lab.socket(1).expect("#1").info.clone();
    let json = serde_json::to_value(&info).expect("serializes");
    let keys: Vec<&str> = json.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["fd", "id", "kind", "local", "remote"], "recordings of IP sockets are unchanged");
}
