//! Regression (issue 17): when every feed fell silent, tracks never ended, since time only
//! advanced with reports; 9 minutes later the picture still showed 8 live tracks.

use vigie_track::{Config, Output, Tracker};

#[test]
fn a_silent_feed_ends_its_tracks_within_two_scans_of_when_they_should_have_been_seen() {
    // A suite case: three 3-D radars with a 5 s scan, Pd 0.91, 49 targets, light clutter.
    let case = vigie_sim::suite::case(0, 240.0);
    let mut sim = vigie_sim::from_text(
        &case.toml,
        std::path::Path::new("case-00"),
        Default::default(),
    )
    .expect("a suite case is a valid scenario");
    let table = sim.sensor_table().clone();
    let cfg = Config::default();
    let mut tracker = Tracker::new(cfg, &table);
    let mut out = Output::default();
    let mut last_s = 0.0;
    while let Some(f) = sim.next_frame() {
        for r in &f.reports {
            tracker.push(*r, &mut out);
            last_s = r.time_s;
        }
        tracker.advance(f.time_s + 1.0, &mut out);
    }
    let confirmed = |t: &Tracker| {
        t.tracks()
            .filter(|t| t.status == vigie_track::track::Status::Confirmed)
            .count()
    };
    assert!(confirmed(&tracker) > 20, "the picture before the silence");
    // Every radar falls silent. By one scan after the last plots each track should have
    // been seen again; two scans later (and the reorder window) none may be left.
    let scan_s = table
        .sensor
        .iter()
        .map(|s| s.scan_period_s)
        .fold(0.0, f64::max);
    let coast_s = (cfg.confirmed_missed_revisits * scan_s).max(cfg.coast_min_s);
    let deadline_s = last_s + coast_s + 2.0 * scan_s + cfg.reorder_window_s;
    let mut t = last_s;
    let mut ended = 0;
    while t < deadline_s {
        t += 1.0;
        tracker.advance(t, &mut out);
        ended += out.ended.len();
        out.ended.clear();
    }
    assert_eq!(
        confirmed(&tracker),
        0,
        "tracks left {:.0} s after the silence",
        t - last_s
    );
    assert!(ended > 20, "their ends are told: {ended}");
}
