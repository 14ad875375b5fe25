//! Trace events as a readable table, like `sockscope run`'s: time, socket
//! (`PID:FD`), call, mode, outcome, duration, then the real syscall and the
//! first bytes moved.

use crate::escape::escape;
use crate::trace::event::{Call, ExitStatus, Lane, Origin, Outcome, TraceEvent};

pub const HEADER: &str = "    time  sock        call                      mode                  outcome                   duration  syscall";

fn t(ns: u64) -> String {
    format!("{:7.3}s", ns as f64 / 1e9)
}

/// Shortens to `max` characters, marking the cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// The outcome as the timeline labels it: `data 5`, `partial 3/8`, `error ECONNRESET`.
pub fn label(c: &Call) -> String {
    let n = c.bytes.unwrap_or(0);
    let mut l = match c.outcome {
        Outcome::Data | Outcome::Sent | Outcome::Ready => format!("{} {n}", c.outcome.word()),
        Outcome::Partial => match c.requested {
            Some(r) => format!("partial {n}/{r}"),
            None => format!("partial {n}"),
        },
        Outcome::Accepted(k) => format!("accepted {k}"),
        Outcome::Timeout(by) => format!("timeout ({})", by.word()),
        Outcome::Error => format!("error {}", c.errno.map(|e| e.to_string()).unwrap_or_default()),
        o => o.word().to_string(),
    };
    if let (Some(e), false) = (c.errno, matches!(c.outcome, Outcome::Error)) {
        l.push(' ');
        l.push_str(&e.to_string());
    }
    l
}

pub fn table_line(ev: &TraceEvent) -> Option<String> {
    match ev {
        TraceEvent::End(c) => Some(call_line(c)),
        TraceEvent::Process { pid, origin, exe, t_ns, .. } => {
            let what = match origin {
                Origin::Spawned => "started".to_string(),
                Origin::Forked { parent } => format!("forked from {parent}"),
                Origin::Exec => "exec".to_string(),
                Origin::Attached => "attached".to_string(),
            };
            Some(format!("{}  {:<10}  ── {what}: {}", t(*t_ns), pid, escape(exe)))
        }
        TraceEvent::Exit { pid, status, t_ns, .. } => {
            let how = match status {
                ExitStatus::Code(c) => format!("exited with {c}"),
                ExitStatus::Signal(s) => format!("killed by {}", crate::signals::name(*s)),
            };
            Some(format!("{}  {:<10}  ── {how}", t(*t_ns), pid))
        }
        TraceEvent::Detached { pid, t_ns, .. } => {
            Some(format!("{}  {:<10}  ── detached; it goes on running", t(*t_ns), pid))
        }
        TraceEvent::Begin(_)
        | TraceEvent::Socket { .. }
        | TraceEvent::Mode { .. }
        | TraceEvent::Gone { .. }
        | TraceEvent::Addrs { .. } => None,
    }
}

pub fn call_line(c: &Call) -> String {
    let call = match c.arg.text() {
        Some(a) => format!("{} {a}", c.op.word()),
        None => c.op.word().to_string(),
    };
    let mode = match (c.lane, c.mode) {
        (Lane::Sock(_), Some(m)) => m.to_string(),
        _ => String::new(),
    };
    let dur = match c.end_ns {
        Some(e) => format!("{:.1} ms", e.saturating_sub(c.start_ns) as f64 / 1e6),
        None => "(blocking)".into(),
    };
    let mut line = format!(
        "{}  {:<10}  {:<24}  {:<20}  {:<22}  {dur:>9}  {}",
        t(c.start_ns),
        c.lane.to_string(),
        clip(&call, 24),
        mode,
        label(c),
        c.syscall.name()
    );
    if let Some(p) = &c.preview {
        line.push_str(&format!("  \"{}\"", clip(&escape(p), 40)));
    }
    line
}
