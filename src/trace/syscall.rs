//! The syscalls the tracer knows: one table from the kernel's numbers to
//! [`Syscall`], and the family whose decoder answers for each.

use std::sync::OnceLock;

/// A traced syscall. Adding one means one entry in [`Syscall::ALL`],
/// [`Syscall::name`], [`Syscall::nr`] and [`Syscall::family`]: the matches
/// are exhaustive, so the compiler names every place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Syscall {
    Socket,
    Socketpair,
    Bind,
    Listen,
    Accept,
    Accept4,
    Connect,
    Recvfrom,
    Recvmsg,
    Recvmmsg,
    Sendto,
    Sendmsg,
    Sendmmsg,
    Shutdown,
    Close,
    Fcntl,
    Ioctl,
    Setsockopt,
    Poll,
    Ppoll,
    Select,
    Pselect6,
    EpollWait,
    EpollPwait,
    EpollPwait2,
    EpollCtl,
    Read,
    Write,
    Readv,
    Writev,
    Dup,
    Dup2,
    Dup3,
    CloseRange,
    RestartSyscall,
}

/// Which decoder answers for a syscall (strace keeps one file per family too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// socket, socketpair, bind, listen, accept, connect, shutdown, close.
    Net,
    /// recv*/send* and, with `--read-write`, read/write/readv/writev.
    Io,
    /// poll, select, epoll: readiness waits.
    Wait,
    /// fcntl, ioctl, setsockopt: where modes change.
    Ctl,
    /// dup*, close_range: fd bookkeeping only, never shown.
    Fd,
    /// restart_syscall: the kernel resuming an interrupted call.
    Restart,
}

impl Syscall {
    pub const ALL: [Syscall; 35] = [
        Syscall::Socket,
        Syscall::Socketpair,
        Syscall::Bind,
        Syscall::Listen,
        Syscall::Accept,
        Syscall::Accept4,
        Syscall::Connect,
        Syscall::Recvfrom,
        Syscall::Recvmsg,
        Syscall::Recvmmsg,
        Syscall::Sendto,
        Syscall::Sendmsg,
        Syscall::Sendmmsg,
        Syscall::Shutdown,
        Syscall::Close,
        Syscall::Fcntl,
        Syscall::Ioctl,
        Syscall::Setsockopt,
        Syscall::Poll,
        Syscall::Ppoll,
        Syscall::Select,
        Syscall::Pselect6,
        Syscall::EpollWait,
        Syscall::EpollPwait,
        Syscall::EpollPwait2,
        Syscall::EpollCtl,
        Syscall::Read,
        Syscall::Write,
        Syscall::Readv,
        Syscall::Writev,
        Syscall::Dup,
        Syscall::Dup2,
        Syscall::Dup3,
        Syscall::CloseRange,
        Syscall::RestartSyscall,
    ];

    /// The name strace prints.
    pub fn name(self) -> &'static str {
        match self {
            Syscall::Socket => "socket",
            Syscall::Socketpair => "socketpair",
            Syscall::Bind => "bind",
            Syscall::Listen => "listen",
            Syscall::Accept => "accept",
            Syscall::Accept4 => "accept4",
            Syscall::Connect => "connect",
            Syscall::Recvfrom => "recvfrom",
            Syscall::Recvmsg => "recvmsg",
            Syscall::Recvmmsg => "recvmmsg",
            Syscall::Sendto => "sendto",
            Syscall::Sendmsg => "sendmsg",
            Syscall::Sendmmsg => "sendmmsg",
            Syscall::Shutdown => "shutdown",
            Syscall::Close => "close",
            Syscall::Fcntl => "fcntl",
            Syscall::Ioctl => "ioctl",
            Syscall::Setsockopt => "setsockopt",
            Syscall::Poll => "poll",
            Syscall::Ppoll => "ppoll",
            Syscall::Select => "select",
            Syscall::Pselect6 => "pselect6",
            Syscall::EpollWait => "epoll_wait",
            Syscall::EpollPwait => "epoll_pwait",
            Syscall::EpollPwait2 => "epoll_pwait2",
            Syscall::EpollCtl => "epoll_ctl",
            Syscall::Read => "read",
            Syscall::Write => "write",
            Syscall::Readv => "readv",
            Syscall::Writev => "writev",
            Syscall::Dup => "dup",
            Syscall::Dup2 => "dup2",
            Syscall::Dup3 => "dup3",
            Syscall::CloseRange => "close_range",
            Syscall::RestartSyscall => "restart_syscall",
        }
    }

    pub fn family(self) -> Family {
        match self {
            Syscall::Socket
            | Syscall::Socketpair
            | Syscall::Bind
            | Syscall::Listen
            | Syscall::Accept
            | Syscall::Accept4
            | Syscall::Connect
            | Syscall::Shutdown
            | Syscall::Close => Family::Net,
            Syscall::Recvfrom
            | Syscall::Recvmsg
            | Syscall::Recvmmsg
            | Syscall::Sendto
            | Syscall::Sendmsg
            | Syscall::Sendmmsg
            | Syscall::Read
            | Syscall::Write
            | Syscall::Readv
            | Syscall::Writev => Family::Io,
            Syscall::Poll
            | Syscall::Ppoll
            | Syscall::Select
            | Syscall::Pselect6
            | Syscall::EpollWait
            | Syscall::EpollPwait
            | Syscall::EpollPwait2
            | Syscall::EpollCtl => Family::Wait,
            Syscall::Fcntl | Syscall::Ioctl | Syscall::Setsockopt => Family::Ctl,
            Syscall::Dup | Syscall::Dup2 | Syscall::Dup3 | Syscall::CloseRange => Family::Fd,
            Syscall::RestartSyscall => Family::Restart,
        }
    }

    /// Traced only with `--read-write`: they are also every file and pipe
    /// access, so they cost a stop each even when the fd is no socket.
    pub fn read_write(self) -> bool {
        matches!(self, Syscall::Read | Syscall::Write | Syscall::Readv | Syscall::Writev)
    }

    /// The number on this architecture; `None` where the architecture has no
    /// such syscall (aarch64 has no poll, select or epoll_wait).
    pub fn nr(self) -> Option<i64> {
        Some(match self {
            Syscall::Socket => libc::SYS_socket,
            Syscall::Socketpair => libc::SYS_socketpair,
            Syscall::Bind => libc::SYS_bind,
            Syscall::Listen => libc::SYS_listen,
            Syscall::Accept => libc::SYS_accept,
            Syscall::Accept4 => libc::SYS_accept4,
            Syscall::Connect => libc::SYS_connect,
            Syscall::Recvfrom => libc::SYS_recvfrom,
            Syscall::Recvmsg => libc::SYS_recvmsg,
            Syscall::Recvmmsg => libc::SYS_recvmmsg,
            Syscall::Sendto => libc::SYS_sendto,
            Syscall::Sendmsg => libc::SYS_sendmsg,
            Syscall::Sendmmsg => libc::SYS_sendmmsg,
            Syscall::Shutdown => libc::SYS_shutdown,
            Syscall::Close => libc::SYS_close,
            Syscall::Fcntl => libc::SYS_fcntl,
            Syscall::Ioctl => libc::SYS_ioctl,
            Syscall::Setsockopt => libc::SYS_setsockopt,
            Syscall::Ppoll => libc::SYS_ppoll,
            Syscall::Pselect6 => libc::SYS_pselect6,
            Syscall::EpollPwait => libc::SYS_epoll_pwait,
            Syscall::EpollPwait2 => libc::SYS_epoll_pwait2,
            Syscall::EpollCtl => libc::SYS_epoll_ctl,
            Syscall::Read => libc::SYS_read,
            Syscall::Write => libc::SYS_write,
            Syscall::Readv => libc::SYS_readv,
            Syscall::Writev => libc::SYS_writev,
            Syscall::Dup => libc::SYS_dup,
            Syscall::Dup3 => libc::SYS_dup3,
            Syscall::CloseRange => libc::SYS_close_range,
            Syscall::RestartSyscall => libc::SYS_restart_syscall,
            #[cfg(target_arch = "x86_64")]
            Syscall::Poll => libc::SYS_poll,
            #[cfg(target_arch = "x86_64")]
            Syscall::Select => libc::SYS_select,
            #[cfg(target_arch = "x86_64")]
            Syscall::EpollWait => libc::SYS_epoll_wait,
            #[cfg(target_arch = "x86_64")]
            Syscall::Dup2 => libc::SYS_dup2,
            #[cfg(not(target_arch = "x86_64"))]
            Syscall::Poll | Syscall::Select | Syscall::EpollWait | Syscall::Dup2 => return None,
        })
    }

    /// The syscall with this number, if it is one the tracer knows.
    pub fn from_nr(nr: u64) -> Option<Syscall> {
        static TABLE: OnceLock<Vec<Option<Syscall>>> = OnceLock::new();
        let table = TABLE.get_or_init(|| {
            let max = Syscall::ALL.iter().filter_map(|s| s.nr()).max().unwrap_or(0) as usize;
            let mut t = vec![None; max + 1];
            for s in Syscall::ALL {
                if let Some(n) = s.nr() {
                    t[n as usize] = Some(s);
                }
            }
            t
        });
        table.get(usize::try_from(nr).ok()?).copied().flatten()
    }

    /// Whether the tracer stops on this syscall with these options.
    pub fn traced(self, read_write: bool) -> bool {
        read_write || !self.read_write()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_maps_back_to_its_syscall() {
        for s in Syscall::ALL {
            if let Some(n) = s.nr() {
                assert_eq!(Syscall::from_nr(n as u64), Some(s), "{}", s.name());
            }
        }
        assert_eq!(Syscall::from_nr(libc::SYS_getpid as u64), None);
        assert_eq!(Syscall::from_nr(u64::MAX), None);
    }
}
