//! Level of detail: pyramids of aggregated candles and line extremes.
//!
//! Level k aggregates 2^k consecutive bars: element j covers bars `[j*2^k, min((j+1)*2^k, n))`.
//! Level 0 is the bars themselves; the last bucket of a level may be partial; the top level has
//! one bucket. Drawing a visible range at [`CandlePyramid::level_for`] costs at most one candle
//! (two primitives: body and wick) per pixel column, whatever the history length, and the
//! visible min/max for the price-axis autoscale comes from O(log n) aligned buckets instead of a
//! scan.
//!
//! Exactness: opens, closes, minima and maxima equal a brute-force recomputation over the
//! bucket's bars. Volume sums are added pairwise level by level, which is exact for whole-number
//! volumes (all real ones, below 2^53) and otherwise within rounding of the sequential sum.

use std::ops::Range;

use rayon::prelude::*;

use super::pool;
use crate::model::DailySeries;

/// One level of a [`CandlePyramid`]: bucket `j` aggregates bars `[j*bucket_len, (j+1)*bucket_len)`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CandleLevel {
    /// Bars per bucket: 2^k at level k.
    pub bucket_len: usize,
    /// Open of the first bar of the bucket.
    pub open: Vec<f64>,
    /// Highest high of the bucket.
    pub high: Vec<f64>,
    /// Lowest low of the bucket.
    pub low: Vec<f64>,
    /// Close of the last bar of the bucket.
    pub close: Vec<f64>,
    /// Summed volume.
    pub volume: Vec<f64>,
    /// Largest daily volume in the bucket (for the volume pane autoscale).
    pub volume_max: Vec<f64>,
}

impl CandleLevel {
    /// Number of buckets at this level.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether the level has no buckets (only for an empty pyramid).
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    fn coarsen(&self) -> Self {
        let n = self.len().div_ceil(2);
        let mut next = Self {
            bucket_len: self.bucket_len * 2,
            open: Vec::with_capacity(n),
            high: Vec::with_capacity(n),
            low: Vec::with_capacity(n),
            close: Vec::with_capacity(n),
            volume: Vec::with_capacity(n),
            volume_max: Vec::with_capacity(n),
        };
        next.open.extend(self.open.iter().step_by(2));
        next.high.extend(pairs(&self.high, f64::max));
        next.low.extend(pairs(&self.low, f64::min));
        next.close
            .extend(self.close.chunks(2).filter_map(|c| c.last().copied()));
        next.volume.extend(pairs(&self.volume, |a, b| a + b));
        next.volume_max.extend(pairs(&self.volume_max, f64::max));
        next
    }
}

/// Combines neighbours `(v[2j], v[2j+1])` with `f`; an unpaired last element is kept as is.
fn pairs(v: &[f64], f: impl Fn(f64, f64) -> f64) -> impl Iterator<Item = f64> {
    v.chunks(2).map(move |c| match *c {
        [a, b] => f(a, b),
        [a] => a,
        _ => f64::NAN,
    })
}

/// Calls `visit(level, bucket)` for O(log n) aligned buckets that exactly cover `range`
/// (clamped to `0..n`), in a pyramid with `levels` levels over `n` bars.
fn cover(range: Range<usize>, n: usize, levels: usize, mut visit: impl FnMut(usize, usize)) {
    let end = range.end.min(n);
    let (mut l, mut r) = (range.start.min(end), end);
    let mut k = 0;
    while l < r {
        if k + 1 >= levels {
            // The top level has a single bucket; nothing above to climb to.
            for j in l..r {
                visit(k, j);
            }
            return;
        }
        if l & 1 == 1 {
            visit(k, l);
            l += 1;
        }
        if r & 1 == 1 {
            r -= 1;
            visit(k, r);
        }
        l >>= 1;
        r >>= 1;
        k += 1;
    }
}

/// Smallest level k with `ceil(visible / 2^k) <= width_px`, at most `top`.
fn level_for(visible: f64, width_px: f32, top: usize) -> usize {
    if !visible.is_finite() || visible <= 0.0 {
        return 0;
    }
    let columns = f64::from(width_px.floor()).max(1.0);
    let mut k = 0;
    while k < top && (visible / (1_u64 << k.min(63)) as f64).ceil() > columns {
        k += 1;
    }
    k
}

/// Buckets of a level of bucket length `bucket_len` that intersect bars `range`.
fn buckets_of(range: Range<usize>, n: usize, bucket_len: usize) -> Range<usize> {
    let end = range.end.min(n);
    let start = range.start.min(end);
    if start == end {
        return start / bucket_len..start / bucket_len;
    }
    start / bucket_len..end.div_ceil(bucket_len)
}

/// A pyramid of aggregated candles over one series; see the module docs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CandlePyramid {
    levels: Vec<CandleLevel>,
}

impl CandlePyramid {
    /// Builds the pyramid from OHLCV columns. Columns of unequal length are cut to the shortest
    /// (and a warning is logged).
    pub fn build(open: &[f64], high: &[f64], low: &[f64], close: &[f64], volume: &[f64]) -> Self {
        let n = [open.len(), high.len(), low.len(), close.len(), volume.len()]
            .into_iter()
            .min()
            .unwrap_or(0);
        if [open.len(), high.len(), low.len(), close.len(), volume.len()]
            .iter()
            .any(|&l| l != n)
        {
            tracing::warn!(
                bars = n,
                "candle columns of unequal length; cut to the shortest"
            );
        }
        let base = CandleLevel {
            bucket_len: 1,
            open: open[..n].to_vec(),
            high: high[..n].to_vec(),
            low: low[..n].to_vec(),
            close: close[..n].to_vec(),
            volume: volume[..n].to_vec(),
            volume_max: volume[..n].to_vec(),
        };
        let mut levels = vec![base];
        while let Some(last) = levels.last().filter(|l| l.len() > 1) {
            let next = last.coarsen();
            levels.push(next);
        }
        Self { levels }
    }

    /// Builds the pyramid of a daily series.
    pub fn from_series(series: &DailySeries) -> Self {
        Self::build(
            series.open(),
            series.high(),
            series.low(),
            series.close(),
            series.volume(),
        )
    }

    /// Builds the pyramids of many series in parallel on the compute pool.
    pub fn build_many(series: &[DailySeries]) -> Vec<Self> {
        pool::install(|| series.par_iter().map(Self::from_series).collect())
    }

    /// Number of bars (level 0).
    pub fn len(&self) -> usize {
        self.levels.first().map_or(0, CandleLevel::len)
    }

    /// Whether there are no bars.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The levels; `levels()[0]` is the bars themselves. Always at least one level.
    pub fn levels(&self) -> &[CandleLevel] {
        &self.levels
    }

    /// Smallest level k such that `ceil(visible_bars / 2^k) <= width_px` (at most one candle
    /// per pixel column), or the top level if even that has more buckets.
    pub fn level_for(&self, visible_bars: f64, width_px: f32) -> usize {
        level_for(visible_bars, width_px, self.levels.len().saturating_sub(1))
    }

    /// The buckets of level `level` that intersect bars `range` (clamped); empty for an
    /// unknown level.
    pub fn buckets_for(&self, level: usize, range: Range<usize>) -> Range<usize> {
        match self.levels.get(level) {
            Some(l) => buckets_of(range, self.len(), l.bucket_len),
            None => 0..0,
        }
    }

    /// (min low, max high) over bars `range` (clamped), from O(log n) aligned buckets. NaN
    /// values are ignored; `None` for an empty range or one with no finite low and high.
    pub fn price_range(&self, range: Range<usize>) -> Option<(f64, f64)> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        cover(range, self.len(), self.levels.len(), |k, j| {
            let level = &self.levels[k];
            lo = lo.min(level.low[j]);
            hi = hi.max(level.high[j]);
        });
        (lo.is_finite() && hi.is_finite()).then_some((lo, hi))
    }

    /// Largest daily volume over bars `range` (clamped), O(log n); `None` for an empty range
    /// or one with no finite volume.
    pub fn volume_max(&self, range: Range<usize>) -> Option<f64> {
        let mut max = f64::NEG_INFINITY;
        cover(range, self.len(), self.levels.len(), |k, j| {
            max = max.max(self.levels[k].volume_max[j]);
        });
        max.is_finite().then_some(max)
    }
}

/// One level of a [`LinePyramid`]. A bucket with no finite value holds NaN everywhere.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineLevel {
    /// Points per bucket: 2^k at level k.
    pub bucket_len: usize,
    /// Smallest finite value in the bucket.
    pub min: Vec<f64>,
    /// Largest finite value in the bucket.
    pub max: Vec<f64>,
    /// First finite value in the bucket.
    pub first: Vec<f64>,
    /// Last finite value in the bucket.
    pub last: Vec<f64>,
}

impl LineLevel {
    /// Number of buckets at this level.
    pub fn len(&self) -> usize {
        self.min.len()
    }

    /// Whether the level has no buckets (only for an empty pyramid).
    pub fn is_empty(&self) -> bool {
        self.min.is_empty()
    }

    fn coarsen(&self) -> Self {
        Self {
            bucket_len: self.bucket_len * 2,
            min: pairs(&self.min, f64::min).collect(),
            max: pairs(&self.max, f64::max).collect(),
            first: pairs(&self.first, |a, b| if a.is_nan() { b } else { a }).collect(),
            last: pairs(&self.last, |a, b| if b.is_nan() { a } else { b }).collect(),
        }
    }
}

/// A pyramid of line extremes (close, a moving average, a rebased series); see the module docs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinePyramid {
    levels: Vec<LineLevel>,
}

impl LinePyramid {
    /// Builds the pyramid of `values`; non-finite values are ignored (treated as missing).
    pub fn build(values: &[f64]) -> Self {
        let clean: Vec<f64> = values
            .iter()
            .map(|&v| if v.is_finite() { v } else { f64::NAN })
            .collect();
        let base = LineLevel {
            bucket_len: 1,
            min: clean.clone(),
            max: clean.clone(),
            first: clean.clone(),
            last: clean,
        };
        let mut levels = vec![base];
        while let Some(last) = levels.last().filter(|l| l.len() > 1) {
            let next = last.coarsen();
            levels.push(next);
        }
        Self { levels }
    }

    /// Builds the pyramids of many lines in parallel on the compute pool.
    pub fn build_many<S: AsRef<[f64]> + Sync>(lines: &[S]) -> Vec<Self> {
        pool::install(|| lines.par_iter().map(|l| Self::build(l.as_ref())).collect())
    }

    /// Number of points (level 0).
    pub fn len(&self) -> usize {
        self.levels.first().map_or(0, LineLevel::len)
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The levels; `levels()[0]` is the points themselves. Always at least one level.
    pub fn levels(&self) -> &[LineLevel] {
        &self.levels
    }

    /// Smallest level k such that `ceil(visible_points / 2^k) <= width_px`, or the top level.
    pub fn level_for(&self, visible_points: f64, width_px: f32) -> usize {
        level_for(
            visible_points,
            width_px,
            self.levels.len().saturating_sub(1),
        )
    }

    /// The buckets of level `level` that intersect points `range` (clamped); empty for an
    /// unknown level.
    pub fn buckets_for(&self, level: usize, range: Range<usize>) -> Range<usize> {
        match self.levels.get(level) {
            Some(l) => buckets_of(range, self.len(), l.bucket_len),
            None => 0..0,
        }
    }

    /// (min, max) of the finite values in `range` (clamped), O(log n); `None` if there are none.
    pub fn min_max(&self, range: Range<usize>) -> Option<(f64, f64)> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        cover(range, self.len(), self.levels.len(), |k, j| {
            let level = &self.levels[k];
            lo = lo.min(level.min[j]);
            hi = hi.max(level.max[j]);
        });
        (lo.is_finite() && hi.is_finite()).then_some((lo, hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_candle_pyramid() {
        let o = [1.0, 2.0, 3.0, 4.0, 5.0];
        let h = [2.0, 9.0, 4.0, 5.0, 6.0];
        let l = [0.5, 1.5, 2.5, 0.1, 4.5];
        let c = [1.5, 2.5, 3.5, 4.5, 5.5];
        let v = [10.0, 20.0, 30.0, 40.0, 50.0];
        let p = CandlePyramid::build(&o, &h, &l, &c, &v);
        assert_eq!(p.len(), 5);
        let lens: Vec<usize> = p.levels().iter().map(CandleLevel::len).collect();
        assert_eq!(lens, vec![5, 3, 2, 1]);
        let l1 = &p.levels()[1];
        assert_eq!(l1.bucket_len, 2);
        assert_eq!(l1.open, vec![1.0, 3.0, 5.0]);
        assert_eq!(l1.close, vec![2.5, 4.5, 5.5]);
        assert_eq!(l1.high, vec![9.0, 5.0, 6.0]);
        assert_eq!(l1.low, vec![0.5, 0.1, 4.5]);
        assert_eq!(l1.volume, vec![30.0, 70.0, 50.0]);
        assert_eq!(l1.volume_max, vec![20.0, 40.0, 50.0]);
        assert_eq!(p.levels()[3].volume, vec![150.0]);
        assert_eq!(p.price_range(2..5), Some((0.1, 6.0)));
        assert_eq!(p.price_range(2..2), None);
        assert_eq!(p.price_range(4..100), Some((4.5, 6.0)));
        assert_eq!(p.volume_max(0..3), Some(30.0));
        assert_eq!(p.buckets_for(2, 3..5), 0..2);
        assert_eq!(p.buckets_for(9, 0..5), 0..0);
    }

    #[test]
    fn empty_and_single() {
        let p = CandlePyramid::build(&[], &[], &[], &[], &[]);
        assert!(p.is_empty());
        assert_eq!(p.levels().len(), 1);
        assert_eq!(p.price_range(0..10), None);
        assert_eq!(p.level_for(100.0, 10.0), 0);
        let l = LinePyramid::build(&[3.0]);
        assert_eq!(l.levels().len(), 1);
        assert_eq!(l.min_max(0..1), Some((3.0, 3.0)));
    }

    #[test]
    fn line_ignores_nan() {
        let nan = f64::NAN;
        let p = LinePyramid::build(&[nan, 2.0, nan, nan, 5.0, f64::INFINITY]);
        let l1 = &p.levels()[1];
        assert_eq!(l1.first[0], 2.0);
        assert_eq!(l1.last[0], 2.0);
        assert!(l1.min[1].is_nan() && l1.first[1].is_nan());
        assert_eq!(l1.last[2], 5.0);
        assert_eq!(p.min_max(0..6), Some((2.0, 5.0)));
        assert_eq!(p.min_max(2..4), None);
    }

    #[test]
    fn level_for_bounds() {
        let p = LinePyramid::build(&vec![1.0; 7560]);
        assert_eq!(p.level_for(252.0, 1000.0), 0);
        assert_eq!(p.level_for(7560.0, 1000.0), 3);
        assert_eq!(p.level_for(1e9, 1000.0), p.levels().len() - 1);
        assert_eq!(p.level_for(2000.0, 1000.0), 1);
        assert_eq!(p.level_for(2001.0, 1000.0), 2);
    }
}
