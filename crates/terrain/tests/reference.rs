//! The reference figures: one radar at Agadez (DRZA), 30 m mast, 400 km, 4/3 Earth,
//! GLOBE 30″, as shares of Niger's polygon: 2.41 % at 300 m, 6.07 % at 1,000 m and 15.77 % at
//! 3,000 m above ground, within 0.2 points.

use vigie_terrain::{radar_coverage, CountryMask, Dem, RadarSite};

#[test]
fn agadez_covers_what_the_reference_says() {
    let dem = Dem::builtin_niger();
    let niger = vigie_sim::region::Region::builtin_ner().country;
    let rings: Vec<Vec<(f64, f64)>> = niger
        .rings
        .iter()
        .map(|r| r.iter().map(|p| (p[0], p[1])).collect())
        .collect();
    let mask = CountryMask::new(&dem, &rings);
    assert!(
        (mask.area_km2 / 1_181_300.0 - 1.0).abs() < 0.003,
        "Niger's polygon on the grid: {} km²",
        mask.area_km2
    );
    let site = RadarSite {
        lat_deg: 16.966,
        lon_deg: 8.00011,
        antenna_agl_m: 30.0,
        range_m: 400_000.0,
        elevation_min_deg: None,
        refraction_k: 4.0 / 3.0,
    };
    let cov = radar_coverage(&dem, &site).expect("Agadez is on the DEM");
    for (layer_m, reference_pct) in [(300.0, 2.41), (1_000.0, 6.07), (3_000.0, 15.77)] {
        let got = 100.0 * mask.share_agl(&cov, layer_m);
        println!("{layer_m} m above ground: {got:.2} % (reference {reference_pct} %)");
        assert!(
            (got - reference_pct).abs() <= 0.2,
            "{layer_m} m: {got:.2} % against {reference_pct} %"
        );
    }
}
