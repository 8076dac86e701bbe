//! An ADS-B ground station: what it hears of each equipped aircraft's position squitters.
//!
//! Each aircraft broadcasts on its own phase every update period; the station hears it
//! within its range and radio line of sight (4/3 Earth), loses a share of reports, and
//! passes on the position with the aircraft's NACp-like error, or a spoofed one.
//!
//! The position error is the aircraft's own (its navigation solution), so every station that
//! hears one squitter reports the same position: the error is drawn from a stream keyed by
//! the aircraft and the broadcast instant, not from the station's. Only losses are the
//! station's.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use vigie_core::geodesy::{meridian_radius_m, prime_vertical_radius_m};
use vigie_core::{
    Geodetic, Measurement, PlotKind, RadarGeometry, Report, SensorId, DEFAULT_REFRACTION_K,
};

use crate::engine::rng_stream;
use crate::scenario::AdsbSpec;
use crate::snapshot::{quantize_alt_m, Snapshot};

#[derive(Debug, Clone)]
pub struct AdsbModel {
    pub sensor: SensorId,
    pub spec: AdsbSpec,
    geometry: RadarGeometry,
    ground_m: f64,
    outages: Vec<(f64, f64)>,
    rng: ChaCha8Rng,
    seed: u64,
}

impl AdsbModel {
    /// `seed` is the scenario's: it keys the aircraft's position errors.
    pub fn new(
        sensor: SensorId,
        spec: AdsbSpec,
        ground_m: f64,
        rng: ChaCha8Rng,
        seed: u64,
    ) -> Self {
        let site = Geodetic::new(spec.lat_deg, spec.lon_deg, spec.antenna_alt_m(ground_m));
        let geometry = RadarGeometry::new(site, DEFAULT_REFRACTION_K)
            .expect("4/3 is a valid refraction factor");
        Self {
            sensor,
            spec,
            geometry,
            ground_m,
            outages: Vec::new(),
            rng,
            seed,
        }
    }

    pub fn add_outage(&mut self, from_s: f64, until_s: f64) {
        self.outages.push((from_s, until_s));
    }

    /// Every report heard in `[t0_s, t0_s + dt_s)`, appended to `out`, with its target's id
    /// beside it in `origins`.
    pub fn receive(
        &mut self,
        t0_s: f64,
        dt_s: f64,
        aircraft: &[Snapshot],
        out: &mut Vec<Report>,
        origins: &mut Vec<Option<u32>>,
    ) {
        if self.outages.iter().any(|&(a, b)| (a..b).contains(&t0_s)) {
            return;
        }
        let period = self.spec.update_period_s;
        let site = self.geometry.site_ecef().as_array();
        let range2 = self.spec.range_m * self.spec.range_m;
        for a in aircraft.iter().filter(|a| a.adsb && a.transponder) {
            if (0..3).map(|i| (a.p0[i] - site[i]).powi(2)).sum::<f64>() > range2 * 1.1 {
                continue;
            }
            let phase = a.adsb_phase_s.rem_euclid(period);
            let mut t = ((t0_s - phase) / period).ceil() * period + phase;
            while t < t0_s + dt_s {
                self.hear(a, (t - t0_s) / dt_s, t, dt_s, out);
                origins.resize(out.len(), Some(a.target_id));
                t += period;
            }
        }
    }

    fn hear(&mut self, a: &Snapshot, s: f64, t_s: f64, dt_s: f64, out: &mut Vec<Report>) {
        let pos = a.position(s, dt_s);
        if pos.distance_m(self.geometry.site_ecef()) > self.spec.range_m
            || !self.geometry.clears_smooth_earth(pos, self.ground_m)
            || self.rng.random::<f64>() < self.spec.loss
        {
            return;
        }
        let g = pos.to_geodetic();
        let normal = Normal::new(0.0, a.adsb_sigma_m.max(0.0)).ok();
        let instant_ms = (t_s * 1000.0).round() as i64 as u64;
        let mut squitter = rng_stream(
            self.seed,
            "adsb-squitter",
            (u64::from(a.target_id) << 40) ^ instant_ms,
        );
        let mut noise = || normal.map(|n| n.sample(&mut squitter)).unwrap_or(0.0);
        let [spoof_n, spoof_e] = a.spoof_ne_m.unwrap_or([0.0, 0.0]);
        let north_m = noise() + spoof_n;
        let east_m = noise() + spoof_e;
        let sin_lat = g.lat_deg.to_radians().sin();
        let lat_deg = g.lat_deg + (north_m / meridian_radius_m(sin_lat)).to_degrees();
        let lon_deg = g.lon_deg
            + (east_m / (prime_vertical_radius_m(sin_lat) * g.lat_deg.to_radians().cos()))
                .to_degrees();
        out.push(Report {
            time_s: t_s,
            sensor: self.sensor,
            kind: PlotKind::Adsb,
            measurement: Measurement::Position { lat_deg, lon_deg },
            alt_m: Some(quantize_alt_m(a.alt_m(s), 25.0)),
            mode3a: a.squawk,
            mode_s: a.mode_s,
            callsign: a.callsign,
        });
    }
}
