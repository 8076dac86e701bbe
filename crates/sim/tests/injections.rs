//! What an instructor injects into a running exercise shows in the sensors' reports from
//! the next frame on, and not before.

use std::path::Path;

use vigie_core::{Measurement, Mode3A, PlotKind};
use vigie_sim::{InjectError, Injection, Overrides, Simulator};

fn niger() -> Simulator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/niger.toml");
    vigie_sim::load(
        &path,
        Overrides {
            seed: None,
            duration_s: Some(400.0),
        },
    )
    .unwrap()
}

fn sensor_index(sim: &Simulator, id: &str) -> u16 {
    sim.sensor_table()
        .sensor
        .iter()
        .position(|s| s.id == id)
        .unwrap() as u16
}

#[test]
fn an_outage_silences_a_radar_for_its_duration() {
    let mut sim = niger();
    let niamey = sensor_index(&sim, "niamey-lr");
    let mut heard = Vec::new();
    while let Some(f) = sim.next_frame() {
        let t = f.time_s;
        if f.reports.iter().any(|r| r.sensor.0 == niamey) {
            heard.push(t);
        }
        if t == 100.0 {
            let said = sim
                .inject(&Injection::SensorOutage {
                    sensor: "niamey-lr".into(),
                    duration_s: 60.0,
                })
                .unwrap();
            assert_eq!(said, "niamey-lr out for 60 s");
        }
    }
    assert!(heard.iter().any(|t| (90.0..=100.0).contains(t)));
    assert!(!heard.iter().any(|t| (101.0..161.0).contains(t)), "silent");
    assert!(heard.iter().any(|t| (161.0..175.0).contains(t)), "back");
}

#[test]
fn jamming_floods_a_sector_with_false_plots() {
    let mut sim = niger();
    let tera = sensor_index(&sim, "tera-gf");
    let (mut before, mut during) = (0, 0);
    while let Some(f) = sim.next_frame() {
        let t = f.time_s;
        let in_sector = f
            .reports
            .iter()
            .filter(|r| r.sensor.0 == tera && r.kind == PlotKind::Psr)
            .filter(|r| match r.measurement {
                Measurement::Polar { azimuth_rad, .. } => {
                    (azimuth_rad.to_degrees() - 90.0).abs() <= 10.0
                }
                Measurement::Position { .. } => false,
            })
            .count();
        if (40.0..100.0).contains(&t) {
            before += in_sector;
        } else if (101.0..161.0).contains(&t) {
            during += in_sector;
        }
        if t == 100.0 {
            sim.inject(&Injection::Jamming {
                sensor: "tera-gf".into(),
                azimuth_deg: 90.0,
                width_deg: 20.0,
                plots_per_scan: 50.0,
                duration_s: 60.0,
            })
            .unwrap();
        }
    }
    // 30 scans of 2 s with 50 plots each, against a handful of ordinary false alarms.
    assert!(
        during > 1_200 && during > 20 * before.max(1),
        "{before} → {during}"
    );
}

#[test]
fn a_squawk_and_a_transponder_switched_off_reach_the_reports() {
    let mut sim = niger();
    let mut target = None;
    let (mut squawked, mut replies_after_off) = (false, 0);
    while let Some(f) = sim.next_frame() {
        let t = f.time_s;
        if t == 60.0 {
            // The scripted airliner from Algiers, wherever it is: point at it.
            let dah = f.truth.iter().find(|s| s.target_id == 1).unwrap();
            let (lat, lon) = (dah.lat_deg, dah.lon_deg);
            let id = sim.nearest_target(lat + 0.01, lon, 5_000.0).unwrap();
            target = Some(id);
            sim.inject(&Injection::Squawk {
                target_id: id,
                code: Mode3A::parse("7500").unwrap(),
            })
            .unwrap();
            continue;
        }
        if t == 200.0 {
            sim.inject(&Injection::Transponder {
                target_id: target.unwrap(),
                on: false,
            })
            .unwrap();
            continue;
        }
        let code = Mode3A::parse("7500");
        if t > 60.0 && t < 200.0 {
            squawked |= f.reports.iter().any(|r| r.mode3a == code);
        }
        if t > 201.0 {
            replies_after_off += f.reports.iter().filter(|r| r.mode3a == code).count();
        }
    }
    assert!(squawked, "7500 heard");
    assert_eq!(replies_after_off, 0, "silent once switched off");
    assert_eq!(
        niger().inject(&Injection::Transponder {
            target_id: 99_999,
            on: false
        }),
        Err(InjectError::NoTarget(99_999))
    );
}

#[test]
fn an_injected_target_flies_its_route_from_now_and_the_gap_filler_sees_it() {
    let mut sim = niger();
    let spec: vigie_sim::scenario::FlightSpec = toml::from_str(
        r#"
        name = "x1"
        aircraft = "light_aircraft"
        transponder = false
        waypoint = [
          { lat_deg = 14.30, lon_deg = 0.60, height_agl_m = 400, speed_kt = 110 },
          { lat_deg = 13.80, lon_deg = 1.20, height_agl_m = 400 },
        ]
        "#,
    )
    .unwrap();
    let tera = sensor_index(&sim, "tera-gf");
    let site = &sim.sensor_table().sensor[usize::from(tera)];
    let site = vigie_core::Geodetic::new(site.lat_deg, site.lon_deg, 0.0);
    let flights_before = sim.plans().len();
    let (mut seen_from, mut truth_from) = (None, None);
    let mut injected_id = None;
    while let Some(f) = sim.next_frame() {
        let t = f.time_s;
        let truth = injected_id.and_then(|id| f.truth.iter().find(|s| s.target_id == id));
        if let Some(s) = truth {
            truth_from.get_or_insert(t);
            // A primary plot where the target is (within 1 km and 2°).
            let line = site.geodesic_to(vigie_core::Geodetic::new(s.lat_deg, s.lon_deg, 0.0));
            let near = f.reports.iter().any(|r| match r.measurement {
                Measurement::Polar {
                    range_m,
                    azimuth_rad,
                    ..
                } => {
                    let off = (azimuth_rad.to_degrees() - line.azimuth_start_deg).rem_euclid(360.0);
                    r.sensor.0 == tera
                        && r.kind == PlotKind::Psr
                        && (range_m - line.distance_m).abs() < 1_000.0
                        && off.min(360.0 - off) < 2.0
                }
                _ => false,
            });
            if near {
                seen_from.get_or_insert(t);
            }
        }
        if t == 100.0 {
            sim.inject(&Injection::Flight(Box::new(spec.clone())))
                .unwrap();
            injected_id = sim.plans().last().map(|p| p.target_id);
            assert_eq!(sim.plans().len(), flights_before + 1);
        }
    }
    assert_eq!(truth_from, Some(101.0), "airborne from the next frame");
    assert!(
        seen_from.is_some_and(|t| t < 110.0),
        "{seen_from:?} {:?}",
        sim.plans().last()
    );
    let mut bad = spec;
    bad.waypoint.truncate(1);
    let err = sim.inject(&Injection::Flight(Box::new(bad))).unwrap_err();
    assert!(err.to_string().contains("at least two waypoints"), "{err}");
}
