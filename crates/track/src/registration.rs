//! Registration: each radar's range and azimuth bias, estimated from aircraft whose position
//! ADS-B gives independently, and taken out of its plots.
//!
//! A radar plot that carries a Mode S address is paired, by that address, with the track the
//! same aircraft's ADS-B has just updated; the difference between what the radar measured and
//! where the ADS-B track puts the aircraft, seen from the radar, is one sample of the bias.
//! Pairing by identity and not by distance lets a badly registered radar (a kilometre off)
//! be corrected although none of its plots would pass a gate. Estimates are running means
//! that forget slowly (over `WINDOW` samples), and are applied once `MIN_SAMPLES` agree.

use vigie_core::SensorId;

/// Samples before an estimate is applied.
pub const MIN_SAMPLES: u64 = 30;
/// The estimate's memory, in samples.
const WINDOW: f64 = 2_000.0;

/// One radar's estimated bias.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Bias {
    pub range_m: f64,
    pub azimuth_rad: f64,
    pub samples: u64,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Registration {
    pub(crate) per_sensor: Vec<Bias>,
}

impl Registration {
    pub fn new(sensors: usize) -> Self {
        Self {
            per_sensor: vec![Bias::default(); sensors],
        }
    }

    /// What to subtract from a plot of `sensor`: zero until the estimate is established.
    pub fn correction(&self, sensor: SensorId) -> Bias {
        match self.per_sensor.get(usize::from(sensor.0)) {
            Some(b) if b.samples >= MIN_SAMPLES => *b,
            _ => Bias::default(),
        }
    }

    /// One sample: measured minus expected range and azimuth.
    pub fn observe(&mut self, sensor: SensorId, range_m: f64, azimuth_rad: f64) {
        let Some(b) = self.per_sensor.get_mut(usize::from(sensor.0)) else {
            return;
        };
        if !(range_m.is_finite() && azimuth_rad.is_finite()) {
            return;
        }
        b.samples += 1;
        let alpha = 1.0 / (b.samples as f64).min(WINDOW);
        b.range_m += alpha * (range_m - b.range_m);
        b.azimuth_rad += alpha * (azimuth_rad - b.azimuth_rad);
    }

    /// Every sensor's estimate, established or not.
    pub fn estimates(&self) -> impl Iterator<Item = (SensorId, Bias)> + '_ {
        self.per_sensor
            .iter()
            .enumerate()
            .map(|(i, b)| (SensorId(i as u16), *b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_only_established_estimates() {
        let mut r = Registration::new(2);
        for _ in 0..(MIN_SAMPLES - 1) {
            r.observe(SensorId(0), 300.0, 0.01);
        }
        assert_eq!(r.correction(SensorId(0)), Bias::default());
        r.observe(SensorId(0), 300.0, 0.01);
        let c = r.correction(SensorId(0));
        assert!((c.range_m - 300.0).abs() < 1e-9 && (c.azimuth_rad - 0.01).abs() < 1e-12);
        r.observe(SensorId(9), 1.0, 1.0);
        r.observe(SensorId(1), f64::NAN, 1.0);
        assert_eq!(r.correction(SensorId(1)).samples, 0);
    }
}
