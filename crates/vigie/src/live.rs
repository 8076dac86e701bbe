//! `vigie demo` and `vigie serve`: the live air picture. A feed (today the simulator, paced
//! to the wall clock) runs through the tracker on its own thread; the picture it keeps is
//! served to operator displays over HTTP and WebSocket.
//!
//! This is the I/O edge: the only place that reads the wall clock, binds a socket, or
//! sleeps. The simulator, the tracker and the picture never do.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;
use vigie_core::tomlfile;
use vigie_server::audit::Audit;
use vigie_server::auth::{random_hex, Role, Sessions, Users};
use vigie_server::overlay::Overlay;
use vigie_server::picture::Picture;
use vigie_server::{AppState, MapLayers};
use vigie_sim::Overrides;

use crate::pipeline::Feed;
use vigie_track::Config;

pub(crate) const NIGER_SCENARIO: &str = include_str!("../../../scenarios/niger.toml");

/// Run the Niger exercise live on the operator display.
///
/// Simulates the built-in Niger exercise in real time (or faster with --speed), tracks it,
/// and serves the operator display. Open the address it prints and log in with the demo
/// user and password it prints (a new password every run).
///
/// The instructor (login printed too) can start any exercise of the library from the
/// display: 1 the civil traffic picture, 2 a low-level intruder from the western border,
/// 3 a hijack squawk and ADS-B spoofing (docs/exercises.md).
///
/// Examples:
///   vigie demo                   # http://127.0.0.1:8080, real time
///   vigie demo --exercise 2      # start with the low-level intruder
///   vigie demo --speed 10        # ten simulated seconds per second
///   vigie demo --bind 0.0.0.0:9000 --audit demo-audit.jsonl
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DemoArgs {
    /// Simulated seconds per wall-clock second.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Address and port to serve the display on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Another draw of the same exercise.
    #[arg(long)]
    seed: Option<u64>,
    /// Start with this exercise of the library (1–3) instead of the national picture.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3))]
    exercise: Option<u32>,
    /// Append the audit log to this file (default: kept in memory for the demo).
    #[arg(long)]
    audit: Option<PathBuf>,
    /// Record the session (every report, every track, every action) to this journal, for
    /// `vigie replay` and the after-action review. Committed every simulated second.
    #[arg(long)]
    journal: Option<PathBuf>,
}

/// Serve the operator display for a configured deployment.
///
/// The configuration (TOML) names the address, the users file, the audit log, the feed and
/// the map; see docs/deployment.md. Add users first with `vigie user add`.
///
/// Example:
///   vigie serve --config deploy/vigie.toml
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ServeArgs {
    #[arg(long)]
    config: PathBuf,
}

/// Manage the users who may log in to the display.
#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Debug, clap::Subcommand)]
enum UserCommand {
    /// Add a user (or, with --replace, change one), asking for the password on standard
    /// input. Example: vigie user add ana --role operator --users deploy/users.toml
    Add {
        name: String,
        /// observer (sees), operator (acts on the picture), instructor, admin.
        #[arg(long)]
        role: String,
        /// The users file.
        #[arg(long, default_value = "users.toml")]
        users: PathBuf,
        /// Change an existing user's role and password.
        #[arg(long)]
        replace: bool,
    },
}

/// A deployment (`vigie serve --config`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Deployment {
    /// Where to serve, e.g. "127.0.0.1:8080".
    bind: String,
    /// The users file, relative to the configuration's folder.
    users: PathBuf,
    /// The audit log (JSON lines, appended).
    audit: PathBuf,
    feed: FeedConfig,
    /// Tracker settings (`vigie track --print-config`); defaults when absent.
    #[serde(default)]
    tracker: Option<PathBuf>,
    /// The display's map and terrain; the built-in Niger ones when absent.
    #[serde(default)]
    map: MapConfig,
    #[serde(default)]
    output: OutputConfig,
    /// Identification: rules, airspace, flight plans, friendly codes, defended assets
    /// (docs/identification.md); the default rules when absent.
    #[serde(default)]
    ident: Option<vigie_ident::setup::Setup>,
    /// The session's recording (docs/recording.md); none when absent.
    #[serde(default)]
    record: Option<RecordConfig>,
}

/// `[record]`: where the journal goes and how often it is forced to the disk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordConfig {
    /// The journal (created anew at each start; relative to the configuration's folder).
    journal: PathBuf,
    /// Seconds between two forced writes to the disk (`fdatasync`); every tick is written to
    /// the file in any case.
    #[serde(default = "one")]
    sync_every_s: f64,
}

/// A deployment's own map: GeoJSON files, and the terrain its coverage layer is computed
/// over. Each is optional; paths are relative to the configuration's folder.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MapConfig {
    /// The defended country's boundary (Polygon or MultiPolygon features).
    country: Option<PathBuf>,
    /// Its neighbours' boundaries.
    neighbours: Option<PathBuf>,
    /// Airports: points with `icao` and `name` properties.
    airports: Option<PathBuf>,
    /// A DEM (GeoTIFF or SRTM `.hgt`) for the coverage layer; else the feed's terrain.
    dem: Option<PathBuf>,
}

impl MapConfig {
    /// The layers, each file read and checked to be GeoJSON.
    pub(crate) fn layers(&self, dir: &Path) -> anyhow::Result<MapLayers> {
        let read = |file: &Option<PathBuf>, field: &str, builtin: String| match file {
            None => Ok(builtin),
            Some(f) => geojson_file(&dir.join(f)).with_context(|| format!("map.{field}")),
        };
        Ok(MapLayers {
            country: read(&self.country, "country", vigie_sim::region::NER.to_string())?,
            neighbours: read(
                &self.neighbours,
                "neighbours",
                vigie_sim::region::NER_NEIGHBOURS.to_string(),
            )?,
            airports: read(&self.airports, "airports", airports_geojson())?,
            airspace: String::new(),
        })
    }
}

/// A GeoJSON FeatureCollection's text, checked.
fn geojson_file(path: &Path) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    if value.get("type").and_then(|t| t.as_str()) != Some("FeatureCollection")
        || !value.get("features").is_some_and(|f| f.is_array())
    {
        bail!("{}: not a GeoJSON FeatureCollection", path.display());
    }
    Ok(text)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedConfig {
    /// A scenario simulated live (an exercise), or:
    #[serde(default)]
    scenario: Option<PathBuf>,
    #[serde(default = "one")]
    speed: f64,
    /// the sensors of real feeds: a sensor table file (`vigie sim --out` writes one for an
    /// exercise sent over the wire), or `[[feed.sensor]]` entries here; and the sources
    /// they arrive on.
    #[serde(default)]
    sensors: Option<PathBuf>,
    #[serde(default)]
    sensor: Vec<vigie_core::SensorSpec>,
    #[serde(default)]
    source: Vec<crate::feeds::SourceSpec>,
    /// or a console of a distributed deployment: the picture the centre publishes on this
    /// bus (`nats://centre:4222`, or a bus file with credentials), with the sensor table
    /// for the sensors' panel.
    #[serde(default)]
    bus: Option<String>,
}

/// `[output]`: what vigie sends to other systems.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutputConfig {
    #[serde(default)]
    cat062: Option<crate::pipeline::Cat062Config>,
}

fn one() -> f64 {
    1.0
}

pub fn demo(args: DemoArgs) -> anyhow::Result<()> {
    check_speed(args.speed)?;
    let sim = match args.exercise {
        Some(n) => crate::library::load(n, args.seed)?,
        None => vigie_sim::from_text(
            NIGER_SCENARIO,
            Path::new("scenarios/niger.toml (built in)"),
            Overrides {
                seed: args.seed,
                duration_s: None,
            },
        )?,
    };
    let mut users = Users::in_memory();
    let password = random_hex(6)?;
    users.add("demo", Role::Operator, &password, false)?;
    let instructor_password = random_hex(6)?;
    users.add("instructor", Role::Instructor, &instructor_password, false)?;
    let audit = match &args.audit {
        Some(p) => Audit::open(p).with_context(|| format!("opening {}", p.display()))?,
        None => Audit::in_memory(),
    };
    let mut map = MapConfig::default().layers(Path::new("."))?;
    let (overlay, coverage) = coverage_overlay(sim.sensor_table(), sim.terrain());
    let (setup, reader) = crate::judge::niger_setup()?;
    let mut context = crate::judge::context(
        &setup,
        &reader,
        &map.country,
        &map.airports,
        Some(&sim.fpl_messages()),
    )?;
    context.coverage = coverage.clone();
    map.airspace = vigie_ident::airspace::map_geojson(&context.volumes, context.country.as_ref());
    let terrain = sim.terrain_shared();
    let starter: crate::pipeline::Starter = {
        let (country, airports, seed) = (map.country.clone(), map.airports.clone(), args.seed);
        Box::new(move |number| {
            let sim = crate::library::load(number, seed)?;
            let (setup, reader) = crate::judge::niger_setup()?;
            let fpl = sim.fpl_messages();
            let mut context =
                crate::judge::context(&setup, &reader, &country, &airports, Some(&fpl))?;
            context.coverage = coverage.clone();
            Ok(crate::pipeline::Started {
                sim: Box::new(sim),
                context,
            })
        })
    };
    let banner = format!(
        "vigie demo: {} at {}× real time\n  display  http://{}\n  login    demo / {password}  (operator)\n           instructor / {instructor_password}  (instructor: pause, speed, injections)",
        sim.scenario().name,
        args.speed,
        args.bind
    );
    let served = Served {
        users,
        audit,
        map,
        overlay,
        bind: args.bind,
        banner,
        context,
        terrain,
        journal: args.journal.map(|path| (path, 1.0)),
        library: Some((crate::library::briefings()?, starter)),
    };
    run(
        Feed::Sim(Box::new(sim), args.speed),
        Config::default(),
        served,
        None,
    )
}

pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.config)
        .with_context(|| format!("reading {}", args.config.display()))?;
    let d: Deployment = tomlfile::parse(&text, &args.config)?;
    let dir = args.config.parent().unwrap_or(Path::new("."));
    let bind: SocketAddr = d
        .bind
        .parse()
        .map_err(|e| anyhow::anyhow!("{}: bind: {e}, got {:?}", args.config.display(), d.bind))?;
    check_speed(d.feed.speed)?;
    let users = Users::load(&dir.join(&d.users))?;
    if users.is_empty() {
        bail!(
            "{}: no users yet: add one with `vigie user add NAME --role admin --users {}`",
            dir.join(&d.users).display(),
            dir.join(&d.users).display()
        );
    }
    let audit_path = dir.join(&d.audit);
    let audit =
        Audit::open(&audit_path).with_context(|| format!("opening {}", audit_path.display()))?;
    let tracker = match &d.tracker {
        Some(p) => crate::track::load_config(&dir.join(p))?,
        None => Config::default(),
    };
    let mut map = d
        .map
        .layers(dir)
        .with_context(|| args.config.display().to_string())?;
    let dem = match &d.map.dem {
        Some(f) => Some(Arc::new(
            vigie_terrain::Dem::load(&dir.join(f))
                .with_context(|| format!("{}: map.dem", args.config.display()))?,
        )),
        None => None,
    };
    let feed = feed(&d.feed, dir).with_context(|| format!("{}: feed", args.config.display()))?;
    let (terrain, table, plans) = match &feed {
        Feed::Sim(sim, _) => (
            dem.or(sim.terrain_shared()),
            sim.sensor_table(),
            Some(sim.fpl_messages()),
        ),
        // Without a DEM of its own, a deployment in the built-in region sees over its terrain.
        Feed::Live(live) => (
            dem.or_else(|| {
                d.map
                    .country
                    .is_none()
                    .then(|| Arc::new(vigie_terrain::Dem::builtin_niger()))
            }),
            &live.table,
            None,
        ),
        // A console: the centre identifies; the coverage layer is drawn as for live feeds.
        Feed::Bus(_, table) => (
            dem.or_else(|| {
                d.map
                    .country
                    .is_none()
                    .then(|| Arc::new(vigie_terrain::Dem::builtin_niger()))
            }),
            table,
            None,
        ),
    };
    let (overlay, coverage) = coverage_overlay(table, terrain.as_deref());
    let (setup, reader) = crate::judge::deployment_setup(d.ident.as_ref(), dir);
    let mut context = crate::judge::context(
        &setup,
        &reader,
        &map.country,
        &map.airports,
        plans.as_deref(),
    )
    .with_context(|| format!("{}: ident", args.config.display()))?;
    context.coverage = coverage;
    map.airspace = vigie_ident::airspace::map_geojson(&context.volumes, context.country.as_ref());
    let sink = match &d.output.cat062 {
        Some(c) => Some(crate::pipeline::Cat062Sink::new(
            c,
            dir,
            epoch_of(&feed),
            feed.simulated(),
        )?),
        None => None,
    };
    let served = Served {
        banner: format!("vigie serving http://{bind} ({} users)", users.len()),
        users,
        audit,
        map,
        overlay,
        bind,
        context,
        terrain,
        journal: d.record.map(|r| (dir.join(r.journal), r.sync_every_s)),
        library: None,
    };
    run(feed, tracker, served, sink)
}

/// The sensor table of a live feed.
fn feed_table(f: &FeedConfig, dir: &Path) -> anyhow::Result<vigie_core::SensorTable> {
    if f.sensors.is_none() && !f.sensor.is_empty() {
        return Ok(vigie_core::SensorTable {
            sensor: f.sensor.clone(),
        });
    }
    let path = dir.join(
        f.sensors
            .as_ref()
            .context("`sensors` names the sensor table of live sources")?,
    );
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    vigie_core::SensorTable::from_toml(&text).with_context(|| path.display().to_string())
}

/// The deployment's feed: a scenario, or live sources.
fn feed(f: &FeedConfig, dir: &Path) -> anyhow::Result<Feed> {
    if f.sensors.is_some() && !f.sensor.is_empty() {
        bail!("give the sensors either in a file (`sensors`) or as [[feed.sensor]], not both");
    }
    let sensors = (f.sensors.is_some() || !f.sensor.is_empty()).then_some(());
    if let Some(url) = &f.bus {
        if f.scenario.is_some() || !f.source.is_empty() || sensors.is_none() {
            bail!("a console on the bus takes `bus` and the sensors, and no scenario or source");
        }
        let table = feed_table(f, dir)?;
        return Ok(Feed::Bus(crate::busfile::resolve(url, dir)?, table));
    }
    match (&f.scenario, sensors, f.source.is_empty()) {
        (Some(scenario), None, true) => {
            check_speed(f.speed)?;
            let sim = vigie_sim::load(&dir.join(scenario), Overrides::default())?;
            Ok(Feed::Sim(Box::new(sim), f.speed))
        }
        (None, Some(_), false) => {
            let table = feed_table(f, dir)?;
            let live = crate::feeds::start(&f.source, &table, unix_now(), Arc::new(unix_now))?;
            Ok(Feed::Live(live))
        }
        _ => bail!(
            "give either `scenario` (an exercise), or the sensors (`sensors = FILE` or [[feed.sensor]]) and at least one [[feed.source]]"
        ),
    }
}

pub(crate) fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Unix time of the feed's session time 0: the exercise's start, or when the server started.
fn epoch_of(feed: &Feed) -> f64 {
    match feed {
        Feed::Sim(sim, _) => vigie_sim::parse_start_time(&sim.scenario().start_time)
            .map(|t| t.unix_timestamp() as f64)
            .unwrap_or(0.0),
        Feed::Live(live) => live.shared.epoch_unix_s,
        // On the bus, times are Unix seconds.
        Feed::Bus(..) => 0.0,
    }
}

pub fn user(args: UserArgs) -> anyhow::Result<()> {
    let UserCommand::Add {
        name,
        role,
        users,
        replace,
    } = args.command;
    let role: Role = role.parse()?;
    let mut store = Users::load(&users)?;
    eprintln!("password for {name} (at least 8 characters), then Enter:");
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    store.add(
        &name,
        role,
        password.trim_end_matches(['\r', '\n']),
        replace,
    )?;
    eprintln!("{name} ({}) saved in {}", role.as_str(), users.display());
    Ok(())
}

fn check_speed(speed: f64) -> anyhow::Result<()> {
    if !(speed.is_finite() && (0.01..=1000.0).contains(&speed)) {
        bail!("--speed must be between 0.01 and 1000, got {speed}");
    }
    Ok(())
}

/// The built-in airports (Niger's and the regional hubs) as GeoJSON points.
pub(crate) fn airports_geojson() -> String {
    let features: Vec<serde_json::Value> = vigie_sim::airports::builtin()
        .into_iter()
        .map(|a| {
            serde_json::json!({
                "type": "Feature",
                "properties": {"icao": a.icao, "name": a.name},
                "geometry": {"type": "Point", "coordinates": [a.position.lon_deg, a.position.lat_deg]},
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
}

/// What the display is served with.
struct Served {
    users: Users,
    audit: Audit,
    map: MapLayers,
    overlay: Overlay,
    bind: SocketAddr,
    banner: String,
    /// What identification judges with.
    context: vigie_ident::identifier::Context,
    /// The ground under the tracks.
    terrain: Option<Arc<vigie_terrain::Dem>>,
    /// The journal to record to, and its sync period.
    journal: Option<(PathBuf, f64)>,
    /// The exercises an instructor may start, and how to build them.
    library: Option<(Vec<vigie_train::Briefing>, crate::pipeline::Starter)>,
}

fn run(
    feed: Feed,
    tracker_config: Config,
    served: Served,
    sink: Option<crate::pipeline::Cat062Sink>,
) -> anyhow::Result<()> {
    let table = match &feed {
        Feed::Sim(sim, _) => sim.sensor_table().clone(),
        Feed::Live(live) => live.table.clone(),
        Feed::Bus(_, table) => table.clone(),
    };
    let epoch = epoch_of(&feed) as i64;
    let mut picture = Picture::new(&table.sensor, epoch);
    picture.set_exercise(feed.simulated());
    picture.set_journaling(served.journal.is_some());
    let picture = Arc::new(RwLock::new(picture));
    let Served {
        users,
        audit,
        map,
        overlay,
        bind,
        banner,
        context,
        terrain,
        journal,
        library,
    } = served;
    let (library, starter) = library.unzip();
    let journal_path = journal.clone();
    let journal = match journal {
        Some((path, sync_every_s)) => {
            let (name, training) = match &feed {
                Feed::Sim(sim, _) => (
                    sim.scenario().name.clone(),
                    Some(crate::exercise::training(sim)),
                ),
                Feed::Live(_) | Feed::Bus(..) => ("live".to_string(), None),
            };
            let start = crate::journal::start(
                &name,
                epoch as f64,
                &table,
                &tracker_config,
                training.as_ref(),
            )?;
            Some(crate::journal::create(&path, sync_every_s, start)?)
        }
        None => None,
    };
    let exercise = match &feed {
        Feed::Sim(sim, speed) => Some(Arc::new(
            vigie_server::exercise::Control::with_objectives(
                *speed,
                crate::exercise::current(sim),
                crate::exercise::objectives(sim),
            )
            .with_library(library.unwrap_or_default()),
        )),
        Feed::Live(_) | Feed::Bus(..) => None,
    };
    let pipeline_exercise = exercise.clone();
    let ident = Arc::new(Mutex::new(vigie_ident::identifier::Identifier::new(
        context,
    )));
    let audit = Arc::new(audit);
    let clock: crate::judge::Clock = Arc::new(|| unix_now() as i64);
    let judge = crate::judge::Judge::new(
        Arc::clone(&ident),
        &table,
        terrain,
        epoch as f64,
        Arc::clone(&audit),
        Arc::clone(&clock),
    );
    // A console on the bus sends its operators' decisions to the centre.
    let (relay, ops) = match &feed {
        Feed::Bus(..) => {
            let (relay, ops) = crate::console::relay();
            (Some(relay), Some(ops))
        }
        _ => (None, None),
    };
    let state = AppState {
        ident,
        picture: Arc::clone(&picture),
        users: Arc::new(RwLock::new(users)),
        sessions: Arc::new(Sessions::default()),
        audit,
        push: tokio::sync::broadcast::channel(vigie_server::PUSH_QUEUE).0,
        map: Arc::new(map),
        overlay: Arc::new(overlay),
        now_unix_s: clock,
        journal: journal.clone(),
        exercise: exercise.clone(),
        review: None,
        relay,
    };
    serve_with(state, bind, &banner, move |stop| {
        let stages = crate::pipeline::Stages {
            judge,
            sink,
            journal,
            exercise: pipeline_exercise,
            starter,
            journal_path,
            ops,
        };
        crate::pipeline::run(feed, &table, tracker_config, &picture, stop, stages)
    })
}

/// Serves the display on `bind` until Ctrl-C, with `work` (the pipeline, or a replay) on a
/// thread of its own that stops when the flag it is given is set.
pub(crate) fn serve_with(
    state: AppState,
    bind: SocketAddr,
    banner: &str,
    work: impl FnOnce(&AtomicBool) + Send + 'static,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot serve on {bind}"))?;
        println!("{banner}");
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("pipeline".into())
                .spawn(move || work(&stop))?
        };
        let publisher = {
            let state = state.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(1));
                loop {
                    tick.tick().await;
                    vigie_server::publish(&state);
                }
            })
        };
        let served = axum::serve(listener, vigie_server::router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
                tracing::info!("stopping");
            })
            .await;
        stop.store(true, Ordering::Relaxed);
        publisher.abort();
        let _ = worker.join();
        served.context("serving the display")
    })
}

/// What the feed's radars see over the terrain (the deployment's `map.dem`, else the
/// feed's) at 300, 1,000 and 3,000 m above ground, for the display's coverage layer (a
/// fraction of a second for the Niger exercise's ten radars), and for identification's
/// "lost inside coverage".
pub(crate) fn coverage_overlay(
    table: &vigie_core::SensorTable,
    dem: Option<&vigie_terrain::Dem>,
) -> (Overlay, Option<vigie_ident::identifier::CoverageGrid>) {
    let Some(dem) = dem else {
        tracing::info!("no terrain: no coverage layer on the display");
        return (Overlay::default(), None);
    };
    let sites: Vec<vigie_terrain::RadarSite> = table
        .sensor
        .iter()
        .filter(|s| s.kind == vigie_core::SensorKind::Radar)
        .map(|s| vigie_terrain::RadarSite {
            lat_deg: s.lat_deg,
            lon_deg: s.lon_deg,
            antenna_agl_m: (s.height_m - dem.height(s.lat_deg, s.lon_deg).unwrap_or(0.0))
                .clamp(0.0, 10_000.0),
            range_m: s.range_max_m.unwrap_or(250_000.0).min(2_000_000.0),
            elevation_min_deg: None,
            refraction_k: s.refraction_k,
        })
        .collect();
    match vigie_terrain::Network::new(dem, &sites, |_| {}) {
        Ok(network) => (
            Overlay::render(dem, &network, &[300, 1_000, 3_000], 1_600),
            Some(crate::judge::coverage_grid(dem, &network)),
        ),
        Err(e) => {
            tracing::warn!("no coverage layer on the display: {e}");
            (Overlay::default(), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(text: &str) -> anyhow::Result<Deployment> {
        Ok(tomlfile::parse(text, Path::new("vigie.toml"))?)
    }

    const BASE: &str = "bind = \"127.0.0.1:0\"\nusers = \"u.toml\"\naudit = \"a.jsonl\"\n[feed]\nscenario = \"s.toml\"\n";

    #[test]
    fn the_example_console_configuration_reads() {
        let text = include_str!("../../../deploy/distributed/console.toml");
        let d = deployment(text).unwrap();
        assert_eq!(d.feed.bus.as_deref(), Some("bus.toml"));
        let bus =
            crate::busfile::resolve("bus.toml", Path::new("../../deploy/distributed")).unwrap();
        assert_eq!(bus.replicas, 3);
        assert!(bus.url.contains("centre-c"), "{}", bus.url);
        assert!(bus
            .password_file
            .unwrap()
            .ends_with("deploy/distributed/bus-password"));
        let e = feed(&d.feed, Path::new("/nonexistent"))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("sensors.toml"), "the sensor table is read: {e}");
    }

    #[test]
    fn a_deployment_brings_its_own_map() {
        let dir = std::env::temp_dir().join(format!("vigie-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let square = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
            "geometry":{"type":"Polygon","coordinates":[[[5,15],[9,15],[9,18],[5,15]]]}}]}"#;
        std::fs::write(dir.join("square.geojson"), square).unwrap();
        std::fs::write(dir.join("broken.geojson"), "{\"type\": \"Feature\"}").unwrap();

        let d = deployment(&format!("{BASE}[map]\ncountry = \"square.geojson\"\n")).unwrap();
        let layers = d.map.layers(&dir).unwrap();
        assert_eq!(layers.country, square);
        assert_eq!(
            layers.neighbours,
            vigie_sim::region::NER_NEIGHBOURS,
            "the built-in one"
        );

        let d = deployment(&format!("{BASE}[map]\nairports = \"broken.geojson\"\n")).unwrap();
        let err = format!("{:#}", d.map.layers(&dir).unwrap_err());
        assert!(
            err.contains("map.airports") && err.contains("FeatureCollection"),
            "{err}"
        );
        let d = deployment(&format!("{BASE}[map]\nneighbours = \"none.geojson\"\n")).unwrap();
        let err = format!("{:#}", d.map.layers(&dir).unwrap_err());
        assert!(err.contains("none.geojson"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_misspelt_map_field_names_its_line() {
        let err = deployment(&format!("{BASE}[map]\ncountri = \"x.geojson\"\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("vigie.toml:7"), "{err}");
    }

    #[test]
    fn sensors_and_sources_are_declared_in_the_deployment() {
        let text = "bind = \"127.0.0.1:0\"\nusers = \"u.toml\"\naudit = \"a.jsonl\"\n\
            [feed]\n\
            [[feed.sensor]]\nid = \"niamey-lr\"\nkind = \"radar\"\nlat_deg = 13.52\nlon_deg = 2.12\n\
            height_m = 250.0\nscan_period_s = 10.0\nsigma_range_m = 60.0\nsigma_azimuth_deg = 0.15\nsac = 7\nsic = 1\n\
            [[feed.source]]\nname = \"radars\"\nurl = \"udp://0.0.0.0:8600\"\nformat = \"asterix\"\n";
        let d = deployment(text).unwrap();
        let table = feed_table(&d.feed, Path::new(".")).unwrap();
        assert_eq!(table.sensor[0].sac, Some(7));
        assert_eq!(d.feed.source[0].format, crate::feeds::Format::Asterix);
        // A misspelt format names its line.
        let bad = text.replace("format = \"asterix\"", "format = \"asterisk\"");
        let err = deployment(&bad).unwrap_err().to_string();
        assert!(
            err.contains("vigie.toml:19: feed.source[0].format") && err.contains("asterisk"),
            "{err}"
        );
        // A Mode S receiver must say which sensor it is.
        let beast = text.replace("format = \"asterix\"", "format = \"beast\"");
        let d = deployment(&beast).unwrap();
        let err = format!("{:#}", feed(&d.feed, Path::new(".")).err().unwrap());
        assert!(err.contains("needs `sensor`"), "{err}");
    }

    /// The documentation's deployment examples are real ones.
    #[test]
    fn the_documented_deployments_parse() {
        for doc in ["feeds.md", "deployment.md"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../docs")
                .join(doc);
            let text = std::fs::read_to_string(&path).unwrap();
            let block = text
                .split("```toml")
                .nth(1)
                .and_then(|b| b.split("```").next())
                .expect("a toml example");
            let d = tomlfile::parse::<Deployment>(block, &path).unwrap_or_else(|e| panic!("{e}"));
            if doc == "feeds.md" {
                assert_eq!(d.feed.sensor.len(), 2);
                assert_eq!(d.feed.source.len(), 2);
                assert!(d.output.cat062.is_some());
            }
        }
    }
}
