//! Comparing the closes of two sources over the days both cover.

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::DailySeries;

/// The default tolerance of [`compare_closes`]: closes differing by more than 0.5% disagree.
pub const DEFAULT_TOLERANCE: f64 = 0.005;

/// A day whose closes differ by more than the tolerance.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Disagreement {
    /// The day.
    pub date: NaiveDate,
    /// The stored close.
    pub stored: f64,
    /// The other source's close.
    pub other: f64,
    /// `other / stored - 1`: how far the other source's close lies from the stored one, as a
    /// fraction (-0.05 for 5% lower).
    pub diff: f64,
}

/// What [`compare_closes`] found over the window both series cover.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Comparison {
    /// The first and last day of the window compared: the later of the two first days and
    /// the earlier of the two last days; `None` when the series do not overlap.
    pub window: Option<(NaiveDate, NaiveDate)>,
    /// Days in the window that both series have.
    pub compared: usize,
    /// Days whose closes differ by more than the tolerance, ascending.
    pub disagreements: Vec<Disagreement>,
    /// Days in the window the stored series has and the other lacks.
    pub missing_in_other: Vec<NaiveDate>,
    /// Days in the window the other series has and the stored one lacks.
    pub extra_in_other: Vec<NaiveDate>,
}

impl Comparison {
    /// Whether the two series agree on every day of the window: no disagreement, no missing
    /// and no extra day.
    pub fn is_clean(&self) -> bool {
        self.disagreements.is_empty()
            && self.missing_in_other.is_empty()
            && self.extra_in_other.is_empty()
    }
}

/// Compares the closes of `stored` with those of `other` over the days between the later
/// first day and the earlier last day of the two (days outside that window are what one
/// source has and the other was not asked for, not a disagreement). A day whose closes differ
/// by more than `tolerance` (a fraction of the stored close; [`DEFAULT_TOLERANCE`] is 0.5%)
/// is a [`Disagreement`]; a day only one series has is missing in, or extra in, the other.
pub fn compare_closes(stored: &DailySeries, other: &DailySeries, tolerance: f64) -> Comparison {
    let (Some(a_first), Some(a_last), Some(b_first), Some(b_last)) = (
        stored.first_day(),
        stored.last_day(),
        other.first_day(),
        other.last_day(),
    ) else {
        return Comparison::default();
    };
    let (from, to) = (a_first.max(b_first), a_last.min(b_last));
    if from > to {
        return Comparison::default();
    }
    let mut out = Comparison {
        window: Some((from, to)),
        ..Comparison::default()
    };
    let (ra, rb) = (stored.range_of(from, to), other.range_of(from, to));
    let (days_a, close_a) = (&stored.days()[ra.clone()], &stored.close()[ra]);
    let (days_b, close_b) = (&other.days()[rb.clone()], &other.close()[rb]);
    let (mut i, mut j) = (0, 0);
    while i < days_a.len() || j < days_b.len() {
        match (days_a.get(i), days_b.get(j)) {
            (Some(a), Some(b)) if a == b => {
                out.compared += 1;
                let diff = close_b[j] / close_a[i] - 1.0;
                // A NaN difference (a missing close) disagrees too.
                if diff.is_nan() || diff.abs() > tolerance {
                    out.disagreements.push(Disagreement {
                        date: *a,
                        stored: close_a[i],
                        other: close_b[j],
                        diff,
                    });
                }
                i += 1;
                j += 1;
            }
            (a, Some(b)) if a.is_none_or(|a| a > b) => {
                out.extra_in_other.push(*b);
                j += 1;
            }
            (Some(a), _) => {
                out.missing_in_other.push(*a);
                i += 1;
            }
            (None, _) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Bar;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn series(days: &[(u32, f64)]) -> DailySeries {
        let (s, issues) = DailySeries::from_bars(
            days.iter()
                .map(|&(day, c)| Bar::ohlc(d(2024, 3, day), c, c, c, c)),
        );
        assert!(issues.is_empty());
        s
    }

    #[test]
    fn identical_series_are_clean() {
        let s = series(&[(4, 100.0), (5, 101.0), (6, 99.5)]);
        let c = compare_closes(&s, &s, DEFAULT_TOLERANCE);
        assert!(c.is_clean(), "{c:?}");
        assert_eq!(c.compared, 3);
        assert_eq!(c.window, Some((d(2024, 3, 4), d(2024, 3, 6))));
    }

    #[test]
    fn a_day_five_percent_off_is_named_with_its_difference() {
        let stored = series(&[(4, 100.0), (5, 200.0), (6, 50.0), (7, 80.0)]);
        let other = series(&[(4, 100.4), (5, 190.0), (6, 50.0), (7, 80.0)]);
        let c = compare_closes(&stored, &other, DEFAULT_TOLERANCE);
        assert_eq!(c.disagreements.len(), 1, "0.4% passes, 5% does not: {c:?}");
        let dis = c.disagreements[0];
        assert_eq!(
            (dis.date, dis.stored, dis.other),
            (d(2024, 3, 5), 200.0, 190.0)
        );
        assert!((dis.diff + 0.05).abs() < 1e-12);
        assert!(!c.is_clean());
        // A looser tolerance lets it pass.
        assert!(compare_closes(&stored, &other, 0.06).is_clean());
    }

    #[test]
    fn only_days_inside_the_common_window_are_missing_or_extra() {
        // Stored 4..=12 without the 8th; other 6..=14 without the 11th.
        let stored = series(&[(4, 1.0), (5, 1.0), (6, 1.0), (7, 1.0), (11, 1.0), (12, 1.0)]);
        let other = series(&[
            (6, 1.0),
            (7, 1.0),
            (8, 1.0),
            (12, 1.0),
            (13, 1.0),
            (14, 1.0),
        ]);
        let c = compare_closes(&stored, &other, DEFAULT_TOLERANCE);
        assert_eq!(c.window, Some((d(2024, 3, 6), d(2024, 3, 12))));
        assert_eq!(c.compared, 3);
        assert_eq!(c.missing_in_other, [d(2024, 3, 11)]);
        assert_eq!(c.extra_in_other, [d(2024, 3, 8)]);
        assert!(c.disagreements.is_empty());
    }

    #[test]
    fn series_that_do_not_overlap_compare_nothing() {
        let a = series(&[(4, 1.0), (5, 1.0)]);
        let b = series(&[(6, 2.0), (7, 2.0)]);
        let c = compare_closes(&a, &b, DEFAULT_TOLERANCE);
        assert_eq!(c, Comparison::default());
        assert!(c.is_clean());
        assert_eq!(
            compare_closes(&a, &DailySeries::new(), DEFAULT_TOLERANCE),
            Comparison::default()
        );
    }
}
