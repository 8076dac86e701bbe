//! A radar out of registration (300 m in range, 0.4° in azimuth) is corrected from the
//! ADS-B-equipped aircraft it sees, and its plots then join their tracks.

use std::path::Path;

use vigie_track::{Config, Output, Tracker};

fn scenario(bias_range_m: f64, bias_azimuth_deg: f64) -> String {
    let mut s = format!(
        r#"
duration_s = 1500
seed = 3
start_time = "2026-03-01T08:00:00Z"
[region]
builtin = "NER"
[[radar]]
id = "biased"
lat_deg = 16.0
lon_deg = 8.0
mast_m = 30
rotation_period_s = 10
range_m = 400000
sigma_range_m = 50
sigma_azimuth_deg = 0.1
bias_range_m = {bias_range_m}
bias_azimuth_deg = {bias_azimuth_deg}
pd_reference = {{ range_m = 400000, rcs_m2 = 1.0, pd = 0.95 }}
ssr = {{ mode = "mode_s", pd = 0.98 }}
[[adsb]]
id = "gs"
lat_deg = 16.0
lon_deg = 8.0
"#
    );
    for i in 0..8 {
        let lat = 14.5 + 0.4 * i as f64;
        s += &format!(
            "[[flight]]\nname = \"f{i}\"\naircraft = \"airliner\"\nadsb = true\nwaypoint = [ {{ lat_deg = {lat}, lon_deg = 5.5, alt_m = 10000, speed_mps = 230 }}, {{ lat_deg = {lat}, lon_deg = 11.0, alt_m = 10000 }} ]\n"
        );
    }
    s
}

fn run(text: &str) -> Tracker {
    let mut sim =
        vigie_sim::from_text(text, Path::new("registration.toml"), Default::default()).unwrap();
    let mut tracker = Tracker::new(Config::default(), sim.sensor_table());
    let mut out = Output::default();
    while let Some(frame) = sim.next_frame() {
        for r in &frame.reports {
            tracker.push(*r, &mut out);
        }
        out.updates.clear();
    }
    tracker.flush(&mut out);
    tracker
}

#[test]
fn estimates_and_removes_a_radar_bias() {
    let tracker = run(&scenario(300.0, 0.4));
    let (_, bias) = tracker.registration().estimates().next().unwrap();
    eprintln!(
        "estimated {:.1} m, {:.4}°, from {} samples",
        bias.range_m,
        bias.azimuth_rad.to_degrees(),
        bias.samples
    );
    assert!(bias.samples > 500, "{} samples", bias.samples);
    assert!(
        (bias.range_m - 300.0).abs() < 15.0,
        "range bias {}",
        bias.range_m
    );
    assert!(
        (bias.azimuth_rad.to_degrees() - 0.4).abs() < 0.02,
        "azimuth bias {}",
        bias.azimuth_rad.to_degrees()
    );
    // One track per aircraft: the corrected radar plots join the ADS-B tracks.
    let live = tracker.tracks().filter(|t| t.number.is_some()).count();
    assert!(live <= 9, "{live} confirmed tracks for 8 aircraft");
    let radar_contributes = tracker
        .tracks()
        .filter(|t| t.number.is_some() && t.sensors.iter().any(|(s, _)| s.0 == 0))
        .count();
    assert!(
        radar_contributes >= 7,
        "the radar updates only {radar_contributes} of the tracks"
    );
}

#[test]
fn a_registered_radar_gets_no_correction() {
    let tracker = run(&scenario(0.0, 0.0));
    let (_, bias) = tracker.registration().estimates().next().unwrap();
    assert!(
        bias.range_m.abs() < 10.0 && bias.azimuth_rad.to_degrees().abs() < 0.01,
        "{bias:?}"
    );
}
