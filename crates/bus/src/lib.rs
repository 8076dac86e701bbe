//! # vigie-bus: the distributed deployment's bus
//!
//! A national system spans radar sites, an operations centre and consoles on several
//! machines. This crate owns what they say to each other over NATS JetStream: the subjects
//! and streams (docs/distributed.md), the message bodies (the journal's own payloads, so a
//! stream is a recording), publishing and consuming in stream order, the tracker's saved
//! states, and the tracker's leadership.
//!
//! It owns no tracking, no decoding of sensor formats and no serving: `vigie ingest`,
//! `vigie track --bus` and `vigie serve` use it. It reads no clock of its own: waits and
//! leases are durations the caller gives.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;
use futures::StreamExt;
use vigie_core::interop::TrackRow;
use vigie_core::Report;
use vigie_journal::{decode_payload, encode_payload, Entry};

mod leader;
mod reader;
mod state;
pub mod test_server;
pub use leader::{Leadership, Lease};

/// Reports from the sensor sites, one subject per site: `vigie.reports.<site>`.
pub const REPORTS_STREAM: &str = "VIGIE_REPORTS";
/// What the centre makes of them: tracks and identification's outputs.
pub const PICTURE_STREAM: &str = "VIGIE_PICTURE";
pub const TRACKS_SUBJECT: &str = "vigie.picture.tracks";
pub const JUDGED_SUBJECT: &str = "vigie.picture.judged";
/// Which sensors the centre heard in each tick: the consoles' sensor panel.
pub const SENSORS_SUBJECT: &str = "vigie.picture.sensors";
/// What a track row does not carry (position quality, contributing sensors), for the
/// tracks of the tick's next `vigie.picture.tracks`: the consoles' track panel.
pub const QUALITY_SUBJECT: &str = "vigie.picture.quality";
/// The tracker's saved states, now and then: where a tracker starting again, or a replay
/// from any moment, starts from.
pub const STATE_STREAM: &str = "VIGIE_STATE";
pub const STATE_SUBJECT: &str = "vigie.state.tracker";
/// What operators at the consoles decide (identities, alerts acknowledged), for the centre.
pub const OPS_STREAM: &str = "VIGIE_OPS";
pub const OPS_SUBJECT: &str = "vigie.ops.decisions";
/// vigie's streams and the subjects each holds.
const STREAMS: [(&str, &str); 4] = [
    (REPORTS_STREAM, "vigie.reports.>"),
    (PICTURE_STREAM, "vigie.picture.>"),
    (STATE_STREAM, "vigie.state.>"),
    (OPS_STREAM, "vigie.ops.>"),
];
/// A state goes in parts of this size: under the bus's default 1 MB message limit.
const STATE_PART: usize = 512 << 10;
/// How long the bus remembers a message id, so that a site that sends a batch again
/// (after losing the bus mid-publish) does not duplicate it.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// The subject a site's reports go to.
pub fn reports_subject(site: &str) -> String {
    format!("vigie.reports.{site}")
}

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("cannot reach the bus at {url}: {why}")]
    Connect { url: String, why: String },
    #[error("the bus: {0}")]
    Nats(String),
    #[error("a message that does not decode on {subject} (sequence {sequence})")]
    Undecodable { subject: String, sequence: u64 },
    #[error("a site name must be letters, digits, '-' or '_', got {0:?}")]
    Site(String),
    #[error("{path}: {why}")]
    File { path: String, why: String },
}

fn nats(e: impl std::fmt::Display) -> BusError {
    BusError::Nats(e.to_string())
}

/// Where the streams are, how long they keep what they get (the streams are the
/// recording), on how many servers, and how vigie proves who it is to the bus.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusConfig {
    /// `nats://host:4222` (or `tls://`), or several, comma-separated: a client moves to
    /// another server of a cluster when its own goes.
    pub url: String,
    /// How long the streams keep messages, seconds (default: a week).
    #[serde(default = "week")]
    pub retention_s: f64,
    /// The most each stream keeps, bytes (default: no limit but the retention).
    #[serde(default)]
    pub max_bytes: Option<i64>,
    /// On how many servers of a JetStream cluster each stream is kept (1, 3 or 5): with 3,
    /// the bus survives the loss of any one server.
    #[serde(default = "one")]
    pub replicas: usize,
    /// A NATS credentials file (an account's user JWT and its key), as `nsc` writes it.
    #[serde(default)]
    pub creds: Option<std::path::PathBuf>,
    /// A user name, with `password_file` (a file holding only the password).
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password_file: Option<std::path::PathBuf>,
    /// TLS: the certificate authority the servers' certificates are checked against
    /// (TLS is then required).
    #[serde(default)]
    pub tls_ca: Option<std::path::PathBuf>,
    /// TLS: this client's certificate and key, for servers that verify clients.
    #[serde(default)]
    pub tls_cert: Option<std::path::PathBuf>,
    #[serde(default)]
    pub tls_key: Option<std::path::PathBuf>,
}

fn week() -> f64 {
    7.0 * 86_400.0
}

fn one() -> usize {
    1
}

impl BusConfig {
    /// A bus at `url` with the defaults: a week's retention, one replica, no credentials.
    pub fn new(url: &str) -> BusConfig {
        BusConfig {
            url: url.to_string(),
            retention_s: week(),
            max_bytes: None,
            replicas: 1,
            creds: None,
            user: None,
            password_file: None,
            tls_ca: None,
            tls_cert: None,
            tls_key: None,
        }
    }

    /// What is wrong with it, field by field, each field named after `prefix`.
    pub fn problems(&self, prefix: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut bad = |field: &str, why: String| out.push((format!("{prefix}{field}"), why));
        if !(self.retention_s.is_finite() && self.retention_s >= 1.0) {
            bad("retention_s", "must be at least 1 s".to_string());
        }
        if ![1, 3, 5].contains(&self.replicas) {
            bad(
                "replicas",
                format!("must be 1, 3 or 5, got {}", self.replicas),
            );
        }
        if self.user.is_some() != self.password_file.is_some() {
            bad("user", "user and password_file go together".to_string());
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            bad("tls_cert", "tls_cert and tls_key go together".to_string());
        }
        out
    }

    /// Its files (credentials, password, certificates) taken relative to `dir`, the folder
    /// of the file that named them.
    pub fn relative_to(mut self, dir: &std::path::Path) -> BusConfig {
        for p in [
            &mut self.creds,
            &mut self.password_file,
            &mut self.tls_ca,
            &mut self.tls_cert,
            &mut self.tls_key,
        ]
        .into_iter()
        .flatten()
        {
            *p = dir.join(&*p);
        }
        self
    }

    async fn options(&self) -> Result<async_nats::ConnectOptions, BusError> {
        let mut o = async_nats::ConnectOptions::new().connection_timeout(Duration::from_secs(2));
        let file = |p: &std::path::Path, e: std::io::Error| BusError::File {
            path: p.display().to_string(),
            why: e.to_string(),
        };
        if let Some(c) = &self.creds {
            o = o.credentials_file(c).await.map_err(|e| file(c, e))?;
        }
        if let (Some(user), Some(p)) = (&self.user, &self.password_file) {
            let password = std::fs::read_to_string(p).map_err(|e| file(p, e))?;
            o = o.user_and_password(user.clone(), password.trim_end().to_string());
        }
        if let Some(ca) = &self.tls_ca {
            o = o.add_root_certificates(ca.clone()).require_tls(true);
        }
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            o = o.add_client_certificate(cert.clone(), key.clone());
        }
        Ok(o)
    }
}

/// One batch of reports as a consumer gets it.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The stream's sequence number: the order every tracker takes batches in.
    pub sequence: u64,
    pub time_s: f64,
    pub reports: Vec<Report>,
}

/// One tick of the tracker's output, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// The tick's whole second of report time: its name on the bus.
    pub number: i64,
    pub time_s: f64,
    /// The tracker that published it.
    pub by: String,
    /// Reports the tracker had taken, in all, when it closed the tick.
    pub reports: u64,
}

/// A tracker's state on the bus.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedState {
    /// The tick closed just before the state was saved, and its time.
    pub tick: i64,
    pub time_s: f64,
    /// The reports stream's sequence to take batches from after restoring.
    pub resume_sequence: u64,
    /// Reports the tracker had taken, in all.
    pub reports: u64,
    /// `Tracker::save`'s bytes.
    pub bytes: Vec<u8>,
}

/// One message of the picture stream.
#[derive(Debug, Clone, PartialEq)]
pub enum PictureMessage {
    Tracks {
        sequence: u64,
        time_s: f64,
        updates: Vec<TrackRow>,
        ended: Vec<u32>,
        /// The tracker that published it, and the reports it had taken in all.
        by: String,
        reports: u64,
    },
    Judged {
        sequence: u64,
        time_s: f64,
        picture: serde_json::Value,
    },
    Sensors {
        sequence: u64,
        heard: Heard,
    },
    Quality {
        sequence: u64,
        tracks: Vec<Quality>,
    },
}

/// What the centre knows of an updated track beyond its row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Quality {
    pub track: u32,
    /// One sigma of the horizontal position, metres (none: not known).
    pub sigma_m: Option<f64>,
    pub turn_probability: f64,
    /// Each contributing sensor (its place in the sensor table) and when it last did.
    pub sensors: Vec<(u16, f64)>,
    pub last_transponder_s: Option<f64>,
}

/// The sensors the centre heard in a tick: for each, its place in the sensor table, the
/// time of its last report and how many it sent.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Heard {
    pub time_s: f64,
    pub sensors: Vec<(u16, f64, u64)>,
}

impl PictureMessage {
    /// Its sequence number in the picture stream.
    pub fn sequence(&self) -> u64 {
        match self {
            PictureMessage::Tracks { sequence, .. }
            | PictureMessage::Judged { sequence, .. }
            | PictureMessage::Sensors { sequence, .. }
            | PictureMessage::Quality { sequence, .. } => *sequence,
        }
    }
}

/// Where a consumer starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum From {
    /// The oldest message kept.
    Start,
    /// A stream sequence number.
    Sequence(u64),
    /// Only what comes next.
    New,
    /// What was published from that moment on (a console catching up on the picture).
    Time(time::OffsetDateTime),
}

impl From {
    fn policy(self) -> consumer::DeliverPolicy {
        match self {
            From::Start => consumer::DeliverPolicy::All,
            From::Sequence(s) => consumer::DeliverPolicy::ByStartSequence { start_sequence: s },
            From::New => consumer::DeliverPolicy::New,
            From::Time(t) => consumer::DeliverPolicy::ByStartTime { start_time: t },
        }
    }
}

/// A connection to the bus.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    js: jetstream::Context,
    config: BusConfig,
}

impl Bus {
    /// Connects (waiting for the bus if it is not up yet), and makes sure the streams
    /// exist.
    pub async fn connect(config: &BusConfig) -> Result<Bus, BusError> {
        Bus::open(config, true).await
    }

    /// Connects once, failing at once if the bus is not there (a site that buffers
    /// meanwhile).
    pub async fn try_connect(config: &BusConfig) -> Result<Bus, BusError> {
        Bus::open(config, false).await
    }

    async fn open(config: &BusConfig, wait: bool) -> Result<Bus, BusError> {
        let mut options = config.options().await?;
        if wait {
            options = options.retry_on_initial_connect();
        }
        let failed = |why: String| BusError::Connect {
            url: config.url.clone(),
            why,
        };
        // The client takes a list, not a comma-separated string.
        let servers = config
            .url
            .split(',')
            .map(|s| s.trim().parse::<async_nats::ServerAddr>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| failed(e.to_string()))?;
        let client = options
            .connect(servers)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let js = jetstream::new(client.clone());
        let bus = Bus {
            client,
            js,
            config: config.clone(),
        };
        bus.setup().await?;
        Ok(bus)
    }

    fn stream_config(&self, name: &str, subjects: &str) -> stream::Config {
        stream::Config {
            name: name.to_string(),
            subjects: vec![subjects.to_string()],
            storage: stream::StorageType::File,
            max_age: Duration::from_secs_f64(self.config.retention_s.max(1.0)),
            max_bytes: self.config.max_bytes.unwrap_or(-1),
            num_replicas: self.config.replicas,
            duplicate_window: DUPLICATE_WINDOW,
            ..Default::default()
        }
    }

    /// Creates the streams that are missing.
    async fn setup(&self) -> Result<(), BusError> {
        for (name, subjects) in STREAMS {
            // Another process may create it at the same moment: then it is there.
            if let Err(e) = self
                .js
                .get_or_create_stream(self.stream_config(name, subjects))
                .await
            {
                self.js.get_stream(name).await.map_err(|_| nats(e))?;
            }
        }
        Ok(())
    }

    /// Brings the streams' retention, size and replicas to this configuration. The centre's
    /// tracker owns them; sites and consoles only create what is missing, so that a file
    /// forgotten at a site cannot shorten the national recording.
    pub async fn enforce_settings(&self) -> Result<(), BusError> {
        for (name, subjects) in STREAMS {
            let mut s = self.js.get_stream(name).await.map_err(nats)?;
            let have = s.info().await.map_err(nats)?.config.clone();
            let want = self.stream_config(name, subjects);
            let key = |c: &stream::Config| (c.max_age, c.max_bytes, c.num_replicas);
            if key(&have) != key(&want) {
                tracing::info!(
                    stream = name,
                    retention_s = want.max_age.as_secs_f64(),
                    max_bytes = want.max_bytes,
                    replicas = want.num_replicas,
                    "stream settings changed"
                );
                let (max_age, max_bytes, num_replicas) = key(&want);
                self.js
                    .update_stream(stream::Config {
                        max_age,
                        max_bytes,
                        num_replicas,
                        ..have
                    })
                    .await
                    .map_err(nats)?;
            }
        }
        Ok(())
    }

    /// Whether the connection is up now.
    pub fn connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    /// Publishes a site's batch and waits for the stream to have it. `id` is the batch's
    /// own name (site, boot, number): sent twice, it is kept once.
    pub async fn publish_reports(
        &self,
        site: &str,
        id: &str,
        time_s: f64,
        reports: &[Report],
    ) -> Result<u64, BusError> {
        if site.is_empty()
            || !site
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(BusError::Site(site.to_string()));
        }
        let entry = Entry::Input {
            time_s,
            reports: reports.to_vec(),
        };
        self.publish(&reports_subject(site), Some(id), &entry).await
    }

    /// Publishes one tick of the tracker's output: `tick` names it (a tick published again
    /// by a tracker taking over is kept once), `by` is the tracker, `reports` how many reports
    /// it has taken in all.
    pub async fn publish_tracks(
        &self,
        tick: &Tick,
        updates: Vec<TrackRow>,
        ended: Vec<u32>,
    ) -> Result<u64, BusError> {
        let entry = Entry::Output {
            time_s: tick.time_s,
            updates,
            ended,
        };
        let headers = [
            ("Vigie-Tracker", tick.by.clone()),
            ("Vigie-Reports", tick.reports.to_string()),
        ];
        self.publish_with(
            TRACKS_SUBJECT,
            &format!("tracks-{}", tick.number),
            &headers,
            &entry,
        )
        .await
    }

    /// Publishes which sensors the centre heard in tick `tick`.
    pub async fn publish_sensors(&self, tick: i64, heard: &Heard) -> Result<u64, BusError> {
        self.send_json(SENSORS_SUBJECT, &format!("sensors-{tick}"), heard)
            .await
    }

    /// Publishes the quality of the tracks tick `tick` updated (before its tracks).
    pub async fn publish_quality(&self, tick: i64, tracks: &[Quality]) -> Result<u64, BusError> {
        self.send_json(QUALITY_SUBJECT, &format!("quality-{tick}"), tracks)
            .await
    }

    /// Publishes an operator's decision (JSON), named `id`: sent again, it is kept once.
    pub async fn publish_op(&self, id: &str, op: &serde_json::Value) -> Result<u64, BusError> {
        self.send_json(OPS_SUBJECT, id, op).await
    }

    /// Publishes `value` as JSON, named `id`.
    async fn send_json(
        &self,
        subject: &str,
        id: &str,
        value: &(impl serde::Serialize + ?Sized),
    ) -> Result<u64, BusError> {
        let body = serde_json::to_vec(value).map_err(nats)?;
        self.send(subject, named(id), body).await
    }

    /// Operators' decisions, in order, from `from` on, with their sequence numbers.
    pub async fn ops(
        &self,
        from: From,
    ) -> Result<impl futures::Stream<Item = Result<(u64, serde_json::Value), BusError>>, BusError>
    {
        let messages = self.ordered(OPS_STREAM, from).await?;
        Ok(messages.map(|m| {
            let (subject, sequence) = (m.subject.to_string(), sequence_of(&m)?);
            serde_json::from_slice(&m.payload)
                .map(|op| (sequence, op))
                .map_err(|_| BusError::Undecodable { subject, sequence })
        }))
    }

    /// Publishes what identification changed in a tick.
    pub async fn publish_judged(
        &self,
        id: &str,
        time_s: f64,
        picture: serde_json::Value,
    ) -> Result<u64, BusError> {
        let entry = Entry::Judged { time_s, picture };
        self.publish(JUDGED_SUBJECT, Some(id), &entry).await
    }

    async fn publish(&self, subject: &str, id: Option<&str>, e: &Entry) -> Result<u64, BusError> {
        self.publish_with(subject, id.unwrap_or_default(), &[], e)
            .await
    }

    async fn publish_with(
        &self,
        subject: &str,
        id: &str,
        extra: &[(&str, String)],
        e: &Entry,
    ) -> Result<u64, BusError> {
        let mut body = Vec::new();
        encode_payload(e, &mut body).map_err(nats)?;
        let mut headers = if id.is_empty() {
            async_nats::HeaderMap::new()
        } else {
            named(id)
        };
        for (k, v) in extra {
            headers.insert(*k, v.as_str());
        }
        self.send(subject, headers, body).await
    }

    /// Publishes `body` and waits for the stream to have it: its sequence there.
    async fn send(
        &self,
        subject: &str,
        headers: async_nats::HeaderMap,
        body: Vec<u8>,
    ) -> Result<u64, BusError> {
        let ack = self
            .js
            .publish_with_headers(subject.to_string(), headers, Bytes::from(body))
            .await
            .map_err(nats)?
            .await
            .map_err(nats)?;
        Ok(ack.sequence)
    }

    /// Every site's batches, in the stream's order, from `from` on.
    pub async fn reports(
        &self,
        from: From,
    ) -> Result<impl futures::Stream<Item = Result<Batch, BusError>>, BusError> {
        let messages = self.ordered(REPORTS_STREAM, from).await?;
        Ok(messages.map(|m| {
            let (subject, sequence) = (m.subject.to_string(), sequence_of(&m)?);
            match decode_payload(vigie_journal::KIND_INPUT, &m.payload) {
                Some(Entry::Input { time_s, reports }) => Ok(Batch {
                    sequence,
                    time_s,
                    reports,
                }),
                _ => Err(BusError::Undecodable { subject, sequence }),
            }
        }))
    }

    /// The picture's messages (tracks, identification), in order, from `from` on.
    pub async fn picture(
        &self,
        from: From,
    ) -> Result<impl futures::Stream<Item = Result<PictureMessage, BusError>>, BusError> {
        let messages = self.ordered(PICTURE_STREAM, from).await?;
        Ok(messages.map(|m| {
            let (subject, sequence) = (m.subject.to_string(), sequence_of(&m)?);
            if subject == SENSORS_SUBJECT {
                return serde_json::from_slice(&m.payload)
                    .map(|heard| PictureMessage::Sensors { sequence, heard })
                    .map_err(|_| BusError::Undecodable { subject, sequence });
            }
            if subject == QUALITY_SUBJECT {
                return serde_json::from_slice(&m.payload)
                    .map(|tracks| PictureMessage::Quality { sequence, tracks })
                    .map_err(|_| BusError::Undecodable { subject, sequence });
            }
            let kind = if subject == JUDGED_SUBJECT {
                vigie_journal::KIND_JUDGED
            } else {
                vigie_journal::KIND_OUTPUT
            };
            let header = |k: &str| {
                m.headers
                    .as_ref()
                    .and_then(|h| h.get(k))
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default()
            };
            match decode_payload(kind, &m.payload) {
                Some(Entry::Output {
                    time_s,
                    updates,
                    ended,
                }) => Ok(PictureMessage::Tracks {
                    sequence,
                    time_s,
                    updates,
                    ended,
                    by: header("Vigie-Tracker"),
                    reports: header("Vigie-Reports").parse().unwrap_or(0),
                }),
                Some(Entry::Judged { time_s, picture }) => Ok(PictureMessage::Judged {
                    sequence,
                    time_s,
                    picture,
                }),
                _ => Err(BusError::Undecodable { subject, sequence }),
            }
        }))
    }

    async fn ordered(
        &self,
        stream_name: &str,
        from: From,
    ) -> Result<impl futures::Stream<Item = jetstream::Message>, BusError> {
        Ok(reader::Reader::open(&self.js, stream_name, from)
            .await?
            .into_stream())
    }

    /// Publishes a tracker's state, in parts; published again (by a tracker taking over),
    /// it is kept once.
    pub async fn publish_state(&self, state: &SavedState) -> Result<(), BusError> {
        let parts: Vec<&[u8]> = state.bytes.chunks(STATE_PART).collect();
        for (i, part) in parts.iter().enumerate() {
            let mut headers = named(&format!("state-{}-{i}", state.tick));
            headers.insert("Vigie-State", state.tick.to_string().as_str());
            headers.insert("Vigie-Part", format!("{}/{}", i + 1, parts.len()).as_str());
            headers.insert("Vigie-Time", state.time_s.to_string().as_str());
            headers.insert("Vigie-Resume", state.resume_sequence.to_string().as_str());
            headers.insert("Vigie-Reports", state.reports.to_string().as_str());
            self.send(STATE_SUBJECT, headers, part.to_vec()).await?;
        }
        Ok(())
    }

    /// The latest whole state saved at or before `until_s` (any: the latest of all).
    pub async fn state_before(&self, until_s: Option<f64>) -> Result<Option<SavedState>, BusError> {
        let mut stream = self.js.get_stream(STATE_STREAM).await.map_err(nats)?;
        let last = stream.info().await.map_err(nats)?.state.last_sequence;
        let index = state::index(&stream, last).await?;
        let Some((head, parts)) = state::latest(&index, until_s) else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        for sequence in parts {
            let m = stream.get_raw_message(sequence).await.map_err(nats)?;
            bytes.extend_from_slice(&m.payload);
        }
        Ok(Some(SavedState { bytes, ..head }))
    }

    /// The second of the last tracks published (none: nothing yet): a tracker that starts
    /// again does not publish again what is already there.
    pub async fn last_tick(&self) -> Result<Option<i64>, BusError> {
        use async_nats::jetstream::stream::LastRawMessageErrorKind as Kind;
        let stream = self.js.get_stream(PICTURE_STREAM).await.map_err(nats)?;
        match stream.get_last_raw_message_by_subject(TRACKS_SUBJECT).await {
            Ok(m) => match decode_payload(vigie_journal::KIND_OUTPUT, &m.payload) {
                Some(Entry::Output { time_s, .. }) => Ok(Some(time_s.floor() as i64)),
                _ => Err(BusError::Undecodable {
                    subject: TRACKS_SUBJECT.into(),
                    sequence: m.sequence,
                }),
            },
            Err(e) if e.kind() == Kind::NoMessageFound => Ok(None),
            Err(e) => Err(nats(e)),
        }
    }

    /// The last sequence number of a stream (0: empty).
    pub async fn last_sequence(&self, stream_name: &str) -> Result<u64, BusError> {
        let mut stream = self.js.get_stream(stream_name).await.map_err(nats)?;
        Ok(stream.info().await.map_err(nats)?.state.last_sequence)
    }

    /// On how many servers a stream is kept.
    pub async fn replicas(&self, stream_name: &str) -> Result<usize, BusError> {
        let mut stream = self.js.get_stream(stream_name).await.map_err(nats)?;
        let info = stream.info().await.map_err(nats)?;
        Ok(info.cluster.as_ref().map_or(1, |c| 1 + c.replicas.len()))
    }

    /// The tracker's leadership.
    pub async fn leadership(&self, lease: Duration) -> Result<Leadership, BusError> {
        Leadership::open(self.js.clone(), lease, self.config.replicas).await
    }
}

/// Headers naming a message, so that the stream keeps it once however often it is sent.
fn named(id: &str) -> async_nats::HeaderMap {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", id);
    headers
}

fn sequence_of(m: &jetstream::Message) -> Result<u64, BusError> {
    m.info()
        .map(|i| i.stream_sequence)
        .map_err(|e| BusError::Nats(e.to_string()))
}
