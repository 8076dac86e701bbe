//! `vigie track --bus`: the centre's tracker on the bus, one of a leader and a hot standby.
//!
//! Every tracker takes every batch of reports in the stream's order, so leader and standby
//! hold the same tracks with the same numbers; ticks close on whole seconds of the batches'
//! time, so they close alike too. Only the leader publishes a closed tick. A standby keeps
//! the closed ticks it has not yet seen the leader publish: when it takes over, it publishes
//! them, and the bus keeps each tick once (ticks are named), so the picture has no gap
//! whatever moment the leader died at.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::StreamExt;
use vigie_bus::{Bus, BusConfig, From, Leadership, Lease, Quality, Tick};
use vigie_core::interop::TrackRow;
use vigie_core::SensorTable;
use vigie_server::api::Op;
use vigie_track::{Config, Output, Tracker};

/// Closed ticks a standby keeps, at most, while the leader has not published them: ten
/// minutes of a leader alive but unable to publish.
const KEPT_TICKS: usize = 600;

/// One closed tick: the latest state of each track updated in it, the tracks that ended,
/// and what identification changed.
struct Closed {
    tick: Tick,
    updates: Vec<TrackRow>,
    quality: Vec<Quality>,
    ended: Vec<u32>,
    judged: Option<serde_json::Value>,
    heard: vigie_bus::Heard,
}

/// The tick being filled.
#[derive(Default)]
struct Open {
    number: Option<i64>,
    time_s: f64,
    /// Each track's latest update in the tick.
    updates: BTreeMap<u32, (TrackRow, Quality)>,
    ended: Vec<u32>,
    /// Per sensor: its last report's time and how many it sent.
    heard: BTreeMap<u16, (f64, u64)>,
}

pub struct Node {
    pub bus: BusConfig,
    pub name: String,
    pub lease: Duration,
    pub table: SensorTable,
    pub config: Config,
    /// Identification's setup (a deployment's `[ident]` table as a file of its own); the
    /// default rules without one.
    pub ident: Option<std::path::PathBuf>,
    /// How often the leader saves the tracker's state on the bus, seconds of report time.
    pub state_every_s: f64,
}

/// Where a tracker starts: the latest state saved on the bus, or the stream's start.
struct Resumed {
    tracker: Tracker,
    from: From,
    reports: u64,
    /// The tick of the state restored.
    saved_tick: i64,
    /// Identification's part of that state, when it has one.
    identification: Option<crate::centre::Identification>,
}

/// Identification at the centre: the same judge as a single process's, over a picture of
/// its own whose changes are published.
struct Identification {
    judge: crate::judge::Judge,
    picture: std::sync::RwLock<vigie_server::picture::Picture>,
    /// Operators' decisions on tracks identification has not seen yet (a tracker that has
    /// just started): tried again each tick, for a while.
    waiting: Vec<(Op, f64)>,
    /// The operators' decisions stream's last sequence taken.
    ops_taken: u64,
}

/// How long, in seconds of report time, a decision waits for its track.
const OP_WAIT_S: f64 = 600.0;

impl Identification {
    fn new(node: &Node) -> anyhow::Result<Identification> {
        let (setup, reader) = match &node.ident {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let setup: vigie_ident::setup::Setup = vigie_core::tomlfile::parse(&text, path)?;
                let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                (setup, crate::judge::Reader::Folder(dir))
            }
            None => crate::judge::deployment_setup(None, Path::new(".")),
        };
        let airports = crate::live::airports_geojson();
        let context =
            crate::judge::context(&setup, &reader, vigie_sim::region::NER, &airports, None)?;
        let identifier = std::sync::Arc::new(std::sync::Mutex::new(
            vigie_ident::identifier::Identifier::new(context),
        ));
        let judge = crate::judge::Judge::new(
            identifier,
            &node.table,
            None,
            0.0,
            std::sync::Arc::new(vigie_server::audit::Audit::in_memory()),
            std::sync::Arc::new(|| crate::live::unix_now() as i64),
        );
        let mut picture = vigie_server::picture::Picture::new(&node.table.sensor, 0);
        picture.set_journaling(true);
        Ok(Identification {
            judge,
            picture: std::sync::RwLock::new(picture),
            waiting: Vec::new(),
            ops_taken: 0,
        })
    }

    /// What it remembers now, for a saved state.
    fn memory(&self) -> crate::centre::Identification {
        crate::centre::Identification {
            memory: self.judge.memory(&self.picture),
            ops_taken: self.ops_taken,
        }
    }

    /// Takes back what a saved state remembered.
    fn remember(&mut self, saved: crate::centre::Identification) -> Result<(), String> {
        self.judge.remember(saved.memory, &self.picture)?;
        self.ops_taken = saved.ops_taken;
        Ok(())
    }

    /// An operator's decision from a console; `false` if its track is not known yet.
    fn decide(&mut self, op: &Op, time_s: f64) -> bool {
        let mut p = self.picture.write().unwrap_or_else(|e| e.into_inner());
        match op {
            Op::Identity {
                track,
                identity,
                user,
                note,
            } => {
                let mut ident = self
                    .judge
                    .identifier
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                if ident
                    .decide(*track, user, *identity, note.clone(), time_s)
                    .is_none()
                {
                    return false;
                }
                p.set_identity(*track, *identity, true);
                tracing::info!(
                    track,
                    user,
                    identity = identity.as_str(),
                    "an operator's decision"
                );
                true
            }
            Op::Acknowledge {
                alert,
                user,
                raised_s,
            } => {
                // A console acknowledges only what the centre sent it: an alert this
                // centre does not hold was raised before it restarted, and waits for nothing.
                let held = p
                    .alert(*alert)
                    .is_some_and(|a| raised_s.is_none_or(|t| a.time_s.to_bits() == t.to_bits()));
                if held {
                    p.acknowledge(*alert, user);
                } else {
                    tracing::info!(
                        alert,
                        user,
                        "an acknowledgement of an alert raised before this centre started: dropped"
                    );
                }
                true
            }
        }
    }

    /// Takes an operator's decision now, or keeps it for when its track is known.
    fn take(&mut self, op: Op, time_s: f64) {
        if !self.decide(&op, time_s) {
            self.waiting.push((op, time_s));
        }
    }

    /// Tries the waiting decisions again; drops those that waited too long.
    fn retry(&mut self, time_s: f64) {
        for (op, since_s) in std::mem::take(&mut self.waiting) {
            if !self.decide(&op, time_s) && time_s - since_s < OP_WAIT_S {
                self.waiting.push((op, since_s));
            }
        }
    }

    fn observe(&mut self, reports: &[vigie_core::Report], out: &Output, time_s: f64) {
        self.judge.observe(reports, out);
        let mut p = self.picture.write().unwrap_or_else(|e| e.into_inner());
        p.apply(out);
        p.advance(time_s);
    }

    /// A tick's identification: what changed, for the bus.
    fn tick(&mut self, time_s: f64) -> Option<serde_json::Value> {
        self.judge.tick(time_s, &self.picture);
        let mut p = self.picture.write().unwrap_or_else(|e| e.into_inner());
        // Nobody reads this picture's pushes: taken so that nothing piles up.
        let _ = p.take_delta();
        p.take_journal()
    }
}

impl Node {
    pub fn run(self) -> anyhow::Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        runtime.block_on(self.serve())
    }

    async fn serve(self) -> anyhow::Result<()> {
        let bus = Bus::connect(&self.bus).await?;
        if let Err(e) = bus.enforce_settings().await {
            tracing::warn!("cannot set the streams' retention and replicas: {e}");
        }
        let lead = bus.leadership(self.lease).await?;
        let (role, mut leading) = tokio::sync::watch::channel(false);
        let elector = tokio::spawn(elect(lead, self.name.clone(), role));
        let resumed = self.resume(&bus).await;
        let mut identification = Identification::new(&self)?;
        let remembered = resumed
            .identification
            .map(|saved| identification.remember(saved));
        let ops_from = match remembered {
            Some(Ok(())) => {
                tracing::info!("identification restored: alerts, identities and threats as saved");
                From::Sequence(identification.ops_taken + 1)
            }
            Some(Err(e)) => {
                tracing::warn!("identification's saved memory not taken ({e}): it starts afresh");
                identification = Identification::new(&self)?;
                From::Start
            }
            None => From::Start,
        };
        let mut batches = Box::pin(bus.reports(resumed.from).await?);
        // What the leader has published, so that the standby keeps only the rest.
        let mut published_stream = Box::pin(bus.picture(From::New).await?);
        // Operators' decisions since the saved state's; all of them when identification
        // starts afresh (the tracks still alive get back the identities operators set).
        let mut ops = Box::pin(bus.ops(ops_from).await?);
        // A tracker starting again takes the reports from the start, and publishes only
        // what the picture does not have yet.
        let mut published = bus.last_tick().await?.unwrap_or(i64::MIN);
        let mut tracker = resumed.tracker;
        let mut saved_tick = resumed.saved_tick;
        let mut out = Output::default();
        let mut batch_out = Output::default();
        let mut open = Open::default();
        let mut kept: VecDeque<Closed> = VecDeque::new();
        let mut reports = resumed.reports;
        // The latest report time taken: the time of an operator's decision.
        let mut now_s = f64::NEG_INFINITY;
        tracing::info!(name = %self.name, "tracking the bus's reports; standby until leading");
        loop {
            tokio::select! {
                b = batches.next() => {
                    let Some(b) = b else { break };
                    let b = b?;
                    let second = b.time_s.floor() as i64;
                    if let Some(closed) = open.number.filter(|&n| n != second) {
                        identification.retry(open.time_s);
                        let judged = identification.tick(open.time_s);
                        kept.push_back(close(&mut open, &self.name, reports, judged));
                        prune(&mut kept, published);
                        if *leading.borrow() {
                            publish(&bus, &mut kept).await;
                            if (closed - saved_tick) as f64 >= self.state_every_s {
                                saved_tick = closed;
                                let at = At { tick: closed, resume_sequence: b.sequence, reports };
                                save(&bus, &tracker, &identification, at).await;
                            }
                        }
                    }
                    open.number = Some(second);
                    now_s = now_s.max(b.time_s);
                    open.time_s = open.time_s.max(b.time_s);
                    batch_out.updates.clear();
                    batch_out.ended.clear();
                    for r in &b.reports {
                        tracker.push(*r, &mut out);
                        gather(&mut out, &mut open, &mut batch_out);
                    }
                    // The batch's time is the bus's clock (a silent site sends empty ones):
                    // tracks age on it alike in every tracker, and end when feeds fall silent.
                    tracker.advance(b.time_s, &mut out);
                    gather(&mut out, &mut open, &mut batch_out);
                    for r in &b.reports {
                        let h = open.heard.entry(r.sensor.0).or_insert((r.time_s, 0));
                        *h = (h.0.max(r.time_s), h.1 + 1);
                    }
                    identification.observe(&b.reports, &batch_out, b.time_s);
                    reports += b.reports.len() as u64;
                }
                Some(op) = ops.next() => match op.map(|(sequence, op)| (sequence, serde_json::from_value::<Op>(op))) {
                    Ok((sequence, Ok(op))) => {
                        identification.ops_taken = sequence;
                        identification.take(op, now_s);
                    }
                    Ok((_, Err(e))) => tracing::warn!("an operator's decision that does not read: {e}"),
                    Err(e) => tracing::warn!("{e}"),
                },
                m = published_stream.next() => {
                    if let Some(Ok(vigie_bus::PictureMessage::Tracks { time_s, .. })) = m {
                        published = published.max(time_s.floor() as i64);
                    }
                }
                changed = leading.changed() => {
                    changed.context("the election stopped")?;
                    if *leading.borrow() {
                        tracing::info!(name = %self.name, "leading: publishing the picture");
                        prune(&mut kept, published);
                        publish(&bus, &mut kept).await;
                    } else {
                        tracing::warn!(name = %self.name, "another tracker leads: standing by");
                    }
                }
                _ = tokio::signal::ctrl_c() => break,
            }
        }
        elector.abort();
        Ok(())
    }
}

impl Node {
    /// The latest state on the bus restored, if there is one this tracker can take (the
    /// same settings and sensor table); else a fresh tracker from the stream's start.
    async fn resume(&self, bus: &Bus) -> Resumed {
        let fresh = || Resumed {
            tracker: Tracker::new(self.config, &self.table),
            from: From::Start,
            reports: 0,
            saved_tick: i64::MIN / 2,
            identification: None,
        };
        let saved = match bus.state_before(None).await {
            Ok(Some(s)) => s,
            Ok(None) => return fresh(),
            Err(e) => {
                tracing::warn!("cannot read the saved states ({e}): tracking from the start");
                return fresh();
            }
        };
        let (tracker, identification) = match crate::centre::split(&saved.bytes) {
            Ok(parts) => parts,
            Err(e) => {
                tracing::warn!(
                    "the state saved at tick {} does not read ({e}): tracking from the start",
                    saved.tick
                );
                return fresh();
            }
        };
        match Tracker::restore(self.config, &self.table, tracker) {
            Ok(tracker) => {
                tracing::info!(
                    tick = saved.tick,
                    tracks = tracker.tracks().count(),
                    "restored the tracker's state saved on the bus"
                );
                Resumed {
                    tracker,
                    from: From::Sequence(saved.resume_sequence),
                    reports: saved.reports,
                    saved_tick: saved.tick,
                    identification,
                }
            }
            Err(e) => {
                tracing::warn!("the state saved at tick {} is not for this tracker ({e}): tracking from the start", saved.tick);
                fresh()
            }
        }
    }
}

/// Where a saved state stands: the tick it closes, the reports stream's sequence it goes on
/// from (it covers every batch before), the reports taken in all.
struct At {
    tick: i64,
    resume_sequence: u64,
    reports: u64,
}

/// Saves the centre's state on the bus: the tracker's and identification's.
async fn save(bus: &Bus, tracker: &Tracker, identification: &Identification, at: At) {
    let bytes = match crate::centre::join(&tracker.save(), &identification.memory()) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!("the centre's state not saved: {e}");
            return;
        }
    };
    let state = vigie_bus::SavedState {
        tick: at.tick,
        // The moment it stands for: the end of the tick's second.
        time_s: (at.tick + 1) as f64,
        resume_sequence: at.resume_sequence,
        reports: at.reports,
        bytes,
    };
    let tick = at.tick;
    match bus.publish_state(&state).await {
        Ok(()) => tracing::debug!(tick, bytes = state.bytes.len(), "tracker state saved"),
        Err(e) => tracing::warn!("the tracker state not saved: {e}"),
    }
}

/// Moves what the tracker just gave into the open tick and the batch's output.
fn gather(out: &mut Output, open: &mut Open, batch_out: &mut Output) {
    for u in &out.updates {
        open.updates.insert(u.row.track_id, (u.row, quality(u)));
    }
    open.ended.extend(&out.ended);
    batch_out.updates.append(&mut out.updates);
    batch_out.ended.append(&mut out.ended);
}

/// Drops the ticks the leader has published, and the oldest beyond the bound.
fn prune(kept: &mut VecDeque<Closed>, published: i64) {
    while kept
        .front()
        .is_some_and(|c| c.tick.number <= published || kept.len() > KEPT_TICKS)
    {
        kept.pop_front();
    }
}

fn close(open: &mut Open, by: &str, reports: u64, judged: Option<serde_json::Value>) -> Closed {
    let o = std::mem::take(open);
    let (updates, quality) = o.updates.into_values().unzip();
    Closed {
        judged,
        heard: vigie_bus::Heard {
            time_s: o.time_s,
            sensors: o.heard.into_iter().map(|(s, (t, n))| (s, t, n)).collect(),
        },
        tick: Tick {
            number: o.number.unwrap_or_default(),
            time_s: o.time_s,
            by: by.to_string(),
            reports,
        },
        updates,
        quality,
        ended: o.ended,
    }
}

fn quality(u: &vigie_track::TrackUpdate) -> Quality {
    Quality {
        track: u.row.track_id,
        sigma_m: u.position_sigma_m.is_finite().then_some(u.position_sigma_m),
        turn_probability: u.turn_probability,
        sensors: u.sensors.iter().map(|(s, t)| (s.0, *t)).collect(),
        last_transponder_s: u.last_transponder_s,
    }
}

/// Publishes the ticks kept, oldest first; one the bus will not take stays for the next try.
async fn publish(bus: &Bus, kept: &mut VecDeque<Closed>) {
    while let Some(c) = kept.front() {
        // The sensors and the tracks' quality first: a console shows them as the tracks
        // they go with arrive.
        let first = match bus.publish_sensors(c.tick.number, &c.heard).await {
            Ok(_) => bus.publish_quality(c.tick.number, &c.quality).await,
            Err(e) => Err(e),
        };
        if let Err(e) = first {
            tracing::warn!("tick {} not published yet: {e}", c.tick.number);
            return;
        }
        let judged = match &c.judged {
            Some(j) => {
                let id = format!("judged-{}", c.tick.number);
                bus.publish_judged(&id, c.tick.time_s, j.clone())
                    .await
                    .map(|_| ())
            }
            None => Ok(()),
        };
        let sent = match judged {
            Ok(()) => bus
                .publish_tracks(&c.tick, c.updates.clone(), c.ended.clone())
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
        match sent {
            Ok(_) => {
                kept.pop_front();
            }
            Err(e) => {
                tracing::warn!("tick {} not published yet: {e}", c.tick.number);
                if kept.len() > KEPT_TICKS {
                    kept.pop_front();
                }
                return;
            }
        }
    }
}

/// The election: renews the claim while leading, takes it when it goes stale.
async fn elect(lead: Leadership, me: String, role: tokio::sync::watch::Sender<bool>) {
    let period = lead.lease / 5;
    let mut held: Option<Lease> = None;
    // The claim last seen, and since when it has not changed.
    let mut seen: Option<(Option<Lease>, Instant)> = None;
    loop {
        tokio::time::sleep(period).await;
        if let Some(h) = &held {
            match lead.renew(h).await {
                Ok(Some(renewed)) => held = Some(renewed),
                Ok(None) => {
                    held = None;
                    let _ = role.send(false);
                }
                Err(e) => tracing::warn!("cannot renew the leadership: {e}"),
            }
            continue;
        }
        let Ok(current) = lead.current().await else {
            continue;
        };
        let stale = match &seen {
            Some((prev, since)) if *prev == current => since.elapsed() >= lead.lease,
            _ => {
                seen = Some((current.clone(), Instant::now()));
                false
            }
        };
        let free = current.as_ref().is_none_or(|l| l.holder.is_empty());
        if free || stale {
            if let Ok(Some(won)) = lead.take(&me, current.as_ref()).await {
                held = Some(won);
                seen = None;
                let _ = role.send(true);
            }
        }
    }
}
