//! The centre's trackers on a real nats-server. A leader and two standbys: the leader is
//! killed (SIGKILL) in the middle of the Niger exercise's reports sent at the national rate;
//! one standby wins the race and takes over within a second, the picture has every second,
//! no report is lost, and the tracks are the ones one tracker alone makes of every report,
//! with the same numbers. Also: everything restarted from the saved state, and a span of
//! the streams cut into a journal from any moment.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use vigie_bus::{Bus, BusConfig, From, PictureMessage};
use vigie_core::interop::TrackRow;
use vigie_core::Report;

mod common;
use common::Killed as Tracker;

fn tracker(url: &str, sensors: &std::path::Path, name: &str) -> Tracker {
    let child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "track",
            "--bus",
            url,
            "--name",
            name,
            "--lease-ms",
            "500",
            "--state-every-s",
            "10",
            "--sensors",
        ])
        .arg(sensors)
        // The Niger exercise's identification setup, as a centre names its own.
        .arg("--ident")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/niger-ident/ident.toml"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(sensors.with_file_name(format!("{name}.log"))).unwrap())
        .spawn()
        .unwrap();
    Tracker(child)
}

/// The exercise's first minutes, one batch a second.
fn batches(seconds: f64) -> (vigie_core::SensorTable, Vec<(f64, Vec<vigie_core::Report>)>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/niger.toml");
    let overrides = vigie_sim::Overrides {
        seed: None,
        duration_s: Some(seconds),
    };
    let mut sim = vigie_sim::load(&path, overrides).unwrap();
    let table = sim.sensor_table().clone();
    let mut out = Vec::new();
    while let Some(f) = sim.next_frame() {
        if f.time_s >= 0.0 {
            out.push((f.time_s, f.reports.clone()));
        }
    }
    (table, out)
}

/// A bus of its own for a test, the exercise's sensor table written in its folder, and the
/// exercise's first `seconds` of batches.
fn exercise_on_a_bus(
    name: &str,
    seconds: f64,
) -> (
    vigie_bus::test_server::Server,
    vigie_core::SensorTable,
    Vec<(f64, Vec<vigie_core::Report>)>,
    std::path::PathBuf,
) {
    let server = vigie_bus::test_server::Server::start(name);
    let (table, batches) = batches(seconds);
    let sensors = server.dir.join("sensors.toml");
    std::fs::write(&sensors, table.to_toml().unwrap()).unwrap();
    (server, table, batches, sensors)
}

/// Every message of the picture stream, up to its end as it is now.
fn whole_picture(url: &str) -> Vec<PictureMessage> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let bus = Bus::connect(&config(url)).await.unwrap();
        let last = bus.last_sequence(vigie_bus::PICTURE_STREAM).await.unwrap();
        let mut picture = Box::pin(bus.picture(From::Start).await.unwrap());
        let mut all = Vec::new();
        while let Some(Ok(m)) = picture.next().await {
            let at_end = m.sequence() >= last;
            all.push(m);
            if at_end {
                break;
            }
        }
        all
    })
}

/// What one tracker alone makes of every batch: the live tracks at the end.
fn alone(
    table: &vigie_core::SensorTable,
    batches: &[(f64, Vec<vigie_core::Report>)],
) -> BTreeMap<u32, TrackRow> {
    let mut tracker = vigie_track::Tracker::new(vigie_track::Config::default(), table);
    let mut out = vigie_track::Output::default();
    let mut live = BTreeMap::new();
    let mut take = |out: &mut vigie_track::Output| {
        for u in out.updates.drain(..) {
            live.insert(u.row.track_id, u.row);
        }
        for id in out.ended.drain(..) {
            live.remove(&id);
        }
    };
    for (time_s, reports) in batches {
        for r in reports {
            tracker.push(*r, &mut out);
            take(&mut out);
        }
        // As the centre does: time advances on each batch.
        tracker.advance(*time_s, &mut out);
        take(&mut out);
    }
    live
}

type Batches = [(f64, Vec<vigie_core::Report>)];

fn count(b: &Batches) -> usize {
    b.iter().map(|x| x.1.len()).sum()
}

fn config(url: &str) -> BusConfig {
    BusConfig {
        retention_s: 3_600.0,
        ..BusConfig::new(url)
    }
}

/// Publishes `part` (batches numbered from `from`) and waits for the picture to account for
/// `upto` reports: the live tracks then, and the picture stream's last sequence.
fn feed(url: &str, part: &Batches, from: usize, upto: usize) -> (BTreeMap<u32, TrackRow>, u64) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let bus = Bus::connect(&config(url)).await.unwrap();
        for (i, (time_s, reports)) in part.iter().enumerate() {
            let id = format!("sim-{}", from + i);
            bus.publish_reports("sim", &id, *time_s, reports)
                .await
                .unwrap();
        }
        let closer = part.last().unwrap().0 + 1.0;
        bus.publish_reports("sim", &format!("close-{from}"), closer, &[])
            .await
            .unwrap();
        let mut picture = Box::pin(bus.picture(From::Start).await.unwrap());
        let mut live = BTreeMap::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let m = tokio::time::timeout_at(deadline.into(), picture.next()).await;
            let m = m
                .expect("the picture accounts for every report")
                .unwrap()
                .unwrap();
            if let PictureMessage::Tracks {
                updates,
                ended,
                reports,
                ..
            } = m
            {
                for u in updates {
                    live.insert(u.track_id, u);
                }
                for id in ended {
                    live.remove(&id);
                }
                if reports as usize >= upto {
                    break;
                }
            }
        }
        let last = bus.last_sequence(vigie_bus::PICTURE_STREAM).await.unwrap();
        (live, last)
    })
}

#[test]
fn the_standby_takes_over_within_a_second_and_no_report_is_lost() {
    let (server, table, batches, sensors) = exercise_on_a_bus("failover", 240.0);
    let total: usize = batches.iter().map(|b| b.1.len()).sum();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = BusConfig {
            retention_s: 3_600.0,
            ..BusConfig::new(&server.url)
        };
        let bus = Bus::connect(&config).await.unwrap();
        // A leader and two standbys, which race for the lead when it dies.
        let mut trackers = BTreeMap::from([
            ("a", tracker(&server.url, &sensors, "a")),
            ("b", tracker(&server.url, &sensors, "b")),
            ("c", tracker(&server.url, &sensors, "c")),
        ]);
        let lead = bus.leadership(Duration::from_millis(500)).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let leader = loop {
            if let Some(l) = lead
                .current()
                .await
                .unwrap()
                .filter(|l| !l.holder.is_empty())
            {
                break l.holder;
            }
            assert!(Instant::now() < deadline, "nobody took the lead");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        // The picture as a console reads it, with when each tick arrived.
        let mut picture = Box::pin(bus.picture(From::Start).await.unwrap());
        let watcher = tokio::spawn(async move {
            let (mut got, mut judged, mut heard) = (Vec::new(), Vec::new(), Vec::new());
            // Each tick's quality names the tracks its tracks message updates.
            let (mut quality, mut quality_matches) = (None, Vec::new());
            while let Some(m) = picture.next().await {
                match m.unwrap() {
                    PictureMessage::Tracks {
                        time_s,
                        updates,
                        ended,
                        by,
                        reports,
                        ..
                    } => {
                        let ids: Vec<u32> = updates.iter().map(|u| u.track_id).collect();
                        quality_matches.push(quality.take() == Some(ids));
                        let done = reports as usize == total;
                        got.push((Instant::now(), time_s, updates, ended, by, reports));
                        if done {
                            break;
                        }
                    }
                    PictureMessage::Judged { time_s, .. } => judged.push(time_s.floor() as i64),
                    PictureMessage::Sensors { heard: h, .. } => heard.push(h.time_s.floor() as i64),
                    PictureMessage::Quality { tracks, .. } => {
                        quality = Some(tracks.iter().map(|q| q.track).collect::<Vec<_>>());
                    }
                }
            }
            assert!(
                quality_matches.iter().all(|&m| m),
                "a tick's tracks without their quality: {quality_matches:?}"
            );
            (got, judged, heard)
        });
        // The sites' reports at about the national load (2,600 reports a second, the tracker
        // benchmark's; the rate reached is printed): a batch every 10 ms, each a second of
        // the exercise. The leader is killed halfway.
        let mut killed = None;
        let sending = Instant::now();
        for (i, (time_s, reports)) in batches.iter().enumerate() {
            bus.publish_reports("sim", &format!("sim-{i}"), *time_s, reports)
                .await
                .unwrap();
            if i == batches.len() / 2 {
                trackers.remove(leader.as_str());
                killed = Some(Instant::now());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let rate = total as f64 / sending.elapsed().as_secs_f64();
        // One more batch closes the last second.
        let last = batches.last().unwrap().0;
        bus.publish_reports("sim", "sim-end", last + 1.0, &[])
            .await
            .unwrap();
        let (got, judged, heard) = tokio::time::timeout(Duration::from_secs(60), watcher)
            .await
            .expect("every report accounted for in the picture")
            .unwrap();
        // Identification's changes are published too, each second's once.
        assert!(!judged.is_empty(), "{judged:?}");
        assert!(judged.windows(2).all(|w| w[0] < w[1]), "{judged:?}");
        let killed = killed.unwrap();
        // One standby won the race, and it alone published from then on.
        let after: std::collections::BTreeSet<&str> = got
            .iter()
            .filter(|g| g.0 > killed && g.4 != leader)
            .map(|g| g.4.as_str())
            .collect();
        assert_eq!(after.len(), 1, "one standby took over: {after:?}");
        let survivor = *after.first().unwrap();
        let took_over = got
            .iter()
            .find(|g| g.4 == survivor && g.0 > killed)
            .map(|g| g.0 - killed)
            .unwrap();
        eprintln!("leader {leader} killed at {rate:.0} reports/s; {survivor} won the race and published {took_over:?} later");
        assert!(
            took_over <= Duration::from_secs(1),
            "took over in {took_over:?}"
        );
        // Every second of the exercise is in the picture, once.
        let seconds: Vec<i64> = got.iter().map(|g| g.1.floor() as i64).collect();
        let expected: Vec<i64> = (seconds[0]..=last as i64).collect();
        assert_eq!(seconds, expected, "a second missing or twice");
        // And the sensors the centre heard in it, for the consoles' sensor panel.
        assert_eq!(heard, expected, "the sensors heard, each second once");
        // The same tracks, the same numbers, as one tracker given every report.
        let mut live = BTreeMap::new();
        for (_, _, updates, ended, _, _) in &got {
            for u in updates {
                live.insert(u.track_id, *u);
            }
            for id in ended {
                live.remove(id);
            }
        }
        assert_eq!(live, alone(&table, &batches));
        assert!(live.len() >= 5, "{} tracks", live.len());
    });
}

/// A radar falls silent `from_s` on: a minute later its loss is an alert that stands.
fn silence(
    table: &vigie_core::SensorTable,
    batches: &mut [(f64, Vec<Report>)],
    id: &str,
    from_s: f64,
) {
    let silent = table.sensor.iter().position(|s| s.id == id);
    let silent = silent.expect("a radar of the exercise");
    for (_, reports) in batches.iter_mut().filter(|b| b.0 >= from_s) {
        reports.retain(|r| usize::from(r.sensor.0) != silent);
    }
}

/// The batches before `time_s`, and the rest.
fn split_at_s(batches: &Batches, time_s: f64) -> (&Batches, &Batches) {
    batches.split_at(batches.partition_point(|b| b.0 < time_s))
}

/// Everything restarts (the bus on its folder, the tracker): the tracker restores the
/// state the first saved on the bus, takes the reports from there, publishes nothing the
/// picture already has, and goes on with the same tracks and numbers as if nothing had
/// stopped; identification too: the alert an operator acknowledged before stands after,
/// acknowledged, with its number, beside one raised after.
#[test]
fn after_a_restart_of_everything_the_picture_goes_on() {
    let (mut server, table, mut batches, sensors) = exercise_on_a_bus("restart-all", 180.0);
    silence(&table, &mut batches, "tahoua-lr", 30.0);
    silence(&table, &mut batches, "zinder-lr", 100.0);
    let (first, rest) = split_at_s(&batches, 100.0);
    let (middle, last) = split_at_s(rest, 130.0);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let t = tracker(&server.url, &sensors, "a");
    // Leading before the reports come, so that it saves states as it closes ticks.
    std::thread::sleep(Duration::from_secs(1));
    feed(&server.url, first, 0, count(first));
    let alert = standing_alerts(&server.url)
        .into_iter()
        .find(|a| a["kind"] == "sensor_lost")
        .expect("the silent radar's loss standing");
    let ack = serde_json::json!({
        "op": "acknowledge", "alert": alert["id"], "user": "ana", "raised_s": alert["time_s"]
    });
    runtime.block_on(async {
        let bus = Bus::connect(&config(&server.url)).await.unwrap();
        bus.publish_op("op-restart-ack", &ack).await.unwrap();
    });
    let upto = count(first) + count(middle);
    let (_, before) = feed(&server.url, middle, first.len(), upto);
    drop(t);
    let (dir, port) = (server.dir.clone(), server.port);
    server.stop();
    let server = vigie_bus::test_server::Server::start_in(dir, port);
    let _t = tracker(&server.url, &sensors, "a2");
    std::thread::sleep(Duration::from_secs(3));
    let after_restart = runtime.block_on(async {
        let bus = Bus::connect(&config(&server.url)).await.unwrap();
        bus.last_sequence(vigie_bus::PICTURE_STREAM).await.unwrap()
    });
    assert_eq!(after_restart, before, "nothing published again");
    let log = std::fs::read_to_string(sensors.with_file_name("a2.log")).unwrap();
    assert!(
        log.contains("restored the tracker's state") && log.contains("identification restored"),
        "the tracker started from its saved state:\n{log}"
    );
    let (live, _) = feed(
        &server.url,
        last,
        first.len() + middle.len(),
        count(&batches),
    );
    assert_eq!(
        live,
        alone(&table, &batches),
        "the same tracks, the same numbers"
    );
    let lost: Vec<_> = standing_alerts_after(&server.url, before)
        .into_iter()
        .filter(|a| a["kind"] == "sensor_lost")
        .map(|a| {
            (
                a["sensor"].clone(),
                a["id"].clone(),
                a["acknowledged_by"].clone(),
            )
        })
        .collect();
    let numbers_go_on = lost
        .get(1)
        .is_some_and(|l| l.1.as_u64() > alert["id"].as_u64());
    assert!(
        lost.len() == 2
            && lost[0] == ("tahoua-lr".into(), alert["id"].clone(), "ana".into())
            && lost[1].0 == "zinder-lr"
            && lost[1].2.is_null()
            && numbers_go_on,
        "the radars' losses after the restart: {lost:?}"
    );
}

/// The streams are the recording: a span from a moment in the middle of them, cut into a
/// journal, starts from the centre's tracker as it was then, so its tracks are the ones the
/// consoles saw, numbers and all; and the journal re-runs to its own tracks.
#[test]
fn a_span_of_the_streams_from_any_moment_is_a_journal() {
    let (server, _, batches, sensors) = exercise_on_a_bus("cut", 120.0);
    let _t = tracker(&server.url, &sensors, "c");
    std::thread::sleep(Duration::from_secs(1));
    feed(&server.url, &batches, 0, count(&batches));
    // Each track's last row the consoles saw in the seconds 65 to 99.
    let mut seen = BTreeMap::new();
    for m in whole_picture(&server.url) {
        if let PictureMessage::Tracks {
            time_s, updates, ..
        } = m
        {
            if (65.0..100.0).contains(&time_s.floor()) {
                seen.extend(updates.into_iter().map(|u| (u.track_id, u)));
            }
        }
    }
    assert!(
        seen.len() > 5,
        "a picture to compare: {} tracks",
        seen.len()
    );
    let journal = server.dir.join("cut.vj");
    let status = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "record",
            "--quiet",
            "--bus",
            &server.url,
            "--since",
            "65",
            "--until",
            "99.999",
        ])
        .arg("--sensors")
        .arg(&sensors)
        .arg("--out")
        .arg(&journal)
        .status()
        .unwrap();
    assert!(status.success());
    let mut reader = vigie_journal::Reader::open(&journal).unwrap();
    assert!(matches!(
        reader.next(),
        Some(vigie_journal::Entry::Start(_))
    ));
    assert!(
        matches!(reader.next(), Some(vigie_journal::Entry::State { time_s, .. }) if time_s == 65.0),
        "the journal starts with the tracker as it was at the moment asked for"
    );
    let mut cut = BTreeMap::new();
    for e in reader {
        if let vigie_journal::Entry::Input { time_s, .. } = e {
            assert!((65.0..100.0).contains(&time_s), "a batch at {time_s}");
        }
        if let vigie_journal::Entry::Output { updates, .. } = e {
            cut.extend(updates.into_iter().map(|u| (u.track_id, u)));
        }
    }
    assert_eq!(cut, seen, "the journal's tracks are the consoles' ones");
    let rerun = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .arg("replay")
        .arg(&journal)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&rerun.stderr);
    assert!(rerun.status.success(), "{said}");
    assert!(said.contains("identical to the recorded ones"), "{said}");
}

/// The alerts standing in the latest identification message that carries them.
fn standing_alerts(url: &str) -> Vec<serde_json::Value> {
    standing_alerts_after(url, 0)
}

/// The alerts standing in the latest identification message that carries them, of those
/// after the picture stream's sequence `after`.
fn standing_alerts_after(url: &str, after: u64) -> Vec<serde_json::Value> {
    let mut judged = whole_picture(url).into_iter().filter_map(|m| match m {
        PictureMessage::Judged {
            picture, sequence, ..
        } if sequence > after => picture["alerts"].as_array().cloned(),
        _ => None,
    });
    judged.next_back().unwrap_or_default()
}

/// Operators' decisions at a console (an identity, an alert's acknowledgement) go to the
/// centre on the bus; the centre's identification takes them and publishes them, decided by
/// the operator, for every console.
#[test]
fn an_operators_decision_reaches_the_centre_and_every_console() {
    let (server, table, mut batches, sensors) = exercise_on_a_bus("ops", 150.0);
    silence(&table, &mut batches, "tahoua-lr", 30.0);
    let _t = tracker(&server.url, &sensors, "d");
    let (first, second) = split_at_s(&batches, 100.0);
    let (live, _) = feed(&server.url, first, 0, count(first));
    let track = *live.keys().next().expect("a track to decide on");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let bus = runtime
        .block_on(Bus::connect(&config(&server.url)))
        .unwrap();
    let op = serde_json::json!({
        "op": "identity", "track": track, "identity": "hostile", "user": "ana", "note": "no flight plan"
    });
    // A standing alert (not an event, which an acknowledgement ends) acknowledged.
    let alert = standing_alerts(&server.url)
        .into_iter()
        .find(|a| a["acknowledged_by"].is_null() && a["kind"] == "sensor_lost")
        .expect("the silent radar's loss standing");
    // An acknowledgement from before a restart of the centre names another alert with
    // the same number (raised at another time): not taken.
    let raised_s = alert["time_s"].as_f64().unwrap();
    let earlier = serde_json::json!({
        "op": "acknowledge", "alert": alert["id"], "user": "bob", "raised_s": raised_s - 30.0
    });
    let ack = serde_json::json!({
        "op": "acknowledge", "alert": alert["id"], "user": "ana", "raised_s": raised_s
    });
    for (id, op) in [("op-test-earlier", &earlier), ("op-test-ack", &ack)] {
        runtime.block_on(bus.publish_op(id, op)).unwrap();
    }
    runtime.block_on(bus.publish_op("op-test-1", &op)).unwrap();
    // Sent twice (a console retrying): kept once.
    runtime.block_on(bus.publish_op("op-test-1", &op)).unwrap();
    assert_eq!(
        runtime
            .block_on(bus.last_sequence(vigie_bus::OPS_STREAM))
            .unwrap(),
        3
    );
    feed(&server.url, second, first.len(), count(&batches));
    let decided = whole_picture(&server.url).into_iter().any(|m| match m {
        PictureMessage::Judged { picture, .. } => picture["identities"]
            .as_array()
            .is_some_and(|ids| ids.contains(&serde_json::json!([track, "hostile", true]))),
        _ => false,
    });
    assert!(
        decided,
        "track {track} published hostile, decided by the operator"
    );
    let acknowledged = standing_alerts(&server.url)
        .into_iter()
        .find(|a| a["id"] == alert["id"])
        .expect("the alert still standing");
    assert_eq!(acknowledged["acknowledged_by"], "ana", "{acknowledged}");
    assert_eq!(acknowledged["state"], "acknowledged", "{acknowledged}");
}

/// Issue 17: the centre's trackers took time from reports alone, so when every site fell
/// silent their tracks never ended. A silent site sends an empty batch each second (its
/// clock); on those, the centre's tracks coast and end, and the picture says so.
#[test]
fn when_every_site_falls_silent_the_centres_tracks_end() {
    let (server, table, batches, sensors) = exercise_on_a_bus("silent", 90.0);
    let _centre = tracker(&server.url, &sensors, "centre");
    let last_s = batches.last().unwrap().0;
    let scan_s = table
        .sensor
        .iter()
        .map(|s| s.scan_period_s)
        .fold(0.0, f64::max);
    let cfg = vigie_track::Config::default();
    let coast_s = (cfg.confirmed_missed_revisits * scan_s).max(cfg.coast_min_s);
    // Within two scans (and the reorder window) of when they should have been seen.
    let deadline_s = last_s + coast_s + 2.0 * scan_s + cfg.reorder_window_s;
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let bus = Bus::connect(&config(&server.url)).await.unwrap();
        for (i, (time_s, reports)) in batches.iter().enumerate() {
            bus.publish_reports("sim", &format!("sim-{i}"), *time_s, reports)
                .await
                .unwrap();
        }
        let heartbeats = (deadline_s - last_s).ceil() as usize + 2;
        for k in 1..=heartbeats {
            let t = last_s + k as f64;
            bus.publish_reports("sim", &format!("sim-h{k}"), t, &[])
                .await
                .unwrap();
        }
        let mut picture = Box::pin(bus.picture(From::Start).await.unwrap());
        let mut live = BTreeMap::new();
        let mut most = 0;
        let wait = Instant::now() + Duration::from_secs(60);
        loop {
            let m = tokio::time::timeout_at(wait.into(), picture.next()).await;
            let m = m
                .expect("the picture goes on in the silence")
                .unwrap()
                .unwrap();
            if let PictureMessage::Tracks {
                time_s,
                updates,
                ended,
                ..
            } = m
            {
                for u in updates {
                    live.insert(u.track_id, u);
                }
                for id in ended {
                    live.remove(&id);
                }
                most = most.max(live.len());
                if time_s >= deadline_s {
                    break;
                }
            }
        }
        assert!(most >= 5, "the picture before the silence: {most} tracks");
        assert!(
            live.is_empty(),
            "{} tracks still live {:.0} s into the silence",
            live.len(),
            deadline_s - last_s
        );
    });
}
