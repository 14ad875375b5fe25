//! A traced call as `strace -f` prints it (without the pid): its entry half
//! (`recvfrom(5, `) is made when the call enters the kernel, from the
//! arguments that are inputs, and the whole line when it returns, from the
//! outputs and the return value. So a call still in the kernel reads
//! `recvfrom(5,  <unfinished ...>`, exactly as strace shows it.
//!
//! Only made when asked for (`Options::strace`): the headless writer makes
//! no text on its hot path.

mod args;
mod fmt;

use args::{epoll_events, fcntl, ioctl_entry, iovecs, msghdr, poll_ready, pollfds, setsockopt};

use fmt::{
    MSG_FLAGS, epoll_event, family_name, fd_set, fd_set_list, flags, open_flags, protocol, ptr, quoted,
    sock_type, sockaddr, time_at,
};

use super::decode::mem::{Mem, half};
use super::errno::Errno;
use super::event::Call;
use super::syscall::Syscall;

/// epoll_event is packed on x86-64 (12 bytes), padded elsewhere.
pub(super) const EPOLL_EVENT: usize = if cfg!(target_arch = "x86_64") { 12 } else { 16 };

/// The line of a call that has not returned.
pub fn unfinished(entry: &str) -> String {
    format!("{entry} <unfinished ...>")
}

/// The entry half: the name, `(`, and every argument that is an input.
/// Arguments the kernel fills in are left for [`exit`], after a `, `.
pub fn entry(m: Mem, c: &Call) -> String {
    let a = c.args;
    let fd = a[0] as i32;
    let name = c.syscall.name();
    let body = match c.syscall {
        Syscall::Socket => {
            let d = a[0] as i32;
            format!("{}, {}, {}", family_name(d), sock_type(a[1] as i32), protocol(d, a[2] as i32))
        }
        Syscall::Socketpair => {
            let d = a[0] as i32;
            format!("{}, {}, {}, ", family_name(d), sock_type(a[1] as i32), a[2] as i32)
        }
        Syscall::Bind | Syscall::Connect => format!("{fd}, {}, {}", sockaddr(m, a[1], a[2]), a[2] as u32),
        Syscall::Listen => format!("{fd}, {}", a[1] as i32),
        Syscall::Shutdown => format!("{fd}, {}", shut(a[1] as i32)),
        Syscall::Close => fd.to_string(),
        Syscall::Sendto => {
            let data = buffer(m, a[1], a[2]);
            let to = if a[4] == 0 { "NULL".to_string() } else { sockaddr(m, a[4], a[5]) };
            format!("{fd}, {data}, {}, {}, {to}, {}", a[2], msg_flags(a[3]), a[5] as u32)
        }
        Syscall::Write => format!("{fd}, {}, {}", buffer(m, a[1], a[2]), a[2]),
        Syscall::Sendmsg => format!("{fd}, {}, {}", msghdr(m, a[1], None, None), msg_flags(a[2])),
        Syscall::Writev => format!("{fd}, {}, {}", iovecs(m, a[1], a[2], None), a[2]),
        Syscall::Sendmmsg => format!("{fd}, {}, {}, {}", ptr(a[1]), a[2] as u32, msg_flags(a[3])),
        Syscall::Fcntl => fcntl(a),
        Syscall::Ioctl => ioctl_entry(m, a),
        Syscall::Setsockopt => setsockopt(m, a),
        Syscall::Poll => format!("{}, {}, {}", pollfds(m, a[0], a[1]), a[1], a[2] as i32),
        Syscall::Ppoll => format!(
            "{}, {}, {}, {}, {}",
            pollfds(m, a[0], a[1]),
            a[1],
            time_at(m, a[2], true),
            ptr(a[3]),
            a[4]
        ),
        Syscall::Select | Syscall::Pselect6 => {
            let nsec = c.syscall == Syscall::Pselect6;
            let sets: Vec<String> = (1..4).map(|i| fd_set(m, a[i], a[0])).collect();
            let mut s = format!("{}, {}, {}", a[0] as i32, sets.join(", "), time_at(m, a[4], nsec));
            if nsec {
                s.push_str(&format!(", {}", ptr(a[5])));
            }
            s
        }
        Syscall::EpollCtl => {
            let op = match a[1] as i32 {
                libc::EPOLL_CTL_ADD => "EPOLL_CTL_ADD",
                libc::EPOLL_CTL_DEL => "EPOLL_CTL_DEL",
                libc::EPOLL_CTL_MOD => "EPOLL_CTL_MOD",
                _ => "EPOLL_CTL_???",
            };
            let ev = match m.bytes(a[3], EPOLL_EVENT) {
                Some(b) if a[1] as i32 != libc::EPOLL_CTL_DEL => epoll_event(&b, EPOLL_EVENT),
                _ => ptr(a[3]),
            };
            format!("{fd}, {op}, {}, {ev}", a[2] as i32)
        }
        // The rest have outputs: they print the fd now and the rest at exit.
        Syscall::Accept
        | Syscall::Accept4
        | Syscall::Recvfrom
        | Syscall::Recvmsg
        | Syscall::Recvmmsg
        | Syscall::Read
        | Syscall::Readv
        | Syscall::EpollWait
        | Syscall::EpollPwait
        | Syscall::EpollPwait2 => format!("{fd}, "),
        Syscall::Dup | Syscall::Dup2 | Syscall::Dup3 | Syscall::CloseRange | Syscall::RestartSyscall => {
            format!("{fd}")
        }
    };
    format!("{name}({body}")
}

/// The in-out length a call is given, read at entry: see `Call::len_in`.
pub fn len_in(m: Mem, c: &Call) -> Option<u32> {
    let a = c.args;
    match c.syscall {
        Syscall::Accept | Syscall::Accept4 => len_at(m, a[2]),
        Syscall::Recvfrom => len_at(m, a[5]),
        Syscall::Recvmsg => m.array::<56>(a[1]).map(|h| half(&h, 8)),
        _ => None,
    }
}

/// The whole line once the call returned `ret` (-errno on failure).
pub fn exit(m: Mem, c: &Call, entry: &str, ret: i64) -> String {
    let a = c.args;
    let ok = ret >= 0;
    let rest = match c.syscall {
        Syscall::Socketpair if ok => int_pair(m, a[3]),
        Syscall::Socketpair => ptr(a[3]),
        Syscall::Accept | Syscall::Accept4 => {
            let addr =
                if ok { sockaddr(m, a[1], u64::from(len_at(m, a[2]).unwrap_or(0))) } else { ptr(a[1]) };
            let mut s = format!("{}, {}", if a[1] == 0 { "NULL".into() } else { addr }, len_ref(m, a[2], c));
            if c.syscall == Syscall::Accept4 {
                s.push_str(&format!(", {}", sock_flags(a[3] as i32)));
            }
            s
        }
        Syscall::Recvfrom => {
            let data = if ok { read_back(c, ret) } else { ptr(a[1]) };
            let from = match (a[4], ok) {
                (0, _) => "NULL".into(),
                (p, true) => sockaddr(m, p, u64::from(len_at(m, a[5]).unwrap_or(0))),
                (p, false) => ptr(p),
            };
            format!("{data}, {}, {}, {from}, {}", a[2], msg_flags(a[3]), len_ref(m, a[5], c))
        }
        Syscall::Read => format!("{}, {}", if ok { read_back(c, ret) } else { ptr(a[1]) }, a[2]),
        Syscall::Readv => format!("{}, {}", iovecs(m, a[1], a[2], ok.then_some(ret as u64)), a[2]),
        Syscall::Recvmsg if ok => {
            format!("{}, {}", msghdr(m, a[1], Some(ret as u64), c.len_in), msg_flags(a[2]))
        }
        Syscall::Recvmsg => format!("{}, {}", ptr(a[1]), msg_flags(a[2])),
        Syscall::Recvmmsg => format!("{}, {}, {}, {}", ptr(a[1]), a[2] as u32, msg_flags(a[3]), ptr(a[4])),
        Syscall::EpollWait | Syscall::EpollPwait | Syscall::EpollPwait2 => {
            let events = if ok { epoll_events(m, a[1], ret as u64) } else { ptr(a[1]) };
            let timeout = if c.syscall == Syscall::EpollPwait2 {
                time_at(m, a[3], true)
            } else {
                (a[3] as i32).to_string()
            };
            let mut s = format!("{events}, {}, {timeout}", a[2] as i32);
            if c.syscall != Syscall::EpollWait {
                s.push_str(&format!(", {}, {}", ptr(a[4]), a[5]));
            }
            s
        }
        Syscall::Ioctl if matches!(a[1], libc::FIONREAD | libc::TIOCOUTQ) => {
            if ok {
                m.i32(a[2]).map_or_else(|| ptr(a[2]), |n| format!("[{n}]"))
            } else {
                ptr(a[2])
            }
        }
        _ => String::new(),
    };
    format!("{entry}{rest}) = {}", result(m, c, ret))
}

/// The result as strace writes it after `= `.
fn result(m: Mem, c: &Call, ret: i64) -> String {
    if ret < 0 {
        let e = Errno(-ret as i32);
        return format!("-1 {e} ({})", e.message());
    }
    let a = c.args;
    match c.syscall {
        Syscall::Poll | Syscall::Ppoll if ret == 0 => "0 (Timeout)".into(),
        Syscall::Poll | Syscall::Ppoll => {
            let mut s = format!("{ret} ({}", poll_ready(m, a[0], a[1]));
            if c.syscall == Syscall::Ppoll && a[2] != 0 {
                s.push_str(&format!(", left {}", time_at(m, a[2], true)));
            }
            s + ")"
        }
        Syscall::Select | Syscall::Pselect6 if ret == 0 => "0 (Timeout)".into(),
        Syscall::Select | Syscall::Pselect6 => {
            let names = ["in", "out", "except"];
            let mut parts: Vec<String> = (1..4)
                .filter_map(|i| fd_set_list(m, a[i], a[0]).map(|s| format!("{} {s}", names[i - 1])))
                .collect();
            if a[4] != 0 {
                parts.push(format!("left {}", time_at(m, a[4], c.syscall == Syscall::Pselect6)));
            }
            format!("{ret} ({})", parts.join(", "))
        }
        Syscall::Fcntl if a[1] as i32 == libc::F_GETFL => {
            format!("{ret:#x} (flags {})", open_flags(ret as u64))
        }
        Syscall::Fcntl if a[1] as i32 == libc::F_GETFD && ret != 0 => format!("{ret:#x} (flags FD_CLOEXEC)"),
        _ => ret.to_string(),
    }
}

/// What a read-like call got, from the preview the decoder took.
fn read_back(c: &Call, ret: i64) -> String {
    quoted(c.preview.as_deref().unwrap_or_default(), ret as u64)
}

pub(super) fn buffer(m: Mem, addr: u64, len: u64) -> String {
    match m.preview(addr, len.min(fmt::STRING_LIMIT as u64)) {
        Some(b) if addr != 0 => quoted(&b, len),
        _ => ptr(addr),
    }
}

fn msg_flags(bits: u64) -> String {
    flags(bits & 0xffff_ffff, MSG_FLAGS, "0")
}

fn sock_flags(f: i32) -> String {
    let names = [(libc::SOCK_CLOEXEC as u64, "SOCK_CLOEXEC"), (libc::SOCK_NONBLOCK as u64, "SOCK_NONBLOCK")];
    flags(f as u32 as u64, &names, "0")
}

fn shut(how: i32) -> String {
    match how {
        libc::SHUT_RD => "SHUT_RD".into(),
        libc::SHUT_WR => "SHUT_WR".into(),
        libc::SHUT_RDWR => "SHUT_RDWR".into(),
        h => format!("{h} /* SHUT_??? */"),
    }
}

fn len_at(m: Mem, addr: u64) -> Option<u32> {
    m.array::<4>(addr).map(u32::from_ne_bytes)
}

/// An in-out length argument: `[16]`, `[128 => 16]`, `NULL`.
fn len_ref(m: Mem, addr: u64, c: &Call) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    len_at(m, addr).map_or_else(|| ptr(addr), |n| format!("[{}]", in_out(c.len_in, n)))
}

/// `16`, or `110 => 0` when the kernel changed it.
pub(super) fn in_out(before: Option<u32>, after: u32) -> String {
    match before {
        Some(b) if b != after => format!("{b} => {after}"),
        _ => after.to_string(),
    }
}

fn int_pair(m: Mem, addr: u64) -> String {
    match m.array::<8>(addr) {
        Some(b) => format!("[{}, {}]", half(&b, 0) as i32, half(&b, 4) as i32),
        None => ptr(addr),
    }
}
