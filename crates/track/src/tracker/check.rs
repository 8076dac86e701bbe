//! Check: what a report must be to be taken at all. A refused report is counted per
//! sensor and kind, and logged once per sensor and kind: bad input never stops tracking.

use vigie_core::{Measurement, Report, SensorId};

use super::Tracker;

/// Report times beyond this (about 300 years of seconds) are nobody's clock.
pub(crate) const TIME_ABS_MAX_S: f64 = 1e10;

impl Tracker {
    /// Checks a report's values; counts and logs what it must refuse.
    pub(crate) fn accept(&mut self, r: &Report) -> bool {
        if usize::from(r.sensor.0) >= self.sensors.len() {
            self.counters.unknown_sensor += 1;
            if self.logged.insert((r.sensor.0, "unknown")) {
                tracing::warn!(
                    sensor = r.sensor.0,
                    "report from a sensor not in the sensor table: dropped"
                );
            }
            return false;
        }
        let values = match r.measurement {
            Measurement::Polar {
                range_m,
                azimuth_rad,
                elevation_rad,
            } => [range_m, azimuth_rad, elevation_rad.unwrap_or(0.0)],
            Measurement::Position { lat_deg, lon_deg } => [lat_deg, lon_deg, 0.0],
        };
        let radar = self.sensors[usize::from(r.sensor.0)].radar.is_some();
        let polar = matches!(r.measurement, Measurement::Polar { .. });
        // An ADS-B position under a radar's name (or a plot under a station's) is a
        // mislabelled feed: taking it would pull tracks to the wrong sensor's geometry.
        if radar != polar || polar == (r.kind == vigie_core::PlotKind::Adsb) {
            self.reject(
                r.sensor,
                "wrong_kind",
                "report kind the sensor cannot make: dropped",
            );
            return false;
        }
        if !r.time_s.is_finite()
            || values.iter().any(|v| !v.is_finite())
            || r.alt_m.is_some_and(|a| !a.is_finite())
        {
            self.reject(r.sensor, "not_finite", "NaN or infinite value: dropped");
            return false;
        }
        let absurd = match r.measurement {
            Measurement::Polar {
                range_m,
                azimuth_rad,
                elevation_rad,
            } => {
                !(0.0..=3_000_000.0).contains(&range_m)
                    || !(0.0..std::f64::consts::TAU).contains(&azimuth_rad)
                    || elevation_rad.is_some_and(|e| e.abs() > 1.6)
            }
            Measurement::Position { lat_deg, lon_deg } => {
                lat_deg.abs() > 90.0 || lon_deg.abs() > 180.0
            }
        } || r.alt_m.is_some_and(|a| !(-1_000.0..=40_000.0).contains(&a))
            || r.time_s.abs() > TIME_ABS_MAX_S
            || (self.newest_s.is_finite() && r.time_s > self.newest_s + self.cfg.time_jump_max_s);
        if absurd {
            self.reject(
                r.sensor,
                "absurd",
                "value out of any sensor's range: dropped",
            );
            return false;
        }
        true
    }

    pub(crate) fn reject(&mut self, sensor: SensorId, what: &'static str, message: &str) {
        let Some(c) = self.counters.per_sensor.get_mut(usize::from(sensor.0)) else {
            return;
        };
        match what {
            "not_finite" => c.not_finite += 1,
            "absurd" => c.absurd += 1,
            "late" => c.late += 1,
            _ => c.wrong_kind += 1,
        }
        if self.logged.insert((sensor.0, what)) {
            let id = self
                .sensors
                .get(usize::from(sensor.0))
                .map(|s| s.spec.id.as_str())
                .unwrap_or("?");
            tracing::warn!(sensor = id, "{message} (further ones are only counted)");
        }
    }
}
