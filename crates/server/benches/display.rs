//! The display server under 5,000 tracks updated every second: serves a synthetic picture
//! (tracks flying over Niger, each updated once a second through the same `Picture::apply`
//! and `publish` the live pipeline uses) for VIGIE_BENCH_DURATION_S seconds (default 40),
//! then prints the server's CPU share while a display was connected. `bench/display.sh` runs it with a
//! browser attached, which measures the WebSocket bytes per second and its frame times while
//! panning. Login: bench / bench-password. VIGIE_BENCH_TRACKS changes the track count.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use vigie_core::interop::TrackRow;
use vigie_core::{Callsign, Mode3A, SensorId, SensorKind, SensorSpec};
use vigie_server::audit::Audit;
use vigie_server::auth::{Role, Sessions, Users};
use vigie_server::picture::Picture;
use vigie_server::{router, AppState, MapLayers};
use vigie_track::{Output, TrackUpdate};

fn env(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds this process has used (user + system), from /proc.
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14 and 15 of the whole line: utime and stime, in clock ticks (100 per second).
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

fn synthetic(n: usize, t: f64) -> Output {
    let mut out = Output::default();
    for i in 0..n {
        // Tracks on circles of 50-300 km around points spread over Niger and its borders.
        let k = i as f64;
        let (clat, clon) = (
            12.0 + (k * 0.618_034).fract() * 11.0,
            0.5 + (k * 0.414_214).fract() * 15.0,
        );
        let radius_deg = 0.5 + (k * 0.732_051).fract() * 2.0;
        let speed_mps = 120.0 + (k * 0.236_068).fract() * 130.0;
        let w = speed_mps / (radius_deg * 111_000.0);
        let a = k + w * t;
        out.updates.push(TrackUpdate {
            row: TrackRow {
                time_s: t,
                track_id: i as u32 + 1,
                lat_deg: clat + radius_deg * a.sin(),
                lon_deg: clon + radius_deg * a.cos(),
                alt_m: 3_000.0 + (k * 0.1).fract() * 9_000.0,
                vn_mps: speed_mps * a.cos(),
                ve_mps: -speed_mps * a.sin(),
                vu_mps: 0.0,
                mode3a: Mode3A::parse(&format!("{:04o}", i % 4096)),
                mode_s: None,
                callsign: Callsign::new(&format!("VG{i:04}")),
            },
            position_sigma_m: 60.0,
            covariance: [[0.0; 6]; 6],
            turn_probability: 0.1,
            sensors: vec![(SensorId(0), t)],
            last_transponder_s: Some(t),
        });
    }
    out
}

fn main() {
    let tracks = env("VIGIE_BENCH_TRACKS", 5_000.0) as usize;
    let duration_s = env("VIGIE_BENCH_DURATION_S", 40.0);
    let port = env("VIGIE_BENCH_PORT", 18_080.0) as u16;
    let radar = SensorSpec {
        id: "radar".into(),
        kind: SensorKind::Radar,
        lat_deg: 16.0,
        lon_deg: 8.0,
        height_m: 400.0,
        scan_period_s: 1.0,
        sigma_range_m: 50.0,
        sigma_azimuth_deg: 0.1,
        sigma_elevation_deg: 0.0,
        refraction_k: 4.0 / 3.0,
        range_max_m: Some(400_000.0),
        sigma_position_m: None,
        sac: None,
        sic: None,
        pd: None,
        elevation_min_deg: None,
        elevation_max_deg: None,
    };
    let mut users = Users::in_memory();
    users
        .add("bench", Role::Observer, "bench-password", false)
        .expect("a user");
    let picture = Arc::new(RwLock::new(Picture::new(&[radar], 1_800_000_000)));
    let state = AppState {
        ident: Arc::new(std::sync::Mutex::new(
            vigie_ident::identifier::Identifier::new(Default::default()),
        )),
        picture: Arc::clone(&picture),
        users: Arc::new(RwLock::new(users)),
        sessions: Arc::new(Sessions::default()),
        audit: Arc::new(Audit::in_memory()),
        push: tokio::sync::broadcast::channel(vigie_server::PUSH_QUEUE).0,
        map: Arc::new(MapLayers {
            country: include_str!("../../../data/niger/niger.geojson").into(),
            neighbours: include_str!("../../../data/niger/niger_neighbours.geojson").into(),
            airports: r#"{"type":"FeatureCollection","features":[]}"#.into(),
            airspace: String::new(),
        }),
        overlay: Arc::default(),
        now_unix_s: Arc::new(|| 1_800_000_000),
        journal: None,
        exercise: None,
        review: None,
        relay: None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("the bench port is free");
        println!("ready http://127.0.0.1:{port} ({tracks} tracks)");
        let app = router(state.clone());
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let start = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut window: Option<(f64, Instant, f64, f64, u32)> = None;
        let mut t = 0.0;
        while start.elapsed().as_secs_f64() < duration_s {
            tick.tick().await;
            let out = synthetic(tracks, t);
            picture.write().expect("picture").apply(&out);
            picture.write().expect("picture").advance(t);
            vigie_server::publish(&state);
            t += 1.0;
            // Measure while a display is connected, from its third second on.
            let clients = state.push.receiver_count();
            match (&mut window, clients > 0) {
                (None, true) => window = Some((cpu_s(), Instant::now(), 0.0, 0.0, 0u32)),
                (Some((c0, w0, cpu, wall, n)), true) => {
                    *n += 1;
                    if *n == 3 {
                        (*c0, *w0) = (cpu_s(), Instant::now());
                    } else if *n > 3 {
                        (*cpu, *wall) = (cpu_s() - *c0, w0.elapsed().as_secs_f64());
                    }
                }
                _ => {}
            }
        }
        match window {
            Some((_, _, cpu, wall, _)) if wall > 0.0 => println!(
                "server CPU: {:.1} % of one core over {wall:.0} s with a display connected ({tracks} tracks updated every second)",
                100.0 * cpu / wall
            ),
            _ => println!("server CPU: no display connected long enough to measure"),
        }
        server.abort();
    });
}
