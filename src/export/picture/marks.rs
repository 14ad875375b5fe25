//! Calls as marks: each call a bar from its start to its end, with a badge
//! holding its outcome glyph (the TUI's) and the labels it may carry. A
//! busy-poll is aggregated per column, as the TUI does per cell: each
//! column shows the outcome most of its calls had, darker the more calls.
//!
//! The picture stays bounded however long the history: on a lane of more
//! than [`KEEP_ALL`] calls at most two are drawn per [`THIN_PX`] column of
//! start times (the first, and the last, which may reach further right),
//! plus every call still blocking; a spin has one cell per [`SPIN_PX`].

use super::palette::{Tone, tone};
use super::scale::Scale;
use super::text::Text;
use crate::record::{Call, Lane, Op, Outcome, Record};
use crate::tui::fmt;
use crate::tui::panes::{label_text, marks as tui_marks, spin};
use crate::tui::theme::Theme;

/// Calls starting within this many px of each other share a column.
pub const THIN_PX: f64 = 3.0;
/// A lane with no more calls than this is drawn whole.
pub const KEEP_ALL: usize = 500;
/// The width of one aggregated busy-poll cell.
pub const SPIN_PX: f64 = 3.0;
/// The longest argument quoted in a call's tooltip.
const ARG_MAX: usize = 40;

/// How a call's time is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A plain bar (none when the call took no visible time).
    Bar,
    /// A busy-poll's cells.
    Spin(Vec<SpinCell>),
}

/// One column of a busy-poll.
#[derive(Debug, Clone, PartialEq)]
pub struct SpinCell {
    pub x: f64,
    pub w: f64,
    pub tone: Tone,
    /// How full the column is, 0.0..=1.0, on a log scale of its call count.
    pub fill: f64,
}

/// A placed label.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub text: Text,
    pub x: f64,
    pub y: f64,
}

/// One call on its lane.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// The call's index in the timeline.
    pub call: usize,
    /// Index into the picture's lanes.
    pub lane: usize,
    pub x0: f64,
    pub x1: f64,
    /// The lane's bar line.
    pub y: f64,
    pub outcome: Outcome,
    pub tone: Tone,
    pub glyph: char,
    pub body: Body,
    /// The label texts it may carry, longest first (see `place`).
    pub labels: Vec<Text>,
    pub label: Option<Label>,
    /// A one-line summary (tooltip, screen readers).
    pub title: Text,
}

/// The marks of one lane (index `lane` in the picture), with y = 0 for
/// now; and how many calls were too close to their neighbours to draw.
pub fn lane_marks(record: &Record, lane: Lane, index: usize, scale: &Scale, now_ns: u64) -> (Vec<Mark>, u64) {
    let tl = record.timeline();
    let ids = tl.lane(lane);
    let calls = ids
        .iter()
        .map(|&i| i as usize)
        .filter_map(|i| Some((i, tl.get(i)?)))
        .filter(|(_, c)| tui_marks::drawn(c) && c.op != Op::Say);
    let mut kept: Vec<(usize, &Call)> = Vec::new();
    let mut dropped = 0u64;
    // The current column, and the latest finished call in it after its first.
    let mut col: Option<(i64, Option<(usize, &Call)>)> = None;
    for (i, c) in calls {
        let k = if ids.len() <= KEEP_ALL { i as i64 } else { (scale.x(c.start_ns) / THIN_PX).floor() as i64 };
        match &mut col {
            Some((ck, _)) if *ck == k && c.end_ns.is_none() => kept.push((i, c)),
            Some((ck, last)) if *ck == k => dropped += u64::from(last.replace((i, c)).is_some()),
            _ => {
                kept.extend(col.take().and_then(|(_, last)| last));
                kept.push((i, c));
                col = Some((k, None));
            }
        }
    }
    kept.extend(col.and_then(|(_, last)| last));
    kept.sort_by_key(|&(i, _)| i);
    let marks = kept.into_iter().map(|(i, c)| mark(record, i, c, index, scale, now_ns)).collect();
    (marks, dropped)
}

fn mark(record: &Record, i: usize, c: &Call, lane: usize, scale: &Scale, now_ns: u64) -> Mark {
    let end = c.end_ns.unwrap_or(now_ns.max(c.start_ns));
    let (x0, x1) = (scale.x(c.start_ns), scale.x(end));
    let body = match (c.op, record.timeline().dense(c.lane)) {
        (Op::Spin, Some(dense)) => Body::Spin(spin_cells(dense, c, end, scale)),
        _ => Body::Bar,
    };
    let labels = match (c.op, &c.arg) {
        // Readiness names the socket and what it was ready for.
        (Op::Ready, _) => vec![c.arg_text().unwrap_or_else(|| c.label())],
        _ => label_text::forms(c, now_ns),
    };
    Mark {
        call: i,
        lane,
        x0,
        x1,
        y: 0.0,
        outcome: c.outcome,
        tone: tone(c.outcome),
        glyph: Theme::DEFAULT.glyph(c.outcome),
        body,
        labels: labels.iter().map(|l| Text::new(l)).collect(),
        label: None,
        title: title(c, now_ns),
    }
}

/// `#1 recv 1024 → data 5 · 300ms · at t+0.002s`.
pub fn title(c: &Call, now_ns: u64) -> Text {
    let arg = c.arg_text().map(|a| format!(" {}", Text::cut(&a, ARG_MAX))).unwrap_or_default();
    let what = if c.op.is_mode() { "mode" } else { c.op.word() };
    let ended = label_text::forms(c, now_ns).into_iter().next().unwrap_or_else(|| c.label());
    let took = match c.duration() {
        Some(d) => format!(" · took {}", fmt::dur(d.as_nanos() as u64)),
        None => String::new(),
    };
    // A set-up step or a peer action that succeeded says nothing more than its name.
    let ended = if ended == c.op.word() { String::new() } else { format!(" → {ended}") };
    Text::new(&format!("{} {what}{arg}{ended}{took} · at {}", c.lane, fmt::at(c.start_ns)))
}

fn spin_cells(dense: &crate::record::dense::DenseLane, c: &Call, end: u64, scale: &Scale) -> Vec<SpinCell> {
    let (x0, x1) = (scale.x(c.start_ns), scale.x(end));
    let mut out = Vec::new();
    let mut x = x0;
    while x < x1.max(x0 + SPIN_PX) {
        let w = SPIN_PX.min((x1 - x).max(1.0));
        let from = scale.t(x).max(c.start_ns);
        let to = scale.t(x + w).min(end.saturating_add(1)).max(from + 1);
        let cell = spin::cell(dense, from, to);
        let (tone, fill) = match cell.dominant() {
            Some(o) => (tone(o), density(cell.count)),
            None if cell.folded => (Tone::Gray, 0.3),
            None => (tone(c.outcome), 0.0),
        };
        if fill > 0.0 {
            out.push(SpinCell { x, w, tone, fill });
        }
        x += SPIN_PX;
    }
    out
}

/// 1 call is faint, 10 million is solid.
fn density(count: u64) -> f64 {
    if count == 0 { 0.0 } else { (0.25 + 0.75 * f64::from(count.ilog10().min(7)) / 7.0).min(1.0) }
}
