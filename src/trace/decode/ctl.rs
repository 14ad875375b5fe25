//! fcntl, ioctl and setsockopt on sockets: where a program sets its mode
//! (F_SETFL O_NONBLOCK, FIONBIO, SO_RCVTIMEO/SO_SNDTIMEO), and F_DUPFD.

use std::time::Duration;

use super::arg::Arg;
use super::{Begin, Cx, Entry};
use crate::trace::event::{Call, Op, SockOrigin};
use crate::trace::modes::timer;
use crate::trace::syscall::Syscall;

/// SO_RCVTIMEO/SO_SNDTIMEO, old (timeval) and new (64-bit) numbers; on a
/// 64-bit ABI both take two 64-bit words.
const RCVTIMEO: [i32; 2] = [libc::SO_RCVTIMEO, 66];
const SNDTIMEO: [i32; 2] = [libc::SO_SNDTIMEO, 67];

pub fn entry(cx: &mut Cx, sc: Syscall, a: &[u64; 6]) -> Entry {
    let fd = a[0] as i32;
    let Some(inode) = cx.sock(fd) else { return Entry::Skip };
    let (op, arg) = match sc {
        Syscall::Fcntl => {
            let (cmd, flags) = (a[1] as i32, a[2]);
            match cmd {
                libc::F_SETFL if flags & libc::O_NONBLOCK as u64 != 0 => {
                    (Op::Nonblocking, Arg::Fcntl { cmd, arg: flags })
                }
                libc::F_SETFL => (Op::Blocking, Arg::Fcntl { cmd, arg: flags }),
                _ => (Op::Fcntl, Arg::Fcntl { cmd, arg: flags }),
            }
        }
        Syscall::Ioctl if a[1] == libc::FIONBIO => {
            let on = cx.mem().i32(a[2]).unwrap_or(0) != 0;
            let op = if on { Op::Nonblocking } else { Op::Blocking };
            (op, Arg::Ioctl { req: a[1] })
        }
        Syscall::Ioctl => (Op::Ioctl, Arg::Ioctl { req: a[1] }),
        Syscall::Setsockopt => {
            let (level, name) = (a[1] as i32, a[2] as i32);
            let timeo = level == libc::SOL_SOCKET && (RCVTIMEO.contains(&name) || SNDTIMEO.contains(&name));
            match cx.mem().pair(a[3]).filter(|_| timeo) {
                Some((s, us)) => {
                    let d = Duration::new(s.max(0) as u64, (us.clamp(0, 999_999) * 1000) as u32);
                    (if RCVTIMEO.contains(&name) { Op::RcvTimeo } else { Op::SndTimeo }, Arg::Timeo(d))
                }
                None => (Op::Setsockopt, Arg::Sockopt { level, name }),
            }
        }
        _ => return Entry::Skip,
    };
    Entry::Show(Begin::on(cx, fd, inode, op, arg))
}

pub fn exit(cx: &mut Cx, call: &mut Call, ret: i64) {
    if call.errno.is_some() {
        return;
    }
    let fd = call.args[0] as i32;
    match (call.op, &call.arg) {
        (Op::Nonblocking, _) => cx.change_mode(fd, |m| m.nonblock = true),
        (Op::Blocking, _) => cx.change_mode(fd, |m| m.nonblock = false),
        (Op::RcvTimeo, Arg::Timeo(d)) => cx.change_mode(fd, |m| m.rcvtimeo = timer(*d)),
        (Op::SndTimeo, Arg::Timeo(d)) => cx.change_mode(fd, |m| m.sndtimeo = timer(*d)),
        (Op::Fcntl, Arg::Fcntl { cmd: libc::F_DUPFD | libc::F_DUPFD_CLOEXEC, .. }) => {
            let s = cx.state_of(fd);
            cx.new_socket(ret as i32, s, SockOrigin::Dup { from: cx.id(fd) });
        }
        _ => {}
    }
}
