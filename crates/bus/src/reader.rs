//! A reader of one stream, in the stream's order, that goes on through the loss of the
//! server holding its consumer.
//!
//! The client's own ordered consumer notices a silent consumer only after two missed idle
//! heartbeats of 15 s: a tracker whose consumer sat on a cluster server that died stood
//! still for a minute or more. This reader asks for a heartbeat every second, and makes a
//! new consumer from the next stream sequence when two checks in a row find the heartbeat
//! missing, a delivery is skipped, or the consumer is gone. Nothing is delivered twice and nothing is skipped.

use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use futures::StreamExt;

use crate::{nats, BusError, From};

/// The server's heartbeat while there is nothing to send; two missed and the consumer is
/// made again.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// How long one pull request waits on the server (the client's own default: shorter ones
/// left readers without a request now and then, for seconds, in the bus benchmark).
const PULL_EXPIRES: Duration = Duration::from_secs(30);
const BATCH: usize = 500;
/// How long one attempt at making a consumer may take, and how many are made before a
/// reader is refused. A cluster that has just lost a server may place the consumer on it
/// until it notices the loss; that request never answers, and the next placement is
/// another draw.
const CONSUMER_TRY: Duration = Duration::from_secs(3);
const CONSUMER_TRIES: u32 = 8;
/// The longest wait between two attempts once a reader runs.
const MOST_BACKOFF: Duration = Duration::from_secs(2);

pub(crate) struct Reader {
    stream: jetstream::stream::Stream,
    /// Where the next consumer starts: the reader's start until a message is delivered,
    /// then the sequence after the last one delivered.
    policy: consumer::DeliverPolicy,
    /// The last delivery's number on the current consumer.
    delivered: u64,
    /// A heartbeat was missed since the last message.
    missed: bool,
    messages: Option<consumer::pull::Stream>,
}

impl Reader {
    /// A reader from `from` on; refused when no consumer can be made.
    pub(crate) async fn open(
        js: &jetstream::Context,
        stream_name: &str,
        from: From,
    ) -> Result<Reader, BusError> {
        let mut stream = js.get_stream(stream_name).await.map_err(nats)?;
        // "What comes next" is pinned to a sequence now: a consumer made again later must
        // not skip what came in between.
        let policy = match from {
            From::New => {
                let last = stream.info().await.map_err(nats)?.state.last_sequence;
                From::Sequence(last + 1).policy()
            }
            other => other.policy(),
        };
        let mut reader = Reader {
            stream,
            policy,
            delivered: 0,
            missed: false,
            messages: None,
        };
        let mut tries = 0;
        loop {
            tries += 1;
            match reader.make().await {
                Ok(()) => return Ok(reader),
                Err(e) if tries < CONSUMER_TRIES => {
                    tracing::warn!(stream = stream_name, tries, "{e}; asked again");
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One attempt at a new consumer where the last one stopped.
    async fn make(&mut self) -> Result<(), BusError> {
        self.messages = None;
        let config = consumer::pull::Config::from(consumer::pull::OrderedConfig {
            deliver_policy: self.policy,
            ..Default::default()
        });
        let made = tokio::time::timeout(CONSUMER_TRY, async {
            let consumer = self.stream.create_consumer(config).await.map_err(nats)?;
            consumer
                .stream()
                .heartbeat(HEARTBEAT)
                .expires(PULL_EXPIRES)
                .max_messages_per_batch(BATCH)
                .messages()
                .await
                .map_err(nats)
        })
        .await
        .map_err(|_| BusError::Nats("a consumer not made in time".into()))??;
        self.messages = Some(made);
        self.delivered = 0;
        self.missed = false;
        Ok(())
    }

    /// The next message; waits (making consumers again) for as long as the bus is away.
    pub(crate) async fn next(&mut self) -> jetstream::Message {
        let mut backoff = Duration::from_millis(100);
        loop {
            let Some(messages) = self.messages.as_mut() else {
                if let Err(e) = self.make().await {
                    tracing::warn!("{e}; asked again in {backoff:?}");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MOST_BACKOFF);
                }
                continue;
            };
            match messages.next().await {
                // The client checks its heartbeat timer before the messages it holds: a
                // reader polled late hears of a missed heartbeat with messages waiting. So
                // one is let pass, and only a second with nothing between makes it again.
                Some(Err(e))
                    if e.kind() == consumer::pull::MessagesErrorKind::MissingHeartbeat
                        && !self.missed =>
                {
                    self.missed = true;
                    continue;
                }
                Some(Ok(m)) => match m.info().map(|i| (i.consumer_sequence, i.stream_sequence)) {
                    Ok((delivery, sequence)) if delivery == self.delivered + 1 => {
                        self.missed = false;
                        self.delivered = delivery;
                        self.policy = From::Sequence(sequence + 1).policy();
                        return m;
                    }
                    Ok(_) => tracing::warn!("a delivery skipped; the consumer is made again"),
                    Err(e) => {
                        tracing::warn!("a message without its stream metadata, skipped: {e}");
                        continue;
                    }
                },
                Some(Err(e)) => tracing::warn!("the consumer failed ({e}); made again"),
                None => tracing::warn!("the consumer ended; made again"),
            }
            self.messages = None;
        }
    }

    /// The reader as a stream that never ends.
    pub(crate) fn into_stream(self) -> impl futures::Stream<Item = jetstream::Message> {
        futures::stream::unfold(self, |mut reader| async move {
            let m = reader.next().await;
            Some((m, reader))
        })
    }
}
