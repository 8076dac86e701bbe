//! `vigie record --bus`: a span of the bus's streams, from any moment, cut into a journal
//! that `vigie review` plays and `vigie replay` re-runs.
//!
//! The streams are the recording. A journal from a moment in the middle of them must start
//! with the tracker as it was then, or its tracks would be numbered afresh and would not be
//! the ones the consoles saw: the state the centre saved last before that moment is restored
//! and the reports from it re-tracked (a restored tracker goes on exactly as the centre's
//! did), and the journal starts with the tracker's state at the moment asked for. Then each
//! batch of reports and its tracks, and identification's changes as the centre published
//! them, in time order.

use std::path::PathBuf;

use anyhow::{bail, Context};
use futures::StreamExt;
use vigie_bus::{Bus, BusConfig, From, PictureMessage};
use vigie_journal::Entry;
use vigie_track::{Config, Output, Tracker};

/// What to cut from the bus.
pub struct Cut {
    pub bus: BusConfig,
    pub sensors: PathBuf,
    pub config: Option<PathBuf>,
    pub since_s: f64,
    pub until_s: f64,
    pub out: PathBuf,
    pub quiet: bool,
}

/// A moment on the command line: RFC 3339 (`2026-11-22T10:00:00Z`) or unix seconds.
pub fn moment(s: &str) -> Result<f64, String> {
    if let Ok(v) = s.parse::<f64>() {
        return Ok(v);
    }
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp_nanos() as f64 / 1e9)
        .map_err(|e| {
            format!("{s:?} is neither RFC 3339 (2026-11-22T10:00:00Z) nor unix seconds: {e}")
        })
}

pub fn run(cut: Cut) -> anyhow::Result<()> {
    if cut.until_s <= cut.since_s {
        bail!("--until must be after --since");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(cut.write())
}

/// Where the cut is, as it goes.
struct Progress {
    batches: u64,
    reports: u64,
    started: bool,
}

impl Cut {
    async fn write(&self) -> anyhow::Result<()> {
        let table = crate::track::load_sensors(&self.sensors)?;
        let config = match &self.config {
            Some(p) => crate::track::load_config(p)?,
            None => Config::default(),
        };
        let bus = Bus::try_connect(&self.bus).await?;
        let (mut tracker, from) = match bus.state_before(Some(self.since_s)).await? {
            Some(s) => {
                // The tracker's part: identification's changes come from the picture stream.
                let parts = vigie_journal::centre::split(&s.bytes)
                    .with_context(|| format!("the centre's state at {}", s.tick))?;
                let t = Tracker::restore(config, &table, parts.tracker).with_context(|| {
                    format!("the centre's state at {}: give --sensors and --config as its tracker has them", s.tick)
                })?;
                (t, From::Sequence(s.resume_sequence))
            }
            None => (Tracker::new(config, &table), From::Start),
        };
        let last = bus.last_sequence(vigie_bus::REPORTS_STREAM).await?;
        let last_picture = bus.last_sequence(vigie_bus::PICTURE_STREAM).await?;
        let mut batches = Box::pin(bus.reports(from).await?);
        let mut judged = Judged {
            picture: Box::pin(bus.picture(From::Start).await?),
            last: last_picture,
            next: None,
            done: last_picture == 0,
        };
        let mut w = crate::journal::open(
            &self.out,
            1.0,
            crate::journal::start(&self.name(), 0.0, &table, &config, None)?,
        )?;
        if last == 0 {
            bail!("the bus at {} has no reports yet", self.bus.url);
        }
        let bar = if self.quiet {
            indicatif::ProgressBar::hidden()
        } else {
            indicatif::ProgressBar::new(last)
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "reading the streams [{bar:30}] {pos}/{len} batches ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let mut p = Progress {
            batches: 0,
            reports: 0,
            started: false,
        };
        let mut out = Output::default();
        while let Some(b) = batches.next().await {
            let b = b?;
            bar.set_position(b.sequence);
            if b.time_s > self.until_s {
                break;
            }
            if b.time_s >= self.since_s && !p.started {
                w.append(&Entry::State {
                    time_s: self.since_s,
                    tracker: tracker.save(),
                })?;
                p.started = true;
            }
            out.updates.clear();
            out.ended.clear();
            for r in &b.reports {
                tracker.push(*r, &mut out);
            }
            if p.started {
                // Identification's changes up to this batch, as the centre published them.
                while let Some((time_s, picture)) = judged.take_until(b.time_s).await? {
                    if time_s >= self.since_s {
                        w.append(&Entry::Judged { time_s, picture })?;
                    }
                }
                w.append(&Entry::Input {
                    time_s: b.time_s,
                    reports: b.reports.clone(),
                })?;
                w.append(&Entry::Output {
                    time_s: b.time_s,
                    updates: out.updates.iter().map(|u| u.row).collect(),
                    ended: out.ended.clone(),
                })?;
                w.commit(b.time_s)?;
                p.batches += 1;
                p.reports += b.reports.len() as u64;
            }
            if b.sequence >= last {
                break;
            }
        }
        bar.finish_and_clear();
        w.commit(f64::INFINITY)?;
        if !p.started {
            bail!(
                "the bus has no reports from {} to {} (older ones are past the streams' retention)",
                iso(self.since_s),
                iso(self.until_s)
            );
        }
        eprintln!(
            "{}: {} batches, {} reports, {} to {}",
            self.out.display(),
            p.batches,
            p.reports,
            iso(self.since_s),
            iso(self.until_s)
        );
        Ok(())
    }

    fn name(&self) -> String {
        format!("{} from {}", self.bus.url, iso(self.since_s))
    }
}

/// Unix seconds as RFC 3339.
fn iso(unix_s: f64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_s.floor() as i64)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{unix_s} s"))
}

type PictureStream = std::pin::Pin<
    Box<dyn futures::Stream<Item = Result<PictureMessage, vigie_bus::BusError>> + Send>,
>;

/// Identification's messages of the picture stream, read up to its end as it was when the
/// cut began.
struct Judged {
    picture: PictureStream,
    last: u64,
    /// Read, and later than the batch asked for.
    next: Option<(f64, serde_json::Value)>,
    done: bool,
}

impl Judged {
    /// The next message at or before `time_s`, if any.
    async fn take_until(
        &mut self,
        time_s: f64,
    ) -> anyhow::Result<Option<(f64, serde_json::Value)>> {
        while self.next.is_none() && !self.done {
            let Some(m) = self.picture.next().await else {
                self.done = true;
                break;
            };
            let m = m?;
            self.done = m.sequence() >= self.last;
            if let PictureMessage::Judged {
                time_s, picture, ..
            } = m
            {
                self.next = Some((time_s, picture));
            }
        }
        Ok(self.next.take_if(|(t, _)| *t <= time_s))
    }
}
