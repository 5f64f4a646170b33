// Instanced line segments with a thickness in screen pixels. Per instance one bucket of a
// line pyramid: quad 0 (vertices 0..6) is the bucket's vertical min..max extent (coarse
// levels, so spikes are never lost), quad 1 (vertices 6..12) joins the bucket's last value
// to the next bucket's first value. Prepended with prelude.wgsl.

struct SegmentIn {
    @location(0) bucket: f32,
    @location(1) min_value: f32,
    @location(2) max_value: f32,
    @location(3) last_value: f32,
    @location(4) next_first: f32,
    // bit 0: the vertical extent is drawn; bit 1: the join to the next bucket is drawn.
    @location(5) flags: u32,
}

// Corner `i` (0..6) of a thick segment from `a` to `b` with square caps.
fn segment_corner(i: u32, a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
    let d = b - a;
    let len = length(d);
    var dir = vec2<f32>(0.0, 1.0);
    if len > 1e-4 {
        dir = d / len;
    }
    let normal = vec2<f32>(-dir.y, dir.x) * view.line_half_width_px;
    let along = dir * view.line_half_width_px;
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(0.0, -1.0), vec2<f32>(1.0, -1.0), vec2<f32>(0.0, 1.0),
        vec2<f32>(0.0, 1.0), vec2<f32>(1.0, -1.0), vec2<f32>(1.0, 1.0),
    );
    let c = corners[i];
    let base = mix(a - along, b + along, c.x);
    return base + normal * c.y;
}

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, s: SegmentIn) -> VsOut {
    let x0 = bucket_center_px(s.bucket);
    var a: vec2<f32>;
    var b: vec2<f32>;
    if vi < 6u {
        if (s.flags & 1u) == 0u {
            return culled();
        }
        a = vec2<f32>(x0, value_px(s.max_value));
        b = vec2<f32>(x0, value_px(s.min_value));
    } else {
        if (s.flags & 2u) == 0u {
            return culled();
        }
        let x1 = x0 + bucket_spacing_px();
        a = vec2<f32>(x0, value_px(s.last_value));
        b = vec2<f32>(x1, value_px(s.next_first));
    }
    var out: VsOut;
    out.position = clip_from_px(segment_corner(vi % 6u, a, b));
    out.color = view.color_a;
    return out;
}
