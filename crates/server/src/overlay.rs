//! The coverage overlay: what the radar network sees at each altitude layer, as transparent
//! PNG images the display lays over its map, one per layer, computed once at start.

use serde::Serialize;
use vigie_terrain::{Dem, Network, Reference};

/// One image per layer over one bounding box.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    pub bounds: Bounds,
    pub layers: Vec<(u32, Vec<u8>)>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Bounds {
    pub west_deg: f64,
    pub south_deg: f64,
    pub east_deg: f64,
    pub north_deg: f64,
}

/// What the display needs to place the images.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OverlayIndex {
    pub bounds: Bounds,
    /// Layer heights above ground, metres: each is `/api/coverage/{height}.png`.
    pub layers_m: Vec<u32>,
}

impl Overlay {
    pub fn index(&self) -> OverlayIndex {
        OverlayIndex {
            bounds: self.bounds,
            layers_m: self.layers.iter().map(|(h, _)| *h).collect(),
        }
    }

    pub fn png(&self, height_m: u32) -> Option<&[u8]> {
        self.layers
            .iter()
            .find(|(h, _)| *h == height_m)
            .map(|(_, png)| png.as_slice())
    }

    /// Renders the network's coverage at each layer (above ground) over the network's window,
    /// at most `width` pixels across. Rows are spaced evenly in Web Mercator, the map's
    /// projection, so the image lies straight on it between its corners.
    pub fn render(dem: &Dem, network: &Network, layers_m: &[u32], width: usize) -> Overlay {
        let west = dem.west_deg + network.col0 as f64 * dem.cell_deg;
        let north = dem.north_deg - network.row0 as f64 * dem.cell_deg;
        let east = west + network.cols as f64 * dem.cell_deg;
        let south = north - network.rows as f64 * dem.cell_deg;
        let w = width.min(network.cols).max(1);
        let (y_n, y_s) = (mercator_y(north), mercator_y(south));
        let h = ((w as f64) * (y_n - y_s) / (east - west).to_radians())
            .round()
            .max(1.0) as usize;
        let layers = layers_m
            .iter()
            .map(|&layer| {
                let mut rgba = vec![0u8; w * h * 4];
                for py in 0..h {
                    let y = y_n - (py as f64 + 0.5) / h as f64 * (y_n - y_s);
                    let lat = y.sinh().atan().to_degrees();
                    let row = ((dem.north_deg - lat) / dem.cell_deg).floor() as usize;
                    for px in 0..w {
                        let lon = west + (px as f64 + 0.5) / w as f64 * (east - west);
                        let col = ((lon - dem.west_deg) / dem.cell_deg).floor() as usize;
                        if network.sees(row, col, f64::from(layer), Reference::Ground) {
                            let k = (py * w + px) * 4;
                            rgba[k..k + 4].copy_from_slice(&[46, 204, 113, 150]);
                        }
                    }
                }
                (layer, encode(&rgba, w, h))
            })
            .collect();
        Overlay {
            bounds: Bounds {
                west_deg: west,
                south_deg: south,
                east_deg: east,
                north_deg: north,
            },
            layers,
        }
    }
}

fn mercator_y(lat_deg: f64) -> f64 {
    lat_deg.to_radians().tan().asinh()
}

fn encode(rgba: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w as u32, h as u32);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let written = enc
        .write_header()
        .and_then(|mut writer| writer.write_image_data(rgba));
    if let Err(e) = written {
        tracing::error!("encoding the coverage overlay: {e}");
        out.clear();
    }
    out
}
