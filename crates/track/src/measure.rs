//! From a core report to what a filter can use: a measurement model linearised at a state.
//!
//! Radar plots stay in the radar's own coordinates (range, azimuth, elevation when 3-D, and
//! the reported altitude when there is one): the filter predicts them through the radar's
//! refracted geometry (`vigie_core::RadarGeometry`), so 2-D and 3-D radars with any
//! `refraction_k` need no special case, and no plot is converted with an assumed height.
//! ADS-B positions are converted to the track's frame exactly and used linearly.

use nalgebra::Vector3;
use vigie_core::geodesy::wrap_pi;
use vigie_core::{
    Ecef, Geodetic, LocalFrame, Measurement, RadarGeometry, Report, SensorKind, SensorSpec,
};

use crate::imm::{Linear, MeasCov, MeasJac, MeasVec, MODEL_COUNT};
use crate::motion::State;
use crate::registration::Bias;

/// One sigma of a reported (pressure) altitude against geometric altitude: Mode C's 100 ft
/// steps and the barometric error.
pub const ALT_SIGMA_M: f64 = 30.0;
/// The ADS-B position sigma used when the sensor table gives none.
const ADSB_SIGMA_DEFAULT_M: f64 = 38.0;
/// Altitude assumed to place a 2-D plot that reports none, before any track exists.
const ASSUMED_ALT_M: f64 = 3_000.0;

/// What the tracker keeps of each sensor.
#[derive(Debug, Clone)]
pub struct SensorModel {
    pub spec: SensorSpec,
    /// The radar's geometry (`None` for ADS-B).
    pub radar: Option<RadarGeometry>,
}

impl SensorModel {
    pub fn new(spec: SensorSpec) -> Self {
        let radar = (spec.kind == SensorKind::Radar)
            .then(|| {
                RadarGeometry::new(
                    Geodetic::new(spec.lat_deg, spec.lon_deg, spec.height_m),
                    spec.refraction_k,
                )
                .ok()
            })
            .flatten();
        Self { spec, radar }
    }

    /// The expected time between two updates of one target.
    pub fn revisit_s(&self) -> f64 {
        self.spec.scan_period_s.max(0.1)
    }

    /// Whether `p` is within the radar's instrumented range (never, for ADS-B, which only
    /// hears who transmits).
    pub fn in_range(&self, p: Ecef) -> bool {
        let range_max_m = self.spec.range_max_m.unwrap_or(f64::INFINITY);
        self.radar
            .as_ref()
            .is_some_and(|r| r.site_ecef().distance_m(p) <= range_max_m)
    }

    /// Whether a radar could detect a target at `p`: within its range, inside its beam's
    /// elevations (above the highest is the cone of silence) and above its horizon.
    pub fn sees(&self, p: Ecef) -> bool {
        let Some(radar) = self.radar.as_ref().filter(|_| self.in_range(p)) else {
            return false;
        };
        let (lo, hi) = (
            self.spec.elevation_min_deg.unwrap_or(-90.0),
            self.spec.elevation_max_deg.unwrap_or(90.0),
        );
        let el_deg = radar.polar(p).elevation_rad.to_degrees();
        // The table gives the antenna's height, not the ground's: a typical mast is assumed.
        let ground_m = (self.spec.height_m - ASSUMED_MAST_M).max(0.0);
        (lo..=hi).contains(&el_deg) && radar.clears_smooth_earth(p, ground_m)
    }

    /// The declared probability of detection inside coverage.
    pub fn pd(&self) -> f64 {
        self.spec.pd.unwrap_or(DEFAULT_PD).clamp(0.01, 0.999)
    }
}

const ASSUMED_MAST_M: f64 = 30.0;

/// The probability of detection assumed of a radar that declares none.
pub const DEFAULT_PD: f64 = 0.9;

/// A report made ready for filtering.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Observation {
    pub report: Report,
    /// Where the report puts the target, for gating and for starting tracks.
    pub position: Ecef,
    kind: Kind,
}

// Observations live one batch long and are copied, not stored: a few hundred bytes is fine.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
enum Kind {
    Polar {
        radar: RadarGeometry,
        /// Range, azimuth, elevation (when measured), altitude (when reported).
        z: [Option<f64>; 4],
        sigma: [f64; 4],
    },
    Position {
        sigma_h_m: f64,
    },
}

impl Observation {
    /// `None` when the sensor cannot produce this report (a polar plot from an ADS-B station).
    /// A radar plot is corrected by the radar's estimated `bias`; `report` stays as measured.
    pub fn new(report: Report, sensor: &SensorModel, bias: Bias) -> Option<Observation> {
        match report.measurement {
            Measurement::Polar {
                range_m,
                azimuth_rad,
                elevation_rad,
            } => {
                let range_m = range_m - bias.range_m;
                let azimuth_rad = vigie_core::geodesy::wrap_two_pi(azimuth_rad - bias.azimuth_rad);
                let radar = sensor.radar?;
                let s = &sensor.spec;
                let position = match (report.alt_m, elevation_rad) {
                    (Some(alt), _) => radar.position_at_height(range_m, azimuth_rad, alt),
                    (None, Some(el)) => Some(radar.position(vigie_core::Polar {
                        range_m,
                        azimuth_rad,
                        elevation_rad: el,
                    })),
                    (None, None) => radar.position_at_height(range_m, azimuth_rad, ASSUMED_ALT_M),
                }
                .unwrap_or_else(|| {
                    radar.position(vigie_core::Polar {
                        range_m,
                        azimuth_rad,
                        elevation_rad: 0.0,
                    })
                });
                let el_sigma = if s.sigma_elevation_deg > 0.0 {
                    s.sigma_elevation_deg
                } else {
                    1.0
                };
                Some(Observation {
                    report,
                    position,
                    kind: Kind::Polar {
                        radar,
                        z: [
                            Some(range_m),
                            Some(azimuth_rad),
                            elevation_rad,
                            report.alt_m,
                        ],
                        sigma: [
                            s.sigma_range_m.max(1.0),
                            s.sigma_azimuth_deg.max(0.01).to_radians(),
                            el_sigma.to_radians(),
                            ALT_SIGMA_M,
                        ],
                    },
                })
            }
            Measurement::Position { lat_deg, lon_deg } => {
                let alt_m = report.alt_m.unwrap_or(ASSUMED_ALT_M);
                Some(Observation {
                    report,
                    position: Geodetic::new(lat_deg, lon_deg, alt_m).to_ecef(),
                    kind: Kind::Position {
                        sigma_h_m: sensor.spec.sigma_position_m.unwrap_or(ADSB_SIGMA_DEFAULT_M),
                    },
                })
            }
        }
    }

    /// A generous bound on how far the report's own position may be from the target: what
    /// a cheap pre-gate needs before the exact one.
    pub fn position_slack_m(&self) -> f64 {
        match self.kind {
            Kind::Polar { z, sigma, .. } => {
                let range = z[0].unwrap_or(0.0);
                let across = 4.0 * (sigma[0] + range * sigma[1]);
                // Without a measured height, the assumed one may be kilometres off.
                let height = if z[2].is_some() || z[3].is_some() {
                    4.0 * range * sigma[2]
                } else {
                    15_000.0
                };
                across + height
            }
            Kind::Position { sigma_h_m } => 4.0 * sigma_h_m + 4.0 * ALT_SIGMA_M,
        }
    }

    /// How many measured components.
    pub fn dim(&self) -> usize {
        match self.kind {
            Kind::Polar { z, .. } => z.iter().filter(|c| c.is_some()).count(),
            Kind::Position { .. } => 3,
        }
    }

    /// The measurement linearised at each model's state, for gating: the models' states lie
    /// within a few hundred metres of each other, so one Jacobian (at the first) serves
    /// all, while each innovation is exact. Half the cost of linearising each.
    pub fn linearize_models(
        &self,
        xs: &[State; MODEL_COUNT],
        frame: &LocalFrame,
    ) -> [Linear; MODEL_COUNT] {
        let first = self.linearize(&xs[0], frame);
        let Kind::Polar { radar, z, .. } = self.kind else {
            return std::array::from_fn(|j| {
                if j == 0 {
                    first
                } else {
                    self.linearize(&xs[j], frame)
                }
            });
        };
        std::array::from_fn(|j| {
            if j == 0 {
                return first;
            }
            let p = Vector3::new(xs[j][0], xs[j][1], xs[j][2]);
            let h = polar_of(&radar, frame, p, z[3].is_some());
            let mut m = first;
            for (c, zc) in z.iter().enumerate() {
                if let Some(zc) = zc {
                    m.nu[c] = if c == 1 {
                        wrap_pi(zc - h[c])
                    } else {
                        zc - h[c]
                    };
                }
            }
            m
        })
    }

    /// The measurement linearised at state `x` of a track in `frame`.
    pub fn linearize(&self, x: &State, frame: &LocalFrame) -> Linear {
        match self.kind {
            Kind::Position { sigma_h_m } => {
                let z = frame.to_enu(self.position);
                let mut h = MeasJac::zeros();
                let mut nu = MeasVec::zeros();
                for (i, zi) in [z.e_m, z.n_m, z.u_m].into_iter().enumerate() {
                    h[(i, i)] = 1.0;
                    nu[i] = zi - x[i];
                }
                let r = MeasCov::from_diagonal(&MeasVec::new(
                    sigma_h_m.powi(2),
                    sigma_h_m.powi(2),
                    ALT_SIGMA_M.powi(2),
                    1.0,
                ));
                Linear { nu, h, r, dim: 3 }
            }
            Kind::Polar { radar, z, sigma } => polar_linear(&radar, &z, &sigma, x, frame),
        }
    }
}

/// Range, azimuth, elevation and (when `with_alt`) altitude of a local position, as the
/// radar would see it.
fn polar_of(
    radar: &RadarGeometry,
    frame: &LocalFrame,
    p: Vector3<f64>,
    with_alt: bool,
) -> [f64; 4] {
    let ecef = frame.to_ecef(vigie_core::Enu::new(p[0], p[1], p[2]));
    let polar = radar.polar(ecef);
    let alt = if with_alt {
        ecef.to_geodetic().alt_m
    } else {
        0.0
    };
    [polar.range_m, polar.azimuth_rad, polar.elevation_rad, alt]
}

fn polar_linear(
    radar: &RadarGeometry,
    z: &[Option<f64>; 4],
    sigma: &[f64; 4],
    x: &State,
    frame: &LocalFrame,
) -> Linear {
    let p = Vector3::new(x[0], x[1], x[2]);
    let with_alt = z[3].is_some();
    let h0 = polar_of(radar, frame, p, with_alt);
    // Central differences would double the cost for nothing: the model is smooth on 1 m.
    const STEP_M: f64 = 1.0;
    let cols: [[f64; 4]; 3] = [0, 1, 2].map(|k| {
        let mut q = p;
        q[k] += STEP_M;
        polar_of(radar, frame, q, with_alt)
    });
    let mut nu = MeasVec::zeros();
    let mut h = MeasJac::zeros();
    let mut r = MeasCov::identity();
    let mut dim = 0;
    for (c, zc) in z.iter().enumerate() {
        let Some(zc) = zc else { continue };
        let diff = |a: f64, b: f64| if c == 1 { wrap_pi(a - b) } else { a - b };
        nu[c] = diff(*zc, h0[c]);
        for k in 0..3 {
            h[(c, k)] = diff(cols[k][c], h0[c]) / STEP_M;
        }
        r[(c, c)] = sigma[c] * sigma[c];
        dim += 1;
    }
    Linear { nu, h, r, dim }
}
