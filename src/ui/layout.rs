//! Multi-chart layouts of a category viewer: 1, 2 (side by side or stacked) or 4 (2x2)
//! charts, each with its own ticker, with an optional linked crosshair (the same calendar
//! day marked in every chart) and linked time range (zoom or pan one, all follow, aligned
//! by calendar date across trading calendars). Remembered between runs in the settings.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::chart::{CandleChart, ChartResponse};

/// How many charts a viewer shows, and how they are arranged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Layout {
    /// One chart.
    #[default]
    One,
    /// Two charts side by side.
    SideBySide,
    /// Two charts, one above the other.
    Stacked,
    /// Four charts in a 2x2 grid.
    Grid,
}

impl Layout {
    /// Every layout, in menu order.
    pub const ALL: [Self; 4] = [Self::One, Self::SideBySide, Self::Stacked, Self::Grid];

    /// Number of charts.
    pub fn count(self) -> usize {
        match self {
            Self::One => 1,
            Self::SideBySide | Self::Stacked => 2,
            Self::Grid => 4,
        }
    }

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::One => "1 chart",
            Self::SideBySide => "2 side by side",
            Self::Stacked => "2 stacked",
            Self::Grid => "2x2",
        }
    }

    /// Parses `1`, `2`, `2h` (side by side), `2v` (stacked) or `4`/`2x2`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1" | "one" => Some(Self::One),
            "2" | "2h" | "side-by-side" => Some(Self::SideBySide),
            "2v" | "stacked" => Some(Self::Stacked),
            "4" | "2x2" | "grid" => Some(Self::Grid),
            _ => None,
        }
    }

    /// The rectangles of the charts in `area`, `gap` points apart, in slot order
    /// (left to right, then top to bottom).
    pub fn cells(self, area: egui::Rect, gap: f32) -> Vec<egui::Rect> {
        let split_x = |r: egui::Rect| {
            let w = (r.width() - gap) / 2.0;
            [
                egui::Rect::from_min_size(r.min, egui::vec2(w, r.height())),
                egui::Rect::from_min_size(
                    r.min + egui::vec2(w + gap, 0.0),
                    egui::vec2(w, r.height()),
                ),
            ]
        };
        let split_y = |r: egui::Rect| {
            let h = (r.height() - gap) / 2.0;
            [
                egui::Rect::from_min_size(r.min, egui::vec2(r.width(), h)),
                egui::Rect::from_min_size(
                    r.min + egui::vec2(0.0, h + gap),
                    egui::vec2(r.width(), h),
                ),
            ]
        };
        match self {
            Self::One => vec![area],
            Self::SideBySide => split_x(area).to_vec(),
            Self::Stacked => split_y(area).to_vec(),
            Self::Grid => split_y(area).into_iter().flat_map(split_x).collect(),
        }
    }
}

/// The layout of one category viewer, as remembered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LayoutSettings {
    /// The arrangement.
    pub layout: Layout,
    /// Tickers of the charts after the first (the first shows the viewer's selected
    /// ticker); any category. Empty strings are empty charts.
    pub tickers: Vec<String>,
    /// Mark the day under the pointer in every chart.
    pub link_crosshair: bool,
    /// Zooming or panning one chart moves the others to the same dates.
    pub link_range: bool,
    /// The chart that takes the keyboard and the search box's pick.
    pub active: usize,
    /// The dates the linked charts show (first and last, edge to edge), kept so a restart
    /// or a chart that loads later opens on them.
    pub linked_days: Option<(NaiveDate, NaiveDate)>,
}

impl Default for LayoutSettings {
    fn default() -> Self {
        Self {
            layout: Layout::One,
            tickers: Vec::new(),
            link_crosshair: true,
            link_range: true,
            active: 0,
            linked_days: None,
        }
    }
}

impl LayoutSettings {
    /// Reads a stored layout field by field (see [`super::lenient`]): a field that does not
    /// decode keeps its default, with a reset naming it; `None` when `raw` is no layout.
    pub fn from_stored(
        raw: &ron::value::RawValue,
        at: &str,
        resets: &mut Vec<super::lenient::Reset>,
    ) -> Option<Self> {
        let mut fields = super::lenient::Fields::nested(raw, at, resets)?;
        Some(super::lenient::decode_fields!(
            fields,
            LayoutSettings {
                layout: field,
                tickers: field,
                link_crosshair: field,
                link_range: field,
                active: field,
                linked_days: field,
            }
        ))
    }

    /// The ticker of chart `slot` (≥ 1), if one is set.
    pub fn ticker(&self, slot: usize) -> Option<&str> {
        self.tickers
            .get(slot.checked_sub(1)?)
            .map(String::as_str)
            .filter(|t| !t.is_empty())
    }

    /// Sets the ticker of chart `slot` (≥ 1).
    pub fn set_ticker(&mut self, slot: usize, ticker: &str) {
        let Some(k) = slot.checked_sub(1) else { return };
        if self.tickers.len() <= k {
            self.tickers.resize(k + 1, String::new());
        }
        self.tickers[k] = ticker.to_owned();
    }

    /// The layout row: arrangement and link toggles.
    pub fn bar_ui(&mut self, ui: &mut egui::Ui, trailing: impl FnOnce(&mut egui::Ui)) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Layout:");
            for layout in Layout::ALL {
                if ui
                    .selectable_label(self.layout == layout, layout.label())
                    .clicked()
                {
                    self.layout = layout;
                    self.active = self.active.min(layout.count() - 1);
                }
            }
            if self.layout.count() > 1 {
                ui.separator();
                ui.checkbox(&mut self.link_crosshair, "Link crosshair")
                    .on_hover_text("Mark the day under the pointer in every chart");
                ui.checkbox(&mut self.link_range, "Link time range")
                    .on_hover_text("Zoom or pan one chart and the others follow, by date");
            }
            ui.separator();
            trailing(ui);
        });
    }
}

/// Shows the remembered linked dates in `charts` (ones whose ticker just loaded: after a
/// restart, every chart); returns whether each could show them (a chart with no bar
/// between them keeps its own view, and its dates should then lead).
pub fn show_linked_days(charts: &mut [&mut CandleChart], settings: &LayoutSettings) -> bool {
    let Some((from, to)) = settings.linked_days.filter(|_| settings.link_range) else {
        return false;
    };
    let mut all = true;
    for c in charts.iter_mut() {
        all &= c.show_days(from, to);
    }
    all
}

/// What a chart of a layout told since the charts were last linked: whether its view moved
/// (by the user, as its [`ChartResponse`] said, or by the app: a range from the command
/// line, the active chart's toolbar, a date picked), and the day under the pointer as it
/// was last drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChartEvents {
    /// Whether the view moved since [`link_charts`] last read it.
    pub view_moved: bool,
    /// The day under the pointer in the chart's last frame.
    pub hovered_day: Option<NaiveDate>,
}

impl ChartEvents {
    /// Records a frame of the chart: a move is kept until the charts are linked.
    pub fn record(&mut self, response: &ChartResponse) {
        self.view_moved |= response.view_moved;
        self.hovered_day = response.hovered_day;
    }
}

/// Links the charts of a layout after they were drawn: the crosshair day of the hovered
/// chart to the others, and the dates of a chart whose view moved to the others (by
/// calendar date: the dates at the view's edges, so histories that end on different days
/// show one date span), remembered in `settings`. Each chart comes with its
/// [`ChartEvents`], whose moves are taken. Returns whether anything changed (the others
/// then need another frame).
pub fn link_charts(
    charts: &mut [(&mut CandleChart, &mut ChartEvents)],
    settings: &mut LayoutSettings,
) -> bool {
    let mut changed = false;
    let hovered = charts
        .iter()
        .enumerate()
        .find_map(|(i, (_, e))| e.hovered_day.map(|d| (i, d)));
    for (c, _) in charts.iter_mut() {
        let day = hovered.filter(|_| settings.link_crosshair).map(|(_, d)| d);
        if c.link().linked_day != day {
            c.link_mut().linked_day = day;
            changed = true;
        }
    }
    let moved = charts
        .iter_mut()
        .enumerate()
        .filter_map(|(i, (_, e))| std::mem::take(&mut e.view_moved).then_some(i))
        .last();
    if !settings.link_range {
        settings.linked_days = None;
    }
    if settings.link_range
        && let Some(src) = moved
        && let Some(span) = charts[src].0.linked_span()
    {
        for (i, (c, _)) in charts.iter_mut().enumerate() {
            if i != src && c.linked_span() != Some(span) {
                c.show_span(span);
                changed = true;
            }
        }
        settings.linked_days = Some((span.from, span.to));
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chart of `n` daily bars from 2024-01-01, on its whole history.
    fn chart(n: u32) -> CandleChart {
        use crate::model::{Bar, DailySeries};
        let day =
            |k: u32| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(k.into());
        let (series, _) =
            DailySeries::from_bars((0..n).map(|k| Bar::ohlc(day(k), 10.0, 11.0, 9.0, 10.0)));
        let mut c = CandleChart::new(("layout_test", n));
        c.set_series(
            super::super::chart::ChartSeries::new("T", std::sync::Arc::new(series)),
            crate::ui::theme::CandleColors::WESTERN,
            &[],
        );
        c.set_view(super::super::chart::XView::full(n as usize));
        c
    }

    /// A move a response told is taken once, and the others follow it by date; the hovered
    /// day of one chart is the others' crosshair.
    #[test]
    fn charts_link_from_their_events() {
        let (mut a, mut b) = (chart(40), chart(60));
        let mut settings = LayoutSettings {
            link_range: true,
            link_crosshair: true,
            ..LayoutSettings::default()
        };
        let (mut ea, mut eb) = (ChartEvents::default(), ChartEvents::default());
        // Chart b drew a frame in which the user moved it to 2024-01-11..30.
        b.set_view(super::super::chart::XView {
            start: 9.5,
            end: 29.5,
        });
        let hovered = NaiveDate::from_ymd_opt(2024, 2, 20).unwrap();
        eb.record(&ChartResponse {
            view_moved: true,
            hovered_day: Some(hovered),
            ..ChartResponse::default()
        });
        // Nothing moved or hovered: no change, the record kept.
        ea.record(&ChartResponse::default());
        assert!(eb.view_moved && !ea.view_moved);
        let mut charts = [(&mut a, &mut ea), (&mut b, &mut eb)];
        assert!(link_charts(&mut charts, &mut settings));
        let span = b.linked_span().unwrap();
        assert_eq!(a.linked_span(), Some(span));
        assert_eq!(settings.linked_days, Some((span.from, span.to)));
        assert_eq!(a.link().linked_day, Some(hovered));
        assert!(!eb.view_moved, "the move is taken");
        // The next frame: nothing new, nothing to do.
        let mut charts = [(&mut a, &mut ea), (&mut b, &mut eb)];
        assert!(!link_charts(&mut charts, &mut settings));
        // A move made by the app (no response) is linked the same way.
        a.set_view(super::super::chart::XView::full(40));
        ea.view_moved = true;
        let mut charts = [(&mut a, &mut ea), (&mut b, &mut eb)];
        assert!(link_charts(&mut charts, &mut settings));
        assert_eq!(b.linked_span(), a.linked_span());
    }

    #[test]
    fn cells_split_the_area() {
        let area = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1000.0, 600.0));
        let grid = Layout::Grid.cells(area, 10.0);
        assert_eq!(grid.len(), 4);
        assert_eq!(
            grid[0],
            egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(495.0, 295.0))
        );
        assert_eq!(grid[3].max, area.max);
        let stacked = Layout::Stacked.cells(area, 0.0);
        assert_eq!(stacked[1].min, egui::pos2(0.0, 300.0));
        assert_eq!(
            Layout::SideBySide.cells(area, 0.0)[1].min,
            egui::pos2(500.0, 0.0)
        );
        assert_eq!(Layout::parse("2x2"), Some(Layout::Grid));
        assert_eq!(Layout::parse("2v"), Some(Layout::Stacked));
        assert_eq!(Layout::parse("3"), None);
    }

    #[test]
    fn slot_tickers_and_json() {
        let mut s = LayoutSettings::default();
        s.set_ticker(3, "^KS11");
        assert_eq!(s.tickers, ["", "", "^KS11"]);
        assert_eq!(s.ticker(1), None);
        assert_eq!(s.ticker(3), Some("^KS11"));
        assert_eq!(s.ticker(0), None);
        s.layout = Layout::Grid;
        let back: LayoutSettings =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        let partial: LayoutSettings = serde_json::from_str(r#"{"layout":"Stacked"}"#).unwrap();
        assert!(partial.link_range && partial.link_crosshair);
    }
}
