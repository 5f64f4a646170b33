//! The store conformance suite: every case runs against the embedded store and MongoDB.
//!
//! MongoDB cases need `WICKVIEW_TEST_MONGODB_URI` (see `.ci/mongo-test-server.sh`); without
//! it they are listed as ignored, except in CI (`CI=true`) where they run and fail.

#![allow(
    clippy::unwrap_used,
    reason = "test case bodies and helpers outside #[test] functions: failures must fail the test"
)]

mod store_support;

/// Generates one test per case and backend: `embedded::<case>` and `mongodb::<case>`.
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test]
                async fn $case() {
                    let ts = crate::store_support::open(crate::store_support::Backend::Embedded)
                        .await
                        .unwrap();
                    crate::cases::$case(&ts.store).await;
                    ts.finish().await;
                }
            )*
        }
        mod mongodb {
            $(
                #[tokio::test]
                #[cfg_attr(
                    not(mongo_tests),
                    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
                )]
                async fn $case() {
                    let Some(ts) =
                        crate::store_support::open(crate::store_support::Backend::Mongo).await
                    else {
                        return;
                    };
                    crate::cases::$case(&ts.store).await;
                    ts.finish().await;
                }
            )*
        }
    };
}

conformance!(
    round_trip_real_series,
    range_loads,
    upserts_are_idempotent_and_replace_resent_days,
    last_days_per_category,
    pagination_totals_and_ordering,
    autocomplete_prefix_then_name_including_korean,
    metadata_edits,
    category_change_that_does_not_fit_changes_nothing,
    deletes_remove_metadata_and_bars,
    bad_input_errors,
    impossible_bars_never_reach_the_store,
    concurrent_writers,
    names_with_control_characters_are_refused,
    close_only_bars_round_trip,
    watchlists_are_named_ordered_sets,
    watchlist_errors_change_nothing,
    concurrent_watchlist_edits_keep_every_change,
    deleting_a_ticker_takes_it_out_of_watchlists,
    drawings_round_trip_per_ticker,
    drawing_changes_touch_only_what_they_name,
    deleting_a_ticker_deletes_its_drawings,
    repair_names_the_metadata_it_creates_by_the_ticker,
    provenance_of_written_days,
    provenance_of_a_whole_history_rewritten_by_another_source,
    replace_series_from_records_the_source_on_every_day,
    load_provenance_ranges,
);

mod cases {
    use std::collections::HashMap;

    use chrono::{NaiveDate, Utc};
    use wickview::model::{
        Bar, BarIssue, BarProblem, Category, DailySeries, ModelError, SeriesBuilder, Ticker,
        TickerMeta,
    };
    use wickview::store::{
        BarProvenance, Provenance, ReplaceSummary, Store, StoreError, TickerEdit, TickerQuery,
        UpsertSummary,
    };

    use crate::store_support::{day, fixture};

    fn ticker(category: Category, symbol: &str) -> Ticker {
        Ticker::parse(category, symbol).unwrap()
    }

    fn meta(category: Category, symbol: &str, name: &str) -> TickerMeta {
        TickerMeta::new(ticker(category, symbol), name)
    }

    async fn add(store: &Store, category: Category, symbol: &str, name: &str) -> TickerMeta {
        let m = meta(category, symbol, name);
        store.add_ticker(&m).await.unwrap();
        m
    }

    fn symbols(items: &[TickerMeta]) -> Vec<&str> {
        items.iter().map(|m| m.ticker.as_str()).collect()
    }

    fn series(days: &[(NaiveDate, f64)]) -> DailySeries {
        let (s, issues) = DailySeries::from_bars(
            days.iter()
                .map(|&(d, c)| Bar::ohlc(d, c, c + 1.0, c - 1.0, c)),
        );
        assert!(issues.is_empty());
        s
    }

    /// A stored day's provenance, for comparisons.
    fn prov(date: NaiveDate, source: Option<&str>, foreign_ratio: Option<f64>) -> BarProvenance {
        BarProvenance {
            date,
            source: source.map(str::to_owned),
            foreign_ratio,
        }
    }

    fn from<'a>(source: &'a str, foreign_ratio: &'a [(NaiveDate, f64)]) -> Provenance<'a> {
        Provenance {
            source: Some(source),
            foreign_ratio,
        }
    }

    /// Each written day records its writer; a rewrite takes the new writer's source (none
    /// included) and replaces the foreign ratio only where it gives one; the summary
    /// compares values only.
    pub async fn provenance_of_written_days(store: &Store) {
        let t = ticker(Category::KoreanStock, "005930");
        let days: Vec<NaiveDate> = (2..=5).map(|d| day(2024, 1, d)).collect();
        let bars = series(&[
            (days[0], 78_200.0),
            (days[1], 77_000.0),
            (days[2], 76_600.0),
            (days[3], 76_600.0),
        ]);
        // A ratio for a day that is not written, and one that is not a number, are not kept.
        let ratios = [
            (days[0], 53.54),
            (days[1], 53.61),
            (days[3], f64::NAN),
            (day(2023, 12, 29), 53.4),
        ];
        let summary = store
            .upsert_bars_from(&t, &bars, from("naver", &ratios))
            .await
            .unwrap();
        assert_eq!(summary.inserted, 4);
        assert_eq!(store.load_series(&t, None).await.unwrap(), bars);
        assert_eq!(
            store.load_provenance(&t, None).await.unwrap(),
            [
                prov(days[0], Some("naver"), Some(53.54)),
                prov(days[1], Some("naver"), Some(53.61)),
                prov(days[2], Some("naver"), None),
                prov(days[3], Some("naver"), None),
            ]
        );

        // Yahoo re-sends the last three days with the same values: unchanged, but now
        // Yahoo's, and Naver's ratio stays.
        let summary = store
            .upsert_bars_from(&t, &bars.slice(1..4), from("yahoo", &[]))
            .await
            .unwrap();
        assert_eq!(
            summary,
            UpsertSummary {
                inserted: 0,
                updated: 0,
                unchanged: 3
            }
        );
        // Naver gives a new ratio for one day; a changed value from Yahoo is an update.
        let summary = store
            .upsert_bars_from(&t, &bars.slice(2..3), from("naver", &[(days[2], 53.7)]))
            .await
            .unwrap();
        assert_eq!(summary.unchanged, 1);
        let mut changed = bars.bar(3).unwrap();
        changed.close = changed.high;
        let (changed, _) = DailySeries::from_bars([changed]);
        let summary = store
            .upsert_bars_from(&t, &changed, from("yahoo", &[]))
            .await
            .unwrap();
        assert_eq!(summary.updated, 1);
        // A write that records no source (an import) clears it; the ratio stays.
        let summary = store.upsert_bars(&t, &bars.slice(0..2)).await.unwrap();
        assert_eq!(summary.unchanged, 2);
        // A blank source is not recorded either.
        store
            .upsert_bars_from(&t, &bars.slice(1..2), from("  ", &[]))
            .await
            .unwrap();
        assert_eq!(
            store.load_provenance(&t, None).await.unwrap(),
            [
                prov(days[0], None, Some(53.54)),
                prov(days[1], None, Some(53.61)),
                prov(days[2], Some("naver"), Some(53.7)),
                prov(days[3], Some("yahoo"), None),
            ]
        );
        // The values are the last written ones throughout.
        assert_eq!(
            store.load_series(&t, None).await.unwrap(),
            bars.merge(&changed)
        );
        // Another ticker's days are its own.
        let other = ticker(Category::KoreanStock, "000660");
        assert!(store.load_provenance(&other, None).await.unwrap().is_empty());
    }

    /// A whole real history (more days than one MongoDB batch) from Naver with a ratio per
    /// day, then again from Yahoo with the same values: every day unchanged and Yahoo's,
    /// every ratio kept.
    pub async fn provenance_of_a_whole_history_rewritten_by_another_source(store: &Store) {
        let (bars, _) = fixture("005930.csv");
        assert!(bars.len() > wickview::store::MONGO_BATCH * 2);
        let t = ticker(Category::KoreanStock, "005930");
        let ratio = |i: usize| 40.0 + (i % 200) as f64 / 10.0;
        let ratios: Vec<(NaiveDate, f64)> = bars
            .days()
            .iter()
            .enumerate()
            .map(|(i, d)| (*d, ratio(i)))
            .collect();
        let summary = store
            .upsert_bars_from(&t, &bars, from("naver", &ratios))
            .await
            .unwrap();
        assert_eq!(summary.inserted, bars.len() as u64);
        let summary = store
            .upsert_bars_from(&t, &bars, from("yahoo", &[]))
            .await
            .unwrap();
        assert_eq!(
            summary,
            UpsertSummary {
                inserted: 0,
                updated: 0,
                unchanged: bars.len() as u64
            }
        );
        let stored = store.load_provenance(&t, None).await.unwrap();
        let want: Vec<BarProvenance> = bars
            .days()
            .iter()
            .enumerate()
            .map(|(i, d)| prov(*d, Some("yahoo"), Some(ratio(i))))
            .collect();
        assert_eq!(stored, want);
        assert_eq!(store.load_series(&t, None).await.unwrap(), bars);
    }

    /// A replaced history is the new writer's on every day (none included); the days it
    /// lacks go with their provenance; a kept day's foreign ratio stays unless given anew.
    pub async fn replace_series_from_records_the_source_on_every_day(store: &Store) {
        let t = ticker(Category::KoreanStock, "005930");
        let days: Vec<NaiveDate> = (2..=6).map(|d| day(2024, 1, d)).collect();
        let old = series(&[
            (days[0], 200.0),
            (days[1], 204.0),
            (days[2], 208.0),
            (days[3], 212.0),
        ]);
        store
            .upsert_bars_from(
                &t,
                &old,
                from("naver", &[(days[1], 50.0), (days[2], 50.5)]),
            )
            .await
            .unwrap();
        store
            .upsert_bars_from(&t, &old.slice(0..1), from("yahoo", &[]))
            .await
            .unwrap();
        // A 4:1 split re-adjusted the history: days 1 to 4, the first one gone.
        let new = series(&[
            (days[1], 51.0),
            (days[2], 52.0),
            (days[3], 53.0),
            (days[4], 54.0),
        ]);
        let summary = store
            .replace_series_from(
                &t,
                &new,
                from("yahoo", &[(days[2], 60.0), (days[4], 61.0)]),
            )
            .await
            .unwrap();
        assert_eq!(
            summary,
            ReplaceSummary {
                written: 4,
                removed: 1
            }
        );
        assert_eq!(store.load_series(&t, None).await.unwrap(), new);
        assert_eq!(
            store.load_provenance(&t, None).await.unwrap(),
            [
                prov(days[1], Some("yahoo"), Some(50.0)),
                prov(days[2], Some("yahoo"), Some(60.0)),
                prov(days[3], Some("yahoo"), None),
                prov(days[4], Some("yahoo"), Some(61.0)),
            ]
        );
        // A replacement that records no source leaves none on any day.
        store.replace_series(&t, &new.slice(1..4)).await.unwrap();
        assert_eq!(
            store.load_provenance(&t, None).await.unwrap(),
            [
                prov(days[2], None, Some(60.0)),
                prov(days[3], None, None),
                prov(days[4], None, Some(61.0)),
            ]
        );
    }

    /// Provenance loads are inclusive, ascending, and empty where nothing is stored.
    pub async fn load_provenance_ranges(store: &Store) {
        let (bars, _) = fixture("GSPC.csv");
        let t = ticker(Category::Index, "^GSPC");
        store
            .upsert_bars_from(&t, &bars, from("yahoo", &[]))
            .await
            .unwrap();
        let (a, b) = (day(2008, 9, 15), day(2008, 12, 31));
        let got = store.load_provenance(&t, Some((a, b))).await.unwrap();
        let want: Vec<BarProvenance> = bars
            .slice(bars.range_of(a, b))
            .days()
            .iter()
            .map(|d| prov(*d, Some("yahoo"), None))
            .collect();
        assert_eq!(got, want);
        assert_eq!(got.first().map(|p| p.date), Some(a), "inclusive start");
        assert_eq!(got.last().map(|p| p.date), Some(b), "inclusive end");
        let all = store.load_provenance(&t, None).await.unwrap();
        assert_eq!(all.len(), bars.len());
        assert!(all.windows(2).all(|w| w[0].date < w[1].date));
        let holiday = day(2008, 12, 25);
        assert!(
            store
                .load_provenance(&t, Some((holiday, holiday)))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .load_provenance(&t, Some((b, a)))
                .await
                .unwrap()
                .is_empty()
        );
        // Another category's table or collection is not read.
        let currency = ticker(Category::Currency, "KRW=X");
        assert!(store.load_provenance(&currency, None).await.unwrap().is_empty());
    }

    /// Writes three real series (Korean stock, index, US stock) and reads them back bit for bit.
    pub async fn round_trip_real_series(store: &Store) {
        for (category, symbol, name, file) in [
            (Category::KoreanStock, "005930", "삼성전자", "005930.csv"),
            (Category::Index, "^GSPC", "S&P 500", "GSPC.csv"),
            (Category::UsStock, "AAPL", "Apple Inc.", "AAPL.csv"),
        ] {
            let (bars, issues) = fixture(file);
            // Real data: the Samsung file has one bar whose close lies a tick below its low;
            // the builder widens the low (a rounding glitch) and says so. Every bar is stored.
            let report: Vec<String> = issues.iter().map(ToString::to_string).collect();
            let expected: &[&str] = if file == "005930.csv" {
                &["2024-10-14: open or close lay outside high/low by rounding; high/low widened"]
            } else {
                &[]
            };
            assert_eq!(report, expected, "{file}");
            assert!(bars.len() > 3000, "{file}");
            let m = add(store, category, symbol, name).await;
            let summary = store.upsert_bars(&m.ticker, &bars).await.unwrap();
            assert_eq!(
                summary,
                UpsertSummary {
                    inserted: bars.len() as u64,
                    updated: 0,
                    unchanged: 0
                }
            );
            let loaded = store.load_series(&m.ticker, None).await.unwrap();
            assert_eq!(loaded.len(), bars.len(), "{file}");
            assert_eq!(loaded, bars, "{file}: values differ after the round trip");
            assert_eq!(store.bar_count(symbol).await.unwrap(), bars.len() as u64);
        }
        let samsung = store
            .load_series(&ticker(Category::KoreanStock, "005930"), None)
            .await;
        let samsung = samsung.unwrap();
        assert_eq!(samsung.first_day(), Some(day(2000, 1, 4)));
        assert_eq!(samsung.last_day(), Some(day(2025, 1, 10)));
        // Bars of one category never show up under another category's collection.
        assert!(
            store
                .load_series(&ticker(Category::UsStock, "GSPCX"), None)
                .await
                .unwrap()
                .is_empty()
        );
    }

    /// Date-range loads are inclusive and match slicing the full series.
    pub async fn range_loads(store: &Store) {
        let (bars, _) = fixture("GSPC.csv");
        let t = ticker(Category::Index, "^GSPC");
        store.upsert_bars(&t, &bars).await.unwrap();
        let (from, to) = (day(2008, 9, 15), day(2008, 12, 31));
        let loaded = store.load_series(&t, Some((from, to))).await.unwrap();
        assert_eq!(loaded, bars.slice(bars.range_of(from, to)));
        assert_eq!(loaded.first_day(), Some(from), "inclusive start");
        assert_eq!(loaded.last_day(), Some(to), "inclusive end");
        // A range with no trading days, and an inverted range, load nothing.
        let empty = store
            .load_series(&t, Some((day(2008, 12, 25), day(2008, 12, 25))))
            .await
            .unwrap();
        assert!(empty.is_empty());
        assert!(
            store
                .load_series(&t, Some((to, from)))
                .await
                .unwrap()
                .is_empty()
        );
        // A ticker with no bars loads an empty series, not an error.
        let none = ticker(Category::Index, "^NOPE");
        assert!(store.load_series(&none, None).await.unwrap().is_empty());
    }

    /// Running the same write twice stores no duplicates; a re-sent day replaces its values.
    pub async fn upserts_are_idempotent_and_replace_resent_days(store: &Store) {
        let (bars, _) = fixture("005930.csv");
        let t = ticker(Category::KoreanStock, "005930");
        let first = store.upsert_bars(&t, &bars).await.unwrap();
        assert_eq!(first.inserted, bars.len() as u64);
        let second = store.upsert_bars(&t, &bars).await.unwrap();
        assert_eq!(
            second,
            UpsertSummary {
                inserted: 0,
                updated: 0,
                unchanged: bars.len() as u64
            }
        );
        assert_eq!(store.bar_count("005930").await.unwrap(), bars.len() as u64);

        // The updater re-fetches the last stored day (which may have been partial) plus new days.
        let last = bars.last_day().unwrap();
        let next = last.succ_opt().unwrap();
        let mut resent = bars.bar(bars.len() - 1).unwrap();
        resent.close = resent.low; // the day's final close differs from the partial one
        resent.volume += 1000.0;
        let (update, _) = DailySeries::from_bars([
            bars.bar(bars.len() - 2).unwrap(), // unchanged
            resent,
            Bar::ohlc(next, 50_000.0, 51_000.0, 49_000.0, 50_500.0),
        ]);
        let summary = store.upsert_bars(&t, &update).await.unwrap();
        assert_eq!(
            summary,
            UpsertSummary {
                inserted: 1,
                updated: 1,
                unchanged: 1
            }
        );
        assert_eq!(summary.written(), 2);
        assert_eq!(summary.total(), 3);
        let loaded = store.load_series(&t, None).await.unwrap();
        assert_eq!(loaded.len(), bars.len() + 1);
        assert_eq!(loaded, bars.merge(&update));
        assert_eq!(loaded.bar(bars.len() - 1), Some(resent));
        // An empty write is a no-op.
        let nothing = store.upsert_bars(&t, &DailySeries::new()).await.unwrap();
        assert_eq!(nothing, UpsertSummary::default());
    }

    /// One query per category gives each ticker's last stored day.
    pub async fn last_days_per_category(store: &Store) {
        assert!(store.last_days(Category::UsStock).await.unwrap().is_empty());
        let (aapl, _) = fixture("AAPL.csv");
        let (gspc, _) = fixture("GSPC.csv");
        store
            .upsert_bars(&ticker(Category::UsStock, "AAPL"), &aapl)
            .await
            .unwrap();
        let msft = series(&[(day(2024, 1, 2), 10.0), (day(2024, 1, 3), 11.0)]);
        store
            .upsert_bars(&ticker(Category::UsStock, "MSFT"), &msft)
            .await
            .unwrap();
        store
            .upsert_bars(&ticker(Category::Index, "^GSPC"), &gspc)
            .await
            .unwrap();
        let us = store.last_days(Category::UsStock).await.unwrap();
        assert_eq!(
            us,
            HashMap::from([
                ("AAPL".to_owned(), day(2013, 3, 1)),
                ("MSFT".to_owned(), day(2024, 1, 3)),
            ])
        );
        let idx = store.last_days(Category::Index).await.unwrap();
        assert_eq!(idx, HashMap::from([("^GSPC".to_owned(), day(2020, 4, 17))]));
        assert!(
            store
                .last_days(Category::Currency)
                .await
                .unwrap()
                .is_empty()
        );
        // A later write moves the last day.
        store
            .upsert_bars(
                &ticker(Category::UsStock, "MSFT"),
                &series(&[(day(2024, 1, 4), 12.0)]),
            )
            .await
            .unwrap();
        let us = store.last_days(Category::UsStock).await.unwrap();
        assert_eq!(us["MSFT"], day(2024, 1, 4));
    }

    /// Pages are sorted by ticker, totals count every match, filters combine.
    pub async fn pagination_totals_and_ordering(store: &Store) {
        let mut us = Vec::new();
        for i in 0..23 {
            let symbol = format!("T{:02}{}", 22 - i, if i % 2 == 0 { "A" } else { "B" });
            let m = add(store, Category::UsStock, &symbol, &format!("Company {i}")).await;
            us.push(m.ticker.as_str().to_owned());
        }
        add(store, Category::UsStock, "AAPL", "Apple Inc.").await;
        add(store, Category::KoreanStock, "005930", "삼성전자").await;
        add(store, Category::Index, "^KS11", "KOSPI").await;
        store
            .update_ticker(
                "T01B",
                &TickerEdit {
                    active: Some(false),
                    ..TickerEdit::default()
                },
            )
            .await
            .unwrap();
        us.push("AAPL".to_owned());
        us.sort();

        let mut seen = Vec::new();
        for page in 0..3 {
            let p = store
                .list_tickers(&TickerQuery {
                    category: Some(Category::UsStock),
                    offset: page * 10,
                    limit: 10,
                    ..TickerQuery::default()
                })
                .await
                .unwrap();
            assert_eq!(p.total, 24);
            assert_eq!(p.items.len(), if page < 2 { 10 } else { 4 });
            assert!(p.items.iter().all(|m| m.category() == Category::UsStock));
            seen.extend(p.items.iter().map(|m| m.ticker.as_str().to_owned()));
        }
        assert_eq!(seen, us, "pages in ticker order, no gaps or repeats");

        let beyond = store
            .list_tickers(&TickerQuery {
                category: Some(Category::UsStock),
                offset: 100,
                limit: 10,
                ..TickerQuery::default()
            })
            .await
            .unwrap();
        assert!(beyond.items.is_empty());
        assert_eq!(beyond.total, 24);

        let all = store.list_tickers(&TickerQuery::default()).await.unwrap();
        assert_eq!(all.total, 26);
        assert_eq!(all.items.len(), 26, "limit 0 means all");
        assert_eq!(
            symbols(&all.items[..3]),
            vec!["005930", "AAPL", "T00A"],
            "byte order: digits, letters, then ^"
        );
        assert_eq!(all.items.last().unwrap().ticker.as_str(), "^KS11");

        let active = store
            .list_tickers(&TickerQuery {
                category: Some(Category::UsStock),
                active_only: true,
                ..TickerQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(active.total, 23);
        assert!(!symbols(&active.items).contains(&"T01B"));

        // Filter: ticker prefix (any case) or name substring (any case).
        let q = |filter: &str| TickerQuery {
            filter: Some(filter.to_owned()),
            limit: 5,
            ..TickerQuery::default()
        };
        let t1 = store.list_tickers(&q("t1")).await.unwrap();
        assert_eq!(t1.total, 10, "T10A..T19B");
        assert_eq!(
            symbols(&t1.items),
            vec!["T10A", "T11B", "T12A", "T13B", "T14A"]
        );
        let company = store.list_tickers(&q("COMPANY 1")).await.unwrap();
        assert_eq!(company.total, 11, "Company 1 and Company 10..19");
        let korean = store.list_tickers(&q("삼성")).await.unwrap();
        assert_eq!(symbols(&korean.items), vec!["005930"]);
        let apple = store.list_tickers(&q("  apple ")).await.unwrap();
        assert_eq!(symbols(&apple.items), vec!["AAPL"]);
        let none = store.list_tickers(&q("zzz")).await.unwrap();
        assert_eq!((none.total, none.items.len()), (0, 0));
        let index_only = store
            .list_tickers(&TickerQuery {
                category: Some(Category::Index),
                filter: Some("k".into()),
                ..TickerQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(symbols(&index_only.items), vec!["^KS11"]);
    }

    /// Ticker-prefix matches first, then name matches; any case; Korean names work.
    pub async fn autocomplete_prefix_then_name_including_korean(store: &Store) {
        for (category, symbol, name) in [
            (Category::KoreanStock, "005930", "삼성전자"),
            (Category::KoreanStock, "006400", "삼성SDI"),
            (Category::KoreanStock, "000660", "SK하이닉스"),
            (Category::UsStock, "AAPL", "Apple Inc."),
            (Category::UsStock, "AMZN", "Amazon"),
            (Category::UsStock, "MSFT", "Microsoft"),
            (Category::UsStock, "SSNLF", "Samsung Electronics (OTC)"),
            (Category::Index, "^KS11", "KOSPI"),
            (Category::Currency, "KRW=X", "USD/KRW"),
        ] {
            add(store, category, symbol, name).await;
        }
        let found = |items: Vec<TickerMeta>| -> Vec<String> {
            items
                .into_iter()
                .map(|m| m.ticker.as_str().to_owned())
                .collect()
        };
        assert_eq!(
            found(store.search("삼성", 10).await.unwrap()),
            vec!["005930", "006400"]
        );
        assert_eq!(
            found(store.search("하이닉스", 10).await.unwrap()),
            vec!["000660"]
        );
        // "s": the ticker prefix match first, then names containing s/S, each group by ticker.
        assert_eq!(
            found(store.search("s", 10).await.unwrap()),
            vec!["SSNLF", "000660", "006400", "KRW=X", "MSFT", "^KS11"]
        );
        assert_eq!(
            found(store.search("S", 3).await.unwrap()),
            vec!["SSNLF", "000660", "006400"],
            "the limit applies to both groups together"
        );
        assert_eq!(
            found(store.search("a", 10).await.unwrap()),
            vec!["AAPL", "AMZN", "SSNLF"]
        );
        assert_eq!(
            found(store.search("APPLE", 10).await.unwrap()),
            vec!["AAPL"]
        );
        assert_eq!(found(store.search("^ks", 10).await.unwrap()), vec!["^KS11"]);
        assert_eq!(found(store.search("krw", 10).await.unwrap()), vec!["KRW=X"]);
        assert_eq!(
            found(store.search("0059", 10).await.unwrap()),
            vec!["005930"]
        );
        // Regex and LIKE metacharacters are plain text.
        assert_eq!(found(store.search(".", 10).await.unwrap()), vec!["AAPL"]);
        assert_eq!(
            found(store.search("(otc)", 10).await.unwrap()),
            vec!["SSNLF"]
        );
        assert!(store.search("%", 10).await.unwrap().is_empty());
        assert!(store.search("*", 10).await.unwrap().is_empty());
        assert!(store.search("   ", 10).await.unwrap().is_empty());
        assert!(store.search("삼성", 0).await.unwrap().is_empty());
        // Results carry the full metadata.
        let samsung = store.search("005930", 1).await.unwrap();
        assert_eq!(samsung[0].name, "삼성전자");
        assert_eq!(samsung[0].category(), Category::KoreanStock);
    }

    /// Rename, (de)activate, set the source symbol; `updated_at` moves, nothing else does.
    pub async fn metadata_edits(store: &Store) {
        let mut original = meta(Category::KoreanStock, "005930", "Samsung");
        original.created_at = Utc::now() - chrono::Duration::days(3);
        original.updated_at = original.created_at;
        store.add_ticker(&original).await.unwrap();
        let stored = store.ticker("005930").await.unwrap().unwrap();
        assert_eq!(stored.name, "Samsung");
        assert_eq!(
            stored.created_at.timestamp_millis(),
            original.created_at.timestamp_millis()
        );
        assert!(stored.active);
        assert_eq!(stored.source_symbol, None);
        // Lookups forgive case and the Yahoo suffix.
        assert_eq!(
            store.ticker("005930.KS").await.unwrap(),
            Some(stored.clone())
        );

        let edited = store
            .update_ticker(
                "005930",
                &TickerEdit {
                    name: Some("  삼성전자 ".into()),
                    active: Some(false),
                    source_symbol: Some(Some("005930.KS".into())),
                    ..TickerEdit::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(edited.name, "삼성전자");
        assert!(!edited.active);
        assert_eq!(edited.source_symbol.as_deref(), Some("005930.KS"));
        assert_eq!(edited.created_at, stored.created_at);
        assert!(edited.updated_at > stored.updated_at);
        assert_eq!(store.ticker("005930").await.unwrap(), Some(edited.clone()));

        let cleared = store
            .update_ticker(
                "005930",
                &TickerEdit {
                    active: Some(true),
                    source_symbol: Some(None),
                    ..TickerEdit::default()
                },
            )
            .await
            .unwrap();
        assert!(cleared.active);
        assert_eq!(cleared.source_symbol, None);
        assert_eq!(cleared.name, "삼성전자", "untouched fields stay");
        // An edit naming the current category keeps everything, including the bars.
        let (bars, _) = fixture("005930.csv");
        store.upsert_bars(&cleared.ticker, &bars).await.unwrap();
        let same = store
            .update_ticker(
                "005930",
                &TickerEdit {
                    category: Some(Category::KoreanStock),
                    ..TickerEdit::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(same.category(), Category::KoreanStock);
        assert_eq!(store.bar_count("005930").await.unwrap(), bars.len() as u64);
        assert_eq!(store.ticker("005930").await.unwrap(), Some(same));
    }

    /// A category the symbol does not fit is refused with a clear message; nothing moves.
    ///
    /// (With the model's validation rules every symbol fits exactly one category, so every
    /// category change of a stored ticker lands here; the bar move itself is tested in the
    /// backends' unit tests.)
    pub async fn category_change_that_does_not_fit_changes_nothing(store: &Store) {
        let m = add(store, Category::Index, "^KS11", "KOSPI").await;
        let (bars, _) = fixture("GSPC.csv");
        store.upsert_bars(&m.ticker, &bars).await.unwrap();
        for target in [Category::UsStock, Category::KoreanStock, Category::Currency] {
            let err = store
                .update_ticker(
                    "^KS11",
                    &TickerEdit {
                        name: Some("renamed".into()),
                        category: Some(target),
                        ..TickerEdit::default()
                    },
                )
                .await
                .unwrap_err();
            let msg = err.to_string();
            assert!(
                matches!(&err, StoreError::InvalidTicker(ModelError::InvalidTicker { category, .. }) if *category == target),
                "{err:?}"
            );
            assert!(
                msg.contains("^KS11") && msg.contains(target.label()),
                "{msg}"
            );
        }
        let after = store.ticker("^KS11").await.unwrap().unwrap();
        assert_eq!(after.name, "KOSPI");
        assert_eq!(after.category(), Category::Index);
        assert_eq!(store.load_series(&m.ticker, None).await.unwrap(), bars);
    }

    /// Deleting a ticker removes its metadata and its bars, and nothing of the others.
    pub async fn deletes_remove_metadata_and_bars(store: &Store) {
        let aapl = add(store, Category::UsStock, "AAPL", "Apple").await;
        let msft = add(store, Category::UsStock, "MSFT", "Microsoft").await;
        let (bars, _) = fixture("AAPL.csv");
        store.upsert_bars(&aapl.ticker, &bars).await.unwrap();
        let msft_bars = series(&[(day(2024, 1, 2), 10.0)]);
        store.upsert_bars(&msft.ticker, &msft_bars).await.unwrap();

        assert_eq!(
            store.delete_ticker("aapl").await.unwrap().bars,
            bars.len() as u64
        );
        assert_eq!(store.ticker("AAPL").await.unwrap(), None);
        assert_eq!(store.bar_count("AAPL").await.unwrap(), 0);
        assert!(
            store
                .load_series(&aapl.ticker, None)
                .await
                .unwrap()
                .is_empty()
        );
        let last = store.last_days(Category::UsStock).await.unwrap();
        assert_eq!(last.keys().collect::<Vec<_>>(), vec!["MSFT"]);
        assert!(matches!(
            store.delete_ticker("AAPL").await,
            Err(StoreError::UnknownTicker(t)) if t == "AAPL"
        ));
        assert_eq!(
            store.load_series(&msft.ticker, None).await.unwrap(),
            msft_bars
        );
        let page = store.list_tickers(&TickerQuery::default()).await.unwrap();
        assert_eq!(symbols(&page.items), vec!["MSFT"]);
        // A ticker without bars deletes with a count of 0, and can be added again.
        assert_eq!(store.delete_ticker("MSFT").await.unwrap().bars, 1);
        store.add_ticker(&msft).await.unwrap();
        assert_eq!(store.delete_ticker("MSFT").await.unwrap().bars, 0);
    }

    /// Duplicate tickers, invalid codes and unknown tickers each get their own clear error.
    pub async fn bad_input_errors(store: &Store) {
        add(store, Category::KoreanStock, "005930", "삼성전자").await;
        let dup = store
            .add_ticker(&meta(Category::KoreanStock, "005930.KS", "again"))
            .await
            .unwrap_err();
        assert!(
            matches!(&dup, StoreError::DuplicateTicker(t) if t == "005930"),
            "{dup:?}"
        );
        assert_eq!(dup.to_string(), "ticker 005930 already exists");
        assert!(!dup.is_transient());
        // The first one is intact.
        assert_eq!(
            store.ticker("005930").await.unwrap().unwrap().name,
            "삼성전자"
        );

        // Invalid codes never become tickers; the error converts into a store error.
        for (category, input) in [
            (Category::KoreanStock, "5930"),
            (Category::UsStock, "AAPL!"),
            (Category::Index, "^GS PC"),
            (Category::Currency, "KRW"),
        ] {
            let err: StoreError = Ticker::parse(category, input).unwrap_err().into();
            assert!(matches!(err, StoreError::InvalidTicker(_)));
            assert!(err.to_string().contains(input), "{err}");
        }

        let edit = TickerEdit {
            name: Some("x".into()),
            ..TickerEdit::default()
        };
        assert!(matches!(
            store.update_ticker("NOPE", &edit).await,
            Err(StoreError::UnknownTicker(t)) if t == "NOPE"
        ));
        assert!(matches!(
            store.delete_ticker("^NOPE").await,
            Err(StoreError::UnknownTicker(_))
        ));
        assert_eq!(store.ticker("NOPE").await.unwrap(), None);
        assert_eq!(store.bar_count("NOPE").await.unwrap(), 0);
        let page = store.list_tickers(&TickerQuery::default()).await.unwrap();
        assert_eq!(page.total, 1, "failed calls stored nothing");
    }

    /// Impossible bars are stopped by the builder (with a report); only valid ones are stored.
    pub async fn impossible_bars_never_reach_the_store(store: &Store) {
        let mut builder = SeriesBuilder::new();
        builder
            .push(Bar::ohlc(day(2024, 1, 2), 10.0, 11.0, 9.0, 10.5))
            .push(Bar::ohlc(day(2024, 1, 3), 10.0, 9.0, 11.0, 10.0)) // high below low
            .push(Bar::ohlc(day(2024, 1, 4), f64::NAN, 11.0, 9.0, 10.0))
            .push(Bar::ohlc(day(2024, 1, 5), 10.0, 11.0, 9.0, 12.0)) // close above high
            .push(Bar::ohlc(day(2024, 1, 8), -1.0, 11.0, 9.0, 10.0))
            .push(Bar::ohlc(day(2024, 1, 9), 10.0, 11.0, 9.0, 10.0))
            .push(Bar::ohlc(day(2024, 1, 9), 10.0, 12.0, 9.0, 11.0)); // same day twice: last wins
        let (valid, issues) = builder.build();
        let report: Vec<String> = issues.iter().map(ToString::to_string).collect();
        eprintln!("builder report:\n  {}", report.join("\n  "));
        assert_eq!(
            report,
            vec![
                "2024-01-03: high is below low",
                "2024-01-04: a price is not a finite number",
                "2024-01-05: open or close lies outside the low-high range",
                "2024-01-08: a price is zero or negative",
                "2024-01-09: day given more than once, kept the last",
            ]
        );
        assert!(matches!(
            issues[0],
            BarIssue::Rejected {
                problem: BarProblem::HighBelowLow,
                ..
            }
        ));
        let t = ticker(Category::UsStock, "IBM");
        let summary = store.upsert_bars(&t, &valid).await.unwrap();
        assert_eq!(summary.inserted, 2);
        let loaded = store.load_series(&t, None).await.unwrap();
        assert_eq!(loaded.days(), &[day(2024, 1, 2), day(2024, 1, 9)]);
        assert_eq!(loaded.high(), &[11.0, 12.0]);
    }

    /// Writers of different tickers at the same time do not disturb each other.
    pub async fn concurrent_writers(store: &Store) {
        let (bars, _) = fixture("AAPL.csv");
        let bars = bars.slice(0..1200);
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let store = store.clone();
                let bars = bars.clone();
                tokio::spawn(async move {
                    let t = Ticker::parse(Category::UsStock, &format!("CW{i}")).unwrap();
                    store.upsert_bars(&t, &bars).await.unwrap();
                    store.upsert_bars(&t, &bars).await.unwrap()
                })
            })
            .collect();
        for task in tasks {
            let second = task.await.unwrap();
            assert_eq!(second.unchanged, bars.len() as u64);
        }
        let last = store.last_days(Category::UsStock).await.unwrap();
        assert_eq!(last.len(), 6);
        for i in 0..6 {
            let t = ticker(Category::UsStock, &format!("CW{i}"));
            assert_eq!(store.load_series(&t, None).await.unwrap(), bars);
        }
    }

    /// A name with a newline or a terminal escape sequence is refused on add and on edit,
    /// and the error quotes it inert; nothing changes.
    pub async fn names_with_control_characters_are_refused(store: &Store) {
        for bad in ["Apple\nInc.", "Apple \u{1b}[31mred", "tab\there"] {
            let err = store
                .add_ticker(&meta(Category::UsStock, "CTRL", bad))
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::InvalidName(_)), "{err:?}");
            assert!(!err.to_string().chars().any(char::is_control), "{err}");
        }
        assert!(store.ticker("CTRL").await.unwrap().is_none());
        add(store, Category::UsStock, "CTRL", "Plain").await;
        let edit = TickerEdit {
            name: Some("two\nlines".into()),
            ..TickerEdit::default()
        };
        let err = store.update_ticker("CTRL", &edit).await.unwrap_err();
        assert!(matches!(err, StoreError::InvalidName(_)), "{err:?}");
        assert_eq!(store.ticker("CTRL").await.unwrap().unwrap().name, "Plain");
    }

    /// Close-only bars (rates, FRED-style series) are stored without open/high/low and read
    /// back as close-only; a later full bar of the same day replaces one, and back.
    pub async fn close_only_bars_round_trip(store: &Store) {
        let t = ticker(Category::Index, "^TNX");
        let (bars, issues) = DailySeries::from_bars([
            Bar::close_only(day(1990, 1, 2), 7.94),
            Bar::close_only(day(1990, 1, 3), 7.99),
            Bar::ohlc(day(1990, 1, 4), 7.98, 8.01, 7.95, 7.97),
        ]);
        assert!(issues.is_empty());
        let summary = store.upsert_bars(&t, &bars).await.unwrap();
        assert_eq!(summary.inserted, 3);
        let loaded = store.load_series(&t, None).await.unwrap();
        assert_eq!(loaded.days(), bars.days());
        assert_eq!(loaded.close(), &[7.94, 7.99, 7.97]);
        assert!(loaded.bar(0).unwrap().is_close_only());
        assert!(loaded.bar(1).unwrap().is_close_only());
        assert_eq!(loaded.bar(2).unwrap(), bars.bar(2).unwrap());
        assert!(loaded.has_close_only());
        let again = store.upsert_bars(&t, &bars).await.unwrap();
        assert_eq!(again.unchanged, 3, "NULL prices compare equal: {again:?}");
        let (full, _) = DailySeries::from_bars([Bar::ohlc(day(1990, 1, 2), 7.9, 8.0, 7.9, 7.94)]);
        assert_eq!(store.upsert_bars(&t, &full).await.unwrap().updated, 1);
        let loaded = store.load_series(&t, None).await.unwrap();
        assert_eq!(loaded.bar(0).unwrap(), full.bar(0).unwrap());
        let (back, _) = DailySeries::from_bars([Bar::close_only(day(1990, 1, 2), 7.95)]);
        assert_eq!(store.upsert_bars(&t, &back).await.unwrap().updated, 1);
        let loaded = store.load_series(&t, None).await.unwrap();
        assert!(loaded.bar(0).unwrap().is_close_only());
        assert_eq!(loaded.close()[0], 7.95);
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Watchlists keep their order, drop repeats, survive edits and renames, and are deleted.
    pub async fn watchlists_are_named_ordered_sets(store: &Store) {
        assert!(store.watchlists().await.unwrap().is_empty());
        let tech = store
            .create_watchlist(" Tech ", &strings(&["msft", "AAPL", "005930.KS", "MSFT"]))
            .await
            .unwrap();
        assert_eq!(tech.name, "Tech");
        assert_eq!(tech.tickers, ["MSFT", "AAPL", "005930"]);
        store
            .create_watchlist("반도체", &strings(&["000660", "005930"]))
            .await
            .unwrap();
        store.create_watchlist("Empty", &[]).await.unwrap();
        let all = store.watchlists().await.unwrap();
        let names: Vec<&str> = all.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Empty", "Tech", "반도체"], "sorted by name");
        assert_eq!(all[1], tech, "read back as written (timestamps in ms)");

        let added = store
            .add_to_watchlist("Tech", &strings(&["GOOG", "AAPL", "IBM"]))
            .await
            .unwrap();
        assert_eq!(added.tickers, ["MSFT", "AAPL", "005930", "GOOG", "IBM"]);
        assert!(added.updated_at >= tech.updated_at);
        assert_eq!(added.created_at, tech.created_at);
        let removed = store
            .remove_from_watchlist("Tech", &strings(&["aapl", "NOPE"]))
            .await
            .unwrap();
        assert_eq!(removed.tickers, ["MSFT", "005930", "GOOG", "IBM"]);
        let reordered = store
            .set_watchlist_tickers("Tech", &strings(&["IBM", "MSFT"]))
            .await
            .unwrap();
        assert_eq!(
            store.watchlist("Tech").await.unwrap().unwrap().tickers,
            reordered.tickers
        );
        assert_eq!(reordered.tickers, ["IBM", "MSFT"]);

        let renamed = store.rename_watchlist("Tech", "Big tech").await.unwrap();
        assert_eq!(renamed.tickers, ["IBM", "MSFT"]);
        assert!(store.watchlist("Tech").await.unwrap().is_none());
        assert_eq!(
            store.watchlist("Big tech").await.unwrap().unwrap().tickers,
            ["IBM", "MSFT"]
        );

        assert!(store.delete_watchlist("Big tech").await.unwrap());
        assert!(!store.delete_watchlist("Big tech").await.unwrap());
        let names: Vec<String> = store
            .watchlists()
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect();
        assert_eq!(names, ["Empty", "반도체"]);
    }

    /// Taken names, missing watchlists and bad names are clear errors that change nothing.
    pub async fn watchlist_errors_change_nothing(store: &Store) {
        use wickview::store::WatchlistError;
        store
            .create_watchlist("A", &strings(&["AAPL"]))
            .await
            .unwrap();
        store
            .create_watchlist("B", &strings(&["IBM"]))
            .await
            .unwrap();
        let err = store.create_watchlist("A", &[]).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Watchlist(WatchlistError::Duplicate(ref n)) if n == "A"),
            "{err}"
        );
        let err = store.rename_watchlist("B", " A ").await.unwrap_err();
        assert!(
            matches!(err, StoreError::Watchlist(WatchlistError::Duplicate(_))),
            "{err}"
        );
        assert!(err.to_string().contains("already exists"), "{err}");
        let err = store
            .add_to_watchlist("Nope", &strings(&["AAPL"]))
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Watchlist(WatchlistError::NotFound(_))),
            "{err}"
        );
        assert!(err.to_string().contains("Nope"), "{err}");
        assert!(store.rename_watchlist("Nope", "C").await.is_err());
        assert!(store.set_watchlist_tickers("Nope", &[]).await.is_err());
        let err = store.create_watchlist("@all", &[]).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Watchlist(WatchlistError::InvalidName { .. })
            ),
            "{err}"
        );
        // Nothing changed.
        let all = store.watchlists().await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].tickers, ["AAPL"]);
        assert_eq!(
            (all[1].name.as_str(), &all[1].tickers[..]),
            ("B", &strings(&["IBM"])[..])
        );
    }

    /// Two tasks adding 40 tickers each to one watchlist at the same time, one per call:
    /// every add is kept, and each task's tickers keep its order. Then two tasks removing 30
    /// of their 40 each from a full list: exactly the other 20 stay, in order.
    pub async fn concurrent_watchlist_edits_keep_every_change(store: &Store) {
        let own =
            |prefix: &str| -> Vec<String> { (0..40).map(|i| format!("{prefix}{i:02}")).collect() };
        let (a, b) = (own("WA"), own("WB"));
        let edit = |list: &'static str, tickers: Vec<String>, add: bool| {
            let store = store.clone();
            tokio::spawn(async move {
                for t in tickers {
                    let one = [t];
                    if add {
                        store.add_to_watchlist(list, &one).await.unwrap();
                    } else {
                        store.remove_from_watchlist(list, &one).await.unwrap();
                    }
                }
            })
        };

        store.create_watchlist("Adds", &[]).await.unwrap();
        let (x, y) = tokio::join!(edit("Adds", a.clone(), true), edit("Adds", b.clone(), true));
        x.unwrap();
        y.unwrap();
        let list = store.watchlist("Adds").await.unwrap().unwrap().tickers;
        assert_eq!(list.len(), 80, "lost adds: {list:?}");
        for mine in [&a, &b] {
            let kept: Vec<&String> = list.iter().filter(|t| mine.contains(t)).collect();
            assert_eq!(kept, mine.iter().collect::<Vec<_>>());
        }

        let all = [a.clone(), b.clone()].concat();
        store.create_watchlist("Removes", &all).await.unwrap();
        let (x, y) = tokio::join!(
            edit("Removes", a[..30].to_vec(), false),
            edit("Removes", b[..30].to_vec(), false)
        );
        x.unwrap();
        y.unwrap();
        let left = store.watchlist("Removes").await.unwrap().unwrap().tickers;
        assert_eq!(left, [&a[30..], &b[30..]].concat(), "lost removes");
    }

    /// Deleting a ticker takes it out of every watchlist that held it (the rest keep their
    /// order) and names those watchlists; a ticker in none names none.
    pub async fn deleting_a_ticker_takes_it_out_of_watchlists(store: &Store) {
        for s in ["AAPL", "MSFT", "IBM"] {
            add(store, Category::UsStock, s, s).await;
        }
        store
            .create_watchlist("Tech", &strings(&["MSFT", "AAPL", "IBM"]))
            .await
            .unwrap();
        store
            .create_watchlist("Apple", &strings(&["AAPL"]))
            .await
            .unwrap();
        store
            .create_watchlist("Other", &strings(&["IBM"]))
            .await
            .unwrap();
        let deleted = store.delete_ticker("aapl").await.unwrap();
        assert_eq!(deleted.watchlists, ["Apple", "Tech"]);
        let lists: Vec<(String, Vec<String>)> = store
            .watchlists()
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.name, l.tickers))
            .collect();
        assert_eq!(
            lists,
            [
                ("Apple".to_owned(), strings(&[])),
                ("Other".to_owned(), strings(&["IBM"])),
                ("Tech".to_owned(), strings(&["MSFT", "IBM"])),
            ]
        );
        let untouched = store.watchlist("Other").await.unwrap().unwrap();
        let deleted = store.delete_ticker("MSFT").await.unwrap();
        assert_eq!(deleted.watchlists, ["Tech"]);
        assert_eq!(store.watchlist("Other").await.unwrap().unwrap(), untouched);
        add(store, Category::UsStock, "GOOG", "GOOG").await;
        assert!(
            store
                .delete_ticker("GOOG")
                .await
                .unwrap()
                .watchlists
                .is_empty()
        );
    }

    fn drawing(
        id: i64,
        kind: wickview::model::DrawingKind,
        points: &[(NaiveDate, f64)],
    ) -> wickview::model::Drawing {
        wickview::model::Drawing::new(
            id,
            kind,
            points
                .iter()
                .map(|&(d, p)| wickview::model::Anchor::new(d, p))
                .collect(),
        )
    }

    /// Stores `upserts` and deletes `deleted` for `ticker`.
    async fn change(
        store: &Store,
        ticker: &str,
        upserts: &[wickview::model::Drawing],
        deleted: &[i64],
    ) -> Result<(), StoreError> {
        let changes = wickview::model::DrawingChanges {
            upserts: upserts.to_vec(),
            deleted: deleted.to_vec(),
        };
        store.apply_drawing_changes(ticker, &changes).await
    }

    /// The drawings of `ticker` that fit the model (every record must).
    async fn drawings_of(store: &Store, ticker: &str) -> Vec<wickview::model::Drawing> {
        let read = store.drawings(ticker).await.unwrap();
        assert_eq!(read.unreadable, [], "every record of {ticker} is readable");
        read.drawings
    }

    /// Every kind of drawing is stored per ticker and read back exactly, sorted by id; the
    /// ticker key forgives case and the `.KS` suffix; another ticker's drawings stay apart.
    pub async fn drawings_round_trip_per_ticker(store: &Store) {
        use wickview::model::DrawingKind as K;
        let empty = store.drawings("005930").await.unwrap();
        assert_eq!(empty, wickview::store::TickerDrawings::default());
        let mut note = drawing(7, K::Text, &[(day(2024, 3, 4), 71_200.5)]);
        note.text = "실적 발표 — earnings".to_owned();
        note.color = [10, 20, 30, 200];
        note.width = 2.5;
        let set = vec![
            drawing(1, K::Level, &[(day(2024, 1, 2), 78_500.0)]),
            drawing(
                2,
                K::TrendLine,
                &[(day(2023, 10, 4), 66_000.0), (day(2024, 1, 2), 79_600.25)],
            ),
            drawing(
                3,
                K::Ray,
                &[(day(2023, 10, 4), 66_000.0), (day(2023, 12, 1), 72_000.0)],
            ),
            drawing(
                4,
                K::Rectangle,
                &[(day(2023, 11, 1), 68_000.0), (day(2023, 12, 28), 79_000.0)],
            ),
            drawing(
                5,
                K::Fibonacci,
                &[(day(2023, 10, 31), 66_000.0), (day(2024, 1, 2), 79_600.0)],
            ),
            note,
        ];
        // Written in another order: read back sorted by id.
        let mut shuffled = set.clone();
        shuffled.reverse();
        change(store, "005930.ks", &shuffled, &[]).await.unwrap();
        assert_eq!(drawings_of(store, "005930").await, set);
        assert_eq!(drawings_of(store, "005930.KS").await, set);
        assert_eq!(store.drawings("005930").await.unwrap().max_id, 7);
        let other = vec![drawing(1, K::Level, &[(day(2020, 3, 23), 2_237.4)])];
        change(store, "^GSPC", &other, &[]).await.unwrap();
        assert_eq!(drawings_of(store, "^gspc").await, other);
        assert_eq!(drawings_of(store, "005930").await, set, "untouched");
        // Storing the same drawings again changes nothing.
        change(store, "005930", &set, &[]).await.unwrap();
        assert_eq!(drawings_of(store, "005930").await, set);
    }

    /// A change set stores the drawings it names (added, or replacing the one with that id)
    /// and deletes the ids it names; every other drawing stays. An invalid change set is
    /// refused with a clear error and leaves what was stored as it was.
    pub async fn drawing_changes_touch_only_what_they_name(store: &Store) {
        use wickview::model::DrawingKind as K;
        let first = vec![
            drawing(1, K::Level, &[(day(2024, 1, 2), 100.0)]),
            drawing(
                2,
                K::TrendLine,
                &[(day(2024, 1, 2), 100.0), (day(2024, 2, 1), 120.0)],
            ),
            drawing(
                3,
                K::Rectangle,
                &[(day(2024, 1, 3), 90.0), (day(2024, 1, 9), 95.0)],
            ),
        ];
        change(store, "AAPL", &first, &[]).await.unwrap();
        let mut moved = first[1].clone();
        moved.anchors[1] = wickview::model::Anchor::new(day(2024, 3, 1), 140.0);
        moved.color = [0, 200, 255, 255];
        moved.width = 3.0;
        let fib = drawing(
            9,
            K::Fibonacci,
            &[(day(2024, 1, 2), 100.0), (day(2024, 3, 1), 140.0)],
        );
        // 2 moved, 9 added, 3 deleted (and 44, never stored: nothing to do); 1 not named.
        change(store, "AAPL", &[fib.clone(), moved.clone()], &[3, 44])
            .await
            .unwrap();
        let second = vec![first[0].clone(), moved.clone(), fib.clone()];
        assert_eq!(drawings_of(store, "AAPL").await, second);
        // Rerunning the same change set (after a failure, say) ends the same.
        change(store, "AAPL", &[fib.clone(), moved.clone()], &[3, 44])
            .await
            .unwrap();
        assert_eq!(drawings_of(store, "AAPL").await, second);

        let mut nan = drawing(4, K::Level, &[(day(2024, 1, 2), 1.0)]);
        nan.anchors[0].price = f64::NAN;
        let one_point_line = drawing(5, K::TrendLine, &[(day(2024, 1, 2), 1.0)]);
        let mut wide = drawing(6, K::Level, &[(day(2024, 1, 2), 1.0)]);
        wide.width = 0.0;
        let bad: [(Vec<wickview::model::Drawing>, Vec<i64>); 5] = [
            (vec![nan], vec![1]),
            (vec![one_point_line], vec![]),
            (vec![wide], vec![]),
            (vec![moved.clone(), moved.clone()], vec![]),
            (vec![fib.clone()], vec![9]),
        ];
        for (upserts, deleted) in bad {
            let err = change(store, "AAPL", &upserts, &deleted).await.unwrap_err();
            assert!(matches!(err, StoreError::InvalidDrawing(_)), "{err}");
            assert!(err.to_string().starts_with("invalid drawing: "), "{err}");
            assert_eq!(drawings_of(store, "AAPL").await, second, "nothing lost");
        }
        assert!(matches!(
            change(store, "  ", &second, &[]).await.unwrap_err(),
            StoreError::UnknownTicker(_)
        ));
        change(store, "AAPL", &[], &[1, 2, 9]).await.unwrap();
        assert_eq!(store.drawings("AAPL").await.unwrap().drawings, []);
    }

    /// Deleting a ticker deletes its drawings with its bars; other tickers keep theirs.
    pub async fn deleting_a_ticker_deletes_its_drawings(store: &Store) {
        use wickview::model::DrawingKind as K;
        add(store, Category::UsStock, "AAPL", "Apple").await;
        add(store, Category::UsStock, "MSFT", "Microsoft").await;
        let level = vec![drawing(1, K::Level, &[(day(2024, 1, 2), 100.0)])];
        change(store, "AAPL", &level, &[]).await.unwrap();
        change(store, "MSFT", &level, &[]).await.unwrap();
        store.delete_ticker("aapl").await.unwrap();
        assert_eq!(
            store.drawings("AAPL").await.unwrap(),
            wickview::store::TickerDrawings::default()
        );
        assert_eq!(drawings_of(store, "MSFT").await, level);
    }

    /// Bars stored without metadata (another tool's): `repair` creates the metadata, active,
    /// in the bars' category and named by the ticker, as the README says.
    pub async fn repair_names_the_metadata_it_creates_by_the_ticker(store: &Store) {
        let (series, _) = DailySeries::from_bars([Bar::ohlc(day(2024, 1, 2), 1.0, 2.0, 0.5, 1.5)]);
        let kakao = Ticker::parse(Category::KoreanStock, "035720").unwrap();
        let spy = Ticker::parse(Category::Index, "SPY").unwrap();
        store.upsert_bars(&kakao, &series).await.unwrap();
        store.upsert_bars(&spy, &series).await.unwrap();
        add(store, Category::UsStock, "AAPL", "").await;
        let report = store.repair(false).await.unwrap();
        assert_eq!(report.metadata_created, ["035720", "SPY"], "{report:?}");
        for (ticker, category) in [("035720", Category::KoreanStock), ("SPY", Category::Index)] {
            let meta = store.ticker(ticker).await.unwrap().unwrap();
            assert_eq!(meta.name, ticker);
            assert_eq!(meta.category(), category);
            assert!(meta.active);
        }
        // A ticker added without a name keeps its empty one.
        assert_eq!(store.ticker("AAPL").await.unwrap().unwrap().name, "");
    }
}

/// Drawings stored by another tool, an older or newer wickview or a hand edit, some of
/// which do not fit the model: each record is read on its own, the unreadable ones are
/// reported and never touched by a save. The records are written raw (SQL, BSON), so each
/// backend runs its own copy of the one case body.
mod unreadable_drawings {
    use std::path::PathBuf;

    use chrono::NaiveDate;
    use mongodb::bson::{Bson, DateTime, Document, doc};
    use rusqlite::types::Value;
    use wickview::model::{Anchor, Drawing, DrawingChanges, DrawingKind, new_drawing_id};
    use wickview::store::{EMBEDDED_FILE_NAME, Store, StoreConfig};

    use crate::store_support::{day, fresh_db_name, mongo_uri};

    const TICKER: &str = "AAPL";

    /// Raw access to the store's drawings, beside the store.
    enum Raw {
        Sqlite(PathBuf),
        Mongo(mongodb::Database),
    }

    fn epoch_days(d: NaiveDate) -> i64 {
        i64::from(d.to_epoch_days())
    }

    fn bson_date(d: NaiveDate) -> DateTime {
        DateTime::from_millis(epoch_days(d) * 86_400_000)
    }

    impl Raw {
        /// Three readable drawings (ids 1, 5, 9) and seven that are not, one of them with
        /// the highest id.
        async fn insert_records(&self) {
            let d1 = day(2024, 1, 2);
            let d2 = day(2024, 2, 1);
            let color = 0xFFC1_07FF_i64;
            match self {
                Raw::Sqlite(path) => {
                    let conn = rusqlite::Connection::open(path).unwrap();
                    let rows: Vec<[Value; 9]> = vec![
                        sql_row(1, "level", d1, 100.0, None, color, 1.5, ""),
                        sql_row(
                            5,
                            "trend_line",
                            d1,
                            100.0,
                            Some((d2, 120.0)),
                            color,
                            2.0,
                            "",
                        ),
                        sql_row(9, "text", d2, 90.0, None, color, 1.5, "note"),
                        sql_row(2, "blob", d1, 100.0, None, color, 1.5, ""),
                        sql_row(3, "level", d1, 100.0, None, color, 1e9, ""),
                        sql_row(4, "level", d1, f64::INFINITY, None, color, 1.5, ""),
                        [
                            Value::Integer(6),
                            Value::Text("level".into()),
                            Value::Integer(1_000_000_000_000),
                            Value::Real(100.0),
                            Value::Null,
                            Value::Null,
                            Value::Integer(color),
                            Value::Real(1.5),
                            Value::Text(String::new()),
                        ],
                        sql_row(7, "trend_line", d1, 100.0, None, color, 1.5, ""),
                        {
                            let mut r = sql_row(12, "level", d1, 0.0, None, color, 1.5, "");
                            r[3] = Value::Text("abc".into());
                            r
                        },
                        {
                            let mut r = sql_row(0, "level", d1, 100.0, None, color, 1.5, "");
                            r[0] = Value::Text("x7".into());
                            r
                        },
                    ];
                    for r in rows {
                        conn.execute(
                            "INSERT INTO drawings
                                 (ticker, id, kind, day1, price1, day2, price2, color, width, text)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                            rusqlite::params![
                                TICKER, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]
                            ],
                        )
                        .unwrap();
                    }
                }
                Raw::Mongo(db) => {
                    let anchor = |d: NaiveDate, p: f64| doc! { "date": bson_date(d), "price": p };
                    let level = |id: Bson, kind: &str, anchors: Vec<Document>, width: f64| {
                        doc! {
                            "ticker": TICKER, "id": id, "kind": kind, "anchors": anchors,
                            "color": color, "width": width, "text": "",
                        }
                    };
                    let mut note = level(Bson::Int64(9), "text", vec![anchor(d2, 90.0)], 1.5);
                    note.insert("text", "note");
                    let docs = vec![
                        level(Bson::Int64(1), "level", vec![anchor(d1, 100.0)], 1.5),
                        level(
                            Bson::Int64(5),
                            "trend_line",
                            vec![anchor(d1, 100.0), anchor(d2, 120.0)],
                            2.0,
                        ),
                        note,
                        level(Bson::Int64(2), "blob", vec![anchor(d1, 100.0)], 1.5),
                        level(Bson::Int64(3), "level", vec![anchor(d1, 100.0)], 1e9),
                        level(
                            Bson::Int64(4),
                            "level",
                            vec![anchor(d1, f64::INFINITY)],
                            1.5,
                        ),
                        level(
                            Bson::Int64(6),
                            "level",
                            vec![doc! { "date": "2024-01-02", "price": 100.0 }],
                            1.5,
                        ),
                        level(Bson::Int64(7), "trend_line", vec![anchor(d1, 100.0)], 1.5),
                        level(
                            Bson::Int64(12),
                            "level",
                            vec![doc! { "date": bson_date(d1), "price": "abc" }],
                            1.5,
                        ),
                        level(Bson::Double(20.5), "level", vec![anchor(d1, 100.0)], 1.5),
                    ];
                    db.collection::<Document>("drawings")
                        .insert_many(docs)
                        .await
                        .unwrap();
                }
            }
        }

        /// Every stored record of the ticker, exactly as stored (with its integer id, if it
        /// has one), in a stable order.
        async fn dump(&self) -> Vec<(Option<i64>, String)> {
            let mut out: Vec<(Option<i64>, String)> = match self {
                Raw::Sqlite(path) => {
                    let conn = rusqlite::Connection::open(path).unwrap();
                    let mut stmt = conn
                        .prepare("SELECT * FROM drawings WHERE ticker = ?1")
                        .unwrap();
                    stmt.query_map([TICKER], |r| {
                        (0..10)
                            .map(|i| r.get::<_, Value>(i))
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .unwrap()
                    .map(|r| {
                        let r = r.unwrap();
                        let id = match r[1] {
                            Value::Integer(id) => Some(id),
                            _ => None,
                        };
                        (id, format!("{r:?}"))
                    })
                    .collect()
                }
                Raw::Mongo(db) => {
                    use futures::TryStreamExt as _;
                    db.collection::<Document>("drawings")
                        .find(doc! { "ticker": TICKER })
                        .await
                        .unwrap()
                        .try_collect::<Vec<_>>()
                        .await
                        .unwrap()
                        .iter()
                        .map(|d| {
                            let id = match d.get("id") {
                                Some(Bson::Int64(id)) => Some(*id),
                                _ => None,
                            };
                            (id, format!("{d:?}"))
                        })
                        .collect()
                }
            };
            out.sort_by(|a, b| a.1.cmp(&b.1));
            out
        }

        /// The stored records other than the drawings `ids`, exactly as stored.
        async fn records_other_than(&self, ids: &[i64]) -> Vec<String> {
            self.dump()
                .await
                .into_iter()
                .filter(|(id, _)| id.is_none_or(|id| !ids.contains(&id)))
                .map(|(_, r)| r)
                .collect()
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn sql_row(
        id: i64,
        kind: &str,
        d: NaiveDate,
        price: f64,
        second: Option<(NaiveDate, f64)>,
        color: i64,
        width: f64,
        text: &str,
    ) -> [Value; 9] {
        [
            Value::Integer(id),
            Value::Text(kind.into()),
            Value::Integer(epoch_days(d)),
            Value::Real(price),
            second.map_or(Value::Null, |(d, _)| Value::Integer(epoch_days(d))),
            second.map_or(Value::Null, |(_, p)| Value::Real(p)),
            Value::Integer(color),
            Value::Real(width),
            Value::Text(text.into()),
        ]
    }

    fn level(id: i64, price: f64) -> Drawing {
        Drawing::new(
            id,
            DrawingKind::Level,
            vec![Anchor::new(day(2024, 3, 1), price)],
        )
    }

    fn ids(drawings: &[Drawing]) -> Vec<i64> {
        drawings.iter().map(|d| d.id).collect()
    }

    /// Reads the three drawings and reports the seven records with why; a new drawing takes
    /// an id above every stored one; adding, moving and deleting drawings (the highest one
    /// too) leaves each of the seven records exactly as it was.
    async fn case(store: &Store, raw: &Raw, reasons: &[(Option<i64>, &str)], highest: i64) {
        raw.insert_records().await;
        let unreadable = raw.records_other_than(&[1, 5, 9]).await;
        assert_eq!(unreadable.len(), 7, "{unreadable:#?}");

        let read = store.drawings(TICKER).await.unwrap();
        assert_eq!(ids(&read.drawings), [1, 5, 9]);
        assert_eq!(read.drawings[1].anchors.len(), 2);
        assert_eq!(read.drawings[2].text, "note");
        let got: Vec<(Option<i64>, &str)> = read
            .unreadable
            .iter()
            .map(|u| (u.id, u.reason.as_str()))
            .collect();
        assert_eq!(got, reasons);
        assert_eq!(read.max_id, highest, "unreadable records count");

        // The first new drawing.
        let new_id = new_drawing_id(read.max_id);
        assert!(new_id > highest);
        let added = level(new_id, 150.0);
        let changes = DrawingChanges {
            upserts: vec![added.clone()],
            deleted: vec![],
        };
        store.apply_drawing_changes(TICKER, &changes).await.unwrap();
        assert_eq!(
            raw.records_other_than(&[1, 5, 9, new_id]).await,
            unreadable,
            "the unreadable records are untouched"
        );
        let read = store.drawings(TICKER).await.unwrap();
        assert_eq!(ids(&read.drawings), [1, 5, 9, new_id]);
        assert_eq!(read.drawings[3], added);
        assert_eq!(read.unreadable.len(), 7);
        assert_eq!(read.max_id, new_id);

        // Move one, delete another and the new one (now the highest).
        let mut moved = read.drawings[1].clone();
        moved.anchors[1].price = 130.0;
        let changes = DrawingChanges {
            upserts: vec![moved.clone()],
            deleted: vec![9, new_id],
        };
        store.apply_drawing_changes(TICKER, &changes).await.unwrap();
        assert_eq!(raw.records_other_than(&[1, 5]).await, unreadable);
        let read = store.drawings(TICKER).await.unwrap();
        assert_eq!(read.drawings, [level_at(1), moved]);
        let got: Vec<(Option<i64>, &str)> = read
            .unreadable
            .iter()
            .map(|u| (u.id, u.reason.as_str()))
            .collect();
        assert_eq!(got, reasons);
        assert_eq!(read.max_id, highest);
        assert!(new_drawing_id(read.max_id) > highest);
    }

    /// Drawing 1 as stored by `insert_records`.
    fn level_at(id: i64) -> Drawing {
        let mut d = Drawing::new(
            id,
            DrawingKind::Level,
            vec![Anchor::new(day(2024, 1, 2), 100.0)],
        );
        d.color = [0xFF, 0xC1, 0x07, 0xFF];
        d
    }

    #[tokio::test]
    async fn embedded() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let store = Store::open(&StoreConfig::Embedded {
            data_dir: data_dir.clone(),
        })
        .await
        .unwrap();
        let reasons = [
            (Some(2), "unknown kind 'blob'"),
            (Some(3), "line width 1000000000 is outside 0..10"),
            (Some(4), "price inf is not a finite number"),
            (Some(6), "day1 1000000000000 is out of range"),
            (Some(7), "a Trend line drawing has 2 anchor(s), not 1"),
            (Some(12), "price1 is text 'abc'"),
            (None, "id is text 'x7'"),
        ];
        let raw = Raw::Sqlite(data_dir.join(EMBEDDED_FILE_NAME));
        case(&store, &raw, &reasons, 12).await;
    }

    #[tokio::test]
    #[cfg_attr(
        not(mongo_tests),
        ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
    )]
    async fn mongodb() {
        let Some(uri) = mongo_uri() else { return };
        let db_name = fresh_db_name();
        let store = Store::open(&StoreConfig::Mongo {
            uri: uri.clone(),
            db_name: db_name.clone(),
        })
        .await
        .unwrap();
        let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
        let reasons = [
            (Some(2), "unknown kind 'blob'"),
            (Some(3), "line width 1000000000 is outside 0..10"),
            (Some(4), "price inf is not a finite number"),
            (Some(6), "the date of point 1 is text '2024-01-02'"),
            (Some(7), "a Trend line drawing has 2 anchor(s), not 1"),
            (Some(12), "the price of point 1 is text 'abc'"),
            // A query for the integer 21 would not match it, nor one for 20: 21 is above.
            (None, "id is the number 20.5"),
        ];
        let raw = Raw::Mongo(client.database(&db_name));
        case(&store, &raw, &reasons, 21).await;
        store.drop_all_data().await.unwrap();
    }
}
