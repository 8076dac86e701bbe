//! `vigie decode`: a recording's records as JSON Lines, every item by name.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use vigie_codec::asterix::{blocks, value, Editions, RecordValue};
use vigie_codec::framing::{self, Datagram, FileKind, Skips};

/// Decode a recording into JSON Lines: one record per line, every item by name.
///
/// ASTERIX: quantities are in the unit of their specification (NM, °, FL, s, ...), strings
/// (callsigns, Mode 3/A codes) as text, tables and raw fields as numbers; spare bits are
/// left out. Mode S (beast, avr, sbs): every message as rs1090 decodes it, with the
/// position vigie's per-aircraft CPR decoding gives when there is one.
/// What cannot be read is skipped and counted; the counts go to stderr at the end.
///
/// Examples:
///   vigie decode testdata/asterix/sample.pcap
///   vigie decode feed.ast --format asterix --edition 048=1.31
///   vigie decode capture.pcapng | jq 'select(.category == 48) | .items["040"]'
///   vigie decode testdata/modes/sample_dump1090.bin --format beast
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
    /// Mode S in Beast binary (dump1090, readsb: port 30005).
    Beast,
    /// Mode S as AVR text lines (`*8D4840D6...;`).
    Avr,
    /// BaseStation CSV lines (port 30003).
    Sbs,
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
    if matches!(format, Format::Beast | Format::Avr | Format::Sbs) {
        return decode_modes(&bytes, format);
    }
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
        Format::Beast | Format::Avr | Format::Sbs => unreachable!("decoded above"),
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

/// Mode S recordings: one JSON line per message.
fn decode_modes(bytes: &[u8], format: Format) -> anyhow::Result<()> {
    use vigie_codec::modes;
    use vigie_ingest::modes::{ModeSConfig, ModeSDecoder};
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut counters = vigie_ingest::Counters::default();
    let mut decoder = ModeSDecoder::new(ModeSConfig::default());
    let mut lines = 0u64;
    let mut message = |time_s: f64,
                       frame: &modes::Frame,
                       out: &mut dyn Write,
                       counters: &mut vigie_ingest::Counters|
     -> std::io::Result<()> {
        let msg = frame.message();
        let decoded = rs1090::prelude::Message::try_from(msg).ok();
        let position = decoder.decode(time_s, msg, counters);
        let mut json = serde_json::json!({
            "hex": value::hex(msg),
            "receiver_ticks": frame.ticks,
            "message": decoded.and_then(|m| serde_json::to_value(m).ok()),
        });
        if let Some(p) = position {
            json["position"] = serde_json::json!({"lat_deg": p.lat_deg, "lon_deg": p.lon_deg, "altitude_ft": p.altitude_ft});
        }
        writeln!(out, "{json}")
    };
    match format {
        Format::Beast => {
            let mut beast = modes::Beast::new();
            beast.push(bytes);
            while let Some(f) = beast.next_frame() {
                // The receiver's 12 MHz clock is the only time a Beast file has.
                message(f.ticks as f64 / 12e6, &f, &mut out, &mut counters)?;
                lines += 1;
            }
            for (k, v) in &beast.skips.0 {
                counters.add_n(k, *v);
            }
        }
        Format::Avr => {
            for (i, line) in String::from_utf8_lossy(bytes).lines().enumerate() {
                match modes::avr(line) {
                    Some(f) => message(i as f64 * 1e-3, &f, &mut out, &mut counters)?,
                    None => counters.add("lines that are not AVR"),
                }
                lines += 1;
            }
        }
        _ => {
            for line in String::from_utf8_lossy(bytes).lines() {
                match modes::sbs(line) {
                    Some(m) => writeln!(out, "{}", sbs_json(&m))?,
                    None => counters.add("lines that are not SBS"),
                }
                lines += 1;
            }
        }
    }
    out.flush()?;
    eprintln!("read {lines} frames or lines");
    for (k, v) in &counters.0 {
        eprintln!("{v} × {k}");
    }
    Ok(())
}

fn sbs_json(m: &vigie_codec::modes::Sbs) -> serde_json::Value {
    serde_json::json!({
        "transmission": m.kind,
        "icao": format!("{:06X}", m.icao),
        "time_of_day_s": m.time_of_day_s,
        "callsign": m.callsign,
        "altitude_ft": m.altitude_ft,
        "ground_speed_kt": m.ground_speed_kt,
        "track_deg": m.track_deg,
        "lat_deg": m.lat_deg,
        "lon_deg": m.lon_deg,
        "vertical_rate_ftpm": m.vertical_rate_ftpm,
        "squawk": m.squawk,
        "emergency": m.emergency,
        "on_ground": m.on_ground,
    })
}
