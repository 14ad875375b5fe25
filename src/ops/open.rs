//! `open tcp|udp [ADDR]` and `open unix|unixgram [PATH]`: a new socket,
//! connected at once. With no address it is paired with the embedded peer;
//! a paired UDP socket is bound to 127.0.0.1:0 first (three syscalls).

use super::io::{fd, is_dgram, is_unix, result};
use super::text::{family, py_addr, py_path, sockaddr, unix_sockaddr};
use super::{Context, Describe, connect, errors, unix};
use crate::command::UnixKind;
use crate::record::{Arg, Call, Outcome};

pub struct Open;

/// `socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 5`.
pub(super) fn socket_line(fd: &str, dgram: bool, addr: Option<std::net::SocketAddr>) -> String {
    let ty = if dgram { "SOCK_DGRAM" } else { "SOCK_STREAM" };
    format!("socket({}, {ty}|SOCK_CLOEXEC, IPPROTO_IP) = {fd}", family(addr))
}

impl Describe for Open {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        let fd = fd(cx);
        let fd = fd.as_str();
        if let Some(path) = unix::path(c) {
            let socket = |ty: &str| format!("socket(AF_UNIX, {ty}|SOCK_CLOEXEC, 0) = {fd}");
            let (sa, len) = unix_sockaddr(path);
            let connect = format!("connect({fd}, {sa}, {len}){}", super::io::ret(c, "0"));
            return match c.arg {
                Arg::Unix(UnixKind::Stream, _) => vec![socket("SOCK_STREAM"), connect],
                _ => vec![
                    socket("SOCK_DGRAM"),
                    format!("bind({fd}, {{sa_family=AF_UNIX, sun_path=…}}, …) = 0"),
                    connect,
                ],
            };
        }
        let to = connect::target(c);
        let dgram = is_dgram(c, cx);
        let mut out = vec![socket_line(fd, dgram, to)];
        if let Arg::Bound { local, .. } = c.arg {
            let (sa, len) = sockaddr(Some(local));
            let asked = sa.replace(&format!("htons({})", local.port()), "htons(0)");
            out.push(format!("bind({fd}, {asked}, {len}) = 0"));
        }
        if dgram {
            let (sa, len) = sockaddr(to);
            out.push(format!("connect({fd}, {sa}, {len}){}", super::io::ret(c, "0")));
        } else {
            connect::strace_lines(c, cx, fd, &mut out);
        }
        out
    }

    fn python(&self, c: &Call, cx: &Context) -> Vec<String> {
        if let Some(path) = unix::path(c) {
            let sock = |ty: &str| format!("sock = socket.socket(socket.AF_UNIX, socket.{ty})");
            let mut out = match c.arg {
                Arg::Unix(UnixKind::Stream, _) => vec![sock("SOCK_STREAM")],
                _ => vec![sock("SOCK_DGRAM"), "sock.bind(own_path)  # so that replies can reach it".into()],
            };
            out.push(format!("sock.connect({})", py_path(path)));
            out.push(result(c, "None"));
            return out;
        }
        let dgram = is_dgram(c, cx);
        let ty = if dgram { "SOCK_DGRAM" } else { "SOCK_STREAM" };
        let mut out =
            vec![format!("sock = socket.socket(socket.{}, socket.{ty})", family(connect::target(c)))];
        if let Arg::Bound { local, .. } = c.arg {
            out.push(format!(
                "sock.bind((\"{}\", 0))  # the port the kernel picked: {}",
                local.ip(),
                local.port()
            ));
        }
        if dgram {
            out.push(format!("sock.connect({})", py_addr(connect::target(c))));
            out.push(result(c, "None"));
        } else {
            connect::python_lines(c, &mut out);
        }
        out
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        match (c.outcome, &c.arg) {
            (Outcome::Ok, Arg::Unix(..)) => unix::dgram_open_why(c),
            (Outcome::Ok, _) if is_dgram(c, cx) => udp(c),
            (Outcome::Error, _) if !is_unix(c, cx) && !matches!(c.errno, libc::ECONNREFUSED) => {
                errors::why(c, cx)
            }
            _ => connect::why(c, cx),
        }
    }
}

fn udp(c: &Call) -> String {
    let to = connect::target(c).map_or_else(|| "its address".into(), |a| a.to_string());
    let bound = match c.arg {
        Arg::Bound { local, .. } => format!(
            " sockscope bound it to {local} first (port 0: the kernel picks one), so the peer's socket knows \
             where to answer."
        ),
        _ => String::new(),
    };
    format!(
        "A UDP socket connected to {to}. connect() on UDP sends nothing: it only sets where send() goes.{bound}"
    )
}
