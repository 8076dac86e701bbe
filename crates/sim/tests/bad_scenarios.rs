//! Every file in `tests/bad/` is a broken scenario whose first line says, after `# expect:`,
//! what the error must contain. None may panic.

mod common;

use std::path::Path;

use proptest::prelude::*;

#[test]
fn each_bad_scenario_names_file_line_and_field() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "expected the whole set of bad scenarios");
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} lacks its `# expect:` line", path.display()));
        let name = format!("bad/{}", path.file_name().unwrap().to_string_lossy());
        let err = match vigie_sim::from_text(&text, Path::new(&name), Default::default()) {
            Ok(_) => {
                failures.push(format!("{name} loaded but should fail with {expect:?}"));
                continue;
            }
            Err(e) => e.to_string(),
        };
        for part in expect.split(" ... ").filter(|p| !err.contains(p)) {
            failures.push(format!("{name}: error\n  {err}\nlacks\n  {part}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let err = vigie_sim::load(Path::new("no/such/scenario.toml"), Default::default())
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .starts_with("no/such/scenario.toml: cannot read"),
        "{err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Mangled scenarios give errors or scenarios, never a panic.
    #[test]
    fn mangled_scenarios_never_panic(cuts in prop::collection::vec((0usize..20_000, 0usize..40, any::<u8>()), 1..4)) {
        let mut bytes = common::NIGER.as_bytes().to_vec();
        for (at, len, b) in cuts {
            let at = at % bytes.len();
            let end = (at + len).min(bytes.len());
            bytes.splice(at..end, [b]);
        }
        let text = String::from_utf8_lossy(&bytes);
        let overrides = vigie_sim::Overrides { seed: None, duration_s: Some(5.0) };
        if let Ok(mut sim) = vigie_sim::from_text(&text, Path::new("mangled.toml"), overrides) {
            while sim.next_frame().is_some() {}
        }
    }
}

/// A base that is no scenario file (a device, a folder) is refused, not read for ever.
#[test]
fn a_base_that_is_not_a_file_is_refused() {
    for base in ["/dev/zero", "/tmp"] {
        let text = format!("base = \"{base}\"\nname = \"x\"\n");
        let Err(e) = vigie_sim::from_text(&text, Path::new("x.toml"), Default::default()) else {
            panic!("{base} accepted as a base");
        };
        assert!(e.to_string().contains("not a scenario file"), "{e}");
    }
}
