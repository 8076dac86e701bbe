//! What vigie sends, checked by libasterix (PyPI, `scripts/asterix_oracle.py`): the
//! exercise's plots as CAT048, its ADS-B as CAT021, and system tracks as CAT062 must read
//! the same in an independent decoder.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use vigie_codec::asterix::{blocks, value, Editions, RecordValue};
use vigie_core::interop::TrackRow;
use vigie_core::Measurement;
use vigie_ingest::asterix::AsterixEncoder;
use vigie_ingest::cat062::{Cat062Encoder, TrackStatus};

#[test]
fn libasterix_reads_what_vigie_sends() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut sim = vigie_sim::load(
        &root.join("scenarios/niger.toml"),
        vigie_sim::Overrides {
            seed: None,
            duration_s: Some(120.0),
        },
    )
    .unwrap();
    let table = sim.sensor_table().clone();
    let enc = AsterixEncoder::new(1_772_352_000.0);
    let tracks = Cat062Encoder::new(100, 250, 1_772_352_000.0, true);
    let mut data = Vec::new();
    while let Some(frame) = sim.next_frame() {
        for r in &frame.reports {
            let spec = &table.sensor[r.sensor.0 as usize];
            let (cat, rec) = match r.measurement {
                Measurement::Polar { .. } => (48, enc.cat048(r, spec).unwrap()),
                Measurement::Position { .. } => (21, enc.cat021(r, spec).unwrap()),
            };
            data.extend(value::block(cat, &[rec]).unwrap());
        }
        let rows: Vec<Vec<u8>> = frame
            .truth
            .iter()
            .map(|t| {
                let row = TrackRow {
                    time_s: frame.time_s,
                    track_id: t.target_id,
                    lat_deg: t.lat_deg,
                    lon_deg: t.lon_deg,
                    alt_m: t.alt_m,
                    vn_mps: t.vn_mps,
                    ve_mps: t.ve_mps,
                    vu_mps: t.vu_mps,
                    mode3a: None,
                    mode_s: None,
                    callsign: None,
                };
                tracks
                    .record(
                        &row,
                        TrackStatus {
                            confirmed: true,
                            ..TrackStatus::default()
                        },
                    )
                    .unwrap()
            })
            .collect();
        for b in tracks.blocks(&rows, 1_400) {
            data.extend(b);
        }
    }
    let editions = Editions::default();
    let dir = std::env::temp_dir().join(format!("vigie-oracle-encoded-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut jsonl = std::fs::File::create(dir.join("vigie.jsonl")).unwrap();
    let mut count = std::collections::BTreeMap::new();
    for b in blocks(&data) {
        let b = b.unwrap();
        for rec in b.records(&editions) {
            let v = RecordValue::decode(&rec.unwrap()).unwrap();
            writeln!(
                jsonl,
                "{}",
                value::to_json(&v, editions.reference(b.category))
            )
            .unwrap();
            *count.entry(b.category).or_insert(0) += 1;
        }
    }
    assert!(
        count[&48] > 500 && count[&21] > 100 && count[&62] > 500,
        "{count:?}"
    );
    std::fs::write(dir.join("blocks.bin"), &data).unwrap();
    let out = Command::new("python3")
        .arg(root.join("scripts/asterix_oracle.py"))
        .arg(dir.join("blocks.bin"))
        .arg(dir.join("vigie.jsonl"))
        .output()
        .expect("python3");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    println!("{count:?}: {text}");
    assert!(out.status.success(), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
