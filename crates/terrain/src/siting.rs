//! Where the radars should go: choose sites among candidates to cover the most of a country
//! at one or several layers, or the fewest sites for a target share.
//!
//! Each candidate's coverage at each layer becomes a bitset over the country's cells, row by
//! row, so a site's marginal gain is a sum of popcounts times each row's cell area. Greedy
//! selection with lazy evaluation (a candidate's gain only shrinks as sites are added, so a
//! stale gain is an upper bound) finds a good set fast; swaps then improve it; and the best
//! k remaining gains over the final set bound what any k-site plan could reach.

use crate::area::CountryMask;
use crate::coverage::{radar_coverage, CoverageError, RadarSite};
use crate::dem::Dem;
use crate::network::Reference;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layer {
    pub height_m: f64,
    pub reference: Reference,
}

/// Every candidate's coverage of the country, per layer, as row-aligned bitsets.
pub struct Sets {
    /// Per country row: its first word and word count, and the area of one of its cells.
    rows: Vec<(usize, usize, f64)>,
    words: usize,
    /// `[candidate][layer]` → bitset of `words` words.
    sets: Vec<Vec<Vec<u64>>>,
    layers: usize,
    area_km2: f64,
}

impl Sets {
    pub fn new(
        dem: &Dem,
        mask: &CountryMask,
        candidates: &[RadarSite],
        layers: &[Layer],
        mut progress: impl FnMut(usize),
    ) -> Result<Sets, CoverageError> {
        let mut rows = Vec::new();
        let mut words = 0;
        for r in 0..dem.rows {
            let n = mask.cells_in_row(r);
            let w = n.div_ceil(64);
            rows.push((words, w, mask.cell_area_km2(r)));
            words += w;
        }
        let mut sets = Vec::with_capacity(candidates.len());
        for (i, site) in candidates.iter().enumerate() {
            let cov = radar_coverage(dem, site)?;
            let per_layer = layers
                .iter()
                .map(|layer| {
                    let mut bits = vec![0u64; words];
                    for (r, &(w0, _, _)) in rows.iter().enumerate() {
                        for (j, c) in mask.row_cells(r).enumerate() {
                            let v = match layer.reference {
                                Reference::Ground => cov.agl_at(r, c),
                                Reference::Sea => cov.asl_at(r, c),
                            };
                            if v.is_some_and(|v| f64::from(v) <= layer.height_m) {
                                bits[w0 + j / 64] |= 1 << (j % 64);
                            }
                        }
                    }
                    bits
                })
                .collect();
            sets.push(per_layer);
            progress(i + 1);
        }
        Ok(Sets {
            rows,
            words,
            sets,
            layers: layers.len(),
            area_km2: mask.area_km2,
        })
    }

    /// Area (km², summed over layers) that `candidate` adds to `covered`.
    fn gain(&self, candidate: usize, covered: &[Vec<u64>]) -> f64 {
        let mut total = 0.0;
        for (l, cov) in covered.iter().enumerate() {
            let set = &self.sets[candidate][l];
            for &(w0, n, area) in &self.rows {
                let fresh: u32 = (w0..w0 + n).map(|w| (set[w] & !cov[w]).count_ones()).sum();
                total += f64::from(fresh) * area;
            }
        }
        total
    }

    fn union(&self, chosen: &[usize]) -> Vec<Vec<u64>> {
        let mut covered = vec![vec![0u64; self.words]; self.layers];
        for &c in chosen {
            self.add(&mut covered, c);
        }
        covered
    }

    fn add(&self, covered: &mut [Vec<u64>], c: usize) {
        for (l, cov) in covered.iter_mut().enumerate() {
            for (w, bits) in cov.iter_mut().zip(&self.sets[c][l]) {
                *w |= bits;
            }
        }
    }

    /// Covered share (0–1) of each layer.
    pub fn shares(&self, chosen: &[usize]) -> Vec<f64> {
        self.union(chosen)
            .iter()
            .map(|cov| {
                self.rows
                    .iter()
                    .map(|&(w0, n, area)| {
                        let bits: u32 = cov[w0..w0 + n].iter().map(|w| w.count_ones()).sum();
                        f64::from(bits) * area
                    })
                    .sum::<f64>()
                    / self.area_km2
            })
            .collect()
    }

    fn objective(&self, chosen: &[usize]) -> f64 {
        self.shares(chosen).iter().sum::<f64>() * self.area_km2
    }

    /// The same candidates, one layer only (layer `l`).
    pub fn subset_layer(&self, l: usize) -> Sets {
        Sets {
            rows: self.rows.clone(),
            words: self.words,
            sets: self.sets.iter().map(|per| vec![per[l].clone()]).collect(),
            layers: 1,
            area_km2: self.area_km2,
        }
    }

    pub fn len(&self) -> usize {
        self.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// A chosen set of sites and how good it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Indices into the candidates, in the order greedy picked them.
    pub chosen: Vec<usize>,
    /// Covered share of each layer.
    pub shares: Vec<f64>,
    /// The best any plan of this size could cover, as a share averaged over layers (an
    /// upper bound from the remaining marginal gains).
    pub upper_bound: f64,
}

/// Greedy with lazy evaluation, `sites` picks (stopping early once `stop` holds).
fn greedy(sets: &Sets, sites: usize, stop: impl Fn(&[usize]) -> bool) -> Vec<usize> {
    let mut covered = sets.union(&[]);
    // (stale gain, candidate): the largest stale gain is checked first.
    let mut heap: std::collections::BinaryHeap<(OrdF64, usize)> = (0..sets.len())
        .map(|c| (OrdF64(sets.gain(c, &covered)), c))
        .collect();
    let mut chosen = Vec::new();
    while chosen.len() < sites && !stop(&chosen) {
        let Some((OrdF64(stale), c)) = heap.pop() else {
            break;
        };
        let fresh = sets.gain(c, &covered);
        let next = heap.peek().map_or(f64::NEG_INFINITY, |(g, _)| g.0);
        if fresh >= next || fresh >= stale {
            if fresh <= 0.0 {
                break;
            }
            sets.add(&mut covered, c);
            chosen.push(c);
        } else {
            heap.push((OrdF64(fresh), c));
        }
    }
    chosen
}

/// Swaps a chosen site for an unchosen one while that improves the objective.
fn local_search(sets: &Sets, chosen: &mut [usize], rounds: usize) {
    let mut best = sets.objective(chosen);
    for _ in 0..rounds {
        let mut improved = false;
        for i in 0..chosen.len() {
            let others: Vec<usize> = chosen
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &c)| c)
                .collect();
            let covered = sets.union(&others);
            let base = sets.objective(&others);
            let (mut top, mut pick) = (best - base, chosen[i]);
            for c in (0..sets.len()).filter(|c| !chosen.contains(c)) {
                let g = sets.gain(c, &covered);
                if g > top + 1e-6 {
                    (top, pick) = (g, c);
                }
            }
            if pick != chosen[i] {
                chosen[i] = pick;
                best = base + top;
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
}

fn plan_of(sets: &Sets, chosen: Vec<usize>) -> Plan {
    let covered = sets.union(&chosen);
    let mut gains: Vec<f64> = (0..sets.len())
        .filter(|c| !chosen.contains(c))
        .map(|c| sets.gain(c, &covered))
        .collect();
    gains.sort_by(|a, b| b.total_cmp(a));
    let shares = sets.shares(&chosen);
    let now = shares.iter().sum::<f64>() * sets.area_km2;
    let bound = now + gains.iter().take(chosen.len()).sum::<f64>();
    let layers = shares.len().max(1) as f64;
    Plan {
        chosen,
        upper_bound: (bound / sets.area_km2 / layers).min(1.0),
        shares,
    }
}

/// The best `sites` sites found: greedy, then swaps.
pub fn best_sites(sets: &Sets, sites: usize) -> Plan {
    let mut chosen = greedy(sets, sites, |_| false);
    local_search(sets, &mut chosen, 4);
    plan_of(sets, chosen)
}

/// The fewest sites for every layer's share to reach `target` (0–1); `None` when all the
/// candidates together do not.
/// Greedy gives a count that reaches it; swaps then try each smaller count in turn.
pub fn fewest_sites(sets: &Sets, target: f64) -> Option<Plan> {
    let reached = |chosen: &[usize]| sets.shares(chosen).iter().all(|&s| s >= target);
    let mut best = greedy(sets, sets.len(), reached);
    if !reached(&best) {
        return None;
    }
    while best.len() > 1 {
        let mut fewer = greedy(sets, best.len() - 1, |_| false);
        local_search(sets, &mut fewer, 4);
        if !reached(&fewer) {
            break;
        }
        best = fewer;
    }
    Some(plan_of(sets, best))
}

/// Candidates on a grid of `spacing_km` inside the country's mask.
pub fn grid_candidates(
    dem: &Dem,
    mask: &CountryMask,
    spacing_km: f64,
    template: RadarSite,
) -> Vec<RadarSite> {
    let step_rows = ((spacing_km / (dem.cell_deg.to_radians() * 6_371.0)).round() as usize).max(1);
    let mut out = Vec::new();
    for r in (step_rows / 2..dem.rows).step_by(step_rows) {
        let (lat, _) = dem.cell_centre(r, 0);
        let step_cols = ((step_rows as f64) / lat.to_radians().cos())
            .round()
            .max(1.0) as usize;
        for c in mask.row_cells(r).filter(|c| c % step_cols == step_cols / 2) {
            if dem.height_at_cell(r, c).is_some() {
                let (lat_deg, lon_deg) = dem.cell_centre(r, c);
                out.push(RadarSite {
                    lat_deg,
                    lon_deg,
                    ..template
                });
            }
        }
    }
    out
}

/// A gain ordered by `total_cmp`, for the lazy-greedy heap.
#[derive(Debug, Clone, Copy)]
struct OrdF64(f64);
impl PartialEq for OrdF64 {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flat ground, a square "country", candidates on a line: the best two are far apart.
    #[test]
    fn greedy_spreads_radars_and_swaps_do_not_hurt() {
        let n = 240;
        let dem = Dem::new(12.0, 0.0, 1.0 / 60.0, n, n, vec![300; n * n]).unwrap();
        let square = vec![(0.5, 8.5), (3.5, 8.5), (3.5, 11.5), (0.5, 11.5), (0.5, 8.5)];
        let mask = CountryMask::new(&dem, &[square]);
        let template = RadarSite {
            lat_deg: 0.0,
            lon_deg: 0.0,
            antenna_agl_m: 30.0,
            range_m: 120_000.0,
            elevation_min_deg: None,
            refraction_k: 4.0 / 3.0,
        };
        let candidates: Vec<RadarSite> = (0..7)
            .map(|i| RadarSite {
                lat_deg: 10.0,
                lon_deg: 0.75 + 0.4 * f64::from(i),
                ..template
            })
            .collect();
        let layers = [Layer {
            height_m: 1_000.0,
            reference: Reference::Ground,
        }];
        let sets = Sets::new(&dem, &mask, &candidates, &layers, |_| {}).unwrap();
        let plan = best_sites(&sets, 2);
        let mut picked = plan.chosen.clone();
        picked.sort();
        assert!(picked[1] - picked[0] >= 3, "{picked:?}");
        assert!(plan.shares[0] <= plan.upper_bound + 1e-9);
        let one = best_sites(&sets, 1);
        assert!(plan.shares[0] > one.shares[0]);
        let fewest = fewest_sites(&sets, plan.shares[0] - 1e-6).expect("reachable");
        assert!(fewest.chosen.len() <= 2);
        assert!(fewest_sites(&sets, 1.01).is_none());
    }
}
