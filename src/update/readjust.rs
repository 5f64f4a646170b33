//! When an update must fetch a ticker's whole history again.
//!
//! Yahoo sends split-adjusted prices: after a split it re-adjusts every earlier bar and
//! lists the split under `events.splits`. Fetching only from the last stored day would
//! leave every older bar at the old price level (a false crash at the split). So when a
//! download holds a split dated after the last stored day, or the re-fetched last stored
//! day disagrees with the stored bar beyond rounding (an adjustment without a listed
//! split), the whole history is fetched again and replaces the stored one.

use chrono::NaiveDate;

use crate::check::{DEFAULT_TOLERANCE, Disagreement};
use crate::model::{Bar, Category, DailySeries};
use crate::source::SourceId;

/// How far (relative) the re-fetched open of the last stored day may differ from the
/// stored one before the history counts as re-adjusted. The open of a day does not move
/// once the day has begun, so a partial last day does not trigger it; a split or a
/// source-side adjustment moves every price by far more.
pub const OVERLAP_TOLERANCE: f64 = 0.005;

/// Why a ticker's history is fetched again.
#[derive(Clone, Debug, PartialEq)]
pub enum Readjust {
    /// The download lists a split after the last stored day.
    Split {
        /// The split's trading day.
        day: NaiveDate,
        /// New shares per old share (4.0 for 4:1).
        ratio: f64,
    },
    /// The source serving the update publishes another fixing than the one that wrote the
    /// stored bars (exchange rates: ECB ~16:00 CET, FRED noon New York, Yahoo's last
    /// quote): the series is taken whole from the new source rather than mixed.
    OtherFixing {
        /// The source of the stored bars.
        stored: SourceId,
        /// The source serving this update.
        now: SourceId,
    },
    /// The re-fetched last stored day disagrees with the stored bar.
    Mismatch {
        /// The overlapping day.
        day: NaiveDate,
        /// The stored price (open, or close of a close-only bar).
        stored: f64,
        /// The price the source sends now.
        fetched: f64,
    },
}

impl std::fmt::Display for Readjust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Split { day, ratio } => {
                write!(
                    f,
                    "history re-adjusted: {} split on {day}",
                    split_ratio(*ratio)
                )
            }
            Self::OtherFixing { stored, now } => write!(
                f,
                "history replaced from {}: its fixing ({}) is not the stored bars' ({}: {}), \
                 and one series never mixes two",
                now.label(),
                now.fixing(),
                stored.label(),
                stored.fixing()
            ),
            Self::Mismatch {
                day,
                stored,
                fetched,
            } => write!(
                f,
                "history re-adjusted: the source now sends {fetched} for {day} (stored: {stored})"
            ),
        }
    }
}

/// `4:1`, `1:10`, `3:2`: a split ratio as the smallest whole numbers (up to 1000).
pub fn split_ratio(ratio: f64) -> String {
    for den in 1..=1000u32 {
        let num = ratio * f64::from(den);
        if (num - num.round()).abs() < 1e-6 * num.max(1.0) && num.round() >= 1.0 {
            return format!("{}:{den}", num.round());
        }
    }
    format!("{ratio}:1")
}

/// The price compared on the overlapping day: the open, or the close of a close-only bar.
fn overlap_price(bar: &Bar) -> f64 {
    if bar.is_close_only() {
        bar.close
    } else {
        bar.open
    }
}

/// Whether the download `fetched` (from the last stored day on) shows that the stored
/// history is at another price level; `stored_last` is the last stored bar.
pub fn check(stored_last: Option<&Bar>, fetched: &DailySeries) -> Option<Readjust> {
    let stored_last = stored_last?;
    if let Some(bar) = fetched
        .bars()
        .find(|b| b.date > stored_last.date && b.stock_splits > 0.0 && b.stock_splits != 1.0)
    {
        return Some(Readjust::Split {
            day: bar.date,
            ratio: bar.stock_splits,
        });
    }
    let again = fetched.bar(fetched.index_of(stored_last.date)?)?;
    let (stored, now) = (overlap_price(stored_last), overlap_price(&again));
    ((now - stored).abs() > stored.abs() * OVERLAP_TOLERANCE).then_some(Readjust::Mismatch {
        day: stored_last.date,
        stored,
        fetched: now,
    })
}

/// The cheap cross-source check every update runs on the day it fetches again (the last
/// stored one): the stored close against the close the serving source sends now for that
/// day. `None` when they agree within [`DEFAULT_TOLERANCE`], when the stored bar was
/// provisional (its session had not closed, so its close was meant to change), or when the
/// download lacks the day. `wickview verify` compares a whole window the same way.
pub fn overlap_close(
    stored_last: &Bar,
    stored_provisional: bool,
    fetched: &DailySeries,
) -> Option<Disagreement> {
    if stored_provisional {
        return None;
    }
    let again = fetched.bar(fetched.index_of(stored_last.date)?)?;
    let (stored, other) = (stored_last.close, again.close);
    let diff = other / stored - 1.0;
    (diff.abs() > DEFAULT_TOLERANCE).then_some(Disagreement {
        date: stored_last.date,
        stored,
        other,
        diff,
    })
}

/// Whether serving `category` from `now` after bars written by `stored` would mix two
/// fixings in one exchange-rate series. Stocks and indices from two sources are compared
/// on their overlap instead ([`check`]): their closes are the exchange's own.
pub fn check_fixing(
    category: Category,
    stored: Option<SourceId>,
    now: SourceId,
) -> Option<Readjust> {
    let stored = stored?;
    (category == Category::Currency && stored != now)
        .then_some(Readjust::OtherFixing { stored, now })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, m, day).unwrap()
    }

    fn bar(date: NaiveDate, open: f64, close: f64) -> Bar {
        Bar::ohlc(
            date,
            open,
            open.max(close) * 1.01,
            open.min(close) * 0.99,
            close,
        )
    }

    #[test]
    fn exchange_rates_never_mix_fixings() {
        use SourceId::{Ecb, Naver, Yahoo};
        let r = check_fixing(Category::Currency, Some(Yahoo), Ecb).unwrap();
        assert!(
            r.to_string().contains("ECB reference rate, ~16:00 CET"),
            "{r}"
        );
        assert_eq!(check_fixing(Category::Currency, Some(Ecb), Ecb), None);
        assert_eq!(check_fixing(Category::Currency, None, Ecb), None);
        assert_eq!(
            check_fixing(Category::KoreanStock, Some(Yahoo), Naver),
            None
        );
    }

    #[test]
    fn ratios() {
        assert_eq!(split_ratio(4.0), "4:1");
        assert_eq!(split_ratio(50.0), "50:1");
        assert_eq!(split_ratio(0.1), "1:10");
        assert_eq!(split_ratio(1.5), "3:2");
    }

    #[test]
    fn splits_after_the_last_day_and_overlap_mismatches() {
        let stored = bar(d(7, 17), 400.0, 404.0);
        let mut split_day = bar(d(7, 20), 101.0, 102.0);
        split_day.stock_splits = 4.0;
        let (fetched, _) = DailySeries::from_bars([bar(d(7, 17), 100.0, 101.0), split_day]);
        let r = check(Some(&stored), &fetched).unwrap();
        assert_eq!(
            r.to_string(),
            "history re-adjusted: 4:1 split on 2020-07-20"
        );

        // A partial last day: same open, another close: nothing to do.
        let (fetched, _) =
            DailySeries::from_bars([bar(d(7, 17), 400.0, 410.0), bar(d(7, 20), 410.0, 412.0)]);
        assert_eq!(check(Some(&stored), &fetched), None);
        assert_eq!(check(None, &fetched), None);

        // An adjustment without a listed split.
        let (fetched, _) = DailySeries::from_bars([bar(d(7, 17), 200.0, 202.0)]);
        assert_eq!(
            check(Some(&stored), &fetched),
            Some(Readjust::Mismatch {
                day: d(7, 17),
                stored: 400.0,
                fetched: 200.0
            })
        );
        // A split on the stored day itself was already in the stored history.
        let mut same_day = bar(d(7, 17), 400.0, 404.0);
        same_day.stock_splits = 4.0;
        let (fetched, _) = DailySeries::from_bars([same_day]);
        assert_eq!(check(Some(&stored), &fetched), None);
    }

    #[test]
    fn the_overlap_close_check_names_a_settled_close_that_moved() {
        let stored = bar(d(7, 17), 400.0, 404.0);
        // Same open, a close 2% higher: the history is kept (no re-adjustment) but the
        // source disagrees with the stored close of a settled day.
        let (fetched, _) =
            DailySeries::from_bars([bar(d(7, 17), 400.0, 412.08), bar(d(7, 20), 410.0, 412.0)]);
        assert_eq!(check(Some(&stored), &fetched), None);
        let found = overlap_close(&stored, false, &fetched).unwrap();
        assert_eq!(
            (found.date, found.stored, found.other),
            (d(7, 17), 404.0, 412.08)
        );
        assert!((found.diff - 0.02).abs() < 1e-12);
        // A stored bar of a session that was still open was meant to change.
        assert_eq!(overlap_close(&stored, true, &fetched), None);
        // Within 0.5%, or the day not sent again: nothing.
        let (close, _) = DailySeries::from_bars([bar(d(7, 17), 400.0, 405.9)]);
        assert_eq!(overlap_close(&stored, false, &close), None);
        let (later, _) = DailySeries::from_bars([bar(d(7, 20), 410.0, 412.0)]);
        assert_eq!(overlap_close(&stored, false, &later), None);
    }
}
