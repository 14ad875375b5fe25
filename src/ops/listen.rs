//! `listen [ADDR]` (on loopback unless told otherwise) and `listen unix [PATH]`.

use super::io::{fd, result};
use super::open::socket_line;
use super::text::{family, py_addr, py_path, sockaddr, unix_sockaddr};
use super::{Context, Describe, errors, unix};
use crate::record::{Arg, Call, Outcome};

pub struct Listen;

fn at(c: &Call) -> Option<std::net::SocketAddr> {
    match c.arg {
        Arg::Addr(a) => Some(a),
        _ => None,
    }
}

impl Describe for Listen {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        let fd = fd(cx);
        let fd = fd.as_str();
        if let Some(path) = unix::path(c) {
            let (sa, len) = unix_sockaddr(path);
            return vec![
                format!("socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = {fd}"),
                format!("bind({fd}, {sa}, {len}) = 0"),
                format!("listen({fd}, 128) = 0"),
            ];
        }
        let at = at(c);
        let (sa, len) = sockaddr(at);
        // The port asked for may have been 0; getsockname shows the one bound.
        let asked = at.map_or(sa.clone(), |a| sa.replace(&format!("htons({})", a.port()), "htons(…)"));
        vec![
            socket_line(fd, false, at),
            format!("bind({fd}, {asked}, {len}) = 0"),
            format!("listen({fd}, 128) = 0"),
            format!("getsockname({fd}, {sa}, [128 => {len}]) = 0"),
        ]
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        let (sock, bind) = match unix::path(c) {
            Some(p) => ("sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)".to_string(), py_path(p)),
            None => (
                format!("sock = socket.socket(socket.{}, socket.SOCK_STREAM)", family(at(c))),
                py_addr(at(c)),
            ),
        };
        vec![sock, format!("sock.bind({bind})"), "sock.listen(128)".into(), result(c, "None")]
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        if c.outcome == Outcome::Error {
            return errors::why(c, cx);
        }
        if unix::path(c).is_some() {
            return unix::listen_why(c);
        }
        let addr = at(c).map_or_else(|| "its address".into(), |a| a.to_string());
        format!(
            "A TCP listener on {addr}. Clients that connect wait in its accept queue until accept() takes them."
        )
    }
}
