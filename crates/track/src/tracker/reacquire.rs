//! Re-acquire: a confirmed track that ends while its target may still be flying (lost in a
//! blind zone, behind terrain, through a sharp turn) is remembered for a while; a new track
//! that confirms on the same aircraft takes back its number, so the operator's identity and
//! acknowledgements follow the aircraft, not the tracker's bookkeeping.
//!
//! The same aircraft: the same Mode S address; or, with no identity that says otherwise,
//! where the lost track, flown on in a straight line, would be, within what an aircraft's
//! turning could have taken it from there, at a velocity it could have reached.

use std::collections::VecDeque;

use vigie_core::{Enu, LocalFrame, Mode3A, ModeS};

use super::Tracker;
use crate::motion::State;
use crate::track::Track;

/// How long a lost track's number waits for its aircraft.
pub(crate) const REACQUIRE_S: f64 = vigie_core::TRACK_NUMBER_MEMORY_S;
/// At most this many lost tracks remembered (the oldest forgotten first).
const LOST_MAX: usize = 4_096;
/// A lost track's position, flown on, is this far off at least...
const REACH_MIN_M: f64 = 3_000.0;
/// ...and grows as a sustained turn of this acceleration would take it off the line.
const TURN_ACCEL_MPS2: f64 = 2.0;
/// The farthest a re-acquisition may be from the line, however long the gap.
const REACH_MAX_M: f64 = 25_000.0;
/// Velocities may differ by this, and by what the turn could have changed since.
const VELOCITY_SLACK_MPS: f64 = 40.0;

/// A confirmed track that ended while its target may still fly: what is needed to know it
/// again.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub(crate) struct Lost {
    number: u32,
    time_s: f64,
    frame: LocalFrame,
    x: State,
    mode_s: Option<ModeS>,
    mode3a: Option<Mode3A>,
}

/// Codes many aircraft squawk at once: they tell no aircraft from another.
fn is_discrete(code: Mode3A) -> bool {
    !matches!(code.value(), 0o0000 | 0o1200 | 0o2000 | 0o7000) && !code.is_emergency()
}

impl Tracker {
    /// Remembers a confirmed track that is ending, for `reacquired_number`.
    pub(crate) fn remember_lost(&mut self, t: &Track) {
        let Some(number) = t.number else { return };
        if self.lost.len() == LOST_MAX {
            self.lost.pop_front();
        }
        self.lost.push_back(Lost {
            number,
            time_s: t.time_s,
            frame: t.frame,
            x: t.imm.mean(),
            mode_s: t.mode_s,
            mode3a: t.mode3a,
        });
    }

    /// The number a track confirming now takes: a lost track's, if it is that track's
    /// aircraft found again (the remembered track is then forgotten), else none.
    pub(crate) fn reacquired_number(&mut self, track: &Track) -> Option<u32> {
        forget_old(&mut self.lost, track.time_s);
        let here = track.position_ecef();
        let v = track.frame.rotate_to_ecef(velocity(&track.imm.mean()));
        let best = self
            .lost
            .iter()
            .enumerate()
            .filter_map(|(k, l)| l.misfit(track, here, v).map(|m| (k, m)))
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        let lost = self.lost.remove(best.0)?;
        self.counters.tracks_reacquired += 1;
        Some(lost.number)
    }
}

impl Lost {
    /// How far the new track is from where this one would be, as a fraction of the reach
    /// (below 1), or none if it cannot be this one's aircraft. The same address is 0.
    fn misfit(&self, track: &Track, here: vigie_core::Ecef, v_ecef: [f64; 3]) -> Option<f64> {
        let gap_s = track.time_s - self.time_s;
        if !(0.0..=REACQUIRE_S).contains(&gap_s) {
            return None;
        }
        match (self.mode_s, track.mode_s) {
            (Some(a), Some(b)) if a == b => return Some(0.0),
            (Some(_), Some(_)) => return None,
            _ => {}
        }
        if let (Some(a), Some(b)) = (self.mode3a, track.mode3a) {
            if a != b && is_discrete(a) && is_discrete(b) {
                return None;
            }
        }
        let flown = Enu::new(
            self.x[0] + self.x[3] * gap_s,
            self.x[1] + self.x[4] * gap_s,
            self.x[2],
        );
        let there = self.frame.to_enu(here);
        let off_m = (there.e_m - flown.e_m).hypot(there.n_m - flown.n_m);
        // The new track is young (two plots, often): its own uncertainty widens both tests.
        let (_, var) = track.imm.mean_and_variances();
        let sigma_m = (var[0] + var[1]).sqrt();
        let sigma_mps = (var[3] + var[4]).sqrt();
        let reach_m =
            (REACH_MIN_M + 0.5 * TURN_ACCEL_MPS2 * gap_s * gap_s).min(REACH_MAX_M) + 3.0 * sigma_m;
        let v = self.frame.rotate_to_enu(v_ecef);
        let dv = (v.e_m - self.x[3]).hypot(v.n_m - self.x[4]);
        let speed = self.x[3].hypot(self.x[4]);
        // A turn keeps the speed and changes the heading: the speed must agree, the
        // heading as far as the turn could have swung it.
        let slack_mps = VELOCITY_SLACK_MPS + 3.0 * sigma_mps;
        let dspeed = (v.e_m.hypot(v.n_m) - speed).abs();
        let dv_max = (slack_mps + TURN_ACCEL_MPS2 * gap_s).min(2.0 * speed + slack_mps);
        (off_m <= reach_m && dv <= dv_max && dspeed <= slack_mps).then(|| off_m / reach_m)
    }
}

fn velocity(x: &State) -> Enu {
    Enu::new(x[3], x[4], x[5])
}

fn forget_old(lost: &mut VecDeque<Lost>, now_s: f64) {
    while lost.front().is_some_and(|l| now_s - l.time_s > REACQUIRE_S) {
        lost.pop_front();
    }
}
