//! A tracker saved mid-run and restored goes on exactly as the first: same tracks, same
//! numbers, same outputs, and the same state bytes at the end. What a tracker on the bus
//! starts again from.

use std::path::Path;

use proptest::prelude::*;
use vigie_core::{Report, SensorTable};
use vigie_track::state::StateError;
use vigie_track::{Config, Output, Tracker};

const NIGER: &str = include_str!("../../../scenarios/niger.toml");

fn config() -> Config {
    Config {
        grid_s: Some(5.0),
        ..Config::default()
    }
}

/// Ten minutes of the Niger exercise, frame by frame.
fn frames() -> (SensorTable, Vec<Vec<Report>>) {
    let overrides = vigie_sim::Overrides {
        seed: None,
        duration_s: Some(600.0),
    };
    let mut sim = vigie_sim::from_text(NIGER, Path::new("niger.toml"), overrides).unwrap();
    let table = sim.sensor_table().clone();
    let mut frames = Vec::new();
    while let Some(frame) = sim.next_frame() {
        frames.push(frame.reports.clone());
    }
    (table, frames)
}

/// Everything a tracker puts out for `frames`, frame by frame.
fn outputs(tracker: &mut Tracker, frames: &[Vec<Report>]) -> Vec<Output> {
    frames
        .iter()
        .map(|f| {
            let mut out = Output::default();
            for r in f {
                tracker.push(*r, &mut out);
            }
            out
        })
        .collect()
}

fn same(a: &[Output], b: &[Output]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(a, b)| a.updates == b.updates && a.ended == b.ended && a.grid == b.grid)
}

#[test]
fn a_restored_tracker_goes_on_as_the_saved_one() {
    let (table, frames) = frames();
    for cut in [frames.len() / 4, frames.len() / 2, frames.len() * 9 / 10] {
        let mut first = Tracker::new(config(), &table);
        outputs(&mut first, &frames[..cut]);
        let bytes = first.save();
        let mut restored = Tracker::restore(config(), &table, &bytes).unwrap();
        assert_eq!(
            restored.save(),
            bytes,
            "restoring changes nothing (cut {cut})"
        );
        let tracks = first.tracks().count();
        assert!(tracks > 10, "a busy picture to save: {tracks} tracks");
        let a = outputs(&mut first, &frames[cut..]);
        let b = outputs(&mut restored, &frames[cut..]);
        assert!(
            same(&a, &b),
            "outputs differ after a restore at frame {cut}"
        );
        assert_eq!(first.save(), restored.save(), "states differ at the end");
        eprintln!(
            "cut at frame {cut}: {tracks} tracks, state {} kB",
            bytes.len() / 1000
        );
    }
}

#[test]
fn a_state_is_refused_under_other_settings_or_sensors_or_damaged() {
    let (table, frames) = frames();
    let mut t = Tracker::new(config(), &table);
    outputs(&mut t, &frames[..100]);
    let bytes = t.save();
    let other = Config {
        gate_probability: 0.95,
        ..config()
    };
    assert!(matches!(
        Tracker::restore(other, &table, &bytes),
        Err(StateError::OtherSettings)
    ));
    let mut moved = table.clone();
    moved.sensor[0].lat_deg += 0.01;
    assert!(matches!(
        Tracker::restore(config(), &moved, &bytes),
        Err(StateError::OtherSensors)
    ));
    for at in [0, 3, bytes.len() / 2, bytes.len() - 1] {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x10;
        assert!(matches!(
            Tracker::restore(config(), &table, &damaged),
            Err(StateError::Damaged)
        ));
    }
    assert!(Tracker::restore(config(), &table, &bytes[..bytes.len() / 2]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary bytes with a right checksum (what a decoder bug, not damage, would give):
    /// an error, never a panic.
    #[test]
    fn arbitrary_state_bytes_are_an_error(body in prop::collection::vec(any::<u8>(), 0..2000)) {
        let mut bytes = b"VTS1".to_vec();
        bytes.extend(&body);
        let crc = crc32fast_hash(&bytes);
        bytes.extend(crc.to_le_bytes());
        let table = SensorTable::default();
        if let Ok(mut t) = Tracker::restore(Config::default(), &table, &bytes) {
            t.flush(&mut Output::default());
        }
    }
}

/// CRC-32 (IEEE), as the state's trailer has it.
fn crc32fast_hash(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

const SMALL: &str = include_str!("corpus/state.toml");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/state-small.bin");

/// The small picture's tracker, after its two minutes (flushed: nothing held back).
fn small() -> (SensorTable, Tracker) {
    let mut sim = vigie_sim::from_text(SMALL, Path::new("state.toml"), Default::default()).unwrap();
    let table = sim.sensor_table().clone();
    let mut t = Tracker::new(Config::default(), &table);
    let mut out = Output::default();
    while let Some(frame) = sim.next_frame() {
        for r in &frame.reports {
            t.push(*r, &mut out);
        }
    }
    (table, t)
}

/// A state saved by an earlier build restores, and saves back to the same bytes: a change
/// of format shows here first (re-bless with VIGIE_BLESS=1, and mind the trackers in the
/// field, whose saved states would then be refused). The file seeds the `state` fuzz target.
#[test]
fn a_state_saved_by_an_earlier_build_restores() {
    let (table, t) = small();
    let bytes = t.save();
    if std::env::var_os("VIGIE_BLESS").is_some() {
        std::fs::write(GOLDEN, &bytes).unwrap();
    }
    let golden = std::fs::read(GOLDEN).expect("the golden state (VIGIE_BLESS=1 writes it)");
    let restored = Tracker::restore(Config::default(), &table, &golden).unwrap();
    assert!(restored.tracks().count() >= 3);
    assert_eq!(restored.save(), golden, "the format changed");
    assert_eq!(bytes, golden, "the tracker no longer gives the same state");
}
