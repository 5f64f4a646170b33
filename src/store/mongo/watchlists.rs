//! Watchlists in MongoDB: collection `watchlists` of `finance_db`, one document per
//! watchlist `{name, tickers: [..], created_at, updated_at}` under a unique `name` index.

use futures::TryStreamExt as _;
use mongodb::bson::{self, doc};
use mongodb::options::IndexOptions;
use mongodb::{Collection, IndexModel};
use serde::{Deserialize, Serialize};

use super::{DUPLICATE_KEY, MongoStore, server_code};
use crate::store::{StoreError, Watchlist, WatchlistError};

const WATCHLISTS: &str = "watchlists";

#[derive(Serialize, Deserialize)]
struct WatchlistDoc {
    name: String,
    tickers: Vec<String>,
    created_at: bson::DateTime,
    updated_at: bson::DateTime,
}

impl WatchlistDoc {
    fn from_list(list: &Watchlist) -> Self {
        Self {
            name: list.name.clone(),
            tickers: list.tickers.clone(),
            created_at: bson::DateTime::from_millis(list.created_at.timestamp_millis()),
            updated_at: bson::DateTime::from_millis(list.updated_at.timestamp_millis()),
        }
    }

    fn into_list(self) -> Result<Watchlist, StoreError> {
        let time = |t: bson::DateTime| {
            chrono::DateTime::<chrono::Utc>::from_timestamp_millis(t.timestamp_millis()).ok_or_else(
                || StoreError::Corrupt {
                    location: WATCHLISTS.to_owned(),
                    detail: format!("{}: timestamp {t} out of range", self.name),
                },
            )
        };
        Ok(Watchlist {
            created_at: time(self.created_at)?,
            updated_at: time(self.updated_at)?,
            name: self.name,
            tickers: self.tickers,
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
        docs.into_iter().map(WatchlistDoc::into_list).collect()
    }

    pub(crate) async fn watchlist_get(&self, name: &str) -> Result<Option<Watchlist>, StoreError> {
        self.watchlist_collection()
            .find_one(doc! { "name": name })
            .await
            .map_err(|e| self.error(&e))?
            .map(WatchlistDoc::into_list)
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

    pub(crate) async fn watchlist_set_tickers(&self, list: &Watchlist) -> Result<bool, StoreError> {
        let result = self
            .watchlist_collection()
            .update_one(
                doc! { "name": &list.name },
                doc! { "$set": {
                    "tickers": &list.tickers,
                    "updated_at": bson::DateTime::from_millis(list.updated_at.timestamp_millis()),
                } },
            )
            .await
            .map_err(|e| self.error(&e))?;
        Ok(result.matched_count > 0)
    }

    pub(crate) async fn watchlist_rename(
        &self,
        old: &str,
        list: &Watchlist,
    ) -> Result<bool, StoreError> {
        let result = self
            .watchlist_collection()
            .update_one(
                doc! { "name": old },
                doc! { "$set": {
                    "name": &list.name,
                    "updated_at": bson::DateTime::from_millis(list.updated_at.timestamp_millis()),
                } },
            )
            .await;
        match result {
            Ok(r) => Ok(r.matched_count > 0),
            Err(e) if server_code(&e) == Some(DUPLICATE_KEY) => {
                Err(WatchlistError::Duplicate(list.name.clone()).into())
            }
            Err(e) => Err(self.error(&e)),
        }
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
