//! Associate: the gated pairs split into independent clusters, each assigned optimally
//! (a report may also be left to start a track of its own).

use rustc_hash::FxHashMap;
use vigie_core::assign::{assign_or_leave, FORBIDDEN};

use super::gate::Edge;
use crate::measure::Observation;

/// Added to the gate to price leaving a plot unassigned: a gated pair's cost also carries
/// the improbability of the model that explains it.
pub(crate) const LEAVE_MARGIN: f64 = 10.0;

/// Splits the gated pairs into clusters sharing reports or tracks, and assigns each
/// cluster optimally. Returns, for each report, the index of its edge.
pub(crate) fn assign_clusters(
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
