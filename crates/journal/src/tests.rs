use super::*;
use proptest::prelude::*;

fn no_sync(_: &mut Vec<u8>) -> io::Result<()> {
    Ok(())
}

fn report(i: u32) -> Report {
    Report {
        time_s: f64::from(i) * 0.37,
        sensor: SensorId((i % 5) as u16),
        kind: [
            PlotKind::Psr,
            PlotKind::Ssr,
            PlotKind::Combined,
            PlotKind::Adsb,
        ][i as usize % 4],
        measurement: if i % 4 == 3 {
            Measurement::Position {
                lat_deg: 13.0 + f64::from(i) * 1e-3,
                lon_deg: 2.0,
            }
        } else {
            Measurement::Polar {
                range_m: 1_000.0 * f64::from(i),
                azimuth_rad: 0.1,
                elevation_rad: i.is_multiple_of(2).then_some(0.02),
            }
        },
        alt_m: (!i.is_multiple_of(3)).then_some(3_000.0),
        mode3a: (i % 2 == 1).then(|| Mode3A::parse("7700").unwrap()),
        mode_s: (!i.is_multiple_of(4)).then(|| ModeS::new(0x3944F1 + i).unwrap()),
        callsign: (i % 4 == 3).then(|| Callsign::new("AFR520").unwrap()),
    }
}

fn track(i: u32) -> TrackRow {
    TrackRow {
        time_s: f64::from(i),
        track_id: i,
        lat_deg: 13.5,
        lon_deg: 2.1,
        alt_m: 10_000.0,
        vn_mps: 200.0,
        ve_mps: -3.5,
        vu_mps: 0.0,
        mode3a: Mode3A::parse("2301"),
        mode_s: None,
        callsign: Callsign::new("DAH4062"),
    }
}

fn session() -> Vec<Entry> {
    let mut out = vec![Entry::Start(Start {
        epoch_unix_s: 1_772_352_000.0,
        exercise: true,
        name: "Niger".into(),
        sensors: serde_json::json!({"sensor": []}),
        tracker: serde_json::json!({}),
        training: Some(serde_json::json!({"objectives": []})),
    })];
    out.push(Entry::State {
        time_s: 0.0,
        tracker: (0..=255u8).cycle().take(3000).collect(),
    });
    for tick in 0..20u32 {
        out.push(Entry::Input {
            time_s: f64::from(tick),
            reports: (0..tick * 3).map(report).collect(),
        });
        out.push(Entry::Output {
            time_s: f64::from(tick),
            updates: (0..tick).map(track).collect(),
            ended: vec![tick],
        });
        out.push(Entry::Truth {
            time_s: f64::from(tick),
            aircraft: (0..tick % 4)
                .map(|id| TruthPoint {
                    id,
                    lat_deg: 13.0 + f64::from(id),
                    lon_deg: 2.0,
                })
                .collect(),
        });
        if tick % 5 == 0 {
            out.push(Entry::Judged {
                time_s: f64::from(tick),
                picture: serde_json::json!({"identities": [[tick, "suspect", false]], "alerts": []}),
            });
        }
        if tick % 7 == 0 {
            out.push(Entry::Action(Action {
                time_s: f64::from(tick),
                user: "ana".into(),
                action: "set identity".into(),
                detail: serde_json::json!({"track": tick, "identity": "hostile"}),
            }));
        }
    }
    out
}

fn written(entries: &[Entry]) -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), 1.0, no_sync).unwrap();
    for (i, e) in entries.iter().enumerate() {
        w.append(e).unwrap();
        w.commit(i as f64).unwrap();
    }
    w.into_inner().unwrap()
}

#[test]
fn a_session_reads_back_as_it_was_written() {
    let entries = session();
    let bytes = written(&entries);
    let mut r = Reader::new(&bytes[..]).unwrap();
    let back: Vec<Entry> = r.by_ref().collect();
    assert_eq!(back, entries);
    assert_eq!(r.torn, None);
    assert_eq!(r.offset(), bytes.len() as u64);
}

/// Cut anywhere (a process killed mid-write): every whole frame before the cut comes back,
/// and the reader says where it stopped.
#[test]
fn a_journal_cut_anywhere_gives_back_every_whole_frame() {
    let entries = session();
    let bytes = written(&entries);
    let mut ends = Vec::new();
    let mut r = Reader::new(&bytes[..]).unwrap();
    while r.next().is_some() {
        ends.push(r.offset() as usize);
    }
    for cut in (8..bytes.len()).step_by(7) {
        let mut r = Reader::new(&bytes[..cut]).unwrap();
        let back: Vec<Entry> = r.by_ref().collect();
        let whole = ends.iter().filter(|&&e| e <= cut).count();
        assert_eq!(back.len(), whole, "cut at {cut}");
        assert_eq!(back[..], entries[..whole]);
        let on_a_boundary = cut == MAGIC.len() || ends.contains(&cut);
        assert_eq!(r.torn.is_some(), !on_a_boundary, "cut at {cut}");
    }
}

#[test]
fn a_damaged_byte_stops_the_reader_at_its_frame() {
    let entries = session();
    let mut bytes = written(&entries);
    let at = bytes.len() / 2;
    bytes[at] ^= 0x40;
    let mut r = Reader::new(&bytes[..]).unwrap();
    let back: Vec<Entry> = r.by_ref().collect();
    assert!(back.len() < entries.len());
    assert_eq!(back[..], entries[..back.len()]);
    let torn = r.torn.unwrap();
    assert!(torn.offset as usize <= at, "{torn:?}");
    assert!(matches!(
        Reader::new(&b"not a journal"[..]),
        Err(JournalError::NotAJournal)
    ));
}

proptest! {
    #[test]
    fn any_report_round_trips(
        t in -1e6f64..1e6, sensor in 0u16..1000, kind in 0usize..4, polar in any::<bool>(),
        a in -1e6f64..1e6, b in -10f64..10.0, el in proptest::option::of(-1.0f64..1.0),
        alt in proptest::option::of(-500f64..20_000.0), code in proptest::option::of(0u16..0o7777),
        addr in proptest::option::of(0u32..0xFF_FFFF),
    ) {
        let r = Report {
            time_s: t,
            sensor: SensorId(sensor),
            kind: [PlotKind::Psr, PlotKind::Ssr, PlotKind::Combined, PlotKind::Adsb][kind],
            measurement: if polar {
                Measurement::Polar { range_m: a, azimuth_rad: b, elevation_rad: el }
            } else {
                Measurement::Position { lat_deg: b, lon_deg: a / 1e4 }
            },
            alt_m: alt,
            mode3a: code.and_then(Mode3A::from_octal_value),
            mode_s: addr.and_then(ModeS::new),
            callsign: None,
        };
        let e = Entry::Input { time_s: t, reports: vec![r] };
        let back: Vec<Entry> = Reader::new(&written(std::slice::from_ref(&e))[..]).unwrap().collect();
        prop_assert_eq!(back, vec![e]);
    }

    #[test]
    fn garbage_after_the_magic_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut bytes = MAGIC.to_vec();
        bytes.extend(tail);
        let mut r = Reader::new(&bytes[..]).unwrap();
        let n = r.by_ref().count();
        prop_assert!(n <= bytes.len());
    }
}

/// Found cutting a journal from the bus: a sensor table read back from a journal's start
/// had coordinates a bit off (serde_json's fast float parsing), so a tracker's saved state
/// was refused as "another sensor table", and a re-run was not quite the session's tracker.
#[test]
fn regression_numbers_in_a_start_read_back_to_the_same_bits() {
    let values: [f64; 5] = [
        13.521_893_017_400_001,
        2.109_999_999_999_999_4,
        0.1 + 0.2,
        1e-300,
        6_378_137.000_000_001,
    ];
    let start = Start {
        epoch_unix_s: 1_772_352_000.123_456_7,
        exercise: false,
        name: "bits".into(),
        sensors: serde_json::json!({ "v": values }),
        tracker: serde_json::json!({}),
        training: None,
    };
    let bytes = written(&[Entry::Start(start.clone())]);
    let back: Vec<Entry> = Reader::new(&bytes[..]).unwrap().collect();
    let Entry::Start(back) = &back[0] else {
        panic!("a start")
    };
    let read: Vec<f64> = serde_json::from_value(back.sensors["v"].clone()).unwrap();
    for (a, b) in values.iter().zip(&read) {
        assert_eq!(a.to_bits(), b.to_bits(), "{a} read back as {b}");
    }
    assert_eq!(back.epoch_unix_s.to_bits(), start.epoch_unix_s.to_bits());
}
