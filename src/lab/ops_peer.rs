//! `peer …`: which peer-side socket a command is aimed at, and asking the
//! peer thread to act on it.

use std::net::SocketAddr;

use super::Engine;
use super::error::LabError;
use super::peer::{Act, Request, Target};
use crate::command::PeerCmd;
use crate::record::{SockInfo, SockKind};
use crate::sys;

impl Engine {
    /// `peer …`, aimed at the peer end of `sock`.
    pub fn peer(&mut self, cmd: PeerCmd, sock: &SockInfo) -> Result<(), LabError> {
        let (act, after) = match cmd {
            PeerCmd::Connect(n) => return self.peer_connect(n, sock),
            PeerCmd::Send { payload, after } => (Act::Send(payload), after),
            PeerCmd::Pause => (Act::Pause, None),
            PeerCmd::Resume => (Act::Resume, None),
            PeerCmd::Close => (Act::Close, None),
            PeerCmd::Reset => (Act::Reset, None),
            PeerCmd::ShutdownWr => (Act::ShutdownWr, None),
        };
        let target = peer_target(sock)?;
        if act == Act::Reset
            && matches!(target, Target::Unix { .. } | Target::UnixListener(_) | Target::UnixDgram(_))
        {
            return Err(LabError::Invalid(
                "`peer reset` has no meaning on an AF_UNIX socket: SO_LINGER 0 sends an RST only on TCP, and \
                 AF_UNIX has no RST (use `peer close`)"
                    .into(),
            ));
        }
        self.peer.act(target, act, after, sock.id).map_err(LabError::Peer)?;
        if let Some(d) = after {
            self.scheduled.push(std::time::Instant::now() + d);
        }
        Ok(())
    }

    /// `peer connect N`: clients for the current listener (timed ones when a
    /// `serve` runs on it).
    fn peer_connect(&mut self, n: u32, sock: &SockInfo) -> Result<(), LabError> {
        if let (SockKind::UnixListener, Some(to)) = (sock.kind, sock.local_path.clone()) {
            return self.peer.request(Request::ConnectUnix { to, n }).map_err(LabError::Peer);
        }
        let to = listener_addr(sock)?;
        let clients = self.serving.contains(&to).then(|| self.clients.begin(n));
        self.peer.request(Request::Connect { to, n, clients }).map_err(LabError::Peer)
    }
}

fn listener_addr(sock: &SockInfo) -> Result<SocketAddr, LabError> {
    match (sock.kind, sock.local) {
        (SockKind::TcpListener, Some(a)) => Ok(a),
        _ => Err(LabError::Invalid(format!(
            "`peer connect` needs a listener: #{} is a {} (try `listen` first)",
            sock.id,
            sock.kind.word()
        ))),
    }
}

impl Engine {
    /// Our socket `sock` was closed: the peer closes its end once it has
    /// read the EOF, as a server would. A listener has no peer end of its own.
    pub(super) fn tell_peer_closed(&self, sock: &SockInfo) {
        if sock.kind.is_listener() {
            return;
        }
        // The fd is gone (its number may be another socket's by now): only
        // the addresses read while it was open are used.
        if let Ok(target) = target_of(sock, (None, None)) {
            self.peer.tell(Request::OursClosed(target));
        }
    }
}

/// The peer-side socket that `sock` is connected to.
fn peer_target(sock: &SockInfo) -> Result<Target, LabError> {
    target_of(sock, sys::addrs(sock.fd))
}

/// Which peer socket is the other end of `sock`; `fresh` are its addresses
/// read now, when it is open.
fn target_of(sock: &SockInfo, fresh: (Option<SocketAddr>, Option<SocketAddr>)) -> Result<Target, LabError> {
    let id = sock.id;
    let not_paired = || LabError::Invalid(format!("#{id} is not connected to the peer"));
    let path = |p: &Option<String>| p.clone().ok_or_else(not_paired);
    match sock.kind {
        SockKind::TcpListener => Ok(Target::Listener(sock.local.ok_or_else(not_paired)?)),
        SockKind::UnixListener => Ok(Target::UnixListener(path(&sock.local_path)?)),
        SockKind::UnixDgram => Ok(Target::UnixDgram(path(&sock.remote_path)?)),
        SockKind::UnixClient | SockKind::UnixAccepted => {
            let listener = match sock.kind {
                SockKind::UnixClient => path(&sock.remote_path)?,
                _ => path(&sock.local_path)?,
            };
            Ok(Target::Unix { listener, nth: sock.pair.ok_or_else(not_paired)? })
        }
        kind => {
            // A v4-mapped IPv6 address is the endpoint the peer sees as IPv4.
            let canon = |a: SocketAddr| SocketAddr::new(a.ip().to_canonical(), a.port());
            let ours_local = fresh.0.or(sock.local).map(canon).ok_or_else(not_paired)?;
            let ours_remote = fresh.1.or(sock.remote).map(canon).ok_or_else(not_paired)?;
            Ok(match kind {
                SockKind::Udp => Target::Udp { ours_local, ours_remote },
                _ => Target::Tcp { ours_local, ours_remote },
            })
        }
    }
}
