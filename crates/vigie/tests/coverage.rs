//! `vigie coverage` as a planner runs it: the Agadez reference, its files, and bad input.

use std::process::Command;

fn vigie(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .output()
        .expect("vigie runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn one_radar_at_agadez_writes_its_report_map_and_raster() {
    let dir = std::env::temp_dir().join(format!("vigie-coverage-{}", std::process::id()));
    let (ok, stdout, stderr) = vigie(&[
        "coverage",
        "--airport",
        "DRZA",
        "-q",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("| 1000 m above ground | 6.0"), "{stdout}");
    let png = std::fs::read(dir.join("coverage.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    // The raster reads back as a DEM-shaped GeoTIFF on the same grid.
    let tif = std::fs::read(dir.join("visible_agl.tif")).unwrap();
    assert_eq!(&tif[..4], b"II*\0");
    assert!(std::fs::read_to_string(dir.join("report.md"))
        .unwrap()
        .starts_with("# Radar coverage"));
    for name in ["coverage_1000m.geojson", "gaps_1000m.geojson"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).expect("GeoJSON is JSON");
        assert_eq!(json["geometry"]["type"], "MultiPolygon", "{name}");
        let polygons = json["geometry"]["coordinates"].as_array();
        assert!(polygons.is_some_and(|p| !p.is_empty()), "{name}");
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_input_is_a_clear_error() {
    for (args, expected) in [
        (vec!["coverage"], "no radar"),
        (vec!["coverage", "--site", "13.5"], "--site takes LAT,LON"),
        (vec!["coverage", "--airport", "ZZZZ"], "not a known airport"),
        (vec!["coverage", "--site", "45,8"], "outside the DEM"),
        (
            vec!["coverage", "--airport", "DRZA", "--layers=300,-5"],
            "--layers",
        ),
        (
            vec!["coverage", "--airport", "DRZA", "--dem", "/no/such.tif"],
            "/no/such.tif",
        ),
        (
            vec!["coverage", "--choose", "2", "--candidates", "/no/such.csv"],
            "/no/such.csv",
        ),
    ] {
        let (ok, _, stderr) = vigie(&args);
        assert!(!ok, "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
