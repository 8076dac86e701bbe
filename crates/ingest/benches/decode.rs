//! Decoding speed, one core: ASTERIX CAT048 (the Niger exercise's plots, as a radar sends
//! them: one block per second of a radar's plots) and Beast frames to ADS-B reports (the
//! real long_flight recording). Prints records or messages per second, best of five.
//!
//! Run: `cargo bench -p vigie-ingest --bench decode`. With VIGIE_BENCH_CAT048=<file>, also
//! writes the CAT048 blocks there, for `bench/asterix.sh` to time the C++ decoder on.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

use vigie_codec::asterix::{blocks, value, Editions, RecordValue};
use vigie_codec::modes;
use vigie_core::Measurement;
use vigie_ingest::asterix::{AsterixEncoder, AsterixIngest};
use vigie_ingest::modes::{ModeSConfig, ModeSDecoder};
use vigie_ingest::Counters;

const EPOCH: f64 = 1_772_352_000.0;

fn best_of_5(mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::INFINITY;
    let mut n = 0;
    for _ in 0..5 {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, n)
}

fn cat048_data() -> (Vec<u8>, vigie_core::SensorTable) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut sim = vigie_sim::load(
        &root.join("scenarios/niger.toml"),
        vigie_sim::Overrides {
            seed: None,
            duration_s: Some(3_600.0),
        },
    )
    .unwrap();
    let table = sim.sensor_table().clone();
    let enc = AsterixEncoder::new(EPOCH);
    let mut data = Vec::new();
    while let Some(f) = sim.next_frame() {
        let mut by: BTreeMap<u16, Vec<Vec<u8>>> = BTreeMap::new();
        for r in &f.reports {
            if let Measurement::Polar { .. } = r.measurement {
                by.entry(r.sensor.0).or_default().push(
                    enc.cat048(r, &table.sensor[usize::from(r.sensor.0)])
                        .unwrap(),
                );
            }
        }
        for recs in by.values() {
            for chunk in recs.chunks(40) {
                data.extend(value::block(48, chunk).unwrap());
            }
        }
    }
    (data, table)
}

fn main() {
    let (data, table) = cat048_data();
    if let Ok(path) = std::env::var("VIGIE_BENCH_CAT048") {
        std::fs::write(&path, &data).unwrap();
    }
    let editions = Editions::default();
    let (t, n) = best_of_5(|| {
        let mut n = 0;
        for b in blocks(&data) {
            n += b.unwrap().records(&editions).filter(|r| r.is_ok()).count();
        }
        n
    });
    println!(
        "CAT048, records split into items:          {:>9.0} records/s ({n} records, {:.1} MB)",
        n as f64 / t,
        data.len() as f64 / 1e6
    );
    let ingest = AsterixIngest::new(&table, EPOCH);
    let (t, n) = best_of_5(|| {
        let mut out = Vec::with_capacity(100_000);
        let mut c = Counters::default();
        ingest.datagram(&data, EPOCH + 60.0, &mut c, &mut out);
        out.len()
    });
    println!(
        "CAT048 to the tracker's reports:           {:>9.0} records/s",
        n as f64 / t
    );
    let (t, n) = best_of_5(|| {
        let mut n = 0;
        for b in blocks(&data) {
            for r in b.unwrap().records(&editions) {
                n += usize::from(RecordValue::decode(&r.unwrap()).is_ok());
            }
        }
        n
    });
    println!(
        "CAT048, every item decoded to a value tree: {:>9.0} records/s",
        n as f64 / t
    );

    // Beast: the long flight's frames as a receiver streams them (escaped).
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/modes/long_flight.csv.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut stream = Vec::new();
    let mut times = Vec::new();
    for line in text.lines() {
        let Some((t, hex)) = line.split_once(',') else {
            continue;
        };
        let Some(f) = modes::beast_hex(hex) else {
            continue;
        };
        times.push(t.parse::<f64>().unwrap());
        stream.extend_from_slice(&[0x1A, if f.message().len() == 7 { b'2' } else { b'3' }]);
        let mut body = f.ticks.to_be_bytes()[2..].to_vec();
        body.push(f.signal.unwrap_or(0));
        body.extend_from_slice(f.message());
        for b in body {
            stream.push(b);
            if b == 0x1A {
                stream.push(0x1A);
            }
        }
    }
    let (t, n) = best_of_5(|| {
        let mut beast = modes::Beast::new();
        let mut d = ModeSDecoder::new(ModeSConfig::default());
        let mut c = Counters::default();
        let mut positions = 0;
        let mut i = 0;
        for chunk in stream.chunks(16_384) {
            beast.push(chunk);
            while let Some(f) = beast.next_frame() {
                positions += usize::from(
                    d.decode(times[i.min(times.len() - 1)], f.message(), &mut c)
                        .is_some(),
                );
                i += 1;
            }
        }
        assert!(positions > 10_000);
        i
    });
    println!(
        "Beast frames to ADS-B reports (rs1090):    {:>9.0} messages/s ({n} messages)",
        n as f64 / t
    );
}
