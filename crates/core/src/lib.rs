//! # vigie-core: the types every stage shares, and the geodesy under them
//!
//! This crate owns the vocabulary of vigie: positions on the WGS84 ellipsoid and the frames
//! between them ([`geodesy`]), the geometry of a radar looking through a refracting
//! atmosphere ([`radar`]), the sensor-neutral [`Report`] that every feed is normalised into,
//! the sensor table ([`sensor`]), vigie's own interop files ([`interop`]), the optimal
//! assignment both the tracker and its evaluation need ([`assign`]), and the reporting of
//! mistakes in TOML files people write ([`tomlfile`]).
//!
//! It owns no I/O beyond writers handed a `Write`, no clock and no randomness: callers inject
//! time as seconds since their own epoch. Wire formats (ASTERIX, Mode S) belong to the codec
//! crates, tracking to the tracker; neither leaks in here.

pub mod assign;
pub mod geodesy;
pub mod interop;
pub mod radar;
pub mod report;
pub mod sensor;
pub mod tomlfile;

pub use geodesy::{Ecef, Enu, Geodetic, LocalFrame};

pub use radar::{Polar, RadarGeometry, DEFAULT_REFRACTION_K};
pub use report::{Callsign, Measurement, Mode3A, ModeS, PlotKind, Report, SensorId};
pub use sensor::{SensorKind, SensorSpec, SensorTable};

/// How long a confirmed track's number, once the track is lost, waits for its aircraft: the
/// tracker gives it back to a track found again on the same aircraft within this time, and
/// identification and the picture keep the number's identity and alerts as long.
pub const TRACK_NUMBER_MEMORY_S: f64 = 180.0;
