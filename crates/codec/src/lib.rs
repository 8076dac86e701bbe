//! # vigie-codec: sensor wire formats
//!
//! This crate owns the bytes sensors and other systems exchange with vigie: ASTERIX
//! ([`asterix`]: data blocks, records and items of every vendored edition, decoded and
//! encoded from the machine-readable specifications), the framings they travel in
//! ([`framing`]: pcap, pcapng, ORADIS, raw), and Mode S receivers' framings ([`modes`]:
//! Beast, AVR, SBS).
//!
//! It owns no meaning beyond the wire: turning records into the tracker's reports (with
//! sensor positions and provenance) is the ingest's job, and it does no I/O beyond what it
//! is handed as bytes.

pub mod asterix;
pub mod framing;
pub mod modes;
