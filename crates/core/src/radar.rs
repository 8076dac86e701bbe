//! Radar geometry from a site: slant range, azimuth and elevation of a target, and back.
//!
//! Refraction follows the effective-Earth-radius model: over a sphere of radius `k·R` the
//! refracted ray is a straight line. `R` is Euler's radius of curvature of the ellipsoid's
//! normal section at the site in the target's azimuth, and the sphere touches the
//! ellipsoid's normal at the site, so heights above it are ellipsoidal heights to the first
//! order. With `refraction_k = 1` the model collapses to exact straight-line geometry in the
//! site's east-north-up frame: no spherical approximation is left in that case.
//!
//! Azimuth is clockwise from true north, in [0, 2π). Elevation is the apparent (refracted)
//! elevation at the antenna. Slant range is the length of the ray.

use crate::geodesy::{normal_section_radius_m, wrap_two_pi, Ecef, Enu, Geodetic, LocalFrame};

/// The standard atmosphere's effective-Earth factor.
pub const DEFAULT_REFRACTION_K: f64 = 4.0 / 3.0;

/// A measurement in the radar's own coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Polar {
    pub range_m: f64,
    pub azimuth_rad: f64,
    pub elevation_rad: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    #[error("refraction_k must be a finite number above 0.1, got {0}")]
    BadRefraction(f64),
}

/// The geometry of one antenna: its local frame and its atmosphere.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RadarGeometry {
    frame: LocalFrame,
    refraction_k: f64,
}

/// Coordinates in the vertical plane through the site and the target, centred on the
/// (effective) Earth's centre of curvature: `x` across, `y` up.
struct Plane {
    radius_m: f64,
    site_r_m: f64,
}

impl RadarGeometry {
    pub fn new(site: Geodetic, refraction_k: f64) -> Result<Self, GeometryError> {
        if !(refraction_k.is_finite() && refraction_k > 0.1) {
            return Err(GeometryError::BadRefraction(refraction_k));
        }
        Ok(Self {
            frame: LocalFrame::new(site),
            refraction_k,
        })
    }

    pub fn site(&self) -> Geodetic {
        self.frame.origin()
    }

    pub fn site_ecef(&self) -> Ecef {
        self.frame.origin_ecef()
    }

    pub fn frame(&self) -> &LocalFrame {
        &self.frame
    }

    pub fn refraction_k(&self) -> f64 {
        self.refraction_k
    }

    fn true_plane(&self, azimuth_rad: f64) -> Plane {
        let radius_m = normal_section_radius_m(self.site().lat_deg, azimuth_rad);
        Plane {
            radius_m,
            site_r_m: radius_m + self.site().alt_m,
        }
    }

    fn effective_plane(&self, azimuth_rad: f64) -> Plane {
        let radius_m =
            self.refraction_k * normal_section_radius_m(self.site().lat_deg, azimuth_rad);
        Plane {
            radius_m,
            site_r_m: radius_m + self.site().alt_m,
        }
    }

    /// Polar coordinates of the ray to `target`.
    pub fn polar(&self, target: Ecef) -> Polar {
        let enu = self.frame.to_enu(target);
        let azimuth_rad = wrap_two_pi(enu.e_m.atan2(enu.n_m));
        let (x, y) = self.effective_xy(enu, azimuth_rad);
        Polar {
            range_m: (x * x + y * y).sqrt(),
            azimuth_rad,
            elevation_rad: y.atan2(x),
        }
    }

    /// The target's offset from the antenna in the effective-Earth plane: (across, up).
    fn effective_xy(&self, enu: Enu, azimuth_rad: f64) -> (f64, f64) {
        if self.refraction_k == 1.0 {
            return (enu.horizontal_m(), enu.u_m);
        }
        let truth = self.true_plane(azimuth_rad);
        let eff = self.effective_plane(azimuth_rad);
        let z = truth.site_r_m + enu.u_m;
        let d = enu.horizontal_m();
        let height_m = (d * d + z * z).sqrt() - truth.radius_m;
        let theta_eff = d.atan2(z) / self.refraction_k;
        let r = eff.radius_m + height_m;
        (r * theta_eff.sin(), r * theta_eff.cos() - eff.site_r_m)
    }

    /// The position a ray of the given polar coordinates reaches. Exact inverse of [`polar`].
    ///
    /// [`polar`]: RadarGeometry::polar
    pub fn position(&self, p: Polar) -> Ecef {
        let (x, y) = (
            p.range_m * p.elevation_rad.cos(),
            p.range_m * p.elevation_rad.sin(),
        );
        let d_u = if self.refraction_k == 1.0 {
            (x, y)
        } else {
            let truth = self.true_plane(p.azimuth_rad);
            let eff = self.effective_plane(p.azimuth_rad);
            let r_eff = x.hypot(eff.site_r_m + y);
            let theta = x.atan2(eff.site_r_m + y) * self.refraction_k;
            let r = truth.radius_m + (r_eff - eff.radius_m);
            (r * theta.sin(), r * theta.cos() - truth.site_r_m)
        };
        let (sin_az, cos_az) = p.azimuth_rad.sin_cos();
        self.frame
            .to_ecef(Enu::new(d_u.0 * sin_az, d_u.0 * cos_az, d_u.1))
    }

    /// The elevation of the ray of this range that reaches `alt_m`, on the effective
    /// sphere: within metres of [`position_at_height`]'s ellipsoidal answer (about 1e-5 rad
    /// at the edge of coverage) and many times cheaper, for heights that come quantised
    /// anyway (a 3-D radar's 25 ft). `None` when no ray of that range reaches that height.
    ///
    /// [`position_at_height`]: RadarGeometry::position_at_height
    pub fn elevation_at_height(&self, range_m: f64, azimuth_rad: f64, alt_m: f64) -> Option<f64> {
        let eff = self.effective_plane(azimuth_rad);
        let r_t = eff.radius_m + alt_m;
        let sin_el =
            (r_t * r_t - eff.site_r_m.powi(2) - range_m * range_m) / (2.0 * eff.site_r_m * range_m);
        (range_m > 0.0 && (-1.0..=1.0).contains(&sin_el)).then(|| sin_el.asin())
    }

    /// The position of a plot from a 2-D radar whose height is known (Mode C, say).
    /// `None` when no ray of that range reaches that height.
    pub fn position_at_height(&self, range_m: f64, azimuth_rad: f64, alt_m: f64) -> Option<Ecef> {
        let eff = self.effective_plane(azimuth_rad);
        // The sphere's heights and the ellipsoid's differ by metres at the edge of coverage:
        // two corrections bring the result onto the requested ellipsoidal height.
        let mut target_h_m = alt_m;
        let mut position = None;
        for _ in 0..3 {
            let r_t = eff.radius_m + target_h_m;
            let cos_theta =
                (eff.site_r_m.powi(2) + r_t * r_t - range_m * range_m) / (2.0 * eff.site_r_m * r_t);
            if !(-1.0..=1.0).contains(&cos_theta) || range_m <= 0.0 {
                return None;
            }
            let theta = cos_theta.acos();
            let (x, y) = (r_t * theta.sin(), r_t * theta.cos() - eff.site_r_m);
            let p = self.position(Polar {
                range_m,
                azimuth_rad,
                elevation_rad: y.atan2(x),
            });
            target_h_m += alt_m - p.to_geodetic().alt_m;
            position = Some(p);
        }
        position
    }

    /// Whether the ray to `target` clears a smooth Earth whose surface stands `ground_m`
    /// above the ellipsoid. The same test serves the radar horizon and radio line of sight.
    pub fn clears_smooth_earth(&self, target: Ecef, ground_m: f64) -> bool {
        let enu = self.frame.to_enu(target);
        let azimuth_rad = wrap_two_pi(enu.e_m.atan2(enu.n_m));
        let (x, y) = self.effective_xy(enu, azimuth_rad);
        let eff = self.effective_plane(azimuth_rad);
        // Distance from the effective centre to the closest point of the segment antenna→target.
        let p0 = [0.0, eff.site_r_m];
        let d = [x, y];
        let len2 = x * x + y * y;
        let t = if len2 > 0.0 {
            (-(p0[1] * d[1]) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let closest = ((p0[0] + t * d[0]).powi(2) + (p0[1] + t * d[1]).powi(2)).sqrt();
        closest >= eff.radius_m + ground_m - 1e-6
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn site() -> Geodetic {
        Geodetic::new(13.48, 2.18, 250.0)
    }

    proptest! {
        #[test]
        fn polar_position_round_trip(
            k in prop::sample::select(vec![1.0, 4.0 / 3.0, 1.2, 2.0]),
            az in 0.0f64..360.0, dist in 1_000.0f64..450_000.0, alt in 0.0f64..20_000.0
        ) {
            let g = RadarGeometry::new(site(), k).unwrap();
            let target = site().destination(az, dist);
            let target = Geodetic::new(target.lat_deg, target.lon_deg, alt).to_ecef();
            let p = g.polar(target);
            let back = g.position(p);
            prop_assert!(back.distance_m(target) < 1e-4, "k {k} error {}", back.distance_m(target));
        }

        #[test]
        fn two_d_plot_lands_at_its_height(
            k in prop::sample::select(vec![1.0, 4.0 / 3.0]),
            az in 0.0f64..360.0, dist in 5_000.0f64..400_000.0, alt in 100.0f64..15_000.0
        ) {
            let g = RadarGeometry::new(site(), k).unwrap();
            let t = site().destination(az, dist);
            let target = Geodetic::new(t.lat_deg, t.lon_deg, alt).to_ecef();
            let p = g.polar(target);
            let back = g.position_at_height(p.range_m, p.azimuth_rad, alt).unwrap();
            prop_assert!(back.distance_m(target) < 0.01, "error {}", back.distance_m(target));
        }

        #[test]
        fn the_spherical_elevation_at_height_is_within_the_quantisation(
            k in prop::sample::select(vec![1.0, 4.0 / 3.0]),
            az in 0.0f64..360.0, dist in 5_000.0f64..400_000.0, alt in 100.0f64..20_000.0
        ) {
            let g = RadarGeometry::new(site(), k).unwrap();
            let t = site().destination(az, dist);
            let p = g.polar(Geodetic::new(t.lat_deg, t.lon_deg, alt).to_ecef());
            let e = g.elevation_at_height(p.range_m, p.azimuth_rad, alt).unwrap();
            // Metres at the edge of coverage, as the 25 ft steps of a 3-D radar's height.
            prop_assert!((e - p.elevation_rad).abs() * p.range_m < 8.0, "{} m", (e - p.elevation_rad).abs() * p.range_m);
        }

        #[test]
        fn refraction_raises_apparent_elevation(
            az in 0.0f64..360.0, dist in 20_000.0f64..400_000.0, alt in 0.0f64..10_000.0
        ) {
            let t = site().destination(az, dist);
            let target = Geodetic::new(t.lat_deg, t.lon_deg, alt).to_ecef();
            let straight = RadarGeometry::new(site(), 1.0).unwrap().polar(target);
            let bent = RadarGeometry::new(site(), DEFAULT_REFRACTION_K).unwrap().polar(target);
            prop_assert!(bent.elevation_rad > straight.elevation_rad);
            // The 4/3 model keeps arc length at the surface, not at altitude: ranges differ by
            // a few 1e-4 of the range at worst, steep and close.
            prop_assert!((bent.range_m - straight.range_m).abs() < 5e-4 * straight.range_m);
        }
    }

    /// The radio horizon of an antenna `h` m above a 4/3 Earth is √(2kRh), the classic
    /// 4.12·√h km rule of thumb.
    #[test]
    fn horizon_matches_the_four_thirds_rule() {
        let mast_m = 30.0;
        let ground_m = 250.0;
        let site = Geodetic::new(16.97, 8.0, ground_m + mast_m);
        let g = RadarGeometry::new(site, DEFAULT_REFRACTION_K).unwrap();
        let horizon_m = 4_122.0 * mast_m.sqrt();
        for az in [0.0, 45.0, 90.0, 200.0] {
            let inside = site.destination(az, 0.98 * horizon_m);
            let outside = site.destination(az, 1.02 * horizon_m);
            let at_ground =
                |p: Geodetic| Geodetic::new(p.lat_deg, p.lon_deg, ground_m + 0.001).to_ecef();
            assert!(g.clears_smooth_earth(at_ground(inside), ground_m));
            assert!(!g.clears_smooth_earth(at_ground(outside), ground_m));
        }
    }

    #[test]
    fn refraction_k_is_validated() {
        assert!(RadarGeometry::new(site(), 0.0).is_err());
        assert!(RadarGeometry::new(site(), f64::NAN).is_err());
    }
}
