//! The identifier: once a second, every live track through identification, the alert rules
//! and threat evaluation. It keeps what each needs from one second to the next (the track's
//! identity and history, its last observation, the alerts standing) and reports what
//! changed: identities, alerts raised and cleared, the ranked threats.

use std::collections::{BTreeMap, HashMap, HashSet};

use geo::Polygon;
use vigie_core::interop::TrackRow;

use crate::airspace::{Kind, Volume};
use crate::flightplan::{self, FlightPlan, Seen};
use crate::identity::{Change, Facts, Identity, Rules as IdentityRules, TrackIdentity};
use crate::rules::{self, Alert, Observed, Rule};
use crate::threat::{self, Asset, Motion, Threat};

/// An alert clears once its condition has not held for this long: a track at the edge of a
/// zone, or with a noisy height, does not raise and clear it every few seconds.
pub const CLEAR_AFTER_S: f64 = 15.0;

/// How much a track's identity weighs in the threat list: nobody vouches for a hostile or
/// a suspect; a friend or a neutral is not a threat and is left out.
fn threat_weight(i: Identity) -> f64 {
    match i {
        Identity::Hostile => 3.0,
        Identity::Suspect => 2.0,
        Identity::Unknown | Identity::Pending => 1.0,
        Identity::AssumedFriend | Identity::Friend | Identity::Neutral => 0.0,
    }
}

/// A threat worth an operator's line: it enters the asset's area within the hour, or passes
/// within 30 km of it.
fn worth_listing(t: &Threat) -> bool {
    const HOUR_S: f64 = 3_600.0;
    t.time_to_arrival_s.is_some_and(|s| s < HOUR_S)
        || (t.cpa_m < 30_000.0 && t.time_to_cpa_s < HOUR_S)
}

/// What the identifier judges with.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub volumes: Vec<Volume>,
    /// The defended country's outline (lon, lat), for border crossings.
    pub country: Option<Polygon<f64>>,
    pub plans: Vec<FlightPlan>,
    /// Mode 3/A codes (octal text) that mark friendly aircraft.
    pub friendly_codes: HashSet<String>,
    pub assets: Vec<Asset>,
    pub rules: Vec<Rule>,
    pub identity: IdentityRules,
    /// Aerodromes and waypoints by name, for route correlation.
    pub places: HashMap<String, (f64, f64)>,
    /// Where the radars see, for "lost inside coverage"; the country's outline stands in
    /// for it when absent.
    pub coverage: Option<CoverageGrid>,
}

/// The lowest height the radar network sees, above sea level, on a regular grid.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageGrid {
    /// The north-west corner of the first cell, and the cells' size, degrees.
    pub north_deg: f64,
    pub west_deg: f64,
    pub cell_deg: f64,
    pub cols: usize,
    /// Row by row from the north; NaN where no radar sees at any height.
    pub lowest_amsl_m: Vec<f32>,
}

impl CoverageGrid {
    pub fn sees(&self, lat_deg: f64, lon_deg: f64, alt_m: f64) -> bool {
        let row = ((self.north_deg - lat_deg) / self.cell_deg).floor();
        let col = ((lon_deg - self.west_deg) / self.cell_deg).floor();
        if row < 0.0 || col < 0.0 || col >= self.cols as f64 {
            return false;
        }
        let i = row as usize * self.cols + col as usize;
        self.lowest_amsl_m
            .get(i)
            .is_some_and(|h| f64::from(*h) <= alt_m)
    }
}

/// What an alert is about: a track, or a sensor (its place in the sensor table).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Subject {
    Track(u32),
    Sensor(usize),
}

/// An alert's identity while it stands: its rule and its subject.
pub type AlertKey = (usize, Subject);

/// Alerts about an event rather than a state: nothing clears them but the track's end (or
/// an operator's acknowledgement, downstream).
pub fn is_event(kind: &str) -> bool {
    matches!(kind, "border_crossing" | "code_change" | "track_lost")
}

/// One track as the identifier is given it each second.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackInput {
    pub row: TrackRow,
    /// Unix seconds of `row.time_s`.
    pub unix_s: f64,
    /// Any transponder reply has been heard from it.
    pub transponder: bool,
    pub emergency_status: bool,
    pub adsb_radar_gap_m: Option<f64>,
    /// The ground under it, metres above sea level.
    pub ground_m: f64,
}

/// What changed in one second.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tick {
    pub identity_changes: Vec<(u32, Change)>,
    pub raised: Vec<(AlertKey, Alert)>,
    /// Alerts whose condition no longer holds.
    pub cleared: Vec<AlertKey>,
    pub threats: Vec<Threat>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct State {
    first_unix_s: f64,
    identity: TrackIdentity,
    last: Option<Observed>,
    earlier_speed_mps: Option<f64>,
    /// Bit `i`: rule `i` has an alert standing for this track (rules past the 64th are
    /// looked up in the identifier's map).
    standing_rules: u64,
}

/// Track numbers need no defence against chosen keys: FxHash, not SipHash (a tenth of the
/// time at 40,000 tracks).
type ByTrack<V> = rustc_hash::FxHashMap<u32, V>;

fn rule_bit(rule: usize) -> u64 {
    if rule < 64 {
        1 << rule
    } else {
        0
    }
}

/// Identification, rules and threat evaluation over the live picture.
pub struct Identifier {
    pub context: Context,
    plans: flightplan::PlanIndex,
    country: Option<crate::airspace::Region>,
    tracks: ByTrack<State>,
    /// Tracks that ended, and when (Unix seconds): the tracker gives a lost track's number
    /// back to its aircraft found again, which then takes back its identity and its alerts,
    /// acknowledged or not. Forgotten after `TRACK_NUMBER_MEMORY_S`, their alerts cleared.
    lost: ByTrack<(State, f64)>,
    /// The latest time seen.
    now_unix_s: f64,
    /// Alerts standing.
    standing: BTreeMap<AlertKey, Alert>,
    /// When each standing alert's condition last held (Unix seconds).
    held: HashMap<AlertKey, f64>,
}

/// The volumes in which an unidentified aircraft is suspect.
fn suspect_zone(v: &Volume) -> bool {
    matches!(v.kind, Kind::Adiz | Kind::Prohibited | Kind::Restricted)
}

/// What the identifier remembers from one second to the next, in a canonical order: a
/// tracker's saved state carries it, so that identification goes on after a restart as it
/// would have.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Memory {
    /// The rules it was made under, each as it reads: alerts name them by their place.
    rules: Vec<String>,
    tracks: Vec<(u32, State)>,
    /// Absent when empty, so that memories saved before it read alike.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lost: Vec<(u32, State, f64)>,
    standing: Vec<(AlertKey, SavedAlert)>,
    held: Vec<(AlertKey, f64)>,
}

/// An alert standing, as a saved state holds it (its kind by name).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct SavedAlert {
    rule: usize,
    kind: String,
    track_id: Option<u32>,
    sensor: Option<String>,
    severity: rules::Severity,
    explanation: String,
}

impl From<&Alert> for SavedAlert {
    fn from(a: &Alert) -> Self {
        SavedAlert {
            rule: a.rule,
            kind: a.kind.to_string(),
            track_id: a.track_id,
            sensor: a.sensor.clone(),
            severity: a.severity,
            explanation: a.explanation.clone(),
        }
    }
}

impl SavedAlert {
    fn alert(self) -> Result<Alert, String> {
        let kind = rules::kind_of(&self.kind)
            .ok_or_else(|| format!("not a kind of alert: {:?}", self.kind))?;
        Ok(Alert {
            rule: self.rule,
            kind,
            track_id: self.track_id,
            sensor: self.sensor,
            severity: self.severity,
            explanation: self.explanation,
        })
    }
}

impl Identifier {
    /// What it remembers now.
    pub fn memory(&self) -> Memory {
        let mut tracks: Vec<_> = self.tracks.iter().map(|(k, v)| (*k, v.clone())).collect();
        tracks.sort_by_key(|t| t.0);
        let mut held: Vec<_> = self.held.iter().map(|(k, v)| (*k, *v)).collect();
        held.sort_by_key(|h| h.0);
        let mut lost: Vec<_> = self
            .lost
            .iter()
            .map(|(k, (v, t))| (*k, v.clone(), *t))
            .collect();
        lost.sort_by_key(|t| t.0);
        Memory {
            rules: self.rule_marks(),
            tracks,
            lost,
            standing: self.standing.iter().map(|(k, a)| (*k, a.into())).collect(),
            held,
        }
    }

    fn rule_marks(&self) -> Vec<String> {
        self.context
            .rules
            .iter()
            .map(|r| format!("{r:?}"))
            .collect()
    }

    /// Takes back what it remembered (its context stays its own); refused, and nothing
    /// changed, when it was made under other rules or names an alert of a kind this
    /// version does not know.
    pub fn remember(&mut self, memory: Memory) -> Result<(), String> {
        if memory.rules != self.rule_marks() {
            return Err("identification's memory was made under other rules".into());
        }
        let standing = memory
            .standing
            .into_iter()
            .map(|(k, a)| Ok((k, a.alert()?)))
            .collect::<Result<_, String>>()?;
        self.standing = standing;
        self.tracks = memory.tracks.into_iter().collect();
        self.lost = memory
            .lost
            .into_iter()
            .map(|(k, v, t)| (k, (v, t)))
            .collect();
        self.now_unix_s = self
            .lost
            .values()
            .map(|l| l.1)
            .fold(f64::NEG_INFINITY, f64::max);
        self.held = memory.held.into_iter().collect();
        Ok(())
    }

    pub fn new(context: Context) -> Identifier {
        let places = &context.places;
        Identifier {
            plans: flightplan::PlanIndex::new(&context.plans, |n| places.get(n).copied()),
            country: context.country.as_ref().map(crate::airspace::Region::new),
            context,
            tracks: ByTrack::default(),
            lost: ByTrack::default(),
            now_unix_s: f64::NEG_INFINITY,
            standing: BTreeMap::new(),
            held: HashMap::new(),
        }
    }

    /// A track's identity now.
    pub fn identity(&self, track_id: u32) -> Option<&TrackIdentity> {
        self.tracks.get(&track_id).map(|s| &s.identity)
    }

    /// An operator confirms or overrides a track's identity.
    pub fn decide(
        &mut self,
        track_id: u32,
        user: &str,
        identity: Identity,
        note: Option<String>,
        unix_s: f64,
    ) -> Option<Change> {
        let s = self.tracks.get_mut(&track_id)?;
        Some(s.identity.decide(user, identity, note, unix_s).clone())
    }

    /// `assessed`: the track against each asset (see [`threat::assess`]).
    fn facts(&self, t: &TrackInput, state: &State, assessed: &[Threat]) -> Facts {
        let r = &t.row;
        let mode_s = r.mode_s.map(|m| m.to_string());
        let callsign = r.callsign.map(|c| c.to_string());
        let mode3a = r.mode3a.map(|c| c.to_string());
        let seen = Seen {
            mode_s: mode_s.as_deref(),
            callsign: callsign.as_deref(),
            mode3a: mode3a.as_deref(),
            transponder: t.transponder,
            lat_deg: r.lat_deg,
            lon_deg: r.lon_deg,
        };
        let plan = self
            .plans
            .correlate(&seen, &self.context.plans, 20_000.0)
            .map(|(p, by)| (p.callsign.clone(), by.to_string()));
        let zone = self
            .context
            .volumes
            .iter()
            .filter(|v| suspect_zone(v))
            .find(|v| v.contains(r.lat_deg, r.lon_deg, r.alt_m, t.ground_m, t.unix_s))
            .map(|v| v.name.clone());
        let towards = assessed
            .iter()
            .filter(|th| th.heading_for)
            .filter_map(|th| Some((th.asset.clone(), th.time_to_arrival_s?)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        Facts {
            age_s: t.unix_s - state.first_unix_s,
            transponder: t.transponder,
            friendly_code: mode3a
                .as_ref()
                .is_some_and(|c| self.context.friendly_codes.contains(c)),
            mode_s,
            mode3a,
            flight_plan: plan,
            zone,
            agl_m: Some(r.alt_m - t.ground_m),
            speed_mps: r.vn_mps.hypot(r.ve_mps),
            towards,
        }
    }

    /// One second: every live track, then the tracks that `ended`.
    pub fn step(&mut self, tracks: &[TrackInput], ended: &[u32]) -> Tick {
        let mut tick = Tick::default();

        // Each track's worst threat, assessed once for its identity's facts and the ranking.
        let mut worst = Vec::with_capacity(tracks.len());
        // Out of `self` while the loop reads the rest of it.
        let mut states = std::mem::take(&mut self.tracks);
        for t in tracks {
            let r = &t.row;
            self.now_unix_s = self.now_unix_s.max(t.unix_s);
            let state = match states.entry(r.track_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let found = self.found_again(r.track_id, &mut tick);
                    e.insert(found.unwrap_or_else(|| State {
                        first_unix_s: t.unix_s,
                        identity: TrackIdentity::default(),
                        last: None,
                        earlier_speed_mps: None,
                        standing_rules: 0,
                    }))
                }
            };
            let motion = Motion {
                lat_deg: r.lat_deg,
                lon_deg: r.lon_deg,
                alt_m: r.alt_m,
                vn_mps: r.vn_mps,
                ve_mps: r.ve_mps,
                vu_mps: r.vu_mps,
                earlier_speed_mps: state.earlier_speed_mps,
            };
            let assessed: Vec<Threat> = self
                .context
                .assets
                .iter()
                .filter_map(|a| threat::assess(r.track_id, &motion, a))
                .collect();
            let facts = self.facts(t, state, &assessed);
            if let Some(change) = state
                .identity
                .update(&facts, &self.context.identity, t.unix_s)
            {
                tick.identity_changes.push((r.track_id, change.clone()));
            }
            let observed = Observed {
                track_id: r.track_id,
                unix_s: t.unix_s,
                lat_deg: r.lat_deg,
                lon_deg: r.lon_deg,
                alt_m: r.alt_m,
                ground_m: t.ground_m,
                vn_mps: r.vn_mps,
                ve_mps: r.ve_mps,
                mode3a: r.mode3a,
                emergency_status: t.emergency_status,
                transponder: t.transponder,
                identity: state.identity.identity,
                inside_country: self
                    .country
                    .as_ref()
                    .is_some_and(|c| c.contains(r.lat_deg, r.lon_deg)),
                adsb_radar_gap_m: t.adsb_radar_gap_m,
            };
            for (i, rule) in self.context.rules.iter().enumerate() {
                let alert = rules::evaluate(
                    i,
                    rule,
                    &observed,
                    state.last.as_ref(),
                    &self.context.volumes,
                );
                let key = (i, Subject::Track(r.track_id));
                let bit = rule_bit(i);
                if alert.is_none() && bit != 0 && state.standing_rules & bit == 0 {
                    continue;
                }
                match (alert, self.standing.get(&key)) {
                    (Some(a), None) => {
                        tick.raised.push((key, a.clone()));
                        self.standing.insert(key, a);
                        self.held.insert(key, t.unix_s);
                        state.standing_rules |= bit;
                    }
                    (Some(_), Some(_)) => {
                        self.held.insert(key, t.unix_s);
                    }
                    (None, Some(a))
                        if !is_event(a.kind)
                            && self
                                .held
                                .get(&key)
                                .is_none_or(|h| t.unix_s - h >= CLEAR_AFTER_S) =>
                    {
                        self.standing.remove(&key);
                        self.held.remove(&key);
                        tick.cleared.push(key);
                        state.standing_rules &= !bit;
                    }
                    _ => {}
                }
            }
            state.earlier_speed_mps = Some(motion.vn_mps.hypot(motion.ve_mps));
            state.last = Some(observed);
            let weight = threat_weight(state.identity.identity);
            worst.extend(
                assessed
                    .into_iter()
                    .filter(|th| weight > 0.0 && worth_listing(th))
                    .map(|mut th| {
                        th.score *= weight;
                        th
                    })
                    .max_by(|x, y| x.score.total_cmp(&y.score)),
            );
        }
        self.tracks = states;
        for id in ended {
            let Some(state) = self.tracks.remove(id) else {
                self.forget(*id, &mut tick);
                continue;
            };
            if let Some(last) = state.last.as_ref() {
                let lost = self.lost_in_coverage(last);
                for (i, rule) in self.context.rules.iter().enumerate() {
                    let key = (i, Subject::Track(*id));
                    let Some(a) = rules::track_lost(i, rule, last, lost) else {
                        continue;
                    };
                    // Standing (an event: no condition clears it), so that it clears when
                    // the track is found again.
                    self.standing.insert(key, a.clone());
                    tick.raised.push((key, a));
                }
            }
            // Its other alerts stand while its aircraft may be found again: an intruder
            // behind a hill is still an intruder.
            let at = state.last.as_ref().map_or(self.now_unix_s, |l| l.unix_s);
            self.lost.insert(*id, (state, at));
        }
        let now = self.now_unix_s;
        let expired: Vec<u32> = self
            .lost
            .iter()
            .filter(|(_, (_, at))| now - at > vigie_core::TRACK_NUMBER_MEMORY_S)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            self.lost.remove(&id);
            self.forget(id, &mut tick);
        }
        tick.threats = threat::ranked(worst);
        tick
    }

    /// A lost track's number is live again: its aircraft was found. It takes back its state
    /// (identity, operators' decisions, alerts standing); its "lost" alert clears.
    fn found_again(&mut self, id: u32, tick: &mut Tick) -> Option<State> {
        let (state, _) = self.lost.remove(&id)?;
        self.clear_track_alerts(id, tick, |a| a.kind == "track_lost");
        Some(state)
    }

    /// A track that will not come back: its alerts clear.
    fn forget(&mut self, id: u32, tick: &mut Tick) {
        self.clear_track_alerts(id, tick, |_| true);
    }

    /// Clears the track's standing alerts that `which` picks.
    fn clear_track_alerts(&mut self, id: u32, tick: &mut Tick, which: impl Fn(&Alert) -> bool) {
        let gone: Vec<AlertKey> = self
            .standing
            .iter()
            .filter(|(k, a)| k.1 == Subject::Track(id) && which(a))
            .map(|(k, _)| *k)
            .collect();
        for k in gone {
            self.standing.remove(&k);
            self.held.remove(&k);
            tick.cleared.push(k);
        }
    }

    /// Whether a track that ended should still be seen: where it was and where it would be a
    /// minute on are covered (a track leaving coverage is not lost), and it had not just
    /// landed (low, near an aerodrome).
    fn lost_in_coverage(&self, last: &Observed) -> bool {
        const LANDING_AGL_M: f64 = 1_000.0;
        const AERODROME_M: f64 = 15_000.0;
        let low = last.alt_m - last.ground_m < LANDING_AGL_M;
        let landed = low
            && self.context.places.values().any(|&(la, lo)| {
                crate::airspace::distance_m(la, lo, last.lat_deg, last.lon_deg) < AERODROME_M
            });
        if landed {
            return false;
        }
        // Well inside: where it was, and where it would be one and three minutes on.
        let points = [
            (last.lat_deg, last.lon_deg),
            rules::ahead(last, 60.0),
            rules::ahead(last, 180.0),
        ];
        points.iter().all(|&(la, lo)| match &self.context.coverage {
            Some(c) => c.sees(la, lo, last.alt_m),
            None => self.country.as_ref().is_some_and(|r| r.contains(la, lo)),
        })
    }

    /// Each sensor's silence, in sensor table order: raises and clears "sensor lost" into
    /// `tick`.
    pub fn sensors(&mut self, silences: &[rules::Silence<'_>], tick: &mut Tick) {
        for (i, rule) in self.context.rules.iter().enumerate() {
            for (s, silence) in silences.iter().enumerate() {
                let key = (i, Subject::Sensor(s));
                match (
                    rules::sensor_lost(i, rule, silence),
                    self.standing.contains_key(&key),
                ) {
                    (Some(a), false) => {
                        tick.raised.push((key, a.clone()));
                        self.standing.insert(key, a);
                    }
                    (None, true) => {
                        self.standing.remove(&key);
                        tick.cleared.push(key);
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::airspace::Limit;
    use vigie_core::{Callsign, Mode3A, ModeS};

    fn square() -> Polygon<f64> {
        use geo::{Coord, LineString};
        let ring = [
            (1.0, 13.0),
            (3.0, 13.0),
            (3.0, 15.0),
            (1.0, 15.0),
            (1.0, 13.0),
        ];
        Polygon::new(
            LineString::new(ring.iter().map(|&(x, y)| Coord { x, y }).collect()),
            vec![],
        )
    }

    fn context() -> Context {
        let plans = flightplan::parse_csv(
            "callsign,mode_s,mode3a,departure,destination,eobt,eet,aircraft_type,route\nAFR520,3944F1,2301,LFPG,DRRN,0700,0540,A320,DCT\n",
            "plans.csv",
        )
        .unwrap();
        Context {
            volumes: vec![Volume::adiz("ADIZ", &square(), 50_000.0), Volume::around("Palace", 14.0, 2.0, 5_000.0, Limit::Amsl(3_000.0))],
            country: Some(square()),
            plans,
            friendly_codes: ["4301".to_string()].into_iter().collect(),
            assets: vec![Asset {
                name: "Palace".into(),
                lat_deg: 14.0,
                lon_deg: 2.0,
                radius_m: 5_000.0,
                priority: 1,
            }],
            rules: rules::load(
                "[[rule]]\nkind = \"airspace\"\ntypes = [\"restricted\"]\n[[rule]]\nkind = \"emergency\"\n[[rule]]\nkind = \"transponder_off\"\nzones = [\"ADIZ\"]\n[[rule]]\nkind = \"border_crossing\"\n",
                std::path::Path::new("rules.toml"),
            )
            .unwrap(),
            ..Context::default()
        }
    }

    fn track(id: u32, lat: f64, lon: f64, ve: f64) -> TrackInput {
        TrackInput {
            row: TrackRow {
                time_s: 0.0,
                track_id: id,
                lat_deg: lat,
                lon_deg: lon,
                alt_m: 400.0,
                vn_mps: 0.0,
                ve_mps: ve,
                vu_mps: 0.0,
                mode3a: None,
                mode_s: None,
                callsign: None,
            },
            unix_s: 0.0,
            transponder: false,
            emergency_status: false,
            adsb_radar_gap_m: None,
            ground_m: 250.0,
        }
    }

    /// The rules of the memory's golden file and of its fuzz target.
    const MEMORY_RULES: &str = "[[rule]]\nkind = \"emergency\"\n[[rule]]\nkind = \"code_change\"\n";

    /// An identifier that takes back another's memory (through its bytes) goes on as the
    /// other does; the bytes of a short emergency are a golden file (`VIGIE_BLESS=1`
    /// rewrites it), and the seed of the `memory` fuzz target.
    #[test]
    fn a_memory_taken_back_goes_on_as_it_would_have() {
        let rules = rules::load(MEMORY_RULES, std::path::Path::new("rules.toml")).unwrap();
        let make = || {
            Identifier::new(Context {
                rules: rules.clone(),
                ..Context::default()
            })
        };
        let at = |s: u32| {
            let mut t = track(3, 13.5, 2.0 + f64::from(s) / 1_000.0, 120.0);
            t.row.mode3a = Mode3A::parse(if s < 8 { "2301" } else { "7700" });
            t.transponder = true;
            t.unix_s = f64::from(s);
            t
        };
        let mut first = make();
        for s in 0..12 {
            first.step(&[at(s)], &[]);
        }
        let bytes = rmp_serde::to_vec_named(&first.memory()).unwrap();
        let golden =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/memory.msgpack");
        if std::env::var_os("VIGIE_BLESS").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &bytes).unwrap();
        }
        assert_eq!(
            std::fs::read(&golden).unwrap(),
            bytes,
            "the memory's format changed"
        );
        let mut second = make();
        second
            .remember(rmp_serde::from_slice(&bytes).unwrap())
            .unwrap();
        let emergency = second.standing.values().any(|a| a.kind == "emergency");
        assert!(emergency, "the emergency stands across");
        for s in 12..40 {
            let ended = if s == 39 { vec![3] } else { Vec::new() };
            let inputs = if s < 30 { vec![at(s)] } else { Vec::new() };
            assert_eq!(
                first.step(&inputs, &ended),
                second.step(&inputs, &ended),
                "at {s} s"
            );
        }
        assert_eq!(first.memory(), second.memory());
        // Other rules: refused, nothing taken.
        let mut other = Identifier::new(context());
        assert!(other.remember(first.memory()).is_err());
        assert!(other.tracks.is_empty());
    }

    /// Issue 17: a track lost and found again under its number (the tracker gives it back)
    /// took back neither its identity nor its alerts: the operator's decision was gone and
    /// its emergency sounded again. Now it takes both back, and its "lost" alert clears; a
    /// number that does not come back has its alerts cleared once the tracker forgets it.
    #[test]
    fn a_track_found_again_takes_back_its_identity_and_its_alerts() {
        let rules = rules::load(
            "[[rule]]\nkind = \"emergency\"\n[[rule]]\nkind = \"track_lost\"\n",
            std::path::Path::new("rules.toml"),
        )
        .unwrap();
        let mut idf = Identifier::new(Context { rules, ..context() });
        let at = |id: u32, s: u32| {
            let mut t = track(id, 14.5, 1.5 + f64::from(s) / 1_000.0, 120.0);
            t.row.mode3a = Mode3A::parse("7700");
            t.transponder = true;
            t.unix_s = f64::from(s);
            t
        };
        #[derive(Default)]
        struct Log {
            raised: Vec<(Subject, &'static str)>,
            cleared: Vec<Subject>,
        }
        let step = |idf: &mut Identifier, log: &mut Log, tracks: &[TrackInput], ended: &[u32]| {
            let tick = idf.step(tracks, ended);
            log.raised
                .extend(tick.raised.iter().map(|(k, a)| (k.1, a.kind)));
            log.cleared.extend(tick.cleared.iter().map(|k| k.1));
        };
        let mut log = Log::default();
        for s in 0..10 {
            step(&mut idf, &mut log, &[at(3, s)], &[]);
        }
        idf.decide(3, "ana", Identity::Friend, None, 10.0).unwrap();
        step(&mut idf, &mut log, &[at(9, 10)], &[3]);
        let track = |id| Subject::Track(id);
        assert!(log.raised.contains(&(track(3), "emergency")));
        assert!(
            log.raised.contains(&(track(3), "track_lost")),
            "{:?}",
            log.raised
        );
        assert!(
            !log.cleared.contains(&track(3)),
            "its alerts stand while it may come back"
        );
        log.raised.clear();
        // A minute later the tracker gives number 3 back to the aircraft found again.
        for s in 70..80 {
            step(&mut idf, &mut log, &[at(3, s), at(9, s)], &[]);
        }
        let identity = idf.identity(3).unwrap();
        assert_eq!(identity.identity, Identity::Friend);
        assert_eq!(identity.operator.as_deref(), Some("ana"));
        assert!(
            !log.raised.iter().any(|r| r.0 == track(3)),
            "nothing raised again: {:?}",
            log.raised
        );
        assert_eq!(log.cleared, vec![track(3)], "its lost alert cleared");
        log.cleared.clear();
        // Lost again, for good: its alerts clear once the tracker has forgotten it.
        step(&mut idf, &mut log, &[at(9, 80)], &[3]);
        for s in 81..(80 + vigie_core::TRACK_NUMBER_MEMORY_S as u32) {
            step(&mut idf, &mut log, &[at(9, s)], &[]);
        }
        assert!(!log.cleared.contains(&track(3)));
        for s in 0..3 {
            step(
                &mut idf,
                &mut log,
                &[at(9, 80 + vigie_core::TRACK_NUMBER_MEMORY_S as u32 + s)],
                &[],
            );
        }
        assert!(log.cleared.contains(&track(3)), "forgotten, cleared");
        assert!(idf.lost.is_empty());
    }

    #[test]
    fn an_intruder_from_the_west_becomes_suspect_and_raises_its_alerts() {
        let mut idf = Identifier::new(context());
        let mut alerts = Vec::new();
        let mut identity = Identity::Pending;
        // Eastbound at 60 m/s from outside the country, silent, low.
        for s in 0..300 {
            let mut t = track(1, 14.0, 0.97 + 60.0 * f64::from(s) / 108_000.0, 60.0);
            t.unix_s = f64::from(s);
            let tick = idf.step(&[t], &[]);
            alerts.extend(tick.raised.iter().map(|(_, a)| a.kind));
            identity = idf.identity(1).unwrap().identity;
        }
        assert_eq!(identity, Identity::Suspect);
        assert!(alerts.contains(&"border_crossing"), "{alerts:?}");
        assert!(alerts.contains(&"transponder_off"), "{alerts:?}");
        let ev = &idf.identity(1).unwrap().proposal.1;
        assert!(ev.iter().any(|e| e.explain() == "entered ADIZ"), "{ev:?}");
    }

    #[test]
    fn a_civil_flight_with_a_plan_stays_neutral_and_quiet() {
        let mut idf = Identifier::new(context());
        for s in 0..60 {
            let mut t = track(2, 14.5, 1.5, 230.0);
            t.row.alt_m = 11_000.0;
            t.row.mode_s = ModeS::parse("3944F1");
            t.row.callsign = Callsign::new("AFR520");
            t.row.mode3a = Mode3A::parse("2301");
            t.transponder = true;
            t.unix_s = f64::from(s);
            let tick = idf.step(&[t], &[]);
            assert!(tick.raised.is_empty(), "{:?}", tick.raised);
        }
        assert_eq!(idf.identity(2).unwrap().identity, Identity::Neutral);
    }

    #[test]
    fn an_emergency_squawk_alerts_at_once_and_clears_after_it_stops() {
        let mut idf = Identifier::new(context());
        let mut t = track(3, 14.5, 2.5, 200.0);
        t.transponder = true;
        t.row.mode3a = Mode3A::parse("7700");
        let tick = idf.step(std::slice::from_ref(&t), &[]);
        assert_eq!(
            tick.raised.iter().map(|(_, a)| a.kind).collect::<Vec<_>>(),
            ["emergency"]
        );
        t.row.mode3a = Mode3A::parse("2000");
        let mut cleared_at = None;
        for s in 1..30 {
            t.unix_s = f64::from(s);
            let tick = idf.step(std::slice::from_ref(&t), &[]);
            if !tick.cleared.is_empty() {
                assert_eq!(tick.cleared, [(1, Subject::Track(3))]);
                cleared_at = Some(s);
            }
        }
        assert_eq!(
            cleared_at,
            Some(CLEAR_AFTER_S as i32),
            "held, then cleared once"
        );
    }
}
