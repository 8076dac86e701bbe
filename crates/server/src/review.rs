//! The after-action review's hold on a replayed session: where on the timeline the
//! picture is, how fast it plays, and every action of the session to mark on the timeline.
//! The server only records what a reviewer asks; the binary's replay applies it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use crate::exercise::Pace;

/// The speeds a reviewer may choose.
pub const SPEED_MAX: f64 = 64.0;

/// One action of the session, as the timeline marks it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mark {
    pub time_s: f64,
    pub user: String,
    pub action: String,
    /// What it was about, in words.
    pub detail: String,
}

/// The replay's state, as the review bar reads it.
#[derive(Debug, Clone, Serialize)]
pub struct State {
    pub name: String,
    pub start_s: f64,
    pub end_s: f64,
    pub time_s: f64,
    pub paused: bool,
    pub speed: f64,
    pub marks: Vec<Mark>,
}

/// Shared between the API (reviewers) and the replay.
pub struct ReviewControl {
    name: String,
    start_s: f64,
    end_s: f64,
    marks: Vec<Mark>,
    /// Play or pause, and how fast.
    pub pace: Pace,
    time_bits: AtomicU64,
    seek: Mutex<Option<f64>>,
}

impl ReviewControl {
    pub fn new(name: String, start_s: f64, end_s: f64, marks: Vec<Mark>) -> ReviewControl {
        ReviewControl {
            name,
            start_s,
            end_s,
            marks,
            pace: Pace::new(1.0, 0.25, SPEED_MAX),
            time_bits: AtomicU64::new(start_s.to_bits()),
            seek: Mutex::new(None),
        }
    }

    /// A reviewer moves the picture to `time_s` (session seconds).
    pub fn seek(&self, time_s: f64) -> Result<(), String> {
        if !(self.start_s..=self.end_s).contains(&time_s) {
            return Err(format!(
                "seek_s must be within the session, {:.0} to {:.0} s, got {time_s}",
                self.start_s, self.end_s
            ));
        }
        *self.seek.lock().unwrap_or_else(|e| e.into_inner()) = Some(time_s);
        Ok(())
    }

    /// Where a reviewer asked to go, for the replay.
    pub fn take_seek(&self) -> Option<f64> {
        self.seek.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// The replay says where the picture is.
    pub fn set_time(&self, time_s: f64) {
        self.time_bits.store(time_s.to_bits(), Ordering::Relaxed);
    }

    pub fn state(&self) -> State {
        State {
            name: self.name.clone(),
            start_s: self.start_s,
            end_s: self.end_s,
            time_s: f64::from_bits(self.time_bits.load(Ordering::Relaxed)),
            paused: self.pace.paused(),
            speed: self.pace.speed(),
            marks: self.marks.clone(),
        }
    }
}
