//! What the learner's script knows as it goes: which socket is current, how
//! the sockets are numbered (as sockscope numbers them) and named in Python,
//! their modes, and the peer's end of each.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use crate::command::{Command, ModeSet, PeerCmd, Proto, ServeKind, SockCall, UnixKind};

/// What kind of socket a number stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A TCP client (`open tcp`, or `socket tcp` then `connect`).
    Tcp,
    Udp,
    Unix,
    UnixGram,
    Listener,
    UnixListener,
    /// A socket a listener accepted.
    Accepted,
}

impl Kind {
    fn base(self) -> &'static str {
        match self {
            Kind::Tcp | Kind::Unix => "sock",
            Kind::Udp => "udp",
            Kind::UnixGram => "dgram",
            Kind::Listener | Kind::UnixListener => "listener",
            Kind::Accepted => "conn",
        }
    }

    pub fn is_dgram(self) -> bool {
        matches!(self, Kind::Udp | Kind::UnixGram)
    }
}

/// Python's view of a socket's mode, and the kernel timers set on it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Mode {
    /// `None`: blocking; `Some(ZERO)`: non-blocking; `Some(T)`: settimeout(T).
    pub timeout: Option<Duration>,
    pub rcvtimeo: Duration,
    pub sndtimeo: Duration,
}

impl Mode {
    pub fn set(&mut self, m: ModeSet) {
        match m {
            ModeSet::Blocking | ModeSet::Timeout(None) => self.timeout = None,
            ModeSet::Nonblocking => self.timeout = Some(Duration::ZERO),
            ModeSet::Timeout(Some(t)) => self.timeout = Some(t),
            ModeSet::RcvTimeo(t) => self.rcvtimeo = t,
            ModeSet::SndTimeo(t) => self.sndtimeo = t,
        }
    }
}

/// The peer's end of one of our sockets, once the script has it.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerEnd {
    pub name: String,
    /// The script does not read from it after our sends: `peer pause`, or
    /// after `peer resume`, when a thread of its own reads.
    pub paused: bool,
    /// Closed or reset: it reads nothing more.
    pub closed: bool,
    /// `peer shutdown wr`: a send of its fails (EPIPE). (After a close
    /// sockscope's peer has no end to send from: the command fails.)
    pub shut_wr: bool,
}

#[derive(Debug, Clone)]
pub struct Sock {
    pub name: String,
    pub kind: Kind,
    pub mode: Mode,
    pub peer: Option<PeerEnd>,
    /// A listener: peer clients that connected and are not accepted yet.
    pub waiting: VecDeque<String>,
    /// A listener's newest peer client (where `peer …` on it goes).
    pub newest: Option<String>,
    /// A listener with a `serve` on it: its kind and how many clients are left.
    pub serving: Option<(ServeKind, u32)>,
    /// A unix listener we bound: the Python expression of its path.
    pub path: Option<String>,
    /// A fresh socket whose connect reached the peer's listener.
    pub to_server: bool,
}

#[derive(Debug, Default, Clone)]
pub struct Sim {
    pub socks: BTreeMap<u32, Sock>,
    pub current: Option<u32>,
    last: u32,
    /// Peer clients of our own listeners made so far (`client1` …).
    pub clients: u32,
    /// Clients of a `serve` so far (c1, c2 …), numbered as sockscope numbers them.
    pub serve_clients: u32,
}

impl Sim {
    fn add(&mut self, kind: Kind, current: bool) -> u32 {
        self.last += 1;
        let n = self.last;
        let name = if n == 1 { kind.base().to_string() } else { format!("{}{n}", kind.base()) };
        let sock = Sock {
            name,
            kind,
            mode: Mode::default(),
            peer: None,
            waiting: VecDeque::new(),
            newest: None,
            serving: None,
            path: None,
            to_server: false,
        };
        self.socks.insert(n, sock);
        if current {
            self.current = Some(n);
        }
        n
    }

    pub fn cur(&self) -> Option<&Sock> {
        self.current.and_then(|n| self.socks.get(&n))
    }

    pub fn cur_mut(&mut self) -> Option<&mut Sock> {
        self.current.and_then(|n| self.socks.get_mut(&n))
    }

    /// The sockets the serve on listener `l` accepts when `k` clients connect.
    fn serve_accepts(&mut self, l: u32, k: u32) -> Vec<u32> {
        let Some(sock) = self.socks.get_mut(&l) else { return Vec::new() };
        let Some((kind, left)) = sock.serving else { return Vec::new() };
        let took = k.min(left);
        sock.serving = Some((kind, left - took));
        (0..took).map(|_| self.add(Kind::Accepted, false)).collect()
    }

    /// Carries out what `cmd` does to the numbering, the current socket and
    /// the modes. `accepted` says whether an `accept` makes a socket.
    /// Returns the sockets it made.
    pub fn step(&mut self, cmd: &Command, accepted: bool) -> Vec<u32> {
        match cmd {
            Command::Open { proto: Proto::Tcp, .. } => vec![self.add(Kind::Tcp, true)],
            Command::Open { proto: Proto::Udp, .. } => vec![self.add(Kind::Udp, true)],
            Command::Socket { proto: Proto::Tcp, .. } => vec![self.add(Kind::Tcp, true)],
            Command::Socket { proto: Proto::Udp, .. } => vec![self.add(Kind::Udp, true)],
            Command::OpenUnix { kind: UnixKind::Stream, .. } => vec![self.add(Kind::Unix, true)],
            Command::OpenUnix { kind: UnixKind::Datagram, .. } => vec![self.add(Kind::UnixGram, true)],
            Command::Listen { .. } => vec![self.add(Kind::Listener, true)],
            Command::ListenUnix { .. } => vec![self.add(Kind::UnixListener, true)],
            Command::Use(n) => {
                self.current = Some(*n);
                Vec::new()
            }
            Command::Mode(m) => {
                if let Some(s) = self.cur_mut() {
                    s.mode.set(*m);
                }
                Vec::new()
            }
            Command::Call(SockCall::Accept) if accepted => vec![self.add(Kind::Accepted, false)],
            Command::Peer(PeerCmd::Connect(k)) => match self.current {
                Some(l) => self.serve_accepts(l, *k),
                None => Vec::new(),
            },
            Command::Serve { kind, clients } => {
                if let Some(s) = self.cur_mut() {
                    s.serving = Some((*kind, *clients));
                }
                Vec::new()
            }
            Command::PollAdd { sock, .. } => {
                // An event loop needs a non-blocking socket: sockscope switches it.
                let n = sock.or(self.current);
                if let Some(s) = n.and_then(|n| self.socks.get_mut(&n))
                    && s.mode.timeout.is_none()
                {
                    s.mode.timeout = Some(Duration::ZERO);
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
