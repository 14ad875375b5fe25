//! The narration (`say`) as captions at their times: a numbered marker on
//! the narration row at the moment it was said, a faint guide line down
//! through the lanes at that moment, and the text itself, numbered the
//! same, in a list under the axis (a sentence does not fit at a point in
//! time). Markers said close together are moved right just enough not to
//! overlap, onto a second or third row when the first is full.

use super::scale::Scale;
use super::text::{CHAR_W, Text};
use crate::record::{Lane, Op, Record};
use crate::tui::fmt;

/// A marker's radius.
pub const R: f64 = 8.0;
/// Rows of markers at most.
pub const MAX_ROWS: usize = 3;
/// Captions past this many are counted in a note, not drawn.
pub const MAX_CAPTIONS: usize = 99;
/// The longest caption drawn whole.
const CAPTION_MAX: usize = 600;

/// A marker on the narration row.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub n: usize,
    /// The call's index in the timeline.
    pub call: usize,
    /// When it was said.
    pub x_at: f64,
    /// Where its marker is drawn (moved right of others), and its row.
    pub x: f64,
    pub row: usize,
}

/// A caption under the axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Caption {
    pub n: usize,
    pub call: usize,
    /// `t+0.301s`.
    pub at: Text,
    pub text: Text,
    /// Its first line's baseline, and its lines, once laid out.
    pub y: f64,
    pub lines: Vec<Text>,
}

/// The markers, the captions, how many rows the markers use, and how many
/// captions were left out.
pub fn build(record: &Record, scale: &Scale, xmax: f64) -> (Vec<Marker>, Vec<Caption>, usize, usize) {
    let tl = record.timeline();
    let says: Vec<usize> = tl
        .lane(Lane::Script)
        .iter()
        .map(|&i| i as usize)
        .filter(|&i| tl.get(i).is_some_and(|c| c.op == Op::Say))
        .collect();
    let more = says.len().saturating_sub(MAX_CAPTIONS);
    let mut free_from = [f64::MIN; MAX_ROWS];
    let (mut markers, mut captions) = (Vec::new(), Vec::new());
    for (k, &i) in says.iter().take(MAX_CAPTIONS).enumerate() {
        let Some(c) = tl.get(i) else { continue };
        let n = k + 1;
        let x_at = scale.x(c.start_ns);
        let fits = |row: usize| x_at.max(free_from[row]) + R <= xmax;
        let row = (0..MAX_ROWS).find(|&r| fits(r)).unwrap_or(MAX_ROWS - 1);
        let x = x_at.max(free_from[row]).min(xmax - R);
        free_from[row] = x + 2.0 * R + 2.0;
        markers.push(Marker { n, call: i, x_at, x, row });
        let text = c.arg_text().unwrap_or_default();
        captions.push(Caption {
            n,
            call: i,
            at: Text::new(&fmt::at(c.start_ns)),
            text: Text::cut(&text, CAPTION_MAX),
            y: 0.0,
            lines: Vec::new(),
        });
    }
    let rows = markers.iter().map(|m| m.row + 1).max().unwrap_or(0);
    (markers, captions, rows, more)
}

/// Where a caption's text starts, after its number and time.
pub fn text_indent() -> f64 {
    2.0 * R + 8.0 + 10.0 * CHAR_W
}
