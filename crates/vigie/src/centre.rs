//! A centre's saved state, as it goes on the bus: the tracker's bytes and identification's
//! memory ([`crate::judge::Memory`], MessagePack with field names: identities' evidence is
//! tagged by name), framed by `vigie_journal::centre`. A centre restarted from it goes on
//! as it would have: the same tracks and numbers, and the same identities, alerts (numbers
//! and acknowledgements included) and threats.

use crate::judge::Memory;

/// Identification's part of a centre's state.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Identification {
    pub memory: Memory,
    /// The operators' decisions stream's last sequence the memory has taken.
    pub ops_taken: u64,
}

/// The tracker's bytes and identification's part, as one state.
pub fn join(tracker: &[u8], identification: &Identification) -> Result<Vec<u8>, String> {
    let memory = rmp_serde::to_vec_named(identification)
        .map_err(|e| format!("identification's memory does not encode: {e}"))?;
    vigie_journal::centre::join(tracker, &memory).map_err(|e| e.to_string())
}

/// The tracker's bytes, and identification's part when the state has it.
pub fn split(bytes: &[u8]) -> Result<(&[u8], Option<Identification>), String> {
    let parts = vigie_journal::centre::split(bytes).map_err(|e| e.to_string())?;
    let identification = parts
        .identification
        .map(rmp_serde::from_slice)
        .transpose()
        .map_err(|e| format!("identification's memory in a centre's state: {e}"))?;
    Ok((parts.tracker, identification))
}
