//! # vigie-journal: the recording
//!
//! This crate owns vigie's recording of a session: every input the tracker was given (the
//! sensors' reports, tick by tick, in the order it took them), every system output (the
//! tracks it produced, and identification's identities, alerts and threats), every operator
//! and instructor action, and, in an exercise, the simulator's truth and what the trainees
//! are scored on, in one append-only file.
//! A session is re-run from it deterministically (the same reports in the same order give
//! the same tracks), and an after-action review reads it.
//!
//! It owns the format and its crash safety, not the pipeline: the binary decides what to
//! record and when to commit. It reads no clock: commit times are given.
//!
//! ## Format
//!
//! An 8-byte magic (`VIGIEJ01`), then frames: a little-endian `u32` payload length, the
//! CRC-32 of kind and payload, a kind byte, the payload. Reports and tracks are fixed binary
//! layouts (little-endian), and so is the truth; the session's start, actions and
//! identification's outputs are JSON; a tracker's state is its own bytes after the time.
//! [`centre`] puts a tracker's state and identification's memory together, as a centre
//! saves them on the bus.
//!
//! ## Crash safety and the flush policy
//!
//! Frames are appended to a buffer and written to the file at each [`Writer::commit`] (the
//! pipeline commits once a tick, every simulated or real second), so a process killed at
//! any moment (`kill -9`) loses at most the tick it was recording; what was committed is in
//! the operating system's hands. Every `sync_every_s` of commits the file is also
//! `fdatasync`ed, so a power cut loses at most that much more. A reader stops at the first
//! torn or corrupt frame (a length past the end, a CRC mismatch) and says where: everything
//! before it is recovered.

pub mod centre;

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use vigie_core::interop::TrackRow;
use vigie_core::{Callsign, Measurement, Mode3A, ModeS, PlotKind, Report, SensorId};

pub const MAGIC: &[u8; 8] = b"VIGIEJ01";
/// No frame is larger: a tick of a national picture is a few megabytes.
pub const FRAME_MAX: usize = 256 << 20;

/// What the session is: enough to re-run it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Start {
    /// Unix seconds of session time 0.
    pub epoch_unix_s: f64,
    /// An exercise (simulated), or real sensors.
    pub exercise: bool,
    /// The scenario's name, or the deployment's.
    pub name: String,
    /// The sensor table, as `sensors.toml` has it (serde JSON of `SensorTable`).
    pub sensors: serde_json::Value,
    /// The tracker's settings (serde JSON of its `Config`).
    pub tracker: serde_json::Value,
    /// An exercise's briefing and the objectives its trainees are scored on, so that the
    /// score can be worked out again from the journal alone.
    #[serde(default)]
    pub training: Option<serde_json::Value>,
}

/// Where a simulated aircraft was (an exercise's truth).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruthPoint {
    pub id: u32,
    pub lat_deg: f64,
    pub lon_deg: f64,
}

/// Someone did something: an operator, an instructor, or vigie's exercise control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Session seconds (the picture's clock).
    pub time_s: f64,
    pub user: String,
    /// "set identity", "acknowledge alert", "pause", "inject radar outage"...
    pub action: String,
    pub detail: serde_json::Value,
}

/// One entry of the journal.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Start(Start),
    /// One tick's input: the reports the tracker took, in its order, and the tick's time.
    Input {
        time_s: f64,
        reports: Vec<Report>,
    },
    /// What the tracker produced in that tick.
    Output {
        time_s: f64,
        updates: Vec<TrackRow>,
        ended: Vec<u32>,
    },
    Action(Action),
    /// What identification changed in that tick (identities, alerts, threats), as the
    /// server has it.
    Judged {
        time_s: f64,
        picture: serde_json::Value,
    },
    /// An exercise's truth at that tick.
    Truth {
        time_s: f64,
        aircraft: Vec<TruthPoint>,
    },
    /// The tracker's whole state at that time (`vigie_track::Tracker::save`'s bytes): a
    /// journal cut from the bus's streams at any moment starts from it, and a re-run
    /// restores it instead of starting from an empty picture.
    State {
        time_s: f64,
        tracker: Vec<u8>,
    },
}

pub const KIND_START: u8 = 1;
pub const KIND_INPUT: u8 = 2;
pub const KIND_OUTPUT: u8 = 3;
pub const KIND_ACTION: u8 = 4;
pub const KIND_JUDGED: u8 = 5;
pub const KIND_TRUTH: u8 = 6;
pub const KIND_STATE: u8 = 7;

/// Identification's outputs, with the tick's time.
#[derive(Serialize, Deserialize)]
struct Judged {
    time_s: f64,
    picture: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("not a vigie journal (no VIGIEJ01 magic)")]
    NotAJournal,
    #[error("an entry too large to record: {0} bytes")]
    TooLarge(usize),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

/// Appends entries; see the module's flush policy.
pub struct Writer<W: Write = File> {
    out: BufWriter<W>,
    frame: Vec<u8>,
    sync_every_s: f64,
    last_sync_s: f64,
    sync: fn(&mut W) -> io::Result<()>,
    /// Bytes committed so far, magic included.
    pub committed_bytes: u64,
    pending_bytes: u64,
}

fn sync_file(f: &mut File) -> io::Result<()> {
    f.sync_data()
}

impl Writer<File> {
    /// Creates (or truncates) the journal at `path`. `sync_every_s`: how often a commit also
    /// forces the data to the disk.
    pub fn create(path: &Path, sync_every_s: f64) -> Result<Writer<File>, JournalError> {
        Writer::new(File::create(path)?, sync_every_s, sync_file)
    }
}

impl<W: Write> Writer<W> {
    /// A journal on any writer; `sync` forces it to stable storage.
    pub fn new(
        out: W,
        sync_every_s: f64,
        sync: fn(&mut W) -> io::Result<()>,
    ) -> Result<Writer<W>, JournalError> {
        let mut out = BufWriter::with_capacity(1 << 20, out);
        out.write_all(MAGIC)?;
        out.flush()?;
        Ok(Writer {
            out,
            frame: Vec::new(),
            sync_every_s,
            last_sync_s: f64::NEG_INFINITY,
            sync,
            committed_bytes: MAGIC.len() as u64,
            pending_bytes: 0,
        })
    }

    /// Adds an entry to what the next commit writes.
    pub fn append(&mut self, e: &Entry) -> Result<(), JournalError> {
        self.frame.clear();
        let kind = encode(e, &mut self.frame)?;
        if self.frame.len() > FRAME_MAX {
            return Err(JournalError::TooLarge(self.frame.len()));
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(&[kind]);
        crc.update(&self.frame);
        self.out
            .write_all(&(self.frame.len() as u32).to_le_bytes())?;
        self.out.write_all(&crc.finalize().to_le_bytes())?;
        self.out.write_all(&[kind])?;
        self.out.write_all(&self.frame)?;
        self.pending_bytes += 9 + self.frame.len() as u64;
        Ok(())
    }

    /// Writes everything appended to the file; at `now_s` (any clock), also forces it to
    /// the disk if the last sync is `sync_every_s` old.
    pub fn commit(&mut self, now_s: f64) -> Result<(), JournalError> {
        self.out.flush()?;
        self.committed_bytes += std::mem::take(&mut self.pending_bytes);
        if now_s - self.last_sync_s >= self.sync_every_s {
            (self.sync)(self.out.get_mut())?;
            self.last_sync_s = now_s;
        }
        Ok(())
    }

    pub fn into_inner(mut self) -> Result<W, JournalError> {
        self.out.flush()?;
        self.out.into_inner().map_err(|e| e.into_error().into())
    }
}

/// Where a reader stopped before the end of the file, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Torn {
    pub offset: u64,
    pub reason: String,
}

/// Reads a journal frame by frame, stopping at the end or at the first damaged frame.
pub struct Reader<R: Read> {
    input: R,
    offset: u64,
    buf: Vec<u8>,
    /// Set when reading stopped at damage rather than at the end.
    pub torn: Option<Torn>,
    done: bool,
}

impl Reader<io::BufReader<File>> {
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        Reader::new(io::BufReader::with_capacity(1 << 20, File::open(path)?))
    }
}

impl<R: Read> Reader<R> {
    pub fn new(mut input: R) -> Result<Self, JournalError> {
        let mut magic = [0u8; 8];
        input
            .read_exact(&mut magic)
            .map_err(|_| JournalError::NotAJournal)?;
        if &magic != MAGIC {
            return Err(JournalError::NotAJournal);
        }
        Ok(Reader {
            input,
            offset: 8,
            buf: Vec::new(),
            torn: None,
            done: false,
        })
    }

    fn stop(&mut self, reason: String) -> Option<Entry> {
        self.torn = Some(Torn {
            offset: self.offset,
            reason,
        });
        self.done = true;
        None
    }

    /// Bytes read and accepted so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

/// Reads as much as there is into `buf`; the count.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl<R: Read> Iterator for Reader<R> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        if self.done {
            return None;
        }
        let mut head = [0u8; 9];
        match read_full(&mut self.input, &mut head) {
            Ok(0) => {
                self.done = true;
                return None;
            }
            Ok(9) => {}
            Ok(n) => return self.stop(format!("a frame header cut after {n} of 9 bytes")),
            Err(e) => return self.stop(e.to_string()),
        }
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let kind = head[8];
        if len > FRAME_MAX {
            return self.stop(format!("a frame of {len} bytes: damaged"));
        }
        self.buf.resize(len, 0);
        match read_full(&mut self.input, &mut self.buf) {
            Ok(n) if n == len => {}
            Ok(n) => return self.stop(format!("a frame cut after {n} of {len} bytes")),
            Err(e) => return self.stop(e.to_string()),
        }
        let mut h = crc32fast::Hasher::new();
        h.update(&[kind]);
        h.update(&self.buf);
        if h.finalize() != crc {
            return self.stop("a frame whose checksum does not match".into());
        }
        match decode(kind, &self.buf) {
            Some(e) => {
                self.offset += 9 + len as u64;
                Some(e)
            }
            None => self.stop(format!("a frame of kind {kind} that does not decode")),
        }
    }
}

/// An entry's payload, as a frame holds it (and as the bus carries reports and tracks: one
/// encoding everywhere); returns the frame's kind byte.
pub fn encode_payload(e: &Entry, out: &mut Vec<u8>) -> Result<u8, JournalError> {
    encode(e, out)
}

/// An entry from a frame's kind byte and payload; `None` if they do not decode whole.
pub fn decode_payload(kind: u8, payload: &[u8]) -> Option<Entry> {
    decode(kind, payload)
}

fn encode(e: &Entry, out: &mut Vec<u8>) -> Result<u8, JournalError> {
    Ok(match e {
        Entry::Start(s) => {
            serde_json::to_writer(&mut *out, s)?;
            KIND_START
        }
        Entry::Action(a) => {
            serde_json::to_writer(&mut *out, a)?;
            KIND_ACTION
        }
        Entry::Judged { time_s, picture } => {
            serde_json::to_writer(
                &mut *out,
                &Judged {
                    time_s: *time_s,
                    picture: picture.clone(),
                },
            )?;
            KIND_JUDGED
        }
        Entry::Truth { time_s, aircraft } => {
            out.extend_from_slice(&time_s.to_le_bytes());
            out.extend_from_slice(&(aircraft.len() as u32).to_le_bytes());
            for a in aircraft {
                out.extend_from_slice(&a.id.to_le_bytes());
                out.extend_from_slice(&a.lat_deg.to_le_bytes());
                out.extend_from_slice(&a.lon_deg.to_le_bytes());
            }
            KIND_TRUTH
        }
        Entry::State { time_s, tracker } => {
            out.extend_from_slice(&time_s.to_le_bytes());
            out.extend_from_slice(tracker);
            KIND_STATE
        }
        Entry::Input { time_s, reports } => {
            out.extend_from_slice(&time_s.to_le_bytes());
            out.extend_from_slice(&(reports.len() as u32).to_le_bytes());
            for r in reports {
                encode_report(r, out);
            }
            KIND_INPUT
        }
        Entry::Output {
            time_s,
            updates,
            ended,
        } => {
            out.extend_from_slice(&time_s.to_le_bytes());
            out.extend_from_slice(&(updates.len() as u32).to_le_bytes());
            for t in updates {
                encode_track(t, out);
            }
            out.extend_from_slice(&(ended.len() as u32).to_le_bytes());
            for id in ended {
                out.extend_from_slice(&id.to_le_bytes());
            }
            KIND_OUTPUT
        }
    })
}

fn decode(kind: u8, b: &[u8]) -> Option<Entry> {
    let mut c = Cursor { b, at: 0 };
    let e = match kind {
        KIND_START => Entry::Start(serde_json::from_slice(b).ok()?),
        KIND_ACTION => Entry::Action(serde_json::from_slice(b).ok()?),
        KIND_JUDGED => {
            let j: Judged = serde_json::from_slice(b).ok()?;
            Entry::Judged {
                time_s: j.time_s,
                picture: j.picture,
            }
        }
        KIND_TRUTH => {
            let time_s = c.f64()?;
            let n = c.u32()? as usize;
            let mut aircraft = Vec::with_capacity(n.min(b.len() / 20));
            for _ in 0..n {
                aircraft.push(TruthPoint {
                    id: c.u32()?,
                    lat_deg: c.f64()?,
                    lon_deg: c.f64()?,
                });
            }
            Entry::Truth { time_s, aircraft }
        }
        KIND_STATE => {
            let time_s = c.f64()?;
            c.at = b.len();
            Entry::State {
                time_s,
                tracker: b[8..].to_vec(),
            }
        }
        KIND_INPUT => {
            let time_s = c.f64()?;
            let n = c.u32()? as usize;
            let mut reports = Vec::with_capacity(n.min(b.len() / 20));
            for _ in 0..n {
                reports.push(decode_report(&mut c)?);
            }
            Entry::Input { time_s, reports }
        }
        KIND_OUTPUT => {
            let time_s = c.f64()?;
            let n = c.u32()? as usize;
            let mut updates = Vec::with_capacity(n.min(b.len() / 60));
            for _ in 0..n {
                updates.push(decode_track(&mut c)?);
            }
            let n = c.u32()? as usize;
            let mut ended = Vec::with_capacity(n.min(b.len() / 4));
            for _ in 0..n {
                ended.push(c.u32()?);
            }
            Entry::Output {
                time_s,
                updates,
                ended,
            }
        }
        _ => return None,
    };
    let json = matches!(kind, KIND_START | KIND_ACTION | KIND_JUDGED);
    (json || c.at == b.len()).then_some(e)
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let s = self.b.get(self.at..self.at + N)?;
        self.at += N;
        s.try_into().ok()
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take::<1>()?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take()?))
    }
    /// Every number recorded is finite: anything else is damage.
    fn f64(&mut self) -> Option<f64> {
        Some(f64::from_le_bytes(self.take()?)).filter(|v| v.is_finite())
    }
}

const HAS_ELEVATION: u8 = 1;
const HAS_ALT: u8 = 2;
const HAS_MODE3A: u8 = 4;
const HAS_MODE_S: u8 = 8;
const HAS_CALLSIGN: u8 = 16;
const POSITION: u8 = 32;

fn identity_flags(m3: Option<Mode3A>, ms: Option<ModeS>, cs: Option<Callsign>) -> u8 {
    (if m3.is_some() { HAS_MODE3A } else { 0 })
        | (if ms.is_some() { HAS_MODE_S } else { 0 })
        | (if cs.is_some() { HAS_CALLSIGN } else { 0 })
}

fn encode_identity(m3: Option<Mode3A>, ms: Option<ModeS>, cs: Option<Callsign>, out: &mut Vec<u8>) {
    if let Some(c) = m3 {
        out.extend_from_slice(&c.value().to_le_bytes());
    }
    if let Some(a) = ms {
        out.extend_from_slice(&a.address().to_le_bytes());
    }
    if let Some(c) = cs {
        let mut b = [b' '; 8];
        let s = c.as_str().as_bytes();
        b[..s.len().min(8)].copy_from_slice(&s[..s.len().min(8)]);
        out.extend_from_slice(&b);
    }
}

type Identity = (Option<Mode3A>, Option<ModeS>, Option<Callsign>);

fn decode_identity(flags: u8, c: &mut Cursor<'_>) -> Option<Identity> {
    let m3 = if flags & HAS_MODE3A != 0 {
        Some(Mode3A::from_octal_value(c.u16()?)?)
    } else {
        None
    };
    let ms = if flags & HAS_MODE_S != 0 {
        Some(ModeS::new(c.u32()?)?)
    } else {
        None
    };
    let cs = if flags & HAS_CALLSIGN != 0 {
        let b = c.take::<8>()?;
        Some(Callsign::new(std::str::from_utf8(&b).ok()?.trim_end())?)
    } else {
        None
    };
    Some((m3, ms, cs))
}

fn encode_report(r: &Report, out: &mut Vec<u8>) {
    let kind = match r.kind {
        PlotKind::Psr => 0u8,
        PlotKind::Ssr => 1,
        PlotKind::Combined => 2,
        PlotKind::Adsb => 3,
    };
    let mut flags = identity_flags(r.mode3a, r.mode_s, r.callsign);
    if r.alt_m.is_some() {
        flags |= HAS_ALT;
    }
    match r.measurement {
        Measurement::Polar { elevation_rad, .. } if elevation_rad.is_some() => {
            flags |= HAS_ELEVATION
        }
        Measurement::Position { .. } => flags |= POSITION,
        Measurement::Polar { .. } => {}
    }
    out.extend_from_slice(&r.time_s.to_le_bytes());
    out.extend_from_slice(&r.sensor.0.to_le_bytes());
    out.push(kind);
    out.push(flags);
    match r.measurement {
        Measurement::Polar {
            range_m,
            azimuth_rad,
            elevation_rad,
        } => {
            out.extend_from_slice(&range_m.to_le_bytes());
            out.extend_from_slice(&azimuth_rad.to_le_bytes());
            if let Some(e) = elevation_rad {
                out.extend_from_slice(&e.to_le_bytes());
            }
        }
        Measurement::Position { lat_deg, lon_deg } => {
            out.extend_from_slice(&lat_deg.to_le_bytes());
            out.extend_from_slice(&lon_deg.to_le_bytes());
        }
    }
    if let Some(a) = r.alt_m {
        out.extend_from_slice(&a.to_le_bytes());
    }
    encode_identity(r.mode3a, r.mode_s, r.callsign, out);
}

fn decode_report(c: &mut Cursor<'_>) -> Option<Report> {
    let time_s = c.f64()?;
    let sensor = SensorId(c.u16()?);
    let kind = match c.u8()? {
        0 => PlotKind::Psr,
        1 => PlotKind::Ssr,
        2 => PlotKind::Combined,
        3 => PlotKind::Adsb,
        _ => return None,
    };
    let flags = c.u8()?;
    let measurement = if flags & POSITION != 0 {
        Measurement::Position {
            lat_deg: c.f64()?,
            lon_deg: c.f64()?,
        }
    } else {
        Measurement::Polar {
            range_m: c.f64()?,
            azimuth_rad: c.f64()?,
            elevation_rad: if flags & HAS_ELEVATION != 0 {
                Some(c.f64()?)
            } else {
                None
            },
        }
    };
    let alt_m = if flags & HAS_ALT != 0 {
        Some(c.f64()?)
    } else {
        None
    };
    let (mode3a, mode_s, callsign) = decode_identity(flags, c)?;
    Some(Report {
        time_s,
        sensor,
        kind,
        measurement,
        alt_m,
        mode3a,
        mode_s,
        callsign,
    })
}

fn encode_track(t: &TrackRow, out: &mut Vec<u8>) {
    out.extend_from_slice(&t.track_id.to_le_bytes());
    for v in [
        t.time_s, t.lat_deg, t.lon_deg, t.alt_m, t.vn_mps, t.ve_mps, t.vu_mps,
    ] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.push(identity_flags(t.mode3a, t.mode_s, t.callsign));
    encode_identity(t.mode3a, t.mode_s, t.callsign, out);
}

fn decode_track(c: &mut Cursor<'_>) -> Option<TrackRow> {
    let track_id = c.u32()?;
    let mut v = [0.0; 7];
    for x in &mut v {
        *x = c.f64()?;
    }
    let flags = c.u8()?;
    let (mode3a, mode_s, callsign) = decode_identity(flags, c)?;
    Some(TrackRow {
        time_s: v[0],
        track_id,
        lat_deg: v[1],
        lon_deg: v[2],
        alt_m: v[3],
        vn_mps: v[4],
        ve_mps: v[5],
        vu_mps: v[6],
        mode3a,
        mode_s,
        callsign,
    })
}

#[cfg(test)]
mod tests;
