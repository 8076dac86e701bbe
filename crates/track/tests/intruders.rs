//! Issue 17: on the operator's display, the Niger exercises' low-level intruders lost their
//! track and came back under a new number (exercise 2's: track 10, then 25, then lost
//! again), and with it the operator's identity and acknowledgements. Each exercise runs for
//! its whole length; every intruder's track number is followed from its first track to its
//! last, and each change of number is a break. Run with `--nocapture` for the figures.

use std::collections::BTreeMap;
use std::path::Path;

use vigie_core::Geodetic;
use vigie_sim::flight::Origin;
use vigie_track::{Config, Output, Tracker};

/// A track is the intruder's when it is this close to it.
const ASSOCIATION_M: f64 = 3_000.0;

fn ground_m(lat: f64, lon: f64, lat2: f64, lon2: f64) -> f64 {
    let a = Geodetic::new(lat, lon, 0.0).to_ecef();
    a.distance_m(Geodetic::new(lat2, lon2, 0.0).to_ecef())
}

/// Number changes and hours tracked, over every intruder of the scenario.
fn breaks(path: &Path) -> (usize, f64, usize) {
    let mut sim = vigie_sim::load(path, Default::default()).unwrap();
    let intruders: Vec<u32> = sim
        .plans()
        .iter()
        .filter(|p| p.origin == Origin::Intruder)
        .map(|p| p.target_id)
        .collect();
    let cfg = Config {
        grid_s: Some(6.0),
        ..Config::default()
    };
    let mut tracker = Tracker::new(cfg, sim.sensor_table());
    let mut out = Output::default();
    let mut truth: BTreeMap<(i64, u32), (f64, f64)> = BTreeMap::new();
    while let Some(frame) = sim.next_frame() {
        for t in frame
            .truth
            .iter()
            .filter(|t| intruders.contains(&t.target_id))
        {
            let key = ((t.time_s * 1e3).round() as i64, t.target_id);
            truth.insert(key, (t.lat_deg, t.lon_deg));
        }
        for r in &frame.reports {
            tracker.push(*r, &mut out);
        }
        out.updates.clear();
    }
    tracker.flush(&mut out);
    let mut by_instant: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for row in &out.grid {
        by_instant
            .entry((row.time_s * 1e3).round() as i64)
            .or_default()
            .push(row);
    }
    // Each intruder's track number at each grid instant it is tracked.
    let mut numbers: BTreeMap<u32, Vec<(f64, u32)>> = BTreeMap::new();
    for (&ms, rows) in &by_instant {
        for &id in &intruders {
            let Some(&(lat, lon)) = truth.get(&(ms, id)) else {
                continue;
            };
            let nearest = rows
                .iter()
                .map(|r| (ground_m(lat, lon, r.lat_deg, r.lon_deg), r.track_id))
                .filter(|x| x.0 < ASSOCIATION_M)
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((_, n)) = nearest {
                numbers.entry(id).or_default().push((ms as f64 / 1e3, n));
            }
        }
    }
    let mut changes = 0;
    let mut hours = 0.0;
    for seq in numbers.values() {
        for w in seq.windows(2).filter(|w| w[0].1 != w[1].1) {
            eprintln!(
                "  track {} at {:.0} s, then {} at {:.0} s",
                w[0].1, w[0].0, w[1].1, w[1].0
            );
            changes += 1;
        }
        hours += (seq.last().unwrap().0 - seq[0].0) / 3_600.0;
    }
    (changes, hours, numbers.len())
}

#[test]
fn intruders_keep_their_track_numbers_through_each_exercise() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let (mut changes, mut hours) = (0, 0.0);
    for name in ["niger.toml", "exercises/2-western-intruder.toml"] {
        let (c, h, n) = breaks(&root.join(name));
        eprintln!("{name}: {n} intruders tracked, {c} number changes over {h:.2} intruder-hours");
        assert!(n >= 1, "{name}: no intruder tracked");
        changes += c;
        hours += h;
    }
    let rate = changes as f64 / hours;
    eprintln!("breaks per intruder-hour: {rate:.2}");
    assert!(
        rate <= 0.2,
        "{changes} number changes over {hours:.2} intruder-hours"
    );
}
