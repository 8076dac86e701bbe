//! `vigie record` and `vigie replay`: raw sensor feeds to a pcap file with their arrival
//! times, and back onto the wire at the pace they came (or faster).

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;
use vigie_codec::framing::{self, Skips};

use crate::feeds::{parse_url, Endpoint};

/// Record raw sensor feeds to a pcap file, or cut a span of the bus's streams into a journal.
///
/// Every UDP datagram, or every chunk read from a TCP feed, becomes one packet of the
/// capture (raw IPv4/UDP, so Wireshark and `vigie decode` read it). Stops after
/// --duration-s, or at Ctrl-C; every packet is written to the file as it arrives.
///
/// Examples:
///   vigie record --from udp://0.0.0.0:8600 --out radars.pcap
///   vigie record --from tcp://10.0.0.5:30005 --from udp://239.1.1.1:8600 --out site.pcap --duration-s 3600
///
/// With --bus (a distributed deployment, docs/distributed.md), the streams are the
/// recording: any span they still hold is cut into a journal, from any moment. The
/// journal starts with the centre's tracker as it was then (restored from the state it saved
/// before, and brought up to the moment), so its tracks carry the numbers the consoles
/// showed; `vigie review` plays it, `vigie replay` re-runs it.
///
///   vigie record --bus nats://centre:4222 --sensors sensors.toml \
///       --since 2026-11-22T10:00:00Z --until 2026-11-22T11:00:00Z --out hour.vj
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct RecordArgs {
    /// A feed to record: udp://ADDRESS:PORT (multicast joined) or tcp://HOST:PORT; repeat.
    #[arg(
        long = "from",
        required_unless_present = "bus",
        conflicts_with = "bus",
        value_name = "URL"
    )]
    from: Vec<String>,
    /// The pcap file to write, or with --bus the journal (replaced if it exists).
    #[arg(long)]
    out: PathBuf,
    /// Stop after this many seconds (default: at Ctrl-C).
    #[arg(long, conflicts_with = "bus")]
    duration_s: Option<f64>,
    /// Cut the bus's streams into a journal instead: nats://HOST:PORT, or a bus file.
    #[arg(long, value_name = "URL", requires_all = ["sensors", "since"])]
    bus: Option<String>,
    /// With --bus: the national sensor table, as the centre's tracker has it.
    #[arg(long, requires = "bus")]
    sensors: Option<PathBuf>,
    /// With --bus: the centre's tracker settings, if not the defaults.
    #[arg(long, value_name = "TOML", requires = "bus")]
    config: Option<PathBuf>,
    /// With --bus: from this moment (RFC 3339, or unix seconds).
    #[arg(long, value_parser = crate::cut::moment, requires = "bus")]
    since: Option<f64>,
    /// With --bus: to this moment (default: the end of the streams).
    #[arg(long, value_parser = crate::cut::moment, requires = "bus")]
    until: Option<f64>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// Re-run a session's journal, or send a capture's packets onto the wire again.
///
/// A journal (`vigie demo --journal`, or a deployment's `[record]`): every tick's reports go
/// through a fresh tracker built as the session's was, as fast as it can; the re-created
/// tracks are compared with the recorded ones tick by tick (and written with --tracks).
/// A journal cut short by a crash is re-run up to its last whole tick.
///
/// A pcap or pcapng capture (`vigie record`'s, or Wireshark's): every UDP payload is sent to
/// --to, at --speed times the recorded pace. For a recorded TCP feed (Beast from a receiver,
/// say), --to tcp-listen://ADDRESS:PORT serves the bytes to the first client that connects,
/// as the receiver did.
///
/// Examples:
///   vigie replay exercise.vj --tracks tracks.csv
///   vigie replay radars.pcap --to udp://127.0.0.1:8600
///   vigie replay site.pcap --to tcp-listen://127.0.0.1:30005 --speed 10
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ReplayArgs {
    /// A journal, or a capture (pcap or pcapng).
    file: PathBuf,
    /// For a capture: udp://ADDRESS:PORT, or tcp-listen://ADDRESS:PORT.
    #[arg(long)]
    to: Option<String>,
    /// For a journal: write the re-created tracks here (tracks.csv).
    #[arg(long)]
    tracks: Option<PathBuf>,
    /// Recorded seconds per second.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Only the packets sent to this UDP port in the capture.
    #[arg(long)]
    port: Option<u16>,
}

/// Where replayed packets go.
type Sender = Box<dyn FnMut(&[u8]) -> std::io::Result<()>>;

/// One packet received: when, from where, to which port, what.
struct Received {
    unix_s: f64,
    from: SocketAddr,
    to_port: u16,
    bytes: Vec<u8>,
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// A raw IPv4/UDP packet around `payload`.
fn ipv4_udp(from: SocketAddr, to_port: u16, payload: &[u8]) -> Vec<u8> {
    let src = match from.ip() {
        IpAddr::V4(a) => a,
        IpAddr::V6(_) => Ipv4Addr::LOCALHOST,
    };
    let total = (20 + 8 + payload.len()).min(u16::MAX as usize) as u16;
    let mut p = Vec::with_capacity(total as usize);
    p.extend_from_slice(&[
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0x40,
        0,
        64,
        17,
        0,
        0,
    ]);
    p.extend_from_slice(&src.octets());
    p.extend_from_slice(&Ipv4Addr::LOCALHOST.octets());
    p.extend_from_slice(&from.port().to_be_bytes());
    p.extend_from_slice(&to_port.to_be_bytes());
    p.extend_from_slice(&(total - 20).to_be_bytes());
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(&payload[..payload.len().min(total as usize - 28)]);
    p
}

pub fn record(args: RecordArgs) -> anyhow::Result<()> {
    if let (Some(url), Some(sensors), Some(since_s)) = (&args.bus, &args.sensors, args.since) {
        return crate::cut::run(crate::cut::Cut {
            bus: crate::busfile::resolve(url, std::path::Path::new("."))?,
            sensors: sensors.clone(),
            config: args.config.clone(),
            since_s,
            until_s: args.until.unwrap_or(f64::INFINITY),
            out: args.out.clone(),
            quiet: args.quiet,
        });
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = sync_channel::<Received>(100_000);
    let mut threads = Vec::new();
    for url in &args.from {
        let endpoint = parse_url(url)?;
        let (tx, stop, url) = (tx.clone(), Arc::clone(&stop), url.clone());
        threads.push(std::thread::spawn(move || match endpoint {
            Endpoint::Udp(addr) => record_udp(addr, &url, &tx, &stop),
            Endpoint::Tcp(addr) => record_tcp(&addr, &tx, &stop),
        }));
    }
    drop(tx);
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let header = PcapHeader {
        datalink: DataLink::RAW,
        ..PcapHeader::default()
    };
    // Unbuffered: every packet is in the operating system's hands as soon as it is written.
    let mut writer = PcapWriter::with_header(file, header)?;
    {
        let stop = Arc::clone(&stop);
        let deadline = args.duration_s.map(Duration::from_secs_f64);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    match deadline {
                        Some(d) => tokio::select! {
                            _ = tokio::time::sleep(d) => {}
                            _ = tokio::signal::ctrl_c() => {}
                        },
                        None => {
                            let _ = tokio::signal::ctrl_c().await;
                        }
                    }
                });
            }
            stop.store(true, Ordering::Relaxed);
        });
    }
    eprintln!(
        "recording {} to {} (Ctrl-C to stop)",
        args.from.join(", "),
        args.out.display()
    );
    let mut packets = 0u64;
    loop {
        match rx.recv_timeout(Duration::from_millis(250)) {
            Ok(r) => {
                let frame = ipv4_udp(r.from, r.to_port, &r.bytes);
                let ts = Duration::from_secs_f64(r.unix_s.max(0.0));
                writer.write_packet(&PcapPacket::new(ts, frame.len() as u32, &frame))?;
                packets += 1;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    for t in threads {
        let _ = t.join();
    }
    eprintln!("recorded {packets} packets in {}", args.out.display());
    Ok(())
}

fn record_udp(addr: SocketAddr, url: &str, tx: &SyncSender<Received>, stop: &AtomicBool) {
    let socket = match crate::feeds::bind_udp(addr, None) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{url}: {e:#}");
            return;
        }
    };
    let mut buf = vec![0u8; 65_536];
    while !stop.load(Ordering::Relaxed) {
        if let Ok((n, from)) = socket.recv_from(&mut buf) {
            let r = Received {
                unix_s: unix_now(),
                from,
                to_port: addr.port(),
                bytes: buf[..n].to_vec(),
            };
            if tx.try_send(r).is_err() {
                tracing::warn!("{url}: the writer is behind; a packet is lost");
            }
        }
    }
}

fn record_tcp(addr: &str, tx: &SyncSender<Received>, stop: &AtomicBool) {
    let mut buf = vec![0u8; 16_384];
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect(addr) else {
            std::thread::sleep(Duration::from_secs(2));
            continue;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_millis(250)));
        let peer = stream
            .peer_addr()
            .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
        while !stop.load(Ordering::Relaxed) {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let r = Received {
                        unix_s: unix_now(),
                        from: peer,
                        to_port: peer.port(),
                        bytes: buf[..n].to_vec(),
                    };
                    let _ = tx.try_send(r);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
        }
    }
}

pub fn replay(args: ReplayArgs) -> anyhow::Result<()> {
    if crate::journal::is_journal(&args.file) {
        return rerun_journal(&args);
    }
    let Some(to) = args.to.as_deref() else {
        bail!(
            "{}: a capture is sent to --to udp://… or tcp-listen://…",
            args.file.display()
        );
    };
    if !(args.speed > 0.0 && args.speed <= 10_000.0) {
        bail!("--speed must be in (0, 10000], got {}", args.speed);
    }
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("opening {}", args.file.display()))?;
    let mut skips = Skips::default();
    let mut packets = Vec::new();
    framing::read_capture(file, &mut skips, |d| {
        if args
            .port
            .is_none_or(|p| d.ports.is_some_and(|(_, dst)| dst == p))
        {
            packets.push(d);
        }
    })
    .with_context(|| args.file.display().to_string())?;
    for (why, n) in &skips.0 {
        eprintln!("skipped {n} × {why}");
    }
    let first = packets.iter().find_map(|d| d.time_s).unwrap_or(0.0);
    let mut send: Sender = if let Some(addr) = to.strip_prefix("tcp-listen://") {
        let listener =
            TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
        eprintln!("waiting for a client on {addr}");
        let (mut stream, peer) = listener.accept()?;
        eprintln!("{peer} connected");
        Box::new(move |b: &[u8]| stream.write_all(b))
    } else {
        let Endpoint::Udp(to) = parse_url(to)? else {
            bail!("--to is udp://ADDRESS:PORT or tcp-listen://ADDRESS:PORT");
        };
        let socket = UdpSocket::bind(if to.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" })?;
        Box::new(move |b: &[u8]| socket.send_to(b, to).map(|_| ()))
    };
    let started = Instant::now();
    for d in &packets {
        let at = (d.time_s.unwrap_or(first) - first).max(0.0) / args.speed;
        if let Some(wait) = Duration::from_secs_f64(at).checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
        send(&d.payload)?;
    }
    eprintln!(
        "replayed {} packets in {:.1} s",
        packets.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `vigie replay JOURNAL`: re-runs it and says whether the tracks came out the same.
fn rerun_journal(args: &ReplayArgs) -> anyhow::Result<()> {
    let mut csv = match &args.tracks {
        Some(p) => Some(vigie_core::interop::TracksWriter::new(
            std::io::BufWriter::new(
                std::fs::File::create(p)
                    .with_context(|| format!("cannot create {}", p.display()))?,
            ),
        )?),
        None => None,
    };
    let started = std::time::Instant::now();
    let mut write_error = None;
    let r = crate::journal::rerun(&args.file, |out| {
        if let Some(w) = csv.as_mut() {
            for u in &out.updates {
                if let Err(e) = w.write(&u.row) {
                    write_error.get_or_insert(e);
                }
            }
        }
    })?;
    if let Some(e) = write_error {
        bail!("writing the tracks: {e}");
    }
    if let Some(w) = csv {
        w.finish()?;
    }
    let took_s = started.elapsed().as_secs_f64();
    eprintln!(
        "{}: {} ticks ({:.0} s of the session), {} reports, {} track updates, {} actions; re-run in {:.2} s ({:.0}× real time)",
        args.file.display(),
        r.ticks,
        r.span_s,
        r.reports,
        r.track_updates,
        r.actions,
        took_s,
        r.span_s / took_s.max(1e-9)
    );
    if let Some(t) = &r.torn {
        eprintln!(
            "the journal stops early at byte {} ({}): the session's last moment before a crash",
            t.offset, t.reason
        );
    }
    if r.differing_ticks > 0 {
        bail!(
            "{} of {} ticks re-created tracks that differ from the recording",
            r.differing_ticks,
            r.ticks
        );
    }
    eprintln!("the re-created tracks are identical to the recorded ones");
    Ok(())
}
