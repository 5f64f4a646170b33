//! Drawings a user makes on a ticker's price pane: levels, trend lines, rectangles,
//! Fibonacci retracements and text notes, each anchored to (trading day, price) so it stays
//! put under zoom, pan, log scale and range changes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Widest line a drawing may use, in points.
pub const MAX_DRAWING_WIDTH: f32 = 10.0;
/// Longest text a note may hold, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// The Fibonacci retracement ratios drawn between the two anchors (0 at the second anchor,
/// 1 at the first, as the move is retraced).
pub const FIB_LEVELS: [f64; 7] = [0.0, 0.236, 0.382, 0.5, 0.618, 0.786, 1.0];

/// What a drawing is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawingKind {
    /// A horizontal price level (one anchor; its day is where it was placed).
    Level,
    /// A line through two anchors.
    TrendLine,
    /// A line from the first anchor through the second, extended to the right edge.
    Ray,
    /// An axis-aligned rectangle with two opposite corners.
    Rectangle,
    /// Retracement levels of the move from the first anchor to the second.
    Fibonacci,
    /// A text note at one anchor.
    Text,
}

impl DrawingKind {
    /// Every kind, in toolbar order.
    pub const ALL: [Self; 6] = [
        Self::Level,
        Self::TrendLine,
        Self::Ray,
        Self::Rectangle,
        Self::Fibonacci,
        Self::Text,
    ];

    /// How many anchors a drawing of this kind has.
    pub fn anchor_count(self) -> usize {
        match self {
            Self::Level | Self::Text => 1,
            Self::TrendLine | Self::Ray | Self::Rectangle | Self::Fibonacci => 2,
        }
    }

    /// The stored name (`level`, `trend_line`, ...).
    pub fn storage_name(self) -> &'static str {
        match self {
            Self::Level => "level",
            Self::TrendLine => "trend_line",
            Self::Ray => "ray",
            Self::Rectangle => "rectangle",
            Self::Fibonacci => "fibonacci",
            Self::Text => "text",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.storage_name() == s)
    }

    /// Toolbar label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Level => "Level",
            Self::TrendLine => "Trend line",
            Self::Ray => "Ray",
            Self::Rectangle => "Rectangle",
            Self::Fibonacci => "Fibonacci",
            Self::Text => "Text",
        }
    }
}

/// A point of a drawing: a trading day and a price.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Anchor {
    /// The trading day.
    pub day: NaiveDate,
    /// The price.
    pub price: f64,
}

impl Anchor {
    /// The anchor at `day`, `price`.
    pub fn new(day: NaiveDate, price: f64) -> Self {
        Self { day, price }
    }
}

/// One drawing on one ticker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drawing {
    /// Identifier, unique among the ticker's drawings.
    pub id: i64,
    /// What it is.
    pub kind: DrawingKind,
    /// Its anchors: one or two, as [`DrawingKind::anchor_count`] says.
    pub anchors: Vec<Anchor>,
    /// Colour as RGBA (unmultiplied).
    pub color: [u8; 4],
    /// Line width in points.
    pub width: f32,
    /// The note of a text drawing (empty for the others).
    pub text: String,
}

/// Why a drawing cannot be stored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DrawingError {
    /// Wrong number of anchors for the kind.
    #[error("a {kind} drawing has {expected} anchor(s), not {got}", kind = .kind.label())]
    AnchorCount {
        /// The kind.
        kind: DrawingKind,
        /// How many it needs.
        expected: usize,
        /// How many it had.
        got: usize,
    },
    /// A price that is not a finite number.
    #[error("drawing {id}: price {price} is not a finite number")]
    BadPrice {
        /// The drawing.
        id: i64,
        /// The price.
        price: f64,
    },
    /// A width outside `0 < width <= MAX_DRAWING_WIDTH`.
    #[error("drawing {id}: line width {width} is outside 0..{MAX_DRAWING_WIDTH}")]
    BadWidth {
        /// The drawing.
        id: i64,
        /// The width.
        width: f32,
    },
    /// A note longer than [`MAX_NOTE_CHARS`].
    #[error("drawing {id}: the note is longer than {MAX_NOTE_CHARS} characters")]
    NoteTooLong {
        /// The drawing.
        id: i64,
    },
    /// Two drawings of one ticker share an id.
    #[error("two drawings share the id {0}")]
    DuplicateId(i64),
}

impl Drawing {
    /// A drawing of `kind` through `anchors` in the default style.
    pub fn new(id: i64, kind: DrawingKind, anchors: Vec<Anchor>) -> Self {
        Self {
            id,
            kind,
            anchors,
            color: [255, 193, 7, 255],
            width: 1.5,
            text: String::new(),
        }
    }

    /// Checks the drawing can be stored and drawn.
    pub fn validate(&self) -> Result<(), DrawingError> {
        let expected = self.kind.anchor_count();
        if self.anchors.len() != expected {
            return Err(DrawingError::AnchorCount {
                kind: self.kind,
                expected,
                got: self.anchors.len(),
            });
        }
        if let Some(a) = self.anchors.iter().find(|a| !a.price.is_finite()) {
            return Err(DrawingError::BadPrice {
                id: self.id,
                price: a.price,
            });
        }
        if !(self.width > 0.0 && self.width <= MAX_DRAWING_WIDTH) {
            return Err(DrawingError::BadWidth {
                id: self.id,
                width: self.width,
            });
        }
        if self.text.chars().count() > MAX_NOTE_CHARS {
            return Err(DrawingError::NoteTooLong { id: self.id });
        }
        Ok(())
    }

    /// The Fibonacci levels as `(ratio, price)`: the move from the first anchor to the
    /// second, retraced by each of [`FIB_LEVELS`]. Empty for other kinds.
    pub fn fib_prices(&self) -> Vec<(f64, f64)> {
        match (self.kind, self.anchors.as_slice()) {
            (DrawingKind::Fibonacci, [a, b]) => FIB_LEVELS
                .iter()
                .map(|r| (*r, b.price - (b.price - a.price) * r))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Checks a ticker's whole set of drawings: each valid, ids unique.
pub fn validate_set(drawings: &[Drawing]) -> Result<(), DrawingError> {
    let mut ids: Vec<i64> = Vec::with_capacity(drawings.len());
    for d in drawings {
        d.validate()?;
        ids.push(d.id);
    }
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(DrawingError::DuplicateId(w[0]));
    }
    Ok(())
}

/// What a measure between two points reads: Δ price, Δ %, bars and calendar days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measure {
    /// Second price minus first.
    pub delta_price: f64,
    /// Change from the first price, in percent.
    pub delta_pct: f64,
    /// Trading days (bars) from the first point to the second (negative if earlier).
    pub bars: i64,
    /// Calendar days from the first day to the second.
    pub calendar_days: i64,
}

impl Measure {
    /// The measure from `a` (bar index `a_bar`) to `b` (bar index `b_bar`).
    pub fn between(a: Anchor, a_bar: usize, b: Anchor, b_bar: usize) -> Self {
        let signed = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
        Self {
            delta_price: b.price - a.price,
            delta_pct: (b.price / a.price - 1.0) * 100.0,
            bars: signed(b_bar) - signed(a_bar),
            calendar_days: (b.day - a.day).num_days(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn validation_names_the_problem() {
        let ok = Drawing::new(
            1,
            DrawingKind::Level,
            vec![Anchor::new(d(2024, 1, 2), 10.0)],
        );
        assert_eq!(ok.validate(), Ok(()));
        let two = Drawing::new(
            2,
            DrawingKind::TrendLine,
            vec![Anchor::new(d(2024, 1, 2), 1.0)],
        );
        assert_eq!(
            two.validate().unwrap_err().to_string(),
            "a Trend line drawing has 2 anchor(s), not 1"
        );
        let mut nan = ok.clone();
        nan.anchors[0].price = f64::NAN;
        assert!(matches!(nan.validate(), Err(DrawingError::BadPrice { .. })));
        let mut wide = ok.clone();
        wide.width = 50.0;
        assert!(matches!(
            wide.validate(),
            Err(DrawingError::BadWidth { .. })
        ));
        let mut long = ok.clone();
        long.text = "x".repeat(MAX_NOTE_CHARS + 1);
        assert!(matches!(
            long.validate(),
            Err(DrawingError::NoteTooLong { .. })
        ));
        assert_eq!(
            validate_set(&[ok.clone(), ok]),
            Err(DrawingError::DuplicateId(1))
        );
        for k in DrawingKind::ALL {
            assert_eq!(DrawingKind::parse(k.storage_name()), Some(k));
        }
    }

    #[test]
    fn fibonacci_levels_retrace_the_move() {
        let f = Drawing::new(
            3,
            DrawingKind::Fibonacci,
            vec![
                Anchor::new(d(2024, 1, 2), 100.0),
                Anchor::new(d(2024, 2, 2), 200.0),
            ],
        );
        let p = f.fib_prices();
        assert_eq!(p.first(), Some(&(0.0, 200.0)));
        assert_eq!(p.last(), Some(&(1.0, 100.0)));
        assert!((p[3].1 - 150.0).abs() < 1e-12);
        assert!((p[4].1 - 138.2).abs() < 1e-9);
    }

    #[test]
    fn measure_reads_deltas_bars_and_days() {
        let m = Measure::between(
            Anchor::new(d(2024, 1, 5), 50.0),
            10,
            Anchor::new(d(2024, 1, 15), 55.0),
            16,
        );
        assert_eq!(m.bars, 6);
        assert_eq!(m.calendar_days, 10);
        assert!((m.delta_price - 5.0).abs() < 1e-12);
        assert!((m.delta_pct - 10.0).abs() < 1e-12);
    }
}
