//! `vigie decode`: a recording's records as JSON Lines, every item by name.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use vigie_codec::asterix::{blocks, value, Editions, RecordValue};
use vigie_codec::framing::{self, Datagram, FileKind, Skips};

/// Decode a recording into JSON Lines: one record per line, every item by name.
///
/// Quantities are in the unit of their specification (NM, °, FL, s, ...), strings (callsigns,
/// Mode 3/A codes) as text, tables and raw fields as numbers; spare bits are left out.
/// Blocks of categories vigie has no specification for, and records that cannot be read,
/// are skipped and counted; the counts go to stderr at the end.
///
/// Examples:
///   vigie decode testdata/asterix/sample.pcap
///   vigie decode feed.ast --format asterix --edition 048=1.31
///   vigie decode capture.pcapng | jq 'select(.category == 48) | .items["040"]'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DecodeArgs {
    /// The recording.
    file: PathBuf,
    /// Its format [default: pcap or pcapng by their magic numbers, else raw ASTERIX].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Decode a category with another vendored edition than the latest: CAT=EDITION.
    #[arg(long, value_name = "CAT=EDITION")]
    edition: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// ASTERIX data blocks end to end.
    Asterix,
    /// UDP datagrams of ASTERIX in a pcap or pcapng capture.
    Pcap,
    /// ORADIS recordings: a 6-byte header before each packet.
    Oradis,
}

/// What was read, for the summary.
#[derive(Debug, Default)]
struct Tally {
    records: std::collections::BTreeMap<u8, u64>,
    skips: Skips,
}

pub fn run(args: DecodeArgs) -> anyhow::Result<()> {
    let mut editions = Editions::default();
    editions
        .select_all(args.edition.iter().map(String::as_str))
        .map_err(anyhow::Error::msg)?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let format = args.format.unwrap_or(match framing::detect(&bytes) {
        FileKind::Pcap | FileKind::PcapNg => Format::Pcap,
        FileKind::Raw => Format::Asterix,
    });
    let mut tally = Tally::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut emit = |d: Datagram, tally: &mut Tally| -> std::io::Result<()> {
        for line in decode_datagram(&d, &editions, tally) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    };
    let mut failed = None;
    match format {
        Format::Asterix => emit(
            Datagram {
                time_s: None,
                ports: None,
                payload: bytes,
            },
            &mut tally,
        )?,
        Format::Oradis => {
            for d in framing::oradis(&bytes, &mut tally.skips) {
                emit(d, &mut tally)?;
            }
        }
        Format::Pcap => {
            let mut skips = Skips::default();
            let mut pending = Vec::new();
            if let Err(e) = framing::read_capture(&bytes[..], &mut skips, |d| pending.push(d)) {
                failed = Some(e);
            }
            tally.skips.merge(&skips);
            for d in pending {
                emit(d, &mut tally)?;
            }
        }
    }
    out.flush()?;
    summary(&tally);
    match failed {
        Some(e) => Err(anyhow::anyhow!(
            "{}: {e} (the records before it were decoded)",
            args.file.display()
        )),
        None => Ok(()),
    }
}

/// Every record of a datagram as a JSON line; what cannot be read is counted.
fn decode_datagram(d: &Datagram, editions: &Editions, tally: &mut Tally) -> Vec<String> {
    let mut lines = Vec::new();
    for block in blocks(&d.payload) {
        let block = match block {
            Ok(b) => b,
            Err(_) => {
                tally.skips.add("malformed data block");
                break;
            }
        };
        if editions.get(block.category).is_none() {
            tally.skips.add("block of a category without specification");
            continue;
        }
        for rec in block.records(editions) {
            let Ok(rec) = rec else {
                tally
                    .skips
                    .add("record that cannot be read (rest of its block skipped)");
                continue;
            };
            let Ok(v) = RecordValue::decode(&rec) else {
                tally
                    .skips
                    .add("record that cannot be read (rest of its block skipped)");
                continue;
            };
            let mut json = value::to_json(&v, editions.reference(block.category));
            if let Some(obj) = json.as_object_mut() {
                if let Some(t) = d.time_s {
                    obj.insert("time_s".into(), serde_json::json!(t));
                }
                if let Some((src, dst)) = d.ports {
                    obj.insert("udp".into(), serde_json::json!({"src": src, "dst": dst}));
                }
            }
            *tally.records.entry(block.category).or_default() += 1;
            lines.push(json.to_string());
        }
    }
    lines
}

fn summary(t: &Tally) {
    let records: Vec<String> = t
        .records
        .iter()
        .map(|(c, n)| format!("CAT{c:03} ×{n}"))
        .collect();
    eprintln!(
        "decoded {} records ({})",
        t.records.values().sum::<u64>(),
        if records.is_empty() {
            "none".into()
        } else {
            records.join(", ")
        }
    );
    for (why, n) in &t.skips.0 {
        eprintln!("skipped {n} × {why}");
    }
}
