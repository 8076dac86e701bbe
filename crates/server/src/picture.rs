//! The recognised air picture as the display sees it: the latest state of every confirmed
//! track with a short history, each sensor's status, and the alerts raised so far.
//!
//! The picture is fed tracker output (`apply`) and sensor activity (`heard`) by whoever runs
//! the pipeline, and read by the API. It keeps what changed since the last push so the
//! WebSocket sends only that.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::{Deserialize, Serialize};
use vigie_core::{SensorKind, SensorSpec};
use vigie_ident::identifier::{is_event, AlertKey, Tick};
use vigie_ident::identity::Identity;
use vigie_ident::rules::Severity;
use vigie_ident::threat::Threat;
use vigie_track::{Output, TrackUpdate};

/// History points kept per track: ten minutes at one point every four seconds.
const HISTORY_MAX: usize = 150;
/// The least time between two history points.
const HISTORY_STEP_S: f64 = 4.0;
/// Alerts kept, whatever their state (the oldest done with go first).
const ALERTS_MAX: usize = 1_000;
/// Threats the display lists.
const THREATS_SHOWN: usize = 50;
const M_TO_FT: f64 = 3.280_839_9;
const MPS_TO_KT: f64 = 1.943_844_5;

fn round(x: f64, per_unit: f64) -> f64 {
    (x * per_unit).round() / per_unit
}

/// One track as the display draws it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrackView {
    pub id: u32,
    pub time_s: f64,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
    /// Hundreds of feet, as controllers speak it.
    pub flight_level: i32,
    pub ground_speed_kt: f64,
    /// True heading of the velocity, degrees clockwise from north.
    pub course_deg: f64,
    pub vertical_rate_fpm: f64,
    pub vn_mps: f64,
    pub ve_mps: f64,
    /// One sigma of the horizontal position; none where it is not known (a console on the
    /// bus that got a track's row without its quality).
    pub sigma_m: Option<f64>,
    pub turn_probability: f64,
    pub mode3a: Option<String>,
    pub mode_s: Option<String>,
    pub callsign: Option<String>,
    /// Each contributing sensor and when it last did.
    pub sensors: Vec<Contribution>,
    /// Standard identity (STANAG 1241 / APP-6), `snake_case`.
    pub identity: Identity,
    /// An operator decided the identity (vigie's rules no longer change it).
    pub identity_decided: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Contribution {
    pub sensor: String,
    pub last_s: f64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct HistoryPoint {
    pub time_s: f64,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
}

/// A track with its history, for the detail view.
#[derive(Debug, Clone, Serialize)]
pub struct TrackDetail {
    #[serde(flatten)]
    pub view: TrackView,
    pub history: Vec<HistoryPoint>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SensorView {
    pub id: String,
    pub kind: &'static str,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub range_m: Option<f64>,
    pub period_s: f64,
    /// "ok" (heard within three periods), "silent", or "never" heard.
    pub status: &'static str,
    pub last_report_s: Option<f64>,
    pub reports: u64,
}

/// Where an alert is in its life: raised, acknowledged by someone, cleared (its condition
/// ended, or, for an event, it was acknowledged).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Raised,
    Acknowledged,
    Cleared,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Alert {
    pub id: u64,
    pub time_s: f64,
    pub track: Option<u32>,
    pub sensor: Option<String>,
    /// The rule's kind: "emergency", "airspace", "transponder_off", "border_crossing",
    /// "code_change", "spoofing", "track_lost", "sensor_lost".
    pub kind: String,
    pub severity: Severity,
    /// Why, in words.
    pub text: String,
    pub state: AlertState,
    pub acknowledged_by: Option<String>,
    pub acknowledged_s: Option<f64>,
    pub cleared_s: Option<f64>,
}

impl Alert {
    /// Acknowledged and cleared: kept for the record, no longer on the operator's list.
    fn done(&self) -> bool {
        self.acknowledged_by.is_some() && self.cleared_s.is_some()
    }
}

/// One line of the threat list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThreatView {
    pub track: u32,
    pub callsign: Option<String>,
    pub identity: Identity,
    pub asset: String,
    pub priority: u8,
    pub cpa_m: f64,
    pub time_to_cpa_s: f64,
    pub time_to_arrival_s: Option<f64>,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// What changed since the last push, or everything (a snapshot).
#[derive(Debug, Clone, Serialize)]
pub struct Delta {
    pub time_s: f64,
    /// The scenario's or the feed's UTC epoch, so that `time_s` reads as a clock.
    pub epoch_unix_s: i64,
    /// A simulated exercise: everything on it is marked EXERCISE.
    pub exercise: bool,
    /// Counts the exercises started: a client that sees it change reads the new briefing.
    pub session: u32,
    /// The picture comes from elsewhere (the bus) and nothing has come for a while: what
    /// the display shows may be out of date.
    pub stale: bool,
    /// Everything, replacing what the client has (a snapshot, or a new exercise).
    pub full: bool,
    pub tracks: Vec<TrackView>,
    pub ended: Vec<u32>,
    pub sensors: Vec<SensorView>,
    /// The alerts not yet done with (raised, or acknowledged but still standing, or cleared
    /// but not acknowledged), when any changed (or in a snapshot); absent when none did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Vec<Alert>>,
    /// The ranked threats, when they changed (or in a snapshot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threats: Option<Vec<ThreatView>>,
}

struct Entry {
    view: TrackView,
    history: VecDeque<HistoryPoint>,
}

struct SensorState {
    spec: SensorSpec,
    last_report_s: Option<f64>,
    reports: u64,
}

/// What a centre's picture remembers between seconds (a tracker's saved state carries it):
/// the tracks it names alerts and threats after, the sensors heard, the alerts with their
/// numbers and acknowledgements, the threats and the identities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    time_s: f64,
    tracks: Vec<(TrackView, Vec<HistoryPoint>)>,
    sensors: Vec<(Option<f64>, u64)>,
    alerts: Vec<Alert>,
    standing: Vec<(AlertKey, u64)>,
    next_alert: u64,
    threats: Vec<ThreatView>,
    identities: Vec<(u32, Identity, bool)>,
    /// What the journal has not taken yet: identities changed, alerts, threats.
    due: (Vec<(u32, Identity, bool)>, bool, bool),
}

pub struct Picture {
    epoch_unix_s: i64,
    exercise: bool,
    time_s: f64,
    tracks: BTreeMap<u32, Entry>,
    sensors: Vec<SensorState>,
    alerts: VecDeque<Alert>,
    /// The alert standing for each of the identifier's keys.
    standing: HashMap<AlertKey, u64>,
    next_alert: u64,
    changed: BTreeSet<u32>,
    ended: Vec<u32>,
    alerts_changed: bool,
    threats: Vec<ThreatView>,
    threats_changed: bool,
    /// Identities by track, kept across a track's updates, and after it ends for as long as
    /// the tracker may give its number back to its aircraft found again.
    identities: HashMap<u32, (Identity, bool)>,
    /// Tracks that ended and when, oldest first: their identities are forgotten after
    /// `TRACK_NUMBER_MEMORY_S` unless they came back.
    ended_at: VecDeque<(f64, u32)>,
    session: u32,
    /// The next delta replaces everything: another exercise started.
    full_due: bool,
    journal: JournalDue,
    stale: bool,
}

/// What identification changed since the journal last took it (only while journaling, so
/// that nothing grows when nobody takes it).
#[derive(Debug, Default)]
struct JournalDue {
    on: bool,
    identities: Vec<(u32, Identity, bool)>,
    alerts: bool,
    threats: bool,
}

impl Picture {
    pub fn new(sensors: &[SensorSpec], epoch_unix_s: i64) -> Self {
        Self {
            epoch_unix_s,
            exercise: false,
            time_s: 0.0,
            tracks: BTreeMap::new(),
            sensors: sensors
                .iter()
                .map(|spec| SensorState {
                    spec: spec.clone(),
                    last_report_s: None,
                    reports: 0,
                })
                .collect(),
            alerts: VecDeque::new(),
            standing: HashMap::new(),
            next_alert: 1,
            changed: BTreeSet::new(),
            ended: Vec::new(),
            alerts_changed: false,
            threats: Vec::new(),
            threats_changed: false,
            identities: HashMap::new(),
            ended_at: VecDeque::new(),
            session: 0,
            full_due: false,
            journal: JournalDue::default(),
            stale: false,
        }
    }

    /// Says whether the picture's source has fallen silent (a console cut off the bus).
    pub fn set_stale(&mut self, stale: bool) {
        self.stale = stale;
    }

    pub fn stale(&self) -> bool {
        self.stale
    }

    /// What it remembers now, in a canonical order.
    pub fn memory(&self) -> Memory {
        let mut standing: Vec<_> = self.standing.iter().map(|(k, id)| (*k, *id)).collect();
        standing.sort_by_key(|s| s.0);
        let mut identities: Vec<_> = self
            .identities
            .iter()
            .map(|(t, i)| (*t, i.0, i.1))
            .collect();
        identities.sort_by_key(|i| i.0);
        Memory {
            time_s: self.time_s,
            tracks: self
                .tracks
                .values()
                .map(|e| (e.view.clone(), e.history.iter().copied().collect()))
                .collect(),
            sensors: self
                .sensors
                .iter()
                .map(|s| (s.last_report_s, s.reports))
                .collect(),
            alerts: self.alerts.iter().cloned().collect(),
            standing,
            next_alert: self.next_alert,
            threats: self.threats.clone(),
            identities,
            due: (
                self.journal.identities.clone(),
                self.journal.alerts,
                self.journal.threats,
            ),
        }
    }

    /// Takes back what it remembered; its sensors, epoch and journaling stay its own.
    pub fn remember(&mut self, m: Memory) {
        self.time_s = m.time_s;
        self.tracks = m
            .tracks
            .into_iter()
            .map(|(view, history)| {
                let history = history.into_iter().rev().take(HISTORY_MAX).rev().collect();
                (view.id, Entry { view, history })
            })
            .collect();
        for (s, (last_report_s, reports)) in self.sensors.iter_mut().zip(m.sensors) {
            (s.last_report_s, s.reports) = (last_report_s, reports);
        }
        self.alerts = m.alerts.into_iter().take(ALERTS_MAX).collect();
        self.standing = m.standing.into_iter().collect();
        self.next_alert = m.next_alert;
        self.threats = m.threats;
        self.identities = m
            .identities
            .into_iter()
            .map(|(t, i, d)| (t, (i, d)))
            .collect();
        if self.journal.on {
            (
                self.journal.identities,
                self.journal.alerts,
                self.journal.threats,
            ) = m.due;
        }
        self.full_due = true;
    }

    pub fn track_count(&self) -> usize {
        self.tracks.len()
    }

    /// Keeps what identification changes for [`Picture::take_journal`].
    pub fn set_journaling(&mut self, on: bool) {
        self.journal = JournalDue {
            on,
            ..JournalDue::default()
        };
    }

    /// What identification changed since the last call, for the journal: identities that
    /// changed, and the alerts and the threats, whole, when they changed.
    pub fn take_journal(&mut self) -> Option<serde_json::Value> {
        let due = &mut self.journal;
        if due.identities.is_empty() && !due.alerts && !due.threats {
            return None;
        }
        let mut v = serde_json::json!({ "identities": std::mem::take(&mut due.identities) });
        if std::mem::take(&mut due.alerts) {
            v["alerts"] = serde_json::to_value(self.open_alerts()).unwrap_or_default();
        }
        if std::mem::take(&mut self.journal.threats) {
            v["threats"] = serde_json::to_value(&self.threats).unwrap_or_default();
        }
        Some(v)
    }

    /// A recorded tick of identification put back (an after-action review): the
    /// identities that changed, and the alerts and threats as they then were.
    pub fn replay_judged(&mut self, judged: &serde_json::Value) {
        let part = |key: &str| judged.get(key).cloned();
        let identities: Vec<(u32, Identity, bool)> = part("identities")
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        for (track, identity, decided) in identities {
            self.set_identity(track, identity, decided);
        }
        if let Some(alerts) = part("alerts").and_then(|v| serde_json::from_value(v).ok()) {
            self.alerts = alerts;
            self.touch_alerts();
        }
        if let Some(threats) = part("threats").and_then(|v| serde_json::from_value(v).ok()) {
            self.threats = threats;
            self.threats_changed = true;
        }
    }

    fn touch_alerts(&mut self) {
        self.alerts_changed = true;
        self.journal.alerts |= self.journal.on;
    }

    /// Another exercise starts: every track, alert and threat of the one before goes, the
    /// clock starts again from `epoch_unix_s`, and clients are sent the whole new picture.
    pub fn reset(&mut self, epoch_unix_s: i64) {
        self.epoch_unix_s = epoch_unix_s;
        self.time_s = 0.0;
        self.tracks.clear();
        self.changed.clear();
        self.ended.clear();
        self.alerts.clear();
        self.standing.clear();
        self.threats.clear();
        self.identities.clear();
        self.ended_at.clear();
        for s in &mut self.sensors {
            s.last_report_s = None;
            s.reports = 0;
        }
        self.session += 1;
        self.full_due = true;
        self.set_journaling(self.journal.on);
    }

    pub fn session(&self) -> u32 {
        self.session
    }

    pub fn time_s(&self) -> f64 {
        self.time_s
    }

    pub fn epoch_unix_s(&self) -> i64 {
        self.epoch_unix_s
    }

    /// Marks the picture an exercise's (simulated): the display says so everywhere.
    pub fn set_exercise(&mut self, exercise: bool) {
        self.exercise = exercise;
    }

    pub fn exercise(&self) -> bool {
        self.exercise
    }

    /// The pipeline's clock moved on to `t_s`.
    pub fn advance(&mut self, t_s: f64) {
        if t_s > self.time_s {
            self.time_s = t_s;
        }
        while let Some(&(at, id)) = self.ended_at.front() {
            if self.time_s - at <= vigie_core::TRACK_NUMBER_MEMORY_S {
                break;
            }
            self.ended_at.pop_front();
            if !self.tracks.contains_key(&id) {
                self.identities.remove(&id);
            }
        }
    }

    /// A report from sensor `index` (its place in the sensor table) at `t_s`.
    pub fn heard(&mut self, index: usize, t_s: f64) {
        self.heard_many(index, t_s, 1);
    }

    /// `reports` reports from sensor `index`, the last at `t_s` (a console on the bus hears
    /// its sensors through the centre, a tick at a time).
    pub fn heard_many(&mut self, index: usize, t_s: f64, reports: u64) {
        if let Some(s) = self.sensors.get_mut(index) {
            s.last_report_s = Some(s.last_report_s.map_or(t_s, |l| l.max(t_s)));
            s.reports += reports;
        }
    }

    /// Takes the tracker's output: new states, ended tracks.
    pub fn apply(&mut self, out: &Output) {
        for u in &out.updates {
            self.update(u);
        }
        for &id in &out.ended {
            if self.tracks.remove(&id).is_some() {
                self.changed.remove(&id);
                self.ended.push(id);
            }
            self.ended_at.push_back((self.time_s, id));
            // Identification ranks threats once a second: until then, no display may be
            // offered a threat whose track it can no longer open.
            let before = self.threats.len();
            self.threats.retain(|t| t.track != id);
            self.threats_changed |= self.threats.len() != before;
        }
    }

    fn update(&mut self, u: &TrackUpdate) {
        let view = self.view_of(u);
        let id = view.id;
        let point = HistoryPoint {
            time_s: view.time_s,
            lat_deg: view.lat_deg,
            lon_deg: view.lon_deg,
            alt_m: view.alt_m,
        };
        let entry = self.tracks.entry(id).or_insert_with(|| Entry {
            view: view.clone(),
            history: VecDeque::new(),
        });
        entry.view = view;
        let due = entry
            .history
            .back()
            .is_none_or(|p| point.time_s - p.time_s >= HISTORY_STEP_S);
        if due {
            if entry.history.len() == HISTORY_MAX {
                entry.history.pop_front();
            }
            entry.history.push_back(point);
        }
        self.changed.insert(id);
        self.advance(point.time_s);
    }

    fn view_of(&self, u: &TrackUpdate) -> TrackView {
        let r = &u.row;
        let gs_mps = r.vn_mps.hypot(r.ve_mps);
        // Rounded to what a display can show (1e-6° is 0.1 m): a third of the bytes pushed.
        TrackView {
            id: r.track_id,
            time_s: round(r.time_s, 1e3),
            lat_deg: round(r.lat_deg, 1e6),
            lon_deg: round(r.lon_deg, 1e6),
            alt_m: round(r.alt_m, 10.0),
            flight_level: (r.alt_m * M_TO_FT / 100.0).round() as i32,
            ground_speed_kt: round(gs_mps * MPS_TO_KT, 10.0),
            course_deg: round(
                r.ve_mps.atan2(r.vn_mps).to_degrees().rem_euclid(360.0),
                10.0,
            ),
            vertical_rate_fpm: (r.vu_mps * M_TO_FT * 60.0).round(),
            vn_mps: round(r.vn_mps, 10.0),
            ve_mps: round(r.ve_mps, 10.0),
            sigma_m: u
                .position_sigma_m
                .is_finite()
                .then(|| u.position_sigma_m.round()),
            turn_probability: round(u.turn_probability, 100.0),
            mode3a: r.mode3a.map(|m| m.to_string()),
            mode_s: r.mode_s.map(|m| m.to_string()),
            callsign: r.callsign.map(|c| c.to_string()),
            sensors: u
                .sensors
                .iter()
                .filter_map(|(s, t)| {
                    let spec = &self.sensors.get(usize::from(s.0))?.spec;
                    Some(Contribution {
                        sensor: spec.id.clone(),
                        last_s: round(*t, 10.0),
                    })
                })
                .collect(),
            identity: self
                .identities
                .get(&r.track_id)
                .map_or(Identity::Pending, |i| i.0),
            identity_decided: self.identities.get(&r.track_id).is_some_and(|i| i.1),
        }
    }

    /// Takes one second of identification: identities, alerts raised and cleared, the
    /// ranked threats. Returns the alerts raised and cleared, for the audit log.
    pub fn judged(&mut self, tick: &Tick) -> Vec<&Alert> {
        for (track, change) in &tick.identity_changes {
            self.set_identity(*track, change.identity, false);
        }
        let mut touched = Vec::new();
        for (key, a) in &tick.raised {
            touched.push(self.raise(*key, a));
        }
        for key in &tick.cleared {
            touched.extend(self.clear(key));
        }
        if !tick.threats.is_empty() || !self.threats.is_empty() {
            self.threats = tick
                .threats
                .iter()
                .take(THREATS_SHOWN)
                .map(|t| self.threat_view(t))
                .collect();
            self.threats_changed = true;
            self.journal.threats |= self.journal.on;
        }
        self.alerts
            .iter()
            .filter(|a| touched.contains(&a.id))
            .collect()
    }

    /// A track's identity, from vigie's rules or (`decided`) an operator.
    pub fn set_identity(&mut self, track: u32, identity: Identity, decided: bool) {
        self.identities.insert(track, (identity, decided));
        if self.journal.on {
            self.journal.identities.push((track, identity, decided));
        }
        if let Some(e) = self.tracks.get_mut(&track) {
            e.view.identity = identity;
            e.view.identity_decided = decided;
            self.changed.insert(track);
        }
    }

    fn threat_view(&self, t: &Threat) -> ThreatView {
        let view = self.tracks.get(&t.track_id).map(|e| &e.view);
        ThreatView {
            track: t.track_id,
            callsign: view.and_then(|v| v.callsign.clone()),
            identity: view.map_or(Identity::Pending, |v| v.identity),
            asset: t.asset.clone(),
            priority: t.priority,
            cpa_m: t.cpa_m.round(),
            time_to_cpa_s: t.time_to_cpa_s.round(),
            time_to_arrival_s: t.time_to_arrival_s.map(f64::round),
            score: round(t.score, 1e3),
            reasons: t.explanation.clone(),
        }
    }

    fn raise(&mut self, key: AlertKey, a: &vigie_ident::rules::Alert) -> u64 {
        if self.alerts.len() == ALERTS_MAX {
            let oldest = self
                .alerts
                .iter()
                .position(Alert::done)
                .or_else(|| self.alerts.iter().position(|a| a.cleared_s.is_some()))
                .unwrap_or(0);
            if let Some(gone) = self.alerts.remove(oldest) {
                self.standing.retain(|_, id| *id != gone.id);
            }
        }
        let id = self.next_alert;
        self.next_alert += 1;
        let subject = match (a.track_id, &a.sensor) {
            (Some(t), _) => {
                let name = self.tracks.get(&t).and_then(|e| e.view.callsign.clone());
                format!(
                    "track {t}{}",
                    name.map(|n| format!(" ({n})")).unwrap_or_default()
                )
            }
            (None, Some(s)) => s.clone(),
            (None, None) => String::new(),
        };
        self.alerts.push_back(Alert {
            id,
            time_s: self.time_s,
            track: a.track_id,
            sensor: a.sensor.clone(),
            kind: a.kind.to_string(),
            severity: a.severity,
            text: format!("{subject}: {}", a.explanation),
            state: AlertState::Raised,
            acknowledged_by: None,
            acknowledged_s: None,
            cleared_s: None,
        });
        // An event (a border crossed, a track lost) has nothing to clear it but a person.
        if !is_event(a.kind) {
            self.standing.insert(key, id);
        }
        self.touch_alerts();
        id
    }

    /// The identifier's alert `key` no longer holds.
    fn clear(&mut self, key: &AlertKey) -> Option<u64> {
        let id = self.standing.remove(key)?;
        let time_s = self.time_s;
        let a = self.alerts.iter_mut().find(|a| a.id == id)?;
        a.cleared_s = Some(time_s);
        a.state = AlertState::Cleared;
        self.touch_alerts();
        Some(id)
    }

    /// One alert, by its number.
    pub fn alert(&self, id: u64) -> Option<&Alert> {
        self.alerts.iter().find(|a| a.id == id)
    }

    /// Marks an alert seen by `user`; `false` when there is no such alert. An event's alert
    /// is then done with; a condition's stays until the condition ends.
    pub fn acknowledge(&mut self, alert: u64, user: &str) -> bool {
        let time_s = self.time_s;
        let Some(a) = self.alerts.iter_mut().find(|a| a.id == alert) else {
            return false;
        };
        if a.acknowledged_by.is_none() {
            a.acknowledged_by = Some(user.to_string());
            a.acknowledged_s = Some(time_s);
            if a.cleared_s.is_none() && is_event(&a.kind) {
                a.cleared_s = Some(time_s);
            }
            a.state = if a.cleared_s.is_some() {
                AlertState::Cleared
            } else {
                AlertState::Acknowledged
            };
            self.touch_alerts();
        }
        true
    }

    /// Where a track is (lat, lon), if it is on the picture.
    pub fn track_position(&self, id: u32) -> Option<(f64, f64)> {
        self.tracks
            .get(&id)
            .map(|e| (e.view.lat_deg, e.view.lon_deg))
    }

    pub fn tracks(&self) -> Vec<TrackView> {
        self.tracks.values().map(|e| e.view.clone()).collect()
    }

    pub fn track(&self, id: u32) -> Option<TrackDetail> {
        self.tracks.get(&id).map(|e| TrackDetail {
            view: e.view.clone(),
            history: e.history.iter().copied().collect(),
        })
    }

    pub fn sensors(&self) -> Vec<SensorView> {
        self.sensors.iter().map(|s| self.sensor_view(s)).collect()
    }

    fn sensor_view(&self, s: &SensorState) -> SensorView {
        let period_s = s.spec.scan_period_s.max(0.1);
        let status = match s.last_report_s {
            None => "never",
            Some(t) if self.time_s - t <= 3.0 * period_s + 1.0 => "ok",
            Some(_) => "silent",
        };
        SensorView {
            id: s.spec.id.clone(),
            kind: match s.spec.kind {
                SensorKind::Radar => "radar",
                SensorKind::Adsb => "adsb",
            },
            lat_deg: s.spec.lat_deg,
            lon_deg: s.spec.lon_deg,
            range_m: s.spec.range_max_m,
            period_s,
            status,
            last_report_s: s.last_report_s,
            reports: s.reports,
        }
    }

    /// Every alert kept, done with or not, oldest first.
    pub fn alerts(&self) -> Vec<Alert> {
        self.alerts.iter().cloned().collect()
    }

    /// The alerts an operator still has to see to: not both acknowledged and cleared.
    pub fn open_alerts(&self) -> Vec<Alert> {
        self.alerts.iter().filter(|a| !a.done()).cloned().collect()
    }

    pub fn threats(&self) -> &[ThreatView] {
        &self.threats
    }

    /// Everything, for a client that has nothing yet (or fell behind).
    pub fn snapshot(&self) -> Delta {
        Delta {
            time_s: self.time_s,
            epoch_unix_s: self.epoch_unix_s,
            exercise: self.exercise,
            session: self.session,
            stale: self.stale,
            full: true,
            tracks: self.tracks(),
            ended: Vec::new(),
            sensors: self.sensors(),
            alerts: Some(self.open_alerts()),
            threats: Some(self.threats.clone()),
        }
    }

    /// What changed since the last call. Sensors are always sent: a status can change with
    /// no report at all (a radar falling silent).
    pub fn take_delta(&mut self) -> Delta {
        if std::mem::take(&mut self.full_due) {
            self.changed.clear();
            self.ended.clear();
            self.alerts_changed = false;
            self.threats_changed = false;
            return self.snapshot();
        }
        let tracks = std::mem::take(&mut self.changed)
            .into_iter()
            .filter_map(|id| self.tracks.get(&id).map(|e| e.view.clone()))
            .collect();
        let alerts = std::mem::take(&mut self.alerts_changed).then(|| self.open_alerts());
        let threats = std::mem::take(&mut self.threats_changed).then(|| self.threats.clone());
        Delta {
            time_s: self.time_s,
            epoch_unix_s: self.epoch_unix_s,
            exercise: self.exercise,
            session: self.session,
            stale: self.stale,
            full: false,
            tracks,
            ended: std::mem::take(&mut self.ended),
            sensors: self.sensors(),
            alerts,
            threats,
        }
    }
}
