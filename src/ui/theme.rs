//! Every colour of the charts, in one place.
//!
//! Candle conventions differ by market: Korean (and Chinese, Japanese) charts draw rising
//! candles red and falling ones blue; US and European charts draw rising green and falling
//! red. [`CandleColors::for_category`] picks the convention a trader of that market expects.

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
}

/// Moving-average line colours, by position in the category's MA set (5, 20, 60, ...).
/// Eight entries, so every window a viewer offers (5, 10, 20, 50, 60, 120, 200) has its own.
pub const MA_PALETTE: [Color32; 8] = [
    Color32::from_rgb(255, 179, 0),   // amber: the shortest
    Color32::from_rgb(171, 71, 188),  // purple
    Color32::from_rgb(41, 182, 246),  // light blue
    Color32::from_rgb(102, 187, 106), // green
    Color32::from_rgb(255, 112, 67),  // deep orange
    Color32::from_rgb(141, 110, 99),  // brown
    Color32::from_rgb(236, 64, 122),  // pink
    Color32::from_rgb(189, 189, 189), // grey: the longest
];

/// The colour of the `i`-th moving average of a set.
pub fn ma_color(i: usize) -> Color32 {
    MA_PALETTE[i % MA_PALETTE.len()]
}

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

    #[test]
    fn korean_market_is_red_up() {
        let kr = CandleColors::for_category(Category::KoreanStock);
        assert!(kr.up.r() > kr.up.b() && kr.down.b() > kr.down.r());
        let us = CandleColors::for_category(Category::UsStock);
        assert!(us.up.g() > us.up.r() && us.down.r() > us.down.g());
        assert_eq!(rgba(Color32::WHITE), [1.0; 4]);
    }
}
