//! `vigie eval`: score tracks against ground truth.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use vigie_core::interop::{
    parse_track_line, parse_truth_line, read_lines, LineError, TRACKS_HEADER, TRUTH_HEADER,
};

/// Score a track picture against ground truth.
///
/// Pairs truth and tracks at every instant of the tracks' time grid (run `vigie track` with
/// --grid-s so both exist at the same instants) and computes GOSPA (α = 2: its mean per
/// instant as Stone Soup reports it, normalised, and its location, missed and false parts),
/// OSPA, position and velocity RMSE, completeness, false tracks, id switches and breaks.
///
/// Prints a table, and writes the full figures (with every instant) as JSON and a picture
/// (tracks over truth, GOSPA over time) as SVG beside the tracks file.
///
/// Example:
///   vigie eval --truth out/truth.csv --tracks out/tracks.csv --c-m 5000 --p 1
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct EvalArgs {
    /// Ground truth (truth.csv).
    #[arg(long)]
    truth: PathBuf,
    /// Tracks (tracks.csv).
    #[arg(long)]
    tracks: PathBuf,
    /// Cut-off distance c of GOSPA and OSPA, metres: a pair farther apart is a miss and a
    /// false track.
    #[arg(long, default_value_t = 5_000.0)]
    c_m: f64,
    /// Order p of GOSPA and OSPA.
    #[arg(long, default_value_t = 1.0)]
    p: f64,
    /// Where to write the JSON figures (default: eval.json beside the tracks).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Where to draw the picture (default: eval.svg beside the tracks).
    #[arg(long)]
    svg: Option<PathBuf>,
}

pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    if !(args.c_m.is_finite() && args.c_m > 0.0 && args.p.is_finite() && args.p >= 1.0) {
        bail!(
            "--c-m must be positive and --p at least 1 (got {} and {})",
            args.c_m,
            args.p
        );
    }
    let truth = read(&args.truth, TRUTH_HEADER, parse_truth_line)?;
    let tracks = read(&args.tracks, TRACKS_HEADER, parse_track_line)?;
    let params = vigie_eval::Params {
        c_m: args.c_m,
        p: args.p,
    };
    let report = vigie_eval::evaluate(&truth, &tracks, params);
    if report.steps == 0 {
        bail!("no instant has both truth and tracks: were the tracks written with --grid-s?");
    }
    print!("{}", report.table());
    let beside = |name: &str| args.tracks.parent().unwrap_or(Path::new(".")).join(name);
    let json_path = args.json.clone().unwrap_or_else(|| beside("eval.json"));
    std::fs::write(&json_path, serde_json::to_string_pretty(&report)?)
        .with_context(|| format!("writing {}", json_path.display()))?;
    let svg_path = args.svg.clone().unwrap_or_else(|| beside("eval.svg"));
    let title = format!("{} against {}", args.tracks.display(), args.truth.display());
    std::fs::write(
        &svg_path,
        vigie_eval::picture::svg(&truth, &tracks, &report, &title),
    )
    .with_context(|| format!("writing {}", svg_path.display()))?;
    tracing::info!(json = %json_path.display(), svg = %svg_path.display(), "written");
    Ok(())
}

fn read<T>(
    path: &Path,
    header: &'static str,
    parse: impl FnMut(&str, u64) -> Result<T, LineError>,
) -> anyhow::Result<Vec<T>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let (rows, errors) = read_lines(BufReader::with_capacity(1 << 20, file), header, parse)
        .with_context(|| format!("reading {}", path.display()))?;
    if let Some(LineError::Header { expected }) = errors.first() {
        bail!("{}: line 1 is not the header `{expected}`", path.display());
    }
    for e in errors.iter().take(10) {
        tracing::warn!("{}: {e}: skipped", path.display());
    }
    if errors.len() > 10 {
        tracing::warn!(
            "{}: {} bad lines in all, skipped",
            path.display(),
            errors.len()
        );
    }
    Ok(rows)
}
