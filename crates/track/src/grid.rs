//! A spatial hash of ECEF cubes: what is near a plot, without looking at everything.
//!
//! Cells are cubes of `cell_m`; a query looks at the 27 cells around a point, so it finds
//! everything within one cell size, and nothing farther than √3·2 cells. Inserting, moving
//! and removing are O(1); the cost of gating grows with plots × tracks per neighbourhood,
//! not with plots × tracks.

// Cells are computed, never chosen by a sender: a fast hash is safe here.
use rustc_hash::FxHashMap as HashMap;

use vigie_core::Ecef;

pub type Cell = (i32, i32, i32);

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Grid {
    cell_m: f64,
    #[serde(serialize_with = "crate::state::sorted_map")]
    pub(crate) cells: HashMap<Cell, Vec<u32>>,
}

impl Grid {
    pub fn new(cell_m: f64) -> Self {
        Self {
            cell_m,
            cells: HashMap::default(),
        }
    }

    pub fn cell_of(&self, p: Ecef) -> Cell {
        // Clamped so that the neighbours of any cell are cells too: a position far out (a
        // state restored from damaged bytes) must not overflow `near`.
        let k = |v: f64| (v / self.cell_m).floor().clamp(-1e9, 1e9) as i32;
        (k(p.x_m), k(p.y_m), k(p.z_m))
    }

    pub fn insert(&mut self, id: u32, cell: Cell) {
        self.cells.entry(cell).or_default().push(id);
    }

    pub fn remove(&mut self, id: u32, cell: Cell) {
        if let Some(v) = self.cells.get_mut(&cell) {
            if let Some(i) = v.iter().position(|&x| x == id) {
                v.swap_remove(i);
            }
            if v.is_empty() {
                self.cells.remove(&cell);
            }
        }
    }

    /// Appends the ids in the 27 cells around `p` to `out`.
    pub fn near(&self, p: Ecef, out: &mut Vec<u32>) {
        let (x, y, z) = self.cell_of(p);
        for dx in -1..=1 {
            for dy in -1..=1 {
                for dz in -1..=1 {
                    if let Some(v) = self.cells.get(&(x + dx, y + dy, z + dz)) {
                        out.extend_from_slice(v);
                    }
                }
            }
        }
    }

    pub fn cell_m(&self) -> f64 {
        self.cell_m
    }

    pub fn len(&self) -> usize {
        self.cells.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fuzz finding (`state`): a track restored from damaged bytes far out of the world
    /// overflowed the neighbour cells.
    #[test]
    fn regression_a_position_far_out_is_no_overflow() {
        let mut g = Grid::new(1.0);
        for v in [1e300, -1e300, f64::NAN, f64::INFINITY] {
            let p = Ecef::new(v, v, v);
            g.insert(1, g.cell_of(p));
            let mut out = Vec::new();
            g.near(p, &mut out);
            assert_eq!(out, [1]);
            g.remove(1, g.cell_of(p));
        }
    }

    #[test]
    fn finds_neighbours_and_forgets_removed_ones() {
        let mut g = Grid::new(10_000.0);
        let a = Ecef::new(6_378_000.0, 0.0, 0.0);
        let b = Ecef::new(6_378_000.0, 9_000.0, 0.0);
        let far = Ecef::new(6_378_000.0, 50_000.0, 0.0);
        for (id, p) in [(1, a), (2, b), (3, far)] {
            g.insert(id, g.cell_of(p));
        }
        let mut out = Vec::new();
        g.near(a, &mut out);
        out.sort();
        assert_eq!(out, vec![1, 2]);
        g.remove(2, g.cell_of(b));
        out.clear();
        g.near(a, &mut out);
        assert_eq!(out, vec![1]);
        assert_eq!(g.len(), 2);
    }
}
