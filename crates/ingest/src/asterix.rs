//! ASTERIX records to and from core reports: CAT048 (and CAT001) radar plots in the radar's
//! polar frame, CAT021 ADS-B reports in WGS-84. Each record is told to its sensor by its
//! data source identifier (I010 SAC/SIC), as the sensor table declares it.
//!
//! Times of day become session time with the reception time as the reference, so a feed
//! running across midnight stays in order.

use std::collections::HashMap;

use vigie_codec::asterix::{self, blocks, Editions, Record, RecordValue};
use vigie_core::{
    Callsign, Geodetic, Measurement, Mode3A, ModeS, PlotKind, RadarGeometry, Report, SensorId,
    SensorSpec, SensorTable,
};

use crate::Counters;

const NM_M: f64 = 1852.0;
const FT_M: f64 = 0.3048;
const DAY_S: f64 = 86_400.0;
/// The largest height I048/110 can carry (14 bits of 25 ft).
pub const MAX_3D_HEIGHT_FT: f64 = 8_191.0 * 25.0;

/// The absolute time (Unix seconds) of a time of day, on the day that puts it nearest
/// `reference_unix_s`.
pub fn absolute_time(time_of_day_s: f64, reference_unix_s: f64) -> f64 {
    let midnight = (reference_unix_s / DAY_S).floor() * DAY_S;
    [-DAY_S, 0.0, DAY_S]
        .iter()
        .map(|d| midnight + d + time_of_day_s)
        .min_by(|a, b| {
            (a - reference_unix_s)
                .abs()
                .total_cmp(&(b - reference_unix_s).abs())
        })
        .unwrap_or(midnight + time_of_day_s)
}

/// A sensor as the ingest knows it.
#[derive(Debug, Clone)]
struct Known {
    id: SensorId,
    /// A radar's geometry, to turn a 3-D height back into an elevation.
    geometry: Option<RadarGeometry>,
    three_d: bool,
}

/// Turns ASTERIX data blocks into reports for the sensors of a table.
#[derive(Debug)]
pub struct AsterixIngest {
    pub editions: Editions,
    by_source: HashMap<(u8, u8), Known>,
    /// Unix time of session time 0.
    pub epoch_unix_s: f64,
}

impl AsterixIngest {
    /// Sensors without a SAC/SIC cannot be recognised on the wire and are left out.
    pub fn new(table: &SensorTable, epoch_unix_s: f64) -> AsterixIngest {
        let by_source = table
            .sensor
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let key = (s.sac?, s.sic?);
                Some((
                    key,
                    Known {
                        id: SensorId(i as u16),
                        geometry: geometry(s),
                        three_d: s.sigma_elevation_deg > 0.0,
                    },
                ))
            })
            .collect();
        AsterixIngest {
            editions: Editions::default(),
            by_source,
            epoch_unix_s,
        }
    }

    /// Every report in one datagram's blocks, received at `received_unix_s`.
    pub fn datagram(
        &self,
        payload: &[u8],
        received_unix_s: f64,
        counters: &mut Counters,
        out: &mut Vec<Report>,
    ) {
        for block in blocks(payload) {
            let Ok(block) = block else {
                counters.add("malformed ASTERIX blocks");
                break;
            };
            if !matches!(block.category, 1 | 21 | 48) {
                counters.add("ASTERIX blocks of other categories");
                continue;
            }
            for rec in block.records(&self.editions) {
                let Ok(rec) = rec else {
                    counters.add("ASTERIX records that cannot be read (rest of block skipped)");
                    continue;
                };
                counters.add("ASTERIX records");
                let report = match block.category {
                    21 => self.cat021(&rec, received_unix_s, counters),
                    _ => self.radar_plot(&rec, received_unix_s, counters),
                };
                out.extend(report);
            }
        }
    }

    fn source(&self, rec: &Record<'_>, counters: &mut Counters) -> Option<&Known> {
        let sac = rec.get("010", &["SAC"])?.raw as u8;
        let sic = rec.get("010", &["SIC"])?.raw as u8;
        let known = self.by_source.get(&(sac, sic));
        if known.is_none() {
            counters.add("ASTERIX records from an undeclared SAC/SIC");
        }
        known
    }

    fn session_time(&self, rec: &Record<'_>, item: &str, received_unix_s: f64) -> Option<f64> {
        let tod = rec.value(item, &[])?;
        Some(absolute_time(tod, received_unix_s) - self.epoch_unix_s)
    }

    /// A CAT048 (or CAT001) plot.
    fn radar_plot(
        &self,
        rec: &Record<'_>,
        received_unix_s: f64,
        counters: &mut Counters,
    ) -> Option<Report> {
        let sensor = self.source(rec, counters)?;
        let raw = |item: &str, path: &[&str]| rec.get(item, path).map(|f| f.raw);
        if raw("020", &["TST"]) == Some(1) || raw("020", &["RAB"]) == Some(1) {
            counters.add("ASTERIX test targets and field monitors");
            return None;
        }
        let kind = match raw("020", &["TYP"])? {
            1 => PlotKind::Psr,
            2 | 4 | 5 => PlotKind::Ssr,
            3 | 6 | 7 => PlotKind::Combined,
            _ => {
                counters.add("ASTERIX records without a detection");
                return None;
            }
        };
        let range_m = rec.value("040", &["RHO"])? * NM_M;
        let azimuth_rad = rec.value("040", &["THETA"])?.to_radians();
        let valid = |item: &str| raw(item, &["V"]) == Some(0) && raw(item, &["G"]) == Some(0);
        let alt_m = valid("090")
            .then(|| rec.value("090", &["FL"]))
            .flatten()
            .map(|fl| fl * 100.0 * FT_M);
        let elevation_rad = match (&sensor.geometry, rec.value("110", &["3DH"])) {
            (Some(g), Some(h_ft)) if sensor.three_d => {
                g.elevation_at_height(range_m, azimuth_rad, h_ft * FT_M)
            }
            _ => None,
        };
        Some(Report {
            time_s: self.session_time(rec, "140", received_unix_s)?,
            sensor: sensor.id,
            kind,
            measurement: Measurement::Polar {
                range_m,
                azimuth_rad,
                elevation_rad,
            },
            alt_m,
            mode3a: valid("070")
                .then(|| rec.get("070", &["MODE3A"])?.text())
                .flatten()
                .and_then(|s| Mode3A::parse(&s)),
            mode_s: raw("220", &[]).and_then(|a| ModeS::new(a as u32)),
            callsign: rec
                .get("240", &[])
                .and_then(|f| f.text())
                .and_then(|s| Callsign::new(&s)),
        })
    }

    /// A CAT021 ADS-B report.
    fn cat021(
        &self,
        rec: &Record<'_>,
        received_unix_s: f64,
        counters: &mut Counters,
    ) -> Option<Report> {
        let sensor = self.source(rec, counters)?;
        if rec.get("040", &["TST"]).is_some_and(|f| f.raw == 1) {
            counters.add("ASTERIX test targets and field monitors");
            return None;
        }
        let (lat_deg, lon_deg) = match (rec.value("131", &["LAT"]), rec.value("131", &["LON"])) {
            (Some(a), Some(b)) => (a, b),
            _ => (rec.value("130", &["LAT"])?, rec.value("130", &["LON"])?),
        };
        let time_item = ["071", "073", "077"]
            .into_iter()
            .find(|i| rec.item(i).is_some())?;
        Some(Report {
            time_s: self.session_time(rec, time_item, received_unix_s)?,
            sensor: sensor.id,
            kind: PlotKind::Adsb,
            measurement: Measurement::Position { lat_deg, lon_deg },
            alt_m: rec.value("145", &[]).map(|fl| fl * 100.0 * FT_M),
            mode3a: rec
                .get("070", &["MODE3A"])
                .and_then(|f| f.text())
                .and_then(|s| Mode3A::parse(&s)),
            mode_s: rec.get("080", &[]).and_then(|f| ModeS::new(f.raw as u32)),
            callsign: rec
                .get("170", &[])
                .and_then(|f| f.text())
                .and_then(|s| Callsign::new(&s)),
        })
    }
}

fn geometry(s: &SensorSpec) -> Option<RadarGeometry> {
    let site = Geodetic {
        lat_deg: s.lat_deg,
        lon_deg: s.lon_deg,
        alt_m: s.height_m,
    };
    RadarGeometry::new(site, s.refraction_k).ok()
}

/// Why a report could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("the sensor has no SAC/SIC")]
    NoSource,
    #[error("a CAT048 plot needs a polar measurement, a CAT021 report a position")]
    WrongMeasurement,
    #[error(transparent)]
    Set(#[from] asterix::SetError),
    #[error(transparent)]
    Encode(#[from] asterix::DecodeError),
}

/// Encodes reports as ASTERIX, the way a radar or an ADS-B ground station sends them.
#[derive(Debug)]
pub struct AsterixEncoder {
    cat048: &'static asterix::Category,
    cat021: &'static asterix::Category,
    pub epoch_unix_s: f64,
}

impl AsterixEncoder {
    pub fn new(epoch_unix_s: f64) -> AsterixEncoder {
        let e = Editions::default();
        AsterixEncoder {
            cat048: e.get(48).expect("CAT048 is vendored"),
            cat021: e.get(21).expect("CAT021 is vendored"),
            epoch_unix_s,
        }
    }

    fn time_of_day(&self, time_s: f64) -> f64 {
        (self.epoch_unix_s + time_s).rem_euclid(DAY_S)
    }

    /// A CAT048 record of a radar plot. `sensor` gives the SAC/SIC and, for a 3-D radar,
    /// the geometry that turns the elevation into a height (I048/110).
    pub fn cat048(&self, r: &Report, sensor: &SensorSpec) -> Result<Vec<u8>, EncodeError> {
        let (sac, sic) = sensor.sac.zip(sensor.sic).ok_or(EncodeError::NoSource)?;
        let Measurement::Polar {
            range_m,
            azimuth_rad,
            elevation_rad,
        } = r.measurement
        else {
            return Err(EncodeError::WrongMeasurement);
        };
        let mut v = RecordValue::new(self.cat048);
        v.set_raw("010", &["SAC"], sac.into())?
            .set_raw("010", &["SIC"], sic.into())?;
        v.set_number(
            "140",
            &[],
            self.time_of_day(r.time_s).min(DAY_S - 1.0 / 128.0),
        )?;
        let typ = match (r.kind, r.mode_s.is_some()) {
            (PlotKind::Psr, _) => 1,
            (PlotKind::Ssr, false) => 2,
            (PlotKind::Ssr, true) => 5,
            (_, false) => 3,
            (_, true) => 7,
        };
        v.set_raw("020", &["TYP"], typ)?;
        v.set_number("040", &["RHO"], (range_m / NM_M).min(256.0 - 1.0 / 256.0))?;
        v.set_number(
            "040",
            &["THETA"],
            azimuth_rad
                .to_degrees()
                .rem_euclid(360.0)
                .min(360.0 - 360.0 / 65536.0),
        )?;
        if let Some(code) = r.mode3a {
            v.set_text("070", &["MODE3A"], &code.to_string())?;
        }
        if let Some(alt) = r.alt_m {
            v.set_number("090", &["FL"], alt / FT_M / 100.0)?;
        }
        if let (Some(el), Some(g)) = (elevation_rad, geometry(sensor)) {
            let target = g.position(vigie_core::radar::Polar {
                range_m,
                azimuth_rad,
                elevation_rad: el,
            });
            // I048/110 holds ±204,775 ft: a plot (a false alarm) higher than that goes
            // without its height.
            let h_ft = target.to_geodetic().alt_m / FT_M;
            if h_ft.abs() < MAX_3D_HEIGHT_FT {
                v.set_number("110", &["3DH"], h_ft)?;
            }
        }
        if let Some(a) = r.mode_s {
            v.set_raw("220", &[], a.address().into())?;
        }
        if let Some(c) = r.callsign {
            v.set_text("240", &[], c.as_str())?;
        }
        Ok(v.encode()?)
    }

    /// A CAT021 record of an ADS-B position.
    pub fn cat021(&self, r: &Report, sensor: &SensorSpec) -> Result<Vec<u8>, EncodeError> {
        let (sac, sic) = sensor.sac.zip(sensor.sic).ok_or(EncodeError::NoSource)?;
        let Measurement::Position { lat_deg, lon_deg } = r.measurement else {
            return Err(EncodeError::WrongMeasurement);
        };
        let mut v = RecordValue::new(self.cat021);
        v.set_raw("010", &["SAC"], sac.into())?
            .set_raw("010", &["SIC"], sic.into())?;
        v.set_raw("040", &["ATP"], 1)?; // a 24-bit ICAO address
        v.set_number(
            "071",
            &[],
            self.time_of_day(r.time_s).min(DAY_S - 1.0 / 128.0),
        )?;
        v.set_number("131", &["LAT"], lat_deg)?
            .set_number("131", &["LON"], lon_deg)?;
        if let Some(a) = r.mode_s {
            v.set_raw("080", &[], a.address().into())?;
        }
        if let Some(alt) = r.alt_m {
            v.set_number("145", &[], alt / FT_M / 100.0)?;
        }
        if let Some(code) = r.mode3a {
            v.set_text("070", &["MODE3A"], &code.to_string())?;
        }
        if let Some(c) = r.callsign {
            v.set_text("170", &[], c.as_str())?;
        }
        Ok(v.encode()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_land_on_the_nearest_day() {
        let noon = 1_700_000_000.0 - 1_700_000_000.0 % DAY_S + 43_200.0;
        assert_eq!(absolute_time(43_201.0, noon), noon + 1.0);
        let just_after_midnight = noon + 43_200.0 + 5.0;
        // A record stamped 23:59:58, received just after midnight, is from yesterday.
        assert_eq!(
            absolute_time(86_398.0, just_after_midnight),
            just_after_midnight - 7.0
        );
    }
}
