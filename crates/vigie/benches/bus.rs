//! Reports through the bus end to end at the national load (bench-national.toml: 2,000
//! aircraft, 30 radars, 15 ADS-B stations, ~2,650 reports/s): a real nats-server, a site
//! publishing batches five times a second, `vigie track --bus` (this build) tracking and
//! identifying them and publishing each second's tracks, a console reading the picture.
//!
//! Two figures:
//! - throughput: every batch of N simulated seconds published as fast as the bus takes
//!   them, until the console has the tick that accounts for the last report;
//! - latency at the national rate (real time): from the publish of the batch that closes a
//!   second to the console's receipt of that second's tracks, p50 and p99.
//!
//! Run: `cargo bench -p vigie --bench bus` (VIGIE_BENCH_SECONDS, default 60).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use vigie_bus::{Bus, BusConfig, From, PictureMessage};
use vigie_core::Report;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The national scenario's reports, in batches of a fifth of a second.
fn batches(seconds: f64) -> (vigie_core::SensorTable, Vec<(f64, Vec<Report>)>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/bench-national.toml");
    let overrides = vigie_sim::Overrides {
        seed: None,
        duration_s: Some(seconds),
    };
    let mut sim = vigie_sim::load(&path, overrides).unwrap();
    let table = sim.sensor_table().clone();
    let mut out: Vec<(f64, Vec<Report>)> = Vec::new();
    while let Some(f) = sim.next_frame() {
        if f.time_s < 0.0 {
            continue;
        }
        for k in 0..5 {
            let from = f.time_s + f64::from(k) * 0.2;
            let part: Vec<Report> = f
                .reports
                .iter()
                .filter(|r| r.time_s >= from && r.time_s < from + 0.2)
                .copied()
                .collect();
            // Stamped with its last report's time, as `vigie ingest` stamps a batch.
            let time_s = part.last().map_or(from, |r| r.time_s);
            out.push((time_s, part));
        }
    }
    (table, out)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn run(url: &str, batches: &[(f64, Vec<Report>)], paced: bool) -> (f64, Vec<f64>) {
    let config = BusConfig {
        retention_s: 3_600.0,
        ..BusConfig::new(url)
    };
    let bus = Bus::connect(&config).await.unwrap();
    let total: u64 = batches.iter().map(|b| b.1.len() as u64).sum();
    let mut picture = Box::pin(bus.picture(From::New).await.unwrap());
    let watcher = tokio::spawn(async move {
        let mut arrivals = Vec::new();
        while let Some(Ok(m)) = picture.next().await {
            if let PictureMessage::Tracks {
                time_s, reports, ..
            } = m
            {
                arrivals.push((time_s.floor() as i64, Instant::now()));
                if reports >= total {
                    break;
                }
            }
        }
        arrivals
    });
    let started = Instant::now();
    // When the batch that closes each second was published (the first of a later second).
    let mut closes = std::collections::BTreeMap::new();
    let mut open: Option<i64> = None;
    for (i, (time_s, reports)) in batches.iter().enumerate() {
        if paced {
            let due = Duration::from_secs_f64(i as f64 * 0.2);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
        let second = time_s.floor() as i64;
        if let Some(previous) = open.filter(|p| *p != second) {
            closes.insert(previous, Instant::now());
        }
        open = Some(second);
        bus.publish_reports("bench", &format!("b-{paced}-{i}"), *time_s, reports)
            .await
            .unwrap();
    }
    let last = batches.last().unwrap().0;
    if let Some(previous) = open {
        closes.insert(previous, Instant::now());
    }
    bus.publish_reports("bench", &format!("b-{paced}-end"), last + 1.0, &[])
        .await
        .unwrap();
    let arrivals = tokio::time::timeout(Duration::from_secs(600), watcher)
        .await
        .expect("the picture accounts for every report")
        .unwrap();
    let took_s = started.elapsed().as_secs_f64();
    let latencies: Vec<f64> = arrivals
        .iter()
        .filter_map(|(second, at)| Some(at.duration_since(*closes.get(second)?).as_secs_f64()))
        .collect();
    (total as f64 / took_s, latencies)
}

fn main() {
    // A reader's warnings (a consumer made again) show beside the figures.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::WARN)
        .init();
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seconds: f64 = std::env::var("VIGIE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0);
    let (table, batches) = batches(seconds);
    let reports: usize = batches.iter().map(|b| b.1.len()).sum();
    println!(
        "national load: {seconds} s, {reports} reports ({:.0}/s)",
        reports as f64 / seconds
    );
    for paced in [false, true] {
        let server =
            vigie_bus::test_server::Server::start(if paced { "bench-paced" } else { "bench-fast" });
        let sensors = server.dir.join("sensors.toml");
        std::fs::write(&sensors, table.to_toml().unwrap()).unwrap();
        let _tracker = Killed(
            Command::new(env!("CARGO_BIN_EXE_vigie"))
                .args([
                    "track",
                    "--bus",
                    &server.url,
                    "--name",
                    "bench",
                    "--sensors",
                ])
                .arg(&sensors)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        std::thread::sleep(Duration::from_secs(2));
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (rate, mut latencies) = runtime.block_on(run(&server.url, &batches, paced));
        latencies.sort_by(f64::total_cmp);
        if paced {
            println!(
                "latency at the national rate, publish to console: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} seconds)",
                percentile(&latencies, 0.5) * 1e3,
                percentile(&latencies, 0.99) * 1e3,
                latencies.last().unwrap() * 1e3,
                latencies.len()
            );
        } else {
            println!("throughput, site to console through the bus and the tracker: {rate:.0} reports/s ({:.1}× the national rate)", rate * seconds / reports as f64);
        }
    }
}
