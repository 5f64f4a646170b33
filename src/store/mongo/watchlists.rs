//! Watchlists in MongoDB: collection `watchlists` of `finance_db`, one document per
//! watchlist `{name, tickers: [..], created_at, updated_at, version}` under a unique `name`
//! index. `version` counts the document's edits (documents written before it existed lack
//! it and count as unedited). Removing tickers is one `$pullAll`; every other edit reads the
//! document and writes it back only if its `_id` and `version` still match, reading it
//! again when another writer got there first.

use chrono::Utc;
use futures::TryStreamExt as _;
use mongodb::bson::{self, Bson, Document, doc};
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};

use super::{DUPLICATE_KEY, MongoStore, server_code};
use crate::model::shown;
use crate::store::{
    EDIT_ATTEMPTS, StoreError, Watchlist, WatchlistEdit, WatchlistEdited, WatchlistError,
};

const WATCHLISTS: &str = "watchlists";

#[derive(Serialize, Deserialize)]
struct WatchlistDoc {
    /// Absent when inserting (the server gives one).
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    id: Option<Bson>,
    name: String,
    tickers: Vec<String>,
    created_at: bson::DateTime,
    updated_at: bson::DateTime,
    /// How many times it was edited; `None` in documents written before versions.
    #[serde(default)]
    version: Option<i64>,
}

impl WatchlistDoc {
    fn from_list(list: &Watchlist) -> Self {
        Self {
            id: None,
            version: Some(0),
            name: list.name.clone(),
            tickers: list.tickers.clone(),
            created_at: bson::DateTime::from_millis(list.created_at.timestamp_millis()),
            updated_at: bson::DateTime::from_millis(list.updated_at.timestamp_millis()),
        }
    }

    fn to_list(&self) -> Result<Watchlist, StoreError> {
        let time = |t: bson::DateTime| {
            chrono::DateTime::<Utc>::from_timestamp_millis(t.timestamp_millis()).ok_or_else(|| {
                StoreError::Corrupt {
                    location: WATCHLISTS.to_owned(),
                    detail: format!("{}: timestamp {t} out of range", shown(&self.name)),
                }
            })
        };
        Ok(Watchlist {
            created_at: time(self.created_at)?,
            updated_at: time(self.updated_at)?,
            name: self.name.clone(),
            tickers: self.tickers.clone(),
        })
    }
}

impl MongoStore {
    fn watchlist_collection(&self) -> Collection<WatchlistDoc> {
        self.db.collection(WATCHLISTS)
    }

    /// The unique `name` index (creating an existing index again is a no-op).
    pub(super) async fn create_watchlist_indexes(&self) -> Result<(), StoreError> {
        let model = IndexModel::builder()
            .keys(doc! { "name": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build();
        self.watchlist_collection()
            .create_index(model)
            .await
            .map_err(|err| self.index_error(WATCHLISTS, &err))?;
        Ok(())
    }

    pub(crate) async fn watchlists_all(&self) -> Result<Vec<Watchlist>, StoreError> {
        let docs: Vec<WatchlistDoc> = self
            .watchlist_collection()
            .find(doc! {})
            .sort(doc! { "name": 1 })
            .await
            .map_err(|e| self.error(&e))?
            .try_collect()
            .await
            .map_err(|e| self.error(&e))?;
        docs.into_iter().map(|d| d.to_list()).collect()
    }

    pub(crate) async fn watchlist_get(&self, name: &str) -> Result<Option<Watchlist>, StoreError> {
        self.watchlist_doc(doc! { "name": name })
            .await?
            .map(|d| d.to_list())
            .transpose()
    }

    pub(crate) async fn watchlist_insert(&self, list: &Watchlist) -> Result<(), StoreError> {
        match self
            .watchlist_collection()
            .insert_one(WatchlistDoc::from_list(list))
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if server_code(&e) == Some(DUPLICATE_KEY) => {
                Err(WatchlistError::Duplicate(list.name.clone()).into())
            }
            Err(e) => Err(self.error(&e)),
        }
    }

    /// Applies `edit` to watchlist `name` atomically; `None` if there is none.
    pub(crate) async fn watchlist_edit(
        &self,
        name: &str,
        edit: &WatchlistEdit,
    ) -> Result<Option<WatchlistEdited>, StoreError> {
        if let WatchlistEdit::Remove(tickers) = edit {
            return self.watchlist_pull(name, tickers, edit).await;
        }
        for _ in 0..EDIT_ATTEMPTS {
            let Some(doc) = self.watchlist_doc(doc! { "name": name }).await? else {
                return Ok(None);
            };
            let before = doc.to_list()?;
            let Some(after) = edit.apply(&before, Utc::now()) else {
                return Ok(Some(WatchlistEdited {
                    after: before.clone(),
                    before,
                }));
            };
            let result = self
                .watchlist_collection()
                .update_one(
                    unchanged_since_read(&doc),
                    doc! {
                        "$set": {
                            "name": &after.name,
                            "tickers": &after.tickers,
                            "updated_at": millis(&after),
                        },
                        "$inc": { "version": 1_i64 },
                    },
                )
                .await;
            match result {
                Ok(r) if r.matched_count > 0 => {
                    return Ok(Some(WatchlistEdited { before, after }));
                }
                // Another writer changed it since it was read: read it again.
                Ok(_) => {}
                Err(e) if server_code(&e) == Some(DUPLICATE_KEY) => {
                    return Err(WatchlistError::Duplicate(after.name).into());
                }
                Err(e) => return Err(self.error(&e)),
            }
        }
        Err(WatchlistError::Contended(name.to_owned()).into())
    }

    /// `tickers` taken out of watchlist `name` in one `$pullAll` (`edit` is that removal).
    async fn watchlist_pull(
        &self,
        name: &str,
        tickers: &[String],
        edit: &WatchlistEdit,
    ) -> Result<Option<WatchlistEdited>, StoreError> {
        let now = Utc::now();
        let held = self
            .watchlist_collection()
            .find_one_and_update(
                doc! { "name": name, "tickers": { "$in": tickers } },
                pull(tickers, now),
            )
            .return_document(ReturnDocument::Before)
            .await
            .map_err(|e| self.error(&e))?;
        match held {
            Some(doc) => {
                let before = doc.to_list()?;
                let after = edit.apply(&before, now).unwrap_or_else(|| before.clone());
                Ok(Some(WatchlistEdited { before, after }))
            }
            // It holds none of them (or does not exist): nothing to write.
            None => Ok(self
                .watchlist_doc(doc! { "name": name })
                .await?
                .map(|doc| doc.to_list())
                .transpose()?
                .map(|list| WatchlistEdited {
                    before: list.clone(),
                    after: list,
                })),
        }
    }

    /// Takes ticker `key` out of every watchlist holding it, one `$pull` per watchlist; the
    /// names of those watchlists, sorted.
    pub(super) async fn watchlists_drop_ticker(
        &self,
        key: &str,
    ) -> Result<Vec<String>, StoreError> {
        let keys = [key.to_owned()];
        let mut names = Vec::new();
        while let Some(doc) = self
            .watchlist_collection()
            .find_one_and_update(doc! { "tickers": key }, pull(&keys, Utc::now()))
            .await
            .map_err(|e| self.error(&e))?
        {
            names.push(doc.name);
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    async fn watchlist_doc(&self, filter: Document) -> Result<Option<WatchlistDoc>, StoreError> {
        self.watchlist_collection()
            .find_one(filter)
            .await
            .map_err(|e| self.error(&e))
    }

    pub(crate) async fn watchlist_delete(&self, name: &str) -> Result<bool, StoreError> {
        let result = self
            .watchlist_collection()
            .delete_one(doc! { "name": name })
            .await
            .map_err(|e| self.error(&e))?;
        Ok(result.deleted_count > 0)
    }
}

fn millis(list: &Watchlist) -> bson::DateTime {
    bson::DateTime::from_millis(list.updated_at.timestamp_millis())
}

/// Matches `doc` only while it is as it was read: the same `_id` and `version` (or still no
/// `version`, for a document written before versions).
fn unchanged_since_read(doc: &WatchlistDoc) -> Document {
    let version = match doc.version {
        Some(v) => Bson::Int64(v),
        None => Bson::Document(doc! { "$exists": false }),
    };
    let mut filter = Document::new();
    match &doc.id {
        Some(id) => filter.insert("_id", id.clone()),
        None => filter.insert("name", doc.name.clone()),
    };
    filter.insert("version", version);
    filter
}

/// The update taking `tickers` out of a watchlist at `now` (a new `version`; `updated_at`
/// never goes back).
fn pull(tickers: &[String], now: chrono::DateTime<Utc>) -> Document {
    doc! {
        "$pullAll": { "tickers": tickers },
        "$max": { "updated_at": bson::DateTime::from_millis(now.timestamp_millis()) },
        "$inc": { "version": 1_i64 },
    }
}
