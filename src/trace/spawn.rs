//! Starting a program under the tracer. The child stops itself, the tracer
//! seizes it (so every later fork and thread is followed), then the child
//! installs the seccomp filter and execs. The filter is in place before the
//! program's first instruction, and a traced syscall can never run untraced.

use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use super::error::TraceError;
use super::filter;
use super::sys::{self, ChildSpec, Pid};

pub const OPTIONS: libc::c_int = libc::PTRACE_O_TRACESYSGOOD
    | libc::PTRACE_O_TRACECLONE
    | libc::PTRACE_O_TRACEFORK
    | libc::PTRACE_O_TRACEVFORK
    | libc::PTRACE_O_TRACEEXEC
    | libc::PTRACE_O_TRACESECCOMP
    | libc::PTRACE_O_EXITKILL;

/// The spawned child, seized and continued, and the pipe on which it
/// reports a failed exec.
pub struct Spawned {
    pub pid: Pid,
    pub exec_report: std::os::fd::OwnedFd,
}

/// Finds `cmd` as a shell would: a name with a `/` as it is, otherwise the
/// first executable file of that name in `PATH`.
pub fn resolve(cmd: &OsStr) -> Option<PathBuf> {
    if cmd.as_bytes().contains(&b'/') {
        return Some(PathBuf::from(cmd));
    }
    if cmd.is_empty() {
        return None;
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|d| if d.as_os_str().is_empty() { PathBuf::from(".") } else { d })
        .map(|d| d.join(cmd))
        .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

fn cstring(s: &[u8]) -> Result<CString, TraceError> {
    CString::new(s).map_err(|_| TraceError::Exec(std::io::Error::from_raw_os_error(libc::EINVAL)))
}

/// Starts `argv` under the tracer (on the calling thread, which becomes the tracer).
pub fn spawn(
    argv: &[OsString],
    read_write: bool,
    stdio: Option<super::Stdio>,
) -> Result<Spawned, TraceError> {
    let Some(cmd) = argv.first() else { return Err(TraceError::not_found(b"")) };
    let path = resolve(cmd).ok_or_else(|| TraceError::not_found(cmd.as_bytes()))?;
    let path = cstring(path.as_os_str().as_bytes())?;
    let args: Vec<CString> = argv.iter().map(|a| cstring(a.as_bytes())).collect::<Result<_, _>>()?;
    let env: Vec<CString> = std::env::vars_os()
        .filter_map(|(k, v)| {
            let mut kv = k.into_vec();
            kv.push(b'=');
            kv.extend(v.as_bytes());
            CString::new(kv).ok()
        })
        .collect();
    let mut argp: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argp.push(std::ptr::null());
    let mut envp: Vec<*const libc::c_char> = env.iter().map(|a| a.as_ptr()).collect();
    envp.push(std::ptr::null());
    let prog = filter::build(read_write).map_err(TraceError::Filter)?;
    let (report_r, report_w) = sys::cloexec_pipe().map_err(|e| TraceError::sys("pipe", e))?;
    use std::os::fd::AsRawFd;
    let stdio = stdio.map(|s| [s.stdin, s.stdout, s.stderr]);
    let spec = ChildSpec {
        path: &path,
        argv: &argp,
        envp: &envp,
        filter: &prog,
        report: report_w.as_raw_fd(),
        stdio,
    };
    let pid = sys::fork_stopped_child(&spec).map_err(|e| TraceError::sys("fork", e))?;
    drop(report_w);
    let status = sys::wait_stopped(pid).map_err(|e| TraceError::sys("waitpid", e))?;
    if !libc::WIFSTOPPED(status) {
        return Err(TraceError::sys("the child did not stop", std::io::Error::other("exited early")));
    }
    if let Err(e) = sys::seize(pid, OPTIONS) {
        let _ = sys::kill(pid, libc::SIGKILL);
        let _ = sys::wait_stopped(pid);
        return Err(TraceError::refused(pid as u32, e));
    }
    sys::kill(pid, libc::SIGCONT).map_err(|e| TraceError::sys("kill", e))?;
    Ok(Spawned { pid, exec_report: report_r })
}

trait IntoVec {
    fn into_vec(self) -> Vec<u8>;
}

impl IntoVec for OsString {
    fn into_vec(self) -> Vec<u8> {
        std::os::unix::ffi::OsStringExt::into_vec(self)
    }
}
