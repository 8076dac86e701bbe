//! How sensor data travels: captured UDP datagrams (pcap and pcapng, read with the
//! `pcap-file` crate, down through Ethernet, VLAN, Linux cooked or raw IP headers),
//! ORADIS recordings (a 6-byte header before each packet), or raw ASTERIX blocks end to end.
//! Whatever cannot be read is counted by reason and skipped; what was read is kept.

use std::collections::BTreeMap;
use std::io::Read;

/// One packet of sensor data with its capture time, when the framing has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Datagram {
    /// Seconds since the Unix epoch (pcap), or the ORADIS header's time.
    pub time_s: Option<f64>,
    /// UDP ports, when captured from a network.
    pub ports: Option<(u16, u16)>,
    pub payload: Vec<u8>,
}

/// Things skipped, by reason: the counters every reader keeps.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Skips(pub BTreeMap<&'static str, u64>);

impl Skips {
    pub fn add(&mut self, reason: &'static str) {
        *self.0.entry(reason).or_default() += 1;
    }

    pub fn get(&self, reason: &str) -> u64 {
        self.0.get(reason).copied().unwrap_or(0)
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    pub fn merge(&mut self, other: &Skips) {
        for (k, v) in &other.0 {
            *self.0.entry(k).or_default() += v;
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FramingError {
    #[error("reading the capture: {0}")]
    Pcap(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What a file holds, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pcap,
    PcapNg,
    /// Anything else: raw ASTERIX blocks, or ORADIS when asked for.
    Raw,
}

pub fn detect(head: &[u8]) -> FileKind {
    match head.get(..4) {
        Some(
            [0xD4, 0xC3, 0xB2, 0xA1]
            | [0xA1, 0xB2, 0xC3, 0xD4]
            | [0x4D, 0x3C, 0xB2, 0xA1]
            | [0xA1, 0xB2, 0x3C, 0x4D],
        ) => FileKind::Pcap,
        Some([0x0A, 0x0D, 0x0D, 0x0A]) => FileKind::PcapNg,
        _ => FileKind::Raw,
    }
}

/// The UDP payload of a captured frame, or why there is none.
pub fn udp_payload(linktype: u32, frame: &[u8]) -> Result<((u16, u16), &[u8]), &'static str> {
    let ip = match linktype {
        // Ethernet, with any number of VLAN tags.
        1 => {
            let mut at = 12;
            loop {
                let ethertype = u16::from_be_bytes([
                    *frame.get(at).ok_or("truncated frame")?,
                    *frame.get(at + 1).ok_or("truncated frame")?,
                ]);
                match ethertype {
                    0x8100 | 0x88A8 => at += 4,
                    0x0800 | 0x86DD => break frame.get(at + 2..).ok_or("truncated frame")?,
                    _ => return Err("not IP"),
                }
            }
        }
        // Linux cooked capture (SLL): 16 bytes, protocol in the last two.
        113 => frame.get(16..).ok_or("truncated frame")?,
        // Raw IP.
        101 | 228 | 229 | 12 | 14 => frame,
        // BSD loopback: a 4-byte family.
        0 | 108 => frame.get(4..).ok_or("truncated frame")?,
        _ => return Err("unsupported link type"),
    };
    let version = ip.first().ok_or("truncated frame")? >> 4;
    let (proto, l4) = match version {
        4 => {
            let ihl = usize::from(ip[0] & 0x0F) * 4;
            let total = usize::from(u16::from_be_bytes([
                *ip.get(2).ok_or("truncated frame")?,
                *ip.get(3).ok_or("truncated frame")?,
            ]));
            let frag = u16::from_be_bytes([
                *ip.get(6).ok_or("truncated frame")?,
                *ip.get(7).ok_or("truncated frame")?,
            ]);
            if frag & 0x3FFF != 0 {
                return Err("IP fragment");
            }
            if ihl < 20 || total < ihl {
                return Err("bad IP header");
            }
            let end = total.min(ip.len());
            let proto = *ip.get(9).ok_or("truncated frame")?;
            (proto, ip.get(ihl..end).ok_or("truncated frame")?)
        }
        6 => (
            *ip.get(6).ok_or("truncated frame")?,
            ip.get(40..).ok_or("truncated frame")?,
        ),
        _ => return Err("not IP"),
    };
    if proto != 17 {
        return Err("not UDP");
    }
    let header = l4.get(..8).ok_or("truncated frame")?;
    let ports = (
        u16::from_be_bytes([header[0], header[1]]),
        u16::from_be_bytes([header[2], header[3]]),
    );
    let len = usize::from(u16::from_be_bytes([header[4], header[5]]));
    if len < 8 {
        return Err("bad UDP length");
    }
    let payload = l4.get(8..len.min(l4.len())).ok_or("truncated frame")?;
    Ok((ports, payload))
}

/// Reads the UDP datagrams of a pcap or pcapng capture, in file order. Frames that are not
/// UDP are counted in `skips`; a capture that breaks off ends the reading with an error
/// after everything before it.
pub fn read_capture<R: Read>(
    input: R,
    skips: &mut Skips,
    mut each: impl FnMut(Datagram),
) -> Result<(), FramingError> {
    let mut input = std::io::BufReader::new(input);
    let mut head = [0u8; 4];
    input.read_exact(&mut head)?;
    let chained = std::io::Cursor::new(head).chain(input);
    // The capture library may panic on some malformed captures: a bad file is an error.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match detect(&head) {
        FileKind::Pcap => read_pcap(chained, skips, &mut each),
        _ => read_pcapng(chained, skips, &mut each),
    }));
    caught.unwrap_or_else(|_| Err(FramingError::Pcap("a malformed capture".into())))
}

fn read_pcap<R: Read>(
    input: R,
    skips: &mut Skips,
    each: &mut impl FnMut(Datagram),
) -> Result<(), FramingError> {
    let mut reader =
        pcap_file::pcap::PcapReader::new(input).map_err(|e| FramingError::Pcap(e.to_string()))?;
    let linktype = u32::from(reader.header().datalink);
    while let Some(packet) = reader.next_packet() {
        let packet = packet.map_err(|e| FramingError::Pcap(e.to_string()))?;
        match udp_payload(linktype, &packet.data) {
            Ok((ports, payload)) => each(Datagram {
                time_s: Some(packet.timestamp.as_secs_f64()),
                ports: Some(ports),
                payload: payload.to_vec(),
            }),
            Err(why) => skips.add(why),
        }
    }
    Ok(())
}

fn read_pcapng<R: Read>(
    input: R,
    skips: &mut Skips,
    each: &mut impl FnMut(Datagram),
) -> Result<(), FramingError> {
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
    use pcap_file::pcapng::Block;
    let mut reader = pcap_file::pcapng::PcapNgReader::new(input)
        .map_err(|e| FramingError::Pcap(e.to_string()))?;
    // Per interface: link type and seconds per timestamp tick (if_tsresol; µs by default).
    let mut interfaces: Vec<(u32, f64)> = Vec::new();
    while let Some(block) = reader.next_block() {
        let block = block.map_err(|e| FramingError::Pcap(e.to_string()))?;
        match block {
            Block::InterfaceDescription(idb) => {
                let tick = idb
                    .options
                    .iter()
                    .find_map(|o| match o {
                        InterfaceDescriptionOption::IfTsResol(r) if r & 0x80 == 0 => {
                            Some(10f64.powi(-i32::from(*r)))
                        }
                        InterfaceDescriptionOption::IfTsResol(r) => {
                            Some(2f64.powi(-i32::from(r & 0x7F)))
                        }
                        _ => None,
                    })
                    .unwrap_or(1e-6);
                interfaces.push((u32::from(idb.linktype), tick));
            }
            Block::EnhancedPacket(epb) => {
                let Some(&(linktype, tick)) = interfaces.get(epb.interface_id as usize) else {
                    skips.add("packet of an undeclared interface");
                    continue;
                };
                // The library reads the raw 64-bit timestamp as nanoseconds.
                let ticks = epb.timestamp.as_nanos() as f64;
                match udp_payload(linktype, &epb.data) {
                    Ok((ports, payload)) => each(Datagram {
                        time_s: Some(ticks * tick),
                        ports: Some(ports),
                        payload: payload.to_vec(),
                    }),
                    Err(why) => skips.add(why),
                }
            }
            Block::SimplePacket(spb) => {
                let linktype = interfaces.first().map_or(1, |i| i.0);
                match udp_payload(linktype, &spb.data) {
                    Ok((ports, payload)) => each(Datagram {
                        time_s: None,
                        ports: Some(ports),
                        payload: payload.to_vec(),
                    }),
                    Err(why) => skips.add(why),
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Splits an ORADIS recording: per packet a 6-byte header (the packet's byte count,
/// header included, then a 32-bit time) before its ASTERIX blocks. A byte count that
/// cannot be right ends the reading; what came before is kept.
pub fn oradis(data: &[u8], skips: &mut Skips) -> Vec<Datagram> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let Some(&[a, b, t0, t1, t2, t3]) = rest.get(..6) else {
            skips.add("truncated ORADIS header");
            break;
        };
        let n = usize::from(u16::from_be_bytes([a, b]));
        if n <= 6 || n > rest.len() {
            skips.add("bad ORADIS byte count");
            break;
        }
        out.push(Datagram {
            time_s: Some(f64::from(u32::from_be_bytes([t0, t1, t2, t3]))),
            ports: None,
            payload: rest[6..n].to_vec(),
        });
        rest = &rest[n..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn udp_frame(payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x81, 0x00, 0x00, 0x05, 0x08, 0x00]); // one VLAN tag, IPv4
        let total = (20 + 8 + payload.len()) as u16;
        let mut ip = vec![
            0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 239, 0, 0, 1,
        ];
        ip[2..4].copy_from_slice(&total.to_be_bytes());
        f.extend_from_slice(&ip);
        f.extend_from_slice(&8600u16.to_be_bytes());
        f.extend_from_slice(&8601u16.to_be_bytes());
        f.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn a_udp_payload_comes_out_of_its_frame() {
        let frame = udp_frame(b"\x30\x00\x04\x00");
        assert_eq!(
            udp_payload(1, &frame),
            Ok(((8600, 8601), &b"\x30\x00\x04\x00"[..]))
        );
        assert_eq!(udp_payload(1, &frame[..30]), Err("truncated frame"));
        let mut tcp = frame.clone();
        tcp[18 + 9] = 6;
        assert_eq!(udp_payload(1, &tcp), Err("not UDP"));
    }

    /// Found by `fuzz/fuzz_targets/capture.rs`: a 9-byte "IPv4 header" was indexed at 9.
    #[test]
    fn regression_a_truncated_ipv4_header_is_no_panic() {
        let frame = [0x45, 0, 0, 0x1C, 0, 0, 0, 0, 0x40];
        assert_eq!(udp_payload(101, &frame), Err("truncated frame"));
    }

    #[test]
    fn oradis_packets_split_and_a_bad_count_stops() {
        let mut data = vec![0, 9, 0, 0, 0, 42, 0x30, 0x00, 0x03];
        data.extend_from_slice(&[0, 3, 0, 0, 0, 0]);
        let mut skips = Skips::default();
        let d = oradis(&data, &mut skips);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].payload, [0x30, 0, 3]);
        assert_eq!(d[0].time_s, Some(42.0));
        assert_eq!(skips.get("bad ORADIS byte count"), 1);
    }
}
