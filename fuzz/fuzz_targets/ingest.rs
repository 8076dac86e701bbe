//! A sensor feed's datagrams into reports: any bytes, received from the exercise's sensors
//! (SAC 100, SIC 1–17), give reports with finite numbers or counted skips, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie_core::{Measurement, SensorKind, SensorSpec, SensorTable};
use vigie_ingest::asterix::AsterixIngest;
use vigie_ingest::Counters;

fn table() -> SensorTable {
    let spec = |i: u8, kind| SensorSpec {
        id: format!("s{i}"),
        kind,
        lat_deg: 13.5,
        lon_deg: 2.1,
        height_m: 250.0,
        scan_period_s: 10.0,
        sigma_range_m: 50.0,
        sigma_azimuth_deg: 0.1,
        sigma_elevation_deg: if i % 2 == 0 { 0.3 } else { 0.0 },
        refraction_k: 4.0 / 3.0,
        range_max_m: Some(400_000.0),
        sigma_position_m: None,
        sac: Some(100),
        sic: Some(i),
        pd: None,
        elevation_min_deg: None,
        elevation_max_deg: None,
    };
    SensorTable {
        sensor: (1..=17).map(|i| spec(i, if i > 10 { SensorKind::Adsb } else { SensorKind::Radar })).collect(),
    }
}

fuzz_target!(|data: &[u8]| {
    let ingest = AsterixIngest::new(&table(), 1_772_352_000.0);
    let mut c = Counters::default();
    let mut out = Vec::new();
    ingest.datagram(data, 1_772_352_100.0, &mut c, &mut out);
    for r in out {
        assert!(r.time_s.is_finite());
        match r.measurement {
            Measurement::Polar { range_m, azimuth_rad, elevation_rad } => {
                assert!(range_m.is_finite() && azimuth_rad.is_finite() && elevation_rad.is_none_or(f64::is_finite));
            }
            Measurement::Position { lat_deg, lon_deg } => assert!(lat_deg.is_finite() && lon_deg.is_finite()),
        }
    }
});
