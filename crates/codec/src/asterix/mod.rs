//! ASTERIX (EUROCONTROL's surveillance data exchange): data blocks, records and items,
//! decoded and encoded from the specifications in `asterix-specs/` (every edition of
//! CAT001, 002, 004, 021, 034, 048, 062, 063 and 065, and their expansion fields).
//!
//! Two ways in: [`Record`] splits a record into its items without copying and reads any
//! element by name (the fast path the ingest uses); [`RecordValue`] decodes every item
//! into a value tree that encodes back to the same bytes, and renders as JSON.

#[allow(dead_code)] // the build script's parser: `parse` is used at build time and in tests
pub mod ast;
pub mod bits;
pub mod record;
pub mod spec;
pub mod value;

pub use record::{Field, ItemRef, Record};
pub use spec::Category;
pub use value::{RecordValue, SetError, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the data ends inside an item")]
    Truncated,
    #[error("a length field is inconsistent")]
    BadLength,
    #[error("an FSPEC names a field the specification does not have")]
    BadFspec,
    #[error("the FSPEC names FRN {0}, which the UAP does not define")]
    UnknownItem(usize),
    #[error("an item extends beyond what its edition defines (FX set on its last octet)")]
    UnknownExtension,
    #[error("CAT{0:03} is not a category vigie knows")]
    UnknownCategory(u8),
    #[error("the specification cannot be used this way: {0}")]
    Spec(&'static str),
}

/// Which edition decodes each category (the latest vendored one unless chosen).
#[derive(Debug, Clone)]
pub struct Editions {
    categories: [Option<&'static Category>; 256],
    refs: [Option<&'static Category>; 256],
}

impl Default for Editions {
    fn default() -> Self {
        let mut e = Editions {
            categories: [None; 256],
            refs: [None; 256],
        };
        for c in spec::ALL {
            let slot = if c.is_ref {
                &mut e.refs[c.category as usize]
            } else {
                &mut e.categories[c.category as usize]
            };
            if slot.is_none_or(|old| old.edition < c.edition) {
                *slot = Some(c);
            }
        }
        e
    }
}

impl Editions {
    /// The category's edition in use.
    pub fn get(&self, category: u8) -> Option<&'static Category> {
        self.categories[category as usize]
    }

    /// The category's Reserved Expansion Field definition in use.
    pub fn reference(&self, category: u8) -> Option<&'static Category> {
        self.refs[category as usize]
    }

    /// Chooses an edition: `select(48, "1.31")`.
    pub fn select(&mut self, category: u8, edition: &str) -> Result<&mut Self, String> {
        let found = spec::ALL
            .iter()
            .find(|c| !c.is_ref && c.category == category && c.edition_string() == edition)
            .ok_or_else(|| {
                let known: Vec<String> = spec::ALL
                    .iter()
                    .filter(|c| !c.is_ref && c.category == category)
                    .map(|c| c.edition_string())
                    .collect();
                format!(
                    "CAT{category:03} edition {edition} is not vendored (known: {})",
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                )
            })?;
        self.categories[category as usize] = Some(found);
        Ok(self)
    }

    /// Parses `048=1.31` selections.
    pub fn select_all<'a>(
        &mut self,
        choices: impl IntoIterator<Item = &'a str>,
    ) -> Result<&mut Self, String> {
        for choice in choices {
            let (cat, ed) = choice.split_once('=').ok_or_else(|| {
                format!("an edition is chosen as CAT=EDITION (048=1.31), got {choice:?}")
            })?;
            let cat: u8 = cat
                .trim_start_matches("cat")
                .trim_start_matches("CAT")
                .parse()
                .map_err(|_| format!("{cat:?} is not a category number"))?;
            self.select(cat, ed)?;
        }
        Ok(self)
    }
}

/// One data block: a category and its records' bytes.
#[derive(Debug, Clone, Copy)]
pub struct Block<'a> {
    pub category: u8,
    pub records: &'a [u8],
}

/// Splits a datagram (or a file) into data blocks. A block whose length field overruns
/// the data, or is under 3, ends the walk with an error; the blocks before it are kept.
pub fn blocks(data: &[u8]) -> impl Iterator<Item = Result<Block<'_>, DecodeError>> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let header = rest.get(..3);
        let Some(&[cat, a, b]) = header else {
            rest = &[];
            return Some(Err(DecodeError::Truncated));
        };
        let len = u16::from_be_bytes([a, b]) as usize;
        if len < 3 || len > rest.len() {
            rest = &[];
            return Some(Err(DecodeError::BadLength));
        }
        let block = Block {
            category: cat,
            records: &rest[3..len],
        };
        rest = &rest[len..];
        Some(Ok(block))
    })
}

impl<'a> Block<'a> {
    /// The block's records. A record that cannot be read ends the block (its length is
    /// unknown, so nothing after it can be found): the error is the last item.
    pub fn records(
        &self,
        editions: &Editions,
    ) -> impl Iterator<Item = Result<Record<'a>, DecodeError>> {
        let spec = editions.get(self.category);
        let category = self.category;
        let mut rest = self.records;
        let mut failed = false;
        std::iter::from_fn(move || {
            if rest.is_empty() || failed {
                return None;
            }
            let Some(spec) = spec else {
                failed = true;
                return Some(Err(DecodeError::UnknownCategory(category)));
            };
            match record::record(spec, rest) {
                Ok((rec, n)) => {
                    rest = &rest[n..];
                    Some(Ok(rec))
                }
                Err(e) => {
                    failed = true;
                    Some(Err(e))
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_edition_is_generated() {
        let cats: std::collections::BTreeSet<u8> = spec::ALL.iter().map(|c| c.category).collect();
        assert_eq!(
            cats.into_iter().collect::<Vec<_>>(),
            [1, 2, 4, 21, 34, 48, 62, 63, 65]
        );
        let e = Editions::default();
        assert_eq!(e.get(48).unwrap().edition, (1, 32));
        assert_eq!(e.reference(48).unwrap().edition, (1, 13));
        let mut e = Editions::default();
        e.select_all(["048=1.31"]).unwrap();
        assert_eq!(e.get(48).unwrap().edition, (1, 31));
        assert!(e.select(48, "9.9").unwrap_err().contains("1.27"));
    }
}
