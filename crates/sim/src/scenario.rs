//! The scenario file (TOML), documented in `docs/scenario.md`.
//!
//! Loading is in two passes. Serde checks the shape and the types; then [`validate`] checks
//! meaning (ranges, references between sections, units given once). Both passes report
//! problems as `file:line: field: message`, the line found from the field's path in a
//! span-keeping parse of the same text, so a user goes straight to the mistake.

use std::path::Path;

use serde::Deserialize;
pub use vigie_core::tomlfile::{located, FileError, Layers, Problem, Problems};
use vigie_core::{Callsign, Mode3A, ModeS, DEFAULT_REFRACTION_K};

use crate::aircraft::AircraftType;

/// A whole scenario as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub name: String,
    pub duration_s: f64,
    pub seed: u64,
    /// RFC 3339 UTC instant of `time_s = 0`.
    pub start_time: String,
    #[serde(default = "one")]
    pub truth_period_s: f64,
    pub region: RegionSpec,
    #[serde(default)]
    pub radar: Vec<RadarSpec>,
    #[serde(default)]
    pub adsb: Vec<AdsbSpec>,
    #[serde(default)]
    pub traffic: TrafficSpec,
    #[serde(default)]
    pub flight: Vec<FlightSpec>,
    #[serde(default)]
    pub event: Vec<EventSpec>,
    /// A training exercise's briefing, positions and objectives.
    #[serde(default)]
    pub exercise: Option<crate::exercise::ExerciseSpec>,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    /// A built-in region: `"NER"`.
    pub builtin: Option<String>,
    /// A GeoJSON file, relative to the scenario file.
    pub geojson: Option<String>,
    /// The ground's elevation (AMSL) where there is no terrain model: custom regions, or
    /// `terrain = false`.
    #[serde(default)]
    pub ground_elevation_m: f64,
    /// A DEM (GeoTIFF or SRTM `.hgt`, relative to the scenario file) radars see over,
    /// instead of the built-in region's: a custom region's terrain, or finer tiles.
    pub dem: Option<String>,
    /// Radars see over the terrain (`dem`, else the built-in region's: GLOBE 30″ for
    /// NER): masts stand on it and hills hide what flies low behind them. `false`: a
    /// smooth Earth.
    #[serde(default = "default_terrain")]
    pub terrain: bool,
    /// How far beyond the region's bounding box traffic is simulated.
    #[serde(default = "default_margin")]
    pub traffic_margin_m: f64,
}

fn default_terrain() -> bool {
    true
}

fn default_margin() -> f64 {
    400_000.0
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RadarSpec {
    pub id: String,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Antenna height above mean sea level; or give `mast_m`.
    pub height_m: Option<f64>,
    /// Antenna height above the ground (30 m when neither is given).
    pub mast_m: Option<f64>,
    pub rotation_period_s: f64,
    /// Instrumented range.
    pub range_m: f64,
    #[serde(default = "default_el_min")]
    pub elevation_min_deg: f64,
    #[serde(default = "default_el_max")]
    pub elevation_max_deg: f64,
    /// A 3-D radar also measures elevation.
    #[serde(default)]
    pub three_d: bool,
    pub sigma_range_m: f64,
    pub sigma_azimuth_deg: f64,
    #[serde(default)]
    pub sigma_elevation_deg: f64,
    /// A systematic range error (registration bias) added to every plot.
    #[serde(default)]
    pub bias_range_m: f64,
    /// A systematic azimuth error (north misalignment) added to every plot.
    #[serde(default)]
    pub bias_azimuth_deg: f64,
    #[serde(default = "default_k")]
    pub refraction_k: f64,
    /// The point that fixes the radar equation: Pd at a range for a cross-section.
    pub pd_reference: PdReference,
    /// Probability of false alarm per resolution cell, for the Swerling 1 Pd law.
    #[serde(default = "default_pfa")]
    pub pfa: f64,
    /// Mean number of false plots per antenna revolution, spread over the coverage.
    #[serde(default)]
    pub false_alarms_per_scan: f64,
    /// Spread false plots only within this range (a clutter zone around the site).
    pub false_alarm_range_m: Option<f64>,
    /// A constant Pd in place of the radar equation, for comparisons with other trackers.
    pub pd_fixed: Option<f64>,
    pub ssr: Option<SsrSpec>,
}

fn default_el_min() -> f64 {
    -1.0
}
fn default_el_max() -> f64 {
    45.0
}
fn default_k() -> f64 {
    DEFAULT_REFRACTION_K
}
fn default_pfa() -> f64 {
    1e-6
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdReference {
    pub range_m: f64,
    pub rcs_m2: f64,
    pub pd: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SsrMode {
    /// Mode A/C: code and 100-ft altitude.
    ModeAc,
    /// Mode S: also address, callsign, 25-ft altitude.
    ModeS,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsrSpec {
    pub mode: SsrMode,
    #[serde(default = "default_ssr_pd")]
    pub pd: f64,
    /// Defaults to the primary's instrumented range.
    pub range_m: Option<f64>,
}

fn default_ssr_pd() -> f64 {
    0.98
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdsbSpec {
    pub id: String,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Antenna height above mean sea level; or give `mast_m`.
    pub height_m: Option<f64>,
    /// Antenna height above the ground (10 m when neither is given).
    pub mast_m: Option<f64>,
    #[serde(default = "default_adsb_range")]
    pub range_m: f64,
    #[serde(default = "one")]
    pub update_period_s: f64,
    /// Probability that one report is lost.
    #[serde(default = "default_loss")]
    pub loss: f64,
}

/// Antenna height above mean sea level, from `height_m` or from the ground and `mast_m`.
pub fn antenna_alt_m(
    height_m: Option<f64>,
    mast_m: Option<f64>,
    ground_m: f64,
    default_mast_m: f64,
) -> f64 {
    height_m.unwrap_or(ground_m + mast_m.unwrap_or(default_mast_m))
}

impl RadarSpec {
    pub fn antenna_alt_m(&self, ground_m: f64) -> f64 {
        antenna_alt_m(self.height_m, self.mast_m, ground_m, 30.0)
    }
}

impl RadarSpec {
    /// The radar as coverage planning sees it (`vigie_terrain`): the same site, mast
    /// (30 m when only the antenna's altitude is given), range and refraction.
    pub fn coverage_site(&self) -> vigie_terrain::RadarSite {
        vigie_terrain::RadarSite {
            lat_deg: self.lat_deg,
            lon_deg: self.lon_deg,
            antenna_agl_m: self.mast_m.unwrap_or(30.0),
            range_m: self.range_m,
            elevation_min_deg: Some(self.elevation_min_deg),
            refraction_k: self.refraction_k,
        }
    }
}

impl AdsbSpec {
    pub fn antenna_alt_m(&self, ground_m: f64) -> f64 {
        antenna_alt_m(self.height_m, self.mast_m, ground_m, 10.0)
    }
}

fn default_adsb_range() -> f64 {
    400_000.0
}
fn default_loss() -> f64 {
    0.05
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficSpec {
    #[serde(default)]
    pub flow: Vec<FlowSpec>,
    #[serde(default)]
    pub intruders: Vec<IntruderSpec>,
}

/// Scheduled traffic between two airports, at an hourly rate (Poisson arrivals).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowSpec {
    pub from: String,
    pub to: String,
    pub per_hour: f64,
    pub aircraft: AircraftType,
    pub cruise_alt_ft: Option<f64>,
    /// Three-letter airline designator for the generated callsigns.
    #[serde(default = "default_prefix")]
    pub callsign_prefix: String,
    /// Share of the flow that broadcasts ADS-B; the class's default otherwise.
    pub adsb_share: Option<f64>,
}

fn default_prefix() -> String {
    "VGE".into()
}

/// Non-cooperative intruders crossing a border low, transponder off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntruderSpec {
    pub count: u32,
    pub aircraft: AircraftType,
    /// ISO 3166-1 alpha-3 code of the neighbour whose border they cross (built-in regions).
    pub border: String,
    /// Only cross the border within this distance of the target.
    pub within_m: Option<f64>,
    pub height_agl_m: f64,
    pub speed_mps: Option<f64>,
    /// Window of border-crossing times, seconds from the start.
    pub start_s: [f64; 2],
    pub target: Place,
}

/// An airport's ICAO code or a point.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Place {
    Airport(String),
    Point { lat_deg: f64, lon_deg: f64 },
}

/// A scripted flight along waypoints.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlightSpec {
    pub name: String,
    pub aircraft: AircraftType,
    #[serde(default)]
    pub start_s: f64,
    pub callsign: Option<String>,
    pub mode_s: Option<String>,
    pub squawk: Option<String>,
    #[serde(default)]
    pub adsb: bool,
    #[serde(default = "yes")]
    pub transponder: bool,
    /// A gentler turn-rate limit than the class's.
    pub turn_rate_max_deg_s: Option<f64>,
    pub waypoint: Vec<WaypointSpec>,
}

fn yes() -> bool {
    true
}

/// One waypoint: give exactly one of the altitudes, and at most one speed.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaypointSpec {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: Option<f64>,
    pub alt_ft: Option<f64>,
    pub height_agl_m: Option<f64>,
    pub speed_mps: Option<f64>,
    pub speed_kt: Option<f64>,
}

/// A scripted event.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventSpec {
    /// The flight's transponder switches to `code` (e.g. 7700).
    Squawk {
        at_s: f64,
        flight: String,
        code: String,
    },
    TransponderOff {
        at_s: f64,
        flight: String,
    },
    TransponderOn {
        at_s: f64,
        flight: String,
    },
    /// The sensor sends nothing in [at_s, until_s).
    SensorOutage {
        at_s: f64,
        until_s: f64,
        sensor: String,
    },
    /// The flight's ADS-B positions are displaced by `offset_m` towards `bearing_deg`.
    AdsbSpoof {
        at_s: f64,
        until_s: f64,
        flight: String,
        offset_m: f64,
        bearing_deg: f64,
    },
    /// Jamming or a clutter burst: the radar gets `plots_per_scan` false plots a scan over
    /// `width_deg` centred on `azimuth_deg`, in [at_s, until_s).
    Jamming {
        at_s: f64,
        until_s: f64,
        sensor: String,
        azimuth_deg: f64,
        width_deg: f64,
        plots_per_scan: f64,
    },
}

impl EventSpec {
    pub fn at_s(&self) -> f64 {
        match self {
            EventSpec::Squawk { at_s, .. }
            | EventSpec::TransponderOff { at_s, .. }
            | EventSpec::TransponderOn { at_s, .. }
            | EventSpec::SensorOutage { at_s, .. }
            | EventSpec::AdsbSpoof { at_s, .. }
            | EventSpec::Jamming { at_s, .. } => *at_s,
        }
    }
}

/// A scenario that failed to load, with every problem found.
pub type ScenarioError = FileError;

/// The largest scenario file read: more is a mistake (or `/dev/zero` as a base).
pub const FILE_MAX_BYTES: u64 = 16 << 20;

/// Reads a scenario file's text.
pub fn read(path: &Path) -> Result<String, ScenarioError> {
    let fail = |message: String| ScenarioError {
        file: path.to_path_buf(),
        problems: vec![Problem {
            file: None,
            line: None,
            field: String::new(),
            message,
        }],
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if !meta.is_file() || meta.len() > FILE_MAX_BYTES {
        return Err(fail(format!(
            "not a scenario file: a regular file of at most {} MB is",
            FILE_MAX_BYTES >> 20
        )));
    }
    std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))
}

/// A scenario file and the `base` scenarios it amends (`base = "niger.toml"`), read
/// from disk relative to it.
pub fn layers(text: &str, path: &Path) -> Result<Layers, ScenarioError> {
    Layers::resolve(text, path, &read)
}

/// Parses and validates scenario text (and its bases, from disk); `path` names it in
/// errors.
pub fn parse(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
    parse_layers(&layers(text, path)?)
}

/// Parses and validates a scenario and its bases.
pub fn parse_layers(layers: &Layers) -> Result<Scenario, ScenarioError> {
    let scenario: Scenario = layers.parse()?;
    let mut problems = Problems::default();
    validate(&scenario, &mut problems);
    if problems.0.is_empty() {
        Ok(scenario)
    } else {
        Err(layers.located(problems))
    }
}

/// Checks everything serde cannot: ranges, units given once, references by name.
pub fn validate(s: &Scenario, p: &mut Problems) {
    p.check(
        s.duration_s > 0.0 && s.duration_s <= 7.0 * 86_400.0,
        || "duration_s".into(),
        || {
            format!(
                "must be between 0 and 7 days (604800 s), got {}",
                s.duration_s
            )
        },
    );
    p.check(
        s.truth_period_s >= 1.0 && s.truth_period_s <= 3_600.0 && s.truth_period_s.fract() == 0.0,
        || "truth_period_s".into(),
        || {
            format!(
                "must be a whole number of seconds in [1, 3600], got {}",
                s.truth_period_s
            )
        },
    );
    if let Err(e) = crate::parse_start_time(&s.start_time) {
        p.push(
            "start_time",
            format!("not an RFC 3339 UTC time like 2026-03-01T08:00:00Z: {e}"),
        );
    }
    validate_region(&s.region, p);
    let mut ids = std::collections::HashSet::new();
    let ground_m = s.region.ground_elevation_m;
    for (i, r) in s.radar.iter().enumerate() {
        validate_radar(r, &format!("radar[{i}]"), p);
        validate_antenna(r.height_m, r.mast_m, ground_m, &format!("radar[{i}]"), p);
        p.check(
            ids.insert(r.id.clone()),
            || format!("radar[{i}].id"),
            || format!("sensor id {:?} is used twice", r.id),
        );
    }
    for (i, a) in s.adsb.iter().enumerate() {
        let f = format!("adsb[{i}]");
        validate_site(a.lat_deg, a.lon_deg, &f, p);
        validate_antenna(a.height_m, a.mast_m, ground_m, &f, p);
        positive(a.range_m, &format!("{f}.range_m"), p);
        positive(a.update_period_s, &format!("{f}.update_period_s"), p);
        p.check(
            (0.0..1.0).contains(&a.loss),
            || format!("{f}.loss"),
            || format!("must be in [0, 1), got {}", a.loss),
        );
        p.check(
            ids.insert(a.id.clone()),
            || format!("{f}.id"),
            || format!("sensor id {:?} is used twice", a.id),
        );
    }
    p.check(
        ids.len() < usize::from(u16::MAX),
        || "radar".into(),
        || "too many sensors".into(),
    );
    validate_traffic(s, p);
    let flights: std::collections::HashSet<_> = s.flight.iter().map(|f| f.name.as_str()).collect();
    for (i, f) in s.flight.iter().enumerate() {
        validate_flight(f, &format!("flight[{i}]"), p);
    }
    p.check(
        flights.len() == s.flight.len(),
        || "flight".into(),
        || "two flights share a name".into(),
    );
    for (i, e) in s.event.iter().enumerate() {
        validate_event(e, &format!("event[{i}]"), &flights, &ids, s.duration_s, p);
    }
    if let Some(x) = &s.exercise {
        crate::exercise::validate(x, &s.flight, p);
    }
}

fn positive(v: f64, field: &str, p: &mut Problems) {
    p.check(
        v.is_finite() && v > 0.0,
        || field.into(),
        || format!("must be a positive number, got {v}"),
    );
}

fn non_negative(v: f64, field: &str, p: &mut Problems) {
    p.check(
        v.is_finite() && v >= 0.0,
        || field.into(),
        || format!("must be zero or more, got {v}"),
    );
}

fn validate_site(lat_deg: f64, lon_deg: f64, f: &str, p: &mut Problems) {
    p.check(
        (-90.0..=90.0).contains(&lat_deg),
        || format!("{f}.lat_deg"),
        || format!("latitude out of [-90, 90]: {lat_deg}"),
    );
    p.check(
        (-180.0..=180.0).contains(&lon_deg),
        || format!("{f}.lon_deg"),
        || format!("longitude out of [-180, 180]: {lon_deg}"),
    );
}

fn validate_antenna(
    height_m: Option<f64>,
    mast_m: Option<f64>,
    ground_m: f64,
    f: &str,
    p: &mut Problems,
) {
    match (height_m, mast_m) {
        (Some(_), Some(_)) => p.push(f, "give at most one of height_m, mast_m"),
        (Some(h), None) => p.check(
            h > ground_m,
            || format!("{f}.height_m"),
            || format!("the antenna ({h} m AMSL) would stand below the ground (region.ground_elevation_m = {ground_m} m)"),
        ),
        (None, Some(m)) => p.check(
            (0.5..=1_000.0).contains(&m),
            || format!("{f}.mast_m"),
            || format!("must be in [0.5, 1000] m, got {m}"),
        ),
        (None, None) => {}
    }
}

fn validate_region(r: &RegionSpec, p: &mut Problems) {
    match (&r.builtin, &r.geojson) {
        (Some(b), None) if b != "NER" => p.push(
            "region.builtin",
            format!("unknown built-in region {b:?}; built in: \"NER\""),
        ),
        (Some(_), Some(_)) | (None, None) => {
            p.push("region", "give exactly one of `builtin` and `geojson`")
        }
        _ => {}
    }
    non_negative(r.traffic_margin_m, "region.traffic_margin_m", p);
    p.check(
        (-500.0..9_000.0).contains(&r.ground_elevation_m),
        || "region.ground_elevation_m".into(),
        || format!("must be in [-500, 9000) m, got {}", r.ground_elevation_m),
    );
}

fn validate_radar(r: &RadarSpec, f: &str, p: &mut Problems) {
    validate_site(r.lat_deg, r.lon_deg, f, p);
    p.check(
        (0.5..=60.0).contains(&r.rotation_period_s),
        || format!("{f}.rotation_period_s"),
        || format!("must be in [0.5, 60] s, got {}", r.rotation_period_s),
    );
    positive(r.range_m, &format!("{f}.range_m"), p);
    non_negative(r.sigma_range_m, &format!("{f}.sigma_range_m"), p);
    non_negative(r.sigma_azimuth_deg, &format!("{f}.sigma_azimuth_deg"), p);
    non_negative(
        r.sigma_elevation_deg,
        &format!("{f}.sigma_elevation_deg"),
        p,
    );
    p.check(
        r.bias_range_m.abs() <= 10_000.0,
        || format!("{f}.bias_range_m"),
        || format!("must be within ±10 km, got {}", r.bias_range_m),
    );
    p.check(
        r.bias_azimuth_deg.abs() <= 10.0,
        || format!("{f}.bias_azimuth_deg"),
        || format!("must be within ±10°, got {}", r.bias_azimuth_deg),
    );
    p.check(
        !r.three_d || r.sigma_elevation_deg > 0.0,
        || format!("{f}.sigma_elevation_deg"),
        || "a 3-D radar needs a positive elevation sigma".into(),
    );
    p.check(
        r.elevation_min_deg < r.elevation_max_deg && (-10.0..=90.0).contains(&r.elevation_max_deg),
        || format!("{f}.elevation_max_deg"),
        || {
            format!(
                "must exceed elevation_min_deg and be at most 90, got {}",
                r.elevation_max_deg
            )
        },
    );
    p.check(
        r.refraction_k.is_finite() && r.refraction_k > 0.1 && r.refraction_k <= 10.0,
        || format!("{f}.refraction_k"),
        || {
            format!(
                "must be in (0.1, 10] (4/3 is the standard atmosphere), got {}",
                r.refraction_k
            )
        },
    );
    p.check(
        r.pfa > 0.0 && r.pfa < 0.1,
        || format!("{f}.pfa"),
        || format!("must be in (0, 0.1), got {}", r.pfa),
    );
    let pd = r.pd_reference;
    positive(pd.range_m, &format!("{f}.pd_reference.range_m"), p);
    positive(pd.rcs_m2, &format!("{f}.pd_reference.rcs_m2"), p);
    p.check(
        pd.pd > r.pfa && pd.pd < 1.0,
        || format!("{f}.pd_reference.pd"),
        || format!("must be above pfa and below 1, got {}", pd.pd),
    );
    p.check(
        (0.0..=10_000.0).contains(&r.false_alarms_per_scan),
        || format!("{f}.false_alarms_per_scan"),
        || format!("must be in [0, 10000], got {}", r.false_alarms_per_scan),
    );
    if let Some(range) = r.false_alarm_range_m {
        p.check(
            range > 0.0 && range <= r.range_m,
            || format!("{f}.false_alarm_range_m"),
            || format!("must be positive and at most range_m, got {range}"),
        );
    }
    if let Some(pd) = r.pd_fixed {
        p.check(
            (0.0..=1.0).contains(&pd),
            || format!("{f}.pd_fixed"),
            || format!("must be in [0, 1], got {pd}"),
        );
    }
    if let Some(ssr) = r.ssr {
        p.check(
            (0.0..=1.0).contains(&ssr.pd),
            || format!("{f}.ssr.pd"),
            || format!("must be in [0, 1], got {}", ssr.pd),
        );
        if let Some(range) = ssr.range_m {
            positive(range, &format!("{f}.ssr.range_m"), p);
        }
    }
}

fn validate_traffic(s: &Scenario, p: &mut Problems) {
    let airports = crate::airports::builtin();
    let known = |code: &str| airports.iter().any(|a| a.icao == code);
    for (i, fl) in s.traffic.flow.iter().enumerate() {
        let f = format!("traffic.flow[{i}]");
        for (k, code) in [("from", &fl.from), ("to", &fl.to)] {
            p.check(
                known(code),
                || format!("{f}.{k}"),
                || format!("unknown airport {code:?} (see docs/scenario.md for the built-in list)"),
            );
        }
        p.check(
            fl.from != fl.to,
            || format!("{f}.to"),
            || "a flow needs two different airports".into(),
        );
        p.check(
            (0.0..=1_000.0).contains(&fl.per_hour),
            || format!("{f}.per_hour"),
            || format!("must be in [0, 1000], got {}", fl.per_hour),
        );
        if let Some(alt) = fl.cruise_alt_ft {
            p.check(
                (1_000.0..=60_000.0).contains(&alt),
                || format!("{f}.cruise_alt_ft"),
                || format!("must be in [1000, 60000] ft, got {alt}"),
            );
        }
        if let Some(share) = fl.adsb_share {
            p.check(
                (0.0..=1.0).contains(&share),
                || format!("{f}.adsb_share"),
                || format!("must be in [0, 1], got {share}"),
            );
        }
        p.check(
            fl.callsign_prefix.len() == 3
                && fl.callsign_prefix.bytes().all(|b| b.is_ascii_uppercase()),
            || format!("{f}.callsign_prefix"),
            || {
                format!(
                    "must be a three-letter ICAO airline designator like \"AFR\", got {:?}",
                    fl.callsign_prefix
                )
            },
        );
    }
    let builtin = s.region.builtin.is_some();
    let region = builtin.then(crate::region::Region::builtin_ner);
    for (i, it) in s.traffic.intruders.iter().enumerate() {
        let f = format!("traffic.intruders[{i}]");
        p.check(
            it.count <= 10_000,
            || format!("{f}.count"),
            || "at most 10000 intruders per entry".into(),
        );
        match &region {
            Some(r) => p.check(
                r.border_with(&it.border).is_some(),
                || format!("{f}.border"),
                || {
                    let codes: Vec<_> = r.neighbours.iter().map(|c| c.code.as_str()).collect();
                    format!(
                        "{:?} is not a neighbour; the region's neighbours are {}",
                        it.border,
                        codes.join(", ")
                    )
                },
            ),
            None => p.push(
                format!("{f}.border"),
                "border entry needs a built-in region with neighbours",
            ),
        }
        positive(it.height_agl_m, &format!("{f}.height_agl_m"), p);
        if let Some(w) = it.within_m {
            positive(w, &format!("{f}.within_m"), p);
        }
        if let Some(v) = it.speed_mps {
            positive(v, &format!("{f}.speed_mps"), p);
        }
        p.check(
            it.start_s[0] <= it.start_s[1],
            || format!("{f}.start_s"),
            || "the window's start must not be after its end".into(),
        );
        match &it.target {
            Place::Airport(code) => p.check(
                known(code),
                || format!("{f}.target"),
                || format!("unknown airport {code:?}"),
            ),
            Place::Point { lat_deg, lon_deg } => {
                validate_site(*lat_deg, *lon_deg, &format!("{f}.target"), p)
            }
        }
    }
}

pub(crate) fn validate_flight(fl: &FlightSpec, f: &str, p: &mut Problems) {
    p.check(
        fl.waypoint.len() >= 2,
        || format!("{f}.waypoint"),
        || "a flight needs at least two waypoints".into(),
    );
    if let Some(rate) = fl.turn_rate_max_deg_s {
        p.check(
            rate > 0.0 && rate <= 30.0,
            || format!("{f}.turn_rate_max_deg_s"),
            || format!("must be in (0, 30], got {rate}"),
        );
    }
    if let Some(cs) = &fl.callsign {
        p.check(
            Callsign::new(cs).is_some(),
            || format!("{f}.callsign"),
            || format!("{cs:?}: up to 8 characters A-Z, 0-9"),
        );
    }
    if let Some(m) = &fl.mode_s {
        p.check(
            ModeS::parse(m).is_some(),
            || format!("{f}.mode_s"),
            || format!("{m:?}: six hexadecimal digits, like \"3944F1\""),
        );
    }
    if let Some(c) = &fl.squawk {
        p.check(
            Mode3A::parse(c).is_some(),
            || format!("{f}.squawk"),
            || format!("{c:?}: four octal digits, like \"2301\""),
        );
    }
    for (j, w) in fl.waypoint.iter().enumerate() {
        let wf = format!("{f}.waypoint[{j}]");
        validate_site(w.lat_deg, w.lon_deg, &wf, p);
        let alts = [w.alt_m, w.alt_ft, w.height_agl_m]
            .iter()
            .filter(|a| a.is_some())
            .count();
        p.check(
            alts == 1,
            || wf.clone(),
            || "give exactly one of alt_m, alt_ft, height_agl_m".into(),
        );
        p.check(
            w.speed_mps.is_none() || w.speed_kt.is_none(),
            || wf.clone(),
            || "give at most one of speed_mps, speed_kt".into(),
        );
        if let Some(v) = w.speed_mps.or(w.speed_kt) {
            positive(v, &format!("{wf}.speed"), p);
        }
    }
}

fn validate_event(
    e: &EventSpec,
    f: &str,
    flights: &std::collections::HashSet<&str>,
    sensors: &std::collections::HashSet<String>,
    duration_s: f64,
    p: &mut Problems,
) {
    non_negative(e.at_s(), &format!("{f}.at_s"), p);
    p.check(
        e.at_s() <= duration_s,
        || format!("{f}.at_s"),
        || {
            format!(
                "{} s is after the end of the scenario ({duration_s} s)",
                e.at_s()
            )
        },
    );
    let flight_ok = |name: &str, p: &mut Problems| {
        p.check(
            flights.contains(name),
            || format!("{f}.flight"),
            || format!("no [[flight]] is named {name:?}"),
        )
    };
    match e {
        EventSpec::Squawk { flight, code, .. } => {
            flight_ok(flight, p);
            p.check(
                Mode3A::parse(code).is_some(),
                || format!("{f}.code"),
                || format!("{code:?}: four octal digits, like \"7700\""),
            );
        }
        EventSpec::TransponderOff { flight, .. } | EventSpec::TransponderOn { flight, .. } => {
            flight_ok(flight, p)
        }
        EventSpec::SensorOutage {
            at_s,
            until_s,
            sensor,
        } => {
            p.check(
                sensors.contains(sensor),
                || format!("{f}.sensor"),
                || format!("no radar or adsb has id {sensor:?}"),
            );
            p.check(
                until_s > at_s,
                || format!("{f}.until_s"),
                || "must be after at_s".into(),
            );
        }
        EventSpec::AdsbSpoof {
            at_s,
            until_s,
            flight,
            offset_m,
            ..
        } => {
            flight_ok(flight, p);
            p.check(
                until_s > at_s,
                || format!("{f}.until_s"),
                || "must be after at_s".into(),
            );
            positive(*offset_m, &format!("{f}.offset_m"), p);
        }
        EventSpec::Jamming {
            at_s,
            until_s,
            sensor,
            width_deg,
            plots_per_scan,
            ..
        } => {
            p.check(
                sensors.contains(sensor),
                || format!("{f}.sensor"),
                || format!("no radar has id {sensor:?}"),
            );
            p.check(
                until_s > at_s,
                || format!("{f}.until_s"),
                || "must be after at_s".into(),
            );
            p.check(
                *width_deg > 0.0 && *width_deg <= 360.0,
                || format!("{f}.width_deg"),
                || format!("must be in (0, 360], got {width_deg}"),
            );
            p.check(
                (0.0..=10_000.0).contains(plots_per_scan),
                || format!("{f}.plots_per_scan"),
                || format!("must be 0–10000, got {plots_per_scan}"),
            );
        }
    }
}
