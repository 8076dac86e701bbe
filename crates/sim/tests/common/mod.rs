//! Helpers shared by the simulator's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub const NIGER: &str = include_str!("../../../../scenarios/niger.toml");

/// A fresh, empty directory under the system's temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vigie-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn sim(text: &str, overrides: vigie_sim::Overrides) -> vigie_sim::Simulator {
    vigie_sim::from_text(text, Path::new("test.toml"), overrides).unwrap_or_else(|e| panic!("{e}"))
}

/// |observed − expected| within `k` standard deviations, with a message that names the seed.
pub fn assert_within_sigmas(
    what: &str,
    observed: f64,
    expected: f64,
    sigma: f64,
    k: f64,
    seed: u64,
) {
    assert!(
        (observed - expected).abs() <= k * sigma,
        "{what}: observed {observed}, expected {expected} ± {k}×{sigma} (seed {seed})"
    );
}

/// Sample mean and (n − 1) standard deviation.
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (
        m,
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt(),
    )
}
