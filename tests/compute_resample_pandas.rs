//! Weekly and monthly bars agree with pandas' `resample` on a real series.
//!
//! Input: `tests/fixtures/GSPC.csv` (S&P 500 daily, 2000-01-03 .. 2020-04-17; see
//! `compute_pandas.rs`). Expected: `tests/fixtures/pandas_gspc_resampled.csv`, made by
//! `make_resample_fixture.py` next to it (its header names the pandas version). pandas labels
//! a bin by its calendar end; wickview dates a bar by the bin's last trading day, the
//! fixture's `last_day` column.

// Test helpers outside #[test] functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use chrono::NaiveDate;
use wickview::compute::{Interval, resample};
use wickview::model::{Bar, DailySeries};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn gspc() -> DailySeries {
    let text = std::fs::read_to_string(fixture("GSPC.csv")).unwrap();
    let bars = text.lines().skip(1).map(|l| {
        let c: Vec<&str> = l.split(',').collect();
        let f = |k: usize| c[k].parse::<f64>().unwrap();
        Bar {
            volume: f(5),
            ..Bar::ohlc(c[0].parse().unwrap(), f(1), f(2), f(3), f(4))
        }
    });
    let (series, issues) = DailySeries::from_bars(bars);
    assert!(issues.is_empty(), "{issues:?}");
    series
}

#[test]
fn weekly_and_monthly_bars_match_pandas() {
    let daily = gspc();
    let text = std::fs::read_to_string(fixture("pandas_gspc_resampled.csv")).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    assert_eq!(
        lines.next(),
        Some("interval,label,last_day,open,high,low,close,volume")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for (code, interval) in [("W", Interval::Weekly), ("M", Interval::Monthly)] {
        let expected: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == code).collect();
        let got = resample(&daily, interval);
        assert_eq!(got.len(), expected.len(), "{interval} bars");
        for (i, row) in expected.iter().enumerate() {
            let day: NaiveDate = row[2].parse().unwrap();
            let bar = got.bar(i).unwrap();
            assert_eq!(
                bar.date, day,
                "{interval} bar {i} (pandas label {})",
                row[1]
            );
            let want: Vec<f64> = row[3..8].iter().map(|v| v.parse().unwrap()).collect();
            let have = [bar.open, bar.high, bar.low, bar.close, bar.volume];
            for (k, (h, w)) in have.iter().zip(&want).enumerate() {
                assert!(
                    (h - w).abs() <= 1e-9 * w.abs().max(1.0),
                    "{interval} bar {day} column {k}: {h} vs pandas {w}"
                );
            }
        }
    }
}
