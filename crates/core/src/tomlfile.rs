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
            write!(f, "{}", self.file.display())?;
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
    let mut span = None;
    let mut current: Option<&DeValue<'_>> = None;
    let mut table = Some(table);
    for part in field.split('.').filter(|p| !p.is_empty()) {
        let (key, indices) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            let Some((k, v)) = table?.iter().find(|(k, _)| k.get_ref() == key) else {
                break;
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
                _ => return span.map(|s| line_of(text, s.start)),
            }
        }
        table = match current {
            Some(DeValue::Table(t)) => Some(t),
            _ => None,
        };
    }
    span.map(|s| line_of(text, s.start))
}
