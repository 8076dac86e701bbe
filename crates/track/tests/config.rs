//! Tracker settings as a radar engineer writes them: TOML, any field left out keeps its
//! default, and every mistake is named by file, line and field.

use std::path::Path;

use vigie_core::tomlfile::{self, Problems};
use vigie_track::Config;

fn load(text: &str) -> Result<Config, String> {
    let path = Path::new("tracker.toml");
    let cfg: Config = tomlfile::parse(text, path).map_err(|e| e.to_string())?;
    let problems = cfg.problems();
    if problems.is_empty() {
        Ok(cfg)
    } else {
        Err(tomlfile::located(text, path, Problems(problems)).to_string())
    }
}

#[test]
fn the_printed_defaults_read_back_as_the_defaults() {
    let text = toml::to_string(&Config::default()).expect("the defaults serialise");
    assert_eq!(load(&text), Ok(Config::default()));
}

#[test]
fn an_empty_file_is_the_defaults() {
    assert_eq!(load(""), Ok(Config::default()));
}

#[test]
fn a_partial_file_changes_only_what_it_names() {
    let cfg = load("confirm_score = 8.0\n[noise]\ncv_accel_mps2 = 0.5\n").expect("valid");
    assert_eq!(cfg.confirm_score, 8.0);
    assert_eq!(cfg.noise.cv_accel_mps2, 0.5);
    assert_eq!(
        cfg.noise.ct_accel_mps2,
        Config::default().noise.ct_accel_mps2
    );
    assert_eq!(cfg.switching, Config::default().switching);
}

#[test]
fn mistakes_name_their_line_and_field() {
    let cases = [
        (
            "gate_probability = 0.9995\n[noise]\ncv_accel = 0.5\n",
            "tracker.toml:3: noise.cv_accel: unknown field `cv_accel`",
        ),
        (
            "confirm_score = \"high\"\n",
            "tracker.toml:1: confirm_score: invalid type: string \"high\", expected f64",
        ),
        (
            "reorder_window_s = 2.0\n\n[switching]\nct_sojourn_s = -3.0\n",
            "tracker.toml:4: switching.ct_sojourn_s: must be a positive number, got -3",
        ),
        (
            "gate_probability = 1.5\n",
            "tracker.toml:1: gate_probability: must be between 0.5 and 1, got 1.5",
        ),
        (
            "confirm_hits = 1\n",
            "tracker.toml:1: confirm_hits: must be at least 2",
        ),
        (
            "cell_m = nan\n",
            "tracker.toml:1: cell_m: must be a positive number, got NaN",
        ),
    ];
    for (text, expected) in cases {
        let err = load(text).expect_err(text);
        assert!(err.starts_with(expected), "{text:?}: got {err:?}");
    }
}
