//! Digital elevation models on a geographic grid: GeoTIFF (EPSG:4326, one band of 16-bit
//! heights) and SRTM `.hgt` tiles, with bilinear lookup.

use std::path::Path;

/// The Niger GLOBE 30″ DEM (data/terrain/SOURCES.md): the default terrain.
const NIGER_GLOBE30S: &[u8] = include_bytes!("../../../data/terrain/niger_globe30s.tif");

#[derive(Debug, thiserror::Error)]
pub enum DemError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("not a readable GeoTIFF: {0}")]
    Tiff(#[from] tiff::TiffError),
    #[error("the GeoTIFF has no {0}: vigie needs a north-up EPSG:4326 grid")]
    MissingTag(&'static str),
    #[error("unsupported DEM: {0}")]
    Unsupported(String),
    #[error("{name}: an SRTM tile is 1201×1201 (3″) or 3601×3601 (1″) big-endian 16-bit heights, got {bytes} bytes")]
    HgtSize { name: String, bytes: usize },
    #[error("{0}: an SRTM tile is named like N13E002.hgt")]
    HgtName(String),
}

/// A north-up grid of heights (metres above mean sea level), area registered: cell (r, c)
/// covers latitudes `north_deg − (r, r+1)·cell_deg` and longitudes `west_deg + (c, c+1)·cell_deg`.
#[derive(Debug, Clone)]
pub struct Dem {
    pub north_deg: f64,
    pub west_deg: f64,
    pub cell_deg: f64,
    pub rows: usize,
    pub cols: usize,
    /// Row-major, row 0 northernmost; `i16::MIN` is no data.
    heights: Vec<i16>,
}

pub const NODATA: i16 = i16::MIN;

impl Dem {
    /// The embedded Niger GLOBE 30″ DEM (lat 10–25° N, lon 1° W–17° E).
    pub fn builtin_niger() -> Dem {
        Dem::from_geotiff(NIGER_GLOBE30S).expect("the embedded DEM is a valid GeoTIFF")
    }

    pub fn new(
        north_deg: f64,
        west_deg: f64,
        cell_deg: f64,
        rows: usize,
        cols: usize,
        heights: Vec<i16>,
    ) -> Result<Dem, DemError> {
        let valid = cell_deg.is_finite()
            && cell_deg > 0.0
            && rows > 1
            && cols > 1
            && heights.len() == rows * cols
            && (-90.0..=90.0).contains(&north_deg)
            && north_deg - rows as f64 * cell_deg >= -90.0 - 1e-9
            && west_deg.is_finite();
        if !valid {
            return Err(DemError::Unsupported(format!(
                "{rows}×{cols} cells of {cell_deg}° from {north_deg}° N, {west_deg}° E with {} heights",
                heights.len()
            )));
        }
        Ok(Dem {
            north_deg,
            west_deg,
            cell_deg,
            rows,
            cols,
            heights,
        })
    }

    /// A GeoTIFF, an SRTM tile, or a folder of SRTM tiles (mosaicked: see [`Dem::mosaic`]).
    pub fn load(path: &Path) -> Result<Dem, DemError> {
        if path.is_dir() {
            return Dem::load_tiles(path);
        }
        let bytes = std::fs::read(path).map_err(|e| DemError::Io(path.display().to_string(), e))?;
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("hgt") => {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                Dem::from_hgt(name, &bytes)
            }
            _ => Dem::from_geotiff(&bytes),
        }
    }

    /// A single-band 16-bit GeoTIFF in EPSG:4326, north up.
    pub fn from_geotiff(bytes: &[u8]) -> Result<Dem, DemError> {
        // The TIFF decoder panics on some malformed files (tiff 0.10.3 indexes an empty
        // SampleFormat tag; found by `fuzz/fuzz_targets/dem.rs`): a user's bad file must be
        // an error, not a crash.
        std::panic::catch_unwind(|| Dem::decode_geotiff(bytes)).unwrap_or_else(|_| {
            Err(DemError::Unsupported(
                "a malformed TIFF (its decoder gave up)".into(),
            ))
        })
    }

    fn decode_geotiff(bytes: &[u8]) -> Result<Dem, DemError> {
        use tiff::decoder::{Decoder, DecodingResult};
        use tiff::tags::Tag;
        let mut dec = Decoder::new(std::io::Cursor::new(bytes))?;
        let (cols, rows) = dec.dimensions()?;
        let scale = dec
            .get_tag_f64_vec(Tag::ModelPixelScaleTag)
            .map_err(|_| DemError::MissingTag("ModelPixelScale"))?;
        let tie = dec
            .get_tag_f64_vec(Tag::ModelTiepointTag)
            .map_err(|_| DemError::MissingTag("ModelTiepoint"))?;
        if scale.len() < 2 || tie.len() < 6 || (scale[0] - scale[1]).abs() > 1e-9 * scale[0] {
            return Err(DemError::Unsupported(
                "cells must be square in degrees".into(),
            ));
        }
        let nodata = dec
            .get_tag_ascii_string(Tag::GdalNodata)
            .ok()
            .and_then(|s| s.trim_matches(char::from(0)).trim().parse::<f64>().ok());
        let heights: Vec<i16> = match dec.read_image()? {
            DecodingResult::I16(v) => v,
            DecodingResult::U16(v) => v.into_iter().map(|h| h.min(32_767) as i16).collect(),
            _ => {
                return Err(DemError::Unsupported(
                    "heights must be 16-bit integers".into(),
                ))
            }
        };
        let heights = match nodata {
            Some(n) if n != f64::from(NODATA) => heights
                .into_iter()
                .map(|h| if f64::from(h) == n { NODATA } else { h })
                .collect(),
            _ => heights,
        };
        let cell = scale[0];
        // The tie point maps raster (i, j) to model (x, y): the NW corner is that point
        // moved back by (i, j) cells.
        let west = tie[3] - tie[0] * cell;
        let north = tie[4] + tie[1] * cell;
        Dem::new(north, west, cell, rows as usize, cols as usize, heights)
    }

    /// An SRTM tile (`N13E002.hgt`): 1″ or 3″, big-endian, point registered (its rows and
    /// columns are on whole seconds, the first at the tile's north-west corner).
    pub fn from_hgt(name: &str, bytes: &[u8]) -> Result<Dem, DemError> {
        let side = match bytes.len() {
            n if n == 1201 * 1201 * 2 => 1201,
            n if n == 3601 * 3601 * 2 => 3601,
            n => {
                return Err(DemError::HgtSize {
                    name: name.into(),
                    bytes: n,
                })
            }
        };
        let (lat, lon) = hgt_corner(name).ok_or_else(|| DemError::HgtName(name.into()))?;
        let cell = 1.0 / (side - 1) as f64;
        let heights = bytes
            .chunks_exact(2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .map(|h| if h == -32768 { NODATA } else { h })
            .collect();
        // Point-registered samples become the centres of area-registered cells.
        Dem::new(
            f64::from(lat) + 1.0 + cell / 2.0,
            f64::from(lon) - cell / 2.0,
            cell,
            side,
            side,
            heights,
        )
    }

    /// Every `.hgt` tile in a folder, as one grid.
    fn load_tiles(dir: &Path) -> Result<Dem, DemError> {
        let io = |e| DemError::Io(dir.display().to_string(), e);
        let mut tiles = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("hgt"))
            {
                tiles.push(Dem::load(&path)?);
            }
        }
        Dem::mosaic(&tiles).map_err(|e| match e {
            DemError::Unsupported(m) => DemError::Unsupported(format!("{}: {m}", dir.display())),
            e => e,
        })
    }

    /// Tiles of one resolution on one lattice (SRTM tiles of a folder) as one grid. Where no
    /// tile covers a cell (SRTM has none over the sea) the cell has no data: it hides
    /// nothing and counts as seen by nobody. At most 400 M cells (800 MB).
    pub fn mosaic(tiles: &[Dem]) -> Result<Dem, DemError> {
        let Some(first) = tiles.first() else {
            return Err(DemError::Unsupported("no .hgt tile".into()));
        };
        let cell = first.cell_deg;
        if tiles.iter().any(|t| (t.cell_deg - cell).abs() > 1e-12) {
            return Err(DemError::Unsupported(
                "tiles of different resolutions (1″ and 3″): keep one".into(),
            ));
        }
        let north = tiles.iter().map(|t| t.north_deg).fold(f64::MIN, f64::max);
        let west = tiles.iter().map(|t| t.west_deg).fold(f64::MAX, f64::min);
        let at = |v: f64| (v / cell).round() as usize;
        let rows = tiles
            .iter()
            .map(|t| at(north - t.north_deg) + t.rows)
            .max()
            .unwrap_or(0);
        let cols = tiles
            .iter()
            .map(|t| at(t.west_deg - west) + t.cols)
            .max()
            .unwrap_or(0);
        if rows.saturating_mul(cols) > 400_000_000 {
            return Err(DemError::Unsupported(format!(
                "{rows}×{cols} cells: more than 400 M; keep the tiles the radars reach"
            )));
        }
        let mut heights = vec![NODATA; rows * cols];
        for t in tiles {
            let (r0, c0) = (at(north - t.north_deg), at(t.west_deg - west));
            for r in 0..t.rows {
                let dst = &mut heights[(r0 + r) * cols + c0..][..t.cols];
                // Neighbouring SRTM tiles share their edge samples: the same heights.
                dst.copy_from_slice(t.row_heights(r));
            }
        }
        Dem::new(north, west, cell, rows, cols, heights)
    }

    /// One row's raw heights (`NODATA` where there is none): for loops over many cells.
    pub(crate) fn row_heights(&self, row: usize) -> &[i16] {
        &self.heights[row * self.cols..(row + 1) * self.cols]
    }

    pub fn height_at_cell(&self, row: usize, col: usize) -> Option<f64> {
        let h = *self.heights.get(row * self.cols + col)?;
        (h != NODATA).then_some(f64::from(h))
    }

    /// Centre of cell (row, col).
    pub fn cell_centre(&self, row: usize, col: usize) -> (f64, f64) {
        (
            self.north_deg - (row as f64 + 0.5) * self.cell_deg,
            self.west_deg + (col as f64 + 0.5) * self.cell_deg,
        )
    }

    /// Bilinear height between cell centres; `None` outside the grid or next to no data.
    pub fn height(&self, lat_deg: f64, lon_deg: f64) -> Option<f64> {
        let y = (self.north_deg - lat_deg) / self.cell_deg - 0.5;
        let x = (lon_deg - self.west_deg) / self.cell_deg - 0.5;
        if !(y >= 0.0 && x >= 0.0) {
            return self.edge_height(y, x);
        }
        let (r, c) = (y.floor() as usize, x.floor() as usize);
        if r + 1 >= self.rows || c + 1 >= self.cols {
            return self.edge_height(y, x);
        }
        let (fy, fx) = (y - r as f64, x - c as f64);
        let h00 = self.height_at_cell(r, c)?;
        let h01 = self.height_at_cell(r, c + 1)?;
        let h10 = self.height_at_cell(r + 1, c)?;
        let h11 = self.height_at_cell(r + 1, c + 1)?;
        let top = h00 + (h01 - h00) * fx;
        let bottom = h10 + (h11 - h10) * fx;
        Some(top + (bottom - top) * fy)
    }

    /// Within the outer half cell, the nearest cell's height.
    fn edge_height(&self, y: f64, x: f64) -> Option<f64> {
        let inside = y > -0.5 - 1e-9
            && x > -0.5 - 1e-9
            && y < self.rows as f64 - 0.5
            && x < self.cols as f64 - 0.5;
        if !inside {
            return None;
        }
        let r = y.round().clamp(0.0, (self.rows - 1) as f64) as usize;
        let c = x.round().clamp(0.0, (self.cols - 1) as f64) as usize;
        self.height_at_cell(r, c)
    }
}

fn hgt_corner(name: &str) -> Option<(i32, i32)> {
    let stem = name.get(..7)?.to_ascii_uppercase();
    let lat: i32 = stem.get(1..3)?.parse().ok()?;
    let lon: i32 = stem.get(4..7)?.parse().ok()?;
    let lat = match &stem[0..1] {
        "N" => lat,
        "S" => -lat,
        _ => return None,
    };
    let lon = match &stem[3..4] {
        "E" => lon,
        "W" => -lon,
        _ => return None,
    };
    Some((lat, lon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_dem_is_where_its_provenance_says() {
        let dem = Dem::builtin_niger();
        assert_eq!((dem.rows, dem.cols), (1800, 2160));
        assert!((dem.north_deg - 25.0).abs() < 1e-9 && (dem.west_deg + 1.0).abs() < 1e-9);
        assert!((dem.cell_deg - 1.0 / 120.0).abs() < 1e-12);
        // Columns west of 0° E are no data (GLOBE tile F is not shipped).
        assert_eq!(dem.height(15.0, -0.5), None);
        // Agadez airport (DRZA, 16.966 N 8.000 E) is at 501 m; GLOBE gives about 500.
        let agadez = dem.height(16.9660, 8.0004).expect("Agadez is covered");
        assert!((agadez - 500.0).abs() < 30.0, "{agadez}");
        // Mont Greboun, the Aïr's summit (20.0 N 8.6 E), rises near 1,900 m.
        let greboun = (0..40)
            .flat_map(|i| (0..40).map(move |j| (19.85 + i as f64 * 0.01, 8.45 + j as f64 * 0.01)))
            .filter_map(|(la, lo)| dem.height(la, lo))
            .fold(0.0, f64::max);
        assert!((1_700.0..2_100.0).contains(&greboun), "{greboun}");
    }

    #[test]
    fn bilinear_is_exact_on_a_plane() {
        let (rows, cols) = (4, 5);
        let heights = (0..rows * cols)
            .map(|i| (10 * (i / cols) + 3 * (i % cols)) as i16)
            .collect();
        let dem = Dem::new(10.0, 0.0, 1.0, rows, cols, heights).unwrap();
        // Centre of cell (1, 2) is (8.5 N, 2.5 E): 10 + 6 = 16.
        assert_eq!(dem.height(8.5, 2.5), Some(16.0));
        let h = dem.height(8.25, 2.75).unwrap();
        assert!((h - (12.5 + 6.75)).abs() < 1e-9, "{h}");
        assert_eq!(dem.height(11.0, 2.0), None);
        assert_eq!(dem.height(f64::NAN, 2.0), None);
    }

    #[test]
    fn bad_files_are_clear_errors() {
        assert!(matches!(
            Dem::from_geotiff(b"not a tiff"),
            Err(DemError::Tiff(_))
        ));
        assert!(matches!(
            Dem::from_hgt("N13E002.hgt", &[0; 100]),
            Err(DemError::HgtSize { .. })
        ));
        assert!(matches!(
            Dem::from_hgt("tile.hgt", &vec![0; 1201 * 1201 * 2]),
            Err(DemError::HgtName(_))
        ));
        let err = Dem::load(Path::new("/no/such/N13E002.hgt")).unwrap_err();
        assert!(
            err.to_string().starts_with("/no/such/N13E002.hgt: "),
            "{err}"
        );
    }

    #[test]
    fn an_srtm_tile_lands_on_its_square() {
        let mut bytes = vec![0u8; 1201 * 1201 * 2];
        // The south-east sample (the tile's SE corner) is 250 m.
        let i = (1201 * 1201 - 1) * 2;
        bytes[i..i + 2].copy_from_slice(&250i16.to_be_bytes());
        let dem = Dem::from_hgt("S01W002.hgt", &bytes).unwrap();
        assert_eq!(dem.height(-1.0, -1.0), Some(250.0));
        assert_eq!(dem.height(0.0, -2.0), Some(0.0));
    }

    #[test]
    fn a_folder_of_srtm_tiles_is_one_grid() {
        let dir = std::env::temp_dir().join(format!("vigie-tiles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Three 3″ tiles of an L; the fourth square (N14E003) is sea, with no tile.
        for (name, h) in [("N13E002", 100i16), ("N13E003", 200), ("N14E002", 300)] {
            std::fs::write(
                dir.join(format!("{name}.hgt")),
                h.to_be_bytes().repeat(1201 * 1201),
            )
            .unwrap();
        }
        std::fs::write(dir.join("README.txt"), "not a tile").unwrap();
        let dem = Dem::load(&dir).unwrap();
        assert_eq!((dem.rows, dem.cols), (2401, 2401));
        assert_eq!(dem.height(13.5, 2.5), Some(100.0));
        assert_eq!(dem.height(13.5, 3.5), Some(200.0));
        assert_eq!(dem.height(14.5, 2.5), Some(300.0));
        assert_eq!(dem.height(14.5, 3.5), None, "no tile, no data");

        // A 1″ tile among 3″ ones is refused, by name.
        std::fs::write(dir.join("N12E002.hgt"), vec![0u8; 3601 * 3601 * 2]).unwrap();
        let err = Dem::load(&dir).unwrap_err().to_string();
        assert!(err.contains("different resolutions"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
        let empty = std::env::temp_dir().join(format!("vigie-no-tiles-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        assert!(Dem::load(&empty)
            .unwrap_err()
            .to_string()
            .contains("no .hgt tile"));
        std::fs::remove_dir_all(&empty).unwrap();
    }
}
