//! Identification in the live pipeline: what the identifier is given each second (the
//! latest state of every live track, the ground under it, whether its transponder still
//! answers, ADS-B checked against radar, each sensor's silence), and where its judgement
//! goes (the picture, the audit log).
//!
//! Also where a site's identification setup is built: the deployment's `[ident]` table,
//! the built-in Niger exercise's, or the default rules when a deployment names none.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use vigie_core::interop::TrackRow;
use vigie_core::{Report, SensorTable};
use vigie_ident::crosscheck::Crosscheck;
use vigie_ident::identifier::{Context, CoverageGrid, Identifier, Tick, TrackInput};
use vigie_ident::rules::Silence;
use vigie_ident::setup::{Setup, Surroundings};
use vigie_server::audit::{self, Audit};
use vigie_server::picture::Picture;
use vigie_terrain::Dem;
use vigie_track::Output;

/// A transponder silent this long no longer counts as answering.
/// (Two minutes: in the Niger exercise the fighter turning hard is kept by a primary-only
/// gap filler while the long-range radar's replies miss its gate for up to 60 s.)
const TRANSPONDER_SILENT_S: f64 = 120.0;

const NIGER_IDENT: &str = include_str!("../../../scenarios/niger-ident/ident.toml");
const NIGER_RULES: &str = include_str!("../../../scenarios/niger-ident/rules.toml");
const NIGER_AIRSPACE: &str = include_str!("../../../scenarios/niger-ident/airspace.openair");

/// The rules of a deployment that names none: the alerts nobody would want to be without.
const DEFAULT_RULES: &str = "[[rule]]\nkind = \"emergency\"\n\n[[rule]]\nkind = \"spoofing\"\nmax_distance_m = 5000\n\n[[rule]]\nkind = \"sensor_lost\"\nsilent_s = 60\n";

/// The built-in Niger exercise's setup, its files read from the binary.
pub fn niger_setup() -> anyhow::Result<(Setup, Reader)> {
    let path = Path::new("scenarios/niger-ident/ident.toml (built in)");
    let setup: Setup = vigie_core::tomlfile::parse(NIGER_IDENT, path)?;
    Ok((setup, Reader::Builtin))
}

/// Where a setup's files come from.
pub enum Reader {
    /// The folder of the file that holds the setup.
    Folder(PathBuf),
    Builtin,
    /// No setup: the default rules.
    Defaults,
}

impl Reader {
    fn read(&self, p: &Path) -> std::io::Result<String> {
        match self {
            Reader::Folder(dir) => std::fs::read_to_string(dir.join(p)),
            Reader::Builtin | Reader::Defaults => match p.to_str() {
                Some("rules.toml") if matches!(self, Reader::Builtin) => Ok(NIGER_RULES.into()),
                Some("rules.toml") => Ok(DEFAULT_RULES.into()),
                Some("airspace.openair") => Ok(NIGER_AIRSPACE.into()),
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "not a built-in file",
                )),
            },
        }
    }
}

/// A deployment without `[ident]`: the default rules only.
fn default_setup() -> (Setup, Reader) {
    let setup = Setup {
        rules: Some(PathBuf::from("rules.toml")),
        ..Setup::default()
    };
    (setup, Reader::Defaults)
}

/// Builds what the identifier judges with. `country`: the map's outline (GeoJSON);
/// `airports`: the map's (GeoJSON points with `icao`); `plans`: an exercise's FPL messages.
pub fn context(
    setup: &Setup,
    reader: &Reader,
    country_geojson: &str,
    airports_geojson: &str,
    plans_fpl: Option<&str>,
) -> anyhow::Result<Context> {
    let plans = match plans_fpl {
        Some(text) => vigie_ident::flightplan::parse_fpl_file(text, "the exercise's flight plans")?,
        None => Vec::new(),
    };
    let read = |p: &Path| reader.read(p);
    let context = setup.build(Surroundings {
        country: vigie_ident::setup::outline(country_geojson),
        places: places(airports_geojson),
        plans,
        read: &read,
    })?;
    tracing::info!(
        "identification: {} volumes, {} flight plans, {} friendly codes, {} assets, {} rules",
        context.volumes.len(),
        context.plans.len(),
        context.friendly_codes.len(),
        context.assets.len(),
        context.rules.len()
    );
    Ok(context)
}

/// Airports by ICAO code, from the map's GeoJSON points.
fn places(geojson: &str) -> HashMap<String, (f64, f64)> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(geojson) else {
        return HashMap::new();
    };
    let features = v["features"].as_array().cloned().unwrap_or_default();
    features
        .iter()
        .filter_map(|f| {
            let icao = f["properties"]["icao"].as_str()?;
            let c = f["geometry"]["coordinates"].as_array()?;
            Some((
                icao.to_string(),
                (c.get(1)?.as_f64()?, c.first()?.as_f64()?),
            ))
        })
        .collect()
}

/// The lowest height the network sees, coarsened to about 2 km cells (each the highest of
/// its block: "covered" must mean covered everywhere in it).
pub fn coverage_grid(dem: &Dem, network: &vigie_terrain::Network<'_>) -> CoverageGrid {
    let step = ((0.02 / dem.cell_deg).round() as usize).max(1);
    let (rows, cols) = (network.rows.div_ceil(step), network.cols.div_ceil(step));
    let agl = network.agl_grid();
    let mut lowest_amsl_m = vec![f32::NAN; rows * cols];
    for (k, out) in lowest_amsl_m.iter_mut().enumerate() {
        let (r0, c0) = ((k / cols) * step, (k % cols) * step);
        let mut worst = f32::NEG_INFINITY;
        'block: for r in r0..(r0 + step).min(network.rows) {
            for c in c0..(c0 + step).min(network.cols) {
                let ground = dem.height_at_cell(network.row0 + r, network.col0 + c);
                match (agl[r * network.cols + c], ground) {
                    (a, Some(g)) if !a.is_nan() => worst = worst.max(a + g as f32),
                    _ => {
                        worst = f32::NAN;
                        break 'block;
                    }
                }
            }
        }
        *out = worst;
    }
    CoverageGrid {
        north_deg: dem.north_deg - network.row0 as f64 * dem.cell_deg,
        west_deg: dem.west_deg + network.col0 as f64 * dem.cell_deg,
        cell_deg: step as f64 * dem.cell_deg,
        cols,
        lowest_amsl_m,
    }
}

/// What the identifier needs of a live track between the tracker's updates.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Live {
    row: TrackRow,
    last_transponder_s: Option<f64>,
    /// Each contributing sensor and when it last did.
    sensors: Vec<(vigie_core::SensorId, f64)>,
}

/// A sensor that sent a transponder reply this recently can hear one.
const INTERROGATING_S: f64 = 60.0;

/// The identification stage of the pipeline.
pub struct Judge {
    pub identifier: Arc<Mutex<Identifier>>,
    crosscheck: Crosscheck,
    terrain: Option<Arc<Dem>>,
    epoch_unix_s: f64,
    /// The latest state of every live track, and when its transponder last answered.
    live: BTreeMap<u32, Live>,
    /// When each sensor last sent a transponder reply (SSR, Mode S or ADS-B): the sensors
    /// that can tell a silent transponder from a primary radar's view.
    last_reply_s: Vec<Option<f64>>,
    ended: Vec<u32>,
    /// Each sensor's name and kind.
    sensors: Vec<(String, &'static str)>,
    last_heard_s: Vec<Option<f64>>,
    started_s: Option<f64>,
    audit: Arc<Audit>,
    now_unix_s: Clock,
    inputs: Vec<TrackInput>,
}

/// What identification remembers from one second to the next, all of it: with the
/// tracker's state, a centre that restarts goes on as it would have (alerts keep their
/// numbers and acknowledgements, identities their history).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Memory {
    live: Vec<(u32, Live)>,
    last_reply_s: Vec<Option<f64>>,
    ended: Vec<u32>,
    last_heard_s: Vec<Option<f64>>,
    started_s: Option<f64>,
    crosscheck: vigie_ident::crosscheck::Memory,
    identifier: vigie_ident::identifier::Memory,
    picture: vigie_server::picture::Memory,
}

/// Wall-clock seconds, injected (the audit log's time).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

impl Judge {
    /// The same judge for another exercise: nothing remembered of the one before.
    pub fn fresh(&self, table: &SensorTable, epoch_unix_s: f64) -> Judge {
        Judge::new(
            Arc::clone(&self.identifier),
            table,
            self.terrain.clone(),
            epoch_unix_s,
            Arc::clone(&self.audit),
            Arc::clone(&self.now_unix_s),
        )
    }

    /// What it, its identifier and the picture it judges remember now.
    pub fn memory(&self, picture: &RwLock<Picture>) -> Memory {
        let identifier = self.identifier.lock().unwrap_or_else(|e| e.into_inner());
        Memory {
            live: self.live.iter().map(|(id, l)| (*id, l.clone())).collect(),
            last_reply_s: self.last_reply_s.clone(),
            ended: self.ended.clone(),
            last_heard_s: self.last_heard_s.clone(),
            started_s: self.started_s,
            crosscheck: self.crosscheck.memory(),
            identifier: identifier.memory(),
            picture: picture.read().unwrap_or_else(|e| e.into_inner()).memory(),
        }
    }

    /// Takes back what was remembered under the same sensor table; refused, and nothing
    /// changed, when the table differs or an alert's kind is unknown.
    pub fn remember(&mut self, m: Memory, picture: &RwLock<Picture>) -> Result<(), String> {
        let sensors = self.sensors.len();
        if m.last_reply_s.len() != sensors || m.last_heard_s.len() != sensors {
            return Err(format!(
                "identification remembered {} sensors, the table has {sensors}",
                m.last_heard_s.len()
            ));
        }
        self.identifier
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remember(m.identifier)?;
        self.live = m.live.into_iter().collect();
        self.last_reply_s = m.last_reply_s;
        self.ended = m.ended;
        self.last_heard_s = m.last_heard_s;
        self.started_s = m.started_s;
        self.crosscheck.remember(m.crosscheck);
        picture
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remember(m.picture);
        Ok(())
    }

    pub fn new(
        identifier: Arc<Mutex<Identifier>>,
        table: &SensorTable,
        terrain: Option<Arc<Dem>>,
        epoch_unix_s: f64,
        audit: Arc<Audit>,
        now_unix_s: Clock,
    ) -> Judge {
        Judge {
            identifier,
            crosscheck: Crosscheck::new(table),
            terrain,
            epoch_unix_s,
            live: BTreeMap::new(),
            ended: Vec::new(),
            sensors: table
                .sensor
                .iter()
                .map(|s| {
                    let kind = match s.kind {
                        vigie_core::SensorKind::Radar => "radar",
                        vigie_core::SensorKind::Adsb => "adsb",
                    };
                    (s.id.clone(), kind)
                })
                .collect(),
            last_heard_s: vec![None; table.sensor.len()],
            last_reply_s: vec![None; table.sensor.len()],
            started_s: None,
            audit,
            now_unix_s,
            inputs: Vec::new(),
        }
    }

    /// Reports as they arrive, and what the tracker made of them.
    pub fn observe(&mut self, reports: &[Report], out: &Output) {
        for r in reports {
            self.crosscheck.push(r);
            let s = usize::from(r.sensor.0);
            if let Some(h) = self.last_heard_s.get_mut(s) {
                *h = Some(h.map_or(r.time_s, |t| t.max(r.time_s)));
            }
            if r.kind != vigie_core::PlotKind::Psr {
                if let Some(h) = self.last_reply_s.get_mut(s) {
                    *h = Some(h.map_or(r.time_s, |t| t.max(r.time_s)));
                }
            }
        }
        for u in &out.updates {
            let live = Live {
                row: u.row,
                last_transponder_s: u.last_transponder_s,
                sensors: u.sensors.clone(),
            };
            self.live.insert(u.row.track_id, live);
        }
        for id in &out.ended {
            if self.live.remove(id).is_some() {
                self.ended.push(*id);
            }
        }
    }

    /// One second: every live track through identification, the result into the picture.
    pub fn tick(&mut self, now_s: f64, picture: &RwLock<Picture>) {
        let started = *self.started_s.get_or_insert(now_s);
        self.inputs.clear();
        for live in self.live.values() {
            let row = &live.row;
            let ground_m = self
                .terrain
                .as_ref()
                .and_then(|d| d.height(row.lat_deg, row.lon_deg))
                .unwrap_or(0.0);
            self.inputs.push(TrackInput {
                row: *row,
                unix_s: self.epoch_unix_s + row.time_s,
                transponder: self.answers(live, now_s),
                emergency_status: false,
                adsb_radar_gap_m: row
                    .mode_s
                    .and_then(|m| self.crosscheck.gap_m(m.address(), row.time_s)),
                ground_m,
            });
        }
        let silences: Vec<Silence<'_>> = self
            .sensors
            .iter()
            .zip(&self.last_heard_s)
            .map(|((sensor, kind), h)| Silence {
                sensor,
                kind,
                // An ADS-B station never heard may have had no aircraft in range yet.
                silent_s: match h {
                    Some(h) => now_s - h,
                    None if *kind == "adsb" => 0.0,
                    None => now_s - started,
                },
            })
            .collect();
        let tick = {
            let mut identifier = self.identifier.lock().unwrap_or_else(|e| e.into_inner());
            let mut tick = identifier.step(&self.inputs, &self.ended);
            identifier.sensors(&silences, &mut tick);
            tick
        };
        self.ended.clear();
        self.publish(&tick, picture);
    }

    /// Whether the track's transponder answers: it has, lately; or it did once and no sensor
    /// that hears transponders sees the track now (a primary-only gap filler cannot tell a
    /// silent transponder from a radar outage elsewhere).
    fn answers(&self, live: &Live, now_s: f64) -> bool {
        let Some(last) = live.last_transponder_s else {
            return false;
        };
        if now_s - last < TRANSPONDER_SILENT_S {
            return true;
        }
        let interrogated = live.sensors.iter().any(|(s, t)| {
            now_s - t < TRANSPONDER_SILENT_S
                && self
                    .last_reply_s
                    .get(usize::from(s.0))
                    .copied()
                    .flatten()
                    .is_some_and(|r| now_s - r < INTERROGATING_S)
        });
        !interrogated
    }

    fn publish(&self, tick: &Tick, picture: &RwLock<Picture>) {
        let mut p = picture.write().unwrap_or_else(|e| e.into_inner());
        let touched = p.judged(tick);
        for a in touched {
            let action = match a.state {
                vigie_server::picture::AlertState::Cleared => "alert cleared",
                _ => "alert raised",
            };
            self.audit.record(audit::Entry {
                time_unix_s: (self.now_unix_s)(),
                user: "vigie".into(),
                action: action.into(),
                detail: format!("alert {} ({}): {}", a.id, a.kind, a.text),
                outcome: "ok",
            });
        }
    }
}

/// A deployment's `[ident]` setup, its files relative to the deployment's folder; the
/// default rules without one.
pub fn deployment_setup(setup: Option<&Setup>, dir: &Path) -> (Setup, Reader) {
    match setup {
        Some(s) => (s.clone(), Reader::Folder(dir.to_path_buf())),
        None => default_setup(),
    }
}

#[cfg(test)]
mod tests {
    //! The built-in Niger exercise through the tracker and identification, as `vigie demo`
    //! runs it, checked against the simulator's truth.

    use std::collections::{BTreeMap, HashMap};

    use vigie_ident::airspace::{distance_m, Region};
    use vigie_ident::identity::Identity;
    use vigie_server::picture::{Alert, Picture};
    use vigie_sim::flight::Origin;

    use super::*;

    /// What happened to one simulated aircraft, as the picture showed it.
    #[derive(Debug)]
    struct Story {
        origin: Origin,
        name: String,
        tracks: Vec<u32>,
        /// Every alert about its tracks: (time, kind).
        alerts: Vec<(f64, String)>,
        /// Each identity its tracks were shown with, and when first.
        identities: BTreeMap<&'static str, f64>,
        /// When it first crossed into the country (truth), and when a track of it was
        /// first shown, and first shown inside the country.
        crossed_s: Option<f64>,
        tracked_s: Option<f64>,
        tracked_inside_s: Option<f64>,
        /// When the picture first showed its squawk 7700.
        shown_7700_s: Option<f64>,
        /// The assets it was listed as a threat to.
        threat_to: Vec<String>,
    }

    fn identity_name(i: Identity) -> &'static str {
        match i {
            Identity::Pending => "pending",
            Identity::Unknown => "unknown",
            Identity::AssumedFriend => "assumed_friend",
            Identity::Friend => "friend",
            Identity::Neutral => "neutral",
            Identity::Suspect => "suspect",
            Identity::Hostile => "hostile",
        }
    }

    /// Runs the exercise as `vigie demo` does, in simulated time, and tells each aircraft's
    /// story; also every alert not about an aircraft, as the picture holds it at the end.
    fn run_exercise() -> (Vec<Story>, Vec<Alert>) {
        let sim = vigie_sim::from_text(
            crate::live::NIGER_SCENARIO,
            Path::new("scenarios/niger.toml"),
            vigie_sim::Overrides::default(),
        )
        .unwrap();
        play(sim)
    }

    /// Runs a scenario through the tracker and identification; see [`run_exercise`].
    fn play(mut sim: vigie_sim::Simulator) -> (Vec<Story>, Vec<Alert>) {
        let table = sim.sensor_table().clone();
        let (setup, reader) = niger_setup().unwrap();
        let mut context = context(
            &setup,
            &reader,
            vigie_sim::region::NER,
            &crate::live::airports_geojson(),
            Some(&sim.fpl_messages()),
        )
        .unwrap();
        context.coverage = crate::live::coverage_overlay(&table, sim.terrain()).1;
        let country = Region::new(context.country.as_ref().unwrap());
        let epoch = vigie_sim::parse_start_time(&sim.scenario().start_time)
            .unwrap()
            .unix_timestamp();
        let mut judge = Judge::new(
            Arc::new(Mutex::new(Identifier::new(context))),
            &table,
            sim.terrain_shared(),
            epoch as f64,
            Arc::new(Audit::in_memory()),
            Arc::new(|| 0),
        );
        let picture = RwLock::new(Picture::new(&table.sensor, epoch));
        let mut tracker = vigie_track::Tracker::new(vigie_track::Config::default(), &table);
        let mut stories: HashMap<u32, Story> = sim
            .plans()
            .iter()
            .map(|p| {
                let name = p
                    .identity
                    .callsign
                    .map_or(p.name.clone(), |c| c.to_string());
                let story = Story {
                    origin: p.origin,
                    name,
                    tracks: Vec::new(),
                    alerts: Vec::new(),
                    identities: BTreeMap::new(),
                    crossed_s: None,
                    tracked_s: None,
                    tracked_inside_s: None,
                    shown_7700_s: None,
                    threat_to: Vec::new(),
                };
                (p.target_id, story)
            })
            .collect();
        // Each track belongs to the aircraft it first came within 3 km of.
        let mut owner: HashMap<u32, u32> = HashMap::new();
        let mut was_inside: HashMap<u32, bool> = HashMap::new();
        let mut out = vigie_track::Output::default();
        while let Some(frame) = sim.next_frame() {
            let now_s = frame.time_s + 1.0;
            out.updates.clear();
            out.ended.clear();
            for r in &frame.reports {
                tracker.push(*r, &mut out);
            }
            judge.observe(&frame.reports, &out);
            {
                let mut p = picture.write().unwrap();
                p.apply(&out);
                p.advance(now_s);
            }
            for u in &out.updates {
                let r = &u.row;
                let nearest = frame
                    .truth
                    .iter()
                    .map(|t| {
                        (
                            distance_m(r.lat_deg, r.lon_deg, t.lat_deg, t.lon_deg),
                            t.target_id,
                        )
                    })
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|n| n.0 < 3_000.0);
                if let Some((_, target)) = nearest {
                    owner.entry(r.track_id).or_insert(target);
                }
            }
            for t in &frame.truth {
                let inside = country.contains(t.lat_deg, t.lon_deg);
                if was_inside.insert(t.target_id, inside) == Some(false) && inside {
                    if let Some(s) = stories.get_mut(&t.target_id) {
                        s.crossed_s.get_or_insert(t.time_s);
                    }
                }
            }
            let before = picture.read().unwrap().alerts().len();
            judge.tick(now_s, &picture);
            let p = picture.read().unwrap();
            for a in p.alerts().iter().skip(before) {
                let story = a
                    .track
                    .and_then(|t| owner.get(&t))
                    .and_then(|t| stories.get_mut(t));
                if let Some(s) = story {
                    s.alerts.push((a.time_s, a.kind.clone()));
                }
            }
            for th in p.threats() {
                if let Some(s) = owner.get(&th.track).and_then(|t| stories.get_mut(t)) {
                    if !s.threat_to.contains(&th.asset) {
                        s.threat_to.push(th.asset.clone());
                    }
                }
            }
            for v in p.tracks() {
                let Some(s) = owner.get(&v.id).and_then(|t| stories.get_mut(t)) else {
                    continue;
                };
                s.identities
                    .entry(identity_name(v.identity))
                    .or_insert(now_s);
                s.tracked_s.get_or_insert(now_s);
                if country.contains(v.lat_deg, v.lon_deg) {
                    s.tracked_inside_s.get_or_insert(now_s);
                }
                if v.mode3a.as_deref() == Some("7700") {
                    s.shown_7700_s.get_or_insert(now_s);
                }
                if !s.tracks.contains(&v.id) {
                    s.tracks.push(v.id);
                }
            }
        }
        let mut stories: Vec<Story> = stories
            .into_values()
            .filter(|s| !s.tracks.is_empty())
            .collect();
        stories.sort_by(|a, b| a.name.cmp(&b.name));
        let others = picture
            .read()
            .unwrap()
            .alerts()
            .into_iter()
            .filter(|a| a.sensor.is_some())
            .collect();
        (stories, others)
    }

    /// Each exercise of the library gives the crew what its briefing promises.
    #[test]
    fn the_library_exercises_play_as_briefed() {
        let alerted = |s: &Story, kind: &str| s.alerts.iter().any(|a| a.1 == kind);
        // 1: civil traffic and the patrol only; nobody raises an alert.
        let (stories, _) = play(crate::library::load(1, None).unwrap());
        assert!(stories.iter().all(|s| s.origin != Origin::Intruder));
        assert!(stories.len() >= 8, "{} aircraft tracked", stories.len());
        for s in &stories {
            assert!(s.alerts.is_empty(), "{}: {:?}", s.name, s.alerts);
        }
        let patrol = stories.iter().find(|s| s.name == "NAF01").unwrap();
        assert!(patrol.identities.contains_key("assumed_friend"));
        // 2: the intruder from Mali is tracked within the first five minutes and found
        // suspect, its transponder off.
        let (stories, _) = play(crate::library::load(2, None).unwrap());
        let intruders: Vec<&Story> = stories
            .iter()
            .filter(|s| s.origin == Origin::Intruder)
            .collect();
        assert_eq!(intruders.len(), 1);
        let intruder = intruders[0];
        assert!(intruder.tracked_s.unwrap() < 300.0, "{intruder:?}");
        assert!(intruder.identities.contains_key("suspect"), "{intruder:?}");
        assert!(alerted(intruder, "transponder_off"), "{intruder:?}");
        // 3: the hijack squawk and the spoofed ADS-B raise their alerts on the right
        // aircraft, at the times the scenario says.
        let (stories, _) = play(crate::library::load(3, None).unwrap());
        let named = |n: &str| stories.iter().find(|s| s.name == n).unwrap();
        let hijack = named("AFR1552");
        let at = hijack
            .alerts
            .iter()
            .find(|a| a.1 == "emergency")
            .map(|a| a.0);
        assert!(
            at.is_some_and(|t| (420.0..450.0).contains(&t)),
            "{hijack:?}"
        );
        let spoofed = named("UAE783");
        let at = spoofed
            .alerts
            .iter()
            .find(|a| a.1 == "spoofing")
            .map(|a| a.0);
        assert!(
            at.is_some_and(|t| (600.0..700.0).contains(&t)),
            "{spoofed:?}"
        );
        for s in stories
            .iter()
            .filter(|s| !["AFR1552", "UAE783"].contains(&s.name.as_str()))
        {
            assert!(!alerted(s, "spoofing") && !alerted(s, "emergency"), "{s:?}");
        }
    }

    /// Regression: during a long-range radar's outage the fighter, kept by a primary-only gap
    /// filler, was taken for a transponder switched off.
    #[test]
    fn a_transponder_is_silent_only_where_a_sensor_that_hears_transponders_sees_it() {
        let table = SensorTable::from_toml(
            "[[sensor]]\nid = \"lr\"\nkind = \"radar\"\nlat_deg = 13.5\nlon_deg = 2.1\nheight_m = 250.0\nscan_period_s = 10.0\nsigma_range_m = 50.0\nsigma_azimuth_deg = 0.1\n\
             [[sensor]]\nid = \"gf\"\nkind = \"radar\"\nlat_deg = 14.0\nlon_deg = 0.8\nheight_m = 250.0\nscan_period_s = 2.0\nsigma_range_m = 20.0\nsigma_azimuth_deg = 0.25\n",
        )
        .unwrap();
        let mut judge = Judge::new(
            Arc::new(Mutex::new(Identifier::new(Context::default()))),
            &table,
            None,
            0.0,
            Arc::new(Audit::in_memory()),
            Arc::new(|| 0),
        );
        let reply = |t: f64, sensor: u16| vigie_core::Report {
            time_s: t,
            sensor: vigie_core::SensorId(sensor),
            kind: vigie_core::PlotKind::Ssr,
            measurement: vigie_core::Measurement::Polar {
                range_m: 50_000.0,
                azimuth_rad: 0.0,
                elevation_rad: None,
            },
            alt_m: None,
            mode3a: None,
            mode_s: None,
            callsign: None,
        };
        let live = |sensors: Vec<(u16, f64)>| Live {
            row: TrackRow {
                time_s: 300.0,
                track_id: 1,
                lat_deg: 13.6,
                lon_deg: 1.5,
                alt_m: 4_000.0,
                vn_mps: 0.0,
                ve_mps: 200.0,
                vu_mps: 0.0,
                mode3a: None,
                mode_s: None,
                callsign: None,
            },
            last_transponder_s: Some(100.0),
            sensors: sensors
                .into_iter()
                .map(|(s, t)| (vigie_core::SensorId(s), t))
                .collect(),
        };
        // The long-range radar hears other transponders at 290 s and still updates the
        // track: its silence since 100 s is the transponder's.
        judge.observe(&[reply(290.0, 0)], &Output::default());
        assert!(!judge.answers(&live(vec![(0, 295.0), (1, 299.0)]), 300.0));
        // Only the primary-only gap filler sees it: nothing to tell.
        assert!(judge.answers(&live(vec![(0, 150.0), (1, 299.0)]), 300.0));
        // Never answered at all: primary only.
        let mut silent = live(vec![(1, 299.0)]);
        silent.last_transponder_s = None;
        assert!(!judge.answers(&silent, 300.0));
    }

    /// A deployment's rules file with a mistake stops the server with the file, the line
    /// and the field.
    #[test]
    fn a_rules_file_with_a_mistake_names_its_line_and_field() {
        let dir = std::env::temp_dir().join(format!("vigie-rules-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("rules.toml"),
            "[[rule]]\nkind = \"airspace\"\npredict_min = 90\n\n[[rule]]\nkind = \"spoofing\"\nmax_distanse_m = 5000\n",
        )
        .unwrap();
        let setup = Setup {
            rules: Some("rules.toml".into()),
            ..Setup::default()
        };
        let (setup, reader) = deployment_setup(Some(&setup), &dir);
        let err = context(&setup, &reader, vigie_sim::region::NER, "{}", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("rules.toml:7"), "{err}");
        assert!(err.contains("max_distanse_m"), "{err}");
        std::fs::write(
            dir.join("rules.toml"),
            "[[rule]]\nkind = \"airspace\"\npredict_min = 90\n",
        )
        .unwrap();
        let err = context(&setup, &reader, vigie_sim::region::NER, "{}", None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("rules.toml:3: rule[0].predict_min: must be 0–60 minutes, got 90"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_niger_exercise_is_identified_and_alerted() {
        let (stories, sensor_alerts) = run_exercise();
        for s in &stories {
            eprintln!("{:?} {}: {s:?}", s.origin, s.name);
        }
        fn kinds(s: &Story) -> Vec<&str> {
            s.alerts.iter().map(|a| a.1.as_str()).collect()
        }
        let first = |s: &Story, kind: &str| s.alerts.iter().find(|a| a.1 == kind).map(|a| a.0);

        // Every intruder seen becomes suspect within 30 s of being tracked inside the
        // country, is never taken for a friend or a civil flight, and raises transponder
        // off in the ADIZ; those tracked before they cross raise the crossing within 10 s.
        let intruders: Vec<&Story> = stories
            .iter()
            .filter(|s| s.origin == Origin::Intruder)
            .collect();
        assert!(
            intruders.len() >= 4,
            "{} intruders tracked",
            intruders.len()
        );
        for s in &intruders {
            let suspect = s.identities.get("suspect").copied();
            let inside = s.tracked_inside_s.unwrap();
            assert!(
                suspect.is_some_and(|t| t - inside <= 30.0),
                "{}: suspect at {suspect:?}, inside at {inside}",
                s.name
            );
            for never in ["neutral", "assumed_friend", "friend"] {
                assert!(!s.identities.contains_key(never), "{}: {never}", s.name);
            }
            assert!(
                kinds(s).contains(&"transponder_off"),
                "{}: {:?}",
                s.name,
                s.alerts
            );
            if let (Some(crossed), Some(tracked)) = (s.crossed_s, s.tracked_s) {
                if tracked < crossed {
                    let alert = first(s, "border_crossing");
                    assert!(
                        alert.is_some_and(|t| t - crossed <= 10.0),
                        "{}: crossed at {crossed}, alert {alert:?}",
                        s.name
                    );
                }
            }
        }
        // The drones heading for Niamey are warned of before they reach its restricted area.
        let airspace: Vec<&&Story> = intruders
            .iter()
            .filter(|s| kinds(s).contains(&"airspace"))
            .collect();
        assert!(
            !airspace.is_empty(),
            "an airspace alert for the drones heading for Niamey"
        );
        for s in intruders
            .iter()
            .filter(|s| s.name.starts_with("intruder-BFA"))
        {
            assert_eq!(s.threat_to, ["Niamey"], "{}", s.name);
        }

        // Civil flights: neutral once judged, and not one alert, but the emergency's own.
        for s in stories.iter().filter(|s| s.origin == Origin::Flow) {
            assert!(
                s.identities
                    .keys()
                    .all(|i| ["pending", "neutral"].contains(i)),
                "{}: {:?}",
                s.name,
                s.identities
            );
            assert!(s.alerts.is_empty(), "{}: {:?}", s.name, s.alerts);
            assert!(
                s.threat_to.is_empty(),
                "{}: a threat to {:?}",
                s.name,
                s.threat_to
            );
        }
        let emergency = stories.iter().find(|s| s.name == "DAH4062").unwrap();
        let shown = emergency
            .shown_7700_s
            .expect("the squawk reaches the picture");
        assert_eq!(
            first(emergency, "emergency"),
            Some(shown),
            "alerted in the update that shows 7700"
        );
        assert!(
            shown - 1500.0 <= 12.0,
            "7700 squawked at 1500 s, shown at {shown}"
        );
        assert_eq!(kinds(emergency), ["emergency", "code_change"]);
        assert_eq!(
            emergency.identities.keys().collect::<Vec<_>>(),
            [&"neutral"]
        );

        // The patrolling fighter squawks a friendly code.
        let fighter = stories.iter().find(|s| s.name == "NAF01").unwrap();
        assert!(
            fighter
                .identities
                .keys()
                .all(|i| ["pending", "assumed_friend"].contains(i)),
            "{:?}",
            fighter.identities
        );
        assert!(fighter.alerts.is_empty(), "{:?}", fighter.alerts);

        // Tahoua's radar, out from 2,400 s to 2,700 s: lost after a minute, then cleared.
        let [tahoua] = &sensor_alerts[..] else {
            panic!("one sensor alert: {sensor_alerts:?}");
        };
        assert_eq!(
            (tahoua.kind.as_str(), tahoua.sensor.as_deref()),
            ("sensor_lost", Some("tahoua-lr"))
        );
        assert!((2460.0..2475.0).contains(&tahoua.time_s), "{tahoua:?}");
        assert!(
            tahoua
                .cleared_s
                .is_some_and(|t| (2700.0..2715.0).contains(&t)),
            "{tahoua:?}"
        );
    }

    /// A judge of the built-in exercise with its picture (journaling on, as a centre's).
    fn centre_judge(sim: &vigie_sim::Simulator) -> (Judge, RwLock<Picture>) {
        let table = sim.sensor_table();
        let (setup, reader) = niger_setup().unwrap();
        let airports = crate::live::airports_geojson();
        let plans = sim.fpl_messages();
        let context = context(
            &setup,
            &reader,
            vigie_sim::region::NER,
            &airports,
            Some(&plans),
        );
        let judge = Judge::new(
            Arc::new(Mutex::new(Identifier::new(context.unwrap()))),
            table,
            sim.terrain_shared(),
            0.0,
            Arc::new(Audit::in_memory()),
            Arc::new(|| 0),
        );
        let mut picture = Picture::new(&table.sensor, 0);
        picture.set_journaling(true);
        (judge, RwLock::new(picture))
    }

    /// Identification restored from its memory (through a centre's saved state's bytes)
    /// goes on exactly as the one that never stopped: the same changes published each
    /// second, and the same memory at the end. Tahoua's radar falls silent so that an alert
    /// stands across the restore; one is acknowledged before it.
    #[test]
    fn identification_restored_from_its_memory_goes_on_as_it_would_have() {
        let overrides = vigie_sim::Overrides {
            seed: None,
            duration_s: Some(420.0),
        };
        let path = Path::new("scenarios/niger.toml");
        let mut sim = vigie_sim::from_text(crate::live::NIGER_SCENARIO, path, overrides).unwrap();
        let table = sim.sensor_table().clone();
        let silent = table
            .sensor
            .iter()
            .position(|s| s.id == "tahoua-lr")
            .unwrap();
        let (mut judge, picture) = centre_judge(&sim);
        let mut restored: Option<(Judge, RwLock<Picture>)> = None;
        let mut tracker = vigie_track::Tracker::new(vigie_track::Config::default(), &table);
        let mut out = vigie_track::Output::default();
        let (mut compared, mut alerts_across) = (0, 0);
        while let Some(frame) = sim.next_frame() {
            let now_s = frame.time_s + 1.0;
            let mut reports = frame.reports.clone();
            if frame.time_s >= 60.0 {
                reports.retain(|r| usize::from(r.sensor.0) != silent);
            }
            out.updates.clear();
            out.ended.clear();
            for r in &reports {
                tracker.push(*r, &mut out);
            }
            let mut judges = vec![(&mut judge, &picture)];
            if let Some((j, p)) = restored.as_mut() {
                judges.push((j, p));
            }
            let mut published = Vec::new();
            for (j, p) in judges {
                j.observe(&reports, &out);
                {
                    let mut p = p.write().unwrap();
                    p.apply(&out);
                    p.advance(now_s);
                }
                j.tick(now_s, p);
                let mut p = p.write().unwrap();
                let _ = p.take_delta();
                published.push(p.take_journal());
            }
            if let [before, after] = published.as_slice() {
                assert_eq!(before, after, "identification's changes at {now_s} s");
                let (j, p) = restored.as_ref().unwrap();
                // Compared as bytes: a NaN is equal to itself there.
                let bytes = |m: Memory| rmp_serde::to_vec_named(&m).unwrap();
                let same = bytes(judge.memory(&picture)) == bytes(j.memory(p));
                assert!(same, "memories at {now_s} s");
                compared += 1;
            }
            if restored.is_none() && frame.time_s >= 240.0 {
                let mut p = picture.write().unwrap();
                let first = p.alerts().first().map(|a| a.id).expect("an alert by now");
                assert!(p.acknowledge(first, "ana"));
                drop(p);
                let saved = crate::centre::Identification {
                    memory: judge.memory(&picture),
                    ops_taken: 7,
                };
                let bytes = crate::centre::join(b"tracker", &saved).unwrap();
                eprintln!(
                    "identification's memory at {now_s} s: {} bytes",
                    bytes.len()
                );
                let (tracker_part, back) = crate::centre::split(&bytes).unwrap();
                assert_eq!(
                    (tracker_part, back.as_ref()),
                    (&b"tracker"[..], Some(&saved))
                );
                let (mut j, p) = centre_judge(&sim);
                j.remember(back.unwrap().memory, &p).unwrap();
                alerts_across = p.read().unwrap().alerts().len();
                restored = Some((j, p));
            }
        }
        assert!(compared > 150, "{compared} seconds compared");
        assert!(alerts_across > 0, "alerts standing across the restore");
    }
}
