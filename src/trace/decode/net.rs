//! socket, socketpair, bind, listen, accept, accept4, connect, shutdown, close.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::arg::{Addr, Arg};
use super::mem::Mem;
use super::{Begin, Cx, Entry, family_kind, would_block};
use crate::trace::event::{Call, Lane, Mode, Op, Outcome, SockOrigin, TimeoutBy};
use crate::trace::modes::SockState;
use crate::trace::syscall::Syscall;

pub fn entry(cx: &mut Cx, sc: Syscall, a: &[u64; 6]) -> Entry {
    let fd = a[0] as i32;
    if matches!(sc, Syscall::Socket | Syscall::Socketpair) {
        let (family, kind) = family_kind(a[0] as i32, a[1] as i32);
        let nonblock = a[1] as i32 & libc::SOCK_NONBLOCK != 0;
        return Entry::Show(Begin::on_loop(cx, Op::Socket, Arg::Socket { family, kind, nonblock }));
    }
    let Some(inode) = cx.sock(fd) else {
        if sc == Syscall::Close {
            // Not a socket: the number is free again after this call.
            cx.closed(fd);
        }
        return Entry::Skip;
    };
    let (op, arg) = match sc {
        Syscall::Bind => (Op::Bind, Arg::Addr(sockaddr(cx.mem(), a[1], a[2]))),
        Syscall::Connect => (Op::Connect, Arg::Addr(sockaddr(cx.mem(), a[1], a[2]))),
        Syscall::Listen => (Op::Listen, Arg::Backlog(a[1] as i32)),
        Syscall::Accept | Syscall::Accept4 => (Op::Accept, Arg::None),
        Syscall::Shutdown => (Op::Shutdown, Arg::Shutdown(a[1] as i32)),
        Syscall::Close => (Op::Close, Arg::None),
        _ => return Entry::Skip,
    };
    Entry::Show(Begin::on(cx, fd, inode, op, arg))
}

pub fn exit(cx: &mut Cx, call: &mut Call, ret: i64) {
    let a = call.args;
    let fd = a[0] as i32;
    let errno = call.errno.map(|e| e.0);
    match call.syscall {
        Syscall::Socket if ret >= 0 => {
            let Arg::Socket { family, kind, nonblock } = call.arg else { return };
            let mode = Mode { nonblock, ..Mode::default() };
            cx.new_socket(ret as i32, SockState { kind, family, mode }, SockOrigin::Created);
            call.lane = Lane::Sock(cx.id(ret as i32));
            call.mode = Some(mode);
        }
        Syscall::Socketpair if ret == 0 => {
            let Arg::Socket { family, kind, nonblock } = call.arg else { return };
            let mode = Mode { nonblock, ..Mode::default() };
            let Some(pair) = cx.mem().array::<8>(a[3]) else { return };
            for half in pair.chunks_exact(4) {
                let new = i32::from_ne_bytes(half.try_into().unwrap_or_default());
                cx.new_socket(new, SockState { kind, family, mode }, SockOrigin::Created);
            }
            call.lane = Lane::Sock(cx.id(i32::from_ne_bytes(pair[..4].try_into().unwrap_or_default())));
            call.mode = Some(mode);
        }
        Syscall::Accept | Syscall::Accept4 if ret >= 0 => {
            let listener = cx.state_of(fd);
            let flags = if call.syscall == Syscall::Accept4 { a[3] as i32 } else { 0 };
            // Linux: an accepted socket inherits the listener's timers, not O_NONBLOCK.
            let mode = Mode { nonblock: flags & libc::SOCK_NONBLOCK != 0, ..listener.mode };
            let s = SockState { mode, ..listener };
            cx.new_socket(ret as i32, s, SockOrigin::Accepted { listener: cx.id(fd) });
            cx.addresses(ret as i32);
            call.outcome = Outcome::Accepted(cx.id(ret as i32));
        }
        Syscall::Accept | Syscall::Accept4 if errno == Some(libc::EAGAIN) => {
            would_block(call, false, Some(TimeoutBy::RcvTimeo));
        }
        Syscall::Bind | Syscall::Listen if errno.is_none() => cx.addresses(fd),
        Syscall::Connect => match errno {
            None => {
                call.outcome = Outcome::Connected;
                cx.addresses(fd);
            }
            Some(libc::EINPROGRESS) => {
                cx.addresses(fd);
                // A blocking connect whose SO_SNDTIMEO ran out also says EINPROGRESS.
                would_block(call, false, Some(TimeoutBy::SndTimeo));
                if call.outcome == Outcome::WouldBlock {
                    call.outcome = Outcome::InProgress;
                }
            }
            Some(libc::EAGAIN) => would_block(call, false, Some(TimeoutBy::SndTimeo)),
            Some(_) => {}
        },
        // close releases the number even when it reports an error (EINTR, EIO).
        Syscall::Close if errno != Some(libc::EBADF) => cx.closed(fd),
        _ => {}
    }
}

/// Decodes a sockaddr of `len` bytes at `addr`.
pub fn sockaddr(mem: Mem, addr: u64, len: u64) -> Addr {
    let len = len.min(128) as usize;
    let Some(b) = mem.bytes(addr, len).filter(|b| b.len() >= 2) else { return Addr::Other(-1) };
    let family = i32::from(u16::from_ne_bytes([b[0], b[1]]));
    let port = |b: &[u8]| u16::from_be_bytes([b[2], b[3]]);
    match family {
        libc::AF_INET if len >= 8 => {
            let ip = Ipv4Addr::new(b[4], b[5], b[6], b[7]);
            Addr::Inet(SocketAddr::V4(SocketAddrV4::new(ip, port(&b))))
        }
        libc::AF_INET6 if len >= 28 => {
            let ip: [u8; 16] = b[8..24].try_into().unwrap_or_default();
            let scope = u32::from_ne_bytes(b[24..28].try_into().unwrap_or_default());
            Addr::Inet(SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::from(ip), port(&b), 0, scope)))
        }
        libc::AF_UNIX if len > 2 => {
            let path = &b[2..];
            match path.first() {
                Some(0) => Addr::Unix { path: path[1..].to_vec(), abstract_: true },
                _ => Addr::Unix {
                    path: path.iter().copied().take_while(|&c| c != 0).collect(),
                    abstract_: false,
                },
            }
        }
        f => Addr::Other(f),
    }
}
