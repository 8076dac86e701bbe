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

/// `time,id,lat,lon,alt,vn,ve,vu`: the columns truth and tracks share, with their decimals.
fn push_kinematics(
    l: &mut Vec<u8>,
    time_s: f64,
    id: u32,
    position: [f64; 3],
    velocity_neu: [f64; 3],
) {
    push_fixed(l, time_s, 3);
    l.push(b',');
    l.extend_from_slice(itoa::Buffer::new().format(id).as_bytes());
    for (v, d) in position
        .into_iter()
        .zip([7, 7, 1])
        .chain(velocity_neu.into_iter().zip([2, 2, 2]))
    {
        l.push(b',');
        push_fixed(l, v, d);
    }
}

fn push_octal4(buf: &mut Vec<u8>, v: u16) {
    buf.extend([9, 6, 3, 0].map(|shift| b'0' + ((v >> shift) & 7) as u8));
}

fn push_hex6(buf: &mut Vec<u8>, v: u32) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    buf.extend([20, 16, 12, 8, 4, 0].map(|shift| HEX[((v >> shift) & 0xF) as usize]));
}

/// A CSV file being written: its header first, then one reused line buffer per row.
struct Lines<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> Lines<W> {
    fn new(mut out: W, header: &str) -> io::Result<Self> {
        writeln!(out, "{header}")?;
        Ok(Self {
            out,
            line: Vec::with_capacity(160),
        })
    }

    /// Writes the row `fill` appends to an empty line.
    fn row(&mut self, fill: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        self.line.clear();
        fill(&mut self.line);
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `,mode3a,mode_s,callsign`: the identity columns plots and tracks share.
fn push_identity(
    l: &mut Vec<u8>,
    mode3a: Option<crate::Mode3A>,
    mode_s: Option<crate::ModeS>,
    callsign: Option<crate::Callsign>,
) {
    l.push(b',');
    if let Some(code) = mode3a {
        push_octal4(l, code.value());
    }
    l.push(b',');
    if let Some(addr) = mode_s {
        push_hex6(l, addr.address());
    }
    l.push(b',');
    if let Some(cs) = callsign {
        l.extend_from_slice(cs.as_str().as_bytes());
    }
}

/// Writes `plots.csv`. Sensor names are looked up by [`crate::SensorId`] index.
pub struct PlotsWriter<W: Write> {
    lines: Lines<W>,
    sensor_names: Vec<String>,
}

impl<W: Write> PlotsWriter<W> {
    pub fn new(out: W, sensor_names: Vec<String>) -> io::Result<Self> {
        Ok(Self {
            lines: Lines::new(out, PLOTS_HEADER)?,
            sensor_names,
        })
    }

    pub fn write(&mut self, r: &Report) -> io::Result<()> {
        let name = self
            .sensor_names
            .get(usize::from(r.sensor.0))
            .map(String::as_str)
            .unwrap_or("?");
        self.lines.row(|l| {
            push_fixed(l, r.time_s, 3);
            l.push(b',');
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
            push_identity(l, r.mode3a, r.mode_s, r.callsign);
        })
    }

    pub fn finish(self) -> io::Result<W> {
        self.lines.finish()
    }
}

/// Writes `truth.csv`.
pub struct TruthWriter<W: Write> {
    lines: Lines<W>,
}

impl<W: Write> TruthWriter<W> {
    pub fn new(out: W) -> io::Result<Self> {
        Ok(Self {
            lines: Lines::new(out, TRUTH_HEADER)?,
        })
    }

    pub fn write(&mut self, t: &TruthState) -> io::Result<()> {
        self.lines.row(|l| {
            let velocity = [t.vn_mps, t.ve_mps, t.vu_mps];
            push_kinematics(
                l,
                t.time_s,
                t.target_id,
                [t.lat_deg, t.lon_deg, t.alt_m],
                velocity,
            );
            l.push(b',');
            l.extend_from_slice(t.type_name.as_bytes());
        })
    }

    pub fn finish(self) -> io::Result<W> {
        self.lines.finish()
    }
}

/// Why one line of an interop file could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LineError {
    #[error("line {line}: expected {expected} fields, found {found}")]
    FieldCount {
        line: u64,
        expected: usize,
        found: usize,
    },
    #[error("line {line}: {field}: {message}")]
    Field {
        line: u64,
        field: &'static str,
        message: String,
    },
    #[error("line {line}: unknown sensor id {id:?}")]
    UnknownSensor { line: u64, id: String },
    #[error("the header is not `{expected}`")]
    Header { expected: &'static str },
}

fn fields(line: &str, n: usize, line_no: u64) -> Result<Vec<&str>, LineError> {
    let f: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
    if f.len() != n {
        return Err(LineError::FieldCount {
            line: line_no,
            expected: n,
            found: f.len(),
        });
    }
    Ok(f)
}

fn number(s: &str, field: &'static str, line: u64) -> Result<Option<f64>, LineError> {
    if s.is_empty() {
        return Ok(None);
    }
    let v: f64 = s.parse().map_err(|_| LineError::Field {
        line,
        field,
        message: format!("{s:?} is not a number"),
    })?;
    if !v.is_finite() {
        return Err(LineError::Field {
            line,
            field,
            message: format!("{s} is not finite"),
        });
    }
    Ok(Some(v))
}

fn required(v: Option<f64>, field: &'static str, line: u64) -> Result<f64, LineError> {
    v.ok_or(LineError::Field {
        line,
        field,
        message: "missing".into(),
    })
}

fn code<T>(
    s: &str,
    field: &'static str,
    line: u64,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, LineError> {
    if s.is_empty() {
        return Ok(None);
    }
    parse(s).map(Some).ok_or_else(|| LineError::Field {
        line,
        field,
        message: format!("{s:?} is not valid"),
    })
}

/// An azimuth in degrees clockwise from north, in [0, 360).
fn azimuth_deg(s: &str, line: u64) -> Result<f64, LineError> {
    let v = required(number(s, "azimuth_deg", line)?, "azimuth_deg", line)?;
    if (0.0..360.0).contains(&v) {
        Ok(v)
    } else {
        Err(LineError::Field {
            line,
            field: "azimuth_deg",
            message: format!("{v} is outside [0, 360)"),
        })
    }
}

/// Parses one data line of `plots.csv` (line numbers count the header as line 1).
/// `sensor_index` maps a sensor id to its [`crate::SensorId`].
pub fn parse_plot_line(
    line: &str,
    line_no: u64,
    sensor_index: impl Fn(&str) -> Option<crate::SensorId>,
) -> Result<Report, LineError> {
    use crate::report::{Callsign, Mode3A, ModeS, PlotKind};
    let f = fields(line, 12, line_no)?;
    let time_s = required(number(f[0], "time_s", line_no)?, "time_s", line_no)?;
    let sensor = sensor_index(f[1]).ok_or_else(|| LineError::UnknownSensor {
        line: line_no,
        id: f[1].to_string(),
    })?;
    let kind = PlotKind::parse(f[2]).ok_or_else(|| LineError::Field {
        line: line_no,
        field: "kind",
        message: format!("{:?} is not one of psr, ssr, cmb, adsb", f[2]),
    })?;
    let measurement = if kind == PlotKind::Adsb {
        Measurement::Position {
            lat_deg: required(number(f[6], "lat_deg", line_no)?, "lat_deg", line_no)?,
            lon_deg: required(number(f[7], "lon_deg", line_no)?, "lon_deg", line_no)?,
        }
    } else {
        Measurement::Polar {
            range_m: required(number(f[3], "range_m", line_no)?, "range_m", line_no)?,
            azimuth_rad: azimuth_deg(f[4], line_no)?.to_radians(),
            elevation_rad: number(f[5], "elevation_deg", line_no)?.map(f64::to_radians),
        }
    };
    Ok(Report {
        time_s,
        sensor,
        kind,
        measurement,
        alt_m: number(f[8], "alt_m", line_no)?,
        mode3a: code(f[9], "mode3a", line_no, Mode3A::parse)?,
        mode_s: code(f[10], "mode_s", line_no, ModeS::parse)?,
        callsign: code(f[11], "callsign", line_no, Callsign::new)?,
    })
}

/// A truth row as read back, with its type as text.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthRow {
    pub time_s: f64,
    pub target_id: u32,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
    pub vn_mps: f64,
    pub ve_mps: f64,
    pub vu_mps: f64,
    pub type_name: String,
}

impl From<&TruthState> for TruthRow {
    /// A simulator's truth as `truth.csv` reads back, without the file.
    fn from(t: &TruthState) -> Self {
        TruthRow {
            time_s: t.time_s,
            target_id: t.target_id,
            lat_deg: t.lat_deg,
            lon_deg: t.lon_deg,
            alt_m: t.alt_m,
            vn_mps: t.vn_mps,
            ve_mps: t.ve_mps,
            vu_mps: t.vu_mps,
            type_name: t.type_name.to_string(),
        }
    }
}

/// The columns truth and tracks share, parsed: `time,id,lat,lon,alt,vn,ve,vu`.
struct Kinematics {
    time_s: f64,
    id: u32,
    position: [f64; 3],
    velocity_neu: [f64; 3],
}

fn parse_kinematics(
    f: &[&str],
    id_field: &'static str,
    line_no: u64,
) -> Result<Kinematics, LineError> {
    let n = |i: usize, name| number(f[i], name, line_no).and_then(|v| required(v, name, line_no));
    Ok(Kinematics {
        time_s: n(0, "time_s")?,
        id: f[1].parse().map_err(|_| LineError::Field {
            line: line_no,
            field: id_field,
            message: format!("{:?} is not a whole number", f[1]),
        })?,
        position: [n(2, "lat_deg")?, n(3, "lon_deg")?, n(4, "alt_m")?],
        velocity_neu: [n(5, "vn_mps")?, n(6, "ve_mps")?, n(7, "vu_mps")?],
    })
}

/// Parses one data line of `truth.csv`.
pub fn parse_truth_line(line: &str, line_no: u64) -> Result<TruthRow, LineError> {
    let f = fields(line, 9, line_no)?;
    let k = parse_kinematics(&f, "target_id", line_no)?;
    Ok(TruthRow {
        time_s: k.time_s,
        target_id: k.id,
        lat_deg: k.position[0],
        lon_deg: k.position[1],
        alt_m: k.position[2],
        vn_mps: k.velocity_neu[0],
        ve_mps: k.velocity_neu[1],
        vu_mps: k.velocity_neu[2],
        type_name: f[8].to_string(),
    })
}

pub const TRACKS_HEADER: &str =
    "time_s,track_id,lat_deg,lon_deg,alt_m,vn_mps,ve_mps,vu_mps,mode3a,mode_s,callsign";

/// One row of `tracks.csv`: a system track's state at one time.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrackRow {
    pub time_s: f64,
    pub track_id: u32,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
    pub vn_mps: f64,
    pub ve_mps: f64,
    pub vu_mps: f64,
    pub mode3a: Option<crate::Mode3A>,
    pub mode_s: Option<crate::ModeS>,
    pub callsign: Option<crate::Callsign>,
}

/// Writes `tracks.csv`.
pub struct TracksWriter<W: Write> {
    lines: Lines<W>,
}

impl<W: Write> TracksWriter<W> {
    pub fn new(out: W) -> io::Result<Self> {
        Ok(Self {
            lines: Lines::new(out, TRACKS_HEADER)?,
        })
    }

    pub fn write(&mut self, t: &TrackRow) -> io::Result<()> {
        self.lines.row(|l| {
            let velocity = [t.vn_mps, t.ve_mps, t.vu_mps];
            push_kinematics(
                l,
                t.time_s,
                t.track_id,
                [t.lat_deg, t.lon_deg, t.alt_m],
                velocity,
            );
            push_identity(l, t.mode3a, t.mode_s, t.callsign);
        })
    }

    pub fn finish(self) -> io::Result<W> {
        self.lines.finish()
    }
}

/// Parses one data line of `tracks.csv`.
pub fn parse_track_line(line: &str, line_no: u64) -> Result<TrackRow, LineError> {
    use crate::report::{Callsign, Mode3A, ModeS};
    let f = fields(line, 11, line_no)?;
    let k = parse_kinematics(&f, "track_id", line_no)?;
    Ok(TrackRow {
        time_s: k.time_s,
        track_id: k.id,
        lat_deg: k.position[0],
        lon_deg: k.position[1],
        alt_m: k.position[2],
        vn_mps: k.velocity_neu[0],
        ve_mps: k.velocity_neu[1],
        vu_mps: k.velocity_neu[2],
        mode3a: code(f[8], "mode3a", line_no, Mode3A::parse)?,
        mode_s: code(f[9], "mode_s", line_no, ModeS::parse)?,
        callsign: code(f[10], "callsign", line_no, Callsign::new)?,
    })
}

/// Reads a whole interop file of `header`, parsing each line with `parse`. Bad lines are
/// returned apart, each with its line number, so a caller counts and logs them and keeps the
/// rest.
pub fn read_lines<T>(
    input: impl io::BufRead,
    header: &'static str,
    mut parse: impl FnMut(&str, u64) -> Result<T, LineError>,
) -> io::Result<(Vec<T>, Vec<LineError>)> {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        let line_no = i as u64 + 1;
        if i == 0 {
            if line.trim_end_matches('\r') != header {
                errors.push(LineError::Header { expected: header });
                return Ok((rows, errors));
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        match parse(&line, line_no) {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    Ok((rows, errors))
}

#[cfg(test)]
mod read_tests {
    use super::*;
    use crate::report::PlotKind;
    use crate::SensorId;

    fn sensor(id: &str) -> Option<SensorId> {
        (id == "niamey").then_some(SensorId(0))
    }

    #[test]
    fn plots_round_trip_through_text() {
        let text = "time_s,sensor_id,kind,range_m,azimuth_deg,elevation_deg,lat_deg,lon_deg,alt_m,mode3a,mode_s,callsign\n\
                    12.500,niamey,cmb,120345.0,1.0000,,,,10668.0,0301,0A0F5C,AFR520\n\
                    13.000,niamey,adsb,,,,13.5000000,2.1000000,10668.0,,,\n";
        let (rows, errors) = read_lines(text.as_bytes(), PLOTS_HEADER, |l, n| {
            parse_plot_line(l, n, sensor)
        })
        .unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].kind, PlotKind::Combined);
        assert_eq!(rows[0].callsign.unwrap().as_str(), "AFR520");
        let mut w = PlotsWriter::new(Vec::new(), vec!["niamey".into()]).unwrap();
        for r in &rows {
            w.write(r).unwrap();
        }
        assert_eq!(String::from_utf8(w.finish().unwrap()).unwrap(), text);
    }

    #[test]
    fn truth_and_tracks_round_trip_through_text() {
        let truth = TruthState {
            time_s: 6.0,
            target_id: 12,
            lat_deg: 13.5,
            lon_deg: -2.25,
            alt_m: 10_668.0,
            vn_mps: -185.27,
            ve_mps: 103.99,
            vu_mps: -0.5,
            type_name: "airliner",
        };
        let mut w = TruthWriter::new(Vec::new()).unwrap();
        w.write(&truth).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let (rows, errors) = read_lines(text.as_bytes(), TRUTH_HEADER, parse_truth_line).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let r = &rows[0];
        assert_eq!(
            (r.time_s, r.target_id, r.lat_deg, r.lon_deg, r.alt_m),
            (6.0, 12, 13.5, -2.25, 10_668.0)
        );
        assert_eq!(
            (r.vn_mps, r.ve_mps, r.vu_mps, r.type_name.as_str()),
            (-185.27, 103.99, -0.5, "airliner")
        );

        let track = TrackRow {
            time_s: 12.0,
            track_id: 3,
            lat_deg: 16.9,
            lon_deg: 8.0,
            alt_m: 11_000.0,
            vn_mps: 1.5,
            ve_mps: -2.5,
            vu_mps: 0.0,
            mode3a: crate::Mode3A::parse("7700"),
            mode_s: crate::ModeS::parse("3944F1"),
            callsign: crate::Callsign::new("AFR520"),
        };
        let mut w = TracksWriter::new(Vec::new()).unwrap();
        w.write(&track).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let (rows, errors) = read_lines(text.as_bytes(), TRACKS_HEADER, parse_track_line).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows, vec![track]);
        let bad = format!("{TRACKS_HEADER}\n1.0,x,1,1,1,1,1,1,,,\n");
        let (_, errors) = read_lines(bad.as_bytes(), TRACKS_HEADER, parse_track_line).unwrap();
        assert_eq!(
            errors[0].to_string(),
            "line 2: track_id: \"x\" is not a whole number"
        );
    }

    #[test]
    fn bad_lines_are_returned_with_their_numbers() {
        let text = "time_s,sensor_id,kind,range_m,azimuth_deg,elevation_deg,lat_deg,lon_deg,alt_m,mode3a,mode_s,callsign\n\
                    NaN,niamey,psr,1.0,1.0,,,,,,,\n\
                    1.0,paris,psr,1.0,1.0,,,,,,,\n\
                    1.0,niamey,psr,,1.0,,,,,,,\n\
                    1.0,niamey,psr,1.0\n\
                    1.0,niamey,psr,1.0,1.0,,,,,9999,,\n\
                    2.0,niamey,psr,5.0,1.0,,,,,,,\n";
        let (rows, errors) = read_lines(text.as_bytes(), PLOTS_HEADER, |l, n| {
            parse_plot_line(l, n, sensor)
        })
        .unwrap();
        assert_eq!(rows.len(), 1);
        let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert!(lines[0].starts_with("line 2: time_s"));
        assert!(lines[1].contains("unknown sensor id \"paris\""));
        assert!(lines[2].starts_with("line 4: range_m: missing"));
        assert!(lines[3].contains("expected 12 fields, found 4"));
        assert!(lines[4].starts_with("line 6: mode3a"));
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
