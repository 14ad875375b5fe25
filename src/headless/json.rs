//! JSON lines, exactly as DESIGN.md's "Headless output" contract says.

use serde_json::{Map, Value, json};

use crate::record::call::{escape, ready};
use crate::record::{Arg, Call, Lane, Op, Outcome, TimeoutBy};

/// Microseconds, rounded to the nearest.
fn us(ns: u64) -> u64 {
    (ns + 500) / 1000
}

/// One call as one JSON object. A call still blocking has `dur_us` null.
pub fn json_line(c: &Call) -> String {
    let sock = match c.lane {
        Lane::Sock(n) => json!(n),
        Lane::Peer | Lane::Client(_) => json!("peer"),
        Lane::Loop => match c.arg {
            crate::record::Arg::Ready(n, _) => json!(n),
            _ => json!("loop"),
        },
        Lane::Script => Value::Null,
        Lane::ProcLoop(pid) => json!(format!("{pid}:loop")),
    };
    let say = c.op == Op::Say;
    let mode = match c.lane {
        Lane::Sock(_) => json!(c.mode.to_string()),
        _ => Value::Null,
    };
    let mut m = Map::new();
    m.insert("seq".into(), json!(c.seq));
    m.insert("t_us".into(), json!(us(c.start_ns)));
    m.insert("dur_us".into(), json!(c.end_ns.map(|e| us(e.saturating_sub(c.start_ns)))));
    m.insert("sock".into(), sock);
    m.insert("op".into(), json!(c.op.word()));
    m.insert("arg".into(), if say { Value::Null } else { json!(c.arg_text()) });
    m.insert("mode".into(), mode);
    m.insert("outcome".into(), if say { Value::Null } else { json!(c.outcome.word()) });
    // A wait's event count has been printed as `bytes` from the start.
    m.insert("bytes".into(), json!(c.bytes.or(c.events())));
    m.insert("errno".into(), json!(c.errno_name()));
    if let Outcome::Accepted(k) = c.outcome {
        m.insert("new_sock".into(), json!(k));
    }
    if let Outcome::Timeout(by) = c.outcome {
        let by = match by {
            TimeoutBy::Poll => "poll",
            TimeoutBy::RcvTimeo => "SO_RCVTIMEO",
            TimeoutBy::SndTimeo => "SO_SNDTIMEO",
        };
        m.insert("timeout_by".into(), json!(by));
    }
    if let Lane::Client(k) = c.lane {
        m.insert("client".into(), json!(k));
    }
    match &c.arg {
        Arg::Ready(_, flags) => {
            let names: Vec<&str> =
                ready::NAMES.iter().filter(|(b, _)| flags & b != 0).map(|(_, n)| *n).collect();
            m.insert("flags".into(), json!(names));
        }
        // A spin is folded into one line: its call count and the tally per outcome.
        Arg::Spin(s) => {
            m.insert("count".into(), json!(s.stats.calls));
            let t = s.stats;
            m.insert(
                "outcomes".into(),
                json!({"wouldblock": t.wouldblock, "data": t.data, "eof": t.eof, "error": t.error}),
            );
        }
        _ => {}
    }
    if let Some(k) = c.kernel {
        m.insert("kernel".into(), json!(k));
    }
    // What the socket was when the call began: what its explanation rests on.
    if let Some(e) = &c.evidence {
        m.insert("evidence".into(), json!(e));
    }
    if say {
        m.insert("text".into(), json!(c.arg_text()));
    } else if let Some(p) = &c.preview {
        m.insert("data".into(), json!(escape(p)));
    }
    // C1 and invisible characters in a string (a `say` text, an address)
    // are written as `\u009b`: serde_json alone leaves them raw.
    crate::escape::json_line(&Value::Object(m))
}
