//! Geodesy against published and independent reference values, to millimetres and
//! microradians. Provenance of every file: `tests/data/README.md`.

use vigie_core::{Geodetic, RadarGeometry};

fn rows(text: &str) -> impl Iterator<Item = Vec<f64>> + '_ {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
}

const MICRORAD_DEG: f64 = 1e-6 * 180.0 / std::f64::consts::PI;

#[test]
fn geodesics_match_karney_test_set() {
    for r in rows(include_str!("data/geodtest_karney.csv")) {
        let a = Geodetic::new(r[0], r[1], 0.0);
        let b = Geodetic::new(r[3], r[4], 0.0);
        let line = a.geodesic_to(b);
        assert!((line.distance_m - r[6]).abs() < 1e-3, "{r:?}: {line:?}");
        assert!(
            (line.azimuth_start_deg - r[2]).abs() < MICRORAD_DEG,
            "{r:?}"
        );
        assert!((line.azimuth_end_deg - r[5]).abs() < MICRORAD_DEG, "{r:?}");
        let end = a.destination(r[2], r[6]);
        let back = Geodetic::new(r[3], vigie_core::geodesy::normalize_lon_deg(r[4]), 0.0);
        assert!(
            end.to_ecef().distance_m(back.to_ecef()) < 1e-3,
            "{r:?}: {end:?}"
        );
    }
}

#[test]
fn ecef_matches_proj() {
    for r in rows(include_str!("data/ecef_proj.csv")) {
        let g = Geodetic::new(r[0], r[1], r[2]);
        let p = g.to_ecef();
        for (got, want) in [(p.x_m, r[3]), (p.y_m, r[4]), (p.z_m, r[5])] {
            assert!((got - want).abs() < 1e-3, "{r:?}: {p:?}");
        }
        let back = vigie_core::Ecef::new(r[3], r[4], r[5]).to_geodetic();
        assert!((back.alt_m - r[2]).abs() < 1e-3, "{r:?}: {back:?}");
        assert!((back.lat_deg - r[0]).abs() < 1e-9 && (back.lon_deg - r[1]).abs() < 1e-9);
    }
}

#[test]
fn straight_line_radar_geometry_matches_pymap3d() {
    for r in rows(include_str!("data/aer_pymap3d.csv")) {
        let site = Geodetic::new(r[0], r[1], r[2]);
        let target = Geodetic::new(r[3], r[4], r[5]).to_ecef();
        let radar = RadarGeometry::new(site, 1.0).unwrap();
        let p = radar.polar(target);
        assert!((p.range_m - r[8]).abs() < 1e-3, "{r:?}: {p:?}");
        assert!(
            (p.azimuth_rad.to_degrees() - r[6]).abs() < MICRORAD_DEG,
            "{r:?}"
        );
        assert!(
            (p.elevation_rad.to_degrees() - r[7]).abs() < MICRORAD_DEG,
            "{r:?}"
        );
        let enu = radar.frame().to_enu(target);
        for (got, want) in [(enu.e_m, r[9]), (enu.n_m, r[10]), (enu.u_m, r[11])] {
            assert!((got - want).abs() < 1e-3, "{r:?}: {enu:?}");
        }
        assert!(radar.position(p).distance_m(target) < 1e-3);
    }
}
