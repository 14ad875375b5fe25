//! Per-thread state: the call in flight between its entry and exit stops,
//! and a call the kernel interrupted for a signal and may restart.

use super::event::Call;
use super::sys::Pid;

/// A call between its entry and exit stops.
#[derive(Debug, Clone)]
pub struct Pending {
    pub call: Call,
    /// False for bookkeeping calls (dup*) that are never shown.
    pub shown: bool,
}

/// A call that returned a restart code (ERESTARTSYS …) at its exit stop:
/// either the kernel restarts it (the same syscall with the same arguments,
/// or restart_syscall, comes next), or the program sees EINTR.
#[derive(Debug, Clone)]
pub struct Held {
    pub pending: Pending,
    pub at_ns: u64,
}

#[derive(Debug, Clone)]
pub struct Thread {
    pub tgid: u32,
    pub pending: Option<Pending>,
    pub held: Option<Held>,
}

impl Thread {
    pub fn new(tgid: u32) -> Thread {
        Thread { tgid, pending: None, held: None }
    }
}

/// The thread group (process) of a thread, from `/proc/TID/status`.
pub fn tgid_of(tid: Pid) -> Option<u32> {
    let s = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    s.lines().find_map(|l| l.strip_prefix("Tgid:"))?.trim().parse().ok()
}

/// The program a process runs: `/proc/PID/exe` and `argv[0]`, raw bytes.
pub fn program_of(pid: u32) -> (Vec<u8>, Vec<u8>) {
    use std::os::unix::ffi::OsStringExt;
    let exe = std::fs::read_link(format!("/proc/{pid}/exe"))
        .map(|p| p.into_os_string().into_vec())
        .unwrap_or_default();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let argv0 = cmdline.split(|&b| b == 0).next().unwrap_or_default().to_vec();
    (exe, argv0)
}
