//! Never-panic fuzzing inside `cargo test`: the chart JSON parser, the CSV importer and
//! the SQLite importer get arbitrary bytes and mutations of valid documents.
//!
//! Inputs per run (proptest cases): chart bytes 2,000 + chart mutations 3,000 +
//! chart value trees 1,000 + CSV bytes 2,000 + CSV mutations 2,000 + SQLite bytes 300 +
//! SQLite mutated files 300 + SQLite random tables 300 = 10,900.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use proptest::prelude::*;
use wickview::import::{read_csv, read_sqlite};
use wickview::source::parse_chart;

fn valid_chart() -> Vec<u8> {
    common::yahoo_fixture("aapl_div_split.json").into_bytes()
}

fn valid_csv() -> Vec<u8> {
    let text = std::fs::read_to_string(common::sample("AAPL.csv")).unwrap();
    text.lines()
        .take(40)
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

/// Applies byte edits (overwrite, insert, delete, truncate) to `base`.
fn mutate(base: &[u8], edits: &[(u8, usize, u8)]) -> Vec<u8> {
    let mut out = base.to_vec();
    for &(kind, at, byte) in edits {
        if out.is_empty() {
            out.push(byte);
            continue;
        }
        let i = at % out.len();
        match kind % 4 {
            0 => out[i] = byte,
            1 => out.insert(i, byte),
            2 => {
                out.remove(i);
            }
            _ => out.truncate(i),
        }
    }
    out
}

fn edits() -> impl Strategy<Value = Vec<(u8, usize, u8)>> {
    prop::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..12)
}

/// JSON-ish tokens that make mutations land on interesting values.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)),
        "[a-zA-Z/_]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::hash_map("[a-z]{1,10}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn chart_parser_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_chart(&bytes);
    }

    #[test]
    fn csv_importer_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(r) = read_csv(bytes.as_slice()) {
            prop_assert!(r.series.len() <= r.rows_read);
        }
    }

    #[test]
    fn csv_importer_survives_mutations(e in edits()) {
        let text = mutate(&valid_csv(), &e);
        if let Ok(r) = read_csv(text.as_slice()) {
            // Every row is either kept or reported (a repeated day is both: reported, later kept).
            prop_assert!(r.series.len() <= r.rows_read);
            prop_assert!(r.series.days().windows(2).all(|w| w[0] < w[1]));
            prop_assert!(r.series.bars().all(|b| b.check().is_ok()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn chart_parser_survives_mutations(e in edits()) {
        let doc = mutate(&valid_chart(), &e);
        if let Ok(chart) = parse_chart(&doc) {
            prop_assert!(chart.series.days().windows(2).all(|w| w[0] < w[1]));
            prop_assert!(chart.series.bars().all(|b| b.check().is_ok()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Structurally valid JSON with random values spliced into the chart's fields.
    #[test]
    fn chart_parser_survives_random_values(
        ts in json_value(), open in json_value(), meta in json_value(), events in json_value(),
    ) {
        let mut doc: serde_json::Value = serde_json::from_slice(&valid_chart()).unwrap();
        let r = &mut doc["chart"]["result"][0];
        r["timestamp"] = ts;
        r["indicators"]["quote"][0]["open"] = open;
        r["meta"] = meta;
        r["events"] = events;
        let _ = parse_chart(doc.to_string().as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn sqlite_importer_survives_arbitrary_files(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let mut content = b"SQLite format 3\0".to_vec();
        content.extend(bytes);
        std::fs::write(&path, content).unwrap();
        let _ = read_sqlite(&path);
    }

    #[test]
    fn sqlite_importer_survives_mutated_databases(e in edits()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE stocks (symbol TEXT, date TEXT, open REAL, high REAL, low REAL, close REAL, volume REAL, dividends REAL, stock_splits REAL);
             INSERT INTO stocks VALUES ('AAPL','2024-01-02',187.15,188.44,183.89,185.64,82488700,0,0);
             INSERT INTO stocks VALUES ('AAPL','2024-01-03',184.22,185.88,183.43,184.25,58414500,0,0);
             CREATE TABLE currency (symbol TEXT, date TEXT, open REAL, high REAL, low REAL, close REAL, volume REAL, dividends REAL, stock_splits REAL);
             INSERT INTO currency VALUES ('KRW=X','2024-01-02',1288.5,1305.1,1287.2,1288.5,0,0,0);",
        ).unwrap();
        drop(conn);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, mutate(&bytes, &e)).unwrap();
        let _ = read_sqlite(&path);
    }

    /// A valid database whose rows hold random values of random SQLite types.
    #[test]
    fn sqlite_importer_survives_random_table_contents(
        rows in prop::collection::vec(prop::collection::vec(
            prop_oneof![
                Just(rusqlite::types::Value::Null),
                any::<i64>().prop_map(rusqlite::types::Value::Integer),
                any::<f64>().prop_map(rusqlite::types::Value::Real),
                "[ -~]{0,24}".prop_map(rusqlite::types::Value::Text),
                prop::collection::vec(any::<u8>(), 0..8).prop_map(rusqlite::types::Value::Blob),
            ], 9), 0..20),
        upper_case_columns in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        let cols = if upper_case_columns {
            r#"Symbol, Date, Open, High, Low, Close, Volume, Dividends, "Stock Splits""#
        } else {
            "symbol, date, open, high, low, close, volume, dividends, stock_splits"
        };
        conn.execute_batch(&format!("CREATE TABLE stocks ({cols})")).unwrap();
        for row in &rows {
            conn.execute("INSERT INTO stocks VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)", rusqlite::params_from_iter(row.iter())).unwrap();
        }
        drop(conn);
        let r = read_sqlite(&path).unwrap();
        prop_assert_eq!(r.rows_read, rows.len());
        let kept: usize = r.series.iter().map(|s| s.series.len()).sum();
        prop_assert!(kept <= rows.len());
    }
}
