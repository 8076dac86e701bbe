//! Terrain files from a user: any bytes given as a GeoTIFF or an SRTM tile must give a DEM
//! or an error, never a panic; a DEM that loads must answer height queries anywhere.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie_terrain::Dem;

static QUIET: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // `Dem::from_geotiff` catches the TIFF decoder's own panics (a known upstream bug) and
    // returns an error; libFuzzer's hook would abort on them before they are caught. A panic
    // that escapes still unwinds out of this target and is reported as a crash.
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    for dem in [Dem::from_geotiff(data).ok(), Dem::from_hgt("N13E002.hgt", data).ok()]
        .into_iter()
        .flatten()
    {
        for (lat, lon) in [(13.5, 2.5), (0.0, 0.0), (f64::NAN, 1.0), (89.9, -179.9)] {
            let _ = dem.height(lat, lon);
        }
    }
});
