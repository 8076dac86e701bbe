//! ASTERIX from the wire: any bytes, split into blocks and records with any vendored
//! edition, must give records or errors, never a panic; a record that decodes must encode
//! back to its own bytes and render as JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie_codec::asterix::{blocks, spec, value, Editions, RecordValue};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, data)) = data.split_first() else { return };
    // The first byte picks the editions: the latest, or one older one for every category.
    let mut editions = Editions::default();
    if pick != 0 {
        for c in spec::ALL.iter().filter(|c| !c.is_ref) {
            if (c.edition.1 as u8) % 4 == pick % 4 {
                let _ = editions.select(c.category, &c.edition_string());
            }
        }
    }
    for block in blocks(data) {
        let Ok(block) = block else { break };
        for rec in block.records(&editions) {
            let Ok(rec) = rec else { break };
            for (_, item) in rec.items() {
                let _ = item.get(&["SAC"]);
            }
            if let Ok(v) = RecordValue::decode(&rec) {
                assert_eq!(v.encode().expect("a decoded record encodes"), rec.bytes);
                let _ = value::to_json(&v, editions.reference(block.category));
            }
        }
    }
});
