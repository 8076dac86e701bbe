//! Cost per plot as the picture grows: one 3-D radar (6 s scan, Pd 0.9), 20 targets with 20
//! clutter plots per scan against 500 targets with 500, the clutter held per target (the
//! issue-17 case where 26× the plots took 135× the CPU). Prints the tracker's plots per
//! second of its own time at each size and their ratio (goal: within 1.5×). One core.
//! Run: `cargo bench -p vigie-track --bench scaling`; VIGIE_BENCH_DURATION_S sets the
//! simulated time (default 600 s).

use std::time::Instant;

use vigie_track::{Config, Output, Tracker};

/// Reports, seconds of tracker time, and the most confirmed tracks at once.
fn run(targets: usize, clutter_per_scan: f64, duration_s: f64) -> (u64, f64, usize) {
    let case = vigie_sim::suite::scaling(targets, clutter_per_scan, duration_s);
    let mut sim = vigie_sim::from_text(
        &case.toml,
        std::path::Path::new("scaling"),
        Default::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut tracker = Tracker::new(Config::default(), sim.sensor_table());
    let mut out = Output::default();
    let (mut reports, mut tracker_s, mut confirmed) = (0u64, 0.0, 0);
    while let Some(frame) = sim.next_frame() {
        let start = Instant::now();
        for r in &frame.reports {
            tracker.push(*r, &mut out);
        }
        tracker.advance(frame.time_s, &mut out);
        out.updates.clear();
        out.ended.clear();
        tracker_s += start.elapsed().as_secs_f64();
        reports += frame.reports.len() as u64;
        if (frame.time_s as u64).is_multiple_of(60) {
            let now = tracker
                .tracks()
                .filter(|t| t.status == vigie_track::track::Status::Confirmed)
                .count();
            confirmed = confirmed.max(now);
        }
    }
    (reports, tracker_s, confirmed)
}

fn main() {
    let duration_s = std::env::var("VIGIE_BENCH_DURATION_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600.0);
    let mut rates = Vec::new();
    for (targets, clutter) in [(20, 20.0), (500, 500.0)] {
        let (reports, s, confirmed) = run(targets, clutter, duration_s);
        let rate = reports as f64 / s;
        println!(
            "{targets:>4} targets, {clutter:>4.0} clutter/scan: {reports:>8} reports in {s:.2} s of tracker time, {rate:>9.0} plots/s on one core, {confirmed} confirmed tracks at most"
        );
        rates.push(rate);
    }
    println!(
        "cost per plot at 500 targets: {:.2}× that at 20 (goal ≤ 1.5×)",
        rates[0] / rates[1]
    );
}
