//! What a radar sees over terrain: for every DEM cell within range, the minimum height a
//! target must fly at to be in line of sight, above sea level and above the ground. One
//! pass serves every altitude layer.
//!
//! Rays leave the antenna every fraction of a cell at the far edge; along each, terrain is
//! sampled every half cell through the effective Earth (radius `k · a`, the curvature drop
//! `d² / 2ka` that `gdal_viewshed -cc` also uses). The steepest terrain slope seen so far
//! bounds what is visible beyond: a target at distance `d` is seen when it rises above the
//! line `h₀ + d·s_max + d²/2ka`. Each cell then takes the value of the ray sample nearest
//! its centre. Distances and bearings are great-circle on the mean sphere.

use crate::dem::Dem;

/// WGS84 semi-major axis: the Earth radius the effective-Earth model scales.
pub(crate) const A_M: f64 = 6_378_137.0;
/// Mean Earth radius, for distances and bearings.
pub(crate) const R_MEAN_M: f64 = 6_371_008.8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RadarSite {
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Antenna height above the ground at the site.
    pub antenna_agl_m: f64,
    pub range_m: f64,
    /// The lowest elevation the beam reaches; `None` for no limit (as `gdal_viewshed`).
    pub elevation_min_deg: Option<f64>,
    /// Effective-Earth factor: 4/3 for the standard atmosphere.
    pub refraction_k: f64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CoverageError {
    #[error("the site {lat:.4}° N {lon:.4}° E is outside the DEM or on a cell with no data")]
    SiteOffDem { lat: f64, lon: f64 },
    #[error("{0}")]
    Invalid(String),
}

/// Minimum visible heights over a window of the DEM's grid (the cells within range). Heights
/// above sea level are the ground's plus the height above it, so only the latter is kept.
#[derive(Debug, Clone)]
pub struct Coverage<'d> {
    pub dem: &'d Dem,
    pub row0: usize,
    pub col0: usize,
    pub rows: usize,
    pub cols: usize,
    /// Above the ground, metres; NaN beyond range or over no data.
    pub visible_agl_m: Vec<f32>,
}

impl Coverage<'_> {
    /// The minimum visible height above ground at DEM cell (row, col), if covered.
    pub fn agl_at(&self, row: usize, col: usize) -> Option<f32> {
        let (r, c) = (row.checked_sub(self.row0)?, col.checked_sub(self.col0)?);
        if r >= self.rows || c >= self.cols {
            return None;
        }
        let v = self.visible_agl_m[r * self.cols + c];
        (!v.is_nan()).then_some(v)
    }

    /// Above mean sea level, if covered.
    pub fn asl_at(&self, row: usize, col: usize) -> Option<f32> {
        let agl = self.agl_at(row, col)?;
        Some(agl + self.dem.height_at_cell(row, col)? as f32)
    }
}

/// Per-ray geometry of a great circle leaving the site.
struct Ray {
    sin_b: f64,
    cos_b: f64,
}

impl RadarSite {
    fn check(&self) -> Result<(), CoverageError> {
        let ok = (-89.0..=89.0).contains(&self.lat_deg)
            && (-180.0..=180.0).contains(&self.lon_deg)
            && (0.0..=10_000.0).contains(&self.antenna_agl_m)
            && self.range_m > 0.0
            && self.range_m <= 2_000_000.0
            && self.refraction_k > 0.0
            && self.refraction_k.is_finite()
            && self
                .elevation_min_deg
                .is_none_or(|e| (-10.0..=45.0).contains(&e));
        if ok {
            Ok(())
        } else {
            Err(CoverageError::Invalid(format!(
                "a radar site needs a latitude within ±89°, an antenna 0–10,000 m above ground, a range up to 2,000 km, k > 0 and a minimum elevation within −10..45°: got {self:?}"
            )))
        }
    }
}

/// Whether the straight (refracted) ray from `from` to `to` — each (lat°, lon°, metres above
/// sea level) — clears the terrain, sampled every half cell. Points off the DEM or over no
/// data do not block. The same geometry as [`radar_coverage`].
pub fn line_of_sight(
    dem: &Dem,
    from: (f64, f64, f64),
    to: (f64, f64, f64),
    refraction_k: f64,
) -> bool {
    let re = refraction_k * A_M;
    let (p1, l1) = (from.0.to_radians(), from.1.to_radians());
    let (p2, l2) = (to.0.to_radians(), to.1.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((l2 - l1) / 2.0).sin().powi(2);
    let delta = 2.0 * h.sqrt().min(1.0).asin();
    let dist = delta * R_MEAN_M;
    let step = 0.5 * dem.cell_deg.to_radians() * R_MEAN_M;
    let n = (dist / step).floor() as usize;
    if n < 2 || delta <= 0.0 {
        return true;
    }
    // The target's height in the frame where the Earth's curvature is a drop d²/2ka.
    let end = to.2 - dist * dist / (2.0 * re);
    let lat_lon = |f: f64| {
        // Slerp along the great circle: the point a fraction f of the way.
        let (a, b) = (((1.0 - f) * delta).sin(), (f * delta).sin());
        let x = a * p1.cos() * l1.cos() + b * p2.cos() * l2.cos();
        let y = a * p1.cos() * l1.sin() + b * p2.cos() * l2.sin();
        let z = a * p1.sin() + b * p2.sin();
        (z.atan2(x.hypot(y)).to_degrees(), y.atan2(x).to_degrees())
    };
    (1..n).all(|i| {
        let d = i as f64 * step;
        let f = d / dist;
        let (lat, lon) = lat_lon(f);
        dem.height(lat, lon)
            .is_none_or(|z| z - d * d / (2.0 * re) <= from.2 + (end - from.2) * f)
    })
}

/// The antenna's height above sea level, once the site is checked.
fn antenna_asl(dem: &Dem, site: &RadarSite) -> Result<f64, CoverageError> {
    site.check()?;
    let ground = dem
        .height(site.lat_deg, site.lon_deg)
        .ok_or(CoverageError::SiteOffDem {
            lat: site.lat_deg,
            lon: site.lon_deg,
        })?;
    Ok(ground + site.antenna_agl_m)
}

/// A radar's coverage, fast: one visit per cell (`gridsweep`).
pub fn radar_coverage<'d>(dem: &'d Dem, site: &RadarSite) -> Result<Coverage<'d>, CoverageError> {
    let h0 = antenna_asl(dem, site)?;
    let (w, agl) = crate::gridsweep::grid_coverage(dem, site, h0);
    Ok(Coverage {
        dem,
        row0: w.row0,
        col0: w.col0,
        rows: w.rows,
        cols: w.cols,
        visible_agl_m: agl,
    })
}

/// A radar's coverage by the radial sweep: rays every half cell, terrain sampled every half
/// cell along each. Slower; the reference the fast one is tested against.
pub fn radial_coverage<'d>(dem: &'d Dem, site: &RadarSite) -> Result<Coverage<'d>, CoverageError> {
    let h0 = antenna_asl(dem, site)?;
    let cell_ns_m = dem.cell_deg.to_radians() * R_MEAN_M;
    let cell_ew_m = cell_ns_m * site.lat_deg.to_radians().cos().max(0.05);
    let step_m = 0.5 * cell_ns_m.min(cell_ew_m);
    let steps = (site.range_m / step_m).ceil() as usize;
    // Adjacent rays half a cell apart at the far edge.
    let rays = ((std::f64::consts::TAU * site.range_m) / (0.5 * cell_ew_m.min(cell_ns_m)))
        .ceil()
        .max(360.0) as usize;
    let profiles = sweep(dem, site, h0, step_m, steps, rays);
    Ok(rasterise(dem, site, &profiles, step_m, steps, rays))
}

/// Each ray's minimum visible height above sea level at every step (NaN on no data).
fn sweep(dem: &Dem, site: &RadarSite, h0: f64, step_m: f64, steps: usize, rays: usize) -> Vec<f32> {
    let re = site.refraction_k * A_M;
    let (sin_p1, cos_p1) = site.lat_deg.to_radians().sin_cos();
    let lon1 = site.lon_deg.to_radians();
    let tan_min = site.elevation_min_deg.map(|e| e.to_radians().tan());
    // The angular distance of every step, once for all rays.
    let delta: Vec<(f64, f64)> = (0..=steps)
        .map(|i| (i as f64 * step_m / R_MEAN_M).sin_cos())
        .collect();
    let mut out = vec![f32::NAN; rays * (steps + 1)];
    for (k, profile) in out.chunks_mut(steps + 1).enumerate() {
        let b = std::f64::consts::TAU * k as f64 / rays as f64;
        let (sin_b, cos_b) = b.sin_cos();
        let ray = Ray { sin_b, cos_b };
        let mut slope_max = f64::NEG_INFINITY;
        profile[0] = h0 as f32;
        for i in 1..=steps {
            let (sin_d, cos_d) = delta[i];
            let sin_p2 = sin_p1 * cos_d + cos_p1 * sin_d * ray.cos_b;
            let lat = sin_p2.asin();
            let lon = lon1 + (ray.sin_b * sin_d * cos_p1).atan2(cos_d - sin_p1 * sin_p2);
            let Some(z) = dem.height(lat.to_degrees(), lon.to_degrees()) else {
                continue;
            };
            let d = i as f64 * step_m;
            let drop = d * d / (2.0 * re);
            let mut visible = z.max(h0 + d * slope_max + drop);
            if let Some(t) = tan_min {
                visible = visible.max(h0 + d * t + drop);
            }
            profile[i] = visible as f32;
            slope_max = slope_max.max((z - h0 - drop) / d);
        }
    }
    out
}

fn rasterise<'d>(
    dem: &'d Dem,
    site: &RadarSite,
    profiles: &[f32],
    step_m: f64,
    steps: usize,
    rays: usize,
) -> Coverage<'d> {
    let reach_deg = (site.range_m / R_MEAN_M).to_degrees();
    let lon_reach = reach_deg / site.lat_deg.to_radians().cos().max(0.05);
    let row_of = |lat: f64| ((dem.north_deg - lat) / dem.cell_deg).floor();
    let col_of = |lon: f64| ((lon - dem.west_deg) / dem.cell_deg).floor();
    let clamp = |v: f64, n: usize| v.clamp(0.0, (n - 1) as f64) as usize;
    let row0 = clamp(row_of(site.lat_deg + reach_deg), dem.rows);
    let row1 = clamp(row_of(site.lat_deg - reach_deg), dem.rows);
    let col0 = clamp(col_of(site.lon_deg - lon_reach), dem.cols);
    let col1 = clamp(col_of(site.lon_deg + lon_reach), dem.cols);
    let (rows, cols) = (row1 - row0 + 1, col1 - col0 + 1);
    let mut agl = vec![f32::NAN; rows * cols];
    let (p1, l1) = (site.lat_deg.to_radians(), site.lon_deg.to_radians());
    let cos_p1 = p1.cos();
    for r in 0..rows {
        for c in 0..cols {
            let (lat, lon) = dem.cell_centre(row0 + r, col0 + c);
            let Some(z) = dem.height_at_cell(row0 + r, col0 + c) else {
                continue;
            };
            let (p2, l2) = (lat.to_radians(), lon.to_radians());
            let h = ((p2 - p1) / 2.0).sin().powi(2)
                + cos_p1 * p2.cos() * ((l2 - l1) / 2.0).sin().powi(2);
            let d = 2.0 * R_MEAN_M * h.sqrt().min(1.0).asin();
            if d > site.range_m {
                continue;
            }
            let b = ((l2 - l1).sin() * p2.cos())
                .atan2(cos_p1 * p2.sin() - p1.sin() * p2.cos() * (l2 - l1).cos());
            let k = ((b.rem_euclid(std::f64::consts::TAU) / std::f64::consts::TAU) * rays as f64)
                .round() as usize
                % rays;
            let i = ((d / step_m).round() as usize).min(steps);
            let v = profiles[k * (steps + 1) + i];
            if v.is_nan() {
                continue;
            }
            // The cell's own height, not the ray's interpolated one, is the ground here.
            agl[r * cols + c] = v.max(z as f32) - z as f32;
        }
    }
    Coverage {
        dem,
        row0,
        col0,
        rows,
        cols,
        visible_agl_m: agl,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(height: i16) -> Dem {
        // 8° × 8° of 1′ cells around (10 N, 10 E).
        let n = 480;
        Dem::new(14.0, 6.0, 1.0 / 60.0, n, n, vec![height; n * n]).unwrap()
    }

    fn site(range_m: f64, k: f64) -> RadarSite {
        RadarSite {
            lat_deg: 10.0,
            lon_deg: 10.0,
            antenna_agl_m: 30.0,
            range_m,
            elevation_min_deg: None,
            refraction_k: k,
        }
    }

    #[test]
    fn a_flat_earth_is_seen_down_to_the_ground() {
        // An enormous k makes the Earth flat: every cell is visible at ground level.
        let dem = flat(200);
        let cov = radar_coverage(&dem, &site(300_000.0, 1e9)).unwrap();
        let worst = cov
            .visible_agl_m
            .iter()
            .filter(|v| !v.is_nan())
            .fold(0.0f32, |a, &b| a.max(b));
        assert!(worst < 0.5, "{worst}");
    }

    #[test]
    fn a_smooth_sphere_hides_what_is_below_the_radar_horizon() {
        // Beyond the horizon, the lowest visible height h₂ solves d = √(2kah₁) + √(2kah₂).
        let dem = flat(0);
        let k = 4.0 / 3.0;
        let cov = radar_coverage(&dem, &site(400_000.0, k)).unwrap();
        let re = k * A_M;
        let horizon = (2.0 * re * 30.0).sqrt();
        for (row, col) in [(240, 300), (100, 240), (240, 420), (400, 100), (240, 241)] {
            let (lat, lon) = dem.cell_centre(row, col);
            let (p1, p2) = (10f64.to_radians(), lat.to_radians());
            let h = ((p2 - p1) / 2.0).sin().powi(2)
                + p1.cos() * p2.cos() * ((lon - 10.0f64).to_radians() / 2.0).sin().powi(2);
            let d = 2.0 * R_MEAN_M * h.sqrt().asin();
            let Some(got) = cov.agl_at(row, col) else {
                assert!(d > 400_000.0 - 2_000.0, "({row},{col}) at {d} m is covered");
                continue;
            };
            let expected = if d <= horizon {
                0.0
            } else {
                (d - horizon).powi(2) / (2.0 * re)
            };
            // A ray sample is at most half a step off the cell centre.
            let slack = 1.0 + (d + 1_000.0 - horizon).max(0.0) * 1_000.0 / re;
            assert!(
                (f64::from(got) - expected).abs() < slack,
                "({row},{col}) at {d:.0} m: {got} vs {expected:.1}"
            );
        }
    }

    #[test]
    fn a_ridge_shadows_what_lies_behind_it() {
        // A 1,000 m wall 50 km east of the radar, 4 cells wide, over flat ground at 0 m.
        let mut dem = flat(0);
        let n = dem.rows;
        let mut heights = vec![0i16; n * n];
        let ridge_col = 240
            + (50_000.0 / (R_MEAN_M * (1.0f64 / 60.0).to_radians() * 10f64.to_radians().cos()))
                as usize;
        for r in 0..n {
            for c in ridge_col..ridge_col + 4 {
                heights[r * n + c] = 1_000;
            }
        }
        dem = Dem::new(dem.north_deg, dem.west_deg, dem.cell_deg, n, n, heights).unwrap();
        let cov = radar_coverage(&dem, &site(200_000.0, 4.0 / 3.0)).unwrap();
        let row = 240;
        // In front of the ridge: visible to the ground (within the curvature).
        assert!(cov.agl_at(row, ridge_col - 20).unwrap() < 50.0);
        // Behind it at twice the distance: at least as high as the wall's line of sight.
        let behind = cov.agl_at(row, 240 + 2 * (ridge_col - 240)).unwrap();
        assert!(behind > 1_900.0, "{behind}");
    }

    #[test]
    fn line_of_sight_agrees_with_the_coverage() {
        let mut heights = vec![0i16; 480 * 480];
        for r in 0..480 {
            for c in 280..284 {
                heights[r * 480 + c] = 1_000;
            }
        }
        let dem = Dem::new(14.0, 6.0, 1.0 / 60.0, 480, 480, heights).unwrap();
        let s = site(200_000.0, 4.0 / 3.0);
        let cov = radar_coverage(&dem, &s).unwrap();
        let antenna = (s.lat_deg, s.lon_deg, 30.0);
        for (row, col) in [(240, 300), (240, 330), (200, 320), (240, 270), (260, 330)] {
            let (lat, lon) = dem.cell_centre(row, col);
            let floor = f64::from(cov.asl_at(row, col).unwrap());
            assert!(
                line_of_sight(&dem, antenna, (lat, lon, floor + 30.0), s.refraction_k),
                "({row},{col}) above"
            );
            if floor > 100.0 {
                assert!(
                    !line_of_sight(&dem, antenna, (lat, lon, floor - 60.0), s.refraction_k),
                    "({row},{col}) below"
                );
            }
        }
    }

    #[test]
    fn bad_sites_are_errors_not_panics() {
        let dem = flat(0);
        let off = RadarSite {
            lat_deg: 40.0,
            ..site(100_000.0, 4.0 / 3.0)
        };
        assert_eq!(
            radar_coverage(&dem, &off).unwrap_err(),
            CoverageError::SiteOffDem {
                lat: 40.0,
                lon: 10.0
            }
        );
        for bad in [
            RadarSite {
                range_m: f64::NAN,
                ..site(1.0, 1.0)
            },
            RadarSite {
                refraction_k: 0.0,
                ..site(1.0, 1.0)
            },
            RadarSite {
                antenna_agl_m: -5.0,
                ..site(1.0, 1.0)
            },
        ] {
            assert!(matches!(
                radar_coverage(&dem, &bad),
                Err(CoverageError::Invalid(_))
            ));
        }
    }
}
