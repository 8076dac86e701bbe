//! Any bytes as a tracker's saved state (framed with the magic and checksum, so that they
//! reach the decoder): an error, or a tracker that takes reports without a panic.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vigie_core::{Report, SensorTable};
use vigie_track::state::frame_for_fuzzing;
use vigie_track::{Config, Output, Tracker};

const SMALL: &str = include_str!("../../crates/track/tests/corpus/state.toml");

/// The small picture's table and its first seconds of reports.
fn small() -> &'static (SensorTable, Vec<Report>) {
    static SMALL_PICTURE: OnceLock<(SensorTable, Vec<Report>)> = OnceLock::new();
    SMALL_PICTURE.get_or_init(|| {
        let mut sim = vigie_sim::from_text(SMALL, Path::new("state.toml"), Default::default())
            .expect("the seed scenario");
        let table = sim.sensor_table().clone();
        let mut reports = Vec::new();
        while let Some(frame) = sim.next_frame() {
            reports.extend(frame.reports.iter().copied());
            if reports.len() > 200 {
                break;
            }
        }
        (table, reports)
    })
}

fuzz_target!(|data: &[u8]| {
    let (table, reports) = small();
    let bytes = frame_for_fuzzing(data);
    let Ok(mut tracker) = Tracker::restore(Config::default(), table, &bytes) else {
        return;
    };
    let mut out = Output::default();
    for r in reports {
        tracker.push(*r, &mut out);
    }
    tracker.flush(&mut out);
    let _ = tracker.save();
});
