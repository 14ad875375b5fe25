//! Syscall stops: a call's entry (a seccomp stop, or a syscall-entry stop
//! when attached) and its exit. Each stop is read once, with
//! PTRACE_GET_SYSCALL_INFO.

use super::decode::mem::Mem;
use super::decode::{self, Cx, Entry};
use super::engine::Engine;
use super::errno::Errno;
use super::event::{Call, Lane, Outcome, TraceEvent};
use super::strace;
use super::sys::{self, Pid, SyscallInfo};
use super::syscall::Syscall;
use super::threads::{Held, Pending};

/// AUDIT_ARCH_* of this build: a call of another ABI (32-bit) is not decoded.
#[cfg(target_arch = "x86_64")]
const NATIVE_ARCH: u32 = 0xc000_003e;
#[cfg(target_arch = "aarch64")]
const NATIVE_ARCH: u32 = 0xc000_00b7;
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const NATIVE_ARCH: u32 = 0;

impl Engine {
    pub(super) fn on_seccomp_stop(&mut self, pid: Pid, now: u64) {
        match sys::syscall_info(pid) {
            Ok((arch, SyscallInfo::Seccomp { nr, args })) => self.on_entry(pid, arch, nr, args, now),
            _ => self.resume(pid, 0),
        }
    }

    pub(super) fn on_syscall_stop(&mut self, pid: Pid, now: u64) {
        match sys::syscall_info(pid) {
            Ok((arch, SyscallInfo::Entry { nr, args })) => self.on_entry(pid, arch, nr, args, now),
            Ok((_, SyscallInfo::Exit { rval })) => self.on_exit(pid, rval, now),
            _ => self.resume(pid, 0),
        }
    }

    fn on_entry(&mut self, pid: Pid, arch: u32, nr: u64, args: [u64; 6], now: u64) {
        let sc = if arch == NATIVE_ARCH {
            Syscall::from_nr(nr).filter(|s| s.traced(self.read_write))
        } else {
            None
        };
        let Some(thread) = self.threads.get_mut(&pid) else { return self.resume(pid, 0) };
        if let Some(held) = thread.held.take() {
            let same = sc == Some(held.pending.call.syscall) && args == held.pending.call.args;
            if sc == Some(Syscall::RestartSyscall) || same {
                // The kernel restarts the interrupted call: it goes on as one call.
                thread.pending = Some(held.pending);
                return self.resume(pid, 0);
            }
            self.end_interrupted(held);
        }
        let Some(sc) = sc else { return self.resume(pid, 0) };
        let Some(tgid) = self.threads.get(&pid).map(|t| t.tgid) else { return };
        let mut cx = Cx { tid: pid, tgid, now_ns: now, k: &mut self.k, side: &mut self.side };
        let entry = decode::entry(&mut cx, sc, &args);
        self.flush_side();
        let pending = match entry {
            Entry::Skip => None,
            Entry::Quiet => {
                Some(Pending { call: self.call(pid, tgid, sc, args, Lane::Loop(tgid), now), shown: false })
            }
            Entry::Show(b) => {
                let mut call = self.call(pid, tgid, sc, args, b.lane, now);
                call.seq = self.next_seq();
                call.op = b.op;
                call.arg = b.arg;
                call.requested = b.requested;
                call.mode = b.inode.map(|i| self.k.socks.mode(i));
                // The pending call keeps the entry half; the Begin shows it unfinished.
                if self.strace {
                    call.len_in = strace::len_in(Mem(pid), &call);
                    call.strace = Some(strace::entry(Mem(pid), &call));
                }
                let mut begin = call.clone();
                begin.strace = begin.strace.map(|e| strace::unfinished(&e));
                self.send(TraceEvent::Begin(begin));
                Some(Pending { call, shown: true })
            }
        };
        if let Some(t) = self.threads.get_mut(&pid) {
            t.pending = pending;
        }
        self.resume(pid, 0);
    }

    fn on_exit(&mut self, pid: Pid, rval: i64, now: u64) {
        self.complete(pid, rval, now);
        self.resume(pid, 0);
    }

    /// Ends the call in flight on `pid` with `rval` (or holds it, if the
    /// kernel may restart it). The thread stays stopped.
    pub(super) fn complete(&mut self, pid: Pid, rval: i64, now: u64) {
        let Some(thread) = self.threads.get_mut(&pid) else { return };
        let tgid = thread.tgid;
        let Some(p) = thread.pending.take() else { return };
        if rval < 0 && Errno(-rval as i32).is_restart() {
            thread.held = Some(Held { pending: p, at_ns: now });
            return;
        }
        let mut call = p.call;
        call.end_ns = Some(now);
        let mut cx = Cx { tid: pid, tgid, now_ns: now, k: &mut self.k, side: &mut self.side };
        decode::exit(&mut cx, &mut call, rval);
        call.strace = call.strace.take().map(|e| strace::exit(Mem(pid), &call, &e, rval));
        // What the call changed (a socket it made, a mode it set) comes
        // before its end, so a reader knows the socket its end names.
        self.flush_side();
        if p.shown {
            self.send(TraceEvent::End(call));
        }
    }

    /// A call interrupted by a signal that the kernel did not restart: the
    /// program saw EINTR when the signal was handled.
    pub(super) fn end_interrupted(&mut self, held: Held) {
        if !held.pending.shown {
            return;
        }
        let mut call = held.pending.call;
        call.end_ns = Some(held.at_ns);
        let eintr = -i64::from(libc::EINTR);
        call.strace = call.strace.take().map(|e| strace::exit(Mem(call.tid as Pid), &call, &e, eintr));
        call.ret = Some(eintr);
        call.errno = Some(Errno(libc::EINTR));
        call.outcome = Outcome::Error;
        self.send(TraceEvent::End(call));
    }

    /// A call that will never return (its thread died, or the tracer let
    /// go): it ends with no end time and outcome `blocking`.
    pub(super) fn end_unfinished(&mut self, pending: Option<Pending>, held: Option<Held>) {
        let calls = pending.into_iter().chain(held.map(|h| h.pending)).filter(|p| p.shown);
        for p in calls {
            let mut call = p.call;
            call.strace = call.strace.map(|e| strace::unfinished(&e));
            self.send(TraceEvent::End(call));
        }
    }

    fn call(&self, tid: Pid, tgid: u32, sc: Syscall, args: [u64; 6], lane: Lane, now: u64) -> Call {
        Call {
            seq: 0,
            pid: tgid,
            tid: tid as u32,
            syscall: sc,
            args,
            lane,
            op: super::event::Op::Close,
            arg: decode::arg::Arg::None,
            mode: None,
            start_ns: now,
            end_ns: None,
            ret: None,
            outcome: Outcome::Blocking,
            bytes: None,
            requested: None,
            errno: None,
            preview: None,
            ready: Vec::new(),
            strace: None,
            len_in: None,
        }
    }
}
