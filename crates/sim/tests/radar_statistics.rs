//! The radar model against its own equations, within statistical bounds over many scans.
//! Every run is seeded; a failure prints the seed.

mod common;

use common::assert_within_sigmas;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use vigie_core::{Geodetic, Measurement, Report};
use vigie_sim::radar::RadarModel;
use vigie_sim::scenario::RadarSpec;
use vigie_sim::snapshot::Snapshot;

const SEED: u64 = 0x5EED_0001;
const SITE: Geodetic = Geodetic::new(13.5, 2.1, 0.0);

fn radar(extra: &str, seed: u64) -> RadarModel {
    let spec: RadarSpec = toml::from_str(&format!(
        r#"
        id = "r"
        lat_deg = 13.5
        lon_deg = 2.1
        mast_m = 30
        rotation_period_s = 2
        range_m = 400000
        three_d = true
        sigma_range_m = 50
        sigma_azimuth_deg = 0.15
        sigma_elevation_deg = 0.3
        pd_reference = {{ range_m = 300000, rcs_m2 = 2.0, pd = 0.9 }}
        {extra}
        "#
    ))
    .unwrap();
    RadarModel::new(
        vigie_core::SensorId(0),
        spec,
        0.0,
        0.37,
        ChaCha8Rng::seed_from_u64(seed),
    )
}

/// A target that does not move, at `range_m` along azimuth 60° at 10 km altitude.
fn parked(range_m: f64, rcs_m2: f64) -> Snapshot {
    let p = SITE.destination(60.0, range_m);
    let p = Geodetic::new(p.lat_deg, p.lon_deg, 10_000.0)
        .to_ecef()
        .as_array();
    Snapshot {
        target_id: 1,
        p0: p,
        v0: [0.0; 3],
        p1: p,
        v1: [0.0; 3],
        alt0_m: 10_000.0,
        alt1_m: 10_000.0,
        rcs_m2,
        transponder: false,
        squawk: None,
        mode_s: None,
        callsign: None,
        adsb: false,
        adsb_sigma_m: 0.0,
        adsb_phase_s: 0.0,
        spoof_ne_m: None,
    }
}

fn run(r: &mut RadarModel, targets: &[Snapshot], frames: usize) -> Vec<Vec<Report>> {
    (0..frames)
        .map(|i| {
            let mut out = Vec::new();
            r.sweep(i as f64, 1.0, targets, &mut out, &mut Vec::new());
            out
        })
        .collect()
}

#[test]
fn empirical_pd_follows_the_swerling_1_radar_equation() {
    let cases = [
        (150_000.0, 2.0),
        (300_000.0, 2.0),
        (360_000.0, 2.0),
        (250_000.0, 0.1),
    ];
    for (i, (range_m, rcs_m2)) in cases.into_iter().enumerate() {
        let seed = SEED + i as u64;
        let mut r = radar("", seed);
        let target = parked(range_m, rcs_m2);
        let slant_m = r
            .geometry()
            .polar(vigie_core::Ecef::from_array(target.p0))
            .range_m;
        let pd = r.pd(slant_m, rcs_m2);
        let frames = 8_000;
        let detections = run(&mut r, &[target], frames).into_iter().flatten().count();
        let scans = frames as f64 / 2.0;
        let sigma = (scans * pd * (1.0 - pd)).sqrt();
        let what = format!("detections at {range_m} m of {rcs_m2} m² (Pd {pd:.3})");
        assert_within_sigmas(&what, detections as f64, scans * pd, sigma, 4.5, seed);
    }
}

#[test]
fn reference_point_gives_the_reference_pd() {
    let r = radar("", SEED);
    assert!((r.pd(300_000.0, 2.0) - 0.9).abs() < 1e-12);
    assert!(r.pd(150_000.0, 2.0) > 0.99);
    assert!(
        r.pd(300_000.0, 0.05) < 0.2,
        "a small drone far out is rarely seen"
    );
}

#[test]
fn false_alarms_are_poisson_with_the_configured_mean() {
    let seed = SEED + 10;
    let mut r = radar("false_alarms_per_scan = 20", seed);
    let frames = 6_000;
    let per_frame: Vec<f64> = run(&mut r, &[], frames)
        .iter()
        .map(|f| f.len() as f64)
        .collect();
    // One frame is half a revolution here: its mean is 10 plots.
    let mean_expected = 10.0;
    let n = per_frame.len() as f64;
    let (mean, sd) = common::mean_sd(&per_frame);
    let var = sd * sd;
    assert_within_sigmas(
        "false alarms per half scan",
        mean,
        mean_expected,
        (mean_expected / n).sqrt(),
        4.5,
        seed,
    );
    // Poisson: variance equals mean. The sample variance's sd is about sqrt(2/n)·var.
    assert_within_sigmas(
        "dispersion",
        var / mean,
        1.0,
        (2.0 / n).sqrt() * 1.2,
        4.5,
        seed,
    );
}

#[test]
fn false_alarms_are_uniform_over_the_coverage_area() {
    let seed = SEED + 11;
    let mut r = radar("false_alarms_per_scan = 50", seed);
    let plots: Vec<Report> = run(&mut r, &[], 2_000).into_iter().flatten().collect();
    let ranges: Vec<f64> = plots
        .iter()
        .map(|p| match p.measurement {
            Measurement::Polar { range_m, .. } => range_m,
            _ => unreachable!(),
        })
        .collect();
    // Uniform in area: (r² − r0²) / (r1² − r0²) is uniform on [0, 1].
    let (r0, r1) = (1_000.0f64, 400_000.0f64);
    let n = ranges.len() as f64;
    let inner = ranges
        .iter()
        .filter(|&&r| (r * r - r0 * r0) / (r1 * r1 - r0 * r0) < 0.5)
        .count() as f64;
    assert_within_sigmas(
        "share in the inner half of the area",
        inner / n,
        0.5,
        (0.25 / n).sqrt(),
        4.5,
        seed,
    );
    let north = plots
        .iter()
        .filter(|p| matches!(p.measurement, Measurement::Polar { azimuth_rad, .. } if azimuth_rad < std::f64::consts::PI))
        .count() as f64;
    assert_within_sigmas(
        "share in the eastern half",
        north / n,
        0.5,
        (0.25 / n).sqrt(),
        4.5,
        seed,
    );
}

#[test]
fn measurement_noise_matches_the_sigmas() {
    let seed = SEED + 20;
    let mut r = radar("", seed);
    let truth = vigie_core::Polar {
        range_m: 200_000.0,
        azimuth_rad: 1.0,
        elevation_rad: 0.05,
    };
    let n = 20_000;
    let mut residuals = [vec![], vec![], vec![]];
    for _ in 0..n {
        let m = r.noisy(truth);
        residuals[0].push(m.range_m - truth.range_m);
        residuals[1].push((m.azimuth_rad - truth.azimuth_rad).to_degrees());
        residuals[2].push((m.elevation_rad - truth.elevation_rad).to_degrees());
    }
    for (name, res, sigma) in [
        ("range", &residuals[0], 50.0),
        ("azimuth", &residuals[1], 0.15),
        ("elevation", &residuals[2], 0.3),
    ] {
        let nf = n as f64;
        let (mean, sd) = common::mean_sd(res);
        assert_within_sigmas(
            &format!("{name} bias"),
            mean,
            0.0,
            sigma / nf.sqrt(),
            4.5,
            seed,
        );
        assert_within_sigmas(
            &format!("{name} sd"),
            sd,
            sigma,
            sigma / (2.0 * nf).sqrt(),
            4.5,
            seed,
        );
    }
}
