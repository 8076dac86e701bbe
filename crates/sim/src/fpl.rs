//! The exercise's civil flight plans as ICAO FPL messages: what the centre would receive
//! from the air traffic services (over AFTN) for the flights it will see. Scheduled flights
//! (`[[traffic.flow]]`) and scripted civil flights with a Mode S address get one; intruders,
//! fighters and drones do not.

use std::fmt::Write;

use vigie_core::Geodetic;

use crate::aircraft::AircraftType;
use crate::airports::Airport;
use crate::flight::{FlightPlan, Origin};

const MPS_TO_KT: f64 = 1.943_844_5;
const M_TO_FT: f64 = 3.280_839_9;

/// Type designator and wake category of an aircraft class, as field 9 writes them.
fn type_and_wake(a: AircraftType) -> &'static str {
    match a {
        AircraftType::Airliner => "A320/M",
        AircraftType::BusinessJet => "C56X/M",
        AircraftType::LightAircraft => "C208/L",
        AircraftType::Helicopter => "AS50/L",
        AircraftType::Fighter => "ZZZZ/M",
        AircraftType::SmallUav => "ZZZZ/L",
    }
}

/// `1712N00406E`: degrees and minutes, as a route point.
fn route_point(lat_deg: f64, lon_deg: f64) -> String {
    let dm = |v: f64, width: usize| {
        let minutes = (v.abs() * 60.0).round() as i64;
        format!("{:0width$}{:02}", minutes / 60, minutes % 60, width = width)
    };
    format!(
        "{}{}{}{}",
        dm(lat_deg, 2),
        if lat_deg < 0.0 { 'S' } else { 'N' },
        dm(lon_deg, 3),
        if lon_deg < 0.0 { 'W' } else { 'E' }
    )
}

fn hhmm(minutes: f64) -> String {
    let m = (minutes.round() as i64).rem_euclid(24 * 60);
    format!("{:02}{:02}", m / 60, m % 60)
}

/// One FPL message per civil flight, in start order. `start_unix_s` is the exercise's start.
pub fn messages(plans: &[FlightPlan], airports: &[Airport], start_unix_s: f64) -> String {
    let mut out = String::new();
    for p in plans {
        if let Some(m) = message(p, airports, start_unix_s) {
            out.push_str(&m);
            out.push('\n');
        }
    }
    out
}

fn message(p: &FlightPlan, airports: &[Airport], start_unix_s: f64) -> Option<String> {
    let callsign = p.identity.callsign?;
    let civil = match p.origin {
        Origin::Flow => true,
        Origin::Scripted => {
            p.identity.mode_s.is_some()
                && !matches!(p.aircraft, AircraftType::Fighter | AircraftType::SmallUav)
        }
        Origin::Intruder => false,
    };
    if !civil || p.waypoints.is_empty() {
        return None;
    }
    let perf = p.performance();
    let (from, to) = match p.origin {
        Origin::Flow => p.name.split_once('-').unwrap_or(("ZZZZ", "ZZZZ")),
        _ => ("ZZZZ", "ZZZZ"),
    };
    let at = |icao: &str| airports.iter().find(|a| a.icao == icao).map(|a| a.position);
    let first = &p.waypoints[0];
    let last = &p.waypoints[p.waypoints.len() - 1];
    let here = |w: &crate::flight::Waypoint| Geodetic::new(w.lat_deg, w.lon_deg, 0.0);
    let (origin, destination) = (
        at(from).unwrap_or(here(first)),
        at(to).unwrap_or(here(last)),
    );
    // A flight that enters the exercise mid-route left its origin earlier.
    let flown_s = origin.geodesic_to(here(first)).distance_m / perf.cruise_speed_mps;
    let eobt_unix_s = start_unix_s + p.start_s - flown_s;
    let eet_s = origin.geodesic_to(destination).distance_m / perf.cruise_speed_mps;
    let cruise_m = p.waypoints.iter().map(|w| w.alt_m).fold(0.0, f64::max);
    let route = match p.origin {
        Origin::Flow => "DCT".to_string(),
        _ => p
            .waypoints
            .iter()
            .map(|w| route_point(w.lat_deg, w.lon_deg))
            .collect::<Vec<_>>()
            .join(" DCT "),
    };
    let mut m = format!("(FPL-{}", callsign.as_str());
    if let Some(code) = p.identity.squawk {
        let _ = write!(m, "/A{code}");
    }
    let _ = write!(
        m,
        "-IS\n-{}-SDE3FGHIJ1RWY/LB1\n-{from}{}\n-N{:04}F{:03} {route}\n-{to}{}\n-",
        type_and_wake(p.aircraft),
        hhmm((eobt_unix_s / 60.0).rem_euclid(1440.0)),
        (perf.cruise_speed_mps * MPS_TO_KT).round() as i64,
        (cruise_m * M_TO_FT / 100.0).round() as i64,
        hhmm(eet_s / 60.0),
    );
    if let Some(a) = p.identity.mode_s {
        let _ = write!(m, "CODE/{a} ");
    }
    let _ = write!(m, "RMK/EXERCISE)");
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_points_read_as_degrees_and_minutes() {
        assert_eq!(route_point(17.2, 4.1), "1712N00406E");
        assert_eq!(route_point(-3.5, -10.25), "0330S01015W");
        assert_eq!(hhmm(24.0 * 60.0 + 5.0), "0005");
    }
}
