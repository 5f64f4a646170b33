//! The comparison's series list, beside the chart (it is the chart's legend): per series a
//! colour swatch that shows or hides it, its name, its value at the crosshair (or its return
//! over the visible range), solo and remove; a filter box, sorting by order added, name,
//! return or volatility, select all / none and remove selected. Rows are virtual
//! (`ScrollArea::show_rows`), so 500 series cost only the rows on screen.

use std::collections::BTreeSet;

use super::chart::ComparisonChart;

/// How the list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// The order series were added (the chart's order, and its colours).
    #[default]
    Added,
    /// By name.
    Name,
    /// By return over the visible range, highest first.
    Return,
    /// By annualised volatility over the visible range, highest first.
    Volatility,
}

impl SortKey {
    /// Every key, in menu order.
    pub const ALL: [Self; 4] = [Self::Added, Self::Name, Self::Return, Self::Volatility];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Added => "Order added",
            Self::Name => "Name",
            Self::Return => "Return",
            Self::Volatility => "Volatility",
        }
    }
}

/// What the user did in the list; keys are the host's (tickers in the app).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListAction {
    /// Remove these series.
    Remove(Vec<String>),
    /// Show or hide one series.
    SetVisible(String, bool),
    /// Show only this series (or every series again, if it was already the only one).
    Solo(String),
    /// Show every series.
    ShowAll,
}

/// Height of one row, in points.
const ROW_HEIGHT: f32 = 20.0;

/// The narrowest value column, in points (`+35.4%`, `130.0`).
const VALUE_WIDTH: f32 = 48.0;

/// The widest value column, in points; longer values are cut.
const MAX_VALUE_WIDTH: f32 = 96.0;

/// The list's state (filter, order, selection).
#[derive(Default)]
pub struct SeriesList {
    filter: String,
    sort: SortKey,
    /// Chart indices in display order, computed when the order was chosen.
    order: Vec<usize>,
    /// The keys the order was computed for.
    ordered_keys: Vec<String>,
    selected: BTreeSet<String>,
    shown_rows: usize,
    /// Width of the value column: the widest value on screen last frame (a price such as
    /// 1,380.25 is wider than a return), within [`VALUE_WIDTH`]..[`MAX_VALUE_WIDTH`].
    value_width: f32,
    /// Laid-out width of each ticker as shown (with its `*` mark, if any), in points.
    ticker_widths: std::collections::HashMap<String, f32>,
    /// The body font size `ticker_widths` were measured at.
    ticker_widths_size: f32,
}

impl SeriesList {
    /// How the list is sorted.
    pub fn sort(&self) -> SortKey {
        self.sort
    }

    /// Sorts by `key` now (return and volatility over the chart's visible range).
    pub fn set_sort(&mut self, key: SortKey, chart: &ComparisonChart, keys: &[String]) {
        self.sort = key;
        self.resort(chart, keys);
    }

    /// Rows that pass the filter, as drawn last frame.
    pub fn shown_rows(&self) -> usize {
        self.shown_rows
    }

    /// Keys of the selected rows.
    pub fn selected(&self) -> &BTreeSet<String> {
        &self.selected
    }

    /// The filter text.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Sets the filter text (rows whose key or name contain it, any case).
    pub fn set_filter(&mut self, text: &str) {
        text.clone_into(&mut self.filter);
    }

    fn resort(&mut self, chart: &ComparisonChart, keys: &[String]) {
        let names = chart.series_names();
        let mut order: Vec<usize> = (0..keys.len().min(names.len())).collect();
        match self.sort {
            SortKey::Added => {}
            SortKey::Name => order.sort_by_cached_key(|k| names[*k].to_lowercase()),
            SortKey::Return | SortKey::Volatility => {
                let figure = |k: usize| {
                    if self.sort == SortKey::Return {
                        chart.visible_return(k)
                    } else {
                        chart.visible_volatility(k)
                    }
                    .unwrap_or(f64::NEG_INFINITY)
                };
                let figures: Vec<f64> = order.iter().map(|k| figure(*k)).collect();
                order.sort_by(|a, b| figures[*b].total_cmp(&figures[*a]));
            }
        }
        self.order = order;
        self.ordered_keys = keys.to_vec();
    }

    /// Shows the list for `chart`, whose series `k` has key `keys[k]`. Returns what the user
    /// did, and sets the chart's emphasis to the row under the pointer.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        chart: &mut ComparisonChart,
        keys: &[String],
    ) -> Vec<ListAction> {
        let mut actions = Vec::new();
        if self.ordered_keys != keys {
            self.selected.retain(|k| keys.contains(k));
            self.resort(chart, keys);
        }
        let names: Vec<String> = chart
            .series_names()
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let rows = self.filtered_rows(keys, &names);
        self.shown_rows = rows.len();
        self.controls_ui(ui, chart, keys, &rows, &mut actions);
        let emphasis = self.rows_ui(ui, chart, keys, &names, &rows, &mut actions);
        chart.set_emphasis(emphasis);
        actions
    }

    /// The series in the list's order that pass the filter (key or name, any case).
    fn filtered_rows(&self, keys: &[String], names: &[String]) -> Vec<usize> {
        let needle = self.filter.trim().to_lowercase();
        self.order
            .iter()
            .copied()
            .filter(|k| {
                needle.is_empty()
                    || keys[*k].to_lowercase().contains(&needle)
                    || names
                        .get(*k)
                        .is_some_and(|n| n.to_lowercase().contains(&needle))
            })
            .collect()
    }

    /// The title, the filter, sorting, selecting (of `rows`, those shown) and what the
    /// values are.
    fn controls_ui(
        &mut self,
        ui: &mut egui::Ui,
        chart: &ComparisonChart,
        keys: &[String],
        rows: &[usize],
        actions: &mut Vec<ListAction>,
    ) {
        ui.horizontal(|ui| {
            ui.strong(format!("Series ({})", keys.len()));
            let hidden = (0..keys.len()).filter(|k| !chart.is_visible(*k)).count();
            if hidden > 0 {
                ui.weak(format!("{hidden} hidden"));
            }
        });
        ui.add(
            egui::TextEdit::singleline(&mut self.filter)
                .hint_text("Filter series")
                .desired_width(f32::INFINITY),
        );
        ui.horizontal_wrapped(|ui| {
            let mut sort = self.sort;
            egui::ComboBox::from_label("Sort")
                .selected_text(sort.label())
                .show_ui(ui, |ui| {
                    for key in SortKey::ALL {
                        ui.selectable_value(&mut sort, key, key.label());
                    }
                });
            if sort != self.sort {
                self.set_sort(sort, chart, keys);
            }
            if ui
                .small_button("Re-sort")
                .on_hover_text("Sort again (return and volatility of the visible range)")
                .clicked()
            {
                self.resort(chart, keys);
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui
                .small_button("Select all")
                .on_hover_text("Select every row that passes the filter")
                .clicked()
            {
                self.selected.extend(rows.iter().map(|k| keys[*k].clone()));
            }
            if ui.small_button("Select none").clicked() {
                self.selected.clear();
            }
            let n = self.selected.len();
            if ui
                .add_enabled(
                    n > 0,
                    egui::Button::new(format!("Remove selected ({n})")).small(),
                )
                .clicked()
            {
                actions.push(ListAction::Remove(self.selected.iter().cloned().collect()));
                self.selected.clear();
            }
            if ui.small_button("Show all").clicked() {
                actions.push(ListAction::ShowAll);
            }
        });
        match chart
            .hovered_bar()
            .and_then(|i| chart.calendar().and_then(|c| c.get(i)))
        {
            Some(day) => ui.weak(format!("Values on {}", day.format("%Y-%m-%d"))),
            None => ui.weak("Return over the visible range"),
        };
        ui.separator();
    }

    /// The rows of `rows` in view (the others are not laid out); returns the series under
    /// the pointer.
    fn rows_ui(
        &mut self,
        ui: &mut egui::Ui,
        chart: &ComparisonChart,
        keys: &[String],
        names: &[String],
        rows: &[usize],
        actions: &mut Vec<ListAction>,
    ) -> Option<usize> {
        let mut emphasis = None;
        egui::ScrollArea::vertical()
            .id_salt("series_list_rows")
            .auto_shrink([false, false])
            .show_rows(ui, ROW_HEIGHT, rows.len(), |ui, range| {
                let mono = egui::TextStyle::Monospace.resolve(ui.style());
                // Ticker widths hold for one body font size.
                let body_size = egui::TextStyle::Body.resolve(ui.style()).size;
                if self.ticker_widths_size != body_size {
                    self.ticker_widths.clear();
                    self.ticker_widths_size = body_size;
                }
                let mut layout = RowLayout {
                    value_width: self.value_width.clamp(VALUE_WIDTH, MAX_VALUE_WIDTH),
                    digit_width: ui.fonts_mut(|f| f.glyph_width(&mono, '0')),
                    hovered_bar: chart.hovered_bar(),
                    widest: 0.0,
                };
                for &k in &rows[range] {
                    let name = names.get(k).map_or(keys[k].as_str(), String::as_str);
                    let row = self.row_ui(ui, chart, k, &keys[k], name, &mut layout, actions);
                    if row.contains_pointer() {
                        emphasis = Some(k);
                    }
                }
                // Widen or narrow the column to what was on screen, from the next frame.
                if (layout.widest.clamp(VALUE_WIDTH, MAX_VALUE_WIDTH) - layout.value_width).abs()
                    > 0.5
                {
                    ui.ctx().request_repaint();
                }
                self.value_width = layout.widest;
            });
        emphasis
    }

    /// One series' row: select, show/hide, then from the right remove, solo, its value and
    /// its ticker and name in what room is left. Returns the row's response.
    #[allow(clippy::too_many_arguments)]
    fn row_ui(
        &mut self,
        ui: &mut egui::Ui,
        chart: &ComparisonChart,
        k: usize,
        key: &String,
        name: &str,
        layout: &mut RowLayout,
        actions: &mut Vec<ListAction>,
    ) -> egui::Response {
        ui.horizontal(|ui| {
            ui.set_height(ROW_HEIGHT - ui.spacing().item_spacing.y);
            // Tight spacing leaves the ticker its room in a narrow list.
            ui.spacing_mut().item_spacing.x = 3.0;
            let mut selected = self.selected.contains(key);
            let check = ui.checkbox(&mut selected, "");
            check.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::accesskit::Role::CheckBox,
                    true,
                    selected,
                    format!("Select {key}"),
                )
            });
            if check.changed() {
                if selected {
                    self.selected.insert(key.clone());
                } else {
                    self.selected.remove(key);
                }
            }
            let visible = chart.is_visible(k);
            if swatch_ui(ui, chart.color(k).unwrap_or_default(), visible, key).clicked() {
                actions.push(ListAction::SetVisible(key.clone(), !visible));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if labelled_small_button(ui, "✖", &format!("Remove {key}"))
                    .on_hover_text(format!("Remove {key} from the comparison"))
                    .clicked()
                {
                    actions.push(ListAction::Remove(vec![key.clone()]));
                }
                if labelled_small_button(ui, "S", &format!("Solo {key}"))
                    .on_hover_text("Show only this series (again: show all)")
                    .clicked()
                {
                    actions.push(ListAction::Solo(key.clone()));
                }
                self.value_and_names_ui(ui, chart, k, key, name, layout);
            });
        })
        .response
    }

    /// The row's value (the hovered day's, else the visible range's return) in a column
    /// that gives way first, then the ticker and as much of the name as fits.
    fn value_and_names_ui(
        &mut self,
        ui: &mut egui::Ui,
        chart: &ComparisonChart,
        k: usize,
        key: &String,
        name: &str,
        layout: &mut RowLayout,
    ) {
        let value = match layout.hovered_bar {
            Some(i) => chart.list_value_text(k, i),
            None => chart.visible_return(k).map(|r| {
                // +1155% rather than +1155.3%: the column is narrow.
                if r.abs() < 1000.0 {
                    format!("{r:+.1}%")
                } else {
                    format!("{r:+.0}%")
                }
            }),
        };
        // The ticker keeps its width; the value column gives way first.
        let late = chart.anchor().is_some() && chart.starts_after_rebase_day(k);
        let shown = if late {
            format!("{key} *")
        } else {
            key.clone()
        };
        let ticker = egui::WidgetText::from(egui::RichText::new(shown.as_str()).strong());
        let ticker_width = self.ticker_width(ui, &ticker, shown);
        let room = ui.available_width() - ticker_width - 2.0 * ui.spacing().item_spacing.x;
        let value = value.unwrap_or_else(|| "–".into());
        // Monospace: the width is the character count times one advance.
        layout.widest = layout
            .widest
            .max(value.chars().count() as f32 * layout.digit_width);
        let value = egui::WidgetText::from(egui::RichText::new(value).monospace());
        ui.add_sized(
            [layout.value_width.min(room).max(24.0), ROW_HEIGHT - 4.0],
            egui::Label::new(value).truncate(),
        );
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
            // The ticker first (short, always readable in a narrow list), then the display
            // name as far as the width allows; the whole name on hover.
            // The name takes what is left after the ticker.
            let mut labels = vec![ui.add(egui::Label::new(ticker).truncate())];
            // A name with no room for a few letters is left out.
            if name != key && ui.available_width() > 24.0 {
                ui.add_space(2.0);
                labels.push(ui.add(egui::Label::new(egui::RichText::new(name).weak()).truncate()));
            }
            let hover = if late {
                format!(
                    "{name} ({key}): starts after the rebase day, so it is rebased on its first \
                     day after it"
                )
            } else {
                format!("{name} ({key})")
            };
            for label in labels {
                label.on_hover_text(hover.clone());
            }
        });
    }

    /// The width of a row's `ticker` text (`shown`), measured once per ticker (laying the
    /// text out on every frame cost a tenth of the frame at 100 series).
    fn ticker_width(&mut self, ui: &egui::Ui, ticker: &egui::WidgetText, shown: String) -> f32 {
        if let Some(&w) = self.ticker_widths.get(&shown) {
            return w;
        }
        let w = ticker
            .clone()
            .into_galley(
                ui,
                Some(egui::TextWrapMode::Extend),
                f32::INFINITY,
                egui::TextStyle::Body,
            )
            .size()
            .x;
        self.ticker_widths.insert(shown, w);
        w
    }
}

/// How the rows in view are laid out this frame.
struct RowLayout {
    /// The value column's width (what the widest value needed last frame).
    value_width: f32,
    /// One monospace digit's advance.
    digit_width: f32,
    /// The bar under the comparison's crosshair, whose values the rows show.
    hovered_bar: Option<usize>,
    /// The widest value laid out this frame.
    widest: f32,
}

/// A small button announced as `label` (its text is a symbol).
fn labelled_small_button(ui: &mut egui::Ui, text: &str, label: &str) -> egui::Response {
    let button = ui.small_button(text);
    button.widget_info(|| {
        egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, label.to_owned())
    });
    button
}

/// A colour swatch that toggles the series' visibility (filled when shown).
fn swatch_ui(ui: &mut egui::Ui, color: egui::Color32, visible: bool, key: &str) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::click());
    response.widget_info(|| {
        egui::WidgetInfo::selected(
            egui::accesskit::Role::CheckBox,
            true,
            visible,
            format!("Show {key}"),
        )
    });
    let painter = ui.painter();
    if visible {
        painter.rect_filled(rect.shrink(1.0), 2.0, color);
    } else {
        painter.rect_stroke(
            rect.shrink(1.5),
            2.0,
            egui::Stroke::new(1.5, color),
            egui::StrokeKind::Inside,
        );
    }
    response.on_hover_text(if visible {
        format!("Hide {key}")
    } else {
        format!("Show {key}")
    })
}
