//! A sensor site on the bus (`vigie ingest`) against a real nats-server: the exercise's
//! CAT048/CAT021 over UDP goes onto the bus; the bus is stopped for a few seconds in the
//! middle and started again on its folder; the site buffers to disk meanwhile and catches
//! up, and the stream holds every batch the site made, once.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use vigie_bus::{Bus, BusConfig, From};

mod common;
use common::{free_udp_port, Killed};

#[test]
fn a_site_buffers_while_the_bus_is_away_and_catches_up_with_nothing_lost() {
    let bin = env!("CARGO_BIN_EXE_vigie");
    let mut server = vigie_bus::test_server::Server::start("site");
    let dir = server.dir.join("site");
    std::fs::create_dir_all(&dir).unwrap();
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/niger.toml");
    common::sim_sensors(&dir.join("sim"));
    let feed = free_udp_port();
    std::fs::write(
        dir.join("site.toml"),
        format!(
            "site = \"west\"\nsensors = \"sim/sensors.toml\"\n[bus]\nurl = \"{}\"\n\
             [buffer]\ndir = \"buffer\"\n\
             [[source]]\nname = \"radars\"\nurl = \"udp://127.0.0.1:{feed}\"\nformat = \"asterix\"\n",
            server.url
        ),
    )
    .unwrap();
    let mut site = Killed(
        Command::new(bin)
            .args(["ingest", "--config"])
            .arg(dir.join("site.toml"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_secs(1));
    let _sim = Killed(
        Command::new(bin)
            .args([
                "sim",
                "-q",
                "--speed",
                "10",
                "--duration-s",
                "90",
                "--udp",
                &format!("127.0.0.1:{feed}"),
                "--out",
            ])
            .arg(dir.join("sim-run"))
            .arg(&scenario)
            .spawn()
            .unwrap(),
    );
    // The bus goes away for four seconds in the middle.
    std::thread::sleep(Duration::from_secs(3));
    let (bus_dir, port) = (server.dir.clone(), server.port);
    server.stop();
    std::thread::sleep(Duration::from_secs(4));
    let _server = vigie_bus::test_server::Server::start_in(bus_dir, port);
    // The exercise's 90 s take 9 s at ×10; then the site catches up and is stopped.
    std::thread::sleep(Duration::from_secs(9));
    let pid = site.0.id().to_string();
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while site.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "vigie ingest did not stop");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut summary = String::new();
    site.0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut summary)
        .unwrap();
    eprintln!("{summary}");
    let number = |after: &str| -> u64 {
        let at = summary
            .find(after)
            .unwrap_or_else(|| panic!("{after:?} in {summary:?}"));
        summary[..at]
            .split_whitespace()
            .last()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (batches, reports, buffered) = (
        number(" batches,"),
        number(" reports;"),
        number(" batches went"),
    );
    assert!(reports > 1_000, "{summary}");
    assert!(buffered > 0, "the disk buffer was used: {summary}");
    // The stream has every batch, once, with every report.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (got_batches, got_reports) = runtime.block_on(async {
        let config = BusConfig {
            retention_s: 3_600.0,
            ..BusConfig::new(&format!("nats://127.0.0.1:{port}"))
        };
        let bus = Bus::connect(&config).await.unwrap();
        let last = bus.last_sequence(vigie_bus::REPORTS_STREAM).await.unwrap();
        let batches: Vec<_> = bus
            .reports(From::Start)
            .await
            .unwrap()
            .take(last as usize)
            .map(|b| b.unwrap())
            .collect()
            .await;
        let reports: usize = batches.iter().map(|b| b.reports.len()).sum();
        // A silent second's heartbeat (an empty batch, the site's clock) is not a batch.
        let with_reports = batches.iter().filter(|b| !b.reports.is_empty()).count();
        (with_reports as u64, reports as u64)
    });
    assert_eq!((got_batches, got_reports), (batches, reports), "{summary}");
}
