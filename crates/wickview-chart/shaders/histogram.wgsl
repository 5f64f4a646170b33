// Instanced histogram bars from the zero line (MACD histogram and other signed series). Per
// instance one bucket of a line pyramid: the bar spans from 0 to the bucket's extreme values,
// so at coarse levels the tallest bar of the bucket is what shows. Prepended with prelude.wgsl.

struct HistogramIn {
    @location(0) bucket: f32,
    // min(0, smallest value) and max(0, largest value) of the bucket.
    @location(1) low: f32,
    @location(2) high: f32,
    // The bucket's last value decides the colour: color_a at or above 0, color_b below.
    @location(3) last_value: f32,
    // 0 for a bucket without any finite value (nothing is drawn).
    @location(4) valid: f32,
}

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, v: HistogramIn) -> VsOut {
    if v.valid < 0.5 {
        return culled();
    }
    let center = bucket_center_px(v.bucket);
    let half = max(0.5, 0.5 * view.body_frac * bucket_spacing_px());
    let left = floor(center - half + 0.5);
    let right = max(left + 1.0, floor(center + half + 0.5));
    let top = floor(value_px(v.high));
    let bottom = max(top + 1.0, floor(value_px(v.low) + 0.5));
    var color = view.color_b;
    if v.last_value >= 0.0 {
        color = view.color_a;
    }
    var out: VsOut;
    out.position = clip_from_px(quad_corner(vi, vec2<f32>(left, top), vec2<f32>(right, bottom)));
    out.color = color;
    return out;
}
