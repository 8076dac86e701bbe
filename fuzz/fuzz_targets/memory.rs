//! Any bytes as a centre's saved state (its framing), and as identification's memory in it
//! (MessagePack, as a centre writes it): an error, or an identifier that takes it back and
//! goes on judging tracks without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie_core::interop::TrackRow;
use vigie_core::Mode3A;
use vigie_ident::identifier::{Context, Identifier, Memory, TrackInput};

/// The rules of the golden memory (`crates/ident/tests/corpus/memory.msgpack`), the seed:
/// a memory is taken back only under the rules it was made under.
const RULES: &str = "[[rule]]\nkind = \"emergency\"\n[[rule]]\nkind = \"code_change\"\n";

fn input(track_id: u32, s: f64) -> TrackInput {
    TrackInput {
        row: TrackRow {
            time_s: s,
            track_id,
            lat_deg: 13.5,
            lon_deg: 2.0 + s / 1_000.0,
            alt_m: 400.0,
            vn_mps: 0.0,
            ve_mps: 120.0,
            vu_mps: 0.0,
            mode3a: Mode3A::parse("7700"),
            mode_s: None,
            callsign: None,
        },
        unix_s: s,
        transponder: true,
        emergency_status: false,
        adsb_radar_gap_m: None,
        ground_m: 250.0,
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = vigie_journal::centre::split(data);
    let Ok(memory) = rmp_serde::from_slice::<Memory>(data) else {
        return;
    };
    let rules = vigie_ident::rules::load(RULES, std::path::Path::new("rules.toml"))
        .expect("the seed's rules");
    let mut identifier = Identifier::new(Context {
        rules,
        ..Context::default()
    });
    if identifier.remember(memory).is_err() {
        return;
    }
    for s in 12..20 {
        identifier.step(&[input(3, f64::from(s)), input(4, f64::from(s))], &[]);
    }
    identifier.step(&[], &[3, 4]);
    let _ = identifier.memory();
});
