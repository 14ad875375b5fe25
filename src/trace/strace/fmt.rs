//! strace's notation for the pieces of a call: quoted buffers, socket
//! addresses, flag sets, timevals. Only what the traced syscalls need.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::trace::decode::mem::{Mem, half, word};

/// How many bytes of a buffer strace shows by default (`-s 32`).
pub const STRING_LIMIT: usize = 32;

/// A buffer as strace quotes it: `"hi\n"`, octal for other bytes (`\0`,
/// `\001` before a digit), and `"…"...` when there is more than it shows.
pub fn quoted(bytes: &[u8], total: u64) -> String {
    let shown = &bytes[..bytes.len().min(STRING_LIMIT)];
    let mut s = quote_all(shown);
    if total > shown.len() as u64 {
        s.push_str("...");
    }
    s
}

/// All of `bytes`, quoted (paths: strace does not cut sun_path).
fn quote_all(shown: &[u8]) -> String {
    let mut s = String::with_capacity(shown.len() + 8);
    s.push('"');
    for (i, &b) in shown.iter().enumerate() {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            0x0b => s.push_str("\\v"),
            0x0c => s.push_str("\\f"),
            b'\r' => s.push_str("\\r"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                // An octal escape is written short unless a digit follows it.
                let digit_next = shown.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                if digit_next {
                    s.push_str(&format!("\\{b:03o}"));
                } else {
                    s.push_str(&format!("\\{b:o}"));
                }
            }
        }
    }
    s.push('"');
    s
}

/// A pointer strace does not follow: `NULL` or `0x7ffd…`.
pub fn ptr(addr: u64) -> String {
    if addr == 0 { "NULL".into() } else { format!("{addr:#x}") }
}

/// A socket address of `len` bytes at `addr`, decoded as strace does.
pub fn sockaddr(m: Mem, addr: u64, len: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    let len = len.min(128) as usize;
    let Some(b) = m.bytes(addr, len).filter(|b| b.len() >= 2) else { return ptr(addr) };
    let family = i32::from(u16::from_ne_bytes([b[0], b[1]]));
    let port = u16::from_be_bytes([b.get(2).copied().unwrap_or(0), b.get(3).copied().unwrap_or(0)]);
    match family {
        libc::AF_INET if len >= 8 => {
            let ip = Ipv4Addr::new(b[4], b[5], b[6], b[7]);
            format!("{{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"{ip}\")}}")
        }
        libc::AF_INET6 if len >= 24 => {
            let flow = u32::from_be_bytes(b[4..8].try_into().unwrap_or_default());
            let ip: [u8; 16] = b[8..24].try_into().unwrap_or_default();
            let scope = b.get(24..28).map_or(0, |s| u32::from_ne_bytes(s.try_into().unwrap_or_default()));
            format!(
                "{{sa_family=AF_INET6, sin6_port=htons({port}), sin6_flowinfo=htonl({flow}), \
                 inet_pton(AF_INET6, \"{}\", &sin6_addr), sin6_scope_id={scope}}}",
                Ipv6Addr::from(ip)
            )
        }
        libc::AF_UNIX if len <= 2 => "{sa_family=AF_UNIX}".into(),
        libc::AF_UNIX => {
            let path = &b[2..];
            if path.first() == Some(&0) {
                format!("{{sa_family=AF_UNIX, sun_path=@{}}}", quote_all(&path[1..]))
            } else {
                let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                format!("{{sa_family=AF_UNIX, sun_path={}}}", quote_all(&path[..end]))
            }
        }
        f => format!("{{sa_family={}, ...}}", family_name(f)),
    }
}

pub fn family_name(f: i32) -> String {
    match f {
        libc::AF_UNIX => "AF_UNIX".into(),
        libc::AF_INET => "AF_INET".into(),
        libc::AF_INET6 => "AF_INET6".into(),
        libc::AF_NETLINK => "AF_NETLINK".into(),
        libc::AF_PACKET => "AF_PACKET".into(),
        f => f.to_string(),
    }
}

/// `SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK`.
pub fn sock_type(ty: i32) -> String {
    let base = match ty & 0xf {
        libc::SOCK_STREAM => "SOCK_STREAM".to_string(),
        libc::SOCK_DGRAM => "SOCK_DGRAM".into(),
        libc::SOCK_SEQPACKET => "SOCK_SEQPACKET".into(),
        libc::SOCK_RAW => "SOCK_RAW".into(),
        n => format!("{n:#x} /* SOCK_??? */"),
    };
    let mut s = base;
    if ty & libc::SOCK_CLOEXEC != 0 {
        s.push_str("|SOCK_CLOEXEC");
    }
    if ty & libc::SOCK_NONBLOCK != 0 {
        s.push_str("|SOCK_NONBLOCK");
    }
    s
}

/// The protocol argument of socket(): `IPPROTO_TCP`, or the number.
pub fn protocol(domain: i32, proto: i32) -> String {
    match (domain, proto) {
        (libc::AF_INET | libc::AF_INET6, 0) => "IPPROTO_IP".into(),
        (libc::AF_INET | libc::AF_INET6, libc::IPPROTO_TCP) => "IPPROTO_TCP".into(),
        (libc::AF_INET | libc::AF_INET6, libc::IPPROTO_UDP) => "IPPROTO_UDP".into(),
        (libc::AF_INET | libc::AF_INET6, libc::IPPROTO_ICMP) => "IPPROTO_ICMP".into(),
        (libc::AF_NETLINK, 0) => "NETLINK_ROUTE".into(),
        (_, p) => p.to_string(),
    }
}

/// Names for the set bits of `bits`, joined with `|`; leftovers in hex.
pub fn flags(bits: u64, names: &[(u64, &str)], zero: &str) -> String {
    if bits == 0 {
        return zero.into();
    }
    let mut left = bits;
    let mut parts: Vec<String> = Vec::new();
    for &(b, n) in names {
        if b != 0 && left & b == b {
            parts.push(n.into());
            left &= !b;
        }
    }
    if left != 0 {
        parts.push(format!("{left:#x}"));
    }
    parts.join("|")
}

pub const MSG_FLAGS: &[(u64, &str)] = &[
    (libc::MSG_OOB as u64, "MSG_OOB"),
    (libc::MSG_PEEK as u64, "MSG_PEEK"),
    (libc::MSG_DONTROUTE as u64, "MSG_DONTROUTE"),
    (libc::MSG_CTRUNC as u64, "MSG_CTRUNC"),
    (libc::MSG_TRUNC as u64, "MSG_TRUNC"),
    (libc::MSG_DONTWAIT as u64, "MSG_DONTWAIT"),
    (libc::MSG_EOR as u64, "MSG_EOR"),
    (libc::MSG_WAITALL as u64, "MSG_WAITALL"),
    (libc::MSG_NOSIGNAL as u64, "MSG_NOSIGNAL"),
    (libc::MSG_MORE as u64, "MSG_MORE"),
    (libc::MSG_CMSG_CLOEXEC as u64, "MSG_CMSG_CLOEXEC"),
];

pub const POLL_EVENTS: &[(u64, &str)] = &[
    (0x001, "POLLIN"),
    (0x002, "POLLPRI"),
    (0x004, "POLLOUT"),
    (0x008, "POLLERR"),
    (0x010, "POLLHUP"),
    (0x020, "POLLNVAL"),
    (0x040, "POLLRDNORM"),
    (0x080, "POLLRDBAND"),
    (0x100, "POLLWRNORM"),
    (0x200, "POLLWRBAND"),
    (0x400, "POLLMSG"),
    (0x2000, "POLLRDHUP"),
];

pub const EPOLL_EVENTS: &[(u64, &str)] = &[
    (0x001, "EPOLLIN"),
    (0x002, "EPOLLPRI"),
    (0x004, "EPOLLOUT"),
    (0x008, "EPOLLERR"),
    (0x010, "EPOLLHUP"),
    (0x040, "EPOLLRDNORM"),
    (0x080, "EPOLLRDBAND"),
    (0x100, "EPOLLWRNORM"),
    (0x200, "EPOLLWRBAND"),
    (0x400, "EPOLLMSG"),
    (0x2000, "EPOLLRDHUP"),
    (1 << 28, "EPOLLEXCLUSIVE"),
    (1 << 29, "EPOLLWAKEUP"),
    (1 << 30, "EPOLLONESHOT"),
    (1 << 31, "EPOLLET"),
];

/// Open-file flags as F_SETFL and F_GETFL show them.
pub fn open_flags(bits: u64) -> String {
    let access = match bits & 3 {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    const REST: &[(u64, &str)] = &[
        (libc::O_APPEND as u64, "O_APPEND"),
        (libc::O_NONBLOCK as u64, "O_NONBLOCK"),
        (libc::O_DSYNC as u64, "O_DSYNC"),
        (libc::O_ASYNC as u64, "O_ASYNC"),
        (libc::O_DIRECT as u64, "O_DIRECT"),
        (libc::O_LARGEFILE as u64, "O_LARGEFILE"),
        (libc::O_NOATIME as u64, "O_NOATIME"),
        (libc::O_CLOEXEC as u64, "O_CLOEXEC"),
    ];
    let rest = flags(bits & !3, REST, "");
    if rest.is_empty() { access.into() } else { format!("{access}|{rest}") }
}

/// A timeval (`tv_usec`) or timespec (`tv_nsec`) at `addr`.
pub fn time_at(m: Mem, addr: u64, nsec: bool) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match m.pair(addr) {
        Some((s, sub)) if nsec => format!("{{tv_sec={s}, tv_nsec={sub}}}"),
        Some((s, sub)) => format!("{{tv_sec={s}, tv_usec={sub}}}"),
        None => ptr(addr),
    }
}

/// `[4, 5]` of a socketpair; `[3 4]` of a select set.
pub fn fd_set(m: Mem, addr: u64, nfds: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    let nfds = nfds.min(1024) as usize;
    let Some(b) = m.bytes(addr, nfds.div_ceil(64) * 8) else { return ptr(addr) };
    let fds: Vec<String> =
        (0..nfds).filter(|fd| b[fd / 8] & (1 << (fd % 8)) != 0).map(|fd| fd.to_string()).collect();
    format!("[{}]", fds.join(" "))
}

/// The fds set in a select set, for `(in [4], left …)`.
pub fn fd_set_list(m: Mem, addr: u64, nfds: u64) -> Option<String> {
    let s = fd_set(m, addr, nfds);
    (addr != 0 && s != "[]" && s.starts_with('[')).then_some(s)
}

/// One epoll_event at `b`: `{events=EPOLLIN, data={u32=4, u64=4}}`.
pub fn epoll_event(b: &[u8], size: usize) -> String {
    let events = u64::from(half(b, 0));
    let data = word(b, size - 8);
    format!("{{events={}, data={{u32={}, u64={data}}}}}", flags(events, EPOLL_EVENTS, "0"), data as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_quoted_like_strace() {
        assert_eq!(quoted(b"hello", 5), "\"hello\"");
        assert_eq!(quoted(b"a\n\0\x011\0", 6), "\"a\\n\\0\\0011\\0\"");
        assert_eq!(quoted(b"@\r\x03\0", 4), "\"@\\r\\3\\0\"");
        assert_eq!(quoted(&[b'x'; 40], 40), format!("\"{}\"...", "x".repeat(32)));
        assert_eq!(quoted(b"\"\\\x1b[2J", 6), "\"\\\"\\\\\\33[2J\"");
    }

    #[test]
    fn flag_sets_read_like_strace() {
        assert_eq!(flags(0x1 | 0x4, POLL_EVENTS, "0"), "POLLIN|POLLOUT");
        assert_eq!(flags((1 << 31) | 1, EPOLL_EVENTS, "0"), "EPOLLIN|EPOLLET");
        assert_eq!(flags(0, MSG_FLAGS, "0"), "0");
        assert_eq!(open_flags(0x802), "O_RDWR|O_NONBLOCK");
        assert_eq!(sock_type(libc::SOCK_STREAM | libc::SOCK_CLOEXEC), "SOCK_STREAM|SOCK_CLOEXEC");
    }
}
