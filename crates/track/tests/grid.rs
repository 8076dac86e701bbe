//! Regression (issue 17): `--grid-s` cut association batches at grid instants, so asking
//! for snapshots changed the tracking itself. Output sampling must never change the
//! estimate: the same reports give the same updates, track for track, with or without a
//! grid, whatever its step.

use vigie_track::{Config, Output, TrackUpdate, Tracker};

fn run(case: usize, grid_s: Option<f64>) -> (Vec<TrackUpdate>, usize) {
    let case = vigie_sim::suite::case(case, 240.0);
    let mut sim =
        vigie_sim::from_text(&case.toml, std::path::Path::new("case"), Default::default())
            .expect("a suite case is a valid scenario");
    let cfg = Config {
        grid_s,
        ..Config::default()
    };
    let mut tracker = Tracker::new(cfg, &sim.sensor_table().clone());
    let mut out = Output::default();
    let (mut updates, mut rows) = (Vec::new(), 0);
    while let Some(f) = sim.next_frame() {
        for r in &f.reports {
            tracker.push(*r, &mut out);
        }
        updates.append(&mut out.updates);
        rows += out.grid.len();
        out.grid.clear();
    }
    tracker.flush(&mut out);
    updates.append(&mut out.updates);
    (updates, rows + out.grid.len())
}

#[test]
fn a_grid_of_snapshots_does_not_change_the_tracks() {
    // A 3-D radar case and a 2-D one with a different scan.
    for case in [0, 3] {
        let (plain, none) = run(case, None);
        assert_eq!(none, 0);
        assert!(plain.len() > 100, "case {case}: {} updates", plain.len());
        for grid_s in [0.7, 4.0, 6.0] {
            let (gridded, rows) = run(case, Some(grid_s));
            assert!(rows > 0, "case {case}, grid {grid_s} s: no snapshot");
            assert!(
                gridded == plain,
                "case {case}: a {grid_s} s grid changed the tracks ({} updates, {} without)",
                gridded.len(),
                plain.len()
            );
        }
    }
}
