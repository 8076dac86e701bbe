//! System tracks out as ASTERIX CAT062, for other C2 and ATC systems: WGS-84 position,
//! velocity, altitude, Mode 3/A, Mode S address and callsign, track status. Exercise tracks
//! carry the simulated flag (I062/080 SIM), so no receiver can take them for real ones.

use vigie_codec::asterix::{self, value, Editions, RecordValue};
use vigie_core::interop::TrackRow;

const FT_M: f64 = 0.3048;
const DAY_S: f64 = 86_400.0;

/// What I062/080 says of a track besides its source: confirmed (else tentative, CNF),
/// coasting (no plot at its last expected revisit, CST), or ended (this is its last record,
/// TSE), so a receiver drops it at once instead of waiting for it to age out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackStatus {
    pub confirmed: bool,
    pub coasting: bool,
    pub ended: bool,
}

/// Encodes the tracker's updates as CAT062 records and blocks.
#[derive(Debug, Clone)]
pub struct Cat062Encoder {
    category: &'static asterix::Category,
    /// This system's data source identifier.
    pub sac: u8,
    pub sic: u8,
    /// Unix time of session time 0.
    pub epoch_unix_s: f64,
    /// The picture is an exercise: every track is flagged simulated.
    pub simulated: bool,
}

impl Cat062Encoder {
    pub fn new(sac: u8, sic: u8, epoch_unix_s: f64, simulated: bool) -> Cat062Encoder {
        Cat062Encoder {
            category: Editions::default().get(62).expect("CAT062 is vendored"),
            sac,
            sic,
            epoch_unix_s,
            simulated,
        }
    }

    /// One track's record.
    pub fn record(&self, t: &TrackRow, status: TrackStatus) -> Result<Vec<u8>, asterix::SetError> {
        let mut v = RecordValue::new(self.category);
        v.set_raw("010", &["SAC"], self.sac.into())?
            .set_raw("010", &["SIC"], self.sic.into())?;
        let tod = (self.epoch_unix_s + t.time_s).rem_euclid(DAY_S);
        v.set_number("070", &[], tod.min(DAY_S - 1.0 / 128.0))?;
        v.set_number("105", &["LAT"], t.lat_deg)?.set_number(
            "105",
            &["LON"],
            t.lon_deg.min(180.0 - 1e-7),
        )?;
        v.set_number("185", &["VX"], t.ve_mps.clamp(-8192.0, 8191.75))?
            .set_number("185", &["VY"], t.vn_mps.clamp(-8192.0, 8191.75))?;
        v.set_raw("040", &[], u64::from(t.track_id & 0xFFFF))?;
        // Monosensor or multisensor is not told; the altitude is the tracker's 3-D estimate.
        v.set_raw("080", &["CNF"], u64::from(!status.confirmed))?
            .set_raw("080", &["SRC"], 1)?;
        v.set_raw("080", &["SIM"], u64::from(self.simulated))?
            .set_raw("080", &["TSE"], u64::from(status.ended))?;
        v.set_raw("080", &["CST"], u64::from(status.coasting))?;
        let alt_ft = (t.alt_m / FT_M).clamp(-1_500.0, 150_000.0);
        v.set_number("130", &[], alt_ft)?;
        v.set_number(
            "220",
            &[],
            (t.vu_mps / FT_M * 60.0).clamp(-204_800.0, 204_793.75),
        )?;
        if let Some(code) = t.mode3a {
            v.set_text("060", &["MODE3A"], &code.to_string())?;
        }
        if let Some(c) = t.callsign {
            v.set_text("245", &["CHR"], c.as_str())?;
        }
        if let Some(a) = t.mode_s {
            v.set_raw("380", &["ADR"], a.address().into())?;
        }
        Ok(v.encode()
            .expect("a record built from the specification encodes"))
    }

    /// Records as data blocks of at most `max_len` bytes each (a UDP datagram's worth).
    pub fn blocks(&self, records: &[Vec<u8>], max_len: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut current: Vec<Vec<u8>> = Vec::new();
        let mut len = 3;
        for r in records {
            if len + r.len() > max_len && !current.is_empty() {
                out.push(value::block(62, &current).expect("under 64 KiB"));
                current.clear();
                len = 3;
            }
            len += r.len();
            current.push(r.clone());
        }
        if !current.is_empty() {
            out.push(value::block(62, &current).expect("under 64 KiB"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_codec::asterix::blocks;
    use vigie_core::{Callsign, Mode3A, ModeS};

    #[test]
    fn a_track_reads_back() {
        let e = Cat062Encoder::new(100, 200, 1_772_352_000.0, true);
        let t = TrackRow {
            time_s: 12.5,
            track_id: 42,
            lat_deg: 13.4817,
            lon_deg: 2.1836,
            alt_m: 10_668.0,
            vn_mps: -120.0,
            ve_mps: 200.25,
            vu_mps: 0.0,
            mode3a: Mode3A::parse("7700"),
            mode_s: ModeS::new(0x0A0056),
            callsign: Callsign::new("AFR520"),
        };
        let confirmed = TrackStatus {
            confirmed: true,
            ..TrackStatus::default()
        };
        let rec = e.record(&t, confirmed).unwrap();
        let block = value::block(62, std::slice::from_ref(&rec)).unwrap();
        let editions = Editions::default();
        let b = blocks(&block).next().unwrap().unwrap();
        let r = b.records(&editions).next().unwrap().unwrap();
        assert!((r.value("105", &["LAT"]).unwrap() - 13.4817).abs() < 1e-5);
        assert_eq!(r.value("185", &["VX"]), Some(200.25));
        assert_eq!(r.value("040", &[]), Some(42.0));
        assert_eq!(
            r.get("080", &["SIM"]).unwrap().raw,
            1,
            "an exercise track says so"
        );
        assert_eq!(r.get("060", &["MODE3A"]).unwrap().text().unwrap(), "7700");
        assert_eq!(r.get("245", &["CHR"]).unwrap().text().unwrap(), "AFR520");
        assert_eq!(r.get("380", &["ADR"]).unwrap().raw, 0x0A0056);
        assert!((r.value("070", &[]).unwrap() - (28_800.0 + 12.5)).abs() < 0.01);
        assert_eq!(r.get("080", &["CNF"]).unwrap().raw, 0);
        assert_eq!(r.get("080", &["CST"]).unwrap().raw, 0);
        assert_eq!(r.get("080", &["TSE"]).unwrap().raw, 0);
        // Blocks stay within a datagram.
        let many = vec![rec; 100];
        let split = e.blocks(&many, 1_400);
        assert!(split.len() > 1 && split.iter().all(|b| b.len() <= 1_400));
    }

    #[test]
    fn coasting_and_ended_tracks_say_so() {
        let e = Cat062Encoder::new(100, 200, 0.0, false);
        let t = TrackRow {
            time_s: 1.0,
            track_id: 7,
            lat_deg: 13.0,
            lon_deg: 2.0,
            alt_m: 3_000.0,
            vn_mps: 0.0,
            ve_mps: 100.0,
            vu_mps: 0.0,
            mode3a: None,
            mode_s: None,
            callsign: None,
        };
        let editions = Editions::default();
        for status in [
            TrackStatus {
                confirmed: true,
                coasting: true,
                ended: false,
            },
            TrackStatus {
                confirmed: true,
                coasting: false,
                ended: true,
            },
            TrackStatus {
                confirmed: false,
                coasting: false,
                ended: false,
            },
        ] {
            let block = value::block(62, &[e.record(&t, status).unwrap()]).unwrap();
            let b = blocks(&block).next().unwrap().unwrap();
            let r = b.records(&editions).next().unwrap().unwrap();
            assert_eq!(
                r.get("080", &["CNF"]).unwrap().raw,
                u64::from(!status.confirmed)
            );
            assert_eq!(
                r.get("080", &["CST"]).unwrap().raw,
                u64::from(status.coasting)
            );
            assert_eq!(r.get("080", &["TSE"]).unwrap().raw, u64::from(status.ended));
        }
    }
}
