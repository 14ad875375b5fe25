//! Which label fits where, on one lane. A label goes right of its call's
//! badge on the bar's own row when that is free; else under the badge, on
//! the first of up to [`MAX_TIERS`] rows below where it does not touch
//! another label. Only whole labels are drawn (a cut label misleads); one
//! that fits nowhere is left out, and the call's tooltip still says it;
//! so is the same label again on a call whose badge overlaps the last one.

use super::marks::Mark;
use super::{BADGE, GAP};

/// The least room between a label and anything else on its row.
const PAD: f64 = 4.0;

/// Rows under the bar row that labels may use.
pub const MAX_TIERS: usize = 3;

/// A label's place: which of the mark's texts, its left x, and its row
/// (0: the bar's row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spot {
    pub text: usize,
    pub x: f64,
    pub tier: usize,
}

/// Places the labels of one lane's marks (in order: earlier calls first)
/// within `xmin..xmax`. Returns each mark's spot and how many rows the lane
/// uses (at least 1).
pub fn place(marks: &[Mark], xmin: f64, xmax: f64) -> (Vec<Option<Spot>>, usize) {
    let mut taken: Vec<Vec<(f64, f64)>> = vec![Vec::new(); MAX_TIERS + 1];
    for m in marks {
        taken[0].push((m.x0, m.x1 + BADGE / 2.0));
        taken[0].push((m.x1 - BADGE / 2.0, m.x1 + BADGE / 2.0));
    }
    let mut rows = 1;
    let mut prev: Option<&Mark> = None;
    let spots = marks
        .iter()
        .map(|m| {
            // A run of calls packed tighter than their badges, each saying
            // the same (`data 65536` …), is labelled once.
            let repeat = prev.is_some_and(|p| p.labels == m.labels && m.x1 - p.x1 < BADGE);
            prev = Some(m);
            if repeat {
                return None;
            }
            let spot = spot(m, &taken, xmin, xmax)?;
            let w = m.labels[spot.text].width();
            taken[spot.tier].push((spot.x, spot.x + w));
            rows = rows.max(spot.tier + 1);
            Some(spot)
        })
        .collect();
    (spots, rows)
}

fn spot(m: &Mark, taken: &[Vec<(f64, f64)>], xmin: f64, xmax: f64) -> Option<Spot> {
    let free = |tier: usize, a: f64, b: f64| {
        a >= xmin && b <= xmax && taken[tier].iter().all(|&(l, r)| b + PAD <= l || r + PAD <= a)
    };
    for (text, t) in m.labels.iter().enumerate() {
        let w = t.width();
        let right = m.x1 + BADGE / 2.0 + GAP;
        if free(0, right, right + w) {
            return Some(Spot { text, x: right, tier: 0 });
        }
        let under = (m.x1 - BADGE / 2.0).min(xmax - w).max(xmin);
        if let Some(tier) = (1..=MAX_TIERS).find(|&tier| free(tier, under, under + w)) {
            return Some(Spot { text, x: under, tier });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::picture::marks::Body;
    use crate::export::picture::palette::Tone;
    use crate::export::picture::text::Text;
    use crate::record::Outcome;

    fn mark(x0: f64, x1: f64, label: &str) -> Mark {
        Mark {
            call: 0,
            lane: 0,
            x0,
            x1,
            y: 0.0,
            outcome: Outcome::Data,
            tone: Tone::Green,
            glyph: '●',
            body: Body::Bar,
            labels: vec![Text::new(label)],
            label: None,
            title: Text::new(label),
        }
    }

    #[test]
    fn labels_go_right_then_below_then_nowhere() {
        let marks = [mark(100.0, 100.0, "data 4"), mark(103.0, 103.0, "data 12"), mark(106.0, 106.0, "eof")];
        let (spots, rows) = place(&marks, 50.0, 1000.0);
        let s: Vec<_> = spots.iter().map(|s| s.map(|s| s.tier)).collect();
        // The first's right side is covered by the next badges: it goes below.
        assert_eq!(s, [Some(1), Some(2), Some(0)]);
        assert_eq!(rows, 3);
        let crowd: Vec<Mark> =
            (0..10).map(|i| mark(100.0 + i as f64, 100.0 + i as f64, "wouldblock")).collect();
        let (spots, rows) = place(&crowd, 50.0, 1000.0);
        assert_eq!(spots.iter().flatten().count(), 1, "a packed run says it once");
        assert_eq!(rows, 2);
        let crowd: Vec<Mark> =
            (0..10).map(|i| mark(100.0 + i as f64, 100.0 + i as f64, &format!("data {i}"))).collect();
        let (spots, rows) = place(&crowd, 50.0, 1000.0);
        assert_eq!(spots.iter().flatten().count(), MAX_TIERS + 1, "one per row, the rest left out");
        assert_eq!(rows, MAX_TIERS + 1);
    }

    #[test]
    fn a_label_at_the_right_edge_moves_left_into_the_picture() {
        let (spots, _) = place(&[mark(990.0, 995.0, "error ECONNRESET")], 50.0, 1000.0);
        let s = spots[0].expect("placed");
        assert_eq!(s.tier, 1);
        assert!(s.x + Text::new("error ECONNRESET").width() <= 1000.0);
    }
}
