//! Level 3 for AF_UNIX set-up, connects and closes: what differs from TCP
//! (no handshake, no FIN or RST, a socket file on disk).

use super::text::bytes;
use super::{Context, fd, took, unix_path};
use crate::record::SockKind;
use crate::record::call::escape;
use crate::record::call::{Arg, Call, Op, Outcome};

/// The AF_UNIX explanation, or `None` where the generic one holds.
pub fn text(c: &Call, ctx: &Context) -> Option<String> {
    let path = unix_path(c).map(|p| format!("\"{}\"", escape(p.as_bytes())));
    let path = path.unwrap_or_else(|| "its path".into());
    Some(match (c.op, c.outcome) {
        (Op::Open, Outcome::Ok) if matches!(c.arg, Arg::Unix(..)) => format!(
            "An AF_UNIX datagram socket, bound to a path of its own (so replies can reach it) and connected \
             to {path}. Each send is one datagram; a recv takes one whole datagram and discards what does not \
             fit in the size asked for."
        ),
        (Op::Open | Op::Connect, Outcome::Connected) => format!(
            "connect() to the listener at {path} returned 0 after {}: AF_UNIX has no handshake, the kernel \
             puts the connection in the listener's accept queue at once (only a full queue makes connect \
             wait, or fail with EAGAIN when non-blocking).",
            took(c)
        ),
        (Op::Open | Op::Connect, Outcome::Error) => match c.errno {
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
        (Op::Listen, _) => format!(
            "An AF_UNIX listener at {path}. bind() created the socket file; clients connect by that name and \
             wait in the accept queue until accept() takes them. sockscope unlinks the file when the listener \
             closes: close() alone would leave it behind, and the next bind() there would get EADDRINUSE."
        ),
        (Op::Close, Outcome::Ok) => match ctx.kind {
            Some(SockKind::UnixListener) => format!(
                "close() released fd {}, and sockscope unlinked the socket file it had bound, so the path is \
                 free again.",
                fd(ctx)
            ),
            Some(SockKind::UnixDgram) => format!("close() released fd {}; nothing is sent.", fd(ctx)),
            _ => format!(
                "close() released fd {}. AF_UNIX has no FIN or RST: the other end's recv returns b'' once it \
                 has read what was sent, and its send gets EPIPE at once (ECONNRESET instead, for a recv, if \
                 we left data unread).",
                fd(ctx)
            ),
        },
        (Op::Recv, Outcome::Eof) => format!(
            "recv returned 0 (EOF) after {}: the other end closed or shut down its writing side, and \
             everything it sent before has been read. On AF_UNIX no FIN travels: the kernel marks our end \
             at once.",
            took(c)
        ),
        (Op::Recv, Outcome::Data) if ctx.kind == Some(SockKind::UnixDgram) => format!(
            "recv took one datagram and returned {}. A datagram is never split across calls: if it was \
             longer than the size asked for, the rest was discarded.",
            bytes(c.bytes.unwrap_or(0))
        ),
        _ => return None,
    })
}
