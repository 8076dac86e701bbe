//! The fast coverage: one visit per cell, outward from the radar's cell row by row. Each cell inherits the horizon (the steepest terrain slope between it and the
//! antenna) from the two cells of the previous ring that its line of sight passes between,
//! interpolated where it crosses them, then adds its own terrain. The same approximation
//! `gdal_viewshed` makes, on the geographic grid directly; the radial sweep
//! (`coverage::radial_coverage`) is the reference it is tested against.

use crate::coverage::{Coverage, RadarSite, A_M, R_MEAN_M};
use crate::dem::Dem;

/// The window of cells within range, centred on the radar's cell.
struct Window {
    row0: usize,
    col0: usize,
    rows: usize,
    cols: usize,
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

/// Great-circle distances from the site to every cell centre, by the haversine with
/// per-row and per-column factors computed once (asin by its series: exact to 1e-7 within
/// 2,000 km).
struct Distances {
    sin2_dlat: Vec<f64>,
    cos_lat: Vec<f64>,
    sin2_dlon: Vec<f64>,
    cos_p1: f64,
}

impl Distances {
    fn new(dem: &Dem, site: &RadarSite, w: &Window) -> Distances {
        let p1 = site.lat_deg.to_radians();
        let lat = |r: usize| dem.cell_centre(w.row0 + r, 0).0.to_radians();
        let lon = |c: usize| dem.cell_centre(0, w.col0 + c).1.to_radians();
        let l1 = site.lon_deg.to_radians();
        Distances {
            sin2_dlat: (0..w.rows)
                .map(|r| ((lat(r) - p1) / 2.0).sin().powi(2))
                .collect(),
            cos_lat: (0..w.rows).map(|r| lat(r).cos()).collect(),
            sin2_dlon: (0..w.cols)
                .map(|c| ((lon(c) - l1) / 2.0).sin().powi(2))
                .collect(),
            cos_p1: p1.cos(),
        }
    }

    fn metres(&self, r: usize, c: usize) -> f64 {
        let h = self.sin2_dlat[r] + self.cos_p1 * self.cos_lat[r] * self.sin2_dlon[c];
        let x = h.sqrt();
        2.0 * R_MEAN_M * (x + x * x * x / 6.0 + 3.0 * x.powi(5) / 40.0)
    }
}

/// What one visit needs, borrowed once.
struct Sweep<'a> {
    dem: &'a Dem,
    w: &'a Window,
    dist: &'a Distances,
    h0: f64,
    two_re: f64,
    range_m: f64,
    tan_min: Option<f64>,
    horizon: Vec<f32>,
    asl: Vec<f32>,
    agl: Vec<f32>,
}

impl Sweep<'_> {
    /// Cell (r, c) of the window, `dr`, `dc` cells from the radar's. Its inward neighbours
    /// are always inside the window, which is a rectangle around the radar's cell.
    #[inline]
    fn visit(&mut self, r: usize, c: usize, dr: i64, dc: i64) {
        let cols = self.w.cols;
        let k = r * cols + c;
        let (sr, sc) = (dr.signum(), dc.signum());
        let idx = |rr: i64, cc: i64| rr as usize * cols + cc as usize;
        let (ri, ci) = (r as i64, c as i64);
        let (near, diag, f) = if dc.abs() >= dr.abs() {
            (
                idx(ri, ci - sc),
                idx(ri - sr, ci - sc),
                dr.abs() as f32 / dc.abs() as f32,
            )
        } else {
            (
                idx(ri - sr, ci),
                idx(ri - sr, ci - sc),
                dc.abs() as f32 / dr.abs() as f32,
            )
        };
        let (a, b) = (self.horizon[near], self.horizon[diag]);
        let inherited = if a == f32::NEG_INFINITY || b == f32::NEG_INFINITY {
            a.max(b)
        } else {
            a + (b - a) * f
        };
        let z = self.dem.row_heights(self.w.row0 + r)[self.w.col0 + c];
        if z == crate::dem::NODATA {
            self.horizon[k] = inherited;
            return;
        }
        let z = f64::from(z);
        let d = self.dist.metres(r, c).max(1.0);
        let drop = d * d / self.two_re;
        self.horizon[k] = inherited.max(((z - self.h0 - drop) / d) as f32);
        if d > self.range_m {
            return;
        }
        let mut visible = z.max(self.h0 + d * f64::from(inherited) + drop);
        if let Some(t) = self.tan_min {
            visible = visible.max(self.h0 + d * t + drop);
        }
        self.asl[k] = visible as f32;
        self.agl[k] = (visible - z) as f32;
    }
}

pub(crate) fn grid_coverage(dem: &Dem, site: &RadarSite, h0: f64) -> Coverage {
    let w = window(dem, site);
    let dist = Distances::new(dem, site, &w);
    let n = w.rows * w.cols;
    let mut s = Sweep {
        dem,
        w: &w,
        dist: &dist,
        h0,
        two_re: 2.0 * site.refraction_k * A_M,
        range_m: site.range_m,
        tan_min: site.elevation_min_deg.map(|e| e.to_radians().tan()),
        // The horizon each cell passes on outward: the steepest slope up to and including it.
        horizon: vec![f32::NEG_INFINITY; n],
        asl: vec![f32::NAN; n],
        agl: vec![f32::NAN; n],
    };
    let (cr, cc) = (w.centre.0 as i64, w.centre.1 as i64);
    if let Some(z) = dem.height_at_cell(w.row0 + w.centre.0, w.col0 + w.centre.1) {
        let k = w.centre.0 * w.cols + w.centre.1;
        s.asl[k] = z as f32;
        s.agl[k] = 0.0;
    }
    let (rmax, cmax) = (w.rows as i64 - 1, w.cols as i64 - 1);
    // Rows outward from the radar's row, and in each row, cells outward from its column:
    // every cell's inward neighbours (the same row one step in, or the row one step in) are
    // done before it, and memory is walked in order.
    let rows = (cr..=rmax).chain((0..cr).rev());
    for r in rows {
        let cols = (cc..=cmax).chain((0..cc).rev());
        for c in cols {
            if (r, c) != (cr, cc) {
                s.visit(r as usize, c as usize, r - cr, c - cc);
            }
        }
    }
    Coverage {
        row0: w.row0,
        col0: w.col0,
        rows: w.rows,
        cols: w.cols,
        visible_asl_m: s.asl,
        visible_agl_m: s.agl,
    }
}
