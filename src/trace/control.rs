//! Asking a running tracer to end. The tracer thread sleeps in waitpid; a
//! request sets a flag and sends that thread a signal whose handler does
//! nothing, so waitpid returns EINTR and the loop reads the flag. The signal
//! is sent again until the tracer is done, so a request that lands just
//! before waitpid is not lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, Ordering};
use std::time::Duration;

use super::sys;

/// The signal that wakes the tracer thread. Its default action is to
/// ignore it, so it can hurt nothing else.
pub const WAKE_SIGNAL: i32 = libc::SIGURG;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Request {
    None,
    /// Spawned: SIGTERM every traced process. Attached: detach.
    Stop,
    /// Spawned: SIGKILL every traced process. Attached: detach.
    Kill,
}

#[derive(Debug, Default)]
pub struct Control {
    request: AtomicU8,
    tracer_tid: AtomicI32,
    done: AtomicBool,
    /// The process the trace started or attached to.
    root: AtomicI32,
}

impl Control {
    pub fn request(&self) -> Request {
        match self.request.load(Ordering::SeqCst) {
            0 => Request::None,
            1 => Request::Stop,
            _ => Request::Kill,
        }
    }

    pub fn set_tracer(&self) {
        self.tracer_tid.store(sys::gettid(), Ordering::SeqCst);
    }

    pub fn set_root(&self, pid: i32) {
        self.root.store(pid, Ordering::SeqCst);
    }

    pub fn set_done(&self) {
        self.done.store(true, Ordering::SeqCst);
    }
}

/// A handle on a running tracer, for any thread: `stop`, `kill`.
#[derive(Debug, Clone)]
pub struct Handle {
    control: Arc<Control>,
    attached: bool,
}

impl Handle {
    pub(super) fn new(control: Arc<Control>, attached: bool) -> Handle {
        Handle { control, attached }
    }

    /// Whether the trace attached to a running program (`-p`): ending it
    /// detaches, and the program goes on.
    pub fn attached(&self) -> bool {
        self.attached
    }

    /// Spawned: ends the program with SIGTERM. Attached: detaches.
    pub fn stop(&self) {
        self.ask(1);
    }

    /// Spawned: ends the program with SIGKILL. Attached: detaches.
    pub fn kill(&self) {
        self.ask(2);
    }

    /// The process the trace started (once it runs) or attached to.
    pub fn root_pid(&self) -> u32 {
        self.control.root.load(Ordering::SeqCst) as u32
    }

    pub fn is_done(&self) -> bool {
        self.control.done.load(Ordering::SeqCst)
    }

    fn ask(&self, level: u8) {
        self.control.request.fetch_max(level, Ordering::SeqCst);
        let c = Arc::clone(&self.control);
        let _ = std::thread::Builder::new().name("tracer-wake".into()).spawn(move || {
            for _ in 0..200 {
                let tid = c.tracer_tid.load(Ordering::SeqCst);
                if c.done.load(Ordering::SeqCst) || tid == 0 {
                    break;
                }
                let _ = sys::signal_thread(tid, WAKE_SIGNAL);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
    }
}
