//! ADS-B against radar, aircraft by aircraft: where an aircraft says it is (ADS-B) and
//! where a radar's Mode S plot of the same address puts it, compared when both are recent.
//! A gap of kilometres is what a spoofed or faulty ADS-B position looks like.
//!
//! It reads core reports (never a wire format) with the sensor table for the radars'
//! sites, keeps a bounded state per address and forgets aircraft not heard for a minute.

use std::collections::HashMap;

use vigie_core::{Measurement, PlotKind, RadarGeometry, Report, SensorTable};

/// Two positions are compared when their times are this close.
const PAIR_S: f64 = 5.0;
/// An aircraft unheard for this long is forgotten.
const FORGET_S: f64 = 60.0;
/// The most aircraft followed at once.
const MAX_AIRCRAFT: usize = 100_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Seen {
    adsb: Option<(f64, f64, f64)>,
    radar: Option<(f64, f64, f64)>,
    /// The gap and when it was measured.
    gap: Option<(f64, f64)>,
}

/// The latest ADS-B and radar positions of every Mode S address, and their gap.
pub struct Crosscheck {
    radars: Vec<Option<RadarGeometry>>,
    seen: HashMap<u32, Seen>,
    last_sweep_s: f64,
}

/// What the crosscheck remembers, in a canonical order (a saved state).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Memory {
    seen: Vec<(u32, Seen)>,
    last_sweep_s: f64,
}

impl Crosscheck {
    pub fn memory(&self) -> Memory {
        let mut seen: Vec<_> = self.seen.iter().map(|(a, s)| (*a, *s)).collect();
        seen.sort_by_key(|s| s.0);
        Memory {
            seen,
            last_sweep_s: self.last_sweep_s,
        }
    }

    pub fn remember(&mut self, memory: Memory) {
        self.seen = memory.seen.into_iter().take(MAX_AIRCRAFT).collect();
        self.last_sweep_s = memory.last_sweep_s;
    }

    pub fn new(table: &SensorTable) -> Crosscheck {
        let radars = table
            .sensor
            .iter()
            .map(|s| {
                let site = vigie_core::Geodetic::new(s.lat_deg, s.lon_deg, s.height_m);
                RadarGeometry::new(site, s.refraction_k).ok()
            })
            .collect();
        Crosscheck {
            radars,
            seen: HashMap::new(),
            last_sweep_s: f64::NEG_INFINITY,
        }
    }

    /// Takes one report; only Mode S ones matter.
    pub fn push(&mut self, r: &Report) {
        let Some(address) = r.mode_s.map(|m| m.address()) else {
            return;
        };
        let position = match (r.kind, r.measurement) {
            (PlotKind::Adsb, Measurement::Position { lat_deg, lon_deg }) => (lat_deg, lon_deg),
            (
                PlotKind::Ssr | PlotKind::Combined,
                Measurement::Polar {
                    range_m,
                    azimuth_rad,
                    elevation_rad,
                },
            ) => {
                let Some(radar) = self
                    .radars
                    .get(usize::from(r.sensor.0))
                    .and_then(|g| g.as_ref())
                else {
                    return;
                };
                let ecef = match (r.alt_m, elevation_rad) {
                    (Some(alt), _) => radar.position_at_height(range_m, azimuth_rad, alt),
                    (None, Some(el)) => Some(radar.position(vigie_core::Polar {
                        range_m,
                        azimuth_rad,
                        elevation_rad: el,
                    })),
                    (None, None) => None,
                };
                let Some(g) = ecef.map(|e| e.to_geodetic()) else {
                    return;
                };
                (g.lat_deg, g.lon_deg)
            }
            _ => return,
        };
        if self.seen.len() >= MAX_AIRCRAFT && !self.seen.contains_key(&address) {
            return;
        }
        let s = self.seen.entry(address).or_default();
        let this = (r.time_s, position.0, position.1);
        let other = if r.kind == PlotKind::Adsb {
            s.adsb = Some(this);
            s.radar
        } else {
            s.radar = Some(this);
            s.adsb
        };
        if let Some(o) = other.filter(|o| (o.0 - this.0).abs() <= PAIR_S) {
            let gap_m = crate::airspace::distance_m(o.1, o.2, this.1, this.2);
            s.gap = Some((r.time_s, gap_m));
        }
        if r.time_s - self.last_sweep_s > FORGET_S {
            self.last_sweep_s = r.time_s;
            let now = r.time_s;
            self.seen.retain(|_, s| {
                let last = s
                    .adsb
                    .map_or(f64::MIN, |a| a.0)
                    .max(s.radar.map_or(f64::MIN, |a| a.0));
                now - last < FORGET_S
            });
        }
    }

    /// The gap between ADS-B and radar for this address, measured within the last
    /// `FORGET_S` before `now_s` (radar's own error is a few hundred metres at long range).
    pub fn gap_m(&self, address: u32, now_s: f64) -> Option<f64> {
        let (t, gap_m) = self.seen.get(&address)?.gap?;
        (now_s - t < FORGET_S).then_some(gap_m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::{ModeS, SensorId};

    fn table() -> SensorTable {
        let sensor = |id: &str, kind: &str| {
            format!("[[sensor]]\nid = \"{id}\"\nkind = \"{kind}\"\nlat_deg = 13.5\nlon_deg = 2.1\nheight_m = 250.0\nscan_period_s = 10.0\nsigma_range_m = 50.0\nsigma_azimuth_deg = 0.1\n")
        };
        SensorTable::from_toml(&(sensor("r", "radar") + &sensor("a", "adsb"))).unwrap()
    }

    fn radar_plot(t: f64, range_m: f64) -> Report {
        Report {
            time_s: t,
            sensor: SensorId(0),
            kind: PlotKind::Ssr,
            measurement: Measurement::Polar {
                range_m,
                azimuth_rad: 0.0,
                elevation_rad: None,
            },
            alt_m: Some(10_000.0),
            mode3a: None,
            mode_s: ModeS::parse("3944F1"),
            callsign: None,
        }
    }

    fn adsb(t: f64, lat_deg: f64) -> Report {
        Report {
            sensor: SensorId(1),
            kind: PlotKind::Adsb,
            measurement: Measurement::Position {
                lat_deg,
                lon_deg: 2.1,
            },
            ..radar_plot(t, 0.0)
        }
    }

    #[test]
    fn a_true_position_agrees_and_a_spoofed_one_does_not() {
        let mut c = Crosscheck::new(&table());
        let site = vigie_core::Geodetic::new(13.5, 2.1, 250.0);
        let radar = RadarGeometry::new(site, vigie_core::DEFAULT_REFRACTION_K).unwrap();
        let there = radar
            .position_at_height(100_000.0, 0.0, 10_000.0)
            .unwrap()
            .to_geodetic();
        // A true position, 100 m off the radar's.
        c.push(&radar_plot(0.0, 100_000.0));
        c.push(&adsb(1.0, there.lat_deg + 0.0009));
        let gap = c.gap_m(0x3944F1, 1.0).unwrap();
        assert!((90.0..110.0).contains(&gap), "{gap}");
        c.push(&adsb(11.0, there.lat_deg + 0.2));
        c.push(&radar_plot(10.0, 100_000.0));
        let gap = c.gap_m(0x3944F1, 11.0).unwrap();
        assert!((21_000.0..23_000.0).contains(&gap), "{gap}");
        // ADS-B unheard for long: no gap to speak of.
        c.push(&radar_plot(200.0, 100_000.0));
        assert_eq!(c.gap_m(0x3944F1, 200.0), None);
    }
}
