//! The strace line sockscope gives each traced call (the explain pane's
//! `sys` line) agrees with `strace -f` of the same program: same syscall,
//! arguments, return value and errno, once the values that differ from run
//! to run (pointers, ports, epoll's data words, time left) are set aside.

mod trace_util;

use std::collections::BTreeMap;
use std::time::Instant;

use sockscope::trace::{Options, Target, TraceEvent, Tracer};
use trace_util::*;

/// Calls of every family the tracer decodes, on loopback.
const PROGRAM: &str = r#"
import socket, select, selectors, fcntl, os
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen()
c = socket.create_connection(srv.getsockname())
a, _ = srv.accept()
c.settimeout(0.05)
try: c.recv(1024)
except TimeoutError: pass
c.setblocking(False)
try: c.recv(1024)
except BlockingIOError: pass
a.sendall(b"hello\x00\x01\n\"")
select.select([c], [], [], 1.0)
c.recv(3, socket.MSG_PEEK)
c.recv(1024)
fl = fcntl.fcntl(c, fcntl.F_GETFL); fcntl.fcntl(c, fcntl.F_SETFL, fl & ~os.O_NONBLOCK)
p = select.poll(); p.register(a, select.POLLIN); p.poll(10)
sel = selectors.DefaultSelector(); sel.register(c, selectors.EVENT_READ)
a.send(b"x" * 40); sel.select(1); c.recv(100)
x, y = socket.socketpair(); x.sendmsg([b"ab", b"cd"]); y.recvmsg(10)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("::1", 0))
u.sendto(b"d", u.getsockname()); u.recvfrom(10)
a.shutdown(socket.SHUT_WR); c.recv(10)
for s in (a, c, srv, x, y, u): s.close()
"#;

/// Sets aside what differs between two runs of the same program.
fn normal(line: &str) -> String {
    let mut s = String::new();
    let mut rest = line;
    // strace pads the result to a column: `close(4)      = 0`.
    while let Some(i) = rest.find("0x") {
        s.push_str(&rest[..i]);
        let hex = rest[i + 2..].chars().take_while(|c| c.is_ascii_hexdigit()).count();
        s.push_str("0x?");
        rest = &rest[i + 2 + hex..];
    }
    s.push_str(rest);
    let mut out = String::new();
    for (k, part) in s.split("htons(").enumerate() {
        if k > 0 {
            out.push_str("htons(?");
            out.push_str(part.trim_start_matches(|c: char| c.is_ascii_digit()));
        } else {
            out.push_str(part);
        }
    }
    let out = blank_after(&out, "u64=");
    let out = blank_after(&out, "tv_nsec=");
    let out = blank_after(&out, "tv_usec=");
    let (head, tail) = out.rsplit_once(" = ").unwrap_or((&out, ""));
    format!("{} = {tail}", head.trim_end())
}

fn blank_after(s: &str, key: &str) -> String {
    let mut out = String::new();
    for (k, part) in s.split(key).enumerate() {
        if k > 0 {
            out.push_str(key);
            out.push('?');
            out.push_str(part.trim_start_matches(|c: char| c.is_ascii_digit()));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// strace annotates fds with `-y` (`4<socket:[123]>`): the plain line.
fn plain(line: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' if out.ends_with(|p: char| p.is_ascii_digit())
                && chars.peek().is_some_and(|n| n.is_ascii_alphabetic() || *n == '/') =>
            {
                depth += 1
            }
            '>' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    out
}

/// The calls CPython does not make: select, ppoll, epoll_pwait, SO_LINGER,
/// accept4 with flags, readv/writev-free read/write on a socketpair.
const C_PROGRAM: &str = r#"
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/select.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
int main(void) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(l, (void *)&a, sizeof a); listen(l, 4);
    socklen_t n = sizeof a; getsockname(l, (void *)&a, &n);
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(c, (void *)&a, sizeof a);
    struct sockaddr_in peer; socklen_t pn = 128;
    int s = accept4(l, (void *)&peer, &pn, SOCK_NONBLOCK | SOCK_CLOEXEC);
    struct timeval tv = {0, 200000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1; setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, 4);
    struct linger lg = {1, 0}; setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    int fl = fcntl(s, F_GETFL); fcntl(s, F_SETFL, fl & ~O_NONBLOCK);
    char b[64]; recv(s, b, sizeof b, 0);
    fd_set r; FD_ZERO(&r); FD_SET(s, &r); struct timeval t2 = {0, 1000};
    select(s + 1, &r, NULL, NULL, &t2);
    send(c, "hi\n", 3, 0);
    struct pollfd p = {s, POLLIN, 0}; struct timespec ts = {1, 0};
    ppoll(&p, 1, &ts, NULL);
    int q; ioctl(s, FIONREAD, &q);
    int e = epoll_create1(0); struct epoll_event ev = {EPOLLIN | EPOLLET, {.u64 = 42}};
    epoll_ctl(e, EPOLL_CTL_ADD, s, &ev);
    struct epoll_event out[4]; epoll_pwait(e, out, 4, 100, NULL);
    read(s, b, sizeof b);
    shutdown(c, SHUT_WR); recv(s, b, sizeof b, MSG_DONTWAIT);
    close(c); close(s); close(l);
    return 0;
}
"#;

#[test]
fn each_calls_line_is_the_line_strace_prints() {
    let file = py_file("strace-lines", PROGRAM);
    agree_line_by_line("strace-lines", &[python(), file.to_string_lossy().into_owned()]);
    remove(&file);
}

#[test]
fn a_c_programs_lines_agree_too() {
    let Some(bin) = gcc("strace-lines-c", C_PROGRAM) else {
        eprintln!("gcc is missing: skipped");
        return;
    };
    agree_line_by_line("strace-lines-c", &[bin.to_string_lossy().into_owned()]);
    remove(&bin);
}

fn agree_line_by_line(name: &str, argv: &[String]) {
    if !strace_works() {
        eprintln!("strace is missing or not permitted here: skipped");
        return;
    }
    let (tx, rx) = crossbeam_channel::unbounded();
    let opts = Options { strace: true, ..Options::default() };
    let tracer =
        Tracer::start(Target::Spawn(argv.iter().map(Into::into).collect()), opts, tx).expect("start");
    let deadline = Instant::now() + DEADLINE;
    let mut ours: BTreeMap<String, usize> = BTreeMap::new();
    let mut unfinished = 0;
    while let Ok(ev) = rx.recv_deadline(deadline) {
        match ev {
            TraceEvent::End(c) => *ours.entry(normal(c.strace.as_deref().expect("a line"))).or_default() += 1,
            TraceEvent::Begin(c) => {
                let l = c.strace.expect("a line");
                assert!(l.ends_with(" <unfinished ...>") && l.starts_with(c.syscall.name()), "{l}");
                unfinished += 1;
            }
            _ => {}
        }
    }
    tracer.join().expect("join");
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut theirs: BTreeMap<String, usize> = BTreeMap::new();
    for c in strace(name, &argv) {
        *theirs.entry(normal(&plain(&c.line))).or_default() += 1;
    }
    assert!(unfinished >= ours.values().sum::<usize>(), "every call began");
    let missing: Vec<_> = ours.keys().filter(|l| !theirs.contains_key(*l)).collect();
    let extra: Vec<_> = theirs.keys().filter(|l| !ours.contains_key(*l)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "ours, not strace's: {missing:#?}\nstrace's, not ours: {extra:#?}"
    );
    assert_eq!(ours, theirs);
}
