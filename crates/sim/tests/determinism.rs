//! The same scenario and seed give the same bytes; another seed gives others.

mod common;

use vigie_sim::Overrides;

fn run(seed: Option<u64>, name: &str) -> Vec<Vec<u8>> {
    let dir = common::temp_dir(name);
    let overrides = Overrides {
        seed,
        duration_s: Some(900.0),
    };
    let mut sim = common::sim(common::NIGER, overrides);
    vigie_sim::output::run_to_files(&mut sim, &dir, |_| {}).unwrap();
    let files = ["plots.csv", "truth.csv", "sensors.toml", "map.svg"]
        .map(|f| std::fs::read(dir.join(f)).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    files.to_vec()
}

#[test]
fn same_seed_same_bytes() {
    let a = run(None, "det-a");
    let b = run(None, "det-b");
    assert!(
        a[0].len() > 100_000,
        "plots.csv is suspiciously small: {} bytes",
        a[0].len()
    );
    for (x, y) in a.iter().zip(&b) {
        assert!(x == y, "two runs of the same seed differ");
    }
}

#[test]
fn another_seed_other_bytes() {
    let a = run(Some(1), "det-c");
    let b = run(Some(2), "det-d");
    assert_ne!(a[0], b[0], "plots should depend on the seed");
    assert_ne!(a[1], b[1], "traffic should depend on the seed");
    assert_eq!(a[2], b[2], "the sensor table does not depend on the seed");
}

#[test]
fn the_map_shows_the_sensors_and_the_intruders() {
    let svg = String::from_utf8(run(None, "det-map").pop().unwrap()).unwrap();
    assert!(
        svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"),
        "{}…",
        &svg[..80.min(svg.len())]
    );
    for label in [
        "niamey-lr",
        "makalondi-gf",
        "intruder-MLI",
        "intruder-BFA",
        "NAF01",
        "DAH4062",
        "Burkina Faso",
    ] {
        assert!(svg.contains(label), "the map lacks {label}");
    }
}
