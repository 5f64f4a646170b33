//! The `drawings` collection of `finance_db`: one document per drawing,
//! `{ticker, id, kind, anchors: [{date, price}], color, width, text}` with `date` a BSON date
//! at 00:00 UTC of the trading day and `color` the integer `0xRRGGBBAA`; a unique
//! `{ticker: 1, id: 1}` index, created at open.
//!
//! Documents are read raw and decoded one by one, field by field (any BSON number where a
//! number belongs), so a document another tool wrote differently is reported with why and
//! never fails the read. Changes are written by `{ticker, id}`: a replace with upsert per
//! drawing, one delete of the deleted ids.

use futures::TryStreamExt as _;
use mongodb::IndexModel;
use mongodb::bson::{Bson, Document, RawDocumentBuf, doc};
use mongodb::options::IndexOptions;

use super::{MongoStore, bson_date, naive_date};
use crate::model::{Anchor, Drawing, DrawingChanges, shown};
use crate::store::StoreError;
use crate::store::drawings::{
    DRAWINGS, DrawingRecord, TickerDrawings, UnreadableDrawing, color_to_int, finish_read, number,
};

/// The stored document of a drawing.
fn drawing_doc(ticker: &str, d: &Drawing) -> Document {
    let anchors: Vec<Document> = d
        .anchors
        .iter()
        .map(|a| doc! { "date": bson_date(a.day), "price": a.price })
        .collect();
    doc! {
        "ticker": ticker,
        "id": d.id,
        "kind": d.kind.storage_name(),
        "anchors": anchors,
        "color": color_to_int(d.color),
        "width": f64::from(d.width),
        "text": d.text.as_str(),
    }
}

/// What a stored value is, for a reason (`text 'abc'`, `the number 7.5`, `a boolean`).
fn describe(v: &Bson) -> String {
    match v {
        Bson::String(s) => format!("text '{}'", shown(s)),
        Bson::Double(f) => format!("the number {}", number(*f)),
        Bson::Int32(i) => format!("the integer {i}"),
        Bson::Int64(i) => format!("the integer {i}"),
        Bson::Null => "null".to_owned(),
        Bson::Boolean(b) => format!("the boolean {b}"),
        other => format!("a BSON {:?}", other.element_type()),
    }
}

/// `field` of `doc`, or why it is missing.
fn field<'a>(doc: &'a Document, name: &str) -> Result<&'a Bson, String> {
    doc.get(name).ok_or_else(|| format!("{name} is missing"))
}

/// A stored number (any BSON number type).
fn float(v: &Bson, what: &str) -> Result<f64, String> {
    match v {
        Bson::Double(f) => Ok(*f),
        Bson::Int32(i) => Ok(f64::from(*i)),
        Bson::Int64(i) => Ok(*i as f64),
        other => Err(format!("{what} is {}", describe(other))),
    }
}

/// A stored whole number (a double counts when it has no fraction, as a shell writes one).
fn integer(v: &Bson, what: &str) -> Result<i64, String> {
    match v {
        Bson::Int32(i) => Ok(i64::from(*i)),
        Bson::Int64(i) => Ok(*i),
        Bson::Double(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(*f as i64),
        other => Err(format!("{what} is {}", describe(other))),
    }
}

/// The id of a stored document (a whole number) and what it counts as for the highest id
/// (a number with a fraction rounded up: a query for an integer id matches it when equal).
fn doc_id(doc: &Document) -> (Result<i64, String>, Option<i64>) {
    let id = field(doc, "id").and_then(|v| integer(v, "id"));
    let highest = match (&id, doc.get("id")) {
        (Ok(id), _) => Some(*id),
        (Err(_), Some(Bson::Double(f))) if f.is_finite() => Some(f.ceil() as i64),
        _ => None,
    };
    (id, highest)
}

/// The record of a stored document with id `id`, or why it does not fit.
fn record(doc: &Document, id: i64) -> Result<DrawingRecord, String> {
    let kind = match field(doc, "kind")? {
        Bson::String(s) => s.clone(),
        other => return Err(format!("kind is {}", describe(other))),
    };
    let stored = field(doc, "anchors")?;
    let Bson::Array(items) = stored else {
        return Err(format!("anchors is {}", describe(stored)));
    };
    let mut anchors = Vec::with_capacity(items.len());
    for (k, item) in items.iter().enumerate() {
        let point = k + 1;
        let Bson::Document(a) = item else {
            return Err(format!("point {point} is {}", describe(item)));
        };
        let day = match field(a, "date").map_err(|e| format!("point {point}: {e}"))? {
            Bson::DateTime(t) => naive_date(*t)
                .ok_or_else(|| format!("the date of point {point} is out of range"))?,
            other => return Err(format!("the date of point {point} is {}", describe(other))),
        };
        let price = field(a, "price")
            .map_err(|e| format!("point {point}: {e}"))
            .and_then(|v| float(v, &format!("the price of point {point}")))?;
        anchors.push(Anchor::new(day, price));
    }
    let text = match doc.get("text") {
        None => String::new(),
        Some(Bson::String(s)) => s.clone(),
        Some(other) => return Err(format!("text is {}", describe(other))),
    };
    Ok(DrawingRecord {
        id,
        kind,
        anchors,
        color: integer(field(doc, "color")?, "color")?,
        width: float(field(doc, "width")?, "width")?,
        text,
    })
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

    pub async fn drawings(&self, key: &str) -> Result<TickerDrawings, StoreError> {
        // Raw: a document that is not valid BSON as the driver reads it (text that is not
        // UTF-8, say) fails on its own below, not the whole read.
        let raws: Vec<RawDocumentBuf> = self
            .db
            .collection::<RawDocumentBuf>(DRAWINGS)
            .find(doc! { "ticker": key })
            .await
            .map_err(|e| self.error(&e))?
            .try_collect()
            .await
            .map_err(|e| self.error(&e))?;
        let (mut drawings, mut unreadable, mut ids) = (Vec::new(), Vec::new(), Vec::new());
        for raw in raws {
            let doc = match Document::try_from(raw) {
                Ok(doc) => doc,
                Err(e) => {
                    unreadable.push(UnreadableDrawing {
                        id: None,
                        reason: format!("not readable BSON: {}", shown(&e.to_string())),
                    });
                    continue;
                }
            };
            let (id, highest) = doc_id(&doc);
            ids.extend(highest);
            let read = id
                .clone()
                .and_then(|id| record(&doc, id))
                .and_then(DrawingRecord::into_drawing);
            match read {
                Ok(d) => drawings.push(d),
                Err(reason) => unreadable.push(UnreadableDrawing {
                    id: id.ok(),
                    reason,
                }),
            }
        }
        Ok(finish_read(drawings, unreadable, ids.into_iter()))
    }

    /// Replaces (or inserts) each changed drawing by `{ticker, id}`, then deletes the
    /// deleted ids: rerunning after a failure midway ends in the same state.
    pub async fn apply_drawing_changes(
        &self,
        key: &str,
        changes: &DrawingChanges,
    ) -> Result<(), StoreError> {
        let coll = self.db.collection::<Document>(DRAWINGS);
        for d in &changes.upserts {
            coll.replace_one(doc! { "ticker": key, "id": d.id }, drawing_doc(key, d))
                .upsert(true)
                .await
                .map_err(|e| self.error(&e))?;
        }
        if !changes.deleted.is_empty() {
            coll.delete_many(doc! { "ticker": key, "id": { "$in": changes.deleted.as_slice() } })
                .await
                .map_err(|e| self.error(&e))?;
        }
        Ok(())
    }

    /// Deletes every drawing document of the ticker, readable or not (the ticker is deleted).
    pub async fn delete_all_drawings(&self, key: &str) -> Result<(), StoreError> {
        self.db
            .collection::<Document>(DRAWINGS)
            .delete_many(doc! { "ticker": key })
            .await
            .map(|_| ())
            .map_err(|e| self.error(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_that_do_not_fit_say_why() {
        let good = doc! {
            "ticker": "AAPL", "id": 4.0, "kind": "level",
            "anchors": [{ "date": bson_date(chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap()), "price": 10_i32 }],
            "color": 0xFFC1_07FF_i64, "width": 2_i32,
        };
        let (id, highest) = doc_id(&good);
        assert_eq!(
            (id.clone(), highest),
            (Ok(4), Some(4)),
            "a shell's 4.0 is 4"
        );
        let d = record(&good, 4)
            .and_then(DrawingRecord::into_drawing)
            .unwrap();
        assert_eq!(
            (d.anchors[0].price, d.width, d.text.as_str()),
            (10.0, 2.0, "")
        );

        let mut frac = good.clone();
        frac.insert("id", 20.5);
        assert_eq!(
            doc_id(&frac),
            (Err("id is the number 20.5".to_owned()), Some(21))
        );
        let mut text_id = good.clone();
        text_id.insert("id", "x7");
        assert_eq!(doc_id(&text_id), (Err("id is text 'x7'".to_owned()), None));
        let mut no_id = good.clone();
        no_id.remove("id");
        assert_eq!(doc_id(&no_id).0, Err("id is missing".to_owned()));

        let mut price = good.clone();
        price.insert(
            "anchors",
            vec![doc! { "date": "2024-01-02", "price": "abc" }],
        );
        assert_eq!(
            record(&price, 4).err().as_deref(),
            Some("the date of point 1 is text '2024-01-02'")
        );
        let mut kind = good;
        kind.insert("kind", 3_i32);
        assert_eq!(
            record(&kind, 4).err().as_deref(),
            Some("kind is the integer 3")
        );
    }
}
