//! Tags on the candle chart's axes: the value under the pointer on the hovered pane's y
//! axis, the date under the pointer on the time axis, and the last price on the price axis
//! in the last candle's colour.

use egui::{Color32, FontId, Painter, Rect, pos2, vec2};

/// Font size of a tag, in points.
const FONT_SIZE: f32 = 12.0;

/// The fill of the crosshair's tags.
pub(crate) fn crosshair_fill(visuals: &egui::Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_gray(80)
    } else {
        Color32::from_gray(60)
    }
}

/// Black or white, whichever reads better on `fill`.
pub(crate) fn text_on(fill: Color32) -> Color32 {
    let [r, g, b, _] = fill.to_array();
    let luma = 0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b);
    if luma > 150.0 {
        Color32::BLACK
    } else {
        Color32::WHITE
    }
}

/// A tag on the y axis right of `frame` (the axis `axis_w` wide), centred at height `y`
/// (kept inside the frame's height); returns its rect.
pub(crate) fn y_tag(
    painter: &Painter,
    frame: Rect,
    axis_w: f32,
    y: f32,
    text: &str,
    fill: Color32,
) -> Rect {
    let font = FontId::proportional(FONT_SIZE);
    let galley = painter.layout_no_wrap(text.to_owned(), font, text_on(fill));
    let h = galley.size().y + 2.0;
    let w = (galley.size().x + 8.0).max(axis_w - 2.0);
    let top = (y - h / 2.0).clamp(frame.top(), (frame.bottom() - h).max(frame.top()));
    let rect = Rect::from_min_size(pos2(frame.right() + 1.0, top), vec2(w, h));
    painter.rect_filled(rect, 2.0, fill);
    painter.galley(
        pos2(rect.left() + 4.0, rect.top() + 1.0),
        galley,
        text_on(fill),
    );
    rect
}

/// A tag on the time axis under `frame`, centred at `x` (kept inside the frame's width);
/// returns its rect.
pub(crate) fn x_tag(painter: &Painter, frame: Rect, x: f32, text: &str, fill: Color32) -> Rect {
    let font = FontId::proportional(FONT_SIZE);
    let galley = painter.layout_no_wrap(text.to_owned(), font, text_on(fill));
    let size = galley.size() + vec2(10.0, 2.0);
    let left = (x - size.x / 2.0).clamp(frame.left(), (frame.right() - size.x).max(frame.left()));
    let rect = Rect::from_min_size(pos2(left, frame.bottom() + 1.0), size);
    painter.rect_filled(rect, 2.0, fill);
    painter.galley(
        pos2(rect.left() + 5.0, rect.top() + 1.0),
        galley,
        text_on(fill),
    );
    rect
}

/// The colour of the last candle: up when it closed at or above its open (a close-only bar:
/// at or above the previous close).
pub(crate) fn last_candle_color(
    series: &crate::model::DailySeries,
    colors: crate::theme::CandleColors,
) -> Option<(f64, Color32)> {
    let n = series.len();
    let bar = series.bar(n.checked_sub(1)?)?;
    let up = if bar.is_close_only() {
        n < 2 || series.close().get(n - 2).is_none_or(|p| bar.close >= *p)
    } else {
        bar.close >= bar.open
    };
    Some((bar.close, if up { colors.up } else { colors.down }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bar, DailySeries};
    use crate::theme::CandleColors;

    #[test]
    fn the_last_price_tag_takes_the_last_candles_colour() {
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2024, 3, d).unwrap_or_default();
        let (up, _) = DailySeries::from_bars([
            Bar::ohlc(day(4), 10.0, 11.0, 9.0, 9.5),
            Bar::ohlc(day(5), 10.0, 11.0, 9.0, 10.5),
        ]);
        assert_eq!(
            last_candle_color(&up, CandleColors::KOREAN),
            Some((10.5, CandleColors::KOREAN.up))
        );
        let (down, _) = DailySeries::from_bars([
            Bar::ohlc(day(4), 10.0, 11.0, 9.0, 10.5),
            Bar::ohlc(day(5), 10.0, 11.0, 9.0, 9.5),
        ]);
        assert_eq!(
            last_candle_color(&down, CandleColors::WESTERN),
            Some((9.5, CandleColors::WESTERN.down))
        );
        assert_eq!(
            last_candle_color(&DailySeries::default(), CandleColors::WESTERN),
            None
        );
        assert_eq!(text_on(Color32::from_rgb(239, 83, 80)), Color32::WHITE);
        assert_eq!(text_on(Color32::from_rgb(250, 250, 200)), Color32::BLACK);
    }
}
