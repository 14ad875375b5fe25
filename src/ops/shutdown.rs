//! `shutdown rd|wr|both`. On a socket with a call in the kernel it acts at
//! once, as from a second thread: SHUT_RD wakes a blocked recv with EOF,
//! SHUT_WR does not (SOCKET-FACTS 11 and 16).

use super::io::{fd, result};
use super::{Context, Describe, Done, Io, errors};
use crate::command::How;
use crate::record::{Arg, Call, Outcome};
use crate::sys::errno_of;

pub struct Shutdown;

pub fn run(io: Io, how: How) -> Done {
    let how = match how {
        How::Read => std::net::Shutdown::Read,
        How::Write => std::net::Shutdown::Write,
        How::Both => std::net::Shutdown::Both,
    };
    match io.sock.shutdown(how) {
        Ok(()) => Done::of(Outcome::Ok),
        Err(e) => Done::errno(errno_of(&e)),
    }
}

/// `sock.shutdown(socket.SHUT_WR)` in the learner's script.
pub fn learner(how: How, site: &super::site::Site) -> Vec<String> {
    let stmt = format!("{}.shutdown(socket.{})", site.sock, flag(how));
    site.attempt(&[stmt], &format!("{}.shutdown", site.sock), None, &[], "")
}

pub fn export(how: How) -> String {
    format!("shutdown(socket.{})", flag(how))
}

pub(super) fn flag(how: How) -> &'static str {
    match how {
        How::Read => "SHUT_RD",
        How::Write => "SHUT_WR",
        How::Both => "SHUT_RDWR",
    }
}

fn of(c: &Call) -> Option<How> {
    match c.arg {
        Arg::How(h) => Some(h),
        _ => None,
    }
}

impl Describe for Shutdown {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        let how = of(c).map_or("…", flag);
        vec![format!("shutdown({}, {how}){}", fd(cx), super::io::ret(c, "0"))]
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        let how = of(c).map_or("SHUT_RDWR", flag);
        vec![format!("sock.shutdown(socket.{how})"), result(c, "None")]
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        if c.outcome == Outcome::Error {
            return errors::why(c, cx);
        }
        match of(c) {
            Some(How::Read) => "No FIN is sent. From now on a recv with nothing queued returns b'' (EOF) at once \
                                instead of waiting (a recv already blocked wakes with b''), yet data the peer \
                                sends later can still be read."
                .into(),
            Some(How::Write) => "shutdown(SHUT_WR) sends a FIN: the peer's recv returns b'' once it has read \
                                 everything. This end can still receive, and a recv already blocked here keeps \
                                 waiting."
                .into(),
            _ => "shutdown(SHUT_RDWR) sends a FIN and ends both directions: recv now returns b'' (EOF) at once (a \
                  recv already blocked wakes with b''), and the peer sees EOF."
                .into(),
        }
    }
}
