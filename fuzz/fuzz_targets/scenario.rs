//! Any bytes as a scenario file: the loader answers with a scenario or an error, never a
//! panic, and a scenario that loads runs its first seconds without one.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let overrides = vigie_sim::Overrides {
        seed: None,
        duration_s: Some(3.0),
    };
    if let Ok(mut sim) = vigie_sim::from_text(text, std::path::Path::new("fuzz.toml"), overrides) {
        while sim.next_frame().is_some() {}
    }
});
