//! Thin wrappers over ptrace, waitpid, process_vm_readv, fork/exec and a
//! few socket read-backs. All of the tracer's `unsafe` lives here.

use std::ffi::{CStr, c_void};
use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// A process or thread id, as the kernel takes it.
pub type Pid = libc::pid_t;

const PTRACE_GET_SYSCALL_INFO: libc::c_uint = 0x420e;

fn check(rc: libc::c_long) -> io::Result<libc::c_long> {
    if rc == -1 { Err(io::Error::last_os_error()) } else { Ok(rc) }
}

fn ptrace(req: libc::c_uint, pid: Pid, addr: usize, data: usize) -> io::Result<libc::c_long> {
    // SAFETY: every request made through here passes integers, or (for
    // GETEVENTMSG and GET_SYSCALL_INFO) a pointer to a live buffer of the
    // size the kernel writes, from the wrappers below.
    check(unsafe { libc::ptrace(req, pid, addr as *mut c_void, data as *mut c_void) })
}

pub fn seize(pid: Pid, options: libc::c_int) -> io::Result<()> {
    ptrace(libc::PTRACE_SEIZE, pid, 0, options as usize).map(drop)
}

pub fn interrupt(pid: Pid) -> io::Result<()> {
    ptrace(libc::PTRACE_INTERRUPT, pid, 0, 0).map(drop)
}

/// Leaves a tracee in its group-stop, but reports when it is continued.
pub fn listen(pid: Pid) -> io::Result<()> {
    ptrace(libc::PTRACE_LISTEN, pid, 0, 0).map(drop)
}

/// Resumes until the next seccomp or event stop, delivering `sig` (0: none).
pub fn cont(pid: Pid, sig: i32) -> io::Result<()> {
    ptrace(libc::PTRACE_CONT, pid, 0, sig as usize).map(drop)
}

/// Resumes until the next syscall entry or exit, delivering `sig` (0: none).
pub fn cont_syscall(pid: Pid, sig: i32) -> io::Result<()> {
    ptrace(libc::PTRACE_SYSCALL, pid, 0, sig as usize).map(drop)
}

pub fn detach(pid: Pid, sig: i32) -> io::Result<()> {
    ptrace(libc::PTRACE_DETACH, pid, 0, sig as usize).map(drop)
}

pub fn event_msg(pid: Pid) -> io::Result<u64> {
    let mut msg: libc::c_ulong = 0;
    ptrace(libc::PTRACE_GETEVENTMSG, pid, 0, &mut msg as *mut _ as usize)?;
    Ok(msg as u64)
}

/// What `PTRACE_GET_SYSCALL_INFO` reports for a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyscallInfo {
    None,
    Entry { nr: u64, args: [u64; 6] },
    Exit { rval: i64 },
    Seccomp { nr: u64, args: [u64; 6] },
}

/// `struct ptrace_syscall_info`: op, arch, ip, sp, then a union whose
/// largest member (seccomp: nr, args[6], ret_data) fits in 8 words.
#[repr(C)]
#[derive(Default)]
struct RawSyscallInfo {
    op: u8,
    pad: [u8; 3],
    arch: u32,
    ip: u64,
    sp: u64,
    data: [u64; 8],
}

/// Reads a syscall stop in one call. Returns the audit arch with it.
pub fn syscall_info(pid: Pid) -> io::Result<(u32, SyscallInfo)> {
    let mut raw = RawSyscallInfo::default();
    let size = std::mem::size_of::<RawSyscallInfo>();
    ptrace(PTRACE_GET_SYSCALL_INFO, pid, size, &mut raw as *mut _ as usize)?;
    let d = raw.data;
    let args = [d[1], d[2], d[3], d[4], d[5], d[6]];
    let info = match raw.op {
        1 => SyscallInfo::Entry { nr: d[0], args },
        2 => SyscallInfo::Exit { rval: d[0] as i64 },
        3 => SyscallInfo::Seccomp { nr: d[0], args },
        _ => SyscallInfo::None,
    };
    Ok((raw.arch, info))
}

/// Waits for any tracee of this thread (and this thread's own children
/// only: `__WNOTHREAD`). `None` with `nohang` when nothing is ready.
pub fn wait_any(nohang: bool) -> io::Result<Option<(Pid, i32)>> {
    let mut status = 0;
    let flags = libc::__WALL | libc::__WNOTHREAD | if nohang { libc::WNOHANG } else { 0 };
    // SAFETY: `status` is a live i32 the kernel writes.
    let pid = unsafe { libc::waitpid(-1, &mut status, flags) };
    match pid {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(None),
        pid => Ok(Some((pid, status))),
    }
}

/// Waits until this process's own child `pid` stops (before it is traced).
pub fn wait_stopped(pid: Pid) -> io::Result<i32> {
    let mut status = 0;
    loop {
        // SAFETY: as in `wait_any`.
        let rc = unsafe { libc::waitpid(pid, &mut status, libc::WUNTRACED) };
        if rc == pid {
            return Ok(status);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Copies `buf.len()` bytes at `addr` from the tracee; returns how many came.
pub fn read_mem(pid: Pid, addr: u64, buf: &mut [u8]) -> io::Result<usize> {
    if buf.is_empty() {
        return Ok(0);
    }
    let local = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    let remote = libc::iovec { iov_base: addr as *mut c_void, iov_len: buf.len() };
    // SAFETY: `local` points into `buf`, which outlives the call; `remote`
    // is only an address in the other process, checked by the kernel.
    let n = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
    check(n as libc::c_long).map(|n| n as usize)
}

pub fn kill(pid: Pid, sig: i32) -> io::Result<()> {
    // SAFETY: plain integer arguments.
    check(unsafe { libc::kill(pid, sig) } as libc::c_long).map(drop)
}

/// Sends `sig` to one thread of this process.
pub fn signal_thread(tid: Pid, sig: i32) -> io::Result<()> {
    // SAFETY: plain integer arguments.
    let rc = unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, sig) };
    check(rc).map(drop)
}

pub fn gettid() -> Pid {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::gettid() }
}

extern "C" fn wake(_: libc::c_int) {}

/// Installs a handler that does nothing, without SA_RESTART, so that the
/// signal makes the tracer thread's waitpid return EINTR.
pub fn install_wake_handler(sig: i32) -> io::Result<()> {
    // SAFETY: a zeroed sigaction is valid; the handler is an extern "C" fn
    // that touches nothing, so it is async-signal-safe.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = wake as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        check(libc::sigaction(sig, &sa, std::ptr::null_mut()) as libc::c_long).map(drop)
    }
}

/// `getxattr(path, name)` as text (for `system.sockprotoname`).
pub fn getxattr(path: &CStr, name: &CStr) -> Option<Vec<u8>> {
    let mut buf = [0u8; 64];
    // SAFETY: both names are NUL-terminated; `buf` is live and its length is passed.
    let n = unsafe { libc::getxattr(path.as_ptr(), name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    (n > 0).then(|| buf[..n as usize].iter().copied().take_while(|&b| b != 0).collect())
}

/// A duplicate, in this process, of fd `fd` of process `pid`
/// (pidfd_getfd: it needs the same rights as ptrace).
pub fn dup_from(pid: Pid, fd: RawFd) -> io::Result<OwnedFd> {
    // SAFETY: plain integer arguments; a returned fd is new and ours.
    unsafe {
        let pidfd = check(libc::syscall(libc::SYS_pidfd_open, pid, 0))? as RawFd;
        let pidfd = OwnedFd::from_raw_fd(pidfd);
        use std::os::fd::AsRawFd;
        let fd = check(libc::syscall(libc::SYS_pidfd_getfd, pidfd.as_raw_fd(), fd, 0))? as RawFd;
        Ok(OwnedFd::from_raw_fd(fd))
    }
}

/// A pipe whose ends close on exec: the child reports a failed exec on it.
pub fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a live [i32; 2]; on success both fds are new and ours.
    unsafe {
        check(libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) as libc::c_long)?;
        Ok((OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])))
    }
}

/// What a forked child needs, all prepared before the fork so that the
/// child only makes async-signal-safe calls.
pub struct ChildSpec<'a> {
    pub path: &'a CStr,
    /// NULL-terminated.
    pub argv: &'a [*const libc::c_char],
    /// NULL-terminated.
    pub envp: &'a [*const libc::c_char],
    pub filter: &'a [seccompiler::sock_filter],
    /// The write end of a close-on-exec pipe: the child writes its errno
    /// there if it cannot exec.
    pub report: RawFd,
    /// The fds to make the child's 0, 1 and 2 (None: inherited).
    pub stdio: Option<[RawFd; 3]>,
}

/// Forks a child that stops itself (SIGSTOP) so the caller can seize it,
/// then installs the seccomp filter and execs.
pub fn fork_stopped_child(spec: &ChildSpec) -> io::Result<Pid> {
    assert!(spec.argv.last().is_some_and(|p| p.is_null()) && spec.envp.last().is_some_and(|p| p.is_null()));
    // SAFETY: fork in a threaded process: the child only calls
    // async-signal-safe functions (sigprocmask, signal, dup2, kill, getpid, prctl,
    // syscall, execve, write, _exit) on data prepared before the fork.
    unsafe {
        match libc::fork() {
            -1 => Err(io::Error::last_os_error()),
            0 => child(spec),
            pid => Ok(pid),
        }
    }
}

/// The child's side of [`fork_stopped_child`]; never returns.
///
/// # Safety
/// Only to be called in a freshly forked child.
unsafe fn child(spec: &ChildSpec) -> ! {
    // SAFETY: see `fork_stopped_child`; every pointer comes from `spec`,
    // which the parent keeps alive and which the fork copied.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
        // Rust ignores SIGPIPE; an ignored signal stays ignored across exec.
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        if let Some(fds) = spec.stdio {
            for (target, &fd) in fds.iter().enumerate() {
                if libc::dup2(fd, target as libc::c_int) < 0 {
                    let errno = *libc::__errno_location();
                    libc::write(spec.report, (&errno as *const i32).cast(), 4);
                    libc::_exit(127);
                }
            }
        }
        libc::kill(libc::getpid(), libc::SIGSTOP);
        let prog = libc::sock_fprog {
            len: spec.filter.len() as u16,
            filter: spec.filter.as_ptr() as *mut libc::sock_filter,
        };
        // SPEC_ALLOW: the filter is no security boundary, so the program
        // keeps its speed (no forced speculative-store-bypass mitigation).
        let set_filter = |flags: libc::c_ulong| {
            libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, flags, &prog)
        };
        let mut flags = libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        let mut rc = set_filter(flags);
        if rc != 0 && *libc::__errno_location() == libc::EINVAL {
            flags = 0;
            rc = set_filter(flags);
        }
        // Without CAP_SYS_ADMIN the kernel wants no_new_privs first; with it,
        // leave setuid programs working.
        if rc != 0 && *libc::__errno_location() == libc::EACCES {
            libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            rc = set_filter(flags);
        }
        if rc == 0 {
            libc::execve(spec.path.as_ptr(), spec.argv.as_ptr(), spec.envp.as_ptr());
        }
        let errno = *libc::__errno_location();
        libc::write(spec.report, (&errno as *const i32).cast(), 4);
        libc::_exit(127)
    }
}
