//! The timeline as a picture, laid out once for every writer (SVG, HTML):
//! where time falls on x ([`scale`]), which lanes there are and their
//! names ([`lanes`]), each call's bar, badge and labels ([`marks`]), which
//! label fits where ([`place`]), the narration ([`narration`]) and the key
//! ([`legend`]). Everything is in px; every string is a [`Text`], escaped.
//! The writers only serialize it.
//!
//! ```text
//!  sockscope · 01-blocking-recv.scenario            title, then what it holds
//!  say      ①  ②                        ③④⑤       narration markers
//!  #1  tcp  ◆ open ━━━━━━━━━━━━━━━━━━━━━━━● data 5   a lane: bars, badges, labels
//!  peer     ◆ accept                     ▲ sent 5
//!           ┬──────────┬──────────┬────────┬        the axis
//!           0s         0.1s       0.2s     0.3s
//!  ① t+0.000s  Socket #1 is a fresh TCP connection…  the captions
//!  ● data  ▲ sent  ◆ set-up …                        the key
//! ```

pub mod explain;
pub mod lanes;
pub mod legend;
pub mod marks;
pub mod narration;
pub mod palette;
pub mod place;
pub mod scale;
pub mod text;

pub use marks::{Body, Label, Mark, SpinCell};
pub use narration::{Caption, Marker};
pub use palette::{Palette, Tone};
pub use scale::{Burst, Scale};
pub use text::Text;

use crate::record::{Lane, Record};
use crate::tui::fmt;
use text::{CHAR_W, FONT};

/// The default width, in px: a slide, or a page at print resolution.
pub const DEFAULT_WIDTH: u32 = 1200;
/// Narrower than this, the lanes have no room.
pub const MIN_WIDTH: u32 = 480;
/// Wider than this is no longer a picture anyone can read at once.
pub const MAX_WIDTH: u32 = 20_000;

/// Space around everything.
pub const MARGIN: f64 = 16.0;
/// One row of a lane (the bar row, or a row of labels under it).
pub const ROW_H: f64 = 18.0;
/// The side of an outcome badge.
pub const BADGE: f64 = 14.0;
/// The height of a bar.
pub const BAR_H: f64 = 6.0;
/// Between a badge and its label.
pub const GAP: f64 = 4.0;
/// The column of lane names.
const NAME_W: f64 = 12.0 * CHAR_W;
/// Room right of the end of time, for the last call's label.
const RIGHT_PAD: f64 = 12.0 * CHAR_W;
/// Between two lanes.
const LANE_GAP: f64 = 6.0;
/// One line of captions or notes.
pub const LINE_H: f64 = FONT + 4.0;

/// How to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub width: u32,
    pub dark: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { width: DEFAULT_WIDTH, dark: false }
    }
}

/// A lane's row.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneRow {
    pub lane: Lane,
    pub name: Text,
    /// What it is (`tcp`, `embedded` …), drawn under the name.
    pub kind: Option<Text>,
    pub top: f64,
    /// The bar line.
    pub y: f64,
    pub bottom: f64,
}

/// The time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub y: f64,
    pub ticks: Vec<(f64, Text)>,
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub width: f64,
    pub height: f64,
    pub palette: Palette,
    pub scale: Scale,
    pub title: Text,
    pub subtitle: Text,
    /// The narration row, if anything was said: its top and its rows.
    pub narration: Option<(f64, usize)>,
    pub markers: Vec<Marker>,
    pub lanes: Vec<LaneRow>,
    pub marks: Vec<Mark>,
    pub axis: Axis,
    pub captions: Vec<Caption>,
    pub legend: Vec<legend::Item>,
    /// What was left out, and why.
    pub notes: Vec<(f64, Text)>,
}

impl Picture {
    /// Where lanes start and the axis is: the span of grid and guide lines.
    pub fn plot(&self) -> (f64, f64) {
        let top = self.narration.map_or_else(|| self.lanes.first().map_or(self.axis.y, |l| l.top), |n| n.0);
        (top, self.axis.y)
    }

    /// The right edge of what may be drawn.
    pub fn xmax(&self) -> f64 {
        self.width - MARGIN
    }
}

/// Lays out `record` as it stood at `now_ns`; `name` titles it (escaped here).
pub fn build(record: &Record, now_ns: u64, name: &str, opts: &Options) -> Picture {
    let width = f64::from(opts.width.clamp(MIN_WIDTH, MAX_WIDTH));
    let xmin = MARGIN + NAME_W;
    let xmax = width - MARGIN;
    let tl = record.timeline();
    let end = tl.calls().iter().map(|c| c.end_ns.unwrap_or(c.start_ns)).max().unwrap_or(0).max(now_ns);
    let starts = tl.calls().iter().map(|c| c.start_ns);
    let scale = Scale::spread(xmin, xmax - RIGHT_PAD, end, starts);
    let mut y = MARGIN;
    let title = Text::new(&format!("sockscope · {name}"));
    y += 2.0 * ROW_H + 8.0;

    let (markers, captions, rows, more_says) = narration::build(record, &scale, xmax);
    let narration = (rows > 0).then_some((y, rows));
    y += rows as f64 * (2.0 * narration::R + 4.0) + if rows > 0 { LANE_GAP } else { 0.0 };

    let (lane_list, more_lanes) = lanes::order(record);
    let (rows, mut marks, dropped, mut y) = lay_lanes(record, &lane_list, &scale, now_ns, (xmin, xmax), y);
    // Story order: a page's Tab key then walks the calls as they happened.
    marks.sort_by_key(|m| m.call);

    let axis = Axis { y: y + 4.0, ticks: scale.ticks() };
    y = axis.y + 2.0 * ROW_H + if scale.bursts.is_empty() { 0.0 } else { ROW_H + 4.0 };
    let (captions, mut y) = lay_captions(captions, xmax, y);
    let (legend, below) = legend::build(&marks, MARGIN, xmax, y + ROW_H / 2.0);
    y = below;

    let mut said = Vec::new();
    if !scale.bursts.is_empty() {
        said.push(
            "Calls closer together than the picture can show apart are spread out in the order they \
             happened; a bracket under the axis gives the real time of such a burst."
                .to_string(),
        );
    }
    if dropped > 0 {
        said.push(format!(
            "{} calls drawn too close to others to show apart are left out.",
            fmt::count(dropped)
        ));
    }
    if more_lanes > 0 {
        said.push(format!("{more_lanes} more lanes are not drawn."));
    }
    if more_says > 0 {
        said.push(format!("{more_says} more narration lines are not drawn."));
    }
    let (notes, y) = lay_notes(&said, xmax, y);
    Picture {
        width,
        height: (y + MARGIN).ceil(),
        palette: Palette { dark: opts.dark },
        subtitle: Text::new(&subtitle(record, end, rows.len())),
        scale,
        title,
        narration,
        markers,
        lanes: rows,
        marks,
        axis,
        captions,
        legend,
        notes,
    }
}

/// Each lane from `y` down: its marks, their labels placed, and its row.
/// Returns the rows, the marks, how many calls were left out, and the y
/// under the last lane.
fn lay_lanes(
    record: &Record,
    lanes: &[Lane],
    scale: &Scale,
    now_ns: u64,
    (xmin, xmax): (f64, f64),
    mut y: f64,
) -> (Vec<LaneRow>, Vec<Mark>, u64, f64) {
    let (mut rows, mut all, mut dropped) = (Vec::new(), Vec::new(), 0);
    for (index, &lane) in lanes.iter().enumerate() {
        let (mut marks, d) = marks::lane_marks(record, lane, index, scale, now_ns);
        dropped += d;
        let (spots, tiers) = place::place(&marks, xmin, xmax);
        let (name, kind) = lanes::names(record, lane);
        let bar = y + ROW_H / 2.0;
        for (m, spot) in marks.iter_mut().zip(spots) {
            m.y = bar;
            m.label = spot.map(|s| Label {
                text: m.labels[s.text].clone(),
                x: s.x,
                y: bar + s.tier as f64 * ROW_H,
            });
        }
        let height = tiers.max(if kind.is_some() { 2 } else { 1 }) as f64 * ROW_H;
        rows.push(LaneRow { lane, name, kind, top: y, y: bar, bottom: y + height });
        all.extend(marks);
        y += height + LANE_GAP;
    }
    (rows, all, dropped, y)
}

/// The captions from `y` down, each wrapped to the width.
fn lay_captions(mut captions: Vec<Caption>, xmax: f64, mut y: f64) -> (Vec<Caption>, f64) {
    let cols = ((xmax - MARGIN - narration::text_indent()) / CHAR_W).floor() as usize;
    for c in &mut captions {
        c.lines = c.text.wrap(cols);
        c.y = y + FONT;
        y += c.lines.len() as f64 * LINE_H + 6.0;
    }
    let y = if captions.is_empty() { y } else { y + 8.0 };
    (captions, y)
}

/// The notes from `y` down, wrapped.
fn lay_notes(said: &[String], xmax: f64, mut y: f64) -> (Vec<(f64, Text)>, f64) {
    let cols = ((xmax - MARGIN) / CHAR_W).floor() as usize;
    let mut notes = Vec::new();
    for line in said.iter().flat_map(|s| Text::new(s).wrap(cols)) {
        notes.push((y, line));
        y += LINE_H;
    }
    (notes, y)
}

/// `9 calls on 2 lanes over 352ms`.
fn subtitle(record: &Record, end_ns: u64, lanes: usize) -> String {
    let tl = record.timeline();
    let calls = tl.calls().iter().filter(|c| c.lane != Lane::Script).count();
    let busy = tl.dense_total();
    let busy = if busy > 0 { format!(" (and {} busy-poll calls)", fmt::count(busy)) } else { String::new() };
    format!(
        "{calls} calls{busy} on {lanes} lanes over {}; time from the start of the session",
        fmt::dur(end_ns)
    )
}
