//! One peer-side socket (TCP stream or UDP) and the calls the peer makes on
//! it. Each syscall becomes one record on the peer's lane.

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use mio::net::{UdpSocket, UnixDatagram};

use super::stream::Stream;

use crate::command::Payload;
use crate::lab::shared::Shared;
use crate::record::call::{Arg, Call, Lane, Op, Outcome, PREVIEW_CAP};
use crate::record::event::Event;
use crate::record::mode::Mode;
use crate::sys::errno_of;

/// A record on the peer lane for a call that ran from `start_ns` to now.
pub fn record(shared: &Shared, op: Op, arg: Arg, start_ns: u64, r: Rec) {
    record_on(shared, Lane::Peer, op, arg, start_ns, r);
}

/// [`record`] on a given lane (a peer client has its own).
pub fn record_on(shared: &Shared, lane: Lane, op: Op, arg: Arg, start_ns: u64, r: Rec) {
    let call = Call::begin(shared.next_seq(), lane, op, arg, Mode::default(), start_ns);
    let call =
        Call { errno: r.errno, bytes: r.bytes, preview: r.preview, ..call.ended(shared.now_ns(), r.outcome) };
    shared.send(Event::Instant(call));
}

/// The result part of a peer record.
pub struct Rec {
    pub outcome: Outcome,
    pub errno: i32,
    pub bytes: Option<u64>,
    pub preview: Option<Box<[u8]>>,
}

impl Rec {
    pub fn ok() -> Rec {
        Rec { outcome: Outcome::Ok, errno: 0, bytes: None, preview: None }
    }
    pub fn err(e: &io::Error) -> Rec {
        let outcome =
            if e.kind() == io::ErrorKind::WouldBlock { Outcome::WouldBlock } else { Outcome::Error };
        Rec { outcome, errno: errno_of(e), bytes: None, preview: None }
    }
    /// A send that failed, with the bytes it tried to send as its preview.
    pub fn send_err(e: &io::Error, tried: &[u8]) -> Rec {
        let preview = (!tried.is_empty()).then(|| tried[..tried.len().min(PREVIEW_CAP)].into());
        Rec { preview, ..Rec::err(e) }
    }
    pub fn data(outcome: Outcome, n: usize, bytes: &[u8]) -> Rec {
        let preview = (!bytes.is_empty()).then(|| bytes[..bytes.len().min(PREVIEW_CAP)].into());
        Rec { outcome, errno: 0, bytes: Some(n as u64), preview }
    }
}

/// The peer's end of a TCP or AF_UNIX stream connection.
pub struct Conn {
    pub stream: Stream,
    /// TCP: the two ends' addresses, which name the connection.
    pub local: Option<SocketAddr>,
    pub remote: Option<SocketAddr>,
    /// AF_UNIX: the listener's path and which connection to it this is
    /// (see `Shared::dial`), which name the connection instead.
    pub unix: Option<(String, u64)>,
    /// `peer pause` clears this, so our sends fill the buffers.
    pub reading: bool,
    /// Bytes `peer send` still has to write, from `out_at` on (the kernel
    /// took the ones before). Bounded in all by the peer (see `PENDING_CAP`).
    out: Vec<u8>,
    out_at: usize,
    /// The send in progress as recorded: its text, or its filler size.
    pub out_arg: Arg,
    pub saw_eof: bool,
    /// Our end is closed: once this end has read the EOF, nothing more can
    /// happen on the connection, and the peer closes its end too.
    pub ours_closed: bool,
    /// When it joined the peer, counting connections: slots are reused, so
    /// "the newest" is found by this, not by place.
    pub born: u64,
    /// Where this connection's calls are drawn: the peer's lane, or a client's.
    pub lane: Lane,
    /// For a client of a `serve`: when its request went out, until the echo.
    pub request_sent: Option<u64>,
}

impl Conn {
    pub fn new(stream: Stream, unix: Option<(String, u64)>) -> io::Result<Conn> {
        let (local, remote) = match &stream {
            Stream::Tcp(s) => (Some(s.local_addr()?), Some(s.peer_addr()?)),
            Stream::Unix(_) => (None, None),
        };
        Ok(Conn {
            local,
            remote,
            unix,
            stream,
            reading: true,
            out: Vec::new(),
            out_at: 0,
            out_arg: Arg::None,
            saw_eof: false,
            ours_closed: false,
            born: 0,
            lane: Lane::Peer,
            request_sent: None,
        })
    }

    /// Reads until the kernel has nothing more (mio is edge-triggered).
    pub fn drain(&mut self, shared: &Shared, buf: &mut [u8]) {
        while self.reading && !self.saw_eof {
            let start = shared.now_ns();
            let r = self.stream.read(buf);
            let arg = Arg::Size(buf.len() as u64);
            match r {
                Ok(0) => {
                    self.saw_eof = true;
                    record_on(shared, self.lane, Op::PeerRecv, arg, start, Rec::data(Outcome::Eof, 0, &[]));
                }
                Ok(n) => {
                    record_on(
                        shared,
                        self.lane,
                        Op::PeerRecv,
                        arg,
                        start,
                        Rec::data(Outcome::Data, n, &buf[..n]),
                    );
                    if let Some(sent) = self.request_sent.take() {
                        let rec = Rec::data(Outcome::Data, n, &buf[..n]);
                        record_on(shared, self.lane, Op::Request, Arg::None, sent, rec);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    record_on(shared, self.lane, Op::PeerRecv, arg, start, Rec::err(&e));
                    self.saw_eof = true;
                }
            }
        }
    }

    /// A client's request to a `serve`: sent now, timed until its echo.
    pub fn request(&mut self, shared: &Shared, k: u32) {
        let text = format!("request from c{k}").into_bytes();
        self.request_sent = Some(shared.now_ns());
        self.send(shared, &Payload::Text(text));
    }

    /// Queues a payload after what is pending and writes what it can.
    /// Filler is made in place: the payload is never held twice.
    pub fn send(&mut self, shared: &Shared, p: &Payload) {
        // What the kernel took is dropped now, once per send, rather than
        // moving the rest down after every partial write.
        self.out.drain(..self.out_at);
        self.out_at = 0;
        self.out_arg = payload_arg(p);
        match p {
            Payload::Text(t) => self.out.extend_from_slice(t),
            Payload::Size(n) => fill(&mut self.out, *n),
        }
        if p.is_empty() {
            // A zero-length send is still a syscall (sendto(fd, "", 0) = 0).
            self.write_once(shared, &[]);
            return;
        }
        self.flush(shared);
    }

    /// One write of `data`, recorded.
    fn write_once(&mut self, shared: &Shared, data: &[u8]) {
        let start = shared.now_ns();
        let rec = match self.stream.write(data) {
            Ok(n) => Rec { bytes: Some(n as u64), ..Rec::data(Outcome::Sent, n, data) },
            Err(e) => Rec::send_err(&e, data),
        };
        record_on(shared, self.lane, Op::PeerSend, self.out_arg.clone(), start, rec);
    }

    /// Bytes queued and not yet taken by the kernel.
    pub fn pending(&self) -> u64 {
        (self.out.len() - self.out_at) as u64
    }

    /// Writes what is pending; the rest waits for the next writable event.
    pub fn flush(&mut self, shared: &Shared) {
        while self.out_at < self.out.len() {
            let start = shared.now_ns();
            let rest = &self.out[self.out_at..];
            let arg = self.out_arg.clone();
            match self.stream.write(rest) {
                Ok(n) => {
                    let outcome = if n == rest.len() { Outcome::Sent } else { Outcome::Partial };
                    let rec = Rec::data(outcome, n, &rest[..n]);
                    self.out_at += n;
                    record_on(shared, self.lane, Op::PeerSend, arg, start, rec);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    record_on(shared, self.lane, Op::PeerSend, arg, start, Rec::send_err(&e, rest));
                    self.out_at = self.out.len();
                }
            }
        }
        self.out.clear();
        self.out_at = 0;
        // A large send's buffer goes back once written, not kept for good.
        if self.out.capacity() > 1 << 20 {
            self.out = Vec::new();
        }
    }
}

/// A text send records its text (as the preview); a filler send its size.
pub fn payload_arg(p: &Payload) -> Arg {
    match p {
        Payload::Text(t) => Arg::Text(t.len() as u64),
        Payload::Size(n) => Arg::Size(*n),
    }
}

pub fn payload_bytes(p: &Payload) -> Vec<u8> {
    match p {
        Payload::Text(t) => t.clone(),
        Payload::Size(n) => {
            let mut out = Vec::new();
            fill(&mut out, *n);
            out
        }
    }
}

/// Appends `n` bytes of the peer's filler, `ABC…Z` over and over, by
/// doubling what is there: a few large copies rather than a loop per byte.
fn fill(out: &mut Vec<u8>, n: u64) {
    const ALPHABET: &[u8; 26] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let (n, start) = (n as usize, out.len());
    out.reserve_exact(n);
    out.extend_from_slice(&ALPHABET[..n.min(26)]);
    // The part made so far is a whole number of alphabets, so a copy of it
    // carries on where it ends.
    while out.len() - start < n {
        let made = out.len() - start;
        out.extend_from_within(start..start + made.min(n - made));
    }
}

/// The peer's UDP socket, paired with one of ours.
pub struct Udp {
    pub sock: UdpSocket,
    pub local: SocketAddr,
    pub reading: bool,
}

impl Udp {
    pub fn drain(&mut self, shared: &Shared, buf: &mut [u8]) {
        if self.reading {
            // An ICMP error is reported once; keep reading after it.
            drain_datagrams(shared, buf, true, |b| self.sock.recv_from(b).map(|(n, _)| n));
        }
    }

    pub fn send_to(&self, shared: &Shared, data: &[u8], arg: Arg, to: SocketAddr) {
        send_datagram(shared, data, arg, || self.sock.send_to(data, to));
    }
}

/// The peer's AF_UNIX datagram socket, bound to its own path and connected
/// to one of ours.
pub struct Dgram {
    pub sock: UnixDatagram,
    /// The path it is bound to (our socket's remote path).
    pub local: String,
    pub reading: bool,
}

impl Dgram {
    pub fn drain(&mut self, shared: &Shared, buf: &mut [u8]) {
        if self.reading {
            drain_datagrams(shared, buf, false, |b| self.sock.recv(b));
        }
    }

    pub fn send(&self, shared: &Shared, data: &[u8], arg: Arg) {
        send_datagram(shared, data, arg, || self.sock.send(data));
    }
}

/// Reads datagrams until EAGAIN, one record each. After another error it
/// goes on reading only if `past_errors` (UDP's one-shot ICMP errors).
fn drain_datagrams(
    shared: &Shared,
    buf: &mut [u8],
    past_errors: bool,
    mut recv: impl FnMut(&mut [u8]) -> io::Result<usize>,
) {
    loop {
        let start = shared.now_ns();
        let arg = Arg::Size(buf.len() as u64);
        match recv(buf) {
            Ok(n) => record(shared, Op::PeerRecv, arg, start, Rec::data(Outcome::Data, n, &buf[..n])),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) => {
                record(shared, Op::PeerRecv, arg, start, Rec::err(&e));
                if !past_errors {
                    return;
                }
            }
        }
    }
}

/// One datagram send, recorded as sent or partial.
fn send_datagram(shared: &Shared, data: &[u8], arg: Arg, send: impl FnOnce() -> io::Result<usize>) {
    let start = shared.now_ns();
    let rec = match send() {
        Ok(n) => Rec::data(if n == data.len() { Outcome::Sent } else { Outcome::Partial }, n, &data[..n]),
        Err(e) => Rec::send_err(&e, data),
    };
    record(shared, Op::PeerSend, arg, start, rec);
}

#[cfg(test)]
mod tests {
    #[test]
    fn filler_runs_through_the_alphabet() {
        for n in [0, 1, 25, 26, 27, 52, 1000, 4097] {
            let mut out = b"xy".to_vec();
            super::fill(&mut out, n);
            let want: Vec<u8> = (0..n).map(|i| b'A' + (i % 26) as u8).collect();
            assert_eq!(&out[2..], &want[..], "{n}");
        }
    }
}
