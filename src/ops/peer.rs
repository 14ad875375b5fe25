//! What the embedded peer (or a client of it) did, on its own sockets
//! (mio's, std underneath): its sends and reads, `peer pause|resume|close|
//! reset|shutdown wr|connect`, and its accepts of our connections.

use super::io::{fd, result};
use super::send::sendto;
use super::text::{bytes, named, py_addr, py_bytes, py_path, strace_buf, unix_sockaddr};
use super::{Context, Describe, connect, unix};
use crate::record::{Arg, Call, Outcome, SockKind};

/// One of the peer's actions; `ops::describe` names which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerOp {
    Send,
    Recv,
    Close,
    Reset,
    Shutdown,
    Connect,
    Accept,
    Pause,
    Resume,
}

pub struct PeerAct(pub PeerOp);

fn is_udp(cx: &Context) -> bool {
    cx.kind == Some(SockKind::Udp)
}

impl Describe for PeerAct {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        let fd = fd(cx);
        let fd = fd.as_str();
        let ret = |ok: &str| super::io::ret(c, ok);
        match self.0 {
            PeerOp::Send => {
                let len = match c.outcome {
                    Outcome::Sent => c.bytes.unwrap_or(0),
                    _ => c.requested().unwrap_or(0),
                };
                vec![sendto(c, fd, len, if is_udp(cx) { "{…}, 16" } else { "NULL, 0" })]
            }
            PeerOp::Recv => {
                let from = if is_udp(cx) { "{…}, [128 => 16]" } else { "NULL, NULL" };
                let size = c.requested().map_or_else(|| "…".into(), |n| n.to_string());
                let buf = match (c.outcome, &c.preview) {
                    (Outcome::Data, p) => strace_buf(p.as_deref(), c.bytes.unwrap_or(0)),
                    (Outcome::Eof, _) => "\"\"".into(),
                    _ => "…".into(),
                };
                vec![format!(
                    "recvfrom({fd}, {buf}, {size}, 0, {from}){}",
                    ret(&c.bytes.unwrap_or(0).to_string())
                )]
            }
            PeerOp::Close => vec![format!("close({fd}){}", ret("0"))],
            PeerOp::Reset => vec![
                format!("setsockopt({fd}, SOL_SOCKET, SO_LINGER, {{l_onoff=1, l_linger=0}}, 8) = 0"),
                format!("close({fd}){}", ret("0")),
            ],
            PeerOp::Shutdown => vec![format!("shutdown({fd}, SHUT_WR){}", ret("0"))],
            PeerOp::Accept => {
                vec![format!("accept4({fd}, …, SOCK_CLOEXEC|SOCK_NONBLOCK){}", ret("<new fd>"))]
            }
            PeerOp::Connect => match unix::path(c) {
                Some(p) => {
                    let (sa, len) = unix_sockaddr(p);
                    vec![
                        format!("socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = {fd}"),
                        format!("connect({fd}, {sa}, {len}){}", ret("0")),
                    ]
                }
                None => Vec::new(),
            },
            // Pausing and resuming make no syscall: the peer stops or starts calling recv.
            PeerOp::Pause | PeerOp::Resume => Vec::new(),
        }
    }

    fn python(&self, c: &Call, cx: &Context) -> Vec<String> {
        match self.0 {
            PeerOp::Send => {
                let sent = py_bytes(c.preview.as_deref(), c.bytes.or(c.requested()).unwrap_or(0));
                let call = if is_udp(cx) {
                    format!("peer.sendto({sent}, addr)")
                } else {
                    format!("peer.send({sent})")
                };
                vec![call, result(c, &c.bytes.unwrap_or(0).to_string())]
            }
            PeerOp::Recv => {
                let got = match c.outcome {
                    Outcome::Data => py_bytes(c.preview.as_deref(), c.bytes.unwrap_or(0)),
                    _ => "b''".into(),
                };
                vec![format!("peer.recv({})", c.requested().unwrap_or(0)), result(c, &got)]
            }
            PeerOp::Close => vec!["peer.close()".into(), result(c, "None")],
            PeerOp::Reset => vec![
                "peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(\"ii\", 1, 0))".into(),
                "peer.close()".into(),
                result(c, "None"),
            ],
            PeerOp::Shutdown => vec!["peer.shutdown(socket.SHUT_WR)".into(), result(c, "None")],
            PeerOp::Pause => vec!["# the peer stops calling peer.recv()".into()],
            PeerOp::Resume => vec!["# the peer calls peer.recv() again".into()],
            PeerOp::Connect => match unix::path(c) {
                Some(p) => vec![
                    "client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)".into(),
                    format!("client.connect({})", py_path(p)),
                    result(c, "None"),
                ],
                None => vec![
                    format!("client = socket.create_connection({})", py_addr(connect::target(c))),
                    result(c, "client"),
                ],
            },
            PeerOp::Accept => {
                vec!["peer_conn, addr = listener.accept()".into(), result(c, "(peer_conn, addr)")]
            }
        }
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        let udp = is_udp(cx);
        let n = bytes(c.bytes.unwrap_or(0));
        if c.outcome == Outcome::Error {
            let what = match self.0 {
                PeerOp::Send => format!("send of {}", bytes(c.requested().unwrap_or(0))),
                _ => c.op.word().to_string(),
            };
            return format!("The peer's {what} failed with {}.", named(c.errno));
        }
        match (self.0, c.outcome) {
            (PeerOp::Send, Outcome::Partial) => format!(
                "The peer's kernel took only {n}: our receive queue is full. The peer writes the rest when there \
                 is room."
            ),
            (PeerOp::Send, _) if udp => format!("The peer sent a datagram of {n} to our socket."),
            (PeerOp::Send, _) => {
                format!("The peer wrote {n}; on loopback they are in our receive queue by the time its send returns.")
            }
            (PeerOp::Recv, Outcome::Eof) => {
                "The peer read EOF: our side closed or shut down its writing side.".into()
            }
            (PeerOp::Recv, _) => format!("The peer read {n} that we sent, which makes room for more."),
            (PeerOp::Close, _) if matches!(&c.arg, Arg::Note(n) if &**n == crate::record::arg::AFTER_OURS) => {
                "Our end was closed, so the peer closed its end too, as a server does once it has read the EOF: \
                 nothing more can happen on the connection. Left open, its end would wait in CLOSE-WAIT and keep \
                 an fd for good. A datagram socket has no EOF: the peer closes the one paired with ours at once."
                    .into()
            }
            (PeerOp::Close, _) if udp => "The peer closed its UDP socket; nothing is sent. A datagram we send \
                                          there now draws an ICMP port-unreachable, reported on a later call as \
                                          ECONNREFUSED."
                .into(),
            (PeerOp::Close, _) => "The peer closed its socket: its kernel sends a FIN (an RST instead, if data we \
                                   sent was left unread). After a FIN, our recv returns b'' once the data before it \
                                   is read; our first send still succeeds, the peer's kernel answers it with an \
                                   RST, and the next send gets EPIPE."
                .into(),
            (PeerOp::Reset, _) => "The peer set SO_LINGER to {on, 0 s} and closed, so its kernel sent an RST \
                                   instead of a FIN. Our next recv or send fails once with ECONNRESET; after that \
                                   recv returns b'' and send gets EPIPE."
                .into(),
            (PeerOp::Shutdown, _) => "The peer shut down its writing side: a FIN. Our recv returns b'' once the \
                                      data before it is read, but the peer still reads what we send."
                .into(),
            (PeerOp::Pause, _) => "The peer stopped reading (no syscall: it just stops calling recv). What we send \
                                   piles up in its receive queue, then in our send buffer; once both are full, a \
                                   blocking send sleeps and a non-blocking one returns a partial count or EAGAIN."
                .into(),
            (PeerOp::Resume, _) => "The peer reads again: its receive queue drains, our send buffer empties, and a \
                                    send waiting for room can finish."
                .into(),
            (PeerOp::Connect, _) => "A client of the peer connected to our listener. The connection waits in the \
                                     listener's accept queue until accept() takes it."
                .into(),
            (PeerOp::Accept, _) => "The peer accepted our connection on its listener.".into(),
        }
    }
}
