//! The session's recording on the binary's side: what the pipeline writes to the journal
//! each tick, and `vigie replay`'s re-run of a journal (the same reports, in the same order,
//! through a fresh tracker, compared with the tracks recorded).

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use anyhow::{bail, Context};
use vigie_core::interop::TruthState;
use vigie_core::{Report, SensorTable};
use vigie_journal::{Entry, Reader, Start, TruthPoint, Writer};
use vigie_server::picture::Picture;
use vigie_track::{Config, Output, Tracker};

/// A journal shared by the pipeline (ticks) and the server (actions).
pub type Shared = Arc<Mutex<Writer>>;

/// Opens a new journal and records the session's start.
pub fn create(path: &Path, sync_every_s: f64, start: Start) -> anyhow::Result<Shared> {
    Ok(Arc::new(Mutex::new(open(path, sync_every_s, start)?)))
}

/// A new journal file with the session's start recorded.
pub fn open(path: &Path, sync_every_s: f64, start: Start) -> anyhow::Result<Writer> {
    let mut w = Writer::create(path, sync_every_s)
        .with_context(|| format!("cannot create the journal {}", path.display()))?;
    w.append(&Entry::Start(start))?;
    w.commit(f64::NEG_INFINITY)?;
    Ok(w)
}

/// The session's start as the journal has it.
pub fn start(
    name: &str,
    epoch_unix_s: f64,
    table: &SensorTable,
    tracker: &Config,
    training: Option<&vigie_train::Training>,
) -> anyhow::Result<Start> {
    Ok(Start {
        epoch_unix_s,
        exercise: training.is_some(),
        name: name.to_string(),
        sensors: serde_json::to_value(table)?,
        tracker: serde_json::to_value(tracker)?,
        training: training.map(serde_json::to_value).transpose()?,
    })
}

/// Records one tick: the reports the tracker took and what it made of them; commits.
/// A journal that fails is logged once and given up, never stopping the picture.
pub fn tick(journal: &mut Option<Shared>, time_s: f64, reports: &[Report], out: &Output) {
    if journal.is_none() {
        return;
    }
    let input = Entry::Input {
        time_s,
        reports: reports.to_vec(),
    };
    let output = Entry::Output {
        time_s,
        updates: out.updates.iter().map(|u| u.row).collect(),
        ended: out.ended.clone(),
    };
    record(journal, time_s, [input, output]);
}

/// Records what identification changed this tick, if anything.
pub fn judged(journal: &mut Option<Shared>, time_s: f64, picture: &RwLock<Picture>) {
    if journal.is_none() {
        return;
    }
    let changed = picture
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .take_journal();
    if let Some(picture) = changed {
        record(journal, time_s, [Entry::Judged { time_s, picture }]);
    }
}

/// Records an exercise's truth for the tick.
pub fn truth(journal: &mut Option<Shared>, time_s: f64, truth: &[TruthState]) {
    if journal.is_none() {
        return;
    }
    let aircraft = truth
        .iter()
        .map(|t| TruthPoint {
            id: t.target_id,
            lat_deg: t.lat_deg,
            lon_deg: t.lon_deg,
        })
        .collect();
    record(journal, time_s, [Entry::Truth { time_s, aircraft }]);
}

/// Appends and commits; a journal that fails is logged once and given up, never stopping
/// the picture.
fn record<const N: usize>(journal: &mut Option<Shared>, time_s: f64, entries: [Entry; N]) {
    let Some(j) = journal.as_ref() else {
        return;
    };
    let result = {
        let mut w = j.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .try_for_each(|e| w.append(e))
            .and_then(|()| w.commit(time_s))
    };
    if let Err(e) = result {
        tracing::error!("the journal failed ({e}): no more recording this session");
        *journal = None;
    }
}

/// What re-running a journal found.
#[derive(Debug, Default)]
pub struct Rerun {
    pub ticks: u64,
    pub reports: u64,
    pub track_updates: u64,
    pub actions: u64,
    /// Ticks whose re-created tracks differ from the recorded ones.
    pub differing_ticks: u64,
    /// Session seconds covered.
    pub span_s: f64,
    /// Where reading stopped early (a crash's torn tail), if it did.
    pub torn: Option<vigie_journal::Torn>,
}

/// A journal's session, as its start frame has it.
pub struct Opened {
    pub start: Start,
    pub table: SensorTable,
    pub config: Config,
}

/// Opens a journal at its first frame, the session's start.
pub fn read(path: &Path) -> anyhow::Result<(Reader<std::io::BufReader<std::fs::File>>, Opened)> {
    let mut reader = Reader::open(path)
        .with_context(|| format!("cannot read the journal {}", path.display()))?;
    let Some(Entry::Start(start)) = reader.next() else {
        bail!(
            "{}: the journal does not begin with its session's start",
            path.display()
        );
    };
    let table: SensorTable = serde_json::from_value(start.sensors.clone())
        .with_context(|| format!("{}: the recorded sensor table", path.display()))?;
    let config: Config = serde_json::from_value(start.tracker.clone())
        .with_context(|| format!("{}: the recorded tracker settings", path.display()))?;
    Ok((
        reader,
        Opened {
            start,
            table,
            config,
        },
    ))
}

/// Re-runs a journal through a fresh tracker built from its start; `each` sees every tick's
/// re-created output.
pub fn rerun(path: &Path, mut each: impl FnMut(&Output)) -> anyhow::Result<Rerun> {
    let (mut reader, opened) = read(path)?;
    let Opened { table, config, .. } = opened;
    let mut tracker = Tracker::new(config, &table);
    let mut out = Output::default();
    let mut r = Rerun::default();
    let mut first_s = None;
    for entry in reader.by_ref() {
        match entry {
            Entry::Input { time_s, reports } => {
                out.updates.clear();
                out.ended.clear();
                for rep in &reports {
                    tracker.push(*rep, &mut out);
                }
                tracker.advance(time_s, &mut out);
                r.ticks += 1;
                r.reports += reports.len() as u64;
                r.track_updates += out.updates.len() as u64;
                r.span_s = time_s - *first_s.get_or_insert(time_s);
                each(&out);
            }
            Entry::Output { updates, ended, .. } => {
                let same = updates.len() == out.updates.len()
                    && updates.iter().zip(&out.updates).all(|(a, b)| *a == b.row)
                    && ended == out.ended;
                if !same {
                    r.differing_ticks += 1;
                }
            }
            Entry::Action(_) => r.actions += 1,
            Entry::State { tracker: bytes, .. } => {
                tracker = Tracker::restore(config, &table, &bytes)
                    .with_context(|| format!("{}: the recorded tracker state", path.display()))?;
            }
            Entry::Judged { .. } | Entry::Truth { .. } => {}
            Entry::Start(_) => bail!("{}: a second session start", path.display()),
        }
    }
    r.torn = reader.torn.take();
    Ok(r)
}

/// Whether a file is a journal (by its magic).
pub fn is_journal(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == vigie_journal::MAGIC)
}
