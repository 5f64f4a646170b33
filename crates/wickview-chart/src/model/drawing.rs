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
    /// One change set both stores and deletes a drawing.
    #[error("drawing {0} is both changed and deleted")]
    ChangedAndDeleted(i64),
}

impl DrawingError {
    /// What is wrong, without naming the drawing (for a list that names it already).
    pub fn reason(&self) -> String {
        match self {
            Self::BadPrice { price, .. } => format!("price {price} is not a finite number"),
            Self::BadWidth { width, .. } => {
                format!("line width {width} is outside 0..{MAX_DRAWING_WIDTH}")
            }
            Self::NoteTooLong { .. } => {
                format!("the note is longer than {MAX_NOTE_CHARS} characters")
            }
            other => other.to_string(),
        }
    }
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

/// Checks a set of drawings (those of one change set): each valid, ids unique.
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

/// What a user changed in one ticker's drawings: drawings added or changed (stored whole,
/// by id) and the ids of drawings deleted. Saving a change set touches nothing else, so
/// drawings another window added and stored records this version cannot read stay as they are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DrawingChanges {
    /// Drawings added or changed, sorted by id.
    pub upserts: Vec<Drawing>,
    /// Ids of drawings deleted, sorted.
    pub deleted: Vec<i64>,
}

impl DrawingChanges {
    /// The changes that turn `before` into `after`, drawings matched by id: those of `after`
    /// that are new or differ, and the ids only `before` has.
    pub fn between(before: &[Drawing], after: &[Drawing]) -> Self {
        use std::collections::BTreeMap;
        let old: BTreeMap<i64, &Drawing> = before.iter().map(|d| (d.id, d)).collect();
        let new: BTreeMap<i64, &Drawing> = after.iter().map(|d| (d.id, d)).collect();
        Self {
            upserts: new
                .iter()
                .filter(|(id, d)| old.get(id) != Some(d))
                .map(|(_, d)| (*d).clone())
                .collect(),
            deleted: old
                .keys()
                .filter(|id| !new.contains_key(id))
                .copied()
                .collect(),
        }
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.upserts.is_empty() && self.deleted.is_empty()
    }

    /// `set` with the changes made (kept sorted by id).
    pub fn apply_to(&self, set: &mut Vec<Drawing>) {
        set.retain(|d| !self.deleted.contains(&d.id) && !self.upserts.iter().any(|u| u.id == d.id));
        set.extend(self.upserts.iter().cloned());
        set.sort_by_key(|d| d.id);
    }

    /// Checks the changes can be stored: each drawing valid, no id stored twice, none both
    /// stored and deleted.
    pub fn validate(&self) -> Result<(), DrawingError> {
        validate_set(&self.upserts)?;
        match self.upserts.iter().find(|d| self.deleted.contains(&d.id)) {
            Some(d) => Err(DrawingError::ChangedAndDeleted(d.id)),
            None => Ok(()),
        }
    }
}

/// Bits of an id below the millisecond it was made in (random, so two windows drawing on
/// one ticker in the same millisecond still almost never pick the same id). Ten keep every
/// id below 2^53 (exact in a double, as JavaScript tools read numbers) until the year 2248.
const ID_RANDOM_BITS: u32 = 10;

/// An id for a new drawing of a ticker whose stored and issued ids are all at most `above`:
/// the time it is made, in milliseconds since 1970 followed by [`ID_RANDOM_BITS`] random
/// bits, or `above + 1` if that is higher. So ids grow with time: one deleted is never given
/// again (a later id is larger), and two windows or processes drawing on one ticker, each
/// knowing only what it loaded, do not pick the same id.
pub fn new_drawing_id(above: i64) -> i64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    // A per-call random value from the standard library's randomly keyed hasher.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_i64(now_ms);
    drawing_id_at(above, now_ms, hasher.finish())
}

/// [`new_drawing_id`] at `now_ms` with the random bits from `noise`.
pub fn drawing_id_at(above: i64, now_ms: i64, noise: u64) -> i64 {
    let random = i64::try_from(noise & ((1 << ID_RANDOM_BITS) - 1)).unwrap_or(0);
    let timed = now_ms
        .max(0)
        .checked_mul(1 << ID_RANDOM_BITS)
        .map_or(i64::MAX, |t| t | random);
    timed.max(above.saturating_add(1))
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

    fn level(id: i64, price: f64) -> Drawing {
        Drawing::new(
            id,
            DrawingKind::Level,
            vec![Anchor::new(d(2024, 1, 2), price)],
        )
    }

    #[test]
    fn changes_between_two_sets_name_only_what_differs() {
        let before = vec![level(1, 10.0), level(2, 20.0), level(3, 30.0)];
        let mut moved = level(2, 25.0);
        moved.width = 3.0;
        let after = vec![level(1, 10.0), moved.clone(), level(7, 70.0)];
        let changes = DrawingChanges::between(&before, &after);
        assert_eq!(changes.upserts, [moved, level(7, 70.0)]);
        assert_eq!(changes.deleted, [3]);
        let mut set = before.clone();
        changes.apply_to(&mut set);
        assert_eq!(set, after);
        // Order does not matter, equal sets give no change; undoing is the reverse change.
        let mut shuffled = after.clone();
        shuffled.reverse();
        assert!(DrawingChanges::between(&after, &shuffled).is_empty());
        let back = DrawingChanges::between(&after, &before);
        assert_eq!(back.upserts, [level(2, 20.0), level(3, 30.0)]);
        assert_eq!(back.deleted, [7]);
        assert_eq!(changes.validate(), Ok(()));
        let both = DrawingChanges {
            upserts: vec![level(4, 1.0)],
            deleted: vec![4],
        };
        assert_eq!(both.validate(), Err(DrawingError::ChangedAndDeleted(4)));
        let mut bad = level(5, 1.0);
        bad.width = 0.0;
        assert!(matches!(
            DrawingChanges {
                upserts: vec![bad],
                deleted: vec![]
            }
            .validate(),
            Err(DrawingError::BadWidth { .. })
        ));
    }

    #[test]
    fn new_ids_follow_the_clock_and_stay_above_every_known_id() {
        let ms = 1_750_000_000_000_i64;
        let a = drawing_id_at(9, ms, 0);
        assert_eq!(a, ms << ID_RANDOM_BITS);
        assert!(a < 1 << 53, "exact in a double");
        assert_eq!(drawing_id_at(9, ms, 0x3FF), a | 0x3FF);
        assert_eq!(drawing_id_at(9, ms, 0x7FF), a | 0x3FF, "only the low bits");
        // Above every known id even when that is ahead of the clock (or the clock is wrong).
        assert_eq!(drawing_id_at(a + 5, ms, 3), a + 6);
        assert_eq!(drawing_id_at(40, -5, 3), 41);
        assert_eq!(drawing_id_at(i64::MAX - 1, ms, 0), i64::MAX);
        // A later millisecond gives a larger id, whatever the random bits.
        assert!(drawing_id_at(0, ms + 1, 0) > drawing_id_at(0, ms, u64::MAX));
        let now = new_drawing_id(12);
        assert!(now > 12);
        assert!(new_drawing_id(now) > now);
    }

    #[test]
    fn reasons_leave_out_the_drawing() {
        assert_eq!(
            DrawingError::BadWidth { id: 3, width: 1e9 }.reason(),
            "line width 1000000000 is outside 0..10"
        );
        assert_eq!(
            DrawingError::BadPrice {
                id: 4,
                price: f64::INFINITY
            }
            .reason(),
            "price inf is not a finite number"
        );
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
