//! Mode S / ADS-B receiver framings, deframed into raw Mode S messages (decoding them is
//! rs1090's job, in the ingest): Beast binary (dump1090, readsb, jet1090 on TCP 30005, and
//! files), AVR text (`*hex;`, `@timestamp hex;`), and SBS/BaseStation CSV (TCP 30003), which
//! carries decoded fields already.
//!
//! The deframers are synchronous and incremental: bytes go in as they arrive, frames come
//! out; a partial frame waits for the rest, garbage is skipped and counted, and the buffer
//! never holds more than one frame.

use crate::framing::Skips;

/// One Mode S (or Mode A/C) message as a receiver delivered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// The receiver's 12 MHz clock (Beast), or the AVR `@` timestamp; 0 when absent.
    pub ticks: u64,
    /// Received signal level (Beast: 0–255), when given.
    pub signal: Option<u8>,
    len: u8,
    bytes: [u8; 14],
}

impl Frame {
    pub fn new(ticks: u64, signal: Option<u8>, message: &[u8]) -> Option<Frame> {
        if !matches!(message.len(), 2 | 7 | 14) {
            return None;
        }
        let mut bytes = [0; 14];
        bytes[..message.len()].copy_from_slice(message);
        Some(Frame {
            ticks,
            signal,
            len: message.len() as u8,
            bytes,
        })
    }

    /// The message: 2 bytes (Mode A/C), 7 (short Mode S) or 14 (long Mode S).
    pub fn message(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

const ESC: u8 = 0x1A;

/// The message length of a Beast frame type, and whether it carries a message.
fn beast_len(kind: u8) -> Option<usize> {
    match kind {
        b'1' => Some(2),
        b'2' => Some(7),
        b'3' => Some(14),
        // Status frames ('4'): 14 bytes of receiver state.
        b'4' => Some(14),
        _ => None,
    }
}

/// Beast binary: `0x1A`, a type (`'1'` Mode A/C, `'2'` short, `'3'` long Mode S, `'4'`
/// status), a 6-byte 12 MHz timestamp, a signal byte, the message; any `0x1A` in the last
/// three is doubled.
#[derive(Debug, Default)]
pub struct Beast {
    buf: Vec<u8>,
    pub skips: Skips,
}

impl Beast {
    pub fn new() -> Beast {
        Beast::default()
    }

    /// Bytes held back, waiting for the rest of a frame (at most one frame's worth once
    /// [`Beast::next_frame`] has returned `None`).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Adds received bytes; then call [`Beast::next_frame`] until it returns `None`.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame, if one has arrived.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            // Resynchronise on a frame start: 0x1A followed by a type.
            let start = self
                .buf
                .windows(2)
                .position(|w| w[0] == ESC && beast_len(w[1]).is_some());
            match start {
                Some(0) => {}
                Some(n) => {
                    self.skips.add("bytes between Beast frames");
                    self.buf.drain(..n);
                }
                None => {
                    // Keep a trailing 0x1A: its type may be in the next read.
                    let keep = usize::from(self.buf.last() == Some(&ESC));
                    if self.buf.len() > keep {
                        self.skips.add("bytes between Beast frames");
                    }
                    let n = self.buf.len() - keep;
                    self.buf.drain(..n);
                    return None;
                }
            }
            let kind = self.buf[1];
            let want = 6 + 1 + beast_len(kind).expect("checked");
            let mut body = [0u8; 21];
            let mut n = 0;
            let mut i = 2;
            let mut broken = false;
            while n < want {
                let Some(&b) = self.buf.get(i) else {
                    return None; // wait for the rest
                };
                if b == ESC {
                    match self.buf.get(i + 1) {
                        None => return None,
                        Some(&ESC) => i += 2,
                        Some(_) => {
                            // An unescaped 0x1A: a new frame starts inside this one.
                            broken = true;
                            break;
                        }
                    }
                } else {
                    i += 1;
                }
                body[n] = b;
                n += 1;
            }
            if broken {
                self.skips.add("truncated Beast frame");
                self.buf.drain(..i);
                continue;
            }
            self.buf.drain(..i);
            if kind == b'4' {
                self.skips.add("Beast status frame");
                continue;
            }
            let ticks = body[..6].iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
            return Frame::new(ticks, Some(body[6]), &body[7..want]);
        }
    }
}

/// One Beast frame as hex without escaping (`1a33…`, as in rs1090's `long_flight.csv`).
pub fn beast_hex(hex: &str) -> Option<Frame> {
    let bytes = unhex(hex)?;
    let (&esc, rest) = bytes.split_first()?;
    let (&kind, rest) = rest.split_first()?;
    let len = beast_len(kind)?;
    if esc != ESC || kind == b'4' || rest.len() != 7 + len {
        return None;
    }
    let ticks = rest[..6].iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
    Frame::new(ticks, Some(rest[6]), &rest[7..])
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || s.len() > 64 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// An AVR line: `*8D4840D6202CC371C32CE0576098;`, or `@` and a 12-digit hex timestamp
/// before the message.
pub fn avr(line: &str) -> Option<Frame> {
    let line = line.trim();
    let body = line.strip_suffix(';')?;
    let (ticks, hex) = if let Some(rest) = body.strip_prefix('@') {
        let ts = rest.get(..12)?;
        (u64::from_str_radix(ts, 16).ok()?, rest.get(12..)?)
    } else {
        (0, body.strip_prefix('*')?)
    };
    Frame::new(ticks, None, &unhex(hex)?)
}

/// A BaseStation (SBS) message: decoded fields, as dump1090 sends them on port 30003.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sbs {
    /// Transmission type, 1–8 (3: airborne position, 4: velocity, 1: identification...).
    pub kind: u8,
    pub icao: u32,
    /// Seconds of the day the message was generated (the date is not kept).
    pub time_of_day_s: Option<f64>,
    pub callsign: Option<String>,
    pub altitude_ft: Option<f64>,
    pub ground_speed_kt: Option<f64>,
    pub track_deg: Option<f64>,
    pub lat_deg: Option<f64>,
    pub lon_deg: Option<f64>,
    pub vertical_rate_ftpm: Option<f64>,
    pub squawk: Option<String>,
    pub emergency: bool,
    pub on_ground: bool,
}

/// Parses one SBS line; `None` for anything but a well-formed `MSG` line.
pub fn sbs(line: &str) -> Option<Sbs> {
    let f: Vec<&str> = line.trim().split(',').collect();
    if f.len() < 11 || f[0] != "MSG" {
        return None;
    }
    let num = |i: usize| {
        f.get(i)
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite())
    };
    let flag = |i: usize| f.get(i).is_some_and(|s| matches!(s.trim(), "-1" | "1"));
    let time_of_day_s = f.get(7).and_then(|t| {
        let mut it = t.trim().split(':');
        let h: f64 = it.next()?.parse().ok()?;
        let m: f64 = it.next()?.parse().ok()?;
        let s: f64 = it.next()?.parse().ok()?;
        Some(h * 3600.0 + m * 60.0 + s)
    });
    let text = |i: usize| {
        f.get(i)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let lat = num(14).filter(|v| v.abs() <= 90.0);
    let lon = num(15).filter(|v| v.abs() <= 180.0);
    Some(Sbs {
        kind: f[1].trim().parse().ok()?,
        icao: u32::from_str_radix(f[4].trim(), 16)
            .ok()
            .filter(|a| *a <= 0xFF_FFFF)?,
        time_of_day_s,
        callsign: text(10),
        altitude_ft: num(11),
        ground_speed_kt: num(12),
        track_deg: num(13),
        lat_deg: lat.and(lon).and(lat),
        lon_deg: lat.and(lon),
        vertical_rate_ftpm: num(16),
        squawk: text(17).filter(|s| s.len() == 4 && s.bytes().all(|b| (b'0'..=b'7').contains(&b))),
        emergency: flag(19),
        on_ground: flag(21),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beast_frames_come_out_whole_across_reads_and_escapes() {
        // A long frame whose timestamp holds a 0x1A (doubled on the wire).
        let mut wire = vec![0x1A, b'3', 0, 0, 0x1A, 0x1A, 0, 0, 1, 0x80];
        let msg = [
            0x8D, 0x48, 0x40, 0xD6, 0x20, 0x2C, 0xC3, 0x71, 0xC3, 0x2C, 0xE0, 0x57, 0x60, 0x98,
        ];
        wire.extend_from_slice(&msg);
        let mut b = Beast::new();
        b.push(b"garbage");
        b.push(&wire[..5]);
        assert_eq!(b.next_frame(), None, "half a frame waits");
        b.push(&wire[5..]);
        let f = b.next_frame().expect("a frame");
        assert_eq!(f.message(), msg);
        assert_eq!(f.ticks, 0x1A00_0001);
        assert_eq!(f.signal, Some(0x80));
        assert_eq!(b.next_frame(), None);
        assert_eq!(b.skips.get("bytes between Beast frames"), 1);
    }

    #[test]
    fn avr_and_sbs_lines() {
        let f = avr("*8D4840D6202CC371C32CE0576098;").unwrap();
        assert_eq!(f.message().len(), 14);
        assert_eq!(
            avr("@0000000012348D4840D6202CC371C32CE0576098;")
                .unwrap()
                .ticks,
            0x1234
        );
        assert_eq!(avr("*8D48;x"), None);
        let s = sbs("MSG,3,1,1,4CA2D6,1,2024/01/01,12:00:01.500,2024/01/01,12:00:01.500,,37000,,,51.5,-0.1,,,0,0,0,0").unwrap();
        assert_eq!(
            (s.kind, s.icao, s.altitude_ft),
            (3, 0x4CA2D6, Some(37000.0))
        );
        assert_eq!((s.lat_deg, s.lon_deg), (Some(51.5), Some(-0.1)));
        assert_eq!(s.time_of_day_s, Some(43_201.5));
        assert_eq!(sbs("MSG,3,1,1,ZZZZZZ,1,,,,,,,,,,,,,,,,"), None);
    }
}
