//! Records as value trees: decoded in full (every item, every subitem, spares included, so
//! encoding gives the same bytes back), built by name, encoded, and shown as JSON.

use serde_json::{json, Map, Value as Json};

use super::bits::{self, Writer};
use super::record::{compound_fspec, fixed_bits, Record};
use super::spec::{
    Category, Content, ExplicitKind, Part, Repeat, StringKind, Uap, UapSlot, Variation,
};
use super::DecodeError;

/// One item's content, shaped like its variation.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An element's (or a spare's) raw bits.
    Uint(u64),
    /// One value per spare and subitem.
    Group(Vec<Value>),
    /// One value per spare and subitem of the octets present.
    Extended(Vec<Value>),
    Repetitive(Vec<Value>),
    /// An explicit item's payload (without its length byte).
    Bytes(Vec<u8>),
    /// One per slot of the compound, `None` where absent; the FSPEC's octets as read (a
    /// sender may send more than needed; 0 for the fewest).
    Compound(Vec<Option<Value>>, u8),
}

/// A whole record: its UAP and its items by UAP slot.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordValue {
    pub category: &'static Category,
    /// Index into the category's UAP variations (0 for a single UAP).
    pub uap: usize,
    pub items: Vec<(usize, Value)>,
    /// Items carried by Random Field Sequencing (CAT001), by UAP slot, in their order;
    /// `None` when the record has no RFS field.
    pub rfs: Option<Vec<(usize, Value)>>,
    /// FSPEC octets to write at least (a record read keeps its own, for identity).
    pub fspec_len: usize,
}

/// An ICAO 6-bit character: A–Z at 1–26, space at 32, 0–9 at 48–57; anything else is no
/// character at all (as libasterix reads it).
fn icao_char(code: u64) -> Option<char> {
    match code {
        1..=26 => Some(char::from(b'A' + code as u8 - 1)),
        32 => Some(' '),
        48..=57 => Some(char::from(b'0' + code as u8 - 48)),
        _ => None,
    }
}

fn icao_code(c: u8) -> u64 {
    match c {
        b'A'..=b'Z' => u64::from(c - b'A' + 1),
        b'0'..=b'9' => u64::from(c - b'0' + 48),
        _ => 32,
    }
}

/// A string element's text.
pub fn string(kind: StringKind, raw: u64, n: u32) -> String {
    match kind {
        StringKind::Icao => (0..n / 6)
            .rev()
            .filter_map(|i| icao_char((raw >> (6 * i)) & 0x3F))
            .collect::<String>()
            .trim_end()
            .to_string(),
        StringKind::Ascii => (0..n / 8)
            .rev()
            .map(|i| ((raw >> (8 * i)) & 0xFF) as u8)
            .filter(|&b| b != 0)
            .map(char::from)
            .collect::<String>()
            .trim_end()
            .to_string(),
        StringKind::Octal => format!("{raw:0width$o}", width = (n / 3) as usize),
    }
}

/// The raw bits of a string element's text; `None` if it cannot be written.
pub fn string_raw(kind: StringKind, text: &str, n: u32) -> Option<u64> {
    match kind {
        StringKind::Icao => {
            let chars = (n / 6) as usize;
            let mut raw = 0u64;
            let mut it = text.bytes();
            for _ in 0..chars {
                let c = it.next().unwrap_or(b' ').to_ascii_uppercase();
                raw = (raw << 6) | icao_code(c);
            }
            Some(raw)
        }
        StringKind::Ascii => {
            let mut raw = 0u64;
            let mut it = text.bytes();
            for _ in 0..n / 8 {
                raw = (raw << 8) | u64::from(it.next().unwrap_or(b' '));
            }
            Some(raw)
        }
        StringKind::Octal => u64::from_str_radix(text, 8).ok(),
    }
}

// ---- decoding ----

fn decode(v: &'static Variation, data: &[u8], bit: usize) -> Result<(Value, usize), DecodeError> {
    let short = DecodeError::Truncated;
    Ok(match v {
        Variation::Element(n, _) => (
            Value::Uint(bits::read(data, bit, u32::from(*n)).ok_or(short)?),
            *n as usize,
        ),
        Variation::Group(parts) => {
            let (out, n) = decode_parts(parts, data, bit, false)?;
            (Value::Group(out), n)
        }
        Variation::Extended(parts) => {
            let (out, n) = decode_parts(parts, data, bit, true)?;
            (Value::Extended(out), n)
        }
        Variation::Repetitive(rep, inner) => {
            let each = fixed_bits(inner).ok_or(DecodeError::Spec("repetitive"))? as usize;
            let mut out = Vec::new();
            let mut at = bit;
            match rep {
                Repeat::Count(n) => {
                    let count = bits::read(data, at, 8 * u32::from(*n)).ok_or(short.clone())?;
                    at += 8 * *n as usize;
                    if count as usize * each > data.len() * 8 {
                        return Err(short);
                    }
                    for _ in 0..count {
                        out.push(decode(inner, data, at)?.0);
                        at += each;
                    }
                }
                Repeat::Fx => loop {
                    out.push(decode(inner, data, at)?.0);
                    at += each;
                    let more = bits::bit(data, at).ok_or(short.clone())?;
                    at += 1;
                    if !more {
                        break;
                    }
                },
            }
            (Value::Repetitive(out), at - bit)
        }
        Variation::Explicit(_) => {
            let start = bit / 8;
            let n = *data.get(start).ok_or(short.clone())? as usize;
            let payload = data.get(start + 1..start + n.max(1)).ok_or(short)?;
            (Value::Bytes(payload.to_vec()), 8 * n)
        }
        Variation::Compound(parts) | Variation::Expansion(_, parts) => {
            let fx = matches!(v, Variation::Compound(_));
            let start = bit / 8;
            let (present, mut at) =
                compound_fspec(data, start, parts.len(), fx).ok_or(DecodeError::BadFspec)?;
            let fspec_end = at;
            let mut out = vec![None; parts.len()];
            for (i, p) in parts.iter().enumerate() {
                if present & (1 << i) == 0 {
                    continue;
                }
                let Part::Item(sub) = p else {
                    return Err(DecodeError::BadFspec);
                };
                let (val, n) = decode(&sub.variation, data, at * 8)?;
                out[i] = Some(val);
                at += n.div_ceil(8);
            }
            let fspec_octets = u8::try_from(fspec_end - start).unwrap_or(u8::MAX);
            (Value::Compound(out, fspec_octets), (at - start) * 8)
        }
    })
}

/// A group's or an extended item's parts: one value per spare and subitem, and the bits
/// read. An extended item stops at an FX bit that is clear.
fn decode_parts(
    parts: &'static [Part],
    data: &[u8],
    bit: usize,
    extended: bool,
) -> Result<(Vec<Value>, usize), DecodeError> {
    let mut at = bit;
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        match p {
            Part::Spare(n) => {
                let raw = bits::read(data, at, u32::from(*n)).ok_or(DecodeError::Truncated)?;
                out.push(Value::Uint(raw));
                at += *n as usize;
            }
            Part::Item(i) => {
                let (val, n) = decode(&i.variation, data, at)?;
                out.push(val);
                at += n;
            }
            Part::Fx if extended => {
                let more = bits::bit(data, at).ok_or(DecodeError::Truncated)?;
                at += 1;
                if !more {
                    break;
                }
            }
            Part::Fx | Part::Absent if !extended => return Err(DecodeError::Spec("group")),
            Part::Fx | Part::Absent => {}
        }
    }
    Ok((out, at - bit))
}

impl RecordValue {
    /// Every item of a record, decoded.
    pub fn decode(record: &Record<'_>) -> Result<RecordValue, DecodeError> {
        let uap = match &record.category.uap {
            Uap::Single(_) => 0,
            Uap::Variations { uaps, .. } => uaps
                .iter()
                .position(|(n, _)| *n == record.uap_name)
                .unwrap_or(0),
        };
        let value = |(slot, item): (usize, super::ItemRef<'_>)| {
            Ok((slot, decode(&item.item.variation, item.bytes, 0)?.0))
        };
        let items = record
            .items()
            .map(value)
            .collect::<Result<_, DecodeError>>()?;
        let rfs = if record.has_rfs() {
            Some(
                record
                    .rfs_items()
                    .map(value)
                    .collect::<Result<_, DecodeError>>()?,
            )
        } else {
            None
        };
        Ok(RecordValue {
            category: record.category,
            uap,
            items,
            rfs,
            fspec_len: record.fspec_len,
        })
    }

    fn slots(&self) -> &'static [UapSlot] {
        match &self.category.uap {
            Uap::Single(s) => s,
            Uap::Variations { uaps, .. } => uaps[self.uap.min(uaps.len() - 1)].1,
        }
    }
}

// ---- encoding ----

fn encode(v: &'static Variation, val: &Value, w: &mut Writer) -> Result<(), DecodeError> {
    let bad = || DecodeError::Spec("a value does not fit its item");
    match (v, val) {
        (Variation::Element(n, _), Value::Uint(x)) => w.write(*x, u32::from(*n)),
        (Variation::Group(parts), Value::Group(vals)) => {
            let mut vals = vals.iter();
            for p in *parts {
                match p {
                    Part::Spare(n) => match vals.next() {
                        Some(Value::Uint(x)) => w.write(*x, u32::from(*n)),
                        _ => return Err(bad()),
                    },
                    Part::Item(i) => encode(&i.variation, vals.next().ok_or_else(bad)?, w)?,
                    _ => return Err(bad()),
                }
            }
        }
        (Variation::Extended(parts), Value::Extended(vals)) => {
            let mut rest = vals.iter().peekable();
            for p in *parts {
                match p {
                    Part::Spare(n) => match rest.next() {
                        Some(Value::Uint(x)) => w.write(*x, u32::from(*n)),
                        _ => return Err(bad()),
                    },
                    Part::Item(i) => encode(&i.variation, rest.next().ok_or_else(bad)?, w)?,
                    Part::Fx => {
                        let more = rest.peek().is_some();
                        w.write(u64::from(more), 1);
                        if !more {
                            break;
                        }
                    }
                    Part::Absent => {}
                }
            }
        }
        (Variation::Repetitive(rep, inner), Value::Repetitive(vals)) => {
            match rep {
                Repeat::Count(n) => w.write(vals.len() as u64, 8 * u32::from(*n)),
                Repeat::Fx if vals.is_empty() => return Err(bad()),
                Repeat::Fx => {}
            }
            for (k, x) in vals.iter().enumerate() {
                encode(inner, x, w)?;
                if *rep == Repeat::Fx {
                    w.write(u64::from(k + 1 < vals.len()), 1);
                }
            }
        }
        (Variation::Explicit(_), Value::Bytes(b)) => {
            if b.len() > 254 {
                return Err(bad());
            }
            w.write(b.len() as u64 + 1, 8);
            w.extend(b);
        }
        (
            Variation::Compound(parts) | Variation::Expansion(_, parts),
            Value::Compound(vals, fspec_octets),
        ) => {
            let fx = matches!(v, Variation::Compound(_));
            let per = if fx { 7 } else { 8 };
            let last = vals.iter().rposition(Option::is_some);
            let octets = match (v, last) {
                (Variation::Expansion(n, _), _) => *n as usize,
                (_, Some(l)) => (l / per + 1).max(usize::from(*fspec_octets)),
                (_, None) => usize::from(*fspec_octets).max(1),
            };
            for o in 0..octets {
                let mut b = 0u64;
                for k in 0..per {
                    if vals.get(o * per + k).is_some_and(Option::is_some) {
                        b |= 1 << (7 - k);
                    }
                }
                if fx && o + 1 < octets {
                    b |= 1;
                }
                w.write(b, 8);
            }
            for (p, x) in parts.iter().zip(vals) {
                if let (Part::Item(sub), Some(x)) = (p, x) {
                    encode(&sub.variation, x, w)?;
                }
            }
        }
        _ => return Err(bad()),
    }
    Ok(())
}

impl RecordValue {
    /// The record's bytes: FSPEC, then the items in UAP order.
    pub fn encode(&self) -> Result<Vec<u8>, DecodeError> {
        let slots = self.slots();
        let mut items: Vec<&(usize, Value)> = self.items.iter().collect();
        items.sort_by_key(|(s, _)| *s);
        let rfs_slot = slots.iter().position(|s| *s == UapSlot::Rfs);
        let rfs_at = match (&self.rfs, rfs_slot) {
            (Some(_), Some(at)) => Some(at),
            (Some(_), None) => return Err(DecodeError::Spec("RFS in a UAP without it")),
            (None, _) => None,
        };
        let present = |s: usize| items.iter().any(|(x, _)| *x == s) || rfs_at == Some(s);
        let last = items
            .iter()
            .map(|(s, _)| *s)
            .chain(rfs_at)
            .max()
            .unwrap_or(0);
        let octets = (last / 7 + 1).max(self.fspec_len);
        let mut w = Writer::new();
        for o in 0..octets {
            let mut b = 0u64;
            for k in 0..7 {
                if present(o * 7 + k) {
                    b |= 1 << (7 - k);
                }
            }
            if o + 1 < octets {
                b |= 1;
            }
            w.write(b, 8);
        }
        let item = |slot: usize, val: &Value, w: &mut Writer| {
            let Some(UapSlot::Item(k)) = slots.get(slot) else {
                return Err(DecodeError::UnknownItem(slot + 1));
            };
            encode(&self.category.items[*k as usize].variation, val, w)?;
            if w.aligned() {
                Ok(())
            } else {
                Err(DecodeError::Spec("an item that is not whole octets"))
            }
        };
        for slot in 0..=last {
            if let Some((_, val)) = items.iter().find(|(s, _)| *s == slot) {
                item(slot, val, &mut w)?;
            }
            if rfs_at == Some(slot) {
                let rfs = self.rfs.as_deref().unwrap_or_default();
                let n = u8::try_from(rfs.len()).map_err(|_| DecodeError::BadLength)?;
                w.write(n.into(), 8);
                for (s, val) in rfs {
                    w.write(*s as u64 + 1, 8);
                    item(*s, val, &mut w)?;
                }
            }
        }
        Ok(w.bytes)
    }
}

/// A data block of records of one category: CAT, LEN, records.
pub fn block(category: u8, records: &[Vec<u8>]) -> Result<Vec<u8>, DecodeError> {
    let len = 3 + records.iter().map(Vec::len).sum::<usize>();
    if len > u16::MAX as usize {
        return Err(DecodeError::BadLength);
    }
    let mut out = Vec::with_capacity(len);
    out.push(category);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    for r in records {
        out.extend_from_slice(r);
    }
    Ok(out)
}

// ---- building by name ----

fn default_value(v: &'static Variation) -> Value {
    match v {
        Variation::Element(..) => Value::Uint(0),
        Variation::Group(parts) => Value::Group(
            parts
                .iter()
                .filter_map(|p| match p {
                    Part::Spare(_) => Some(Value::Uint(0)),
                    Part::Item(i) => Some(default_value(&i.variation)),
                    _ => None,
                })
                .collect(),
        ),
        Variation::Extended(parts) => Value::Extended(
            parts
                .iter()
                .take_while(|p| !matches!(p, Part::Fx))
                .filter_map(|p| match p {
                    Part::Spare(_) => Some(Value::Uint(0)),
                    Part::Item(i) => Some(default_value(&i.variation)),
                    _ => None,
                })
                .collect(),
        ),
        Variation::Repetitive(..) => Value::Repetitive(Vec::new()),
        Variation::Explicit(_) => Value::Bytes(Vec::new()),
        Variation::Compound(parts) | Variation::Expansion(_, parts) => {
            Value::Compound(vec![None; parts.len()], 0)
        }
    }
}

/// The leaf at `path` below `v`, created (with zeros) where missing.
fn leaf<'v>(
    v: &'static Variation,
    val: &'v mut Value,
    path: &[&str],
) -> Option<(&'v mut Value, &'static Variation)> {
    let [name, rest @ ..] = path else {
        return Some((val, v));
    };
    match (v, val) {
        (Variation::Group(parts), Value::Group(vals)) => {
            let i = parts
                .iter()
                .filter(|p| matches!(p, Part::Spare(_) | Part::Item(_)))
                .position(|p| matches!(p, Part::Item(it) if it.name == *name))?;
            let Part::Item(it) = parts
                .iter()
                .filter(|p| matches!(p, Part::Spare(_) | Part::Item(_)))
                .nth(i)?
            else {
                return None;
            };
            leaf(&it.variation, vals.get_mut(i)?, rest)
        }
        (Variation::Extended(parts), Value::Extended(vals)) => {
            // Values are the spares and subitems, FX bits left out; the octet holding the
            // subitem (and those before it) must be present.
            let mut index = 0;
            let mut target = None;
            for p in parts.iter() {
                match p {
                    Part::Item(it) if it.name == *name && target.is_none() => {
                        target = Some((index, it));
                        index += 1;
                    }
                    Part::Item(_) | Part::Spare(_) => index += 1,
                    Part::Fx if target.is_some() => break,
                    _ => {}
                }
            }
            let (i, it) = target?;
            let upto = index;
            let mut k = 0;
            for p in parts.iter() {
                if k >= upto {
                    break;
                }
                match p {
                    Part::Spare(_) => {
                        if vals.len() <= k {
                            vals.push(Value::Uint(0));
                        }
                        k += 1;
                    }
                    Part::Item(sub) => {
                        if vals.len() <= k {
                            vals.push(default_value(&sub.variation));
                        }
                        k += 1;
                    }
                    _ => {}
                }
            }
            leaf(&it.variation, vals.get_mut(i)?, rest)
        }
        (Variation::Compound(parts) | Variation::Expansion(_, parts), Value::Compound(vals, _)) => {
            let i = parts
                .iter()
                .position(|p| matches!(p, Part::Item(it) if it.name == *name))?;
            let Part::Item(it) = &parts[i] else {
                return None;
            };
            let slot = vals.get_mut(i)?;
            let inner = slot.get_or_insert_with(|| default_value(&it.variation));
            leaf(&it.variation, inner, rest)
        }
        _ => None,
    }
}

/// Why a value could not be set.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SetError {
    #[error("CAT{0:03} has no item {1}")]
    NoItem(u8, String),
    #[error("I{0:03}/{1}: no such element")]
    NoField(u8, String),
    #[error("I{0:03}/{1}: {2}")]
    Value(u8, String, String),
}

impl RecordValue {
    /// An empty record of this category (its first UAP).
    pub fn new(category: &'static Category) -> RecordValue {
        RecordValue {
            category,
            uap: 0,
            items: Vec::new(),
            rfs: None,
            fspec_len: 0,
        }
    }

    /// The element at `item` / `path`, created with zeros where missing.
    fn element(
        &mut self,
        item: &str,
        path: &[&str],
    ) -> Result<(&mut Value, &'static Variation), SetError> {
        let cat = self.category.category;
        let (slot, k) = self
            .slots()
            .iter()
            .enumerate()
            .find_map(|(s, slot)| match slot {
                UapSlot::Item(k) if self.category.items[*k as usize].name == item => Some((s, *k)),
                _ => None,
            })
            .ok_or_else(|| SetError::NoItem(cat, item.to_string()))?;
        let v = &self.category.items[k as usize].variation;
        let index = match self.items.iter().position(|(s, _)| *s == slot) {
            Some(i) => i,
            None => {
                self.items.push((slot, default_value(v)));
                self.items.len() - 1
            }
        };
        let where_ = || format!("{item}/{}", path.join("/"));
        leaf(v, &mut self.items[index].1, path).ok_or_else(|| SetError::NoField(cat, where_()))
    }

    /// Sets an element's raw bits.
    pub fn set_raw(&mut self, item: &str, path: &[&str], raw: u64) -> Result<&mut Self, SetError> {
        let cat = self.category.category;
        let (val, v) = self.element(item, path)?;
        let Variation::Element(n, _) = v else {
            return Err(SetError::NoField(cat, format!("{item}/{}", path.join("/"))));
        };
        let mask = if *n >= 64 { u64::MAX } else { (1 << n) - 1 };
        *val = Value::Uint(raw & mask);
        Ok(self)
    }

    /// Sets a quantity in its unit (or an integer), checked against the element's range.
    pub fn set_number(&mut self, item: &str, path: &[&str], x: f64) -> Result<&mut Self, SetError> {
        let cat = self.category.category;
        let (val, v) = self.element(item, path)?;
        let where_ = || format!("{item}/{}", path.join("/"));
        let Variation::Element(n, content) = v else {
            return Err(SetError::NoField(cat, where_()));
        };
        let (signed, lsb) = match content {
            Content::Quantity { signed, lsb, .. } => (*signed, *lsb),
            Content::Integer { signed } => (*signed, 1.0),
            _ => (false, 1.0),
        };
        let steps = (x / lsb).round();
        let n = u32::from(*n);
        let (lo, hi) = if signed {
            (-(2f64.powi(n as i32 - 1)), 2f64.powi(n as i32 - 1) - 1.0)
        } else {
            (0.0, 2f64.powi(n as i32) - 1.0)
        };
        if !(steps >= lo && steps <= hi) {
            return Err(SetError::Value(
                cat,
                where_(),
                format!("{x} is out of range"),
            ));
        }
        let mask = if n >= 64 { u64::MAX } else { (1 << n) - 1 };
        *val = Value::Uint((steps as i64 as u64) & mask);
        Ok(self)
    }

    /// Sets a string element (a callsign, an octal code).
    pub fn set_text(
        &mut self,
        item: &str,
        path: &[&str],
        text: &str,
    ) -> Result<&mut Self, SetError> {
        let cat = self.category.category;
        let (val, v) = self.element(item, path)?;
        let where_ = || format!("{item}/{}", path.join("/"));
        let Variation::Element(n, Content::String(kind)) = v else {
            return Err(SetError::NoField(cat, where_()));
        };
        let raw = string_raw(*kind, text, u32::from(*n))
            .ok_or_else(|| SetError::Value(cat, where_(), format!("cannot write {text:?}")))?;
        *val = Value::Uint(raw);
        Ok(self)
    }

    /// Sets an explicit item's payload (SP).
    pub fn set_bytes(&mut self, item: &str, bytes: &[u8]) -> Result<&mut Self, SetError> {
        let (val, _) = self.element(item, &[])?;
        *val = Value::Bytes(bytes.to_vec());
        Ok(self)
    }
}

// ---- JSON ----

/// Renders a record as JSON: every item by name, quantities in their units, strings as
/// text, tables and raw fields as numbers, spares left out. `refs` decodes Reserved
/// Expansion Fields.
pub fn to_json(rec: &RecordValue, refs: Option<&'static Category>) -> Json {
    let slots = rec.slots();
    let mut items = Map::new();
    let mut sorted: Vec<&(usize, Value)> = rec.items.iter().collect();
    sorted.sort_by_key(|(s, _)| *s);
    for (slot, val) in sorted {
        let Some(UapSlot::Item(k)) = slots.get(*slot) else {
            continue;
        };
        let item = &rec.category.items[*k as usize];
        items.insert(
            item.name.to_string(),
            json_of(&item.variation, val, rec, refs),
        );
    }
    // Items carried by Random Field Sequencing, when not also in the FSPEC.
    for (slot, val) in rec.rfs.iter().flatten() {
        if let Some(UapSlot::Item(k)) = slots.get(*slot) {
            let item = &rec.category.items[*k as usize];
            items
                .entry(item.name.to_string())
                .or_insert_with(|| json_of(&item.variation, val, rec, refs));
        }
    }
    let mut out = Map::new();
    out.insert("category".into(), json!(rec.category.category));
    out.insert("edition".into(), json!(rec.category.edition_string()));
    if let Uap::Variations { uaps, .. } = &rec.category.uap {
        out.insert("uap".into(), json!(uaps[rec.uap].0));
    }
    out.insert("items".into(), Json::Object(items));
    Json::Object(out)
}

fn json_of(
    v: &'static Variation,
    val: &Value,
    rec: &RecordValue,
    refs: Option<&'static Category>,
) -> Json {
    match (v, val) {
        (Variation::Element(n, content), Value::Uint(raw)) => {
            element_json(content, *raw, u32::from(*n), rec)
        }
        (Variation::Group(parts), Value::Group(vals))
        | (Variation::Extended(parts), Value::Extended(vals)) => {
            let mut m = Map::new();
            let named = parts
                .iter()
                .filter(|p| matches!(p, Part::Spare(_) | Part::Item(_)));
            for (p, x) in named.zip(vals) {
                if let Part::Item(i) = p {
                    m.insert(i.name.to_string(), json_of(&i.variation, x, rec, refs));
                }
            }
            Json::Object(m)
        }
        (Variation::Repetitive(_, inner), Value::Repetitive(vals)) => {
            Json::Array(vals.iter().map(|x| json_of(inner, x, rec, refs)).collect())
        }
        (Variation::Explicit(ExplicitKind::Re), Value::Bytes(b)) => refs
            .and_then(|r| expansion_json(r, b, rec))
            .unwrap_or_else(|| json!(hex(b))),
        (Variation::Explicit(_), Value::Bytes(b)) => json!(hex(b)),
        (Variation::Compound(parts) | Variation::Expansion(_, parts), Value::Compound(vals, _)) => {
            let mut m = Map::new();
            for (p, x) in parts.iter().zip(vals) {
                if let (Part::Item(i), Some(x)) = (p, x) {
                    m.insert(i.name.to_string(), json_of(&i.variation, x, rec, refs));
                }
            }
            Json::Object(m)
        }
        _ => Json::Null,
    }
}

/// A Reserved Expansion Field's payload, by the category's `ref` specification.
fn expansion_json(r: &'static Category, payload: &[u8], rec: &RecordValue) -> Option<Json> {
    let item = r.items.first()?;
    let (val, n) = decode(&item.variation, payload, 0).ok()?;
    (n.div_ceil(8) == payload.len()).then(|| json_of(&item.variation, &val, rec, None))
}

fn element_json(content: &'static Content, raw: u64, n: u32, rec: &RecordValue) -> Json {
    match content {
        Content::Raw | Content::Table(_) | Content::Integer { signed: false } => json!(raw),
        Content::Integer { signed: true } => json!(bits::signed(raw, n)),
        Content::Quantity { signed, lsb, .. } => {
            let x = if *signed {
                bits::signed(raw, n) as f64
            } else {
                raw as f64
            };
            json!(x * lsb)
        }
        Content::String(kind) => json!(string(*kind, raw, n)),
        Content::Bds(_) => json!(format!("{raw:0width$X}", width = (n / 4) as usize)),
        Content::Case {
            path,
            cases,
            default,
        } => {
            let selector = case_value(rec, path);
            let chosen = selector
                .and_then(|s| cases.iter().find(|c| c.0 == s))
                .map_or(*default, |c| &c.1);
            element_json(chosen, raw, n, rec)
        }
    }
}

/// The raw value of `path` (`["150", "IM"]`) in the record, for `case` contents.
fn case_value(rec: &RecordValue, path: &[&str]) -> Option<u64> {
    let [item, rest @ ..] = path else { return None };
    let slots = rec.slots();
    let (_, val) = rec.items.iter().find(|(s, _)| {
        matches!(slots.get(*s), Some(UapSlot::Item(k)) if rec.category.items[*k as usize].name == *item)
    })?;
    let Some(UapSlot::Item(k)) = slots.get(rec.items.iter().find(|(_, v)| v == val)?.0) else {
        return None;
    };
    let mut v = &rec.category.items[*k as usize].variation;
    let mut x = val;
    for name in rest {
        let parts = v.parts();
        let named: Vec<&Part> = parts
            .iter()
            .filter(|p| matches!(p, Part::Spare(_) | Part::Item(_)))
            .collect();
        let i = named
            .iter()
            .position(|p| matches!(p, Part::Item(it) if it.name == *name))?;
        let Part::Item(it) = named[i] else {
            return None;
        };
        x = match x {
            Value::Group(vals) | Value::Extended(vals) => vals.get(i)?,
            _ => return None,
        };
        v = &it.variation;
    }
    match x {
        Value::Uint(r) => Some(*r),
        _ => None,
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
