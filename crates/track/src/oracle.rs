//! The oracle: vigie's own filters, told which target made each report.
//!
//! What is a tracker's score worth? A scenario with 500 clutter plots per scan and a Pd of
//! 0.6 is hard for any tracker, one with a clean sky easy for all. The oracle sets the
//! bar each scenario allows: the same two-plot start, the same IMM and the same radar
//! measurement models as [`crate::Tracker`], but with the true associations, so it never
//! starts on clutter, never swaps targets and never loses one. It shows a track from its
//! target's second report until one revisit after its target's last. A tracker scored
//! against it (GOSPA(tracker) / GOSPA(oracle)) is judged on what it can change:
//! association and track management, not what the sensors allow.
//!
//! It knows the future (each target's last report), which no tracker may; it is for
//! scoring only, and reads no more than the reports and their origins.

use std::collections::HashMap;

use vigie_core::interop::TrackRow;
use vigie_core::{PlotKind, Report, SensorTable};

use crate::measure::{Observation, SensorModel};
use crate::registration::Bias;
use crate::track::{Status, Track};
use crate::tracker::initiate::{observation_sigma_m, two_plot_start};
use crate::tracker::{Candidate, Config};

/// The oracle's picture of `reports` (in time order, each with the target it came from,
/// `None` for clutter), sampled every `grid_s` from 0: rows as `vigie track --grid-s` writes.
/// Track numbers are the targets' ids plus one.
pub fn track(
    cfg: &Config,
    table: &SensorTable,
    reports: &[(Report, Option<u32>)],
    grid_s: f64,
) -> Vec<TrackRow> {
    let sensors: Vec<SensorModel> = table.sensor.iter().cloned().map(SensorModel::new).collect();
    let mut last_s: HashMap<u32, f64> = HashMap::new();
    for (r, origin) in reports {
        if let Some(id) = origin {
            last_s.insert(*id, r.time_s);
        }
    }
    let mut firsts: HashMap<u32, Candidate> = HashMap::new();
    let mut tracks: HashMap<u32, Track> = HashMap::new();
    let mut rows = Vec::new();
    let mut next_grid_s = 0.0;
    for (r, origin) in reports {
        while next_grid_s < r.time_s {
            snapshot(cfg, &tracks, &last_s, next_grid_s, &mut rows);
            next_grid_s += grid_s;
        }
        let (Some(id), Some(sensor)) = (origin, sensors.get(usize::from(r.sensor.0))) else {
            continue;
        };
        let Some(obs) = Observation::new(*r, sensor, Bias::default()) else {
            continue;
        };
        match tracks.get_mut(id) {
            Some(t) => update(cfg, t, &obs, sensor),
            None => start(&mut firsts, &mut tracks, *id, obs, sensor),
        }
    }
    let end_s = last_s.values().copied().fold(0.0, f64::max) + grid_s;
    while next_grid_s <= end_s {
        snapshot(cfg, &tracks, &last_s, next_grid_s, &mut rows);
        next_grid_s += grid_s;
    }
    rows
}

fn start(
    firsts: &mut HashMap<u32, Candidate>,
    tracks: &mut HashMap<u32, Track>,
    id: u32,
    obs: Observation,
    sensor: &SensorModel,
) {
    let sigma_m = observation_sigma_m(&obs, sensor);
    let first = match firsts.get(&id) {
        // The tracker pairs plots at least 0.2 s apart: one squitter heard twice is not two.
        Some(f) if obs.report.time_s - f.obs.report.time_s >= 0.2 => *f,
        _ => {
            firsts.insert(
                id,
                Candidate {
                    obs,
                    sigma_m,
                    cell: Default::default(),
                },
            );
            return;
        }
    };
    let (frame, imm) = two_plot_start(&first, &obs, sigma_m);
    let dt = obs.report.time_s - first.obs.report.time_s;
    let r = obs.report;
    tracks.insert(
        id,
        Track {
            uid: u64::from(id),
            number: Some(id + 1),
            status: Status::Confirmed,
            frame,
            imm,
            time_s: r.time_s,
            last_update_s: r.time_s,
            hits: 2,
            last_report: r,
            score: 0.0,
            revisit_s: sensor.revisit_s().min(dt.max(0.1)),
            mode3a: r.mode3a,
            mode_s: r.mode_s,
            callsign: r.callsign,
            sensors: Vec::new(),
            last_adsb_s: f64::NEG_INFINITY,
            last_transponder_s: None,
            cell: Default::default(),
        },
    );
}

fn update(cfg: &Config, t: &mut Track, obs: &Observation, sensor: &SensorModel) {
    // The same squitter heard at a second station is the same measurement, not a new one.
    if obs.report.kind == PlotKind::Adsb && (obs.report.time_s - t.last_update_s).abs() < 1e-3 {
        return;
    }
    let mut imm = t.predicted(obs.report.time_s, &cfg.noise, &cfg.switching);
    if !imm.update(|x| obs.linearize(x, &t.frame)) {
        return;
    }
    t.imm = imm;
    t.time_s = obs.report.time_s;
    t.last_update_s = obs.report.time_s;
    let revisit = sensor.revisit_s();
    t.revisit_s = if revisit <= t.revisit_s {
        revisit
    } else {
        0.8 * t.revisit_s + 0.2 * revisit
    };
    t.reanchor(cfg.reanchor_m);
}

fn snapshot(
    cfg: &Config,
    tracks: &HashMap<u32, Track>,
    last_s: &HashMap<u32, f64>,
    t_s: f64,
    rows: &mut Vec<TrackRow>,
) {
    let mut ids: Vec<&u32> = tracks.keys().collect();
    ids.sort_unstable();
    for id in ids {
        let t = &tracks[id];
        let last = last_s.get(id).copied().unwrap_or(f64::NEG_INFINITY);
        if t.time_s <= t_s + 1e-9 && t_s <= last + t.revisit_s {
            let imm = t.predicted(t_s, &cfg.noise, &cfg.switching);
            rows.push(t.row(&imm, t_s));
        }
    }
}
