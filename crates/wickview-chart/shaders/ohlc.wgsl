// Instanced OHLC bars: per instance one bucket of the candle pyramid (the same instances as
// candles.wgsl). 18 vertices: the vertical low..high line (0..6), the open tick to the left
// (6..12) and the close tick to the right (12..18); no body. Prepended with prelude.wgsl.

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
    // Line thickness in whole pixels (at least one), the ticks as thick as the line.
    let thick = max(1.0, floor(2.0 * view.line_half_width_px + 0.5));
    let left = floor(center - 0.5 * thick + 0.5);
    let right = left + thick;
    // Each tick reaches about half way to the neighbouring bar.
    let tick = floor(0.5 * view.body_frac * spacing - 0.5 * thick + 0.5);
    let quad = vi / 6u;
    var min_px: vec2<f32>;
    var max_px: vec2<f32>;
    if quad == 0u {
        let top = floor(value_px(c.high));
        let bottom = max(top + 1.0, ceil(value_px(c.low)));
        min_px = vec2<f32>(left, top);
        max_px = vec2<f32>(right, bottom);
    } else {
        // Too close together for ticks (zoomed far out): the vertical line alone.
        if tick < 1.0 {
            return culled();
        }
        var y = c.open;
        var x0 = left - tick;
        if quad == 2u {
            y = c.close;
            x0 = right;
        }
        let top = floor(value_px(y) - 0.5 * thick + 0.5);
        min_px = vec2<f32>(x0, top);
        max_px = vec2<f32>(x0 + tick, top + thick);
    }
    var out: VsOut;
    out.position = clip_from_px(quad_corner(vi % 6u, min_px, max_px));
    out.color = color;
    return out;
}
