//! Core reports: what every sensor becomes before the tracker sees it.
//!
//! A report is one detection of one sensor at one instant, with whatever identity the sensor
//! heard. Wire formats (ASTERIX, Beast, SBS, the simulator's CSV) all normalise into this
//! type; nothing downstream of ingest knows where a report came from but its [`SensorId`].

use std::fmt;

/// Index of a sensor in the deployment's sensor table.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct SensorId(pub u16);

/// What produced a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum PlotKind {
    /// Primary radar only: a skin echo, no identity.
    Psr,
    /// Secondary radar only: a transponder reply.
    Ssr,
    /// Primary and secondary plots of the same target, merged at the radar.
    Combined,
    /// An ADS-B position report.
    Adsb,
}

impl PlotKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlotKind::Psr => "psr",
            PlotKind::Ssr => "ssr",
            PlotKind::Combined => "cmb",
            PlotKind::Adsb => "adsb",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "psr" => PlotKind::Psr,
            "ssr" => PlotKind::Ssr,
            "cmb" => PlotKind::Combined,
            "adsb" => PlotKind::Adsb,
            _ => return None,
        })
    }
}

/// A Mode 3/A code: four octal digits, held as its 12-bit value.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "u16", into = "u16")]
pub struct Mode3A(u16);

impl Mode3A {
    pub const HIJACK: Mode3A = Mode3A(0o7500);
    pub const RADIO_FAILURE: Mode3A = Mode3A(0o7600);
    pub const EMERGENCY: Mode3A = Mode3A(0o7700);
    pub const CONSPICUITY: Mode3A = Mode3A(0o7000);

    pub fn from_octal_value(v: u16) -> Option<Self> {
        (v <= 0o7777).then_some(Self(v))
    }

    /// Parses the four-digit octal form, e.g. `"7700"`.
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() != 4 || !s.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return None;
        }
        u16::from_str_radix(s, 8).ok().map(Self)
    }

    pub fn value(self) -> u16 {
        self.0
    }

    pub fn is_emergency(self) -> bool {
        matches!(self, Self::HIJACK | Self::RADIO_FAILURE | Self::EMERGENCY)
    }
}

impl fmt::Display for Mode3A {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04o}", self.0)
    }
}

/// A 24-bit ICAO aircraft address.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "u32", into = "u32")]
pub struct ModeS(u32);

impl ModeS {
    pub fn new(address: u32) -> Option<Self> {
        (address <= 0xFF_FFFF).then_some(Self(address))
    }

    pub fn parse(s: &str) -> Option<Self> {
        if s.len() != 6 {
            return None;
        }
        u32::from_str_radix(s, 16).ok().and_then(Self::new)
    }

    pub fn address(self) -> u32 {
        self.0
    }
}

impl fmt::Display for ModeS {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06X}", self.0)
    }
}

/// An aircraft identification (callsign) of up to 8 characters, as Mode S carries it.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "[u8; 8]", into = "[u8; 8]")]
pub struct Callsign([u8; 8]);

impl Callsign {
    /// Accepts what Mode S can carry: A–Z, 0–9 and spaces, at most 8 characters.
    pub fn new(s: &str) -> Option<Self> {
        let s = s.trim_end();
        if s.is_empty()
            || s.len() > 8
            || !s
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
        {
            return None;
        }
        let mut bytes = [b' '; 8];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        Some(Self(bytes))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII was ever stored.
        std::str::from_utf8(&self.0).unwrap_or("").trim_end()
    }
}

impl fmt::Display for Callsign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Callsign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Callsign({})", self.as_str())
    }
}

/// Where the sensor puts the target.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Measurement {
    /// A radar plot in the sensor's polar coordinates; 2-D radars have no elevation.
    Polar {
        range_m: f64,
        azimuth_rad: f64,
        elevation_rad: Option<f64>,
    },
    /// A position the target reported itself (ADS-B), on the WGS84 ellipsoid.
    Position { lat_deg: f64, lon_deg: f64 },
}

/// One detection by one sensor.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    /// Seconds since the start of the scenario or session: the instant of detection, not a
    /// scan time.
    pub time_s: f64,
    pub sensor: SensorId,
    pub kind: PlotKind,
    pub measurement: Measurement,
    /// Reported altitude (Mode C / Mode S / ADS-B barometric), when the target sent one.
    pub alt_m: Option<f64>,
    pub mode3a: Option<Mode3A>,
    pub mode_s: Option<ModeS>,
    pub callsign: Option<Callsign>,
}

// Values read back (a tracker's snapshot) are held to what the constructors accept.
impl TryFrom<u16> for Mode3A {
    type Error = String;
    fn try_from(v: u16) -> Result<Self, String> {
        Mode3A::from_octal_value(v).ok_or_else(|| format!("{v:o} is no Mode 3/A code"))
    }
}
impl From<Mode3A> for u16 {
    fn from(c: Mode3A) -> u16 {
        c.0
    }
}
impl TryFrom<u32> for ModeS {
    type Error = String;
    fn try_from(v: u32) -> Result<Self, String> {
        ModeS::new(v).ok_or_else(|| format!("{v:X} is no 24-bit address"))
    }
}
impl From<ModeS> for u32 {
    fn from(a: ModeS) -> u32 {
        a.0
    }
}
impl TryFrom<[u8; 8]> for Callsign {
    type Error = String;
    fn try_from(b: [u8; 8]) -> Result<Self, String> {
        std::str::from_utf8(&b)
            .ok()
            .and_then(Callsign::new)
            .ok_or_else(|| "no callsign".to_string())
    }
}
impl From<Callsign> for [u8; 8] {
    fn from(c: Callsign) -> [u8; 8] {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_print_as_people_read_them() {
        assert_eq!(Mode3A::parse("7700"), Some(Mode3A::EMERGENCY));
        assert_eq!(Mode3A::EMERGENCY.to_string(), "7700");
        assert_eq!(Mode3A::parse("7800"), None);
        assert_eq!(Mode3A::parse("123"), None);
        assert_eq!(ModeS::parse("4CA2D1").unwrap().to_string(), "4CA2D1");
        assert_eq!(ModeS::new(0x1_000_000), None);
        assert_eq!(Callsign::new("AFR520").unwrap().as_str(), "AFR520");
        assert_eq!(Callsign::new("toolongcallsign"), None);
        assert_eq!(Callsign::new("afr520"), None);
    }
}
