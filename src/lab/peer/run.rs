//! The peer thread's loop: mio readiness for its sockets, a channel for
//! requests, and a list of scheduled sends.

use std::io;
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::os::unix::net::{UnixDatagram as StdDatagram, UnixListener as StdUnixListener};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use mio::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream};
use mio::{Events, Interest, Poll, Token};
use socket2::{Domain, SockAddr, Socket, Type};

use super::conn::{Conn, Dgram, Rec, Udp, record, record_on};
use super::stream::Stream;
use super::{Act, Reply, Request, Target};
use crate::lab::shared::Shared;
use crate::record::call::{Arg, Lane, Op, Outcome};

pub const WAKER: Token = Token(0);
const LISTENER: Token = Token(1);
const UNIX_LISTENER: Token = Token(2);
/// Tokens at and above this are, in turn, connections, UDP sockets and
/// AF_UNIX datagram sockets.
const FIRST: usize = 3;

pub struct PeerLoop {
    pub(super) shared: Arc<Shared>,
    pub(super) poll: Poll,
    listener: TcpListener,
    /// The AF_UNIX listener, its path, and how many it has accepted.
    unix: (UnixListener, String, u64),
    rx: Receiver<(Request, Option<Sender<Reply>>)>,
    pub(super) conns: Vec<Option<Conn>>,
    pub(super) udps: Vec<Option<Udp>>,
    pub(super) dgrams: Vec<Option<Dgram>>,
    pub(super) timers: Vec<Scheduled>,
    /// When a client (conn index, client number) sends its request.
    pub(super) client_timers: Vec<(Instant, usize, u32)>,
    pub(super) buf: Vec<u8>,
    /// Connections made so far (see `Conn::born`).
    born: u64,
}

/// A `peer send … after DUR` (or another act) waiting for its time.
pub struct Scheduled {
    pub at: Instant,
    pub target: Target,
    pub act: Act,
    /// Our end's number, for messages.
    pub ours: u32,
}

/// The first empty slot (a socket closed), or a new one at the end: the
/// tables grow with the sockets open at once, not with all there ever were.
fn free_slot<T>(slots: &mut Vec<Option<T>>) -> usize {
    slots.iter().position(Option::is_none).unwrap_or_else(|| {
        slots.push(None);
        slots.len() - 1
    })
}

fn conn_token(i: usize) -> Token {
    Token(FIRST + 3 * i)
}

fn udp_token(i: usize) -> Token {
    Token(FIRST + 3 * i + 1)
}

fn dgram_token(i: usize) -> Token {
    Token(FIRST + 3 * i + 2)
}

impl PeerLoop {
    pub(crate) fn new(
        shared: Arc<Shared>,
        poll: Poll,
        listener: StdListener,
        (unix, unix_path): (StdUnixListener, String),
        rx: Receiver<(Request, Option<Sender<Reply>>)>,
    ) -> io::Result<PeerLoop> {
        let mut listener = TcpListener::from_std(listener);
        poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
        let mut unix = UnixListener::from_std(unix);
        poll.registry().register(&mut unix, UNIX_LISTENER, Interest::READABLE)?;
        Ok(PeerLoop {
            shared,
            poll,
            listener,
            unix: (unix, unix_path, 0),
            rx,
            conns: Vec::new(),
            udps: Vec::new(),
            dgrams: Vec::new(),
            timers: Vec::new(),
            client_timers: Vec::new(),
            buf: vec![0; 64 * 1024],
            born: 0,
        })
    }

    pub fn run(mut self) {
        let mut events = Events::with_capacity(64);
        loop {
            let timeout = self.next_timer().map(|t| t.saturating_duration_since(Instant::now()));
            if let Err(e) = self.poll.poll(&mut events, timeout)
                && e.kind() != io::ErrorKind::Interrupted
            {
                return;
            }
            for ev in events.iter() {
                self.ready(ev.token());
            }
            while let Ok((req, reply)) = self.rx.try_recv() {
                if matches!(req, Request::Quit) {
                    return;
                }
                let r = self.handle(req);
                if let Some(tx) = reply {
                    let _ = tx.send(r);
                }
            }
            self.fire_timers();
        }
    }

    fn next_timer(&self) -> Option<Instant> {
        self.timers.iter().map(|t| t.at).chain(self.client_timers.iter().map(|t| t.0)).min()
    }

    fn fire_timers(&mut self) {
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = self.timers.drain(..).partition(|t| t.at <= now);
        self.timers = later;
        for t in due {
            if let Err(msg) = self.act(&t.target, t.act, t.ours) {
                self.shared.send(crate::record::event::Event::Fault(format!("peer: {msg}")));
            }
        }
        let (due, later): (Vec<_>, Vec<_>) = self.client_timers.drain(..).partition(|t| t.0 <= now);
        self.client_timers = later;
        for (_, i, k) in due {
            if let Some(c) = self.conns.get_mut(i).and_then(Option::as_mut) {
                c.request(&self.shared, k);
            }
        }
    }

    fn ready(&mut self, token: Token) {
        match token {
            WAKER => {}
            LISTENER | UNIX_LISTENER => self.accept_all(),
            Token(t) => {
                let i = (t - FIRST) / 3;
                match (t - FIRST) % 3 {
                    0 => {
                        if let Some(Some(c)) = self.conns.get_mut(i) {
                            c.drain(&self.shared, &mut self.buf);
                            c.flush(&self.shared);
                        }
                        self.hang_up(i);
                    }
                    1 => {
                        if let Some(Some(u)) = self.udps.get_mut(i) {
                            u.drain(&self.shared, &mut self.buf);
                        }
                    }
                    _ => {
                        if let Some(Some(d)) = self.dgrams.get_mut(i) {
                            d.drain(&self.shared, &mut self.buf);
                        }
                    }
                }
            }
        }
    }

    /// Takes every waiting connection, on both listeners.
    pub(super) fn accept_all(&mut self) {
        loop {
            let start = self.shared.now_ns();
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Err(e) = self.add_conn(Stream::Tcp(stream), None) {
                        record(&self.shared, Op::PeerAccept, Arg::None, start, Rec::err(&e));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    record(&self.shared, Op::PeerAccept, Arg::None, start, Rec::err(&e));
                    break;
                }
            }
        }
        loop {
            let start = self.shared.now_ns();
            match self.unix.0.accept() {
                Ok((stream, _)) => {
                    let named = (self.unix.1.clone(), self.unix.2);
                    self.unix.2 += 1;
                    if let Err(e) = self.add_conn(Stream::Unix(stream), Some(named)) {
                        record(&self.shared, Op::PeerAccept, Arg::None, start, Rec::err(&e));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) => {
                    record(&self.shared, Op::PeerAccept, Arg::None, start, Rec::err(&e));
                    return;
                }
            }
        }
    }

    fn add_conn(&mut self, mut stream: Stream, unix: Option<(String, u64)>) -> io::Result<usize> {
        let i = free_slot(&mut self.conns);
        self.poll.registry().register(&mut stream, conn_token(i), Interest::READABLE | Interest::WRITABLE)?;
        let mut c = Conn::new(stream, unix)?;
        self.born += 1;
        c.born = self.born;
        // Data may have arrived before registration; read it now.
        c.drain(&self.shared, &mut self.buf);
        self.conns[i] = Some(c);
        Ok(i)
    }

    fn handle(&mut self, req: Request) -> Reply {
        tracing::debug!(request = req.name(), "peer request");
        match req {
            Request::Act { target, act, at: Some(at), ours } => {
                let found = self.find(&target)?;
                if let Act::Send(p) = &act {
                    // Counted from now: it is held until it goes.
                    self.admit(&target, found, p, ours)?;
                }
                self.timers.push(Scheduled { at, target, act, ours });
                Ok(())
            }
            Request::Act { target, act, at: None, ours } => self.act(&target, act, ours),
            Request::OursClosed(target) => {
                self.ours_closed(&target);
                Ok(())
            }
            Request::Adopt(sock) => self.adopt_udp(sock).map_err(|e| format!("peer udp: {e}")),
            Request::AdoptUnix(sock) => self.adopt_dgram(sock).map_err(|e| format!("peer unixgram: {e}")),
            Request::Connect { to, n, clients } => {
                for i in 0..n {
                    let lane = clients.map_or(Lane::Peer, |first| Lane::Client(first + i));
                    let Some(c) = self.connect(to, lane) else { continue };
                    if let Lane::Client(k) = lane {
                        if i == 0 {
                            self.client_timers.push((Instant::now() + super::THINK, c, k));
                        } else if let Some(conn) = self.conns[c].as_mut() {
                            conn.request(&self.shared, k);
                        }
                    }
                }
                Ok(())
            }
            Request::ConnectUnix { to, n } => {
                for _ in 0..n {
                    self.connect_unix(&to);
                }
                Ok(())
            }
            Request::Quit => Ok(()),
        }
    }

    fn adopt_udp(&mut self, sock: std::net::UdpSocket) -> io::Result<()> {
        sock.set_nonblocking(true)?;
        let local = sock.local_addr()?;
        let mut sock = UdpSocket::from_std(sock);
        let i = free_slot(&mut self.udps);
        self.poll.registry().register(&mut sock, udp_token(i), Interest::READABLE)?;
        self.udps[i] = Some(Udp { sock, local, reading: true });
        Ok(())
    }

    fn adopt_dgram(&mut self, sock: StdDatagram) -> io::Result<()> {
        sock.set_nonblocking(true)?;
        let local = sock.local_addr()?.as_pathname().map(crate::lab::unix::text).unwrap_or_default();
        let mut sock = UnixDatagram::from_std(sock);
        let i = free_slot(&mut self.dgrams);
        self.poll.registry().register(&mut sock, dgram_token(i), Interest::READABLE)?;
        self.dgrams[i] = Some(Dgram { sock, local, reading: true });
        Ok(())
    }

    /// A client of the peer connects to one of our listeners. Loopback
    /// connects complete at once unless the backlog is full, hence the bound.
    fn connect(&mut self, to: SocketAddr, lane: Lane) -> Option<usize> {
        let start = self.shared.now_ns();
        let r = StdStream::connect_timeout(&to, Duration::from_secs(2)).and_then(|s| {
            s.set_nonblocking(true)?;
            self.add_conn(Stream::Tcp(TcpStream::from_std(s)), None)
        });
        let (rec, i) = match r {
            Ok(i) => (Rec { outcome: Outcome::Connected, ..Rec::ok() }, Some(i)),
            Err(e) => (Rec::err(&e), None),
        };
        if let Some(c) = i.and_then(|i| self.conns[i].as_mut()) {
            c.lane = lane;
        }
        record_on(&self.shared, lane, Op::PeerConnect, Arg::Addr(to), start, rec);
        i
    }

    /// A peer client connects to our AF_UNIX listener at `to`. The connect
    /// is non-blocking: a full backlog is EAGAIN at once, never a wait.
    fn connect_unix(&mut self, to: &str) {
        let start = self.shared.now_ns();
        let r = Socket::new(Domain::UNIX, Type::STREAM, None).and_then(|s| {
            s.set_nonblocking(true)?;
            s.connect(&SockAddr::unix(to)?)?;
            let nth = self.shared.dial(to);
            let s = UnixStream::from_std(std::os::unix::net::UnixStream::from(std::os::fd::OwnedFd::from(s)));
            self.add_conn(Stream::Unix(s), Some((to.to_string(), nth)))
        });
        let rec = match r {
            Ok(_) => Rec { outcome: Outcome::Connected, ..Rec::ok() },
            Err(e) => Rec::err(&e),
        };
        record(&self.shared, Op::PeerConnect, Arg::Path(to.into()), start, rec);
    }
}
