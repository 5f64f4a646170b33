//! What to draw and at which level of detail: pure CPU logic, testable without a GPU.

use std::ops::Range;
use std::sync::Arc;

use super::{GpuCandles, GpuLine};

/// An unmultiplied sRGB colour with alpha, components in 0..=1.
pub type Rgba = [f32; 4];

/// The view of one paint rect: visible ranges and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ViewTransform {
    /// Left edge in bar-index units (bar `i` is centred on `x = i`).
    pub x_min: f64,
    /// Right edge in bar-index units.
    pub x_max: f64,
    /// Bottom edge in plotted units (log10 of the value when `log_y`).
    pub y_min: f64,
    /// Top edge in plotted units.
    pub y_max: f64,
    /// Whether values are plotted as log10.
    pub log_y: bool,
    /// Paint rect width in physical pixels.
    pub width_px: f32,
    /// Paint rect height in physical pixels.
    pub height_px: f32,
}

impl ViewTransform {
    /// Whether the view has a positive, finite extent.
    pub fn is_drawable(&self) -> bool {
        [self.x_min, self.x_max, self.y_min, self.y_max]
            .iter()
            .all(|v| v.is_finite())
            && self.x_max > self.x_min
            && self.y_max > self.y_min
            && self.width_px >= 1.0
            && self.height_px >= 1.0
    }
}

/// One thing to draw.
#[derive(Clone, Debug)]
pub enum DrawCmd {
    /// Candles (body + wick) of a series.
    Candles {
        /// The series' pyramid.
        data: Arc<GpuCandles>,
        /// Colour of rising candles.
        up: Rgba,
        /// Colour of falling candles.
        down: Rgba,
    },
    /// OHLC bars of a series: a vertical line from low to high, the open as a tick to the
    /// left and the close as a tick to the right, no body.
    Ohlc {
        /// The series' pyramid.
        data: Arc<GpuCandles>,
        /// Colour of rising bars.
        up: Rgba,
        /// Colour of falling bars.
        down: Rgba,
        /// Thickness of the lines and ticks in physical pixels.
        width_px: f32,
    },
    /// The area under a line down to the bottom of the view, filled (the line itself is a
    /// separate [`DrawCmd::Line`] drawn over it).
    Area {
        /// The line's pyramid.
        data: Arc<GpuLine>,
        /// Fill colour (with its alpha).
        color: Rgba,
    },
    /// Volume bars of a series (y axis from 0, linear).
    Volume {
        /// The series' pyramid.
        data: Arc<GpuCandles>,
        /// Colour of bars of rising days.
        up: Rgba,
        /// Colour of bars of falling days.
        down: Rgba,
    },
    /// A line (close, moving average, rebased series).
    Line {
        /// The line's pyramid.
        data: Arc<GpuLine>,
        /// Line colour.
        color: Rgba,
        /// Thickness in physical pixels.
        width_px: f32,
        /// Plotted value is `value * y_scale + y_offset` (then log10 in log mode).
        y_scale: f64,
        /// See `y_scale`.
        y_offset: f64,
    },
    /// Bars from zero to each value of a line's pyramid (a MACD histogram), linear axis.
    Histogram {
        /// The values' pyramid.
        data: Arc<GpuLine>,
        /// Colour of bars at or above zero.
        up: Rgba,
        /// Colour of bars below zero.
        down: Rgba,
    },
}

/// Everything one paint callback draws, in order.
#[derive(Clone, Debug)]
pub struct DrawList {
    /// The shared view.
    pub view: ViewTransform,
    /// Draws, back to front.
    pub cmds: Vec<DrawCmd>,
}

/// The level and instance range chosen for one draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawPlan {
    /// Pyramid level.
    pub level: usize,
    /// Bars per bucket at that level.
    pub bucket_len: usize,
    /// Buckets drawn.
    pub instances: Range<u32>,
    /// Quads per instance.
    pub quads_per_instance: u32,
}

impl DrawPlan {
    /// Quads (primitives) this draw rasterises.
    pub fn primitives(&self) -> u64 {
        u64::from(self.instances.end.saturating_sub(self.instances.start))
            * u64::from(self.quads_per_instance)
    }
}

/// Buckets of length `bucket_len` (of `n` at that level) touching `x_min..=x_max`, plus
/// `extra_before` buckets to the left (a line's join comes from the previous bucket).
fn visible_buckets(
    x_min: f64,
    x_max: f64,
    bucket_len: usize,
    n: usize,
    extra_before: usize,
) -> Range<u32> {
    let len = bucket_len as f64;
    let first = ((x_min - 0.5) / len).floor().max(0.0) as usize;
    let end = (((x_max + 0.5) / len).floor() as isize + 1).clamp(0, n as isize) as usize;
    let first = first.saturating_sub(extra_before).min(end);
    first as u32..end as u32
}

/// Chooses the pyramid level (at most one bucket per pixel column) and the visible buckets.
/// `None` when nothing is visible.
pub fn plan_draw(cmd: &DrawCmd, view: &ViewTransform) -> Option<DrawPlan> {
    let visible = (view.x_max - view.x_min).max(1.0);
    let (level, bucket_len, n, extra, quads) = match cmd {
        DrawCmd::Candles { data, .. }
        | DrawCmd::Ohlc { data, .. }
        | DrawCmd::Volume { data, .. } => {
            let p = data.pyramid();
            if p.is_empty() {
                return None;
            }
            let level = p.level_for(visible, view.width_px);
            let l = p.levels().get(level)?;
            let quads = match cmd {
                DrawCmd::Candles { .. } => 2,
                DrawCmd::Ohlc { .. } => 3,
                _ => 1,
            };
            (level, l.bucket_len, l.open.len(), 0, quads)
        }
        DrawCmd::Line { data, .. }
        | DrawCmd::Area { data, .. }
        | DrawCmd::Histogram { data, .. } => {
            let p = data.pyramid();
            if p.is_empty() {
                return None;
            }
            let level = p.level_for(visible, view.width_px);
            let l = p.levels().get(level)?;
            if matches!(cmd, DrawCmd::Line { .. } | DrawCmd::Area { .. }) {
                (level, l.bucket_len, l.min.len(), 1, 2)
            } else {
                (level, l.bucket_len, l.min.len(), 0, 1)
            }
        }
    };
    let instances = visible_buckets(view.x_min, view.x_max, bucket_len, n, extra);
    (!instances.is_empty()).then_some(DrawPlan {
        level,
        bucket_len,
        instances,
        quads_per_instance: quads,
    })
}

/// Quads a whole draw list rasterises (the benchmark's "primitives").
pub fn count_primitives(list: &DrawList) -> u64 {
    if !list.view.is_drawable() {
        return 0;
    }
    list.cmds
        .iter()
        .filter_map(|c| plan_draw(c, &list.view))
        .map(|p| p.primitives())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::lod::{CandlePyramid, LinePyramid};

    fn candles(n: usize) -> Arc<GpuCandles> {
        let v: Vec<f64> = (0..n).map(|i| 100.0 + (i as f64 * 0.1).sin()).collect();
        let hi: Vec<f64> = v.iter().map(|x| x + 1.0).collect();
        let lo: Vec<f64> = v.iter().map(|x| x - 1.0).collect();
        GpuCandles::new(CandlePyramid::build(&v, &hi, &lo, &v, &v))
    }

    fn view(x_min: f64, x_max: f64, width_px: f32) -> ViewTransform {
        ViewTransform {
            x_min,
            x_max,
            y_min: 0.0,
            y_max: 200.0,
            log_y: false,
            width_px,
            height_px: 400.0,
        }
    }

    #[test]
    fn primitives_bounded_by_width_at_every_zoom_and_history() {
        let width = 800.0_f32;
        for days in [252usize, 252 * 10, 252 * 30, 252 * 60] {
            let c = candles(days);
            let line = GpuLine::new(LinePyramid::build(&vec![1.0; days]));
            for visible in [5.0, 21.0, 63.0, 252.0, 1000.0, 5000.0, 20000.0] {
                let x_max = days as f64 - 1.0;
                let v = view(x_max - visible, x_max + 0.5, width);
                for cmd in [
                    DrawCmd::Candles {
                        data: c.clone(),
                        up: [0.0; 4],
                        down: [0.0; 4],
                    },
                    DrawCmd::Line {
                        data: line.clone(),
                        color: [0.0; 4],
                        width_px: 1.0,
                        y_scale: 1.0,
                        y_offset: 0.0,
                    },
                ] {
                    let p = plan_draw(&cmd, &v).expect("visible");
                    assert!(
                        p.primitives() <= 2 * (width as u64 + 3),
                        "days {days} visible {visible}: {} primitives",
                        p.primitives()
                    );
                }
            }
        }
    }

    #[test]
    fn zoomed_out_cost_is_independent_of_history_length() {
        let width = 1000.0_f32;
        let count = |days: usize| {
            let c = candles(days);
            let v = view(-0.5, days as f64 - 0.5, width);
            plan_draw(
                &DrawCmd::Candles {
                    data: c,
                    up: [0.0; 4],
                    down: [0.0; 4],
                },
                &v,
            )
            .expect("visible")
            .primitives()
        };
        let (one, thirty) = (count(252), count(252 * 30));
        assert_eq!(one, 2 * 252, "one year fits: every bar drawn");
        assert!((2 * 400..=2 * 1003).contains(&thirty), "30 years: {thirty}");
    }

    #[test]
    fn full_resolution_when_it_fits_and_visible_range_only() {
        let c = candles(1000);
        let v = view(500.0 - 0.5, 520.0 + 0.5, 600.0);
        let p = plan_draw(
            &DrawCmd::Candles {
                data: c,
                up: [0.0; 4],
                down: [0.0; 4],
            },
            &v,
        )
        .expect("visible");
        assert_eq!(p.level, 0);
        assert!(p.instances.start <= 500 && p.instances.end >= 521);
        assert!(p.instances.end - p.instances.start <= 23);
    }

    /// OHLC bars cost three quads a bucket (line and two ticks) on the candle pyramid; the
    /// area two (column and trapezoid) on the line pyramid, from the bucket before the view
    /// (its join reaches in), as the line does.
    #[test]
    fn ohlc_and_area_plan_like_their_pyramids() {
        let c = candles(1000);
        let line = GpuLine::new(LinePyramid::build(&vec![1.0; 1000]));
        let v = view(500.0 - 0.5, 520.0 + 0.5, 600.0);
        let candle_plan = plan_draw(
            &DrawCmd::Candles {
                data: c.clone(),
                up: [0.0; 4],
                down: [0.0; 4],
            },
            &v,
        )
        .unwrap();
        let ohlc = plan_draw(
            &DrawCmd::Ohlc {
                data: c,
                up: [0.0; 4],
                down: [0.0; 4],
                width_px: 1.0,
            },
            &v,
        )
        .unwrap();
        assert_eq!(ohlc.instances, candle_plan.instances);
        assert_eq!(ohlc.quads_per_instance, 3);
        let line_plan = plan_draw(
            &DrawCmd::Line {
                data: line.clone(),
                color: [0.0; 4],
                width_px: 1.0,
                y_scale: 1.0,
                y_offset: 0.0,
            },
            &v,
        )
        .unwrap();
        let area = plan_draw(
            &DrawCmd::Area {
                data: line,
                color: [0.0; 4],
            },
            &v,
        )
        .unwrap();
        assert_eq!(area.instances, line_plan.instances);
        assert_eq!(area.quads_per_instance, 2);
    }

    #[test]
    fn nothing_outside_the_history() {
        let c = candles(100);
        let v = view(200.0, 300.0, 600.0);
        assert!(
            plan_draw(
                &DrawCmd::Candles {
                    data: c,
                    up: [0.0; 4],
                    down: [0.0; 4]
                },
                &v
            )
            .is_none()
        );
    }
}
