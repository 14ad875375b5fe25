//! Levels 1 and 2 for the records that stand for many calls: a `spin`
//! (recvs back to back, see spin.rs), a `serve` (an echo server's loop, see
//! serve.rs), a client's `request` (its wait for the echo) and the
//! `summary` of all clients' waits.

use std::time::Duration;

use super::poll::{ctl_add, epoll_events};
use super::text::{py_bytes, py_error, strace_buf, strace_err};
use super::{Context, fd};
use crate::command::{Interest, ServeKind};
use crate::lab::call::{Arg, Call, Lane, Op, Outcome, SpinArg};
use crate::lab::mode::{PyMode, secs};

/// What the server's recv asks for (`REQUEST_SIZE` in serve.rs).
const REQUEST_SIZE: u64 = 1024;
/// What a peer client's read asks for (its 64 KiB buffer in peer/run.rs).
const CLIENT_READ: u64 = 65536;
/// How long one wait of the event-loop server lasts at most (serve.rs).
const SERVE_WAIT_MS: i32 = 1000;
/// The event list the event-loop server hands to epoll_wait (serve.rs).
const SERVE_EVENTS: u32 = 64;

pub fn strace(c: &Call, ctx: &Context) -> Vec<String> {
    match (&c.arg, c.lane) {
        (Arg::Spin(s), _) => spin_strace(c, s, &fd(ctx)),
        (&Arg::Serve(kind, n), _) => serve_strace(c, kind, n, &fd(ctx)),
        (_, Lane::Client(k)) if c.op == Op::Request => {
            let f = fd(ctx);
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
        _ => Vec::new(),
    }
}

fn spin_strace(c: &Call, s: &SpinArg, fd: &str) -> Vec<String> {
    let call = |buf: &str| format!("recvfrom({fd}, {buf}, {}, MSG_DONTWAIT, NULL, NULL)", s.size);
    if c.outcome == Outcome::Blocking {
        return vec![format!("{} = …  × ? (still spinning)", call("…"))];
    }
    let st = s.stats;
    let mut out = Vec::new();
    if st.wouldblock > 0 {
        out.push(format!("{} = {}  × {}", call("…"), strace_err(libc::EAGAIN), st.wouldblock));
    }
    if st.data == 1 {
        out.push(format!("{} = {}  × 1", call("…"), st.bytes));
    } else if st.data > 1 {
        out.push(format!("{} = …  × {} ({} bytes in all)", call("…"), st.data, st.bytes));
    }
    if st.eof > 0 {
        out.push(format!("{} = 0  × {}", call("\"\""), st.eof));
    }
    if st.error > 0 {
        let err = if c.outcome == Outcome::Error { strace_err(c.errno) } else { "-1 …".into() };
        out.push(format!("{} = {err}  × {}", call("…"), st.error));
    }
    out
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

pub fn python(c: &Call) -> Vec<String> {
    match (&c.arg, c.lane) {
        (Arg::Spin(s), _) => spin_py(c, s),
        (&Arg::Serve(kind, n), _) => serve_py(kind, n),
        (_, Lane::Client(k)) if c.op == Op::Request => vec![
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
        ],
        (Arg::Note(note), _) if c.op == Op::Summary => vec![
            "waits = {k: echoed[k] - sent[k] for k in clients}".into(),
            match crate::lab::clients::parse_waits(note) {
                Some(w) => {
                    let parts: Vec<String> = w
                        .iter()
                        .map(|(k, ms)| format!("'{k}': {}", secs(super::why_serve::of_ms(*ms))))
                        .collect();
                    format!("→ {{{}}}", parts.join(", "))
                }
                None => format!("→ {note}"),
            },
        ],
        _ => Vec::new(),
    }
}

fn spin_py(c: &Call, s: &SpinArg) -> Vec<String> {
    let mut out = match (s.count, s.for_ns) {
        (Some(n), _) => vec![format!("for _ in range({n}):")],
        (None, Some(ns)) => vec![
            format!("end = time.monotonic() + {}", secs(Duration::from_nanos(ns))),
            "while time.monotonic() < end:".into(),
        ],
        (None, None) => vec!["while True:".into()],
    };
    out.extend([
        "    try:".into(),
        format!("        data = sock.recv({}, socket.MSG_DONTWAIT)", s.size),
        "    except BlockingIOError:".into(),
        "        pass  # EAGAIN: ask again at once".into(),
    ]);
    if c.outcome == Outcome::Blocking {
        out.push("# still spinning: the loop has not ended".into());
        return out;
    }
    let st = s.stats;
    let mut got = Vec::new();
    if st.wouldblock > 0 {
        got.push(format!("BlockingIOError × {}", st.wouldblock));
    }
    if st.data > 0 {
        got.push(format!("data × {} ({} bytes)", st.data, st.bytes));
    }
    if st.eof > 0 {
        got.push(format!("b'' × {}", st.eof));
    }
    if st.error > 0 {
        let e = if c.outcome == Outcome::Error { py_error(c.errno) } else { "OSError".into() };
        got.push(format!("{e} × {}", st.error));
    }
    out.push(format!("→ {}", if got.is_empty() { "no calls".into() } else { got.join(", ") }));
    match c.mode.py {
        PyMode::Timeout(t) if !t.is_zero() => out.push(format!(
            "# with settimeout({}) CPython polls before each recv, so the flag has no effect and each call \
             may wait; sockscope calls recv directly",
            secs(t)
        )),
        PyMode::Blocking => {
            out.push("# MSG_DONTWAIT makes each call non-blocking; the socket stays blocking".into())
        }
        _ => {}
    }
    out
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
