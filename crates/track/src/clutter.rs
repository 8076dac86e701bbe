//! Clutter maps: how many plots per scan each radar reports, per area of its coverage, that
//! no confirmed track takes.
//!
//! The density prices a plot's other explanation. A plot joins a track only when the track
//! explains it better than clutter would (`Pd · N(ν; S) > λ`), so a track whose gate has
//! grown wide (a coasting fighter) does not take the first false alarm in it, while in a
//! clean sky the chi-square gate alone decides. The map learns online, as plots arrive, so a
//! radar over a city or a storm is priced as it is today.

use std::f64::consts::TAU;

/// Range cells: 10 km, out to this many.
const RANGE_CELLS: usize = 48;
const RANGE_CELL_M: f64 = 10_000.0;
/// Azimuth sectors of 22.5°.
const AZIMUTH_CELLS: usize = 16;
/// The memory of the map, in scans: long enough to average a few plots per cell.
const MEMORY_SCANS: f64 = 30.0;
/// The least density assumed, per metre of range and radian of azimuth, per scan: about one
/// false plot per scan over a whole 250 km coverage.
const DENSITY_FLOOR: f64 = 1.0 / (250_000.0 * TAU);

/// One radar's map.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClutterMap {
    revisit_s: f64,
    /// Per cell: a count decayed with time constant `MEMORY_SCANS` revisits, and when it was
    /// last decayed.
    cells: Vec<(f64, f64)>,
    /// The earliest and the latest plot counted: how long the map has been learning.
    since_s: f64,
    until_s: f64,
}

impl ClutterMap {
    pub fn new(revisit_s: f64) -> Self {
        Self {
            revisit_s: revisit_s.max(0.1),
            cells: vec![(0.0, f64::NEG_INFINITY); RANGE_CELLS * AZIMUTH_CELLS],
            since_s: f64::INFINITY,
            until_s: f64::NEG_INFINITY,
        }
    }

    fn cell(range_m: f64, azimuth_rad: f64) -> Option<usize> {
        let r = (range_m / RANGE_CELL_M).floor();
        let a = (azimuth_rad.rem_euclid(TAU) / TAU * AZIMUTH_CELLS as f64).floor();
        (r >= 0.0 && r < RANGE_CELLS as f64)
            .then(|| r as usize * AZIMUTH_CELLS + (a as usize).min(AZIMUTH_CELLS - 1))
    }

    fn tau_s(&self) -> f64 {
        MEMORY_SCANS * self.revisit_s
    }

    /// Counts a plot that no confirmed track took.
    pub fn observe(&mut self, range_m: f64, azimuth_rad: f64, t_s: f64) {
        let tau = self.tau_s();
        if let Some(c) = Self::cell(range_m, azimuth_rad) {
            self.since_s = self.since_s.min(t_s);
            self.until_s = self.until_s.max(t_s);
            let (count, at) = &mut self.cells[c];
            if t_s > *at {
                *count *= (-(t_s - *at) / tau).exp();
                *at = t_s;
            }
            *count += 1.0;
        }
    }

    /// Takes back a plot counted that turned out an aircraft's.
    pub fn unobserve(&mut self, range_m: f64, azimuth_rad: f64) {
        if let Some(c) = Self::cell(range_m, azimuth_rad) {
            self.cells[c].0 = (self.cells[c].0 - 1.0).max(0.0);
        }
    }

    /// False plots per scan, per metre of range and radian of azimuth, around a plot.
    pub fn density(&self, range_m: f64, azimuth_rad: f64, t_s: f64) -> f64 {
        let Some(c) = Self::cell(range_m, azimuth_rad) else {
            return DENSITY_FLOOR;
        };
        let (count, at) = self.cells[c];
        let decayed = if t_s > at {
            count * (-(t_s - at) / self.tau_s()).exp()
        } else {
            count
        };
        // A steady rate of n plots per scan holds the decayed count at n · MEMORY_SCANS,
        // once the map has learnt for much longer than its memory; before that, at
        // n · MEMORY_SCANS · (1 − e^(−learnt/τ)). Dividing by that, a radar's clutter is
        // priced right from its first scans, not a thirtieth of it after one.
        let learnt_s = self.until_s - self.since_s + self.revisit_s;
        let filled = if learnt_s.is_finite() && learnt_s > 0.0 {
            1.0 - (-learnt_s / self.tau_s()).exp()
        } else {
            1.0
        };
        let per_scan = decayed / (MEMORY_SCANS * filled);
        // In the measurement space (range, azimuth), every cell spans Δr · Δaz.
        let area = RANGE_CELL_M * TAU / AZIMUTH_CELLS as f64;
        (per_scan / area).max(DENSITY_FLOOR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_rate_is_learnt() {
        // Ten plots per scan spread over one cell (10 km × 22.5°), for a hundred scans.
        let mut map = ClutterMap::new(6.0);
        for scan in 0..100 {
            for k in 0..10 {
                let t = scan as f64 * 6.0 + k as f64 * 0.01;
                map.observe(25_000.0 + k as f64 * 500.0, 0.1, t);
            }
        }
        let area = RANGE_CELL_M * TAU / AZIMUTH_CELLS as f64;
        let d = map.density(22_000.0, 0.2, 600.0);
        let expected = 10.0 / area;
        assert!((d / expected - 1.0).abs() < 0.1, "{d} vs {expected}");
        // A clean cell stays at the floor.
        assert_eq!(map.density(80_000.0, 3.0, 600.0), DENSITY_FLOOR);
    }

    /// Regression (issue 17): the map priced a radar's clutter at a thirtieth of its rate
    /// after one scan, a half after twenty: tentative tracks on clutter confirmed meanwhile.
    #[test]
    fn a_rate_is_learnt_from_the_first_scans() {
        let area = RANGE_CELL_M * TAU / AZIMUTH_CELLS as f64;
        for scans in [1, 3, 10, 30] {
            let mut map = ClutterMap::new(6.0);
            for scan in 0..scans {
                for k in 0..10 {
                    let t = scan as f64 * 6.0 + k as f64 * 0.01;
                    map.observe(25_000.0 + k as f64 * 500.0, 0.1, t);
                }
            }
            let d = map.density(22_000.0, 0.2, scans as f64 * 6.0);
            let ratio = d / (10.0 / area);
            assert!((0.8..1.25).contains(&ratio), "after {scans} scans: {ratio}");
        }
    }

    #[test]
    fn the_map_forgets() {
        let mut map = ClutterMap::new(6.0);
        for scan in 0..50 {
            map.observe(15_000.0, 1.0, scan as f64 * 6.0);
        }
        let busy = map.density(15_000.0, 1.0, 300.0);
        let later = map.density(15_000.0, 1.0, 300.0 + 10.0 * 30.0 * 6.0);
        assert!(busy > 100.0 * DENSITY_FLOOR, "{busy}");
        assert_eq!(later, DENSITY_FLOOR);
    }

    #[test]
    fn out_of_map_is_the_floor() {
        let map = ClutterMap::new(6.0);
        assert_eq!(map.density(1e9, 0.0, 0.0), DENSITY_FLOOR);
        assert_eq!(map.density(-5.0, 0.0, 0.0), DENSITY_FLOOR);
        assert_eq!(map.density(f64::NAN, 0.0, 0.0), DENSITY_FLOOR);
    }
}
