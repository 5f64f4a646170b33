//! Criterion benchmarks of the compute kernels on the synthetic panel (500 series x 6,300 days,
//! fixed seed): SMA with four windows in one pass, EMA, normalisation, pyramid build and the
//! visible-range min/max query, and the TA-Lib indicators in their panel forms. `wickview bench
//! compute` runs the same kernels without cargo.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wickview::compute::panel::{DEFAULT_SEED, SyntheticPanel};
use wickview::compute::{
    CandlePyramid, LinePyramid, Normalization, ema_panel_into, normalize_panel_into, sma_panel_into,
};

const SERIES: usize = 500;
const DAYS: usize = 6300;
const WINDOWS: [usize; 4] = [5, 20, 60, 120];

fn kernels(c: &mut Criterion) {
    let panel = SyntheticPanel::generate(SERIES, DAYS, DEFAULT_SEED);
    let close = panel.close();
    let values = close.len() as u64;
    let mut group = c.benchmark_group("panel 500x6300");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    let mut sma_out = vec![0.0; close.len() * WINDOWS.len()];
    group.throughput(Throughput::Elements(values * WINDOWS.len() as u64));
    group.bench_function("sma 5/20/60/120 one pass", |b| {
        b.iter(|| sma_panel_into(black_box(close), DAYS, &WINDOWS, &mut sma_out));
    });
    drop(sma_out);

    let mut out = vec![0.0; close.len()];
    group.throughput(Throughput::Elements(values));
    group.bench_function("ema 20", |b| {
        b.iter(|| ema_panel_into(black_box(close), DAYS, 20, &mut out));
    });
    group.bench_function("rebase to 100", |b| {
        b.iter(|| {
            normalize_panel_into(
                black_box(close),
                DAYS,
                0,
                Normalization::Rebase100,
                &mut out,
            )
        });
    });
    group.bench_function("percent change", |b| {
        b.iter(|| {
            normalize_panel_into(
                black_box(close),
                DAYS,
                0,
                Normalization::PercentChange,
                &mut out,
            )
        });
    });
    group.finish();

    let all = panel.all_daily_series();
    let closes: Vec<&[f64]> = close.chunks(DAYS).collect();
    let mut group = c.benchmark_group("pyramid build 500x6300");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(values));
    group.bench_function("candle", |b| {
        b.iter(|| CandlePyramid::build_many(black_box(&all)));
    });
    group.bench_function("line", |b| {
        b.iter(|| LinePyramid::build_many(black_box(&closes)));
    });
    group.finish();
}

fn range_query(c: &mut Criterion) {
    let mut group = c.benchmark_group("visible-range min/max");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for days in [252, 6300, 100_000] {
        let panel = SyntheticPanel::generate(1, days, DEFAULT_SEED);
        let series = panel.daily_series(0);
        let n = series.len();
        let pyramid = CandlePyramid::from_series(&series);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let ranges: Vec<(usize, usize)> = (0..1000)
            .map(|_| {
                let a = rng.random_range(0..n);
                let b = rng.random_range(0..n);
                (a.min(b), a.max(b) + 1)
            })
            .collect();
        group.throughput(Throughput::Elements(ranges.len() as u64));
        group.bench_with_input(BenchmarkId::new("pyramid", n), &ranges, |b, ranges| {
            b.iter(|| {
                ranges
                    .iter()
                    .map(|&(a, z)| pyramid.price_range(a..z).map_or(0.0, |r| r.1 - r.0))
                    .sum::<f64>()
            });
        });
        group.bench_with_input(BenchmarkId::new("scan", n), &ranges, |b, ranges| {
            b.iter(|| {
                ranges
                    .iter()
                    .map(|&(a, z)| {
                        let lo = series.low()[a..z]
                            .iter()
                            .copied()
                            .fold(f64::INFINITY, f64::min);
                        let hi = series.high()[a..z]
                            .iter()
                            .copied()
                            .fold(f64::NEG_INFINITY, f64::max);
                        hi - lo
                    })
                    .sum::<f64>()
            });
        });
    }
    group.finish();
}

fn indicators(c: &mut Criterion) {
    use wickview::compute::indicators::{
        atr_panel_into, bollinger_panel_into, macd_panel_into, obv_panel_into, roc_panel_into,
        rsi_panel_into, stochastic_panel_into,
    };
    let panel = SyntheticPanel::generate(SERIES, DAYS, DEFAULT_SEED);
    let (h, l, cl, v) = (panel.high(), panel.low(), panel.close(), panel.volume());
    let n = cl.len();
    let (mut a, mut b2, mut d) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut group = c.benchmark_group("indicators 500x6300");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(n as u64));
    group.bench_function("bollinger 20,2", |b| {
        b.iter(|| bollinger_panel_into(black_box(cl), DAYS, 20, 2.0, &mut a, &mut b2, &mut d));
    });
    group.bench_function("rsi 14", |b| {
        b.iter(|| rsi_panel_into(black_box(cl), DAYS, 14, &mut a));
    });
    group.bench_function("macd 12,26,9", |b| {
        b.iter(|| macd_panel_into(black_box(cl), DAYS, (12, 26, 9), &mut a, &mut b2, &mut d));
    });
    group.bench_function("stochastic 14,3,3", |b| {
        b.iter(|| stochastic_panel_into(h, l, black_box(cl), DAYS, (14, 3, 3), &mut a, &mut b2));
    });
    group.bench_function("atr 14", |b| {
        b.iter(|| atr_panel_into(h, l, black_box(cl), DAYS, 14, &mut a));
    });
    group.bench_function("obv", |b| {
        b.iter(|| obv_panel_into(black_box(cl), v, DAYS, &mut a));
    });
    group.bench_function("roc 10", |b| {
        b.iter(|| roc_panel_into(black_box(cl), DAYS, 10, &mut a));
    });
    group.finish();
}

criterion_group!(benches, kernels, range_query, indicators);
criterion_main!(benches);
