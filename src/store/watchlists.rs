//! Watchlists: named, ordered sets of tickers, kept in the store (a `watchlists` collection
//! in `finance_db`, a `watchlists` table in the embedded database). The comparison view and
//! `wickview watchlist ...` share them.

use chrono::{DateTime, Utc};

use super::{Backend, Store, StoreError, canonical_key, to_millis};
use crate::model::TickerMeta;

/// Longest watchlist name, in characters.
pub const MAX_WATCHLIST_NAME: usize = 64;

/// One watchlist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watchlist {
    /// Its name (unique, trimmed, case kept).
    pub name: String,
    /// Ticker symbols in the user's order, each once (canonical keys: `005930`, `AAPL`).
    pub tickers: Vec<String>,
    /// When it was created (millisecond precision).
    pub created_at: DateTime<Utc>,
    /// When it last changed (millisecond precision).
    pub updated_at: DateTime<Utc>,
}

/// What went wrong with a watchlist.
#[derive(Debug, thiserror::Error)]
pub enum WatchlistError {
    /// No watchlist has this name.
    #[error("there is no watchlist named '{0}'")]
    NotFound(String),
    /// The name is taken.
    #[error("a watchlist named '{0}' already exists")]
    Duplicate(String),
    /// The name cannot be used.
    #[error("'{name}' cannot name a watchlist: {reason}")]
    InvalidName {
        /// The name given.
        name: String,
        /// Why not.
        reason: &'static str,
    },
}

/// Checks and trims a watchlist name: 1 to [`MAX_WATCHLIST_NAME`] characters, no control
/// characters, not starting with `@` (which marks a watchlist on the command line).
pub fn watchlist_name(input: &str) -> Result<String, StoreError> {
    let name = input.trim();
    let invalid = |reason| {
        StoreError::Watchlist(WatchlistError::InvalidName {
            name: input.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return Err(invalid("the name is empty"));
    }
    if name.chars().count() > MAX_WATCHLIST_NAME {
        return Err(invalid("the name is longer than 64 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("the name contains control characters"));
    }
    if name.starts_with('@') {
        return Err(invalid("the name starts with @"));
    }
    Ok(name.to_owned())
}

/// Splits a pasted list of tickers: commas, semicolons, spaces, tabs and newlines separate
/// them; each becomes its canonical key; blanks and repeats are dropped (first kept).
pub fn split_ticker_list(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
        let key = canonical_key(part);
        if !key.is_empty() && !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

fn unique_keys(tickers: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tickers.len());
    for t in tickers {
        let key = canonical_key(t);
        if !key.is_empty() && !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

impl Store {
    /// Every watchlist, sorted by name.
    pub async fn watchlists(&self) -> Result<Vec<Watchlist>, StoreError> {
        let mut all = match &*self.backend {
            Backend::Embedded(b) => b.watchlists_all().await?,
            Backend::Mongo(b) => b.watchlists_all().await?,
        };
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    /// The watchlist named `name`, if there is one.
    pub async fn watchlist(&self, name: &str) -> Result<Option<Watchlist>, StoreError> {
        let name = name.trim().to_owned();
        match &*self.backend {
            Backend::Embedded(b) => b.watchlist_get(&name).await,
            Backend::Mongo(b) => b.watchlist_get(&name).await,
        }
    }

    /// The watchlist named `name`, or [`WatchlistError::NotFound`].
    pub async fn existing_watchlist(&self, name: &str) -> Result<Watchlist, StoreError> {
        self.watchlist(name)
            .await?
            .ok_or_else(|| WatchlistError::NotFound(name.trim().to_owned()).into())
    }

    /// Creates a watchlist of `tickers` (in order, repeats dropped);
    /// [`WatchlistError::Duplicate`] if the name is taken.
    pub async fn create_watchlist(
        &self,
        name: &str,
        tickers: &[String],
    ) -> Result<Watchlist, StoreError> {
        let now = to_millis(Utc::now());
        let list = Watchlist {
            name: watchlist_name(name)?,
            tickers: unique_keys(tickers),
            created_at: now,
            updated_at: now,
        };
        match &*self.backend {
            Backend::Embedded(b) => b.watchlist_insert(&list).await?,
            Backend::Mongo(b) => b.watchlist_insert(&list).await?,
        }
        Ok(list)
    }

    /// Replaces the tickers of watchlist `name` (in order, repeats dropped).
    pub async fn set_watchlist_tickers(
        &self,
        name: &str,
        tickers: &[String],
    ) -> Result<Watchlist, StoreError> {
        let mut list = self.existing_watchlist(name).await?;
        list.tickers = unique_keys(tickers);
        list.updated_at = to_millis(Utc::now()).max(list.updated_at);
        let found = match &*self.backend {
            Backend::Embedded(b) => b.watchlist_set_tickers(&list).await?,
            Backend::Mongo(b) => b.watchlist_set_tickers(&list).await?,
        };
        if !found {
            return Err(WatchlistError::NotFound(list.name).into());
        }
        Ok(list)
    }

    /// Appends `tickers` to watchlist `name` (those already in it stay where they are).
    pub async fn add_to_watchlist(
        &self,
        name: &str,
        tickers: &[String],
    ) -> Result<Watchlist, StoreError> {
        let list = self.existing_watchlist(name).await?;
        let mut all = list.tickers;
        all.extend(tickers.iter().cloned());
        self.set_watchlist_tickers(&list.name, &all).await
    }

    /// Removes `tickers` from watchlist `name`.
    pub async fn remove_from_watchlist(
        &self,
        name: &str,
        tickers: &[String],
    ) -> Result<Watchlist, StoreError> {
        let list = self.existing_watchlist(name).await?;
        let drop: Vec<String> = tickers.iter().map(|t| canonical_key(t)).collect();
        let kept: Vec<String> = list
            .tickers
            .into_iter()
            .filter(|t| !drop.contains(t))
            .collect();
        self.set_watchlist_tickers(&list.name, &kept).await
    }

    /// Renames watchlist `from` to `to`; [`WatchlistError::Duplicate`] if `to` is taken.
    pub async fn rename_watchlist(&self, from: &str, to: &str) -> Result<Watchlist, StoreError> {
        let to = watchlist_name(to)?;
        let mut list = self.existing_watchlist(from).await?;
        if list.name == to {
            return Ok(list);
        }
        let old = std::mem::replace(&mut list.name, to);
        list.updated_at = to_millis(Utc::now()).max(list.updated_at);
        let found = match &*self.backend {
            Backend::Embedded(b) => b.watchlist_rename(&old, &list).await?,
            Backend::Mongo(b) => b.watchlist_rename(&old, &list).await?,
        };
        if !found {
            return Err(WatchlistError::NotFound(old).into());
        }
        Ok(list)
    }

    /// Deletes watchlist `name`; whether it existed.
    pub async fn delete_watchlist(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.trim().to_owned();
        match &*self.backend {
            Backend::Embedded(b) => b.watchlist_delete(&name).await,
            Backend::Mongo(b) => b.watchlist_delete(&name).await,
        }
    }

    /// Looks up each of `tickers` in the ticker list: the metadata of the known ones (in
    /// order) and the symbols of the unknown ones.
    pub async fn resolve_tickers(
        &self,
        tickers: &[String],
    ) -> Result<(Vec<TickerMeta>, Vec<String>), StoreError> {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for t in tickers {
            match self.ticker(t).await? {
                Some(meta) => known.push(meta),
                None => unknown.push(t.clone()),
            }
        }
        Ok((known, unknown))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_lists_split_on_any_separator() {
        assert_eq!(
            split_ticker_list("aapl, MSFT\n005930.KS;^gspc\tKRW=X  AAPL,,"),
            ["AAPL", "MSFT", "005930", "^GSPC", "KRW=X"]
        );
        assert!(split_ticker_list(" ,\n ").is_empty());
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(watchlist_name("  Tech 10 ").unwrap(), "Tech 10");
        assert_eq!(watchlist_name("반도체").unwrap(), "반도체");
        for bad in ["", "   ", "@tech", "a\tb", &"x".repeat(65)] {
            let err = watchlist_name(bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    StoreError::Watchlist(WatchlistError::InvalidName { .. })
                ),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn messages_quote_names_short_and_inert() {
        let evil = format!("\u{1b}]0;pwned\u{7}\nnext{}", "x".repeat(10_000));
        let invalid = watchlist_name(&evil).unwrap_err().to_string();
        for msg in [
            invalid,
            WatchlistError::NotFound(evil.clone()).to_string(),
            WatchlistError::Duplicate(evil.clone()).to_string(),
        ] {
            assert!(!msg.chars().any(char::is_control), "{msg:?}");
            assert!(msg.chars().count() < 150, "{msg:?}");
            assert!(msg.contains("\\u{1b}]0;pwned\\u{7}\\nnext"), "{msg:?}");
            assert!(msg.contains("(10015 characters)"), "{msg:?}");
        }
    }
}
