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

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use vigie_core::assign::{assign_or_leave, FORBIDDEN};
use vigie_core::interop::TrackRow;
use vigie_core::{Geodetic, LocalFrame, Measurement, PlotKind, Report, SensorId, SensorTable};

use crate::clutter::ClutterMap;
use crate::grid::Grid;
use crate::imm::{Imm, Switching, MODEL_COUNT};
use crate::measure::{Observation, SensorModel, ALT_SIGMA_M};
use crate::motion::{Cov, Noise, State};
use crate::registration::Registration;
use crate::track::{Status, Track};

/// Maintenance looks at a tenth of the track and candidate slots (and at least
/// `MAINTENANCE_SLICE`) every tenth of a second of data: a whole pass each second, as
/// before, but never all of it while one report waits.
const MAINTENANCE_STEP_S: f64 = 0.1;
const MAINTENANCE_PARTS: usize = 10;
const MAINTENANCE_SLICE: usize = 64;

/// A track is a registration reference while its horizontal position sigma is below this.
const REFERENCE_SIGMA_M: f64 = 60.0;

/// Added to the gate to price leaving a plot unassigned: a gated pair's cost also carries
/// the improbability of the model that explains it.
const LEAVE_MARGIN: f64 = 10.0;

/// The detection probability assumed when weighing a plot against clutter.
const NOMINAL_PD: f64 = 0.9;

/// The most one plot adds to a track's score: a plot that cannot be clutter (ADS-B,
/// secondary) confirms a track, but no single plot makes a score unassailable.
const SCORE_STEP_MAX: f64 = 10.0;

/// Range and azimuth of a primary radar plot: the only reports that may be clutter.
fn primary_polar(r: &Report) -> Option<(f64, f64)> {
    match (r.measurement, r.kind) {
        (
            Measurement::Polar {
                range_m,
                azimuth_rad,
                ..
            },
            PlotKind::Psr,
        ) => Some((range_m, azimuth_rad)),
        _ => None,
    }
}

/// The score a silence of `gap_s` costs: ln(1 − Pd) per revisit with no plot.
fn missed_llr(gap_s: f64, revisit_s: f64) -> f64 {
    let missed = (gap_s / revisit_s.max(0.1) - 0.5).floor().max(0.0);
    missed * (1.0 - NOMINAL_PD).ln()
}

/// Report times beyond this (about 300 years of seconds) are nobody's clock.
const TIME_ABS_MAX_S: f64 = 1e10;

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
}

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub(crate) struct Candidate {
    pub(crate) obs: Observation,
    sigma_m: f64,
    cell: crate::grid::Cell,
}

#[derive(Serialize, Deserialize)]
struct Pending {
    seq: u64,
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
    seq: u64,
    newest_s: f64,
    released_s: f64,
    pub(crate) batch: Vec<Observation>,
    next_uid: u64,
    next_number: u32,
    next_grid_s: Option<f64>,
    last_maintenance_s: f64,
    /// Where the incremental maintenance pass resumes, in the track and candidate slots.
    pub(crate) maintenance_cursor: (usize, usize, f64),
    /// The last ADS-B squitter per address: time, and the slot and uid of the track it went to
    /// (the uid tells whether the slot still holds that track).
    #[serde(serialize_with = "crate::state::sorted_map")]
    pub(crate) adsb_seen: HashMap<u32, (f64, u32, u64)>,
    /// Numbers of confirmed tracks deleted since the last output.
    ended: Vec<u32>,
    pub(crate) counters: Counters,
    pub(crate) registration: Registration,
    /// The track each Mode S address last updated, for registration.
    #[serde(serialize_with = "crate::state::sorted_map")]
    pub(crate) by_address: HashMap<u32, u32>,
    #[serde(skip)]
    logged: std::collections::HashSet<(u16, &'static str)>,
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

    /// Processes everything still held, and the last batch. Call at the end of input.
    pub fn flush(&mut self, out: &mut Output) {
        while let Some(p) = self.pending.pop() {
            self.release(p.report, out);
        }
        self.close_batch(out);
        if let (Some(step), Some(g)) = (self.cfg.grid_s, self.next_grid_s) {
            let g = self.snapshots_until(g, step, self.released_s + 1e-9, out);
            self.next_grid_s = Some(g);
        }
        out.ended.append(&mut self.ended);
    }

    /// Snapshots at every grid instant from `g` up to (not including) `until_s`; returns the
    /// next grid instant. Instants when no track is confirmed are skipped in one step, so a
    /// long silence costs nothing.
    fn snapshots_until(&mut self, mut g: f64, step: f64, until_s: f64, out: &mut Output) -> f64 {
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

    /// Checks a report's values; counts and logs what it must refuse.
    fn accept(&mut self, r: &Report) -> bool {
        if usize::from(r.sensor.0) >= self.sensors.len() {
            self.counters.unknown_sensor += 1;
            if self.logged.insert((r.sensor.0, "unknown")) {
                tracing::warn!(
                    sensor = r.sensor.0,
                    "report from a sensor not in the sensor table: dropped"
                );
            }
            return false;
        }
        let values = match r.measurement {
            Measurement::Polar {
                range_m,
                azimuth_rad,
                elevation_rad,
            } => [range_m, azimuth_rad, elevation_rad.unwrap_or(0.0)],
            Measurement::Position { lat_deg, lon_deg } => [lat_deg, lon_deg, 0.0],
        };
        if !r.time_s.is_finite()
            || values.iter().any(|v| !v.is_finite())
            || r.alt_m.is_some_and(|a| !a.is_finite())
        {
            self.reject(r.sensor, "not_finite", "NaN or infinite value: dropped");
            return false;
        }
        let absurd = match r.measurement {
            Measurement::Polar {
                range_m,
                elevation_rad,
                ..
            } => {
                !(0.0..=3_000_000.0).contains(&range_m)
                    || elevation_rad.is_some_and(|e| e.abs() > 1.6)
            }
            Measurement::Position { lat_deg, lon_deg } => {
                lat_deg.abs() > 90.0 || lon_deg.abs() > 180.0
            }
        } || r.alt_m.is_some_and(|a| !(-1_000.0..=40_000.0).contains(&a))
            || r.time_s.abs() > TIME_ABS_MAX_S
            || (self.newest_s.is_finite() && r.time_s > self.newest_s + self.cfg.time_jump_max_s);
        if absurd {
            self.reject(
                r.sensor,
                "absurd",
                "value out of any sensor's range: dropped",
            );
            return false;
        }
        true
    }

    fn reject(&mut self, sensor: SensorId, what: &'static str, message: &str) {
        let Some(c) = self.counters.per_sensor.get_mut(usize::from(sensor.0)) else {
            return;
        };
        match what {
            "not_finite" => c.not_finite += 1,
            "absurd" => c.absurd += 1,
            "late" => c.late += 1,
            _ => c.wrong_kind += 1,
        }
        if self.logged.insert((sensor.0, what)) {
            let id = self
                .sensors
                .get(usize::from(sensor.0))
                .map(|s| s.spec.id.as_str())
                .unwrap_or("?");
            tracing::warn!(sensor = id, "{message} (further ones are only counted)");
        }
    }

    /// One report, in time order.
    fn release(&mut self, report: Report, out: &mut Output) {
        self.released_s = self.released_s.max(report.time_s);
        if let (Some(step), Some(mut g)) = (self.cfg.grid_s, self.next_grid_s) {
            if g < report.time_s {
                self.close_batch(out);
                g = self.snapshots_until(g, step, report.time_s, out);
                self.next_grid_s = Some(g);
            }
        }
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
        for edges in [confirmed, tentative] {
            let edges: Vec<Edge> = edges.into_iter().filter(|e| !taken[e.obs]).collect();
            let assignment = assign_clusters(batch.len(), &edges, &self.chi2, &batch);
            for (i, obs) in batch.iter().enumerate() {
                if let Some(e) = assignment[i] {
                    let e = &edges[e];
                    taken[i] = self.update(e.slot, e.imm, e.evidence_llr, obs, out);
                }
            }
        }
        for (obs, taken) in batch.iter().zip(taken) {
            if !taken {
                self.initiate(*obs);
            }
        }
        self.batch = batch;
        self.batch.clear();
    }

    /// Registration samples: radar plots with a Mode S address whose aircraft ADS-B has just
    /// placed, paired by that address (not by distance, so a badly registered radar is
    /// corrected although its plots would miss every gate).
    fn register(&mut self, batch: &[Observation]) {
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

    /// −2 ln of how likely the report is as clutter, against a track's target detected with
    /// `NOMINAL_PD`: no limit for reports that are never clutter (ADS-B, SSR).
    fn clutter_neg_log_likelihood(&self, r: &Report) -> f64 {
        match self.clutter_density(r) {
            Some((density, _)) => -2.0 * (density / NOMINAL_PD).ln(),
            None => f64::INFINITY,
        }
    }

    /// The clutter density around a primary radar plot, and the plot's range; `None` for
    /// reports that are never clutter (secondary, ADS-B).
    fn clutter_density(&self, r: &Report) -> Option<(f64, f64)> {
        let (range_m, azimuth_rad) = primary_polar(r)?;
        let map = self.clutter[usize::from(r.sensor.0)].as_ref()?;
        Some((map.density(range_m, azimuth_rad, r.time_s), range_m))
    }

    /// Counts a primary plot in its radar's clutter map. Only plots known to be no
    /// aircraft's are counted, so the map does not learn the traffic: a plot that waited for
    /// a partner in vain, and the plots of a tentative track that died unconfirmed.
    fn learn_clutter(&mut self, r: &Report, plots: u32) {
        let (Some((range_m, azimuth_rad)), Some(map)) = (
            primary_polar(r),
            self.clutter[usize::from(r.sensor.0)].as_mut(),
        ) else {
            return;
        };
        for _ in 0..plots {
            map.observe(range_m, azimuth_rad, r.time_s);
        }
    }

    /// Every (report, track) pair that passes the gate, with its cost.
    fn gate(&self, batch: &[Observation]) -> Vec<Edge> {
        let mut edges = Vec::new();
        let mut near = Vec::new();
        for (i, obs) in batch.iter().enumerate() {
            near.clear();
            self.grid.near(obs.position, &mut near);
            let clutter_nll = self.clutter_neg_log_likelihood(&obs.report);
            let slack_m = obs.position_slack_m();
            for &slot in &near {
                let Some(track) = &self.tracks[slot as usize] else {
                    continue;
                };
                let Some(evidence) = identity_evidence(track, &obs.report) else {
                    continue;
                };
                if !track.may_reach(obs.position, obs.report.time_s, slack_m) {
                    continue;
                }
                let imm = track.predicted(obs.report.time_s, &self.cfg.noise, &self.cfg.switching);
                // A tentative track must confirm by moving as aircraft do, not by the
                // manoeuvre model's wide gate catching clutter.
                let gating_models = match track.status {
                    Status::Tentative => 2,
                    Status::Confirmed => MODEL_COUNT,
                };
                let linear = obs.linearize_models(&imm.x, &track.frame);
                let Some((d2, cost, nll_2d)) = imm.fit(gating_models, &linear) else {
                    continue;
                };
                if d2 > self.chi2[obs.dim()] || nll_2d > clutter_nll {
                    continue;
                }
                edges.push(Edge {
                    obs: i,
                    slot,
                    confirmed: track.status == Status::Confirmed,
                    evidence_llr: 0.5 * (clutter_nll - nll_2d),
                    cost: cost + evidence,
                    imm,
                });
            }
        }
        edges
    }

    /// Updates the track in `slot` with `obs`; `false` when the update is refused (the
    /// track then stays as it was, and the plot may start another).
    fn update(
        &mut self,
        slot: u32,
        imm: Imm,
        evidence_llr: f64,
        obs: &Observation,
        out: &mut Output,
    ) -> bool {
        let revisit = self.sensors[usize::from(obs.report.sensor.0)].revisit_s();
        let speed_max_mps = self.cfg.speed_max_mps;
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
        track.score += missed_llr(r.time_s - track.last_update_s, track.revisit_s)
            + evidence_llr.min(SCORE_STEP_MAX);
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
        if track.status == Status::Tentative
            && track.hits >= self.cfg.confirm_hits
            && track.score >= self.cfg.confirm_score
        {
            track.status = Status::Confirmed;
            track.number = Some(self.next_number);
            self.next_number += 1;
            self.counters.tracks_confirmed += 1;
        }
        let cell = self.grid.cell_of(track.position_ecef());
        if cell != track.cell {
            let old = track.cell;
            track.cell = cell;
            self.grid.remove(slot, old);
            self.grid.insert(slot, cell);
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
    fn one_track_per_address(&mut self, address: u32, slot: u32) {
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

    fn delete(&mut self, slot: u32) {
        if let Some(t) = self.tracks[slot as usize].take() {
            self.grid.remove(slot, t.cell);
            self.free.push(slot);
            self.counters.tracks_deleted += 1;
            if let Some(number) = t.number {
                self.ended.push(number);
            }
        }
    }

    /// An unassigned report: pair it with a waiting one to start a track, or make it wait.
    fn initiate(&mut self, obs: Observation) {
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

    fn start_track(&mut self, first: &Candidate, obs: &Observation, sigma_m: f64) {
        let here = obs.position.to_geodetic();
        let frame = LocalFrame::new(Geodetic::new(here.lat_deg, here.lon_deg, 0.0));
        let p1 = frame.to_enu(obs.position);
        let p0 = frame.to_enu(first.obs.position);
        let dt = obs.report.time_s - first.obs.report.time_s;
        let reach_m = self.cfg.speed_max_mps * dt + 3.0 * (sigma_m + first.sigma_m);
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
        let r = &obs.report;
        let revisit = self.sensors[usize::from(r.sensor.0)].revisit_s();
        let mut track = Track {
            uid: self.next_uid,
            number: None,
            status: Status::Tentative,
            frame,
            imm: Imm::new(x, p),
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
        if track.hits >= self.cfg.confirm_hits && track.score >= self.cfg.confirm_score {
            track.status = Status::Confirmed;
            track.number = Some(self.next_number);
            self.next_number += 1;
            self.counters.tracks_confirmed += 1;
        }
        self.grid.insert(slot, track.cell);
        self.tracks[slot as usize] = Some(track);
    }

    /// The score of a track started from two plots: the second plot, for an aircraft,
    /// lies anywhere within `reach_m` of the first; for clutter, it is one of the clutter
    /// map's plots. Plots that are never clutter (secondary, ADS-B) confirm at once.
    fn start_score(&self, first: &Candidate, obs: &Observation, reach_m: f64) -> f64 {
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

    fn add_candidate(&mut self, obs: Observation, sigma_m: f64) {
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

    fn remove_candidate(&mut self, slot: u32) -> Candidate {
        let c = self.candidates[slot as usize]
            .take()
            .expect("a listed candidate exists");
        self.candidate_grid.remove(slot, c.cell);
        self.free_candidates.push(slot);
        c
    }

    /// Deletes, among the next slice of slots, tracks that stopped being updated and
    /// candidates that waited too long.
    fn maintain_some(&mut self, now: f64) {
        let (mut t_cursor, mut c_cursor, _) = self.maintenance_cursor;
        for _ in 0..MAINTENANCE_SLICE
            .max(self.tracks.len() / MAINTENANCE_PARTS)
            .min(self.tracks.len())
        {
            t_cursor = (t_cursor + 1) % self.tracks.len();
            let Some(t) = &self.tracks[t_cursor] else {
                continue;
            };
            let silent = now - t.last_update_s;
            let limit = match t.status {
                Status::Tentative => self.cfg.tentative_missed_revisits * t.revisit_s + 0.5,
                Status::Confirmed => {
                    (self.cfg.confirmed_missed_revisits * t.revisit_s).max(self.cfg.coast_min_s)
                }
            };
            if silent > limit {
                if t.status == Status::Tentative {
                    let (r, hits) = (t.last_report, t.hits);
                    self.learn_clutter(&r, hits);
                }
                self.delete(t_cursor as u32);
            }
        }
        for _ in 0..MAINTENANCE_SLICE
            .max(self.candidates.len() / MAINTENANCE_PARTS)
            .min(self.candidates.len())
        {
            c_cursor = (c_cursor + 1) % self.candidates.len();
            let Some(c) = self.candidates[c_cursor] else {
                continue;
            };
            let revisit = self.sensors[usize::from(c.obs.report.sensor.0)].revisit_s();
            if now - c.obs.report.time_s > (self.cfg.candidate_revisits * revisit).max(2.5) {
                self.remove_candidate(c_cursor as u32);
                self.learn_clutter(&c.obs.report, 1);
            }
        }
        self.maintenance_cursor = (t_cursor, c_cursor, now);
    }

    /// Drops the squitter and address memories of aircraft no longer heard or tracked.
    fn forget_stale_addresses(&mut self, now: f64) {
        self.adsb_seen.retain(|_, (t, _, _)| now - *t < 5.0);
        let tracks = &self.tracks;
        self.by_address.retain(|addr, slot| {
            let track = tracks.get(*slot as usize).and_then(Option::as_ref);
            track.is_some_and(|t| t.mode_s.map(|m| m.address()) == Some(*addr))
        });
    }

    /// Every confirmed track predicted to `t_s`, as rows.
    fn snapshot(&mut self, t_s: f64, out: &mut Output) {
        for track in self.tracks.iter().flatten() {
            if track.status == Status::Confirmed && track.time_s <= t_s + 1e-9 {
                let imm = track.predicted(t_s, &self.cfg.noise, &self.cfg.switching);
                out.grid.push(track.row(&imm, t_s));
            }
        }
    }
}

/// A gated pair: report `obs` of the batch, track in `slot`, the pair's cost, and the track
/// predicted to the report's time.
struct Edge {
    obs: usize,
    slot: u32,
    confirmed: bool,
    /// The track's score gain from taking the plot.
    evidence_llr: f64,
    cost: f64,
    imm: Imm,
}

/// Identity as evidence: a cost to add to the distance, or `None` when the identities
/// cannot belong to one aircraft (two different Mode S addresses).
fn identity_evidence(track: &Track, r: &Report) -> Option<f64> {
    let mut cost = 0.0;
    match (track.mode_s, r.mode_s) {
        (Some(a), Some(b)) if a != b => return None,
        (Some(_), Some(_)) => cost -= 8.0,
        _ => {}
    }
    match (track.mode3a, r.mode3a) {
        (Some(a), Some(b)) if a == b => cost -= 3.0,
        // Codes change (a squawk to 7700, a new code from ATC): a hint, not a veto.
        (Some(_), Some(_)) => cost += 3.0,
        _ => {}
    }
    Some(cost)
}

fn identity_compatible(a: &Report, b: &Report) -> bool {
    !matches!((a.mode_s, b.mode_s), (Some(x), Some(y)) if x != y)
}

/// How well a report places its target vertically.
fn height_sigma_m(obs: &Observation) -> f64 {
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
fn observation_sigma_m(obs: &Observation, sensor: &SensorModel) -> f64 {
    let s = &sensor.spec;
    match obs.report.measurement {
        Measurement::Polar { range_m, .. } => s
            .sigma_range_m
            .max(range_m * s.sigma_azimuth_deg.to_radians()),
        Measurement::Position { .. } => s.sigma_position_m.unwrap_or(38.0),
    }
}

/// Splits the gated pairs into clusters sharing reports or tracks, and assigns each
/// cluster optimally. Returns, for each report, the index of its edge.
fn assign_clusters(
    n_obs: usize,
    edges: &[Edge],
    chi2: &[f64; 5],
    batch: &[Observation],
) -> Vec<Option<usize>> {
    let mut result = vec![None; n_obs];
    if edges.is_empty() {
        return result;
    }
    // Union-find over reports; tracks join the clusters of the reports they gate with.
    let mut parent: Vec<usize> = (0..n_obs).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut first_obs_of_track: FxHashMap<u32, usize> = FxHashMap::default();
    for e in edges {
        let other = *first_obs_of_track.entry(e.slot).or_insert(e.obs);
        let (a, b) = (root(&mut parent, e.obs), root(&mut parent, other));
        parent[a] = b;
    }
    let mut clusters: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for (k, e) in edges.iter().enumerate() {
        let r = root(&mut parent, e.obs);
        clusters.entry(r).or_default().push(k);
    }
    let mut roots: Vec<_> = clusters.keys().copied().collect();
    roots.sort_unstable();
    for r in roots {
        let cluster = &clusters[&r];
        if cluster.len() == 1 {
            let k = cluster[0];
            result[edges[k].obs] = Some(k);
            continue;
        }
        let mut obs: Vec<usize> = cluster.iter().map(|&k| edges[k].obs).collect();
        obs.sort_unstable();
        obs.dedup();
        let mut slots: Vec<u32> = cluster.iter().map(|&k| edges[k].slot).collect();
        slots.sort_unstable();
        slots.dedup();
        let mut cost = vec![FORBIDDEN; obs.len() * slots.len()];
        let mut edge_at = vec![usize::MAX; obs.len() * slots.len()];
        for &k in cluster {
            let i = obs.binary_search(&edges[k].obs).unwrap_or(0);
            let j = slots.binary_search(&edges[k].slot).unwrap_or(0);
            cost[i * slots.len() + j] = edges[k].cost;
            edge_at[i * slots.len() + j] = k;
        }
        let leave: Vec<f64> = obs
            .iter()
            .map(|&i| chi2[batch[i].dim()] + LEAVE_MARGIN)
            .collect();
        for (i, choice) in assign_or_leave(&cost, obs.len(), slots.len(), &leave)
            .into_iter()
            .enumerate()
        {
            if let Some(j) = choice {
                result[obs[i]] = Some(edge_at[i * slots.len() + j]);
            }
        }
    }
    result
}

fn update_of(track: &Track) -> TrackUpdate {
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

/// The χ² quantile for `k` degrees of freedom at probability `p`, by bisection on the CDF.
/// The gates for 0 to 4 measured dimensions.
pub(crate) fn chi2_for(cfg: &Config) -> [f64; 5] {
    [0, 1, 2, 3, 4].map(|k| chi2_quantile(k, cfg.gate_probability))
}

pub fn chi2_quantile(k: usize, p: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, 200.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if chi2_cdf(k, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The χ² CDF: the regularised lower incomplete gamma P(k/2, x/2), by its power series.
fn chi2_cdf(k: usize, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let s = 0.5 * k as f64;
    let y = 0.5 * x;
    let mut term = 1.0 / s;
    let mut sum = term;
    for n in 1..1_000 {
        term *= y / (s + n as f64);
        sum += term;
        if term < sum * 1e-16 {
            break;
        }
    }
    (s * y.ln() - y - ln_gamma_half_integer(s)).exp() * sum
}

/// ln Γ(s) for s a positive multiple of ½, the only arguments a χ² needs.
fn ln_gamma_half_integer(s: f64) -> f64 {
    // Γ(½) = √π, Γ(1) = 1, and Γ(s + 1) = s Γ(s).
    let (mut v, mut g) = if s.fract() == 0.0 {
        (1.0, 0.0)
    } else {
        (0.5, 0.5 * std::f64::consts::PI.ln())
    };
    while v < s {
        g += v.ln();
        v += 1.0;
    }
    g
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
