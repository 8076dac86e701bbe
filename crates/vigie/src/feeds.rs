//! Live sensor feeds: sockets at the edge, one thread per source. Each source turns what it
//! receives into core reports (through `vigie-ingest`) and hands them to the pipeline over
//! one bounded queue; when the queue is full, reports are dropped and counted, and the
//! socket keeps being read. A source that loses its connection reconnects.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;
use vigie_codec::modes::{self, Beast};
use vigie_core::{Callsign, Measurement, Mode3A, ModeS, PlotKind, Report, SensorId, SensorTable};
use vigie_ingest::asterix::AsterixIngest;
use vigie_ingest::modes::{ModeSConfig, ModeSDecoder};
use vigie_ingest::Counters;

/// Reports waiting for the pipeline, at most (about a minute of a national picture).
pub const QUEUE: usize = 200_000;

/// One source in the deployment file (`[[feed.source]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// A name for logs and counters.
    pub name: String,
    /// `udp://0.0.0.0:8600` (unicast), `udp://239.1.1.1:8600` (multicast, joined), or
    /// `tcp://host:30005` (a client that reconnects).
    pub url: String,
    pub format: Format,
    /// For Mode S receivers (beast, avr, sbs): the sensor in the table that they are.
    #[serde(default)]
    pub sensor: Option<String>,
    /// For multicast: the interface address to join on (default: any).
    #[serde(default)]
    pub interface: Option<Ipv4Addr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// ASTERIX data blocks: CAT048 and CAT001 plots, CAT021 ADS-B, told apart by SAC/SIC.
    Asterix,
    Beast,
    Avr,
    Sbs,
}

/// Where a source reads from.
#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    Udp(SocketAddr),
    Tcp(String),
}

pub fn parse_url(url: &str) -> anyhow::Result<Endpoint> {
    if let Some(rest) = url.strip_prefix("udp://") {
        let addr = rest
            .to_socket_addrs()
            .with_context(|| format!("{url}: not an address"))?
            .next()
            .with_context(|| format!("{url}: no address"))?;
        return Ok(Endpoint::Udp(addr));
    }
    if let Some(rest) = url.strip_prefix("tcp://") {
        if !rest.contains(':') {
            bail!("{url}: tcp:// needs host:port");
        }
        return Ok(Endpoint::Tcp(rest.to_string()));
    }
    bail!("{url}: a source is udp://ADDRESS:PORT or tcp://HOST:PORT")
}

/// What every source shares: the queue, the clock, the stop flag, the counters.
#[derive(Clone)]
pub struct Shared {
    pub tx: SyncSender<Report>,
    pub stop: Arc<AtomicBool>,
    /// Unix time of session time 0.
    pub epoch_unix_s: f64,
    pub counters: Arc<Mutex<BTreeMap<String, Counters>>>,
    pub now_unix_s: Arc<dyn Fn() -> f64 + Send + Sync>,
}

impl Shared {
    fn send(&self, r: Report, c: &mut Counters) {
        match self.tx.try_send(r) {
            Ok(()) => c.add("reports to the tracker"),
            Err(TrySendError::Full(_)) => c.add("reports dropped: the pipeline is behind"),
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    fn publish(&self, name: &str, c: &mut Counters) {
        let mut all = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let entry = all.entry(name.to_string()).or_default();
        for (k, v) in std::mem::take(&mut c.0) {
            *entry.0.entry(k).or_default() += v;
        }
    }
}

/// The live feed: sources running, reports arriving.
pub struct LiveFeed {
    pub table: SensorTable,
    pub rx: Receiver<Report>,
    pub shared: Shared,
    pub threads: Vec<std::thread::JoinHandle<()>>,
}

/// Starts every source.
pub fn start(
    sources: &[SourceSpec],
    table: &SensorTable,
    epoch_unix_s: f64,
    now_unix_s: Arc<dyn Fn() -> f64 + Send + Sync>,
) -> anyhow::Result<LiveFeed> {
    let (tx, rx) = sync_channel(QUEUE);
    let shared = Shared {
        tx,
        stop: Arc::new(AtomicBool::new(false)),
        epoch_unix_s,
        counters: Arc::default(),
        now_unix_s,
    };
    let mut threads = Vec::new();
    for spec in sources {
        let endpoint = parse_url(&spec.url).with_context(|| format!("source {}", spec.name))?;
        let sensor = match (&spec.format, &spec.sensor) {
            (Format::Asterix, _) => None,
            (_, Some(id)) => Some(
                table
                    .sensor
                    .iter()
                    .position(|s| &s.id == id)
                    .map(|i| SensorId(i as u16))
                    .with_context(|| {
                        format!("source {}: no sensor {id:?} in the sensor table", spec.name)
                    })?,
            ),
            (_, None) => bail!(
                "source {}: a Mode S receiver needs `sensor`, its id in the sensor table",
                spec.name
            ),
        };
        let stream = matches!(endpoint, Endpoint::Tcp(_));
        let mut decoder = Decoder::new(spec.format, table, epoch_unix_s, sensor, stream);
        let (shared, spec) = (shared.clone(), spec.clone());
        let socket = match &endpoint {
            Endpoint::Udp(addr) => Some(
                bind_udp(*addr, spec.interface).with_context(|| format!("source {}", spec.name))?,
            ),
            Endpoint::Tcp(_) => None,
        };
        threads.push(
            std::thread::Builder::new()
                .name(format!("feed {}", spec.name))
                .spawn(move || match (endpoint, socket) {
                    (_, Some(socket)) => read_udp(&socket, &spec.name, &mut decoder, &shared),
                    (Endpoint::Tcp(addr), None) => {
                        read_tcp(&addr, &spec.name, &mut decoder, &shared)
                    }
                    _ => {}
                })?,
        );
    }
    Ok(LiveFeed {
        table: table.clone(),
        rx,
        shared,
        threads,
    })
}

pub fn bind_udp(addr: SocketAddr, interface: Option<Ipv4Addr>) -> anyhow::Result<UdpSocket> {
    let socket = match addr {
        SocketAddr::V4(v4) if v4.ip().is_multicast() => {
            let s = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, v4.port()))?;
            s.join_multicast_v4(v4.ip(), &interface.unwrap_or(Ipv4Addr::UNSPECIFIED))
                .with_context(|| format!("joining {}", v4.ip()))?;
            s
        }
        _ => UdpSocket::bind(addr).with_context(|| format!("cannot listen on {addr}"))?,
    };
    // Wake up now and then to hear a stop.
    socket.set_read_timeout(Some(Duration::from_millis(250)))?;
    Ok(socket)
}

fn read_udp(socket: &UdpSocket, name: &str, decoder: &mut Decoder, shared: &Shared) {
    let mut buf = vec![0u8; 65_536];
    let mut c = Counters::default();
    let mut last_publish = 0.0;
    while !shared.stop.load(Ordering::Relaxed) {
        match socket.recv_from(&mut buf) {
            Ok((n, _)) => {
                c.add("datagrams");
                decoder.bytes(&buf[..n], shared, &mut c);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => {
                tracing::warn!(source = name, "receiving: {e}");
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        let now = (shared.now_unix_s)();
        if now - last_publish >= 1.0 {
            last_publish = now;
            shared.publish(name, &mut c);
        }
    }
    shared.publish(name, &mut c);
}

fn read_tcp(addr: &str, name: &str, decoder: &mut Decoder, shared: &Shared) {
    let mut c = Counters::default();
    let mut buf = vec![0u8; 16_384];
    while !shared.stop.load(Ordering::Relaxed) {
        let stream = addr
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .and_then(|a| TcpStream::connect_timeout(&a, Duration::from_secs(3)).ok());
        let Some(mut stream) = stream else {
            c.add("connection attempts failed");
            shared.publish(name, &mut c);
            std::thread::sleep(Duration::from_secs(2));
            continue;
        };
        tracing::info!(source = name, "connected to {addr}");
        c.add("connections");
        let _ = stream.set_read_timeout(Some(Duration::from_millis(250)));
        decoder.reset();
        let mut last_publish = 0.0;
        while !shared.stop.load(Ordering::Relaxed) {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => decoder.bytes(&buf[..n], shared, &mut c),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
            let now = (shared.now_unix_s)();
            if now - last_publish >= 1.0 {
                last_publish = now;
                shared.publish(name, &mut c);
            }
        }
        tracing::warn!(source = name, "lost {addr}; reconnecting");
        c.add("disconnections");
        shared.publish(name, &mut c);
    }
}

/// Turns one source's bytes into reports.
pub struct Decoder {
    kind: DecoderKind,
    /// The sensor a Mode S receiver is.
    sensor: Option<SensorId>,
    epoch_unix_s: f64,
}

enum DecoderKind {
    /// Over UDP a datagram holds whole blocks; over TCP blocks arrive cut anywhere and are
    /// put back together in the buffer (at most one block of 64 KiB waits).
    Asterix(Box<AsterixIngest>, Option<Vec<u8>>),
    Beast(Beast, ModeSDecoder),
    Lines(Format, Vec<u8>, ModeSDecoder, SbsIdentities),
}

/// What SBS lines told of each aircraft before its position (callsign, squawk), bounded.
#[derive(Default)]
struct SbsIdentities(HashMap<u32, (Option<Callsign>, Option<Mode3A>, f64)>);

/// At most this many bytes of a line: anything longer is garbage.
const MAX_LINE: usize = 512;

impl Decoder {
    /// `stream`: the bytes come from a TCP connection, not datagrams.
    pub fn new(
        format: Format,
        table: &SensorTable,
        epoch_unix_s: f64,
        sensor: Option<SensorId>,
        stream: bool,
    ) -> Decoder {
        let receiver = sensor
            .and_then(|s| table.sensor.get(usize::from(s.0)))
            .map(|s| (s.lat_deg, s.lon_deg));
        let modes = || {
            ModeSDecoder::new(ModeSConfig {
                receiver,
                ..ModeSConfig::default()
            })
        };
        let kind = match format {
            Format::Asterix => DecoderKind::Asterix(
                Box::new(AsterixIngest::new(table, epoch_unix_s)),
                stream.then(Vec::new),
            ),
            Format::Beast => DecoderKind::Beast(Beast::new(), modes()),
            f => DecoderKind::Lines(f, Vec::new(), modes(), SbsIdentities::default()),
        };
        Decoder {
            kind,
            sensor,
            epoch_unix_s,
        }
    }

    /// A new connection: no half frame carries over.
    fn reset(&mut self) {
        match &mut self.kind {
            DecoderKind::Beast(b, _) => *b = Beast::new(),
            DecoderKind::Lines(_, buf, ..) => buf.clear(),
            DecoderKind::Asterix(_, buf) => {
                if let Some(b) = buf {
                    b.clear();
                }
            }
        }
    }

    pub fn bytes(&mut self, bytes: &[u8], shared: &Shared, c: &mut Counters) {
        let now = (shared.now_unix_s)();
        let t = now - self.epoch_unix_s;
        let sensor = self.sensor.unwrap_or(SensorId(0));
        match &mut self.kind {
            DecoderKind::Asterix(ingest, None) => {
                let mut out = Vec::new();
                ingest.datagram(bytes, now, c, &mut out);
                for r in out {
                    shared.send(r, c);
                }
            }
            DecoderKind::Asterix(ingest, Some(buf)) => {
                buf.extend_from_slice(bytes);
                let mut out = Vec::new();
                while let Some(n) = whole_block(buf, c) {
                    let block: Vec<u8> = buf.drain(..n).collect();
                    ingest.datagram(&block, now, c, &mut out);
                }
                for r in out {
                    shared.send(r, c);
                }
            }
            DecoderKind::Beast(beast, modes) => {
                beast.push(bytes);
                while let Some(f) = beast.next_frame() {
                    if let Some(p) = modes.decode(t, f.message(), c) {
                        shared.send(p.report(sensor), c);
                    }
                }
                for (k, v) in std::mem::take(&mut beast.skips.0) {
                    c.add_n(k, v);
                }
            }
            DecoderKind::Lines(format, buf, modes, ids) => {
                buf.extend_from_slice(bytes);
                while let Some(end) = buf.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = buf.drain(..=end).collect();
                    let line = String::from_utf8_lossy(&line);
                    let report = match format {
                        Format::Avr => match modes::avr(&line) {
                            Some(f) => modes.decode(t, f.message(), c).map(|p| p.report(sensor)),
                            None => {
                                c.add("lines that are not AVR");
                                None
                            }
                        },
                        _ => sbs_report(&line, t, sensor, ids, c),
                    };
                    if let Some(r) = report {
                        shared.send(r, c);
                    }
                }
                if buf.len() > MAX_LINE {
                    c.add("overlong lines dropped");
                    buf.clear();
                }
            }
        }
    }
}

/// The length of the whole ASTERIX block at the front of a stream's buffer, once it has all
/// arrived. A length under 3 cannot be: the stream is lost and the buffer is dropped.
fn whole_block(buf: &mut Vec<u8>, c: &mut Counters) -> Option<usize> {
    let len = usize::from(u16::from_be_bytes([*buf.get(1)?, *buf.get(2)?]));
    if len < 3 {
        c.add("ASTERIX stream out of step (buffer dropped)");
        buf.clear();
        return None;
    }
    (buf.len() >= len).then_some(len)
}

/// An SBS position line as a report; identification lines are remembered for it.
fn sbs_report(
    line: &str,
    t: f64,
    sensor: SensorId,
    ids: &mut SbsIdentities,
    c: &mut Counters,
) -> Option<Report> {
    let Some(m) = modes::sbs(line) else {
        if !line.trim().is_empty() {
            c.add("lines that are not SBS");
        }
        return None;
    };
    if ids.0.len() > 20_000 {
        ids.0.retain(|_, (_, _, heard)| t - *heard < 300.0);
    }
    let entry = ids.0.entry(m.icao).or_insert((None, None, t));
    entry.2 = t;
    if let Some(cs) = m.callsign.as_deref().and_then(Callsign::new) {
        entry.0 = Some(cs);
    }
    if let Some(sq) = m.squawk.as_deref().and_then(Mode3A::parse) {
        entry.1 = Some(sq);
    }
    let (lat_deg, lon_deg) = (m.lat_deg?, m.lon_deg?);
    c.add("ADS-B positions");
    Some(Report {
        time_s: t,
        sensor,
        kind: PlotKind::Adsb,
        measurement: Measurement::Position { lat_deg, lon_deg },
        alt_m: m.altitude_ft.map(|ft| ft * 0.3048),
        mode3a: entry.1,
        mode_s: ModeS::new(m.icao),
        callsign: entry.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::{PlotKind, SensorKind, SensorSpec};

    fn table() -> SensorTable {
        SensorTable {
            sensor: vec![SensorSpec {
                id: "r".into(),
                kind: SensorKind::Radar,
                lat_deg: 13.5,
                lon_deg: 2.1,
                height_m: 250.0,
                scan_period_s: 10.0,
                sigma_range_m: 50.0,
                sigma_azimuth_deg: 0.1,
                sigma_elevation_deg: 0.0,
                refraction_k: 4.0 / 3.0,
                range_max_m: Some(400_000.0),
                sigma_position_m: None,
                sac: Some(7),
                sic: Some(1),
                pd: None,
                elevation_min_deg: None,
                elevation_max_deg: None,
            }],
        }
    }

    #[test]
    fn asterix_over_tcp_is_put_back_together_across_reads() {
        let table = table();
        let enc = vigie_ingest::asterix::AsterixEncoder::new(1_000_000.0);
        let plot = |i: u32| Report {
            time_s: f64::from(i),
            sensor: SensorId(0),
            kind: PlotKind::Psr,
            measurement: Measurement::Polar {
                range_m: 50_000.0 + f64::from(i),
                azimuth_rad: 1.0,
                elevation_rad: None,
            },
            alt_m: None,
            mode3a: None,
            mode_s: None,
            callsign: None,
        };
        let mut stream = Vec::new();
        for i in 0..20 {
            let rec = enc.cat048(&plot(i), &table.sensor[0]).unwrap();
            stream.extend(vigie_codec::asterix::value::block(48, &[rec]).unwrap());
        }
        let (tx, rx) = sync_channel(100);
        let shared = Shared {
            tx,
            stop: Arc::default(),
            epoch_unix_s: 1_000_000.0,
            counters: Arc::default(),
            now_unix_s: Arc::new(|| 1_000_010.0),
        };
        let mut d = Decoder::new(Format::Asterix, &table, 1_000_000.0, None, true);
        let mut c = Counters::default();
        // Cut into reads that split blocks anywhere.
        for chunk in stream.chunks(7) {
            d.bytes(chunk, &shared, &mut c);
        }
        let got: Vec<Report> = rx.try_iter().collect();
        assert_eq!(got.len(), 20, "{c:?}");
        assert!(got
            .iter()
            .zip(0..)
            .all(|(r, i)| (r.time_s - f64::from(i)).abs() < 0.01));
    }
}
