//! Terrain files that are not what they claim: errors, never panics.

use vigie_terrain::{Dem, DemError};

/// Regression: tiff 0.10.3 panicked on an empty SampleFormat tag (input found by the `dem`
/// fuzz target, kept in tests/data).
#[test]
fn tiff_with_an_empty_sample_format_is_an_error_not_a_panic() {
    let bytes = include_bytes!("data/tiff_empty_sample_format.tif");
    assert!(matches!(
        Dem::from_geotiff(bytes),
        Err(DemError::Unsupported(_))
    ));
}

#[test]
fn truncated_and_random_files_are_errors() {
    let good = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/terrain/niger_globe30s.tif"
    ))
    .unwrap();
    for cut in [0, 4, 8, 100, 1_000, good.len() / 2] {
        assert!(Dem::from_geotiff(&good[..cut]).is_err(), "cut at {cut}");
    }
    let noise: Vec<u8> = (0..5_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert!(Dem::from_geotiff(&noise).is_err());
}
