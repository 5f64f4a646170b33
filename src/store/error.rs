//! Errors of the store. Messages name the host or file, never a password.

use std::path::PathBuf;

use crate::model::ModelError;

/// What went wrong in a store operation.
///
/// Every message is safe to show to the user and to log: MongoDB passwords are
/// redacted before a message is built. [`StoreError::is_transient`] tells the caller
/// whether retrying the same call later may succeed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The MongoDB server could not be reached, or the connection was lost during the
    /// operation. Writes are idempotent upserts, so rerunning the same write is safe.
    #[error("cannot reach MongoDB at {host}: {detail}")]
    Unreachable {
        /// The configured host list (`host1:27017,host2:27017`), without credentials.
        host: String,
        /// What the driver reported (password redacted).
        detail: String,
    },
    /// The server refused the credentials in the URI.
    #[error("MongoDB at {host} refused the login: {detail}")]
    Auth {
        /// The configured host list, without credentials.
        host: String,
        /// What the driver reported (password redacted).
        detail: String,
    },
    /// `add_ticker` for a ticker that is already stored (tickers are unique across categories).
    #[error("ticker {} already exists", crate::model::shown(.0))]
    DuplicateTicker(String),
    /// The ticker has no metadata in the store.
    #[error("unknown ticker {}: it is not in the ticker list", crate::model::shown(.0))]
    UnknownTicker(String),
    /// The ticker is not valid for its (new) category.
    #[error(transparent)]
    InvalidTicker(#[from] ModelError),
    /// A drawing that cannot be stored (wrong anchors, a price that is not a number, ...).
    #[error("invalid drawing: {0}")]
    InvalidDrawing(#[from] crate::model::DrawingError),
    /// The store location or connection settings are wrong (bad URI, unreadable or
    /// malformed config file, no data directory).
    #[error("store configuration: {0}")]
    Config(String),
    /// A file-system operation on the embedded store's directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The disk (or the database's quota) is full: nothing of the failed write was kept.
    #[error(
        "{location}: storage is full, nothing of this write was kept; free some space and retry"
    )]
    StorageFull {
        /// The database file or server.
        location: String,
    },
    /// Another process held the embedded database's write lock for longer than the busy
    /// timeout (30 s) this write waited.
    #[error(
        "{location}: the database is busy: another process kept writing to it for longer than this write waited (30 s); retry when it is done"
    )]
    Busy {
        /// The database file.
        location: String,
    },
    /// The embedded database was locked by another process in a way this one did not wait
    /// out for the busy timeout: two processes creating, converting or upgrading the file
    /// at the same moment (retried until the busy timeout, then given up), or a lock
    /// conflict SQLite reports at once. Nothing was changed.
    #[error("{location}: {detail}; nothing was changed, retry")]
    Contended {
        /// The database file.
        location: String,
        /// What happened, and how long this process waited.
        detail: String,
    },
    /// A ticker name with control characters (a newline, a tab, a terminal escape sequence).
    #[error("the name '{}' holds control characters (newlines, tabs or escape sequences); give a plain one-line name", crate::model::shown(.0))]
    InvalidName(String),
    /// The store was opened read-only (or its file or directory is not writable), so a
    /// write was refused; nothing changed.
    #[error("{location}: the store is read-only here, nothing was written")]
    ReadOnly {
        /// The database file.
        location: String,
    },
    /// The MongoDB user lacks the rights for the operation (the server's `Unauthorized`,
    /// code 13), e.g. a write by a user with only the `read` role; nothing was written.
    #[error("this user may not {action} {database}")]
    NotPermitted {
        /// `write to` or `read`.
        action: &'static str,
        /// The database (`finance_db`).
        database: String,
    },
    /// A stored value cannot be read back (a document or row that does not fit the model).
    #[error("{location}: stored data is not readable: {detail}")]
    Corrupt {
        /// The collection or table.
        location: String,
        /// What did not fit.
        detail: String,
    },
    /// A watchlist that does not exist, a name already taken, or a name that cannot be used.
    #[error(transparent)]
    Watchlist(#[from] super::watchlists::WatchlistError),
    /// Any other error the database reported.
    #[error("{backend} error: {detail}")]
    Backend {
        /// `MongoDB` or `SQLite`.
        backend: &'static str,
        /// What it reported (password redacted).
        detail: String,
    },
}

impl StoreError {
    /// Whether retrying the same call later may succeed (the server was unreachable,
    /// the connection dropped, or the database file was locked).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::Busy { .. } | Self::Contended { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_errors_are_the_retryable_ones() {
        let unreachable = StoreError::Unreachable {
            host: "db1:27017".into(),
            detail: "connection refused".into(),
        };
        assert!(unreachable.is_transient());
        assert_eq!(
            unreachable.to_string(),
            "cannot reach MongoDB at db1:27017: connection refused"
        );
        assert!(
            StoreError::Busy {
                location: "x".into()
            }
            .is_transient()
        );
        assert!(!StoreError::DuplicateTicker("AAPL".into()).is_transient());
        assert!(!StoreError::UnknownTicker("AAPL".into()).is_transient());
        assert!(
            !StoreError::StorageFull {
                location: "x".into()
            }
            .is_transient()
        );
    }
}
