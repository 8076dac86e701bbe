//! A network of radars: on the DEM's whole grid, the lowest height any radar sees, and per
//! layer how many radars see each cell (redundancy).

use crate::area::CountryMask;
use crate::coverage::{radar_coverage, Coverage, CoverageError, RadarSite};
use crate::dem::Dem;

/// Which way a layer's height is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// Above the ground under the target.
    Ground,
    /// Above mean sea level.
    Sea,
}

pub struct Network<'d> {
    /// The window of the DEM's grid that any radar reaches.
    pub row0: usize,
    pub col0: usize,
    pub rows: usize,
    pub cols: usize,
    /// Per cell of the window, the lowest height above ground any radar sees (NaN: none);
    /// empty for a single radar, whose own grids serve (read through `agl_grid`, `sees`).
    pub best_agl_m: Vec<f32>,
    pub radars: Vec<Coverage<'d>>,
    dem: &'d Dem,
}

impl<'d> Network<'d> {
    /// Every site's coverage, then their union. `progress` hears each finished site.
    pub fn new(
        dem: &'d Dem,
        sites: &[RadarSite],
        mut progress: impl FnMut(usize),
    ) -> Result<Network<'d>, CoverageError> {
        let mut radars = Vec::with_capacity(sites.len());
        for (i, site) in sites.iter().enumerate() {
            radars.push(radar_coverage(dem, site)?);
            progress(i + 1);
        }
        let row0 = radars.iter().map(|c| c.row0).min().unwrap_or(0);
        let col0 = radars.iter().map(|c| c.col0).min().unwrap_or(0);
        let rows = radars.iter().map(|c| c.row0 + c.rows).max().unwrap_or(0) - row0;
        let cols = radars.iter().map(|c| c.col0 + c.cols).max().unwrap_or(0) - col0;
        if radars.len() == 1 {
            // One radar is its own union: `agl_grid` and `sees` read its grids directly.
            return Ok(Network {
                row0,
                col0,
                rows,
                cols,
                best_agl_m: Vec::new(),
                radars,
                dem,
            });
        }
        let mut best_agl_m = vec![f32::NAN; rows * cols];
        for cov in &radars {
            for r in 0..cov.rows {
                for c in 0..cov.cols {
                    let k = (cov.row0 - row0 + r) * cols + cov.col0 - col0 + c;
                    let i = r * cov.cols + c;
                    let agl = cov.visible_agl_m[i];
                    if !agl.is_nan() && (best_agl_m[k].is_nan() || agl < best_agl_m[k]) {
                        best_agl_m[k] = agl;
                    }
                }
            }
        }
        Ok(Network {
            row0,
            col0,
            rows,
            cols,
            best_agl_m,
            radars,
            dem,
        })
    }

    /// Whether some radar sees a target at `height_m` over cell (row, col).
    /// The lowest height above ground any radar sees, over the window, row by row.
    pub fn agl_grid(&self) -> &[f32] {
        match &self.radars[..] {
            [only] => &only.visible_agl_m,
            _ => &self.best_agl_m,
        }
    }

    pub fn sees(&self, row: usize, col: usize, height_m: f64, reference: Reference) -> bool {
        if let [only] = &self.radars[..] {
            let v = match reference {
                Reference::Ground => only.agl_at(row, col),
                Reference::Sea => only.asl_at(row, col),
            };
            return v.is_some_and(|v| f64::from(v) <= height_m);
        }
        let (Some(r), Some(c)) = (row.checked_sub(self.row0), col.checked_sub(self.col0)) else {
            return false;
        };
        if r >= self.rows || c >= self.cols {
            return false;
        }
        // The same ground under every radar's view of a cell: the lowest above ground is
        // also the lowest above sea level.
        let agl = f64::from(self.best_agl_m[r * self.cols + c]);
        match reference {
            Reference::Ground => agl <= height_m,
            Reference::Sea => self
                .dem
                .height_at_cell(row, col)
                .is_some_and(|z| agl + z <= height_m),
        }
    }

    /// How many radars see a target at `height_m` over cell (row, col).
    pub fn count(&self, row: usize, col: usize, height_m: f64, reference: Reference) -> usize {
        self.radars
            .iter()
            .filter(|cov| {
                let v = match reference {
                    Reference::Ground => cov.agl_at(row, col),
                    Reference::Sea => cov.asl_at(row, col),
                };
                v.is_some_and(|v| f64::from(v) <= height_m)
            })
            .count()
    }

    /// The shares (0–1) of the country seen by at least one and by at least two radars.
    pub fn shares(&self, mask: &CountryMask, height_m: f64, reference: Reference) -> (f64, f64) {
        let once = mask.covered_km2(|r, c| self.sees(r, c, height_m, reference));
        let twice = mask.covered_km2(|r, c| {
            self.sees(r, c, height_m, reference) && self.count(r, c, height_m, reference) >= 2
        });
        (once / mask.area_km2, twice / mask.area_km2)
    }
}
