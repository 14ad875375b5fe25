//! What the page shows for a call when it is pointed at: the summary line,
//! the mode it ran in, and `ops`' three levels (the syscalls in strace
//! notation, the Python, and why it came out so).

use super::Picture;
use super::marks::title;
use super::text::Text;
use crate::ops;
use crate::record::{Lane, Record};

/// One call's explanation, escaped.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    /// The call's index in the timeline.
    pub call: usize,
    pub head: Text,
    /// `mode: nonblocking`, for our sockets' calls.
    pub mode: Option<Text>,
    pub syscalls: Vec<Text>,
    pub python: Vec<Text>,
    pub why: Text,
}

/// The details of every call the picture draws.
pub fn details(record: &Record, p: &Picture, now_ns: u64) -> Vec<Detail> {
    let tl = record.timeline();
    p.marks
        .iter()
        .filter_map(|m| {
            let c = tl.get(m.call)?;
            let e = ops::explain(c, &ops::context(record, c));
            let lines = |v: &[String]| v.iter().map(|l| Text::new(l)).collect();
            Some(Detail {
                call: m.call,
                head: title(c, now_ns),
                mode: matches!(c.lane, Lane::Sock(_)).then(|| Text::new(&format!("mode: {}", c.mode))),
                syscalls: lines(&e.syscalls),
                python: lines(&e.python),
                why: Text::new(&e.why),
            })
        })
        .collect()
}
