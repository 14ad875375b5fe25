//! recvfrom, recvmsg, recvmmsg, sendto, sendmsg, sendmmsg, and (with
//! `--read-write`) read, write, readv, writev on sockets.

use super::arg::Arg;
use super::mem::{self, Iov};
use super::{Begin, Cx, Entry, would_block};
use crate::trace::event::{Call, Op, Outcome, SockKind, TimeoutBy};
use crate::trace::syscall::Syscall;

fn is_recv(sc: Syscall) -> bool {
    matches!(sc, Syscall::Recvfrom | Syscall::Recvmsg | Syscall::Recvmmsg | Syscall::Read | Syscall::Readv)
}

pub fn entry(cx: &mut Cx, sc: Syscall, a: &[u64; 6]) -> Entry {
    let fd = a[0] as i32;
    let Some(inode) = cx.sock(fd) else { return Entry::Skip };
    let op = if is_recv(sc) { Op::Recv } else { Op::Send };
    let (arg, len) = match sc {
        Syscall::Recvfrom | Syscall::Sendto => (Arg::Buf { len: a[2], flags: a[3] as i32 }, Some(a[2])),
        Syscall::Read | Syscall::Write => (Arg::Buf { len: a[2], flags: 0 }, Some(a[2])),
        Syscall::Recvmsg | Syscall::Sendmsg => {
            let len = mem::total(&cx.mem().msghdr_iovs(a[1]));
            (Arg::Buf { len, flags: a[2] as i32 }, Some(len))
        }
        Syscall::Readv | Syscall::Writev => {
            let len = mem::total(&cx.mem().iovecs(a[1], a[2]));
            (Arg::Buf { len, flags: 0 }, Some(len))
        }
        Syscall::Recvmmsg | Syscall::Sendmmsg => (Arg::Msgs { vlen: a[2] as u32, flags: a[3] as i32 }, None),
        _ => return Entry::Skip,
    };
    let mut b = Begin::on(cx, fd, inode, op, arg);
    b.requested = len;
    Entry::Show(b)
}

pub fn exit(cx: &mut Cx, call: &mut Call, ret: i64) {
    let recv = is_recv(call.syscall);
    let flags = match call.arg {
        Arg::Buf { flags, .. } | Arg::Msgs { flags, .. } => flags,
        _ => 0,
    };
    if let Some(e) = call.errno {
        if e.0 == libc::EAGAIN {
            let timer = if recv { TimeoutBy::RcvTimeo } else { TimeoutBy::SndTimeo };
            would_block(call, flags & libc::MSG_DONTWAIT != 0, Some(timer));
        }
        return;
    }
    let a = call.args;
    let m = cx.mem();
    let (bytes, preview) = match call.syscall {
        Syscall::Recvfrom | Syscall::Sendto | Syscall::Read | Syscall::Write => {
            // With MSG_TRUNC a datagram's real length can exceed the buffer.
            (ret as u64, m.preview(a[1], (ret as u64).min(a[2])))
        }
        Syscall::Recvmsg | Syscall::Sendmsg => (ret as u64, m.gather(&m.msghdr_iovs(a[1]), ret as u64)),
        Syscall::Readv | Syscall::Writev => (ret as u64, m.gather(&m.iovecs(a[1], a[2]), ret as u64)),
        Syscall::Recvmmsg | Syscall::Sendmmsg => mmsg(cx, a[1], ret as u64),
        _ => return,
    };
    call.bytes = Some(bytes);
    call.preview = preview.filter(|p| !p.is_empty());
    let stream = cx.kind_of(cx.k.fds.cached(cx.tgid, a[0] as i32)) == SockKind::Stream;
    call.outcome = match (recv, call.syscall) {
        // A 0-byte datagram is data; only a stream reports EOF with 0.
        (true, _) if ret == 0 && stream => Outcome::Eof,
        (true, _) => Outcome::Data,
        (false, Syscall::Sendmmsg) if ret as u64 >= a[2] => Outcome::Sent,
        (false, Syscall::Sendmmsg) => Outcome::Partial,
        (false, _) if call.requested.is_some_and(|r| bytes < r) => Outcome::Partial,
        (false, _) => Outcome::Sent,
    };
}

/// recvmmsg/sendmmsg: `count` messages done; the bytes they moved, and the
/// first message's payload.
fn mmsg(cx: &Cx, addr: u64, count: u64) -> (u64, Option<Vec<u8>>) {
    const MMSGHDR: usize = 64;
    let m = cx.mem();
    let count = count.min(mem::MAX_ENTRIES) as usize;
    let Some(b) = m.bytes(addr, count * MMSGHDR) else { return (0, None) };
    let lens: Vec<u64> = b.chunks_exact(MMSGHDR).map(|h| u64::from(mem::half(h, 56))).collect();
    let first: Vec<Iov> = m.iovecs(mem::word(&b, 16), mem::word(&b, 24));
    let preview = lens.first().and_then(|&n| m.gather(&first, n));
    (lens.iter().sum(), preview)
}
