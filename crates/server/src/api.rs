//! The HTTP API: every route, the session check and the role check, and JSON errors.

use std::sync::{Arc, Mutex, RwLock};

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::audit::{self, Audit};
use crate::auth::{Role, Session, Sessions, Users};
use crate::picture::Picture;
use vigie_ident::identifier::Identifier;
use vigie_ident::identity::{Decider, Identity};

pub const SESSION_COOKIE: &str = "vigie_session";

/// Everything a request may need.
#[derive(Clone)]
pub struct AppState {
    pub picture: Arc<RwLock<Picture>>,
    /// Identification, shared with the pipeline that runs it each second: operators'
    /// decisions go to it, and a track's evidence and history come from it.
    pub ident: Arc<Mutex<Identifier>>,
    pub users: Arc<RwLock<Users>>,
    pub sessions: Arc<Sessions>,
    pub audit: Arc<Audit>,
    /// Serialised picture changes, once a second.
    pub push: broadcast::Sender<Arc<str>>,
    /// The map's own layers (GeoJSON): no tile server, nothing fetched from outside.
    pub map: Arc<MapLayers>,
    /// The radar network's coverage per layer, for the map.
    pub overlay: Arc<crate::overlay::Overlay>,
    /// Wall-clock seconds since the Unix epoch: injected, so tests fix it.
    pub now_unix_s: Arc<dyn Fn() -> i64 + Send + Sync>,
    /// The session's recording, if any: every audited action goes to it too.
    pub journal: Option<Arc<Mutex<vigie_journal::Writer>>>,
    /// The running exercise's controls; none for real sensors.
    pub exercise: Option<Arc<crate::exercise::Control>>,
    /// An after-action review's timeline: the picture is a recorded session replayed.
    pub review: Option<Arc<crate::review::ReviewControl>>,
    /// A console on the bus: identification runs at the centre, so operators' decisions go
    /// there.
    pub relay: Option<Arc<dyn Relay>>,
}

/// What an operator at a console on the bus decides, sent to the centre, which owns
/// identification and publishes the result to every console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    Identity {
        track: u32,
        identity: Identity,
        user: String,
        note: Option<String>,
    },
    Acknowledge {
        alert: u64,
        user: String,
        /// When the alert was raised (picture seconds): a centre restarted since numbers
        /// its alerts afresh, and must not take this for another alert with the same id.
        #[serde(default)]
        raised_s: Option<f64>,
    },
}

/// Where a console's operators' decisions go. `send` queues (it never waits on the
/// network); an error is for the operator.
pub trait Relay: Send + Sync {
    fn send(&self, op: Op) -> Result<(), String>;

    /// The identity this console's operator last gave `track`, and who: the centre's
    /// messages say only that an operator decided.
    fn decided_here(&self, _track: u32) -> Option<(Identity, String)> {
        None
    }
}

impl AppState {
    pub fn now(&self) -> i64 {
        (self.now_unix_s)()
    }

    fn log(&self, user: &str, action: &str, detail: String, outcome: &'static str) {
        let time_s = read(self).time_s();
        let json = serde_json::json!({"detail": detail, "outcome": outcome});
        self.journal_action(time_s, user, action, json);
        self.audit.record(audit::Entry {
            time_unix_s: self.now(),
            user: user.to_string(),
            action: action.to_string(),
            detail,
            outcome,
        });
    }
}

impl AppState {
    /// Records an action in the journal, if there is one; committed at once, an action
    /// being worth a write of its own.
    pub fn journal_action(&self, time_s: f64, user: &str, action: &str, detail: serde_json::Value) {
        let Some(j) = &self.journal else {
            return;
        };
        let entry = vigie_journal::Entry::Action(vigie_journal::Action {
            time_s,
            user: user.to_string(),
            action: action.to_string(),
            detail,
        });
        let mut w = j.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = w.append(&entry).and_then(|()| w.commit(f64::NEG_INFINITY)) {
            tracing::error!("the journal failed to record an action: {e}");
        }
    }
}

/// The background the display draws under the tracks, as GeoJSON texts.
#[derive(Debug, Clone, Default)]
pub struct MapLayers {
    /// The defended country's boundary.
    pub country: String,
    /// Its neighbours' boundaries.
    pub neighbours: String,
    /// Airports, as points with `icao` and `name` properties.
    pub airports: String,
    /// Airspace volumes (ADIZ, restricted areas...) with `name`, `type`, `floor`, `ceiling`.
    pub airspace: String,
}

/// An error as the client sees it: a status and `{"error": "..."}`.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body {
            error: String,
        }
        (self.0, Json(Body { error: self.1 })).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError(e.status(), e.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        ApiError(StatusCode::BAD_REQUEST, e.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError(StatusCode::BAD_REQUEST, e.body_text())
    }
}

fn not_found(what: &str) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, format!("no such {what}"))
}

/// The caller's session, from the session cookie: every route but login needs one.
pub struct Caller {
    pub token: String,
    pub session: Session,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(&parts.headers)
            .ok_or_else(|| ApiError(StatusCode::UNAUTHORIZED, "log in first".into()))?;
        let session = state.sessions.get(&token, state.now()).ok_or_else(|| {
            ApiError(
                StatusCode::UNAUTHORIZED,
                "session expired: log in again".into(),
            )
        })?;
        Ok(Caller { token, session })
    }
}

impl Caller {
    /// Refuses (403, and an audit line) a caller whose role is below `least`.
    fn may(&self, state: &AppState, least: Role, action: &str) -> Result<(), ApiError> {
        if self.session.role >= least {
            return Ok(());
        }
        state.log(&self.session.user, action, String::new(), "refused");
        Err(ApiError(
            StatusCode::FORBIDDEN,
            format!(
                "{action} needs the {} role or above; you are {}",
                least.as_str(),
                self.session.role.as_str()
            ),
        ))
    }
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/tracks", get(tracks))
        .route("/api/tracks/{id}", get(track))
        .route("/api/tracks/{id}/identity", post(decide))
        .route("/api/threats", get(threats))
        .route("/api/exercise", get(exercise_state))
        .route("/api/exercise/control", post(exercise_control))
        .route("/api/exercise/briefing", get(exercise_briefing))
        .route("/api/review", get(review_state).post(review_control))
        .route("/api/exercise/start", post(exercise_start))
        .route("/api/exercise/assign", post(exercise_assign))
        .route("/api/exercise/inject", post(exercise_inject))
        .route("/api/exercise/score", get(exercise_score))
        .route("/api/exercise/report", get(exercise_report))
        .route("/api/tracks/{id}/report", post(report_track))
        .route("/api/sensors", get(sensors))
        .route("/api/status", get(status))
        .route("/api/alerts", get(alerts))
        .route("/api/alerts/{id}/ack", post(acknowledge))
        .route("/api/audit", get(audit_log))
        .route("/api/openapi.json", get(openapi))
        .route("/api/map/{layer}", get(map_layer))
        .route("/api/coverage", get(coverage_index))
        .route("/api/coverage/{image}", get(coverage_image))
        .route("/api/ws", get(crate::ws::upgrade))
        .route("/api/{*rest}", get(no_route).post(no_route))
        .route(
            "/health",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .fallback(crate::assets::serve)
        .with_state(state)
}

async fn no_route() -> ApiError {
    not_found("API route")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    name: String,
    password: String,
}

#[derive(Serialize)]
struct Me {
    name: String,
    role: Role,
}

async fn login(
    State(state): State<AppState>,
    body: Result<Json<Login>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(login) = body?;
    let users = Arc::clone(&state.users);
    let (name, password) = (login.name.clone(), login.password);
    // argon2 takes tens of milliseconds on purpose: off the async workers.
    let role = tokio::task::spawn_blocking(move || {
        users
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .verify(&name, &password)
    })
    .await
    .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let Some(role) = role else {
        state.log(&login.name, "login", String::new(), "refused");
        return Err(ApiError(
            StatusCode::UNAUTHORIZED,
            "wrong name or password".into(),
        ));
    };
    let token = state
        .sessions
        .open(&login.name, role, state.now())
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    state.log(&login.name, "login", role.as_str().into(), "ok");
    let cookie = format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/");
    let mut response = Json(Me {
        name: login.name,
        role,
    })
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

async fn logout(State(state): State<AppState>, caller: Caller) -> Response {
    state.sessions.close(&caller.token);
    state.log(&caller.session.user, "logout", String::new(), "ok");
    let expired = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&expired) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

async fn me(caller: Caller) -> Json<Me> {
    Json(Me {
        name: caller.session.user,
        role: caller.session.role,
    })
}

fn read(state: &AppState) -> std::sync::RwLockReadGuard<'_, Picture> {
    state.picture.read().unwrap_or_else(|e| e.into_inner())
}

async fn tracks(State(state): State<AppState>, _: Caller) -> Response {
    Json(read(&state).tracks()).into_response()
}

async fn track(
    State(state): State<AppState>,
    _: Caller,
    id: Result<Path<u32>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let (detail, epoch) = {
        let p = read(&state);
        (
            p.track(id).ok_or_else(|| not_found("track"))?,
            p.epoch_unix_s(),
        )
    };
    #[derive(Serialize)]
    struct WithIdentification {
        #[serde(flatten)]
        detail: crate::picture::TrackDetail,
        identification: Option<Identification>,
    }
    let identification = match &state.relay {
        // A console on the bus: identification is the centre's, and what it published is
        // all this console knows of it.
        Some(relay) => Some(Identification {
            identity: detail.view.identity,
            decided_by: detail.view.identity_decided.then(|| {
                relay
                    .decided_here(id)
                    .filter(|(i, _)| *i == detail.view.identity)
                    .map_or_else(|| "an operator".to_string(), |(_, user)| user)
            }),
            proposal: detail.view.identity,
            evidence: vec!["identified at the centre".into()],
            history: Vec::new(),
        }),
        None => ident(&state).identity(id).map(|i| identification(i, epoch)),
    };
    Ok(Json(WithIdentification {
        detail,
        identification,
    })
    .into_response())
}

fn ident(state: &AppState) -> std::sync::MutexGuard<'_, Identifier> {
    state.ident.lock().unwrap_or_else(|e| e.into_inner())
}

/// A track's identity as the display explains it.
#[derive(Serialize)]
struct Identification {
    identity: Identity,
    /// The operator whose decision stands, if any.
    decided_by: Option<String>,
    /// vigie's latest proposal and its evidence, in words.
    proposal: Identity,
    evidence: Vec<String>,
    /// Changes, oldest first: when (seconds of the session), to what, by whom, why.
    history: Vec<ChangeView>,
}

#[derive(Serialize)]
struct ChangeView {
    time_s: f64,
    identity: Identity,
    by: String,
    evidence: Vec<String>,
    note: Option<String>,
}

fn identification(i: &vigie_ident::identity::TrackIdentity, epoch_unix_s: i64) -> Identification {
    let words = |ev: &[vigie_ident::identity::Evidence]| ev.iter().map(|e| e.explain()).collect();
    Identification {
        identity: i.identity,
        decided_by: i.operator.clone(),
        proposal: i.proposal.0,
        evidence: words(&i.proposal.1),
        history: i
            .history
            .iter()
            .map(|c| ChangeView {
                time_s: c.time_s - epoch_unix_s as f64,
                identity: c.identity,
                by: match &c.decider {
                    Decider::Vigie => "vigie".into(),
                    Decider::Operator { user } => user.clone(),
                },
                evidence: words(&c.evidence),
                note: c.note.clone(),
            })
            .collect(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Decision {
    /// pending, unknown, assumed_friend, friend, neutral, suspect, hostile.
    identity: Identity,
    #[serde(default)]
    note: Option<String>,
}

/// An operator confirms or overrides a track's identity; the decision stands.
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<u32>, PathRejection>,
    body: Result<Json<Decision>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id?;
    let Json(d) = body?;
    caller.may(&state, Role::Operator, "set an identity")?;
    live(&state)?;
    let user = &caller.session.user;
    let note = d.note.map(|n| n.chars().take(500).collect::<String>());
    if let Some(relay) = &state.relay {
        return relayed_identity(&state, relay.as_ref(), user, id, d.identity, note);
    }
    let (time_s, epoch) = {
        let p = read(&state);
        (p.time_s(), p.epoch_unix_s())
    };
    let identification = {
        let mut ident = ident(&state);
        let before = ident.identity(id).map(|i| i.identity);
        ident
            .decide(id, user, d.identity, note.clone(), epoch as f64 + time_s)
            .ok_or_else(|| not_found("track"))?;
        state.log(
            user,
            "set identity",
            format!(
                "track {id}: {} → {}{}",
                before.map_or("?", Identity::as_str),
                d.identity.as_str(),
                note.map(|n| format!(" ({n})")).unwrap_or_default()
            ),
            "ok",
        );
        identification(ident.identity(id).ok_or_else(|| not_found("track"))?, epoch)
    };
    state
        .picture
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .set_identity(id, d.identity, true);
    let act = vigie_train::Act::SetIdentity {
        track: id,
        identity: d.identity,
    };
    scored(&state, user, &act);
    Ok(Json(identification).into_response())
}

/// An operator's decision at a console on the bus: sent to the centre, and shown here at
/// once (the centre's next identification message confirms it).
fn relayed_identity(
    state: &AppState,
    relay: &dyn Relay,
    user: &str,
    id: u32,
    identity: Identity,
    note: Option<String>,
) -> Result<Response, ApiError> {
    let time_s = {
        let p = read(state);
        p.track(id).ok_or_else(|| not_found("track"))?;
        p.time_s()
    };
    let op = Op::Identity {
        track: id,
        identity,
        user: user.to_string(),
        note: note.clone(),
    };
    relay.send(op).map_err(|e| unreachable_centre(&e))?;
    state.log(
        user,
        "set identity",
        format!("track {id}: → {} (sent to the centre)", identity.as_str()),
        "ok",
    );
    state
        .picture
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .set_identity(id, identity, true);
    Ok(Json(Identification {
        identity,
        decided_by: Some(user.to_string()),
        proposal: identity,
        evidence: Vec::new(),
        history: vec![ChangeView {
            time_s,
            identity,
            by: user.to_string(),
            evidence: vec!["sent to the centre, which identifies for every console".into()],
            note,
        }],
    })
    .into_response())
}

fn unreachable_centre(why: &str) -> ApiError {
    ApiError(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("not sent to the centre: {why}"),
    )
}

fn exercise(state: &AppState) -> Result<&crate::exercise::Control, ApiError> {
    state.exercise.as_deref().ok_or_else(|| {
        ApiError(
            StatusCode::CONFLICT,
            "no exercise is running: these are real sensors".into(),
        )
    })
}

/// The instructor's view: controls, injections done, the library, positions and the
/// operators who may be put at them. Trainees read the briefing instead: what is injected
/// is not theirs to see.
async fn exercise_state(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    caller.may(&state, Role::Instructor, "read the exercise's controls")?;
    let mut body = serde_json::to_value(exercise(&state)?.state()).unwrap_or_default();
    let trainees = state
        .users
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .named(Role::Operator);
    body["trainees"] = serde_json::json!(trainees);
    Ok(Json(body).into_response())
}

/// What a trainee reads: the running exercise's briefing and their position.
async fn exercise_briefing(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    Ok(Json(exercise(&state)?.trainee_view(&caller.session.user)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseStart {
    number: u32,
}

/// Starts an exercise of the library (instructor and above); the one running ends.
async fn exercise_start(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ExerciseStart>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(s) = body?;
    caller.may(&state, Role::Instructor, "start an exercise")?;
    let user = &caller.session.user;
    exercise(&state)?
        .request_start(user, s.number)
        .map_err(|e| ApiError(StatusCode::UNPROCESSABLE_ENTITY, e))?;
    state.log(
        user,
        "exercise start",
        format!("exercise {}", s.number),
        "ok",
    );
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseAssign {
    trainee: String,
    /// None takes the trainee off their position.
    position: Option<String>,
}

/// Puts a trainee at a position (instructor and above).
async fn exercise_assign(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ExerciseAssign>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(a) = body?;
    caller.may(&state, Role::Instructor, "assign trainees")?;
    let known = state
        .users
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .named(Role::Operator);
    if !known.contains(&a.trainee) {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("no operator named {:?}", a.trainee),
        ));
    }
    let control = exercise(&state)?;
    control
        .assign(&a.trainee, a.position.as_deref())
        .map_err(|e| ApiError(StatusCode::UNPROCESSABLE_ENTITY, e))?;
    let detail = format!(
        "{} → {}",
        a.trainee,
        a.position.as_deref().unwrap_or("none")
    );
    state.log(&caller.session.user, "assign trainee", detail, "ok");
    let json = serde_json::json!({"trainee": a.trainee, "position": a.position});
    state.journal_action(read(&state).time_s(), &caller.session.user, ASSIGNED, json);
    Ok(Json(control.state()).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseControl {
    #[serde(default)]
    paused: Option<bool>,
    #[serde(default)]
    speed: Option<f64>,
}

/// Pause, resume, or change the speed (instructor and above).
async fn exercise_control(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ExerciseControl>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(c) = body?;
    caller.may(&state, Role::Instructor, "control the exercise")?;
    let control = exercise(&state)?;
    let user = &caller.session.user;
    if let Some(speed) = c.speed {
        control
            .set_speed(speed)
            .map_err(|e| ApiError(StatusCode::UNPROCESSABLE_ENTITY, e))?;
        state.log(user, "exercise speed", format!("×{speed}"), "ok");
    }
    if let Some(paused) = c.paused {
        control.set_paused(paused);
        let action = if paused {
            "exercise paused"
        } else {
            "exercise resumed"
        };
        state.log(user, action, String::new(), "ok");
    }
    Ok(Json(control.state()).into_response())
}

/// Queues an injection (instructor and above); the pipeline applies it within a second.
async fn exercise_inject(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<crate::exercise::Inject>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(inject) = body?;
    caller.may(&state, Role::Instructor, "inject into the exercise")?;
    let user = &caller.session.user;
    let detail = serde_json::to_string(&inject).unwrap_or_default();
    exercise(&state)?
        .request(user, inject)
        .map_err(|e| ApiError(StatusCode::UNPROCESSABLE_ENTITY, e))?;
    state.log(user, "inject", detail, "ok");
    Ok(StatusCode::ACCEPTED)
}

/// Acting on the picture needs a live one: a review's is a recording.
fn live(state: &AppState) -> Result<(), ApiError> {
    match state.review {
        Some(_) => Err(ApiError(
            StatusCode::CONFLICT,
            "a review replays a recording: it cannot be acted on".into(),
        )),
        None => Ok(()),
    }
}

fn review(state: &AppState) -> Result<&crate::review::ReviewControl, ApiError> {
    state.review.as_deref().ok_or_else(|| {
        ApiError(
            StatusCode::CONFLICT,
            "not a review: this picture is live".into(),
        )
    })
}

/// The replay's timeline: where the picture is, its speed, the session's actions.
async fn review_state(State(state): State<AppState>, _: Caller) -> Result<Response, ApiError> {
    Ok(Json(review(&state)?.state()).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewRequest {
    #[serde(default)]
    paused: Option<bool>,
    #[serde(default)]
    speed: Option<f64>,
    #[serde(default)]
    seek_s: Option<f64>,
}

/// Play, pause, speed, seek (instructor and above: the room watches one timeline).
async fn review_control(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<ReviewRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(r) = body?;
    caller.may(&state, Role::Instructor, "drive the review")?;
    let control = review(&state)?;
    let bad = |e| ApiError(StatusCode::UNPROCESSABLE_ENTITY, e);
    if let Some(speed) = r.speed {
        control.pace.set_speed(speed).map_err(bad)?;
    }
    if let Some(t) = r.seek_s {
        control.seek(t).map_err(bad)?;
    }
    if let Some(p) = r.paused {
        control.pace.set_paused(p);
    }
    Ok(Json(control.state()).into_response())
}

/// In an exercise, a trainee's action counts towards their score.
fn scored(state: &AppState, user: &str, act: &vigie_train::Act) {
    if let Some(ex) = &state.exercise {
        let time_s = read(state).time_s();
        let detail = serde_json::to_value(act).unwrap_or_default();
        ex.act(time_s, user, act, || {
            state.journal_action(time_s, user, SCORED, detail)
        });
    }
}

/// The journal's action for what a trainee did, as the scorer takes it.
pub const SCORED: &str = "scored";
/// The journal's action for a trainee put at a position.
pub const ASSIGNED: &str = "assigned";

/// "New track": an operator reports a track (audited; scored in an exercise).
async fn report_track(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<u32>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(id) = id?;
    caller.may(&state, Role::Operator, "report a track")?;
    live(&state)?;
    if read(&state).track_position(id).is_none() {
        return Err(not_found("track"));
    }
    let user = &caller.session.user;
    state.log(user, "report track", format!("track {id}"), "ok");
    scored(&state, user, &vigie_train::Act::Report { track: id });
    Ok(StatusCode::NO_CONTENT)
}

async fn exercise_score(State(state): State<AppState>, _: Caller) -> Result<Response, ApiError> {
    Ok(Json(exercise(&state)?.score()).into_response())
}

/// The after-action report, a printable page.
async fn exercise_report(State(state): State<AppState>, _: Caller) -> Result<Response, ApiError> {
    let ex = exercise(&state)?;
    let epoch = read(&state).epoch_unix_s();
    let clock = move |s: f64| {
        let t = (epoch as f64 + s).rem_euclid(86_400.0) as u64;
        format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
    };
    let title = format!("vigie — {}", ex.name());
    let html = vigie_train::report_html(&ex.score(), &title, &clock);
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}

async fn threats(State(state): State<AppState>, _: Caller) -> Response {
    Json(read(&state).threats().to_vec()).into_response()
}

/// The picture's clock and whether it is current.
async fn status(State(state): State<AppState>, _: Caller) -> Response {
    let p = read(&state);
    Json(serde_json::json!({
        "time_s": p.time_s(),
        "epoch_unix_s": p.epoch_unix_s(),
        "exercise": p.exercise(),
        "stale": p.stale(),
        "tracks": p.track_count(),
    }))
    .into_response()
}

async fn sensors(State(state): State<AppState>, _: Caller) -> Response {
    Json(read(&state).sensors()).into_response()
}

async fn alerts(State(state): State<AppState>, _: Caller) -> Response {
    Json(read(&state).alerts()).into_response()
}

async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<Path<u64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(id) = id?;
    caller.may(&state, Role::Operator, "acknowledge an alert")?;
    live(&state)?;
    let user = &caller.session.user;
    if let Some(relay) = &state.relay {
        let raised_s = read(&state).alert(id).map(|a| a.time_s);
        let Some(raised_s) = raised_s else {
            return Err(not_found("alert"));
        };
        let op = Op::Acknowledge {
            alert: id,
            user: user.to_string(),
            raised_s: Some(raised_s),
        };
        relay.send(op).map_err(|e| unreachable_centre(&e))?;
    }
    let done = state
        .picture
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .acknowledge(id, user);
    if !done {
        return Err(not_found("alert"));
    }
    state.log(user, "acknowledge alert", format!("alert {id}"), "ok");
    scored(&state, user, &vigie_train::Act::Acknowledge { alert: id });
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    limit: Option<usize>,
}

async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query?;
    caller.may(&state, Role::Admin, "read the audit log")?;
    Ok(Json(state.audit.recent(q.limit.unwrap_or(200).min(10_000))).into_response())
}

async fn openapi(_: Caller) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

async fn map_layer(
    State(state): State<AppState>,
    _: Caller,
    layer: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(layer) = layer?;
    let text = match layer.as_str() {
        "country" => state.map.country.clone(),
        "neighbours" => state.map.neighbours.clone(),
        "airports" => state.map.airports.clone(),
        "airspace" if state.map.airspace.is_empty() => {
            r#"{"type":"FeatureCollection","features":[]}"#.to_string()
        }
        "airspace" => state.map.airspace.clone(),
        _ => return Err(not_found("map layer")),
    };
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], text).into_response())
}

async fn coverage_index(State(state): State<AppState>, _: Caller) -> Response {
    Json(state.overlay.index()).into_response()
}

/// `/api/coverage/1000.png`: the layer seen at 1,000 m above ground.
async fn coverage_image(
    State(state): State<AppState>,
    _: Caller,
    image: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(image) = image?;
    let png = image
        .strip_suffix(".png")
        .and_then(|h| h.parse::<u32>().ok())
        .and_then(|h| state.overlay.png(h))
        .ok_or_else(|| not_found("coverage layer"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        png.to_vec(),
    )
        .into_response())
}
