//! The tracker's leadership. Both trackers take every batch of reports in the stream's
//! order, so they hold the same tracks with the same numbers; only the leader publishes.
//! The leader renews its claim every fraction of its lease; a standby that sees the claim
//! unchanged for a whole lease takes it over by compare-and-set on the sequence it saw, so
//! that two standbys cannot both win, and a leader that was cut off and comes back finds its
//! renewal refused and stands down.
//!
//! The claim is the last message of one subject in a stream of its own, written with
//! `Nats-Expected-Last-Subject-Sequence`: what a key-value bucket does underneath, done
//! directly so that it works the same on every JetStream server (Debian's 2.9 included).

use std::time::Duration;

use async_nats::jetstream::{self, stream};
use bytes::Bytes;

use crate::{nats, BusError};

pub(crate) const LEADER_STREAM: &str = "VIGIE_LEADER";
const SUBJECT: &str = "vigie.leader.tracker";

/// A claim on the leadership: who, at which sequence. An empty holder is a claim given up.
#[derive(Debug, Clone, PartialEq)]
pub struct Lease {
    pub holder: String,
    pub revision: u64,
}

pub struct Leadership {
    js: jetstream::Context,
    stream: stream::Stream,
    /// How long a claim may go unrenewed before a standby takes over.
    pub lease: Duration,
}

impl Leadership {
    pub(crate) async fn open(
        js: jetstream::Context,
        lease: Duration,
        replicas: usize,
    ) -> Result<Leadership, BusError> {
        let config = stream::Config {
            name: LEADER_STREAM.to_string(),
            subjects: vec!["vigie.leader.>".to_string()],
            max_messages_per_subject: 1,
            storage: stream::StorageType::File,
            num_replicas: replicas,
            ..Default::default()
        };
        // Both trackers may create it at the same moment: then it is there.
        let stream = match js.get_or_create_stream(config).await {
            Ok(s) => s,
            Err(e) => js.get_stream(LEADER_STREAM).await.map_err(|_| nats(e))?,
        };
        Ok(Leadership { js, stream, lease })
    }

    /// The last claim (none: never claimed).
    pub async fn current(&self) -> Result<Option<Lease>, BusError> {
        use async_nats::jetstream::stream::LastRawMessageErrorKind as Kind;
        match self.stream.get_last_raw_message_by_subject(SUBJECT).await {
            Ok(m) => Ok(Some(Lease {
                holder: String::from_utf8_lossy(&m.payload).into_owned(),
                revision: m.sequence,
            })),
            Err(e) if e.kind() == Kind::NoMessageFound => Ok(None),
            Err(e) => Err(nats(e)),
        }
    }

    /// Claims the leadership over the claim last seen (`None`: there was none). `None` back:
    /// someone else claimed it meanwhile.
    pub async fn take(&self, me: &str, seen: Option<&Lease>) -> Result<Option<Lease>, BusError> {
        let revision = self.claim(me, seen.map_or(0, |l| l.revision)).await?;
        Ok(revision.map(|revision| Lease {
            holder: me.to_string(),
            revision,
        }))
    }

    /// Renews the leader's claim. `None`: it was taken meanwhile, the leader must stand down.
    pub async fn renew(&self, held: &Lease) -> Result<Option<Lease>, BusError> {
        self.take(&held.holder, Some(held)).await
    }

    /// Gives the claim up (a leader stopping cleanly), so a standby takes over at once.
    pub async fn release(&self, held: &Lease) -> Result<(), BusError> {
        self.claim("", held.revision).await.map(|_| ())
    }

    async fn claim(&self, who: &str, expected: u64) -> Result<Option<u64>, BusError> {
        use async_nats::jetstream::context::PublishErrorKind as Kind;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            "Nats-Expected-Last-Subject-Sequence",
            expected.to_string().as_str(),
        );
        let sent = self
            .js
            .publish_with_headers(SUBJECT, headers, Bytes::from(who.to_string()))
            .await
            .map_err(nats)?;
        match sent.await {
            Ok(ack) => Ok(Some(ack.sequence)),
            Err(e) if e.kind() == Kind::WrongLastSequence => Ok(None),
            Err(e) => Err(nats(e)),
        }
    }
}
