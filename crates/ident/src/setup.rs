//! A site's identification setup: which airspace, flight plans, friendly codes, defended
//! assets and alert rules vigie judges the picture with. It is the `[ident]` table of a
//! deployment file (or a file of its own), naming the other files:
//!
//! ```toml
//! [ident]
//! rules = "rules.toml"                   # the alert rules (see `rules`)
//! airspace = ["niger.openair"]           # OpenAir, or GeoJSON (.geojson / .json)
//! plans = ["today.fpl", "extra.csv"]     # ICAO FPL messages, or CSV (.csv)
//! friendly_codes = ["4301", "4310-4317"] # Mode 3/A codes (octal), single or ranges
//! adiz_depth_km = 50                     # an ADIZ this deep inside the country's border
//!
//! [[ident.asset]]                        # a defended asset, with its restricted area
//! name = "Niamey"
//! lat_deg = 13.51
//! lon_deg = 2.11
//! radius_m = 10000
//! priority = 1
//! restricted_radius_m = 30000
//! restricted_ceiling = "FL200"
//! ```
//!
//! Reading the files is the caller's (a closure), so that a built-in exercise can bring its
//! own texts; every error names its file, and its line and field where it has them.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use geo::Polygon;
use serde::Deserialize;

use crate::airspace::{self, Limit, Volume};
use crate::flightplan::{self, FlightPlan};
use crate::identifier::Context;
use crate::identity::Rules as IdentityRules;
use crate::threat::Asset;

/// The `[ident]` table.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// The alert rules file; no alerts without one.
    #[serde(default)]
    pub rules: Option<PathBuf>,
    #[serde(default)]
    pub airspace: Vec<PathBuf>,
    #[serde(default)]
    pub plans: Vec<PathBuf>,
    #[serde(default)]
    pub friendly_codes: Vec<String>,
    /// Depth of the ADIZ inside the country's border; none when absent or 0.
    #[serde(default)]
    pub adiz_depth_km: f64,
    #[serde(default)]
    pub asset: Vec<AssetSpec>,
    /// The thresholds of identification; the defaults when absent.
    #[serde(default)]
    pub identity: Option<IdentitySpec>,
}

/// A defended asset and, if wanted, the restricted area around it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssetSpec {
    pub name: String,
    pub lat_deg: f64,
    pub lon_deg: f64,
    #[serde(default)]
    pub radius_m: f64,
    /// 1 is the highest.
    pub priority: u8,
    #[serde(default)]
    pub restricted_radius_m: Option<f64>,
    /// The restricted area's ceiling, as in OpenAir ("FL200", "5000 ft AMSL").
    #[serde(default)]
    pub restricted_ceiling: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IdentitySpec {
    pub pending_s: f64,
    pub low_agl_m: f64,
    pub fast_mps: f64,
    pub asset_horizon_s: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{}: {source}", .file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Rules(#[from] vigie_core::tomlfile::FileError),
    #[error(transparent)]
    Airspace(#[from] airspace::AirspaceError),
    #[error(transparent)]
    Plan(#[from] flightplan::PlanError),
    #[error("ident.{field}: {message}")]
    Field { field: String, message: String },
}

fn field(field: String, message: String) -> SetupError {
    SetupError::Field { field, message }
}

/// What the setup is built with besides its own files.
pub struct Surroundings<'a> {
    /// The defended country's outline (lon, lat), for the ADIZ and border crossings.
    pub country: Option<Polygon<f64>>,
    /// Aerodromes and waypoints by name, for route correlation.
    pub places: HashMap<String, (f64, f64)>,
    /// Plans that come with the feed (an exercise's), besides the setup's files.
    pub plans: Vec<FlightPlan>,
    /// Reads a file the setup names.
    pub read: &'a dyn Fn(&Path) -> std::io::Result<String>,
}

impl Setup {
    /// Reads every file the setup names and builds what the identifier judges with.
    pub fn build(&self, s: Surroundings<'_>) -> Result<Context, SetupError> {
        let read = |p: &Path| {
            (s.read)(p).map_err(|source| SetupError::Read {
                file: p.to_path_buf(),
                source,
            })
        };
        let rules = match &self.rules {
            Some(p) => crate::rules::load(&read(p)?, p)?,
            None => Vec::new(),
        };
        let mut volumes = self.zones(s.country.as_ref())?;
        for p in &self.airspace {
            let text = read(p)?;
            let name = p.display().to_string();
            let geo = matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("geojson" | "json")
            );
            volumes.extend(if geo {
                airspace::geojson(&text, &name)?
            } else {
                airspace::openair(&text, &name)?
            });
        }
        let mut plans = s.plans;
        for p in &self.plans {
            let text = read(p)?;
            let name = p.display().to_string();
            plans.extend(if p.extension().and_then(|e| e.to_str()) == Some("csv") {
                flightplan::parse_csv(&text, &name)?
            } else {
                flightplan::parse_fpl_file(&text, &name)?
            });
        }
        Ok(Context {
            volumes,
            country: s.country,
            plans,
            friendly_codes: friendly_codes(&self.friendly_codes)?,
            assets: self.assets()?,
            rules,
            identity: self
                .identity
                .map_or_else(IdentityRules::default, |i| IdentityRules {
                    pending_s: i.pending_s,
                    low_agl_m: i.low_agl_m,
                    fast_mps: i.fast_mps,
                    asset_horizon_s: i.asset_horizon_s,
                }),
            places: s.places,
            coverage: None,
        })
    }

    /// The ADIZ and the assets' restricted areas.
    fn zones(&self, country: Option<&Polygon<f64>>) -> Result<Vec<Volume>, SetupError> {
        let mut out = Vec::new();
        if self.adiz_depth_km > 0.0 {
            let country = country.ok_or_else(|| {
                field(
                    "adiz_depth_km".into(),
                    "an ADIZ along the border needs the country's outline (map.country)".into(),
                )
            })?;
            out.push(Volume::adiz("ADIZ", country, self.adiz_depth_km * 1_000.0));
        }
        for (i, a) in self.asset.iter().enumerate() {
            let Some(radius_m) = a.restricted_radius_m else {
                continue;
            };
            let ceiling = match &a.restricted_ceiling {
                Some(t) => Limit::parse(t)
                    .map_err(|m| field(format!("asset[{i}].restricted_ceiling"), m))?,
                None => Limit::Unlimited,
            };
            if !(radius_m > 0.0 && radius_m <= 1_000_000.0) {
                return Err(field(
                    format!("asset[{i}].restricted_radius_m"),
                    format!("must be in (0, 1000 km], got {radius_m}"),
                ));
            }
            out.push(Volume::around(
                &format!("{} restricted area", a.name),
                a.lat_deg,
                a.lon_deg,
                radius_m,
                ceiling,
            ));
        }
        Ok(out)
    }

    fn assets(&self) -> Result<Vec<Asset>, SetupError> {
        self.asset
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let ok = (-90.0..=90.0).contains(&a.lat_deg)
                    && (-180.0..=180.0).contains(&a.lon_deg)
                    && a.radius_m >= 0.0
                    && a.priority >= 1;
                if !ok {
                    return Err(field(
                        format!("asset[{i}]"),
                        "latitude in ±90°, longitude in ±180°, radius ≥ 0 and priority ≥ 1".into(),
                    ));
                }
                Ok(Asset {
                    name: a.name.clone(),
                    lat_deg: a.lat_deg,
                    lon_deg: a.lon_deg,
                    radius_m: a.radius_m,
                    priority: a.priority,
                })
            })
            .collect()
    }
}

/// "4301" or "4310-4317" (octal, inclusive), as the set of codes' texts.
fn friendly_codes(list: &[String]) -> Result<HashSet<String>, SetupError> {
    let mut out = HashSet::new();
    for (i, item) in list.iter().enumerate() {
        let bad = || {
            field(
                format!("friendly_codes[{i}]"),
                format!("{item:?} is not a Mode 3/A code (four octal digits) or a range A-B"),
            )
        };
        let (a, b) = item.split_once('-').unwrap_or((item, item));
        let code = |s: &str| vigie_core::Mode3A::parse(s.trim()).ok_or_else(bad);
        let (a, b) = (code(a)?.value(), code(b)?.value());
        if a > b {
            return Err(bad());
        }
        for v in a..=b {
            out.extend(vigie_core::Mode3A::from_octal_value(v).map(|c| c.to_string()));
        }
    }
    Ok(out)
}

/// The largest polygon of a GeoJSON FeatureCollection's (Multi)Polygon features: a
/// country's mainland, for the ADIZ and border crossings.
pub fn outline(geojson: &str) -> Option<Polygon<f64>> {
    let v: serde_json::Value = serde_json::from_str(geojson).ok()?;
    let mut rings: Vec<Vec<[f64; 2]>> = Vec::new();
    for f in v["features"].as_array()? {
        let g = &f["geometry"];
        let polygons: Vec<serde_json::Value> = match g["type"].as_str()? {
            "Polygon" => vec![g["coordinates"].clone()],
            "MultiPolygon" => g["coordinates"].as_array()?.clone(),
            _ => continue,
        };
        for p in polygons {
            if let Ok(mut r) = serde_json::from_value::<Vec<Vec<[f64; 2]>>>(p) {
                if !r.is_empty() {
                    rings.push(r.swap_remove(0));
                }
            }
        }
    }
    let ring = rings.into_iter().max_by_key(|r| r.len())?;
    (ring.len() >= 4).then(|| {
        Polygon::new(
            geo::LineString::new(
                ring.iter()
                    .map(|p| geo::Coord { x: p[0], y: p[1] })
                    .collect(),
            ),
            vec![],
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(name: &Path) -> std::io::Result<String> {
        match name.to_str() {
            Some("rules.toml") => Ok("[[rule]]\nkind = \"emergency\"\n".into()),
            Some("zones.openair") => Ok("AC R\nAN Test\nAL SFC\nAH FL100\nDP 14:00:00 N 002:00:00 E\nDP 14:00:00 N 003:00:00 E\nDP 13:00:00 N 003:00:00 E\n".into()),
            Some("plans.csv") => Ok("callsign,mode_s,mode3a,departure,destination,eobt,eet,aircraft_type,route\nAFR520,3944F1,2301,LFPG,DRRN,0700,0540,A320,DCT\n".into()),
            Some("broken.csv") => Ok("callsign,mode_s,mode3a,departure,destination,eobt,eet,aircraft_type,route\nAFR520,3944F1,2301,LFPG,DRRN,2500,0540,A320,DCT\n".into()),
            _ => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")),
        }
    }

    fn surroundings() -> Surroundings<'static> {
        Surroundings {
            country: outline(vigie_sim::region::NER),
            places: HashMap::new(),
            plans: Vec::new(),
            read: &files,
        }
    }

    fn setup(text: &str) -> Result<Setup, vigie_core::tomlfile::FileError> {
        vigie_core::tomlfile::parse(text, Path::new("ident.toml"))
    }

    #[test]
    fn a_setup_builds_its_zones_plans_codes_and_assets() {
        let s = setup(
            "rules = \"rules.toml\"\nairspace = [\"zones.openair\"]\nplans = [\"plans.csv\"]\n\
             friendly_codes = [\"4301\", \"4310-4317\"]\nadiz_depth_km = 50\n\
             [[asset]]\nname = \"Niamey\"\nlat_deg = 13.51\nlon_deg = 2.11\npriority = 1\n\
             restricted_radius_m = 30000\nrestricted_ceiling = \"FL200\"\n",
        )
        .unwrap();
        let c = s.build(surroundings()).unwrap();
        let names: Vec<&str> = c.volumes.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["ADIZ", "Niamey restricted area", "Test"]);
        assert_eq!(c.plans.len(), 1);
        assert_eq!(c.friendly_codes.len(), 9);
        assert!(c.friendly_codes.contains("4317"));
        assert_eq!(c.assets[0].name, "Niamey");
        assert_eq!(c.rules.len(), 1);
    }

    #[test]
    fn a_mistake_names_its_file_and_field() {
        let err = setup("friendly_codes = [\"4389\"]\n")
            .unwrap()
            .build(surroundings())
            .unwrap_err()
            .to_string();
        assert!(err.contains("ident.friendly_codes[0]"), "{err}");
        let err = setup("plans = [\"broken.csv\"]\n")
            .unwrap()
            .build(surroundings())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("broken.csv:2: eobt"), "{err}");
        let err = setup("rules = \"missing.toml\"\n")
            .unwrap()
            .build(surroundings())
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing.toml: no such file"), "{err}");
        let err = setup("adiz_depth_km = \"fifty\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ident.toml:1") && err.contains("adiz_depth_km"),
            "{err}"
        );
    }
}
