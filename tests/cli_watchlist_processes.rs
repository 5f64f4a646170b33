//! Watchlists edited by real `wickview` processes at the same time, on the embedded store and
//! on MongoDB: no edit is lost. Also `tickers remove` taking the ticker out of every
//! watchlist (and saying which), and watchlist errors quoting hostile names safely.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;
mod store_support;

use std::process::{Command, Output};

use common::Sandbox;
use store_support::{fresh_db_name, mongo_uri};
use wickview::model::{Category, Ticker, TickerMeta};
use wickview::store::{Store, StoreConfig};

/// Where the processes of one test keep their data: the sandbox's embedded store, or a
/// fresh database on the MongoDB test server.
struct Target {
    sandbox: Sandbox,
    mongo: Option<(String, String)>,
}

impl Target {
    fn embedded() -> Self {
        Self {
            sandbox: Sandbox::new(),
            mongo: None,
        }
    }

    fn mongo() -> Self {
        Self {
            sandbox: Sandbox::new(),
            mongo: Some((mongo_uri().unwrap(), fresh_db_name())),
        }
    }

    fn config(&self) -> StoreConfig {
        match &self.mongo {
            None => StoreConfig::Embedded {
                data_dir: self.sandbox.data_dir(),
            },
            Some((uri, db)) => StoreConfig::Mongo {
                uri: uri.clone(),
                db_name: db.clone(),
            },
        }
    }

    /// `wickview` on this target's store.
    fn command(&self) -> Command {
        let mut cmd = self.sandbox.command();
        if let Some((uri, db)) = &self.mongo {
            cmd.arg("--mongodb-uri").arg(uri).arg("--db-name").arg(db);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs `args`, which must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: exit {:?}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The tickers of watchlist `name`, as `watchlist show` prints them.
    fn shown(&self, name: &str) -> Vec<String> {
        self.ok(&["watchlist", "show", name])
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Runs `f` on the store opened in the test process (closed again afterwards).
    fn with_store<T>(&self, f: impl AsyncFnOnce(&Store) -> T) -> T {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = Store::open(&self.config()).await.unwrap();
            f(&store).await
        })
    }

    /// Adds US tickers `symbols` to the ticker list.
    fn add_tickers(&self, symbols: &[String]) {
        self.with_store(async |store| {
            for s in symbols {
                let t = Ticker::parse(Category::UsStock, s).unwrap();
                store.add_ticker(&TickerMeta::new(t, "")).await.unwrap();
            }
        });
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if self.mongo.is_some() && !std::thread::panicking() {
            self.with_store(async |store| store.drop_all_data().await.unwrap());
        }
    }
}

/// `count` distinct US symbols starting with `prefix`.
fn symbols(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}{i:02}")).collect()
}

/// Runs `watchlist <action> <list> <ticker>` once per ticker of each worker, the workers'
/// processes running at the same time (each worker one after another); every call must
/// exit 0.
fn race(target: &Target, action: &str, list: &str, workers: &[Vec<String>]) {
    std::thread::scope(|scope| {
        for tickers in workers {
            scope.spawn(move || {
                for t in tickers {
                    target.ok(&["watchlist", action, list, t]);
                }
            });
        }
    });
}

/// Two processes each add 40 tickers to one watchlist, one ticker per call, at the same
/// time: all 80 are in it, each worker's in the order it added them.
fn concurrent_adds_lose_nothing(target: &Target) {
    let a = symbols("WA", 40);
    let b = symbols("WB", 40);
    target.add_tickers(&a);
    target.add_tickers(&b);
    target.ok(&["watchlist", "create", "Race"]);

    race(target, "add", "Race", &[a.clone(), b.clone()]);
    let after = target.shown("Race");
    assert_eq!(after.len(), 80, "lost adds: {after:?}");
    for own in [&a, &b] {
        let kept: Vec<&String> = after.iter().filter(|t| own.contains(t)).collect();
        assert_eq!(kept, own.iter().collect::<Vec<_>>(), "order of one worker");
    }
}

/// A watchlist of 80 tickers; two processes each remove 30 of their 40, one ticker per
/// call, at the same time: exactly the other 20 stay, in order.
fn concurrent_removes_lose_nothing(target: &Target) {
    let a = symbols("WA", 40);
    let b = symbols("WB", 40);
    target.add_tickers(&a);
    target.add_tickers(&b);
    let all = [a.clone(), b.clone()].concat();
    target.ok(&["watchlist", "create", "Race", &all.join(",")]);
    assert_eq!(target.shown("Race"), all);

    race(
        target,
        "remove",
        "Race",
        &[a[..30].to_vec(), b[..30].to_vec()],
    );
    let expected = [&a[30..], &b[30..]].concat();
    assert_eq!(target.shown("Race"), expected, "lost removes");
}

#[test]
fn concurrent_watchlist_adds_lose_nothing_embedded() {
    concurrent_adds_lose_nothing(&Target::embedded());
}

#[test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
fn concurrent_watchlist_adds_lose_nothing_mongo() {
    concurrent_adds_lose_nothing(&Target::mongo());
}

#[test]
fn concurrent_watchlist_removes_lose_nothing_embedded() {
    concurrent_removes_lose_nothing(&Target::embedded());
}

#[test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
fn concurrent_watchlist_removes_lose_nothing_mongo() {
    concurrent_removes_lose_nothing(&Target::mongo());
}

/// `tickers remove` takes the ticker out of every watchlist that held it (the others keep
/// their order) and names those watchlists.
fn removed_ticker_leaves_every_watchlist(target: &Target) {
    target.add_tickers(&["AAPL".into(), "MSFT".into(), "IBM".into()]);
    target.ok(&["watchlist", "create", "Tech", "MSFT,AAPL,IBM"]);
    target.ok(&["watchlist", "create", "Apple", "AAPL"]);
    target.ok(&["watchlist", "create", "Other", "IBM"]);

    let out = target.ok(&["tickers", "remove", "aapl"]);
    assert_eq!(
        out.trim_end(),
        "removed AAPL and 0 bars; taken out of watchlists Apple, Tech"
    );
    assert_eq!(target.shown("Tech"), ["MSFT", "IBM"]);
    assert!(target.shown("Apple").is_empty());
    assert_eq!(target.shown("Other"), ["IBM"]);

    // A ticker in no watchlist says nothing about watchlists.
    target.add_tickers(&["GOOG".into()]);
    let out = target.ok(&["tickers", "remove", "GOOG"]);
    assert_eq!(out.trim_end(), "removed GOOG and 0 bars");

    // --json names them too.
    let out = target.ok(&["tickers", "remove", "IBM", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["ticker"], "IBM");
    assert_eq!(json["watchlists"], serde_json::json!(["Other", "Tech"]));
    assert_eq!(target.shown("Tech"), ["MSFT"]);
}

#[test]
fn removed_ticker_leaves_every_watchlist_embedded() {
    removed_ticker_leaves_every_watchlist(&Target::embedded());
}

#[test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
fn removed_ticker_leaves_every_watchlist_mongo() {
    removed_ticker_leaves_every_watchlist(&Target::mongo());
}

/// A name or pasted ticker that sets the terminal's title, holds a newline and runs to
/// 10,000 characters: every message about it is short, one line, and holds no control
/// character.
#[test]
fn watchlist_errors_quote_hostile_input_safely() {
    let target = Target::embedded();
    target.add_tickers(&["AAPL".into()]);
    target.ok(&["watchlist", "create", "Tech", "AAPL"]);
    let evil = format!("\u{1b}]0;pwned\u{7}\nnext line{}", "x".repeat(10_000));
    let names: [Vec<&str>; 7] = [
        vec!["watchlist", "create", &evil],
        vec!["watchlist", "show", &evil],
        vec!["watchlist", "add", &evil, "AAPL"],
        vec!["watchlist", "remove", &evil, "AAPL"],
        vec!["watchlist", "rename", &evil, "New"],
        vec!["watchlist", "rename", "Tech", &evil],
        vec!["watchlist", "delete", &evil],
    ];
    // Pasted tickers split at the `;` and the newline (and are upper-cased).
    let tickers: [Vec<&str>; 2] = [
        vec!["watchlist", "add", "Tech", &evil],
        vec!["watchlist", "remove", "Tech", &evil],
    ];
    for (args, is_name) in names
        .iter()
        .map(|a| (a, true))
        .chain(tickers.iter().map(|a| (a, false)))
    {
        let out = target.run(args);
        assert_eq!(out.status.code(), Some(1), "{:?}", &args[..2]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let what = format!("{:?}: {stderr:?}", &args[..2]);
        assert!(
            !stderr.chars().any(|c| c.is_control() && c != '\n'),
            "raw control characters: {what}"
        );
        let quoted: &[&str] = if is_name {
            &["\\u{1b}]0;pwned\\u{7}\\nnext line"]
        } else {
            &["\\u{1b}]0:", "PWNED\\u{7}:"]
        };
        for q in quoted {
            assert!(stderr.contains(q), "{q}: {what}");
        }
        assert!(stderr.contains(" characters)"), "cut short: {what}");
        for line in stderr.lines() {
            assert!(line.chars().count() < 200, "long line: {what}");
            assert!(!line.starts_with("next line"), "{what}");
        }
        // (The log's "store opened" line, up to 4 unknown tickers and the count.)
        assert!(stderr.lines().count() <= 6, "{what}");
    }
    // Nothing changed.
    assert_eq!(target.ok(&["watchlist", "list"]), "Tech\t1\n");
    assert_eq!(target.shown("Tech"), ["AAPL"]);
}

/// A watchlist document written before documents had a `version` is edited like any other
/// (the first edit gives it one), and a ticker's removal takes it out of it.
#[test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
fn watchlists_written_before_versions_are_edited_mongo() {
    use mongodb::bson::{DateTime, Document, doc};
    let target = Target::mongo();
    target.add_tickers(&["AAPL".into(), "MSFT".into(), "IBM".into()]);
    let (uri, db) = target.mongo.clone().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let lists = rt.block_on(async {
        let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
        client.database(&db).collection::<Document>("watchlists")
    });
    let old = DateTime::from_millis(1_700_000_000_000);
    let legacy = doc! {"name": "Old", "tickers": ["MSFT"], "created_at": old, "updated_at": old};
    rt.block_on(async { lists.insert_one(legacy).await })
        .unwrap();

    target.ok(&["watchlist", "add", "Old", "AAPL,IBM"]);
    assert_eq!(target.shown("Old"), ["MSFT", "AAPL", "IBM"]);
    target.ok(&["watchlist", "rename", "Old", "Renamed"]);
    target.ok(&["watchlist", "remove", "Renamed", "MSFT"]);
    assert_eq!(
        target.ok(&["tickers", "remove", "IBM"]).trim_end(),
        "removed IBM and 0 bars; taken out of watchlists Renamed"
    );
    assert_eq!(target.shown("Renamed"), ["AAPL"]);
    let stored = rt
        .block_on(async { lists.find_one(doc! {"name": "Renamed"}).await })
        .unwrap()
        .unwrap();
    assert_eq!(stored.get_i64("version").unwrap(), 4, "{stored}");
    assert_eq!(stored.get_datetime("created_at").unwrap(), &old);
    assert!(stored.get_datetime("updated_at").unwrap() > &old);
}
