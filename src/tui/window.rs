//! The time range on screen and its map from time to cells. The map is
//! linear in pieces: between two pieces a *band* of a few cells stands for
//! a quiet stretch (no call started or ended in it), so a live view can
//! keep the last calls on screen across an idle pause. Cells of a piece lie
//! on a grid of whole cells since t=0, so a call does not jitter between
//! cells as the view follows the clock.

/// At most this many pieces (so at most one fewer bands).
pub const MAX_PIECES: usize = 8;

/// One linear piece: `len` cells from column `col`, the first of which
/// starts at `g0 · ns_per_cell`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Piece {
    pub col: u16,
    pub len: u16,
    pub g0: u64,
}

/// A compressed quiet stretch: `width` columns from `col` stand for
/// `[from_ns, to_ns)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    pub col: u16,
    pub width: u16,
    pub from_ns: u64,
    pub to_ns: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    ns_per_cell: u64,
    cells: u16,
    pieces: [Piece; MAX_PIECES],
    n: u8,
}

impl Window {
    /// A plain window: `cells` cells from the grid cell holding `start_ns`.
    pub fn linear(start_ns: u64, ns_per_cell: u64, cells: u16) -> Window {
        let npc = ns_per_cell.max(1);
        Window::of_pieces(npc, cells, &[Piece { col: 0, len: cells, g0: start_ns / npc }])
    }

    /// Pieces left to right; their columns must leave room for the bands.
    pub fn of_pieces(ns_per_cell: u64, cells: u16, pieces: &[Piece]) -> Window {
        let mut w =
            Window { ns_per_cell: ns_per_cell.max(1), cells, pieces: [Piece::default(); MAX_PIECES], n: 0 };
        for p in pieces.iter().take(MAX_PIECES) {
            w.pieces[w.n as usize] = *p;
            w.n += 1;
        }
        w
    }

    pub fn ns_per_cell(&self) -> u64 {
        self.ns_per_cell
    }

    pub fn cells(&self) -> u16 {
        self.cells
    }

    fn pieces_slice(&self) -> &[Piece] {
        &self.pieces[..self.n as usize]
    }

    /// The linear pieces, left to right.
    pub fn pieces(&self) -> impl Iterator<Item = Piece> + '_ {
        self.pieces_slice().iter().copied()
    }

    pub fn start_ns(&self) -> u64 {
        self.pieces_slice().first().map_or(0, |p| p.g0 * self.ns_per_cell)
    }

    pub fn end_ns(&self) -> u64 {
        self.pieces_slice().last().map_or(0, |p| (p.g0 + p.len as u64) * self.ns_per_cell)
    }

    /// The bands, left to right.
    pub fn bands(&self) -> impl Iterator<Item = Band> + '_ {
        self.pieces_slice().windows(2).map(|w| {
            let (a, b) = (w[0], w[1]);
            let col = a.col + a.len;
            Band {
                col,
                width: b.col - col,
                from_ns: (a.g0 + a.len as u64) * self.ns_per_cell,
                to_ns: b.g0 * self.ns_per_cell,
            }
        })
    }

    /// Whether a column stands for compressed time.
    pub fn in_band(&self, col: u16) -> bool {
        self.bands().any(|b| (b.col..b.col + b.width).contains(&col))
    }

    /// The cell a time falls in, clamped to the window.
    pub fn col(&self, t_ns: u64) -> u16 {
        let npc = self.ns_per_cell;
        let g = t_ns / npc;
        let ps = self.pieces_slice();
        for (i, p) in ps.iter().enumerate() {
            if g < p.g0 {
                let Some(prev) = i.checked_sub(1).map(|k| ps[k]) else { return 0 };
                let col = prev.col + prev.len;
                let width = (p.col - col).max(1) as u128;
                let (t0, t1) = ((prev.g0 + prev.len as u64) * npc, p.g0 * npc);
                let k = (t_ns.saturating_sub(t0) as u128 * width / (t1 - t0).max(1) as u128).min(width - 1);
                return col + k as u16;
            }
            if g < p.g0 + p.len as u64 {
                return p.col + (g - p.g0) as u16;
            }
        }
        self.cells.saturating_sub(1)
    }

    /// The time at the left edge of a column (`cells` gives the end).
    pub fn time_of(&self, col: u16) -> u64 {
        let npc = self.ns_per_cell;
        let ps = self.pieces_slice();
        for (i, p) in ps.iter().enumerate() {
            if col < p.col {
                let Some(prev) = i.checked_sub(1).map(|k| ps[k]) else { return p.g0 * npc };
                let c0 = prev.col + prev.len;
                let (t0, t1) = ((prev.g0 + prev.len as u64) * npc, p.g0 * npc);
                let width = (p.col - c0).max(1) as u128;
                return t0 + ((t1 - t0) as u128 * (col - c0) as u128 / width) as u64;
            }
            if col < p.col + p.len {
                return (p.g0 + (col - p.col) as u64) * npc;
            }
        }
        let last = ps.last().copied().unwrap_or_default();
        (last.g0 + (col as u64).saturating_sub(last.col as u64)) * npc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn a_linear_window_sits_on_the_grid() {
        let w = Window::linear(1_234 * MS, 100 * MS, 10);
        assert_eq!((w.start_ns(), w.end_ns()), (1_200 * MS, 2_200 * MS));
        assert_eq!(w.col(1_250 * MS), 0);
        assert_eq!(w.col(1_300 * MS), 1);
        assert_eq!(w.col(9_000 * MS), 9, "clamped");
        assert_eq!(w.time_of(3), 1_500 * MS);
        assert_eq!(w.time_of(10), w.end_ns());
        assert_eq!(w.bands().count(), 0);
    }

    #[test]
    fn a_band_maps_its_stretch_to_its_columns() {
        // Cells 0..5 (t 0..500ms), a 3-column band for 500ms..8s, cells 80..85.
        let w = Window::of_pieces(
            100 * MS,
            11,
            &[Piece { col: 0, len: 5, g0: 0 }, Piece { col: 8, len: 3, g0: 80 }],
        );
        let b: Vec<Band> = w.bands().collect();
        assert_eq!(b, vec![Band { col: 5, width: 3, from_ns: 500 * MS, to_ns: 8_000 * MS }]);
        assert_eq!(w.col(499 * MS), 4);
        assert_eq!(w.col(500 * MS), 5);
        assert_eq!(w.col(7_999 * MS), 7);
        assert_eq!(w.col(8_000 * MS), 8);
        assert!(w.in_band(6) && !w.in_band(8));
        for col in 0..=11 {
            assert_eq!(w.col(w.time_of(col).min(w.end_ns() - 1)), col.min(10), "col {col} round-trips");
        }
        let mut last = 0;
        for t in (0..11_000).step_by(7) {
            let c = w.col(t * MS);
            assert!(c >= last, "monotonic at {t}ms");
            last = c;
        }
    }
}
