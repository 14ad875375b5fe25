//! Setting up AF_UNIX sockets: `open unix`, `open unixgram`, `listen unix`.

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

use socket2::{Domain, SockAddr, Socket, Type};

use super::Engine;
use super::error::LabError;
use super::peer::Request;
use super::socket::Work;
use super::unix::{Bound, text};
use crate::command::UnixKind;
use crate::record::{Arg, Lane, Mode, Op, SockKind};

fn sockaddr(path: &Path) -> Result<SockAddr, LabError> {
    SockAddr::unix(path).map_err(LabError::sys_path("connect", path))
}

impl Engine {
    /// `open unix [PATH]`: a stream client. The connect runs on the new
    /// socket's worker; with no path it goes to the peer's AF_UNIX listener.
    pub fn open_unix(&mut self, path: Option<&str>) -> Result<(u32, u64), LabError> {
        self.room()?;
        let to = match path {
            Some(p) => PathBuf::from(p),
            None => self.peer.unix_path.clone(),
        };
        let addr = sockaddr(&to)?;
        let s = Socket::new(Domain::UNIX, Type::STREAM, None).map_err(LabError::sys("socket", None))?;
        let id = self.adopt(SockKind::UnixClient, s);
        let seq = self.submit(id, Work::Open(addr))?;
        Ok((id, seq))
    }

    /// `open unixgram [PATH]`: a datagram socket bound to a fresh path in the
    /// private directory (so replies can reach it), connected to PATH or,
    /// with none, to a peer datagram socket made for it, connected back.
    pub fn open_unixgram(&mut self, path: Option<&str>) -> Result<u32, LabError> {
        self.room()?;
        let start = self.shared.now_ns();
        let ours = self.tmp.fresh("dgram");
        let s = Socket::new(Domain::UNIX, Type::DGRAM, None).map_err(LabError::sys("socket", None))?;
        s.bind(&sockaddr(&ours)?).map_err(LabError::sys_path("bind", &ours))?;
        let to = match path {
            Some(p) => PathBuf::from(p),
            None => {
                let theirs = self.tmp.fresh("peer-dgram");
                let peer = UnixDatagram::bind(&theirs).map_err(LabError::sys_path("bind", &theirs))?;
                peer.connect(&ours).map_err(LabError::sys_path("connect", &ours))?;
                self.peer.request(Request::AdoptUnix(peer)).map_err(LabError::Peer)?;
                theirs
            }
        };
        s.connect(&sockaddr(&to)?).map_err(LabError::sys_path("connect", &to))?;
        let id = self.adopt(SockKind::UnixDgram, s);
        let arg = Arg::Unix(UnixKind::Datagram, text(&to).into());
        self.instant(Lane::Sock(id), Op::Open, arg, Mode::default(), None, start);
        Ok(id)
    }

    /// `listen unix [PATH]`: with no path, a fresh one in the private
    /// directory. A path that exists already is the kernel's EADDRINUSE.
    /// The file is unlinked again when the listener closes or the lab goes.
    pub fn listen_unix(&mut self, path: Option<&str>) -> Result<u32, LabError> {
        self.room()?;
        let start = self.shared.now_ns();
        let at = match path {
            Some(p) => PathBuf::from(p),
            None => self.tmp.fresh("listen"),
        };
        let s = Socket::new(Domain::UNIX, Type::STREAM, None).map_err(LabError::sys("socket", None))?;
        s.bind(&sockaddr(&at)?).map_err(LabError::sys_path("bind", &at))?;
        let bound = Bound::of(&at);
        if let Err(e) = s.listen(128) {
            if let Some(b) = bound {
                b.unlink();
            }
            return Err(LabError::sys_path("listen", &at)(e));
        }
        let id = self.adopt_unix(SockKind::UnixListener, s, bound);
        let arg = Arg::Unix(UnixKind::Stream, text(&at).into());
        self.instant(Lane::Sock(id), Op::Listen, arg, Mode::default(), None, start);
        Ok(id)
    }
}
