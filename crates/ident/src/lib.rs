//! # vigie-ident: identification and alerts
//!
//! This crate owns the judgement of the picture: airspace volumes and whether a track is in
//! them ([`airspace`]: OpenAir and GeoJSON), flight plans and their correlation with
//! tracks ([`flightplan`]), standard identities proposed from evidence and decided by
//! operators ([`identity`]), alert rules with their reasons ([`rules`]), and threat
//! evaluation against defended assets ([`threat`]), ADS-B checked against radar
//! ([`crosscheck`]), a site's setup of all these ([`setup`]), and the identifier that runs
//! them over the live picture once a second ([`identifier`]).
//!
//! It owns no tracking (tracks come in as the tracker's rows), no display and no I/O: text
//! in, decisions out, time given. It is decision support: nothing here cues or guides a
//! weapon.

pub mod airspace;
pub mod crosscheck;
pub mod flightplan;
pub mod identifier;
pub mod identity;
pub mod rules;
pub mod setup;
pub mod threat;
