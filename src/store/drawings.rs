//! Drawings per ticker (the `drawings` collection of `finance_db`, the `drawings` table of
//! the embedded store): the levels, lines and notes a user drew on a ticker's price pane,
//! anchored to (trading day, price).

use super::{Backend, Store, StoreError, canonical_key, dispatch};
use crate::model::{Anchor, Drawing, DrawingKind, validate_set};

/// Name of the collection (MongoDB) and table (embedded) of drawings.
pub const DRAWINGS: &str = "drawings";

impl Store {
    /// The drawings stored for `ticker` (forgiving case and a `.KS`/`.KQ` suffix, like
    /// [`Store::ticker`]), sorted by id. A stored drawing that no longer fits the model is
    /// left out with a warning in the log: one bad record never hides the others.
    pub async fn drawings(&self, ticker: &str) -> Result<Vec<Drawing>, StoreError> {
        let key = drawing_key(ticker)?;
        dispatch!(self.drawings(&key))
    }

    /// Replaces the drawings of `ticker` with `drawings` (an empty slice deletes them all).
    /// Every drawing is checked first ([`StoreError::InvalidDrawing`]); nothing is written
    /// then. Idempotent: a failed call can simply be rerun.
    pub async fn save_drawings(
        &self,
        ticker: &str,
        drawings: &[Drawing],
    ) -> Result<(), StoreError> {
        let key = drawing_key(ticker)?;
        validate_set(drawings)?;
        dispatch!(self.save_drawings(&key, drawings))
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
pub(crate) struct StoredDrawing {
    pub id: i64,
    pub kind: String,
    pub anchors: Vec<Anchor>,
    pub color: i64,
    pub width: f64,
    pub text: String,
}

impl StoredDrawing {
    /// The drawing, or why the stored record does not fit the model.
    pub fn into_drawing(self) -> Result<Drawing, String> {
        let kind = DrawingKind::parse(&self.kind)
            .ok_or_else(|| format!("unknown kind '{}'", self.kind))?;
        let drawing = Drawing {
            id: self.id,
            kind,
            anchors: self.anchors,
            color: color_from_int(self.color).ok_or_else(|| format!("colour {}", self.color))?,
            width: self.width as f32,
            text: self.text,
        };
        drawing.validate().map_err(|e| e.to_string())?;
        Ok(drawing)
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
}
