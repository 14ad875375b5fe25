//! `sockscope trace` tells the truth: small real programs on loopback are
//! traced once by sockscope and once by `strace -f -y`, and the calls on
//! sockets, their results and their errnos agree (as multisets of
//! (syscall, result)). Each test then checks what the timeline makes of them.

mod trace_util;

use serde_json::Value;
use trace_util::*;

fn py(name: &str, code: &str) -> Vec<Value> {
    let file = py_file(name, code);
    let python = python();
    let lines = agree(name, &[&python, file.to_str().expect("utf-8 path")]);
    remove(&file);
    lines
}

fn find<'a>(lines: &'a [Value], syscall: &str, outcome: &str) -> Vec<&'a Value> {
    calls(lines).into_iter().filter(|l| l["syscall"] == syscall && l["outcome"] == outcome).collect()
}

#[test]
fn a_blocking_recv_waits_for_the_data_and_is_one_recvfrom() {
    let lines = py(
        "blocking",
        r#"
import socket, threading
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.create_connection(l.getsockname())
s, _ = l.accept()
threading.Timer(0.2, lambda: s.sendall(b"hello")).start()
assert c.recv(1024) == b"hello"
s.close(); c.close(); l.close()
"#,
    );
    let recv = find(&lines, "recvfrom", "data");
    assert_eq!(recv.len(), 1, "{recv:?}");
    let r = recv[0];
    assert_eq!(
        (r["bytes"].as_u64(), r["data"].as_str(), r["mode"].as_str()),
        (Some(5), Some("hello"), Some("blocking"))
    );
    assert!(r["dur_us"].as_u64().unwrap() >= 150_000, "it waited for the data: {r}");
    assert_eq!(find(&lines, "accept4", "accepted").len(), 1);
    assert_eq!(find(&lines, "connect", "connected").len(), 1);
}

#[test]
fn non_blocking_and_kernel_timer_modes_are_tracked_from_the_programs_calls() {
    let lines = py(
        "modes",
        r#"
import fcntl, os, socket, struct
a, b = socket.socketpair()
b.setblocking(False)
try:
    b.recv(10); raise SystemExit("no EAGAIN")
except BlockingIOError: pass
a.send(b"hi")
assert b.recv(10) == b"hi"
fl = fcntl.fcntl(a.fileno(), fcntl.F_GETFL)
fcntl.fcntl(a.fileno(), fcntl.F_SETFL, fl | os.O_NONBLOCK)
try:
    a.recv(10); raise SystemExit("no EAGAIN")
except BlockingIOError: pass
fcntl.fcntl(a.fileno(), fcntl.F_SETFL, fl)
a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 200000))
try:
    a.recv(10); raise SystemExit("no EAGAIN")
except BlockingIOError: pass
"#,
    );
    let wb = find(&lines, "recvfrom", "wouldblock");
    assert_eq!(wb.len(), 2, "{wb:?}");
    assert!(wb.iter().all(|l| l["mode"] == "nonblocking" && l["errno"] == "EAGAIN"));
    let ops: Vec<&str> = calls(&lines).iter().filter_map(|l| l["op"].as_str()).collect();
    assert!(
        ops.contains(&"nonblocking") && ops.contains(&"blocking") && ops.contains(&"rcvtimeo"),
        "{ops:?}"
    );
    let t = find(&lines, "recvfrom", "timeout");
    assert_eq!(t.len(), 1, "SO_RCVTIMEO ran out: {t:?}");
    assert_eq!((t[0]["timeout_by"].as_str(), t[0]["errno"].as_str()), (Some("SO_RCVTIMEO"), Some("EAGAIN")));
    assert_eq!(t[0]["mode"], "blocking rcvtimeo 0.2");
    assert!(t[0]["dur_us"].as_u64().unwrap() >= 150_000);
}

#[test]
fn a_python_timeout_is_a_poll_that_runs_out_with_no_recvfrom() {
    let lines = py(
        "settimeout",
        r#"
import socket, threading
a, b = socket.socketpair()
b.settimeout(0.2)
try:
    b.recv(10); raise SystemExit("no timeout")
except TimeoutError: pass
threading.Timer(0.05, lambda: a.send(b"in time")).start()
assert b.recv(10) == b"in time"
"#,
    );
    let fd = calls(&lines).iter().find(|l| l["syscall"] == "socketpair").map(|l| l["ret"].clone());
    assert_eq!(fd, Some(Value::from(0)));
    let polls = find(&lines, "poll", "timeout");
    assert_eq!(polls.len(), 1, "{polls:?}");
    let p = polls[0];
    assert_eq!(
        (p["timeout_by"].as_str(), p["errno"].as_str(), p["arg"].as_str()),
        (Some("poll"), None, Some("4 in 200ms"))
    );
    assert!(p["sock"].as_str().unwrap().ends_with(":loop"));
    // On the main thread, the call after the poll that ran out is the next poll, not a recvfrom.
    let mut after: Vec<&Value> = calls(&lines)
        .into_iter()
        .filter(|l| l["tid"] == p["tid"] && l["seq"].as_u64() > p["seq"].as_u64())
        .collect();
    after.sort_by_key(|l| l["seq"].as_u64());
    assert_eq!(after.first().map(|l| l["syscall"].clone()), Some(Value::from("poll")), "{after:?}");
    let ready = find(&lines, "poll", "ready");
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0]["ready"], serde_json::json!([{"fd": 4, "events": "in"}]));
    assert_eq!(find(&lines, "recvfrom", "data").len(), 1);
    assert_eq!(calls(&lines).iter().filter(|l| l["syscall"] == "recvfrom").count(), 1);
}

#[test]
fn a_selectors_server_with_two_clients_and_one_that_stalls() {
    let lines = py(
        "selectors",
        r#"
import selectors, socket, threading
sel = selectors.DefaultSelector()
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(); l.setblocking(False)
sel.register(l, selectors.EVENT_READ)
def serve():
    while True:
        events = sel.select(timeout=0.5)
        if not events:
            break
        for key, _ in events:
            if key.fileobj is l:
                c, _ = l.accept(); c.setblocking(False); sel.register(c, selectors.EVENT_READ)
            else:
                data = key.fileobj.recv(1024)
                if data:
                    key.fileobj.send(data)
                else:
                    sel.unregister(key.fileobj); key.fileobj.close()
t = threading.Thread(target=serve); t.start()
for i in range(2):
    c = socket.create_connection(l.getsockname())
    c.sendall(b"ping%d" % i)
    assert c.recv(1024) == b"ping%d" % i
    c.shutdown(socket.SHUT_WR)
    assert c.recv(1024) == b""
    c.close()
stall = socket.create_connection(l.getsockname())
t.join()
stall.close()
"#,
    );
    let waits = find(&lines, "epoll_wait", "ready");
    assert!(waits.len() >= 7, "{waits:?}");
    let out = find(&lines, "epoll_wait", "timeout");
    assert_eq!(out.len(), 1, "the server's last wait ran out while the third client stalled");
    let ctl: Vec<&Value> = calls(&lines).into_iter().filter(|l| l["syscall"] == "epoll_ctl").collect();
    assert_eq!(ctl.len(), 6, "listener + 3 clients added, 2 removed: {ctl:?}");
    assert_eq!(find(&lines, "recvfrom", "eof").len(), 4, "each served client's and the server's EOF");
    // A ready event names the socket fd, found from the program's epoll_ctl.
    assert!(waits.iter().any(|w| w["ready"].as_array().is_some_and(|r| !r.is_empty())));
}

#[test]
fn an_asyncio_echo() {
    let lines = py(
        "asyncio",
        r#"
import asyncio
async def handle(r, w):
    w.write(await r.read(100)); await w.drain(); w.close(); await w.wait_closed()
async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"echo me"); await w.drain()
    assert await r.read(100) == b"echo me"
    w.close(); await w.wait_closed()
    srv.close(); await srv.wait_closed()
asyncio.run(main())
"#,
    );
    let data: Vec<&Value> = find(&lines, "recvfrom", "data");
    assert!(
        data.iter().filter(|l| l["data"] == "echo me").count() >= 2,
        "server and client read it: {data:?}"
    );
    let connect = find(&lines, "connect", "inprogress");
    assert_eq!(connect.len(), 1, "asyncio's client connects without waiting");
    assert_eq!(
        (connect[0]["mode"].as_str(), connect[0]["errno"].as_str()),
        (Some("nonblocking"), Some("EINPROGRESS"))
    );
}

#[test]
fn a_forked_child_is_followed_and_its_sockets_are_its_own() {
    let lines = py(
        "fork",
        r#"
import os, socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
pid = os.fork()
if pid == 0:
    c = socket.create_connection(l.getsockname()); c.sendall(b"from child"); c.close(); os._exit(0)
s, _ = l.accept()
assert s.recv(100) == b"from child"
assert s.recv(100) == b""
os.waitpid(pid, 0)
"#,
    );
    let fork = lines.iter().find(|l| l["op"] == "fork").expect("a fork line");
    let (child, parent) = (fork["pid"].as_u64().unwrap(), fork["parent"].as_u64().unwrap());
    let by = |pid: u64, syscall: &str| {
        calls(&lines).into_iter().any(|l| l["pid"] == pid && l["syscall"] == syscall)
    };
    assert!(by(child, "connect") && by(child, "sendto") && by(child, "close"));
    assert!(by(parent, "accept4") && by(parent, "recvfrom"));
    let send = find(&lines, "sendto", "sent");
    assert!(send[0]["sock"].as_str().unwrap().starts_with(&format!("{child}:")));
    assert!(lines.iter().any(|l| l["op"] == "exit" && l["pid"] == child && l["status"] == 0));
}

const C_LOOP: &str = r#"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (bind(l, (void *)&a, sizeof a) || listen(l, 1) || getsockname(l, (void *)&a, &len)) return 2;
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, (void *)&a, sizeof a)) return 3;
    int s = accept(l, 0, 0);
    fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
    char buf[64];
    for (int i = 0; i < n; i++)
        if (recv(s, buf, sizeof buf, 0) != -1) return 4;
    if (write(c, "x", 1) != 1) return 5;
    if (read(s, buf, sizeof buf) != 1) return 6;
    write(1, "", 0);
    return 0;
}
"#;

#[test]
fn a_c_non_blocking_recv_loop_is_every_eagain_and_no_python() {
    let Some(bin) = gcc("recvloop", C_LOOP) else {
        eprintln!("gcc is missing: skipping");
        return;
    };
    let lines = agree("recvloop", &[bin.to_str().unwrap(), "1000"]);
    let wb = find(&lines, "recvfrom", "wouldblock");
    assert_eq!(wb.len(), 1000);
    assert!(wb.iter().all(|l| l["mode"] == "nonblocking" && l["errno"] == "EAGAIN"));
    // read/write are traced only when asked, and only on sockets (not fd 1).
    assert!(!calls(&lines).iter().any(|l| l["syscall"] == "write" || l["syscall"] == "read"));
    let log = scratch("recvloop-rw.jsonl");
    let out = run_bounded(
        std::process::Command::new(env!("CARGO_BIN_EXE_sockscope"))
            .args(["trace", "--read-write", "--json", "-o"])
            .arg(&log)
            .arg("--")
            .arg(&bin)
            .arg("3"),
    );
    assert!(out.status.success());
    let rw: Vec<Value> =
        std::fs::read_to_string(&log).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let io: Vec<(String, String)> = calls(&rw)
        .into_iter()
        .filter(|l| l["syscall"] == "read" || l["syscall"] == "write")
        .map(key)
        .collect();
    assert_eq!(io, [("write".into(), "1".into()), ("read".into(), "1".into())]);
    let read = calls(&rw).into_iter().find(|l| l["syscall"] == "read").unwrap();
    assert_eq!(
        (read["op"].as_str(), read["outcome"].as_str(), read["data"].as_str()),
        (Some("recv"), Some("data"), Some("x"))
    );
    remove(&log);
    remove(&bin);
}
