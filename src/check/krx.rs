//! KRX rules as checks of stored bars: the daily price limit in force on each day (a
//! close-to-close move beyond it is a missing split adjustment or a bad print) and the
//! tick-size grid as-traded prices lie on (which tells as-traded bars from adjusted ones).
//!
//! # The daily price limit (가격제한폭), by market
//!
//! KOSPI (유가증권시장), from KRX's own table "Historical Changes in Daily Price Limits"
//! (global.krx.co.kr, Trading → Stock → Daily Price Limits):
//!
//! | from | limit |
//! | --- | --- |
//! | before 1995-04-01 | fixed won amounts in 17 steps by price level (2.2–6.7%, 4.6% on average) |
//! | 1995-04-01 | ±6% (the first fixed rate) |
//! | 1996-11-24 | ±8% |
//! | 1998-03-02 | ±12% |
//! | 1998-12-07 | ±15% |
//! | 2015-06-15 | ±30% |
//!
//! KOSDAQ kept fixed won amounts until October 1996, then ±8% from November 1996 and ±12%
//! from April 1998 (Korea Economic Daily, 2005-02-22: "96년 10월까지는 정액제로 운영되다 96년
//! 11월부터 8% 정률제로 바뀐 뒤 98년 4월에 12%로 확대"), ±15% from 2005-03-28 (Seoul Economic
//! Daily on that day: the KOSDAQ limit "7년만에 12%에서 15%로 확대"), and ±30% with KOSPI from
//! 2015-06-15. Where only the month is known, the wider limit is taken from the month's first
//! day: limits only ever widened, so this can hide a breach in that month but never invent one.
//!
//! Before a market's first fixed rate nothing is checked: the won-amount tables are not
//! modelled. The limit is applied to the previous close, which is the base price on nearly
//! every day. The exceptions, which the check cannot see, are why a breach is worth a look
//! rather than proof: a listing day (the base is the offering price), the first day after a
//! long halt (a capital reduction, a merger; the base is set anew), ex-rights days of an
//! as-traded history (the base is the ex-rights price), liquidation trading before a
//! delisting (no limit), and leveraged ETFs (the limit times the leverage). The first bar,
//! the listing day when known, and any day more than [`RELISTING_GAP_DAYS`] after the
//! previous bar are therefore not checked.
//!
//! # The tick size (호가가격단위)
//!
//! Since 2023-01-25 KOSPI, KOSDAQ and KONEX share one grid (below 2,000 won: 1; 5,000: 5;
//! 20,000: 10; 50,000: 50; 200,000: 100; 500,000: 500; from 500,000: 1,000 won). Before it,
//! from 2010, KOSPI's was 1 / 5 / 10 / 50 / 100 / 500 / 1,000 won below 1,000 / 5,000 /
//! 10,000 / 50,000 / 100,000 / 500,000 / above, and KOSDAQ's the same up to 50,000 won and
//! 100 won above (KRX's 2023 announcement, reported by Chosun Ilbo 2022-11-01 and Hankyung
//! 2023-01-17). Older grids were coarser (KOSDAQ before 2003-07-21: 10 won below 10,000, 100
//! won and more above), and each of their ticks is a multiple of the 2010 one at the same
//! price, so an as-traded price of any year lies on the 2010 grid; it is used for every day
//! before 2023-01-25. ETFs, ETNs and ELWs trade in 5-won ticks and are not covered.

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{DailySeries, KrMarket};

/// How far a close-to-close move may exceed the limit before it counts as a breach (an
/// absolute fraction: 0.005 lets a ±30% limit pass moves up to ±30.5%). Limit prices are
/// rounded to the tick, and adjusted histories are divided by factors with decimals; real
/// limit moves never pass the limit itself.
pub const LIMIT_TOLERANCE: f64 = 0.005;

/// A gap between two bars longer than this many calendar days ends the check of the move
/// across it: a stock that resumes after a long halt (a capital reduction, a merger, a
/// suspension) may start from a newly set base price. The longest KRX holiday closure was
/// 11 days (2017-09-30 to 2017-10-09, sessions on 09-29 and 10-10).
pub const RELISTING_GAP_DAYS: i64 = 14;

/// A day's limit in a market: `(year, month, day, limit)` from that day on.
type LimitStep = (i32, u32, u32, f64);

/// KOSPI's fixed-rate limits (KRX's table, see the module documentation).
const KOSPI_LIMITS: [LimitStep; 5] = [
    (1995, 4, 1, 0.06),
    (1996, 11, 24, 0.08),
    (1998, 3, 2, 0.12),
    (1998, 12, 7, 0.15),
    (2015, 6, 15, 0.30),
];

/// KOSDAQ's fixed-rate limits (see the module documentation; the 1996 and 1998 steps are
/// known to the month and start on its first day).
const KOSDAQ_LIMITS: [LimitStep; 4] = [
    (1996, 11, 1, 0.08),
    (1998, 4, 1, 0.12),
    (2005, 3, 28, 0.15),
    (2015, 6, 15, 0.30),
];

fn limit_in(steps: &[LimitStep], date: NaiveDate) -> Option<f64> {
    steps
        .iter()
        .rev()
        .find(|(y, m, d, _)| NaiveDate::from_ymd_opt(*y, *m, *d).is_some_and(|from| from <= date))
        .map(|step| step.3)
}

/// The daily price limit (a fraction: 0.30 for ±30%) in force on `date` for a stock of
/// `market`, or `None` where no fixed rate applied (before 1995-04-01 on KOSPI, before
/// November 1996 on KOSDAQ). With the market unknown, the wider of the two markets' limits,
/// and `None` where either market had none.
pub fn price_limit(date: NaiveDate, market: Option<KrMarket>) -> Option<f64> {
    match market {
        Some(KrMarket::Kospi) => limit_in(&KOSPI_LIMITS, date),
        Some(KrMarket::Kosdaq) => limit_in(&KOSDAQ_LIMITS, date),
        None => {
            let kospi = limit_in(&KOSPI_LIMITS, date)?;
            let kosdaq = limit_in(&KOSDAQ_LIMITS, date)?;
            Some(kospi.max(kosdaq))
        }
    }
}

/// A close-to-close move beyond the daily price limit of its day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LimitBreach {
    /// The day of the move.
    pub date: NaiveDate,
    /// The close of the bar before.
    pub prev_close: f64,
    /// The close of the day.
    pub close: f64,
    /// The move, as a fraction of the previous close (-0.98 for -98%).
    pub change: f64,
    /// The limit in force that day, as a fraction (0.30 for ±30%).
    pub limit: f64,
    /// The split ratio the bar records for the day (4.0 for 4:1), 0 if none: an as-traded
    /// history with a recorded split shows the split as a breach.
    pub split: f64,
}

impl LimitBreach {
    /// `2018-05-04: -98.0% close-to-close, beyond the ±30% limit: a missing split adjustment
    /// or a bad print`, with the split when the bar records one.
    pub fn describe(&self) -> String {
        let split = if self.split > 0.0 {
            format!(
                " (a {}:1 split is recorded on this day)",
                trim_ratio(self.split)
            )
        } else {
            String::new()
        };
        format!(
            "{}: {:+.1}% close-to-close ({} to {}), beyond the ±{}% limit: a missing split \
             adjustment or a bad print{split}",
            self.date,
            self.change * 100.0,
            trim_ratio(self.prev_close),
            trim_ratio(self.close),
            trim_ratio(self.limit * 100.0),
        )
    }
}

/// A number without trailing zeros: `4`, `0.5`, `53000`, `1063.12`.
fn trim_ratio(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The close-to-close moves of a KRX stock beyond the daily price limit of their day (plus
/// [`LIMIT_TOLERANCE`]), the market unknown (the wider of KOSPI's and KOSDAQ's limits; see
/// [`limit_breaches_in`]).
pub fn limit_breaches(series: &DailySeries, listing_day: Option<NaiveDate>) -> Vec<LimitBreach> {
    limit_breaches_in(series, listing_day, None)
}

/// The close-to-close moves of a KRX stock of `market` beyond the daily price limit of
/// their day plus [`LIMIT_TOLERANCE`]. The first bar, bars on or before `listing_day`
/// (when known: the listing day's base is the offering price), days without a fixed-rate
/// limit ([`price_limit`]) and days more than [`RELISTING_GAP_DAYS`] after the previous bar
/// are not checked.
///
/// A split-adjusted history shows no breach at a split; an as-traded one shows the split
/// (Samsung Electronics' 50:1 split of 2018-05-04: -98%). So does a bad print, twice: the
/// move into it and the move out of it.
pub fn limit_breaches_in(
    series: &DailySeries,
    listing_day: Option<NaiveDate>,
    market: Option<KrMarket>,
) -> Vec<LimitBreach> {
    let days = series.days();
    let close = series.close();
    let splits = series.stock_splits();
    let mut out = Vec::new();
    for i in 1..series.len() {
        let (date, prev_day) = (days[i], days[i - 1]);
        if listing_day.is_some_and(|listed| date <= listed) {
            continue;
        }
        if (date - prev_day).num_days() > RELISTING_GAP_DAYS {
            continue;
        }
        let Some(limit) = price_limit(date, market) else {
            continue;
        };
        let (prev, now) = (close[i - 1], close[i]);
        if !(prev.is_finite() && prev > 0.0 && now.is_finite() && now > 0.0) {
            continue;
        }
        let change = now / prev - 1.0;
        if change.abs() > limit + LIMIT_TOLERANCE {
            out.push(LimitBreach {
                date,
                prev_close: prev,
                close: now,
                change,
                limit,
                split: splits[i],
            });
        }
    }
    out
}

/// The day the KOSPI / KOSDAQ / KONEX tick sizes were unified (and refined).
fn unified_since() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 25).unwrap_or(NaiveDate::MIN)
}

/// Ticks by price band: `(below this price, tick)`, then the tick of every higher price.
type TickGrid = (&'static [(f64, f64)], f64);

/// The grid of every KRX stock market since 2023-01-25.
const UNIFIED_TICKS: TickGrid = (
    &[
        (2_000.0, 1.0),
        (5_000.0, 5.0),
        (20_000.0, 10.0),
        (50_000.0, 50.0),
        (200_000.0, 100.0),
        (500_000.0, 500.0),
    ],
    1_000.0,
);

/// KOSPI's grid from 2010 to 2023-01-24.
const KOSPI_TICKS: TickGrid = (
    &[
        (1_000.0, 1.0),
        (5_000.0, 5.0),
        (10_000.0, 10.0),
        (50_000.0, 50.0),
        (100_000.0, 100.0),
        (500_000.0, 500.0),
    ],
    1_000.0,
);

/// KOSDAQ's grid from 2010 to 2023-01-24.
const KOSDAQ_TICKS: TickGrid = (
    &[
        (1_000.0, 1.0),
        (5_000.0, 5.0),
        (10_000.0, 10.0),
        (50_000.0, 50.0),
    ],
    100.0,
);

fn tick_in(grid: TickGrid, price: f64) -> f64 {
    grid.0
        .iter()
        .find(|(below, _)| price < *below)
        .map_or(grid.1, |(_, tick)| *tick)
}

/// The tick size in won of a stock of `market` quoted at `price` on `date`: the unified grid
/// since 2023-01-25, the market's 2010 grid before (see the module documentation).
pub fn tick_size(price: f64, date: NaiveDate, market: KrMarket) -> f64 {
    let grid = if date >= unified_since() {
        UNIFIED_TICKS
    } else {
        match market {
            KrMarket::Kospi => KOSPI_TICKS,
            KrMarket::Kosdaq => KOSDAQ_TICKS,
        }
    };
    tick_in(grid, price)
}

/// Whether `price` is a whole number of `tick`s (to 1e-4 of a tick: float noise of a stored
/// integer, not an adjusted price's decimals).
fn on_grid(price: f64, tick: f64) -> bool {
    let ticks = price / tick;
    (ticks - ticks.round()).abs() <= 1e-4
}

/// The share (0 to 1) of the series' closes that lie on the tick grid of their day, or
/// `None` for a series without a positive close. With the market unknown, KOSDAQ's grid is
/// used before 2023-01-25: it is KOSPI's or finer at every price, so an as-traded close of
/// either market lies on it.
///
/// How to use it: closes as traded on KRX lie on the grid, so an as-traded history scores
/// 1.0 (a little less where a bad print or a grid change this module does not model shows
/// through). An adjusted history divides the closes before each split, rights issue or
/// other capital change by a factor, which lands on the grid only by chance: Yahoo's
/// decimals almost never do, and prices rounded to whole won (Naver's 수정주가) do about one
/// time in the tick (one in 5 at 5-won ticks, one in 100 at 100-won ticks). Compare the share
/// of two windows of the same days, or of one window against 1.0: above about 0.95 the bars
/// are as traded (or nothing was adjusted in that window), clearly below it they are adjusted.
/// Below 1,000 won (2,000 won since 2023) the tick is 1 won and every whole-won price is on
/// the grid, so a low-priced stock's share says little.
pub fn on_grid_share(series: &DailySeries, market: Option<KrMarket>) -> Option<f64> {
    let market = market.unwrap_or(KrMarket::Kosdaq);
    let (mut total, mut hits) = (0_usize, 0_usize);
    for (date, close) in series.days().iter().zip(series.close()) {
        if !(close.is_finite() && *close > 0.0) {
            continue;
        }
        total += 1;
        if on_grid(*close, tick_size(*close, *date, market)) {
            hits += 1;
        }
    }
    (total > 0).then(|| hits as f64 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Bar;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn closes(days: &[(NaiveDate, f64)]) -> DailySeries {
        let (s, issues) =
            DailySeries::from_bars(days.iter().map(|&(date, c)| Bar::ohlc(date, c, c, c, c)));
        assert!(issues.is_empty(), "{issues:?}");
        s
    }

    #[test]
    fn limits_follow_the_krx_history() {
        use KrMarket::{Kosdaq, Kospi};
        let k = |y, m, day| price_limit(d(y, m, day), Some(Kospi));
        assert_eq!(
            k(1995, 3, 31),
            None,
            "won-amount tables before the first rate"
        );
        assert_eq!(k(1995, 4, 1), Some(0.06));
        assert_eq!(k(1996, 11, 22), Some(0.06));
        assert_eq!(k(1996, 11, 25), Some(0.08));
        assert_eq!(k(1998, 2, 28), Some(0.08));
        assert_eq!(k(1998, 3, 2), Some(0.12));
        assert_eq!(k(1998, 12, 5), Some(0.12));
        assert_eq!(k(1998, 12, 7), Some(0.15));
        assert_eq!(k(2015, 6, 12), Some(0.15));
        assert_eq!(k(2015, 6, 15), Some(0.30));
        assert_eq!(k(2026, 1, 2), Some(0.30));

        let q = |y, m, day| price_limit(d(y, m, day), Some(Kosdaq));
        assert_eq!(q(1996, 10, 31), None);
        assert_eq!(q(1996, 11, 1), Some(0.08));
        assert_eq!(q(1998, 4, 1), Some(0.12));
        assert_eq!(
            q(2004, 12, 30),
            Some(0.12),
            "KOSDAQ stayed at 12% while KOSPI had 15%"
        );
        assert_eq!(q(2005, 3, 25), Some(0.12));
        assert_eq!(q(2005, 3, 28), Some(0.15));
        assert_eq!(q(2015, 6, 15), Some(0.30));

        // Unknown market: the wider limit, nothing where either market had none.
        assert_eq!(price_limit(d(1996, 1, 3), None), None);
        assert_eq!(price_limit(d(1996, 11, 15), None), Some(0.08));
        assert_eq!(price_limit(d(2004, 1, 5), None), Some(0.15));
        assert_eq!(price_limit(d(2020, 1, 2), None), Some(0.30));
    }

    /// Samsung Electronics' 50:1 split on 2018-05-04: as traded, the close fell from
    /// 2,650,000 to 51,900 won; split-adjusted, from 53,000.
    #[test]
    fn an_unadjusted_split_breaches_the_limit_and_an_adjusted_one_does_not() {
        let raw = closes(&[
            (d(2018, 4, 27), 2_650_000.0),
            (d(2018, 4, 30), 2_650_000.0),
            (d(2018, 5, 4), 51_900.0),
            (d(2018, 5, 8), 52_600.0),
        ]);
        let breaches = limit_breaches_in(&raw, None, Some(KrMarket::Kospi));
        assert_eq!(breaches.len(), 1, "{breaches:?}");
        let b = breaches[0];
        assert_eq!(b.date, d(2018, 5, 4));
        assert_eq!(
            (b.prev_close, b.close, b.limit),
            (2_650_000.0, 51_900.0, 0.30)
        );
        assert!((b.change - (51_900.0 / 2_650_000.0 - 1.0)).abs() < 1e-12);
        assert_eq!(
            b.describe(),
            "2018-05-04: -98.0% close-to-close (2650000 to 51900), beyond the ±30% limit: a \
             missing split adjustment or a bad print"
        );

        let adjusted = closes(&[
            (d(2018, 4, 27), 53_000.0),
            (d(2018, 4, 30), 53_000.0),
            (d(2018, 5, 4), 51_900.0),
            (d(2018, 5, 8), 52_600.0),
        ]);
        assert!(limit_breaches(&adjusted, None).is_empty());
    }

    #[test]
    fn moves_at_the_limit_pass_and_just_beyond_it_do_not() {
        // 2015-06-15, the first ±30% day: 제주반도체 rose 29.93% to the limit.
        let s = closes(&[
            (d(2015, 6, 12), 7_250.0),
            (d(2015, 6, 15), 9_420.0),
            (d(2015, 6, 16), 12_240.0),
        ]);
        assert!(limit_breaches(&s, None).is_empty(), "+29.9% twice");
        let s = closes(&[(d(2015, 6, 15), 9_420.0), (d(2015, 6, 16), 12_300.0)]);
        assert_eq!(
            limit_breaches(&s, None).len(),
            1,
            "+30.6%: beyond 30% + 0.5"
        );
        let s = closes(&[(d(2015, 6, 11), 10_000.0), (d(2015, 6, 12), 11_600.0)]);
        let b = limit_breaches(&s, None);
        assert_eq!(b.len(), 1, "+16% under the ±15% limit");
        assert_eq!(b[0].limit, 0.15);
        let s = closes(&[(d(2015, 6, 11), 10_000.0), (d(2015, 6, 12), 11_540.0)]);
        assert!(limit_breaches(&s, None).is_empty(), "within the tolerance");
        // KOSDAQ in 2004: 12%; the same move on KOSPI (15%) passes.
        let s = closes(&[(d(2004, 6, 1), 10_000.0), (d(2004, 6, 2), 8_600.0)]);
        assert_eq!(limit_breaches_in(&s, None, Some(KrMarket::Kosdaq)).len(), 1);
        assert!(limit_breaches_in(&s, None, Some(KrMarket::Kospi)).is_empty());
        assert!(
            limit_breaches(&s, None).is_empty(),
            "unknown market: the wider limit"
        );
    }

    #[test]
    fn listing_days_gaps_and_years_without_a_rate_are_not_checked() {
        let s = closes(&[
            (d(1994, 3, 2), 10_000.0),
            (d(1994, 3, 3), 20_000.0),
            (d(2020, 3, 2), 10_000.0),
            (d(2020, 3, 3), 25_000.0),
            (d(2020, 3, 4), 24_000.0),
            // Trading resumed after a 3-week halt at a newly set price.
            (d(2020, 3, 26), 6_000.0),
            (d(2020, 3, 27), 3_000.0),
        ]);
        let all = limit_breaches(&s, None);
        assert_eq!(
            all.iter().map(|b| b.date).collect::<Vec<_>>(),
            [d(2020, 3, 3), d(2020, 3, 27)],
            "1994 has no rate, the move across the halt is not checked"
        );
        let after_listing = limit_breaches(&s, Some(d(2020, 3, 3)));
        assert_eq!(
            after_listing.iter().map(|b| b.date).collect::<Vec<_>>(),
            [d(2020, 3, 27)]
        );
        // The 11-day Chuseok closure of 2017 is checked across.
        let s = closes(&[(d(2017, 9, 29), 10_000.0), (d(2017, 10, 10), 5_000.0)]);
        assert_eq!(limit_breaches(&s, None).len(), 1);
        assert!(limit_breaches(&DailySeries::new(), None).is_empty());
    }

    #[test]
    fn a_recorded_split_is_named() {
        let mut bars = vec![
            Bar::ohlc(d(2021, 4, 14), 40_000.0, 40_000.0, 40_000.0, 40_000.0),
            Bar::ohlc(d(2021, 4, 15), 10_100.0, 10_100.0, 10_100.0, 10_100.0),
        ];
        bars[1].stock_splits = 4.0;
        let (s, _) = DailySeries::from_bars(bars);
        let b = limit_breaches(&s, None);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].split, 4.0);
        assert!(
            b[0].describe()
                .ends_with("(a 4:1 split is recorded on this day)"),
            "{}",
            b[0].describe()
        );
    }

    #[test]
    fn tick_sizes_by_band_market_and_era() {
        use KrMarket::{Kosdaq, Kospi};
        let new = d(2023, 1, 25);
        let old = d(2023, 1, 24);
        for (price, tick) in [
            (1_999.0, 1.0),
            (2_000.0, 5.0),
            (4_995.0, 5.0),
            (5_000.0, 10.0),
            (19_990.0, 10.0),
            (20_000.0, 50.0),
            (50_000.0, 100.0),
            (199_900.0, 100.0),
            (200_000.0, 500.0),
            (500_000.0, 1_000.0),
        ] {
            assert_eq!(tick_size(price, new, Kospi), tick, "{price}");
            assert_eq!(tick_size(price, new, Kosdaq), tick, "{price}");
        }
        for (price, kospi, kosdaq) in [
            (999.0, 1.0, 1.0),
            (1_000.0, 5.0, 5.0),
            (5_000.0, 10.0, 10.0),
            (10_000.0, 50.0, 50.0),
            (50_000.0, 100.0, 100.0),
            (100_000.0, 500.0, 100.0),
            (500_000.0, 1_000.0, 100.0),
        ] {
            assert_eq!(tick_size(price, old, Kospi), kospi, "{price}");
            assert_eq!(tick_size(price, old, Kosdaq), kosdaq, "{price}");
        }
    }

    #[test]
    fn as_traded_closes_lie_on_the_grid_and_adjusted_ones_do_not() {
        // Hyundai Motor around the 2023 change: 500-won ticks before, 100-won ticks after.
        let raw = closes(&[
            (d(2023, 1, 19), 163_500.0),
            (d(2023, 1, 20), 166_500.0),
            (d(2023, 1, 25), 166_600.0),
            (d(2023, 1, 26), 167_300.0),
        ]);
        assert_eq!(on_grid_share(&raw, Some(KrMarket::Kospi)), Some(1.0));
        // 166,600 is off KOSPI's old 500-won grid: a 100-won close before the change is not.
        let early = closes(&[(d(2023, 1, 20), 166_600.0)]);
        assert_eq!(on_grid_share(&early, Some(KrMarket::Kospi)), Some(0.0));
        assert_eq!(
            on_grid_share(&early, Some(KrMarket::Kosdaq)),
            Some(1.0),
            "KOSDAQ had 100-won ticks above 50,000"
        );
        assert_eq!(
            on_grid_share(&early, None),
            Some(1.0),
            "unknown: the finer grid"
        );
        // The same closes divided by a rights-issue factor of 1.0732.
        let adjusted = closes(
            &raw.days()
                .iter()
                .zip(raw.close())
                .map(|(day, c)| (*day, c / 1.0732))
                .collect::<Vec<_>>(),
        );
        assert_eq!(on_grid_share(&adjusted, Some(KrMarket::Kospi)), Some(0.0));
        // Rounded to whole won they still miss 100- and 500-won ticks.
        let rounded = closes(
            &adjusted
                .days()
                .iter()
                .zip(adjusted.close())
                .map(|(day, c)| (*day, c.round()))
                .collect::<Vec<_>>(),
        );
        assert_eq!(on_grid_share(&rounded, Some(KrMarket::Kospi)), Some(0.0));
        assert_eq!(on_grid_share(&DailySeries::new(), None), None);
    }
}
