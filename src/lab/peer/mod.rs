//! The embedded peer: the other end of every connection the user opens
//! without an address. It runs on its own thread over mio, so it never sits
//! in a blocking call: `peer close` and `peer reset` go out at once.

mod act;
mod conn;
mod hangup;
mod run;
mod stream;

use std::net::{SocketAddr, TcpListener as StdListener, UdpSocket};
use std::os::unix::net::{UnixDatagram, UnixListener as StdUnixListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, bounded, unbounded};
use mio::{Poll, Waker};

use super::shared::Shared;
use crate::command::Payload;

/// Which of the peer's sockets an action is for, named from our side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The peer end of our TCP connection `ours_local` ⇄ `ours_remote`.
    Tcp { ours_local: SocketAddr, ours_remote: SocketAddr },
    /// The newest peer client connected to our listener at this address.
    Listener(SocketAddr),
    /// The peer's UDP socket at `ours_remote`, talking to `ours_local`.
    Udp { ours_local: SocketAddr, ours_remote: SocketAddr },
    /// The peer end of connection `nth` to the AF_UNIX listener at `listener`.
    Unix { listener: String, nth: u64 },
    /// The newest peer client connected to our AF_UNIX listener at this path.
    UnixListener(String),
    /// The peer's AF_UNIX datagram socket bound at this path.
    UnixDgram(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    Send(Payload),
    Pause,
    Resume,
    Close,
    Reset,
    ShutdownWr,
}

pub(crate) enum Request {
    Act {
        target: Target,
        act: Act,
        at: Option<Instant>,
        /// Our end's number, for messages.
        ours: u32,
    },
    /// Our end of this connection (or datagram pair) is closed.
    OursClosed(Target),
    Adopt(UdpSocket),
    /// The peer's end of an `open unixgram`, bound and connected already.
    AdoptUnix(UnixDatagram),
    /// `peer connect N` to our AF_UNIX listener at this path.
    ConnectUnix {
        to: String,
        n: u32,
    },
    /// `peer connect N`. With `clients: Some(first)`, a `serve` is running:
    /// the clients are numbered from `first` and each sends a request
    /// (the first after [`THINK`], the rest at once) and times the echo.
    Connect {
        to: SocketAddr,
        n: u32,
        clients: Option<u32>,
    },
    Quit,
}

type Reply = Result<(), String>;

impl Request {
    /// For logs.
    pub fn name(&self) -> &'static str {
        match self {
            Request::Act { act: Act::Send(_), .. } => "send",
            Request::Act { act: Act::Pause, .. } => "pause",
            Request::Act { act: Act::Resume, .. } => "resume",
            Request::Act { act: Act::Close, .. } => "close",
            Request::Act { act: Act::Reset, .. } => "reset",
            Request::Act { act: Act::ShutdownWr, .. } => "shutdown wr",
            Request::OursClosed(_) => "ours closed",
            Request::Adopt(_) => "adopt udp",
            Request::AdoptUnix(_) => "adopt unixgram",
            Request::ConnectUnix { .. } => "connect unix",
            Request::Connect { .. } => "connect",
            Request::Quit => "quit",
        }
    }
}

/// How long the first client of a `serve` thinks before sending its request:
/// the slow client a blocking server gets stuck on.
pub const THINK: Duration = Duration::from_millis(300);

/// The lab's handle on the peer thread.
pub struct Peer {
    tx: Sender<(Request, Option<Sender<Reply>>)>,
    waker: Arc<Waker>,
    /// Where `open tcp` / `connect` with no address go.
    pub listen_addr: SocketAddr,
    /// Where `open unix` with no path goes (in the lab's private directory,
    /// which removes it).
    pub unix_path: PathBuf,
}

/// How long to wait for the peer thread to acknowledge a request. It never
/// blocks, so this is only a guard against a dead thread.
const ACK_WAIT: Duration = Duration::from_secs(2);

impl Peer {
    pub fn start(shared: Arc<Shared>, unix_path: PathBuf) -> std::io::Result<Peer> {
        let listener = StdListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let listen_addr = listener.local_addr()?;
        let unix = StdUnixListener::bind(&unix_path)?;
        unix.set_nonblocking(true)?;
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), run::WAKER)?);
        let (tx, rx) = unbounded();
        let unix_text = super::unix::text(&unix_path);
        let state = run::PeerLoop::new(shared, poll, listener, (unix, unix_text), rx)?;
        thread::Builder::new().name("peer".into()).spawn(move || state.run())?;
        Ok(Peer { tx, waker, listen_addr, unix_path })
    }

    /// Sends a request and waits for the peer thread to say it was done.
    pub(crate) fn request(&self, req: Request) -> Reply {
        let (rtx, rrx) = bounded(1);
        self.tx.send((req, Some(rtx))).map_err(|_| "the peer thread has stopped".to_string())?;
        let _ = self.waker.wake();
        rrx.recv_timeout(ACK_WAIT).unwrap_or_else(|_| Err("the peer did not answer".into()))
    }

    /// Sends a request that needs no answer, without waiting.
    pub(crate) fn tell(&self, req: Request) {
        let _ = self.tx.send((req, None));
        let _ = self.waker.wake();
    }

    /// Acts on the peer end of `target`, our socket `ours`.
    pub fn act(&self, target: Target, act: Act, after: Option<Duration>, ours: u32) -> Reply {
        let at = after.map(|d| Instant::now() + d);
        self.request(Request::Act { target, act, at, ours })
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.tx.send((Request::Quit, None));
        let _ = self.waker.wake();
    }
}
