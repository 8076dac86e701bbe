//! Existence: how likely a track's target is there, from what the sensors saw and did not.
//!
//! Each track carries the log-odds that its target exists (`Track::score`): a plot adds the
//! likelihood ratio of "its target, detected" against "clutter", weighed by the sensor's
//! declared Pd; a revisit with no plot, by a radar that should have seen the target where
//! the track is (within range, inside the beam's elevations, above the horizon), multiplies
//! the odds by 1 − Pd. The odds confirm a tentative track. They do not yet end a confirmed
//! one: without the terrain, a low target behind a hill looks missed, not masked
//! (docs/tracker.md). A track whose target has flown out of every radar's range ends soon
//! after its last plot (`maintain`).

use vigie_core::{Ecef, Enu};

use super::Tracker;
use crate::track::Track;

/// A radar that detected a track within this many of its revisits is taken to see it.
const RECENT_REVISITS: f64 = 3.0;

impl Tracker {
    /// The log-odds the track's silence from its last update to `now_s` costs (≤ 0): each
    /// revisit of a radar that should see it that passed (half a revisit of slack) with no
    /// plot is a miss.
    pub(crate) fn missed_llr(&self, track: &Track, now_s: f64) -> f64 {
        let gap_s = now_s - track.last_update_s;
        let mut at = None;
        let mut llr = 0.0;
        for (k, sensor) in self.sensors.iter().enumerate() {
            // Most updates come within a revisit of the last: no miss, and no geometry.
            let missed = (gap_s / sensor.revisit_s() - 0.5).floor().max(0.0);
            if missed == 0.0 {
                continue;
            }
            // A radar that has just detected the track sees it, whatever the geometry says
            // (the track's height may be a guess); one that never has must see it to miss it.
            let recent = || {
                track.sensors.iter().any(|&(id, t)| {
                    usize::from(id.0) == k && now_s - t <= RECENT_REVISITS * sensor.revisit_s()
                })
            };
            let p = *at.get_or_insert_with(|| predicted_position(track, now_s));
            if !sensor.in_range(p) || !(sensor.sees(p) || recent()) {
                continue;
            }
            llr += missed * (1.0 - sensor.pd()).ln();
        }
        llr
    }

    /// Whether some radar's range holds the track's position at `now_s`.
    pub(crate) fn in_any_range(&self, track: &Track, now_s: f64) -> bool {
        let p = predicted_position(track, now_s);
        self.sensors.iter().any(|s| s.in_range(p))
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
