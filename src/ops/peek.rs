//! `peek [SIZE]`: recv with MSG_PEEK. It waits and fails exactly as recv
//! does, but the bytes it returns stay queued: the next recv (or peek)
//! returns them again (SOCKET-FACTS case 13).

use super::{Context, Describe, Done, Io, recv};
use crate::record::Call;

pub struct Peek;

pub fn run(io: Io) -> Done {
    recv::read(io, true)
}

/// `data = sock.recv(1024, socket.MSG_PEEK)` in the learner's script.
pub fn learner(size: u64, site: &super::site::Site) -> Vec<String> {
    let n = &site.sock;
    let stmt = format!("data = {n}.recv({size}, socket.MSG_PEEK)  # the bytes stay queued");
    site.attempt(&[stmt], &format!("{n}.recv(MSG_PEEK)"), Some("{data}"), &[], recv::NOTHING_QUEUED)
}

pub fn export(size: u64) -> String {
    format!("peek({size})")
}

impl Describe for Peek {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        recv::strace(c, cx, "MSG_PEEK")
    }

    fn python(&self, c: &Call, cx: &Context) -> Vec<String> {
        let mut out = recv::python(c, cx, ", socket.MSG_PEEK");
        if c.outcome == crate::record::Outcome::Data {
            out.push("# the bytes stay queued: the next sock.recv() returns them again".into());
        }
        out
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        recv::why(c, cx, true)
    }
}
