//! Any text as the identification setup's files: OpenAir and GeoJSON airspace, ICAO FPL and
//! CSV flight plans, the alert rules. Each gives its result or a located error, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = vigie_ident::airspace::openair(text, "fuzz.openair");
    let _ = vigie_ident::airspace::geojson(text, "fuzz.geojson");
    let _ = vigie_ident::flightplan::parse_fpl_file(text, "fuzz.fpl");
    let _ = vigie_ident::flightplan::parse_csv(text, "fuzz.csv");
    let _ = vigie_ident::rules::load(text, std::path::Path::new("fuzz.toml"));
    if let Ok(volumes) = vigie_ident::airspace::openair(text, "fuzz.openair") {
        for v in &volumes {
            let _ = v.contains(13.5, 2.1, 1_000.0, 200.0, 0.0);
        }
    }
});
