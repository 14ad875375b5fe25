//! A call's decoded arguments, and how they read in one line.

use std::net::SocketAddr;
use std::time::Duration;

use crate::escape::escape;
use crate::trace::event::{SockFamily, SockKind, secs};

/// A socket address from the program's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addr {
    Inet(SocketAddr),
    /// A path (raw bytes), or an abstract name (leading NUL dropped).
    Unix {
        path: Vec<u8>,
        abstract_: bool,
    },
    /// Unnamed unix socket, or an address family the tracer does not decode.
    Other(i32),
}

impl Addr {
    pub fn text(&self) -> String {
        match self {
            Addr::Inet(a) => a.to_string(),
            Addr::Unix { path, abstract_: false } => format!("unix {}", escape(path)),
            Addr::Unix { path, abstract_: true } => format!("unix @{}", escape(path)),
            Addr::Other(libc::AF_UNIX) => "unix (unnamed)".into(),
            Addr::Other(f) => format!("family {f}"),
        }
    }
}

/// One fd of a readiness wait, with poll(2) event bits (select's sets and
/// epoll's bits are mapped onto them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitFd {
    pub fd: i32,
    pub events: u32,
}

const EVENT_NAMES: [(u32, &str); 9] = [
    (0x001, "in"),
    (0x002, "pri"),
    (0x004, "out"),
    (0x008, "err"),
    (0x010, "hup"),
    (0x020, "nval"),
    (0x2000, "rdhup"),
    (1 << 30, "oneshot"),
    (1 << 31, "et"),
];

/// `in|out`, in poll's words.
pub fn events_text(bits: u32) -> String {
    let names: Vec<&str> = EVENT_NAMES.iter().filter(|(b, _)| bits & b != 0).map(|(_, n)| *n).collect();
    if names.is_empty() { "-".into() } else { names.join("|") }
}

/// What a call was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    None,
    Socket {
        family: SockFamily,
        kind: SockKind,
        nonblock: bool,
    },
    Addr(Addr),
    Backlog(i32),
    /// recv/send size and MSG_* flags.
    Buf {
        len: u64,
        flags: i32,
    },
    /// recvmmsg/sendmmsg: how many messages.
    Msgs {
        vlen: u32,
        flags: i32,
    },
    /// SHUT_RD, SHUT_WR or SHUT_RDWR.
    Shutdown(i32),
    /// SO_RCVTIMEO/SO_SNDTIMEO as set (zero: forever).
    Timeo(Duration),
    Fcntl {
        cmd: i32,
        arg: u64,
    },
    Ioctl {
        req: u64,
    },
    Sockopt {
        level: i32,
        name: i32,
    },
    /// A readiness wait: the socket fds it watches (all of them for epoll,
    /// as registered) and its timeout (None: forever).
    Wait {
        fds: Vec<WaitFd>,
        timeout: Option<Duration>,
    },
    EpollCtl {
        op: i32,
        fd: i32,
        events: u32,
    },
}

fn flags_text(flags: i32) -> String {
    const NAMES: [(i32, &str); 6] = [
        (libc::MSG_PEEK, "MSG_PEEK"),
        (libc::MSG_DONTWAIT, "MSG_DONTWAIT"),
        (libc::MSG_WAITALL, "MSG_WAITALL"),
        (libc::MSG_TRUNC, "MSG_TRUNC"),
        (libc::MSG_NOSIGNAL, "MSG_NOSIGNAL"),
        (libc::MSG_OOB, "MSG_OOB"),
    ];
    NAMES.iter().filter(|(b, _)| flags & b != 0).map(|(_, n)| *n).collect::<Vec<_>>().join("|")
}

fn kind_text(family: SockFamily, kind: SockKind) -> String {
    match (family, kind) {
        (SockFamily::Inet, SockKind::Stream) => "tcp".into(),
        (SockFamily::Inet6, SockKind::Stream) => "tcp6".into(),
        (SockFamily::Inet, SockKind::Datagram) => "udp".into(),
        (SockFamily::Inet6, SockKind::Datagram) => "udp6".into(),
        (SockFamily::Unix, SockKind::Stream) => "unix".into(),
        (SockFamily::Unix, SockKind::Datagram) => "unixgram".into(),
        (SockFamily::Unix, k) => format!("unix {}", k.word()),
        (SockFamily::Netlink, _) => "netlink".into(),
        (SockFamily::Inet | SockFamily::Inet6 | SockFamily::Other, k) => k.word().into(),
    }
}

/// Milliseconds or seconds, short.
pub fn duration_text(d: Duration) -> String {
    if d.as_millis() < 1000 { format!("{}ms", d.as_millis()) } else { format!("{}s", d.as_secs_f64()) }
}

impl Arg {
    /// The argument as one short line (`1024`, `127.0.0.1:80`, `5 in 200ms`).
    pub fn text(&self) -> Option<String> {
        Some(match self {
            Arg::None => return None,
            Arg::Socket { family, kind, nonblock } => {
                let mut s = kind_text(*family, *kind);
                if *nonblock {
                    s.push_str(" nonblocking");
                }
                s
            }
            Arg::Addr(a) => a.text(),
            Arg::Backlog(n) => n.to_string(),
            Arg::Buf { len, flags: 0 } => len.to_string(),
            Arg::Buf { len, flags } => format!("{len} {}", flags_text(*flags)),
            Arg::Msgs { vlen, .. } => format!("{vlen} msgs"),
            Arg::Shutdown(libc::SHUT_RD) => "rd".into(),
            Arg::Shutdown(libc::SHUT_WR) => "wr".into(),
            Arg::Shutdown(libc::SHUT_RDWR) => "both".into(),
            Arg::Shutdown(h) => h.to_string(),
            Arg::Timeo(d) => secs(*d),
            Arg::Fcntl { cmd, .. } => fcntl_name(*cmd),
            Arg::Ioctl { req } => ioctl_name(*req),
            Arg::Sockopt { level, name } => sockopt_name(*level, *name),
            Arg::Wait { fds, timeout } => {
                let fds: Vec<String> =
                    fds.iter().map(|w| format!("{} {}", w.fd, events_text(w.events))).collect();
                let t = timeout.map(duration_text).unwrap_or_else(|| "forever".into());
                format!("{} {t}", fds.join(", "))
            }
            Arg::EpollCtl { op, fd, events } => {
                let op = match *op {
                    libc::EPOLL_CTL_ADD => "add",
                    libc::EPOLL_CTL_MOD => "mod",
                    libc::EPOLL_CTL_DEL => return Some(format!("del {fd}")),
                    _ => "?",
                };
                format!("{op} {fd} {}", events_text(*events))
            }
        })
    }
}

fn fcntl_name(cmd: i32) -> String {
    match cmd {
        libc::F_GETFL => "F_GETFL".into(),
        libc::F_SETFL => "F_SETFL".into(),
        libc::F_GETFD => "F_GETFD".into(),
        libc::F_SETFD => "F_SETFD".into(),
        libc::F_DUPFD => "F_DUPFD".into(),
        libc::F_DUPFD_CLOEXEC => "F_DUPFD_CLOEXEC".into(),
        libc::F_SETOWN => "F_SETOWN".into(),
        libc::F_GETOWN => "F_GETOWN".into(),
        c => format!("fcntl {c}"),
    }
}

fn ioctl_name(req: u64) -> String {
    match req {
        r if r == libc::FIONBIO => "FIONBIO".into(),
        r if r == libc::FIONREAD => "FIONREAD".into(),
        r if r == libc::TIOCOUTQ => "TIOCOUTQ".into(),
        0x8905 => "SIOCATMARK".into(),
        r => format!("{r:#x}"),
    }
}

fn sockopt_name(level: i32, name: i32) -> String {
    let n = match (level, name) {
        (libc::SOL_SOCKET, libc::SO_REUSEADDR) => "SO_REUSEADDR",
        (libc::SOL_SOCKET, libc::SO_REUSEPORT) => "SO_REUSEPORT",
        (libc::SOL_SOCKET, libc::SO_KEEPALIVE) => "SO_KEEPALIVE",
        (libc::SOL_SOCKET, libc::SO_LINGER) => "SO_LINGER",
        (libc::SOL_SOCKET, libc::SO_RCVBUF) => "SO_RCVBUF",
        (libc::SOL_SOCKET, libc::SO_SNDBUF) => "SO_SNDBUF",
        (libc::SOL_SOCKET, libc::SO_BROADCAST) => "SO_BROADCAST",
        (libc::IPPROTO_TCP, libc::TCP_NODELAY) => "TCP_NODELAY",
        (libc::IPPROTO_IPV6, libc::IPV6_V6ONLY) => "IPV6_V6ONLY",
        _ => return format!("{level}/{name}"),
    };
    n.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_read_as_one_line() {
        assert_eq!(Arg::Buf { len: 1024, flags: 0 }.text().unwrap(), "1024");
        assert_eq!(Arg::Buf { len: 8, flags: libc::MSG_DONTWAIT }.text().unwrap(), "8 MSG_DONTWAIT");
        assert_eq!(Arg::Timeo(Duration::from_millis(200)).text().unwrap(), "0.2");
        let w =
            Arg::Wait { fds: vec![WaitFd { fd: 3, events: 1 }], timeout: Some(Duration::from_millis(200)) };
        assert_eq!(w.text().unwrap(), "3 in 200ms");
        let u = Addr::Unix { path: b"/tmp/\x1b[2J".to_vec(), abstract_: false };
        assert_eq!(u.text(), "unix /tmp/\\x1b[2J");
        assert_eq!(events_text(0x8000_0005), "in|out|et");
    }
}
