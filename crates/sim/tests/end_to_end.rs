//! Whole-simulator behaviour: plot time stamps and noise against truth, ADS-B, scripted
//! events, horizon masking, and the built-in Niger exercise.

mod common;

use std::collections::HashMap;

use vigie_core::interop::TruthState;
use vigie_core::{Ecef, Geodetic, Measurement, Mode3A, PlotKind, RadarGeometry, Report};

const HEADER: &str = r#"
duration_s = 600
seed = 7
start_time = "2026-03-01T08:00:00Z"
[region]
builtin = "NER"
ground_elevation_m = 0

[[radar]]
id = "r3d"
lat_deg = 16.0
lon_deg = 8.0
mast_m = 30
rotation_period_s = 10
range_m = 400000
three_d = true
sigma_range_m = 50
sigma_azimuth_deg = 0.15
sigma_elevation_deg = 0.3
pd_reference = { range_m = 400000, rcs_m2 = 1.0, pd = 0.995 }
ssr = { mode = "mode_s", pd = 1.0 }

[[adsb]]
id = "gs"
lat_deg = 16.0
lon_deg = 8.0
loss = 0.1
"#;

/// A straight eastbound airliner 200 km north of the radar, and whatever `extra` adds.
fn scenario(extra: &str) -> String {
    format!(
        r#"{HEADER}
[[flight]]
name = "liner"
aircraft = "airliner"
callsign = "AFR520"
mode_s = "3944F1"
squawk = "2301"
adsb = true
waypoint = [
  {{ lat_deg = 17.8, lon_deg = 6.0, alt_m = 11000, speed_mps = 230 }},
  {{ lat_deg = 17.8, lon_deg = 12.0, alt_m = 11000 }},
]
{extra}
"#
    )
}

struct Run {
    truth: HashMap<u32, Vec<TruthState>>,
    reports: Vec<Report>,
}

fn run(text: &str) -> Run {
    let mut sim = common::sim(text, Default::default());
    let mut truth: HashMap<u32, Vec<TruthState>> = HashMap::new();
    let mut reports = Vec::new();
    while let Some(f) = sim.next_frame() {
        for t in &f.truth {
            truth.entry(t.target_id).or_default().push(*t);
        }
        reports.extend_from_slice(&f.reports);
    }
    Run { truth, reports }
}

/// Truth of target `id` at `t_s`, interpolated linearly in ECEF between whole seconds.
fn truth_at(run: &Run, id: u32, t_s: f64) -> Ecef {
    let samples = &run.truth[&id];
    let i = samples
        .partition_point(|s| s.time_s <= t_s)
        .clamp(1, samples.len() - 1);
    let (a, b) = (samples[i - 1], samples[i]);
    let s = (t_s - a.time_s) / (b.time_s - a.time_s);
    let pa = Geodetic::new(a.lat_deg, a.lon_deg, a.alt_m)
        .to_ecef()
        .as_array();
    let pb = Geodetic::new(b.lat_deg, b.lon_deg, b.alt_m)
        .to_ecef()
        .as_array();
    Ecef::from_array([0, 1, 2].map(|k| pa[k] + s * (pb[k] - pa[k])))
}

#[test]
fn plots_are_stamped_when_the_beam_crosses_the_target() {
    let run = run(&scenario(""));
    let radar = RadarGeometry::new(Geodetic::new(16.0, 8.0, 30.0), 4.0 / 3.0).unwrap();
    let mut z = [vec![], vec![], vec![]];
    for r in run.reports.iter().filter(|r| r.kind != PlotKind::Adsb) {
        let Measurement::Polar {
            range_m,
            azimuth_rad,
            elevation_rad,
        } = r.measurement
        else {
            panic!()
        };
        let t = radar.polar(truth_at(&run, 1, r.time_s));
        z[0].push((range_m - t.range_m) / 50.0);
        z[1].push(vigie_core::geodesy::wrap_pi(azimuth_rad - t.azimuth_rad).to_degrees() / 0.15);
        z[2].push((elevation_rad.unwrap() - t.elevation_rad).to_degrees() / 0.3);
        assert_eq!(r.kind, PlotKind::Combined);
        assert_eq!(r.callsign.unwrap().as_str(), "AFR520");
    }
    assert!(z[0].len() >= 55, "{} plots in 60 scans", z[0].len());
    for (name, v) in ["range", "azimuth", "elevation"].iter().zip(&z) {
        let (m, sd) = common::mean_sd(v);
        // 60 samples: the mean of unit normals is within ±0.6, the sd within ±0.3.
        assert!(
            m.abs() < 0.6 && (sd - 1.0).abs() < 0.3,
            "{name}: normalised residual mean {m}, sd {sd}"
        );
    }
}

#[test]
fn adsb_reports_have_the_nacp_noise_and_the_loss_rate() {
    let run = run(&scenario(""));
    let adsb: Vec<&Report> = run
        .reports
        .iter()
        .filter(|r| r.kind == PlotKind::Adsb)
        .collect();
    // One report a second, 10 % lost.
    assert!(
        (500..=580).contains(&adsb.len()),
        "{} ADS-B reports in 600 s",
        adsb.len()
    );
    let mut north = vec![];
    for r in &adsb {
        let Measurement::Position { lat_deg, .. } = r.measurement else {
            panic!()
        };
        let t = truth_at(&run, 1, r.time_s).to_geodetic();
        north.push((lat_deg - t.lat_deg).to_radians() * 6_335_000.0);
        assert!(
            (r.alt_m.unwrap() - t.alt_m).abs() < 4.0,
            "25 ft quantisation"
        );
        assert_eq!(r.mode_s.unwrap().to_string(), "3944F1");
    }
    let (m, sd) = common::mean_sd(&north);
    let sigma = vigie_sim::aircraft::AircraftType::Airliner
        .performance()
        .adsb_sigma_m;
    assert!(
        m.abs() < 3.0 && (sd / sigma - 1.0).abs() < 0.15,
        "north error mean {m}, sd {sd}"
    );
}

#[test]
fn scripted_events_change_what_sensors_report() {
    let events = r#"
[[event]]
kind = "squawk"
at_s = 100
flight = "liner"
code = "7700"
[[event]]
kind = "sensor_outage"
at_s = 200
until_s = 300
sensor = "r3d"
[[event]]
kind = "adsb_spoof"
at_s = 320
until_s = 400
flight = "liner"
offset_m = 5000
bearing_deg = 0
[[event]]
kind = "transponder_off"
at_s = 450
flight = "liner"
"#;
    let run = run(&scenario(events));
    for r in &run.reports {
        let code = r.mode3a.map(|c| c.to_string());
        if r.time_s < 100.0 {
            assert_eq!(code.as_deref(), Some("2301"));
        } else if r.time_s < 450.0 {
            assert_eq!(r.mode3a, Some(Mode3A::EMERGENCY), "at {}", r.time_s);
        }
        if r.time_s >= 450.0 {
            assert_eq!(
                r.kind,
                PlotKind::Psr,
                "transponder off: only skin echoes at {}",
                r.time_s
            );
        }
        let radar = r.kind != PlotKind::Adsb;
        assert!(
            !(radar && (200.0..300.0).contains(&r.time_s)),
            "radar plot during its outage"
        );
        if let Measurement::Position { lat_deg, .. } = r.measurement {
            let t = truth_at(&run, 1, r.time_s).to_geodetic();
            let north_m = (lat_deg - t.lat_deg).to_radians() * 6_335_000.0;
            let spoofed = (320.0..400.0).contains(&r.time_s);
            assert_eq!(
                north_m > 2_500.0,
                spoofed,
                "spoofing at {}: {north_m} m",
                r.time_s
            );
        }
    }
}

#[test]
fn low_targets_hide_below_the_radar_horizon() {
    // Two light aircraft 150 km from the radar: one at 300 m, below the 4/3-Earth horizon
    // (about 94 km for a 30 m mast and a 300 m target), one at 3,000 m, above it.
    let extra = r#"
[[flight]]
name = "low"
aircraft = "light_aircraft"
transponder = false
waypoint = [
  { lat_deg = 17.35, lon_deg = 7.0, alt_m = 300, speed_mps = 60 },
  { lat_deg = 17.35, lon_deg = 9.0, alt_m = 300 },
]
[[flight]]
name = "high"
aircraft = "light_aircraft"
transponder = false
waypoint = [
  { lat_deg = 17.36, lon_deg = 7.0, alt_m = 3000, speed_mps = 60 },
  { lat_deg = 17.36, lon_deg = 9.0, alt_m = 3000 },
]
"#;
    let mut text = scenario(extra);
    text = text.replace(
        "callsign = \"AFR520\"",
        "callsign = \"AFR520\"\nstart_s = 10000",
    );
    let run = run(&text.replace("duration_s = 600", "duration_s = 300"));
    let radar = RadarGeometry::new(Geodetic::new(16.0, 8.0, 30.0), 4.0 / 3.0).unwrap();
    let near = |id: u32, r: &Report| {
        let Measurement::Polar {
            range_m,
            azimuth_rad,
            ..
        } = r.measurement
        else {
            return false;
        };
        let t = radar.polar(truth_at(&run, id, r.time_s));
        (range_m - t.range_m).abs() < 500.0
            && vigie_core::geodesy::wrap_pi(azimuth_rad - t.azimuth_rad).abs() < 0.02
    };
    let low = run.reports.iter().filter(|r| near(2, r)).count();
    let high = run.reports.iter().filter(|r| near(3, r)).count();
    assert_eq!(low, 0, "the low aircraft is below the horizon");
    assert!(
        high >= 25,
        "the high aircraft is seen: {high} plots in 30 scans"
    );
}

#[test]
fn the_niger_exercise_has_its_cast() {
    let overrides = vigie_sim::Overrides {
        seed: None,
        duration_s: Some(1_800.0),
    };
    let mut sim = common::sim(common::NIGER, overrides);
    let plans = sim.plans().to_vec();
    let intruders: Vec<_> = plans
        .iter()
        .filter(|p| p.origin == vigie_sim::flight::Origin::Intruder)
        .collect();
    assert_eq!(intruders.len(), 5);
    assert!(intruders
        .iter()
        .all(|p| !p.identity.transponder && !p.identity.adsb));
    assert!(plans.len() >= 20, "{} flights", plans.len());
    let mut emergency_seen = false;
    let mut kinds = HashMap::new();
    while let Some(f) = sim.next_frame() {
        for r in &f.reports {
            *kinds.entry(r.kind.as_str()).or_insert(0) += 1;
            emergency_seen |= r.mode3a == Some(Mode3A::EMERGENCY);
            assert!(r.time_s >= f.time_s && r.time_s < f.time_s + 1.0);
        }
        assert!(
            f.reports.windows(2).all(|w| w[0].time_s <= w[1].time_s),
            "reports sorted in time"
        );
    }
    assert!(emergency_seen, "the 7700 squawk must be heard");
    for k in ["psr", "ssr", "cmb", "adsb"] {
        assert!(
            kinds.get(k).copied().unwrap_or(0) > 0,
            "no {k} reports: {kinds:?}"
        );
    }
}

#[test]
fn a_region_can_come_from_a_geojson_file() {
    let dir = common::temp_dir("geojson-region");
    std::fs::write(
        dir.join("square.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Square"},
            "geometry":{"type":"Polygon","coordinates":[[[5,15],[7,15],[7,17],[5,17],[5,15]]]}}]}"#,
    )
    .unwrap();
    let text = scenario("").replace("builtin = \"NER\"", "geojson = \"square.geojson\"");
    let path = dir.join("scenario.toml");
    std::fs::write(&path, &text).unwrap();
    let mut sim = vigie_sim::load(&path, Default::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sim.region().country.name, "Square");
    assert!(sim.region().contains(16.0, 6.0) && !sim.region().contains(18.0, 6.0));
    let mut reports = 0;
    while let Some(f) = sim.next_frame() {
        reports += f.reports.len();
    }
    assert!(reports > 500, "{reports} reports");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An SRTM 3″ tile (1,201 × 1,201 big-endian heights) at `height_m` everywhere.
fn flat_hgt(height_m: i16) -> Vec<u8> {
    height_m.to_be_bytes().repeat(1201 * 1201)
}

#[test]
fn a_custom_region_sees_over_its_own_dem() {
    let dir = common::temp_dir("region-dem");
    std::fs::write(
        dir.join("square.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Square"},
            "geometry":{"type":"Polygon","coordinates":[[[5,15],[9,15],[9,18],[5,18],[5,15]]]}}]}"#,
    )
    .unwrap();
    std::fs::write(dir.join("N16E008.hgt"), flat_hgt(812)).unwrap();
    let text = scenario("").replace(
        "builtin = \"NER\"",
        "geojson = \"square.geojson\"\ndem = \"N16E008.hgt\"",
    );
    let path = dir.join("scenario.toml");
    std::fs::write(&path, &text).unwrap();
    let sim = vigie_sim::load(&path, Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let dem = sim.terrain().expect("the scenario's DEM");
    assert_eq!(dem.height(16.5, 8.5), Some(812.0));
    // The mast stands on the tile's ground, not on `ground_elevation_m`.
    let r3d = &sim.sensor_table().sensor[0];
    assert!((r3d.height_m - 842.0).abs() < 1e-6, "{}", r3d.height_m);

    // A missing tile names the field and the file.
    std::fs::write(&path, text.replace("N16E008.hgt", "N99E999.hgt")).unwrap();
    let Err(err) = vigie_sim::load(&path, Default::default()) else {
        panic!("a missing DEM must be an error");
    };
    let err = err.to_string();
    assert!(
        err.contains("region.dem") && err.contains("N99E999.hgt"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stations_hearing_one_squitter_report_one_position() {
    let second = r#"
[[adsb]]
id = "gs2"
lat_deg = 17.0
lon_deg = 9.0
loss = 0.1
"#;
    let run = run(&scenario(second));
    let mut by_time: HashMap<i64, Vec<&Report>> = HashMap::new();
    for r in run.reports.iter().filter(|r| r.kind == PlotKind::Adsb) {
        by_time
            .entry((r.time_s * 1000.0).round() as i64)
            .or_default()
            .push(r);
    }
    let pairs: Vec<_> = by_time.values().filter(|v| v.len() == 2).collect();
    assert!(pairs.len() > 400, "{} squitters heard twice", pairs.len());
    for p in pairs {
        assert_ne!(p[0].sensor, p[1].sensor);
        assert_eq!(
            p[0].measurement, p[1].measurement,
            "one squitter, one position"
        );
    }
}
