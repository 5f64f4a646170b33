//! Drawings per ticker (the `drawings` collection of `finance_db`, the `drawings` table of
//! the embedded store): the levels, lines and notes a user drew on a ticker's price pane,
//! anchored to (trading day, price).
//!
//! Each stored record is read on its own: one that does not fit the model (written by
//! another tool, another version or a hand edit) is reported with its id and why, and never
//! hides the others. Writes are change sets ([`DrawingChanges`]): drawings stored by id and
//! ids deleted, nothing else touched, so such records stay exactly as they were.

use std::fmt;

use super::{Backend, Store, StoreError, canonical_key, dispatch};
use crate::model::{Anchor, Drawing, DrawingChanges, DrawingKind, MAX_DRAWING_WIDTH, shown};

/// Name of the collection (MongoDB) and table (embedded) of drawings.
pub const DRAWINGS: &str = "drawings";

/// A ticker's stored drawings as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TickerDrawings {
    /// The drawings that fit the model, sorted by id.
    pub drawings: Vec<Drawing>,
    /// The records that do not (left in the store as they are), sorted by id.
    pub unreadable: Vec<UnreadableDrawing>,
    /// The highest id of any stored record of the ticker, unreadable ones included (0 when
    /// there is none): a new drawing takes an id above it, so it never replaces one of them.
    pub max_id: i64,
}

/// A stored drawing record that does not fit the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableDrawing {
    /// Its id, if it has a readable one.
    pub id: Option<i64>,
    /// Why it cannot be read, in a few words (stored text quoted through `model::shown`).
    pub reason: String,
}

impl fmt::Display for UnreadableDrawing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.id {
            Some(id) => write!(f, "#{id} {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl Store {
    /// The drawings stored for `ticker` (forgiving case and a `.KS`/`.KQ` suffix, like
    /// [`Store::ticker`]): those that fit the model, sorted by id, and the records that do
    /// not, each with why (also logged). One bad record never hides the others.
    pub async fn drawings(&self, ticker: &str) -> Result<TickerDrawings, StoreError> {
        let key = drawing_key(ticker)?;
        let read = dispatch!(self.drawings(&key))?;
        for u in &read.unreadable {
            tracing::warn!("{}: a drawing of {key} left out: {u}", self.describe());
        }
        Ok(read)
    }

    /// Stores what the user changed in `ticker`'s drawings: each of `changes.upserts` is
    /// written by its id (added, or replacing the drawing with that id) and each of
    /// `changes.deleted` removed; no other record is touched. Every drawing is checked first
    /// ([`StoreError::InvalidDrawing`]); nothing is written then. Idempotent: a failed call
    /// can simply be rerun.
    pub async fn apply_drawing_changes(
        &self,
        ticker: &str,
        changes: &DrawingChanges,
    ) -> Result<(), StoreError> {
        let key = drawing_key(ticker)?;
        changes.validate()?;
        if changes.is_empty() {
            return Ok(());
        }
        dispatch!(self.apply_drawing_changes(&key, changes))
    }
}

fn drawing_key(ticker: &str) -> Result<String, StoreError> {
    let key = canonical_key(ticker);
    if key.is_empty() {
        return Err(StoreError::UnknownTicker(ticker.to_owned()));
    }
    Ok(key)
}

/// A stored drawing as both backends read it, before it is checked against the model.
pub(crate) struct DrawingRecord {
    pub id: i64,
    pub kind: String,
    pub anchors: Vec<Anchor>,
    pub color: i64,
    pub width: f64,
    pub text: String,
}

impl DrawingRecord {
    /// The drawing, or why the stored record does not fit the model.
    pub fn into_drawing(self) -> Result<Drawing, String> {
        let kind = DrawingKind::parse(&self.kind)
            .ok_or_else(|| format!("unknown kind '{}'", shown(&self.kind)))?;
        // Checked before it is narrowed to the model's f32 (1e300 would read as infinity).
        if !(self.width > 0.0 && self.width <= f64::from(MAX_DRAWING_WIDTH)) {
            return Err(format!(
                "line width {} is outside 0..{MAX_DRAWING_WIDTH}",
                number(self.width)
            ));
        }
        let drawing = Drawing {
            id: self.id,
            kind,
            anchors: self.anchors,
            color: color_from_int(self.color)
                .ok_or_else(|| format!("colour {} is not an RGBA value", self.color))?,
            width: self.width as f32,
            text: self.text,
        };
        drawing.validate().map_err(|e| e.reason())?;
        Ok(drawing)
    }
}

/// Sorts what a backend read and works out the highest id: `ids` are the ids of every
/// record, readable or not.
pub(crate) fn finish_read(
    mut drawings: Vec<Drawing>,
    mut unreadable: Vec<UnreadableDrawing>,
    ids: impl Iterator<Item = i64>,
) -> TickerDrawings {
    drawings.sort_by_key(|d| d.id);
    unreadable.sort_by_key(|u| (u.id.is_none(), u.id));
    TickerDrawings {
        drawings,
        unreadable,
        max_id: ids.max().unwrap_or(0).max(0),
    }
}

/// A stored number as a reason quotes it: plain, or in exponent form when very large or
/// small (`1e300`, not three hundred digits).
pub(crate) fn number(v: f64) -> String {
    let a = v.abs();
    if a.is_finite() && a != 0.0 && !(1e-6..1e15).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// RGBA bytes as one integer (`0xRRGGBBAA`), as both backends store a colour.
pub(crate) fn color_to_int(c: [u8; 4]) -> i64 {
    i64::from(u32::from_be_bytes(c))
}

/// The RGBA bytes of a stored colour integer, if it is one.
pub(crate) fn color_from_int(v: i64) -> Option<[u8; 4]> {
    u32::try_from(v).ok().map(u32::to_be_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_round_trip_through_integers() {
        let c = [255, 193, 7, 128];
        assert_eq!(color_to_int(c), 0xFFC1_0780);
        assert_eq!(color_from_int(color_to_int(c)), Some(c));
        assert_eq!(color_from_int(-1), None);
        assert_eq!(color_from_int(1 << 40), None);
    }

    fn record(kind: &str, width: f64) -> DrawingRecord {
        DrawingRecord {
            id: 3,
            kind: kind.to_owned(),
            anchors: vec![Anchor::new(
                chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
                10.0,
            )],
            color: 0xFFC1_07FF,
            width,
            text: String::new(),
        }
    }

    #[test]
    fn records_that_do_not_fit_say_why() {
        assert!(record("level", 1.5).into_drawing().is_ok());
        assert_eq!(
            record("blob\nx", 1.5).into_drawing().unwrap_err(),
            "unknown kind 'blob\\nx'"
        );
        assert_eq!(
            record("level", 1e300).into_drawing().unwrap_err(),
            "line width 1e300 is outside 0..10"
        );
        assert_eq!(
            record("trend_line", 1.5).into_drawing().unwrap_err(),
            "a Trend line drawing has 2 anchor(s), not 1"
        );
        let mut grey = record("level", 1.5);
        grey.color = -1;
        assert_eq!(
            grey.into_drawing().unwrap_err(),
            "colour -1 is not an RGBA value"
        );
        assert_eq!(number(1e9), "1000000000");
        assert_eq!(number(-7.5), "-7.5");
        assert_eq!(number(f64::INFINITY), "inf");
        assert_eq!(number(1e-300), "1e-300");
        let u = UnreadableDrawing {
            id: Some(4),
            reason: "unknown kind 'blob'".into(),
        };
        assert_eq!(u.to_string(), "#4 unknown kind 'blob'");
    }
}
