//! The side panel's benchmarks: runs the built-in compute and rendering benchmarks on a
//! named background thread and shows their tables. The window stays responsive meanwhile.
//! Each table fits the panel: per row the benchmark's name (wrapped) with its other
//! figures on a smaller line below, and its median time in a right-hand column that is
//! never cut (a monospace text table was wider than the panel and lost the median).

use std::sync::mpsc::{Receiver, sync_channel};

use crate::compute::bench::{BenchRow, ComputeBenchConfig, format_table, run_compute_bench};

/// One benchmark result as the panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    /// What was timed.
    pub name: String,
    /// The median time, formatted.
    pub value: String,
    /// The other figures (series, days, details), on a line of their own.
    pub detail: String,
}

/// A finished benchmark: the aligned text table (as `wickview bench` prints it) and its
/// rows for the panel.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultTable {
    /// The text table.
    pub text: String,
    /// Header of the value column.
    pub value_header: &'static str,
    /// The rows.
    pub rows: Vec<ResultRow>,
}

impl ResultTable {
    /// The compute benchmark's rows: name, median ms, series × days and the extra figures.
    pub fn compute(rows: &[BenchRow]) -> Self {
        Self {
            text: format_table(rows),
            value_header: "median ms",
            rows: rows
                .iter()
                .map(|r| {
                    let mut detail = format!("{} series × {} days", r.series, r.days);
                    for (k, v) in r.extra.iter().filter(|(k, _)| k.as_str() != "checksum") {
                        detail.push_str(&format!(" · {k} {v}"));
                    }
                    ResultRow {
                        name: r.name.clone(),
                        value: format!("{:.3}", r.median_ms),
                        detail,
                    }
                })
                .collect(),
        }
    }

    /// The render benchmark's rows: scenario and zoom, median frame CPU ms, the rest.
    pub fn render(rows: &[super::bench_render::BenchRow]) -> Self {
        Self {
            text: super::bench_render::format_table(rows),
            value_header: "frame ms",
            rows: rows
                .iter()
                .map(|r| ResultRow {
                    name: format!("{} ({})", r.scenario, r.zoom),
                    value: format!("{:.3}", r.frame_cpu_ms),
                    detail: format!(
                        "{} series × {} days · {} primitives · raster {:.2} ms · {} frames",
                        r.series, r.days, r.primitives, r.raster_ms, r.frames
                    ),
                })
                .collect(),
        }
    }
}

/// Which benchmark a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Compute,
    Render,
}

/// The panel's state.
pub struct BenchPanel {
    series: usize,
    days: usize,
    render_series: usize,
    running: Option<(Kind, Receiver<Result<ResultTable, String>>)>,
    compute_table: Option<ResultTable>,
    render_table: Option<ResultTable>,
    error: Option<String>,
}

impl Default for BenchPanel {
    fn default() -> Self {
        Self {
            series: 100,
            days: 6300,
            render_series: 10,
            running: None,
            compute_table: None,
            render_table: None,
            error: None,
        }
    }
}

fn spawn_named(
    ctx: &egui::Context,
    name: &str,
    job: impl FnOnce() -> Result<ResultTable, String> + Send + 'static,
) -> Result<Receiver<Result<ResultTable, String>>, String> {
    let (tx, rx) = sync_channel(1);
    let ctx = ctx.clone();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let out = job();
            // The panel may be gone; nothing to do then.
            let _ = tx.send(out);
            ctx.request_repaint();
        })
        .map_err(|e| format!("could not start the benchmark thread: {e}"))?;
    Ok(rx)
}

impl BenchPanel {
    /// The last compute benchmark table, if any.
    pub fn compute_table(&self) -> Option<&str> {
        self.compute_table.as_ref().map(|t| t.text.as_str())
    }

    /// Shows these results as the last compute and render runs (tests and screenshots).
    pub fn set_results(&mut self, compute: Option<ResultTable>, render: Option<ResultTable>) {
        self.compute_table = compute;
        self.render_table = render;
    }

    /// Whether a benchmark is running.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    fn poll(&mut self) {
        let Some((kind, rx)) = &self.running else {
            return;
        };
        let Ok(result) = rx.try_recv() else {
            return;
        };
        match result {
            Ok(table) => {
                self.error = None;
                match kind {
                    Kind::Compute => self.compute_table = Some(table),
                    Kind::Render => self.render_table = Some(table),
                }
            }
            Err(e) => self.error = Some(e),
        }
        self.running = None;
    }

    /// Shows the panel.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.poll();
        let idle = self.running.is_none();
        self.compute_ui(ui, idle);
        ui.separator();
        self.render_ui(ui, idle);
        if !idle {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Benchmark running…");
            });
        }
        if let Some(e) = &self.error {
            ui.colored_label(egui::Color32::LIGHT_RED, e);
        }
    }

    /// The compute kernels' benchmark: its size, its button (while `idle`), its table.
    fn compute_ui(&mut self, ui: &mut egui::Ui, idle: bool) {
        ui.strong("Compute kernels");
        ui.horizontal(|ui| {
            let label = ui.label("Series");
            ui.add(egui::DragValue::new(&mut self.series).range(1..=2000))
                .labelled_by(label.id);
            let label = ui.label("Days");
            ui.add(egui::DragValue::new(&mut self.days).range(10..=20_000))
                .labelled_by(label.id);
        });
        if ui
            .add_enabled(idle, egui::Button::new("Run compute benchmark"))
            .clicked()
        {
            let config = ComputeBenchConfig {
                series: self.series,
                days: self.days,
                repeat: 5,
                queries: 20_000,
                ..ComputeBenchConfig::default()
            };
            let job = move || {
                run_compute_bench(&config)
                    .map(|rows: Vec<BenchRow>| ResultTable::compute(&rows))
                    .map_err(|e| e.to_string())
            };
            match spawn_named(ui.ctx(), "wickview-bench-compute", job) {
                Ok(rx) => self.running = Some((Kind::Compute, rx)),
                Err(e) => self.error = Some(e),
            }
        }
        if let Some(t) = &self.compute_table {
            table_ui(ui, t);
        }
    }

    /// The rendering benchmark: its size, its button (while `idle`), its table.
    fn render_ui(&mut self, ui: &mut egui::Ui, idle: bool) {
        ui.strong("Rendering");
        ui.horizontal(|ui| {
            let label = ui.label("Series");
            ui.add(egui::DragValue::new(&mut self.render_series).range(1..=200))
                .labelled_by(label.id);
        });
        if ui
            .add_enabled(idle, egui::Button::new("Run render benchmark"))
            .on_hover_text(
                "Frame CPU time and primitives drawn at 1 and 25 years of history, \
                 next to egui_plot drawing the same lines, on an off-screen GPU device",
            )
            .clicked()
        {
            let n = self.render_series;
            let job = move || {
                let config = super::bench_render::RenderBenchConfig {
                    series: vec![n],
                    frames: 7,
                    max_seconds: 10.0,
                    ..super::bench_render::RenderBenchConfig::default()
                };
                super::bench_render::bench(&config, |_| {})
                    .map(|rows| ResultTable::render(&rows))
                    .map_err(|e| e.to_string())
            };
            match spawn_named(ui.ctx(), "wickview-bench-render", job) {
                Ok(rx) => self.running = Some((Kind::Render, rx)),
                Err(e) => self.error = Some(e),
            }
        }
        if let Some(t) = &self.render_table {
            table_ui(ui, t);
        }
    }
}

/// Shows `table` in the panel's width: the value column as wide as its widest entry,
/// on the right; the name (wrapped) and the row's details (small, wrapped) take the rest.
fn table_ui(ui: &mut egui::Ui, table: &ResultTable) {
    let mono = egui::TextStyle::Monospace.resolve(ui.style());
    let value_width = std::iter::once(table.value_header)
        .chain(table.rows.iter().map(|r| r.value.as_str()))
        .map(|v| {
            ui.fonts_mut(|f| {
                f.layout_no_wrap(v.to_owned(), mono.clone(), egui::Color32::WHITE)
                    .size()
                    .x
            })
        })
        .fold(0.0_f32, f32::max);
    let row_ui = |ui: &mut egui::Ui, name: egui::RichText, detail: Option<&str>, value| {
        ui.horizontal_top(|ui| {
            let gap = ui.spacing().item_spacing.x;
            let name_width = (ui.available_width() - value_width - gap).max(40.0);
            ui.allocate_ui_with_layout(
                egui::vec2(name_width, 0.0),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    ui.set_width(name_width);
                    ui.add(egui::Label::new(name).wrap());
                    if let Some(d) = detail {
                        ui.add(egui::Label::new(egui::RichText::new(d).small().weak()).wrap());
                    }
                },
            );
            ui.allocate_ui_with_layout(
                egui::vec2(value_width, 0.0),
                egui::Layout::top_down(egui::Align::Max),
                |ui| {
                    ui.add(egui::Label::new(value).extend());
                },
            );
        });
    };
    row_ui(
        ui,
        egui::RichText::new("benchmark").strong(),
        None,
        egui::RichText::new(table.value_header).monospace().strong(),
    );
    for r in &table.rows {
        row_ui(
            ui,
            egui::RichText::new(&r.name),
            Some(&r.detail),
            egui::RichText::new(&r.value).monospace(),
        );
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::*;

    fn row(name: &str, median_ms: f64) -> BenchRow {
        BenchRow {
            name: name.to_owned(),
            series: 100,
            days: 6300,
            median_ms,
            extra: [("ns_per_query".to_owned(), serde_json::json!(123.4))]
                .into_iter()
                .collect(),
        }
    }

    /// In the side panel's narrowest width (260 points) every median is inside the panel
    /// (the monospace table was wider than the panel and cut its median column).
    #[test]
    fn the_median_column_fits_a_narrow_panel() {
        let mut panel = BenchPanel::default();
        panel.set_results(
            Some(ResultTable::compute(&[
                row("rolling_mean_window_20_all_series", 12.345),
                row("drawdown", 1234.5),
            ])),
            None,
        );
        assert!(
            panel
                .compute_table()
                .is_some_and(|t| t.contains("median ms"))
        );
        let width = 260.0;
        let mut harness = Harness::builder()
            .with_size((width, 700.0))
            .build_ui(|ui| panel.ui(ui));
        harness.run();
        for value in ["median ms", "12.345", "1234.500"] {
            let rect = harness.get_by_label(value).rect();
            assert!(
                rect.right() <= width && rect.left() >= 0.0,
                "{value} at {rect:?}, outside the {width} points panel"
            );
        }
        let name = harness
            .get_by_label("rolling_mean_window_20_all_series")
            .rect();
        let median = harness.get_by_label("12.345").rect();
        assert!(
            name.right() <= median.left(),
            "{name:?} overlaps {median:?}"
        );
    }
}
