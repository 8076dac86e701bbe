//! `vigie ingest`: a sensor site on the bus. Its feeds (as `vigie serve`'s) become batches
//! of core reports, five a second, published to `vigie.reports.<site>` with ids the stream
//! deduplicates. While the bus is away, batches go to a disk buffer (journal files of the
//! batches, within a bound: the oldest files go first when it is full, counted and logged),
//! and are published in order when it is back, before anything newer.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;
use vigie_bus::{Bus, BusConfig};
use vigie_core::{tomlfile, Report};
use vigie_journal::{Entry, Reader, Writer};

/// Run a sensor site: its feeds onto the bus.
///
/// Reads the site's feeds (ASTERIX, Beast, AVR, SBS over UDP or TCP, as `vigie serve`'s
/// `[[feed.source]]`), and publishes their reports to the bus five times a second. While
/// the bus is unreachable, batches wait in a bounded disk buffer and go out, in order, when
/// it is back. Times on the bus are Unix seconds. See docs/distributed.md.
///
/// Example:
///   vigie ingest --config /etc/vigie/site-niamey.toml
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct IngestArgs {
    #[arg(long)]
    config: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteConfig {
    /// The site's name on the bus: letters, digits, '-' or '_'.
    site: String,
    bus: BusConfig,
    #[serde(default)]
    buffer: BufferConfig,
    /// The national sensor table (every site's reports name sensors by their place in it).
    sensors: PathBuf,
    #[serde(default)]
    source: Vec<crate::feeds::SourceSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BufferConfig {
    /// The folder of the buffer's files (relative to the configuration's).
    #[serde(default = "buffer_dir")]
    dir: PathBuf,
    /// The most the buffer holds on disk.
    #[serde(default = "buffer_max")]
    max_bytes: u64,
}

impl Default for BufferConfig {
    fn default() -> Self {
        BufferConfig {
            dir: buffer_dir(),
            max_bytes: buffer_max(),
        }
    }
}

fn buffer_dir() -> PathBuf {
    PathBuf::from("buffer")
}

fn buffer_max() -> u64 {
    1 << 30
}

/// Batches a second.
const BATCH_PERIOD: Duration = Duration::from_millis(200);
/// A site with nothing to send publishes an empty batch this often, to tell the time.
const HEARTBEAT_S: f64 = 1.0;
/// How long a publish may take before the bus counts as away.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(2);

/// What the site did, for the log and its summary.
#[derive(Debug, Default)]
struct Tally {
    batches: u64,
    heartbeats: u64,
    reports: u64,
    buffered: u64,
    dropped: u64,
}

pub fn run(args: IngestArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.config)
        .with_context(|| format!("reading {}", args.config.display()))?;
    let mut cfg: SiteConfig = tomlfile::parse(&text, &args.config)?;
    cfg.bus = crate::busfile::checked(cfg.bus, &text, &args.config, "bus.")?;
    let dir = args.config.parent().unwrap_or(Path::new("."));
    let table = crate::track::load_sensors(&dir.join(&cfg.sensors))?;
    if cfg.source.is_empty() {
        anyhow::bail!(
            "{}: no [[source]]: nothing to ingest",
            args.config.display()
        );
    }
    let feed = crate::feeds::start(&cfg.source, &table, 0.0, Arc::new(crate::live::unix_now))?;
    let buffer = Buffer::open(dir.join(&cfg.buffer.dir), cfg.buffer.max_bytes)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let stop = Arc::new(AtomicBool::new(false));
    let tally = runtime.block_on(forward(&cfg, feed.rx, buffer, Arc::clone(&stop)))?;
    feed.shared.stop.store(true, Ordering::Relaxed);
    println!(
        "vigie ingest {}: {} batches, {} reports; {} batches went through the disk buffer, {} dropped from it; {} heartbeats",
        cfg.site, tally.batches, tally.reports, tally.buffered, tally.dropped, tally.heartbeats
    );
    Ok(())
}

async fn forward(
    cfg: &SiteConfig,
    rx: std::sync::mpsc::Receiver<Report>,
    mut buffer: Buffer,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<Tally> {
    let boot = format!("{:x}", crate::live::unix_now() as u64);
    let mut bus = Bus::try_connect(&cfg.bus).await.ok();
    let mut tally = Tally::default();
    let mut tick = tokio::time::interval(BATCH_PERIOD);
    let mut last_batch_s = f64::NEG_INFINITY;
    tracing::info!(site = %cfg.site, "ingesting onto {}", cfg.bus.url);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = tokio::signal::ctrl_c() => stop.store(true, Ordering::Relaxed),
        }
        let mut reports: Vec<Report> = rx.try_iter().take(crate::feeds::QUEUE).collect();
        reports.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
        if !reports.is_empty() {
            let n = tally.batches;
            tally.batches += 1;
            tally.reports += reports.len() as u64;
            let time_s = reports.last().map_or(0.0, |r| r.time_s);
            last_batch_s = last_batch_s.max(time_s);
            buffer.push(format!("{}-{boot}-{n}", cfg.site), time_s, reports);
        } else if bus.is_some() && buffer.is_empty() {
            // A silent site still tells the time, once a second: the centre's trackers
            // advance on the bus's batches alone (so that all of them hold the same
            // tracks), and without this their tracks would never end when every feed falls
            // silent. Not spooled: an old heartbeat says nothing.
            let now_s = crate::live::unix_now();
            if now_s - last_batch_s >= HEARTBEAT_S {
                last_batch_s = now_s;
                let n = tally.heartbeats;
                tally.heartbeats += 1;
                buffer.push(format!("{}-{boot}-h{n}", cfg.site), now_s, Vec::new());
            }
        }
        if bus.is_none() {
            bus = Bus::try_connect(&cfg.bus).await.ok();
        }
        if let Some(b) = &bus {
            let sent = drain(b, &cfg.site, &mut buffer).await;
            tally.buffered += sent.spilled;
        }
        tally.dropped = buffer.dropped;
        if stop.load(Ordering::Relaxed) {
            buffer.spill()?;
            return Ok(tally);
        }
    }
}

/// What draining the outbox did.
struct Sent {
    /// Batches that had waited on disk.
    spilled: u64,
}

/// Publishes what waits, oldest first: the disk's, then memory's. Stops at the first
/// failure; what is left waits on disk.
async fn drain(bus: &Bus, site: &str, buffer: &mut Buffer) -> Sent {
    let mut sent = Sent { spilled: 0 };
    while let Some((id, time_s, reports, from_disk)) = buffer.next() {
        let publish = bus.publish_reports(site, &id, time_s, &reports);
        match tokio::time::timeout(PUBLISH_TIMEOUT, publish).await {
            Ok(Ok(_)) => {
                buffer.sent();
                sent.spilled += u64::from(from_disk);
            }
            _ => {
                if let Err(e) = buffer.spill() {
                    tracing::error!("the disk buffer: {e:#}");
                }
                return sent;
            }
        }
    }
    sent
}

/// Batches waiting: in memory while the bus takes them, on disk while it does not.
struct Buffer {
    dir: PathBuf,
    max_bytes: u64,
    memory: VecDeque<(String, f64, Vec<Report>)>,
    /// Batches read back from the oldest file, and that file.
    replay: VecDeque<(String, f64, Vec<Report>)>,
    replaying: Option<PathBuf>,
    dropped: u64,
}

impl Buffer {
    fn open(dir: PathBuf, max_bytes: u64) -> anyhow::Result<Buffer> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Buffer {
            dir,
            max_bytes,
            memory: VecDeque::new(),
            replay: VecDeque::new(),
            replaying: None,
            dropped: 0,
        })
    }

    fn push(&mut self, id: String, time_s: f64, reports: Vec<Report>) {
        self.memory.push_back((id, time_s, reports));
    }

    /// Nothing waits in memory or is being read back from disk.
    fn is_empty(&self) -> bool {
        self.memory.is_empty() && self.replay.is_empty() && self.replaying.is_none()
    }

    /// The oldest batch waiting, and whether it comes from the disk.
    fn next(&mut self) -> Option<(String, f64, Vec<Report>, bool)> {
        if self.replay.is_empty() && self.replaying.is_none() {
            if let Some(file) = self.files().into_iter().next() {
                self.replay = read_file(&file);
                self.replaying = Some(file);
            }
        }
        if let Some((id, t, r)) = self.replay.front() {
            return Some((id.clone(), *t, r.clone(), true));
        }
        if let Some(file) = self.replaying.take() {
            let _ = std::fs::remove_file(file);
            return self.next();
        }
        self.memory
            .front()
            .map(|(id, t, r)| (id.clone(), *t, r.clone(), false))
    }

    /// The batch `next` gave was published.
    fn sent(&mut self) {
        if self.replay.pop_front().is_none() {
            self.memory.pop_front();
        }
    }

    /// Writes what waits in memory to a new file, then keeps the buffer within its bound.
    fn spill(&mut self) -> anyhow::Result<()> {
        if self.memory.is_empty() {
            return Ok(());
        }
        let stamp = self.files().len();
        let path = self.dir.join(format!(
            "{:020}-{stamp:06}.vj",
            (crate::live::unix_now() * 1e3) as u64
        ));
        let mut w = Writer::create(&path, 1.0)?;
        // A heartbeat that could not go out is not kept: by the time it can, it is stale.
        for (id, time_s, reports) in self.memory.drain(..).filter(|b| !b.2.is_empty()) {
            w.append(&Entry::Action(vigie_journal::Action {
                time_s,
                user: String::new(),
                action: "batch".into(),
                detail: serde_json::Value::String(id),
            }))?;
            w.append(&Entry::Input { time_s, reports })?;
        }
        w.commit(f64::INFINITY)?;
        self.keep_within_bound();
        Ok(())
    }

    fn keep_within_bound(&mut self) {
        let mut files = self.files();
        let size = |p: &PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut total: u64 = files.iter().map(size).sum();
        while total > self.max_bytes && files.len() > 1 {
            let oldest = files.remove(0);
            total -= size(&oldest);
            let lost = read_file(&oldest).len() as u64;
            self.dropped += lost;
            tracing::warn!(
                "the disk buffer is full: {lost} oldest batches dropped ({})",
                oldest.display()
            );
            let _ = std::fs::remove_file(oldest);
        }
    }

    /// The buffer's files, oldest first.
    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "vj"))
                    .filter(|p| Some(p) != self.replaying.as_ref())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }
}

/// A buffer file's batches (a torn tail, from a crash, ends it).
fn read_file(path: &Path) -> VecDeque<(String, f64, Vec<Report>)> {
    let mut out = VecDeque::new();
    let Ok(reader) = Reader::open(path) else {
        return out;
    };
    let mut id = None;
    for e in reader {
        match e {
            Entry::Action(a) => id = a.detail.as_str().map(str::to_string),
            Entry::Input { time_s, reports } => {
                if let Some(id) = id.take() {
                    out.push_back((id, time_s, reports));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_site_configuration_reads() {
        let path = Path::new("deploy/distributed/site-niamey.toml");
        let text = include_str!("../../../deploy/distributed/site-niamey.toml");
        let cfg: SiteConfig = tomlfile::parse(text, path).unwrap();
        assert_eq!((cfg.site.as_str(), cfg.source.len()), ("niamey", 2));
        assert_eq!(cfg.buffer.max_bytes, 1 << 30);
        let wrong = text.replace("max_bytes", "max_byte");
        let e = tomlfile::parse::<SiteConfig>(&wrong, path)
            .unwrap_err()
            .to_string();
        let line = |field: &str| 1 + text.lines().position(|l| l.starts_with(field)).unwrap();
        let at = format!("site-niamey.toml:{}: buffer.max_byte", line("max_bytes"));
        assert!(e.contains(&at), "{e}");
        // The bus's settings are checked where they are written.
        let two = text.replace("replicas = 3", "replicas = 2");
        let cfg: SiteConfig = tomlfile::parse(&two, path).unwrap();
        let e = crate::busfile::checked(cfg.bus, &two, path, "bus.")
            .unwrap_err()
            .to_string();
        let at = format!("site-niamey.toml:{}: bus.replicas", line("replicas"));
        assert!(e.contains(&at) && e.contains("1, 3 or 5"), "{e}");
    }

    /// A silent second's heartbeat that could not go out is not kept on disk: by the time
    /// the bus is back it is stale, and it would say a time long past.
    #[test]
    fn a_heartbeat_is_not_spooled_to_disk() {
        let dir = std::env::temp_dir().join(format!("vigie-spool-{}", std::process::id()));
        let mut buffer = Buffer::open(dir.clone(), 1 << 20).unwrap();
        let plot = Report {
            time_s: 1.0,
            sensor: vigie_core::SensorId(0),
            kind: vigie_core::PlotKind::Psr,
            measurement: vigie_core::Measurement::Polar {
                range_m: 10_000.0,
                azimuth_rad: 1.0,
                elevation_rad: None,
            },
            alt_m: None,
            mode3a: None,
            mode_s: None,
            callsign: None,
        };
        buffer.push("s-1".into(), 1.0, vec![plot]);
        buffer.push("s-h0".into(), 2.0, Vec::new());
        buffer.push("s-2".into(), 3.0, vec![plot]);
        buffer.spill().unwrap();
        assert!(buffer.is_empty());
        let mut read = Vec::new();
        while let Some((id, _, reports, from_disk)) = buffer.next() {
            assert!(from_disk && !reports.is_empty());
            read.push(id);
            buffer.sent();
        }
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(read, ["s-1", "s-2"]);
    }
}
