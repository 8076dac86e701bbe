//! libasterix (PyPI), an independent decoder of the same specifications, as a test oracle:
//! `scripts/asterix_oracle.py` compares every element vigie decodes from the real
//! recordings. `.ci/run` installs libasterix; without it this test fails and says so.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use vigie_codec::asterix::{blocks, value, Editions, RecordValue};
use vigie_codec::framing::{self, Skips};

fn check(name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bytes = std::fs::read(root.join("testdata/asterix").join(name)).unwrap();
    let mut payloads = Vec::new();
    match framing::detect(&bytes) {
        framing::FileKind::Raw => payloads.push(bytes),
        _ => framing::read_capture(&bytes[..], &mut Skips::default(), |d| {
            payloads.push(d.payload)
        })
        .unwrap(),
    }
    let editions = Editions::default();
    let dir = std::env::temp_dir().join(format!("vigie-oracle-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut jsonl = std::fs::File::create(dir.join("vigie.jsonl")).unwrap();
    for p in &payloads {
        for block in blocks(p) {
            let block = block.unwrap();
            if editions.get(block.category).is_none() {
                continue;
            }
            for rec in block.records(&editions) {
                let v = RecordValue::decode(&rec.unwrap()).unwrap();
                writeln!(
                    jsonl,
                    "{}",
                    value::to_json(&v, editions.reference(block.category))
                )
                .unwrap();
            }
        }
    }
    std::fs::write(dir.join("blocks.bin"), payloads.concat()).unwrap();
    let out = Command::new("python3")
        .arg(root.join("scripts/asterix_oracle.py"))
        .arg(dir.join("blocks.bin"))
        .arg(dir.join("vigie.jsonl"))
        .output()
        .expect("python3");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    println!("{name}: {text}");
    assert!(out.status.success(), "{name}: {text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn libasterix_agrees_on_the_mixed_feed() {
    check("sample.pcap");
}

#[test]
fn libasterix_agrees_on_the_wireshark_capture() {
    check("example-asterix.pcapng");
}

#[test]
fn libasterix_agrees_on_raw_cat062() {
    check("cat062_sample.bin");
}
