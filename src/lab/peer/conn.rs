//! One peer-side socket (TCP stream or UDP) and the calls the peer makes on
//! it. Each syscall becomes one record on the peer's lane.

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use mio::net::{UdpSocket, UnixDatagram};

use super::stream::Stream;

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
    /// Bytes `peer send` still has to write (the kernel took only part).
    pub out: Vec<u8>,
    /// The send in progress as recorded: its text, or its filler size.
    pub out_arg: Arg,
    pub saw_eof: bool,
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
            out_arg: Arg::None,
            saw_eof: false,
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
        self.out_arg = Arg::Text(text.len() as u64);
        self.out.extend_from_slice(&text);
        self.request_sent = Some(shared.now_ns());
        self.flush(shared);
    }

    /// Writes what is pending; the rest waits for the next writable event.
    pub fn flush(&mut self, shared: &Shared) {
        while !self.out.is_empty() {
            let start = shared.now_ns();
            let len = self.out.len();
            let arg = self.out_arg.clone();
            match self.stream.write(&self.out) {
                Ok(n) => {
                    let outcome = if n == len { Outcome::Sent } else { Outcome::Partial };
                    let rec = Rec::data(outcome, n, &self.out[..n]);
                    self.out.drain(..n);
                    record_on(shared, self.lane, Op::PeerSend, arg, start, rec);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    record_on(shared, self.lane, Op::PeerSend, arg, start, Rec::err(&e));
                    self.out.clear();
                }
            }
        }
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
        Err(e) => Rec::err(&e),
    };
    record(shared, Op::PeerSend, arg, start, rec);
}
