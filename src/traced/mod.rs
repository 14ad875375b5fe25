//! A real program's socket calls, on the same screen as the lab's: the
//! tracer's events (`trace`) become record events (`bridge`), folded by the
//! one `Record`, so the timeline, the call pane, selection, zoom, replay and
//! recordings work on a traced program unchanged. `session` runs a trace
//! behind the TUI; [`RecordTap`] records one that has no screen.

pub mod bridge;
mod map;
mod output;
mod session;

use std::path::Path;

pub use bridge::Bridge;
pub use output::OutputTo;
pub use session::{GRACE, Options, Program, TraceSession};

use crate::record::file::Recorder;
use crate::trace::TraceEvent;

/// `trace --record FILE` beside the headless writer: each tracer event,
/// bridged, is appended to the recording.
pub struct RecordTap {
    bridge: Bridge,
    recorder: Option<Recorder>,
    failure: Option<String>,
}

impl RecordTap {
    pub fn create(path: &Path) -> std::io::Result<RecordTap> {
        Ok(RecordTap { bridge: Bridge::new(), recorder: Some(Recorder::create(path)?), failure: None })
    }

    /// Records one tracer event, seen at `now_ns` on the trace's clock.
    pub fn event(&mut self, ev: &TraceEvent, now_ns: u64) {
        let Some(rec) = &mut self.recorder else { return };
        for out in self.bridge.event(ev, now_ns) {
            if let Err(e) = rec.write(now_ns, &out) {
                self.failure =
                    Some(format!("recording stopped: {e}; the file lacks every event from here on"));
                self.recorder = None;
                return;
            }
        }
    }

    /// Why the recording stopped early, if it did.
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }
}
