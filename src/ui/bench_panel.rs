//! The side panel's benchmarks: runs the built-in compute and rendering benchmarks on a
//! named background thread and shows their tables. The window stays responsive meanwhile.

use std::sync::mpsc::{Receiver, sync_channel};

use crate::compute::bench::{BenchRow, ComputeBenchConfig, format_table, run_compute_bench};

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
    running: Option<(Kind, Receiver<Result<String, String>>)>,
    compute_table: Option<String>,
    render_table: Option<String>,
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
    job: impl FnOnce() -> Result<String, String> + Send + 'static,
) -> Result<Receiver<Result<String, String>>, String> {
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
        self.compute_table.as_deref()
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

        ui.strong("Compute kernels");
        ui.horizontal(|ui| {
            ui.label("Series");
            ui.add(egui::DragValue::new(&mut self.series).range(1..=2000));
            ui.label("Days");
            ui.add(egui::DragValue::new(&mut self.days).range(10..=20_000));
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
                    .map(|rows: Vec<BenchRow>| format_table(&rows))
                    .map_err(|e| e.to_string())
            };
            match spawn_named(ui.ctx(), "wickview-bench-compute", job) {
                Ok(rx) => self.running = Some((Kind::Compute, rx)),
                Err(e) => self.error = Some(e),
            }
        }
        if let Some(t) = &self.compute_table {
            table_ui(ui, "compute_table", t);
        }

        ui.separator();
        ui.strong("Rendering");
        ui.horizontal(|ui| {
            ui.label("Series");
            ui.add(egui::DragValue::new(&mut self.render_series).range(1..=200));
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
            let job = move || super::bench_render::run_table(&[n]);
            match spawn_named(ui.ctx(), "wickview-bench-render", job) {
                Ok(rx) => self.running = Some((Kind::Render, rx)),
                Err(e) => self.error = Some(e),
            }
        }
        if let Some(t) = &self.render_table {
            table_ui(ui, "render_table", t);
        }

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
}

fn table_ui(ui: &mut egui::Ui, id: &str, table: &str) {
    egui::ScrollArea::horizontal().id_salt(id).show(ui, |ui| {
        ui.add(egui::Label::new(egui::RichText::new(table).monospace()).extend());
    });
}
