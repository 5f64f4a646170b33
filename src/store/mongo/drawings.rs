//! The `drawings` collection of `finance_db`: one document per drawing,
//! `{ticker, id, kind, anchors: [{date, price}], color, width, text}` with `date` a BSON date
//! at 00:00 UTC of the trading day and `color` the integer `0xRRGGBBAA`; a unique
//! `{ticker: 1, id: 1}` index, created at open.

use futures::TryStreamExt as _;
use mongodb::IndexModel;
use mongodb::bson::{self, Document, doc};
use mongodb::options::IndexOptions;
use serde::{Deserialize, Serialize};

use super::{MongoStore, bson_date, naive_date};
use crate::model::{Anchor, Drawing};
use crate::store::StoreError;
use crate::store::drawings::{DRAWINGS, StoredDrawing, color_to_int};

#[derive(Serialize, Deserialize)]
struct AnchorDoc {
    date: bson::DateTime,
    price: f64,
}

#[derive(Serialize, Deserialize)]
struct DrawingDoc {
    ticker: String,
    id: i64,
    kind: String,
    anchors: Vec<AnchorDoc>,
    color: i64,
    width: f64,
    #[serde(default)]
    text: String,
}

impl DrawingDoc {
    fn from_drawing(ticker: &str, d: &Drawing) -> Self {
        Self {
            ticker: ticker.to_owned(),
            id: d.id,
            kind: d.kind.storage_name().to_owned(),
            anchors: d
                .anchors
                .iter()
                .map(|a| AnchorDoc {
                    date: bson_date(a.day),
                    price: a.price,
                })
                .collect(),
            color: color_to_int(d.color),
            width: f64::from(d.width),
            text: d.text.clone(),
        }
    }

    fn into_drawing(self) -> Result<Drawing, String> {
        let anchors = self
            .anchors
            .iter()
            .map(|a| {
                naive_date(a.date)
                    .map(|day| Anchor::new(day, a.price))
                    .ok_or_else(|| "date out of range".to_owned())
            })
            .collect::<Result<Vec<_>, _>>()?;
        StoredDrawing {
            id: self.id,
            kind: self.kind,
            anchors,
            color: self.color,
            width: self.width,
            text: self.text,
        }
        .into_drawing()
    }
}

impl MongoStore {
    /// Creates the unique `{ticker, id}` index (a no-op when it exists).
    pub(super) async fn create_drawing_index(&self) -> Result<(), StoreError> {
        let model = IndexModel::builder()
            .keys(doc! { "ticker": 1, "id": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build();
        self.db
            .collection::<Document>(DRAWINGS)
            .create_index(model)
            .await
            .map(|_| ())
            .map_err(|err| self.index_error(DRAWINGS, &err))
    }

    pub async fn drawings(&self, key: &str) -> Result<Vec<Drawing>, StoreError> {
        let docs: Vec<Document> = self
            .db
            .collection::<Document>(DRAWINGS)
            .find(doc! { "ticker": key })
            .sort(doc! { "id": 1 })
            .await
            .map_err(|e| self.error(&e))?
            .try_collect()
            .await
            .map_err(|e| self.error(&e))?;
        let mut out = Vec::with_capacity(docs.len());
        for d in docs {
            let id = d.get("id").cloned();
            match bson::from_document::<DrawingDoc>(d)
                .map_err(|e| e.to_string())
                .and_then(DrawingDoc::into_drawing)
            {
                Ok(d) => out.push(d),
                Err(e) => tracing::warn!("{}: drawing {id:?} left out: {e}", self.describe()),
            }
        }
        Ok(out)
    }

    /// Upserts each drawing by `(ticker, id)`, then removes the ticker's others: rerunning
    /// after a failure midway converges on the same set.
    pub async fn save_drawings(&self, key: &str, drawings: &[Drawing]) -> Result<(), StoreError> {
        let coll = self.db.collection::<DrawingDoc>(DRAWINGS);
        for d in drawings {
            coll.replace_one(
                doc! { "ticker": key, "id": d.id },
                DrawingDoc::from_drawing(key, d),
            )
            .upsert(true)
            .await
            .map_err(|e| self.error(&e))?;
        }
        let ids: Vec<i64> = drawings.iter().map(|d| d.id).collect();
        coll.delete_many(doc! { "ticker": key, "id": { "$nin": ids } })
            .await
            .map_err(|e| self.error(&e))?;
        Ok(())
    }
}
