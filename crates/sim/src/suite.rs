//! The tracker's scenario suite: many seeded radar scenarios, varied where trackers differ.
//!
//! One benchmark scenario proves little: a tracker tuned on it learns it. The suite draws
//! each case's conditions from its own seed: target density, the radars' Pd (0.6–0.98),
//! clutter (none to 500 plots per scan, over the whole coverage or a zone around the site),
//! scan period (4–12 s), 2-D or 3-D radars, one to three overlapping radars, with or
//! without an ADS-B station, the manoeuvre mix (airliners crossing, fighters turning at
//! 4–10 °/s, drones, light aircraft hugging the ground) and terrain (the Aïr massif, where
//! hills hide low targets). Targets enter and leave coverage during the run, so track birth
//! and death are scored, not only following.
//!
//! Even cases are for tuning, odd ones are held back: a change is judged on the half it was
//! not tuned on. Each case is an ordinary scenario file's text, so a case can be written out,
//! read, and run by `vigie sim` like any other.

use std::f64::consts::TAU;
use std::fmt::Write;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The suite's seeds start here: case `i` draws from `SUITE_SEED + i`.
pub const SUITE_SEED: u64 = 17_000;

/// Which half of the suite a case is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// Cases a tracker's settings may be tuned on.
    Tune,
    /// Cases kept for judging whether the tuning generalises.
    Held,
}

impl Half {
    pub fn name(self) -> &'static str {
        match self {
            Half::Tune => "tune",
            Half::Held => "held",
        }
    }
}

/// One case: its conditions, in words and numbers, and its scenario file's text.
#[derive(Debug, Clone)]
pub struct Case {
    pub index: usize,
    pub half: Half,
    pub name: String,
    pub radars: usize,
    pub three_d: bool,
    pub adsb: bool,
    pub terrain: bool,
    pub targets: usize,
    pub pd: f64,
    pub clutter_per_scan: f64,
    /// The radars' scan period (each radar of a network a few per cent slower than the last).
    pub scan_s: f64,
    pub toml: String,
}

/// The first `n` cases of the suite.
pub fn cases(n: usize, duration_s: f64) -> Vec<Case> {
    (0..n).map(|i| case(i, duration_s)).collect()
}

/// Where a case's radars stand: a flat part of Niger, or beside the Aïr massif.
const FLAT_SITE: (f64, f64) = (14.5, 6.0);
const AIR_SITE: (f64, f64) = (18.2, 8.4);
const KM_PER_DEG_LAT: f64 = 110.6;

pub fn case(index: usize, duration_s: f64) -> Case {
    let seed = SUITE_SEED + index as u64;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let terrain = rng.random::<f64>() < 0.3;
    let radars = match rng.random::<f64>() {
        u if u < 0.5 => 1,
        u if u < 0.8 => 2,
        _ => 3,
    };
    let three_d = rng.random::<f64>() < 0.6;
    let adsb = rng.random::<f64>() < 0.4;
    let targets = rng.random_range(5..=60usize);
    let pd = 0.6 + 0.38 * rng.random::<f64>();
    let clutter_per_scan = if rng.random::<f64>() < 0.15 {
        0.0
    } else {
        (5f64.ln() + rng.random::<f64>() * (500f64 / 5.0).ln()).exp()
    };
    let scan_s = [4.0, 5.0, 6.0, 8.0, 10.0, 12.0][rng.random_range(0..6usize)];
    let range_km = rng.random_range(100.0..200.0);
    let clutter_zone_km = (rng.random::<f64>() < 0.5).then(|| rng.random_range(30.0..80.0));
    let mut c = Case {
        index,
        half: if index.is_multiple_of(2) { Half::Tune } else { Half::Held },
        name: format!(
            "case-{index:02}: {radars} {} radar{}, Pd {pd:.2}, {clutter_per_scan:.0} clutter/scan, {scan_s} s scan, {targets} targets{}{}",
            if three_d { "3-D" } else { "2-D" },
            if radars > 1 { "s" } else { "" },
            if adsb { ", ADS-B" } else { "" },
            if terrain { ", terrain" } else { "" },
        ),
        radars,
        three_d,
        adsb,
        terrain,
        targets,
        pd,
        clutter_per_scan,
        scan_s,
        toml: String::new(),
    };
    c.toml = scenario_text(&c, &mut rng, seed, duration_s, range_km, clutter_zone_km);
    c
}

/// The tracker's scaling case (`cargo bench -p vigie-track --bench scaling`): one 3-D radar
/// over flat ground, 6 s scan, Pd 0.9, `targets` aircraft of the usual mix and
/// `clutter_per_scan` false plots per scan over its 200 km.
pub fn scaling(targets: usize, clutter_per_scan: f64, duration_s: f64) -> Case {
    let seed = SUITE_SEED ^ 0x5ca1e;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let c = Case {
        index: 1_000,
        half: Half::Held,
        name: format!("scaling: {targets} targets, {clutter_per_scan:.0} clutter/scan"),
        radars: 1,
        three_d: true,
        adsb: false,
        terrain: false,
        targets,
        pd: 0.9,
        clutter_per_scan,
        scan_s: 6.0,
        toml: String::new(),
    };
    let toml = scenario_text(&c, &mut rng, seed, duration_s, 200.0, None);
    Case { toml, ..c }
}

fn scenario_text(
    c: &Case,
    rng: &mut ChaCha8Rng,
    seed: u64,
    duration_s: f64,
    range_km: f64,
    clutter_zone_km: Option<f64>,
) -> String {
    let centre = if c.terrain { AIR_SITE } else { FLAT_SITE };
    let (radars, adsb, targets, terrain) = (c.radars, c.adsb, c.targets, c.terrain);
    let mut t = String::new();
    let _ = writeln!(t, "# The tracker suite's {} (vigie_sim::suite).", c.name);
    let _ = writeln!(t, "name = \"{}\"", c.name);
    let _ = writeln!(t, "duration_s = {duration_s}");
    let _ = writeln!(t, "seed = {seed}");
    let _ = writeln!(t, "start_time = \"2026-03-01T08:00:00Z\"");
    let _ = writeln!(t, "\n[region]\nbuiltin = \"NER\"\nterrain = {terrain}");
    let sites = radar_sites(rng, centre, radars, range_km);
    for (k, &(lat, lon)) in sites.iter().enumerate() {
        write_radar(&mut t, rng, c, k, (lat, lon), range_km, clutter_zone_km);
    }
    if adsb {
        let _ = writeln!(
            t,
            "\n[[adsb]]\nid = \"adsb\"\nlat_deg = {:.5}\nlon_deg = {:.5}\nrange_m = 400000\nloss = 0.05",
            centre.0, centre.1
        );
    }
    for k in 0..targets {
        write_flight(&mut t, rng, c, k, centre, range_km);
    }
    t
}

/// `n` sites within half a range of `centre`, so their coverages overlap.
fn radar_sites(
    rng: &mut ChaCha8Rng,
    centre: (f64, f64),
    n: usize,
    range_km: f64,
) -> Vec<(f64, f64)> {
    let first = rng.random::<f64>() * TAU;
    (0..n)
        .map(|k| {
            if n == 1 {
                return centre;
            }
            let a = first + TAU * k as f64 / n as f64;
            offset(centre, 0.45 * range_km * a.sin(), 0.45 * range_km * a.cos())
        })
        .collect()
}

fn offset(at: (f64, f64), east_km: f64, north_km: f64) -> (f64, f64) {
    let lat = at.0 + north_km / KM_PER_DEG_LAT;
    let lon = at.1 + east_km / (KM_PER_DEG_LAT * at.0.to_radians().cos());
    (lat, lon)
}

fn write_radar(
    t: &mut String,
    rng: &mut ChaCha8Rng,
    c: &Case,
    k: usize,
    (lat, lon): (f64, f64),
    range_km: f64,
    clutter_zone_km: Option<f64>,
) {
    // Radars of one network are not in step: each has its own phase, a slightly different
    // period, and its own accuracy.
    let period = c.scan_s * (1.0 + 0.03 * k as f64);
    let sigma_range = rng.random_range(30.0..120.0);
    let sigma_az = rng.random_range(0.08..0.25);
    let _ = writeln!(t, "\n[[radar]]\nid = \"radar-{k}\"");
    let _ = writeln!(t, "lat_deg = {lat:.5}\nlon_deg = {lon:.5}\nmast_m = 30");
    let _ = writeln!(
        t,
        "rotation_period_s = {period:.3}\nrange_m = {:.0}",
        range_km * 1000.0
    );
    let _ = writeln!(t, "three_d = {}", c.three_d);
    let _ = writeln!(
        t,
        "sigma_range_m = {sigma_range:.0}\nsigma_azimuth_deg = {sigma_az:.3}"
    );
    if c.three_d {
        let _ = writeln!(t, "sigma_elevation_deg = {:.3}", rng.random_range(0.2..0.4));
    }
    let _ = writeln!(
        t,
        "pd_reference = {{ range_m = {:.0}, rcs_m2 = 1.0, pd = {:.3} }}\npd_fixed = {:.3}",
        range_km * 1000.0,
        c.pd,
        c.pd
    );
    let _ = writeln!(t, "false_alarms_per_scan = {:.1}", c.clutter_per_scan);
    if let Some(z) = clutter_zone_km {
        let _ = writeln!(t, "false_alarm_range_m = {:.0}", z * 1000.0);
    }
    // A 2-D radar without a secondary gives no height at all; most have one.
    if !c.three_d && rng.random::<f64>() < 0.7 {
        let mode = if rng.random::<f64>() < 0.5 {
            "mode_s"
        } else {
            "mode_ac"
        };
        let _ = writeln!(t, "ssr = {{ mode = \"{mode}\", pd = 0.97 }}");
    }
}

#[derive(Clone, Copy)]
enum Class {
    Airliner,
    Fighter,
    Drone,
    Low,
}

fn write_flight(
    t: &mut String,
    rng: &mut ChaCha8Rng,
    c: &Case,
    k: usize,
    centre: (f64, f64),
    range_km: f64,
) {
    // The case's manoeuvre mix: every case has its own shares of each class.
    let class = {
        let mix = mix_of(c);
        let u = rng.random::<f64>() * mix.iter().sum::<f64>();
        let mut acc = 0.0;
        let mut chosen = Class::Airliner;
        for (w, class) in
            mix.iter()
                .zip([Class::Airliner, Class::Fighter, Class::Drone, Class::Low])
        {
            acc += w;
            if u < acc {
                chosen = class;
                break;
            }
        }
        chosen
    };
    let transponder = c.adsb && rng.random::<f64>() < 0.6 || rng.random::<f64>() < 0.3;
    let start_s = if rng.random::<f64>() < 0.3 {
        rng.random_range(0.0..300.0)
    } else {
        0.0
    };
    let (aircraft, turn) = match class {
        Class::Airliner => ("airliner", None),
        Class::Fighter => ("fighter", Some(rng.random_range(4.0..10.0))),
        Class::Drone => ("small_uav", None),
        Class::Low => ("light_aircraft", None),
    };
    let _ = writeln!(
        t,
        "\n[[flight]]\nname = \"{aircraft}-{k}\"\naircraft = \"{aircraft}\""
    );
    if start_s > 0.0 {
        let _ = writeln!(t, "start_s = {start_s:.0}");
    }
    let _ = writeln!(t, "transponder = {transponder}");
    if transponder {
        let _ = writeln!(
            t,
            "mode_s = \"{:06X}\"\nsquawk = \"{:04o}\"",
            0x0A_0000 + k as u32 * 7 + c.index as u32 * 131,
            0o1000 + k as u32
        );
        if c.adsb {
            let _ = writeln!(t, "adsb = true");
        }
    }
    if let Some(turn) = turn {
        let _ = writeln!(t, "turn_rate_max_deg_s = {turn:.1}");
    }
    let waypoints = route(rng, class, c, centre, range_km);
    let _ = writeln!(t, "waypoint = [");
    for (i, (lat, lon, alt, speed)) in waypoints.iter().enumerate() {
        let alt = match class {
            Class::Low | Class::Drone if c.terrain => format!("height_agl_m = {alt:.0}"),
            _ => format!("alt_m = {alt:.0}"),
        };
        let speed = if i == 0 {
            format!(", speed_mps = {speed:.0}")
        } else {
            String::new()
        };
        let _ = writeln!(
            t,
            "  {{ lat_deg = {lat:.5}, lon_deg = {lon:.5}, {alt}{speed} }},"
        );
    }
    let _ = writeln!(t, "]");
}

/// The weights of airliners, fighters, drones and low fliers in a case.
fn mix_of(c: &Case) -> [f64; 4] {
    let mut rng = ChaCha8Rng::seed_from_u64(SUITE_SEED ^ 0x5eed ^ c.index as u64);
    let mut w: [f64; 4] = [(); 4].map(|_| rng.random::<f64>());
    if !c.terrain {
        w[3] *= 0.3;
    }
    w
}

/// Waypoints (lat, lon, altitude or height, speed) of one flight.
fn route(
    rng: &mut ChaCha8Rng,
    class: Class,
    c: &Case,
    centre: (f64, f64),
    range_km: f64,
) -> Vec<(f64, f64, f64, f64)> {
    let r = range_km;
    let random_point = |rng: &mut ChaCha8Rng, radius_km: f64, around: (f64, f64)| {
        let a = rng.random::<f64>() * TAU;
        let d = radius_km * rng.random::<f64>().sqrt();
        offset(around, d * a.sin(), d * a.cos())
    };
    match class {
        // Straight across: some start inside coverage, some enter, most leave in the run.
        Class::Airliner => {
            let (lat, lon) = random_point(rng, 1.1 * r, centre);
            let heading = rng.random::<f64>() * TAU;
            let (lat1, lon1) = offset((lat, lon), 500.0 * heading.sin(), 500.0 * heading.cos());
            let alt = rng.random_range(8_000.0..12_000.0);
            let speed = rng.random_range(200.0..250.0);
            vec![(lat, lon, alt, speed), (lat1, lon1, alt, speed)]
        }
        Class::Fighter => {
            let area = random_point(rng, 0.5 * r, centre);
            let alt = rng.random_range(3_000.0..8_000.0);
            let speed = rng.random_range(200.0..300.0);
            (0..16)
                .map(|_| {
                    let (lat, lon) = random_point(rng, 0.25 * r, area);
                    (lat, lon, alt + rng.random_range(-400.0..400.0), speed)
                })
                .collect()
        }
        Class::Drone => {
            let area = random_point(rng, 0.6 * r, centre);
            let alt = if c.terrain {
                rng.random_range(200.0..600.0)
            } else {
                rng.random_range(500.0..1_500.0)
            };
            let speed = rng.random_range(25.0..45.0);
            (0..10)
                .map(|_| {
                    let (lat, lon) = random_point(rng, 8.0, area);
                    (lat, lon, alt, speed)
                })
                .collect()
        }
        // Low and fast enough to cross hills and shadows: a smuggler or an intruder.
        Class::Low => {
            let (lat, lon) = random_point(rng, 0.9 * r, centre);
            let heading = rng.random::<f64>() * TAU;
            let alt = if c.terrain {
                rng.random_range(100.0..300.0)
            } else {
                rng.random_range(600.0..1_200.0)
            };
            let speed = rng.random_range(50.0..80.0);
            (0..6)
                .map(|i| {
                    let bend = heading + rng.random_range(-0.6..0.6);
                    let d = 30.0 * i as f64;
                    let (a, b) = offset((lat, lon), d * bend.sin(), d * bend.cos());
                    (a, b, alt, speed)
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_is_a_valid_scenario_and_the_suite_is_varied() {
        let cases = cases(32, 120.0);
        for c in &cases {
            let sim = crate::from_text(
                &c.toml,
                std::path::Path::new("suite.toml"),
                Default::default(),
            );
            assert!(sim.is_ok(), "{}: {:?}\n{}", c.name, sim.err(), c.toml);
        }
        let pds: Vec<f64> = cases.iter().map(|c| c.pd).collect();
        assert!(pds.iter().any(|&p| p < 0.7) && pds.iter().any(|&p| p > 0.9));
        assert!(cases.iter().any(|c| c.clutter_per_scan == 0.0));
        assert!(cases.iter().any(|c| c.clutter_per_scan > 200.0));
        assert!(cases.iter().any(|c| c.radars > 1) && cases.iter().any(|c| c.radars == 1));
        assert!(cases.iter().any(|c| c.three_d) && cases.iter().any(|c| !c.three_d));
        assert!(cases.iter().any(|c| c.adsb) && cases.iter().any(|c| c.terrain));
        assert!(cases.iter().any(|c| c.scan_s == 4.0) && cases.iter().any(|c| c.scan_s == 12.0));
        assert_eq!(cases.iter().filter(|c| c.half == Half::Held).count(), 16);
    }

    #[test]
    fn a_case_is_the_same_text_every_time() {
        assert_eq!(case(7, 600.0).toml, case(7, 600.0).toml);
    }
}
