//! The compute benchmark behind `wickview bench compute` (and the UI's benchmark panel):
//! generates the synthetic panel, times every kernel on it and returns rows of results.
//!
//! Free of printing and of command-line parsing; [`format_table`] and [`format_json_lines`]
//! turn the rows into text.

mod indicator_rows;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::panel::{DEFAULT_SEED, SyntheticPanel};
use super::{
    CandlePyramid, ComputeError, LinePyramid, Normalization, ema_panel_into, normalize_panel_into,
    pool, sma_panel_into,
};

/// Moving-average windows timed together in one pass (set A of the spec).
pub const SMA_WINDOWS: [usize; 4] = [5, 20, 60, 120];
/// Span of the timed EMA.
pub const EMA_SPAN: usize = 20;
/// Plot width for the level-of-detail primitive count.
pub const LOD_WIDTH_PX: f32 = 1000.0;
/// Trading days in one year and in thirty years, for the level-of-detail rows.
pub const LOD_HISTORIES: [(&str, usize); 2] = [("1y", 252), ("30y", 7560)];

/// What to benchmark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComputeBenchConfig {
    /// Series in the panel.
    pub series: usize,
    /// Days per series.
    pub days: usize,
    /// Timed runs per kernel (after one untimed warm-up run); the median is reported.
    pub repeat: usize,
    /// Seed of the synthetic panel.
    pub seed: u64,
    /// Random visible ranges per timed run of the range query.
    pub queries: usize,
}

impl Default for ComputeBenchConfig {
    fn default() -> Self {
        Self {
            series: 500,
            days: 6300,
            repeat: 11,
            seed: DEFAULT_SEED,
            queries: 100_000,
        }
    }
}

/// One result row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchRow {
    /// What was timed.
    pub name: String,
    /// Series processed per run.
    pub series: usize,
    /// Days per series.
    pub days: usize,
    /// Median wall time of one run, in milliseconds.
    pub median_ms: f64,
    /// Further figures, named with their unit (`ns_per_query`, `primitives`, ...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl BenchRow {
    fn new(name: impl Into<String>, series: usize, days: usize, median_ms: f64) -> Self {
        Self {
            name: name.into(),
            series,
            days,
            median_ms,
            extra: BTreeMap::new(),
        }
    }

    fn timed(name: impl Into<String>, series: usize, days: usize, timing: Timing) -> Self {
        Self::new(name, series, days, timing.median_ms).with("min_ms", timing.min_ms)
    }

    fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }
}

/// Wall times of `repeat` timed runs (after one untimed warm-up run), in milliseconds.
#[derive(Clone, Copy, Debug)]
struct Timing {
    median_ms: f64,
    min_ms: f64,
}

/// Runs `f` once untimed, then `repeat` times, and returns the median and fastest times.
fn time_runs(repeat: usize, mut f: impl FnMut()) -> Timing {
    f();
    let mut times: Vec<f64> = (0..repeat.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    let median_ms = if times.len() % 2 == 1 {
        times[mid]
    } else {
        (times[mid - 1] + times[mid]) / 2.0
    };
    Timing {
        median_ms,
        min_ms: times[0],
    }
}

fn rate_per_sec(count: usize, ms: f64) -> f64 {
    if ms > 0.0 {
        count as f64 / (ms / 1e3)
    } else {
        f64::INFINITY
    }
}

/// Runs the compute benchmark: SMA (four windows in one pass, into preallocated buffers), EMA,
/// rebase, percent change, the TA-Lib indicators (Bollinger, RSI, MACD, Stochastic, ATR, EMA
/// ribbon, OBV, ROC, each in its panel form), pyramid build, visible-range min/max queries, and the drawn
/// primitive count at a 1000-px plot zoomed out on 1 year vs 30 years of history.
///
/// # Errors
/// [`ComputeError::BadBenchConfig`] for zero series, days or repeats.
pub fn run_compute_bench(config: &ComputeBenchConfig) -> Result<Vec<BenchRow>, ComputeError> {
    let &ComputeBenchConfig {
        series,
        days,
        repeat,
        seed,
        queries,
    } = config;
    if series == 0 || days == 0 || repeat == 0 {
        return Err(ComputeError::BadBenchConfig(
            "series, days and repeat must be at least 1",
        ));
    }
    let threads = pool::num_threads();
    let mut rows = Vec::new();

    let t = Instant::now();
    let panel = SyntheticPanel::generate(series, days, seed);
    let gen_ms = t.elapsed().as_secs_f64() * 1e3;
    let days = panel.n_days();
    rows.push(
        BenchRow::new("generate panel (once)", series, days, gen_ms)
            .with("threads", threads)
            .with("seed", seed),
    );
    let close = panel.close();
    let values = close.len();

    // SMA: four windows, one pass per series, into a preallocated buffer.
    let mut sma_out = vec![0.0; values * SMA_WINDOWS.len()];
    let mut err = None;
    let timing = time_runs(repeat, || {
        if let Err(e) = sma_panel_into(close, days, &SMA_WINDOWS, &mut sma_out) {
            err = Some(e);
        }
    });
    if let Some(e) = err.take() {
        return Err(e);
    }
    drop(sma_out);
    rows.push(
        BenchRow::timed("sma 5/20/60/120 (one pass)", series, days, timing)
            .with("outputs", values * SMA_WINDOWS.len())
            .with(
                "outputs_per_sec",
                rate_per_sec(values * SMA_WINDOWS.len(), timing.median_ms),
            ),
    );

    let mut out = vec![0.0; values];
    let timing = time_runs(repeat, || {
        if let Err(e) = ema_panel_into(close, days, EMA_SPAN, &mut out) {
            err = Some(e);
        }
    });
    rows.push(
        BenchRow::timed(format!("ema {EMA_SPAN}"), series, days, timing)
            .with("outputs_per_sec", rate_per_sec(values, timing.median_ms)),
    );
    for (name, how) in [
        ("rebase to 100", Normalization::Rebase100),
        ("percent change", Normalization::PercentChange),
    ] {
        let timing = time_runs(repeat, || {
            if let Err(e) = normalize_panel_into(close, days, 0, how, &mut out) {
                err = Some(e);
            }
        });
        rows.push(
            BenchRow::timed(name, series, days, timing)
                .with("outputs_per_sec", rate_per_sec(values, timing.median_ms)),
        );
    }
    if let Some(e) = err {
        return Err(e);
    }
    drop(out);
    rows.extend(indicator_rows::indicator_rows(&panel, repeat)?);

    // Pyramids: one candle pyramid per series and one line pyramid of its close.
    let all = panel.all_daily_series();
    let mut built: (Vec<CandlePyramid>, Vec<LinePyramid>) = (Vec::new(), Vec::new());
    let timing = time_runs(repeat, || {
        // Drop the previous result outside the build, not inside the timing of the next.
        built = pool::install(|| {
            rayon::join(
                || CandlePyramid::build_many(&all),
                || LinePyramid::build_many(&panel.close().chunks(days).collect::<Vec<_>>()),
            )
        });
    });
    rows.push(BenchRow::timed(
        "pyramid build (candle + line)",
        series,
        days,
        timing,
    ));
    drop(all);

    // Visible-range min/max: random series and random ranges, answered from the pyramid.
    let (candles, _) = &built;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0051_ea5e);
    let ranges: Vec<(usize, usize, usize)> = (0..queries.max(1))
        .map(|_| {
            let s = rng.random_range(0..series);
            let a = rng.random_range(0..days);
            let b = rng.random_range(0..days);
            (s, a.min(b), a.max(b) + 1)
        })
        .collect();
    let mut sink = 0.0;
    let timing = time_runs(repeat, || {
        for &(s, a, b) in &ranges {
            if let Some((lo, hi)) = candles[s].price_range(a..b) {
                sink += hi - lo;
            }
        }
    });
    let per_query_ns = timing.median_ms * 1e6 / ranges.len() as f64;
    // The same queries answered by scanning, as a baseline (one run: it is slow).
    let t = Instant::now();
    for &(s, a, b) in &ranges {
        let lo = panel.low()[s * days + a..s * days + b]
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let hi = panel.high()[s * days + a..s * days + b]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        sink -= hi - lo;
    }
    let scan_ns = t.elapsed().as_secs_f64() * 1e9 / ranges.len() as f64;
    rows.push(
        BenchRow::timed("visible-range min/max query", series, days, timing)
            .with("queries", ranges.len())
            .with("ns_per_query", per_query_ns)
            .with("scan_ns_per_query", scan_ns)
            .with("checksum", sink),
    );
    drop(built);

    // Level of detail: primitives drawn at 1000 px, zoomed all the way out.
    for (label, history) in LOD_HISTORIES {
        let one = SyntheticPanel::generate(1, history, seed).daily_series(0);
        let pyramid = CandlePyramid::from_series(&one);
        let n = pyramid.len();
        let mut drawn = 0;
        let mut level = 0;
        // Timed: what a frame does on the CPU — pick the level, gather the visible buckets
        // (two primitives each: body and wick), and autoscale the price axis.
        let mut primitives: Vec<[f64; 4]> = Vec::with_capacity(2 * n);
        let timing = time_runs(repeat.max(101), || {
            level = pyramid.level_for(n as f64, LOD_WIDTH_PX);
            let buckets = pyramid.buckets_for(level, 0..n);
            let l = &pyramid.levels()[level];
            primitives.clear();
            for j in buckets {
                primitives.push([
                    l.open[j],
                    l.close[j],
                    l.open[j].min(l.close[j]),
                    l.open[j].max(l.close[j]),
                ]);
                primitives.push([l.low[j], l.high[j], l.low[j], l.high[j]]);
            }
            drawn = primitives.len();
            if let Some((lo, hi)) = pyramid.price_range(0..n) {
                sink += hi - lo;
            }
        });
        rows.push(
            BenchRow::timed(
                format!("lod frame, {label} zoomed out @1000px"),
                1,
                n,
                timing,
            )
            .with("width_px", f64::from(LOD_WIDTH_PX))
            .with("level", level)
            .with("primitives", drawn)
            .with("primitives_without_lod", 2 * n),
        );
    }
    Ok(rows)
}

fn format_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => u.to_string(),
            (None, Some(f)) if f.abs() >= 1e6 || (f != 0.0 && f.abs() < 1e-3) => format!("{f:.3e}"),
            (None, Some(f)) => format!("{f:.1}"),
            (None, None) => n.to_string(),
        },
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows as an aligned text table: name, series, days, median ms, then the extra fields.
pub fn format_table(rows: &[BenchRow]) -> String {
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            let extra = r
                .extra
                .iter()
                .filter(|(k, _)| k.as_str() != "checksum")
                .map(|(k, v)| format!("{k}={}", format_value(v)))
                .collect::<Vec<_>>()
                .join(" ");
            [
                r.name.clone(),
                r.series.to_string(),
                r.days.to_string(),
                format!("{:.3}", r.median_ms),
                extra,
            ]
        })
        .collect();
    let header = ["benchmark", "series", "days", "median ms", "details"];
    let mut width = header.map(str::len);
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, row: [&str; 5]| {
        let _ = writeln!(
            out,
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = width[0],
            w1 = width[1],
            w2 = width[2],
            w3 = width[3]
        );
    };
    line(&mut out, header);
    for row in &cells {
        line(&mut out, [&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
    out
}

/// The rows as JSON lines, one object per row:
/// `{"name": ..., "series": ..., "days": ..., "median_ms": ..., <extra fields>}`.
pub fn format_json_lines(rows: &[BenchRow]) -> String {
    let mut out = String::new();
    for row in rows {
        // Serialising plain strings, numbers and maps cannot fail; a failure would be a bug, and
        // is reported in the output rather than dropped.
        match serde_json::to_string(row) {
            Ok(s) => out.push_str(&s),
            Err(e) => {
                let _ = write!(
                    out,
                    "{{\"name\":{:?},\"error\":{:?}}}",
                    row.name,
                    e.to_string()
                );
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_run_has_every_row() {
        let cfg = ComputeBenchConfig {
            series: 3,
            days: 300,
            repeat: 1,
            seed: 1,
            queries: 50,
        };
        let rows = run_compute_bench(&cfg).unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        for want in [
            "sma 5/20/60/120",
            "ema 20",
            "rebase",
            "percent",
            "bollinger 20,2",
            "rsi 14",
            "macd 12,26,9",
            "stochastic 14,3,3",
            "atr 14",
            "ema ribbon",
            "obv",
            "roc 10",
            "pyramid",
            "range",
            "1y",
            "30y",
        ] {
            assert!(
                names.iter().any(|n| n.contains(want)),
                "{want} missing from {names:?}"
            );
        }
        let lod: Vec<&BenchRow> = rows.iter().filter(|r| r.name.starts_with("lod")).collect();
        assert_eq!(lod[0].days, 252);
        assert_eq!(lod[0].extra["primitives"], 504);
        assert_eq!(lod[1].days, 7560);
        assert_eq!(lod[1].extra["level"], 3);
        assert_eq!(lod[1].extra["primitives"], 2 * 945);
        assert!(
            rows.iter()
                .all(|r| r.median_ms.is_finite() && r.median_ms >= 0.0)
        );
        let json = format_json_lines(&rows);
        assert_eq!(json.lines().count(), rows.len());
        for line in json.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(v["name"].is_string() && v["series"].is_u64() && v["days"].is_u64());
            assert!(v["median_ms"].is_f64());
        }
        let table = format_table(&rows);
        assert_eq!(table.lines().count(), rows.len() + 1);
        assert!(table.starts_with("benchmark"));
    }

    #[test]
    fn bad_config_is_an_error() {
        let cfg = ComputeBenchConfig {
            series: 0,
            ..ComputeBenchConfig::default()
        };
        assert!(matches!(
            run_compute_bench(&cfg),
            Err(ComputeError::BadBenchConfig(_))
        ));
    }
}
