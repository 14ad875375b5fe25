//! Level 2: what a Python program would write, and what Python gives back.

use super::text::{py_addr, py_bytes, py_error, py_path, set};
use super::{Context, after_reset, is_udp, target, unix_path};
use crate::command::{How, UnixKind};
use crate::record::call::{Arg, Call, Lane, Op, Outcome, TimeoutBy};
use crate::record::mode::{PyMode, secs};

pub fn lines(c: &Call, ctx: &Context) -> Vec<String> {
    match c.lane {
        Lane::Sock(_) => ours(c, ctx),
        Lane::Peer | Lane::Client(_) => peer(c, ctx),
        Lane::Loop => super::poll::python(c, ctx),
        Lane::Script => Vec::new(),
    }
}

/// `→ result`, where `ok` is what a successful call returns.
fn result(c: &Call, ok: &str) -> String {
    match c.outcome {
        Outcome::Blocking => "# still waiting: the call has not returned".into(),
        Outcome::Timeout(TimeoutBy::Poll) => "→ TimeoutError: timed out".into(),
        _ if c.errno != 0 => format!("→ {}", py_error(c.errno)),
        _ => format!("→ {ok}"),
    }
}

fn received(c: &Call) -> String {
    match c.outcome {
        Outcome::Data => py_bytes(c.preview.as_deref(), c.bytes.unwrap_or(0)),
        _ => "b''".into(),
    }
}

/// What Python's `gettimeout()` returns: a float, or None.
fn float(d: std::time::Duration) -> String {
    let s = secs(d);
    if s.contains('.') { s } else { format!("{s}.0") }
}

fn payload(c: &Call) -> String {
    match (&c.arg, &c.preview) {
        (Arg::Text(n), Some(p)) => py_bytes(Some(p), *n),
        (Arg::Size(n), _) => format!("bytes({n})"),
        (_, p) => py_bytes(p.as_deref(), c.requested().unwrap_or(0)),
    }
}

fn timer_note(c: &Call, call: &str, timer: Option<std::time::Duration>) -> String {
    let t = timer.map_or_else(|| "timer".into(), set);
    let opt = if c.outcome == Outcome::Timeout(TimeoutBy::SndTimeo) { "SO_SNDTIMEO" } else { "SO_RCVTIMEO" };
    format!(
        "# raised after the {t} wait: {opt} ran out and {call}() got EAGAIN, so Python raises \
         BlockingIOError, not TimeoutError"
    )
}

/// AF_UNIX set-up and connects: a path where TCP has a (host, port).
fn unix(c: &Call, path: &str) -> Vec<String> {
    let path = py_path(path);
    let sock = |ty: &str| format!("sock = socket.socket(socket.AF_UNIX, socket.{ty})");
    let mut out = match (c.op, &c.arg) {
        (Op::Open, Arg::Unix(UnixKind::Stream, _)) => vec![sock("SOCK_STREAM")],
        (Op::Open, _) => {
            vec![sock("SOCK_DGRAM"), "sock.bind(own_path)  # so that replies can reach it".into()]
        }
        (Op::Listen, _) => {
            let lines = [sock("SOCK_STREAM"), format!("sock.bind({path})"), "sock.listen(128)".into()];
            return lines.into_iter().chain([result(c, "None")]).collect();
        }
        _ => vec![],
    };
    out.push(format!("sock.connect({path})"));
    out.push(result(c, "None"));
    out
}

fn ours(c: &Call, ctx: &Context) -> Vec<String> {
    let mut out = Vec::new();
    if let (Op::Open | Op::Listen | Op::Connect, Some(path)) = (c.op, unix_path(c)) {
        return unix(c, path);
    }
    match c.op {
        Op::Recv => {
            out.push(format!("sock.recv({})", c.requested().unwrap_or(1024)));
            out.push(result(c, &received(c)));
            match c.outcome {
                Outcome::Timeout(TimeoutBy::Poll) => {
                    out.push("# e.errno is None: poll() ran out, so recv() was never called".into());
                }
                Outcome::Timeout(_) => out.push(timer_note(c, "recv", c.mode.rcvtimeo)),
                Outcome::WouldBlock if c.mode.py == PyMode::Timeout(Default::default()) => {
                    out.push("# settimeout(0) is the same as setblocking(False)".into());
                }
                Outcome::Eof if after_reset(ctx) => {
                    out.push("# the reset was reported once (ConnectionResetError); from now on, EOF".into());
                }
                Outcome::Data if c.bytes == Some(0) && is_udp(c, ctx) => {
                    out.push("# an empty datagram, not EOF".into());
                }
                _ => {}
            }
        }
        Op::Send => {
            let n = c.requested().unwrap_or(0);
            out.push(format!("sock.send({})", payload(c)));
            out.push(result(c, &c.bytes.unwrap_or(0).to_string()));
            match c.outcome {
                Outcome::Partial => out.push(format!(
                    "# a short count, not an exception: the other {} bytes were not sent",
                    n.saturating_sub(c.bytes.unwrap_or(0))
                )),
                Outcome::Timeout(TimeoutBy::Poll) => {
                    out.push("# e.errno is None: poll() ran out, so send() was never called".into());
                }
                Outcome::Timeout(_) => out.push(timer_note(c, "send", c.mode.sndtimeo)),
                _ => {}
            }
        }
        Op::Accept => {
            out.push("conn, addr = sock.accept()".into());
            let ok = match c.outcome {
                Outcome::Accepted(k) => format!("(conn, addr), conn is socket #{k}"),
                _ => "(conn, addr)".into(),
            };
            out.push(result(c, &ok));
            match c.outcome {
                Outcome::Accepted(_) => {
                    out.push("# conn.getblocking() is True: the new socket is blocking".into());
                }
                Outcome::Timeout(TimeoutBy::RcvTimeo) => out.push(timer_note(c, "accept", c.mode.rcvtimeo)),
                _ => {}
            }
        }
        Op::Connect => connect(c, &mut out),
        Op::Open => {
            let udp = is_udp(c, ctx);
            let ty = if udp { "SOCK_DGRAM" } else { "SOCK_STREAM" };
            out.push(format!("sock = socket.socket(socket.{}, socket.{ty})", super::text::family(target(c))));
            if udp {
                out.push(format!("sock.connect({})", py_addr(target(c))));
                out.push(result(c, "None"));
            } else {
                connect(c, &mut out);
            }
        }
        Op::Listen => {
            let at = match c.arg {
                Arg::Addr(a) => Some(a),
                _ => None,
            };
            out.push(format!("sock = socket.socket(socket.{}, socket.SOCK_STREAM)", super::text::family(at)));
            out.push(format!("sock.bind({})", py_addr(at)));
            out.push("sock.listen(128)".into());
            out.push(result(c, "None"));
        }
        Op::Socket => {
            let ty = if is_udp(c, ctx) { "SOCK_DGRAM" } else { "SOCK_STREAM" };
            let at = match c.arg {
                Arg::Proto(_, a) => a,
                _ => None,
            };
            out.push(format!("sock = socket.socket(socket.{}, socket.{ty})", super::text::family(at)));
        }
        Op::Shutdown => {
            let how = match c.arg {
                Arg::How(How::Read) => "SHUT_RD",
                Arg::How(How::Write) => "SHUT_WR",
                _ => "SHUT_RDWR",
            };
            out.push(format!("sock.shutdown(socket.{how})"));
            out.push(result(c, "None"));
        }
        Op::Close => {
            out.push("sock.close()".into());
            out.push(result(c, "None"));
        }
        Op::Blocking => out.extend([
            "sock.setblocking(True)  # or sock.settimeout(None)".into(),
            "→ None".into(),
            "# gettimeout() → None, getblocking() → True".into(),
        ]),
        Op::Nonblocking => out.extend([
            "sock.setblocking(False)".into(),
            "→ None".into(),
            "# gettimeout() → 0.0, getblocking() → False".into(),
        ]),
        Op::Timeout => match c.mode.py {
            PyMode::Timeout(t) if !t.is_zero() => out.extend([
                format!("sock.settimeout({})", secs(t)),
                "→ None".into(),
                format!("# gettimeout() → {}, getblocking() → True, yet the fd has O_NONBLOCK", float(t)),
            ]),
            _ => out.extend([
                "sock.settimeout(0)  # same as sock.setblocking(False)".into(),
                "→ None".into(),
                "# gettimeout() → 0.0, getblocking() → False".into(),
            ]),
        },
        Op::RcvTimeo | Op::SndTimeo => timer(c, &mut out),
        Op::Spin | Op::Serve => return super::busy::python(c),
        _ => {}
    }
    out
}

fn connect(c: &Call, out: &mut Vec<String>) {
    let addr = py_addr(target(c));
    out.push(format!("sock.connect({addr})"));
    out.push(result(c, "None"));
    if c.outcome == Outcome::InProgress {
        out.push(format!("# sock.connect_ex({addr}) returns {} instead of raising", libc::EINPROGRESS));
    }
}

fn timer(c: &Call, out: &mut Vec<String>) {
    let (name, call) = if c.op == Op::RcvTimeo { ("SO_RCVTIMEO", "recv") } else { ("SO_SNDTIMEO", "send") };
    let t = match c.arg {
        Arg::Secs(d) => d,
        _ => Default::default(),
    };
    out.push(format!(
        "sock.setsockopt(socket.SOL_SOCKET, socket.{name}, struct.pack(\"ll\", {}, {}))",
        t.as_secs(),
        t.subsec_micros()
    ));
    out.push("→ None".into());
    out.push(if t.is_zero() {
        "# 0 here means wait forever (settimeout(0) means the opposite: don't wait)".into()
    } else {
        format!(
            "# gettimeout() stays None: when the timer runs out, {call} raises BlockingIOError, \
             not TimeoutError"
        )
    });
}

fn peer(c: &Call, ctx: &Context) -> Vec<String> {
    let udp = ctx.kind == Some(crate::record::SockKind::Udp);
    match c.op {
        Op::Send => {
            let sent = py_bytes(c.preview.as_deref(), c.bytes.unwrap_or(0));
            let call = if udp { format!("peer.sendto({sent}, addr)") } else { format!("peer.send({sent})") };
            vec![call, result(c, &c.bytes.unwrap_or(0).to_string())]
        }
        Op::Recv => vec![format!("peer.recv({})", c.requested().unwrap_or(0)), result(c, &received(c))],
        Op::Close => vec!["peer.close()".into(), result(c, "None")],
        Op::Reset => vec![
            "peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\", 1, 0))".into(),
            "peer.close()".into(),
            result(c, "None"),
        ],
        Op::Shutdown => vec!["peer.shutdown(socket.SHUT_WR)".into(), result(c, "None")],
        Op::Pause => vec!["# the peer stops calling peer.recv()".into()],
        Op::Resume => vec!["# the peer calls peer.recv() again".into()],
        Op::Connect => match unix_path(c) {
            Some(p) => vec![
                "client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)".into(),
                format!("client.connect({})", py_path(p)),
                result(c, "None"),
            ],
            None => {
                vec![
                    format!("client = socket.create_connection({})", py_addr(target(c))),
                    result(c, "client"),
                ]
            }
        },
        Op::Accept => vec!["peer_conn, addr = listener.accept()".into(), result(c, "(peer_conn, addr)")],
        Op::Request | Op::Summary => super::busy::python(c),
        _ => Vec::new(),
    }
}
