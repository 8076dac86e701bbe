//! A centre's saved state as one message: the tracker's bytes (`Tracker::save`, checked by
//! the tracker) and identification's memory (the binary's encoding, checked here), so that
//! a centre restarted from it goes on as it would have.
//!
//! Layout: `VCS1`, the tracker's length (`u32`, little-endian) and bytes, identification's
//! bytes, and their CRC-32. Bytes without the magic are a tracker's alone (a state saved
//! before identification was part of it).

const MAGIC: &[u8; 4] = b"VCS1";

/// A centre's state, taken apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts<'a> {
    pub tracker: &'a [u8],
    /// None: a tracker's state alone.
    pub identification: Option<&'a [u8]>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CentreError {
    #[error("a centre's state cut short")]
    Short,
    #[error("identification's part of a centre's state: checksum mismatch")]
    Checksum,
    #[error("a tracker's state of {0} bytes: more than a centre's state holds")]
    TooLarge(usize),
}

/// The tracker's bytes and identification's, as one state.
pub fn join(tracker: &[u8], identification: &[u8]) -> Result<Vec<u8>, CentreError> {
    let len = u32::try_from(tracker.len()).map_err(|_| CentreError::TooLarge(tracker.len()))?;
    let mut out = Vec::with_capacity(12 + tracker.len() + identification.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(tracker);
    out.extend_from_slice(identification);
    out.extend_from_slice(&crc32fast::hash(identification).to_le_bytes());
    Ok(out)
}

/// The tracker's bytes, and identification's when the state has them.
pub fn split(bytes: &[u8]) -> Result<Parts<'_>, CentreError> {
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return Ok(Parts {
            tracker: bytes,
            identification: None,
        });
    };
    let (len, rest) = rest.split_first_chunk::<4>().ok_or(CentreError::Short)?;
    let len = u32::from_le_bytes(*len) as usize;
    if rest.len().saturating_sub(4) < len {
        return Err(CentreError::Short);
    }
    let (tracker, rest) = rest.split_at(len);
    let (identification, crc) = rest.split_at(rest.len() - 4);
    if crc32fast::hash(identification).to_le_bytes() != crc {
        return Err(CentreError::Checksum);
    }
    Ok(Parts {
        tracker,
        identification: Some(identification),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_comes_apart_as_it_was_joined() {
        let joined = join(b"tracker", b"identification").unwrap();
        let parts = split(&joined).unwrap();
        assert_eq!(parts.tracker, b"tracker");
        assert_eq!(parts.identification, Some(&b"identification"[..]));
    }

    #[test]
    fn a_trackers_state_alone_is_read_as_such() {
        let parts = split(b"VTS1 a tracker's own bytes").unwrap();
        assert_eq!(parts.tracker, b"VTS1 a tracker's own bytes");
        assert_eq!(parts.identification, None);
    }

    #[test]
    fn a_cut_or_damaged_state_is_refused() {
        let joined = join(b"tracker", b"identification").unwrap();
        for end in 0..joined.len() {
            let cut = &joined[..end];
            if cut.starts_with(MAGIC) {
                assert!(split(cut).is_err(), "cut at {end}");
            }
        }
        let mut damaged = joined.clone();
        *damaged.last_mut().unwrap() ^= 1;
        assert_eq!(split(&damaged), Err(CentreError::Checksum));
    }
}
