//! One row of the record's socket table.

use super::event::SockInfo;
use super::evidence::History;
use super::mode::{KernelView, Mode};

/// A socket as its events describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct SockState {
    pub info: SockInfo,
    /// The mode as the user set it, folded from mode-change records.
    pub mode: Mode,
    /// What the kernel held as recorded with the last mode change. A
    /// recording, not a reading: front ends that show "the kernel now" take
    /// a fresh sample (see `lab::sample`).
    pub kernel: Option<KernelView>,
    pub closed: bool,
    /// What its calls so far showed: shutdowns, EOF, a reset.
    pub history: History,
    /// A traced program's socket: how many sockets before it had the same
    /// `PID:FD` (a closed fd's number comes back for a new socket).
    pub reuse: u32,
}

impl SockState {
    pub fn new(info: SockInfo) -> SockState {
        SockState {
            info,
            mode: Mode::default(),
            kernel: None,
            closed: false,
            history: History::default(),
            reuse: 0,
        }
    }

    pub fn id(&self) -> u32 {
        self.info.id
    }

    pub fn is_open(&self) -> bool {
        !self.closed
    }
}
