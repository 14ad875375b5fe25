//! What differs on AF_UNIX, for the modules of the calls that name a path
//! (open, listen, connect, close): the sockaddr with `sun_path`, no
//! handshake, no FIN or RST, a socket file on disk.

use super::Context;
use super::io::{fd, took};
use super::text::unix_sockaddr;
use crate::escape::escape;
use crate::record::{Arg, Call, Outcome, SockKind};

/// The AF_UNIX path a record names (listen, connect, open), if any.
pub fn path(c: &Call) -> Option<&str> {
    match &c.arg {
        Arg::Path(p) | Arg::Unix(_, p) => Some(p),
        _ => None,
    }
}

/// A path as the prose quotes it.
fn quoted(c: &Call) -> String {
    path(c).map_or_else(|| "its path".into(), |p| format!("\"{}\"", escape(p.as_bytes())))
}

/// `connect(5, {sa_family=AF_UNIX, sun_path="…"}, 20) = 0`.
pub fn connect_line(c: &Call, fd: &str, path: &str) -> String {
    let (sa, len) = unix_sockaddr(path);
    format!("connect({fd}, {sa}, {len}){}", super::io::ret(c, "0"))
}

/// A connect (or `open unix`) to a path: the AF_UNIX explanation, or
/// `None` where the TCP one holds.
pub fn connect_why(c: &Call) -> Option<String> {
    let path = quoted(c);
    Some(match c.outcome {
        Outcome::Connected => format!(
            "connect() to the listener at {path} returned 0 after {}: AF_UNIX has no handshake, the kernel puts \
             the connection in the listener's accept queue at once (only a full queue makes connect wait, or \
             fail with EAGAIN when non-blocking).",
            took(c)
        ),
        Outcome::Error => match c.errno {
            libc::ENOENT => format!(
                "No file exists at {path}: AF_UNIX sockets connect by file name, so there is nothing to connect to."
            ),
            libc::ECONNREFUSED => format!(
                "A file exists at {path}, but no socket listens on it (a socket file left behind after its \
                 listener closed, or a socket that never called listen()): connect() fails at once."
            ),
            libc::EACCES => format!("connect() needs write permission on the socket file {path}."),
            _ => return None,
        },
        _ => return None,
    })
}

/// `open unixgram`: bound to a path of its own, connected to another.
pub fn dgram_open_why(c: &Call) -> String {
    format!(
        "An AF_UNIX datagram socket, bound to a path of its own (so replies can reach it) and connected to {}. \
         Each send is one datagram; a recv takes one whole datagram and discards what does not fit in the size \
         asked for.",
        quoted(c)
    )
}

/// `listen unix`.
pub fn listen_why(c: &Call) -> String {
    format!(
        "An AF_UNIX listener at {}. bind() created the socket file; clients connect by that name and wait in \
         the accept queue until accept() takes them. sockscope unlinks the file when the listener closes: \
         close() alone would leave it behind, and the next bind() there would get EADDRINUSE.",
        quoted(c)
    )
}

/// `close` of an AF_UNIX socket.
pub fn close_why(cx: &Context) -> String {
    match cx.kind {
        Some(SockKind::UnixListener) => format!(
            "close() released fd {}, and sockscope unlinked the socket file it had bound, so the path is free \
             again.",
            fd(cx)
        ),
        Some(SockKind::UnixDgram) => format!("close() released fd {}; nothing is sent.", fd(cx)),
        _ => format!(
            "close() released fd {}. AF_UNIX has no FIN or RST: the other end's recv returns b'' once it has \
             read what was sent, and its send gets EPIPE at once (ECONNRESET instead, for a recv, if we left \
             data unread).",
            fd(cx)
        ),
    }
}
