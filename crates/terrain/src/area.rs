//! How much of a country a coverage holds: the country's cells on the DEM grid (by cell
//! centre, scanline by scanline), each weighted by its true area, since geographic cells
//! shrink with the cosine of latitude.

use crate::coverage::Coverage;
use crate::dem::Dem;

const A_M: f64 = 6_378_137.0;
const E2: f64 = 6.694_379_990_14e-3;

/// The WGS84 area of one square radian at `lat_deg`: the meridian and prime-vertical radii of
/// curvature times cos φ. (A sphere would be 0.4 % off at Niger's latitudes.)
fn area_element_m2(lat_deg: f64) -> f64 {
    let (s, c) = lat_deg.to_radians().sin_cos();
    let w2 = 1.0 - E2 * s * s;
    let m = A_M * (1.0 - E2) / (w2 * w2.sqrt());
    let n = A_M / w2.sqrt();
    m * n * c
}

/// The cells of a DEM whose centres lie inside a country, with their areas.
#[derive(Debug, Clone)]
pub struct CountryMask {
    /// Per DEM row, the inside cells as column ranges `[start, end)`.
    spans: Vec<Vec<(usize, usize)>>,
    /// Area of one cell in each row, km².
    row_area_km2: Vec<f64>,
    pub area_km2: f64,
}

impl CountryMask {
    /// `rings` are the country's outer rings as (lon, lat) vertices; a point is inside when
    /// it is inside an odd number of them (even-odd rule, so holes given as rings work).
    pub fn new(dem: &Dem, rings: &[Vec<(f64, f64)>]) -> CountryMask {
        let cell = dem.cell_deg.to_radians();
        let mut spans = Vec::with_capacity(dem.rows);
        let mut row_area_km2 = Vec::with_capacity(dem.rows);
        let mut area_km2 = 0.0;
        for r in 0..dem.rows {
            let (lat, _) = dem.cell_centre(r, 0);
            let a = cell * cell * area_element_m2(lat) / 1e6;
            let row = row_spans(dem, rings, lat);
            area_km2 += a * row.iter().map(|(s, e)| (e - s) as f64).sum::<f64>();
            spans.push(row);
            row_area_km2.push(a);
        }
        CountryMask {
            spans,
            row_area_km2,
            area_km2,
        }
    }

    /// How many of row `r`'s cells are inside.
    pub fn cells_in_row(&self, r: usize) -> usize {
        self.spans
            .get(r)
            .map_or(0, |row| row.iter().map(|(s, e)| e - s).sum())
    }

    /// The columns of row `r` inside the country, west to east.
    pub fn row_cells(&self, r: usize) -> impl Iterator<Item = usize> + '_ {
        self.spans
            .get(r)
            .into_iter()
            .flatten()
            .flat_map(|&(s, e)| s..e)
    }

    /// Whether cell (r, c) is inside the country.
    pub fn contains(&self, r: usize, c: usize) -> bool {
        self.spans
            .get(r)
            .is_some_and(|row| row.iter().any(|&(s, e)| (s..e).contains(&c)))
    }

    /// The area of one cell of row `r`, km².
    pub fn cell_area_km2(&self, r: usize) -> f64 {
        self.row_area_km2.get(r).copied().unwrap_or(0.0)
    }

    /// The country's area (km²) where `covered(row, col)` holds.
    pub fn covered_km2(&self, mut covered: impl FnMut(usize, usize) -> bool) -> f64 {
        let mut total = 0.0;
        for (r, row) in self.spans.iter().enumerate() {
            let n: usize = row
                .iter()
                .map(|&(s, e)| (s..e).filter(|&c| covered(r, c)).count())
                .sum();
            total += n as f64 * self.row_area_km2[r];
        }
        total
    }

    /// The share (0–1) of the country one radar sees at `height_agl_m` above ground.
    pub fn share_agl(&self, cov: &Coverage, height_agl_m: f64) -> f64 {
        let h = height_agl_m as f32;
        self.covered_km2(|r, c| cov.agl_at(r, c).is_some_and(|v| v <= h)) / self.area_km2
    }
}

/// The column spans of row `lat` inside the rings: crossings of the row's latitude with every
/// edge, sorted, paired.
fn row_spans(dem: &Dem, rings: &[Vec<(f64, f64)>], lat: f64) -> Vec<(usize, usize)> {
    let mut xs: Vec<f64> = Vec::new();
    for ring in rings {
        for w in ring.windows(2) {
            let ((x1, y1), (x2, y2)) = (w[0], w[1]);
            if (y1 > lat) != (y2 > lat) {
                xs.push(x1 + (lat - y1) / (y2 - y1) * (x2 - x1));
            }
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.chunks_exact(2)
        .filter_map(|p| {
            // Cells whose centres lie within [p0, p1].
            let first = ((p[0] - dem.west_deg) / dem.cell_deg - 0.5).ceil().max(0.0) as usize;
            let last = (((p[1] - dem.west_deg) / dem.cell_deg - 0.5).floor() + 1.0)
                .clamp(0.0, dem.cols as f64) as usize;
            (last > first).then_some((first, last))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_degree_at_the_equator_has_its_area() {
        let dem = Dem::new(2.0, -2.0, 0.01, 400, 400, vec![0; 160_000]).unwrap();
        let square = vec![
            (0.0, -0.5),
            (1.0, -0.5),
            (1.0, 0.5),
            (0.0, 0.5),
            (0.0, -0.5),
        ];
        let mask = CountryMask::new(&dem, &[square]);
        // 1° × 1° across the equator on WGS84: 12,308 km² (a 6,371 km sphere: 12,364).
        let expected = 12_308.0;
        assert!(
            (mask.area_km2 / expected - 1.0).abs() < 1e-3,
            "{}",
            mask.area_km2
        );
    }
}

/// Cells of a grid where `inside(row, col)` holds, as GeoJSON polygons: runs of cells along
/// each row, merged down the rows while they repeat, each a rectangle of whole cells. Exact
/// on the grid, and valid GeoJSON (rectangles never overlap).
pub fn cells_geojson(
    dem: &Dem,
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    mut inside: impl FnMut(usize, usize) -> bool,
) -> String {
    // Open rectangles: (col start, col end, first row).
    let mut open: Vec<(usize, usize, usize)> = Vec::new();
    let mut rects: Vec<(usize, usize, usize, usize)> = Vec::new();
    for r in rows.clone() {
        let mut runs = Vec::new();
        let mut start = None;
        for c in cols.clone() {
            match (inside(r, c), start) {
                (true, None) => start = Some(c),
                (false, Some(s)) => {
                    runs.push((s, c));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            runs.push((s, cols.end));
        }
        let mut still = Vec::with_capacity(runs.len());
        for (s, e, r0) in open.drain(..) {
            if runs.contains(&(s, e)) {
                still.push((s, e, r0));
            } else {
                rects.push((s, e, r0, r));
            }
        }
        for &(s, e) in &runs {
            if !still.iter().any(|&(a, b, _)| (a, b) == (s, e)) {
                still.push((s, e, r));
            }
        }
        open = still;
    }
    rects.extend(open.into_iter().map(|(s, e, r0)| (s, e, r0, rows.end)));
    let polygons: Vec<String> = rects
        .iter()
        .map(|&(c0, c1, r0, r1)| {
            let west = dem.west_deg + c0 as f64 * dem.cell_deg;
            let east = dem.west_deg + c1 as f64 * dem.cell_deg;
            let north = dem.north_deg - r0 as f64 * dem.cell_deg;
            let south = dem.north_deg - r1 as f64 * dem.cell_deg;
            format!(
                "[[[{west:.6},{south:.6}],[{east:.6},{south:.6}],[{east:.6},{north:.6}],[{west:.6},{north:.6}],[{west:.6},{south:.6}]]]"
            )
        })
        .collect();
    format!(
        r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"MultiPolygon","coordinates":[{}]}}}}"#,
        polygons.join(",")
    )
}

#[cfg(test)]
mod polygon_tests {
    use super::*;

    #[test]
    fn an_l_shape_becomes_two_rectangles_of_its_area() {
        let dem = Dem::new(3.0, 0.0, 1.0, 3, 3, vec![0; 9]).unwrap();
        // ##.
        // ##.
        // #..
        let shape = [[1, 1, 0], [1, 1, 0], [1, 0, 0]];
        let json = cells_geojson(&dem, 0..3, 0..3, |r, c| shape[r][c] == 1);
        assert_eq!(json.matches("[[[").count(), 2, "{json}");
        assert!(
            json.contains("[[[0.000000,1.000000],[2.000000,1.000000],[2.000000,3.000000]"),
            "{json}"
        );
        assert!(
            json.contains("[[[0.000000,0.000000],[1.000000,0.000000],[1.000000,1.000000]"),
            "{json}"
        );
    }
}
