//! A console on the bus (`[feed] bus = "nats://…"` in a deployment): the picture the
//! centre's tracker publishes, applied as it comes; stale when nothing has come for a few
//! seconds (the console cut off, or the centre silent), and current again when the bus
//! brings the rest. A console that starts catches up on the last minutes of the picture.
//! Its operators' decisions (identities, alerts acknowledged) go to the centre, which owns
//! identification and publishes the outcome to every console; while the bus is away they
//! wait, bounded, and go first when it is back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::mpsc::error::TrySendError;
use vigie_bus::{Bus, BusConfig, From, PictureMessage, Quality};
use vigie_core::SensorId;
use vigie_ident::identity::Identity;
use vigie_server::api::{Op, Relay};
use vigie_server::picture::Picture;
use vigie_track::{Output, TrackUpdate};

/// Silence after which the picture is marked stale.
pub const STALE_AFTER: Duration = Duration::from_secs(3);
/// How far back a console starting reads the picture: longer than a track coasts.
const CATCH_UP: Duration = Duration::from_secs(300);
/// Silence after which the console subscribes again (the bus may have restarted and lost
/// the subscription), from the message after the last it had.
const RESUBSCRIBE_AFTER: Duration = Duration::from_secs(5);

/// Decisions waiting to go to the centre, at most: an operator's clicks, not a flood.
const OPS_QUEUE: usize = 256;

/// The operators' decisions on their way to the centre.
pub type Ops = tokio::sync::mpsc::Receiver<Op>;

/// Identities decided at this console remembered, at most (then forgotten all at once: the
/// display falls back to "an operator").
const REMEMBERED: usize = 4096;

/// The server's side of the way to the centre.
struct BusRelay {
    tx: tokio::sync::mpsc::Sender<Op>,
    decided: std::sync::Mutex<std::collections::HashMap<u32, (Identity, String)>>,
}

impl Relay for BusRelay {
    fn send(&self, op: Op) -> Result<(), String> {
        if let Op::Identity {
            track,
            identity,
            user,
            ..
        } = &op
        {
            let mut d = self.decided.lock().unwrap_or_else(|e| e.into_inner());
            if d.len() >= REMEMBERED {
                d.clear();
            }
            d.insert(*track, (*identity, user.clone()));
        }
        self.tx.try_send(op).map_err(|e| match e {
            TrySendError::Full(_) => "too many decisions waiting for the bus".to_string(),
            TrySendError::Closed(_) => "the console's link to the bus has stopped".to_string(),
        })
    }

    fn decided_here(&self, track: u32) -> Option<(Identity, String)> {
        let d = self.decided.lock().unwrap_or_else(|e| e.into_inner());
        d.get(&track).cloned()
    }
}

/// A relay for the server, and the decisions it queues for `follow`.
pub fn relay() -> (std::sync::Arc<dyn Relay>, Ops) {
    let (tx, rx) = tokio::sync::mpsc::channel(OPS_QUEUE);
    let relay = BusRelay {
        tx,
        decided: Default::default(),
    };
    (std::sync::Arc::new(relay), rx)
}

/// Decisions taken from the queue and not yet on the bus (the bus away): sent first when
/// it is back. A random boot id and a counter name each, so one sent twice is kept once.
struct Outbox {
    ops: Option<Ops>,
    unsent: std::collections::VecDeque<(String, serde_json::Value)>,
    boot: String,
    sent: u64,
}

impl Outbox {
    async fn next(&mut self) -> Option<Op> {
        match &mut self.ops {
            Some(rx) => rx.recv().await,
            None => std::future::pending().await,
        }
    }

    fn queue(&mut self, op: &Op) {
        self.sent += 1;
        let id = format!("op-{}-{}", self.boot, self.sent);
        if self.unsent.len() >= OPS_QUEUE {
            tracing::error!("{OPS_QUEUE} decisions wait for the bus: the oldest is dropped");
            self.unsent.pop_front();
        }
        self.unsent
            .push_back((id, serde_json::to_value(op).unwrap_or_default()));
    }

    async fn flush(&mut self, bus: &Bus) {
        while let Some((id, op)) = self.unsent.front() {
            match bus.publish_op(id, op).await {
                Ok(_) => {
                    self.unsent.pop_front();
                }
                Err(e) => {
                    tracing::warn!("a decision not yet sent to the centre: {e}");
                    return;
                }
            }
        }
    }
}

/// Follows the bus's picture into `picture` until `stop`, and sends the operators'
/// decisions (`ops`) to the centre.
pub fn follow(config: &BusConfig, picture: &RwLock<Picture>, stop: &AtomicBool, ops: Option<Ops>) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("the console cannot start: {e}");
            return;
        }
    };
    runtime.block_on(async {
        // The last message applied: a new subscription goes on from there.
        let mut seen: Option<u64> = None;
        let mut outbox = Outbox {
            ops,
            unsent: Default::default(),
            boot: vigie_server::auth::random_hex(4).unwrap_or_default(),
            sent: 0,
        };
        while !stop.load(Ordering::Relaxed) {
            if let Err(e) = run(config, picture, stop, &mut seen, &mut outbox).await {
                tracing::warn!("the bus: {e}; trying again");
                set_stale(picture, true);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    });
}

async fn run(
    config: &BusConfig,
    picture: &RwLock<Picture>,
    stop: &AtomicBool,
    seen: &mut Option<u64>,
    outbox: &mut Outbox,
) -> Result<(), vigie_bus::BusError> {
    let bus = Bus::connect(config).await?;
    let from = match *seen {
        Some(s) => From::Sequence(s + 1),
        None => From::Time(time::OffsetDateTime::now_utc() - CATCH_UP),
    };
    let mut messages = Box::pin(bus.picture(from).await?);
    let mut last = Instant::now();
    let mut out = Output::default();
    let mut quality = HashMap::new();
    tracing::info!("following the picture on {}", config.url);
    outbox.flush(&bus).await;
    while !stop.load(Ordering::Relaxed) {
        tokio::select! {
            m = tokio::time::timeout(Duration::from_millis(500), messages.next()) => match m {
                Ok(Some(Ok(m))) => {
                    last = Instant::now();
                    *seen = Some(m.sequence());
                    apply(m, picture, &mut out, &mut quality);
                }
                Ok(Some(Err(e))) => tracing::warn!("{e}"),
                Ok(None) => return Ok(()),
                Err(_) => {}
            },
            Some(op) = outbox.next() => {
                outbox.queue(&op);
                outbox.flush(&bus).await;
            }
        }
        set_stale(picture, last.elapsed() > STALE_AFTER);
        if last.elapsed() > RESUBSCRIBE_AFTER {
            return Ok(());
        }
    }
    Ok(())
}

fn set_stale(picture: &RwLock<Picture>, stale: bool) {
    let mut p = picture.write().unwrap_or_else(|e| e.into_inner());
    if p.stale() != stale {
        if stale {
            tracing::warn!("nothing from the bus for {STALE_AFTER:?}: the picture is stale");
        } else {
            tracing::info!("the picture is current again");
        }
        p.set_stale(stale);
    }
}

/// `quality`: what the tick's quality message said of the tracks its tracks message brings.
fn apply(
    m: PictureMessage,
    picture: &RwLock<Picture>,
    out: &mut Output,
    quality: &mut HashMap<u32, Quality>,
) {
    let mut p = picture.write().unwrap_or_else(|e| e.into_inner());
    match m {
        PictureMessage::Tracks {
            time_s,
            updates,
            ended,
            ..
        } => {
            out.updates.clear();
            out.updates.extend(updates.into_iter().map(|row| {
                let q = quality.remove(&row.track_id);
                TrackUpdate {
                    row,
                    position_sigma_m: q.as_ref().and_then(|q| q.sigma_m).unwrap_or(f64::NAN),
                    // Not on the bus: nothing at a console reads it.
                    covariance: [[0.0; 6]; 6],
                    turn_probability: q.as_ref().map_or(0.0, |q| q.turn_probability),
                    last_transponder_s: q.as_ref().and_then(|q| q.last_transponder_s),
                    sensors: q.map_or_else(Vec::new, |q| {
                        q.sensors
                            .into_iter()
                            .map(|(s, t)| (SensorId(s), t))
                            .collect()
                    }),
                }
            }));
            quality.clear();
            out.ended = ended;
            p.apply(out);
            p.advance(time_s);
        }
        PictureMessage::Judged {
            picture: judged, ..
        } => p.replay_judged(&judged),
        PictureMessage::Quality { tracks, .. } => {
            quality.clear();
            quality.extend(tracks.into_iter().map(|q| (q.track, q)));
        }
        PictureMessage::Sensors { heard, .. } => {
            for (index, last_s, reports) in heard.sensors {
                p.heard_many(usize::from(index), last_s, reports);
            }
            p.advance(heard.time_s);
        }
    }
}
