//! One track: its filter in its own local frame, its identity, and who contributed.
//!
//! Each track's state lives in an east-north-up frame anchored near it, so the turn of the
//! CT model is a turn in the local horizontal plane. When the track has flown far from its
//! anchor, the frame is moved under it (`reanchor`): the state and covariance are rotated
//! and shifted exactly, so a track can cross the country with no loss of accuracy.

use nalgebra::SMatrix;
use vigie_core::interop::TrackRow;
use vigie_core::{Callsign, Ecef, Enu, Geodetic, LocalFrame, Mode3A, ModeS, Report, SensorId};

use crate::grid::Cell;
use crate::imm::{Imm, Switching};
use crate::motion::{Cov, Noise, State, OMEGA};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Status {
    /// Started from two plots; not shown until confirmed.
    Tentative,
    /// Shown, with a stable track number.
    Confirmed,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Track {
    /// Never reused within a run; tentative tracks have one too.
    pub uid: u64,
    /// The system track number, from confirmation on.
    pub number: Option<u32>,
    pub status: Status,
    pub frame: LocalFrame,
    pub imm: Imm,
    /// Time of `imm`.
    pub time_s: f64,
    pub last_update_s: f64,
    pub hits: u32,
    /// Log-likelihood ratio of "an aircraft" against "clutter": what confirms a tentative
    /// track (see `Tracker::score`).
    pub score: f64,
    /// The last report that updated the track.
    pub last_report: Report,
    /// Expected time between updates, from the sensors that update it.
    pub revisit_s: f64,
    pub mode3a: Option<Mode3A>,
    pub mode_s: Option<ModeS>,
    pub callsign: Option<Callsign>,
    /// Each contributing sensor and when it last did.
    pub sensors: Vec<(SensorId, f64)>,
    /// When ADS-B last updated the track: a registration reference while recent.
    pub last_adsb_s: f64,
    /// When a transponder (SSR, Mode S or ADS-B) last updated the track: a transponder that
    /// falls silent leaves its codes on the track, so this is what tells it.
    pub last_transponder_s: Option<f64>,
    pub cell: Cell,
}

impl Track {
    /// The filter predicted to `t_s` (never backwards).
    pub fn predicted(&self, t_s: f64, noise: &Noise, switching: &Switching) -> Imm {
        let dt = t_s - self.time_s;
        if dt <= 0.0 {
            self.imm
        } else {
            self.imm.predict(dt, noise, switching)
        }
    }

    /// Whether the track has gone its revisit and half another (for jitter) without a
    /// plot: what an output flags as coasting.
    pub fn is_coasting(&self, now_s: f64) -> bool {
        now_s - self.last_update_s > 1.5 * self.revisit_s
    }

    pub fn position_ecef(&self) -> Ecef {
        let x = self.imm.mean();
        self.frame.to_ecef(Enu::new(x[0], x[1], x[2]))
    }

    /// A cheap pre-gate: whether the track, extrapolated in a straight line to `t_s`, comes
    /// within its own uncertainty, a manoeuvre's worth of acceleration and `slack_m` of `p`.
    pub fn may_reach(&self, p: Ecef, t_s: f64, slack_m: f64) -> bool {
        /// The hardest manoeuvre a tracked target makes: 9 g.
        const ACCEL_MAX_MPS2: f64 = 90.0;
        let (x, var) = self.imm.mean_and_variances();
        let dt = (t_s - self.time_s).max(0.0);
        let there = Enu::new(x[0] + x[3] * dt, x[1] + x[4] * dt, x[2] + x[5] * dt);
        let sigma_m = (var[0] + var[1] + var[2]).sqrt() + dt * (var[3] + var[4] + var[5]).sqrt();
        let reach_m = 5.0 * sigma_m + 0.5 * ACCEL_MAX_MPS2 * dt * dt + slack_m;
        self.frame.to_ecef(there).distance_m(p) <= reach_m
    }

    pub fn contributed(&mut self, sensor: SensorId, t_s: f64) {
        match self.sensors.iter_mut().find(|(s, _)| *s == sensor) {
            Some(entry) => entry.1 = t_s,
            None => self.sensors.push((sensor, t_s)),
        }
    }

    /// Moves the frame's anchor under the track when it has flown more than `limit_m` away.
    pub fn reanchor(&mut self, limit_m: f64) {
        let x = self.imm.mean();
        if x[0].hypot(x[1]) < limit_m {
            return;
        }
        let here = self.position_ecef().to_geodetic();
        let new = LocalFrame::new(Geodetic::new(here.lat_deg, here.lon_deg, 0.0));
        let rot = rotation_between(&self.frame, &new);
        let shift = new.to_enu(self.frame.origin_ecef());
        let mut t = SMatrix::<f64, 7, 7>::identity();
        for i in 0..3 {
            for j in 0..3 {
                t[(i, j)] = rot[(i, j)];
                t[(i + 3, j + 3)] = rot[(i, j)];
            }
        }
        for m in 0..crate::imm::MODEL_COUNT {
            let mut xm: State = t * self.imm.x[m];
            xm[0] += shift.e_m;
            xm[1] += shift.n_m;
            xm[2] += shift.u_m;
            xm[OMEGA] = self.imm.x[m][OMEGA];
            self.imm.x[m] = xm;
            let p: Cov = t * self.imm.p[m] * t.transpose();
            self.imm.p[m] = crate::motion::symmetrize(p);
        }
        self.frame = new;
    }

    /// The track as a `tracks.csv` row, from filter state `imm` at `t_s`.
    pub fn row(&self, imm: &Imm, t_s: f64) -> TrackRow {
        self.row_of(imm.mean(), t_s)
    }

    /// The track's row at `t_s`: predicted forward from its state, or, for an instant its
    /// last plot has passed (at most a batch's span), moved back along its velocity, a
    /// smoother's estimate rather than the older prediction.
    pub fn row_at(&self, t_s: f64, noise: &Noise, switching: &Switching) -> TrackRow {
        let back_s = self.time_s - t_s;
        if back_s <= 0.0 {
            return self.row(&self.predicted(t_s, noise, switching), t_s);
        }
        let mut x = self.imm.mean();
        for k in 0..3 {
            x[k] -= x[k + 3] * back_s;
        }
        self.row_of(x, t_s)
    }

    fn row_of(&self, x: crate::motion::State, t_s: f64) -> TrackRow {
        let ecef = self.frame.to_ecef(Enu::new(x[0], x[1], x[2]));
        let g = ecef.to_geodetic();
        let v =
            LocalFrame::new(g).rotate_to_enu(self.frame.rotate_to_ecef(Enu::new(x[3], x[4], x[5])));
        TrackRow {
            time_s: t_s,
            track_id: self.number.unwrap_or(0),
            lat_deg: g.lat_deg,
            lon_deg: g.lon_deg,
            alt_m: g.alt_m,
            vn_mps: v.n_m,
            ve_mps: v.e_m,
            vu_mps: v.u_m,
            mode3a: self.mode3a,
            mode_s: self.mode_s,
            callsign: self.callsign,
        }
    }
}

/// The rotation taking vectors from frame `a`'s axes to frame `b`'s.
pub fn rotation_between(a: &LocalFrame, b: &LocalFrame) -> SMatrix<f64, 3, 3> {
    let mut r = SMatrix::<f64, 3, 3>::zeros();
    for j in 0..3 {
        let mut unit = [0.0; 3];
        unit[j] = 1.0;
        let v = b.rotate_to_enu(a.rotate_to_ecef(Enu::new(unit[0], unit[1], unit[2])));
        r[(0, j)] = v.e_m;
        r[(1, j)] = v.n_m;
        r[(2, j)] = v.u_m;
    }
    r
}
