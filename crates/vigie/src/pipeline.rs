//! The live pipeline: a feed (the simulator, or real sensors through `feeds`) into the
//! tracker, the tracker into the picture the display reads, and, when asked, system
//! tracks out as ASTERIX CAT062 over UDP.

use std::collections::BTreeMap;
use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use vigie_core::interop::TrackRow;
use vigie_core::{Report, SensorTable};
use vigie_ingest::cat062::Cat062Encoder;
use vigie_server::exercise::{Control, Done, Inject};
use vigie_server::picture::Picture;
use vigie_sim::{Injection, Simulator};
use vigie_track::{Config, Output, Tracker};

use crate::feeds::LiveFeed;

/// Where reports come from.
pub enum Feed {
    /// A scenario, paced at `speed` simulated seconds per second. Its tracks are an
    /// exercise's.
    Sim(Box<Simulator>, f64),
    Live(LiveFeed),
}

impl Feed {
    pub fn simulated(&self) -> bool {
        matches!(self, Feed::Sim(..))
    }
}

/// `[output.cat062]` in the deployment file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cat062Config {
    /// Where to send: `239.1.2.3:8601` (multicast) or `10.0.0.9:8601`.
    #[serde(default)]
    pub udp: Option<String>,
    /// A file to append the blocks to (raw ASTERIX; relative to the configuration's folder).
    #[serde(default)]
    pub file: Option<std::path::PathBuf>,
    /// Seconds between two pictures sent.
    #[serde(default = "one")]
    pub period_s: f64,
    /// This system's data source identifier.
    pub sac: u8,
    pub sic: u8,
}

fn one() -> f64 {
    1.0
}

/// System tracks out over UDP, every `period_s`: the latest state of every live track.
pub struct Cat062Sink {
    socket: Option<UdpSocket>,
    file: Option<std::fs::File>,
    encoder: Cat062Encoder,
    period_s: f64,
    last_sent_s: f64,
    tracks: BTreeMap<u32, TrackRow>,
    pub sent_records: u64,
}

impl Cat062Sink {
    /// `dir`: the configuration's folder, for a relative `file`.
    pub fn new(
        cfg: &Cat062Config,
        dir: &std::path::Path,
        epoch_unix_s: f64,
        simulated: bool,
    ) -> anyhow::Result<Cat062Sink> {
        use anyhow::Context;
        let socket = match &cfg.udp {
            Some(addr) => {
                let socket = UdpSocket::bind("0.0.0.0:0")?;
                socket
                    .connect(addr)
                    .with_context(|| format!("output.cat062.udp: cannot send to {addr}"))?;
                Some(socket)
            }
            None => None,
        };
        let file = match &cfg.file {
            Some(f) => {
                let path = dir.join(f);
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path);
                Some(file.with_context(|| format!("output.cat062.file: {}", path.display()))?)
            }
            None => None,
        };
        if socket.is_none() && file.is_none() {
            anyhow::bail!("output.cat062 needs `udp`, `file`, or both");
        }
        if !(cfg.period_s > 0.0 && cfg.period_s <= 60.0) {
            anyhow::bail!(
                "output.cat062.period_s must be in (0, 60], got {}",
                cfg.period_s
            );
        }
        Ok(Cat062Sink {
            socket,
            file,
            encoder: Cat062Encoder::new(cfg.sac, cfg.sic, epoch_unix_s, simulated),
            period_s: cfg.period_s,
            last_sent_s: f64::NEG_INFINITY,
            tracks: BTreeMap::new(),
            sent_records: 0,
        })
    }

    fn update(&mut self, out: &Output, now_s: f64) {
        for u in &out.updates {
            self.tracks.insert(u.row.track_id, u.row);
        }
        for id in &out.ended {
            self.tracks.remove(id);
        }
        if now_s - self.last_sent_s < self.period_s {
            return;
        }
        self.last_sent_s = now_s;
        let records: Vec<Vec<u8>> = self
            .tracks
            .values()
            .filter_map(|t| self.encoder.record(t, true).ok())
            .collect();
        self.sent_records += records.len() as u64;
        for block in self.encoder.blocks(&records, 1_400) {
            // Kept before sent: whatever a receiver got is already in the file.
            if let Some(f) = self.file.as_mut() {
                use std::io::Write;
                if let Err(e) = f.write_all(&block) {
                    tracing::warn!("output.cat062.file: {e}; no more tracks written there");
                    self.file = None;
                }
            }
            // A receiver that is not there is not our problem: UDP, no retries.
            if let Some(s) = &self.socket {
                let _ = s.send(&block);
            }
        }
    }
}

/// Where the pipeline's results go besides the picture.
pub struct Stages {
    /// Identification, each second.
    pub judge: crate::judge::Judge,
    /// System tracks out as CAT062.
    pub sink: Option<Cat062Sink>,
    /// The session's recording.
    pub journal: Option<crate::journal::Shared>,
    /// The instructor's controls, for an exercise.
    pub exercise: Option<Arc<Control>>,
}

/// Runs the feed through the tracker and identification into the picture until `stop`.
pub fn run(
    feed: Feed,
    table: &SensorTable,
    config: Config,
    picture: &RwLock<Picture>,
    stop: &AtomicBool,
    stages: Stages,
) {
    let Stages {
        mut judge,
        mut sink,
        mut journal,
        exercise,
    } = stages;
    let mut tracker = Tracker::new(config, table);
    let mut out = Output::default();
    let mut step = |reports: &[Report], now_s: f64| {
        out.updates.clear();
        out.ended.clear();
        for r in reports {
            tracker.push(*r, &mut out);
        }
        crate::journal::tick(&mut journal, now_s, reports, &out);
        judge.observe(reports, &out);
        let mut p = picture.write().unwrap_or_else(|e| e.into_inner());
        for r in reports {
            p.heard(usize::from(r.sensor.0), r.time_s);
        }
        p.apply(&out);
        p.advance(now_s);
        drop(p);
        judge.tick(now_s, picture);
        if let Some(s) = sink.as_mut() {
            s.update(&out, now_s);
        }
    };
    match feed {
        Feed::Sim(mut sim, speed) => {
            let control = exercise.unwrap_or_else(|| Arc::new(Control::new(speed)));
            // Pacing restarts from here at each pause and change of speed.
            let mut anchor = (Instant::now(), None::<f64>, control.speed());
            loop {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                if control.paused() {
                    std::thread::sleep(Duration::from_millis(100));
                    anchor = (Instant::now(), None, control.speed());
                    continue;
                }
                if control.speed() != anchor.2 {
                    anchor = (Instant::now(), None, control.speed());
                }
                inject(&mut sim, &control, picture);
                let Some(frame) = sim.next_frame() else {
                    break;
                };
                let t0 = *anchor.1.get_or_insert(frame.time_s);
                step(&frame.reports, frame.time_s + 1.0);
                score(&control, frame, picture);
                let due = Duration::from_secs_f64(((frame.time_s + 1.0 - t0) / anchor.2).max(0.0));
                if !nap_until(anchor.0, due, stop) {
                    return;
                }
            }
            tracing::info!("the exercise is over; the picture stays as it ended");
        }
        Feed::Live(live) => {
            let start = Instant::now();
            let mut tick = 0u64;
            let mut batch = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                tick += 1;
                if !nap_until(start, Duration::from_secs(tick), stop) {
                    break;
                }
                batch.clear();
                batch.extend(live.rx.try_iter().take(crate::feeds::QUEUE));
                // Sources interleave: the tracker wants time order.
                batch.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
                let now_s = (live.shared.now_unix_s)() - live.shared.epoch_unix_s;
                step(&batch, now_s);
                if tick.is_multiple_of(60) {
                    log_counters(&live);
                }
            }
            log_counters(&live);
            live.shared.stop.store(true, Ordering::Relaxed);
            for t in live.threads {
                let _ = t.join();
            }
        }
    }
}

/// The exercise's aircraft to find and identify, with the identities that are right for
/// them: intruders suspect or hostile, civil flights neutral, fighters friends.
pub fn objectives(sim: &Simulator) -> Vec<vigie_train::Objective> {
    use vigie_ident::identity::Identity;
    use vigie_sim::aircraft::AircraftType;
    use vigie_sim::flight::Origin;
    sim.plans()
        .iter()
        .map(|p| {
            let (category, right) = match (p.origin, p.aircraft) {
                (Origin::Intruder, _) => ("intruder", vec![Identity::Suspect, Identity::Hostile]),
                (Origin::Scripted, AircraftType::Fighter) => {
                    ("friendly", vec![Identity::AssumedFriend, Identity::Friend])
                }
                _ => ("civil", vec![Identity::Neutral]),
            };
            vigie_train::Objective {
                target_id: p.target_id,
                name: p
                    .identity
                    .callsign
                    .map_or(p.name.clone(), |c| c.to_string()),
                category,
                right,
            }
        })
        .collect()
}

/// One second of the exercise for the scoring: where the aircraft are, where the tracks
/// are, the alerts raised.
fn score(control: &Control, frame: &vigie_sim::Frame, picture: &RwLock<Picture>) {
    use vigie_train::Position;
    let truth: Vec<Position> = frame
        .truth
        .iter()
        .map(|t| Position {
            id: t.target_id,
            lat_deg: t.lat_deg,
            lon_deg: t.lon_deg,
        })
        .collect();
    let p = picture.read().unwrap_or_else(|e| e.into_inner());
    let tracks: Vec<Position> = p
        .tracks()
        .iter()
        .map(|t| Position {
            id: t.id,
            lat_deg: t.lat_deg,
            lon_deg: t.lon_deg,
        })
        .collect();
    let mut scorer = control.scorer.lock().unwrap_or_else(|e| e.into_inner());
    scorer.tick(p.time_s(), &truth, &tracks);
    for a in p.open_alerts() {
        scorer.alert(a.id, a.time_s, a.kind, a.track);
    }
}

/// Applies the instructor's injections waiting, each aimed at the aircraft its track shows.
fn inject(sim: &mut Simulator, control: &Control, picture: &RwLock<Picture>) {
    for (by, request) in control.take_pending() {
        let (time_s, outcome) = {
            let p = picture.read().unwrap_or_else(|e| e.into_inner());
            (p.time_s(), injection(sim, &request, &p))
        };
        let outcome = outcome.and_then(|i| sim.inject(&i).map_err(|e| e.to_string()));
        match &outcome {
            Ok(said) => tracing::info!("{by} injected: {said}"),
            Err(why) => tracing::warn!("{by}'s injection refused: {why}"),
        }
        control.done(Done {
            time_s,
            by,
            inject: request,
            ok: outcome.is_ok(),
            outcome: outcome.unwrap_or_else(|e| e),
        });
    }
}

/// The simulator's injection for an instructor's request: a track becomes the aircraft
/// nearest it (within 10 km).
fn injection(sim: &Simulator, r: &Inject, p: &Picture) -> Result<Injection, String> {
    let target = |track: u32| {
        let (lat, lon) = p
            .track_position(track)
            .ok_or_else(|| format!("no track {track} on the picture"))?;
        sim.nearest_target(lat, lon, 10_000.0)
            .ok_or_else(|| format!("no simulated aircraft near track {track}"))
    };
    Ok(match r {
        Inject::RadarOutage { sensor, duration_s } => Injection::SensorOutage {
            sensor: sensor.clone(),
            duration_s: *duration_s,
        },
        Inject::Jamming {
            sensor,
            azimuth_deg,
            width_deg,
            plots_per_scan,
            duration_s,
        } => Injection::Jamming {
            sensor: sensor.clone(),
            azimuth_deg: *azimuth_deg,
            width_deg: *width_deg,
            plots_per_scan: *plots_per_scan,
            duration_s: *duration_s,
        },
        Inject::Emergency { track, code } => Injection::Squawk {
            target_id: target(*track)?,
            code: vigie_core::Mode3A::parse(code).ok_or_else(|| format!("{code:?}"))?,
        },
        Inject::TransponderOff { track } => Injection::Transponder {
            target_id: target(*track)?,
            on: false,
        },
        Inject::Spoofing {
            track,
            offset_m,
            bearing_deg,
            duration_s,
        } => Injection::AdsbSpoof {
            target_id: target(*track)?,
            offset_m: *offset_m,
            bearing_deg: *bearing_deg,
            duration_s: *duration_s,
        },
    })
}

/// What each source has received, decoded and skipped since the start, to the log.
fn log_counters(live: &LiveFeed) {
    let all = live
        .shared
        .counters
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    for (source, c) in all.iter() {
        let text: Vec<String> = c.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        tracing::info!(source = %source, "{}", text.join(", "));
    }
}

/// Sleeps until `due` after `start`, in short naps so that a stop is heard; false if
/// stopped.
fn nap_until(start: Instant, due: Duration, stop: &AtomicBool) -> bool {
    while let Some(wait) = due.checked_sub(start.elapsed()) {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(wait.min(Duration::from_millis(200)));
    }
    !stop.load(Ordering::Relaxed)
}
