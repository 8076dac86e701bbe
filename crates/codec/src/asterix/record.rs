//! Splitting data blocks into records, and records into items, without copying: the fast
//! path. Each item's size comes from its specification; nothing is decoded until asked.

use super::bits;
use super::spec::{Category, Content, Item, Part, Repeat, Uap, UapSlot, Variation};
use super::DecodeError;

/// The most UAP slots a record can address (8 FSPEC bytes).
pub const MAX_SLOTS: usize = 56;

/// One record: its bytes, and where each present item lies in them.
#[derive(Clone)]
pub struct Record<'a> {
    pub category: &'static Category,
    /// The UAP the record was read with (CAT001: plot or track).
    pub uap: &'static [UapSlot],
    pub uap_name: &'static str,
    pub bytes: &'a [u8],
    /// FSPEC octets as received (a sender may send more than needed).
    pub fspec_len: usize,
    /// Per UAP slot: (start, length) in `bytes`; length 0 means absent.
    spans: [(u16, u16); MAX_SLOTS],
    /// Items carried by Random Field Sequencing: (slot, start, length).
    rfs: Vec<(u8, u16, u16)>,
}

impl std::fmt::Debug for Record<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("category", &self.category.category)
            .field("edition", &self.category.edition)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// An item's specification and its bytes in a record.
#[derive(Debug, Clone, Copy)]
pub struct ItemRef<'a> {
    pub item: &'static Item,
    pub bytes: &'a [u8],
}

/// One element (a leaf) of an item: its raw bits and how to read them.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub raw: u64,
    pub bits: u32,
    pub content: &'static Content,
}

impl<'a> Record<'a> {
    /// The items present in the FSPEC, in UAP order (not those carried by RFS).
    pub fn items(&self) -> impl Iterator<Item = (usize, ItemRef<'a>)> + '_ {
        let fixed = self.spans.iter().enumerate().filter(|(_, s)| s.1 > 0);
        self.refs(fixed.map(|(i, &s)| (i, s)))
    }

    /// Whether the record has a Random Field Sequencing field (even an empty one).
    pub fn has_rfs(&self) -> bool {
        self.uap
            .iter()
            .position(|s| *s == UapSlot::Rfs)
            .is_some_and(|slot| self.spans[slot].1 > 0)
    }

    /// The items carried by Random Field Sequencing, in their order there.
    pub fn rfs_items(&self) -> impl Iterator<Item = (usize, ItemRef<'a>)> + '_ {
        self.refs(self.rfs.iter().map(|&(slot, a, n)| (slot as usize, (a, n))))
    }

    fn refs<'s>(
        &'s self,
        spans: impl Iterator<Item = (usize, (u16, u16))> + 's,
    ) -> impl Iterator<Item = (usize, ItemRef<'a>)> + 's {
        spans.filter_map(|(slot, (a, n))| {
            let UapSlot::Item(k) = *self.uap.get(slot)? else {
                return None;
            };
            Some((
                slot,
                ItemRef {
                    item: &self.category.items[k as usize],
                    bytes: &self.bytes[a as usize..a as usize + n as usize],
                },
            ))
        })
    }

    /// The item of this name (`"040"`), if present.
    pub fn item(&self, name: &str) -> Option<ItemRef<'a>> {
        let slot = self.uap.iter().position(|s| match s {
            UapSlot::Item(k) => self.category.items[*k as usize].name == name,
            _ => false,
        })?;
        let (a, n) = match self.spans[slot] {
            (_, 0) => self
                .rfs
                .iter()
                .find(|r| r.0 as usize == slot)
                .map(|r| (r.1, r.2))?,
            s => s,
        };
        Some(ItemRef {
            item: &self.category.items[self.uap_slot_item(slot)? as usize],
            bytes: &self.bytes[a as usize..a as usize + n as usize],
        })
    }

    fn uap_slot_item(&self, slot: usize) -> Option<u16> {
        match self.uap.get(slot)? {
            UapSlot::Item(k) => Some(*k),
            _ => None,
        }
    }

    /// A leaf by its path: `get("040", &["RHO"])`, `get("070", &["MODE3A"])`.
    pub fn get(&self, item: &str, path: &[&str]) -> Option<Field> {
        self.item(item)?.get(path)
    }

    /// A quantity's value in its unit, or an integer's or table's value, by path.
    pub fn value(&self, item: &str, path: &[&str]) -> Option<f64> {
        self.get(item, path)?.number()
    }
}

impl<'a> ItemRef<'a> {
    /// The leaf at `path` below this item (empty: the item is itself an element).
    pub fn get(&self, path: &[&str]) -> Option<Field> {
        find(&self.item.variation, self.bytes, 0, path)
    }
}

impl Field {
    /// Quantities scaled to their unit (signed as specified), integers, table values.
    pub fn number(&self) -> Option<f64> {
        match self.content {
            Content::Quantity { signed, lsb, .. } => Some(if *signed {
                bits::signed(self.raw, self.bits) as f64 * lsb
            } else {
                self.raw as f64 * lsb
            }),
            Content::Integer { signed: true } => Some(bits::signed(self.raw, self.bits) as f64),
            Content::Integer { signed: false } | Content::Table(_) | Content::Raw => {
                Some(self.raw as f64)
            }
            _ => None,
        }
    }

    /// A string element: ICAO 6-bit characters, ASCII, or octal digits.
    pub fn text(&self) -> Option<String> {
        match self.content {
            Content::String(kind) => Some(super::value::string(*kind, self.raw, self.bits)),
            _ => None,
        }
    }
}

/// Walks a variation at `bit` of `data` down `path` to a leaf.
fn find(v: &'static Variation, data: &[u8], bit: usize, path: &[&str]) -> Option<Field> {
    match (v, path) {
        (Variation::Element(n, content), []) => Some(Field {
            raw: bits::read(data, bit, u32::from(*n))?,
            bits: u32::from(*n),
            content,
        }),
        (Variation::Group(parts) | Variation::Extended(parts), [name, rest @ ..]) => {
            let mut at = bit;
            for p in *parts {
                match p {
                    Part::Spare(n) => at += *n as usize,
                    Part::Fx => {
                        // The subitem lies in an extension that is absent.
                        if !bits::bit(data, at)? {
                            return None;
                        }
                        at += 1;
                    }
                    Part::Item(i) if i.name == *name => return find(&i.variation, data, at, rest),
                    Part::Item(i) => at += fixed_bits(&i.variation)? as usize,
                    Part::Absent => {}
                }
            }
            None
        }
        (Variation::Compound(parts), [name, rest @ ..]) => {
            let (present, mut at) = compound_fspec(data, bit / 8, parts.len(), true)?;
            for (i, p) in parts.iter().enumerate() {
                let Part::Item(sub) = p else { continue };
                if present & (1u64 << i) == 0 {
                    continue;
                }
                let n = size(&sub.variation, data.get(at..)?).ok()?;
                if sub.name == *name {
                    return find(&sub.variation, data, at * 8, rest);
                }
                at += n;
            }
            None
        }
        _ => None,
    }
}

/// The size in bits of a fixed variation (an element or a group of them).
pub fn fixed_bits(v: &Variation) -> Option<u32> {
    match v {
        Variation::Element(n, _) => Some(u32::from(*n)),
        Variation::Group(parts) => parts.iter().try_fold(0, |acc, p| match p {
            Part::Spare(n) => Some(acc + u32::from(*n)),
            Part::Item(i) => Some(
                acc + if i.bits > 0 {
                    i.bits
                } else {
                    fixed_bits(&i.variation)?
                },
            ),
            _ => None,
        }),
        _ => None,
    }
}

/// A compound's presence bits (bit i: part i) and where its subitems start. `fx`: the
/// FSPEC's octets end with FX bits (a compound) or not (an expansion of fixed size).
pub(crate) fn compound_fspec(
    data: &[u8],
    start: usize,
    parts: usize,
    fx: bool,
) -> Option<(u64, usize)> {
    let mut present = 0u64;
    let mut at = start;
    let mut slot = 0;
    loop {
        let b = *data.get(at)?;
        at += 1;
        let per = if fx { 7 } else { 8 };
        for k in 0..per {
            if b & (0x80 >> k) != 0 {
                if slot + k >= parts.min(64) {
                    return None;
                }
                present |= 1 << (slot + k);
            }
        }
        slot += per;
        if !fx || b & 1 == 0 {
            return Some((present, at));
        }
        if slot >= 64 {
            return None;
        }
    }
}

/// The size in bytes of a variation at the start of `data`.
pub fn size(v: &Variation, data: &[u8]) -> Result<usize, DecodeError> {
    let short = || DecodeError::Truncated;
    match v {
        Variation::Element(..) | Variation::Group(_) => {
            let b = fixed_bits(v).ok_or(DecodeError::Spec("a group of variable size"))?;
            let n = (b as usize).div_ceil(8);
            if n > data.len() {
                return Err(short());
            }
            Ok(n)
        }
        Variation::Extended(parts) => {
            let mut at = 0usize;
            for p in *parts {
                match p {
                    Part::Spare(n) => at += *n as usize,
                    Part::Item(i) => {
                        at +=
                            fixed_bits(&i.variation).ok_or(DecodeError::Spec("extended"))? as usize
                    }
                    Part::Fx => {
                        let more = bits::bit(data, at).ok_or_else(short)?;
                        at += 1;
                        if !more {
                            return Ok(at.div_ceil(8));
                        }
                    }
                    Part::Absent => {}
                }
            }
            // The last octet's FX was set, but the specification has no more: a newer
            // edition, or garbage. Either way this edition cannot read the record.
            Err(DecodeError::UnknownExtension)
        }
        Variation::Repetitive(Repeat::Count(n), inner) => {
            let n = *n as usize;
            let count = bits::read(data, 0, 8 * n as u32).ok_or_else(short)? as usize;
            let each = fixed_bits(inner).ok_or(DecodeError::Spec("repetitive"))? as usize;
            let total = n + (count * each).div_ceil(8);
            if total > data.len() {
                return Err(short());
            }
            Ok(total)
        }
        Variation::Repetitive(Repeat::Fx, inner) => {
            let each = fixed_bits(inner).ok_or(DecodeError::Spec("repetitive"))? as usize + 1;
            let mut at = 0;
            loop {
                let more = bits::bit(data, at + each - 1).ok_or_else(short)?;
                at += each;
                if !more {
                    return Ok(at.div_ceil(8));
                }
            }
        }
        Variation::Explicit(_) => {
            let n = *data.first().ok_or_else(short)? as usize;
            if n == 0 {
                return Err(DecodeError::BadLength);
            }
            if n > data.len() {
                return Err(short());
            }
            Ok(n)
        }
        Variation::Compound(parts) | Variation::Expansion(_, parts) => {
            let fx = matches!(v, Variation::Compound(_));
            let (present, mut at) =
                compound_fspec(data, 0, parts.len(), fx).ok_or(DecodeError::BadFspec)?;
            for (i, p) in parts.iter().enumerate() {
                if present & (1 << i) == 0 {
                    continue;
                }
                let Part::Item(sub) = p else {
                    return Err(DecodeError::BadFspec);
                };
                at += size(&sub.variation, data.get(at..).ok_or_else(short)?)?;
            }
            Ok(at)
        }
    }
}

/// Reads one record at the start of `data`: returns it and its length.
pub fn record<'a>(
    category: &'static Category,
    data: &'a [u8],
) -> Result<(Record<'a>, usize), DecodeError> {
    // The FSPEC: 7 slots per octet, FX chaining.
    let mut fspec = [false; MAX_SLOTS];
    let mut at = 0;
    loop {
        let b = *data.get(at).ok_or(DecodeError::Truncated)?;
        if at * 7 + 7 > MAX_SLOTS {
            return Err(DecodeError::BadFspec);
        }
        for k in 0..7 {
            fspec[at * 7 + k] = b & (0x80 >> k) != 0;
        }
        at += 1;
        if b & 1 == 0 {
            break;
        }
    }
    let (mut uap, mut uap_name, switch) = match &category.uap {
        Uap::Single(s) => (*s, "", None),
        Uap::Variations { uaps, path, cases } => (uaps[0].1, uaps[0].0, Some((uaps, path, cases))),
    };
    let mut rec = Record {
        category,
        uap,
        uap_name,
        bytes: data,
        fspec_len: at,
        spans: [(0, 0); MAX_SLOTS],
        rfs: Vec::new(),
    };
    for (slot, &present) in fspec.iter().enumerate() {
        if !present {
            continue;
        }
        let n = match uap.get(slot) {
            Some(UapSlot::Item(k)) => {
                let item = &category.items[*k as usize];
                let rest = data.get(at..).ok_or(DecodeError::Truncated)?;
                if item.bits > 0 {
                    let n = (item.bits as usize).div_ceil(8);
                    if n > rest.len() {
                        return Err(DecodeError::Truncated);
                    }
                    n
                } else {
                    size(&item.variation, rest)?
                }
            }
            Some(UapSlot::Rfs) => rfs(category, uap, data, at, &mut rec.rfs)?,
            Some(UapSlot::Unused) | None => return Err(DecodeError::UnknownItem(slot + 1)),
        };
        if at + n > u16::MAX as usize {
            return Err(DecodeError::BadLength);
        }
        rec.spans[slot] = (at as u16, n as u16);
        at += n;
        // CAT001: the item that chooses the UAP has just been read: switch if it says so.
        if let Some((uaps, path, cases)) = switch {
            if let (Some(UapSlot::Item(k)), [name, sub @ ..]) = (uap.get(slot), path) {
                if category.items[*k as usize].name == *name {
                    let item = ItemRef {
                        item: &category.items[*k as usize],
                        bytes: &data[at - n..at],
                    };
                    if let Some(f) = item.get(sub) {
                        if let Some(&(_, i)) = cases.iter().find(|c| c.0 == f.raw) {
                            (uap_name, uap) = uaps[i as usize];
                            rec.uap = uap;
                            rec.uap_name = uap_name;
                        }
                    }
                }
            }
        }
    }
    rec.bytes = &data[..at];
    Ok((rec, at))
}

/// Random Field Sequencing: a count, then (FRN, item) pairs. Returns the bytes used.
fn rfs(
    category: &'static Category,
    uap: &[UapSlot],
    data: &[u8],
    start: usize,
    out: &mut Vec<(u8, u16, u16)>,
) -> Result<usize, DecodeError> {
    let count = *data.get(start).ok_or(DecodeError::Truncated)? as usize;
    let mut at = start + 1;
    for _ in 0..count {
        let frn = *data.get(at).ok_or(DecodeError::Truncated)? as usize;
        at += 1;
        let Some(UapSlot::Item(k)) = frn.checked_sub(1).and_then(|s| uap.get(s)) else {
            return Err(DecodeError::UnknownItem(frn));
        };
        let n = size(
            &category.items[*k as usize].variation,
            data.get(at..).ok_or(DecodeError::Truncated)?,
        )?;
        out.push(((frn - 1) as u8, at as u16, n as u16));
        at += n;
    }
    Ok(at - start)
}
