//! Store benchmarks: loading one 25-year ticker (6,300 bars) and upserting it, in the
//! embedded store and, when `WICKVIEW_TEST_MONGODB_URI` is set, in MongoDB.
//!
//! The full 500-ticker write/read-back run is `wickview bench store` (see the README).

#![allow(
    clippy::expect_used,
    reason = "benchmark set-up: without its store there is nothing to measure"
)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wickview::cli::bench_store::synthetic_series;
use wickview::model::{Category, Ticker};
use wickview::store::{Store, StoreConfig};

const DAYS: usize = 6300;

fn stores(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> Vec<(&'static str, Store)> {
    let mut out = vec![(
        "embedded",
        rt.block_on(Store::open(&StoreConfig::Embedded {
            data_dir: dir.to_path_buf(),
        }))
        .expect("embedded store opens"),
    )];
    match std::env::var("WICKVIEW_TEST_MONGODB_URI") {
        Ok(uri) if !uri.trim().is_empty() => {
            let config = StoreConfig::Mongo {
                uri,
                db_name: format!("wickview_bench_{}", std::process::id()),
            };
            out.push((
                "mongodb",
                rt.block_on(Store::open(&config)).expect("MongoDB opens"),
            ));
        }
        _ => eprintln!("MongoDB benchmarks did NOT run: set WICKVIEW_TEST_MONGODB_URI"),
    }
    out
}

fn store_benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let series = synthetic_series(DAYS, 7);
    let ticker = Ticker::parse(Category::UsStock, "BENCH").expect("valid ticker");
    let stores = stores(&rt, dir.path());

    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(DAYS as u64));
    group.sample_size(20);
    for (name, store) in &stores {
        rt.block_on(store.upsert_bars(&ticker, &series))
            .expect("initial write");
        group.bench_with_input(
            BenchmarkId::new("load_25y_ticker", name),
            store,
            |b, store| {
                b.iter(|| {
                    let s = rt.block_on(store.load_series(&ticker, None)).expect("load");
                    assert_eq!(s.len(), DAYS);
                    s
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("upsert_25y_ticker_unchanged", name),
            store,
            |b, store| {
                b.iter(|| {
                    rt.block_on(store.upsert_bars(&ticker, &series))
                        .expect("upsert")
                });
            },
        );
    }
    group.finish();
    for (_, store) in &stores {
        if !store.is_embedded() {
            let _ = rt.block_on(store.drop_all_data());
        }
    }
}

criterion_group!(benches, store_benches);
criterion_main!(benches);
