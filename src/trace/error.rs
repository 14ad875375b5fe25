//! Why a trace could not start, in words that say what to do.

use std::io;

use crate::escape::escape;

#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("{0}: command not found")]
    NotFound(String),
    #[error("cannot run the program: {0}")]
    Exec(io::Error),
    #[error("{0}")]
    Refused(String),
    #[error("no process {0}")]
    NoProcess(u32),
    #[error("{0}: {1}")]
    Sys(&'static str, io::Error),
    #[error("cannot build the seccomp filter: {0}")]
    Filter(String),
}

impl TraceError {
    pub fn sys(what: &'static str, e: io::Error) -> TraceError {
        TraceError::Sys(what, e)
    }

    pub fn not_found(cmd: &[u8]) -> TraceError {
        TraceError::NotFound(escape(cmd))
    }

    pub fn exec(errno: i32) -> TraceError {
        TraceError::Exec(io::Error::from_raw_os_error(errno))
    }

    /// The exit code, as a shell would give it: 127 for a command that is
    /// not found, 126 for one that cannot run, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            TraceError::NotFound(_) => 127,
            TraceError::Exec(e) if e.raw_os_error() == Some(libc::ENOENT) => 127,
            TraceError::Exec(_) => 126,
            _ => 1,
        }
    }

    /// ptrace said no: say why, and what to do.
    pub fn refused(pid: u32, e: io::Error) -> TraceError {
        if e.raw_os_error() == Some(libc::ESRCH) {
            return TraceError::NoProcess(pid);
        }
        if e.raw_os_error() != Some(libc::EPERM) {
            return TraceError::Sys("ptrace", e);
        }
        TraceError::Refused(format!(
            "cannot trace process {pid}: ptrace was refused (EPERM): {}",
            why_refused(pid)
        ))
    }
}

/// The likely reason ptrace is refused, from what /proc shows.
fn why_refused(pid: u32) -> String {
    let tracer = std::fs::read_to_string(format!("/proc/{pid}/status")).ok().and_then(|s| {
        s.lines().find_map(|l| l.strip_prefix("TracerPid:")).and_then(|v| v.trim().parse::<u32>().ok())
    });
    if let Some(t) = tracer.filter(|&t| t != 0) {
        return format!(
            "it is already traced by process {t} (a debugger or strace); a process has one tracer at a time"
        );
    }
    let scope = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok());
    match scope {
        Some(1) => "kernel.yama.ptrace_scope is 1: attach needs CAP_SYS_PTRACE or a child process \
                    (run sockscope as root, or start the program under it: sockscope trace -- CMD)"
            .into(),
        Some(2) => "kernel.yama.ptrace_scope is 2: only a process with CAP_SYS_PTRACE may attach (run sockscope as root)".into(),
        Some(3) => "kernel.yama.ptrace_scope is 3: ptrace is disabled until the next reboot".into(),
        _ => "the process belongs to another user, or this container forbids ptrace \
              (no CAP_SYS_PTRACE, or a seccomp profile); run sockscope as the same user or as root"
            .into(),
    }
}
