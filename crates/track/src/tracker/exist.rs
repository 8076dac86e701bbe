//! Existence: how likely a track's target is there, from what the sensors saw and did not.
//!
//! Each track carries the log-odds that its target exists (`Track::score`): a plot adds the
//! likelihood ratio of "its target, detected" against "clutter", weighed by the sensor's
//! declared Pd; a revisit with no plot, by a radar that should have seen the target where
//! the track is (within range, inside the beam's elevations), multiplies the odds by
//! 1 − Pd. So a radar with Pd 0.9 that misses a track twice takes it from confirmed to
//! deleted, while a radar with Pd 0.6 is allowed five misses, and a track in a blind zone
//! (the cone of silence, between radars) loses nothing and coasts on, up to a time limit.
//! A track whose target has flown out of every sensor's range ends one revisit after its
//! last plot. See docs/tracker.md.

use vigie_core::{Ecef, Enu};

use super::Tracker;
use crate::track::Track;

/// A radar that detected a track within this many of its revisits is taken to see it.
const RECENT_REVISITS: f64 = 3.0;

/// What the silence since a track's last update says, at some instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Silence {
    /// The log-odds the missed revisits cost (≤ 0).
    pub(crate) missed_llr: f64,
    /// Some radar's range holds the track's predicted position.
    pub(crate) in_range: bool,
    /// Some radar could have detected it there.
    pub(crate) visible: bool,
}

impl Tracker {
    /// The track's silence from its last update to `now_s`, by every radar whose coverage
    /// holds it: each revisit that passed (half a revisit of slack) with no plot is a miss.
    pub(crate) fn silence(&self, track: &Track, now_s: f64) -> Silence {
        let gap_s = now_s - track.last_update_s;
        let p = predicted_position(track, now_s);
        let mut s = Silence {
            missed_llr: 0.0,
            in_range: false,
            visible: false,
        };
        for (k, sensor) in self.sensors.iter().enumerate() {
            let Some(sees) = sensor.sees(p) else {
                continue;
            };
            s.in_range = true;
            // A radar that has just detected the track sees it, whatever the geometry says
            // (the track's height may be a guess); one that never has must see it to miss it.
            let recent = track.sensors.iter().any(|&(id, t)| {
                usize::from(id.0) == k && now_s - t <= RECENT_REVISITS * sensor.revisit_s()
            });
            if !(sees || recent) {
                continue;
            }
            s.visible = true;
            let missed = (gap_s / sensor.revisit_s() - 0.5).floor().max(0.0);
            s.missed_llr += missed * (1.0 - sensor.pd()).ln();
        }
        s
    }
}

/// Where the track is at `t_s`, in a straight line: enough to say which sensor covers it.
fn predicted_position(track: &Track, t_s: f64) -> Ecef {
    let x = track.imm.mean();
    let dt = (t_s - track.time_s).max(0.0);
    track.frame.to_ecef(Enu::new(
        x[0] + x[3] * dt,
        x[1] + x[4] * dt,
        x[2] + x[5] * dt,
    ))
}

/// The log-odds a detection adds: Pd·L + (1 − Pd), L the plot's likelihood ratio of target
/// against clutter (`exp(evidence_llr)`), at most `cap`.
pub(crate) fn detection_llr(pd: f64, evidence_llr: f64, cap: f64) -> f64 {
    if evidence_llr >= cap {
        return cap;
    }
    (pd * evidence_llr.exp() + 1.0 - pd).ln().min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detection_is_worth_its_likelihood_ratio_weighed_by_pd() {
        // A plot as likely clutter as target says nothing.
        assert!(detection_llr(0.9, 0.0, 10.0).abs() < 1e-12);
        // A plot 100 times likelier the target's: ln(0.9 × 100 + 0.1).
        assert!((detection_llr(0.9, 100f64.ln(), 10.0) - 90.1f64.ln()).abs() < 1e-12);
        assert_eq!(detection_llr(0.9, 50.0, 10.0), 10.0);
    }
}
