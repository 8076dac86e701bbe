//! Gate: which tracks each report of a batch could belong to, and at what cost. The grid
//! proposes nearby tracks; each is predicted to the report's own time and kept when the
//! report falls inside its χ² gate and is likelier the track's than clutter's. Mode S and
//! Mode 3/A are evidence for or against a pairing.

use vigie_core::{Measurement, PlotKind, Report};

use super::{Config, Tracker};
use crate::clutter::ClutterMap;
use crate::imm::{Imm, MODEL_COUNT};
use crate::measure::Observation;
use crate::track::{Status, Track};

/// The detection probability assumed when weighing a plot against clutter.
pub(crate) const NOMINAL_PD: f64 = 0.9;

/// Range and azimuth of a primary radar plot: the only reports that may be clutter.
pub(crate) fn primary_polar(r: &Report) -> Option<(f64, f64)> {
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

/// A gated pair: report `obs` of the batch, track in `slot`, the pair's cost, and the track
/// predicted to the report's time.
pub(crate) struct Edge {
    pub(crate) obs: usize,
    pub(crate) slot: u32,
    pub(crate) confirmed: bool,
    /// The track's score gain from taking the plot.
    pub(crate) evidence_llr: f64,
    pub(crate) cost: f64,
    pub(crate) imm: Imm,
}

/// Identity as evidence: a cost to add to the distance, or `None` when the identities
/// cannot belong to one aircraft (two different Mode S addresses).
pub(crate) fn identity_evidence(track: &Track, r: &Report) -> Option<f64> {
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

pub(crate) fn identity_compatible(a: &Report, b: &Report) -> bool {
    !matches!((a.mode_s, b.mode_s), (Some(x), Some(y)) if x != y)
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
pub(crate) fn chi2_cdf(k: usize, x: f64) -> f64 {
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
pub(crate) fn ln_gamma_half_integer(s: f64) -> f64 {
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

impl Tracker {
    /// −2 ln of how likely the report is as clutter, against a track's target detected with
    /// `NOMINAL_PD`: no limit for reports that are never clutter (ADS-B, SSR).
    pub(crate) fn clutter_neg_log_likelihood(&self, r: &Report) -> f64 {
        match self.clutter_density(r) {
            Some((density, _)) => -2.0 * (density / NOMINAL_PD).ln(),
            None => f64::INFINITY,
        }
    }

    /// The clutter density around a primary radar plot, and the plot's range; `None` for
    /// reports that are never clutter (secondary, ADS-B).
    pub(crate) fn clutter_density(&self, r: &Report) -> Option<(f64, f64)> {
        let (range_m, azimuth_rad) = primary_polar(r)?;
        let map = self.clutter[usize::from(r.sensor.0)].as_ref()?;
        Some((map.density(range_m, azimuth_rad, r.time_s), range_m))
    }

    /// Counts a primary plot in its radar's clutter map: every plot no confirmed track
    /// takes, as it comes (`unlearn_clutter` takes back a confirming track's plots, so the
    /// map does not learn the traffic).
    pub(crate) fn learn_clutter(&mut self, r: &Report, plots: u32) {
        if let Some((map, range_m, azimuth_rad)) = self.clutter_map_of(r) {
            for _ in 0..plots {
                map.observe(range_m, azimuth_rad, r.time_s);
            }
        }
    }

    /// Takes back `plots` plots counted as clutter: a tentative track's, when it confirms.
    pub(crate) fn unlearn_clutter(&mut self, r: &Report, plots: u32) {
        if let Some((map, range_m, azimuth_rad)) = self.clutter_map_of(r) {
            for _ in 0..plots {
                map.unobserve(range_m, azimuth_rad);
            }
        }
    }

    /// A primary plot's radar's clutter map, and where the plot is in it.
    fn clutter_map_of(&mut self, r: &Report) -> Option<(&mut ClutterMap, f64, f64)> {
        let (range_m, azimuth_rad) = primary_polar(r)?;
        let map = self.clutter[usize::from(r.sensor.0)].as_mut()?;
        Some((map, range_m, azimuth_rad))
    }

    /// Every (report, track) pair that passes the gate, with its cost.
    pub(crate) fn gate(&self, batch: &[Observation]) -> Vec<Edge> {
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
}
