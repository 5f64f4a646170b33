//! Every colour of the charts, in one place.
//!
//! Candle conventions differ by market: Korean (and Chinese, Japanese) charts draw rising
//! candles red and falling ones blue; US and European charts draw rising green and falling
//! red. [`CandleColors::for_category`] picks the convention a trader of that market expects.
//!
//! One palette for everything drawn over the candles: each moving-average window has one
//! colour in every category ([`ma_window_color`]: MA20 is purple under Korean and US
//! stocks alike), and the overlays (Bollinger Bands, EMA ribbons, a new drawing) have hues
//! of their own, apart from both candle conventions and from every MA (a test keeps them
//! apart). Up/down bars of indicators (the MACD histogram) take the candles' colours, so
//! red means up under the Korean convention there too.

use egui::Color32;

use crate::model::Category;
use crate::render::Rgba;

/// Up/down colours of candles and volume bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CandleColors {
    /// Rising candle (close >= open).
    pub up: Color32,
    /// Falling candle (close < open).
    pub down: Color32,
    /// Volume bar of a rising day.
    pub volume_up: Color32,
    /// Volume bar of a falling day.
    pub volume_down: Color32,
}

impl CandleColors {
    /// Green up, red down (US, Europe).
    pub const WESTERN: Self = Self {
        up: Color32::from_rgb(38, 166, 154),
        down: Color32::from_rgb(239, 83, 80),
        volume_up: Color32::from_rgba_unmultiplied_const(38, 166, 154, 150),
        volume_down: Color32::from_rgba_unmultiplied_const(239, 83, 80, 150),
    };

    /// Red up, blue down (Korea).
    pub const KOREAN: Self = Self {
        up: Color32::from_rgb(230, 57, 70),
        down: Color32::from_rgb(30, 110, 230),
        volume_up: Color32::from_rgba_unmultiplied_const(230, 57, 70, 150),
        volume_down: Color32::from_rgba_unmultiplied_const(30, 110, 230, 150),
    };

    /// The convention of the category's market: Korean stocks use red-up/blue-down.
    pub fn for_category(category: Category) -> Self {
        match category {
            Category::KoreanStock => Self::KOREAN,
            Category::UsStock | Category::Index | Category::Currency => Self::WESTERN,
        }
    }

    /// Bars of an indicator above zero (the MACD histogram): the rising candles' colour.
    pub fn histogram_up(self) -> Color32 {
        let [r, g, b, _] = self.up.to_srgba_unmultiplied();
        Color32::from_rgba_unmultiplied(r, g, b, HISTOGRAM_ALPHA)
    }

    /// Bars of an indicator below zero: the falling candles' colour.
    pub fn histogram_down(self) -> Color32 {
        let [r, g, b, _] = self.down.to_srgba_unmultiplied();
        Color32::from_rgba_unmultiplied(r, g, b, HISTOGRAM_ALPHA)
    }
}

/// Opacity of indicator histogram bars.
const HISTOGRAM_ALPHA: u8 = 190;

/// The moving-average windows with a colour of their own, in [`MA_PALETTE`] order (every
/// window a viewer offers).
pub const MA_WINDOWS: [usize; 7] = [5, 10, 20, 50, 60, 120, 200];

/// Moving-average line colours: one per window of [`MA_WINDOWS`], then one for any other
/// window. No hue of either candle convention (teal, red, blue) is among them.
pub const MA_PALETTE: [Color32; 8] = [
    Color32::from_rgb(255, 179, 0),   // MA5: amber
    Color32::from_rgb(205, 220, 57),  // MA10: lime
    Color32::from_rgb(171, 71, 188),  // MA20: purple
    Color32::from_rgb(121, 134, 203), // MA50: indigo
    Color32::from_rgb(102, 187, 106), // MA60: green
    Color32::from_rgb(161, 136, 127), // MA120: brown
    Color32::from_rgb(189, 189, 189), // MA200: grey
    Color32::from_rgb(158, 157, 36),  // any other window: olive
];

/// The colour of the `i`-th entry of [`MA_PALETTE`] (prefer [`ma_window_color`]: a
/// window's colour must not depend on the set it is in).
pub fn ma_color(i: usize) -> Color32 {
    MA_PALETTE[i % MA_PALETTE.len()]
}

/// The colour of the moving average of `window` bars, the same in every category.
pub fn ma_window_color(window: usize) -> Color32 {
    MA_WINDOWS
        .iter()
        .position(|w| *w == window)
        .map_or(MA_PALETTE[MA_WINDOWS.len()], |i| MA_PALETTE[i])
}

/// Bollinger Bands' upper and lower band.
pub const BOLLINGER_BANDS: Color32 = Color32::from_rgb(0, 229, 255);
/// Bollinger Bands' middle line (a moving average, but not an MA overlay's colour).
pub const BOLLINGER_MIDDLE: Color32 = Color32::from_rgb(255, 128, 171);

/// The colour of line `i` of an EMA ribbon of `n` lines: from deep green (the shortest) to
/// bright green (the longest), a hue no candle or moving average has.
pub fn ema_ribbon_color(i: usize, n: usize) -> Color32 {
    let t = if n > 1 {
        i.min(n - 1) as f32 / (n - 1) as f32
    } else {
        0.0
    };
    let lerp = |a: f32, b: f32| (a + (b - a) * t).round() as u8;
    Color32::from_rgb(lerp(0.0, 100.0), lerp(160.0, 255.0), lerp(0.0, 0.0))
}

/// The colour of a new drawing (white-grey: no MA, band or candle has it).
pub const DRAWING_DEFAULT: [u8; 4] = [236, 239, 241, 255];

/// Comparison-view series colours (distinct hues, readable on dark and light backgrounds).
pub const COMPARISON_PALETTE: [Color32; 10] = [
    Color32::from_rgb(66, 133, 244),
    Color32::from_rgb(234, 67, 53),
    Color32::from_rgb(251, 188, 5),
    Color32::from_rgb(52, 168, 83),
    Color32::from_rgb(171, 71, 188),
    Color32::from_rgb(0, 172, 193),
    Color32::from_rgb(255, 112, 67),
    Color32::from_rgb(158, 157, 36),
    Color32::from_rgb(92, 107, 192),
    Color32::from_rgb(240, 98, 146),
];

/// The colour of the `i`-th series of a comparison. Past the palette, hues are spread by the
/// golden angle and lightness and saturation cycle through three levels, so series whose hues
/// come close (indices a Fibonacci number apart) differ in lightness: hundreds of series stay
/// distinguishable from the dozen before them.
pub fn comparison_color(i: usize) -> Color32 {
    if let Some(c) = COMPARISON_PALETTE.get(i) {
        return *c;
    }
    let hue = (i as f32 * 0.618_034).fract();
    let (saturation, value) = match i % 3 {
        0 => (0.70, 0.95),
        1 => (0.45, 0.80),
        _ => (0.90, 0.65),
    };
    egui::ecolor::Hsva::new(hue, saturation, value, 1.0).into()
}

/// `c` dimmed to `alpha` for a premultiplied-alpha pipeline (the chart's line renderer):
/// a series drawn behind the highlighted one.
pub fn rgba_dimmed(c: Color32, alpha: f32) -> Rgba {
    let [r, g, b, _] = rgba(c);
    [r * alpha, g * alpha, b * alpha, alpha]
}

/// Line thickness of overlays, in points.
pub const LINE_WIDTH_PT: f32 = 1.5;

/// The price line of a close-only series (rates, FRED-style series), drawn instead of candles.
pub const CLOSE_LINE: Color32 = Color32::from_rgb(66, 165, 245);

/// Converts an egui colour to the renderer's unmultiplied sRGB floats.
pub fn rgba(c: Color32) -> Rgba {
    let [r, g, b, a] = c.to_srgba_unmultiplied();
    [
        f32::from(r) / 255.0,
        f32::from(g) / 255.0,
        f32::from(b) / 255.0,
        f32::from(a) / 255.0,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palettes_are_distinct() {
        for (i, a) in MA_PALETTE.iter().enumerate() {
            for b in &MA_PALETTE[i + 1..] {
                assert_ne!(a, b);
            }
        }
        let first: Vec<_> = (0..40).map(comparison_color).collect();
        for i in 1..first.len() {
            assert_ne!(first[i], first[i - 1]);
        }
        // Up to 500 series, each colour stays clearly apart from the dozen before it.
        let all: Vec<[f32; 3]> = (0..500)
            .map(|i| {
                let [r, g, b, _] = rgba(comparison_color(i));
                [r * 255.0, g * 255.0, b * 255.0]
            })
            .collect();
        let mut closest = f32::MAX;
        for i in 0..all.len() {
            for j in i.saturating_sub(12)..i {
                let d: f32 = (0..3)
                    .map(|c| (all[i][c] - all[j][c]).powi(2))
                    .sum::<f32>()
                    .sqrt();
                closest = closest.min(d);
            }
        }
        assert!(
            closest > 25.0,
            "two of 13 consecutive colours are {closest} apart"
        );
    }

    /// Euclidean distance in sRGB units.
    fn distance(a: Color32, b: Color32) -> f32 {
        let (a, b) = (rgba(a), rgba(b));
        (0..3)
            .map(|c| ((a[c] - b[c]) * 255.0).powi(2))
            .sum::<f32>()
            .sqrt()
    }

    /// Every line over the candles stands apart from both candle conventions and from each
    /// other: each MA window, each overlay line, a new drawing.
    #[test]
    fn overlays_never_share_a_colour_with_candles_or_moving_averages() {
        let candles = [
            CandleColors::WESTERN.up,
            CandleColors::WESTERN.down,
            CandleColors::KOREAN.up,
            CandleColors::KOREAN.down,
            CLOSE_LINE,
        ];
        let [r, g, b, a] = DRAWING_DEFAULT;
        let mut lines: Vec<(String, Color32)> = MA_WINDOWS
            .iter()
            .map(|w| (format!("MA{w}"), ma_window_color(*w)))
            .collect();
        lines.push(("MA7".to_owned(), ma_window_color(7)));
        lines.push(("BB bands".to_owned(), BOLLINGER_BANDS));
        lines.push(("BB middle".to_owned(), BOLLINGER_MIDDLE));
        lines.push((
            "drawing".to_owned(),
            Color32::from_rgba_unmultiplied(r, g, b, a),
        ));
        let ribbon: Vec<(String, Color32)> = (0..6)
            .map(|i| (format!("EMA ribbon {i}"), ema_ribbon_color(i, 6)))
            .collect();
        const APART: f32 = 70.0;
        for (name, c) in lines.iter().chain(&ribbon) {
            for candle in candles {
                assert!(
                    distance(*c, candle) >= APART,
                    "{name} {c:?} is close to the candle colour {candle:?}"
                );
            }
        }
        for (i, (a, ca)) in lines.iter().enumerate() {
            for (b, cb) in lines[i + 1..].iter().chain(&ribbon) {
                assert!(
                    distance(*ca, *cb) >= APART,
                    "{a} {ca:?} and {b} {cb:?} are too alike"
                );
            }
        }
        assert_ne!(ema_ribbon_color(0, 3), ema_ribbon_color(2, 3));
        assert_eq!(ema_ribbon_color(0, 1), ema_ribbon_color(0, 1));
    }

    /// Each window has its own colour (the chart-level check that a window keeps it in
    /// every category is in `tests/chart_interval_ui.rs`); histograms follow the candles.
    #[test]
    fn windows_have_their_own_colours_and_histograms_follow_the_candles() {
        let all: Vec<Color32> = Category::KoreanStock
            .available_ma_windows()
            .into_iter()
            .map(ma_window_color)
            .collect();
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "{a:?} twice");
        }
        assert_eq!(ma_window_color(20), MA_PALETTE[2]);
        // Red up under the Korean convention.
        assert_eq!(
            CandleColors::KOREAN.histogram_up(),
            Color32::from_rgba_unmultiplied(230, 57, 70, HISTOGRAM_ALPHA)
        );
        assert_eq!(
            CandleColors::KOREAN.histogram_down(),
            Color32::from_rgba_unmultiplied(30, 110, 230, HISTOGRAM_ALPHA)
        );
    }

    #[test]
    fn korean_market_is_red_up() {
        let kr = CandleColors::for_category(Category::KoreanStock);
        assert!(kr.up.r() > kr.up.b() && kr.down.b() > kr.down.r());
        let us = CandleColors::for_category(Category::UsStock);
        assert!(us.up.g() > us.up.r() && us.down.r() > us.down.g());
        assert_eq!(rgba(Color32::WHITE), [1.0; 4]);
    }
}
