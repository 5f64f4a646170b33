//! Every WGSL file in shaders/ parses and validates with naga (the prelude on its own, every
//! other shader with the prelude in front, as the renderer builds them).

use std::path::Path;

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
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
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
            "candles.wgsl",
            "histogram.wgsl",
            "lines.wgsl",
            "prelude.wgsl",
            "volume.wgsl"
        ]
    );
}

#[test]
fn uniform_layout_matches_the_shader() {
    // The WGSL struct's size (naga's layouter) equals the Rust struct's.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let prelude = std::fs::read_to_string(dir.join("prelude.wgsl")).unwrap();
    let module = naga::front::wgsl::parse_str(&prelude).unwrap();
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).unwrap();
    let (handle, _) = module
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some("View"))
        .expect("View struct");
    assert_eq!(
        layouter[handle].size as usize,
        size_of::<wickview::render::ViewUniform>()
    );
}
