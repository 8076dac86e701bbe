//! Finding a saved tracker state in its stream: the parts' headers are read (not their
//! bodies: a week of states is a gigabyte), and only the chosen state's parts fetched.

use std::collections::BTreeMap;

use async_nats::jetstream::{consumer, stream::Stream};
use futures::StreamExt;

use crate::{nats, BusError, SavedState};

const QUIET: std::time::Duration = std::time::Duration::from_secs(2);

/// What the headers say of one saved state: its fields but the bytes, and its parts'
/// sequences (`None`: not seen).
pub(crate) type Index = BTreeMap<i64, (SavedState, Vec<Option<u64>>)>;

/// Every state's parts in the stream, up to sequence `last`.
pub(crate) async fn index(stream: &Stream, last: u64) -> Result<Index, BusError> {
    let mut index = Index::new();
    if last == 0 {
        return Ok(index);
    }
    let consumer = stream
        .create_consumer(consumer::pull::OrderedConfig {
            headers_only: true,
            ..Default::default()
        })
        .await
        .map_err(nats)?;
    let mut messages = consumer.messages().await.map_err(nats)?;
    // The last message may have aged out since `last` was read: silence ends the index too.
    while let Ok(Some(m)) = tokio::time::timeout(QUIET, messages.next()).await {
        let m = m.map_err(nats)?;
        let sequence = m.info().map_err(nats)?.stream_sequence;
        if let Some((head, part, of)) = m.headers.as_ref().and_then(parse) {
            let entry = index
                .entry(head.tick)
                .or_insert_with(|| (head, vec![None; of]));
            if let Some(slot) = entry.1.get_mut(part) {
                *slot = Some(sequence);
            }
        }
        if sequence >= last {
            break;
        }
    }
    Ok(index)
}

/// The latest state with all its parts, at or before `until_s`.
pub(crate) fn latest(index: &Index, until_s: Option<f64>) -> Option<(SavedState, Vec<u64>)> {
    index.values().rev().find_map(|(head, parts)| {
        let parts: Option<Vec<u64>> = parts.iter().copied().collect();
        let in_time = until_s.is_none_or(|u| head.time_s <= u);
        parts.filter(|_| in_time).map(|p| (head.clone(), p))
    })
}

/// A part's headers: the state's fields, the part's index from 0, and how many there are.
fn parse(h: &async_nats::HeaderMap) -> Option<(SavedState, usize, usize)> {
    let get = |k: &str| h.get(k).map(|v| v.as_str().to_string());
    let (part, of) = get("Vigie-Part")?
        .split_once('/')
        .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)))?;
    // A few thousand parts is a state of gigabytes: beyond that, damage.
    if part == 0 || part > of || of > 4096 {
        return None;
    }
    let head = SavedState {
        tick: get("Vigie-State")?.parse().ok()?,
        time_s: get("Vigie-Time")?.parse().ok()?,
        resume_sequence: get("Vigie-Resume")?.parse().ok()?,
        reports: get("Vigie-Reports")?.parse().ok()?,
        bytes: Vec::new(),
    };
    Some((head, part - 1, of))
}
