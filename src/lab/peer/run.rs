//! The peer thread's loop: mio readiness for its sockets, a channel for
//! requests, and a list of scheduled sends.

use std::io;
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use mio::net::{TcpListener, TcpStream, UdpSocket};
use mio::{Events, Interest, Poll, Token};
use socket2::SockRef;

use super::conn::{Conn, Rec, Udp, record, record_on};
use super::{Act, Reply, Request, Target};
use crate::command::Payload;
use crate::lab::call::{Arg, Lane, Op};
use crate::lab::shared::Shared;

pub const WAKER: Token = Token(0);
const LISTENER: Token = Token(1);
/// Tokens at and above this are connections (even) and UDP sockets (odd).
const FIRST: usize = 2;

pub struct PeerLoop {
    shared: Arc<Shared>,
    poll: Poll,
    listener: TcpListener,
    rx: Receiver<(Request, Option<Sender<Reply>>)>,
    conns: Vec<Option<Conn>>,
    udps: Vec<Option<Udp>>,
    timers: Vec<(Instant, Target, Act)>,
    /// When a client (conn index, client number) sends its request.
    client_timers: Vec<(Instant, usize, u32)>,
    buf: Vec<u8>,
}

fn conn_token(i: usize) -> Token {
    Token(FIRST + 2 * i)
}

fn udp_token(i: usize) -> Token {
    Token(FIRST + 2 * i + 1)
}

impl PeerLoop {
    pub(crate) fn new(
        shared: Arc<Shared>,
        poll: Poll,
        listener: StdListener,
        rx: Receiver<(Request, Option<Sender<Reply>>)>,
    ) -> io::Result<PeerLoop> {
        let mut listener = TcpListener::from_std(listener);
        poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
        Ok(PeerLoop {
            shared,
            poll,
            listener,
            rx,
            conns: Vec::new(),
            udps: Vec::new(),
            timers: Vec::new(),
            client_timers: Vec::new(),
            buf: vec![0; 64 * 1024],
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
        self.timers.iter().map(|t| t.0).chain(self.client_timers.iter().map(|t| t.0)).min()
    }

    fn fire_timers(&mut self) {
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = self.timers.drain(..).partition(|t| t.0 <= now);
        self.timers = later;
        for (_, target, act) in due {
            if let Err(msg) = self.act(target, act) {
                self.shared.send(crate::lab::event::LabEvent::Fault(format!("peer: {msg}")));
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
            LISTENER => self.accept_all(),
            Token(t) => {
                let i = (t - FIRST) / 2;
                if (t - FIRST).is_multiple_of(2) {
                    if let Some(Some(c)) = self.conns.get_mut(i) {
                        c.drain(&self.shared, &mut self.buf);
                        c.flush(&self.shared);
                    }
                } else if let Some(Some(u)) = self.udps.get_mut(i) {
                    u.drain(&self.shared, &mut self.buf);
                }
            }
        }
    }

    fn accept_all(&mut self) {
        loop {
            let start = self.shared.now_ns();
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Err(e) = self.add_conn(stream) {
                        record(&self.shared, Op::Accept, Arg::None, start, Rec::err(&e));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) => {
                    record(&self.shared, Op::Accept, Arg::None, start, Rec::err(&e));
                    return;
                }
            }
        }
    }

    fn add_conn(&mut self, mut stream: TcpStream) -> io::Result<usize> {
        let i = self.conns.len();
        self.poll.registry().register(&mut stream, conn_token(i), Interest::READABLE | Interest::WRITABLE)?;
        let mut c = Conn::new(stream)?;
        // Data may have arrived before registration; read it now.
        c.drain(&self.shared, &mut self.buf);
        self.conns.push(Some(c));
        Ok(i)
    }

    fn handle(&mut self, req: Request) -> Reply {
        tracing::debug!(request = req.name(), "peer request");
        match req {
            Request::Act { target, act, at: Some(at) } => {
                self.find(target)?;
                self.timers.push((at, target, act));
                Ok(())
            }
            Request::Act { target, act, at: None } => self.act(target, act),
            Request::Adopt(sock) => self.adopt_udp(sock).map_err(|e| format!("peer udp: {e}")),
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
            Request::Quit => Ok(()),
        }
    }

    fn adopt_udp(&mut self, sock: std::net::UdpSocket) -> io::Result<()> {
        sock.set_nonblocking(true)?;
        let local = sock.local_addr()?;
        let mut sock = UdpSocket::from_std(sock);
        let i = self.udps.len();
        self.poll.registry().register(&mut sock, udp_token(i), Interest::READABLE)?;
        self.udps.push(Some(Udp { sock, local, reading: true }));
        Ok(())
    }

    /// A client of the peer connects to one of our listeners. Loopback
    /// connects complete at once unless the backlog is full, hence the bound.
    fn connect(&mut self, to: SocketAddr, lane: Lane) -> Option<usize> {
        let start = self.shared.now_ns();
        let r = StdStream::connect_timeout(&to, Duration::from_secs(2)).and_then(|s| {
            s.set_nonblocking(true)?;
            self.add_conn(TcpStream::from_std(s))
        });
        let (rec, i) = match r {
            Ok(i) => (Rec { outcome: crate::lab::call::Outcome::Connected, ..Rec::ok() }, Some(i)),
            Err(e) => (Rec::err(&e), None),
        };
        if let Some(c) = i.and_then(|i| self.conns[i].as_mut()) {
            c.lane = lane;
        }
        record_on(&self.shared, lane, Op::Connect, Arg::Addr(to), start, rec);
        i
    }

    /// Where a target lives: `Ok((true, i))` a connection, `Ok((false, i))` a UDP socket.
    fn find(&mut self, target: Target) -> Result<(bool, usize), String> {
        if let Some(found) = self.lookup(target) {
            return Ok(found);
        }
        // Our connect may have raced the peer's accept.
        self.accept_all();
        self.lookup(target).ok_or_else(|| match target {
            Target::Listener(a) => format!("no peer client is connected to {a}: try `peer connect`"),
            _ => "the peer has no socket paired with this one".into(),
        })
    }

    fn lookup(&self, target: Target) -> Option<(bool, usize)> {
        let live = self.conns.iter().enumerate().filter_map(|(i, c)| Some((i, c.as_ref()?)));
        match target {
            Target::Tcp { ours_local, ours_remote } => live
                .filter(|(_, c)| c.local == ours_remote && c.remote == ours_local)
                .map(|(i, _)| (true, i))
                .last(),
            Target::Listener(addr) => live.filter(|(_, c)| c.remote == addr).map(|(i, _)| (true, i)).last(),
            Target::Udp { ours_remote, .. } => self
                .udps
                .iter()
                .enumerate()
                .filter(|(_, u)| u.as_ref().is_some_and(|u| u.local == ours_remote))
                .map(|(i, _)| (false, i))
                .last(),
        }
    }

    fn act(&mut self, target: Target, act: Act) -> Reply {
        let (is_conn, i) = self.find(target)?;
        if !is_conn {
            return self.act_udp(target, i, act);
        }
        let start = self.shared.now_ns();
        let shared = self.shared.clone();
        let Some(c) = self.conns[i].as_mut() else { return Err("gone".into()) };
        match act {
            Act::Send(p) => {
                c.out_arg = payload_arg(&p);
                c.out.extend_from_slice(&payload_bytes(&p));
                c.flush(&shared);
                return Ok(());
            }
            Act::Pause => c.reading = false,
            Act::Resume => {
                c.reading = true;
                c.drain(&shared, &mut self.buf);
            }
            Act::ShutdownWr => {
                let r = c.stream.shutdown(std::net::Shutdown::Write);
                let rec = r.map_or_else(|e| Rec::err(&e), |_| Rec::ok());
                record(&shared, Op::Shutdown, Arg::How(crate::command::How::Write), start, rec);
                return Ok(());
            }
            Act::Close | Act::Reset => {
                let mut c = self.conns[i].take().expect("checked above");
                let _ = self.poll.registry().deregister(&mut c.stream);
                if act == Act::Reset {
                    // SO_LINGER {on, 0}: close() sends RST instead of FIN.
                    let _ = SockRef::from(&c.stream).set_linger(Some(Duration::ZERO));
                }
                drop(c);
            }
        }
        let op = match act {
            Act::Pause => Op::Pause,
            Act::Resume => Op::Resume,
            Act::Reset => Op::Reset,
            _ => Op::Close,
        };
        record(&shared, op, Arg::None, start, Rec::ok());
        Ok(())
    }

    fn act_udp(&mut self, target: Target, i: usize, act: Act) -> Reply {
        let Target::Udp { ours_local, .. } = target else { return Err("not udp".into()) };
        let start = self.shared.now_ns();
        let Some(u) = self.udps[i].as_mut() else { return Err("gone".into()) };
        let op = match act {
            Act::Send(p) => {
                u.send_to(&self.shared, &payload_bytes(&p), payload_arg(&p), ours_local);
                return Ok(());
            }
            Act::Pause => {
                u.reading = false;
                Op::Pause
            }
            Act::Resume => {
                u.reading = true;
                u.drain(&self.shared, &mut self.buf);
                Op::Resume
            }
            Act::Close | Act::Reset | Act::ShutdownWr => {
                let mut u = self.udps[i].take().expect("checked above");
                let _ = self.poll.registry().deregister(&mut u.sock);
                Op::Close
            }
        };
        record(&self.shared, op, Arg::None, start, Rec::ok());
        Ok(())
    }
}

/// A text send records its text (as the preview); a filler send its size.
fn payload_arg(p: &Payload) -> Arg {
    match p {
        Payload::Text(t) => Arg::Text(t.len() as u64),
        Payload::Size(n) => Arg::Size(*n),
    }
}

fn payload_bytes(p: &Payload) -> Vec<u8> {
    match p {
        Payload::Text(t) => t.clone(),
        Payload::Size(n) => (0..*n as usize).map(|i| b'A' + (i % 26) as u8).collect(),
    }
}
