//! The whole live pipeline through real wire formats and real sockets: the Niger exercise's
//! plots sent as ASTERIX CAT048 and CAT021 over loopback UDP, received and normalised by
//! the ingest, tracked — against the same exercise tracked in process. The picture must be
//! the same: the same aircraft, the same identities, positions within the formats'
//! resolution.

use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::path::Path;
use std::time::Duration;

use vigie_core::interop::TrackRow;
use vigie_core::{Measurement, Report};
use vigie_ingest::asterix::{AsterixEncoder, AsterixIngest};
use vigie_ingest::Counters;
use vigie_track::{Config, Output, Tracker};

mod common;
use common::{free_tcp_port, free_udp_port, Killed as Child};

const EPOCH_UNIX_S: f64 = 1_772_352_000.0;
const DURATION_S: f64 = 600.0;

fn exercise() -> vigie_sim::Simulator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/niger.toml");
    vigie_sim::load(
        &path,
        vigie_sim::Overrides {
            seed: None,
            duration_s: Some(DURATION_S),
        },
    )
    .unwrap()
}

/// The last state of every confirmed track, by Mode S address (or callsign).
fn picture(
    batches: &[(f64, Vec<Report>)],
    table: &vigie_core::SensorTable,
) -> BTreeMap<String, TrackRow> {
    let mut tracker = Tracker::new(Config::default(), table);
    let mut out = Output::default();
    let mut last: BTreeMap<u32, TrackRow> = BTreeMap::new();
    for (_, reports) in batches {
        for r in reports {
            tracker.push(*r, &mut out);
        }
        for u in out.updates.drain(..) {
            last.insert(u.row.track_id, u.row);
        }
        for id in out.ended.drain(..) {
            last.remove(&id);
        }
    }
    last.into_values()
        .filter(|t| t.time_s > DURATION_S - 30.0)
        .filter_map(|t| {
            let key = t
                .mode_s
                .map(|m| m.to_string())
                .or(t.callsign.map(|c| c.to_string()))?;
            Some((key, t))
        })
        .collect()
}

#[test]
fn the_exercise_over_udp_gives_the_in_process_picture() {
    let mut sim = exercise();
    let table = sim.sensor_table().clone();
    let mut direct: Vec<(f64, Vec<Report>)> = Vec::new();
    while let Some(f) = sim.next_frame() {
        direct.push((f.time_s, f.reports.clone()));
    }

    // The same frames, over the wire: one datagram per sensor and category per second.
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let to = rx.local_addr().unwrap();
    let sender = {
        let table = table.clone();
        let direct = direct.clone();
        std::thread::spawn(move || {
            let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
            let enc = AsterixEncoder::new(EPOCH_UNIX_S);
            let mut sent = 0;
            for (_, reports) in &direct {
                let mut by: BTreeMap<(u16, u8), Vec<Vec<u8>>> = BTreeMap::new();
                for r in reports {
                    let spec = &table.sensor[usize::from(r.sensor.0)];
                    let (cat, rec) = match r.measurement {
                        Measurement::Polar { .. } => (48, enc.cat048(r, spec).unwrap()),
                        Measurement::Position { .. } => (21, enc.cat021(r, spec).unwrap()),
                    };
                    by.entry((r.sensor.0, cat)).or_default().push(rec);
                }
                for ((_, cat), recs) in by {
                    for chunk in recs.chunks(40) {
                        tx.send_to(&vigie_codec::asterix::value::block(cat, chunk).unwrap(), to)
                            .unwrap();
                        sent += 1;
                    }
                }
                // Loopback drops nothing at this pace.
                std::thread::sleep(Duration::from_micros(500));
            }
            tx.send_to(b"end", to).unwrap();
            sent
        })
    };
    let ingest = AsterixIngest::new(&table, EPOCH_UNIX_S);
    let mut counters = Counters::default();
    let mut received: Vec<Report> = Vec::new();
    let mut buf = vec![0u8; 65_536];
    let mut datagrams = 0;
    loop {
        let n = rx.recv(&mut buf).expect("the sender is alive");
        if &buf[..n] == b"end" {
            break;
        }
        datagrams += 1;
        // Received "now": the report's own time plus a network delay.
        ingest.datagram(
            &buf[..n],
            EPOCH_UNIX_S + received.last().map_or(0.0, |r| r.time_s) + 0.2,
            &mut counters,
            &mut received,
        );
    }
    assert_eq!(
        datagrams,
        sender.join().unwrap(),
        "loopback lost datagrams: {counters:?}"
    );
    let sent: usize = direct.iter().map(|(_, r)| r.len()).sum();
    assert_eq!(received.len(), sent, "{counters:?}");
    // Batches of a second, sorted, as the live pipeline feeds the tracker.
    let mut wire: Vec<(f64, Vec<Report>)> = Vec::new();
    for (t, reports) in &direct {
        let _ = reports;
        let mut batch: Vec<Report> = received
            .iter()
            .filter(|r| r.time_s >= *t && r.time_s < t + 1.0)
            .copied()
            .collect();
        batch.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
        wire.push((*t, batch));
    }

    let a = picture(&direct, &table);
    let b = picture(&wire, &table);
    println!(
        "{} tracks in process, {} over the wire; {counters:?}",
        a.len(),
        b.len()
    );
    assert!(a.len() >= 6, "the exercise has traffic: {}", a.len());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same aircraft"
    );
    for (k, x) in &a {
        let y = &b[k];
        let d_m = ((x.lat_deg - y.lat_deg).powi(2)
            + ((x.lon_deg - y.lon_deg) * x.lat_deg.to_radians().cos()).powi(2))
        .sqrt()
            * 111_195.0;
        assert!(d_m < 150.0, "{k}: {d_m:.0} m apart");
        assert_eq!((x.mode3a, x.callsign), (y.mode3a, y.callsign), "{k}");
    }
}

/// A port nobody listens on now.

#[test]
fn vigie_serve_hears_vigie_sim_over_udp_and_sends_cat062() {
    use std::process::Command;
    let bin = env!("CARGO_BIN_EXE_vigie");
    let dir = std::env::temp_dir().join(format!("vigie-wire-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/niger.toml");
    // The sensor table the sender declares (written by `vigie sim`).
    common::sim_sensors(&dir.join("sim"));
    common::add_user(
        &dir.join("users.toml"),
        "ana",
        "observer",
        "wire-test-password",
    );
    let (feed, http) = (free_udp_port(), free_tcp_port());
    let tracks_out = UdpSocket::bind("127.0.0.1:0").unwrap();
    tracks_out
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    std::fs::write(
        dir.join("vigie.toml"),
        format!(
            "bind = \"127.0.0.1:{http}\"\nusers = \"users.toml\"\naudit = \"audit.jsonl\"\n\
             [feed]\nsensors = \"sim/sensors.toml\"\n\
             [[feed.source]]\nname = \"exercise\"\nurl = \"udp://127.0.0.1:{feed}\"\nformat = \"asterix\"\n\
             [output.cat062]\nudp = \"{}\"\nfile = \"tracks.ast\"\nsac = 100\nsic = 250\n",
            tracks_out.local_addr().unwrap()
        ),
    )
    .unwrap();
    let _serve = Child(
        Command::new(bin)
            .args(["serve", "--config"])
            .arg(dir.join("vigie.toml"))
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_secs(2));
    let _sim = Child(
        Command::new(bin)
            .args([
                "sim",
                "-q",
                "--speed",
                "10",
                "--duration-s",
                "150",
                "--udp",
                &format!("127.0.0.1:{feed}"),
                "--out",
            ])
            .arg(dir.join("sim"))
            .arg(&scenario)
            .spawn()
            .unwrap(),
    );
    // CAT062 comes back within the run: tracks, decoded by the codec.
    let editions = vigie_codec::asterix::Editions::default();
    let mut addresses = std::collections::BTreeSet::new();
    let mut buf = vec![0u8; 65_536];
    let deadline = std::time::Instant::now() + Duration::from_secs(25);
    while std::time::Instant::now() < deadline && addresses.len() < 5 {
        let Ok(n) = tracks_out.recv(&mut buf) else {
            continue;
        };
        for block in vigie_codec::asterix::blocks(&buf[..n]) {
            for rec in block.unwrap().records(&editions) {
                if let Some(a) = rec.unwrap().get("380", &["ADR"]) {
                    addresses.insert(a.raw);
                }
            }
        }
    }
    assert!(
        addresses.len() >= 5,
        "tracks with a Mode S address out as CAT062: {addresses:?}"
    );
    // The same blocks go to the file.
    let file = std::fs::read(dir.join("tracks.ast")).unwrap();
    let records: usize = vigie_codec::asterix::blocks(&file)
        .map(|b| b.unwrap().records(&editions).count())
        .sum();
    assert!(records >= 5, "{records} CAT062 records in the file");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_recorded_feed_replays_the_same_datagrams() {
    use std::process::Command;
    let bin = env!("CARGO_BIN_EXE_vigie");
    let dir = std::env::temp_dir().join(format!("vigie-record-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (feed, again) = (free_udp_port(), UdpSocket::bind("127.0.0.1:0").unwrap());
    let pcap = dir.join("feed.pcap");
    let recorder = Command::new(bin)
        .args([
            "record",
            "--from",
            &format!("udp://127.0.0.1:{feed}"),
            "--duration-s",
            "6",
            "--out",
        ])
        .arg(&pcap)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/niger.toml");
    let sent = Command::new(bin)
        .args([
            "sim",
            "-q",
            "--speed",
            "20",
            "--duration-s",
            "60",
            "--udp",
            &format!("127.0.0.1:{feed}"),
            "--out",
        ])
        .arg(dir.join("sim"))
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(sent.status.success());
    let recorded = recorder.wait_with_output().unwrap();
    assert!(recorded.status.success());
    let text = String::from_utf8_lossy(&sent.stderr);
    let datagrams: usize = text
        .split("records in ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("vigie sim says how many datagrams it sent");
    // Played back, faster, to another port: the same datagrams arrive.
    again
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let replay = Child(
        Command::new(bin)
            .arg("replay")
            .arg(&pcap)
            .args([
                "--speed",
                "50",
                "--to",
                &format!("udp://{}", again.local_addr().unwrap()),
            ])
            .spawn()
            .unwrap(),
    );
    let mut buf = vec![0u8; 65_536];
    let mut got = 0;
    while again.recv(&mut buf).is_ok() {
        got += 1;
    }
    drop(replay);
    assert_eq!(got, datagrams, "every datagram recorded and replayed");
    let decoded = Command::new(bin).arg("decode").arg(&pcap).output().unwrap();
    let lines = String::from_utf8_lossy(&decoded.stdout).lines().count();
    assert!(
        lines > datagrams,
        "{lines} records decoded from {datagrams} datagrams"
    );
    std::fs::remove_dir_all(&dir).ok();
}
