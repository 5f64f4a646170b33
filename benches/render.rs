//! Chart rendering cost: level-of-detail planning over 1 vs 25 years (CPU, no GPU), and a
//! full headless frame (egui + egui_plot + prepare/upload) of 100 series, when an adapter
//! is available.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use wickview::render::{DrawCmd, DrawList, ViewTransform, count_primitives};
use wickview::ui::chart::{ChartSeries, CompareMode, ComparisonChart, RangePreset, XView};
use wickview::ui::demo::synthetic_panel;

fn lod_planning(c: &mut Criterion) {
    let mut group = c.benchmark_group("lod_plan_100_series_zoomed_out");
    for years in [1usize, 25] {
        let days = years * 252;
        let series: Vec<ChartSeries> = synthetic_panel(100, days, 1)
            .into_iter()
            .map(|s| ChartSeries::new("s", Arc::new(s)))
            .collect();
        let list = DrawList {
            view: ViewTransform {
                x_min: -0.5,
                x_max: days as f64 - 0.5,
                y_min: 0.0,
                y_max: 500.0,
                log_y: false,
                width_px: 1000.0,
                height_px: 600.0,
            },
            cmds: series
                .iter()
                .map(|s| DrawCmd::Line {
                    data: Arc::clone(s.close()),
                    color: [1.0; 4],
                    width_px: 1.5,
                    y_scale: 1.0,
                    y_offset: 0.0,
                })
                .collect(),
        };
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{years}y")),
            &list,
            |b, list| {
                b.iter(|| black_box(count_primitives(list)));
            },
        );
    }
    group.finish();
}

fn headless_frame(c: &mut Criterion) {
    let Ok(mut h) = wickview::ui::bench_render::Headless::new(1000, 700) else {
        eprintln!("no GPU adapter: headless frame bench skipped");
        return;
    };
    let mut group = c.benchmark_group("frame_cpu_100_series_max_zoom");
    group.sample_size(20);
    for years in [1usize, 25] {
        let days = years * 252;
        let mut chart = ComparisonChart::new(years);
        chart.set_series(
            synthetic_panel(100, days, 2)
                .into_iter()
                .enumerate()
                .map(|(i, s)| ChartSeries::new(format!("S{i}"), Arc::new(s)))
                .collect(),
        );
        chart.set_mode(CompareMode::Absolute);
        for _ in 0..2000 {
            if !chart.is_loading() && chart.calendar().is_some() {
                break;
            }
            let _ = h.frame(|ui| chart.ui(ui));
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        chart.apply_range(RangePreset::Max);
        let _ = h.frame(|ui| chart.ui(ui));
        group.bench_function(BenchmarkId::from_parameter(format!("{years}y")), |b| {
            let mut flip = false;
            b.iter_custom(|iters| {
                let mut total = std::time::Duration::ZERO;
                for _ in 0..iters {
                    flip = !flip;
                    let v = chart.view();
                    chart.set_view(XView {
                        start: v.start,
                        end: v.end - if flip { 1.0 } else { 0.0 },
                    });
                    if let Ok((cpu, _raster)) = h.frame(|ui| chart.ui(ui)) {
                        total += cpu;
                    }
                }
                total
            });
        });
    }
    group.finish();
}

criterion_group!(benches, lod_planning, headless_frame);
criterion_main!(benches);
