//! The structured arguments strace decodes: fcntl's commands, ioctl's
//! requests, socket options, pollfd arrays, epoll events, iovecs, msghdrs.

use super::fmt::{MSG_FLAGS, POLL_EVENTS, epoll_event, flags, open_flags, ptr, sockaddr};
use super::{EPOLL_EVENT, buffer, in_out};
use crate::trace::decode::mem::{Mem, half, word};

pub fn fcntl(a: [u64; 6]) -> String {
    let fd = a[0] as i32;
    match a[1] as i32 {
        libc::F_GETFL => format!("{fd}, F_GETFL"),
        libc::F_GETFD => format!("{fd}, F_GETFD"),
        libc::F_SETFL => format!("{fd}, F_SETFL, {}", open_flags(a[2])),
        libc::F_SETFD if a[2] & libc::FD_CLOEXEC as u64 != 0 => format!("{fd}, F_SETFD, FD_CLOEXEC"),
        libc::F_SETFD => format!("{fd}, F_SETFD, {}", a[2]),
        libc::F_DUPFD => format!("{fd}, F_DUPFD, {}", a[2] as i32),
        libc::F_DUPFD_CLOEXEC => format!("{fd}, F_DUPFD_CLOEXEC, {}", a[2] as i32),
        libc::F_GETOWN => format!("{fd}, F_GETOWN"),
        libc::F_SETOWN => format!("{fd}, F_SETOWN, {}", a[2] as i32),
        cmd => format!("{fd}, {cmd:#x} /* F_??? */, {:#x}", a[2]),
    }
}

pub fn ioctl_entry(m: Mem, a: [u64; 6]) -> String {
    let fd = a[0] as i32;
    match a[1] {
        libc::FIONBIO => {
            let v = m.i32(a[2]).map_or_else(|| ptr(a[2]), |n| format!("[{n}]"));
            format!("{fd}, FIONBIO, {v}")
        }
        libc::FIONREAD => format!("{fd}, FIONREAD, "),
        libc::TIOCOUTQ => format!("{fd}, TIOCOUTQ, "),
        0x8905 => format!("{fd}, SIOCATMARK, {}", ptr(a[2])),
        req => format!("{fd}, {req:#x}, {}", ptr(a[2])),
    }
}

pub fn setsockopt(m: Mem, a: [u64; 6]) -> String {
    let (fd, level, name, val, len) = (a[0] as i32, a[1] as i32, a[2] as i32, a[3], a[4] as u32);
    let (level_name, opt) = sockopt_names(level, name);
    let value = match (level, name, len) {
        (libc::SOL_SOCKET, libc::SO_LINGER, 8) => match m.array::<8>(val) {
            Some(b) => format!("{{l_onoff={}, l_linger={}}}", half(&b, 0) as i32, half(&b, 4) as i32),
            None => ptr(val),
        },
        // strace (6.1) shows a timer's timeval as its bytes; so does this.
        (_, _, 4) => m.i32(val).map_or_else(|| ptr(val), |n| format!("[{n}]")),
        _ => buffer(m, val, u64::from(len)),
    };
    format!("{fd}, {level_name}, {opt}, {value}, {len}")
}

/// strace's names for a socket option's level and name.
fn sockopt_names(level: i32, name: i32) -> (String, String) {
    let level_name = match level {
        libc::SOL_SOCKET => "SOL_SOCKET".to_string(),
        libc::IPPROTO_TCP => "SOL_TCP".into(),
        libc::IPPROTO_IP => "SOL_IP".into(),
        libc::IPPROTO_IPV6 => "SOL_IPV6".into(),
        libc::IPPROTO_UDP => "SOL_UDP".into(),
        l => l.to_string(),
    };
    let opt = match (level, name) {
        (libc::SOL_SOCKET, libc::SO_REUSEADDR) => "SO_REUSEADDR",
        (libc::SOL_SOCKET, libc::SO_KEEPALIVE) => "SO_KEEPALIVE",
        (libc::SOL_SOCKET, libc::SO_BROADCAST) => "SO_BROADCAST",
        (libc::SOL_SOCKET, libc::SO_SNDBUF) => "SO_SNDBUF",
        (libc::SOL_SOCKET, libc::SO_RCVBUF) => "SO_RCVBUF",
        (libc::SOL_SOCKET, libc::SO_LINGER) => "SO_LINGER",
        (libc::SOL_SOCKET, libc::SO_REUSEPORT) => "SO_REUSEPORT",
        (libc::SOL_SOCKET, 20) => "SO_RCVTIMEO_OLD",
        (libc::SOL_SOCKET, 21) => "SO_SNDTIMEO_OLD",
        (libc::SOL_SOCKET, 66) => "SO_RCVTIMEO_NEW",
        (libc::SOL_SOCKET, 67) => "SO_SNDTIMEO_NEW",
        (libc::IPPROTO_TCP, libc::TCP_NODELAY) => "TCP_NODELAY",
        (libc::IPPROTO_IPV6, libc::IPV6_V6ONLY) => "IPV6_V6ONLY",
        _ => return (level_name, name.to_string()),
    };
    (level_name, opt.into())
}

pub fn pollfds(m: Mem, addr: u64, n: u64) -> String {
    let n = n.min(1024) as usize;
    let Some(b) = m.bytes(addr, n * 8) else { return ptr(addr) };
    let each: Vec<String> = b
        .chunks_exact(8)
        .map(|p| {
            let fd = half(p, 0) as i32;
            let ev = u64::from(u16::from_ne_bytes([p[4], p[5]]));
            format!("{{fd={fd}, events={}}}", flags(ev, POLL_EVENTS, "0"))
        })
        .collect();
    format!("[{}]", each.join(", "))
}

/// The pollfds with revents set, as strace lists them after the result.
pub fn poll_ready(m: Mem, addr: u64, n: u64) -> String {
    let n = n.min(1024) as usize;
    let Some(b) = m.bytes(addr, n * 8) else { return "[]".into() };
    let each: Vec<String> = b
        .chunks_exact(8)
        .filter_map(|p| {
            let rev = u64::from(u16::from_ne_bytes([p[6], p[7]]));
            (rev != 0)
                .then(|| format!("{{fd={}, revents={}}}", half(p, 0) as i32, flags(rev, POLL_EVENTS, "0")))
        })
        .collect();
    format!("[{}]", each.join(", "))
}

pub fn epoll_events(m: Mem, addr: u64, n: u64) -> String {
    let n = n.min(1024) as usize;
    let Some(b) = m.bytes(addr, n * EPOLL_EVENT) else { return ptr(addr) };
    let each: Vec<String> = b.chunks_exact(EPOLL_EVENT).map(|e| epoll_event(e, EPOLL_EVENT)).collect();
    format!("[{}]", each.join(", "))
}

/// `[{iov_base="hi", iov_len=100}]`; `got` bytes were filled (reads), or
/// all of each (writes) when None.
pub fn iovecs(m: Mem, addr: u64, count: u64, got: Option<u64>) -> String {
    let iovs = m.iovecs(addr, count.min(64));
    if iovs.is_empty() {
        return ptr(addr);
    }
    let mut left = got.unwrap_or(u64::MAX);
    let each: Vec<String> = iovs
        .iter()
        .map(|&(base, len)| {
            let take = len.min(left);
            left -= take;
            let data = if take == 0 && got.is_some() { "\"\"".to_string() } else { buffer(m, base, take) };
            format!("{{iov_base={data}, iov_len={len}}}")
        })
        .collect();
    format!("[{}]", each.join(", "))
}

pub fn msghdr(m: Mem, addr: u64, got: Option<u64>, namelen_in: Option<u32>) -> String {
    let Some(h) = m.array::<56>(addr) else { return ptr(addr) };
    let (name, namelen) = (word(&h, 0), half(&h, 8));
    let (iov, iovlen, controllen) = (word(&h, 16), word(&h, 24), word(&h, 40));
    let name_text = if name == 0 { "NULL".into() } else { sockaddr(m, name, u64::from(namelen)) };
    format!(
        "{{msg_name={name_text}, msg_namelen={}, msg_iov={}, msg_iovlen={iovlen}, msg_controllen={controllen}, \
         msg_flags={}}}",
        in_out(namelen_in, namelen),
        iovecs(m, iov, iovlen, got),
        flags(u64::from(half(&h, 48)), MSG_FLAGS, "0")
    )
}
