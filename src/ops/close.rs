//! `close`. The worker drops the socket, so the fd is released once any
//! call of its own has returned; close() from another thread does not wake
//! a blocked recv, and no FIN goes out until that call returns
//! (SOCKET-FACTS 16).

use super::io::{fd, is_unix, result};
use super::{Context, Describe, errors, unix};
use crate::record::{Call, Outcome, SockKind};

pub struct Close;

/// `sock.close()` in the learner's script (and the socket file of a unix
/// listener it bound, which sockscope removes and Python leaves).
pub fn learner(site: &super::site::Site) -> Vec<String> {
    let mut stmts = vec![format!("{}.close()", site.sock)];
    if let Some(path) = &site.unlink {
        stmts.push(format!("os.unlink({path})  # close() leaves the socket file; sockscope removes it"));
    }
    site.attempt(&stmts, &format!("{}.close", site.sock), None, &[], "")
}

pub fn export() -> String {
    "close()".into()
}

impl Describe for Close {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        vec![format!("close({}){}", fd(cx), super::io::ret(c, "0"))]
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        vec!["sock.close()".into(), result(c, "None")]
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        if c.outcome == Outcome::Error {
            return errors::why(c, cx);
        }
        if is_unix(c, cx) {
            return unix::close_why(cx);
        }
        match cx.kind {
            Some(SockKind::TcpListener) => {
                format!("close() released fd {}: the listener accepts no more connections.", fd(cx))
            }
            Some(SockKind::Udp) => format!("close() released fd {}; for UDP nothing is sent.", fd(cx)),
            _ => format!(
                "close() released fd {}. On a connected TCP socket the kernel sends a FIN, or an RST if received \
                 data was left unread.",
                fd(cx)
            ),
        }
    }
}
