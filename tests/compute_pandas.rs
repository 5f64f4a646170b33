//! SMA, EMA and normalisation on a real series agree with pandas.
//!
//! Input: `tests/fixtures/GSPC.csv`, the S&P 500 daily closes 2000-01-03 .. 2020-04-17 (npm
//! package vega-datasets 3.2.1, `data/sp500-2000.csv`, BSD-3-Clause; data from Yahoo Finance).
//! Expected values: `tests/fixtures/pandas_gspc.csv`, made by `make_pandas_fixture.py` next to
//! it (its header names the pandas version). The fixture holds a subset of rows; every row of
//! the subset is checked.

// Test helpers outside #[test] functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;

use wickview::compute::{ema, pct_change, rebase, sma};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn closes() -> Vec<f64> {
    let text = std::fs::read_to_string(fixture("GSPC.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "close").unwrap();
    lines
        .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
        .collect()
}

/// The gappy input of the fixture: NaN at rows 0, 1, r % 211 == 17 and 1000..1012.
fn gappy(close: &[f64]) -> Vec<f64> {
    close
        .iter()
        .enumerate()
        .map(|(r, &v)| {
            if r < 2 || r % 211 == 17 || (1000..1012).contains(&r) {
                f64::NAN
            } else {
                v
            }
        })
        .collect()
}

struct Expected {
    rows: Vec<usize>,
    columns: HashMap<String, Vec<f64>>,
}

fn expected() -> Expected {
    let text = std::fs::read_to_string(fixture("pandas_gspc.csv")).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    let mut columns: HashMap<String, Vec<f64>> = HashMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), header.len(), "{line}");
        rows.push(cells[0].parse().unwrap());
        for (name, cell) in header.iter().zip(&cells).skip(2) {
            let v = if cell.is_empty() {
                f64::NAN
            } else {
                cell.parse().unwrap()
            };
            columns.entry(name.clone()).or_default().push(v);
        }
    }
    Expected { rows, columns }
}

/// Checks `got` (a full series) against the fixture column at its rows: NaN where pandas has
/// NaN, otherwise within `rel` relative. Returns the largest relative error seen.
fn check(exp: &Expected, column: &str, got: &[f64], rel: f64) -> f64 {
    let want = &exp.columns[column];
    let mut worst = 0.0_f64;
    for (&row, &w) in exp.rows.iter().zip(want) {
        let g = got[row];
        assert_eq!(
            g.is_nan(),
            w.is_nan(),
            "{column} row {row}: got {g}, pandas {w}"
        );
        if !w.is_nan() {
            let err = (g - w).abs() / w.abs().max(f64::MIN_POSITIVE);
            worst = worst.max(err);
            assert!(
                err <= rel,
                "{column} row {row}: got {g}, pandas {w}, rel err {err:e}"
            );
        }
    }
    worst
}

#[test]
fn fixture_covers_the_series() {
    let close = closes();
    let exp = expected();
    assert_eq!(close.len(), 5105);
    assert!(exp.rows.len() > 1000);
    assert_eq!(exp.rows[0], 0);
    assert!(*exp.rows.last().unwrap() > 5000);
}

#[test]
fn sma_matches_pandas_rolling_mean() {
    let close = closes();
    let exp = expected();
    let windows = [5, 20, 60, 120];
    let out = sma(&close, &windows).unwrap();
    for (w, got) in windows.iter().zip(&out) {
        check(&exp, &format!("sma{w}"), got, 1e-9);
    }
    let gappy = gappy(&close);
    let windows = [5, 20, 120];
    let out = sma(&gappy, &windows).unwrap();
    for (w, got) in windows.iter().zip(&out) {
        check(&exp, &format!("gappy_sma{w}"), got, 1e-9);
    }
}

#[test]
fn ema_matches_pandas_ewm_bit_for_bit() {
    let close = closes();
    let gappy = gappy(&close);
    let exp = expected();
    for (column, input, span) in [
        ("ema20", &close, 20),
        ("ema5", &close, 5),
        ("gappy_ema20", &gappy, 20),
        ("gappy_ema5", &gappy, 5),
        ("gappy_ema3", &gappy, 3),
    ] {
        let got = ema(input, span).unwrap();
        // Same operations in the same order as pandas: not even one ulp apart.
        assert_eq!(check(&exp, column, &got, 1e-9), 0.0, "{column}");
    }
}

#[test]
fn normalisation_matches_pandas() {
    let close = closes();
    let gappy = gappy(&close);
    let exp = expected();
    assert_eq!(check(&exp, "rebase0", &rebase(&close, 0), 1e-9), 0.0);
    assert_eq!(check(&exp, "rebase2500", &rebase(&close, 2500), 1e-9), 0.0);
    assert_eq!(check(&exp, "pct2500", &pct_change(&close, 2500), 1e-9), 0.0);
    // Row 1000 is NaN: the base moves on to row 1012.
    assert_eq!(
        check(&exp, "gappy_rebase1000", &rebase(&gappy, 1000), 1e-9),
        0.0
    );
}
