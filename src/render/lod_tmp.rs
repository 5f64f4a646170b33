//! TEMPORARY stand-in for `compute::lod` (same API as notes/PYRAMID_API.md) until the
//! compute branch lands; deleted then. Brute force, not O(log n).
#![allow(missing_docs, dead_code)]

use std::ops::Range;

#[derive(Clone, Debug)]
pub struct CandleLevel {
    pub bucket_len: usize,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Vec<f64>,
    pub volume_max: Vec<f64>,
}
#[derive(Clone, Debug)]
pub struct CandlePyramid {
    levels: Vec<CandleLevel>,
}
impl CandlePyramid {
    pub fn build(open: &[f64], high: &[f64], low: &[f64], close: &[f64], volume: &[f64]) -> Self {
        let mut levels = vec![CandleLevel {
            bucket_len: 1,
            open: open.to_vec(),
            high: high.to_vec(),
            low: low.to_vec(),
            close: close.to_vec(),
            volume: volume.to_vec(),
            volume_max: volume.to_vec(),
        }];
        while levels.last().is_some_and(|l| l.open.len() > 1) {
            let p = levels.last().cloned().unwrap_or_else(|| unreachable!());
            let n = p.open.len().div_ceil(2);
            let pick = |v: &[f64], f: fn(f64, f64) -> f64, first: bool| -> Vec<f64> {
                (0..n)
                    .map(|j| match v.get(2 * j + 1) {
                        Some(b) => {
                            if first {
                                v[2 * j]
                            } else {
                                f(v[2 * j], *b)
                            }
                        }
                        None => v[2 * j],
                    })
                    .collect()
            };
            levels.push(CandleLevel {
                bucket_len: p.bucket_len * 2,
                open: pick(&p.open, f64::max, true),
                high: pick(&p.high, f64::max, false),
                low: pick(&p.low, f64::min, false),
                close: pick(&p.close, |_, b| b, false),
                volume: pick(&p.volume, |a, b| a + b, false),
                volume_max: pick(&p.volume_max, f64::max, false),
            });
        }
        Self { levels }
    }
    pub fn from_series(s: &crate::model::DailySeries) -> Self {
        Self::build(s.open(), s.high(), s.low(), s.close(), s.volume())
    }
    pub fn len(&self) -> usize {
        self.levels[0].open.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn levels(&self) -> &[CandleLevel] {
        &self.levels
    }
    pub fn level_for(&self, visible_bars: f64, width_px: f32) -> usize {
        let w = f64::from(width_px.max(1.0));
        let mut k = 0;
        while k + 1 < self.levels.len()
            && (visible_bars / self.levels[k].bucket_len as f64).ceil() > w
        {
            k += 1;
        }
        k
    }
    pub fn price_range(&self, r: Range<usize>) -> Option<(f64, f64)> {
        let l = &self.levels[0];
        let r = r.start.min(l.low.len())..r.end.min(l.low.len());
        if r.is_empty() {
            return None;
        }
        Some((
            l.low[r.clone()]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min),
            l.high[r].iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ))
    }
    pub fn volume_max(&self, r: Range<usize>) -> Option<f64> {
        let l = &self.levels[0];
        let r = r.start.min(l.low.len())..r.end.min(l.low.len());
        if r.is_empty() {
            return None;
        }
        Some(l.volume[r].iter().copied().fold(0.0, f64::max))
    }
}

#[derive(Clone, Debug)]
pub struct LineLevel {
    pub bucket_len: usize,
    pub min: Vec<f64>,
    pub max: Vec<f64>,
    pub first: Vec<f64>,
    pub last: Vec<f64>,
}
#[derive(Clone, Debug)]
pub struct LinePyramid {
    levels: Vec<LineLevel>,
}
impl LinePyramid {
    pub fn build(values: &[f64]) -> Self {
        let mut levels = vec![LineLevel {
            bucket_len: 1,
            min: values.to_vec(),
            max: values.to_vec(),
            first: values.to_vec(),
            last: values.to_vec(),
        }];
        while levels.last().is_some_and(|l| l.min.len() > 1) {
            let p = levels.last().cloned().unwrap_or_else(|| unreachable!());
            let n = p.min.len().div_ceil(2);
            let comb = |v: &[f64], f: &dyn Fn(f64, f64) -> f64| -> Vec<f64> {
                (0..n)
                    .map(|j| {
                        let a = v[2 * j];
                        match v.get(2 * j + 1) {
                            Some(&b) if a.is_nan() => b,
                            Some(&b) if b.is_nan() => a,
                            Some(&b) => f(a, b),
                            None => a,
                        }
                    })
                    .collect()
            };
            levels.push(LineLevel {
                bucket_len: p.bucket_len * 2,
                min: comb(&p.min, &f64::min),
                max: comb(&p.max, &f64::max),
                first: comb(&p.first, &|a, _| a),
                last: comb(&p.last, &|_, b| b),
            });
        }
        Self { levels }
    }
    pub fn len(&self) -> usize {
        self.levels[0].min.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn levels(&self) -> &[LineLevel] {
        &self.levels
    }
    pub fn level_for(&self, visible: f64, width_px: f32) -> usize {
        let w = f64::from(width_px.max(1.0));
        let mut k = 0;
        while k + 1 < self.levels.len() && (visible / self.levels[k].bucket_len as f64).ceil() > w {
            k += 1;
        }
        k
    }
    pub fn min_max(&self, r: Range<usize>) -> Option<(f64, f64)> {
        let l = &self.levels[0];
        let r = r.start.min(l.min.len())..r.end.min(l.min.len());
        let mut out: Option<(f64, f64)> = None;
        for &v in &l.min[r] {
            if v.is_finite() {
                out = Some(out.map_or((v, v), |(a, b)| (a.min(v), b.max(v))));
            }
        }
        out
    }
}

/// Temporary SMA (NaN until the window is full).
pub fn sma(values: &[f64], w: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    let mut sum = 0.0;
    for i in 0..values.len() {
        sum += values[i];
        if i >= w {
            sum -= values[i - w];
        }
        if i + 1 >= w && w > 0 {
            out[i] = sum / w as f64;
        }
    }
    out
}
