//! One simulated hour of the national load (`scenarios/bench-national.toml`: 2,000 aircraft
//! airborne, 30 radars, 15 ADS-B stations) through the in-process streaming API, on one core.
//! Prints simulated seconds per wall-clock second. Run with `bench/sim-speed.sh`, or
//! `cargo bench -p vigie-sim --bench sim`; VIGIE_BENCH_DURATION_S shortens the run.

use std::path::Path;
use std::time::Instant;

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/bench-national.toml");
    let duration_s = std::env::var("VIGIE_BENCH_DURATION_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3600.0);
    let overrides = vigie_sim::Overrides {
        seed: None,
        duration_s: Some(duration_s),
    };
    let t = Instant::now();
    let mut sim = vigie_sim::load(&path, overrides).unwrap_or_else(|e| panic!("{e}"));
    let build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut reports = 0u64;
    let mut first_frame_s = 0.0;
    while let Some(frame) = sim.next_frame() {
        if first_frame_s == 0.0 {
            first_frame_s = t.elapsed().as_secs_f64();
        }
        reports += frame.reports.len() as u64;
    }
    let run_s = t.elapsed().as_secs_f64();
    let frames_s = run_s - first_frame_s;
    let stats = sim.stats();
    println!(
        "national load: {} flights, {} airborne at peak, 30 radars, 15 ADS-B stations",
        stats.flights, stats.max_airborne
    );
    println!("build {build_s:.2} s, warm-up (first frame) {first_frame_s:.2} s, {duration_s:.0} simulated s in {frames_s:.2} s");
    println!(
        "sim speed: {:.0}x real time ({:.0}x with warm-up), {:.2} M reports, {:.2} M reports/s",
        duration_s / frames_s,
        duration_s / run_s,
        reports as f64 / 1e6,
        reports as f64 / run_s / 1e6
    );
}
