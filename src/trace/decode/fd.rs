//! dup, dup2, dup3 and close_range: never shown, but they change which fd
//! numbers are sockets.

use super::{Cx, Entry};
use crate::trace::event::{Call, SockOrigin};
use crate::trace::syscall::Syscall;

pub fn entry(_: &mut Cx, _: Syscall, _: &[u64; 6]) -> Entry {
    Entry::Quiet
}

pub fn exit(cx: &mut Cx, call: &mut Call, ret: i64) {
    if call.errno.is_some() {
        return;
    }
    let a = call.args;
    match call.syscall {
        Syscall::Dup | Syscall::Dup2 | Syscall::Dup3 => {
            let (old, new) = (a[0] as i32, ret as i32);
            if old == new {
                return;
            }
            // The new number may have been open before: dup2 closed it.
            cx.closed(new);
            if cx.sock(old).is_some() {
                let s = cx.state_of(old);
                cx.new_socket(new, s, SockOrigin::Dup { from: cx.id(old) });
            }
        }
        Syscall::CloseRange if a[2] as u32 & libc::CLOSE_RANGE_CLOEXEC == 0 => {
            let (lo, hi) = (a[0] as u32, a[1] as u32);
            let (lo, hi) = (lo.min(i32::MAX as u32) as i32, hi.min(i32::MAX as u32) as i32);
            for fd in cx.k.fds.fds_in(cx.tgid, lo, hi) {
                cx.closed(fd);
            }
        }
        _ => {}
    }
}
