//! Attaching to a running program (`-p PID`): every thread is seized with
//! PTRACE_SEIZE and stopped with PTRACE_INTERRUPT. There is no seccomp filter
//! to add to a running program, so the tracer stops at every syscall entry
//! and exit and picks out the socket calls itself.

use std::collections::HashSet;

use super::error::TraceError;
use super::sys::{self, Pid};

pub const OPTIONS: libc::c_int = libc::PTRACE_O_TRACESYSGOOD
    | libc::PTRACE_O_TRACECLONE
    | libc::PTRACE_O_TRACEFORK
    | libc::PTRACE_O_TRACEVFORK
    | libc::PTRACE_O_TRACEEXEC;

fn tasks(pid: u32) -> Result<Vec<Pid>, TraceError> {
    let dir = std::fs::read_dir(format!("/proc/{pid}/task")).map_err(|_| TraceError::NoProcess(pid))?;
    Ok(dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect())
}

/// Seizes every thread of `pid`, reading the thread list again until no new
/// thread appears (one may be created while the others are being seized;
/// those made by an already seized thread are followed by TRACECLONE).
pub fn attach(pid: u32) -> Result<Vec<Pid>, TraceError> {
    if pid == std::process::id() {
        return Err(TraceError::Refused("sockscope cannot trace itself".into()));
    }
    let mut seized: HashSet<Pid> = HashSet::new();
    loop {
        let fresh: Vec<Pid> = tasks(pid)?.into_iter().filter(|t| !seized.contains(t)).collect();
        if fresh.is_empty() {
            break;
        }
        for tid in fresh {
            match sys::seize(tid, OPTIONS) {
                Ok(()) => {
                    let _ = sys::interrupt(tid);
                    seized.insert(tid);
                }
                // A thread that ended meanwhile.
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) && tid != pid as Pid => {}
                Err(e) => {
                    for &t in &seized {
                        let _ = sys::detach(t, 0);
                    }
                    return Err(TraceError::refused(pid, e));
                }
            }
        }
    }
    Ok(seized.into_iter().collect())
}
