//! Update: a track takes the report assigned to it, and registration learns each radar's
//! bias from the aircraft ADS-B places well.

use vigie_core::{Measurement, PlotKind};

use super::exist::detection_llr;
use super::{update_of, Output, Tracker};
use crate::imm::Imm;
use crate::measure::Observation;
use crate::track::Status;

/// A track is a registration reference while its horizontal position sigma is below this.
pub(crate) const REFERENCE_SIGMA_M: f64 = 60.0;

/// The most one plot adds to a track's score: a plot that cannot be clutter (ADS-B,
/// secondary) confirms a track, but no single plot makes a score unassailable.
pub(crate) const SCORE_STEP_MAX: f64 = 10.0;

impl Tracker {
    /// Registration samples: radar plots with a Mode S address whose aircraft ADS-B has just
    /// placed, paired by that address (not by distance, so a badly registered radar is
    /// corrected although its plots would miss every gate).
    pub(crate) fn register(&mut self, batch: &[Observation]) {
        for obs in batch {
            let r = &obs.report;
            let (
                Measurement::Polar {
                    range_m,
                    azimuth_rad,
                    ..
                },
                Some(addr),
            ) = (r.measurement, r.mode_s)
            else {
                continue;
            };
            let Some(radar) = self.sensors[usize::from(r.sensor.0)].radar else {
                continue;
            };
            let Some(&slot) = self.by_address.get(&addr.address()) else {
                continue;
            };
            let Some(track) = self.tracks.get(slot as usize).and_then(Option::as_ref) else {
                continue;
            };
            let since_adsb = r.time_s - track.last_adsb_s;
            if track.mode_s != Some(addr) || !(-0.5..=3.0).contains(&since_adsb) {
                continue;
            }
            let imm = track.predicted(r.time_s, &self.cfg.noise, &self.cfg.switching);
            let (x, p) = imm.combined();
            // Only a well-determined ADS-B track is a reference.
            if p[(0, 0)] + p[(1, 1)] > REFERENCE_SIGMA_M * REFERENCE_SIGMA_M {
                continue;
            }
            let expected = radar.polar(track.frame.to_ecef(vigie_core::Enu::new(x[0], x[1], x[2])));
            self.registration.observe(
                r.sensor,
                range_m - expected.range_m,
                vigie_core::geodesy::wrap_pi(azimuth_rad - expected.azimuth_rad),
            );
        }
    }

    /// Updates the track in `slot` with `obs`; `false` when the update is refused (the
    /// track then stays as it was, and the plot may start another).
    pub(crate) fn update(
        &mut self,
        slot: u32,
        imm: Imm,
        evidence_llr: f64,
        obs: &Observation,
        out: &mut Output,
    ) -> bool {
        let revisit = self.sensors[usize::from(obs.report.sensor.0)].revisit_s();
        let speed_max_mps = self.cfg.speed_max_mps;
        let pd = self.sensors[usize::from(obs.report.sensor.0)].pd();
        let missed_llr = match self.tracks[slot as usize].as_ref() {
            Some(t) => self.missed_llr(t, obs.report.time_s),
            None => return false,
        };
        let Some(track) = self.tracks[slot as usize].as_mut() else {
            return false;
        };
        let frame = track.frame;
        let mut updated = imm;
        if !updated.update(|x| obs.linearize(x, &frame)) {
            return false;
        }
        // A plot that would make the track faster than any aircraft is not its target's:
        // taking it is how a track lost in a turn runs off after clutter.
        let x = updated.mean();
        if x[3].hypot(x[4]) > speed_max_mps {
            self.counters.implausible += 1;
            return false;
        }
        track.imm = updated;
        track.time_s = obs.report.time_s;
        self.counters.assigned += 1;
        let r = &obs.report;
        // The odds of existence never grow past confirmation's: a track confirmed for an
        // hour ends as fast as one confirmed a minute ago when its target is gone.
        track.score = (track.score + missed_llr + detection_llr(pd, evidence_llr, SCORE_STEP_MAX))
            .min(self.cfg.confirm_score);
        track.last_update_s = r.time_s;
        track.last_report = *r;
        track.hits += 1;
        // The fastest sensor sets the revisit, decaying towards slower ones when it stops.
        track.revisit_s = if revisit <= track.revisit_s {
            revisit
        } else {
            0.8 * track.revisit_s + 0.2 * revisit
        };
        track.mode3a = r.mode3a.or(track.mode3a);
        track.mode_s = r.mode_s.or(track.mode_s);
        track.callsign = r.callsign.or(track.callsign);
        track.contributed(r.sensor, r.time_s);
        if r.kind != PlotKind::Psr {
            track.last_transponder_s = Some(r.time_s);
        }
        track.reanchor(self.cfg.reanchor_m);
        if let (PlotKind::Adsb, Some(a)) = (r.kind, r.mode_s) {
            self.adsb_seen
                .insert(a.address(), (r.time_s, slot, track.uid));
            track.last_adsb_s = r.time_s;
        }
        let address = track.mode_s.map(|a| a.address());
        let confirming = track.status == Status::Tentative
            && track.hits >= self.cfg.confirm_hits
            && track.score >= self.cfg.confirm_score;
        let cell = self.grid.cell_of(track.position_ecef());
        if cell != track.cell {
            let old = track.cell;
            track.cell = cell;
            self.grid.remove(slot, old);
            self.grid.insert(slot, cell);
        }
        if confirming {
            self.confirm(slot);
        }
        if let Some(track) = self.tracks[slot as usize].as_ref() {
            if track.status == Status::Confirmed {
                out.updates.push(update_of(track));
            }
        }
        if let Some(address) = address {
            self.one_track_per_address(address, slot);
        }
        true
    }

    /// One Mode S address is one aircraft: when two live tracks carry it (one started while
    /// a radar was out of registration, say), the younger is dropped and the older keeps its
    /// number.
    pub(crate) fn one_track_per_address(&mut self, address: u32, slot: u32) {
        let keep = match self.by_address.get(&address) {
            Some(&other) if other != slot => {
                let other_uid = self
                    .tracks
                    .get(other as usize)
                    .and_then(Option::as_ref)
                    .filter(|t| t.mode_s.map(|m| m.address()) == Some(address))
                    .map(|t| t.uid);
                let this_uid = self.tracks[slot as usize].as_ref().map(|t| t.uid);
                match (other_uid, this_uid) {
                    (Some(o), Some(t)) if o < t => {
                        self.delete(slot);
                        other
                    }
                    (Some(_), Some(_)) => {
                        self.delete(other);
                        slot
                    }
                    _ => slot,
                }
            }
            _ => slot,
        };
        self.by_address.insert(address, keep);
    }
}
