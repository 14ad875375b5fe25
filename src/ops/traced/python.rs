//! The Python lens of a CPython program's call: the line of Python that
//! most likely made it, what Python gave back or raised, and a note where
//! CPython's way shows (a timeout is a poll first; every mode change is one
//! ioctl). Read from the syscall alone, and hedged where the same syscall
//! comes from more than one Python call. The facts behind each line are in
//! SOCKET-FACTS (cases 1–4, 9, 10, 13).

use super::{Context, Near, TracedCx, single_wait};
use crate::ops::text::{py_bytes, py_error};
use crate::record::traced::{Traced, poll_bits};
use crate::record::{Arg, Call, Op, Outcome, TimeoutBy};

pub fn lines(c: &Call, cx: &Context, tcx: &TracedCx) -> Vec<String> {
    let Some(t) = c.traced.as_deref() else { return Vec::new() };
    match c.op {
        Op::Recv | Op::Peek => recv(c, t, tcx),
        Op::Send => send(c, t, tcx),
        Op::Accept => accept(c, t, tcx),
        Op::Connect => connect(c, t, tcx),
        Op::PollWait => wait(c, t, tcx),
        Op::PollAdd => epoll_ctl(t),
        Op::Blocking | Op::Nonblocking => mode(c, t, tcx, cx),
        Op::RcvTimeo | Op::SndTimeo => {
            let name = if c.op == Op::RcvTimeo { "SO_RCVTIMEO" } else { "SO_SNDTIMEO" };
            vec![
                format!("sock.setsockopt(socket.SOL_SOCKET, socket.{name}, struct.pack('ll', sec, usec))"),
                "# the kernel's own timer: gettimeout() still says None, and when it runs out Python raises \
                 BlockingIOError, not TimeoutError"
                    .into(),
            ]
        }
        Op::Socket => {
            vec![format!("sock = socket.socket({})", socket_args(t)), result(c, "a new socket object")]
        }
        Op::Bind => vec![format!("sock.bind({})", addr(c)), result(c, "None")],
        Op::Listen => vec![format!("sock.listen({})", t.args[1] as i32), result(c, "None")],
        Op::Shutdown => {
            let how = match t.args[1] as i32 {
                libc::SHUT_RD => "SHUT_RD",
                libc::SHUT_WR => "SHUT_WR",
                _ => "SHUT_RDWR",
            };
            vec![format!("sock.shutdown(socket.{how})"), result(c, "None")]
        }
        Op::Close => vec!["sock.close()".into(), result(c, "None")],
        Op::Control if t.syscall == "setsockopt" => setsockopt(c, t),
        _ => Vec::new(),
    }
}

/// `sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, …)`, for the
/// options the socket module names.
fn setsockopt(c: &Call, t: &Traced) -> Vec<String> {
    let (level, name) = match (t.args[1] as i32, t.args[2] as i32) {
        (libc::SOL_SOCKET, libc::SO_REUSEADDR) => ("SOL_SOCKET", "SO_REUSEADDR"),
        (libc::SOL_SOCKET, libc::SO_REUSEPORT) => ("SOL_SOCKET", "SO_REUSEPORT"),
        (libc::SOL_SOCKET, libc::SO_KEEPALIVE) => ("SOL_SOCKET", "SO_KEEPALIVE"),
        (libc::SOL_SOCKET, libc::SO_LINGER) => ("SOL_SOCKET", "SO_LINGER"),
        (libc::SOL_SOCKET, libc::SO_RCVBUF) => ("SOL_SOCKET", "SO_RCVBUF"),
        (libc::SOL_SOCKET, libc::SO_SNDBUF) => ("SOL_SOCKET", "SO_SNDBUF"),
        (libc::SOL_SOCKET, libc::SO_BROADCAST) => ("SOL_SOCKET", "SO_BROADCAST"),
        (libc::IPPROTO_TCP, libc::TCP_NODELAY) => ("IPPROTO_TCP", "TCP_NODELAY"),
        (libc::IPPROTO_IPV6, libc::IPV6_V6ONLY) => ("IPPROTO_IPV6", "IPV6_V6ONLY"),
        _ => return Vec::new(),
    };
    vec![format!("sock.setsockopt(socket.{level}, socket.{name}, …)"), result(c, "None")]
}

/// `→ value`, or `→ raises …` for a failed call.
fn result(c: &Call, ok: &str) -> String {
    match c.outcome {
        Outcome::Blocking if c.end_ns.is_none() => "… still waiting".into(),
        Outcome::Blocking => "… never returned".into(),
        Outcome::WouldBlock
        | Outcome::Timeout(TimeoutBy::RcvTimeo | TimeoutBy::SndTimeo)
        | Outcome::Error
        | Outcome::InProgress => format!("→ raises {}", py_error(c.errno)),
        Outcome::Timeout(TimeoutBy::Poll) => "→ raises TimeoutError: timed out".into(),
        _ => format!("→ {ok}"),
    }
}

/// Under a CPython timeout the call comes right after a poll on its fd.
fn after_poll(t: &Traced, tcx: &TracedCx) -> Option<String> {
    let Near { op: Op::PollWait, single: Some((w, timeout)), outcome: Outcome::Ready, .. } = tcx.before?
    else {
        return None;
    };
    (w.fd == t.fd()).then(|| {
        let secs = timeout.map_or_else(|| "…".into(), crate::ops::literal::py_secs);
        format!("# under sock.settimeout({secs}): CPython waited in poll() first, and it said ready")
    })
}

fn flags_arg(t: &Traced) -> String {
    let flags = match t.syscall.as_str() {
        "recvfrom" | "sendto" => t.args[3],
        "recvmsg" | "sendmsg" => t.args[2],
        _ => 0,
    } as i32;
    let names = [
        (libc::MSG_PEEK, "MSG_PEEK"),
        (libc::MSG_DONTWAIT, "MSG_DONTWAIT"),
        (libc::MSG_WAITALL, "MSG_WAITALL"),
    ];
    let set: Vec<String> =
        names.iter().filter(|(b, _)| flags & b != 0).map(|(_, n)| format!("socket.{n}")).collect();
    if set.is_empty() { String::new() } else { format!(", {}", set.join(" | ")) }
}

fn recv(c: &Call, t: &Traced, tcx: &TracedCx) -> Vec<String> {
    let size = c.requested().unwrap_or(0);
    let got = match c.outcome {
        Outcome::Data => py_bytes(c.preview.as_deref(), c.bytes.unwrap_or(0)),
        _ => "b''".into(),
    };
    let (call, ok) = match t.syscall.as_str() {
        "recvfrom" if t.args[4] != 0 => {
            (format!("data, addr = sock.recvfrom({size}{})", flags_arg(t)), format!("({got}, addr)"))
        }
        "recvmsg" => {
            (format!("sock.recvmsg({size}{})", flags_arg(t)), format!("({got}, ancdata, flags, addr)"))
        }
        "read" | "readv" => (format!("os.read(sock.fileno(), {size})"), got),
        _ => (format!("sock.recv({size}{})", flags_arg(t)), got),
    };
    let mut out = vec![call, result(c, &ok)];
    out.extend(after_poll(t, tcx));
    match c.outcome {
        Outcome::Timeout(TimeoutBy::RcvTimeo) => out.push(
            "# SO_RCVTIMEO ran out: CPython passes the EAGAIN on as BlockingIOError (its own timeout would raise \
             TimeoutError)"
                .into(),
        ),
        Outcome::Eof => out.push("# b'' is how Python says EOF".into()),
        _ => {}
    }
    out
}

fn send(c: &Call, t: &Traced, tcx: &TracedCx) -> Vec<String> {
    // A failed send moved nothing, so its bytes were not read: `data`.
    let data = match c.preview.as_deref() {
        Some(p) => py_bytes(Some(p), c.requested().unwrap_or(0)),
        None => "data".into(),
    };
    let call = match t.syscall.as_str() {
        "sendto" if t.args[4] != 0 => format!("sock.sendto({data}{}, addr)", flags_arg(t)),
        "sendmsg" => format!("sock.sendmsg([{data}, …])"),
        "write" | "writev" => format!("os.write(sock.fileno(), {data})"),
        _ => format!("sock.send({data}{})", flags_arg(t)),
    };
    let n = c.bytes.unwrap_or(0).to_string();
    let mut out = vec![call, result(c, &n)];
    out.extend(after_poll(t, tcx));
    if matches!(c.outcome, Outcome::Sent | Outcome::Partial) {
        out.push("# sock.sendall() makes the same call, again until all is sent".into());
    }
    out
}

fn accept(c: &Call, t: &Traced, tcx: &TracedCx) -> Vec<String> {
    let fd = t.ret.unwrap_or(-1);
    let mut out = vec!["conn, addr = sock.accept()".into(), result(c, &format!("(<socket fd={fd}>, addr)"))];
    out.extend(after_poll(t, tcx));
    out
}

fn connect(c: &Call, t: &Traced, tcx: &TracedCx) -> Vec<String> {
    let mut out = vec![format!("sock.connect({})", addr(c))];
    let polls_next =
        tcx.after.is_some_and(|n| n.op == Op::PollWait && n.single.is_some_and(|(w, _)| w.fd == t.fd()));
    if c.outcome == Outcome::InProgress && polls_next {
        out.push("# under sock.settimeout(…): EINPROGRESS is not raised; CPython waits in poll() for the handshake".into());
    } else {
        out.push(result(c, "None"));
    }
    out
}

fn wait(c: &Call, t: &Traced, tcx: &TracedCx) -> Vec<String> {
    let timeout = match c.arg {
        Arg::PollWait { timeout, .. } => timeout,
        _ => None,
    };
    let secs = timeout.map(crate::ops::literal::py_secs);
    if let Some((w, _)) = single_wait(c) {
        return timed_call(c, tcx, w.events, secs.as_deref().unwrap_or("None"));
    }
    match t.syscall.as_str() {
        "epoll_wait" | "epoll_pwait" | "epoll_pwait2" => {
            let arg = secs.map_or_else(String::new, |s| format!("timeout={s}"));
            let got = match c.outcome {
                Outcome::Timeout(_) => "[]".to_string(),
                _ => format!("a (key, events) pair for each ready socket: {}", fds(t)),
            };
            vec![
                format!("sel.select({arg})"),
                result(c, &got),
                "# selectors.DefaultSelector, which is epoll on Linux".into(),
            ]
        }
        "select" | "pselect6" => {
            let arg = secs.unwrap_or_else(|| "None".into());
            vec![
                format!("select.select(rlist, wlist, xlist, {arg})"),
                result(c, &format!("the ready lists: {}", fds(t))),
            ]
        }
        _ => {
            let ms = timeout.map_or_else(|| "None".into(), |d| d.as_millis().to_string());
            vec![
                format!("p.poll({ms})"),
                result(c, &format!("[(fd, revents), …]: {}", fds(t))),
                "# select.poll(), or selectors.PollSelector".into(),
            ]
        }
    }
}

fn fds(t: &Traced) -> String {
    let each: Vec<String> = t.ready.iter().map(|w| w.fd.to_string()).collect();
    if each.is_empty() { "none".into() } else { format!("fd {}", each.join(", ")) }
}

/// A poll on one socket with a deadline: CPython's wait under settimeout().
fn timed_call(c: &Call, tcx: &TracedCx, events: u32, secs: &str) -> Vec<String> {
    let call = if events & poll_bits::OUT != 0 {
        "sock.send(…)  # or sendall(), connect()"
    } else if tcx.listener {
        "conn, addr = sock.accept()"
    } else {
        "sock.recv(…)"
    };
    let mut out = vec![format!("{call}  # under sock.settimeout({secs})")];
    match c.outcome {
        Outcome::Timeout(_) => {
            out.push("→ raises TimeoutError: timed out".into());
            out.push("# poll() ran out, so the call itself was never made: e.errno is None".into());
        }
        Outcome::Blocking if c.end_ns.is_none() => {
            out.push("… waiting in poll() until the socket is ready or the time is up".into())
        }
        Outcome::Ready => {
            let next = tcx.after.map(|n| n.op.word()).unwrap_or("the call");
            out.push(format!("# poll() said ready: the {next} itself comes next"));
        }
        _ => out.push(result(c, "")),
    }
    out.push("# (a select.poll() of one socket with a timeout looks the same)".into());
    out
}

fn epoll_ctl(t: &Traced) -> Vec<String> {
    let ev = if t.args[1] as i32 == libc::EPOLL_CTL_DEL { "" } else { ", selectors.EVENT_READ" };
    let call = match t.args[1] as i32 {
        libc::EPOLL_CTL_ADD => format!("sel.register(sock{ev})"),
        libc::EPOLL_CTL_DEL => "sel.unregister(sock)".into(),
        _ => format!("sel.modify(sock{ev})"),
    };
    vec![call, "# selectors.DefaultSelector (epoll), or select.epoll()".into()]
}

fn mode(c: &Call, t: &Traced, tcx: &TracedCx, _: &Context) -> Vec<String> {
    let on = c.op == Op::Nonblocking;
    if t.syscall == "fcntl" {
        let op = if on { "flags | os.O_NONBLOCK" } else { "flags & ~os.O_NONBLOCK" };
        return vec![
            format!("fcntl.fcntl(sock, fcntl.F_SETFL, {op})"),
            "# not the socket module (it uses ioctl FIONBIO): gettimeout() does not follow this change"
                .into(),
        ];
    }
    if on {
        return vec![
            "sock.setblocking(False)".into(),
            "# or settimeout(0), or settimeout(T) for any T > 0: each is this one ioctl; a timeout is CPython's \
             poll() before each call"
                .into(),
        ];
    }
    let mut out = vec!["sock.setblocking(True)".into(), "# or settimeout(None): the same one ioctl".into()];
    let accepted_this = tcx.before.is_some_and(|b| b.op == Op::Accept && b.ret == Some(i64::from(t.fd())));
    if accepted_this {
        out = vec![
            "conn, addr = sock.accept()  # on a listener with a timeout".into(),
            "# CPython makes the new socket blocking, since getdefaulttimeout() is None".into(),
        ];
    }
    out
}

fn socket_args(t: &Traced) -> String {
    let family = match t.args[0] as i32 {
        libc::AF_INET => "socket.AF_INET",
        libc::AF_INET6 => "socket.AF_INET6",
        libc::AF_UNIX => "socket.AF_UNIX",
        _ => "family",
    };
    let ty = t.args[1] as i32;
    let mut kind = match ty & 0xf {
        libc::SOCK_STREAM => "socket.SOCK_STREAM".to_string(),
        libc::SOCK_DGRAM => "socket.SOCK_DGRAM".into(),
        _ => "type".into(),
    };
    if ty & libc::SOCK_NONBLOCK != 0 {
        kind.push_str(" | socket.SOCK_NONBLOCK");
    }
    format!("{family}, {kind}")
}

fn addr(c: &Call) -> String {
    match &c.arg {
        Arg::Addr(a) => format!("(\"{}\", {})", a.ip(), a.port()),
        Arg::Path(p) => format!("\"{}\"", crate::escape::escape(p.as_bytes())),
        _ => "address".into(),
    }
}
