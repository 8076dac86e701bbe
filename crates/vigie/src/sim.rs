//! `vigie sim`: run a scenario and write its ground truth and sensor data.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

/// Run a scenario: fly its traffic, simulate its sensors, write the results.
///
/// Writes four files into the output directory (formats in docs/formats.md):
///   plots.csv     every radar plot and ADS-B report, in time order
///   truth.csv     where every aircraft really was, every truth_period_s
///   sensors.toml  the sensors, as the tracker needs to know them
///   map.svg       the region, the sensors and every track, to look at
///
/// The same scenario and seed always give the same bytes.
///
/// Example: vigie sim scenarios/niger.toml --out out/
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SimArgs {
    /// The scenario file (TOML; see docs/scenario.md).
    scenario: PathBuf,
    /// Directory for plots.csv, truth.csv, sensors.toml and map.svg (created if missing).
    #[arg(long, short, default_value = "out")]
    out: PathBuf,
    /// Replace the scenario's seed, e.g. for Monte Carlo runs.
    #[arg(long)]
    seed: Option<u64>,
    /// Replace the scenario's duration, in simulated seconds.
    #[arg(long)]
    duration_s: Option<f64>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: SimArgs) -> anyhow::Result<()> {
    let overrides = vigie_sim::Overrides {
        seed: args.seed,
        duration_s: args.duration_s,
    };
    let started = Instant::now();
    let mut sim = vigie_sim::load(&args.scenario, overrides)?;
    let s = sim.scenario();
    tracing::info!(
        scenario = %args.scenario.display(),
        name = %s.name,
        seed = s.seed,
        duration_s = s.duration_s,
        radars = s.radar.len(),
        adsb_stations = s.adsb.len(),
        flights = sim.plans().len(),
        "scenario loaded"
    );
    let duration_s = s.duration_s;
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(duration_s.ceil() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} simulating [{bar:40}] {pos}/{len} s  {per_sec}  eta {eta}",
        )
        .context("progress template")?
        .progress_chars("=> "),
    );
    let run_started = Instant::now();
    vigie_sim::output::run_to_files(&mut sim, &args.out, |t| bar.set_position((t + 1.0) as u64))
        .with_context(|| format!("writing {}", args.out.display()))?;
    bar.finish_and_clear();
    let wall_s = run_started.elapsed().as_secs_f64();
    let stats = sim.stats();
    tracing::info!(
        out = %args.out.display(),
        flights = stats.flights,
        max_airborne = stats.max_airborne,
        reports = stats.reports,
        truth_samples = stats.truth_samples,
        "done: {duration_s:.0} simulated s in {wall_s:.2} s ({:.0}x real time; {:.2} s in all)",
        duration_s / wall_s.max(1e-9),
        started.elapsed().as_secs_f64(),
    );
    Ok(())
}
