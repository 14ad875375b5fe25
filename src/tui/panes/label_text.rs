//! What a label says: a call's own forms, longest first (`error
//! ECONNRESET`, then `ECONNRESET`), and what a group of marks may say,
//! best first. Where the text goes is `labels.rs`.

use std::ops::Range;

use super::marks::{Cells, Mark};
use crate::record::{Arg, Call, Op, Outcome, Timeline, TimeoutBy};
use crate::tui::fmt;

/// A list label names at most this many marks.
pub const LIST_MAX: usize = 6;

/// The most salient call of some marks (the first of equals).
pub fn top_of(marks: &[Mark]) -> usize {
    let best = marks.iter().map(|m| m.salience).max().unwrap_or(0);
    marks.iter().find(|m| m.salience == best).map_or(0, |m| m.top)
}

/// The call a label for some marks names first when it cannot list them:
/// in one cell the most salient; over several, the one whose glyph the
/// label sits by (the last, or the first for a label on the row below),
/// so the text is never read as another glyph's.
pub fn lead(marks: &[Mark], below: bool) -> usize {
    match marks {
        [one] => one.top,
        [first, ..] if below => first.top,
        [.., last] => last.top,
        [] => 0,
    }
}

/// What marks `range` may say, best first: the list of their labels (full,
/// then short), the kinds of call they hold, and else the leading label
/// with how many more there are (`error ECONNRESET (+2)`); `below`: for
/// the row under the lane, where the label starts under the first glyph.
pub fn candidates(
    tl: &Timeline,
    cells: &Cells,
    range: Range<usize>,
    now_ns: u64,
    below: bool,
) -> Vec<String> {
    let ms = &cells.marks[range];
    let n: u64 = ms.iter().map(|m| m.count).sum();
    let Some(top) = tl.get(lead(ms, below)) else { return Vec::new() };
    let own = forms(top, now_ns);
    if n <= 1 {
        return own;
    }
    let mut out = Vec::new();
    // Lists are for marks of a few calls each, not for crowded stretches.
    if ms.len() > 1 && ms.len() <= LIST_MAX && ms.iter().all(|m| m.run.is_none()) {
        out.push(list(tl, ms, now_ns, false));
        out.push(list(tl, ms, now_ns, true));
        out.extend(kinds(tl, cells, ms, now_ns));
    }
    out.extend(own.iter().map(|f| more(f, n - 1)));
    out.dedup();
    out
}

/// A label with how many more calls it stands for.
pub fn more(text: &str, n: u64) -> String {
    format!("{text} (+{})", fmt::count(n))
}

/// A text cut to at most `max` characters, ending in `…` and keeping its
/// count (`ECONN… (+2)`), if more than `keep` characters of it still show.
pub fn cut_to(text: &str, max: usize, keep: usize) -> Option<String> {
    if text.chars().count() <= max {
        return Some(text.to_string());
    }
    let (base, suffix) = match text.rfind(" (+") {
        Some(at) if text.ends_with(')') => text.split_at(at),
        _ => (text, ""),
    };
    let avail = max.checked_sub(suffix.chars().count())?;
    if avail <= keep.max(1) {
        return None;
    }
    let kept: String = base.chars().take(avail - 1).collect();
    Some(format!("{}…{suffix}", kept.trim_end()))
}

/// Each mark's label in order (its shortest form if `short`), a crowded
/// one with its count, runs of the same label folded:
/// `wouldblock ×3, error ECONNRESET (+1)`.
pub fn list(tl: &Timeline, marks: &[Mark], now_ns: u64, short: bool) -> String {
    let mut parts: Vec<(String, usize)> = Vec::new();
    for m in marks {
        let Some(c) = tl.get(m.top) else { continue };
        let fs = forms(c, now_ns);
        // A call in the kernel keeps its whole label: its elapsed time alone reads as something else.
        let short = short && c.end_ns.is_some();
        let own = if short { fs.last() } else { fs.first() }.cloned().unwrap_or_default();
        let text = if m.count > 1 { more(&own, m.count - 1) } else { own };
        match parts.last_mut() {
            Some((t, k)) if *t == text => *k += 1,
            _ => parts.push((text, 1)),
        }
    }
    folded(parts)
}

/// What kinds of call some marks hold, the most salient first:
/// `wouldblock, partial ×2, sent`. Only for marks whose calls are all listed.
fn kinds(tl: &Timeline, cells: &Cells, marks: &[Mark], now_ns: u64) -> Option<String> {
    let mut seen: Vec<(u8, String, usize)> = Vec::new();
    for m in marks {
        if m.run.is_some() {
            return None;
        }
        for c in cells.listed(m).iter().filter_map(|&i| tl.get(i)) {
            let kind = if c.op.is_mode() {
                "mode set".into()
            } else if c.outcome == Outcome::Ok {
                c.op.word().into()
            } else if c.end_ns.is_none() {
                // Still in the kernel: with its live elapsed time.
                forms(c, now_ns).swap_remove(0)
            } else {
                c.outcome.word().into()
            };
            match seen.iter_mut().find(|s| s.1 == kind) {
                Some(s) => s.2 += 1,
                None => seen.push((c.outcome.salience(), kind, 1)),
            }
        }
    }
    seen.sort_by_key(|s| std::cmp::Reverse(s.0));
    Some(folded(seen.into_iter().map(|(_, k, n)| (k, n)).collect()))
}

fn folded(parts: Vec<(String, usize)>) -> String {
    let each: Vec<String> =
        parts.into_iter().map(|(t, k)| if k > 1 { format!("{t} ×{k}") } else { t }).collect();
    each.join(", ")
}

/// The labels a call may have, longest first: the first that fits is drawn.
pub fn forms(c: &Call, now_ns: u64) -> Vec<String> {
    if let Some(l) = traced_label(c) {
        return vec![l];
    }
    let elapsed = || fmt::dur(now_ns.saturating_sub(c.start_ns));
    match (c.op, c.outcome, &c.arg) {
        (Op::Summary, _, Arg::Waits(_)) => vec![c.arg_text().unwrap_or_default(), "summary".into()],
        (Op::Spin, Outcome::Blocking, _) => vec![format!("spinning {}", elapsed()), elapsed()],
        (Op::Spin, _, Arg::Spin(arg)) => {
            let s = &arg.stats;
            let parts = [("W", s.wouldblock), ("data", s.data), ("eof", s.eof), ("error", s.error)];
            let by: Vec<_> = parts.iter().filter(|p| p.1 > 0).collect();
            let calls = format!("{} calls", fmt::count(s.calls));
            let long = match by.as_slice() {
                [(only, _)] => format!("{calls}, all {only}"),
                many => {
                    let each: Vec<String> =
                        many.iter().map(|(k, n)| format!("{k} {}", fmt::count(*n))).collect();
                    format!("{calls}: {}", each.join(", "))
                }
            };
            vec![long, calls]
        }
        (_, Outcome::Blocking, _) => vec![format!("blocking {}", elapsed()), elapsed()],
        (Op::Request, Outcome::Data, _) => {
            let took = fmt::dur(c.end_ns.unwrap_or(now_ns).saturating_sub(c.start_ns));
            vec![format!("echo after {took}"), took]
        }
        (Op::PollWait, Outcome::Ok, _) => vec![format!("events {}", c.events().unwrap_or(0))],
        (Op::PollAdd | Op::PollDrain, Outcome::Ok, _) => {
            vec![c.arg_text().unwrap_or_else(|| c.op.word().into())]
        }
        (Op::Timeout | Op::RcvTimeo | Op::SndTimeo, Outcome::Ok, _) => match c.arg_text() {
            Some(a) => vec![format!("{} {a}", c.op.word())],
            None => vec![c.op.word().into()],
        },
        (op, Outcome::Ok, _) => vec![op.word().into()],
        (_, Outcome::Error, _) => vec![c.label(), c.errno_name().unwrap_or("error").into()],
        (_, Outcome::Timeout(by @ (TimeoutBy::RcvTimeo | TimeoutBy::SndTimeo)), _) => {
            vec![c.label(), by.word().into()]
        }
        (_, Outcome::Partial, _) => {
            vec![c.label(), format!("{}/{}", c.bytes.unwrap_or(0), c.requested().unwrap_or(0))]
        }
        (Op::Open | Op::Socket | Op::Listen, _, _) => vec![c.label(), c.op.word().into()],
        (_, Outcome::Accepted(k), _) => vec![c.label(), format!("#{k}")],
        _ => vec![c.label()],
    }
}

/// A traced call's label where the lab's words do not fit: a call that
/// never returned, how many sockets a wait found ready, and the real
/// syscall for a set-up or control call.
fn traced_label(c: &Call) -> Option<String> {
    let t = c.traced.as_deref()?;
    match c.outcome {
        Outcome::Blocking if c.end_ns.is_some() => Some("never returned".into()),
        Outcome::Ready => Some(format!("ready {}", c.bytes.unwrap_or(0))),
        Outcome::Ok if !c.op.is_mode() => Some(t.syscall.clone()),
        _ => None,
    }
}
