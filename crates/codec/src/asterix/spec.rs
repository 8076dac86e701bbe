//! The specifications as static tables, generated at build time from the vendored
//! asterix-specs files (`asterix-specs/`, BSD-3-Clause) by `build.rs`.

/// A category edition (`cat-1.32.ast`), or a Reserved Expansion Field definition
/// (`ref-1.13.ast`, `is_ref`), whose one item is the expansion.
#[derive(Debug)]
pub struct Category {
    pub category: u8,
    pub title: &'static str,
    pub edition: (u16, u16),
    pub is_ref: bool,
    pub items: &'static [Item],
    pub uap: Uap,
}

#[derive(Debug)]
pub struct Item {
    pub name: &'static str,
    pub title: &'static str,
    /// The size in bits when it is fixed (elements and groups of them); 0 when variable.
    pub bits: u32,
    pub variation: Variation,
}

#[derive(Debug)]
pub enum Part {
    Spare(u8),
    Item(Item),
    /// The FX bit closing an octet of an extended item.
    Fx,
    /// An unused slot of a compound.
    Absent,
}

#[derive(Debug)]
pub enum Variation {
    Element(u8, Content),
    Group(&'static [Part]),
    Extended(&'static [Part]),
    Repetitive(Repeat, &'static Variation),
    Explicit(ExplicitKind),
    Compound(&'static [Part]),
    /// A Reserved Expansion Field's content: an FSPEC of this many bytes, no FX.
    Expansion(u8, &'static [Part]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// A count of this many bytes, then the elements.
    Count(u8),
    /// Each element ends with an FX bit.
    Fx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExplicitKind {
    Plain,
    /// Special Purpose field: opaque.
    Sp,
    /// Reserved Expansion Field: decoded by the category's `ref` specification.
    Re,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringKind {
    Ascii,
    /// 6-bit ICAO characters (callsigns).
    Icao,
    /// Octal digits, 3 bits each (Mode 3/A codes).
    Octal,
}

#[derive(Debug)]
pub enum Content {
    Raw,
    Table(&'static [(u64, &'static str)]),
    String(StringKind),
    Quantity {
        signed: bool,
        lsb: f64,
        unit: &'static str,
    },
    Integer {
        signed: bool,
    },
    /// A Mode S Comm-B register (its number, when fixed).
    Bds(Option<u8>),
    /// The content depends on another subitem's value (`path`, from the record's items).
    Case {
        path: &'static [&'static str],
        cases: &'static [(u64, Content)],
        default: &'static Content,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UapSlot {
    /// The item at this index of `Category::items`.
    Item(u16),
    Unused,
    /// Random Field Sequencing: a count, then (FRN, item) pairs.
    Rfs,
}

#[derive(Debug)]
pub enum Uap {
    Single(&'static [UapSlot]),
    /// Several UAPs, chosen by the value of an item (CAT001: plot or track).
    Variations {
        uaps: &'static [(&'static str, &'static [UapSlot])],
        path: &'static [&'static str],
        /// (value, index into `uaps`).
        cases: &'static [(u64, u16)],
    },
}

/// Editions are statics: one is equal only to itself.
impl PartialEq for Category {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Category {
    pub fn edition_string(&self) -> String {
        format!("{}.{}", self.edition.0, self.edition.1)
    }

    /// The top-level item of this name (`"040"`, `"SP"`).
    pub fn item(&self, name: &str) -> Option<&'static Item> {
        self.items.iter().find(|i| i.name == name)
    }
}

impl Item {
    /// The subitem of this name, one level down (a group's, an extended's, a compound's).
    pub fn sub(&self, name: &str) -> Option<&'static Item> {
        self.variation.parts().iter().find_map(|p| match p {
            Part::Item(i) if i.name == name => Some(i),
            _ => None,
        })
    }
}

impl Variation {
    /// The parts of a group, extended, compound or expansion; none for the others.
    pub fn parts(&self) -> &'static [Part] {
        match self {
            Variation::Group(p)
            | Variation::Extended(p)
            | Variation::Compound(p)
            | Variation::Expansion(_, p) => p,
            _ => &[],
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/specs.rs"));
