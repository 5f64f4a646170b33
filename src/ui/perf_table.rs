//! The comparison's performance table: per series, over the visible range, its return,
//! annualised volatility, maximum drawdown and the correlation of its daily returns with a
//! chosen benchmark series. Computed on the compute pool (one job at a time, again when the
//! range, the benchmark or the chart's alignment changed: a new set, currency or adjustment);
//! sortable; copied or saved as CSV.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};

use poll_promise::Promise;

use super::bg;
use super::chart::ComparisonChart;
use crate::compute::perf::{Performance, performance_panel};

/// A column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PerfColumn {
    /// Series name.
    Name,
    /// Return over the range.
    Return,
    /// Annualised volatility.
    Volatility,
    /// Maximum drawdown.
    Drawdown,
    /// Correlation with the benchmark.
    Correlation,
}

/// What the figures were computed for: the visible bars, the series and the benchmark.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Key {
    /// The chart's alignment (a new set, currency or adjustment is a new one).
    generation: u64,
    range: std::ops::Range<usize>,
    keys: Vec<String>,
    benchmark: Option<String>,
    /// What the CSV's comment lines say of the figures.
    about: About,
}

/// The basis of the figures, written as the CSV's leading `#` lines: the first and last
/// day of the range, the currency and whether prices are total return.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct About {
    days: Option<(chrono::NaiveDate, chrono::NaiveDate, usize)>,
    currency: Option<String>,
    total_return: bool,
}

/// One row: a series and its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct PerfRow {
    /// The series' key (ticker).
    pub key: String,
    /// Its name.
    pub name: String,
    /// Its figures.
    pub perf: Performance,
}

/// A computation under way: what for, where its result arrives, and the rows' keys and names.
type PerfJob = (Key, Receiver<Vec<Performance>>, Vec<(String, String)>);

/// The table's state.
pub struct PerfTable {
    benchmark: Option<String>,
    /// The currency the chart shows (`None`: each series in its own) and whether its
    /// prices are total return, as the host last said.
    basis: (Option<String>, bool),
    sort: (PerfColumn, bool),
    rows: Vec<PerfRow>,
    computed: Option<Key>,
    job: Option<PerfJob>,
    saving: Option<Promise<Result<PathBuf, String>>>,
    /// Where Save CSV writes, while its save dialog is open.
    choice: super::save_file::PendingChoice,
    message: Option<(String, bool)>,
}

impl Default for PerfTable {
    fn default() -> Self {
        Self {
            benchmark: None,
            basis: (None, false),
            sort: (PerfColumn::Return, true),
            rows: Vec::new(),
            computed: None,
            job: None,
            saving: None,
            choice: super::save_file::PendingChoice::default(),
            message: None,
        }
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |x| format!("{x:+.2}%"))
}

fn csv_cell(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| format!("{x:.6}"))
}

impl PerfTable {
    /// The rows as last computed, in the table's order.
    pub fn rows(&self) -> &[PerfRow] {
        &self.rows
    }

    /// Whether the figures are being computed.
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    /// The benchmark series' key.
    pub fn benchmark(&self) -> Option<&str> {
        self.benchmark.as_deref()
    }

    /// Sets the benchmark (a key of the comparison).
    pub fn set_benchmark(&mut self, key: Option<String>) {
        self.benchmark = key;
    }

    /// What the figures are in, for the CSV's comment lines: the currency every series is
    /// shown in (`None`: each in its own) and whether prices include dividends.
    pub fn set_basis(&mut self, currency: Option<String>, total_return: bool) {
        self.basis = (currency, total_return);
    }

    /// Sorts by `column` (descending for figures, ascending for names).
    pub fn sort_by(&mut self, column: PerfColumn) {
        self.sort = if self.sort.0 == column {
            (column, !self.sort.1)
        } else {
            (column, column != PerfColumn::Name)
        };
        self.apply_sort();
    }

    fn apply_sort(&mut self) {
        let (column, descending) = self.sort;
        if column == PerfColumn::Name {
            self.rows.sort_by_cached_key(|r| r.name.to_lowercase());
            if descending {
                self.rows.reverse();
            }
            return;
        }
        let figure = |r: &PerfRow| match column {
            PerfColumn::Name | PerfColumn::Return => r.perf.return_pct,
            PerfColumn::Volatility => r.perf.volatility_pct,
            PerfColumn::Drawdown => r.perf.max_drawdown_pct,
            PerfColumn::Correlation => r.perf.correlation,
        };
        // Rows without a figure go last either way.
        self.rows.sort_by(|a, b| match (figure(a), figure(b)) {
            (Some(x), Some(y)) if descending => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
    }

    /// The table as CSV (`ticker,name,return_pct,volatility_pct,max_drawdown_pct,correlation`),
    /// after `#` comment lines naming the range, the currency, the price basis and the
    /// benchmark the figures were computed for (`pandas.read_csv(path, comment="#")`).
    pub fn csv(&self) -> String {
        let mut out = String::from("# wickview performance table\n");
        let about = self.computed.as_ref().map(|k| &k.about);
        if let Some((from, to, n)) = about.and_then(|a| a.days) {
            out.push_str(&format!("# range: {from} to {to} ({n} trading days)\n"));
        }
        if let Some(about) = about {
            match &about.currency {
                Some(c) => out.push_str(&format!("# currency: {c}\n")),
                None => out.push_str("# currency: each series in its own\n"),
            }
            out.push_str(if about.total_return {
                "# prices: adjusted for splits and dividends (total return)\n"
            } else {
                "# prices: adjusted for splits\n"
            });
        }
        let benchmark = self
            .computed
            .as_ref()
            .and_then(|k| k.benchmark.as_deref())
            .or(self.benchmark.as_deref());
        if let Some(b) = benchmark {
            out.push_str(&format!(
                "# benchmark: {b} (correlation of daily simple returns)\n"
            ));
        }
        match self.write_rows(out.into_bytes()) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                tracing::error!("performance table: could not write its CSV: {e}");
                String::new()
            }
        }
    }

    /// Appends the header and the rows to `out` as CSV. A field with a `#` is quoted too:
    /// pandas' `comment='#'` would cut the line there.
    fn write_rows(&self, out: Vec<u8>) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::WriterBuilder::new()
            .comment(Some(b'#'))
            .from_writer(out);
        let correlation = format!(
            "correlation_with_{}",
            self.benchmark.as_deref().unwrap_or("benchmark")
        );
        w.write_record([
            "ticker",
            "name",
            "return_pct",
            "volatility_pct",
            "max_drawdown_pct",
            &correlation,
        ])?;
        for r in &self.rows {
            w.write_record([
                r.key.as_str(),
                &r.name,
                &csv_cell(r.perf.return_pct),
                &csv_cell(r.perf.volatility_pct),
                &csv_cell(r.perf.max_drawdown_pct),
                &csv_cell(r.perf.correlation),
            ])?;
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }

    /// Starts a computation when the range, the series or the benchmark changed and none
    /// runs; takes a finished one.
    pub fn poll(&mut self, chart: &ComparisonChart, keys: &[String], ctx: &egui::Context) {
        if let Some((key, rx, names)) = self.job.take() {
            match rx.try_recv() {
                Ok(perfs) => {
                    self.rows = names
                        .into_iter()
                        .zip(perfs)
                        .map(|((key, name), perf)| PerfRow { key, name, perf })
                        .collect();
                    self.apply_sort();
                    self.computed = Some(key);
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    self.job = Some((key, rx, names));
                    return;
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {}
            }
        }
        // While a new set of series is being aligned the chart still shows the old lines:
        // figures computed from them would be put under the new keys.
        let (Some(calendar), Some(generation)) = (chart.calendar(), chart.data_generation()) else {
            return;
        };
        if self.benchmark.as_ref().is_none_or(|b| !keys.contains(b)) {
            self.benchmark = keys.first().cloned();
        }
        let range = chart.view().bar_range(calendar.len());
        let days = calendar
            .get(range.start)
            .zip(range.end.checked_sub(1).and_then(|i| calendar.get(i)))
            .map(|(a, b)| (*a, *b, range.len()));
        let key = Key {
            generation,
            range,
            keys: keys.to_vec(),
            benchmark: self.benchmark.clone(),
            about: About {
                days,
                currency: self.basis.0.clone(),
                total_return: self.basis.1,
            },
        };
        if self.computed.as_ref() == Some(&key) || keys.len() != chart.len() {
            return;
        }
        let lines: Vec<Arc<Vec<f64>>> = chart.aligned_lines();
        let names: Vec<(String, String)> = keys
            .iter()
            .zip(chart.series_names())
            .map(|(k, n)| (k.clone(), n.to_owned()))
            .collect();
        let bench = self
            .benchmark
            .as_ref()
            .and_then(|b| keys.iter().position(|k| k == b));
        let range = key.range.clone();
        let (tx, rx) = sync_channel(1);
        let ctx = ctx.clone();
        let work = move || {
            let slices: Vec<&[f64]> = lines.iter().map(|l| l.as_slice()).collect();
            let perfs = performance_panel(&slices, range, bench);
            if tx.send(perfs).is_ok() {
                ctx.request_repaint();
            }
        };
        match crate::compute::pool::pool() {
            Some(pool) => pool.spawn(work),
            None => rayon::spawn(work),
        }
        self.job = Some((key, rx, names));
    }

    /// Writes the table as CSV to `path`, off the UI thread.
    fn write_csv(&mut self, ctx: &egui::Context, rt: &tokio::runtime::Handle, path: PathBuf) {
        let text = self.csv();
        self.saving = Some(bg::spawn(rt, ctx, async move {
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            tokio::fs::write(&path, text)
                .await
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(path)
        }));
    }

    /// Shows the table.
    pub fn ui(&mut self, ui: &mut egui::Ui, rt: &tokio::runtime::Handle, keys: &[String]) {
        if let Some(result) = bg::take_ready(&mut self.saving) {
            self.message = Some(match result {
                Ok(path) => (format!("Saved {}", path.display()), false),
                Err(e) => (format!("Could not save the CSV: {e}"), true),
            });
        }
        ui.horizontal_wrapped(|ui| self.toolbar_ui(ui, rt, keys));
        self.table_ui(ui);
    }

    /// The benchmark, Copy CSV, Save CSV and what they last did.
    fn toolbar_ui(&mut self, ui: &mut egui::Ui, rt: &tokio::runtime::Handle, keys: &[String]) {
        ui.strong("Performance over the visible range");
        let mut bench = self.benchmark.clone();
        egui::ComboBox::from_label("Correlation with")
            .selected_text(bench.as_deref().unwrap_or("–"))
            .show_ui(ui, |ui| {
                for k in keys {
                    ui.selectable_value(&mut bench, Some(k.clone()), k);
                }
            });
        if bench != self.benchmark {
            self.benchmark = bench;
        }
        if ui.button("Copy CSV").clicked() {
            ui.ctx().copy_text(self.csv());
            self.message = Some(("Copied the table as CSV".to_owned(), false));
        }
        let idle = self.saving.is_none() && !self.choice.is_open();
        if ui
            .add_enabled(idle, egui::Button::new("Save CSV"))
            .clicked()
        {
            self.choice.start(
                ui.ctx(),
                rt,
                super::save_file::SaveKind::Table,
                &csv_file_name(),
            );
        }
        // The dialog closed: the table as it is now goes to the chosen file.
        match self.choice.take() {
            Some(Ok(Some(path))) => self.write_csv(ui.ctx(), rt, path),
            Some(Err(e)) => self.message = Some((format!("Could not save the CSV: {e}"), true)),
            Some(Ok(None)) | None => {}
        }
        if self.job.is_some() {
            ui.spinner();
        }
        if let Some((msg, is_err)) = &self.message {
            let color = if *is_err {
                egui::Color32::LIGHT_RED
            } else {
                ui.visuals().weak_text_color()
            };
            ui.colored_label(color, msg);
        }
    }

    /// The rows under a header whose buttons sort them; only the rows in view are laid out.
    fn table_ui(&mut self, ui: &mut egui::Ui) {
        const COLUMNS: [(PerfColumn, &str); 5] = [
            (PerfColumn::Name, "Series"),
            (PerfColumn::Return, "Return"),
            (PerfColumn::Volatility, "Volatility"),
            (PerfColumn::Drawdown, "Max drawdown"),
            (PerfColumn::Correlation, "Correlation"),
        ];
        let row_h = 18.0;
        let mut sort_by = None;
        egui_extras::TableBuilder::new(ui)
            .id_salt("perf_rows")
            .striped(true)
            .auto_shrink([false, false])
            .columns(egui_extras::Column::auto().at_least(70.0), COLUMNS.len())
            .header(row_h, |mut header| {
                for (column, label) in COLUMNS {
                    let arrow = match self.sort {
                        (c, true) if c == column => " ↓",
                        (c, false) if c == column => " ↑",
                        _ => "",
                    };
                    header.col(|ui| {
                        if ui.button(format!("{label}{arrow}")).clicked() {
                            sort_by = Some(column);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_h, self.rows.len(), |mut row| {
                    let Some(r) = self.rows.get(row.index()) else {
                        return;
                    };
                    row.col(|ui| {
                        ui.label(&r.name);
                    });
                    for figure in [
                        r.perf.return_pct,
                        r.perf.volatility_pct,
                        r.perf.max_drawdown_pct,
                    ] {
                        row.col(|ui| {
                            ui.monospace(pct(figure));
                        });
                    }
                    row.col(|ui| {
                        ui.monospace(
                            r.perf
                                .correlation
                                .map_or_else(|| "–".to_owned(), |c| format!("{c:+.3}")),
                        );
                    });
                });
            });
        if let Some(column) = sort_by {
            self.sort_by(column);
        }
    }
}

/// The file name "Save CSV" proposes, with a time stamp.
fn csv_file_name() -> String {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    format!("wickview-performance-{stamp}.csv")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// The CSV's leading '#' lines name what the figures were computed for; the table
    /// below them is unchanged, and a name with '#' is quoted (pandas' comment='#' would
    /// cut the line there otherwise).
    #[test]
    fn csv_names_its_range_currency_and_benchmark() {
        let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
        let t = PerfTable {
            rows: vec![PerfRow {
                key: "AAPL".into(),
                name: "Apple #1".into(),
                perf: Performance {
                    return_pct: Some(1.5),
                    ..Performance::default()
                },
            }],
            computed: Some(Key {
                generation: 1,
                range: 0..21,
                keys: vec!["AAPL".into()],
                benchmark: Some("^GSPC".into()),
                about: About {
                    days: Some((day(2), day(31), 21)),
                    currency: Some("KRW".into()),
                    total_return: true,
                },
            }),
            ..PerfTable::default()
        };
        let csv = t.csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            &lines[..6],
            &[
                "# wickview performance table",
                "# range: 2024-01-02 to 2024-01-31 (21 trading days)",
                "# currency: KRW",
                "# prices: adjusted for splits and dividends (total return)",
                "# benchmark: ^GSPC (correlation of daily simple returns)",
                "ticker,name,return_pct,volatility_pct,max_drawdown_pct,correlation_with_benchmark",
            ]
        );
        assert_eq!(lines[6], "AAPL,\"Apple #1\",1.500000,,,");
    }
}
