//! A reader of the asterix-specs `.ast` syntax (indentation-structured text) into an owned
//! model. `build.rs` includes this file to generate the codec's static tables, so it uses
//! nothing but `std`.

use std::fmt;

/// A parse error with the line it was found on (1-based).
#[derive(Debug)]
pub struct AstError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for AstError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

type Result<T> = std::result::Result<T, AstError>;

fn err<T>(line: usize, message: impl Into<String>) -> Result<T> {
    Err(AstError {
        line,
        message: message.into(),
    })
}

/// One line and the lines indented under it.
#[derive(Debug)]
struct Node {
    line: usize,
    text: String,
    children: Vec<Node>,
}

fn tree(source: &str) -> Vec<Node> {
    // (indent, node) stack; blank lines carry no structure.
    let mut roots: Vec<Node> = Vec::new();
    let mut stack: Vec<(usize, Node)> = Vec::new();
    fn close(stack: &mut Vec<(usize, Node)>, roots: &mut Vec<Node>, above: usize) {
        while stack.last().is_some_and(|(i, _)| *i >= above) {
            let (_, node) = stack.pop().expect("checked");
            match stack.last_mut() {
                Some((_, parent)) => parent.children.push(node),
                None => roots.push(node),
            }
        }
    }
    for (i, raw) in source.lines().enumerate() {
        let text = raw.trim_end();
        if text.trim().is_empty() {
            continue;
        }
        let indent = text.len() - text.trim_start().len();
        close(&mut stack, &mut roots, indent);
        stack.push((
            indent,
            Node {
                line: i + 1,
                text: text.trim_start().to_string(),
                children: Vec::new(),
            },
        ));
    }
    close(&mut stack, &mut roots, 0);
    roots
}

#[derive(Debug, Clone, PartialEq)]
pub enum StringKind {
    Ascii,
    Icao,
    Octal,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Raw,
    Table(Vec<(u64, String)>),
    String(StringKind),
    Quantity {
        signed: bool,
        lsb: f64,
        unit: String,
    },
    Integer {
        signed: bool,
    },
    Bds(Option<u8>),
    /// The content depends on another item's value (`case 150/IM`).
    Case {
        path: Vec<String>,
        cases: Vec<(u64, Content)>,
        default: Box<Content>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Repeat {
    /// A count of this many bytes, then the elements.
    Count(u8),
    /// Each element ends with an FX bit.
    Fx,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExplicitKind {
    Plain,
    Sp,
    Re,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Spare(u8),
    Item(Item),
    /// The FX bit closing an octet of an extended item.
    Fx,
    /// An unused slot of a compound.
    Absent,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Variation {
    Element(u8, Content),
    Group(Vec<Part>),
    Extended(Vec<Part>),
    Repetitive(Repeat, Box<Variation>),
    Explicit(ExplicitKind),
    Compound(Vec<Part>),
    /// A Reserved Expansion Field's content: an FSPEC of fixed size (no FX), then items.
    Expansion(u8, Vec<Part>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub name: String,
    pub title: String,
    pub variation: Variation,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UapSlot {
    Item(String),
    Unused,
    Rfs,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Uap {
    Single(Vec<UapSlot>),
    Variations {
        uaps: Vec<(String, Vec<UapSlot>)>,
        path: Vec<String>,
        cases: Vec<(u64, String)>,
    },
}

/// A category edition, or a Reserved Expansion Field definition (`is_ref`).
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub category: u8,
    pub title: String,
    pub edition: (u16, u16),
    pub is_ref: bool,
    pub items: Vec<Item>,
    pub uap: Uap,
}

/// Splits `NAME "Title"` into its parts.
fn name_title(node: &Node) -> Result<(String, String)> {
    let (name, rest) = node
        .text
        .split_once(' ')
        .unwrap_or((node.text.as_str(), ""));
    let rest = rest.trim();
    let title = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or_else(|| AstError {
            line: node.line,
            message: format!("expected NAME \"Title\", got {:?}", node.text),
        })?;
    Ok((name.to_string(), title.to_string()))
}

fn number<T: std::str::FromStr>(line: usize, s: &str) -> Result<T> {
    s.parse()
        .or_else(|_| err(line, format!("expected a number, got {s:?}")))
}

/// `a`, `a/b`, `a/b^c`, `a^b`, with an optional minus.
pub fn eval_number(s: &str) -> Option<f64> {
    let power = |t: &str| -> Option<f64> {
        match t.split_once('^') {
            Some((b, e)) => Some(b.parse::<f64>().ok()?.powf(e.parse::<f64>().ok()?)),
            None => t.parse::<f64>().ok(),
        }
    };
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let v = match s.split_once('/') {
        Some((a, b)) => power(a)? / power(b)?,
        None => power(s)?,
    };
    Some(if neg { -v } else { v })
}

/// Children that are not free text (definitions, remarks, descriptions).
fn structural(node: &Node) -> impl Iterator<Item = &Node> {
    node.children
        .iter()
        .filter(|c| !matches!(c.text.as_str(), "definition" | "description" | "remark"))
}

fn content(node: &Node) -> Result<Content> {
    let words: Vec<&str> = node.text.split_whitespace().collect();
    Ok(match words.as_slice() {
        ["raw"] => Content::Raw,
        ["table"] => {
            let mut rows = Vec::new();
            for c in &node.children {
                let (k, v) = c.text.split_once(':').ok_or_else(|| AstError {
                    line: c.line,
                    message: format!("expected `N: meaning`, got {:?}", c.text),
                })?;
                rows.push((number(c.line, k.trim())?, v.trim().to_string()));
            }
            Content::Table(rows)
        }
        ["string", kind] => Content::String(match *kind {
            "ascii" => StringKind::Ascii,
            "icao" => StringKind::Icao,
            "octal" => StringKind::Octal,
            k => return err(node.line, format!("unknown string kind {k:?}")),
        }),
        [sign @ ("signed" | "unsigned"), "integer", ..] => Content::Integer {
            signed: *sign == "signed",
        },
        [sign @ ("signed" | "unsigned"), "quantity", lsb, ..] => {
            let unit = node
                .text
                .split('"')
                .nth(1)
                .ok_or_else(|| AstError {
                    line: node.line,
                    message: "a quantity needs a \"unit\"".into(),
                })?
                .to_string();
            Content::Quantity {
                signed: *sign == "signed",
                lsb: eval_number(lsb).ok_or_else(|| AstError {
                    line: node.line,
                    message: format!("bad LSB {lsb:?}"),
                })?,
                unit,
            }
        }
        ["bds"] => Content::Bds(None),
        ["bds", reg] => Content::Bds(Some(
            u8::from_str_radix(reg, 16).or_else(|_| err(node.line, "bad BDS register"))?,
        )),
        ["case", path] => {
            let mut cases = Vec::new();
            let mut default = None;
            for c in &node.children {
                let inner = c.children.first().ok_or_else(|| AstError {
                    line: c.line,
                    message: "a case needs a content".into(),
                })?;
                let k = c.text.trim_end_matches(':');
                if k == "default" {
                    default = Some(Box::new(content(inner)?));
                } else {
                    cases.push((number(c.line, k)?, content(inner)?));
                }
            }
            Content::Case {
                path: path.split('/').map(str::to_string).collect(),
                cases,
                default: default.unwrap_or(Box::new(Content::Raw)),
            }
        }
        _ => return err(node.line, format!("unknown content {:?}", node.text)),
    })
}

fn parts(node: &Node, allow_fx: bool) -> Result<Vec<Part>> {
    structural(node)
        .map(|c| {
            let words: Vec<&str> = c.text.split_whitespace().collect();
            match words.as_slice() {
                ["spare", n] => Ok(Part::Spare(number(c.line, n)?)),
                ["-"] if allow_fx => Ok(Part::Fx),
                ["-"] => Ok(Part::Absent),
                _ => Ok(Part::Item(item(c)?)),
            }
        })
        .collect()
}

fn variation(node: &Node) -> Result<Variation> {
    let words: Vec<&str> = node.text.split_whitespace().collect();
    let only_child = || {
        node.children.first().ok_or_else(|| AstError {
            line: node.line,
            message: format!("{:?} needs a body", node.text),
        })
    };
    Ok(match words.as_slice() {
        ["element", n] => Variation::Element(number(node.line, n)?, content(only_child()?)?),
        ["group"] => Variation::Group(parts(node, false)?),
        ["extended"] => Variation::Extended(parts(node, true)?),
        ["repetitive", "fx"] => {
            Variation::Repetitive(Repeat::Fx, Box::new(variation(only_child()?)?))
        }
        ["repetitive", n] => Variation::Repetitive(
            Repeat::Count(number(node.line, n)?),
            Box::new(variation(only_child()?)?),
        ),
        ["explicit"] => Variation::Explicit(ExplicitKind::Plain),
        ["explicit", "sp"] => Variation::Explicit(ExplicitKind::Sp),
        ["explicit", "re"] => Variation::Explicit(ExplicitKind::Re),
        ["compound"] => Variation::Compound(parts(node, false)?),
        ["compound", n] => Variation::Expansion(number(node.line, n)?, parts(node, false)?),
        ["case", ..] => {
            // A structure chosen by other items' values (CAT004 I120/CC/CPC): read as raw
            // bits of the size every alternative shares.
            let mut sizes = node.children.iter().map(|alt| {
                let v = alt.children.first().ok_or_else(|| AstError {
                    line: alt.line,
                    message: "a case needs a variation".into(),
                })?;
                Ok(fixed_bits(&variation(v)?))
            });
            let first = sizes.next().unwrap_or(Ok(None))?;
            for other in sizes {
                if other? != first {
                    return err(node.line, "the alternatives of a case differ in size");
                }
            }
            let n = first.ok_or_else(|| AstError {
                line: node.line,
                message: "a case of variable size".into(),
            })?;
            Variation::Element(n as u8, Content::Raw)
        }
        _ => return err(node.line, format!("unknown variation {:?}", node.text)),
    })
}

/// The size in bits of an element or a group of them.
pub fn fixed_bits(v: &Variation) -> Option<u32> {
    match v {
        Variation::Element(n, _) => Some(u32::from(*n)),
        Variation::Group(parts) => parts.iter().try_fold(0, |acc, p| match p {
            Part::Spare(n) => Some(acc + u32::from(*n)),
            Part::Item(i) => Some(acc + fixed_bits(&i.variation)?),
            _ => None,
        }),
        _ => None,
    }
}

fn item(node: &Node) -> Result<Item> {
    let (name, title) = name_title(node)?;
    let body: Vec<&Node> = structural(node).collect();
    let [v] = body.as_slice() else {
        return err(
            node.line,
            format!("item {name} needs exactly one variation"),
        );
    };
    Ok(Item {
        name,
        title,
        variation: variation(v)?,
    })
}

fn slots(node: &Node) -> Vec<UapSlot> {
    node.children
        .iter()
        .map(|c| match c.text.as_str() {
            "-" => UapSlot::Unused,
            "rfs" => UapSlot::Rfs,
            name => UapSlot::Item(name.to_string()),
        })
        .collect()
}

fn uaps(node: &Node) -> Result<Uap> {
    let mut list = Vec::new();
    let mut path = Vec::new();
    let mut cases = Vec::new();
    for c in &node.children {
        if c.text == "variations" {
            list = c
                .children
                .iter()
                .map(|v| (v.text.clone(), slots(v)))
                .collect();
        } else if let Some(p) = c.text.strip_prefix("case ") {
            path = p.trim().split('/').map(str::to_string).collect();
            for k in &c.children {
                let (n, name) = k.text.split_once(':').ok_or_else(|| AstError {
                    line: k.line,
                    message: "expected `N: uap`".into(),
                })?;
                cases.push((number(k.line, n.trim())?, name.trim().to_string()));
            }
        } else {
            return err(c.line, format!("unexpected {:?} in uaps", c.text));
        }
    }
    Ok(Uap::Variations {
        uaps: list,
        path,
        cases,
    })
}

/// Parses one `.ast` file.
pub fn parse(source: &str) -> Result<Spec> {
    let roots = tree(source);
    let mut spec = Spec {
        category: 0,
        title: String::new(),
        edition: (0, 0),
        is_ref: false,
        items: Vec::new(),
        uap: Uap::Single(Vec::new()),
    };
    for node in &roots {
        let (head, rest) = node.text.split_once(' ').unwrap_or((&node.text, ""));
        match head {
            "asterix" | "ref" => {
                spec.is_ref = head == "ref";
                let (cat, title) = rest.split_once(' ').unwrap_or((rest, ""));
                spec.category = number(node.line, cat)?;
                spec.title = title.trim_matches('"').to_string();
            }
            "edition" => {
                let (a, b) = rest.split_once('.').ok_or_else(|| AstError {
                    line: node.line,
                    message: "edition is major.minor".into(),
                })?;
                spec.edition = (number(node.line, a)?, number(node.line, b)?);
            }
            "date" | "preamble" => {}
            "items" => {
                spec.items = node.children.iter().map(item).collect::<Result<_>>()?;
            }
            "uap" => spec.uap = Uap::Single(slots(node)),
            "uaps" => spec.uap = uaps(node)?,
            "compound" => {
                // A Reserved Expansion Field definition: one expansion item.
                spec.items = vec![Item {
                    name: "RE".into(),
                    title: spec.title.clone(),
                    variation: variation(node)?,
                }];
            }
            _ => return err(node.line, format!("unexpected {:?}", node.text)),
        }
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_the_specs_evaluate() {
        assert_eq!(eval_number("1/2^8"), Some(1.0 / 256.0));
        assert_eq!(eval_number("360/2^16"), Some(360.0 / 65536.0));
        assert_eq!(eval_number("-180/1"), Some(-180.0));
        assert_eq!(eval_number("10^3"), Some(1000.0));
        assert_eq!(eval_number("x"), None);
    }

    #[test]
    fn an_item_with_a_group_parses() {
        let spec = parse(
            "asterix 048 \"Monoradar\"\nedition 1.32\ndate 2024-07-01\npreamble\n    text\n\nitems\n\n    040 \"Polar\"\n        definition\n            Measured.\n        group\n            RHO \"\"\n                element 16\n                    unsigned quantity 1/2^8 \"NM\" < 256\n            spare 4\n        remark\n            a note\n\nuap\n    040\n    -\n",
        )
        .unwrap();
        assert_eq!((spec.category, spec.edition), (48, (1, 32)));
        let Variation::Group(parts) = &spec.items[0].variation else {
            panic!("{:?}", spec.items[0]);
        };
        assert_eq!(parts.len(), 2);
        assert_eq!(
            spec.uap,
            Uap::Single(vec![UapSlot::Item("040".into()), UapSlot::Unused])
        );
    }
}
