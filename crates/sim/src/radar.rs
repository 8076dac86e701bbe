//! A rotating surveillance radar: primary (radar equation, Swerling 1) and secondary
//! (SSR Mode A/C or Mode S) detection, measurement noise, false alarms, horizon masking.
//!
//! Each plot is stamped with the instant the beam crossed the target: the beam sweeps
//! clockwise at 2π / rotation period, and within each frame the crossing is found where the
//! beam's azimuth meets the target's (both move), then the target is interpolated there.

use std::f64::consts::TAU;
use std::sync::Arc;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson};
use vigie_core::geodesy::{wrap_pi, wrap_two_pi};
use vigie_core::{Ecef, Measurement, PlotKind, Polar, RadarGeometry, Report, SensorId};

use vigie_terrain::Dem;

use crate::scenario::{RadarSpec, SsrMode};

/// Jamming or a clutter burst over a sector, for a while.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burst {
    pub from_s: f64,
    pub until_s: f64,
    pub azimuth_deg: f64,
    pub width_deg: f64,
    pub plots_per_scan: f64,
}
use crate::snapshot::{quantize_alt_m, Snapshot};

/// Lower bound of the false-alarm range annulus: the radar's blind zone.
const RANGE_MIN_M: f64 = 1_000.0;
/// False alarms of 3-D radars are spread up to this elevation at most.
const CLUTTER_ELEVATION_MAX_DEG: f64 = 20.0;

/// The sector the beam sweeps in one frame, widened by what a target's azimuth can move in
/// that time, for a cheap rejection before the exact crossing.
struct Sector {
    mid_sin: f64,
    mid_cos: f64,
    cos_half: f64,
}

impl Sector {
    /// Targets closer than this are always checked exactly: their azimuth moves fast.
    const NEAR_M: f64 = 5_000.0;
    /// A target's azimuth moves by at most this within a frame beyond `NEAR_M`.
    const MARGIN_RAD: f64 = 0.15;

    fn new(beam0: f64, sweep_rad: f64) -> Self {
        let half = 0.5 * sweep_rad + Self::MARGIN_RAD;
        let (mid_sin, mid_cos) = (beam0 + 0.5 * sweep_rad).sin_cos();
        Self {
            mid_sin,
            mid_cos,
            cos_half: if half >= std::f64::consts::PI {
                -2.0
            } else {
                half.cos()
            },
        }
    }

    fn may_hold(&self, enu: vigie_core::Enu) -> bool {
        let h = enu.horizontal_m();
        h < Self::NEAR_M || (enu.e_m * self.mid_sin + enu.n_m * self.mid_cos) >= self.cos_half * h
    }
}

#[derive(Debug, Clone)]
pub struct RadarModel {
    pub sensor: SensorId,
    pub spec: RadarSpec,
    geometry: RadarGeometry,
    ground_m: f64,
    /// Signal-to-noise ratio at the reference point.
    snr_ref: f64,
    ln_pfa: f64,
    beam_rate_rad_s: f64,
    /// Time at which the beam points north.
    beam_phase_s: f64,
    ssr_range_m: f64,
    reach_m: f64,
    outages: Vec<(f64, f64)>,
    bursts: Vec<Burst>,
    rng: ChaCha8Rng,
    /// Terrain the beam must clear; `None`: a smooth Earth at `ground_m`.
    terrain: Option<Arc<Dem>>,
}

/// A detection decided before noise is added.
struct Detection {
    time_s: f64,
    truth: Polar,
    alt_m: f64,
    psr: bool,
    ssr: bool,
}

impl RadarModel {
    pub fn new(
        sensor: SensorId,
        spec: RadarSpec,
        ground_m: f64,
        beam_phase_s: f64,
        rng: ChaCha8Rng,
    ) -> Self {
        let site =
            vigie_core::Geodetic::new(spec.lat_deg, spec.lon_deg, spec.antenna_alt_m(ground_m));
        // The scenario is validated before models are built: k is in range.
        let geometry = RadarGeometry::new(site, spec.refraction_k).expect("validated refraction_k");
        let ln_pfa = spec.pfa.ln();
        let snr_ref = ln_pfa / spec.pd_reference.pd.ln() - 1.0;
        let ssr_range_m = spec.ssr.and_then(|s| s.range_m).unwrap_or(spec.range_m);
        Self {
            sensor,
            geometry,
            ground_m,
            terrain: None,
            snr_ref,
            ln_pfa,
            beam_rate_rad_s: TAU / spec.rotation_period_s,
            beam_phase_s,
            ssr_range_m,
            reach_m: spec
                .range_m
                .max(if spec.ssr.is_some() { ssr_range_m } else { 0.0 }),
            outages: Vec::new(),
            bursts: Vec::new(),
            rng,
            spec,
        }
    }

    pub fn geometry(&self) -> &RadarGeometry {
        &self.geometry
    }

    pub fn add_outage(&mut self, from_s: f64, until_s: f64) {
        self.outages.push((from_s, until_s));
    }

    /// Jamming or a clutter burst: `plots_per_scan` false plots a scan, spread over the
    /// sector of `width_deg` centred on `azimuth_deg`, in [from_s, until_s).
    pub fn add_burst(&mut self, b: Burst) {
        self.bursts.push(b);
    }

    fn in_outage(&self, t_s: f64) -> bool {
        self.outages.iter().any(|&(a, b)| (a..b).contains(&t_s))
    }

    /// Probability of detecting a Swerling 1 target: Pd = Pfa^(1 / (1 + SNR)), with the SNR
    /// from the radar equation (∝ σ / R⁴) scaled from the reference point.
    pub fn pd(&self, range_m: f64, rcs_m2: f64) -> f64 {
        if let Some(pd) = self.spec.pd_fixed {
            return pd;
        }
        let r = &self.spec.pd_reference;
        let snr = self.snr_ref * (rcs_m2 / r.rcs_m2) * (r.range_m / range_m.max(1.0)).powi(4);
        (self.ln_pfa / (1.0 + snr)).exp()
    }

    /// The beam's azimuth at `t_s`.
    pub fn beam_azimuth_rad(&self, t_s: f64) -> f64 {
        wrap_two_pi(self.beam_rate_rad_s * (t_s - self.beam_phase_s))
    }

    /// Every plot of the frame `[t0_s, t0_s + dt_s)`, appended to `out`, and beside each in
    /// `origins` the target it came from (`None`: a false plot), for scoring with the truth.
    pub fn sweep(
        &mut self,
        t0_s: f64,
        dt_s: f64,
        aircraft: &[Snapshot],
        out: &mut Vec<Report>,
        origins: &mut Vec<Option<u32>>,
    ) {
        if self.in_outage(t0_s) {
            return;
        }
        let beam0 = self.beam_azimuth_rad(t0_s);
        let sweep_rad = self.beam_rate_rad_s * dt_s;
        let site = self.geometry.site_ecef().as_array();
        let reach2 = self.reach_m * self.reach_m;
        let sector = Sector::new(beam0, sweep_rad);
        for a in aircraft {
            let d2 = (0..3).map(|i| (a.p0[i] - site[i]).powi(2)).sum::<f64>();
            if d2 > reach2 * 1.1
                || !sector.may_hold(self.geometry.frame().to_enu(Ecef::from_array(a.p0)))
            {
                continue;
            }
            if let Some(det) = self.crossing(a, t0_s, dt_s, beam0, sweep_rad) {
                self.emit(det, a, out);
                origins.push(Some(a.target_id));
            }
        }
        self.false_alarms(t0_s, beam0, sweep_rad, out);
        self.burst_plots(t0_s, beam0, sweep_rad, out);
        origins.resize(out.len(), None);
    }

    /// The false plots of the bursts active now, where the beam sweeps their sectors.
    fn burst_plots(&mut self, t0_s: f64, beam0: f64, sweep_rad: f64, out: &mut Vec<Report>) {
        for k in 0..self.bursts.len() {
            let b = self.bursts[k];
            if !(b.from_s..b.until_s).contains(&t0_s) {
                continue;
            }
            let width = b.width_deg.to_radians().clamp(1e-3, TAU);
            // Plots fall uniformly over the sweep at the burst's density; those outside
            // its sector are dropped.
            let Ok(poisson) = Poisson::new(b.plots_per_scan * sweep_rad / width) else {
                continue;
            };
            let n = poisson.sample(&mut self.rng) as u64;
            for _ in 0..n {
                let off_rad = self.rng.random::<f64>() * sweep_rad;
                let az = wrap_two_pi(beam0 + off_rad);
                let from_centre = wrap_pi(az - b.azimuth_deg.to_radians());
                if from_centre.abs() > width / 2.0 {
                    continue;
                }
                let range_m =
                    RANGE_MIN_M + self.rng.random::<f64>() * (self.spec.range_m - RANGE_MIN_M);
                let elevation_rad = self
                    .spec
                    .three_d
                    .then(|| self.spec.elevation_min_deg.max(0.5).to_radians());
                let time_s = t0_s + off_rad / self.beam_rate_rad_s;
                out.push(self.false_plot(time_s, range_m, az, elevation_rad));
            }
        }
    }

    /// Hills between the antenna and the target hide it (the planner's geometry:
    /// `vigie_terrain::line_of_sight`).
    fn clears_terrain(&self, pos: Ecef) -> bool {
        let Some(dem) = &self.terrain else {
            return true;
        };
        let site = self.geometry.site();
        let target = pos.to_geodetic();
        vigie_terrain::line_of_sight(
            dem,
            (site.lat_deg, site.lon_deg, site.alt_m),
            (target.lat_deg, target.lon_deg, target.alt_m),
            self.spec.refraction_k,
        )
    }

    pub fn with_terrain(mut self, terrain: Option<Arc<Dem>>) -> Self {
        self.terrain = terrain;
        self
    }

    fn azimuth_of(&self, p: [f64; 3]) -> f64 {
        let enu = self.geometry.frame().to_enu(Ecef::from_array(p));
        wrap_two_pi(enu.e_m.atan2(enu.n_m))
    }

    /// Where, within the frame, the beam meets the target; then what it sees there.
    fn crossing(
        &mut self,
        a: &Snapshot,
        t0_s: f64,
        dt_s: f64,
        beam0: f64,
        sweep_rad: f64,
    ) -> Option<Detection> {
        let az0 = self.azimuth_of(a.p0);
        let az1 = self.azimuth_of(a.p1);
        // How far the target is ahead of the beam, at the start and the end of the frame.
        let ahead0 = wrap_two_pi(az0 - beam0);
        let ahead1 = ahead0 + wrap_pi(az1 - az0) - sweep_rad;
        if ahead1 > 0.0 {
            return None;
        }
        let s = (ahead0 / (ahead0 - ahead1)).clamp(0.0, 1.0);
        let pos = a.position(s, dt_s);
        let truth = self.geometry.polar(pos);
        if truth.range_m > self.reach_m
            || !(self.spec.elevation_min_deg..=self.spec.elevation_max_deg)
                .contains(&truth.elevation_rad.to_degrees())
            || !self.geometry.clears_smooth_earth(pos, self.ground_m)
            || !self.clears_terrain(pos)
        {
            return None;
        }
        let psr = truth.range_m <= self.spec.range_m
            && self.rng.random::<f64>() < self.pd(truth.range_m, a.rcs_m2);
        let ssr = match self.spec.ssr {
            Some(ssr) => {
                a.transponder
                    && (a.squawk.is_some() || a.mode_s.is_some())
                    && truth.range_m <= self.ssr_range_m
                    && self.rng.random::<f64>() < ssr.pd
            }
            None => false,
        };
        (psr || ssr).then(|| Detection {
            time_s: t0_s + s * dt_s,
            truth,
            alt_m: a.alt_m(s),
            psr,
            ssr,
        })
    }

    fn emit(&mut self, d: Detection, a: &Snapshot, out: &mut Vec<Report>) {
        let measured = self.noisy(d.truth);
        let kind = match (d.psr, d.ssr) {
            (true, true) => PlotKind::Combined,
            (true, false) => PlotKind::Psr,
            _ => PlotKind::Ssr,
        };
        let mode_s = self.spec.ssr.map(|s| s.mode) == Some(SsrMode::ModeS);
        let step_ft = if mode_s { 25.0 } else { 100.0 };
        out.push(Report {
            time_s: d.time_s,
            sensor: self.sensor,
            kind,
            measurement: Measurement::Polar {
                range_m: measured.range_m,
                azimuth_rad: measured.azimuth_rad,
                elevation_rad: (self.spec.three_d && d.psr).then_some(measured.elevation_rad),
            },
            alt_m: d.ssr.then(|| quantize_alt_m(d.alt_m, step_ft)),
            mode3a: if d.ssr { a.squawk } else { None },
            mode_s: if d.ssr && mode_s { a.mode_s } else { None },
            callsign: if d.ssr && mode_s { a.callsign } else { None },
        });
    }

    /// The true polar position plus the radar's biases and Gaussian noise of its sigmas.
    pub fn noisy(&mut self, truth: Polar) -> Polar {
        let mut gauss = |sigma: f64| {
            if sigma > 0.0 {
                Normal::new(0.0, sigma)
                    .map(|n| n.sample(&mut self.rng))
                    .unwrap_or(0.0)
            } else {
                0.0
            }
        };
        Polar {
            range_m: (truth.range_m + self.spec.bias_range_m + gauss(self.spec.sigma_range_m))
                .max(0.0),
            azimuth_rad: wrap_two_pi(
                truth.azimuth_rad
                    + self.spec.bias_azimuth_deg.to_radians()
                    + gauss(self.spec.sigma_azimuth_deg.to_radians()),
            ),
            elevation_rad: truth.elevation_rad + gauss(self.spec.sigma_elevation_deg.to_radians()),
        }
    }

    /// A primary plot of nothing: clutter, noise or jamming.
    fn false_plot(
        &self,
        time_s: f64,
        range_m: f64,
        azimuth_rad: f64,
        elevation_rad: Option<f64>,
    ) -> Report {
        Report {
            time_s,
            sensor: self.sensor,
            kind: PlotKind::Psr,
            measurement: Measurement::Polar {
                range_m,
                azimuth_rad,
                elevation_rad,
            },
            alt_m: None,
            mode3a: None,
            mode_s: None,
            callsign: None,
        }
    }

    /// Poisson false alarms in the sector swept this frame, uniform over its area.
    fn false_alarms(&mut self, t0_s: f64, beam0: f64, sweep_rad: f64, out: &mut Vec<Report>) {
        let mean = self.spec.false_alarms_per_scan * sweep_rad / TAU;
        if mean <= 0.0 {
            return;
        }
        let Ok(poisson) = Poisson::new(mean) else {
            return;
        };
        let n = poisson.sample(&mut self.rng) as u64;
        let r1 = self.spec.false_alarm_range_m.unwrap_or(self.spec.range_m);
        let r0 = RANGE_MIN_M.min(r1);
        for _ in 0..n {
            let u: f64 = self.rng.random();
            let off_rad = u * sweep_rad;
            let range_m = (self.rng.random::<f64>() * (r1 * r1 - r0 * r0) + r0 * r0).sqrt();
            let elevation_rad = self.spec.three_d.then(|| {
                let lo = self.spec.elevation_min_deg;
                let hi = self
                    .spec
                    .elevation_max_deg
                    .min(CLUTTER_ELEVATION_MAX_DEG)
                    .max(lo);
                (lo + self.rng.random::<f64>() * (hi - lo)).to_radians()
            });
            let time_s = t0_s + off_rad / self.beam_rate_rad_s;
            let azimuth_rad = wrap_two_pi(beam0 + off_rad);
            out.push(self.false_plot(time_s, range_m, azimuth_rad, elevation_rad));
        }
    }
}
