//! `vigie suite`: the tracker scored on many seeded scenarios against an oracle.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use vigie_core::interop::{TrackRow, TruthRow};
use vigie_core::Report;
use vigie_sim::suite::{Case, Half};
use vigie_track::{Config, Output, Tracker};

/// Score the tracker on the scenario suite, each case against an oracle.
///
/// The suite is many seeded radar scenarios varying what makes tracking hard: target
/// density, Pd 0.6-0.98, clutter 0-500 plots per scan, scan 4-12 s, 2-D and 3-D radars, one
/// to three overlapping radars, with and without ADS-B, the manoeuvre mix, terrain
/// (vigie_sim::suite). For each case, the tracker and the oracle (the same filters and
/// two-plot start, told the true associations: vigie_track::oracle) track the same plots;
/// both pictures are sampled every scan and scored by GOSPA (c = 5 km, p = 1, alpha = 2)
/// against the truth of every target from its first report to its last. A case's figure is
/// GOSPA(vigie) / GOSPA(oracle): 1 is all a tracker can do.
///
/// Even cases are for tuning, odd ones are held back; the table gives the mean and worst
/// ratio of each half.
///
/// Examples:
///   vigie suite
///   vigie suite --cases 8 --duration-s 300 --json suite.json
///   vigie suite --write-scenarios suite/      (the cases as scenario files)
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SuiteArgs {
    /// How many cases (the first N of the suite).
    #[arg(long, default_value_t = 32)]
    cases: usize,
    /// Length of each case, seconds (at most an hour: a case's reports are held in memory
    /// to score the oracle, which needs each target's last report).
    #[arg(long, default_value_t = 600.0)]
    duration_s: f64,
    /// Only this half: tune or held.
    #[arg(long)]
    half: Option<String>,
    /// Tracker settings (TOML, as `vigie track --config`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Write every figure of every case as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write each case's scenario file into this folder, and stop.
    #[arg(long)]
    write_scenarios: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

/// One case's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    pub case: usize,
    pub half: &'static str,
    pub name: String,
    pub targets: usize,
    pub gospa_vigie: f64,
    pub gospa_oracle: f64,
    pub ratio: f64,
    pub false_part_vigie: f64,
    pub missed_part_vigie: f64,
    pub track_ids: usize,
    pub id_switches: usize,
    pub breaks: usize,
    pub reports: usize,
}

pub fn run(args: SuiteArgs) -> anyhow::Result<()> {
    if !(1..=1_000).contains(&args.cases) {
        bail!("--cases must be 1 to 1000, got {}", args.cases);
    }
    if !(args.duration_s.is_finite() && (60.0..=3_600.0).contains(&args.duration_s)) {
        bail!("--duration-s must be 60 to 3600, got {}", args.duration_s);
    }
    let half = match args.half.as_deref() {
        None => None,
        Some("tune") => Some(Half::Tune),
        Some("held") => Some(Half::Held),
        Some(other) => bail!("--half must be tune or held, got {other:?}"),
    };
    let cases: Vec<Case> = vigie_sim::suite::cases(args.cases, args.duration_s)
        .into_iter()
        .filter(|c| half.is_none_or(|h| c.half == h))
        .collect();
    if let Some(dir) = &args.write_scenarios {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for c in &cases {
            let path = dir.join(format!("case-{:02}.toml", c.index));
            std::fs::write(&path, &c.toml)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        println!("{} scenario files in {}", cases.len(), dir.display());
        return Ok(());
    }
    let cfg = match &args.config {
        Some(p) => crate::track::load_config(p)?,
        None => Config::default(),
    };
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(cases.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} suite [{bar:40}] {pos}/{len} cases, eta {eta}")?
            .progress_chars("=> "),
    );
    let scored = score_all(&cases, &cfg, &bar)?;
    bar.finish_and_clear();
    print!("{}", table(&scored));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&scored)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Every case scored, on as many threads as the machine has (each case is independent).
pub fn score_all(cases: &[Case], cfg: &Config, bar: &ProgressBar) -> anyhow::Result<Vec<Scored>> {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(cases.len());
    let mut results: Vec<(usize, anyhow::Result<Scored>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(case) = cases.get(k) else { break };
                        mine.push((k, score(case, cfg)));
                        bar.inc(1);
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(k, _)| *k);
    results.into_iter().map(|(_, r)| r).collect()
}

/// One case: simulated, tracked by vigie and by the oracle, both scored.
pub fn score(case: &Case, cfg: &Config) -> anyhow::Result<Scored> {
    let mut sim = vigie_sim::from_text(
        &case.toml,
        std::path::Path::new(&case.name),
        Default::default(),
    )
    .with_context(|| format!("{}: the scenario", case.name))?;
    let table = sim.sensor_table().clone();
    let mut reports: Vec<(Report, Option<u32>)> = Vec::new();
    let mut truth_all = Vec::new();
    while let Some(f) = sim.next_frame() {
        reports.extend(f.reports.iter().copied().zip(f.origins.iter().copied()));
        truth_all.extend(f.truth.iter().map(TruthRow::from));
    }
    let truth = observable(truth_all, &reports);
    // Both pictures are sampled once a scan.
    let mut cfg = *cfg;
    cfg.grid_s = Some(case.scan_s);
    let vigie_rows = track(&cfg, &table, &reports);
    let oracle_rows = vigie_track::oracle::track(&cfg, &table, &reports, case.scan_s);
    let params = vigie_eval::Params::default();
    let v = vigie_eval::evaluate(&truth, &vigie_rows, params);
    let o = vigie_eval::evaluate(&truth, &oracle_rows, params);
    Ok(Scored {
        case: case.index,
        half: case.half.name(),
        name: case.name.clone(),
        targets: case.targets,
        gospa_vigie: v.gospa_mean,
        gospa_oracle: o.gospa_mean,
        ratio: v.gospa_mean / o.gospa_mean.max(1e-9),
        false_part_vigie: v.gospa_false_mean,
        missed_part_vigie: v.gospa_missed_mean,
        track_ids: v.track_ids,
        id_switches: v.id_switches,
        breaks: v.breaks,
        reports: reports.len(),
    })
}

/// vigie's picture on the grid, as `vigie track --grid-s` writes it.
fn track(
    cfg: &Config,
    table: &vigie_core::SensorTable,
    reports: &[(Report, Option<u32>)],
) -> Vec<TrackRow> {
    let mut tracker = Tracker::new(*cfg, table);
    let mut out = Output::default();
    let mut rows = Vec::new();
    for (r, _) in reports {
        tracker.push(*r, &mut out);
        rows.append(&mut out.grid);
        out.updates.clear();
    }
    tracker.flush(&mut out);
    rows.append(&mut out.grid);
    rows
}

/// The truth a tracker can be asked for: each target from its first report to its last.
fn observable(truth: Vec<TruthRow>, reports: &[(Report, Option<u32>)]) -> Vec<TruthRow> {
    let mut seen: std::collections::HashMap<u32, (f64, f64)> = Default::default();
    for (r, origin) in reports {
        if let Some(id) = origin {
            let e = seen.entry(*id).or_insert((r.time_s, r.time_s));
            e.1 = r.time_s;
        }
    }
    truth
        .into_iter()
        .filter(|t| {
            seen.get(&t.target_id)
                .is_some_and(|&(a, b)| (a..=b).contains(&t.time_s))
        })
        .collect()
}

/// The table a user reads: one line per case, then each half's mean and worst.
pub fn table(scored: &[Scored]) -> String {
    use std::fmt::Write;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{:<4} {:<5} {:>9} {:>9} {:>6} {:>5} {:>4} {:>4}  conditions",
        "case", "half", "vigie", "oracle", "ratio", "ids", "sw", "brk"
    );
    for s in scored {
        let conditions = s.name.split_once(": ").map_or(s.name.as_str(), |(_, c)| c);
        let _ = writeln!(
            t,
            "{:<4} {:<5} {:>9.0} {:>9.0} {:>6.2} {:>5} {:>4} {:>4}  {conditions}",
            s.case,
            s.half,
            s.gospa_vigie,
            s.gospa_oracle,
            s.ratio,
            s.track_ids,
            s.id_switches,
            s.breaks
        );
    }
    for half in ["tune", "held"] {
        let ratios: Vec<f64> = scored
            .iter()
            .filter(|s| s.half == half)
            .map(|s| s.ratio)
            .collect();
        if ratios.is_empty() {
            continue;
        }
        let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
        let worst = ratios.iter().copied().fold(0.0, f64::max);
        let _ = writeln!(
            t,
            "{half} half ({} cases): mean ratio {mean:.3}, worst {worst:.3}",
            ratios.len()
        );
    }
    t
}
