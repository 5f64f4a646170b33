//! The parts of the config file read outside the store: the `[source]` table.

use anyhow::Context as _;

use crate::source::{SourceConfig, SourceSettings};
use crate::store::{StoreArgs, default_config_path};

/// The download sources for a command: base URLs from `--source-url` values (`NAME=URL`,
/// a bare URL for Yahoo, which `WICKVIEW_SOURCE_URL` also sets), then the config file's
/// `[source]` table (`--config FILE`, else the default file if it exists): timeouts, the
/// URLs the flags left alone, per-category orders, the breaker.
pub fn source_config(store: &StoreArgs, urls: &[String]) -> anyhow::Result<SourceConfig> {
    let flags = SourceConfig::from_flags(urls).map_err(anyhow::Error::msg)?;
    Ok(flags.with_settings(&source_settings(store)?))
}

/// The config file's `[source]` table (`--config FILE`, else the default file if it exists).
pub fn source_settings(store: &StoreArgs) -> anyhow::Result<SourceSettings> {
    let path = store.config.clone().or_else(default_config_path);
    let text = match &path {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && store.config.is_none() => {
                String::new()
            }
            Err(e) => return Err(e).with_context(|| path.display().to_string()),
        },
        None => String::new(),
    };
    SourceSettings::from_toml(&text).map_err(|e| {
        let file = path
            .as_ref()
            .map_or_else(String::new, |p| p.display().to_string());
        anyhow::anyhow!("{file}: {e}")
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn source_table_sets_the_timeouts() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "[store]\ndb_name = \"x\"\n[source]\nread_timeout_s = 2.5\nticker_deadline_s = 20\n",
        )
        .unwrap();
        let args = StoreArgs {
            config: Some(file.clone()),
            ..StoreArgs::default()
        };
        let c = source_config(&args, &["http://127.0.0.1:9".to_owned()]).unwrap();
        assert_eq!(c.read_timeout, Duration::from_millis(2500));
        assert_eq!(c.ticker_deadline, Duration::from_secs(20));
        assert_eq!(c.base_url, "http://127.0.0.1:9");

        std::fs::write(&file, "[source]\nticker_deadline_s = -1\n").unwrap();
        let err = source_config(&args, &[]).unwrap_err().to_string();
        assert!(err.contains("ticker_deadline_s"), "{err}");
        std::fs::write(&file, "[source]\nread_timeout = 3\n").unwrap();
        assert!(source_config(&args, &[]).is_err());
    }
}
