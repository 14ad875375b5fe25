//! Each socket's kind and mode, kept from the program's own calls: the type
//! given to socket()/accept4() (SOCK_NONBLOCK), fcntl(F_SETFL), ioctl(FIONBIO)
//! and setsockopt(SO_RCVTIMEO/SO_SNDTIMEO). A socket first seen already open
//! (inherited, or at attach) is read from outside: O_NONBLOCK from
//! `/proc/PID/fdinfo/FD`, and its type and timers from a duplicate of the fd
//! taken with pidfd_getfd (or, failing that, the kernel's protocol name).
//!
//! The state is kept per socket (inode), not per fd: dup'd and inherited fds
//! share the open file, so they share O_NONBLOCK and the timers.

use std::collections::HashMap;
use std::ffi::CString;
use std::time::Duration;

use super::event::{Mode, SockFamily, SockKind};
use super::fds::Inode;
use super::sys;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SockState {
    pub kind: SockKind,
    pub family: SockFamily,
    pub mode: Mode,
}

#[derive(Debug, Default)]
pub struct Socks {
    map: HashMap<Inode, SockState>,
}

impl Socks {
    pub fn get(&self, inode: Inode) -> Option<&SockState> {
        self.map.get(&inode)
    }

    /// The state of a socket, reading it from outside if it is new to us.
    pub fn get_or_probe(&mut self, inode: Inode, pid: u32, fd: i32) -> SockState {
        *self.map.entry(inode).or_insert_with(|| probe(pid, fd))
    }

    pub fn insert(&mut self, inode: Inode, s: SockState) {
        self.map.insert(inode, s);
    }

    pub fn remove(&mut self, inode: Inode) {
        self.map.remove(&inode);
    }

    pub fn mode(&self, inode: Inode) -> Mode {
        self.map.get(&inode).map(|s| s.mode).unwrap_or_default()
    }

    /// Applies a change; returns the new mode if it differs.
    pub fn change(&mut self, inode: Inode, f: impl FnOnce(&mut Mode)) -> Option<Mode> {
        let s = self.map.entry(inode).or_default();
        let before = s.mode;
        f(&mut s.mode);
        (s.mode != before).then_some(s.mode)
    }
}

/// A kernel timer as the program set it: 0 means forever, shown as unset.
pub fn timer(d: Duration) -> Option<Duration> {
    (!d.is_zero()).then_some(d)
}

/// Reads a socket of another process: see the module notes.
pub fn probe(pid: u32, fd: i32) -> SockState {
    let nonblock = fdinfo_flags(pid, fd).is_some_and(|f| f & libc::O_NONBLOCK as u32 != 0);
    let mut s = SockState { mode: Mode { nonblock, ..Mode::default() }, ..SockState::default() };
    if let Ok(dup) = sys::dup_from(pid as i32, fd) {
        let sock = socket2::SockRef::from(&dup);
        if let Ok(ty) = sock.r#type() {
            s.kind = SockKind::from_type(i32::from(ty));
        }
        if let Ok(d) = sock.domain() {
            s.family = SockFamily::from_domain(i32::from(d));
        }
        s.mode.rcvtimeo = sock.read_timeout().ok().flatten();
        s.mode.sndtimeo = sock.write_timeout().ok().flatten();
    } else if let Some(name) = proto_name(pid, fd) {
        (s.kind, s.family) = from_proto_name(&name);
    }
    s
}

/// The `flags:` line of `/proc/PID/fdinfo/FD` (octal).
pub fn fdinfo_flags(pid: u32, fd: i32) -> Option<u32> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}")).ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix("flags:"))?;
    u32::from_str_radix(line.trim(), 8).ok()
}

/// The kernel's name for the socket's protocol (`TCP`, `UDPv6`, `UNIX-STREAM`).
fn proto_name(pid: u32, fd: i32) -> Option<Vec<u8>> {
    let path = CString::new(format!("/proc/{pid}/fd/{fd}")).ok()?;
    sys::getxattr(&path, c"system.sockprotoname")
}

fn from_proto_name(name: &[u8]) -> (SockKind, SockFamily) {
    match name {
        b"TCP" | b"MPTCP" => (SockKind::Stream, SockFamily::Inet),
        b"TCPv6" => (SockKind::Stream, SockFamily::Inet6),
        b"UDP" | b"UDP-Lite" | b"PING" => (SockKind::Datagram, SockFamily::Inet),
        b"UDPv6" | b"UDPLITEv6" | b"PINGv6" => (SockKind::Datagram, SockFamily::Inet6),
        b"UNIX-STREAM" => (SockKind::Stream, SockFamily::Unix),
        b"UNIX" => (SockKind::Datagram, SockFamily::Unix),
        b"UNIX-SEQPACKET" => (SockKind::SeqPacket, SockFamily::Unix),
        b"NETLINK" => (SockKind::Datagram, SockFamily::Netlink),
        b"RAW" => (SockKind::Raw, SockFamily::Inet),
        _ => (SockKind::Unknown, SockFamily::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_socket_of_this_process_is_read_from_outside() {
        let pid = std::process::id();
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        udp.set_nonblocking(true).unwrap();
        udp.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let s = probe(pid, udp.as_raw_fd());
        assert_eq!((s.kind, s.family), (SockKind::Datagram, SockFamily::Inet));
        assert!(s.mode.nonblock);
        assert_eq!(s.mode.rcvtimeo, Some(Duration::from_millis(200)));
        assert_eq!(s.mode.sndtimeo, None);
        let l = std::net::TcpListener::bind("[::1]:0").unwrap();
        assert_eq!(
            from_proto_name(&proto_name(pid, l.as_raw_fd()).unwrap()),
            (SockKind::Stream, SockFamily::Inet6)
        );
    }
}
