//! Identification, the alert rules and threat evaluation over 40,000 tracks, once a second,
//! on one core: the Niger ADIZ (50 km inside the border), restricted areas around three
//! defended points, 500 flight plans, every rule. The goal is under 5 % of a core (50 ms
//! a second). Run: `cargo bench -p vigie-ident --bench identify`.

use std::time::Instant;

use geo::{Coord, LineString, Polygon};
use rand::{Rng, SeedableRng};
use vigie_core::interop::TrackRow;
use vigie_core::{Mode3A, ModeS};
use vigie_ident::airspace::{Limit, Volume};
use vigie_ident::identifier::{Context, Identifier, TrackInput};
use vigie_ident::threat::Asset;

const TRACKS: u32 = 40_000;

fn niger() -> Polygon<f64> {
    let region = vigie_sim::region::Region::builtin_ner();
    let ring = region.country.rings.iter().max_by_key(|r| r.len()).unwrap();
    Polygon::new(
        LineString::new(ring.iter().map(|p| Coord { x: p[0], y: p[1] }).collect()),
        vec![],
    )
}

fn main() {
    let country = niger();
    let assets = [
        ("Niamey", 13.51, 2.11),
        ("Agadez", 16.97, 7.99),
        ("Arlit", 18.74, 7.39),
    ];
    let mut volumes = if std::env::var_os("NO_ADIZ").is_some() {
        vec![]
    } else {
        vec![Volume::adiz("ADIZ", &country, 50_000.0)]
    };
    volumes.extend(
        assets
            .iter()
            .map(|(n, la, lo)| Volume::around(n, *la, *lo, 20_000.0, Limit::FlightLevel(150.0))),
    );
    let mut csv =
        String::from("callsign,mode_s,mode3a,departure,destination,eobt,eet,aircraft_type,route\n");
    for i in 0..500 {
        csv += &format!(
            "TST{i},{:06X},,DRRN,DRZA,0800,0130,B738,DCT\n",
            0x400000 + i
        );
    }
    let rules = vigie_ident::rules::load(
        "[[rule]]\nkind = \"airspace\"\npredict_min = 5\n[[rule]]\nkind = \"emergency\"\n[[rule]]\nkind = \"transponder_off\"\nzones = [\"ADIZ\"]\n[[rule]]\nkind = \"code_change\"\n[[rule]]\nkind = \"spoofing\"\nmax_distance_m = 2000\n[[rule]]\nkind = \"border_crossing\"\n[[rule]]\nkind = \"track_lost\"\n",
        std::path::Path::new("rules.toml"),
    )
    .unwrap();
    let context = Context {
        volumes,
        country: Some(country),
        plans: vigie_ident::flightplan::parse_csv(&csv, "plans.csv").unwrap(),
        friendly_codes: ["4301".to_string()].into_iter().collect(),
        assets: assets
            .iter()
            .enumerate()
            .map(|(i, (n, la, lo))| Asset {
                name: n.to_string(),
                lat_deg: *la,
                lon_deg: *lo,
                radius_m: 20_000.0,
                priority: i as u8 + 1,
            })
            .collect(),
        rules,
        ..Context::default()
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut tracks: Vec<TrackInput> = (0..TRACKS)
        .map(|id| {
            let heading: f64 = rng.random_range(0.0..std::f64::consts::TAU);
            let speed: f64 = rng.random_range(50.0..260.0);
            let civil = id % 3 != 0;
            TrackInput {
                row: TrackRow {
                    time_s: 0.0,
                    track_id: id,
                    lat_deg: rng.random_range(11.0..24.0),
                    lon_deg: rng.random_range(0.0..16.0),
                    alt_m: rng.random_range(150.0..12_000.0),
                    vn_mps: speed * heading.cos(),
                    ve_mps: speed * heading.sin(),
                    vu_mps: 0.0,
                    mode3a: civil.then(|| Mode3A::from_octal_value((id % 0o7777) as u16).unwrap()),
                    mode_s: civil.then(|| ModeS::new(0x400000 + id).unwrap()),
                    callsign: None,
                },
                unix_s: 0.0,
                transponder: civil,
                emergency_status: false,
                adsb_radar_gap_m: None,
                ground_m: 300.0,
            }
        })
        .collect();
    let mut idf = Identifier::new(context);
    let mut times = Vec::new();
    for s in 0..10 {
        for t in &mut tracks {
            t.unix_s = f64::from(s);
            t.row.time_s = f64::from(s);
            t.row.lat_deg += t.row.vn_mps / 111_195.0;
            t.row.lon_deg += t.row.ve_mps / (111_195.0 * t.row.lat_deg.to_radians().cos());
        }
        let started = Instant::now();
        let tick = idf.step(&tracks, &[]);
        times.push(started.elapsed().as_secs_f64());
        if s == 9 {
            println!(
                "last second: {} identity changes, {} alerts raised, {} threats ranked",
                tick.identity_changes.len(),
                tick.raised.len(),
                tick.threats.len()
            );
        }
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{TRACKS} tracks: {:.1} ms a second (median of 10), {:.1} % of one core (goal < 5 %)",
        median * 1e3,
        median * 100.0
    );
}
