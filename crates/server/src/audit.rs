//! The audit log: one JSON line per login, logout and operator action, appended and never
//! rewritten.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry {
    pub time_unix_s: i64,
    pub user: String,
    pub action: String,
    pub detail: String,
    /// "ok", "refused" or "failed".
    pub outcome: &'static str,
}

/// Where entries go: a file opened for appending, or memory (tests, demo without a file).
pub struct Audit {
    file: Option<(PathBuf, Mutex<File>)>,
    /// The latest entries, for the admin's view; bounded.
    recent: Mutex<std::collections::VecDeque<Entry>>,
}

const RECENT_MAX: usize = 10_000;

impl Audit {
    pub fn open(path: &Path) -> std::io::Result<Audit> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Audit {
            file: Some((path.to_path_buf(), Mutex::new(file))),
            recent: Mutex::default(),
        })
    }

    pub fn in_memory() -> Audit {
        Audit {
            file: None,
            recent: Mutex::default(),
        }
    }

    /// Appends an entry. A write error is logged, not returned: the action it records has
    /// already happened, and the operator must not be blocked by a full disk.
    pub fn record(&self, entry: Entry) {
        if let Some((path, file)) = &self.file {
            let mut line = serde_json::to_string(&entry).unwrap_or_default();
            line.push('\n');
            let mut f = file.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(e) = f.write_all(line.as_bytes()).and_then(|_| f.flush()) {
                tracing::error!("audit log {}: {e}", path.display());
            }
        }
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() == RECENT_MAX {
            recent.pop_front();
        }
        recent.push_back(entry);
    }

    /// The latest `limit` entries, oldest first.
    pub fn recent(&self, limit: usize) -> Vec<Entry> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let skip = recent.len().saturating_sub(limit);
        recent.iter().skip(skip).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> Entry {
        Entry {
            time_unix_s: 1,
            user: "ana".into(),
            action: action.into(),
            detail: String::new(),
            outcome: "ok",
        }
    }

    #[test]
    fn entries_are_appended_as_json_lines() {
        let path = std::env::temp_dir().join(format!("vigie-audit-{}.jsonl", std::process::id()));
        std::fs::remove_file(&path).ok();
        {
            let audit = Audit::open(&path).unwrap();
            audit.record(entry("login"));
        }
        {
            let audit = Audit::open(&path).unwrap();
            audit.record(entry("logout"));
            assert_eq!(audit.recent(10), vec![entry("logout")]);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains("\"login\"") && lines[1].contains("\"logout\""));
        std::fs::remove_file(&path).ok();
    }
}
