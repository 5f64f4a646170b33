// Instanced candles: per instance one bucket of the candle pyramid; 12 vertices draw the
// body quad (0..6) and the wick quad (6..12). Prepended with prelude.wgsl.

struct CandleIn {
    @location(0) bucket: f32,
    @location(1) open: f32,
    @location(2) high: f32,
    @location(3) low: f32,
    @location(4) close: f32,
}

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, c: CandleIn) -> VsOut {
    let center = bucket_center_px(c.bucket);
    let spacing = bucket_spacing_px();
    var color = view.color_a;
    if c.close < c.open {
        color = view.color_b;
    }
    var min_px: vec2<f32>;
    var max_px: vec2<f32>;
    if vi < 6u {
        // Body: at least one pixel wide and tall; edges on whole pixels for crisp candles.
        let half = max(0.5, 0.5 * view.body_frac * spacing);
        let left = floor(center - half + 0.5);
        let right = max(left + 1.0, floor(center + half + 0.5));
        let y_open = value_px(c.open);
        let y_close = value_px(c.close);
        var top = floor(min(y_open, y_close));
        var bottom = max(top + 1.0, ceil(max(y_open, y_close)));
        min_px = vec2<f32>(left, top);
        max_px = vec2<f32>(right, bottom);
    } else {
        // Wick: one pixel wide, from low to high.
        let left = floor(center);
        let top = floor(value_px(c.high));
        let bottom = max(top + 1.0, ceil(value_px(c.low)));
        min_px = vec2<f32>(left, top);
        max_px = vec2<f32>(left + 1.0, bottom);
    }
    var out: VsOut;
    out.position = clip_from_px(quad_corner(vi % 6u, min_px, max_px));
    out.color = color;
    return out;
}
