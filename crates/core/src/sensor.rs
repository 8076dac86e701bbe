//! The sensor table (`sensors.toml`): what the tracker needs to know about each sensor.

use serde::{Deserialize, Serialize};

use crate::radar::DEFAULT_REFRACTION_K;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SensorKind {
    Radar,
    Adsb,
}

/// One entry of `sensors.toml` (see `docs/formats.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorSpec {
    pub id: String,
    pub kind: SensorKind,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Antenna height above mean sea level.
    pub height_m: f64,
    /// Antenna rotation period (radar) or nominal update period (ADS-B).
    pub scan_period_s: f64,
    #[serde(default)]
    pub sigma_range_m: f64,
    #[serde(default)]
    pub sigma_azimuth_deg: f64,
    /// Zero for a 2-D radar, which measures no elevation.
    #[serde(default)]
    pub sigma_elevation_deg: f64,
    #[serde(default = "default_refraction_k")]
    pub refraction_k: f64,
    /// Instrumented range (radar) or reception range (ADS-B).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range_max_m: Option<f64>,
    /// One-sigma horizontal position noise of ADS-B reports (from NACp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma_position_m: Option<f64>,
    /// ASTERIX data source identifier (I010): System Area Code and System Identification
    /// Code, by which records on a shared feed are told apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sac: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sic: Option<u8>,
    /// The declared probability of detecting a target inside coverage, per scan: what the
    /// tracker weighs a missed plot with (0.9 when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pd: Option<f64>,
    /// The lowest and highest elevation the radar's beam covers; above the highest is its
    /// cone of silence, where a track coasts instead of being missed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elevation_min_deg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elevation_max_deg: Option<f64>,
}

fn default_refraction_k() -> f64 {
    DEFAULT_REFRACTION_K
}

/// The whole `sensors.toml` file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorTable {
    #[serde(default)]
    pub sensor: Vec<SensorSpec>,
}

#[derive(Debug, thiserror::Error)]
pub enum SensorTableError {
    #[error(transparent)]
    Parse(#[from] toml::de::Error),
    #[error(transparent)]
    Write(#[from] toml::ser::Error),
}

impl SensorTable {
    pub fn from_toml(text: &str) -> Result<Self, SensorTableError> {
        Ok(toml::from_str(text)?)
    }

    pub fn to_toml(&self) -> Result<String, SensorTableError> {
        Ok(toml::to_string(self)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_toml() {
        let table = SensorTable {
            sensor: vec![SensorSpec {
                id: "niamey-lr".into(),
                kind: SensorKind::Radar,
                lat_deg: 13.48,
                lon_deg: 2.18,
                height_m: 246.0,
                scan_period_s: 10.0,
                sigma_range_m: 60.0,
                sigma_azimuth_deg: 0.12,
                sigma_elevation_deg: 0.0,
                refraction_k: DEFAULT_REFRACTION_K,
                range_max_m: Some(400_000.0),
                sigma_position_m: None,
                sac: None,
                sic: None,
                pd: None,
                elevation_min_deg: None,
                elevation_max_deg: None,
            }],
        };
        let text = table.to_toml().unwrap();
        assert!(text.contains("[[sensor]]"));
        assert_eq!(SensorTable::from_toml(&text).unwrap(), table);
    }

    /// The sensor table docs/formats.md shows is one vigie reads, every field included.
    #[test]
    fn the_documented_example_reads() {
        let doc = include_str!("../../../docs/formats.md");
        let start = doc.find("```toml\n[[sensor]]").expect("the example") + "```toml\n".len();
        let text = &doc[start..start + doc[start..].find("```").expect("its end")];
        let table = SensorTable::from_toml(text).expect("the example parses");
        let s = &table.sensor[0];
        assert_eq!(s.pd, Some(0.9));
        assert_eq!(
            (s.elevation_min_deg, s.elevation_max_deg),
            (Some(-1.0), Some(45.0))
        );
    }
}
