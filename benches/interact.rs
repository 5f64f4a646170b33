//! The interaction benchmark as a criterion bench: a scripted session (zoom, pan, pointer
//! sweep, rebase day) through the comparison view's widgets over 10 and 100 series x 25
//! years from an embedded store, when a GPU adapter (or a software rasterizer) is there.
//! Each iteration is one whole session; `wickview bench interact` reports per-frame figures.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use wickview::ui::bench_interact::{InteractConfig, bench};

fn interact(c: &mut Criterion) {
    let Ok(rt) = tokio::runtime::Runtime::new() else {
        eprintln!("no tokio runtime: interaction bench skipped");
        return;
    };
    if wickview::ui::bench_render::Headless::new(64, 64).is_err() {
        eprintln!("no GPU adapter: interaction bench skipped");
        return;
    }
    let mut group = c.benchmark_group("interact_session_25y");
    group.sample_size(10);
    for n in [10usize, 100] {
        let config = InteractConfig {
            series: vec![n],
            width: 1000,
            height: 700,
            ..InteractConfig::default()
        };
        group.bench_with_input(BenchmarkId::from_parameter(n), &config, |b, config| {
            b.iter(|| bench(config, rt.handle(), |_| {}).map(|rows| rows.len()));
        });
    }
    group.finish();
}

criterion_group!(benches, interact);
criterion_main!(benches);
