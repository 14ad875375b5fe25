//! `socket tcp|udp|tcp6|udp6`: a new, unconnected socket.

use super::io::{fd, is_dgram};
use super::open::socket_line;
use super::text::family;
use super::{Context, Describe, errors};
use crate::record::{Arg, Call, Outcome};

pub struct NewSocket;

fn at(c: &Call) -> Option<std::net::SocketAddr> {
    match c.arg {
        Arg::Proto(_, a) => a,
        _ => None,
    }
}

impl Describe for NewSocket {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        vec![socket_line(&fd(cx), is_dgram(c, cx) || dgram_arg(c), at(c))]
    }

    fn python(&self, c: &Call, cx: &Context) -> Vec<String> {
        let ty = if is_dgram(c, cx) || dgram_arg(c) { "SOCK_DGRAM" } else { "SOCK_STREAM" };
        vec![format!("sock = socket.socket(socket.{}, socket.{ty})", family(at(c)))]
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        if c.outcome == Outcome::Error {
            return errors::why(c, cx);
        }
        "A new, unconnected socket. Like every new socket it starts blocking; set its mode before connect() to \
         see a non-blocking connect."
            .into()
    }
}

fn dgram_arg(c: &Call) -> bool {
    matches!(c.arg, Arg::Proto(crate::command::Proto::Udp, _))
}
