//! Mode S receivers' bytes: Beast streams cut anywhere, AVR and SBS lines, and every
//! message through rs1090 and vigie's per-aircraft decoding. Frames or counted skips,
//! never a panic, and the deframer's buffer stays bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie_codec::modes::{self, Beast};
use vigie_ingest::modes::{ModeSConfig, ModeSDecoder};
use vigie_ingest::Counters;

fuzz_target!(|data: &[u8]| {
    let mut decoder = ModeSDecoder::new(ModeSConfig {
        receiver: Some((13.5, 2.1)),
        max_aircraft: 64,
        ..ModeSConfig::default()
    });
    let mut c = Counters::default();
    let mut beast = Beast::new();
    let mut t = 0.0;
    for chunk in data.chunks(7) {
        beast.push(chunk);
        while let Some(f) = beast.next_frame() {
            t += 0.1;
            let _ = decoder.decode(t, f.message(), &mut c);
        }
        assert!(beast.buffered() <= 64, "the Beast buffer grows without bound");
    }
    // Raw messages straight into rs1090, as an AVR line or a long or short frame would be.
    for len in [7, 14] {
        for m in data.chunks_exact(len) {
            t += 0.1;
            let _ = decoder.decode(t, m, &mut c);
        }
    }
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        if let Some(f) = modes::avr(line) {
            let _ = decoder.decode(t, f.message(), &mut c);
        }
        let _ = modes::sbs(line);
        let _ = modes::beast_hex(line);
    }
});
