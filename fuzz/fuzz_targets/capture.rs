//! Recordings from a user: any bytes read as a pcap or pcapng capture, or as ORADIS, give
//! datagrams or a counted skip or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie_codec::framing::{self, Skips};

static QUIET: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // The capture library's own panics are caught and become errors (see `read_capture`).
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let mut skips = Skips::default();
    let mut n = 0usize;
    let _ = framing::read_capture(data, &mut skips, |d| n += d.payload.len());
    // A pcapng with the magic in front, whatever follows.
    let mut ng = vec![0x0A, 0x0D, 0x0D, 0x0A];
    ng.extend_from_slice(data);
    let _ = framing::read_capture(&ng[..], &mut skips, |d| n += d.payload.len());
    let _ = framing::oradis(data, &mut skips);
    for linktype in [0, 1, 101, 113] {
        let _ = framing::udp_payload(linktype, data);
    }
});
