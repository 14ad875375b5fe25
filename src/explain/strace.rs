//! Level 1: the syscalls sockscope made for a record, as strace prints them.

use super::text::{family, sockaddr, strace_buf, strace_err, timeval, unix_sockaddr};
use super::{Context, fd, is_udp, poll_ms, poll_wait, target, unix_path, via_so_error};
use crate::command::{How, UnixKind};
use crate::record::call::{Arg, Call, Lane, Op, Outcome, TimeoutBy};

pub fn lines(c: &Call, ctx: &Context) -> Vec<String> {
    match c.lane {
        Lane::Sock(_) => ours(c, ctx),
        Lane::Peer | Lane::Client(_) => peer(c, ctx),
        Lane::Loop => super::poll::strace(c, ctx),
        Lane::Script => Vec::new(),
    }
}

/// The tail of a line: ` = 5`, ` = -1 EAGAIN (…)`, or ` <unfinished ...>`.
fn ret(c: &Call, ok: &str) -> String {
    if c.outcome == Outcome::Blocking {
        " <unfinished ...>".into()
    } else if c.errno != 0 {
        format!(" = {}", strace_err(c.errno))
    } else {
        format!(" = {ok}")
    }
}

fn count(c: &Call) -> String {
    c.bytes.unwrap_or(0).to_string()
}

/// `recvfrom(5, "hello", 1024, 0, NULL, NULL) = 5`.
fn recvfrom(c: &Call, fd: &str, from: &str) -> String {
    let size = c.requested().map_or_else(|| "…".into(), |n| n.to_string());
    let buf = match (c.outcome, &c.preview) {
        (Outcome::Data, p) => strace_buf(p.as_deref(), c.bytes.unwrap_or(0)),
        (Outcome::Eof, _) => "\"\"".into(),
        _ => "…".into(),
    };
    format!("recvfrom({fd}, {buf}, {size}, 0, {from}){}", ret(c, &count(c)))
}

/// `sendto(5, "hi", 2, MSG_NOSIGNAL, NULL, 0) = 2`.
fn sendto(c: &Call, fd: &str, len: u64, to: &str) -> String {
    let buf = strace_buf(c.preview.as_deref(), len);
    format!("sendto({fd}, {buf}, {len}, MSG_NOSIGNAL, {to}){}", ret(c, &count(c)))
}

/// The poll a `timeout T` call waits in first.
fn poll(c: &Call, fd: &str, input: bool, ms: i32) -> String {
    let events = if input { "POLLIN" } else { "POLLOUT" };
    let head = format!("poll([{{fd={fd}, events={events}}}], 1, {ms})");
    match c.outcome {
        Outcome::Timeout(TimeoutBy::Poll) => format!("{head} = 0 (Timeout)"),
        Outcome::Blocking => format!("{head} <unfinished ...>"),
        o => {
            let revents = match (input, o) {
                (true, Outcome::Data | Outcome::Eof | Outcome::Accepted(_)) => "POLLIN",
                (true, Outcome::Error) if c.errno == libc::ECONNRESET => "POLLIN|POLLERR|POLLHUP",
                (false, Outcome::Sent | Outcome::Partial | Outcome::Connected) => "POLLOUT",
                (false, Outcome::Error) if c.errno == libc::ECONNREFUSED => "POLLOUT|POLLERR|POLLHUP",
                _ => "…",
            };
            format!("{head} = 1 ([{{fd={fd}, revents={revents}}}])")
        }
    }
}

/// A recv/send/accept: directly, or CPython-style behind a poll that may
/// run out before the call is made at all.
fn io(c: &Call, fd: &str, input: bool, call: String) -> Vec<String> {
    match poll_wait(c.mode) {
        None => vec![call],
        Some(t) => {
            let p = poll(c, fd, input, poll_ms(t));
            match c.outcome {
                Outcome::Timeout(TimeoutBy::Poll) | Outcome::Blocking => vec![p],
                _ => vec![p, call],
            }
        }
    }
}

fn socket_line(fd: &str, udp: bool, addr: Option<std::net::SocketAddr>) -> String {
    let ty = if udp { "SOCK_DGRAM" } else { "SOCK_STREAM" };
    format!("socket({}, {ty}|SOCK_CLOEXEC, IPPROTO_IP) = {fd}", family(addr))
}

fn connect(c: &Call, ctx: &Context, fd: &str, out: &mut Vec<String>) {
    let (sa, len) = sockaddr(target(c));
    let head = format!("connect({fd}, {sa}, {len})");
    let polled = poll_wait(c.mode).filter(|_| !is_udp(c, ctx));
    match polled {
        Some(t) if c.outcome != Outcome::Error || via_so_error(c.errno) => {
            out.push(format!("{head} = {}", strace_err(libc::EINPROGRESS)));
            out.push(poll(c, fd, false, poll_ms(t)));
            let so_error = match c.outcome {
                Outcome::Connected => "0",
                Outcome::Error => crate::sys::errno_name(c.errno),
                _ => return,
            };
            out.push(format!("getsockopt({fd}, SOL_SOCKET, SO_ERROR, [{so_error}], [4]) = 0"));
        }
        _ => out.push(format!("{head}{}", ret(c, "0"))),
    }
}

fn how(c: &Call) -> &'static str {
    match c.arg {
        Arg::How(How::Read) => "SHUT_RD",
        Arg::How(How::Write) => "SHUT_WR",
        Arg::How(How::Both) => "SHUT_RDWR",
        _ => "…",
    }
}

/// AF_UNIX set-up and connects: the path in the sockaddr, no handshake.
fn unix(c: &Call, fd: &str, path: &str) -> Vec<String> {
    let (sa, len) = unix_sockaddr(path);
    let socket = |ty: &str| format!("socket(AF_UNIX, {ty}|SOCK_CLOEXEC, 0) = {fd}");
    let connect = format!("connect({fd}, {sa}, {len}){}", ret(c, "0"));
    match (c.op, &c.arg) {
        (Op::Open, Arg::Unix(UnixKind::Stream, _)) => vec![socket("SOCK_STREAM"), connect],
        (Op::Open, _) => vec![
            socket("SOCK_DGRAM"),
            format!("bind({fd}, {{sa_family=AF_UNIX, sun_path=…}}, …) = 0"),
            connect,
        ],
        (Op::Listen, _) => vec![
            socket("SOCK_STREAM"),
            format!("bind({fd}, {sa}, {len}) = 0"),
            format!("listen({fd}, 128) = 0"),
        ],
        _ => vec![connect],
    }
}

fn ours(c: &Call, ctx: &Context) -> Vec<String> {
    let fd = fd(ctx);
    let fd = fd.as_str();
    let mut out = Vec::new();
    if let (Op::Open | Op::Listen | Op::Connect, Some(path)) = (c.op, unix_path(c)) {
        return unix(c, fd, path);
    }
    match c.op {
        Op::Recv => return io(c, fd, true, recvfrom(c, fd, "NULL, NULL")),
        Op::Send => return io(c, fd, false, sendto(c, fd, c.requested().unwrap_or(0), "NULL, 0")),
        Op::Accept => {
            let new = match (c.outcome, ctx.new_fd) {
                (_, Some(n)) => n.to_string(),
                (Outcome::Accepted(k), None) => format!("<fd of #{k}>"),
                _ => "<new fd>".into(),
            };
            return io(c, fd, true, format!("accept4({fd}, …, SOCK_CLOEXEC){}", ret(c, &new)));
        }
        Op::Connect => connect(c, ctx, fd, &mut out),
        Op::Open => {
            let udp = is_udp(c, ctx);
            out.push(socket_line(fd, udp, target(c)));
            if udp {
                let (sa, len) = sockaddr(target(c));
                out.push(format!("connect({fd}, {sa}, {len}){}", ret(c, "0")));
            } else {
                connect(c, ctx, fd, &mut out);
            }
        }
        Op::Listen => {
            let at = match c.arg {
                Arg::Addr(a) => Some(a),
                _ => None,
            };
            out.push(socket_line(fd, false, at));
            let (sa, len) = sockaddr(at);
            // The port asked for may have been 0; getsockname shows the one bound.
            let asked = at.map_or(sa.clone(), |a| sa.replace(&format!("htons({})", a.port()), "htons(…)"));
            out.push(format!("bind({fd}, {asked}, {len}) = 0"));
            out.push(format!("listen({fd}, 128) = 0"));
            out.push(format!("getsockname({fd}, {sa}, [128 => {len}]) = 0"));
        }
        Op::Socket => {
            let at = match c.arg {
                Arg::Proto(_, a) => a,
                _ => None,
            };
            out.push(socket_line(fd, is_udp(c, ctx), at));
        }
        Op::Shutdown => out.push(format!("shutdown({fd}, {}){}", how(c), ret(c, "0"))),
        Op::Close => out.push(format!("close({fd}){}", ret(c, "0"))),
        Op::Spin | Op::Serve => return super::busy::strace(c, ctx),
        Op::Blocking | Op::Nonblocking | Op::Timeout => {
            let on = u8::from(c.mode.py.wants_nonblock());
            out.push(format!("ioctl({fd}, FIONBIO, [{on}]) = 0"));
            read_back(c, fd, &mut out);
        }
        Op::RcvTimeo | Op::SndTimeo => {
            let name = if c.op == Op::RcvTimeo { "SO_RCVTIMEO_OLD" } else { "SO_SNDTIMEO_OLD" };
            let us = match c.arg {
                Arg::Secs(d) => d.as_secs() * 1_000_000 + u64::from(d.subsec_micros()),
                _ => 0,
            };
            out.push(format!("setsockopt({fd}, SOL_SOCKET, {name}, {}, 16) = 0", timeval(us)));
            read_back(c, fd, &mut out);
        }
        _ => {}
    }
    out
}

/// The kernel read-back made after every mode change.
fn read_back(c: &Call, fd: &str, out: &mut Vec<String>) {
    let Some(k) = c.kernel else { return };
    out.push(if k.nonblock {
        format!("fcntl({fd}, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)")
    } else {
        format!("fcntl({fd}, F_GETFL) = 0x2 (flags O_RDWR)")
    });
    for (name, us) in [("SO_RCVTIMEO_OLD", k.rcvtimeo_us), ("SO_SNDTIMEO_OLD", k.sndtimeo_us)] {
        out.push(format!("getsockopt({fd}, SOL_SOCKET, {name}, {}, [16]) = 0", timeval(us)));
    }
}

/// The peer's own syscalls (its sockets are mio's: std underneath).
fn peer(c: &Call, ctx: &Context) -> Vec<String> {
    let fd = fd(ctx);
    let fd = fd.as_str();
    let udp = ctx.kind == Some(crate::record::SockKind::Udp);
    match c.op {
        Op::Send => {
            let len = match c.outcome {
                Outcome::Sent => c.bytes.unwrap_or(0),
                _ => c.requested().unwrap_or(0),
            };
            let to = if udp { "{…}, 16" } else { "NULL, 0" };
            vec![sendto(c, fd, len, to)]
        }
        Op::Recv => vec![recvfrom(c, fd, if udp { "{…}, [128 => 16]" } else { "NULL, NULL" })],
        Op::Close => vec![format!("close({fd}){}", ret(c, "0"))],
        Op::Reset => vec![
            format!("setsockopt({fd}, SOL_SOCKET, SO_LINGER, {{l_onoff=1, l_linger=0}}, 8) = 0"),
            format!("close({fd}){}", ret(c, "0")),
        ],
        Op::Shutdown => vec![format!("shutdown({fd}, {}){}", how(c), ret(c, "0"))],
        Op::Accept => vec![format!("accept4({fd}, …, SOCK_CLOEXEC|SOCK_NONBLOCK){}", ret(c, "<new fd>"))],
        Op::Connect if unix_path(c).is_some() => {
            let (sa, len) = unix_sockaddr(unix_path(c).unwrap_or_default());
            vec![
                format!("socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = {fd}"),
                format!("connect({fd}, {sa}, {len}){}", ret(c, "0")),
            ]
        }
        Op::Request => super::busy::strace(c, ctx),
        _ => Vec::new(),
    }
}
