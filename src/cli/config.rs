//! The parts of the config file read outside the store: the `[source]` table.

use anyhow::Context as _;

use crate::source::{SourceConfig, SourceSettings};
use crate::store::{StoreArgs, default_config_path};

/// The download source for a command: the base URL from `url` (a flag or
/// `WICKVIEW_SOURCE_URL`), else Yahoo's, with the timeouts of the config file's
/// `[source]` table (`--config FILE`, else the default file if it exists).
pub fn source_config(store: &StoreArgs, url: Option<&str>) -> anyhow::Result<SourceConfig> {
    Ok(SourceConfig::from_flag_or_env(url).with_settings(&source_settings(store)?))
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
        let c = source_config(&args, Some("http://127.0.0.1:9")).unwrap();
        assert_eq!(c.read_timeout, Duration::from_millis(2500));
        assert_eq!(c.ticker_deadline, Duration::from_secs(20));
        assert_eq!(c.base_url, "http://127.0.0.1:9");

        std::fs::write(&file, "[source]\nticker_deadline_s = -1\n").unwrap();
        let err = source_config(&args, None).unwrap_err().to_string();
        assert!(err.contains("ticker_deadline_s"), "{err}");
        std::fs::write(&file, "[source]\nread_timeout = 3\n").unwrap();
        assert!(source_config(&args, None).is_err());
    }
}
