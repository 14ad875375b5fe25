//! Readiness waits: poll, ppoll, select, pselect6, epoll_wait, epoll_pwait,
//! epoll_pwait2, and epoll_ctl. They go on the process's loop lane, and are
//! shown when at least one fd they watch is a socket.

use std::time::Duration;

use super::arg::{Arg, WaitFd};
use super::mem::{self, Mem};
use super::{Begin, Cx, Entry};
use crate::trace::epolls::Watch;
use crate::trace::event::{Call, Op, Outcome, TimeoutBy};
use crate::trace::syscall::Syscall;

const POLLIN: u32 = 0x1;
const POLLPRI: u32 = 0x2;
const POLLOUT: u32 = 0x4;
/// epoll_event is packed on x86-64 (12 bytes), padded elsewhere.
const EPOLL_EVENT: usize = if cfg!(target_arch = "x86_64") { 12 } else { 16 };

pub fn entry(cx: &mut Cx, sc: Syscall, a: &[u64; 6]) -> Entry {
    let m = cx.mem();
    let (watched, timeout) = match sc {
        Syscall::Poll => (pollfds(m, a[0], a[1]), ms(a[2] as i32)),
        Syscall::Ppoll => (pollfds(m, a[0], a[1]), timespec(m, a[2])),
        Syscall::Select => (fd_sets(m, a), timeval(m, a[4])),
        Syscall::Pselect6 => (fd_sets(m, a), timespec(m, a[4])),
        Syscall::EpollWait | Syscall::EpollPwait | Syscall::EpollPwait2 => {
            let epfd = a[0] as i32;
            if cx.k.epolls.watch(cx.tgid, epfd) == Watch::NoSockets {
                return Entry::Skip;
            }
            let t = if sc == Syscall::EpollPwait2 { timespec(m, a[3]) } else { ms(a[3] as i32) };
            let fds =
                cx.k.epolls
                    .fds(cx.tgid, epfd)
                    .into_iter()
                    .map(|(fd, events)| WaitFd { fd, events })
                    .collect();
            return Entry::Show(Begin::on_loop(cx, Op::Poll, Arg::Wait { fds, timeout: t }));
        }
        Syscall::EpollCtl => return epoll_ctl(cx, a),
        _ => return Entry::Skip,
    };
    let fds: Vec<WaitFd> = watched.into_iter().filter(|w| cx.sock(w.fd).is_some()).collect();
    if fds.is_empty() {
        return Entry::Skip;
    }
    Entry::Show(Begin::on_loop(cx, Op::Poll, Arg::Wait { fds, timeout }))
}

fn epoll_ctl(cx: &mut Cx, a: &[u64; 6]) -> Entry {
    let (op, fd) = (a[1] as i32, a[2] as i32);
    if cx.sock(fd).is_none() {
        return Entry::Skip;
    }
    // EPOLL_CTL_DEL ignores its event argument (often left uninitialised).
    let events = if op == libc::EPOLL_CTL_DEL {
        0
    } else {
        cx.mem().array::<4>(a[3]).map(u32::from_ne_bytes).unwrap_or(0)
    };
    Entry::Show(Begin::on_loop(cx, Op::Poll, Arg::EpollCtl { op, fd, events }))
}

pub fn exit(cx: &mut Cx, call: &mut Call, ret: i64) {
    if call.errno.is_some() {
        return;
    }
    let a = call.args;
    let m = cx.mem();
    if call.syscall == Syscall::EpollCtl {
        let (epfd, op, fd) = (a[0] as i32, a[1] as i32, a[2] as i32);
        match op {
            libc::EPOLL_CTL_DEL => cx.k.epolls.remove(cx.tgid, epfd, fd),
            _ => {
                let Some(ev) = m.bytes(a[3], EPOLL_EVENT) else { return };
                let data = mem::word(&ev, EPOLL_EVENT - 8);
                cx.k.epolls.add(cx.tgid, epfd, fd, mem::half(&ev, 0), data);
            }
        }
        return;
    }
    if ret == 0 {
        call.outcome = Outcome::Timeout(TimeoutBy::Poll);
        call.bytes = Some(0);
        return;
    }
    call.outcome = Outcome::Ready;
    call.bytes = Some(ret as u64);
    let Arg::Wait { fds, .. } = &call.arg else { return };
    call.ready = match call.syscall {
        Syscall::Poll | Syscall::Ppoll => pollfds_ready(m, a[0], a[1]),
        Syscall::Select | Syscall::Pselect6 => fd_sets(m, &a),
        _ => epoll_ready(cx, a[0] as i32, a[1], ret as u64),
    }
    .into_iter()
    .filter(|r| fds.iter().any(|w| w.fd == r.fd))
    .collect();
}

fn ms(t: i32) -> Option<Duration> {
    (t >= 0).then(|| Duration::from_millis(t as u64))
}

fn timespec(m: Mem, addr: u64) -> Option<Duration> {
    let (s, ns) = m.pair(addr)?;
    Some(Duration::new(s.max(0) as u64, ns.clamp(0, 999_999_999) as u32))
}

fn timeval(m: Mem, addr: u64) -> Option<Duration> {
    let (s, us) = m.pair(addr)?;
    Some(Duration::new(s.max(0) as u64, (us.clamp(0, 999_999) * 1000) as u32))
}

fn pollfds_raw(m: Mem, addr: u64, n: u64) -> Vec<(i32, u32, u32)> {
    let n = n.min(mem::MAX_ENTRIES) as usize;
    let Some(b) = m.bytes(addr, n * 8) else { return Vec::new() };
    b.chunks_exact(8)
        .map(|p| {
            let fd = i32::from_ne_bytes(p[..4].try_into().unwrap_or_default());
            let ev = u32::from(u16::from_ne_bytes([p[4], p[5]]));
            let rev = u32::from(u16::from_ne_bytes([p[6], p[7]]));
            (fd, ev, rev)
        })
        .collect()
}

fn pollfds(m: Mem, addr: u64, n: u64) -> Vec<WaitFd> {
    pollfds_raw(m, addr, n).into_iter().map(|(fd, events, _)| WaitFd { fd, events }).collect()
}

fn pollfds_ready(m: Mem, addr: u64, n: u64) -> Vec<WaitFd> {
    pollfds_raw(m, addr, n)
        .into_iter()
        .filter(|p| p.2 != 0)
        .map(|(fd, _, rev)| WaitFd { fd, events: rev })
        .collect()
}

/// The fds in select's three sets, as poll events (read, write, except).
fn fd_sets(m: Mem, a: &[u64; 6]) -> Vec<WaitFd> {
    let nfds = (a[0] as i64).clamp(0, 1024) as usize;
    let len = nfds.div_ceil(64) * 8;
    let sets: Vec<Option<Vec<u8>>> = [(a[1], POLLIN), (a[2], POLLOUT), (a[3], POLLPRI)]
        .iter()
        .map(|&(p, _)| if p == 0 || len == 0 { None } else { m.bytes(p, len) })
        .collect();
    let mut out = Vec::new();
    for fd in 0..nfds {
        let mut events = 0;
        for (set, bit) in sets.iter().zip([POLLIN, POLLOUT, POLLPRI]) {
            if set.as_ref().is_some_and(|s| s[fd / 8] & (1 << (fd % 8)) != 0) {
                events |= bit;
            }
        }
        if events != 0 {
            out.push(WaitFd { fd: fd as i32, events });
        }
    }
    out
}

fn epoll_ready(cx: &Cx, epfd: i32, addr: u64, n: u64) -> Vec<WaitFd> {
    let n = n.min(mem::MAX_ENTRIES) as usize;
    let Some(b) = cx.mem().bytes(addr, n * EPOLL_EVENT) else { return Vec::new() };
    b.chunks_exact(EPOLL_EVENT)
        .filter_map(|e| {
            let fd = cx.k.epolls.fd_for(cx.tgid, epfd, mem::word(e, EPOLL_EVENT - 8))?;
            Some(WaitFd { fd, events: mem::half(e, 0) })
        })
        .collect()
}
