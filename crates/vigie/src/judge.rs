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
use vigie_ident::setup::{Setup, Surroundings};
use vigie_server::audit::{self, Audit};
use vigie_server::picture::Picture;
use vigie_terrain::Dem;
use vigie_track::Output;

/// A transponder silent this long no longer counts as answering.
const TRANSPONDER_SILENT_S: f64 = 30.0;

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
pub fn default_setup() -> (Setup, Reader) {
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
            Some((icao.to_string(), (c.get(1)?.as_f64()?, c.first()?.as_f64()?)))
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

/// The identification stage of the pipeline.
pub struct Judge {
    pub identifier: Arc<Mutex<Identifier>>,
    crosscheck: Crosscheck,
    terrain: Option<Arc<Dem>>,
    epoch_unix_s: f64,
    /// The latest state of every live track, and when its transponder last answered.
    live: BTreeMap<u32, (TrackRow, Option<f64>)>,
    ended: Vec<u32>,
    sensor_names: Vec<String>,
    last_heard_s: Vec<Option<f64>>,
    started_s: Option<f64>,
    audit: Arc<Audit>,
    now_unix_s: Clock,
    inputs: Vec<TrackInput>,
}

/// Wall-clock seconds, injected (the audit log's time).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

impl Judge {
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
            sensor_names: table.sensor.iter().map(|s| s.id.clone()).collect(),
            last_heard_s: vec![None; table.sensor.len()],
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
            if let Some(h) = self.last_heard_s.get_mut(usize::from(r.sensor.0)) {
                *h = Some(h.map_or(r.time_s, |t| t.max(r.time_s)));
            }
        }
        for u in &out.updates {
            self.live
                .insert(u.row.track_id, (u.row, u.last_transponder_s));
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
        for (row, transponder_s) in self.live.values() {
            let ground_m = self
                .terrain
                .as_ref()
                .and_then(|d| d.height(row.lat_deg, row.lon_deg))
                .unwrap_or(0.0);
            self.inputs.push(TrackInput {
                row: *row,
                unix_s: self.epoch_unix_s + row.time_s,
                transponder: transponder_s.is_some_and(|t| now_s - t < TRANSPONDER_SILENT_S),
                emergency_status: false,
                adsb_radar_gap_m: row
                    .mode_s
                    .and_then(|m| self.crosscheck.gap_m(m.address(), row.time_s)),
                ground_m,
            });
        }
        let silences: Vec<(&str, f64)> = self
            .sensor_names
            .iter()
            .zip(&self.last_heard_s)
            .map(|(n, h)| (n.as_str(), now_s - h.unwrap_or(started)))
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
