//! The tracker under the national load (`scenarios/bench-national.toml`: 2,000 aircraft
//! airborne, 30 radars, 15 ADS-B stations), fed in process from the simulator, one core.
//! Prints reports per second of tracker time, the live track count, and the distribution of
//! the time each report takes to go through the tracker (the reorder window's deliberate
//! delay excluded). VIGIE_BENCH_DURATION_S sets the simulated time (default 900 s);
//! VIGIE_BENCH_SCENARIO another scenario. The scale run of the tracker issue (40,000 tracks,
//! 20,000 reports/s): `python3 bench/make_national.py 30 0.1` writes
//! scenarios/bench-national-x30-adsb0.1.toml (30× the traffic, one flight in ten with ADS-B),
//! then `VIGIE_BENCH_SCENARIO=scenarios/bench-national-x30-adsb0.1.toml
//! VIGIE_BENCH_DURATION_S=600 cargo bench -p vigie-track --bench national` (about 15 min).
//! Run: `cargo bench -p vigie-track --bench national`.

use std::path::Path;
use std::time::Instant;

use vigie_track::{Config, Output, Tracker};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join(
        std::env::var("VIGIE_BENCH_SCENARIO")
            .unwrap_or_else(|_| "scenarios/bench-national.toml".into()),
    );
    let duration_s = std::env::var("VIGIE_BENCH_DURATION_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(900.0);
    let overrides = vigie_sim::Overrides {
        seed: None,
        duration_s: Some(duration_s),
    };
    let mut sim = vigie_sim::load(&path, overrides).unwrap_or_else(|e| panic!("{e}"));
    let mut tracker = Tracker::new(Config::default(), sim.sensor_table());
    let mut out = Output::default();
    let mut per_report_ns: Vec<u32> = Vec::with_capacity(20_000_000);
    let mut tracker_s = 0.0;
    let mut peak_tracks = 0;
    let mut peak_confirmed = 0;
    let mut reports = 0u64;
    while let Some(frame) = sim.next_frame() {
        let frame_start = Instant::now();
        for r in &frame.reports {
            let t = Instant::now();
            tracker.push(*r, &mut out);
            per_report_ns.push(t.elapsed().as_nanos().min(u128::from(u32::MAX)) as u32);
            out.updates.clear();
        }
        tracker_s += frame_start.elapsed().as_secs_f64();
        reports += frame.reports.len() as u64;
        if (frame.time_s as u64).is_multiple_of(60) {
            let confirmed = tracker
                .tracks()
                .filter(|t| t.status == vigie_track::track::Status::Confirmed)
                .count();
            peak_tracks = peak_tracks.max(tracker.tracks().count());
            peak_confirmed = peak_confirmed.max(confirmed);
        }
    }
    per_report_ns.sort_unstable();
    let pct = |p: f64| per_report_ns[((per_report_ns.len() - 1) as f64 * p) as usize] as f64 / 1e6;
    let c = tracker.counters();
    println!(
        "national load, {duration_s:.0} simulated s: {reports} reports ({:.0}/s of simulated time)",
        reports as f64 / duration_s
    );
    println!(
        "tracker time {tracker_s:.2} s: {:.0} reports/s on one core, {:.0}x real time",
        reports as f64 / tracker_s,
        duration_s / tracker_s
    );
    println!(
        "live tracks at peak {peak_tracks}, of which confirmed {peak_confirmed} (confirmed so far {}, tentative started {})",
        c.tracks_confirmed, c.tracks_started
    );
    println!(
        "time in the tracker per report: p50 {:.4} ms, p99 {:.4} ms, p99.9 {:.3} ms, max {:.2} ms",
        pct(0.5),
        pct(0.99),
        pct(0.999),
        pct(1.0)
    );
}
