//! `wickview import` then `wickview export` through the real binary: every bar round-trips
//! exactly, and the moving averages match pandas (tests/fixtures/pandas_gspc.csv).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use common::*;

/// Exported CSV as (header, rows of cells).
fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn assert_bars_round_trip(sample_name: &str, rows: &[Vec<String>]) {
    let expected = read_sample(sample_name);
    assert_eq!(rows.len(), expected.len(), "{sample_name}: row count");
    for (row, bar) in rows.iter().zip(expected.bars()) {
        assert_eq!(row[0], bar.date.format("%Y-%m-%d").to_string());
        let got: Vec<f64> = row[1..6].iter().map(|c| c.parse().unwrap()).collect();
        assert_eq!(
            got,
            vec![bar.open, bar.high, bar.low, bar.close, bar.volume],
            "{sample_name} {}: bit-exact",
            bar.date
        );
    }
}

#[test]
fn import_then_export_round_trips_and_mas_match_pandas() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let gspc = sample("GSPC.csv");
    let imported = wickview_in(
        root,
        &[
            "import",
            gspc.to_str().unwrap(),
            "--ticker",
            "^GSPC",
            "--name",
            "S&P 500",
        ],
    );
    succeeded(&imported);
    let report = String::from_utf8_lossy(&imported.stderr);
    assert!(
        report.contains("5105 rows read = 5105 bars kept (0 repaired) + 0 bad rows; 5105 new bars"),
        "{report}"
    );
    assert!(report.contains("0 bad rows"), "{report}");

    let out = succeeded(&wickview_in(
        root,
        &["export", "^GSPC", "--ma", "5,20,60,120"],
    ));
    let (header, rows) = parse(&out);
    assert_eq!(
        header,
        [
            "date",
            "open",
            "high",
            "low",
            "close",
            "volume",
            "sma_5",
            "sma_20",
            "sma_60",
            "sma_120",
            "source",
            "foreign_ratio"
        ]
    );
    assert_bars_round_trip("GSPC.csv", &rows);

    // Moving averages against pandas' rolling(w).mean(), at every row the fixture keeps.
    let fixture_text = std::fs::read_to_string(fixture("pandas_gspc.csv")).unwrap();
    let mut lines = fixture_text.lines().filter(|l| !l.starts_with('#'));
    let names: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| names.iter().position(|x| *x == n).unwrap();
    let by_date: HashMap<&str, &Vec<String>> = rows.iter().map(|r| (r[0].as_str(), r)).collect();
    let mut checked = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let row = by_date[f[col("date")]];
        for (k, w) in [5, 20, 60, 120].iter().enumerate() {
            let expected = f[col(&format!("sma{w}"))];
            let got = &row[6 + k];
            if expected.is_empty() {
                assert!(
                    got.is_empty(),
                    "{}: sma_{w} undefined in pandas, got {got}",
                    row[0]
                );
            } else {
                let (e, g): (f64, f64) = (expected.parse().unwrap(), got.parse().unwrap());
                assert!(
                    ((g - e) / e).abs() <= 1e-9,
                    "{}: sma_{w} {g} vs pandas {e}",
                    row[0]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 2000, "checked {checked} values");

    // Importing the same file again changes nothing.
    let again = wickview_in(
        root,
        &["import", gspc.to_str().unwrap(), "--ticker", "^GSPC"],
    );
    succeeded(&again);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("0 new bars, 0 changed, 5105 unchanged")
    );

    // A range with the rebased close.
    let out = succeeded(&wickview_in(
        root,
        &[
            "export",
            "^GSPC",
            "--from",
            "2020-04-13",
            "--to",
            "2020-04-17",
            "--ma",
            "5",
            "--normalize",
        ],
    ));
    let (header, rows) = parse(&out);
    assert_eq!(
        header[7..],
        ["close_rebased_100", "source", "foreign_ratio"].map(str::to_owned)
    );
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0][7], "100");
    let close = |r: &Vec<String>| r[4].parse::<f64>().unwrap();
    let rebased: f64 = rows[4][7].parse().unwrap();
    assert!((rebased - close(&rows[4]) / close(&rows[0]) * 100.0).abs() < 1e-9);
    assert!(!rows[0][6].is_empty(), "sma_5 uses history before --from");
}

#[test]
fn korean_sample_round_trips_and_bad_rows_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    succeeded(&wickview_in(
        root,
        &[
            "import",
            sample("005930.csv").to_str().unwrap(),
            "--name",
            "삼성전자",
        ],
    ));
    let out = succeeded(&wickview_in(root, &["export", "005930"]));
    let (_, rows) = parse(&out);
    assert_bars_round_trip("005930.csv", &rows);

    // A broken CSV: good rows kept, bad ones named by line; exit code 0.
    let broken = dir.path().join("MSFT.csv");
    std::fs::write(
        &broken,
        "Date,Open,High,Low,Close,Adj Close,Volume\n\
         2024-01-02,373.86,375.9,366.77,370.87,367.94,25258600\n\
         2024-01-03,null,null,null,null,null,null\n\
         2024-01-04,370.67,373.1,367.17,367.94,365.03,20901500\n\
         2024-01-05,367.75,370,364,367.75,364.84,\n",
    )
    .unwrap();
    let imported = wickview_in(root, &["import", broken.to_str().unwrap()]);
    succeeded(&imported);
    let report = String::from_utf8_lossy(&imported.stderr);
    assert!(
        report.contains(
            "MSFT (us, new ticker): 4 rows read = 2 bars kept (0 repaired) + 2 bad rows; 2 new bars"
        ),
        "{report}"
    );
    assert!(report.contains("line 3: open: missing value"), "{report}");
    assert!(report.contains("line 5: volume: missing value"), "{report}");
    let (_, rows) = parse(&succeeded(&wickview_in(root, &["export", "MSFT"])));
    assert_eq!(rows.len(), 2);

    // An unknown ticker and a missing file fail clearly.
    let out = wickview_in(root, &["export", "NOPE"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown ticker NOPE"));
    let out = wickview_in(
        root,
        &["import", dir.path().join("nope.csv").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
}

/// Every exported day carries its provenance in the last two columns (empty for imported
/// bars), and an exported file imports again: the importer reads the prices and leaves the
/// other columns, so the second export has the same bars (the copy's source not recorded).
#[test]
fn provenance_columns_are_exported_and_the_file_imports_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    succeeded(&wickview_in(
        root,
        &[
            "import",
            sample("005930.csv").to_str().unwrap(),
            "--name",
            "삼성전자",
        ],
    ));
    let (header, rows) = parse(&succeeded(&wickview_in(root, &["export", "005930"])));
    assert_eq!(header[header.len() - 2..], ["source", "foreign_ratio"]);
    assert!(rows.iter().all(|r| r[6].is_empty() && r[7].is_empty()));

    // The last two days rewritten by a download source, one of them with a foreign ratio.
    let stored = read_sample("005930.csv");
    let last = stored.slice(stored.len() - 2..stored.len());
    let days = last.days().to_vec();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let config = wickview::store::StoreConfig::Embedded {
            data_dir: root.join("data"),
        };
        let store = wickview::store::Store::open(&config).await.unwrap();
        let t = store.ticker("005930").await.unwrap().unwrap().ticker;
        let from = wickview::store::Provenance {
            source: Some("naver"),
            foreign_ratio: &[(days[1], 50.12)],
        };
        let summary = store.upsert_bars_from(&t, &last, from).await.unwrap();
        assert_eq!(summary.unchanged, 2, "the same values");
    });
    let exported = succeeded(&wickview_in(root, &["export", "005930"]));
    let (_, rows) = parse(&exported);
    assert_bars_round_trip("005930.csv", &rows);
    let tail: Vec<&[String]> = rows[rows.len() - 3..].iter().map(|r| &r[6..]).collect();
    assert_eq!(
        tail,
        [
            &["".to_owned(), "".to_owned()][..],
            &["naver".to_owned(), "".to_owned()][..],
            &["naver".to_owned(), "50.12".to_owned()][..],
        ]
    );

    // The exported file imports under another ticker with every bar.
    let copy = root.join("000001.csv");
    std::fs::write(&copy, &exported).unwrap();
    let imported = wickview_in(root, &["import", copy.to_str().unwrap(), "--name", "copy"]);
    succeeded(&imported);
    let report = String::from_utf8_lossy(&imported.stderr);
    assert!(report.contains("+ 0 bad rows"), "{report}");
    let (_, again) = parse(&succeeded(&wickview_in(root, &["export", "000001"])));
    assert_bars_round_trip("005930.csv", &again);
    assert!(again.iter().all(|r| r[6].is_empty() && r[7].is_empty()));
}

/// The environment of a developer whose own config points at a real MongoDB (and whose
/// `MONGODB_URI` and `WICKVIEW_DATA_DIR` are set): a sandboxed command ignores all of it and
/// works on its own embedded store, writing nothing outside its sandbox.
#[test]
fn test_commands_never_touch_the_users_config_or_data() {
    let user = tempfile::tempdir().unwrap();
    let user_config = user.path().join("config/wickview");
    std::fs::create_dir_all(&user_config).unwrap();
    // Port 9 (discard) on loopback: nothing answers, so using it would fail the export.
    std::fs::write(
        user_config.join("config.toml"),
        "[store]\nmongodb_uri = \"mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=500\"\n",
    )
    .unwrap();
    let user_data = user.path().join("data");
    let sandbox = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wickview"));
    cmd.env("XDG_CONFIG_HOME", user.path().join("config"))
        .env("HOME", user.path())
        .env("MONGODB_URI", "mongodb://127.0.0.1:9/")
        .env("WICKVIEW_DATA_DIR", &user_data);
    let gspc = sample("GSPC.csv");
    let out = isolate(&mut cmd, sandbox.path())
        .args(["import", gspc.to_str().unwrap()])
        .output()
        .unwrap();
    succeeded(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("MongoDB"), "{stderr}");
    assert!(
        sandbox
            .path()
            .join("data")
            .join(wickview::store::EMBEDDED_FILE_NAME)
            .exists()
    );
    assert!(!user_data.exists(), "the user's data directory was created");
}

#[test]
fn export_indicators_match_talib_and_bad_specs_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    succeeded(&wickview_in(
        data,
        &["import", sample("005930.csv").to_str().unwrap()],
    ));
    let out = succeeded(&wickview_in(
        data,
        &[
            "export",
            "005930",
            "--from",
            "2000-01-25",
            "--to",
            "2001-06-30",
            "--indicator",
            "rsi:14",
            "--indicator",
            "macd:12,26,9",
            "--indicator",
            "bb:20,2",
            "--indicator",
            "stoch:14,3,3",
            "--indicator",
            "atr:14",
        ],
    ));
    let (header, rows) = parse(&out);
    let names = [
        "rsi_14",
        "macd_12_26_9",
        "macd_signal_12_26_9",
        "macd_hist_12_26_9",
        "bb_upper_20_2",
        "bb_middle_20_2",
        "bb_lower_20_2",
        "stoch_k_14_3_3",
        "stoch_d_14_3_3",
        "atr_14",
    ];
    assert_eq!(header[6..header.len() - 2], names.map(str::to_owned));
    assert_eq!(header[header.len() - 2..], ["source", "foreign_ratio"]);
    // Expected values from TA-Lib (tests/fixtures/talib_005930.csv), keyed by date.
    let fixture = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/talib_005930.csv"),
    )
    .unwrap();
    let mut lines = fixture.lines().filter(|l| !l.starts_with('#'));
    let fh: Vec<&str> = lines.next().unwrap().split(',').collect();
    let expected: HashMap<String, Vec<String>> = lines
        .map(|l| {
            let cells: Vec<String> = l.split(',').map(str::to_owned).collect();
            (cells[1].clone(), cells)
        })
        .collect();
    let mut checked = 0;
    for row in &rows {
        let Some(want) = expected.get(&row[0]) else {
            continue;
        };
        for (k, name) in names.iter().enumerate() {
            let w = &want[fh.iter().position(|h| h == name).unwrap()];
            let g = &row[6 + k];
            if w.is_empty() {
                assert!(g.is_empty(), "{} {name}: {g}, TA-Lib has none", row[0]);
            } else {
                let (g, w): (f64, f64) = (g.parse().unwrap(), w.parse().unwrap());
                assert!(
                    (g - w).abs() <= 1e-9 * w.abs(),
                    "{} {name}: {g} vs {w}",
                    row[0]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
    // Computed over the whole history, then cut: the first exported day (row 15) has its RSI
    // but not yet its MACD (defined from row 33).
    assert!(!rows[0][6].is_empty() && rows[0][7].is_empty());

    for (spec, reason) in [
        ("rsi:0", "the period must be at least 2, got 0"),
        ("macd:12,26", "macd takes 3 parameters, got 2"),
        ("foo", "unknown indicator 'foo'"),
    ] {
        let out = wickview_in(data, &["export", "005930", "--indicator", spec]);
        assert_eq!(out.status.code(), Some(2), "{spec}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(reason) && err.contains("stoch:K,SLOWING,D"),
            "{err}"
        );
    }
}
