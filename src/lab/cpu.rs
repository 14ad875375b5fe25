//! The CPU time one lab's threads use, kept apart from any other lab in the
//! same process (`compare` runs two). Each thread enrols itself when it
//! starts; a reading adds up the CPU clock of every enrolled thread still
//! running and what each thread that ended had used by then. The thread that
//! runs the executor (a front end's) is not a lab thread, so the calls made
//! there at once (creating a socket, mode changes, `shutdown`, `close`) are
//! not counted.

use std::sync::Mutex;
use std::time::Duration;

use crate::sys;

/// Whose work a thread does: the experiment's (a socket's worker, the event
/// loop), or the embedded peer's, which plays the other end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Ours,
    Peer,
}

/// CPU time used so far, by role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuUse {
    pub ours: Duration,
    pub peer: Duration,
}

impl CpuUse {
    fn add(&mut self, role: Role, d: Duration) {
        match role {
            Role::Ours => self.ours += d,
            Role::Peer => self.peer += d,
        }
    }
}

#[derive(Default)]
pub struct ThreadClocks {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Threads running now: (tid, role).
    live: Vec<(i32, Role)>,
    /// What threads that have ended used.
    ended: CpuUse,
}

/// A thread's enrolment; it ends when the thread does (even by a panic).
pub struct Enrolled<'a> {
    clocks: &'a ThreadClocks,
    tid: i32,
    role: Role,
}

impl ThreadClocks {
    /// Enrols the calling thread until the guard is dropped.
    pub fn enrol(&self, role: Role) -> Enrolled<'_> {
        let tid = sys::thread_id();
        self.lock().live.push((tid, role));
        Enrolled { clocks: self, tid, role }
    }

    /// The CPU time used so far by this lab's threads. A thread cannot end
    /// while the lock is held (it takes the lock to leave), so each live
    /// thread's clock is still there to read.
    pub fn used(&self) -> CpuUse {
        let inner = self.lock();
        let mut sum = inner.ended;
        for &(tid, role) in &inner.live {
            sum.add(role, sys::thread_cpu(tid).unwrap_or_default());
        }
        sum
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Enrolled<'_> {
    fn drop(&mut self) {
        // Read and moved to `ended` under the lock, so no reading counts the
        // thread twice or not at all. What the thread does after this (its
        // exit) is not counted: a few microseconds.
        let mut inner = self.clocks.lock();
        inner.ended.add(self.role, sys::own_thread_cpu().unwrap_or_default());
        inner.live.retain(|&(tid, _)| tid != self.tid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    /// Burns about `d` of this thread's CPU (bounded by the wall clock).
    fn burn(d: Duration) {
        let start = Instant::now();
        while sys::own_thread_cpu().unwrap() < d && start.elapsed() < Duration::from_secs(10) {}
    }

    #[test]
    fn threads_count_for_their_role_while_running_and_after_they_end() {
        let clocks = Arc::new(ThreadClocks::default());
        assert_eq!(clocks.used(), CpuUse::default());
        let (tx, rx) = std::sync::mpsc::channel();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let c = clocks.clone();
        let ours = std::thread::spawn(move || {
            let _e = c.enrol(Role::Ours);
            burn(Duration::from_millis(30));
            tx.send(()).unwrap();
            let _ = go_rx.recv();
        });
        rx.recv().unwrap();
        let running = clocks.used();
        assert!(running.ours >= Duration::from_millis(30), "{running:?}");
        assert_eq!(running.peer, Duration::ZERO, "nothing enrolled as the peer");
        go_tx.send(()).unwrap();
        ours.join().unwrap();
        let after = clocks.used();
        assert!(after.ours >= running.ours, "an ended thread keeps its time: {after:?}");
        // A thread outside the lab (this one) burns CPU that is not counted.
        burn(Duration::from_millis(30));
        assert_eq!(clocks.used(), after, "nothing enrolled is running");
    }
}
