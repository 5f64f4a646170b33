//! Watchlists: named, ordered sets of tickers, kept in the store (a `watchlists` collection
//! in `finance_db`, a `watchlists` table in the embedded database). The comparison view and
//! `wickview watchlist ...` share them.
//!
//! Every change to a stored watchlist is a [`WatchlistEdit`] that the backend applies to the
//! list as stored at that moment, atomically: the embedded store reads and writes it in one
//! `IMMEDIATE` transaction; MongoDB removes with `$pullAll` and writes the other edits only
//! if the document's `version` is still the one read (retrying otherwise). Two processes or
//! tasks editing one list at once therefore never lose each other's changes.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::{Backend, Store, StoreError, canonical_key, to_millis};
use crate::model::{TickerMeta, shown};

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
    #[error("there is no watchlist named '{}'", shown(.0))]
    NotFound(String),
    /// The name is taken.
    #[error("a watchlist named '{}' already exists", shown(.0))]
    Duplicate(String),
    /// The name cannot be used.
    #[error("'{}' cannot name a watchlist: {reason}", shown(.name))]
    InvalidName {
        /// The name given.
        name: String,
        /// Why not.
        reason: &'static str,
    },
    /// Other edits changed the watchlist every time this one was about to be written
    /// ([`EDIT_ATTEMPTS`] times); nothing of this edit was written.
    #[error(
        "watchlist '{}' kept changing while this edit was tried {EDIT_ATTEMPTS} times; nothing of it was written, try again",
        shown(.0)
    )]
    Contended(String),
}

/// What [`Store::delete_ticker`] removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TickerDeletion {
    /// How many bars were deleted.
    pub bars: u64,
    /// The watchlists it was taken out of, sorted by name.
    pub watchlists: Vec<String>,
}

/// How often MongoDB tries an edit whose watchlist another writer changed since it was read.
pub const EDIT_ATTEMPTS: usize = 50;

/// One change to a stored watchlist, applied by the backend to the list as stored when the
/// change is written (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchlistEdit {
    /// Replace its tickers with these (in order, repeats dropped).
    Replace(Vec<String>),
    /// Append these, in order, except those already in it (which stay where they are).
    Append(Vec<String>),
    /// Take these out of it.
    Remove(Vec<String>),
    /// Give it this name (checked by [`watchlist_name`]).
    Rename(String),
}

impl WatchlistEdit {
    /// The edit with canonical ticker keys (each once) and a checked name.
    fn normalized(self) -> Result<Self, StoreError> {
        Ok(match self {
            Self::Replace(t) => Self::Replace(unique_keys(&t)),
            Self::Append(t) => Self::Append(unique_keys(&t)),
            Self::Remove(t) => Self::Remove(unique_keys(&t)),
            Self::Rename(name) => Self::Rename(watchlist_name(&name)?),
        })
    }

    /// `list` after this edit at `now`, or `None` when it changes nothing.
    pub(crate) fn apply(&self, list: &Watchlist, now: DateTime<Utc>) -> Option<Watchlist> {
        let mut next = list.clone();
        match self {
            Self::Replace(tickers) => next.tickers.clone_from(tickers),
            Self::Append(tickers) => {
                let held: HashSet<&String> = list.tickers.iter().collect();
                next.tickers
                    .extend(tickers.iter().filter(|t| !held.contains(t)).cloned());
            }
            Self::Remove(tickers) => {
                let drop: HashSet<&String> = tickers.iter().collect();
                next.tickers.retain(|t| !drop.contains(t));
            }
            Self::Rename(name) => next.name.clone_from(name),
        }
        if next.tickers == list.tickers && next.name == list.name {
            return None;
        }
        next.updated_at = to_millis(now).max(list.updated_at);
        Some(next)
    }
}

/// A watchlist as it was just before an edit and just after it (the same when the edit
/// changed nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchlistEdited {
    /// As stored when the edit was applied.
    pub before: Watchlist,
    /// As the edit left it.
    pub after: Watchlist,
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

    /// Applies `edit` to watchlist `name` atomically (see the module documentation):
    /// [`WatchlistError::NotFound`] if there is none, [`WatchlistError::Duplicate`] for a
    /// rename to a taken name.
    pub async fn edit_watchlist(
        &self,
        name: &str,
        edit: WatchlistEdit,
    ) -> Result<WatchlistEdited, StoreError> {
        let edit = edit.normalized()?;
        let name = name.trim().to_owned();
        let edited = match &*self.backend {
            Backend::Embedded(b) => b.watchlist_edit(&name, &edit).await?,
            Backend::Mongo(b) => b.watchlist_edit(&name, &edit).await?,
        };
        edited.ok_or_else(|| WatchlistError::NotFound(name).into())
    }

    /// Replaces the tickers of watchlist `name` (in order, repeats dropped).
    pub async fn set_watchlist_tickers(
        &self,
        name: &str,
        tickers: &[String],
    ) -> Result<Watchlist, StoreError> {
        let edit = WatchlistEdit::Replace(tickers.to_vec());
        Ok(self.edit_watchlist(name, edit).await?.after)
    }

    /// Appends `tickers` to watchlist `name` (those already in it stay where they are).
    pub async fn add_to_watchlist(
        &self,
        name: &str,
        tickers: &[String],
    ) -> Result<Watchlist, StoreError> {
        let edit = WatchlistEdit::Append(tickers.to_vec());
        Ok(self.edit_watchlist(name, edit).await?.after)
    }

    /// Removes `tickers` from watchlist `name`.
    pub async fn remove_from_watchlist(
        &self,
        name: &str,
        tickers: &[String],
    ) -> Result<Watchlist, StoreError> {
        let edit = WatchlistEdit::Remove(tickers.to_vec());
        Ok(self.edit_watchlist(name, edit).await?.after)
    }

    /// Renames watchlist `from` to `to`; [`WatchlistError::Duplicate`] if `to` is taken.
    pub async fn rename_watchlist(&self, from: &str, to: &str) -> Result<Watchlist, StoreError> {
        let edit = WatchlistEdit::Rename(to.to_owned());
        Ok(self.edit_watchlist(from, edit).await?.after)
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
    fn edits_apply_to_the_stored_list() {
        let t = |ms| DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
        let keys = |k: &[&str]| k.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let list = Watchlist {
            name: "Tech".into(),
            tickers: keys(&["MSFT", "AAPL"]),
            created_at: t(1_000),
            updated_at: t(5_000),
        };
        let append = WatchlistEdit::Append(keys(&["AAPL", "IBM"]));
        let next = append.apply(&list, t(9_000)).unwrap();
        assert_eq!(next.tickers, ["MSFT", "AAPL", "IBM"], "held ones stay put");
        assert_eq!((next.created_at, next.updated_at), (t(1_000), t(9_000)));
        // A clock behind the stored time never moves `updated_at` back.
        let next = append.apply(&list, t(2_000)).unwrap();
        assert_eq!(next.updated_at, t(5_000));
        let remove = WatchlistEdit::Remove(keys(&["MSFT", "NOPE"]));
        assert_eq!(remove.apply(&list, t(9_000)).unwrap().tickers, ["AAPL"]);
        let rename = WatchlistEdit::Rename("Big".into());
        assert_eq!(rename.apply(&list, t(9_000)).unwrap().name, "Big");
        // Edits that change nothing are not written.
        for same in [
            WatchlistEdit::Append(keys(&["AAPL"])),
            WatchlistEdit::Remove(keys(&["IBM"])),
            WatchlistEdit::Replace(keys(&["MSFT", "AAPL"])),
            WatchlistEdit::Rename("Tech".into()),
        ] {
            assert_eq!(same.apply(&list, t(9_000)), None, "{same:?}");
        }
        // Normalized: canonical keys, each once; a bad name is refused.
        assert_eq!(
            WatchlistEdit::Append(keys(&["aapl", "005930.KS", "AAPL", " "]))
                .normalized()
                .unwrap(),
            WatchlistEdit::Append(keys(&["AAPL", "005930"]))
        );
        assert!(WatchlistEdit::Rename("@x".into()).normalized().is_err());
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
