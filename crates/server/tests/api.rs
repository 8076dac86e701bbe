//! The API on the router itself, with no socket: logins, sessions, roles, the picture, and
//! bad requests answered with JSON errors.

use std::sync::{Arc, Mutex, RwLock};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use vigie_core::interop::TrackRow;
use vigie_core::{Mode3A, SensorId, SensorKind, SensorSpec};
use vigie_ident::identifier::{Context, Identifier, TrackInput};
use vigie_server::audit::Audit;
use vigie_server::auth::{Role, Sessions, Users};
use vigie_server::picture::Picture;
use vigie_server::{router, AppState, MapLayers};
use vigie_track::{Output, TrackUpdate};

const NOW: i64 = 1_800_000_000;

fn radar() -> SensorSpec {
    SensorSpec {
        id: "niamey-lr".into(),
        kind: SensorKind::Radar,
        lat_deg: 13.48,
        lon_deg: 2.17,
        height_m: 250.0,
        scan_period_s: 10.0,
        sigma_range_m: 60.0,
        sigma_azimuth_deg: 0.1,
        sigma_elevation_deg: 0.0,
        refraction_k: 4.0 / 3.0,
        range_max_m: Some(250_000.0),
        sigma_position_m: None,
        sac: None,
        sic: None,
        pd: None,
        elevation_min_deg: None,
        elevation_max_deg: None,
    }
}

fn update(id: u32, t: f64, squawk: &str) -> TrackUpdate {
    TrackUpdate {
        row: TrackRow {
            time_s: t,
            track_id: id,
            lat_deg: 13.5,
            lon_deg: 2.2,
            alt_m: 10_000.0,
            vn_mps: 200.0,
            ve_mps: 0.0,
            vu_mps: 0.0,
            mode3a: Mode3A::parse(squawk),
            mode_s: None,
            callsign: None,
        },
        position_sigma_m: 80.0,
        covariance: [[0.0; 6]; 6],
        turn_probability: 0.1,
        sensors: vec![(SensorId(0), t)],
        last_transponder_s: Some(t),
    }
}

fn state() -> AppState {
    let mut users = Users::in_memory();
    for (name, role) in [
        ("obs", Role::Observer),
        ("op", Role::Operator),
        ("boss", Role::Admin),
    ] {
        users.add(name, role, "password-123", false).unwrap();
    }
    let epoch = 1_772_352_000;
    let mut picture = Picture::new(&[radar()], epoch);
    let mut out = Output::default();
    out.updates.push(update(7, 10.0, "7700"));
    out.updates.push(update(8, 10.0, "1234"));
    picture.apply(&out);
    picture.heard(0, 10.0);
    // Identification as the pipeline runs it: the emergency rule sees track 7's squawk.
    let rules = vigie_ident::rules::load(
        "[[rule]]\nkind = \"emergency\"\n",
        std::path::Path::new("rules.toml"),
    )
    .unwrap();
    let mut ident = Identifier::new(Context {
        rules,
        ..Context::default()
    });
    let inputs: Vec<TrackInput> = out
        .updates
        .iter()
        .map(|u| TrackInput {
            row: u.row,
            unix_s: epoch as f64 + u.row.time_s,
            transponder: true,
            emergency_status: false,
            adsb_radar_gap_m: None,
            ground_m: 200.0,
        })
        .collect();
    let tick = ident.step(&inputs, &[]);
    picture.judged(&tick);
    AppState {
        ident: Arc::new(Mutex::new(ident)),
        picture: Arc::new(RwLock::new(picture)),
        users: Arc::new(RwLock::new(users)),
        sessions: Arc::new(Sessions::default()),
        audit: Arc::new(Audit::in_memory()),
        push: tokio::sync::broadcast::channel(8).0,
        map: Arc::new(MapLayers {
            country: r#"{"type":"FeatureCollection","features":[]}"#.into(),
            ..MapLayers::default()
        }),
        overlay: Arc::default(),
        now_unix_s: Arc::new(|| NOW),
        journal: None,
        exercise: None,
        review: None,
        relay: None,
    }
}

async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, Option<String>, String) {
    let response = router(state.clone()).oneshot(req).await.unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, cookie, String::from_utf8_lossy(&body).into_owned())
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: Option<&str>, json: &str) -> Request<Body> {
    let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(json.to_string())).unwrap()
}

async fn login(state: &AppState, name: &str) -> String {
    let body = format!(r#"{{"name":"{name}","password":"password-123"}}"#);
    let (status, cookie, _) = send(state, post("/api/login", None, &body)).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = cookie.expect("login sets a cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn every_api_route_needs_a_session() {
    let s = state();
    for path in [
        "/api/me",
        "/api/tracks",
        "/api/tracks/7",
        "/api/sensors",
        "/api/alerts",
        "/api/audit",
        "/api/openapi.json",
        "/api/map/country",
        "/api/coverage",
        "/api/coverage/1000.png",
        "/api/ws",
    ] {
        let (status, _, body) = send(&s, get(path, None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(body.contains("\"error\""), "{path}: {body}");
    }
    let (status, _, _) = send(&s, get("/api/tracks", Some("vigie_session=forged"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_audited() {
    let s = state();
    let body = r#"{"name":"op","password":"guess"}"#;
    let (status, cookie, text) = send(&s, post("/api/login", None, body)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(cookie.is_none());
    assert!(text.contains("wrong name or password"));
    let audit = s.audit.recent(10);
    assert_eq!(
        audit.last().map(|e| (e.action.as_str(), e.outcome)),
        Some(("login", "refused"))
    );
}

#[tokio::test]
async fn a_session_reads_the_picture() {
    let s = state();
    let cookie = login(&s, "obs").await;
    let (status, _, me) = send(&s, get("/api/me", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me, r#"{"name":"obs","role":"observer"}"#);
    let (_, _, tracks) = send(&s, get("/api/tracks", Some(&cookie))).await;
    let tracks: serde_json::Value = serde_json::from_str(&tracks).unwrap();
    assert_eq!(tracks.as_array().map(Vec::len), Some(2));
    assert_eq!(tracks[0]["flight_level"], 328);
    let (status, _, detail) = send(&s, get("/api/tracks/7", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("\"history\":[{"));
    let (_, _, sensors) = send(&s, get("/api/sensors", Some(&cookie))).await;
    assert!(sensors.contains(r#""status":"ok""#), "{sensors}");
    let (_, _, alerts) = send(&s, get("/api/alerts", Some(&cookie))).await;
    assert!(alerts.contains(r#""kind":"emergency""#), "{alerts}");
    let (status, _, spec) = send(&s, get("/api/openapi.json", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    let spec: serde_json::Value = serde_json::from_str(&spec).expect("the description is JSON");
    assert_eq!(spec["openapi"], "3.1.0");
    // Every route the router serves is described.
    let source = include_str!("../src/api.rs");
    let routes: Vec<&str> = source
        .split(".route(\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|r| r.starts_with("/api/") && !r.contains('*'))
        .collect();
    assert!(routes.len() > 20, "{routes:?}");
    for route in routes {
        assert!(
            spec["paths"].get(route).is_some(),
            "{route} is not described"
        );
    }
}

#[tokio::test]
async fn an_observer_may_not_act_an_operator_may() {
    let s = state();
    let observer = login(&s, "obs").await;
    let (status, _, body) = send(&s, post("/api/alerts/1/ack", Some(&observer), "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("operator role"), "{body}");
    let operator = login(&s, "op").await;
    let (status, _, _) = send(&s, post("/api/alerts/1/ack", Some(&operator), "")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, alerts) = send(&s, get("/api/alerts", Some(&operator))).await;
    assert!(alerts.contains(r#""acknowledged_by":"op""#));
    let (status, _, _) = send(&s, post("/api/alerts/99/ack", Some(&operator), "")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Only an admin reads the audit log, and it holds what happened.
    let (status, _, _) = send(&s, get("/api/audit", Some(&operator))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = login(&s, "boss").await;
    let (status, _, audit) = send(&s, get("/api/audit?limit=50", Some(&admin))).await;
    assert_eq!(status, StatusCode::OK);
    let entries: Vec<serde_json::Value> = serde_json::from_str(&audit).unwrap();
    let seen: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(seen.contains(&("acknowledge an alert".into(), "refused".into())));
    assert!(seen.contains(&("acknowledge alert".into(), "ok".into())));
    assert!(seen.contains(&("read the audit log".into(), "refused".into())));
}

#[tokio::test]
async fn logout_ends_the_session() {
    let s = state();
    let cookie = login(&s, "op").await;
    let (status, set, _) = send(&s, post("/api/logout", Some(&cookie), "")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(set.unwrap().contains("Max-Age=0"));
    let (status, _, _) = send(&s, get("/api/me", Some(&cookie))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let s = state();
    let cookie = login(&s, "op").await;
    let cases = [
        post("/api/login", None, "{not json"),
        post("/api/login", None, r#"{"name":"op"}"#),
        post(
            "/api/login",
            None,
            r#"{"name":"op","password":"x","extra":1}"#,
        ),
        Request::post("/api/login")
            .body(Body::from(r#"{"name":"op","password":"x"}"#))
            .unwrap(),
        get("/api/tracks/seven", Some(&cookie)),
        get("/api/tracks/99999999999", Some(&cookie)),
        get("/api/tracks/12345", Some(&cookie)),
        get("/api/audit?limit=-1", Some(&cookie)),
        get("/api/map/elsewhere", Some(&cookie)),
        get("/api/coverage/1000.png", Some(&cookie)),
        get("/api/coverage/high.png", Some(&cookie)),
        get("/api/no/such/route", Some(&cookie)),
        get("/api/ws", Some(&cookie)),
    ];
    for req in cases {
        let what = format!("{} {}", req.method(), req.uri());
        let (status, _, body) = send(&s, req).await;
        assert!(status.is_client_error(), "{what}: {status}");
        let v: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{what}: not JSON: {body}"));
        assert!(v["error"].is_string(), "{what}: {body}");
    }
}

#[tokio::test]
async fn the_display_is_served_from_the_binary() {
    let s = state();
    let (status, _, page) = send(&s, get("/", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<title>vigie"), "{page}");
    // A display route reloads into the page itself.
    let (status, _, again) = send(&s, get("/tracks/7", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page, again);
    let (status, _, _) = send(&s, get("/assets/missing.js", None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_operator_decides_an_identity_and_it_stands() {
    let s = state();
    let observer = login(&s, "obs").await;
    let decision = r#"{"identity":"hostile","note":"no answer on guard"}"#;
    let (status, _, _) = send(
        &s,
        post("/api/tracks/8/identity", Some(&observer), decision),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let op = login(&s, "op").await;
    let (status, _, body) = send(&s, post("/api/tracks/8/identity", Some(&op), decision)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ident: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ident["identity"], "hostile");
    assert_eq!(ident["decided_by"], "op");
    let last = &ident["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["by"], &last["note"]),
        (&"op".into(), &"no answer on guard".into())
    );
    // The picture shows it at once, and the track's detail explains it.
    let (_, _, tracks) = send(&s, get("/api/tracks", Some(&op))).await;
    assert!(tracks.contains(r#""id":8,"#), "{tracks}");
    let (_, _, detail) = send(&s, get("/api/tracks/8", Some(&op))).await;
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["identity"], "hostile");
    assert_eq!(detail["identity_decided"], true);
    assert_eq!(detail["identification"]["decided_by"], "op");
    // vigie's next judgement does not undo it.
    {
        let mut ident = s.ident.lock().unwrap();
        let row = ident.identity(8).unwrap().clone();
        assert_eq!(row.operator.as_deref(), Some("op"));
        let tick = ident.step(&[], &[]);
        assert!(tick.identity_changes.is_empty());
    }
    // Bad decisions are refused with a reason; every decision is audited.
    let (status, _, body) = send(
        &s,
        post(
            "/api/tracks/8/identity",
            Some(&op),
            r#"{"identity":"enemy"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("unknown variant"), "{body}");
    let (status, _, _) = send(&s, post("/api/tracks/99/identity", Some(&op), decision)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let audit = s.audit.recent(20);
    assert!(
        audit.iter().any(|e| e.action == "set identity"
            && e.detail == "track 8: pending → hostile (no answer on guard)"),
        "{audit:?}"
    );
    let (status, _, threats) = send(&s, get("/api/threats", Some(&op))).await;
    assert_eq!((status, threats.as_str()), (StatusCode::OK, "[]"));
}

#[tokio::test]
async fn an_alert_goes_from_raised_to_acknowledged_to_cleared() {
    let s = state();
    let op = login(&s, "op").await;
    let alerts = |text: &str| -> serde_json::Value { serde_json::from_str(text).unwrap() };
    let (_, _, list) = send(&s, get("/api/alerts", Some(&op))).await;
    let a = &alerts(&list)[0];
    assert_eq!(
        (&a["kind"], &a["state"], &a["severity"]),
        (&"emergency".into(), &"raised".into(), &"alarm".into())
    );
    assert_eq!(a["text"], "track 7: squawk 7700: emergency");
    send(&s, post("/api/alerts/1/ack", Some(&op), "")).await;
    let (_, _, list) = send(&s, get("/api/alerts", Some(&op))).await;
    let a = &alerts(&list)[0];
    assert_eq!(
        (&a["state"], &a["acknowledged_by"]),
        (&"acknowledged".into(), &"op".into())
    );
    // The squawk stops: the alert clears once its condition has not held for a while.
    let quiet = update(7, 11.0, "2000");
    let mut cleared = Vec::new();
    for k in 0..20 {
        let mut row = quiet.row;
        row.time_s = 11.0 + f64::from(k);
        let input = TrackInput {
            row,
            unix_s: 1_772_352_000.0 + row.time_s,
            transponder: true,
            emergency_status: false,
            adsb_radar_gap_m: None,
            ground_m: 200.0,
        };
        let tick = s.ident.lock().unwrap().step(&[input], &[]);
        let mut p = s.picture.write().unwrap();
        p.advance(row.time_s);
        cleared.extend(p.judged(&tick).iter().map(|a| a.id));
    }
    assert_eq!(cleared, [1]);
    let (_, _, list) = send(&s, get("/api/alerts", Some(&op))).await;
    let a = &alerts(&list)[0];
    assert_eq!(a["state"], "cleared");
    assert!(a["cleared_s"].as_f64().unwrap() > 20.0);
    // Done with: off the operator's list in the push, kept in the record.
    let snapshot = s.picture.read().unwrap().snapshot();
    assert!(snapshot.alerts.unwrap().is_empty());
}

#[tokio::test]
async fn only_an_instructor_runs_the_exercise_and_only_an_exercise() {
    let mut s = state();
    let mut users = Users::in_memory();
    users
        .add("ins", Role::Instructor, "password-123", false)
        .unwrap();
    users
        .add("op", Role::Operator, "password-123", false)
        .unwrap();
    s.users = Arc::new(RwLock::new(users));
    let ins = login(&s, "ins").await;
    // Real sensors: no exercise to control.
    let (status, _, body) = send(&s, get("/api/exercise", Some(&ins))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let control = Arc::new(vigie_server::exercise::Control::new(1.0));
    s.exercise = Some(Arc::clone(&control));
    let op = login(&s, "op").await;
    let outage = r#"{"kind":"radar_outage","sensor":"niamey-lr","duration_s":300}"#;
    let (status, _, _) = send(&s, post("/api/exercise/inject", Some(&op), outage)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(&s, post("/api/exercise/inject", Some(&ins), outage)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let wrong = r#"{"kind":"emergency","track":7,"code":"1234"}"#;
    let (status, _, body) = send(&s, post("/api/exercise/inject", Some(&ins), wrong)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("7500, 7600 or 7700"), "{body}");
    let pause = r#"{"paused":true,"speed":8}"#;
    let (status, _, body) = send(&s, post("/api/exercise/control", Some(&ins), pause)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(control.paused());
    assert_eq!(control.speed(), 8.0);
    let pending = control.take_pending();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].0, "ins");
    let audit: Vec<String> = s.audit.recent(20).into_iter().map(|e| e.action).collect();
    for action in ["inject", "exercise speed", "exercise paused"] {
        assert!(audit.iter().any(|a| a == action), "{action}: {audit:?}");
    }
}

#[tokio::test]
async fn the_instructor_starts_exercises_and_assigns_trainees_who_read_their_briefing() {
    use vigie_server::exercise::{Briefing, Control, Current, Position, Text};
    let mut s = state();
    let mut users = Users::in_memory();
    for (name, role) in [("ins", Role::Instructor), ("op", Role::Operator)] {
        users.add(name, role, "password-123", false).unwrap();
    }
    s.users = Arc::new(RwLock::new(users));
    let text = |s: &str| Text {
        en: s.into(),
        fr: format!("{s} (fr)"),
    };
    let briefing = |number| Briefing {
        number,
        title: text(&format!("exercise {number}")),
        briefing: text("watch the west"),
        positions: vec![Position {
            id: "west".into(),
            name: text("Surveillance west"),
            box_deg: Some([11.0, -1.0, 24.0, 6.5]),
        }],
    };
    let current = Current {
        name: "Exercise 1".into(),
        briefing: Some(briefing(1)),
    };
    let control = Control::with_objectives(1.0, current, Vec::new())
        .with_library(vec![briefing(1), briefing(2)]);
    let control = Arc::new(control);
    s.exercise = Some(Arc::clone(&control));
    let (ins, op) = (login(&s, "ins").await, login(&s, "op").await);
    // The instructor's view is not the trainee's: it says what was injected.
    let (status, _, _) = send(&s, get("/api/exercise", Some(&op))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, _, state) = send(&s, get("/api/exercise", Some(&ins))).await;
    assert!(state.contains(r#""trainees":["op"]"#), "{state}");
    let start = |n: u32| format!(r#"{{"number":{n}}}"#);
    let (status, _, _) = send(&s, post("/api/exercise/start", Some(&op), &start(2))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = send(&s, post("/api/exercise/start", Some(&ins), &start(7))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("no exercise 7 in the library ([1, 2])"),
        "{body}"
    );
    let (status, _, _) = send(&s, post("/api/exercise/start", Some(&ins), &start(2))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(control.take_start(), Some(("ins".to_string(), 2)));
    // Positions: only an operator, only a position of the exercise.
    let assign = |who: &str, at: &str| format!(r#"{{"trainee":"{who}","position":"{at}"}}"#);
    let (status, _, body) = send(
        &s,
        post("/api/exercise/assign", Some(&ins), &assign("ins", "west")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _, body) = send(
        &s,
        post("/api/exercise/assign", Some(&ins), &assign("op", "north")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("no position \\\"north\\\""), "{body}");
    let (status, _, _) = send(
        &s,
        post("/api/exercise/assign", Some(&ins), &assign("op", "west")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, view) = send(&s, get("/api/exercise/briefing", Some(&op))).await;
    let view: serde_json::Value = serde_json::from_str(&view).unwrap();
    assert_eq!(view["exercise"]["briefing"]["fr"], "watch the west (fr)");
    assert_eq!(view["position"]["id"], "west");
    let audit: Vec<String> = s.audit.recent(20).into_iter().map(|e| e.action).collect();
    for action in ["exercise start", "assign trainee"] {
        assert!(audit.iter().any(|a| a == action), "{action}: {audit:?}");
    }
}

#[tokio::test]
async fn a_review_is_driven_by_an_instructor_and_its_picture_is_not_acted_on() {
    use vigie_server::review::{Mark, ReviewControl};
    let mut s = state();
    let mut users = Users::in_memory();
    for (name, role) in [("ins", Role::Instructor), ("op", Role::Operator)] {
        users.add(name, role, "password-123", false).unwrap();
    }
    s.users = Arc::new(RwLock::new(users));
    let (ins, op) = (login(&s, "ins").await, login(&s, "op").await);
    let (status, _, _) = send(&s, get("/api/review", Some(&op))).await;
    assert_eq!(status, StatusCode::CONFLICT, "a live picture is no review");
    let mark = Mark {
        time_s: 30.0,
        user: "op".into(),
        action: "set identity".into(),
        detail: "track 7: pending → hostile".into(),
    };
    let control = Arc::new(ReviewControl::new(
        "Exercise 2".into(),
        1.0,
        600.0,
        vec![mark],
    ));
    s.review = Some(Arc::clone(&control));
    let (_, _, body) = send(&s, get("/api/review", Some(&op))).await;
    assert!(body.contains(r#""action":"set identity""#), "{body}");
    let (status, _, _) = send(&s, post("/api/review", Some(&op), r#"{"seek_s":30}"#)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the instructor drives");
    let (status, _, body) = send(&s, post("/api/review", Some(&ins), r#"{"seek_s":900}"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("within the session, 1 to 600 s"), "{body}");
    let (status, _, _) = send(
        &s,
        post(
            "/api/review",
            Some(&ins),
            r#"{"seek_s":30,"speed":16,"paused":true}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            control.take_seek(),
            control.pace.speed(),
            control.pace.paused()
        ),
        (Some(30.0), 16.0, true)
    );
    let (status, _, body) = send(&s, post("/api/alerts/1/ack", Some(&op), "")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("cannot be acted on"), "{body}");
}

/// Regression (found by CI's browser test): a threat stayed on the list up to a second after
/// its track ended, and a display that opened it waited forever for a track gone.
#[test]
fn a_threat_leaves_the_picture_with_its_track() {
    let mut picture = Picture::new(&[radar()], 0);
    let mut out = Output::default();
    out.updates.push(update(7, 10.0, "1234"));
    out.updates.push(update(8, 10.0, "4321"));
    picture.apply(&out);
    // Threats as identification ranked them (put back as a review does).
    let threat = |track: u32| {
        serde_json::json!({
            "track": track, "callsign": null, "identity": "suspect", "asset": "Niamey",
            "priority": 1, "cpa_m": 1000.0, "time_to_cpa_s": 60.0, "time_to_arrival_s": 30.0,
            "score": 1.0, "reasons": [],
        })
    };
    picture.replay_judged(&serde_json::json!({ "threats": [threat(7), threat(8)] }));
    assert_eq!(picture.threats().len(), 2);
    let ended = Output {
        ended: vec![7],
        ..Output::default()
    };
    picture.apply(&ended);
    let left: Vec<u32> = picture.threats().iter().map(|t| t.track).collect();
    assert_eq!(left, [8]);
}

/// Issue 17: a track whose number the tracker gives back to its aircraft found again lost
/// the identity an operator had decided; it keeps it while the number may come back, and
/// forgets it after.
#[test]
fn a_track_found_again_under_its_number_keeps_the_identity_an_operator_decided() {
    use vigie_ident::identity::Identity;
    let mut picture = Picture::new(&[radar()], 0);
    let at = |id: u32, t: f64| Output {
        updates: vec![update(id, t, "1234")],
        ..Output::default()
    };
    picture.apply(&at(7, 10.0));
    picture.set_identity(7, Identity::Hostile, true);
    let ended = Output {
        ended: vec![7],
        ..Output::default()
    };
    picture.advance(20.0);
    picture.apply(&ended);
    assert!(picture.track(7).is_none());
    picture.advance(80.0);
    picture.apply(&at(7, 80.0));
    let back = picture.tracks().into_iter().find(|t| t.id == 7).unwrap();
    assert_eq!(back.identity, Identity::Hostile);
    assert!(back.identity_decided);
    // Lost for longer than the tracker remembers: a new track under that number (none
    // comes, numbers are never reused otherwise) would start afresh.
    picture.advance(90.0);
    picture.apply(&ended);
    picture.advance(90.0 + vigie_core::TRACK_NUMBER_MEMORY_S + 1.0);
    picture.apply(&at(7, 300.0));
    let fresh = picture.tracks().into_iter().find(|t| t.id == 7).unwrap();
    assert_eq!(fresh.identity, Identity::Pending);
}
