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
use vigie_ingest::cat062::{Cat062Encoder, TrackStatus};
use vigie_server::exercise::Control;
use vigie_server::picture::Picture;
use vigie_sim::Simulator;
use vigie_track::{Config, Output, Tracker};

use crate::feeds::LiveFeed;

/// Where reports come from.
pub enum Feed {
    /// A scenario, paced at `speed` simulated seconds per second. Its tracks are an
    /// exercise's.
    Sim(Box<Simulator>, f64),
    Live(LiveFeed),
    /// A console: the picture the centre publishes on a bus, and the sensors.
    Bus(vigie_bus::BusConfig, SensorTable),
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

    /// Another exercise: the tracks of the one before are not sent again.
    pub fn forget(&mut self) {
        self.tracks.clear();
    }

    /// Every `period_s`, the latest state of every live track, coasting ones flagged
    /// (CST); a track that ended goes out at once, one last time, flagged so (TSE).
    fn update(&mut self, out: &Output, now_s: f64, tracker: &Tracker) {
        for u in &out.updates {
            self.tracks.insert(u.row.track_id, u.row);
        }
        let mut records = Vec::new();
        for id in &out.ended {
            if let Some(row) = self.tracks.remove(id) {
                let ended = TrackStatus {
                    confirmed: true,
                    coasting: false,
                    ended: true,
                };
                records.extend(self.encoder.record(&row, ended).ok());
            }
        }
        if now_s - self.last_sent_s >= self.period_s {
            self.last_sent_s = now_s;
            let coasting: std::collections::BTreeSet<u32> = tracker
                .tracks()
                .filter(|t| t.is_coasting(now_s))
                .filter_map(|t| t.number)
                .collect();
            for t in self.tracks.values() {
                let status = TrackStatus {
                    confirmed: true,
                    coasting: coasting.contains(&t.track_id),
                    ended: false,
                };
                records.extend(self.encoder.record(t, status).ok());
            }
        }
        self.send(&records);
    }

    fn send(&mut self, records: &[Vec<u8>]) {
        self.sent_records += records.len() as u64;
        for block in self.encoder.blocks(records, 1_400) {
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

/// What another exercise needs to start: its simulator, the identification context of
/// its airspace and flight plans, and its briefing.
pub struct Started {
    pub sim: Box<Simulator>,
    pub context: vigie_ident::identifier::Context,
}

/// Builds exercise `number` of the library when the instructor starts it.
pub type Starter = Box<dyn FnMut(u32) -> anyhow::Result<Started> + Send>;

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
    /// Another exercise of the library, when the instructor starts one.
    pub starter: Option<Starter>,
    /// The journal's first file, and its sync period: each exercise started gets its own,
    /// numbered beside it, and its after-action report when it ends.
    pub journal_path: Option<(std::path::PathBuf, f64)>,
    /// A console on the bus: its operators' decisions, for the centre.
    pub ops: Option<crate::console::Ops>,
}

/// The tracker, identification and outputs one feed runs through.
pub struct Chain {
    pub tracker: Tracker,
    pub out: Output,
    pub judge: crate::judge::Judge,
    pub sink: Option<Cat062Sink>,
    pub journal: Option<crate::journal::Shared>,
}

impl Chain {
    pub fn step(&mut self, reports: &[Report], now_s: f64, picture: &RwLock<Picture>) {
        let out = &mut self.out;
        out.updates.clear();
        out.ended.clear();
        for r in reports {
            self.tracker.push(*r, out);
        }
        self.tracker.advance(now_s, out);
        crate::journal::tick(&mut self.journal, now_s, reports, out);
        self.judge.observe(reports, out);
        let mut p = picture.write().unwrap_or_else(|e| e.into_inner());
        for r in reports {
            p.heard(usize::from(r.sensor.0), r.time_s);
        }
        p.apply(out);
        p.advance(now_s);
        drop(p);
        self.judge.tick(now_s, picture);
        crate::journal::judged(&mut self.journal, now_s, picture);
        if let Some(s) = self.sink.as_mut() {
            s.update(out, now_s, &self.tracker);
        }
    }
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
        judge,
        sink,
        journal,
        exercise,
        starter,
        journal_path,
        ops,
    } = stages;
    let mut chain = Chain {
        tracker: Tracker::new(config, table),
        out: Output::default(),
        judge,
        sink,
        journal,
    };
    match feed {
        Feed::Sim(sim, speed) => {
            let control = exercise.unwrap_or_else(|| Arc::new(Control::new(speed)));
            let mut session = crate::exercise::Session {
                sim,
                started: 1,
                starter,
                journal_path,
                config,
                table,
                picture,
                control,
            };
            session.run(&mut chain, stop);
        }
        Feed::Bus(bus, _) => crate::console::follow(&bus, picture, stop, ops),
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
                chain.step(&batch, now_s, picture);
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
pub fn nap_until(start: Instant, due: Duration, stop: &AtomicBool) -> bool {
    while let Some(wait) = due.checked_sub(start.elapsed()) {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(wait.min(Duration::from_millis(200)));
    }
    !stop.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Issue 17: CAT062 told a receiver neither that a track was coasting nor that it had
    /// ended, so a lost track stayed on the receiver's screen until it aged out there.
    #[test]
    fn cat062_flags_coasting_tracks_and_sends_an_ended_one_a_last_time() {
        let case = vigie_sim::suite::case(0, 180.0);
        let mut sim = vigie_sim::from_text(
            &case.toml,
            std::path::Path::new("case-00"),
            Default::default(),
        )
        .unwrap();
        let mut tracker = Tracker::new(Config::default(), &sim.sensor_table().clone());
        let dir = std::env::temp_dir().join(format!("vigie-cat062-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = Cat062Config {
            udp: None,
            file: Some("tracks.ast".into()),
            period_s: 1.0,
            sac: 1,
            sic: 2,
        };
        let mut sink = Cat062Sink::new(&cfg, &dir, 0.0, true).unwrap();
        let mut out = Output::default();
        let mut step = |tracker: &mut Tracker, reports: &[Report], now_s: f64| {
            out.updates.clear();
            out.ended.clear();
            for r in reports {
                tracker.push(*r, &mut out);
            }
            tracker.advance(now_s, &mut out);
            sink.update(&out, now_s, tracker);
        };
        let mut now_s = 0.0;
        while let Some(f) = sim.next_frame() {
            now_s = f.time_s;
            step(&mut tracker, &f.reports, now_s);
        }
        // Every feed falls silent: the tracks coast, then end.
        for _ in 0..120 {
            now_s += 1.0;
            step(&mut tracker, &[], now_s);
        }
        assert_eq!(tracker.tracks().count(), 0);
        let bytes = std::fs::read(dir.join("tracks.ast")).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let editions = vigie_codec::asterix::Editions::default();
        let (mut coasted, mut ended) = (BTreeSet::new(), BTreeSet::new());
        for block in vigie_codec::asterix::blocks(&bytes) {
            for r in block.unwrap().records(&editions) {
                let r = r.unwrap();
                let id = r.value("040", &[]).unwrap() as u32;
                assert!(
                    !ended.contains(&id),
                    "track {id} sent after its last record"
                );
                if r.get("080", &["CST"]).unwrap().raw == 1 {
                    coasted.insert(id);
                }
                if r.get("080", &["TSE"]).unwrap().raw == 1 {
                    ended.insert(id);
                }
            }
        }
        assert!(ended.len() > 20, "ended tracks told: {}", ended.len());
        assert!(
            coasted.len() * 10 >= ended.len() * 9,
            "tracks coasting before their end: {} of {}",
            coasted.len(),
            ended.len()
        );
    }
}
