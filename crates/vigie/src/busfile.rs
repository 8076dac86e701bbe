//! The bus's settings as each process takes them: a URL (`nats://centre:4222`, the
//! defaults for the rest), or a bus file, the same at every site, centre and console, with
//! the retention, the replicas and the credentials (docs/distributed.md).

use std::path::Path;

use anyhow::Context;
use vigie_bus::BusConfig;
use vigie_core::tomlfile;

/// `arg` as a URL, or as a bus file (relative to `dir`).
pub fn resolve(arg: &str, dir: &Path) -> anyhow::Result<BusConfig> {
    if arg.contains("://") {
        return Ok(BusConfig::new(arg));
    }
    let path = dir.join(arg);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the bus file {}", path.display()))?;
    let config: BusConfig = tomlfile::parse(&text, &path)?;
    checked(config, &text, &path, "")
}

/// `config` (read from `path`, whose text is `text`, under `prefix`) checked, with its files
/// taken relative to the file's folder.
pub fn checked(
    config: BusConfig,
    text: &str,
    path: &Path,
    prefix: &str,
) -> anyhow::Result<BusConfig> {
    let problems = config.problems(prefix);
    if !problems.is_empty() {
        return Err(tomlfile::located(text, path, tomlfile::Problems(problems)).into());
    }
    Ok(config.relative_to(path.parent().unwrap_or(Path::new("."))))
}
