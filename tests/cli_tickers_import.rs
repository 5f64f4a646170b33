//! `wickview tickers …` and the import policy (close-only series, files with nothing to
//! import, rounding glitches) through the real binary on an embedded store of its own.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[allow(dead_code)]
#[path = "common/sandbox.rs"]
mod sandbox;

use std::path::Path;
use std::process::{Command, Output};

use sandbox::succeeded;

fn wickview(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wickview"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("MONGODB_URI")
        .env_remove("WICKVIEW_SOURCE_URL")
        .env("XDG_CONFIG_HOME", data_dir.join("config"))
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn list_json(data: &Path) -> Vec<serde_json::Value> {
    let text = succeeded(&wickview(data, &["tickers", "list", "--json"]));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn tickers_add_list_rename_activate_remove() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    // Added as the side panel validates them; the category comes from the symbol's shape.
    let added = succeeded(&wickview(
        &data,
        &["tickers", "add", "035720.kq", "--name", "카카오", "--json"],
    ));
    let added: serde_json::Value = serde_json::from_str(&added).unwrap();
    assert_eq!(added["ticker"], "035720");
    assert_eq!(added["category"], "kr");
    assert_eq!(added["source_symbol"], "035720.KQ");
    assert_eq!(added["name"], "카카오");
    assert_eq!(added["active"], true);
    succeeded(&wickview(&data, &["tickers", "add", "brk.b"]));
    succeeded(&wickview(
        &data,
        &[
            "tickers",
            "add",
            "069500",
            "--category",
            "index",
            "--inactive",
        ],
    ));
    succeeded(&wickview(&data, &["tickers", "add", "KRW=X"]));

    let rows = list_json(&data);
    let tickers: Vec<&str> = rows.iter().map(|r| r["ticker"].as_str().unwrap()).collect();
    assert_eq!(tickers, ["035720", "069500", "BRK-B", "KRW=X"]);
    assert_eq!(rows[1]["category"], "index");
    assert_eq!(rows[1]["active"], false);
    assert_eq!(rows[3]["category"], "fx");
    let text = succeeded(&wickview(&data, &["tickers", "list", "--category", "us"]));
    assert!(text.contains("BRK-B"), "{text}");
    assert!(!text.contains("KRW=X"), "{text}");
    assert!(text.trim_end().ends_with("1 tickers"), "{text}");

    // Invalid symbols: exit 2, nothing stored.
    let bad = wickview(&data, &["tickers", "add", "12345", "--category", "kr"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("6-digit"), "{}", stderr(&bad));
    let bad = wickview(&data, &["tickers", "add", "GSPC", "--category", "fx"]);
    assert_eq!(bad.status.code(), Some(2));
    // Already listed, unknown: exit 1.
    let dup = wickview(&data, &["tickers", "add", "BRK-B"]);
    assert_eq!(dup.status.code(), Some(1), "{}", stderr(&dup));
    let unknown = wickview(&data, &["tickers", "rename", "NOPE", "x"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("unknown ticker NOPE"));
    assert_eq!(list_json(&data).len(), 4);

    succeeded(&wickview(
        &data,
        &["tickers", "rename", "brk-b", "Berkshire Hathaway B"],
    ));
    succeeded(&wickview(
        &data,
        &["tickers", "deactivate", "BRK-B", "KRW=X"],
    ));
    // One unknown ticker among several changes none of them.
    let partly = wickview(&data, &["tickers", "activate", "069500", "NOPE"]);
    assert_eq!(partly.status.code(), Some(1));
    let rows = list_json(&data);
    assert_eq!(rows[1]["active"], false, "069500 untouched");
    assert_eq!(rows[2]["name"], "Berkshire Hathaway B");
    assert_eq!(rows[2]["active"], false);
    succeeded(&wickview(&data, &["tickers", "activate", "069500"]));
    assert_eq!(list_json(&data)[1]["active"], true);

    // A ticker with bars is removed only with --yes, and then its bars go with it.
    let csv = dir.path().join("prices.csv");
    std::fs::write(
        &csv,
        "date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,11,200\n",
    )
    .unwrap();
    succeeded(&wickview(
        &data,
        &["import", csv.to_str().unwrap(), "--ticker", "KRW=X"],
    ));
    let refused = wickview(&data, &["tickers", "remove", "KRW=X"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("2 stored bars"),
        "{}",
        stderr(&refused)
    );
    let rows = list_json(&data);
    assert_eq!(
        rows[3]["last_day"], "2024-01-03",
        "still there, with its bars"
    );
    let removed = succeeded(&wickview(&data, &["tickers", "remove", "KRW=X", "--yes"]));
    assert!(removed.contains("removed KRW=X and 2 bars"), "{removed}");
    // Without bars, no --yes is needed.
    succeeded(&wickview(&data, &["tickers", "remove", "035720"]));
    let tickers: Vec<String> = list_json(&data)
        .iter()
        .map(|r| r["ticker"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tickers, ["069500", "BRK-B"]);
    let export = wickview(&data, &["export", "KRW=X"]);
    assert!(!export.status.success());
}

#[test]
fn files_with_nothing_to_import_exit_1_and_create_no_ticker() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut random = vec![0u8; 4096];
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    for b in &mut random {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = (x >> 24) as u8;
    }
    let files: [(&str, &[u8]); 4] = [
        ("EMPTY.csv", b""),
        ("HEADER.csv", b"Date,Open,High,Low,Close,Adj Close,Volume\n"),
        ("BINARY.csv", &random),
        ("ALLBAD.csv", b"date,close\n2024-01-02,abc\nyesterday,5\n"),
    ];
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = wickview(&data, &["import", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("not imported"),
            "{name}: {}",
            stderr(&out)
        );
    }
    let all_bad = stderr(&wickview(
        &data,
        &["import", dir.path().join("ALLBAD.csv").to_str().unwrap()],
    ));
    assert!(
        all_bad.contains(
            "none of its 2 rows could be imported (first: line 2: close: 'abc' is not a number)"
        ),
        "{all_bad}"
    );
    assert!(list_json(&data).is_empty(), "no ticker was created");
}

#[test]
fn close_only_series_import_export_and_rounding_glitches() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // FRED-style: a date and one value column; '.' marks a day without a value.
    let mut text = String::from("observation_date,DGS10\n");
    let start = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    let mut days = 0;
    for k in 0..400 {
        let date = start + chrono::Days::new(k);
        if k == 17 {
            text.push_str(&format!("{date},.\n"));
        } else {
            text.push_str(&format!("{date},{}\n", 7.0 + (k % 50) as f64 / 100.0));
            days += 1;
        }
    }
    let path = dir.path().join("DGS10.csv");
    std::fs::write(&path, text).unwrap();
    let out = wickview(
        &data,
        &[
            "import",
            path.to_str().unwrap(),
            "--ticker",
            "^TNX",
            "--category",
            "index",
        ],
    );
    let report = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(
        report.contains(&format!(
            "400 rows read = {days} bars kept (0 repaired) + 1 bad rows; {days} new bars"
        )),
        "{report}"
    );
    assert!(
        report.contains("line 19: close: '.' is not a number"),
        "{report}"
    );

    let csv = succeeded(&wickview(&data, &["export", "^TNX", "--ma", "5"]));
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), days);
    assert_eq!(rows[0], ["1990-01-01", "", "", "", "7", "0", "", "", ""]);
    assert_eq!(rows[4][..5], ["1990-01-05", "", "", "", "7.04"]);
    let sma: f64 = rows[4][6].parse().unwrap();
    assert!(
        (sma - 7.02).abs() < 1e-12,
        "moving average over closes: {sma}"
    );

    // A cent outside high/low is kept (widened) and counted; 10% outside is dropped.
    let glitchy = dir.path().join("SPX.csv");
    std::fs::write(
        &glitchy,
        "Date,Open,High,Low,Close,Volume\n\
         2020-01-02,3244.67,3258.14,3235.53,3258.15,100\n\
         2020-01-03,3226.36,3246.15,3222.34,3234.85,100\n\
         2020-01-06,3217.55,3246.84,3214.64,3600.00,100\n",
    )
    .unwrap();
    let out = wickview(
        &data,
        &["import", glitchy.to_str().unwrap(), "--category", "us"],
    );
    let report = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(
        report.contains("3 rows read = 2 bars kept (1 repaired) + 1 bad rows; 2 new bars"),
        "{report}"
    );
    let csv = succeeded(&wickview(&data, &["export", "SPX"]));
    assert!(
        csv.contains("2020-01-02,3244.67,3258.15,3235.53,3258.15,100"),
        "{csv}"
    );
}
