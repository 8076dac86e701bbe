//! # vigie-eval: how good is a track picture against the truth
//!
//! Scores tracks against ground truth at the instants both exist, the way tracking research
//! does: GOSPA (α = 2) with its location, missed and false parts; OSPA; position and
//! velocity RMSE over assigned pairs; completeness; false tracks; identity switches and track
//! breaks. At each instant, truth and tracks are paired by an optimal assignment with the
//! cut-off `c` (`vigie_core::assign`), and the same pairing feeds every figure.
//!
//! Positions are compared in ECEF (3-D Euclidean distance), velocities in north-east-up.
//! It reads nothing and writes nothing: rows in, a [`Report`] out.

pub mod picture;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use vigie_core::assign::hungarian;
use vigie_core::interop::{TrackRow, TruthRow};
use vigie_core::Geodetic;

/// The metric's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Params {
    /// Cut-off distance `c`, metres.
    pub c_m: f64,
    /// Order `p`.
    pub p: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            c_m: 5_000.0,
            p: 1.0,
        }
    }
}

/// The scores at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Step {
    pub time_s: f64,
    pub truths: usize,
    pub tracks: usize,
    /// (Σ dᵖ + cᵖ/2 (missed + false))^(1/p)
    pub gospa: f64,
    pub gospa_location: f64,
    pub gospa_missed: f64,
    pub gospa_false: f64,
    pub ospa: f64,
    pub assigned: usize,
}

/// Everything `vigie eval` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub params: Params,
    pub steps: usize,
    /// Mean over instants of each instant's GOSPA: Stone Soup's "summed per time step" figure.
    pub gospa_mean: f64,
    /// Mean of GOSPA per instant divided by max(truths, tracks), the p-th root taken after.
    pub gospa_normalised_mean: f64,
    /// Means over instants of the three parts, each in GOSPA's p-th power units.
    pub gospa_location_mean: f64,
    pub gospa_missed_mean: f64,
    pub gospa_false_mean: f64,
    pub ospa_mean: f64,
    pub position_rmse_m: f64,
    pub velocity_rmse_mps: f64,
    /// Share of truth instants with a track assigned.
    pub completeness: f64,
    /// Unassigned tracks per instant.
    pub false_tracks_per_step: f64,
    pub truth_targets: usize,
    pub track_ids: usize,
    /// A target's assigned track number changed.
    pub id_switches: usize,
    /// A target lost its track for one instant or more, then had one again.
    pub breaks: usize,
    pub per_step: Vec<Step>,
}

struct Point {
    id: u32,
    ecef: [f64; 3],
    velocity_neu: [f64; 3],
}

fn point(id: u32, lat: f64, lon: f64, alt: f64, v: [f64; 3]) -> Point {
    Point {
        id,
        ecef: Geodetic::new(lat, lon, alt).to_ecef().as_array(),
        velocity_neu: v,
    }
}

fn distance(a: &Point, b: &Point) -> f64 {
    (0..3)
        .map(|i| (a.ecef[i] - b.ecef[i]).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Points grouped by their instant, in milliseconds.
fn by_instant(
    rows: impl Iterator<Item = (f64, u32, f64, f64, f64, [f64; 3])>,
) -> BTreeMap<i64, Vec<Point>> {
    let mut at: BTreeMap<i64, Vec<Point>> = BTreeMap::new();
    for (t, id, lat, lon, alt, v) in rows {
        at.entry((t * 1000.0).round() as i64)
            .or_default()
            .push(point(id, lat, lon, alt, v));
    }
    at
}

/// Scores `tracks` against `truth` at every instant where tracks exist and truth was sampled.
pub fn evaluate(truth: &[TruthRow], tracks: &[TrackRow], params: Params) -> Report {
    let truth_at = by_instant(truth.iter().map(|r| {
        (
            r.time_s,
            r.target_id,
            r.lat_deg,
            r.lon_deg,
            r.alt_m,
            [r.vn_mps, r.ve_mps, r.vu_mps],
        )
    }));
    let track_at = by_instant(tracks.iter().map(|r| {
        (
            r.time_s,
            r.track_id,
            r.lat_deg,
            r.lon_deg,
            r.alt_m,
            [r.vn_mps, r.ve_mps, r.vu_mps],
        )
    }));
    // Instants: the tracks' time grid, from the first truth sample to the last track instant,
    // wherever truth was sampled; an instant with truth and no track counts too.
    let (Some(&first), Some(&last)) = (track_at.keys().next(), track_at.keys().next_back()) else {
        return empty(params);
    };
    let step_ms = track_at
        .keys()
        .zip(track_at.keys().skip(1))
        .map(|(a, b)| b - a)
        .min()
        .unwrap_or(1000);
    let instants: Vec<i64> = truth_at
        .range(..=last)
        .map(|(k, _)| *k)
        .filter(|k| (k - first).rem_euclid(step_ms) == 0)
        .collect();
    let none = Vec::new();
    let mut acc = Accumulator::default();
    for k in instants {
        let xs = &truth_at[&k];
        let ys = track_at.get(&k).unwrap_or(&none);
        acc.step(k as f64 / 1000.0, xs, ys, params);
    }
    acc.finish(params)
}

fn empty(params: Params) -> Report {
    Accumulator::default().finish(params)
}

#[derive(Default)]
struct Accumulator {
    steps: Vec<Step>,
    pos_sq: f64,
    vel_sq: f64,
    pairs: usize,
    truth_instants: usize,
    /// Per target: the sequence of (instant index, assigned track id or none).
    history: HashMap<u32, Vec<Option<u32>>>,
    track_ids: std::collections::HashSet<u32>,
}

impl Accumulator {
    fn step(&mut self, time_s: f64, xs: &[Point], ys: &[Point], params: Params) {
        let c_p = params.c_m.powf(params.p);
        let pairs = pair(xs, ys, params.c_m, params.p);
        let mut location = 0.0;
        for &(i, j, d) in &pairs {
            location += d.powf(params.p);
            self.pos_sq += d * d;
            self.vel_sq += (0..3)
                .map(|k| (xs[i].velocity_neu[k] - ys[j].velocity_neu[k]).powi(2))
                .sum::<f64>();
        }
        self.pairs += pairs.len();
        self.truth_instants += xs.len();
        let missed = (xs.len() - pairs.len()) as f64 * c_p / 2.0;
        let false_ = (ys.len() - pairs.len()) as f64 * c_p / 2.0;
        let gospa_p = location + missed + false_;
        let n = xs.len().max(ys.len());
        // OSPA: every unpaired element of the larger set costs cᵖ, pairs at most cᵖ.
        let ospa = if n == 0 {
            0.0
        } else {
            ((location + c_p * (n - pairs.len()) as f64) / n as f64).powf(1.0 / params.p)
        };
        self.steps.push(Step {
            time_s,
            truths: xs.len(),
            tracks: ys.len(),
            gospa: gospa_p.powf(1.0 / params.p),
            gospa_location: location,
            gospa_missed: missed,
            gospa_false: false_,
            ospa,
            assigned: pairs.len(),
        });
        let mut assigned: HashMap<u32, u32> = HashMap::new();
        for &(i, j, _) in &pairs {
            assigned.insert(xs[i].id, ys[j].id);
        }
        for x in xs {
            self.history
                .entry(x.id)
                .or_default()
                .push(assigned.get(&x.id).copied());
        }
        self.track_ids.extend(ys.iter().map(|y| y.id));
    }

    fn finish(self, params: Params) -> Report {
        let n = self.steps.len().max(1) as f64;
        let mean = |f: fn(&Step) -> f64| self.steps.iter().map(f).sum::<f64>() / n;
        let normalised = self
            .steps
            .iter()
            .map(|s| {
                let m = s.truths.max(s.tracks);
                if m == 0 {
                    0.0
                } else {
                    (s.gospa.powf(params.p) / m as f64).powf(1.0 / params.p)
                }
            })
            .sum::<f64>()
            / n;
        let (mut switches, mut breaks) = (0, 0);
        for seq in self.history.values() {
            let (s, b) = switches_and_breaks(seq);
            switches += s;
            breaks += b;
        }
        let pairs = self.pairs.max(1) as f64;
        Report {
            params,
            steps: self.steps.len(),
            gospa_mean: mean(|s| s.gospa),
            gospa_normalised_mean: normalised,
            gospa_location_mean: mean(|s| s.gospa_location),
            gospa_missed_mean: mean(|s| s.gospa_missed),
            gospa_false_mean: mean(|s| s.gospa_false),
            ospa_mean: mean(|s| s.ospa),
            position_rmse_m: (self.pos_sq / pairs).sqrt(),
            velocity_rmse_mps: (self.vel_sq / pairs).sqrt(),
            completeness: self.pairs as f64 / self.truth_instants.max(1) as f64,
            false_tracks_per_step: mean(|s| (s.tracks - s.assigned) as f64),
            truth_targets: self.history.len(),
            track_ids: self.track_ids.len(),
            id_switches: switches,
            breaks,
            per_step: self.steps,
        }
    }
}

/// Counts, along one target's sequence of assigned tracks, the changes of track number
/// (switches) and the returns to a track after a gap (breaks).
pub fn switches_and_breaks(seq: &[Option<u32>]) -> (usize, usize) {
    let (mut switches, mut breaks) = (0, 0);
    let mut last: Option<u32> = None;
    let mut gap = false;
    for a in seq {
        match a {
            Some(id) => {
                if let Some(prev) = last {
                    if prev != *id {
                        switches += 1;
                    }
                    if gap {
                        breaks += 1;
                    }
                }
                last = Some(*id);
                gap = false;
            }
            None => gap = last.is_some(),
        }
    }
    (switches, breaks)
}

/// The optimal pairing of truth and tracks with cut-off `c`: (truth, track, distance) for
/// pairs closer than `c`.
fn pair(xs: &[Point], ys: &[Point], c_m: f64, p: f64) -> Vec<(usize, usize, f64)> {
    if xs.is_empty() || ys.is_empty() {
        return Vec::new();
    }
    let (rows, cols, transposed) = if xs.len() <= ys.len() {
        (xs, ys, false)
    } else {
        (ys, xs, true)
    };
    let cap = c_m.powf(p);
    let cost: Vec<f64> = rows
        .iter()
        .flat_map(|r| cols.iter().map(move |c| distance(r, c).powf(p).min(cap)))
        .collect();
    hungarian(&cost, rows.len(), cols.len())
        .into_iter()
        .enumerate()
        .filter_map(|(r, c)| {
            let d = distance(&rows[r], &cols[c]);
            (d < c_m).then_some(if transposed { (c, r, d) } else { (r, c, d) })
        })
        .collect()
}

impl Report {
    /// The figures as a table for a terminal.
    pub fn table(&self) -> String {
        let p = &self.params;
        let rows: Vec<(String, String)> = vec![
            ("instants scored".into(), self.steps.to_string()),
            (
                format!("GOSPA mean (c {:.0} m, p {}, α 2)", p.c_m, p.p),
                format!("{:.1}", self.gospa_mean),
            ),
            (
                "  location part (mean, p-th power)".into(),
                format!("{:.1}", self.gospa_location_mean),
            ),
            (
                "  missed part".into(),
                format!("{:.1}", self.gospa_missed_mean),
            ),
            (
                "  false part".into(),
                format!("{:.1}", self.gospa_false_mean),
            ),
            (
                "GOSPA normalised mean".into(),
                format!("{:.1}", self.gospa_normalised_mean),
            ),
            ("OSPA mean".into(), format!("{:.1}", self.ospa_mean)),
            (
                "position RMSE".into(),
                format!("{:.1} m", self.position_rmse_m),
            ),
            (
                "velocity RMSE".into(),
                format!("{:.2} m/s", self.velocity_rmse_mps),
            ),
            (
                "completeness".into(),
                format!("{:.1} %", 100.0 * self.completeness),
            ),
            (
                "false tracks per instant".into(),
                format!("{:.2}", self.false_tracks_per_step),
            ),
            (
                "targets / track numbers".into(),
                format!("{} / {}", self.truth_targets, self.track_ids),
            ),
            ("id switches".into(), self.id_switches.to_string()),
            ("track breaks".into(), self.breaks.to_string()),
        ];
        let w = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        rows.iter()
            .map(|(k, v)| format!("{k:<w$}  {v}\n"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truth(t: f64, id: u32, lat: f64) -> TruthRow {
        TruthRow {
            time_s: t,
            target_id: id,
            lat_deg: lat,
            lon_deg: 2.0,
            alt_m: 1000.0,
            vn_mps: 100.0,
            ve_mps: 0.0,
            vu_mps: 0.0,
            type_name: "airliner".into(),
        }
    }

    fn track(t: f64, id: u32, lat: f64) -> TrackRow {
        TrackRow {
            time_s: t,
            track_id: id,
            lat_deg: lat,
            lon_deg: 2.0,
            alt_m: 1000.0,
            vn_mps: 100.0,
            ve_mps: 0.0,
            vu_mps: 0.0,
            mode3a: None,
            mode_s: None,
            callsign: None,
        }
    }

    #[test]
    fn gospa_of_a_perfect_picture_is_zero_and_of_misses_is_half_c_each() {
        let t = [truth(0.0, 1, 13.0), truth(0.0, 2, 14.0)];
        let perfect = evaluate(
            &t,
            &[track(0.0, 7, 13.0), track(0.0, 8, 14.0)],
            Params::default(),
        );
        assert!(perfect.gospa_mean < 1e-6 && perfect.completeness == 1.0);
        // One missed target and one false track far away: c/2 each, p = 1.
        let half = evaluate(
            &t,
            &[track(0.0, 7, 13.0), track(0.0, 9, 20.0)],
            Params::default(),
        );
        assert!(
            (half.gospa_mean - 5_000.0).abs() < 1e-6,
            "{}",
            half.gospa_mean
        );
        assert!(
            (half.ospa_mean - 2_500.0).abs() < 1e-6,
            "{}",
            half.ospa_mean
        );
        assert_eq!(half.completeness, 0.5);
        assert_eq!(half.false_tracks_per_step, 1.0);
    }

    #[test]
    fn a_known_offset_gives_its_rmse() {
        // 0.01° of latitude is about 1,106 m at 13° N.
        let t = [truth(0.0, 1, 13.0), truth(6.0, 1, 13.0)];
        let r = evaluate(
            &t,
            &[track(0.0, 7, 13.01), track(6.0, 7, 13.01)],
            Params::default(),
        );
        assert!(
            (r.position_rmse_m - 1_106.0).abs() < 5.0,
            "{}",
            r.position_rmse_m
        );
        assert_eq!(r.steps, 2);
    }

    #[test]
    fn switches_and_breaks_are_counted() {
        let seq = [
            None,
            Some(1),
            Some(1),
            None,
            Some(1),
            Some(2),
            None,
            None,
            Some(3),
        ];
        assert_eq!(switches_and_breaks(&seq), (2, 2));
        assert_eq!(switches_and_breaks(&[Some(4), Some(4)]), (0, 0));
    }
}
