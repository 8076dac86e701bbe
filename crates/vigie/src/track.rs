//! `vigie track`: fuse a recorded or simulated feed into system tracks.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use vigie_core::interop::{parse_plot_line, TracksWriter, PLOTS_HEADER};
use vigie_core::{tomlfile, SensorId, SensorTable};
use vigie_track::{Config, Output, Tracker};

/// Fuse radar plots and ADS-B reports into system tracks.
///
/// Reads plots.csv and sensors.toml (docs/formats.md), as `vigie sim` writes them or any
/// other tool does, and writes tracks.csv: every update of every confirmed track, or, with
/// --grid-s, every confirmed track predicted onto a regular time grid (what `vigie eval`
/// scores against truth).
///
/// Bad lines are counted and skipped; the first few are logged with their line numbers.
///
/// With --bus, it is the operations centre's tracker instead: it takes every site's reports
/// from the bus in the stream's order and publishes the tracks, as the leader or as a hot
/// standby that takes over when the leader is gone (docs/distributed.md).
///
/// Examples:
///   vigie track --plots out/plots.csv --sensors out/sensors.toml --out out/tracks.csv --grid-s 6
///   vigie track --bus nats://centre:4222 --sensors sensors.toml --name centre-a
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct TrackArgs {
    /// Sensor reports (plots.csv).
    #[arg(long, required_unless_present_any = ["print_config", "bus"])]
    plots: Option<PathBuf>,
    /// Track the reports on this bus instead of a file: nats://HOST:PORT, or a bus file
    /// (retention, replicas, credentials: docs/distributed.md). The centre's tracker sets
    /// the streams' retention and replicas to the file's.
    #[arg(long, conflicts_with = "plots")]
    bus: Option<String>,
    /// This tracker's name on the bus [default: the host name].
    #[arg(long, requires = "bus")]
    name: Option<String>,
    /// How long the leader's claim may go unrenewed before the standby takes over, ms.
    #[arg(long, default_value_t = 500, requires = "bus")]
    lease_ms: u64,
    /// With --bus: the leader saves the tracker's state on the bus this often (seconds of
    /// report time). A tracker starting again restores the latest instead of re-tracking
    /// the whole retention, and a replay from any moment starts from the one before it.
    #[arg(long, default_value_t = 600.0, requires = "bus")]
    state_every_s: f64,
    /// With --bus: identification's setup (rules, airspace, flight plans, friendly codes,
    /// assets; a deployment's `[ident]` table as a file); the default rules without it.
    #[arg(long, requires = "bus")]
    ident: Option<PathBuf>,
    /// The sensor table (sensors.toml).
    #[arg(long, required_unless_present = "print_config")]
    sensors: Option<PathBuf>,
    /// Where to write tracks.csv.
    #[arg(long, short, default_value = "tracks.csv")]
    out: PathBuf,
    /// Output tracks predicted onto a grid of this step, in seconds, from time 0.
    #[arg(long)]
    grid_s: Option<f64>,
    /// How long to hold reports to put them back in time order, in seconds [default: 2, or
    /// the --config file's].
    #[arg(long)]
    reorder_window_s: Option<f64>,
    /// Tracker settings (TOML): noise levels, gates, confirmation, coasting. Any setting
    /// left out keeps its default; `--print-config` writes them all.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print every tracker setting with its default value (TOML, for --config) and exit.
    #[arg(long)]
    print_config: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

/// Reads tracker settings; every mistake is named by file, line and field.
pub fn load_config(path: &std::path::Path) -> anyhow::Result<Config> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let cfg: Config = tomlfile::parse(&text, path)?;
    let problems = cfg.problems();
    if problems.is_empty() {
        Ok(cfg)
    } else {
        Err(tomlfile::located(&text, path, tomlfile::Problems(problems)).into())
    }
}

fn run_bus(url: &str, args: &TrackArgs) -> anyhow::Result<()> {
    let Some(sensors) = &args.sensors else {
        bail!("--bus needs --sensors: the national sensor table every site's reports refer to");
    };
    if !(50..=60_000).contains(&args.lease_ms) {
        bail!("--lease-ms must be 50 to 60000, got {}", args.lease_ms);
    }
    if !(10.0..=86_400.0).contains(&args.state_every_s) {
        bail!(
            "--state-every-s must be 10 to 86400, got {}",
            args.state_every_s
        );
    }
    let config = match &args.config {
        Some(path) => load_config(path)?,
        None => Config::default(),
    };
    let name = match &args.name {
        Some(n) => n.clone(),
        None => std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| format!("tracker-{}", std::process::id())),
    };
    crate::node::Node {
        bus: crate::busfile::resolve(url, std::path::Path::new("."))?,
        name,
        lease: std::time::Duration::from_millis(args.lease_ms),
        table: load_sensors(sensors)?,
        config,
        ident: args.ident.clone(),
        state_every_s: args.state_every_s,
    }
    .run()
}

/// Reads a sensor table (sensors.toml).
pub fn load_sensors(path: &std::path::Path) -> anyhow::Result<SensorTable> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    SensorTable::from_toml(&text).with_context(|| path.display().to_string())
}

/// How many bad lines are logged one by one before they are only counted.
const BAD_LINES_LOGGED: usize = 10;

/// The longest line read: a plots.csv line is under 200 bytes; a longer one is skipped
/// without being held, so one enormous line costs no memory.
const LINE_BYTES_MAX: usize = 4096;

/// Reads one line into `line` (at most `max` bytes kept; the rest of a longer line is
/// consumed and dropped). `None` at the end of input; `Some(false)` for a line too long.
fn read_bounded_line(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<bool>> {
    line.clear();
    let mut any = false;
    let mut fits = true;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(any.then_some(fits));
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let n = chunk.len();
        if fits && line.len() + n <= max {
            line.extend_from_slice(chunk);
        } else {
            fits = false;
            line.clear();
        }
        input.consume(n);
        if done {
            return Ok(Some(fits));
        }
    }
}

pub fn run(args: TrackArgs) -> anyhow::Result<()> {
    if args.print_config {
        let text = toml::to_string(&Config::default())?;
        println!("{}", text.trim_end());
        return Ok(());
    }
    if let Some(url) = &args.bus {
        return run_bus(url, &args);
    }
    let (Some(plots), Some(sensors_path)) = (&args.plots, &args.sensors) else {
        bail!("--plots and --sensors are both needed");
    };
    if let Some(g) = args.grid_s {
        if !(g.is_finite() && g > 0.0) {
            bail!("--grid-s must be a positive number of seconds, got {g}");
        }
    }
    let sensors = load_sensors(sensors_path)?;
    let index: std::collections::HashMap<String, SensorId> = sensors
        .sensor
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), SensorId(i as u16)))
        .collect();
    let mut cfg = match &args.config {
        Some(path) => load_config(path)?,
        None => Config::default(),
    };
    cfg.grid_s = args.grid_s.or(cfg.grid_s);
    if let Some(w) = args.reorder_window_s {
        if !(w.is_finite() && w > 0.0) {
            bail!("--reorder-window-s must be a positive number of seconds, got {w}");
        }
        cfg.reorder_window_s = w;
    }
    let mut tracker = Tracker::new(cfg, &sensors);
    let file = File::open(plots).with_context(|| format!("opening {}", plots.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(size)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} tracking [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )?
        .progress_chars("=> "),
    );
    let mut input = BufReader::with_capacity(1 << 20, bar.wrap_read(file));
    // Written beside the target and renamed at the end: a failed run leaves no half file.
    let partial = args.out.with_extension("csv.partial");
    let out_file =
        File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let mut writer = TracksWriter::new(BufWriter::with_capacity(1 << 20, out_file))?;
    let mut out = Output::default();
    let mut line = Vec::with_capacity(256);
    let (mut line_no, mut bad, mut good) = (0u64, 0usize, 0u64);
    let started = Instant::now();
    let result = (|| -> anyhow::Result<()> {
        loop {
            let read = read_bounded_line(&mut input, &mut line, LINE_BYTES_MAX)
                .with_context(|| format!("reading {}", plots.display()))?;
            let Some(complete) = read else { break };
            line_no += 1;
            let text = match (complete, std::str::from_utf8(&line)) {
                (false, _) => Err(format!(
                    "line {line_no}: longer than {LINE_BYTES_MAX} bytes"
                )),
                (true, Ok(t)) => Ok(t.trim_end_matches(['\n', '\r'])),
                (true, Err(_)) => Err(format!("line {line_no}: not UTF-8 text")),
            };
            if line_no == 1 {
                if text.as_deref() != Ok(PLOTS_HEADER) {
                    bail!(
                        "{}: line 1 is not the plots.csv header `{PLOTS_HEADER}`",
                        plots.display()
                    );
                }
                continue;
            }
            let parsed = text.and_then(|t| {
                parse_plot_line(t, line_no, |id| index.get(id).copied()).map_err(|e| e.to_string())
            });
            match parsed {
                Ok(report) => {
                    good += 1;
                    tracker.push(report, &mut out);
                }
                Err(e) => {
                    bad += 1;
                    if bad <= BAD_LINES_LOGGED {
                        tracing::warn!("{}: {e}: skipped", plots.display());
                    }
                }
            }
            write_rows(&mut writer, &mut out, args.grid_s.is_some())?;
        }
        match (line_no, good) {
            (0, _) => bail!(
                "{}: the file is empty (not even the header)",
                plots.display()
            ),
            (1, _) => bail!("{}: no reports after the header", plots.display()),
            (_, 0) => bail!(
                "{}: none of its {} lines is a report (see the warnings above)",
                plots.display(),
                line_no - 1
            ),
            _ => Ok(()),
        }
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    tracker.flush(&mut out);
    write_rows(&mut writer, &mut out, args.grid_s.is_some())?;
    writer.finish()?;
    std::fs::rename(&partial, &args.out)
        .with_context(|| format!("writing {}", args.out.display()))?;
    bar.finish_and_clear();
    for (sensor, bias) in tracker.registration().estimates() {
        if bias.samples >= vigie_track::registration::MIN_SAMPLES {
            tracing::info!(
                sensor = %sensors.sensor[usize::from(sensor.0)].id,
                range_bias_m = format!("{:.1}", bias.range_m),
                azimuth_bias_deg = format!("{:.4}", bias.azimuth_rad.to_degrees()),
                samples = bias.samples,
                "registration: estimated from ADS-B and removed from the radar's plots"
            );
        }
    }
    let c = tracker.counters();
    let wall_s = started.elapsed().as_secs_f64();
    let rejected: u64 = c
        .per_sensor
        .iter()
        .map(|r| r.not_finite + r.absurd + r.late + r.wrong_kind)
        .sum();
    tracing::info!(
        reports = c.reports,
        bad_lines = bad,
        rejected = rejected + c.unknown_sensor,
        duplicate_squitters = c.duplicates,
        implausible = c.implausible,
        tracks_confirmed = c.tracks_confirmed,
        tentative_started = c.tracks_started,
        out = %args.out.display(),
        "done in {wall_s:.2} s ({:.0} reports/s)",
        c.reports as f64 / wall_s.max(1e-9)
    );
    Ok(())
}

fn write_rows(
    writer: &mut TracksWriter<BufWriter<File>>,
    out: &mut Output,
    grid: bool,
) -> anyhow::Result<()> {
    if grid {
        for row in out.grid.drain(..) {
            writer.write(&row)?;
        }
    } else {
        for u in out.updates.drain(..) {
            writer.write(&u.row)?;
        }
    }
    out.updates.clear();
    Ok(())
}
