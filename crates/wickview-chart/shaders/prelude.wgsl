// Shared declarations of every wickview chart shader; concatenated in front of
// every other shader in this folder at pipeline creation.
//
// Keep `View` in sync with `render::gpu::ViewUniform` (src/render/gpu.rs).

struct View {
    // Visible x range in bar-index units, relative to `x_origin`.
    x_min: f32,
    x_max: f32,
    // Visible y range in plotted units (log10 of the value in log mode).
    y_min: f32,
    y_max: f32,
    // Size of the paint rect in physical pixels.
    viewport_px: vec2<f32>,
    // Integer bar index subtracted from every bucket position (keeps f32 exact).
    x_origin: f32,
    // Bars per bucket at the pyramid level being drawn.
    bucket_len: f32,
    // value' = value * y_scale + y_offset, before the log (rebasing, dual axis).
    y_scale: f32,
    y_offset: f32,
    // 1 = plot log10(value'), 0 = linear.
    log_mode: u32,
    // Half the line thickness, in physical pixels.
    line_half_width_px: f32,
    // Up colour (candles, volume) or the line colour; premultiplied alpha.
    color_a: vec4<f32>,
    // Down colour (candles, volume).
    color_b: vec4<f32>,
    // Candle body width as a fraction of the bucket spacing.
    body_frac: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(0) var<uniform> view: View;

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
}

// Pixel x (from the left of the paint rect) of the centre of bucket `bucket`.
fn bucket_center_px(bucket: f32) -> f32 {
    // bucket * bucket_len and x_origin are integers below 2^24, so the difference is exact.
    let x_rel = bucket * view.bucket_len - view.x_origin + 0.5 * (view.bucket_len - 1.0);
    return (x_rel - view.x_min) / (view.x_max - view.x_min) * view.viewport_px.x;
}

// Pixels per bucket along x.
fn bucket_spacing_px() -> f32 {
    return view.bucket_len / (view.x_max - view.x_min) * view.viewport_px.x;
}

// Pixel y (from the top of the paint rect) of a data value.
fn value_px(value: f32) -> f32 {
    var v = value * view.y_scale + view.y_offset;
    if view.log_mode == 1u {
        v = log2(max(v, 1e-30)) * 0.30102999566398120;
    }
    return (view.y_max - v) / (view.y_max - view.y_min) * view.viewport_px.y;
}

// Clip-space position of a pixel position.
fn clip_from_px(p: vec2<f32>) -> vec4<f32> {
    let ndc = vec2<f32>(p.x / view.viewport_px.x * 2.0 - 1.0, 1.0 - p.y / view.viewport_px.y * 2.0);
    return vec4<f32>(ndc, 0.0, 1.0);
}

// Corner `i` (0..6) of an axis-aligned quad as two triangles.
fn quad_corner(i: u32, min_px: vec2<f32>, max_px: vec2<f32>) -> vec2<f32> {
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 0.0), vec2<f32>(0.0, 1.0),
        vec2<f32>(0.0, 1.0), vec2<f32>(1.0, 0.0), vec2<f32>(1.0, 1.0),
    );
    let c = corners[i];
    return mix(min_px, max_px, c);
}

// A vertex that rasterises nothing (outside the clip volume).
fn culled() -> VsOut {
    var out: VsOut;
    out.position = vec4<f32>(2.0, 2.0, 2.0, 1.0);
    out.color = vec4<f32>(0.0);
    return out;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    return in.color;
}
