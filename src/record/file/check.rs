//! What a line of a recording may hold. Serde checks the shape; this checks
//! the values, so that everything later (the timeline, the panes, the
//! explanations) only ever sees what a live session could have made: times
//! within reach of the session's clock, calls that end after they begin
//! and only once, numbers given to one record each, previews within their
//! cap, and summary times that are numbers.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use super::Stamped;
use crate::record::call::{Arg, Call, PREVIEW_CAP};
use crate::record::event::Event;
use crate::record::mode::{KernelView, Mode, PyMode};
use crate::record::traced::OUTPUT_CHUNK;

/// The latest time a recording may name: a year into the session. Far past
/// any real session, and far from where time arithmetic overflows.
pub const MAX_NS: u64 = 365 * 24 * 3600 * 1_000_000_000;

/// Checks lines in order; some checks need what came before.
#[derive(Debug, Default)]
pub struct Checker {
    last_t: u64,
    /// Every record number given so far.
    seqs: HashSet<u64>,
    /// Calls begun and not yet ended: seq → start.
    open: HashMap<u64, u64>,
}

impl Checker {
    pub fn check(&mut self, s: &Stamped) -> Result<(), String> {
        time("t_ns", s.t_ns)?;
        if s.t_ns < self.last_t {
            return Err(format!(
                "t_ns {} is before the line above's {}: two sessions appended to one file? Replay each \
                 on its own",
                s.t_ns, self.last_t
            ));
        }
        self.last_t = s.t_ns;
        match &s.ev {
            Event::Begin(c) => {
                self.record(c)?;
                self.open.insert(c.seq, c.start_ns);
            }
            Event::Instant(c) => self.record(c)?,
            Event::End(e) => {
                let start = self
                    .open
                    .remove(&e.seq)
                    .ok_or_else(|| format!("ends call {}, which has not begun (or has ended)", e.seq))?;
                time("end_ns", e.end_ns)?;
                if e.end_ns < start {
                    return Err(format!(
                        "call {} ends (end_ns {}) before it began ({start})",
                        e.seq, e.end_ns
                    ));
                }
                preview(e.preview.as_deref())?;
                if let Some(a) = &e.arg {
                    arg(a)?;
                }
            }
            Event::Dense { calls, .. } => {
                for d in calls {
                    time("start_ns", d.start_ns)?;
                }
            }
            Event::Socket(info) => {
                if let Some(m) = &info.mode {
                    mode(m)?;
                }
            }
            Event::Output(o) if o.bytes.len() > OUTPUT_CHUNK => {
                return Err(format!(
                    "{} bytes of output in one line (at most {OUTPUT_CHUNK})",
                    o.bytes.len()
                ));
            }
            Event::Closed(_)
            | Event::Use(_)
            | Event::Warning(_)
            | Event::Fault(_)
            | Event::Process(_)
            | Event::Output(_) => {}
        }
        Ok(())
    }

    fn record(&mut self, c: &Call) -> Result<(), String> {
        if !self.seqs.insert(c.seq) {
            return Err(format!("a second record numbered {}", c.seq));
        }
        time("start_ns", c.start_ns)?;
        if let Some(end) = c.end_ns {
            time("end_ns", end)?;
            if end < c.start_ns {
                return Err(format!("record {} ends (end_ns {end}) before it began ({})", c.seq, c.start_ns));
            }
        }
        preview(c.preview.as_deref())?;
        mode(&c.mode)?;
        if let Some(k) = &c.kernel {
            kernel(k)?;
        }
        arg(&c.arg)?;
        if let Some(e) = &c.evidence {
            kernel(&e.kernel)?;
        }
        Ok(())
    }
}

fn time(what: &str, ns: u64) -> Result<(), String> {
    if ns > MAX_NS {
        return Err(format!("{what} {ns} is more than a year into the session"));
    }
    Ok(())
}

fn duration(what: &str, d: Duration) -> Result<(), String> {
    if d > Duration::from_nanos(MAX_NS) {
        return Err(format!("{what} of {} s is more than a year", d.as_secs()));
    }
    Ok(())
}

fn preview(p: Option<&[u8]>) -> Result<(), String> {
    match p {
        Some(p) if p.len() > PREVIEW_CAP => {
            Err(format!("a preview of {} bytes (previews hold at most {PREVIEW_CAP})", p.len()))
        }
        _ => Ok(()),
    }
}

fn mode(m: &Mode) -> Result<(), String> {
    if let PyMode::Timeout(t) = m.py {
        duration("a timeout", t)?;
    }
    for t in [m.rcvtimeo, m.sndtimeo].into_iter().flatten() {
        duration("a kernel timeout", t)?;
    }
    Ok(())
}

fn kernel(k: &KernelView) -> Result<(), String> {
    for us in [k.rcvtimeo_us, k.sndtimeo_us] {
        duration("a kernel timeout", Duration::from_micros(us))?;
    }
    Ok(())
}

fn arg(a: &Arg) -> Result<(), String> {
    match a {
        Arg::Secs(d) | Arg::PollWait { timeout: Some(d), .. } => duration("a duration", *d),
        Arg::Spin(s) => s.for_ns.map_or(Ok(()), |ns| time("a spin's for_ns", ns)),
        // Each serve client's wait is read back as a time.
        Arg::Waits(w) => w.iter().try_for_each(|&(k, ns)| time(&format!("client c{k}'s wait"), ns)),
        _ => Ok(()),
    }
}
