//! Bad reports are counted per sensor and dropped; nothing panics.

use proptest::prelude::*;
use vigie_core::{
    Measurement, ModeS, PlotKind, Report, SensorId, SensorKind, SensorSpec, SensorTable,
};
use vigie_track::{Config, Output, Tracker};

fn table() -> SensorTable {
    let spec = |id: &str, kind| SensorSpec {
        id: id.into(),
        kind,
        lat_deg: 13.5,
        lon_deg: 2.1,
        height_m: 250.0,
        scan_period_s: 10.0,
        sigma_range_m: 50.0,
        sigma_azimuth_deg: 0.15,
        sigma_elevation_deg: 0.0,
        refraction_k: 4.0 / 3.0,
        range_max_m: Some(400_000.0),
        sigma_position_m: None,
        sac: None,
        sic: None,
        pd: None,
        elevation_min_deg: None,
        elevation_max_deg: None,
    };
    SensorTable {
        sensor: vec![
            spec("radar", SensorKind::Radar),
            spec("adsb", SensorKind::Adsb),
        ],
    }
}

fn plot(t: f64, sensor: u16, range_m: f64, azimuth_rad: f64) -> Report {
    Report {
        time_s: t,
        sensor: SensorId(sensor),
        kind: PlotKind::Psr,
        measurement: Measurement::Polar {
            range_m,
            azimuth_rad,
            elevation_rad: None,
        },
        alt_m: None,
        mode3a: None,
        mode_s: None,
        callsign: None,
    }
}

#[test]
fn each_kind_of_bad_report_is_counted_against_its_sensor() {
    let mut tracker = Tracker::new(Config::default(), &table());
    let mut out = Output::default();
    let bad = [
        plot(1.0, 0, f64::NAN, 1.0),
        plot(f64::INFINITY, 0, 1_000.0, 1.0),
        plot(1.0, 0, -5.0, 1.0),
        plot(1.0, 0, 1e9, 1.0),
        plot(1.0, 7, 1_000.0, 1.0),
        Report {
            kind: PlotKind::Adsb,
            measurement: Measurement::Position {
                lat_deg: 95.0,
                lon_deg: 2.0,
            },
            ..plot(1.0, 1, 0.0, 0.0)
        },
        Report {
            alt_m: Some(1e7),
            ..plot(1.0, 0, 10_000.0, 1.0)
        },
        // A polar plot from an ADS-B station.
        plot(1.0, 1, 10_000.0, 1.0),
    ];
    for r in bad {
        tracker.push(r, &mut out);
    }
    // Time moves on well past the reorder window, then a report from the past arrives.
    tracker.push(plot(100.0, 0, 10_000.0, 1.0), &mut out);
    tracker.push(plot(200.0, 0, 10_000.0, 1.0), &mut out);
    tracker.push(plot(50.0, 0, 10_000.0, 1.0), &mut out);
    tracker.flush(&mut out);
    let c = tracker.counters();
    assert_eq!(c.reports, 11);
    assert_eq!(c.unknown_sensor, 1);
    assert_eq!(c.per_sensor[0].not_finite, 2);
    assert_eq!(c.per_sensor[0].absurd, 3);
    assert_eq!(c.per_sensor[0].late, 1);
    assert_eq!(c.per_sensor[1].absurd, 1);
    assert_eq!(c.per_sensor[1].wrong_kind, 1);
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        -1e7f64..1e7,
        any::<f64>(),
    ]
}

fn any_report() -> impl Strategy<Value = Report> {
    (
        any_f64(),
        0u16..3,
        any::<bool>(),
        any_f64(),
        any_f64(),
        proptest::option::of(any_f64()),
        proptest::option::of(any_f64()),
        proptest::option::of(0u32..0xFF_FFFF),
    )
        .prop_map(|(t, sensor, polar, a, b, c, alt, addr)| Report {
            time_s: t,
            sensor: SensorId(sensor),
            kind: if polar {
                PlotKind::Combined
            } else {
                PlotKind::Adsb
            },
            measurement: if polar {
                Measurement::Polar {
                    range_m: a,
                    azimuth_rad: b,
                    elevation_rad: c,
                }
            } else {
                Measurement::Position {
                    lat_deg: a,
                    lon_deg: b,
                }
            },
            alt_m: alt,
            mode3a: None,
            mode_s: addr.and_then(ModeS::new),
            callsign: None,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Arbitrary reports, arbitrary values: the tracker counts what it refuses and never
    /// panics.
    #[test]
    fn arbitrary_reports_never_panic(reports in prop::collection::vec(any_report(), 1..300)) {
        let mut tracker = Tracker::new(Config { grid_s: Some(5.0), ..Config::default() }, &table());
        let mut out = Output::default();
        for r in &reports {
            tracker.push(*r, &mut out);
        }
        tracker.flush(&mut out);
        prop_assert_eq!(tracker.counters().reports, reports.len() as u64);
    }
}
