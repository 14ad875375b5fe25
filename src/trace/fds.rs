//! Which fds are sockets. A cache per (process, fd), filled from
//! `/proc/PID/fd/N` (`socket:[INODE]`) the first time an fd is used, and kept
//! true by the calls that change the fd table: close, socket, accept,
//! dup*/F_DUPFD, close_range, and exec (close-on-exec).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// A socket's identity across fds and processes: its inode in sockfs.
pub type Inode = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    NotSocket,
    Socket(Inode),
}

/// What a lookup found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    NotSocket,
    /// A socket the cache already knew.
    Known(Inode),
    /// A socket seen for the first time through this fd.
    New(Inode),
}

impl Lookup {
    pub fn inode(self) -> Option<Inode> {
        match self {
            Lookup::NotSocket => None,
            Lookup::Known(i) | Lookup::New(i) => Some(i),
        }
    }
}

#[derive(Debug, Default)]
pub struct Fds {
    slots: HashMap<(u32, i32), Slot>,
    /// How many cached fds refer to each socket, so a socket's state can be
    /// dropped with its last fd.
    refs: HashMap<Inode, u32>,
}

/// The socket inode `/proc/PID/fd/FD` points to, if it is a socket.
pub fn read_inode(pid: u32, fd: i32) -> Option<Inode> {
    let link = std::fs::read_link(format!("/proc/{pid}/fd/{fd}")).ok()?;
    let s = link.to_str()?;
    s.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
}

impl Fds {
    /// Looks `fd` up, reading /proc on a miss.
    pub fn lookup(&mut self, pid: u32, fd: i32) -> Lookup {
        if fd < 0 {
            return Lookup::NotSocket;
        }
        match self.slots.get(&(pid, fd)) {
            Some(Slot::NotSocket) => Lookup::NotSocket,
            Some(Slot::Socket(i)) => Lookup::Known(*i),
            None => match read_inode(pid, fd) {
                Some(i) => {
                    self.set(pid, fd, i);
                    Lookup::New(i)
                }
                None => {
                    self.slots.insert((pid, fd), Slot::NotSocket);
                    Lookup::NotSocket
                }
            },
        }
    }

    /// Only what is cached (no /proc read).
    pub fn cached(&self, pid: u32, fd: i32) -> Option<Inode> {
        match self.slots.get(&(pid, fd)) {
            Some(Slot::Socket(i)) => Some(*i),
            _ => None,
        }
    }

    /// Records that `fd` is now socket `inode`.
    pub fn set(&mut self, pid: u32, fd: i32, inode: Inode) {
        self.forget(pid, fd);
        self.slots.insert((pid, fd), Slot::Socket(inode));
        *self.refs.entry(inode).or_default() += 1;
    }

    /// Forgets `fd`. Returns the socket's inode if this was its last known fd.
    pub fn forget(&mut self, pid: u32, fd: i32) -> Option<Inode> {
        match self.slots.remove(&(pid, fd)) {
            Some(Slot::Socket(i)) => match self.refs.entry(i) {
                Entry::Occupied(mut e) => {
                    *e.get_mut() -= 1;
                    if *e.get() == 0 {
                        e.remove();
                        Some(i)
                    } else {
                        None
                    }
                }
                Entry::Vacant(_) => Some(i),
            },
            _ => None,
        }
    }

    /// Every cached socket fd of `pid`.
    pub fn sockets_of(&self, pid: u32) -> Vec<(i32, Inode)> {
        let mut v: Vec<(i32, Inode)> = self
            .slots
            .iter()
            .filter_map(|(&(p, fd), s)| match s {
                Slot::Socket(i) if p == pid => Some((fd, *i)),
                _ => None,
            })
            .collect();
        v.sort_unstable();
        v
    }

    /// Every cached fd of `pid` in `lo..=hi`.
    pub fn fds_in(&self, pid: u32, lo: i32, hi: i32) -> Vec<i32> {
        self.slots.keys().filter(|&&(p, fd)| p == pid && (lo..=hi).contains(&fd)).map(|&(_, fd)| fd).collect()
    }

    /// Forgets every fd of `pid` (it exited); returns sockets left with no fd.
    pub fn forget_process(&mut self, pid: u32) -> Vec<Inode> {
        let fds = self.fds_in(pid, 0, i32::MAX);
        fds.into_iter().filter_map(|fd| self.forget(pid, fd)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_socket_is_found_cached_and_forgotten() {
        let pid = std::process::id();
        let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let fd = sock.as_raw_fd();
        let mut fds = Fds::default();
        let Lookup::New(inode) = fds.lookup(pid, fd) else { panic!("a socket") };
        assert_eq!(fds.lookup(pid, fd), Lookup::Known(inode));
        assert_eq!(fds.lookup(pid, 0).inode(), None, "stdin is no socket");
        fds.set(pid, 99, inode);
        assert_eq!(fds.forget(pid, fd), None, "fd 99 still holds it");
        assert_eq!(fds.forget(pid, 99), Some(inode));
        assert_eq!(fds.sockets_of(pid), vec![]);
    }
}
