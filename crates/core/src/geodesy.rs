//! WGS84 geodesy: geodetic ↔ ECEF ↔ local east-north-up, and geodesics on the ellipsoid.
//!
//! Angles at the public boundary are in degrees (as people and files write them) and carry
//! `_deg` in their names; everything computed inside stays in radians. Heights are ellipsoidal
//! heights in metres. vigie does not model the geoid: for the sensor geometry of a country the
//! 20–30 m of geoid undulation is a constant offset shared by sites and targets alike.

use geographiclib_rs::{DirectGeodesic, Geodesic, InverseGeodesic};
use serde::{Deserialize, Serialize};

/// WGS84 semi-major axis.
pub const WGS84_A_M: f64 = 6_378_137.0;
/// WGS84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;
/// First eccentricity squared.
pub const WGS84_E2: f64 = WGS84_F * (2.0 - WGS84_F);
/// Mean Earth radius (IUGG R1), for the few places where a sphere is close enough.
pub const EARTH_MEAN_RADIUS_M: f64 = 6_371_008.8;

/// A position on or above the WGS84 ellipsoid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Geodetic {
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Height above the ellipsoid.
    pub alt_m: f64,
}

impl Geodetic {
    pub const fn new(lat_deg: f64, lon_deg: f64, alt_m: f64) -> Self {
        Self {
            lat_deg,
            lon_deg,
            alt_m,
        }
    }

    pub fn to_ecef(self) -> Ecef {
        let (sin_lat, cos_lat) = self.lat_deg.to_radians().sin_cos();
        let (sin_lon, cos_lon) = self.lon_deg.to_radians().sin_cos();
        let n = prime_vertical_radius_m(sin_lat);
        let r = (n + self.alt_m) * cos_lat;
        Ecef::new(
            r * cos_lon,
            r * sin_lon,
            (n * (1.0 - WGS84_E2) + self.alt_m) * sin_lat,
        )
    }

    /// Geodesic distance and azimuths (degrees clockwise from true north) to `other`.
    pub fn geodesic_to(self, other: Geodetic) -> GeodesicLine {
        let (distance_m, azimuth_start_deg, azimuth_end_deg, _) =
            wgs84().inverse(self.lat_deg, self.lon_deg, other.lat_deg, other.lon_deg);
        GeodesicLine {
            distance_m,
            azimuth_start_deg,
            azimuth_end_deg,
        }
    }

    /// The point reached after `distance_m` along the geodesic leaving at `azimuth_deg`.
    /// The height is kept.
    pub fn destination(self, azimuth_deg: f64, distance_m: f64) -> Geodetic {
        let (lat_deg, lon_deg) =
            wgs84().direct(self.lat_deg, self.lon_deg, azimuth_deg, distance_m);
        Geodetic::new(lat_deg, normalize_lon_deg(lon_deg), self.alt_m)
    }
}

/// The answer of the inverse geodesic problem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeodesicLine {
    pub distance_m: f64,
    /// Forward azimuth at the start, clockwise from true north, in (−180, 180].
    pub azimuth_start_deg: f64,
    /// Forward azimuth at the end.
    pub azimuth_end_deg: f64,
}

fn wgs84() -> Geodesic {
    Geodesic::wgs84()
}

/// Earth-centred, Earth-fixed cartesian coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Ecef {
    pub x_m: f64,
    pub y_m: f64,
    pub z_m: f64,
}

impl Ecef {
    pub const fn new(x_m: f64, y_m: f64, z_m: f64) -> Self {
        Self { x_m, y_m, z_m }
    }

    pub fn as_array(self) -> [f64; 3] {
        [self.x_m, self.y_m, self.z_m]
    }

    pub fn from_array(a: [f64; 3]) -> Self {
        Self::new(a[0], a[1], a[2])
    }

    pub fn distance_m(self, other: Ecef) -> f64 {
        sub3(self.as_array(), other.as_array())
            .iter()
            .map(|d| d * d)
            .sum::<f64>()
            .sqrt()
    }

    /// Exact inverse of [`Geodetic::to_ecef`] (Vermeille 2002, closed form), valid
    /// everywhere except within ~40 km of the Earth's centre.
    pub fn to_geodetic(self) -> Geodetic {
        let e4 = WGS84_E2 * WGS84_E2;
        let a2 = WGS84_A_M * WGS84_A_M;
        let w2 = self.x_m * self.x_m + self.y_m * self.y_m;
        let w = w2.sqrt();
        let p = w2 / a2;
        let q = (1.0 - WGS84_E2) / a2 * self.z_m * self.z_m;
        let r = (p + q - e4) / 6.0;
        let s = e4 * p * q / (4.0 * r * r * r);
        let t = (1.0 + s + (s * (2.0 + s)).sqrt()).cbrt();
        let u = r * (1.0 + t + 1.0 / t);
        let v = (u * u + e4 * q).sqrt();
        let w_ = WGS84_E2 * (u + v - q) / (2.0 * v);
        let k = (u + v + w_ * w_).sqrt() - w_;
        let d = k * w / (k + WGS84_E2);
        let dz = (d * d + self.z_m * self.z_m).sqrt();
        let lat = 2.0 * self.z_m.atan2(d + dz);
        let alt_m = (k + WGS84_E2 - 1.0) / k * dz;
        Geodetic::new(
            lat.to_degrees(),
            self.y_m.atan2(self.x_m).to_degrees(),
            alt_m,
        )
    }
}

/// East, north, up components in a local tangent frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Enu {
    pub e_m: f64,
    pub n_m: f64,
    pub u_m: f64,
}

impl Enu {
    pub const fn new(e_m: f64, n_m: f64, u_m: f64) -> Self {
        Self { e_m, n_m, u_m }
    }

    pub fn horizontal_m(self) -> f64 {
        (self.e_m * self.e_m + self.n_m * self.n_m).sqrt()
    }
}

/// A local east-north-up tangent frame at an origin on or above the ellipsoid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LocalFrame {
    origin: Geodetic,
    origin_ecef: Ecef,
    /// Rows are the east, north and up unit vectors in ECEF.
    rows: [[f64; 3]; 3],
}

impl LocalFrame {
    pub fn new(origin: Geodetic) -> Self {
        let (sin_lat, cos_lat) = origin.lat_deg.to_radians().sin_cos();
        let (sin_lon, cos_lon) = origin.lon_deg.to_radians().sin_cos();
        let rows = [
            [-sin_lon, cos_lon, 0.0],
            [-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat],
            [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat],
        ];
        Self {
            origin,
            origin_ecef: origin.to_ecef(),
            rows,
        }
    }

    pub fn origin(&self) -> Geodetic {
        self.origin
    }

    pub fn origin_ecef(&self) -> Ecef {
        self.origin_ecef
    }

    /// Unit vector of the local vertical (ellipsoid normal), in ECEF.
    pub fn up(&self) -> [f64; 3] {
        self.rows[2]
    }

    pub fn to_enu(&self, p: Ecef) -> Enu {
        let d = sub3(p.as_array(), self.origin_ecef.as_array());
        let [e, n, u] = self.rows.map(|row| dot3(row, d));
        Enu::new(e, n, u)
    }

    /// Rotates an ECEF vector (a velocity, say) into the local frame.
    pub fn rotate_to_enu(&self, v: [f64; 3]) -> Enu {
        let [e, n, u] = self.rows.map(|row| dot3(row, v));
        Enu::new(e, n, u)
    }

    /// Rotates a local vector back to ECEF axes.
    pub fn rotate_to_ecef(&self, v: Enu) -> [f64; 3] {
        let [re, rn, ru] = self.rows;
        [0, 1, 2].map(|i| re[i] * v.e_m + rn[i] * v.n_m + ru[i] * v.u_m)
    }

    pub fn to_ecef(&self, v: Enu) -> Ecef {
        Ecef::from_array(add3(self.origin_ecef.as_array(), self.rotate_to_ecef(v)))
    }
}

/// Radius of curvature in the prime vertical, N.
pub fn prime_vertical_radius_m(sin_lat: f64) -> f64 {
    WGS84_A_M / (1.0 - WGS84_E2 * sin_lat * sin_lat).sqrt()
}

/// Radius of curvature in the meridian, M.
pub fn meridian_radius_m(sin_lat: f64) -> f64 {
    let d = 1.0 - WGS84_E2 * sin_lat * sin_lat;
    WGS84_A_M * (1.0 - WGS84_E2) / (d * d.sqrt())
}

/// Euler's radius of curvature of the normal section at `azimuth_rad` (Rα = MN / (N cos²α + M sin²α)).
pub fn normal_section_radius_m(lat_deg: f64, azimuth_rad: f64) -> f64 {
    let sin_lat = lat_deg.to_radians().sin();
    let m = meridian_radius_m(sin_lat);
    let n = prime_vertical_radius_m(sin_lat);
    let (s, c) = azimuth_rad.sin_cos();
    m * n / (n * c * c + m * s * s)
}

/// Wraps a longitude into [−180, 180).
pub fn normalize_lon_deg(lon_deg: f64) -> f64 {
    (lon_deg + 180.0).rem_euclid(360.0) - 180.0
}

/// Wraps an angle into [0, 2π).
pub fn wrap_two_pi(a_rad: f64) -> f64 {
    use std::f64::consts::TAU;
    // Most angles are at most one turn off: avoid fmod for them.
    let a = if a_rad < 0.0 {
        a_rad + TAU
    } else if a_rad >= TAU {
        a_rad - TAU
    } else {
        a_rad
    };
    if (0.0..TAU).contains(&a) {
        return a;
    }
    // rem_euclid may round up to TAU itself for tiny negative angles.
    let r = a_rad.rem_euclid(TAU);
    if r < TAU {
        r
    } else {
        0.0
    }
}

/// Wraps an angle into [−π, π).
pub fn wrap_pi(a_rad: f64) -> f64 {
    wrap_two_pi(a_rad + std::f64::consts::PI) - std::f64::consts::PI
}

pub(crate) fn sub3(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

pub(crate) fn add3(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

pub(crate) fn dot3(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ecef_round_trip_is_sub_millimetre(
            lat in -89.9f64..89.9, lon in -180.0f64..180.0, alt in -500.0f64..40_000.0
        ) {
            let g = Geodetic::new(lat, lon, alt);
            let back = g.to_ecef().to_geodetic();
            prop_assert!(g.to_ecef().distance_m(back.to_ecef()) < 1e-6);
            prop_assert!((back.alt_m - alt).abs() < 1e-6);
        }

        #[test]
        fn enu_round_trip(
            lat in -80.0f64..80.0, lon in -180.0f64..180.0,
            e in -5e5f64..5e5, n in -5e5f64..5e5, u in -1e4f64..2e4
        ) {
            let frame = LocalFrame::new(Geodetic::new(lat, lon, 300.0));
            let back = frame.to_enu(frame.to_ecef(Enu::new(e, n, u)));
            prop_assert!((back.e_m - e).abs() < 1e-6);
            prop_assert!((back.n_m - n).abs() < 1e-6);
            prop_assert!((back.u_m - u).abs() < 1e-6);
        }
    }

    #[test]
    fn wraps() {
        assert_eq!(normalize_lon_deg(190.0), -170.0);
        assert_eq!(normalize_lon_deg(-180.0), -180.0);
        assert!((wrap_pi(3.5 * std::f64::consts::PI) + 0.5 * std::f64::consts::PI).abs() < 1e-12);
        assert!((wrap_pi(-7.5 * std::f64::consts::PI) - 0.5 * std::f64::consts::PI).abs() < 1e-12);
        assert!((wrap_two_pi(-0.1) - (std::f64::consts::TAU - 0.1)).abs() < 1e-12);
        assert!(wrap_two_pi(-1e-20) < std::f64::consts::TAU);
        for a in [-20.0, -6.3, -1.0, 0.0, 1.0, 6.3, 13.0, 100.0] {
            let w = wrap_two_pi(a);
            assert!((0.0..std::f64::consts::TAU).contains(&w));
            assert!(
                ((w - a) / std::f64::consts::TAU).fract().abs() < 1e-9
                    || ((w - a) / std::f64::consts::TAU).fract().abs() > 1.0 - 1e-9
            );
        }
    }
}
