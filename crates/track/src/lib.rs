//! # vigie-track: one system track per aircraft, fused from every sensor
//!
//! The tracker turns core reports (radar plots in their own polar coordinates, ADS-B
//! positions) into system tracks. Each track runs an IMM of three models, nearly constant
//! velocity, coordinated turn and manoeuvre ([`motion`], [`imm`]), in an east-north-up frame
//! anchored near it,
//! moved under it as it flies ([`track`]). Radar plots are used where they are measured:
//! the filter predicts range, azimuth, elevation and reported altitude through the radar's
//! refracted geometry ([`measure`]). A spatial grid ([`grid`]) proposes the tracks near each
//! plot; gated pairs are clustered and assigned optimally, with Mode S and Mode 3/A as
//! evidence ([`tracker`]). Unassigned plots wait, cheaply, for a partner to start a track.
//! Each radar's range and azimuth bias is estimated from ADS-B-equipped aircraft and taken
//! out of its plots ([`registration`]).
//!
//! A tracker's whole state saves to bytes and restores to a tracker that goes on exactly as
//! the first would have ([`state`]): what a tracker on the bus starts again from.
//!
//! It owns no I/O and no clock: reports carry their time, the caller feeds them in and
//! drains [`Output`]. It never sees a wire format, only `vigie_core::Report`s; readers of
//! files and sockets live in ingest and the binary.

pub mod clutter;
pub mod grid;
pub mod imm;
pub mod measure;
pub mod motion;
pub mod oracle;
pub mod registration;
pub mod state;
pub mod track;
pub mod tracker;

pub use tracker::{Config, Counters, Output, Rejected, TrackUpdate, Tracker};
