//! A display that stops reading never holds up the pipeline: publishing stays instant, the
//! client's queue is bounded (it skips to a snapshot), and a client that takes nothing for
//! the send timeout is dropped. Over a real socket, with a hand-made WebSocket handshake and
//! then silence.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vigie_core::interop::TrackRow;
use vigie_core::SensorId;
use vigie_server::audit::Audit;
use vigie_server::auth::{Role, Sessions, Users};
use vigie_server::picture::Picture;
use vigie_server::{router, AppState, MapLayers};
use vigie_track::{Output, TrackUpdate};

fn many_tracks(n: u32, t: f64) -> Output {
    let mut out = Output::default();
    for id in 1..=n {
        out.updates.push(TrackUpdate {
            row: TrackRow {
                time_s: t,
                track_id: id,
                lat_deg: 10.0 + f64::from(id) * 1e-3 + t * 1e-4,
                lon_deg: 5.0,
                alt_m: 9_000.0,
                vn_mps: 200.0,
                ve_mps: 10.0,
                vu_mps: 0.0,
                mode3a: None,
                mode_s: None,
                callsign: None,
            },
            position_sigma_m: 50.0,
            covariance: [[0.0; 6]; 6],
            turn_probability: 0.0,
            sensors: vec![(SensorId(0), t)],
            last_transponder_s: Some(t),
        });
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_that_stops_reading_is_skipped_then_dropped() {
    let sessions = Arc::new(Sessions::default());
    let token = sessions.open("slow", Role::Observer, 0).unwrap();
    let picture = Arc::new(RwLock::new(Picture::new(&[], 0)));
    let state = AppState {
        ident: Arc::new(std::sync::Mutex::new(
            vigie_ident::identifier::Identifier::new(Default::default()),
        )),
        picture: Arc::clone(&picture),
        users: Arc::new(RwLock::new(Users::in_memory())),
        sessions,
        audit: Arc::new(Audit::in_memory()),
        push: tokio::sync::broadcast::channel(vigie_server::PUSH_QUEUE).0,
        map: Arc::new(MapLayers::default()),
        overlay: Arc::default(),
        now_unix_s: Arc::new(|| 1),
        journal: None,
        exercise: None,
        review: None,
        relay: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /api/ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Cookie: vigie_session={token}\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    socket.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 101", "the upgrade is accepted");
    // From here on the client reads nothing.
    let deadline = Instant::now() + Duration::from_secs(5);
    while state.push.receiver_count() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(state.push.receiver_count(), 1, "the display subscribed");

    // Each push is about 1.3 MB: the socket's buffers fill within a few.
    let mut slowest = Duration::ZERO;
    for second in 0..40 {
        picture
            .write()
            .unwrap()
            .apply(&many_tracks(4_000, f64::from(second)));
        let t = Instant::now();
        vigie_server::publish(&state);
        slowest = slowest.max(t.elapsed());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        slowest < Duration::from_millis(500),
        "publishing waited on the client: {slowest:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while state.push.receiver_count() > 0 && Instant::now() < deadline {
        vigie_server::publish(&state);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        state.push.receiver_count(),
        0,
        "the silent display was dropped"
    );
    drop(socket);
}
