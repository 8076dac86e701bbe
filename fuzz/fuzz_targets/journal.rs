//! Any bytes as a journal: the reader gives back whole frames and stops at damage, never a
//! panic, and what it gives back writes out again to the same frames.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = vigie_journal::MAGIC.to_vec();
    bytes.extend_from_slice(data);
    let Ok(mut reader) = vigie_journal::Reader::new(&bytes[..]) else {
        return;
    };
    let entries: Vec<_> = reader.by_ref().collect();
    let end = reader.offset() as usize;
    let mut w = vigie_journal::Writer::new(Vec::new(), 1.0, |_| Ok(())).unwrap();
    for e in &entries {
        w.append(e).unwrap();
    }
    let again = w.into_inner().unwrap();
    // JSON frames may be written back with other spacing: compare what they mean.
    let back: Vec<_> = vigie_journal::Reader::new(&again[..]).unwrap().collect();
    assert_eq!(back, entries, "{} bytes accepted", end);
});
