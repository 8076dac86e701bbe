//! vigie's own interop files (`docs/formats.md`): `plots.csv` and `truth.csv`.
//!
//! Numbers are written in fixed point through integers, so the same values always give the
//! same bytes on every machine, and a national hour of plots is written in seconds.

use std::io::{self, Write};

use crate::report::{Measurement, Report};

pub const PLOTS_HEADER: &str = "time_s,sensor_id,kind,range_m,azimuth_deg,elevation_deg,lat_deg,lon_deg,alt_m,mode3a,mode_s,callsign";
pub const TRUTH_HEADER: &str = "time_s,target_id,lat_deg,lon_deg,alt_m,vn_mps,ve_mps,vu_mps,type";

/// One ground-truth sample of one target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruthState {
    pub time_s: f64,
    pub target_id: u32,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
    pub vn_mps: f64,
    pub ve_mps: f64,
    pub vu_mps: f64,
    pub type_name: &'static str,
}

/// Appends `value` with exactly `decimals` decimals (at most 9), rounding half away from zero.
pub fn push_fixed(buf: &mut Vec<u8>, value: f64, decimals: u32) {
    debug_assert!(decimals <= 9);
    if !value.is_finite() {
        return;
    }
    let scale = 10u64.pow(decimals);
    let scaled = (value.abs() * scale as f64).round() as u64;
    if value < 0.0 && scaled != 0 {
        buf.push(b'-');
    }
    let mut digits = itoa::Buffer::new();
    buf.extend_from_slice(digits.format(scaled / scale).as_bytes());
    if decimals > 0 {
        buf.push(b'.');
        let frac = digits.format(scaled % scale);
        buf.extend(std::iter::repeat_n(b'0', decimals as usize - frac.len()));
        buf.extend_from_slice(frac.as_bytes());
    }
}

fn push_octal4(buf: &mut Vec<u8>, v: u16) {
    buf.extend([9, 6, 3, 0].map(|shift| b'0' + ((v >> shift) & 7) as u8));
}

fn push_hex6(buf: &mut Vec<u8>, v: u32) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    buf.extend([20, 16, 12, 8, 4, 0].map(|shift| HEX[((v >> shift) & 0xF) as usize]));
}

/// Writes `plots.csv`. Sensor names are looked up by [`crate::SensorId`] index.
pub struct PlotsWriter<W: Write> {
    out: W,
    sensor_names: Vec<String>,
    line: Vec<u8>,
}

impl<W: Write> PlotsWriter<W> {
    pub fn new(mut out: W, sensor_names: Vec<String>) -> io::Result<Self> {
        writeln!(out, "{PLOTS_HEADER}")?;
        Ok(Self {
            out,
            sensor_names,
            line: Vec::with_capacity(160),
        })
    }

    pub fn write(&mut self, r: &Report) -> io::Result<()> {
        let l = &mut self.line;
        l.clear();
        push_fixed(l, r.time_s, 3);
        l.push(b',');
        let name = self
            .sensor_names
            .get(usize::from(r.sensor.0))
            .map(String::as_str)
            .unwrap_or("?");
        l.extend_from_slice(name.as_bytes());
        l.push(b',');
        l.extend_from_slice(r.kind.as_str().as_bytes());
        l.push(b',');
        match r.measurement {
            Measurement::Polar {
                range_m,
                azimuth_rad,
                elevation_rad,
            } => {
                push_fixed(l, range_m, 1);
                l.push(b',');
                push_fixed(l, azimuth_rad.to_degrees(), 4);
                l.push(b',');
                if let Some(el) = elevation_rad {
                    push_fixed(l, el.to_degrees(), 4);
                }
                l.extend_from_slice(b",,,");
            }
            Measurement::Position { lat_deg, lon_deg } => {
                l.extend_from_slice(b",,,");
                push_fixed(l, lat_deg, 7);
                l.push(b',');
                push_fixed(l, lon_deg, 7);
                l.push(b',');
            }
        }
        if let Some(alt) = r.alt_m {
            push_fixed(l, alt, 1);
        }
        l.push(b',');
        if let Some(code) = r.mode3a {
            push_octal4(l, code.value());
        }
        l.push(b',');
        if let Some(addr) = r.mode_s {
            push_hex6(l, addr.address());
        }
        l.push(b',');
        if let Some(cs) = r.callsign {
            l.extend_from_slice(cs.as_str().as_bytes());
        }
        l.push(b'\n');
        self.out.write_all(l)
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes `truth.csv`.
pub struct TruthWriter<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> TruthWriter<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        writeln!(out, "{TRUTH_HEADER}")?;
        Ok(Self {
            out,
            line: Vec::with_capacity(128),
        })
    }

    pub fn write(&mut self, t: &TruthState) -> io::Result<()> {
        let l = &mut self.line;
        l.clear();
        push_fixed(l, t.time_s, 3);
        l.push(b',');
        l.extend_from_slice(itoa::Buffer::new().format(t.target_id).as_bytes());
        for (v, d) in [
            (t.lat_deg, 7),
            (t.lon_deg, 7),
            (t.alt_m, 1),
            (t.vn_mps, 2),
            (t.ve_mps, 2),
            (t.vu_mps, 2),
        ] {
            l.push(b',');
            push_fixed(l, v, d);
        }
        l.push(b',');
        l.extend_from_slice(t.type_name.as_bytes());
        l.push(b'\n');
        self.out.write_all(l)
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Mode3A, PlotKind};
    use crate::SensorId;
    use proptest::prelude::*;

    #[test]
    fn fixed_point_formats() {
        let f = |v: f64, d| {
            let mut b = Vec::new();
            push_fixed(&mut b, v, d);
            String::from_utf8(b).unwrap()
        };
        assert_eq!(f(1.25, 1), "1.3");
        assert_eq!(f(-0.04, 1), "0.0");
        assert_eq!(f(-12.3456789, 4), "-12.3457");
        assert_eq!(f(0.001, 3), "0.001");
        assert_eq!(f(359.99996, 4), "360.0000");
        assert_eq!(f(42.0, 0), "42");
    }

    proptest! {
        #[test]
        fn fixed_point_agrees_with_std(v in -1e6f64..1e6, d in 0u32..8) {
            let mut b = Vec::new();
            push_fixed(&mut b, v, d);
            let ours: f64 = String::from_utf8(b).unwrap().parse().unwrap();
            prop_assert!((ours - v).abs() <= 0.5 * 10f64.powi(-(d as i32)) * (1.0 + 1e-9) + 1e-9);
        }
    }

    #[test]
    fn writes_a_plot_line() {
        let mut w = PlotsWriter::new(Vec::new(), vec!["niamey".into()]).unwrap();
        w.write(&Report {
            time_s: 12.5,
            sensor: SensorId(0),
            kind: PlotKind::Combined,
            measurement: Measurement::Polar {
                range_m: 120_345.04,
                azimuth_rad: 1.0f64.to_radians(),
                elevation_rad: None,
            },
            alt_m: Some(10_668.0),
            mode3a: Mode3A::parse("0301"),
            mode_s: crate::ModeS::parse("0A0F5C"),
            callsign: None,
        })
        .unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            text.lines().nth(1).unwrap(),
            "12.500,niamey,cmb,120345.0,1.0000,,,,10668.0,0301,0A0F5C,"
        );
    }
}
