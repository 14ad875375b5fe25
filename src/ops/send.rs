//! `send TEXT | send SIZE`: one sendto with MSG_NOSIGNAL (socket2's plain
//! `send` passes flags 0, and an EPIPE would then kill us with SIGPIPE).

use super::io::{
    How, Waiting, blocked, count, evidence, fd, how, is_dgram, plain, polled, result, timer_note,
    timer_timeout, took, waited, would_block,
};
use super::text::{bytes, py_bytes, set, strace_buf};
use super::{Context, Describe, Done, Io, errors};
use crate::command::Payload;
use crate::record::{Arg, Call, Outcome, TcpState, TimeoutBy};

pub struct Send;

pub fn run(io: Io, p: &Payload) -> Done {
    let data = match p {
        Payload::Text(t) => t.as_slice(),
        Payload::Size(n) => &io.filler[..*n as usize],
    };
    let (sock, mode) = (io.sock, io.mode);
    let r = super::with_mode(sock, mode, super::Dir::Out, || sock.send_with_flags(data, libc::MSG_NOSIGNAL));
    match r {
        Err(done) => done,
        Ok(Ok(n)) if n == data.len() => Done::bytes(Outcome::Sent, n),
        Ok(Ok(n)) => Done::bytes(Outcome::Partial, n),
        Ok(Err(e)) => super::failed(&e, mode, super::Dir::Out),
    }
}

/// The largest send the learner's peer reads after it: the whole of it
/// fits in loopback's socket buffers, so the send returns before the read.
pub const PEER_TAKES: u64 = 1024 * 1024;

/// `n = sock.send(b"hi")` in the learner's script, with how much it took.
pub fn learner(p: &Payload, site: &super::site::Site) -> Vec<String> {
    let n = &site.sock;
    let (data, len) = match p {
        Payload::Text(t) => (super::literal::py_bytes(t), t.len() as u64),
        Payload::Size(k) => (format!("b\"x\" * {}", super::literal::size_expr(*k)), *k),
    };
    // sockscope's peer reads what arrives, unless paused; more than one
    // read's worth is read whole (MSG_WAITALL), or a later close of the
    // peer's end would find it unread and answer with an RST.
    let then: Vec<String> = site
        .reader
        .iter()
        .map(|r| match len {
            0..=65536 => format!("{r}.recv(65536)  # the peer reads it, as sockscope's does"),
            _ => format!("{r}.recv({len}, socket.MSG_WAITALL)  # the peer reads it all, as sockscope's does"),
        })
        .collect();
    let stmt = format!("n = {n}.send({data})");
    let why = "EAGAIN: the send buffer has no room";
    site.attempt(&[stmt], &format!("{n}.send"), Some(&format!("{{n}} of {len}")), &then, why)
}

pub fn export(p: &Payload) -> String {
    format!("send({})", super::literal::payload(p, "a"))
}

/// `sendto(5, "hi", 2, MSG_NOSIGNAL, NULL, 0) = 2`.
pub(super) fn sendto(c: &Call, fd: &str, len: u64, to: &str) -> String {
    let buf = strace_buf(c.preview.as_deref(), len);
    format!("sendto({fd}, {buf}, {len}, MSG_NOSIGNAL, {to}){}", super::io::ret(c, &count(c)))
}

/// The payload as Python writes it.
pub(super) fn payload(c: &Call) -> String {
    match (&c.arg, &c.preview) {
        (Arg::Text(n), Some(p)) => py_bytes(Some(p), *n),
        (Arg::Size(n), _) => format!("bytes({n})"),
        (_, p) => py_bytes(p.as_deref(), c.requested().unwrap_or(0)),
    }
}

impl Describe for Send {
    fn strace(&self, c: &Call, cx: &Context) -> Vec<String> {
        let fd = fd(cx);
        let call = sendto(c, &fd, c.requested().unwrap_or(0), "NULL, 0");
        polled(c, &fd, false, call)
    }

    fn python(&self, c: &Call, _cx: &Context) -> Vec<String> {
        let n = c.requested().unwrap_or(0);
        let mut out =
            vec![format!("sock.send({})", payload(c)), result(c, &c.bytes.unwrap_or(0).to_string())];
        match c.outcome {
            Outcome::Partial => out.push(format!(
                "# a short count, not an exception: the other {} bytes were not sent",
                n.saturating_sub(c.bytes.unwrap_or(0))
            )),
            Outcome::Timeout(TimeoutBy::Poll) => {
                out.push("# e.errno is None: poll() ran out, so send() was never called".into());
            }
            Outcome::Timeout(_) => out.push(timer_note(c, "send", false)),
            _ => {}
        }
        out
    }

    fn why(&self, c: &Call, cx: &Context) -> String {
        match c.outcome {
            Outcome::Blocking => {
                let until = "the peer has read enough to make room in the send buffer";
                let w = Waiting { verb: "send", syscall: "sendto()", until, ready: "writable", input: false };
                blocked(c, &w)
            }
            Outcome::Sent => sent(c, cx),
            Outcome::Partial => partial(c),
            Outcome::WouldBlock => would_block(c, &full(c), false),
            Outcome::Timeout(TimeoutBy::Poll) => super::io::poll_timeout(
                c,
                "send",
                "for room in the send buffer",
                "The buffer stayed full",
                false,
            ),
            Outcome::Timeout(_) => timer_timeout(c, "send slept with a full send buffer", false),
            Outcome::Error => errors::why(c, cx),
            Outcome::Data
            | Outcome::Eof
            | Outcome::InProgress
            | Outcome::Accepted(_)
            | Outcome::Connected
            | Outcome::Ready
            | Outcome::Ok => plain(c),
        }
    }
}

/// Why nothing could be sent.
fn full(c: &Call) -> String {
    match evidence(c).and_then(|e| e.tcp_state) {
        Some(TcpState::SynSent | TcpState::SynRecv) => {
            "the connection is still being set up (the handshake has \
                                                        not finished): nothing can be sent until it is"
                .into()
        }
        _ => "its send buffer was full (the receiver has not read what was sent before)".into(),
    }
}

fn sent(c: &Call, cx: &Context) -> String {
    let n = bytes(c.bytes.unwrap_or(0));
    if is_dgram(c, cx) {
        return format!("The kernel took one datagram of {n} at once; UDP does not wait for the receiver.");
    }
    let fin_seen =
        evidence(c).is_some_and(|e| e.history.eof_seen || e.tcp_state.is_some_and(TcpState::fin_received));
    if fin_seen || cx.prev.is_some_and(|p| p.outcome == Outcome::Eof) {
        return "The peer had sent its FIN, yet this send succeeded: a FIN only says the peer will send no more. \
                If the peer closed its socket (not just its writing side), its kernel answers this data with an \
                RST, and the next send fails with EPIPE."
            .into();
    }
    match how(c) {
        How::Timed(_) if waited(c) => {
            format!("poll() waited {} for room in the send buffer; then send copied all {n}.", took(c))
        }
        How::Timed(_) => format!("poll() saw room in the send buffer at once, and send copied all {n}."),
        How::Blocking if waited(c) => format!(
            "send slept for {} until the peer had read enough to make room, then returned the full count, {n}.",
            took(c)
        ),
        _ => format!(
            "The send buffer had room, so the kernel copied all {n} at once. Sent means queued in our kernel, not \
             yet read by the peer."
        ),
    }
}

fn partial(c: &Call) -> String {
    let n = c.bytes.unwrap_or(0);
    let m = c.requested().unwrap_or(0);
    match (how(c), super::io::timer(c, false)) {
        (How::Blocking, Some((_, t))) if !t.is_zero() => format!(
            "SO_SNDTIMEO ({}) ran out after {n} of the {m} bytes had been copied, so the blocking send returned \
             that short count instead of an error.",
            set(t)
        ),
        (How::NonBlocking | How::Zero, _) => format!(
            "The socket is non-blocking and the send buffer had room for only {n} of the {m} bytes, so send took \
             what fit and returned {n}. The other {} were not sent: the program must send them later.",
            bytes(m.saturating_sub(n))
        ),
        (How::Timed(_), _) => format!(
            "poll() reported room in the send buffer, but only {n} of the {m} bytes fit, so send returned {n}; the \
             rest was not sent."
        ),
        _ => format!("send returned only {n} of the {m} bytes; the rest was not sent."),
    }
}
