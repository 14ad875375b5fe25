//! The stop loop: waits for the next ptrace stop of any traced thread,
//! says what kind of stop it is, hands it on, and resumes the thread. Every
//! stop is resumed before the next wait, so no tracee is ever left stopped
//! (except in a group-stop the program asked for, which PTRACE_LISTEN keeps).

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::Sender;

use super::control::{Control, Request};
use super::decode::Knowledge;
use super::error::TraceError;
use super::event::{ExitStatus, TraceEvent};
use super::outbox::Outbox;
use super::sys::{self, Pid};
use super::threads::{Thread, tgid_of};

const SYSCALL_TRAP: i32 = libc::SIGTRAP | 0x80;

/// How the trace ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// The program sockscope started (or attached to) exited like this.
    Exited(ExitStatus),
    /// sockscope let go of an attached program, which goes on.
    Detached,
}

pub struct Engine {
    /// Spawned under the seccomp filter (stops only on traced syscalls), or
    /// attached (stops on every syscall entry and exit).
    pub seccomp: bool,
    pub read_write: bool,
    /// Make each call's strace line (for a screen or a recording).
    pub strace: bool,
    pub threads: HashMap<Pid, Thread>,
    pub k: Knowledge,
    pub seq: u64,
    pub t0: Instant,
    pub control: Arc<Control>,
    /// The process sockscope started or attached to: its status is ours.
    pub root: Pid,
    pub root_status: Option<ExitStatus>,
    /// Until the spawned program has exec'd: the pipe its child side
    /// reports a failed exec on, and who waits to hear that it started.
    pub exec_report: Option<OwnedFd>,
    pub started: Option<Sender<()>>,
    pub(super) side: Vec<TraceEvent>,
    outbox: Outbox,
    /// The strongest request already carried out (signals sent once).
    done: Request,
}

impl Engine {
    pub fn new(
        seccomp: bool,
        read_write: bool,
        t0: Instant,
        tx: Sender<TraceEvent>,
        control: Arc<Control>,
        root: Pid,
    ) -> Engine {
        Engine {
            seccomp,
            read_write,
            strace: false,
            threads: HashMap::new(),
            k: Knowledge { epolls: super::epolls::Epolls::new(seccomp), ..Knowledge::default() },
            seq: 0,
            t0,
            control,
            root,
            root_status: None,
            exec_report: None,
            started: None,
            side: Vec::new(),
            outbox: Outbox::new(tx),
            done: Request::None,
        }
    }

    pub fn now(&self) -> u64 {
        self.t0.elapsed().as_nanos() as u64
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn send(&mut self, ev: TraceEvent) {
        self.outbox.push(ev);
    }

    pub fn flush_side(&mut self) {
        for ev in std::mem::take(&mut self.side) {
            self.outbox.push(ev);
        }
    }

    /// Runs until every traced thread is gone, or an attached program was let go.
    pub fn run(mut self) -> Result<Finish, TraceError> {
        loop {
            match self.control.request() {
                Request::None => {}
                Request::Stop | Request::Kill if !self.seccomp => return Ok(self.detach_all()),
                r if r > self.done => self.signal_all(r),
                _ => {}
            }
            if self.threads.is_empty() {
                break;
            }
            match sys::wait_any(false) {
                Ok(Some((pid, status))) => self.on_status(pid, status)?,
                Ok(None) => {}
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => {}
                Err(e) if e.raw_os_error() == Some(libc::ECHILD) => break,
                Err(e) => return Err(TraceError::sys("waitpid", e)),
            }
        }
        Ok(match self.root_status {
            Some(s) => Finish::Exited(s),
            None => Finish::Detached,
        })
    }

    /// Ends every traced process with `SIGTERM` (Stop) or `SIGKILL` (Kill).
    fn signal_all(&mut self, r: Request) {
        let sig = if r == Request::Kill { libc::SIGKILL } else { libc::SIGTERM };
        let mut tgids: Vec<u32> = self.threads.values().map(|t| t.tgid).collect();
        tgids.sort_unstable();
        tgids.dedup();
        for tgid in tgids {
            let _ = sys::kill(tgid as Pid, sig);
        }
        self.done = r;
    }

    fn on_status(&mut self, pid: Pid, status: i32) -> Result<(), TraceError> {
        let now = self.now();
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            let st = if libc::WIFEXITED(status) {
                ExitStatus::Code(libc::WEXITSTATUS(status))
            } else {
                ExitStatus::Signal(libc::WTERMSIG(status))
            };
            return self.on_gone(pid, st, now);
        }
        if !libc::WIFSTOPPED(status) {
            return Ok(());
        }
        // A new child whose first stop came before its parent's event.
        self.threads.entry(pid).or_insert_with(|| Thread::new(tgid_of(pid).unwrap_or(pid as u32)));
        let sig = libc::WSTOPSIG(status);
        match status >> 16 {
            0 if sig == SYSCALL_TRAP => self.on_syscall_stop(pid, now),
            0 => self.resume(pid, sig),
            libc::PTRACE_EVENT_SECCOMP => self.on_seccomp_stop(pid, now),
            libc::PTRACE_EVENT_FORK | libc::PTRACE_EVENT_VFORK | libc::PTRACE_EVENT_CLONE => {
                self.on_new_child(pid, now);
                self.resume(pid, 0);
            }
            libc::PTRACE_EVENT_EXEC => {
                self.on_exec(pid, now);
                self.resume(pid, 0);
            }
            libc::PTRACE_EVENT_STOP
                if matches!(sig, libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU) =>
            {
                // A group-stop: stay stopped as the program was told, but
                // let the tracer hear of the SIGCONT.
                let _ = sys::listen(pid);
            }
            _ => self.resume(pid, 0),
        }
        Ok(())
    }

    /// Resumes a thread: to its syscall's exit stop if a call is in flight
    /// (or, attached, to every syscall stop), else to the next seccomp stop.
    pub fn resume(&self, pid: Pid, sig: i32) {
        let in_call = self.threads.get(&pid).is_some_and(|t| t.pending.is_some());
        let _ = if !self.seccomp || in_call { sys::cont_syscall(pid, sig) } else { sys::cont(pid, sig) };
    }
}
