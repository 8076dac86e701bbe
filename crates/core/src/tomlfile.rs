//! TOML files people write (scenarios, tracker settings): every mistake reported as
//! `file:line: field: message`, the line found from the field's path in a span-keeping parse
//! of the same text, so a user goes straight to it.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

/// A file that failed to load, with every problem found.
#[derive(Debug, thiserror::Error)]
pub struct FileError {
    pub file: PathBuf,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The file the problem is in when it is not the error's own: a `base` it amends.
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    /// The field's path, e.g. `radar[2].rotation_period_s`; empty for the whole file.
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", p.file.as_ref().unwrap_or(&self.file).display())?;
            if let Some(line) = p.line {
                write!(f, ":{line}")?;
            }
            if !p.field.is_empty() {
                write!(f, ": {}", p.field)?;
            }
            write!(f, ": {}", p.message)?;
        }
        Ok(())
    }
}

/// Problems found while checking a file's meaning, by field path.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<(String, String)>);

impl Problems {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    pub fn check(
        &mut self,
        ok: bool,
        field: impl FnOnce() -> String,
        message: impl FnOnce() -> String,
    ) {
        if !ok {
            self.push(field(), message());
        }
    }
}

/// Deserializes TOML text into `T`; `path` names it in errors. Checks shape and types
/// only: what the values mean is the caller's to check, then to report with [`located`].
pub fn parse<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, FileError> {
    let fail = |problems| FileError {
        file: path.to_path_buf(),
        problems,
    };
    let spans =
        DeTable::parse(text).map_err(|e| fail(vec![toml_problem(text, &e, String::new())]))?;
    toml::de::Deserializer::parse(text)
        .map_err(|e| toml_problem(text, &e, String::new()))
        .and_then(|de| {
            serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
                let field = e.path().to_string();
                let field = if field == "." { String::new() } else { field };
                let mut p = toml_problem(text, e.inner(), field.clone());
                // A misspelt key inside an internally tagged table (`kind = "..."`) comes
                // back with the table's span only: name the key, and find its own line.
                let last = field.rsplit('.').next().unwrap_or("");
                if let Some(key) = unknown_field(&p.message).filter(|k| *k != last) {
                    p.field = if field.is_empty() {
                        key.to_string()
                    } else {
                        format!("{field}.{key}")
                    };
                    p.line = locate(text, spans.get_ref(), &p.field).or(p.line);
                }
                if p.line.is_none() {
                    p.line = locate(text, spans.get_ref(), &field);
                }
                p
            })
        })
        .map_err(|p| fail(vec![p]))
}

/// Turns problems found by field path into an error that names their lines in `text`.
pub fn located(text: &str, path: &Path, problems: Problems) -> FileError {
    let spans = DeTable::parse(text).ok();
    FileError {
        file: path.to_path_buf(),
        problems: problems
            .0
            .into_iter()
            .map(|(field, message)| Problem {
                file: None,
                line: spans
                    .as_ref()
                    .and_then(|t| locate(text, t.get_ref(), &field)),
                field,
                message,
            })
            .collect(),
    }
}

/// The key of serde's "unknown field `key`, expected ..." message.
fn unknown_field(message: &str) -> Option<&str> {
    message.strip_prefix("unknown field `")?.split('`').next()
}

fn toml_problem(text: &str, e: &toml::de::Error, field: String) -> Problem {
    Problem {
        file: None,
        line: e.span().map(|s| line_of(text, s.start)),
        field,
        message: e.message().trim().to_string(),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line of the deepest part of `field` (`radar[2].range_m`) present in the text: the
/// field itself, or the table it is missing from.
pub fn locate(text: &str, table: &DeTable<'_>, field: &str) -> Option<usize> {
    find(table, field).0.map(|s| line_of(text, s.start))
}

/// The span of the deepest part of `field` present, and whether that is the whole field.
fn find(table: &DeTable<'_>, field: &str) -> (Option<std::ops::Range<usize>>, bool) {
    let mut span = None;
    let mut current: Option<&DeValue<'_>> = None;
    let mut table = Some(table);
    for part in field.split('.').filter(|p| !p.is_empty()) {
        let (key, indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            let Some((k, v)) = table.and_then(|t| t.iter().find(|(k, _)| k.get_ref() == key))
            else {
                return (span, false);
            };
            span = Some(k.span());
            current = Some(v.get_ref());
        }
        for index in indices
            .split(['[', ']'])
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse::<usize>().ok())
        {
            match current {
                Some(DeValue::Array(a)) if index < a.len() => {
                    span = Some(a[index].span());
                    current = Some(a[index].get_ref());
                }
                _ => return (span, false),
            }
        }
        table = match current {
            Some(DeValue::Table(t)) => Some(t),
            _ => None,
        };
    }
    (span, true)
}

/// How many files a chain of `base`s may hold: deeper is a mistake (or a loop).
pub const BASE_DEPTH_MAX: usize = 4;

/// One file of a layered configuration.
#[derive(Debug, Clone)]
pub struct Layer {
    pub path: PathBuf,
    pub text: String,
}

/// A file and the `base` files it amends, so that variants (the exercises of one country)
/// share what they have in common instead of copying it. Tables merge key by key, the
/// amending file's value winning; anything else, arrays of tables included, is replaced
/// whole, so a file says `event = []` to drop its base's events. Every mistake is reported
/// in the file that holds it.
#[derive(Debug, Clone)]
pub struct Layers {
    /// The base first, the file asked for last.
    layers: Vec<Layer>,
}

impl Layers {
    /// `text` (the file at `path`) and the chain of `base = "file"` it names, each
    /// relative to the file naming it and read with `read`.
    pub fn resolve(
        text: &str,
        path: &Path,
        read: &dyn Fn(&Path) -> Result<String, FileError>,
    ) -> Result<Layers, FileError> {
        let mut layers = vec![Layer {
            path: path.to_path_buf(),
            text: text.to_string(),
        }];
        while let Some(base) = base_of(layers.last().expect("one layer at least"))? {
            let last = layers.last().expect("one layer at least");
            let full = last.path.parent().unwrap_or(Path::new("")).join(&base);
            if layers.len() >= BASE_DEPTH_MAX || layers.iter().any(|l| l.path == full) {
                return Err(single_problem(
                    &last.path,
                    locate_in(last, "base"),
                    "base",
                    format!("a chain of bases deeper than {BASE_DEPTH_MAX} files, or a loop"),
                ));
            }
            let text = read(&full)?;
            layers.push(Layer { path: full, text });
        }
        layers.reverse();
        Ok(Layers { layers })
    }

    /// The file asked for.
    pub fn top(&self) -> &Layer {
        self.layers.last().expect("one layer at least")
    }

    /// The file that sets `field`: the last one that holds it whole, else the top one.
    pub fn owner(&self, field: &str) -> &Layer {
        self.layers
            .iter()
            .rev()
            .find(|l| {
                DeTable::parse(&l.text)
                    .map(|t| find(t.get_ref(), field).1)
                    .unwrap_or(false)
            })
            .unwrap_or_else(|| self.top())
    }

    /// Deserializes the merged files into `T`; see [`parse`].
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, FileError> {
        if self.layers.len() == 1 {
            return parse(&self.top().text, &self.top().path);
        }
        let mut merged = toml::Table::new();
        for l in &self.layers {
            let table: toml::Table = toml::from_str(&l.text)
                .map_err(|e| self.error(vec![(l, toml_problem(&l.text, &e, String::new()))]))?;
            merge(&mut merged, table);
        }
        merged.remove("base");
        serde_path_to_error::deserialize::<_, T>(toml::Value::Table(merged)).map_err(|e| {
            let mut field = e.path().to_string();
            if field == "." {
                field.clear();
            }
            let message = e.inner().message().trim().to_string();
            if let Some(key) = unknown_field(&message) {
                if field.rsplit('.').next() != Some(key) {
                    field = if field.is_empty() {
                        key.to_string()
                    } else {
                        format!("{field}.{key}")
                    };
                }
            }
            let owner = self.owner(&field);
            let problem = Problem {
                file: None,
                line: locate_in(owner, &field),
                field,
                message,
            };
            self.error(vec![(owner, problem)])
        })
    }

    /// Problems found by field path, each located in the file that sets its field.
    pub fn located(&self, problems: Problems) -> FileError {
        let found = problems
            .0
            .into_iter()
            .map(|(field, message)| {
                let owner = self.owner(&field);
                let line = locate_in(owner, &field);
                (
                    owner,
                    Problem {
                        file: None,
                        line,
                        field,
                        message,
                    },
                )
            })
            .collect();
        self.error(found)
    }

    fn error(&self, found: Vec<(&Layer, Problem)>) -> FileError {
        let top = &self.top().path;
        FileError {
            file: top.clone(),
            problems: found
                .into_iter()
                .map(|(layer, mut p)| {
                    p.file = (&layer.path != top).then(|| layer.path.clone());
                    p
                })
                .collect(),
        }
    }
}

fn single_problem(path: &Path, line: Option<usize>, field: &str, message: String) -> FileError {
    FileError {
        file: path.to_path_buf(),
        problems: vec![Problem {
            file: None,
            line,
            field: field.to_string(),
            message,
        }],
    }
}

fn locate_in(layer: &Layer, field: &str) -> Option<usize> {
    let table = DeTable::parse(&layer.text).ok()?;
    locate(&layer.text, table.get_ref(), field)
}

/// The `base` a file names, if any.
fn base_of(layer: &Layer) -> Result<Option<String>, FileError> {
    let table = DeTable::parse(&layer.text).map_err(|e| FileError {
        file: layer.path.clone(),
        problems: vec![toml_problem(&layer.text, &e, String::new())],
    })?;
    let base = table
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref() == "base")
        .map(|(_, v)| v.get_ref());
    match base {
        None => Ok(None),
        Some(DeValue::String(s)) => Ok(Some(s.to_string())),
        Some(_) => Err(single_problem(
            &layer.path,
            locate_in(layer, "base"),
            "base",
            "must be a file name, e.g. base = \"niger.toml\"".into(),
        )),
    }
}

/// `over` amends `into`: tables key by key, everything else replaced.
fn merge(into: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (into.get_mut(&key), value) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        name: String,
        region: Region,
        #[serde(default)]
        radar: Vec<Radar>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Region {
        code: String,
        margin_m: f64,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Radar {
        id: String,
        range_m: f64,
    }

    const BASE: &str = "name = \"base\"\n[region]\ncode = \"NER\"\nmargin_m = 1\n\n[[radar]]\nid = \"a\"\nrange_m = 5\n";

    fn layers(top: &str) -> Result<Layers, FileError> {
        let read = |p: &Path| {
            if p == Path::new("dir/base.toml") {
                Ok(BASE.to_string())
            } else {
                Err(single_problem(p, None, "", "cannot read".into()))
            }
        };
        Layers::resolve(top, Path::new("dir/top.toml"), &read)
    }

    #[test]
    fn tables_merge_and_arrays_are_replaced() {
        let l = layers("base = \"base.toml\"\nname = \"top\"\n[region]\nmargin_m = 2\n").unwrap();
        let d: Doc = l.parse().unwrap();
        assert_eq!((d.name.as_str(), d.region.code.as_str()), ("top", "NER"));
        assert_eq!((d.region.margin_m, d.radar.len()), (2.0, 1));
        assert_eq!((d.radar[0].id.as_str(), d.radar[0].range_m), ("a", 5.0));
        let d: Doc = layers("base = \"base.toml\"\nradar = []\n")
            .unwrap()
            .parse()
            .unwrap();
        assert!(d.radar.is_empty());
    }

    #[test]
    fn a_mistake_is_reported_in_the_file_that_holds_it() {
        let l = layers("base = \"base.toml\"\n\n[region]\nmargni_m = 2\n").unwrap();
        let e = l.parse::<Doc>().unwrap_err().to_string();
        assert!(
            e.starts_with("dir/top.toml:4: region.margni_m: unknown field"),
            "{e}"
        );
        let l = layers("base = \"base.toml\"\nname = \"x\"\n").unwrap();
        let mut p = Problems::default();
        p.push("radar[0].range_m", "too short");
        p.push("name", "bad");
        let e = l.located(p).to_string();
        assert_eq!(
            e,
            "dir/base.toml:8: radar[0].range_m: too short\ndir/top.toml:2: name: bad"
        );
        let l = layers("base = \"base.toml\"\n[[radar]]\nid = 3\nrange_m = 1\n").unwrap();
        let e = l.parse::<Doc>().unwrap_err().to_string();
        assert!(
            e.starts_with("dir/top.toml:3: radar[0].id: invalid type"),
            "{e}"
        );
    }

    #[test]
    fn a_missing_base_or_a_loop_is_an_error() {
        let e = layers("base = \"nope.toml\"\n").unwrap_err().to_string();
        assert!(e.contains("dir/nope.toml: cannot read"), "{e}");
        let e = layers("base = 3\n").unwrap_err().to_string();
        assert!(
            e.starts_with("dir/top.toml:1: base: must be a file name"),
            "{e}"
        );
        let e = layers("base = \"top.toml\"\n").unwrap_err().to_string();
        assert!(e.contains("loop"), "{e}");
    }
}
