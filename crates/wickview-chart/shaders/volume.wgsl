// Instanced volume bars: per instance one bucket (height = the largest daily volume in the
// bucket, as the full-resolution drawing would show). Prepended with prelude.wgsl.

struct VolumeIn {
    @location(0) bucket: f32,
    @location(1) volume: f32,
    // 1 for a rising bucket (close >= open), 0 otherwise.
    @location(2) up: f32,
}

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, v: VolumeIn) -> VsOut {
    let center = bucket_center_px(v.bucket);
    let half = max(0.5, 0.5 * view.body_frac * bucket_spacing_px());
    let left = floor(center - half + 0.5);
    let right = max(left + 1.0, floor(center + half + 0.5));
    let top = floor(value_px(v.volume));
    let bottom = max(top + 1.0, view.viewport_px.y);
    var color = view.color_b;
    if v.up > 0.5 {
        color = view.color_a;
    }
    var out: VsOut;
    out.position = clip_from_px(quad_corner(vi, vec2<f32>(left, top), vec2<f32>(right, bottom)));
    out.color = color;
    return out;
}
