//! A console on the bus (`[feed] bus = "nats://…"` in a deployment): the picture the
//! centre's tracker publishes, applied as it comes; stale when nothing has come for a few
//! seconds (the console cut off, or the centre silent), and current again when the bus
//! brings the rest. A console that starts catches up on the last minutes of the picture.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use futures::StreamExt;
use vigie_bus::{Bus, BusConfig, From, PictureMessage};
use vigie_server::picture::Picture;
use vigie_track::{Output, TrackUpdate};

/// Silence after which the picture is marked stale.
pub const STALE_AFTER: Duration = Duration::from_secs(3);
/// How far back a console starting reads the picture: longer than a track coasts.
const CATCH_UP: Duration = Duration::from_secs(300);
/// Silence after which the console subscribes again (the bus may have restarted and lost
/// the subscription), from the message after the last it had.
const RESUBSCRIBE_AFTER: Duration = Duration::from_secs(5);

/// Follows the bus's picture into `picture` until `stop`.
pub fn follow(config: &BusConfig, picture: &RwLock<Picture>, stop: &AtomicBool) {
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
        while !stop.load(Ordering::Relaxed) {
            if let Err(e) = run(config, picture, stop, &mut seen).await {
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
) -> Result<(), vigie_bus::BusError> {
    let bus = Bus::connect(config).await?;
    let from = match *seen {
        Some(s) => From::Sequence(s + 1),
        None => From::Time(time::OffsetDateTime::now_utc() - CATCH_UP),
    };
    let mut messages = Box::pin(bus.picture(from).await?);
    let mut last = Instant::now();
    let mut out = Output::default();
    tracing::info!("following the picture on {}", config.url);
    while !stop.load(Ordering::Relaxed) {
        match tokio::time::timeout(Duration::from_millis(500), messages.next()).await {
            Ok(Some(Ok(m))) => {
                last = Instant::now();
                *seen = Some(m.sequence());
                apply(m, picture, &mut out);
            }
            Ok(Some(Err(e))) => tracing::warn!("{e}"),
            Ok(None) => return Ok(()),
            Err(_) => {}
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

fn apply(m: PictureMessage, picture: &RwLock<Picture>, out: &mut Output) {
    let mut p = picture.write().unwrap_or_else(|e| e.into_inner());
    match m {
        PictureMessage::Tracks {
            time_s,
            updates,
            ended,
            ..
        } => {
            out.updates.clear();
            out.updates
                .extend(updates.into_iter().map(|row| TrackUpdate {
                    row,
                    position_sigma_m: 0.0,
                    covariance: [[0.0; 6]; 6],
                    turn_probability: 0.0,
                    sensors: Vec::new(),
                    last_transponder_s: None,
                }));
            out.ended = ended;
            p.apply(out);
            p.advance(time_s);
        }
        PictureMessage::Judged {
            picture: judged, ..
        } => p.replay_judged(&judged),
        PictureMessage::Sensors { heard, .. } => {
            for (index, last_s, reports) in heard.sensors {
                p.heard_many(usize::from(index), last_s, reports);
            }
            p.advance(heard.time_s);
        }
    }
}
