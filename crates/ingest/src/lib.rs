//! # vigie-ingest: sensor feeds into reports
//!
//! This crate owns the step from what sensors send to what the tracker reads: Mode S and
//! ADS-B messages decoded by rs1090 into positions with per-aircraft CPR state and
//! plausibility checks ([`modes`]), and ASTERIX records (CAT048 radar plots, CAT021 ADS-B
//! reports) into core reports with their sensor's provenance ([`asterix`]). Every source
//! keeps counters of what it skipped and why. The same conversions run the other way for
//! what vigie sends: the simulator's plots as CAT048 and CAT021 ([`asterix`]), the system
//! tracks as CAT062 ([`cat062`]).
//!
//! It owns no wire format (that is `vigie-codec`) and no sockets or files: bytes come in,
//! reports go out, time is given.

pub mod asterix;
pub mod cat062;
pub mod modes;

use std::collections::BTreeMap;

/// Counts of what a source received, decoded and skipped, by name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counters(pub BTreeMap<&'static str, u64>);

impl Counters {
    pub fn add(&mut self, what: &'static str) {
        self.add_n(what, 1);
    }

    pub fn add_n(&mut self, what: &'static str, n: u64) {
        if n > 0 {
            *self.0.entry(what).or_default() += n;
        }
    }

    pub fn get(&self, what: &str) -> u64 {
        self.0.get(what).copied().unwrap_or(0)
    }
}
