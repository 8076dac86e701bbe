//! The Niger exercise's reports through the wire and back: every radar plot as CAT048,
//! every ADS-B position as CAT021, decoded by the ingest into the same reports, within
//! the formats' resolution.

use std::path::Path;

use vigie_core::{Measurement, Report};
use vigie_ingest::asterix::{AsterixEncoder, AsterixIngest};
use vigie_ingest::Counters;

const EPOCH_UNIX_S: f64 = 1_772_352_000.0; // 2026-03-01T08:00:00Z, the exercise's start

fn close(a: &Report, b: &Report) -> Result<(), String> {
    let same = a.sensor == b.sensor
        && a.kind == b.kind
        && a.mode3a == b.mode3a
        && a.mode_s == b.mode_s
        && a.callsign == b.callsign
        && (a.time_s - b.time_s).abs() <= 1.0 / 128.0
        && match (a.alt_m, b.alt_m) {
            (Some(x), Some(y)) => (x - y).abs() <= 7.62 / 2.0 + 1e-6,
            (None, None) => true,
            _ => false,
        };
    let measured = match (a.measurement, b.measurement) {
        (
            Measurement::Polar {
                range_m: r1,
                azimuth_rad: a1,
                elevation_rad: e1,
            },
            Measurement::Polar {
                range_m: r2,
                azimuth_rad: a2,
                elevation_rad: e2,
            },
        ) => {
            (r1 - r2).abs() <= 1852.0 / 512.0 + 1e-6
                && (a1 - a2).abs().min(std::f64::consts::TAU - (a1 - a2).abs())
                    <= (360.0f64 / 65536.0).to_radians()
                && match (e1, e2) {
                    // A 25 ft height step, seen from the radar.
                    (Some(x), Some(y)) => (x - y).abs() <= 8.0 / r1.max(1_000.0) + 1e-5,
                    (None, None) => true,
                    // Beyond what I048/110 can carry: a false alarm at an absurd height.
                    (Some(x), None) => (r1 * x.sin()).abs() > 40_000.0,
                    _ => false,
                }
        }
        (
            Measurement::Position {
                lat_deg: la,
                lon_deg: lo,
            },
            Measurement::Position {
                lat_deg: lb,
                lon_deg: lob,
            },
        ) => (la - lb).abs() <= 1e-6 && (lo - lob).abs() <= 1e-6,
        _ => false,
    };
    if same && measured {
        Ok(())
    } else {
        Err(format!("{a:?}\n  came back as\n{b:?}"))
    }
}

#[test]
fn the_exercise_survives_the_wire() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/niger.toml");
    let mut sim = vigie_sim::load(
        &scenario,
        vigie_sim::Overrides {
            seed: None,
            duration_s: Some(300.0),
        },
    )
    .unwrap();
    let table = sim.sensor_table().clone();
    let encoder = AsterixEncoder::new(EPOCH_UNIX_S);
    let ingest = AsterixIngest::new(&table, EPOCH_UNIX_S);
    let mut counters = Counters::default();
    let (mut sent, mut polar_3d) = (0, 0);
    while let Some(frame) = sim.next_frame() {
        for r in &frame.reports {
            let spec = &table.sensor[r.sensor.0 as usize];
            let record = match r.measurement {
                Measurement::Polar { elevation_rad, .. } => {
                    polar_3d += usize::from(elevation_rad.is_some());
                    encoder.cat048(r, spec)
                }
                Measurement::Position { .. } => encoder.cat021(r, spec),
            }
            .unwrap_or_else(|e| panic!("{e}: {r:?}"));
            let cat = if matches!(r.measurement, Measurement::Polar { .. }) {
                48
            } else {
                21
            };
            let block = vigie_codec::asterix::value::block(cat, &[record]).unwrap();
            let mut back = Vec::new();
            ingest.datagram(
                &block,
                EPOCH_UNIX_S + r.time_s + 0.3,
                &mut counters,
                &mut back,
            );
            assert_eq!(back.len(), 1, "{r:?}: {counters:?}");
            close(r, &back[0]).unwrap();
            sent += 1;
        }
    }
    println!("{sent} reports ({polar_3d} with an elevation) through the wire: {counters:?}");
    assert!(sent > 2_000 && polar_3d > 100);
}
