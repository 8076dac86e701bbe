//! Regression (issue 17): a low intruder in the Niger exercise lost behind terrain came back
//! under a new track number (track 10, then 25), and the operator's identity and
//! acknowledgements went with the old one. A track found again takes back its number.

use vigie_core::{
    Measurement, Mode3A, ModeS, PlotKind, Report, SensorId, SensorKind, SensorSpec, SensorTable,
};
use vigie_track::{Config, Output, Tracker};

fn table() -> SensorTable {
    SensorTable {
        sensor: vec![SensorSpec {
            id: "radar".into(),
            kind: SensorKind::Radar,
            lat_deg: 13.5,
            lon_deg: 2.1,
            height_m: 250.0,
            scan_period_s: 6.0,
            sigma_range_m: 50.0,
            sigma_azimuth_deg: 0.15,
            sigma_elevation_deg: 0.0,
            refraction_k: 4.0 / 3.0,
            range_max_m: Some(300_000.0),
            sigma_position_m: None,
            sac: None,
            sic: None,
            pd: Some(0.95),
            elevation_min_deg: None,
            elevation_max_deg: None,
        }],
    }
}

/// An aircraft flying east at 200 m/s, 40 km north of the radar, seen every scan but
/// during `unseen` (seconds), squawking `code` then `code_after`, with Mode S `address`.
struct Flight {
    unseen: std::ops::Range<f64>,
    code: Option<u16>,
    code_after: Option<u16>,
    address: Option<u32>,
}

fn plot(f: &Flight, t: f64) -> Report {
    let (east, north) = (-60_000.0 + 200.0 * t, 40_000.0);
    let code = if t < f.unseen.start {
        f.code
    } else {
        f.code_after
    };
    let transponder = code.is_some() || f.address.is_some();
    Report {
        time_s: t,
        sensor: SensorId(0),
        kind: if transponder {
            PlotKind::Ssr
        } else {
            PlotKind::Psr
        },
        measurement: Measurement::Polar {
            range_m: f64::hypot(east, north),
            azimuth_rad: f64::atan2(east, north).rem_euclid(std::f64::consts::TAU),
            elevation_rad: None,
        },
        alt_m: transponder.then_some(3_000.0),
        mode3a: code.and_then(Mode3A::from_octal_value),
        mode_s: f.address.and_then(ModeS::new),
        callsign: None,
    }
}

/// The numbers the aircraft's updates carried, in order, and how many ended.
fn fly(f: &Flight) -> (Vec<u32>, usize) {
    let mut tracker = Tracker::new(Config::default(), &table());
    let mut out = Output::default();
    let (mut numbers, mut ended) = (Vec::new(), 0);
    let mut t = 0.0;
    while t < 600.0 {
        if !f.unseen.contains(&t) {
            tracker.push(plot(f, t), &mut out);
        }
        tracker.advance(t + 0.5, &mut out);
        for u in out.updates.drain(..) {
            if numbers.last() != Some(&u.row.track_id) {
                numbers.push(u.row.track_id);
            }
        }
        ended += out.ended.len();
        out.ended.clear();
        t += 6.0;
    }
    (numbers, ended)
}

#[test]
fn a_primary_only_track_lost_for_a_minute_takes_back_its_number() {
    let (numbers, ended) = fly(&Flight {
        unseen: 120.0..210.0,
        code: None,
        code_after: None,
        address: None,
    });
    assert!(ended >= 1, "the track ended in the gap");
    assert_eq!(numbers, vec![1], "one number for the aircraft");
}

#[test]
fn the_same_mode_s_address_takes_back_its_number_after_two_minutes() {
    let (numbers, ended) = fly(&Flight {
        unseen: 120.0..270.0,
        code: Some(0o4321),
        code_after: Some(0o4321),
        address: Some(0x3C6544),
    });
    assert!(ended >= 1);
    assert_eq!(numbers, vec![1]);
}

#[test]
fn another_discrete_code_where_the_lost_track_would_be_is_another_aircraft() {
    let (numbers, ended) = fly(&Flight {
        unseen: 120.0..210.0,
        code: Some(0o4321),
        code_after: Some(0o5012),
        address: None,
    });
    assert!(ended >= 1);
    assert_eq!(numbers, vec![1, 2]);
}

#[test]
fn a_track_lost_longer_than_the_memory_gets_a_new_number() {
    let (numbers, _) = fly(&Flight {
        unseen: 60.0..300.0,
        code: None,
        code_after: None,
        address: None,
    });
    assert_eq!(numbers, vec![1, 2]);
}
