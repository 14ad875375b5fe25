//! The engine: real sockets, their worker threads, the embedded peer and
//! the event loop. It takes typed requests (which socket, which call) and
//! reports everything that happens as [`Event`]s into one channel, which it
//! never reads itself: the front end folds them into a
//! [`Record`](crate::record::Record). It keeps no copy of that state; what
//! it holds are resources (fds, threads) and, per socket, the Python-level
//! mode its calls run under, as a CPython socket object does.
//!
//! No UI crate is used here.

mod clients;
mod error;
mod eventloop;
mod ops;
mod ops_loop;
mod ops_peer;
mod ops_unix;
mod peer;
pub mod sample;
mod serve;
mod shared;
mod socket;
pub mod spin;
pub mod unix;
mod worker;

use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::{Receiver, unbounded};

pub use error::LabError;
pub use ops::MAX_OPEN;

use crate::record::Event;
use peer::Peer;
use shared::Shared;

/// One session's sockets, peer and event loop.
pub struct Engine {
    shared: Arc<Shared>,
    /// Started by the first `poll add`.
    eventloop: Option<eventloop::EventLoop>,
    peer: Peer,
    /// Listeners with a `serve` running: `peer connect` to them makes clients.
    serving: Vec<std::net::SocketAddr>,
    clients: clients::Clients,
    /// When scheduled peer sends are due (so a UI knows to keep animating).
    scheduled: Vec<Instant>,
    /// Socket files our listeners bound: unlinked when the engine goes, in
    /// case a listener's worker cannot (it is stuck in a call).
    bound: Vec<unix::Bound>,
    /// The private directory for AF_UNIX paths. Declared last, so it is
    /// removed after everything else is gone.
    tmp: unix::TempDir,
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.shared.release_all();
        for b in &self.bound {
            b.unlink();
        }
    }
}

impl Engine {
    /// A new engine with the embedded peer listening on loopback, and the
    /// receiving end of its event channel.
    pub fn start() -> Result<(Engine, Receiver<Event>), LabError> {
        let (tx, rx) = unbounded();
        let shared = Arc::new(Shared::new(tx));
        let tmp = unix::TempDir::new().map_err(LabError::sys("mkdir (temp dir)", None))?;
        let peer =
            Peer::start(shared.clone(), tmp.join("peer.sock")).map_err(LabError::sys("peer listen", None))?;
        let engine = Engine {
            shared,
            eventloop: None,
            peer,
            serving: Vec::new(),
            clients: clients::Clients::default(),
            scheduled: Vec::new(),
            bound: Vec::new(),
            tmp,
        };
        Ok((engine, rx))
    }

    /// Time zero of the session.
    pub fn epoch(&self) -> Instant {
        self.shared.epoch
    }

    pub fn now_ns(&self) -> u64 {
        self.shared.now_ns()
    }

    /// The address `open tcp` with no address connects to.
    pub fn peer_addr(&self) -> std::net::SocketAddr {
        self.peer.listen_addr
    }

    /// The path `open unix` with no path connects to.
    pub fn peer_unix_path(&self) -> &std::path::Path {
        self.peer.unix_path.as_path()
    }

    /// When the next scheduled peer action is due, if one is still to come.
    pub fn peer_pending(&mut self) -> Option<Instant> {
        let now = Instant::now();
        self.scheduled.retain(|t| *t > now);
        self.scheduled.iter().min().copied()
    }

    /// The fd of socket `id` while it is open (for samples of the kernel's view).
    pub fn fd(&self, id: u32) -> Option<std::os::fd::RawFd> {
        self.shared.with_sock(id, |h| h.is_open().then_some(h.fd())).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic anywhere above the engine (the TUI's loop, a run) unwinds
    /// through it, and the unwinding removes its directory and the peer's
    /// socket file: the release profile keeps `panic = "unwind"`.
    #[test]
    fn a_panic_removes_the_peer_socket_file() {
        let seen = std::sync::Mutex::new(None);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let (engine, _rx) = Engine::start().expect("an engine");
            let path = engine.peer_unix_path().to_path_buf();
            assert!(path.exists());
            *seen.lock().unwrap() = Some(path);
            panic!("on purpose");
        }));
        assert!(r.is_err());
        let path = seen.lock().unwrap().take().expect("the path was seen");
        assert!(!path.exists(), "{} is left", path.display());
        assert!(!path.parent().unwrap().exists(), "the lab's directory is left");
    }
}
