//! The tracker loop: reorder, batch, gate, assign, update, initiate, maintain.
//!
//! Reports enter in any order; a buffer holds them for `reorder_window_s` and releases them
//! in time order (later arrivals are counted and dropped). Consecutive released reports of
//! one sensor within `batch_window_s` form a batch: a sector of a radar's scan, or a burst
//! of ADS-B. For each report of the batch, the spatial grid proposes nearby tracks; each is
//! predicted to the report's own time and gated by Mahalanobis distance, with Mode S and
//! Mode 3/A as evidence. The gated pairs split into independent clusters, and each cluster
//! gets an optimal assignment. Assigned tracks are updated; a report no track wants is
//! paired with an earlier unassigned report nearby to start a tentative track, or kept as
//! a candidate for a later one. That last step is what keeps clutter cheap: a clutter plot
//! costs one grid insertion, not a filter.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use serde::{Deserialize, Serialize};

use vigie_core::{PlotKind, Report, SensorTable};

use crate::clutter::ClutterMap;
use crate::grid::Grid;
use crate::imm::Switching;
use crate::measure::{Observation, SensorModel};
use crate::motion::Noise;
use crate::registration::Registration;
use crate::track::Track;

mod associate;
mod check;
pub(crate) mod exist;
mod gate;
pub(crate) mod initiate;
mod maintain;
mod output;
mod reacquire;
mod update;

use associate::assign_clusters;
use check::TIME_ABS_MAX_S;
pub(crate) use gate::chi2_for;
pub use gate::chi2_quantile;
use gate::Edge;
pub(crate) use initiate::Candidate;
use maintain::{MAINTENANCE_PARTS, MAINTENANCE_STEP_S};
use output::update_of;
pub use output::{Output, TrackUpdate};

/// Tuning of the tracker. The defaults suit surveillance radars and ADS-B. Read from TOML
/// (`vigie track --config`; `--print-config` writes these defaults), any field may be left out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub reorder_window_s: f64,
    pub batch_window_s: f64,
    pub noise: Noise,
    pub switching: Switching,
    /// Gate: the probability mass of the χ² distribution a true plot falls within.
    pub gate_probability: f64,
    /// Updates (including the two that start a track) before it may be confirmed.
    pub confirm_hits: u32,
    /// A tentative track is confirmed when its log-likelihood ratio against clutter reaches
    /// this (the sequential test's threshold: 9.2 is a 1-in-10,000 false confirmation).
    pub confirm_score: f64,
    /// A tentative track dies after this many missed revisits.
    pub tentative_missed_revisits: f64,
    /// A confirmed track coasts for this many missed revisits, and at least `coast_min_s`.
    pub confirmed_missed_revisits: f64,
    pub coast_min_s: f64,
    /// Fastest target to pair plots for: 700 m/s covers fighters.
    pub speed_max_mps: f64,
    /// An unassigned plot waits this many of its sensor's revisits for a partner.
    pub candidate_revisits: f64,
    /// Spatial grid cell size.
    pub cell_m: f64,
    /// A track's frame follows it beyond this distance from its anchor.
    pub reanchor_m: f64,
    /// Output confirmed tracks predicted onto this regular time grid.
    pub grid_s: Option<f64>,
    /// The most reports held for reordering; beyond, the oldest are released early.
    pub pending_max: usize,
    /// A report this far ahead of the newest one so far is a clock fault, not the future.
    pub time_jump_max_s: f64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            reorder_window_s: 2.0,
            batch_window_s: 1.0,
            noise: Noise::default(),
            switching: Switching::default(),
            gate_probability: 0.9995,
            confirm_hits: 2,
            confirm_score: 11.0,
            tentative_missed_revisits: 2.6,
            confirmed_missed_revisits: 4.5,
            coast_min_s: 12.0,
            speed_max_mps: 700.0,
            candidate_revisits: 2.6,
            cell_m: 40_000.0,
            reanchor_m: 150_000.0,
            grid_s: None,
            pending_max: 1_000_000,
            time_jump_max_s: 3_600.0,
        }
    }
}

impl Config {
    /// What serde cannot check: every problem as (field, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut p = Vec::new();
        let mut positive = |field: &str, v: f64| {
            if !(v.is_finite() && v > 0.0) {
                p.push((
                    field.to_string(),
                    format!("must be a positive number, got {v}"),
                ));
            }
        };
        positive("reorder_window_s", self.reorder_window_s);
        positive("batch_window_s", self.batch_window_s);
        positive("tentative_missed_revisits", self.tentative_missed_revisits);
        positive("confirmed_missed_revisits", self.confirmed_missed_revisits);
        positive("coast_min_s", self.coast_min_s);
        positive("speed_max_mps", self.speed_max_mps);
        positive("candidate_revisits", self.candidate_revisits);
        positive("cell_m", self.cell_m);
        positive("reanchor_m", self.reanchor_m);
        positive("time_jump_max_s", self.time_jump_max_s);
        positive("confirm_score", self.confirm_score);
        if let Some(g) = self.grid_s {
            positive("grid_s", g);
        }
        let n = &self.noise;
        positive("noise.cv_accel_mps2", n.cv_accel_mps2);
        positive("noise.ct_accel_mps2", n.ct_accel_mps2);
        positive("noise.ct_turn_accel_rad_s2", n.ct_turn_accel_rad_s2);
        positive("noise.manoeuvre_accel_mps2", n.manoeuvre_accel_mps2);
        positive("noise.vertical_accel_mps2", n.vertical_accel_mps2);
        positive(
            "noise.manoeuvre_vertical_accel_mps2",
            n.manoeuvre_vertical_accel_mps2,
        );
        let w = &self.switching;
        positive("switching.cv_sojourn_s", w.cv_sojourn_s);
        positive("switching.ct_sojourn_s", w.ct_sojourn_s);
        positive("switching.manoeuvre_sojourn_s", w.manoeuvre_sojourn_s);
        if !(self.gate_probability > 0.5 && self.gate_probability < 1.0) {
            p.push((
                "gate_probability".into(),
                format!("must be between 0.5 and 1, got {}", self.gate_probability),
            ));
        }
        if self.confirm_hits < 2 {
            p.push(("confirm_hits".into(), "must be at least 2".into()));
        }
        if self.pending_max == 0 {
            p.push(("pending_max".into(), "must be at least 1".into()));
        }
        if self.cell_m.is_finite() && self.cell_m < 1_000.0 {
            p.push((
                "cell_m".into(),
                format!("must be at least 1000 m, got {}", self.cell_m),
            ));
        }
        p
    }
}

/// What went wrong with input, per sensor. Each kind is logged once per sensor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rejected {
    pub not_finite: u64,
    pub absurd: u64,
    pub late: u64,
    pub wrong_kind: u64,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Counters {
    pub reports: u64,
    pub unknown_sensor: u64,
    pub per_sensor: Vec<Rejected>,
    pub duplicates: u64,
    pub assigned: u64,
    /// Gated plots refused because the track would outrun any aircraft.
    pub implausible: u64,
    pub tracks_started: u64,
    pub tracks_confirmed: u64,
    pub tracks_deleted: u64,
    /// Confirmed tracks that took back a lost track's number.
    pub tracks_reacquired: u64,
}

#[derive(Serialize, Deserialize)]
struct Pending {
    pub(crate) seq: u64,
    report: Report,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    /// Reversed, so the heap's top is the earliest report (arrival order breaks ties).
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .report
            .time_s
            .total_cmp(&self.report.time_s)
            .then(other.seq.cmp(&self.seq))
    }
}

/// What is serialized is the whole state a run has built (`crate::state`): a tracker
/// restored from it goes on exactly as this one would have. The sensor models and the gate
/// thresholds follow from the table and the settings; what was logged is not state.
#[derive(Serialize, Deserialize)]
pub struct Tracker {
    pub(crate) cfg: Config,
    #[serde(skip)]
    pub(crate) sensors: Vec<SensorModel>,
    /// Per sensor, radars only.
    pub(crate) clutter: Vec<Option<ClutterMap>>,
    pub(crate) tracks: Vec<Option<Track>>,
    pub(crate) free: Vec<u32>,
    pub(crate) grid: Grid,
    pub(crate) candidates: Vec<Option<Candidate>>,
    pub(crate) free_candidates: Vec<u32>,
    pub(crate) candidate_grid: Grid,
    #[serde(serialize_with = "crate::state::sorted_heap")]
    pending: BinaryHeap<Pending>,
    pub(crate) seq: u64,
    pub(crate) newest_s: f64,
    pub(crate) released_s: f64,
    pub(crate) batch: Vec<Observation>,
    pub(crate) next_uid: u64,
    pub(crate) next_number: u32,
    pub(crate) next_grid_s: Option<f64>,
    pub(crate) last_maintenance_s: f64,
    /// Where the incremental maintenance pass resumes, in the track and candidate slots.
    pub(crate) maintenance_cursor: (usize, usize, f64),
    /// The last ADS-B squitter per address: time, and the slot and uid of the track it went to
    /// (the uid tells whether the slot still holds that track).
    #[serde(serialize_with = "crate::state::sorted_map")]
    pub(crate) adsb_seen: HashMap<u32, (f64, u32, u64)>,
    /// Numbers of confirmed tracks deleted since the last output.
    pub(crate) ended: Vec<u32>,
    /// Confirmed tracks that ended while their targets may still fly, oldest first.
    pub(crate) lost: std::collections::VecDeque<reacquire::Lost>,
    pub(crate) counters: Counters,
    pub(crate) registration: Registration,
    /// The track each Mode S address last updated, for registration.
    #[serde(serialize_with = "crate::state::sorted_map")]
    pub(crate) by_address: HashMap<u32, u32>,
    #[serde(skip)]
    pub(crate) logged: std::collections::HashSet<(u16, &'static str)>,
    #[serde(skip)]
    pub(crate) chi2: [f64; 5],
}

impl Tracker {
    pub fn new(cfg: Config, sensors: &SensorTable) -> Self {
        let n = sensors.sensor.len();
        let models: Vec<SensorModel> = sensors
            .sensor
            .iter()
            .cloned()
            .map(SensorModel::new)
            .collect();
        Self {
            clutter: models
                .iter()
                .map(|m| m.radar.map(|_| ClutterMap::new(m.revisit_s())))
                .collect(),
            sensors: sensors
                .sensor
                .iter()
                .cloned()
                .map(SensorModel::new)
                .collect(),
            tracks: Vec::new(),
            free: Vec::new(),
            grid: Grid::new(cfg.cell_m),
            candidates: Vec::new(),
            free_candidates: Vec::new(),
            candidate_grid: Grid::new(cfg.cell_m),
            pending: BinaryHeap::new(),
            seq: 0,
            newest_s: f64::NEG_INFINITY,
            released_s: f64::NEG_INFINITY,
            batch: Vec::new(),
            next_uid: 1,
            next_number: 1,
            next_grid_s: cfg.grid_s.map(|_| 0.0),
            last_maintenance_s: f64::NEG_INFINITY,
            maintenance_cursor: (0, 0, f64::NEG_INFINITY),
            adsb_seen: HashMap::new(),
            ended: Vec::new(),
            lost: std::collections::VecDeque::new(),
            counters: Counters {
                per_sensor: vec![Rejected::default(); n],
                ..Counters::default()
            },
            registration: Registration::new(n),
            by_address: HashMap::new(),
            logged: Default::default(),
            chi2: chi2_for(&cfg),
            cfg,
        }
    }

    /// The reports held for reordering.
    pub(crate) fn pending_reports(&self) -> impl Iterator<Item = &Report> {
        self.pending.iter().map(|p| &p.report)
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Each radar's estimated range and azimuth bias.
    pub fn registration(&self) -> &Registration {
        &self.registration
    }

    /// Live tracks, tentative and confirmed.
    pub fn tracks(&self) -> impl Iterator<Item = &Track> {
        self.tracks.iter().flatten()
    }

    /// Takes one report, in any order within the reorder window.
    pub fn push(&mut self, report: Report, out: &mut Output) {
        self.counters.reports += 1;
        if !self.accept(&report) {
            return;
        }
        if report.time_s < self.released_s {
            self.reject(
                report.sensor,
                "late",
                "arrived after its reorder window: dropped",
            );
            return;
        }
        self.seq += 1;
        self.pending.push(Pending {
            seq: self.seq,
            report,
        });
        self.newest_s = self.newest_s.max(report.time_s);
        while let Some(top) = self.pending.peek() {
            let due = top.report.time_s <= self.newest_s - self.cfg.reorder_window_s;
            if !due && self.pending.len() <= self.cfg.pending_max {
                break;
            }
            let Some(p) = self.pending.pop() else { break };
            self.release(p.report, out);
        }
        if !self.ended.is_empty() {
            out.ended.append(&mut self.ended);
        }
    }

    /// Brings the tracker to `now_s` (the reports' timebase) when no report may say that
    /// time has passed: the reports held for reordering that are due are released, the open
    /// batch is closed once it can grow no more, and every track is checked against the
    /// sensors that should have seen it by then. The pipeline calls it on its own tick, so
    /// tracks coast and end when every feed falls silent, as they do when plots flow.
    pub fn advance(&mut self, now_s: f64, out: &mut Output) {
        if !now_s.is_finite() || now_s.abs() > TIME_ABS_MAX_S {
            return;
        }
        let data_now_s = now_s - self.cfg.reorder_window_s;
        while let Some(top) = self.pending.peek() {
            if top.report.time_s > data_now_s {
                break;
            }
            let Some(p) = self.pending.pop() else { break };
            self.release(p.report, out);
        }
        let batch_done = self
            .batch
            .first()
            .is_some_and(|o| data_now_s - o.report.time_s > self.cfg.batch_window_s);
        if batch_done {
            self.close_batch(out);
        }
        // Plots flowing keep maintenance going; a silent second of data does it here.
        if data_now_s - self.maintenance_cursor.2 >= 1.0 {
            for _ in 0..=MAINTENANCE_PARTS {
                self.maintain_some(data_now_s);
            }
        }
        out.ended.append(&mut self.ended);
    }

    /// Processes everything still held, and the last batch. Call at the end of input.
    pub fn flush(&mut self, out: &mut Output) {
        while let Some(p) = self.pending.pop() {
            self.release(p.report, out);
        }
        self.close_batch(out);
        self.snapshots_before(self.released_s + 1e-9, out);
        out.ended.append(&mut self.ended);
    }

    /// One report, in time order.
    fn release(&mut self, report: Report, out: &mut Output) {
        self.released_s = self.released_s.max(report.time_s);
        if self.is_duplicate_squitter(&report) {
            return;
        }
        let bias = self.registration.correction(report.sensor);
        let Some(obs) = Observation::new(report, &self.sensors[usize::from(report.sensor.0)], bias)
        else {
            self.reject(
                report.sensor,
                "wrong_kind",
                "report kind the sensor cannot make: dropped",
            );
            return;
        };
        if let Some(first) = self.batch.first() {
            if first.report.sensor != report.sensor
                || report.time_s - first.report.time_s > self.cfg.batch_window_s
            {
                self.close_batch(out);
            }
        }
        self.batch.push(obs);
    }

    /// The same ADS-B squitter heard by another station adds the station to the track and
    /// nothing else: its position is the same measurement, not a new one.
    fn is_duplicate_squitter(&mut self, r: &Report) -> bool {
        let (PlotKind::Adsb, Some(addr)) = (r.kind, r.mode_s) else {
            return false;
        };
        let Some(&(t, slot, uid)) = self.adsb_seen.get(&addr.address()) else {
            return false;
        };
        if (r.time_s - t).abs() > 1e-3 {
            return false;
        }
        self.counters.duplicates += 1;
        let track = self.tracks.get_mut(slot as usize).and_then(Option::as_mut);
        if let Some(track) = track.filter(|t| t.uid == uid) {
            track.contributed(r.sensor, r.time_s);
        }
        true
    }

    fn close_batch(&mut self, out: &mut Output) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let now = batch
            .last()
            .map(|o| o.report.time_s)
            .unwrap_or(self.released_s);
        // Grid instants before the batch see the tracks as they stand; the batch is never
        // cut at one (output sampling must not change the estimate).
        self.snapshots_before(batch[0].report.time_s, out);
        if now - self.maintenance_cursor.2 >= MAINTENANCE_STEP_S {
            self.maintain_some(now);
        }
        if now - self.last_maintenance_s >= 1.0 {
            self.forget_stale_addresses(now);
            self.last_maintenance_s = now;
        }
        self.register(&batch);
        // Confirmed tracks choose first: a tentative track (often one started on the same
        // aircraft's plots, or on clutter) must not take a plot a confirmed one needs.
        let (confirmed, tentative): (Vec<Edge>, Vec<Edge>) =
            self.gate(&batch).into_iter().partition(|e| e.confirmed);
        let mut taken = vec![false; batch.len()];
        for (pass, edges) in [confirmed, tentative].into_iter().enumerate() {
            let edges: Vec<Edge> = edges.into_iter().filter(|e| !taken[e.obs]).collect();
            let assignment = assign_clusters(batch.len(), &edges, &self.chi2, &batch);
            for (i, obs) in batch.iter().enumerate() {
                if let Some(e) = assignment[i] {
                    let e = &edges[e];
                    taken[i] = self.update(e.slot, e.imm, e.evidence_llr, obs, out);
                }
            }
            // Every plot no confirmed track takes counts as clutter at once (a tentative
            // track that confirms takes its plots back): a map that waited for plots to die
            // unassigned missed the clutter that false tracks were living on.
            if pass == 0 {
                for (obs, t) in batch.iter().zip(&taken) {
                    if !t {
                        self.learn_clutter(&obs.report, 1);
                    }
                }
            }
        }
        for (obs, taken) in batch.iter().zip(taken) {
            if !taken {
                self.initiate(*obs);
            }
        }
        // Instants within the batch's span: after it, its plots moved back to them.
        self.snapshots_before(now + 1e-9, out);
        self.batch = batch;
        self.batch.clear();
    }

    fn snapshots_before(&mut self, until_s: f64, out: &mut Output) {
        if let (Some(step), Some(g)) = (self.cfg.grid_s, self.next_grid_s) {
            let g = self.snapshots_until(g, step, until_s, out);
            self.next_grid_s = Some(g);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi2_quantiles_match_tables() {
        // Published values of the χ² distribution.
        for (k, p, want) in [
            (2, 0.99, 9.210),
            (3, 0.99, 11.345),
            (3, 0.9995, 17.730),
            (4, 0.95, 9.488),
        ] {
            let got = chi2_quantile(k, p);
            assert!(
                (got - want).abs() / want < 0.01,
                "χ²({k}, {p}) = {got}, table {want}"
            );
        }
    }
}
