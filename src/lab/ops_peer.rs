//! `peer …`: which peer-side socket a command is aimed at, and asking the
//! peer thread to act on it.

use std::net::SocketAddr;

use super::Lab;
use super::error::LabError;
use super::event::SockKind;
use super::peer::{Act, Request, Target};
use super::socket::SockHandle;
use super::sys;
use crate::command::PeerCmd;

impl Lab {
    /// `peer …`, aimed at the peer end of the current socket.
    pub fn peer(&mut self, cmd: PeerCmd) -> Result<(), LabError> {
        let (act, after) = match cmd {
            PeerCmd::Connect(n) => return self.peer_connect(n),
            PeerCmd::Send { payload, after } => (Act::Send(payload), after),
            PeerCmd::Pause => (Act::Pause, None),
            PeerCmd::Resume => (Act::Resume, None),
            PeerCmd::Close => (Act::Close, None),
            PeerCmd::Reset => (Act::Reset, None),
            PeerCmd::ShutdownWr => (Act::ShutdownWr, None),
        };
        let target = self.peer_target()?;
        if act == Act::Reset
            && matches!(target, Target::Unix { .. } | Target::UnixListener(_) | Target::UnixDgram(_))
        {
            return Err(LabError::Invalid(
                "`peer reset` has no meaning on an AF_UNIX socket: SO_LINGER 0 sends an RST only on TCP, and \
                 AF_UNIX has no RST (use `peer close`)"
                    .into(),
            ));
        }
        let ours = self.current_open()?;
        self.live_peer()?.act(target, act, after, ours).map_err(LabError::Peer)?;
        if let Some(d) = after {
            self.scheduled.push(std::time::Instant::now() + d);
        }
        Ok(())
    }

    /// `peer connect N`: clients for the current listener (timed ones when a
    /// `serve` runs on it).
    fn peer_connect(&mut self, n: u32) -> Result<(), LabError> {
        if let Some(to) = self.unix_listener_path()? {
            return self.live_peer()?.request(Request::ConnectUnix { to, n }).map_err(LabError::Peer);
        }
        let to = self.listener_addr()?;
        let clients = self.serving.contains(&to).then(|| self.clients.begin(n));
        self.live_peer()?.request(Request::Connect { to, n, clients }).map_err(LabError::Peer)
    }

    fn listener_addr(&self) -> Result<SocketAddr, LabError> {
        let id = self.current_open()?;
        let h = &self.socks[&id];
        match (h.info.kind, h.info.local) {
            (SockKind::TcpListener, Some(a)) => Ok(a),
            _ => Err(LabError::Invalid(format!(
                "`peer connect` needs a listener: #{id} is a {} (try `listen` first)",
                h.info.kind.word()
            ))),
        }
    }

    fn peer_target(&self) -> Result<Target, LabError> {
        let id = self.current_open()?;
        let h = &self.socks[&id];
        target_of(h, sys::addrs(h.info.fd))
    }

    /// Our socket #id is closed: the peer closes its end once it has read
    /// the EOF, as a server would. A listener has no peer end of its own.
    pub(super) fn tell_peer_closed(&self, id: u32) {
        let (Some(peer), Some(h)) = (&self.peer, self.socks.get(&id)) else { return };
        if h.info.kind.is_listener() {
            return;
        }
        // The fd is gone (its number may be another socket's by now): only
        // the addresses recorded while it was open are used.
        if let Ok(target) = target_of(h, (None, None)) {
            peer.tell(Request::OursClosed(target));
        }
    }

    /// The path of the current socket, if it is an AF_UNIX listener.
    fn unix_listener_path(&self) -> Result<Option<String>, LabError> {
        let id = self.current_open()?;
        let h = &self.socks[&id];
        Ok(match h.info.kind {
            SockKind::UnixListener => h.info.local_path.clone(),
            _ => None,
        })
    }
}

/// Which peer socket is the other end of `h`; `fresh` are its addresses read
/// now, when it is open.
fn target_of(h: &SockHandle, fresh: (Option<SocketAddr>, Option<SocketAddr>)) -> Result<Target, LabError> {
    let id = h.info.id;
    let not_paired = || LabError::Invalid(format!("#{id} is not connected to the peer"));
    let path = |p: &Option<String>| p.clone().ok_or_else(not_paired);
    match h.info.kind {
        SockKind::TcpListener => Ok(Target::Listener(h.info.local.ok_or_else(not_paired)?)),
        SockKind::UnixListener => Ok(Target::UnixListener(path(&h.info.local_path)?)),
        SockKind::UnixDgram => Ok(Target::UnixDgram(path(&h.info.remote_path)?)),
        SockKind::UnixClient | SockKind::UnixAccepted => {
            let listener = match h.info.kind {
                SockKind::UnixClient => path(&h.info.remote_path)?,
                _ => path(&h.info.local_path)?,
            };
            Ok(Target::Unix { listener, nth: h.info.pair.ok_or_else(not_paired)? })
        }
        kind => {
            // A v4-mapped IPv6 address is the endpoint the peer sees as IPv4.
            let canon = |a: SocketAddr| SocketAddr::new(a.ip().to_canonical(), a.port());
            let ours_local = fresh.0.or(h.info.local).map(canon).ok_or_else(not_paired)?;
            let ours_remote = fresh.1.or(h.info.remote).map(canon).ok_or_else(not_paired)?;
            Ok(match kind {
                SockKind::Udp => Target::Udp { ours_local, ours_remote },
                _ => Target::Tcp { ours_local, ours_remote },
            })
        }
    }
}
