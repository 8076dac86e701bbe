//! Reading and writing big-endian bit fields of up to 64 bits at any bit offset.

/// The `n` bits (≤ 64) at bit `offset` of `data`, most significant first; `None` past the end.
#[inline]
pub fn read(data: &[u8], offset: usize, n: u32) -> Option<u64> {
    if n == 0 {
        return Some(0);
    }
    let end = offset.checked_add(n as usize)?;
    if n > 64 || end > data.len() * 8 {
        return None;
    }
    let (first, last) = (offset / 8, (end - 1) / 8);
    // Up to 9 bytes: accumulate in 128 bits, then cut.
    let mut acc: u128 = 0;
    for &b in &data[first..=last] {
        acc = (acc << 8) | u128::from(b);
    }
    let trailing = (last + 1) * 8 - end;
    let mask = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    Some((acc >> trailing) as u64 & mask)
}

/// Whether bit `offset` of `data` is set; `None` past the end.
#[inline]
pub fn bit(data: &[u8], offset: usize) -> Option<bool> {
    data.get(offset / 8)
        .map(|b| b & (0x80 >> (offset % 8)) != 0)
}

/// Sign-extends the low `n` bits of `raw`.
#[inline]
pub fn signed(raw: u64, n: u32) -> i64 {
    if n == 0 || n >= 64 {
        return raw as i64;
    }
    let shift = 64 - n;
    ((raw << shift) as i64) >> shift
}

/// Appends bit fields to a byte buffer.
#[derive(Debug, Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
    /// Bits used in the last byte (0: byte-aligned).
    used: u32,
}

impl Writer {
    pub fn new() -> Writer {
        Writer::default()
    }

    /// Appends the low `n` bits of `value`, most significant first.
    pub fn write(&mut self, value: u64, n: u32) {
        for i in (0..n).rev() {
            let b = (value >> i) & 1;
            if self.used == 0 {
                self.bytes.push(0);
            }
            if b == 1 {
                let last = self.bytes.last_mut().expect("pushed");
                *last |= 0x80 >> self.used;
            }
            self.used = (self.used + 1) % 8;
        }
    }

    pub fn aligned(&self) -> bool {
        self.used == 0
    }

    pub fn extend(&mut self, bytes: &[u8]) {
        debug_assert!(self.aligned());
        self.bytes.extend_from_slice(bytes);
    }

    /// The current length in bits.
    pub fn bit_len(&self) -> usize {
        if self.used == 0 {
            self.bytes.len() * 8
        } else {
            (self.bytes.len() - 1) * 8 + self.used as usize
        }
    }

    /// Sets the bit at `offset` (already written).
    pub fn set_bit(&mut self, offset: usize) {
        self.bytes[offset / 8] |= 0x80 >> (offset % 8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fields_across_bytes() {
        let data = [0b1010_1100, 0b0101_0011, 0xFF];
        assert_eq!(read(&data, 0, 4), Some(0b1010));
        assert_eq!(read(&data, 4, 8), Some(0b1100_0101));
        assert_eq!(read(&data, 20, 4), Some(0xF));
        assert_eq!(read(&data, 21, 4), None);
        assert_eq!(signed(0b1111, 4), -1);
        assert_eq!(signed(0b0111, 4), 7);
    }

    proptest! {
        #[test]
        fn what_is_written_reads_back(fields in proptest::collection::vec((any::<u64>(), 1u32..=64), 1..20)) {
            let mut w = Writer::new();
            for &(v, n) in &fields {
                w.write(v, n);
            }
            let mut at = 0;
            for &(v, n) in &fields {
                let mask = if n == 64 { u64::MAX } else { (1 << n) - 1 };
                prop_assert_eq!(read(&w.bytes, at, n), Some(v & mask));
                at += n as usize;
            }
            prop_assert_eq!(w.bit_len(), at);
        }
    }
}
