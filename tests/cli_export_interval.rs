//! `wickview export --interval w|m` through the real binary: the weekly and monthly bars of
//! an imported series match pandas' resample (tests/fixtures/pandas_gspc_resampled.csv,
//! dated by each period's last trading day) and the moving averages are of those bars.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::*;

#[test]
fn export_writes_weekly_and_monthly_bars() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let gspc = sample("GSPC.csv");
    succeeded(&wickview_in(
        root,
        &["import", gspc.to_str().unwrap(), "--ticker", "^GSPC"],
    ));
    let fixture_text = std::fs::read_to_string(fixture("pandas_gspc_resampled.csv")).unwrap();
    let expected: Vec<Vec<&str>> = fixture_text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    for (arg, code) in [("w", "W"), ("m", "M")] {
        let out = succeeded(&wickview_in(
            root,
            &["export", "^GSPC", "--interval", arg, "--ma", "4"],
        ));
        let mut lines = out.lines();
        assert_eq!(
            lines.next(),
            Some("date,open,high,low,close,volume,sma_4,source,foreign_ratio"),
            "{arg}"
        );
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        let want: Vec<&Vec<&str>> = expected.iter().filter(|r| r[0] == code).collect();
        assert_eq!(rows.len(), want.len(), "--interval {arg}");
        let closes: Vec<f64> = rows.iter().map(|r| r[4].parse().unwrap()).collect();
        for (i, (row, w)) in rows.iter().zip(&want).enumerate() {
            assert_eq!(
                row[0], w[2],
                "--interval {arg}: dated by the last trading day"
            );
            for k in 1..6 {
                let (g, e): (f64, f64) = (row[k].parse().unwrap(), w[k + 2].parse().unwrap());
                assert!(
                    (g - e).abs() <= 1e-9 * e.abs().max(1.0),
                    "{arg} {} column {k}: {g} vs pandas {e}",
                    row[0]
                );
            }
            // The average of the last four bars written, not of four days.
            if i >= 3 {
                let sma: f64 = row[6].parse().unwrap();
                let mean = closes[i - 3..=i].iter().sum::<f64>() / 4.0;
                assert!((sma - mean).abs() <= 1e-9 * mean, "{arg} {}", row[0]);
            } else {
                assert_eq!(row[6], "");
            }
        }
    }
    // Daily is the default, and the same as `--interval d`.
    let daily = succeeded(&wickview_in(root, &["export", "^GSPC"]));
    assert_eq!(
        daily,
        succeeded(&wickview_in(root, &["export", "^GSPC", "--interval", "d"]))
    );
    assert_eq!(daily.lines().count(), 5106);

    let out = wickview_in(root, &["export", "^GSPC", "--interval", "y"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown interval 'y'"), "{err}");
}
