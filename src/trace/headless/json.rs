//! Trace events as JSON lines, in the schema of `sockscope run --json`
//! (DESIGN.md, "Headless output"), with `sock` as `"PID:FD"` and these
//! extensions: `syscall` (the real name), `pid`, `tid`, `ret` (the raw
//! return value), `timeout_by`, `new_sock`, `data` (escaped preview) and
//! `ready` (fds a wait reported, with their events).

use std::fmt::Write;

use crate::escape::escape;
use crate::trace::decode::arg::events_text;
use crate::trace::event::{Call, ExitStatus, Lane, Origin, Outcome, TraceEvent};

fn us(ns: u64) -> u64 {
    (ns + 500) / 1000
}

/// A JSON string literal.
fn s(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "null".into())
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "null".into())
}

/// One event as one JSON line (no newline), or None for events that are not
/// lines (sockets appearing, mode changes: the calls that caused them are).
pub fn json_line(ev: &TraceEvent) -> Option<String> {
    match ev {
        TraceEvent::End(c) => Some(call_line(c)),
        TraceEvent::Process { seq, pid, origin, exe, t_ns, .. } => {
            let (op, extra) = match origin {
                Origin::Spawned => ("spawn", String::new()),
                Origin::Forked { parent } => ("fork", format!(",\"parent\":{parent}")),
                Origin::Exec => ("exec", String::new()),
                Origin::Attached => ("attach", String::new()),
            };
            Some(process_line(*seq, *t_ns, *pid, op, &s(&escape(exe)), &extra))
        }
        TraceEvent::Exit { seq, pid, status, t_ns } => {
            let arg = match status {
                ExitStatus::Code(c) => c.to_string(),
                ExitStatus::Signal(n) => crate::signals::name(*n),
            };
            Some(process_line(
                *seq,
                *t_ns,
                *pid,
                "exit",
                &s(&arg),
                &format!(",\"status\":{}", status.shell_code()),
            ))
        }
        TraceEvent::Detached { seq, pid, t_ns } => {
            Some(process_line(*seq, *t_ns, *pid, "detach", "null", ""))
        }
        TraceEvent::Begin(_)
        | TraceEvent::Socket { .. }
        | TraceEvent::Mode { .. }
        | TraceEvent::Gone { .. }
        | TraceEvent::Addrs { .. } => None,
    }
}

fn process_line(seq: u64, t_ns: u64, pid: u32, op: &str, arg: &str, extra: &str) -> String {
    format!(
        "{{\"seq\":{seq},\"t_us\":{},\"dur_us\":null,\"sock\":null,\"op\":\"{op}\",\"arg\":{arg},\"mode\":null,\
         \"outcome\":\"ok\",\"bytes\":null,\"errno\":null,\"pid\":{pid}{extra}}}",
        us(t_ns)
    )
}

/// One call. A call that never returned has `dur_us` null and outcome `"blocking"`.
pub fn call_line(c: &Call) -> String {
    let mut o = String::with_capacity(320);
    let dur = c.end_ns.map(|e| us(e.saturating_sub(c.start_ns)));
    let arg = c.arg.text().map(|a| s(&a)).unwrap_or_else(|| "null".into());
    let mode = match (c.lane, c.mode) {
        (Lane::Sock(_), Some(m)) => s(&m.to_string()),
        _ => "null".into(),
    };
    let errno = c.errno.map(|e| s(&e.to_string()));
    let _ = write!(
        o,
        "{{\"seq\":{},\"t_us\":{},\"dur_us\":{},\"sock\":\"{}\",\"op\":\"{}\",\"arg\":{arg},\"mode\":{mode},\
         \"outcome\":\"{}\",\"bytes\":{},\"errno\":{},\"syscall\":\"{}\",\"pid\":{},\"tid\":{},\"ret\":{}",
        c.seq,
        us(c.start_ns),
        opt(dur),
        c.lane,
        c.op.word(),
        c.outcome.word(),
        opt(c.bytes),
        opt(errno),
        c.syscall.name(),
        c.pid,
        c.tid,
        opt(c.ret),
    );
    match c.outcome {
        Outcome::Timeout(by) => {
            let _ = write!(o, ",\"timeout_by\":\"{}\"", by.word());
        }
        Outcome::Accepted(k) => {
            let _ = write!(o, ",\"new_sock\":\"{k}\"");
        }
        _ => {}
    }
    if let Some(p) = &c.preview {
        let _ = write!(o, ",\"data\":{}", s(&escape(p)));
    }
    if matches!(c.outcome, Outcome::Ready) {
        let ready: Vec<String> = c
            .ready
            .iter()
            .map(|w| format!("{{\"fd\":{},\"events\":\"{}\"}}", w.fd, events_text(w.events)))
            .collect();
        let _ = write!(o, ",\"ready\":[{}]", ready.join(","));
    }
    o.push('}');
    o
}
