//! Processes and threads coming and going: fork/clone, exec, exit, and
//! letting go of an attached program.

use std::io::Read;
use std::time::{Duration, Instant};

use super::engine::{Engine, Finish};
use super::error::TraceError;
use super::event::{ExitStatus, Origin, TraceEvent};
use super::fds::read_inode;
use super::sys::{self, Pid};
use super::threads::{Thread, program_of, tgid_of};

impl Engine {
    /// A thread ended. If it was the last of its process, the process did.
    pub(super) fn on_gone(&mut self, pid: Pid, st: ExitStatus, now: u64) -> Result<(), TraceError> {
        let Some(t) = self.threads.remove(&pid) else { return Ok(()) };
        self.end_unfinished(t.pending, t.held);
        if pid as u32 != t.tgid {
            return Ok(());
        }
        if pid == self.root {
            if let Some(pipe) = self.exec_report.take() {
                // It never reached its program: the child side says why.
                let mut errno = [0u8; 4];
                if std::fs::File::from(pipe).read_exact(&mut errno).is_ok() {
                    return Err(TraceError::exec(i32::from_ne_bytes(errno)));
                }
            }
            self.root_status = Some(st);
        }
        let seq = self.next_seq();
        self.send(TraceEvent::Exit { seq, pid: t.tgid, status: st, t_ns: now });
        let stale: Vec<Pid> =
            self.threads.iter().filter(|(_, o)| o.tgid == t.tgid).map(|(&p, _)| p).collect();
        for p in stale {
            if let Some(o) = self.threads.remove(&p) {
                self.end_unfinished(o.pending, o.held);
            }
        }
        for inode in self.k.fds.forget_process(t.tgid) {
            self.k.socks.remove(inode);
        }
        self.k.epolls.forget_process(t.tgid);
        Ok(())
    }

    /// PTRACE_EVENT_FORK/VFORK/CLONE at the parent: a new thread or process.
    pub(super) fn on_new_child(&mut self, parent: Pid, now: u64) {
        let Ok(child) = sys::event_msg(parent) else { return };
        let child = child as Pid;
        let Some(ptgid) = self.threads.get(&parent).map(|t| t.tgid) else { return };
        let tgid = tgid_of(child).unwrap_or(child as u32);
        self.threads.entry(child).or_insert_with(|| Thread::new(tgid));
        if tgid == child as u32 {
            self.k.epolls.inherit(ptgid, tgid);
            self.announce(tgid, Origin::Forked { parent: ptgid }, now);
        }
    }

    /// PTRACE_EVENT_EXEC: the process runs a new program. Close-on-exec
    /// sockets are gone, and fd numbers may be reused without a close.
    pub(super) fn on_exec(&mut self, pid: Pid, now: u64) {
        let former = sys::event_msg(pid).map(|f| f as Pid).unwrap_or(pid);
        if former != pid
            && let Some(t) = self.threads.remove(&former)
        {
            self.threads.insert(pid, t);
        }
        let tgid = self.threads.get(&pid).map(|t| t.tgid).unwrap_or(pid as u32);
        // Every other thread of the process died in the exec.
        let others: Vec<Pid> =
            self.threads.iter().filter(|(p, t)| t.tgid == tgid && **p != pid).map(|(&p, _)| p).collect();
        for p in others {
            if let Some(o) = self.threads.remove(&p) {
                self.end_unfinished(o.pending, o.held);
            }
        }
        let sockets = self.k.fds.sockets_of(tgid);
        let states: Vec<_> =
            sockets.iter().map(|&(_, i)| self.k.socks.get(i).copied().unwrap_or_default()).collect();
        for inode in self.k.fds.forget_process(tgid) {
            self.k.socks.remove(inode);
        }
        self.k.epolls.forget_process(tgid);
        for (&(fd, inode), s) in sockets.iter().zip(states) {
            if read_inode(tgid, fd) == Some(inode) {
                self.k.fds.set(tgid, fd, inode);
                self.k.socks.insert(inode, s);
            } else {
                self.send(TraceEvent::Gone { sock: super::event::SockId { pid: tgid, fd }, t_ns: now });
            }
        }
        let origin = if self.started.is_some() && pid == self.root {
            self.exec_report = None;
            if let Some(s) = self.started.take() {
                let _ = s.send(());
            }
            Origin::Spawned
        } else {
            Origin::Exec
        };
        self.announce(tgid, origin, now);
    }

    pub(super) fn announce(&mut self, pid: u32, origin: Origin, now: u64) {
        let (exe, argv0) = program_of(pid);
        let seq = self.next_seq();
        self.send(TraceEvent::Process { seq, pid, origin, exe, argv0, t_ns: now });
    }

    /// Announces an attached process and the sockets it already holds.
    pub(super) fn announce_attached(&mut self, pid: u32, now: u64) {
        self.announce(pid, Origin::Attached, now);
        let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { return };
        let mut fds: Vec<i32> = dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect();
        fds.sort_unstable();
        let mut cx = super::decode::Cx {
            tid: pid as Pid,
            tgid: pid,
            now_ns: now,
            k: &mut self.k,
            side: &mut self.side,
        };
        for fd in fds {
            cx.sock(fd);
        }
        self.flush_side();
    }

    /// Lets go of every thread of an attached program: each is stopped
    /// with PTRACE_INTERRUPT, then detached (with the signal it was about to
    /// get, if any). Calls still in the kernel end unfinished.
    pub(super) fn detach_all(&mut self) -> Finish {
        for &tid in self.threads.keys() {
            let _ = sys::interrupt(tid);
        }
        let mut tgids: Vec<u32> = self.threads.values().map(|t| t.tgid).collect();
        tgids.sort_unstable();
        tgids.dedup();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.threads.is_empty() && Instant::now() < deadline {
            let (pid, status) = match sys::wait_any(true) {
                Ok(Some(s)) => s,
                Ok(None) | Err(_) => {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
            };
            if !libc::WIFSTOPPED(status) {
                if let Some(t) = self.threads.remove(&pid) {
                    self.end_unfinished(t.pending, t.held);
                }
                continue;
            }
            let sig = libc::WSTOPSIG(status);
            if sig == libc::SIGTRAP | 0x80
                && let Ok((_, sys::SyscallInfo::Exit { rval })) = sys::syscall_info(pid)
            {
                // Stopped at a call's exit: it returned, so say how.
                let now = self.now();
                self.complete(pid, rval, now);
            }
            let pass = if status >> 16 == 0 && sig != libc::SIGTRAP | 0x80 { sig } else { 0 };
            let _ = sys::detach(pid, pass);
            if let Some(t) = self.threads.remove(&pid) {
                self.end_unfinished(t.pending, t.held);
            }
        }
        let now = self.now();
        for pid in tgids {
            let seq = self.next_seq();
            self.send(TraceEvent::Detached { seq, pid, t_ns: now });
        }
        Finish::Detached
    }
}
