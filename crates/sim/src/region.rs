//! The region a scenario covers: its boundary, its neighbours and their shared borders.
//!
//! The built-in `NER` region is Natural Earth's Niger with its seven neighbours; any other
//! region comes from a GeoJSON file of (Multi)Polygons. Provenance: `data/SOURCES.md`.

use serde::Deserialize;

/// The built-in region's GeoJSON, as shipped (`data/niger/`): the display draws it too.
pub const NER: &str = include_str!("../../../data/niger/niger.geojson");
pub const NER_NEIGHBOURS: &str = include_str!("../../../data/niger/niger_neighbours.geojson");

/// A (lon, lat) vertex in degrees, as GeoJSON orders them.
pub type LonLat = [f64; 2];

#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// ISO 3166-1 alpha-3 code where the file gives one, else the feature's name.
    pub code: String,
    pub name: String,
    /// Outer rings.
    pub rings: Vec<Vec<LonLat>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub country: Country,
    pub neighbours: Vec<Country>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegionError {
    #[error("not GeoJSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the GeoJSON holds no Polygon or MultiPolygon feature")]
    NoPolygon,
}

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    #[serde(default)]
    properties: serde_json::Map<String, serde_json::Value>,
    geometry: Option<Geometry>,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<LonLat>>),
    MultiPolygon(Vec<Vec<Vec<LonLat>>>),
    #[serde(other)]
    Other,
}

impl Region {
    pub fn builtin_ner() -> Region {
        // The embedded files are tested below: a failure here is a build defect.
        let country = parse_countries(NER)
            .ok()
            .and_then(|mut c| c.pop())
            .expect("embedded NER boundary parses");
        let neighbours = parse_countries(NER_NEIGHBOURS).expect("embedded neighbours parse");
        Region {
            country,
            neighbours,
        }
    }

    /// A region from a GeoJSON text: its first polygon feature is the country.
    pub fn from_geojson(text: &str) -> Result<Region, RegionError> {
        let mut countries = parse_countries(text)?;
        if countries.is_empty() {
            return Err(RegionError::NoPolygon);
        }
        let country = countries.remove(0);
        Ok(Region {
            country,
            neighbours: Vec::new(),
        })
    }

    /// (lat_min, lat_max, lon_min, lon_max) of the country.
    pub fn bbox_deg(&self) -> [f64; 4] {
        let mut b = [f64::MAX, f64::MIN, f64::MAX, f64::MIN];
        for [lon, lat] in self.country.rings.iter().flatten() {
            b = [
                b[0].min(*lat),
                b[1].max(*lat),
                b[2].min(*lon),
                b[3].max(*lon),
            ];
        }
        b
    }

    /// The stretches of the country's boundary it shares with `neighbour` (ISO alpha-3),
    /// as segments. Natural Earth's topology shares vertices exactly along common borders.
    pub fn border_with(&self, neighbour: &str) -> Option<Vec<[LonLat; 2]>> {
        let other = self.neighbours.iter().find(|c| c.code == neighbour)?;
        let key = |p: &LonLat| ((p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64);
        let theirs: std::collections::HashSet<_> = other.rings.iter().flatten().map(key).collect();
        let segments: Vec<_> = self
            .country
            .rings
            .iter()
            .flat_map(|ring| ring.windows(2))
            .filter(|w| theirs.contains(&key(&w[0])) && theirs.contains(&key(&w[1])))
            .map(|w| [w[0], w[1]])
            .collect();
        (!segments.is_empty()).then_some(segments)
    }

    /// Whether a point lies inside the country (even-odd rule on the outer rings).
    pub fn contains(&self, lat_deg: f64, lon_deg: f64) -> bool {
        self.country
            .rings
            .iter()
            .any(|ring| ring_contains(ring, lon_deg, lat_deg))
    }
}

fn ring_contains(ring: &[LonLat], x: f64, y: f64) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let ([x0, y0], [x1, y1]) = (w[0], w[1]);
        if (y0 > y) != (y1 > y) && x < x0 + (y - y0) * (x1 - x0) / (y1 - y0) {
            inside = !inside;
        }
    }
    inside
}

fn parse_countries(text: &str) -> Result<Vec<Country>, RegionError> {
    let fc: FeatureCollection = serde_json::from_str(text)?;
    Ok(fc
        .features
        .into_iter()
        .filter_map(|f| {
            let rings = match f.geometry? {
                Geometry::Polygon(p) => p.into_iter().take(1).collect(),
                Geometry::MultiPolygon(mp) => mp
                    .into_iter()
                    .filter_map(|p| p.into_iter().next())
                    .collect(),
                Geometry::Other => return None,
            };
            let text = |k: &str| {
                f.properties
                    .get(k)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let name = text("name").unwrap_or_default();
            Some(Country {
                code: text("iso_a3").unwrap_or_else(|| name.clone()),
                name,
                rings,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_niger_has_its_borders() {
        let r = Region::builtin_ner();
        assert_eq!(r.country.code, "NER");
        assert_eq!(r.neighbours.len(), 7);
        let [lat_min, lat_max, lon_min, lon_max] = r.bbox_deg();
        assert!((lat_min - 11.696).abs() < 0.01 && (lat_max - 23.517).abs() < 0.01);
        assert!((lon_min - 0.153).abs() < 0.01 && (lon_max - 15.972).abs() < 0.01);
        for code in ["MLI", "BFA", "BEN", "NGA", "TCD", "LBY", "DZA"] {
            let border = r
                .border_with(code)
                .unwrap_or_else(|| panic!("no border with {code}"));
            assert!(border.len() > 3, "{code}");
        }
        assert!(r.border_with("FRA").is_none());
        assert!(r.contains(13.51, 2.11), "Niamey");
        assert!(r.contains(16.97, 7.99), "Agadez");
        assert!(!r.contains(12.37, -1.52), "Ouagadougou");
        assert!(!r.contains(12.0, 8.5), "Kano");
    }
}
