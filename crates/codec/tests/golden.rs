//! The real recordings in `testdata/asterix` (provenance in `testdata/SOURCES.md`).

use std::collections::BTreeMap;
use std::path::Path;

use vigie_codec::asterix::{blocks, Editions, RecordValue};
use vigie_codec::framing::{self, Datagram, Skips};

fn testdata(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/asterix")
        .join(name)
}

fn datagrams(name: &str, skips: &mut Skips) -> Vec<Datagram> {
    let bytes = std::fs::read(testdata(name)).unwrap();
    match framing::detect(&bytes) {
        framing::FileKind::Raw => vec![Datagram {
            time_s: None,
            ports: None,
            payload: bytes,
        }],
        _ => {
            let mut out = Vec::new();
            framing::read_capture(&bytes[..], skips, |d| out.push(d)).unwrap();
            out
        }
    }
}

#[derive(Debug, Default)]
struct Tally {
    records: BTreeMap<u8, usize>,
    unknown_blocks: BTreeMap<u8, usize>,
    failed: usize,
}

/// Decodes every record, checks that encoding it gives its bytes back, and counts.
fn decode_all(name: &str) -> Tally {
    let editions = Editions::default();
    let mut skips = Skips::default();
    let mut t = Tally::default();
    for d in datagrams(name, &mut skips) {
        for block in blocks(&d.payload) {
            let block = block.expect("well-formed blocks");
            if editions.get(block.category).is_none() {
                *t.unknown_blocks.entry(block.category).or_default() += 1;
                continue;
            }
            for rec in block.records(&editions) {
                let Ok(rec) = rec else {
                    t.failed += 1;
                    continue;
                };
                let value = RecordValue::decode(&rec).expect("a record that splits decodes");
                assert_eq!(
                    value.encode().unwrap(),
                    rec.bytes,
                    "CAT{:03}: encode(decode(r)) = r",
                    block.category
                );
                *t.records.entry(block.category).or_default() += 1;
            }
        }
    }
    t
}

#[test]
fn every_record_of_the_mixed_feed_decodes_and_unknown_blocks_are_counted() {
    let t = decode_all("sample.pcap");
    println!("{t:?}");
    assert_eq!(t.failed, 0);
    assert_eq!(
        t.records,
        BTreeMap::from([(4, 1), (34, 11), (48, 18), (62, 150), (63, 6), (65, 3)])
    );
    assert_eq!(t.unknown_blocks, BTreeMap::from([(0, 1), (3, 150)]));
}

#[test]
fn the_wireshark_capture_decodes() {
    let t = decode_all("example-asterix.pcapng");
    assert_eq!(t.failed, 0);
    assert_eq!(t.records, BTreeMap::from([(34, 30), (48, 62)]));
}

#[test]
fn raw_cat062_blocks_decode() {
    let t = decode_all("cat062_sample.bin");
    assert_eq!(t.failed, 0);
    assert_eq!(t.records, BTreeMap::from([(62, 2)]));
}

#[test]
fn every_frame_of_the_dump1090_recording_deframes() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/modes/sample_dump1090.bin"),
    )
    .unwrap();
    // Fed in uneven pieces, as a TCP stream would deliver it.
    let mut beast = vigie_codec::modes::Beast::new();
    let mut frames = Vec::new();
    for chunk in bytes.chunks(37) {
        beast.push(chunk);
        while let Some(f) = beast.next_frame() {
            frames.push(f);
        }
    }
    assert_eq!(frames.len(), 239);
    assert_eq!(beast.skips.total(), 0, "{:?}", beast.skips);
    assert!(
        frames.windows(2).all(|w| w[0].ticks <= w[1].ticks),
        "receiver clock in order"
    );
}

/// Found by `fuzz/fuzz_targets/asterix.rs`: I048/170 with FX set on its last defined octet
/// was read short, and encoding it back lost the FX bit. Such a record is now refused.
#[test]
fn regression_an_extension_beyond_the_edition_is_refused() {
    // FSPEC: I048/010 and I048/170 (FRN 1 and 14).
    let record = [0x81, 0x02, 0x93, 0x19, 0xF5, 0xF5];
    let block = vigie_codec::asterix::value::block(48, &[record.to_vec()]).unwrap();
    let editions = Editions::default();
    let b = blocks(&block).next().unwrap().unwrap();
    let r: Vec<_> = b.records(&editions).collect();
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0].as_ref().unwrap_err(),
        &vigie_codec::asterix::DecodeError::UnknownExtension
    );
}

/// Inputs the fuzzers found (`fuzz/`), kept: each once broke encode(decode(r)) = r or
/// panicked. The first byte picks the editions, as in `fuzz_targets/asterix.rs`.
#[test]
fn regression_fuzz_findings_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("capture-") {
            let mut skips = Skips::default();
            let mut ng = vec![0x0A, 0x0D, 0x0D, 0x0A];
            ng.extend_from_slice(&data);
            let _ = framing::read_capture(&ng[..], &mut skips, |_| {});
            for linktype in [0, 1, 101, 113] {
                let _ = framing::udp_payload(linktype, &data);
            }
            seen += 1;
            continue;
        }
        let (&pick, data) = data.split_first().unwrap();
        let mut editions = Editions::default();
        if pick != 0 {
            for c in vigie_codec::asterix::spec::ALL.iter().filter(|c| !c.is_ref) {
                if (c.edition.1 as u8) % 4 == pick % 4 {
                    let _ = editions.select(c.category, &c.edition_string());
                }
            }
        }
        for block in blocks(data) {
            let Ok(block) = block else { break };
            for rec in block.records(&editions) {
                let Ok(rec) = rec else { break };
                if let Ok(v) = RecordValue::decode(&rec) {
                    assert_eq!(v.encode().unwrap(), rec.bytes, "{name}");
                }
            }
        }
        seen += 1;
    }
    assert_eq!(seen, 4);
}
