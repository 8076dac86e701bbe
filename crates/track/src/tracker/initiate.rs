//! Initiate: a report no track wants waits, cheaply, for a partner; two plots that an
//! aircraft could have made start a tentative track, scored against clutter.

use vigie_core::{Geodetic, LocalFrame, Measurement, PlotKind};

use super::gate::{identity_compatible, NOMINAL_PD};
use super::Tracker;
use crate::imm::Imm;
use crate::measure::{Observation, SensorModel, ALT_SIGMA_M};
use crate::motion::{Cov, State};
use crate::track::{Status, Track};

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub(crate) struct Candidate {
    pub(crate) obs: Observation,
    pub(crate) sigma_m: f64,
    pub(crate) cell: crate::grid::Cell,
}

/// The filter of a track started from two plots (a waiting `first` and `obs`), in a frame
/// anchored under the second: position from the second, velocity from their difference.
/// The tracker and the oracle (`crate::oracle`) start tracks alike.
pub(crate) fn two_plot_start(
    first: &Candidate,
    obs: &Observation,
    sigma_m: f64,
) -> (LocalFrame, Imm) {
    let here = obs.position.to_geodetic();
    let frame = LocalFrame::new(Geodetic::new(here.lat_deg, here.lon_deg, 0.0));
    let p1 = frame.to_enu(obs.position);
    let p0 = frame.to_enu(first.obs.position);
    let dt = obs.report.time_s - first.obs.report.time_s;
    let v_sigma = (sigma_m.powi(2) + first.sigma_m.powi(2)).sqrt() / dt;
    // Only reported altitudes (Mode C, ADS-B) are good enough to difference for a
    // vertical rate; heights from elevation are hundreds of metres off at range.
    let vertical_known = obs.report.alt_m.is_some() && first.obs.report.alt_m.is_some();
    let mut x = State::zeros();
    x[0] = p1.e_m;
    x[1] = p1.n_m;
    x[2] = p1.u_m;
    x[3] = (p1.e_m - p0.e_m) / dt;
    x[4] = (p1.n_m - p0.n_m) / dt;
    let u_sigma = height_sigma_m(obs);
    let vu_sigma = if vertical_known {
        x[5] = (p1.u_m - p0.u_m) / dt;
        (2.0f64).sqrt() * u_sigma / dt
    } else {
        50.0
    };
    let diag = [sigma_m, sigma_m, u_sigma, v_sigma, v_sigma, vu_sigma, 0.05].map(|s| s * s);
    let p = Cov::from_diagonal(&nalgebra::SVector::<f64, 7>::from_column_slice(&diag));
    (frame, Imm::new(x, p))
}

/// How well a report places its target vertically.
pub(crate) fn height_sigma_m(obs: &Observation) -> f64 {
    match (obs.report.alt_m, obs.report.measurement) {
        (Some(_), _) => ALT_SIGMA_M,
        (
            None,
            Measurement::Polar {
                range_m,
                elevation_rad: Some(_),
                ..
            },
        ) => (range_m * 0.5f64.to_radians()).max(ALT_SIGMA_M),
        _ => 3_000.0,
    }
}

/// The report's rough position error, for pairing plots.
pub(crate) fn observation_sigma_m(obs: &Observation, sensor: &SensorModel) -> f64 {
    let s = &sensor.spec;
    match obs.report.measurement {
        Measurement::Polar { range_m, .. } => s
            .sigma_range_m
            .max(range_m * s.sigma_azimuth_deg.to_radians()),
        Measurement::Position { .. } => s.sigma_position_m.unwrap_or(38.0),
    }
}

impl Tracker {
    /// An unassigned report: pair it with a waiting one to start a track, or make it wait.
    pub(crate) fn initiate(&mut self, obs: Observation) {
        let sigma = observation_sigma_m(&obs, &self.sensors[usize::from(obs.report.sensor.0)]);
        let mut near = Vec::new();
        self.candidate_grid.near(obs.position, &mut near);
        let t = obs.report.time_s;
        let best = near
            .iter()
            .filter_map(|&c| {
                let cand = self.candidates[c as usize]?;
                let dt = t - cand.obs.report.time_s;
                if dt < 0.2 || !identity_compatible(&cand.obs.report, &obs.report) {
                    return None;
                }
                let d = cand.obs.position.distance_m(obs.position);
                let reach = self.cfg.speed_max_mps * dt + 3.0 * (sigma + cand.sigma_m);
                let same_address =
                    cand.obs.report.mode_s.is_some() && cand.obs.report.mode_s == obs.report.mode_s;
                (d <= reach).then_some((c, if same_address { -1.0 } else { d / reach }))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((c, _)) => {
                let cand = self.remove_candidate(c);
                self.start_track(&cand, &obs, sigma);
            }
            None => self.add_candidate(obs, sigma),
        }
    }

    pub(crate) fn start_track(&mut self, first: &Candidate, obs: &Observation, sigma_m: f64) {
        let (frame, imm) = two_plot_start(first, obs, sigma_m);
        let dt = obs.report.time_s - first.obs.report.time_s;
        let reach_m = self.cfg.speed_max_mps * dt + 3.0 * (sigma_m + first.sigma_m);
        let r = &obs.report;
        let revisit = self.sensors[usize::from(r.sensor.0)].revisit_s();
        let mut track = Track {
            uid: self.next_uid,
            number: None,
            status: Status::Tentative,
            frame,
            imm,
            time_s: r.time_s,
            last_update_s: r.time_s,
            hits: 2,
            last_report: *r,
            score: self.start_score(first, obs, reach_m),
            revisit_s: revisit.min(dt.max(0.1)),
            mode3a: r.mode3a.or(first.obs.report.mode3a),
            mode_s: r.mode_s.or(first.obs.report.mode_s),
            callsign: r.callsign.or(first.obs.report.callsign),
            sensors: Vec::new(),
            last_adsb_s: f64::NEG_INFINITY,
            last_transponder_s: [&first.obs.report, r]
                .iter()
                .filter(|x| x.kind != PlotKind::Psr)
                .map(|x| x.time_s)
                .reduce(f64::max),
            cell: self.grid.cell_of(obs.position),
        };
        track.contributed(first.obs.report.sensor, first.obs.report.time_s);
        track.contributed(r.sensor, r.time_s);
        self.next_uid += 1;
        self.counters.tracks_started += 1;
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.tracks.push(None);
                (self.tracks.len() - 1) as u32
            }
        };
        let confirming =
            track.hits >= self.cfg.confirm_hits && track.score >= self.cfg.confirm_score;
        self.grid.insert(slot, track.cell);
        self.tracks[slot as usize] = Some(track);
        if confirming {
            self.confirm(slot);
        }
    }

    /// The track in `slot` is confirmed: it takes a lost track's number if it is that
    /// track's aircraft again (`reacquire`), else the next.
    pub(crate) fn confirm(&mut self, slot: u32) {
        let Some(mut track) = self.tracks[slot as usize].take() else {
            return;
        };
        let number = self.reacquired_number(&track).unwrap_or_else(|| {
            self.next_number += 1;
            self.next_number - 1
        });
        // Its plots were counted as clutter while it was tentative.
        self.unlearn_clutter(&track.last_report, track.hits);
        track.status = Status::Confirmed;
        track.number = Some(number);
        self.counters.tracks_confirmed += 1;
        self.tracks[slot as usize] = Some(track);
    }

    /// The score of a track started from two plots: the second plot, for an aircraft,
    /// lies anywhere within `reach_m` of the first; for clutter, it is one of the clutter
    /// map's plots. Plots that are never clutter (secondary, ADS-B) confirm at once.
    pub(crate) fn start_score(&self, first: &Candidate, obs: &Observation, reach_m: f64) -> f64 {
        let Some((density, range_m)) = self.clutter_density(&obs.report) else {
            return self.cfg.confirm_score;
        };
        if first.obs.report.kind != PlotKind::Psr {
            return self.cfg.confirm_score;
        }
        // The clutter density per m·rad is, on the ground, per m² times the range.
        let clutter_per_m2 = density / range_m.max(1.0);
        let aircraft_per_m2 = 1.0 / (std::f64::consts::PI * reach_m * reach_m);
        (NOMINAL_PD * aircraft_per_m2 / clutter_per_m2).ln()
    }

    pub(crate) fn add_candidate(&mut self, obs: Observation, sigma_m: f64) {
        let cell = self.candidate_grid.cell_of(obs.position);
        let slot = match self.free_candidates.pop() {
            Some(s) => s,
            None => {
                self.candidates.push(None);
                (self.candidates.len() - 1) as u32
            }
        };
        self.candidates[slot as usize] = Some(Candidate { obs, sigma_m, cell });
        self.candidate_grid.insert(slot, cell);
    }

    pub(crate) fn remove_candidate(&mut self, slot: u32) -> Candidate {
        let c = self.candidates[slot as usize]
            .take()
            .expect("a listed candidate exists");
        self.candidate_grid.remove(slot, c.cell);
        self.free_candidates.push(slot);
        c
    }
}
