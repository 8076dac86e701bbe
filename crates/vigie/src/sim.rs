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
/// With --udp, the sensor data goes on the wire instead, in real time (or --speed times
/// faster): radar plots as ASTERIX CAT048, ADS-B as CAT021, each sensor told by its SAC/SIC
/// as sensors.toml (still written to --out) declares it. A `vigie serve` whose feed reads
/// that port and that sensor table then sees the exercise as real sensors would send it.
///
/// Examples:
///   vigie sim scenarios/niger.toml --out out/
///   vigie sim scenarios/niger.toml --out out/ --udp 127.0.0.1:8600
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
    /// Send the plots as ASTERIX over UDP to this address, paced to the clock.
    #[arg(long, value_name = "ADDRESS:PORT")]
    udp: Option<String>,
    /// With --udp: simulated seconds per second.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
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
    if let Some(addr) = &args.udp {
        return send_udp(&mut sim, addr, &args, &bar);
    }
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

/// Sends the scenario's sensor data as ASTERIX over UDP, paced to the clock.
fn send_udp(
    sim: &mut vigie_sim::Simulator,
    addr: &str,
    args: &SimArgs,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    use vigie_core::Measurement;
    if !(args.speed > 0.0 && args.speed <= 1000.0) {
        anyhow::bail!("--speed must be in (0, 1000], got {}", args.speed);
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let table = sim.sensor_table().clone();
    std::fs::write(args.out.join("sensors.toml"), table.to_toml()?)?;
    let socket = std::net::UdpSocket::bind("0.0.0.0:0")?;
    socket
        .connect(addr)
        .with_context(|| format!("--udp {addr}"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs_f64();
    // The scenario's time 0 is now: the receiver reads real times of day.
    let encoder = vigie_ingest::asterix::AsterixEncoder::new(now);
    tracing::info!(
        "sending to {addr}; the sensor table is {} (SAC {})",
        args.out.join("sensors.toml").display(),
        vigie_sim::engine::EXERCISE_SAC
    );
    let started = Instant::now();
    let (mut datagrams, mut records) = (0u64, 0u64);
    while let Some(frame) = sim.next_frame() {
        // One block per sensor and category per frame, split to fit a datagram.
        let mut by_source: std::collections::BTreeMap<(u16, u8), Vec<Vec<u8>>> = Default::default();
        for r in &frame.reports {
            let spec = &table.sensor[usize::from(r.sensor.0)];
            let (cat, rec) = match r.measurement {
                Measurement::Polar { .. } => (48, encoder.cat048(r, spec)),
                Measurement::Position { .. } => (21, encoder.cat021(r, spec)),
            };
            by_source.entry((r.sensor.0, cat)).or_default().push(rec?);
        }
        for ((_, cat), recs) in by_source {
            records += recs.len() as u64;
            for chunk in chunks_under(&recs, 1_400) {
                socket.send(&vigie_codec::asterix::value::block(cat, chunk)?)?;
                datagrams += 1;
            }
        }
        bar.set_position((frame.time_s + 1.0) as u64);
        let due = std::time::Duration::from_secs_f64((frame.time_s + 1.0) / args.speed);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
    }
    bar.finish_and_clear();
    tracing::info!("sent {records} records in {datagrams} datagrams");
    Ok(())
}

/// Consecutive runs of records whose block stays under `max` bytes.
fn chunks_under(records: &[Vec<u8>], max: usize) -> Vec<&[Vec<u8>]> {
    let mut out = Vec::new();
    let (mut start, mut len) = (0, 3);
    for (i, r) in records.iter().enumerate() {
        if len + r.len() > max && i > start {
            out.push(&records[start..i]);
            (start, len) = (i, 3);
        }
        len += r.len();
    }
    if start < records.len() {
        out.push(&records[start..]);
    }
    out
}
