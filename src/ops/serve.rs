//! `serve blocking|eventloop [N]`: the listener's own thread becomes an echo
//! server; each syscall it makes is recorded on the lane of the socket it is
//! made on. Also the peer clients' `request` records (their wait for the
//! echo) and the `summary` of all clients' waits.

use std::time::Duration;

use super::io::{fd, plain, took};
use super::loop_::{ctl_add, epoll_events};
use super::text::{dur, py_bytes, strace_buf, strace_err};
use super::{Context, Describe};
use crate::command::{Interest, ServeKind};
use crate::record::mode::secs;
use crate::record::{Arg, Call, Lane, PyMode};

/// What the server's recv asks for (`REQUEST_SIZE` in serve.rs).
const REQUEST_SIZE: u64 = 1024;
/// What a peer client's read asks for (its 64 KiB buffer in peer/run.rs).
const CLIENT_READ: u64 = 65536;
/// How long one wait of the event-loop server lasts at most (serve.rs).
const SERVE_WAIT_MS: i32 = 1000;
/// The event list the event-loop server hands to epoll_wait (serve.rs).
const SERVE_EVENTS: u32 = 64;
/// A request that took longer than this was kept waiting by the server.
const KEPT_WAITING: Duration = Duration::from_millis(50);

pub struct Serve;
pub struct Request;
pub struct Summary;

impl Describe for Serve {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        match c.arg {
            Arg::Serve(kind, n) => serve_strace(c, kind, n, &fd(cx)),
            _ => Vec::new(),
        }
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        match c.arg {
            Arg::Serve(kind, n) => serve_py(kind, n),
            _ => Vec::new(),
        }
    }

    fn why(&self, c: &Call, _cx: &Context) -> String {
        match c.arg {
            Arg::Serve(kind, n) => serve(c, kind, n),
            _ => plain(c),
        }
    }
}

impl Describe for Request {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        let Lane::Client(k) = c.lane else { return Vec::new() };
        let f = fd(cx);
        let n = c.bytes.unwrap_or(0);
        let req = format!("request from c{k}");
        vec![
            format!("sendto({f}, \"{req}\", {len}, MSG_NOSIGNAL, NULL, 0) = {len}", len = req.len()),
            "epoll_wait(…) = …  ← the peer's thread sleeps here until the echo arrives".into(),
            format!(
                "recvfrom({f}, {}, {CLIENT_READ}, 0, NULL, NULL) = {n}",
                strace_buf(c.preview.as_deref(), n)
            ),
        ]
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        let Lane::Client(k) = c.lane else { return Vec::new() };
        vec![
            "t0 = time.monotonic()".into(),
            format!("client.sendall(b'request from c{k}')"),
            format!("echo = client.recv({CLIENT_READ})"),
            "waited = time.monotonic() - t0".into(),
            format!(
                "→ {}, waited = {}",
                py_bytes(c.preview.as_deref(), c.bytes.unwrap_or(0)),
                // Whole microseconds, as the why level prints them.
                c.duration()
                    .map_or_else(|| "?".into(), |d| secs(Duration::from_micros(d.as_micros() as u64)))
            ),
        ]
    }

    fn why(&self, c: &Call, _cx: &Context) -> String {
        request(c)
    }
}

impl Describe for Summary {
    fn strace(&self, _c: &Call, _cx: &Context) -> Vec<String> {
        Vec::new()
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        let Arg::Waits(w) = &c.arg else { return Vec::new() };
        let parts: Vec<String> =
            w.iter().map(|&(k, ns)| format!("'c{k}': {}", secs(Duration::from_nanos(ns)))).collect();
        vec![
            "waits = {k: echoed[k] - sent[k] for k in clients}".into(),
            format!("→ {{{}}}", parts.join(", ")),
        ]
    }

    fn why(&self, c: &Call, _cx: &Context) -> String {
        match &c.arg {
            Arg::Waits(w) => summary(w),
            _ => plain(c),
        }
    }
}

fn serve_strace(c: &Call, kind: ServeKind, n: u32, fd: &str) -> Vec<String> {
    let new = "<new fd>";
    let io = [
        format!("recvfrom({new}, …, {REQUEST_SIZE}, 0, NULL, NULL) = …"),
        format!("sendto({new}, …, …, MSG_NOSIGNAL, NULL, 0) = …"),
    ];
    match kind {
        ServeKind::Blocking => {
            let mut out = vec![format!("accept4({fd}, …, SOCK_CLOEXEC) = {new}")];
            out.extend(io);
            out.push(format!("close({new}) = 0"));
            out.push(format!("… the same four calls for each of the {n} clients, one after the other"));
            out
        }
        ServeKind::EventLoop => {
            let mut out = Vec::new();
            if c.mode.py == PyMode::Blocking {
                out.push(format!("ioctl({fd}, FIONBIO, [1]) = 0"));
            }
            out.push("epoll_create1(EPOLL_CLOEXEC) = epfd".into());
            out.push(ctl_add(fd, "EPOLLIN|EPOLLRDHUP|EPOLLET", &token(c)));
            out.push(format!("epoll_wait(epfd, […], {SERVE_EVENTS}, {SERVE_WAIT_MS}) = …"));
            let eagain = strace_err(libc::EAGAIN);
            out.push(format!("accept4({fd}, …, SOCK_CLOEXEC) = {new}  … until {eagain}"));
            out.push(format!("ioctl({new}, FIONBIO, [1]) = 0"));
            out.push(ctl_add(new, epoll_events(Interest::Read), "K"));
            out.extend(io);
            out.push(format!("epoll_ctl(epfd, EPOLL_CTL_DEL, {new}, NULL) = 0"));
            out.push(format!("close({new}) = 0"));
            out.push(format!(
                "… one epoll_wait at a time, answering whoever is ready, until {n} clients are served"
            ));
            out
        }
    }
}

/// mio's token for the serving socket: its number.
fn token(c: &Call) -> String {
    match c.lane {
        Lane::Sock(id) => id.to_string(),
        _ => "…".into(),
    }
}

fn serve_py(kind: ServeKind, n: u32) -> Vec<String> {
    let lines: &[&str] = match kind {
        ServeKind::Blocking => &[
            "for _ in range(N):",
            "    conn, addr = sock.accept()  # sleeps until a client connects",
            "    data = conn.recv(1024)      # sleeps until that client sends",
            "    conn.send(data)",
            "    conn.close()",
            "# one client at a time: the others wait in the accept queue",
        ],
        ServeKind::EventLoop => &[
            "sock.setblocking(False)",
            "ep = select.epoll()",
            "ep.register(sock.fileno(), select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLET)",
            "while served < N:",
            "    for fd, mask in ep.poll(1.0):",
            "        if fd == sock.fileno():",
            "            while True:  # accept until EAGAIN: the listener is edge-triggered too",
            "                try:",
            "                    conn, addr = sock.accept()",
            "                except BlockingIOError:",
            "                    break",
            "                conn.setblocking(False)",
            "                ep.register(conn.fileno(), select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLET)",
            "                conns[conn.fileno()] = conn",
            "        else:",
            "            conn = conns.pop(fd)",
            "            conn.send(conn.recv(1024))",
            "            ep.unregister(fd)",
            "            conn.close()",
            "            served += 1",
        ],
    };
    lines.iter().map(|l| l.replace("(N)", &format!("({n})")).replace("< N:", &format!("< {n}:"))).collect()
}

fn serve(c: &Call, kind: ServeKind, n: u32) -> String {
    let id = match c.lane {
        Lane::Sock(id) => format!("#{id}"),
        _ => "The listener".into(),
    };
    match kind {
        ServeKind::Blocking => {
            let nonblocking = if c.mode.py == PyMode::Blocking {
                String::new()
            } else {
                format!(
                    " {id} is not blocking, so an accept with no client waiting yet returns EAGAIN at once \
                     and that client's turn is skipped."
                )
            };
            format!(
                "{id} becomes a blocking echo server for {n} clients: accept one client, recv its request \
                 (sleeping until it comes), send it back, close, then the next. One client at a time: while \
                 the server sleeps in recv on a slow client, the others wait in the accept queue however \
                 quick they are. Each call is recorded on the lane of the socket it is made on.{nonblocking}"
            )
        }
        ServeKind::EventLoop => format!(
            "{id} becomes an event-loop echo server for {n} clients (mio, epoll): the listener and every \
             accepted socket are non-blocking and registered edge-triggered. Each epoll_wait reports \
             whichever sockets are ready; the server accepts until EAGAIN and answers each client whose \
             request has arrived, so a slow client holds up nobody. Each call is recorded on the lane of the \
             socket it is made on; the waits go on the loop lane. It gives up after 30 s."
        ),
    }
}

fn request(c: &Call) -> String {
    let who = match c.lane {
        Lane::Client(k) => format!("c{k}"),
        _ => "the client".into(),
    };
    let head = format!(
        "Not one syscall: this is {who}'s wait, from the moment it sent its request to the moment the echo \
         came back, {}.",
        took(c)
    );
    let tail = if c.duration().is_some_and(|d| d >= KEPT_WAITING) {
        " That is long for loopback: the server was busy elsewhere. A blocking server stuck in recv on a \
         slower client answers the others only after it, so their waits include that client's slowness."
    } else {
        " That is about one round trip on loopback: the server answered as soon as the request arrived."
    };
    format!("{head} The client's own send and recv return at once; the time is the server's.{tail}")
}

fn summary(waits: &[(u32, u64)]) -> String {
    let head = "Each client's wait from sending its request to getting the echo (the `request` records on the \
                client lanes).";
    let (Some(slow), Some(quick)) = (waits.iter().max_by_key(|w| w.1), waits.iter().min_by_key(|w| w.1))
    else {
        return format!("{head} No client finished.");
    };
    let (slow_d, quick_d) = (Duration::from_nanos(slow.1), Duration::from_nanos(quick.1));
    if slow_d >= KEPT_WAITING && slow.1 > quick.1.saturating_mul(4) {
        format!(
            "{head} The waits are uneven: c{} waited {} while c{} waited {}. That is a server answering one \
             client at a time, as the blocking server does: a quick client queued behind a slow one waits for it.",
            slow.0,
            dur(slow_d),
            quick.0,
            dur(quick_d)
        )
    } else {
        format!(
            "{head} All are short (the longest, c{}, {}): each client was answered as soon as its request \
             arrived, as an event-loop server does, so a slow client holds up nobody.",
            slow.0,
            dur(slow_d)
        )
    }
}
