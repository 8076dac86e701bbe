//! Output: what the tracker tells its caller: confirmed tracks' updates, grid snapshots
//! and ended track numbers.

use vigie_core::interop::TrackRow;
use vigie_core::{Geodetic, LocalFrame, SensorId};

use super::Tracker;
use crate::track::{Status, Track};

/// One update of a confirmed system track: the tracker's output stream.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackUpdate {
    pub row: TrackRow,
    /// One sigma of the horizontal position, a quality figure.
    pub position_sigma_m: f64,
    /// Position and velocity covariance, east-north-up at the track, m and m/s.
    pub covariance: [[f64; 6]; 6],
    /// Probability that the target is turning (the CT model's).
    pub turn_probability: f64,
    pub sensors: Vec<(SensorId, f64)>,
    /// When a transponder last answered for it (none: a primary-only track).
    pub last_transponder_s: Option<f64>,
}

/// What the tracker produced since the caller last emptied it.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub updates: Vec<TrackUpdate>,
    /// Grid snapshots, when `Config::grid_s` is set.
    pub grid: Vec<TrackRow>,
    /// Numbers of confirmed tracks that ended (lost, or merged into another).
    pub ended: Vec<u32>,
}

pub(crate) fn update_of(track: &Track) -> TrackUpdate {
    let (_, p) = track.imm.combined();
    let row = track.row(&track.imm, track.time_s);
    let here = LocalFrame::new(Geodetic::new(row.lat_deg, row.lon_deg, row.alt_m));
    let rot = crate::track::rotation_between(&track.frame, &here);
    let mut covariance = [[0.0; 6]; 6];
    for bi in 0..2 {
        for bj in 0..2 {
            let block = p.fixed_view::<3, 3>(3 * bi, 3 * bj);
            let rotated = rot * block * rot.transpose();
            for i in 0..3 {
                for j in 0..3 {
                    covariance[3 * bi + i][3 * bj + j] = rotated[(i, j)];
                }
            }
        }
    }
    TrackUpdate {
        row,
        position_sigma_m: (0.5 * (covariance[0][0] + covariance[1][1]))
            .max(0.0)
            .sqrt(),
        covariance,
        turn_probability: track.imm.turn_probability(),
        sensors: track.sensors.clone(),
        last_transponder_s: track.last_transponder_s,
    }
}

impl Tracker {
    /// Snapshots at every grid instant from `g` up to (not including) `until_s`; returns the
    /// next grid instant. Instants when no track is confirmed are skipped in one step, so a
    /// long silence costs nothing.
    pub(crate) fn snapshots_until(
        &mut self,
        mut g: f64,
        step: f64,
        until_s: f64,
        out: &mut Output,
    ) -> f64 {
        while g < until_s {
            if !self
                .tracks
                .iter()
                .flatten()
                .any(|t| t.status == Status::Confirmed)
            {
                return g + ((until_s - g) / step).ceil() * step;
            }
            self.snapshot(g, out);
            g += step;
        }
        g
    }

    /// Every confirmed track at `t_s`, as rows (`Track::row_at`).
    pub(crate) fn snapshot(&mut self, t_s: f64, out: &mut Output) {
        for track in self.tracks.iter().flatten() {
            if track.status == Status::Confirmed {
                let (noise, switching) = (&self.cfg.noise, &self.cfg.switching);
                out.grid.push(track.row_at(t_s, noise, switching));
            }
        }
    }
}
