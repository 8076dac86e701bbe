//! A console on the bus (`vigie serve` with `[feed] bus`) against a real nats-server: it
//! shows the centre's picture, says it is stale when the centre falls silent or the bus is
//! gone, and is current again when they come back (the bus restarted on its folder).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vigie_bus::{Bus, BusConfig, Tick};
use vigie_core::interop::TrackRow;

mod common;
use common::Killed;

/// One HTTP/1.1 exchange; the response's headers and body.
fn http(port: u16, request: &str) -> (String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.to_string(), body.to_string())
}

fn login(port: u16, name: &str) -> String {
    let body = format!(r#"{{"name":"{name}","password":"console-test-password"}}"#);
    let (head, _) = http(
        port,
        &format!("POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()),
    );
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or(l.strip_prefix("Set-Cookie: "))
        })
        .expect("a session cookie");
    cookie.split(';').next().unwrap().to_string()
}

fn status(port: u16, cookie: &str) -> serde_json::Value {
    let (_, body) = http(
        port,
        &format!(
            "GET /api/status HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        ),
    );
    serde_json::from_str(&body).unwrap_or_default()
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ok() {
        assert!(Instant::now() < deadline, "waited 30 s for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn row(id: u32, time_s: f64) -> TrackRow {
    TrackRow {
        time_s,
        track_id: id,
        lat_deg: 13.5 + f64::from(id) * 0.1,
        lon_deg: 2.1,
        alt_m: 9_000.0,
        vn_mps: 200.0,
        ve_mps: 0.0,
        vu_mps: 0.0,
        mode3a: None,
        mode_s: None,
        callsign: None,
    }
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[test]
fn a_console_shows_the_centres_picture_says_when_it_is_stale_and_recovers() {
    let bin = env!("CARGO_BIN_EXE_vigie");
    let mut server = vigie_bus::test_server::Server::start("console");
    let dir = server.dir.join("console");
    std::fs::create_dir_all(&dir).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/niger.toml");
    let sim = vigie_sim::load(&path, Default::default()).unwrap();
    std::fs::write(
        dir.join("sensors.toml"),
        sim.sensor_table().to_toml().unwrap(),
    )
    .unwrap();
    common::add_user(
        &dir.join("users.toml"),
        "ana",
        "observer",
        "console-test-password",
    );
    common::add_user(
        &dir.join("users.toml"),
        "oumar",
        "operator",
        "console-test-password",
    );
    let http_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        dir.join("vigie.toml"),
        format!(
            "bind = \"127.0.0.1:{http_port}\"\nusers = \"users.toml\"\naudit = \"audit.jsonl\"\n\
             [feed]\nbus = \"{}\"\nsensors = \"sensors.toml\"\n",
            server.url
        ),
    )
    .unwrap();
    let _console = Killed(
        Command::new(bin)
            .args(["serve", "--config"])
            .arg(dir.join("vigie.toml"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("the console to listen", || {
        TcpStream::connect(("127.0.0.1", http_port)).is_ok()
    });
    let cookie = login(http_port, "ana");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = BusConfig {
        retention_s: 3_600.0,
        ..BusConfig::new(&server.url)
    };
    // The centre publishes a tick every 200 ms for `seconds`.
    let centre = |from: i64, ticks: i64| {
        runtime.block_on(async {
            let bus = Bus::connect(&config).await.unwrap();
            for n in from..from + ticks {
                let now = unix_now();
                let tick = Tick {
                    number: n,
                    time_s: now,
                    by: "centre".into(),
                    reports: n as u64,
                };
                let rows = (1..=3).map(|id| row(id, now)).collect();
                // The centre heard the first radar in this tick.
                let heard = vigie_bus::Heard {
                    time_s: now,
                    sensors: vec![(0, now, 12)],
                };
                bus.publish_sensors(n, &heard).await.unwrap();
                // Track 1's quality: its position sigma and the radar that saw it.
                let quality = vigie_bus::Quality {
                    track: 1,
                    sigma_m: Some(240.0),
                    turn_probability: 0.1,
                    sensors: vec![(0, now - 1.0)],
                    last_transponder_s: Some(now - 1.0),
                };
                bus.publish_quality(n, &[quality]).await.unwrap();
                bus.publish_tracks(&tick, rows, Vec::new()).await.unwrap();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    centre(0, 10);
    let s = status(http_port, &cookie);
    assert_eq!(
        (s["tracks"].as_u64(), s["stale"].as_bool()),
        (Some(3), Some(false)),
        "{s}"
    );
    // The sensor panel: the radar the centre heard is up, with its reports; the others
    // were never heard.
    let (_, body) = http(
        http_port,
        &format!(
            "GET /api/sensors HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        ),
    );
    let sensors: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sensors[0]["status"], "ok", "{body}");
    assert_eq!(sensors[0]["reports"], 120, "{body}");
    assert_eq!(sensors[1]["status"], "never", "{body}");
    // The track panel: position quality and contributing sensors where the centre sent
    // them, none ("—" on the display) where it did not.
    let track = |id: u32| {
        let request = format!(
            "GET /api/tracks/{id} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
        );
        let (_, body) = http(http_port, &request);
        serde_json::from_str::<serde_json::Value>(&body).unwrap()
    };
    let (one, two) = (track(1), track(2));
    assert_eq!(one["sigma_m"], 240.0, "{one}");
    let first = sim.sensor_table().sensor[0].id.as_str();
    assert_eq!(one["sensors"][0]["sensor"], first, "{one}");
    assert!(two["sigma_m"].is_null(), "{two}");
    assert_eq!(two["sensors"], serde_json::json!([]), "{two}");
    // The centre falls silent: stale within a few seconds.
    wait_for("stale when the centre is silent", || {
        status(http_port, &cookie)["stale"] == true
    });
    centre(10, 10);
    assert_eq!(status(http_port, &cookie)["stale"], false);
    // The bus goes away: stale; it comes back on its folder: the picture is current again.
    let (dir_bus, port) = (server.dir.clone(), server.port);
    server.stop();
    wait_for("stale when the bus is gone", || {
        status(http_port, &cookie)["stale"] == true
    });
    let _server = vigie_bus::test_server::Server::start_in(dir_bus, port);
    centre(20, 60);
    let s = status(http_port, &cookie);
    assert_eq!(
        (s["tracks"].as_u64(), s["stale"].as_bool()),
        (Some(3), Some(false)),
        "{s}"
    );
    // An operator's decision goes to the centre, on the bus; a track the picture does not
    // have is refused here.
    let operator = login(http_port, "oumar");
    let decide = |track: u32| {
        let body = r#"{"identity":"suspect","note":"low and slow"}"#;
        http(
            http_port,
            &format!("POST /api/tracks/{track}/identity HTTP/1.1\r\nHost: x\r\nCookie: {operator}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()),
        )
    };
    let (head, body) = decide(2);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
    assert!(body.contains("sent to the centre"), "{body}");
    assert!(decide(999).0.starts_with("HTTP/1.1 404"));
    let sent = runtime.block_on(async {
        let bus = Bus::connect(&config).await.unwrap();
        let mut ops = Box::pin(bus.ops(vigie_bus::From::Start).await.unwrap());
        tokio::time::timeout(Duration::from_secs(10), futures::StreamExt::next(&mut ops))
            .await
            .expect("the decision on the bus")
            .unwrap()
            .unwrap()
            .1
    });
    assert_eq!(
        sent,
        serde_json::json!({"op": "identity", "track": 2, "identity": "suspect", "user": "oumar", "note": "low and slow"})
    );
}
