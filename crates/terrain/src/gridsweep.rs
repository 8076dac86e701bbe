//! The fast coverage: one visit per cell, outward from the radar's cell row by row. Each
//! cell inherits the horizon (the steepest terrain slope between it and the antenna) from
//! the two cells of the previous ring that its line of sight passes between, interpolated
//! where it crosses them, then adds its own terrain. The same approximation `gdal_viewshed`
//! makes, on the geographic grid directly; the radial sweep (`coverage::radial_coverage`)
//! is the reference it is tested against.
//!
//! Rows are swept outward from the radar's row, and each row outward from the radar's
//! column on both sides. A cell only reads the row before it and the cell before it in its
//! own row, so the horizon lives in two row buffers, not a grid. The two halves (north and
//! south of the radar's row) share nothing but that row and run on two threads. A row stops
//! at its first cell beyond range: the cells beyond it are farther still and no cell in
//! range looks through them.

use crate::coverage::{RadarSite, A_M, R_MEAN_M};
use crate::dem::{Dem, NODATA};

/// "No terrain in the way yet": the horizon of the antenna's own cell. Finite, so that the
/// interpolation between it and a real slope stays a number (and loses to any real slope).
const NO_HORIZON: f32 = -1e9;

/// The window of cells within range, centred on the radar's cell.
pub(crate) struct Window {
    pub row0: usize,
    pub col0: usize,
    pub rows: usize,
    pub cols: usize,
    /// The radar's cell, in window coordinates.
    centre: (usize, usize),
}

fn window(dem: &Dem, site: &RadarSite) -> Window {
    let reach_deg = (site.range_m / R_MEAN_M).to_degrees() + dem.cell_deg;
    let lon_reach = reach_deg / site.lat_deg.to_radians().cos().max(0.05);
    let row = ((dem.north_deg - site.lat_deg) / dem.cell_deg).floor() as i64;
    let col = ((site.lon_deg - dem.west_deg) / dem.cell_deg).floor() as i64;
    let (dr, dc) = (
        (reach_deg / dem.cell_deg).ceil() as i64,
        (lon_reach / dem.cell_deg).ceil() as i64,
    );
    let clamp = |v: i64, n: usize| v.clamp(0, n as i64 - 1) as usize;
    let (row0, row1) = (clamp(row - dr, dem.rows), clamp(row + dr, dem.rows));
    let (col0, col1) = (clamp(col - dc, dem.cols), clamp(col + dc, dem.cols));
    Window {
        row0,
        col0,
        rows: row1 - row0 + 1,
        cols: col1 - col0 + 1,
        centre: (clamp(row, dem.rows) - row0, clamp(col, dem.cols) - col0),
    }
}

/// What every row of the sweep shares: the geometry, and per side of the radar's column
/// (east, then west) the haversine's column factor in outward order.
struct Geometry<'a> {
    dem: &'a Dem,
    w: &'a Window,
    h0: f32,
    inv_two_re: f32,
    range_m: f32,
    /// The tangent of the lowest elevation the beam reaches (`NO_HORIZON` for no limit).
    tan_min: f32,
    /// `1/n`, so the interpolation weights `dr/dc` cost a multiplication.
    inv: Vec<f32>,
    site_lat_rad: f64,
    cos_p1: f64,
    sin2_dlon: [Vec<f32>; 2],
}

impl Geometry<'_> {
    /// The haversine's row terms for window row `r`: sin²(Δφ/2) and cos φ₁ cos φ₂.
    fn row_terms(&self, r: usize) -> (f32, f32) {
        let lat = self.dem.cell_centre(self.w.row0 + r, 0).0.to_radians();
        let s = ((lat - self.site_lat_rad) / 2.0).sin();
        ((s * s) as f32, (self.cos_p1 * lat.cos()) as f32)
    }
}

/// A plain maximum: `f32::max` pays for NaN handling the sweep doesn't need (a NaN `b` is
/// ignored here too, as with `f32::max`, but a NaN `a` is not).
#[inline(always)]
fn max(a: f32, b: f32) -> f32 {
    if b > a {
        b
    } else {
        a
    }
}

/// One side of one row, indexed by the distance `j` in cells from the radar's column:
/// heights in (NaN over no data), per-cell terms, the horizon and the visible heights out.
#[derive(Clone)]
struct Row {
    z: Vec<f32>,
    d: Vec<f32>,
    /// The antenna's height plus the curvature drop at the cell.
    base: Vec<f32>,
    /// The cell's own terrain slope from the antenna (−∞ over no data).
    own: Vec<f32>,
    /// The horizon the cell inherits from the cells inward of it.
    inherited: Vec<f32>,
    /// The horizon it passes on; the previous row's is kept beside it.
    horizon: Vec<f32>,
    out: Vec<f32>,
}

impl Row {
    fn new(width: usize) -> Row {
        let v = vec![NO_HORIZON; width];
        Row {
            z: v.clone(),
            d: v.clone(),
            base: v.clone(),
            own: v.clone(),
            inherited: v.clone(),
            horizon: v.clone(),
            out: v,
        }
    }
}

impl Geometry<'_> {
    /// The distance in metres to the cell `j` columns out on `side`, in a row with the
    /// haversine's row `terms`.
    #[inline(always)]
    fn distance(&self, terms: (f32, f32), sin2_dlon: f32) -> f32 {
        let x = (terms.0 + terms.1 * sin2_dlon).sqrt();
        let x2 = x * x;
        // The haversine's asin by its series: exact to 1e-7 within 2,000 km.
        let two_r = (2.0 * R_MEAN_M) as f32;
        (two_r * x * (1.0 + x2 * (1.0 / 6.0 + x2 * (3.0 / 40.0)))).max(1.0)
    }

    /// Sweeps one side of the row `dr` rows from the radar's, given the previous row's
    /// horizon; returns how many cells are in range (their `out` is set).
    ///
    /// Every pass but one is free of loop-carried dependencies, so it vectorises; the one
    /// that is not (a shallow cell looks through the cell before it) does the least it can.
    fn sweep_side(
        &self,
        dr: usize,
        terms: (f32, f32),
        side: usize,
        prev: &[f32],
        row: &mut Row,
    ) -> usize {
        let sdlon = &self.sin2_dlon[side];
        let n = row.z.len().min(sdlon.len());
        // Distance grows outward along a row: cells up to the first beyond range are swept
        // (that one for the horizon the next row reads through it).
        let in_range = sdlon[..n].partition_point(|&s| self.distance(terms, s) <= self.range_m);
        let m = (in_range + 1).min(n);
        let (z, d, base, own) = (
            &row.z[..m],
            &mut row.d[..m],
            &mut row.base[..m],
            &mut row.own[..m],
        );
        for (((d, base), own), (&z, &s)) in d
            .iter_mut()
            .zip(base.iter_mut())
            .zip(own.iter_mut())
            .zip(z.iter().zip(sdlon))
        {
            *d = self.distance(terms, s);
            *base = self.h0 + *d * *d * self.inv_two_re;
            *own = if z.is_nan() {
                f32::NEG_INFINITY
            } else {
                (z - *base) / *d
            };
        }
        let (inh, horizon) = (&mut row.inherited[..m], &mut row.horizon[..m]);
        let steep = if dr == 0 { 1.min(m) } else { dr.min(m) };
        if dr == 0 {
            inh[..steep].fill(NO_HORIZON);
        } else {
            // Steep (closer to the radar's column than to its row): between the cell
            // straight in and the diagonal one, both in the previous row.
            let inv_dr = self.inv[dr];
            for (j, v) in inh[..steep].iter_mut().enumerate() {
                let (a, b) = (prev[j], prev[j.saturating_sub(1)]);
                *v = a + (b - a) * (j as f32 * inv_dr);
            }
        }
        for ((h, &i), &o) in horizon[..steep]
            .iter_mut()
            .zip(&inh[..steep])
            .zip(&own[..steep])
        {
            *h = max(i, o);
        }
        // Shallow: between the cell before in this row and the diagonal one.
        let drf = dr as f32;
        for j in steep..m {
            let a = horizon[j - 1];
            let b = if dr == 0 { a } else { prev[j - 1] };
            let i = a + (b - a) * (drf * self.inv[j]);
            inh[j] = i;
            horizon[j] = max(i, own[j]);
        }
        let out = &mut row.out[..in_range];
        for (j, o) in out.iter_mut().enumerate() {
            let line = row.base[j] + row.d[j] * max(row.inherited[j], self.tan_min);
            *o = max(line, row.z[j]) - row.z[j];
        }
        if dr == 0 && in_range > 0 && !row.z[0].is_nan() {
            out[0] = 0.0;
        }
        in_range
    }

    /// Sweeps the rows `rows` (outward from the radar's, which comes first) into `agl`,
    /// whose first row is window row `first_row`; rows past its end are swept, not kept.
    fn sweep_half(&self, rows: impl Iterator<Item = usize>, agl: &mut [f32], first_row: usize) {
        let (cr, cc) = self.w.centre;
        let cols = self.w.cols;
        let width = [cols - cc, cc + 1];
        let mut sides = [Row::new(width[0]), Row::new(width[1])];
        let mut prev = [vec![NO_HORIZON; width[0]], vec![NO_HORIZON; width[1]]];
        for r in rows {
            let dr = r.abs_diff(cr);
            let terms = self.row_terms(r);
            let heights = &self.dem.row_heights(self.w.row0 + r)[self.w.col0..][..cols];
            let start = (r - first_row) * cols;
            let mut any = false;
            for (side, row) in sides.iter_mut().enumerate() {
                let raw = if side == 0 {
                    &heights[cc..]
                } else {
                    &heights[..=cc]
                };
                let to_f32 = |h: i16| if h == NODATA { f32::NAN } else { f32::from(h) };
                if side == 0 {
                    row.z.iter_mut().zip(raw).for_each(|(z, &h)| *z = to_f32(h));
                } else {
                    row.z
                        .iter_mut()
                        .zip(raw.iter().rev())
                        .for_each(|(z, &h)| *z = to_f32(h));
                }
                let done = self.sweep_side(dr, terms, side, &prev[side], row);
                std::mem::swap(&mut prev[side], &mut row.horizon);
                // The north half sweeps the radar's row only for its horizon.
                if let Some(agl_row) = agl.get_mut(start..start + cols) {
                    let out = &row.out[..done];
                    if side == 0 {
                        agl_row[cc..cc + done].copy_from_slice(out);
                    } else {
                        agl_row[cc + 1 - done..=cc]
                            .iter_mut()
                            .rev()
                            .zip(out)
                            .for_each(|(a, &o)| *a = o);
                    }
                }
                any |= done > 0;
            }
            if !any {
                break;
            }
        }
    }
}

/// One radar's minimum visible height above ground over its window (NaN beyond range or
/// over no data), and the window.
pub(crate) fn grid_coverage(dem: &Dem, site: &RadarSite, h0: f64) -> (Window, Vec<f32>) {
    let w = window(dem, site);
    let (cr, cc) = w.centre;
    let lon = |c: usize| dem.cell_centre(0, w.col0 + c).1.to_radians();
    let l1 = site.lon_deg.to_radians();
    let sin2 = |c: usize| ((lon(c) - l1) / 2.0).sin().powi(2) as f32;
    let g = Geometry {
        dem,
        w: &w,
        h0: h0 as f32,
        inv_two_re: (1.0 / (2.0 * site.refraction_k * A_M)) as f32,
        range_m: site.range_m as f32,
        tan_min: site
            .elevation_min_deg
            .map_or(NO_HORIZON, |e| e.to_radians().tan() as f32),
        inv: (0..=w.rows.max(w.cols))
            .map(|n| 1.0 / (n.max(1) as f32))
            .collect(),
        site_lat_rad: site.lat_deg.to_radians(),
        cos_p1: site.lat_deg.to_radians().cos(),
        sin2_dlon: [
            (cc..w.cols).map(sin2).collect(),
            (0..=cc).rev().map(sin2).collect(),
        ],
    };
    let mut agl = vec![f32::NAN; w.rows * w.cols];
    // North of the radar's row, and from it south; the radar's row is swept by both halves
    // (its horizon seeds each), and written by the south one.
    let (north, south) = agl.split_at_mut(cr * w.cols);
    std::thread::scope(|s| {
        let g = &g;
        s.spawn(move || g.sweep_half(std::iter::once(cr).chain((0..cr).rev()), north, 0));
        g.sweep_half(cr..w.rows, south, cr);
    });
    (w, agl)
}
