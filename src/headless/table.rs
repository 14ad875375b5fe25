//! The readable table: time, socket, call, mode, outcome, duration.

use crate::escape::{self, escape};
use crate::record::{Call, Lane, Op};

pub const HEADER: &str =
    "    time  sock  call                      mode                  outcome                 duration";

fn ms(ns: u64) -> String {
    format!("{:.1} ms", ns as f64 / 1e6)
}

/// One call as one table row; narration as an indented quote.
pub fn table_line(c: &Call) -> String {
    let t = format!("{:7.3}s", c.start_ns as f64 / 1e9);
    // Narration is prose: quotes and backslashes stay as written; only what
    // could disturb a terminal is escaped.
    if matches!(c.op, Op::Say | Op::Summary) {
        return format!("{t}  ── {}", escape::text(&c.arg_text().unwrap_or_default()));
    }
    let call = match c.arg_text() {
        Some(a) => format!("{} {a}", c.op.word()),
        None => c.op.word().to_string(),
    };
    let call = clip(&call, 24);
    let mode = match c.lane {
        Lane::Sock(_) => c.mode.to_string(),
        _ => String::new(),
    };
    let mut outcome = c.label();
    if let (Some(e), false) = (c.errno_name(), outcome.contains("error")) {
        outcome.push_str(&format!(" {e}"));
    }
    let dur = match c.end_ns {
        Some(e) => ms(e.saturating_sub(c.start_ns)),
        None => "(blocking)".into(),
    };
    let mut line = format!("{t}  {:<4}  {call:<24}  {mode:<20}  {outcome:<22}  {dur:>9}", c.lane.to_string());
    if let Some(k) = c.kernel {
        line.push_str(&format!("  kernel: {k}"));
    }
    if let (Op::Recv | Op::Peek, Some(p)) = (c.op, &c.preview) {
        line.push_str(&format!("  \"{}\"", clip(&escape(p), 40)));
    }
    line
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
