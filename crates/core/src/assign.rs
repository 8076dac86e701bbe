//! Optimal assignment: the Hungarian method with potentials (Kuhn–Munkres, in the
//! shortest-augmenting-path form of Jonker and Volgenant's family), O(n²m) for n rows and
//! m ≥ n columns. The tracker assigns plots to tracks with it, the evaluation truth to tracks.
//!
//! Forbidden pairs carry [`FORBIDDEN`]; [`assign_or_leave`] adds a "leave unassigned" choice
//! per row, so no row is ever forced onto a forbidden or worse-than-leaving column.

/// The cost of a pair that must not be chosen.
pub const FORBIDDEN: f64 = 1e15;

/// Minimum-cost assignment of every row to a distinct column, for `rows <= cols`.
/// `cost` is row-major, `rows × cols`. Returns each row's column.
pub fn hungarian(cost: &[f64], rows: usize, cols: usize) -> Vec<usize> {
    assert!(
        rows <= cols && cost.len() == rows * cols,
        "hungarian needs rows <= cols"
    );
    // 1-based arrays with a virtual column 0, as in the classic formulation.
    let mut u = vec![0.0; rows + 1];
    let mut v = vec![0.0; cols + 1];
    let mut row_of_col = vec![0usize; cols + 1];
    let mut way = vec![0usize; cols + 1];
    let mut min_to = vec![0.0; cols + 1];
    let mut used = vec![false; cols + 1];
    for i in 1..=rows {
        row_of_col[0] = i;
        let mut j0 = 0;
        min_to.iter_mut().for_each(|m| *m = f64::INFINITY);
        used.iter_mut().for_each(|b| *b = false);
        loop {
            used[j0] = true;
            let i0 = row_of_col[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=cols {
                if used[j] {
                    continue;
                }
                let c = cost[(i0 - 1) * cols + (j - 1)] - u[i0] - v[j];
                if c < min_to[j] {
                    min_to[j] = c;
                    way[j] = j0;
                }
                if min_to[j] < delta {
                    delta = min_to[j];
                    j1 = j;
                }
            }
            for j in 0..=cols {
                if used[j] {
                    u[row_of_col[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_to[j] -= delta;
                }
            }
            j0 = j1;
            if row_of_col[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            row_of_col[j0] = row_of_col[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut col_of_row = vec![0; rows];
    for j in 1..=cols {
        if row_of_col[j] != 0 {
            col_of_row[row_of_col[j] - 1] = j - 1;
        }
    }
    col_of_row
}

/// Minimum-cost assignment where each row may instead stay unassigned at `leave_cost[row]`,
/// and columns may stay unassigned for free. Returns each row's column, if any.
pub fn assign_or_leave(
    cost: &[f64],
    rows: usize,
    cols: usize,
    leave_cost: &[f64],
) -> Vec<Option<usize>> {
    debug_assert_eq!(leave_cost.len(), rows);
    let wide = cols + rows;
    let mut m = vec![FORBIDDEN; rows * wide];
    for r in 0..rows {
        m[r * wide..r * wide + cols].copy_from_slice(&cost[r * cols..(r + 1) * cols]);
        m[r * wide + cols + r] = leave_cost[r];
    }
    hungarian(&m, rows, wide)
        .into_iter()
        .enumerate()
        .map(|(r, c)| (c < cols && cost[r * cols + c] < FORBIDDEN).then_some(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn total(cost: &[f64], cols: usize, a: &[usize]) -> f64 {
        a.iter().enumerate().map(|(r, &c)| cost[r * cols + c]).sum()
    }

    /// Every injective assignment, for checking small cases.
    fn brute(cost: &[f64], rows: usize, cols: usize) -> f64 {
        fn go(cost: &[f64], rows: usize, cols: usize, r: usize, used: &mut Vec<bool>) -> f64 {
            if r == rows {
                return 0.0;
            }
            let mut best = f64::INFINITY;
            for c in 0..cols {
                if !used[c] {
                    used[c] = true;
                    best = best.min(cost[r * cols + c] + go(cost, rows, cols, r + 1, used));
                    used[c] = false;
                }
            }
            best
        }
        go(cost, rows, cols, 0, &mut vec![false; cols])
    }

    proptest! {
        #[test]
        fn hungarian_is_optimal(rows in 1usize..6, extra in 0usize..3, seed in prop::collection::vec(0.0f64..100.0, 48)) {
            let cols = rows + extra;
            let cost: Vec<f64> = (0..rows * cols).map(|i| seed[i % seed.len()] + (i * 7 % 13) as f64).collect();
            let a = hungarian(&cost, rows, cols);
            let mut seen = std::collections::HashSet::new();
            prop_assert!(a.iter().all(|c| seen.insert(*c)));
            prop_assert!((total(&cost, cols, &a) - brute(&cost, rows, cols)).abs() < 1e-9);
        }
    }

    #[test]
    fn leaving_beats_a_forbidden_or_costly_pair() {
        // Row 0 fits column 0; row 1 only a forbidden pair; row 2 would cost more than leaving.
        let cost = [1.0, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 50.0];
        let a = assign_or_leave(&cost, 3, 2, &[10.0, 10.0, 10.0]);
        assert_eq!(a, vec![Some(0), None, None]);
    }
}
