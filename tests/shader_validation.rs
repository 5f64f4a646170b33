//! Every WGSL file of the chart crate (crates/wickview-chart/shaders/) parses and validates with naga (the prelude on its own, every
//! other shader with the prelude in front, as the renderer builds them).

use std::path::Path;

use wickview::render::ViewUniform;

fn validate(name: &str, source: &str) {
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::default(),
    )
    .validate(&module)
    .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
}

#[test]
fn every_shader_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/wickview-chart/shaders");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("wgsl") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let body = std::fs::read_to_string(&path).unwrap();
        if name == "prelude.wgsl" {
            validate(&name, &body);
        } else {
            validate(&name, &wickview::render::shader_source(&body));
            assert!(
                body.contains("fn vs_main"),
                "{name} has a vertex entry point"
            );
        }
        checked.push(name);
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "area.wgsl",
            "candles.wgsl",
            "histogram.wgsl",
            "lines.wgsl",
            "ohlc.wgsl",
            "prelude.wgsl",
            "volume.wgsl"
        ]
    );
}

#[test]
fn uniform_layout_matches_the_shader() {
    // The WGSL struct's size (naga's layouter) equals the Rust struct's.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/wickview-chart/shaders");
    let prelude = std::fs::read_to_string(dir.join("prelude.wgsl")).unwrap();
    let module = naga::front::wgsl::parse_str(&prelude).unwrap();
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).unwrap();
    let (handle, _) = module
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some("View"))
        .expect("View struct");
    assert_eq!(layouter[handle].size as usize, size_of::<ViewUniform>());
    // Every field at the same offset: swapping two fields of one size fails here too.
    let rust: Vec<(&str, usize)> = vec![
        ("x_min", std::mem::offset_of!(ViewUniform, x_min)),
        ("x_max", std::mem::offset_of!(ViewUniform, x_max)),
        ("y_min", std::mem::offset_of!(ViewUniform, y_min)),
        ("y_max", std::mem::offset_of!(ViewUniform, y_max)),
        (
            "viewport_px",
            std::mem::offset_of!(ViewUniform, viewport_px),
        ),
        ("x_origin", std::mem::offset_of!(ViewUniform, x_origin)),
        ("bucket_len", std::mem::offset_of!(ViewUniform, bucket_len)),
        ("y_scale", std::mem::offset_of!(ViewUniform, y_scale)),
        ("y_offset", std::mem::offset_of!(ViewUniform, y_offset)),
        ("log_mode", std::mem::offset_of!(ViewUniform, log_mode)),
        (
            "line_half_width_px",
            std::mem::offset_of!(ViewUniform, line_half_width_px),
        ),
        ("color_a", std::mem::offset_of!(ViewUniform, color_a)),
        ("color_b", std::mem::offset_of!(ViewUniform, color_b)),
        ("body_frac", std::mem::offset_of!(ViewUniform, body_frac)),
        ("_pad0", std::mem::offset_of!(ViewUniform, _pad)),
        ("_pad1", std::mem::offset_of!(ViewUniform, _pad) + 4),
        ("_pad2", std::mem::offset_of!(ViewUniform, _pad) + 8),
    ];
    let naga::TypeInner::Struct { members, .. } = &module.types[handle].inner else {
        panic!("View is not a struct");
    };
    let wgsl: Vec<(&str, usize)> = members
        .iter()
        .map(|m| (m.name.as_deref().unwrap_or("?"), m.offset as usize))
        .collect();
    assert_eq!(
        wgsl, rust,
        "WGSL View fields and offsets vs the Rust ViewUniform"
    );
}
