//! A tracker's whole state as bytes, and a tracker restored from them.
//!
//! A tracker on the bus saves its state now and then; one that starts again restores the
//! last state saved and takes the reports from there, instead of re-tracking days of
//! retention. A restored tracker goes on exactly as the saved one would have: same tracks,
//! same numbers, same outputs (the tests run both side by side).
//!
//! The bytes are a magic, the state (postcard) and a CRC-32. The state carries the sensor
//! table and the settings it was built with: restoring under others is refused, since the
//! clutter maps, biases and radar geometries in it would be wrong. Whatever the bytes, a
//! restore gives a tracker whose indices all hold, or an error: never a panic later.

use std::collections::{BTreeMap, BinaryHeap, HashMap};

use serde::{Deserialize, Serialize, Serializer};
use vigie_core::{SensorSpec, SensorTable};

use crate::measure::SensorModel;
use crate::tracker::{chi2_for, Config, Tracker};

const MAGIC: &[u8; 4] = b"VTS1";

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("not a tracker's state, or a damaged one (magic or checksum)")]
    Damaged,
    #[error("a tracker's state that does not decode: {0}")]
    Decode(String),
    #[error("the state was saved under other tracker settings")]
    OtherSettings,
    #[error("the state was saved with another sensor table")]
    OtherSensors,
    #[error("an inconsistent tracker state: {0}")]
    Inconsistent(&'static str),
}

// The sensor table goes as JSON: its optional fields are skipped when absent, which a
// format without field names cannot express.
#[derive(Serialize)]
struct Saved<'a> {
    sensors_json: String,
    tracker: &'a Tracker,
}

#[derive(Deserialize)]
struct Loaded {
    sensors_json: String,
    tracker: Tracker,
}

impl Tracker {
    /// The tracker's whole state, as bytes (the same state gives the same bytes).
    pub fn save(&self) -> Vec<u8> {
        let saved = Saved {
            sensors_json: sensors_json(self.sensors.iter().map(|m| &m.spec)),
            tracker: self,
        };
        let mut bytes = MAGIC.to_vec();
        // Only standard types and derived impls: serializing to a vector cannot fail.
        bytes.extend(postcard::to_stdvec(&saved).unwrap_or_default());
        let crc = crc32fast::hash(&bytes);
        bytes.extend(crc.to_le_bytes());
        bytes
    }

    /// A tracker restored from `save`'s bytes, for the same settings and sensor table.
    pub fn restore(cfg: Config, table: &SensorTable, bytes: &[u8]) -> Result<Tracker, StateError> {
        let body = bytes
            .len()
            .checked_sub(4)
            .filter(|&n| n >= MAGIC.len() && bytes.starts_with(MAGIC))
            .ok_or(StateError::Damaged)?;
        let (body, crc) = bytes.split_at(body);
        if crc32fast::hash(body).to_le_bytes() != crc {
            return Err(StateError::Damaged);
        }
        let loaded: Loaded = postcard::from_bytes(&body[MAGIC.len()..])
            .map_err(|e| StateError::Decode(e.to_string()))?;
        if loaded.tracker.cfg != cfg {
            return Err(StateError::OtherSettings);
        }
        if loaded.sensors_json != sensors_json(table.sensor.iter()) {
            return Err(StateError::OtherSensors);
        }
        let mut tracker = loaded.tracker;
        tracker.sensors = table.sensor.iter().cloned().map(SensorModel::new).collect();
        tracker.chi2 = chi2_for(&cfg);
        check(&tracker)?;
        Ok(tracker)
    }
}

/// For the fuzz target: `body` framed as saved bytes (magic, checksum), so that mutations
/// reach the decoder rather than the checksum.
#[doc(hidden)]
pub fn frame_for_fuzzing(body: &[u8]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend(body);
    let crc = crc32fast::hash(&bytes);
    bytes.extend(crc.to_le_bytes());
    bytes
}

/// The table as the state holds it, compared as written.
fn sensors_json<'a>(specs: impl Iterator<Item = &'a SensorSpec>) -> String {
    serde_json::to_string(&specs.collect::<Vec<_>>()).unwrap_or_default()
}

/// Every index the tracker follows without a check points where it should.
fn check(t: &Tracker) -> Result<(), StateError> {
    let sensors = t.sensors.len();
    let bad = StateError::Inconsistent;
    let sensor_ok = |s: vigie_core::SensorId| usize::from(s.0) < sensors;
    if t.clutter.len() != sensors
        || t.counters.per_sensor.len() != sensors
        || t.registration.per_sensor.len() != sensors
    {
        return Err(bad("per-sensor tables of another length"));
    }
    let tracks = t.tracks.len();
    let candidates = t.candidates.len();
    if t.free
        .iter()
        .any(|&s| t.tracks.get(s as usize).is_none_or(Option::is_some))
        || t.free_candidates
            .iter()
            .any(|&s| t.candidates.get(s as usize).is_none_or(Option::is_some))
    {
        return Err(bad("a free slot that is not free"));
    }
    if t.grid.cell_m() != t.cfg.cell_m || t.candidate_grid.cell_m() != t.cfg.cell_m {
        return Err(bad("a grid of another cell size than the settings'"));
    }
    let in_grid =
        |g: &crate::grid::Grid, n: usize| g.cells.values().flatten().all(|&s| (s as usize) < n);
    if !in_grid(&t.grid, tracks) || !in_grid(&t.candidate_grid, candidates) {
        return Err(bad("a grid entry beyond the slots"));
    }
    let reports_ok = t.tracks.iter().flatten().all(|tr| {
        sensor_ok(tr.last_report.sensor) && tr.sensors.iter().all(|(s, _)| sensor_ok(*s))
    }) && t
        .candidates
        .iter()
        .flatten()
        .all(|c| sensor_ok(c.obs.report.sensor))
        && t.batch.iter().all(|o| sensor_ok(o.report.sensor))
        && t.pending_reports().all(|r| sensor_ok(r.sensor));
    if !reports_ok {
        return Err(bad("a report from a sensor not in the table"));
    }
    if t.maintenance_cursor.0 > tracks || t.maintenance_cursor.1 > candidates {
        return Err(bad("the maintenance cursor beyond the slots"));
    }
    Ok(())
}

/// A map serialized in key order, so that the same state gives the same bytes whatever
/// the map's history.
pub(crate) fn sorted_map<K, V, H, S>(map: &HashMap<K, V, H>, s: S) -> Result<S::Ok, S::Error>
where
    K: Ord + Serialize,
    V: Serialize,
    S: Serializer,
{
    let sorted: BTreeMap<&K, &V> = map.iter().collect();
    sorted.serialize(s)
}

/// A heap serialized in its pop order, for the same reason.
pub(crate) fn sorted_heap<T, S>(heap: &BinaryHeap<T>, s: S) -> Result<S::Ok, S::Error>
where
    T: Ord + Serialize,
    S: Serializer,
{
    let mut items: Vec<&T> = heap.iter().collect();
    items.sort_by(|a, b| b.cmp(a));
    s.collect_seq(items)
}
