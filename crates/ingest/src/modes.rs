//! Mode S and ADS-B messages to positions: rs1090 decodes each message; this module keeps
//! what a position needs across messages, per aircraft (the last even and odd CPR frames,
//! the last position, identity), decodes CPR with rs1090's own functions, and checks that
//! each position is plausible before it becomes a report.
//!
//! Memory is bounded: aircraft unheard for `forget_after_s` are forgotten, and the table
//! never holds more than `max_aircraft` (a new aircraft beyond that is counted and ignored).

use std::collections::HashMap;

use rs1090::decode::cpr::{self, CPRFormat, Position};
use rs1090::prelude::*;
use vigie_core::{Callsign, Measurement, Mode3A, ModeS, PlotKind, Report, SensorId};

use crate::Counters;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModeSConfig {
    /// Even and odd CPR frames further apart than this are not paired (ICAO: 10 s).
    pub pair_window_s: f64,
    /// A position older than this is no reference for decoding one frame alone.
    pub reference_max_age_s: f64,
    /// Faster than this between two positions is implausible (2,200 km/h: above any
    /// transponder-equipped aircraft in the region's traffic, below CPR zone errors).
    pub max_speed_mps: f64,
    pub max_aircraft: usize,
    pub forget_after_s: f64,
    /// The receiver's position: the reference for surface positions.
    pub receiver: Option<(f64, f64)>,
}

impl Default for ModeSConfig {
    fn default() -> Self {
        ModeSConfig {
            pair_window_s: 10.0,
            reference_max_age_s: 180.0,
            max_speed_mps: 611.0,
            max_aircraft: 20_000,
            forget_after_s: 300.0,
            receiver: None,
        }
    }
}

/// What one aircraft has told so far.
#[derive(Debug, Clone, Default)]
struct Aircraft {
    heard_s: f64,
    even: Option<(f64, AirbornePosition)>,
    odd: Option<(f64, AirbornePosition)>,
    position: Option<(f64, Position)>,
    callsign: Option<Callsign>,
    squawk: Option<Mode3A>,
    altitude_ft: Option<i32>,
}

/// A position decoded from ADS-B, with what is known of the aircraft.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdsbPosition {
    pub time_s: f64,
    pub address: u32,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Barometric altitude, when the message carried one.
    pub altitude_ft: Option<i32>,
    pub callsign: Option<Callsign>,
    pub squawk: Option<Mode3A>,
    pub surface: bool,
}

impl AdsbPosition {
    /// The core report the tracker reads.
    pub fn report(&self, sensor: SensorId) -> Report {
        Report {
            time_s: self.time_s,
            sensor,
            kind: PlotKind::Adsb,
            measurement: Measurement::Position {
                lat_deg: self.lat_deg,
                lon_deg: self.lon_deg,
            },
            alt_m: self.altitude_ft.map(|ft| f64::from(ft) * 0.3048),
            mode3a: self.squawk,
            mode_s: ModeS::new(self.address),
            callsign: self.callsign,
        }
    }
}

#[derive(Debug)]
pub struct ModeSDecoder {
    pub config: ModeSConfig,
    aircraft: HashMap<u32, Aircraft>,
    last_sweep_s: f64,
}

/// Mode 3/A from rs1090's identity code (each hex nibble an octal digit).
fn squawk(code: u16) -> Option<Mode3A> {
    Mode3A::parse(&format!("{code:04x}"))
}

fn distance_m(a: &Position, b: &Position) -> f64 {
    let (p1, p2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let dl = (b.longitude - a.longitude).to_radians();
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().min(1.0).asin()
}

impl ModeSDecoder {
    pub fn new(config: ModeSConfig) -> ModeSDecoder {
        ModeSDecoder {
            config,
            aircraft: HashMap::new(),
            last_sweep_s: f64::NEG_INFINITY,
        }
    }

    /// How many aircraft are remembered.
    pub fn aircraft(&self) -> usize {
        self.aircraft.len()
    }

    /// Decodes one message received at `time_s`; a position when it yields one.
    ///
    /// Only what a report needs is decoded: ADS-B identification, position and emergency
    /// status, and the altitude and identity replies of aircraft already heard on ADS-B
    /// (only their 13-bit field, with rs1090's field decoders). All-call and ACAS replies,
    /// velocities, target states and Comm-B payloads are counted and left: rs1090's
    /// decoding is the cost of this path.
    pub fn decode(
        &mut self,
        time_s: f64,
        message: &[u8],
        counters: &mut Counters,
    ) -> Option<AdsbPosition> {
        counters.add("mode S messages");
        let df = message.first()? >> 3;
        match df {
            17 | 18
                if message
                    .get(4)
                    .is_some_and(|b| matches!(b >> 3, 1..=18 | 20..=22 | 28)) => {}
            4 | 5 | 20 | 21 => {
                self.reply(time_s, df, message, counters);
                return None;
            }
            _ => {
                counters.add("mode S messages not needed (not decoded)");
                return None;
            }
        }
        let msg = match Message::try_from(message) {
            Ok(m) => m,
            Err(_) => {
                counters.add("mode S messages failing CRC or decoding");
                return None;
            }
        };
        self.sweep(time_s, counters);
        match msg.df {
            ExtendedSquitterADSB(adsb) => self.adsb(time_s, adsb.icao24.0, &adsb.message, counters),
            ExtendedSquitterTisB { cf, .. } => self.adsb(time_s, cf.aa.0, &cf.me, counters),
            _ => None,
        }
    }

    /// A surveillance or Comm-B reply: its altitude (DF 4, 20) or identity (DF 5, 21), for
    /// an aircraft already known (the address is in the parity: the CRC gives it).
    fn reply(&mut self, time_s: f64, df: u8, message: &[u8], counters: &mut Counters) {
        let bits = message.len() * 8;
        let Ok(address) = rs1090::decode::crc::modes_checksum(message, bits) else {
            counters.add("mode S messages failing CRC or decoding");
            return;
        };
        let Some(a) = self.known(address, time_s) else {
            counters.add("mode S messages not needed (not decoded)");
            return;
        };
        // The 13-bit field follows DF, FS, DR and UM: bit 19.
        let Some(rest) = message.get(2..) else { return };
        match df {
            4 | 20 => {
                if let Ok((_, ac)) = rs1090::decode::AC13Field::from_bytes((rest, 3)) {
                    a.altitude_ft = ac.0.or(a.altitude_ft);
                }
            }
            _ => {
                if let Ok((_, id)) = rs1090::decode::IdentityCode::from_bytes((rest, 3)) {
                    a.squawk = squawk(id.0).or(a.squawk);
                }
            }
        }
    }

    /// An aircraft already heard by ADS-B (a short reply's address cannot be trusted alone).
    fn known(&mut self, address: u32, time_s: f64) -> Option<&mut Aircraft> {
        let a = self.aircraft.get_mut(&address)?;
        a.heard_s = time_s;
        Some(a)
    }

    fn entry(
        &mut self,
        address: u32,
        time_s: f64,
        counters: &mut Counters,
    ) -> Option<&mut Aircraft> {
        if !self.aircraft.contains_key(&address) && self.aircraft.len() >= self.config.max_aircraft
        {
            counters.add("aircraft ignored: table full");
            return None;
        }
        let a = self.aircraft.entry(address).or_default();
        a.heard_s = time_s;
        Some(a)
    }

    /// Forgets aircraft unheard for a while, at most once a second of data.
    fn sweep(&mut self, time_s: f64, counters: &mut Counters) {
        if time_s - self.last_sweep_s < 1.0 {
            return;
        }
        self.last_sweep_s = time_s;
        let before = self.aircraft.len();
        let horizon = time_s - self.config.forget_after_s;
        self.aircraft.retain(|_, a| a.heard_s >= horizon);
        counters.add_n(
            "aircraft forgotten (unheard)",
            (before - self.aircraft.len()) as u64,
        );
    }

    fn adsb(
        &mut self,
        time_s: f64,
        address: u32,
        me: &ME,
        counters: &mut Counters,
    ) -> Option<AdsbPosition> {
        let config = self.config;
        let a = self.entry(address, time_s, counters)?;
        match me {
            ME::BDS08 { inner, .. } => {
                a.callsign = Callsign::new(inner.callsign.trim());
                None
            }
            ME::BDS61(status) => {
                use rs1090::decode::bds::bds61::AircraftStatusType;
                if status.subtype == AircraftStatusType::EmergencyPriorityStatus {
                    a.squawk = squawk(status.squawk.0).or(a.squawk);
                }
                None
            }
            ME::BDS05 { inner, .. } => {
                let fix = airborne(a, time_s, inner, &config);
                let pos = accept(a, time_s, fix?, &config, counters)?;
                a.altitude_ft = inner.alt.or(a.altitude_ft);
                counters.add("ADS-B positions");
                Some(position(address, time_s, pos, a, false))
            }
            ME::BDS06 { inner, .. } => {
                let reference = a
                    .position
                    .filter(|(t, _)| time_s - t <= config.reference_max_age_s)
                    .map(|(_, p)| (p.latitude, p.longitude))
                    .or(config.receiver)?;
                let fix = cpr::surface_position_with_reference(inner, reference.0, reference.1)?;
                let pos = accept(a, time_s, fix, &config, counters)?;
                counters.add("ADS-B positions");
                Some(position(address, time_s, pos, a, true))
            }
            _ => None,
        }
    }
}

/// CPR decoding of an airborne frame: with the other parity's last frame when recent
/// enough (global), else from the aircraft's last position (local).
fn airborne(
    a: &mut Aircraft,
    time_s: f64,
    frame: &AirbornePosition,
    config: &ModeSConfig,
) -> Option<Position> {
    let other = match frame.parity {
        CPRFormat::Even => a.odd,
        CPRFormat::Odd => a.even,
    };
    let slot = (time_s, *frame);
    match frame.parity {
        CPRFormat::Even => a.even = Some(slot),
        CPRFormat::Odd => a.odd = Some(slot),
    }
    let global = other
        .filter(|(t, _)| (time_s - t).abs() <= config.pair_window_s && *t <= time_s)
        .and_then(|(_, older)| cpr::airborne_position(&older, frame));
    global.or_else(|| {
        let (t, p) = a.position?;
        (time_s - t <= config.reference_max_age_s)
            .then(|| cpr::airborne_position_with_reference(frame, p.latitude, p.longitude))
            .flatten()
    })
}

/// Keeps a position only if the aircraft could have flown there since its last one.
fn accept(
    a: &mut Aircraft,
    time_s: f64,
    fix: Position,
    config: &ModeSConfig,
    counters: &mut Counters,
) -> Option<Position> {
    if !(fix.latitude.abs() <= 90.0 && fix.longitude.abs() <= 180.0) {
        counters.add("ADS-B positions rejected: off the Earth");
        return None;
    }
    if let Some((t, last)) = a.position {
        let dt = (time_s - t).max(0.0);
        // A small allowance for the CPR grid and the receiver's clock.
        if distance_m(&last, &fix) > config.max_speed_mps * dt + 1_000.0 {
            counters.add("ADS-B positions rejected: implausible jump");
            return None;
        }
    }
    a.position = Some((time_s, fix));
    Some(fix)
}

fn position(address: u32, time_s: f64, pos: Position, a: &Aircraft, surface: bool) -> AdsbPosition {
    AdsbPosition {
        time_s,
        address,
        lat_deg: pos.latitude,
        lon_deg: pos.longitude,
        altitude_ft: if surface { None } else { a.altitude_ft },
        callsign: a.callsign,
        squawk: a.squawk,
        surface,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn an_even_odd_pair_gives_the_textbook_position() {
        // The pair decoded in "The 1090 MHz Riddle" (Sun): with the odd frame the later one,
        // the position is the odd frame's, 52.2658° N, 3.9389° E.
        let mut d = ModeSDecoder::new(ModeSConfig::default());
        let mut c = Counters::default();
        assert_eq!(
            d.decode(0.0, &hex("8D40621D58C382D690C8AC2863A7"), &mut c),
            None
        );
        let p = d
            .decode(1.0, &hex("8D40621D58C386435CC412692AD6"), &mut c)
            .expect("a position");
        assert!(
            (p.lat_deg - 52.2658).abs() < 1e-4 && (p.lon_deg - 3.9389).abs() < 1e-4,
            "{p:?}"
        );
        assert_eq!(p.altitude_ft, Some(38000));
        assert_eq!(p.address, 0x40621D);
        // A corrupted message fails its CRC and is counted.
        let mut bad = hex("8D40621D58C386435CC412692AD6");
        bad[5] ^= 0x10;
        assert_eq!(d.decode(2.0, &bad, &mut c), None);
        assert_eq!(c.get("mode S messages failing CRC or decoding"), 1);
    }

    #[test]
    fn the_table_of_aircraft_is_bounded() {
        let mut d = ModeSDecoder::new(ModeSConfig {
            max_aircraft: 1,
            ..ModeSConfig::default()
        });
        let mut c = Counters::default();
        d.decode(0.0, &hex("8D40621D58C382D690C8AC2863A7"), &mut c);
        // Another aircraft's identification (KLM1023, 4840D6).
        d.decode(0.5, &hex("8D4840D6202CC371C32CE0576098"), &mut c);
        assert_eq!(d.aircraft(), 1);
        assert_eq!(c.get("aircraft ignored: table full"), 1);
        // Five minutes later, the first is forgotten and the second fits.
        d.decode(400.0, &hex("8D4840D6202CC371C32CE0576098"), &mut c);
        assert_eq!(d.aircraft(), 1);
        assert_eq!(c.get("aircraft forgotten (unheard)"), 1);
    }
}
