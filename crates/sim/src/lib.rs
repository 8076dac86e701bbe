//! # vigie-sim: the scenario simulator
//!
//! vigie trains crews and measures its own tracker against ground truth; both need a world
//! whose truth is known. This crate builds that world from a scenario file: aircraft flying
//! real routes between real airports or sneaking low across a border, and the sensors that
//! watch them (rotating radars with the radar equation, Swerling 1 fluctuation, clutter,
//! horizon masking and SSR replies; ADS-B stations with loss, NACp-like noise and spoofing).
//!
//! It owns the scenario format ([`scenario`]), the traffic ([`traffic`], [`flight`],
//! [`aircraft`]), the sensor models ([`radar`], [`adsb`]) and the frame loop ([`engine`]),
//! whose [`Simulator::next_frame`] is the streaming, in-process API the live pipeline uses.
//! It writes vigie's interop files through `vigie_core::interop` ([`output`]) and draws the
//! run as an SVG map ([`map`]).
//!
//! It does not own tracking, display, wire formats or wall-clock time: frames come as fast
//! as they are asked for, and pacing them to real time is the caller's business. Every
//! random draw comes from the scenario's seed, so a scenario gives the same bytes anywhere.

pub mod adsb;
pub mod aircraft;
pub mod airports;
pub mod engine;
pub mod exercise;
pub mod flight;
pub mod fpl;
pub mod map;
pub mod output;
pub mod radar;
pub mod region;
pub mod scenario;
pub mod snapshot;
pub mod suite;
pub mod traffic;

use std::path::Path;

pub use engine::{Frame, InjectError, Injection, Simulator, Stats, FRAME_S};
pub use scenario::{Scenario, ScenarioError};

/// Standard gravity, for coordinated turns.
pub const G_MPS2: f64 = 9.806_65;

/// Parses a scenario's `start_time` (RFC 3339), normalised to UTC.
pub fn parse_start_time(s: &str) -> Result<time::OffsetDateTime, time::error::Parse> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
}

/// What the command line may change in a scenario without editing it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Overrides {
    pub seed: Option<u64>,
    pub duration_s: Option<f64>,
}

/// Loads, validates and builds a scenario file into a ready simulator.
pub fn load(path: &Path, overrides: Overrides) -> Result<Simulator, ScenarioError> {
    let text = scenario::read(path)?;
    from_text(&text, path, overrides)
}

/// Builds a simulator from scenario text; `path` names it in errors and anchors relative
/// paths (a GeoJSON region, a `base` scenario).
pub fn from_text(
    text: &str,
    path: &Path,
    overrides: Overrides,
) -> Result<Simulator, ScenarioError> {
    from_layers(&scenario::layers(text, path)?, overrides)
}

/// Builds a simulator from a scenario and the bases it amends; relative paths are the
/// file's that names them.
pub fn from_layers(
    layers: &scenario::Layers,
    overrides: Overrides,
) -> Result<Simulator, ScenarioError> {
    let mut s = scenario::parse_layers(layers)?;
    if let Some(seed) = overrides.seed {
        s.seed = seed;
    }
    if let Some(d) = overrides.duration_s {
        let mut p = scenario::Problems::default();
        if !(d > 0.0 && d <= 7.0 * 86_400.0) {
            p.push(
                "duration_s",
                format!("--duration-s must be in (0, 604800], got {d}"),
            );
            return Err(layers.located(p));
        }
        s.duration_s = d;
    }
    let mut problems = scenario::Problems::default();
    let region = match (&s.region.builtin, &s.region.geojson) {
        (Some(_), _) => Some(region::Region::builtin_ner()),
        (None, Some(file)) => {
            let full = dir_of(layers, "region.geojson").join(file);
            match std::fs::read_to_string(&full) {
                Ok(t) => region::Region::from_geojson(&t)
                    .map_err(|e| {
                        problems.push("region.geojson", format!("{}: {e}", full.display()))
                    })
                    .ok(),
                Err(e) => {
                    problems.push(
                        "region.geojson",
                        format!("cannot read {}: {e}", full.display()),
                    );
                    None
                }
            }
        }
        (None, None) => None,
    };
    let terrain = terrain_of(&s.region, &dir_of(layers, "region.dem"), &mut problems);
    let Some(region) = region.filter(|_| problems.0.is_empty()) else {
        return Err(layers.located(problems));
    };
    Simulator::build(s, region, terrain).map_err(|p| layers.located(p))
}

/// The folder of the file that sets `field`, which its relative paths start from.
fn dir_of(layers: &scenario::Layers, field: &str) -> std::path::PathBuf {
    let path = &layers.owner(field).path;
    path.parent().unwrap_or(Path::new(".")).to_path_buf()
}

/// The terrain radars see over: a DEM file (`region.dem`, relative to the scenario), else
/// the built-in region's; none with `terrain = false` or for a custom region without one.
fn terrain_of(
    r: &scenario::RegionSpec,
    dir: &Path,
    problems: &mut scenario::Problems,
) -> Option<std::sync::Arc<vigie_terrain::Dem>> {
    if !r.terrain {
        return None;
    }
    if let Some(file) = &r.dem {
        let full = dir.join(file);
        return match vigie_terrain::Dem::load(&full) {
            Ok(dem) => Some(std::sync::Arc::new(dem)),
            Err(e) => {
                problems.push("region.dem", format!("{}: {e}", full.display()));
                None
            }
        };
    }
    r.builtin.as_ref().map(|_| engine::builtin_terrain())
}
