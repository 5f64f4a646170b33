// Instanced filled area under a line, down to the bottom of the view. Per instance one bucket
// of a line pyramid (the same instances as lines.wgsl): quad 0 (vertices 0..6) fills the
// bucket's column below its highest value (coarse levels, so peaks keep their fill), quad 1
// (vertices 6..12) fills the trapezoid under the join from the bucket's last value to the
// next bucket's first value. The colour carries the fill's alpha. Prepended with prelude.wgsl.

struct SegmentIn {
    @location(0) bucket: f32,
    @location(1) min_value: f32,
    @location(2) max_value: f32,
    @location(3) last_value: f32,
    @location(4) next_first: f32,
    // bit 0: the bucket has a vertical extent; bit 1: the join to the next bucket is drawn.
    @location(5) flags: u32,
}

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, s: SegmentIn) -> VsOut {
    let x0 = bucket_center_px(s.bucket);
    let bottom = view.viewport_px.y;
    var p: vec2<f32>;
    if vi < 6u {
        if (s.flags & 1u) == 0u {
            return culled();
        }
        let half = 0.5 * bucket_spacing_px();
        p = quad_corner(vi, vec2<f32>(x0 - half, value_px(s.max_value)), vec2<f32>(x0 + half, bottom));
    } else {
        if (s.flags & 2u) == 0u {
            return culled();
        }
        let x1 = x0 + bucket_spacing_px();
        let ya = value_px(s.last_value);
        let yb = value_px(s.next_first);
        // Two triangles: (x0, ya) (x1, yb) (x0, bottom) and (x0, bottom) (x1, yb) (x1, bottom).
        var corners = array<vec2<f32>, 6>(
            vec2<f32>(x0, ya), vec2<f32>(x1, yb), vec2<f32>(x0, bottom),
            vec2<f32>(x0, bottom), vec2<f32>(x1, yb), vec2<f32>(x1, bottom),
        );
        p = corners[vi - 6u];
    }
    var out: VsOut;
    out.position = clip_from_px(p);
    out.color = view.color_a;
    return out;
}
