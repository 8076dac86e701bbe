//! One radar's line of sight, timed alone: the embedded GLOBE 30″ grid at 400 km, or
//! VIGIE_BENCH_DEM (a GeoTIFF, e.g. the 90 m-class grid `bench/viewshed.sh` makes) at
//! VIGIE_BENCH_RANGE_KM. Prints the best of five runs and the time per cell.
//! Run: `cargo bench -p vigie-terrain --bench coverage`.

use std::time::Instant;

use vigie_terrain::{radar_coverage, Dem, RadarSite};

fn main() {
    let dem = match std::env::var("VIGIE_BENCH_DEM") {
        Ok(p) => Dem::load(std::path::Path::new(&p)).expect("a readable DEM"),
        Err(_) => Dem::builtin_niger(),
    };
    let range_km: f64 = std::env::var("VIGIE_BENCH_RANGE_KM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400.0);
    let site = RadarSite {
        lat_deg: 16.966,
        lon_deg: 8.00011,
        antenna_agl_m: 30.0,
        range_m: range_km * 1_000.0,
        elevation_min_deg: None,
        refraction_k: 4.0 / 3.0,
    };
    let mut best = f64::INFINITY;
    let mut cells = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let cov = radar_coverage(&dem, &site).expect("Agadez is on the DEM");
        best = best.min(t.elapsed().as_secs_f64());
        cells = cov.rows * cov.cols;
    }
    println!(
        "one radar, {range_km:.0} km: {:.1} ms for {cells} cells ({:.1} ns per cell)",
        best * 1e3,
        best * 1e9 / cells as f64
    );
}
