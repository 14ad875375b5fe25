//! What each epoll instance watches, learnt from the program's epoll_ctl
//! calls: which socket fds, and the `data` word the program gets back for
//! each, so an epoll_wait's results can be named by fd.

use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Default, Clone)]
struct Interest {
    /// fd -> (events, data)
    fds: BTreeMap<i32, (u32, u64)>,
}

/// Whether an epoll fd watches sockets, as far as the tracer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watch {
    Sockets,
    NoSockets,
    /// Registered before the tracer saw it (attach, inherited): shown.
    Unknown,
}

#[derive(Debug, Default)]
pub struct Epolls {
    map: HashMap<(u32, i32), Interest>,
    /// epoll fds whose whole registration the tracer saw (created after the
    /// trace started, in a spawned program).
    complete: bool,
}

impl Epolls {
    /// With `complete`, an epoll fd with no recorded socket watches none.
    pub fn new(complete: bool) -> Epolls {
        Epolls { map: HashMap::new(), complete }
    }

    pub fn add(&mut self, pid: u32, epfd: i32, fd: i32, events: u32, data: u64) {
        self.map.entry((pid, epfd)).or_default().fds.insert(fd, (events, data));
    }

    pub fn remove(&mut self, pid: u32, epfd: i32, fd: i32) {
        if let Some(i) = self.map.get_mut(&(pid, epfd)) {
            i.fds.remove(&fd);
        }
    }

    pub fn watch(&self, pid: u32, epfd: i32) -> Watch {
        match self.map.get(&(pid, epfd)) {
            Some(i) if !i.fds.is_empty() => Watch::Sockets,
            Some(_) => Watch::NoSockets,
            None if self.complete => Watch::NoSockets,
            None => Watch::Unknown,
        }
    }

    /// The socket fds `epfd` watches, with their events.
    pub fn fds(&self, pid: u32, epfd: i32) -> Vec<(i32, u32)> {
        self.map
            .get(&(pid, epfd))
            .map(|i| i.fds.iter().map(|(&fd, &(ev, _))| (fd, ev)).collect())
            .unwrap_or_default()
    }

    /// The socket fd registered with `data`, if one is.
    pub fn fd_for(&self, pid: u32, epfd: i32, data: u64) -> Option<i32> {
        let i = self.map.get(&(pid, epfd))?;
        i.fds.iter().find(|(_, (_, d))| *d == data).map(|(&fd, _)| fd)
    }

    /// `fd` was closed: as an epoll fd its registrations go; as a watched
    /// socket it leaves every set (the kernel drops it with its last fd).
    pub fn forget_fd(&mut self, pid: u32, fd: i32) {
        self.map.remove(&(pid, fd));
        for ((p, _), i) in self.map.iter_mut() {
            if *p == pid {
                i.fds.remove(&fd);
            }
        }
    }

    /// Every registration of `pid` (exec or exit).
    pub fn forget_process(&mut self, pid: u32) {
        self.map.retain(|&(p, _), _| p != pid);
    }
}

impl Epolls {
    /// A forked child starts with its parent's epoll fds.
    pub fn inherit(&mut self, parent: u32, child: u32) {
        let copies: Vec<((u32, i32), Interest)> = self
            .map
            .iter()
            .filter(|((p, _), _)| *p == parent)
            .map(|(&(_, fd), i)| ((child, fd), i.clone()))
            .collect();
        self.map.extend(copies);
    }
}
