//! sockscope's own CPU use, so the cost of busy-polling shows next to an
//! event-loop wait that costs nothing. Read from /proc/self/stat (user +
//! system time of every thread) in the update step, never in render.

use std::time::{Duration, Instant};

/// The kernel reports times in USER_HZ ticks, which Linux fixes at 100 for
/// every program (whatever HZ the kernel runs at).
const USER_HZ: f64 = 100.0;
/// Shorter than this and a tick (10 ms) is too coarse to mean much.
const WINDOW: Duration = Duration::from_millis(500);
/// Above this, keep sampling even with nothing else animating, so the
/// reading falls back once a spin ends instead of staying high.
const BUSY_PERCENT: u32 = 20;

#[derive(Debug, Clone, Default)]
pub struct CpuMeter {
    /// The last sample: when, and the process's CPU ticks then.
    last: Option<(Instant, u64)>,
    /// Percent of one CPU over the last window (above 100 with several threads busy).
    pub percent: Option<u32>,
}

impl CpuMeter {
    /// Takes a sample if a window has passed since the last one.
    pub fn sample(&mut self, now: Instant) {
        if self.last.is_some_and(|(t, _)| now.duration_since(t) < WINDOW) {
            return;
        }
        let Some(ticks) = process_ticks() else { return };
        if let Some((t, before)) = self.last {
            let secs = now.duration_since(t).as_secs_f64();
            let used = ticks.saturating_sub(before) as f64 / USER_HZ;
            self.percent = Some((used / secs * 100.0).round() as u32);
        }
        self.last = Some((now, ticks));
    }

    /// Whether the reading is high enough to keep sampling.
    pub fn busy(&self) -> bool {
        self.percent.is_some_and(|p| p >= BUSY_PERCENT)
    }
}

/// utime + stime of this process, in ticks.
fn process_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    parse_ticks(&stat)
}

/// Fields 14 and 15 of /proc/PID/stat. The command name (field 2) may hold
/// spaces and parentheses, so counting starts after its last `)`.
fn parse_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_read_after_the_command_name() {
        let stat = "42 (a b) c) R 1 1 1 0 -1 4194304 98 0 0 0 250 31 0 0 20 0 1 0";
        assert_eq!(parse_ticks(stat), Some(281));
        assert!(process_ticks().is_some(), "/proc/self/stat is readable");
    }

    #[test]
    fn a_sample_needs_a_window() {
        let mut m = CpuMeter::default();
        let t0 = Instant::now();
        m.sample(t0);
        assert_eq!(m.percent, None, "one sample gives no rate");
        m.sample(t0 + Duration::from_millis(10));
        assert_eq!(m.percent, None, "too soon for a second sample");
        m.sample(t0 + WINDOW);
        assert!(m.percent.is_some());
    }
}
