//! # vigie-terrain: terrain and radar coverage
//!
//! This crate owns the ground under the air picture: digital elevation models ([`dem`]:
//! GeoTIFF and SRTM tiles, bilinear lookup, the embedded Niger GLOBE 30″ grid), what a radar
//! sees over that terrain ([`coverage`]: the minimum visible height of every cell, with Earth
//! curvature and effective-Earth refraction), networks of radars and their redundancy
//! ([`network`]), how much of a country they cover ([`area`]), and where radars should go
//! ([`siting`]).
//!
//! It owns no sensor model beyond geometry (detection probability is the simulator's), no
//! file output beyond reading DEMs, and no drawing.

pub mod area;
pub mod coverage;
pub mod dem;
mod gridsweep;
pub mod network;
pub mod siting;

pub use area::{cells_geojson, CountryMask};
pub use coverage::{line_of_sight, radar_coverage, radial_coverage, Coverage, RadarSite};
pub use dem::{Dem, DemError};
pub use network::{Network, Reference};
