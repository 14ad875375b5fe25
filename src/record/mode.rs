//! A socket's mode: what the user set (the Python view) and what the kernel
//! holds (read back after every change).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The Python-level mode: blocking, non-blocking, or CPython's poll-based timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PyMode {
    #[default]
    Blocking,
    NonBlocking,
    /// `settimeout(T)`. `T == 0` is `settimeout(0)`: the same as non-blocking,
    /// but kept apart so the screen can say which the user typed.
    Timeout(Duration),
}

impl PyMode {
    /// Whether the fd must carry O_NONBLOCK in this mode.
    pub fn wants_nonblock(self) -> bool {
        !matches!(self, PyMode::Blocking)
    }

    /// The poll deadline a call waits for first, if any (only `timeout T`, T > 0).
    pub fn poll_timeout(self) -> Option<Duration> {
        match self {
            PyMode::Timeout(t) if !t.is_zero() => Some(t),
            _ => None,
        }
    }
}

/// The whole mode as the user set it. Kernel timers are kept separately from
/// the Python mode because they are independent settings on the fd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Mode {
    pub py: PyMode,
    /// SO_RCVTIMEO as last set (`Some(ZERO)`: set to 0, which means forever).
    pub rcvtimeo: Option<Duration>,
    /// SO_SNDTIMEO as last set.
    pub sndtimeo: Option<Duration>,
}

/// Seconds as the command language writes them: `0.2`, `1.5`, `0`.
pub fn secs(d: Duration) -> String {
    let s = format!("{:.6}", d.as_secs_f64());
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() { "0".into() } else { s.into() }
}

impl fmt::Display for PyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PyMode::Blocking => f.write_str("blocking"),
            PyMode::NonBlocking => f.write_str("nonblocking"),
            PyMode::Timeout(t) => write!(f, "timeout {}", secs(*t)),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.py)?;
        for (name, t) in [("rcvtimeo", self.rcvtimeo), ("sndtimeo", self.sndtimeo)] {
            if let Some(t) = t {
                write!(f, " {name} {}", secs(t))?;
            }
        }
        Ok(())
    }
}

/// What the kernel holds, read back with fcntl(F_GETFL) and getsockopt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KernelView {
    pub nonblock: bool,
    /// SO_RCVTIMEO in microseconds; 0 means the kernel waits forever.
    pub rcvtimeo_us: u64,
    /// SO_SNDTIMEO in microseconds; 0 means the kernel waits forever.
    pub sndtimeo_us: u64,
}

impl fmt::Display for KernelView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.nonblock { "O_NONBLOCK" } else { "no O_NONBLOCK" })?;
        for (name, us) in [("SO_RCVTIMEO", self.rcvtimeo_us), ("SO_SNDTIMEO", self.sndtimeo_us)] {
            if us == 0 {
                write!(f, ", {name} 0 (forever)")?;
            } else {
                write!(f, ", {name} {}", secs(Duration::from_micros(us)))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_print_like_the_language() {
        assert_eq!(secs(Duration::from_millis(200)), "0.2");
        assert_eq!(secs(Duration::ZERO), "0");
        assert_eq!(secs(Duration::from_secs(2)), "2");
    }

    #[test]
    fn mode_text_names_timers() {
        let m = Mode { py: PyMode::Timeout(Duration::ZERO), rcvtimeo: Some(Duration::ZERO), sndtimeo: None };
        assert_eq!(m.to_string(), "timeout 0 rcvtimeo 0");
    }
}
