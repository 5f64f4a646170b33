//! Technical indicators on the candle chart: overlays on the price pane (Bollinger Bands, EMA
//! ribbons) and indicator panes below the volume pane (RSI, MACD, Stochastic, ATR, OBV, rate of
//! change), sharing the trading-day x axis and the crosshair.
//!
//! Each indicator is computed for the whole history on the compute pool (once per series and
//! parameters; results are cached per series), its lines turned into level-of-detail pyramids
//! there, and drawn by the GPU line and histogram pipelines, so a pane costs the same few
//! hundred quads zoomed out on 25 years as on one. The UI thread never computes an indicator.

use std::collections::HashMap;
use std::sync::Arc;

use egui::Color32;

use super::jobs::Jobs;
use crate::compute::indicators::{Indicator, IndicatorKind};
use crate::compute::lod::LinePyramid;
use crate::model::DailySeries;
use crate::render::{DrawCmd, GpuLine};
use crate::theme;

/// Height of a new indicator pane, in points.
pub const PANE_DEFAULT_HEIGHT: f32 = 120.0;
/// Smallest height a pane can be dragged to, in points.
pub const PANE_MIN_HEIGHT: f32 = 48.0;
/// Height of the drag handle above each pane, in points.
pub(crate) const HANDLE_HEIGHT: f32 = 7.0;

/// One computed output line of an indicator.
#[derive(Clone, Debug)]
pub struct IndicatorLine {
    /// Legend and tooltip label (`RSI 14`, `signal`, `%K`, …).
    pub label: String,
    /// Line (or positive bar) colour.
    pub color: Color32,
    /// One value per bar, NaN until defined.
    pub values: Arc<Vec<f64>>,
    /// Drawn as bars from zero (the MACD histogram) rather than a line.
    pub histogram: bool,
    /// Colour of a histogram's bars below zero (`color` is the bars above).
    down_color: Color32,
    gpu: Arc<GpuLine>,
}

impl IndicatorLine {
    /// The line's level-of-detail pyramid.
    pub(crate) fn pyramid(&self) -> &LinePyramid {
        self.gpu.pyramid()
    }

    /// The line as the GPU draws it.
    pub(crate) fn gpu_line(&self) -> Arc<GpuLine> {
        Arc::clone(&self.gpu)
    }
}

/// An indicator on the chart, with its computed lines once ready.
#[derive(Clone, Debug)]
pub struct ChartIndicator {
    /// The indicator and its parameters.
    pub indicator: Indicator,
    /// Pane height in points (panes only; overlays live in the price pane).
    pub height: f32,
    /// Collapsed to one line (its name and last value).
    pub collapsed: bool,
    lines: Option<Arc<Vec<IndicatorLine>>>,
    requested: bool,
    error: Option<String>,
}

impl ChartIndicator {
    fn new(indicator: Indicator) -> Self {
        Self {
            indicator,
            height: PANE_DEFAULT_HEIGHT,
            collapsed: false,
            lines: None,
            requested: false,
            error: None,
        }
    }

    /// Whether it is drawn in a pane of its own (not over the prices).
    pub fn is_pane(&self) -> bool {
        !self.indicator.kind().is_overlay()
    }

    /// The computed lines, once ready.
    pub fn lines(&self) -> Option<&[IndicatorLine]> {
        self.lines.as_deref().map(Vec::as_slice)
    }

    /// Why it could not be computed, if it failed.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// A pane's title: the indicator's spec, e.g. `macd:12,26,9`.
    pub fn title(&self) -> String {
        self.indicator.to_string()
    }

    /// GPU draw commands of its lines (bars first, lines over them).
    pub(crate) fn draw_cmds(&self, line_px: f32, hidden: &egui_plot::ItemIdSet) -> Vec<DrawCmd> {
        let Some(lines) = &self.lines else {
            return Vec::new();
        };
        let lines = lines
            .iter()
            .filter(|l| !hidden.contains(&egui_plot::ItemId::new(l.label.as_str())));
        let bars = lines
            .clone()
            .filter(|l| l.histogram)
            .map(|l| DrawCmd::Histogram {
                data: Arc::clone(&l.gpu),
                up: theme::rgba(l.color),
                down: theme::rgba(l.down_color),
            });
        let strokes = lines.filter(|l| !l.histogram).map(|l| DrawCmd::Line {
            data: Arc::clone(&l.gpu),
            color: theme::rgba(l.color),
            width_px: line_px,
            y_scale: 1.0,
            y_offset: 0.0,
        });
        bars.chain(strokes).collect()
    }

    /// The y range of a pane over the visible bars `range`: fixed 0–100 for the bounded
    /// oscillators, else the lines' min and max from their pyramids (O(log n)), with zero
    /// included for histograms, padded.
    pub(crate) fn y_range(&self, range: std::ops::Range<usize>) -> (f64, f64) {
        if matches!(
            self.indicator.kind(),
            IndicatorKind::Rsi | IndicatorKind::Stochastic
        ) {
            return (0.0, 100.0);
        }
        let mut lo_hi: Option<(f64, f64)> = None;
        for l in self.lines().unwrap_or(&[]) {
            if let Some((a, b)) = l.gpu.pyramid().min_max(range.clone()) {
                let (a, b) = if l.histogram {
                    (a.min(0.0), b.max(0.0))
                } else {
                    (a, b)
                };
                lo_hi = Some(lo_hi.map_or((a, b), |(lo, hi)| (lo.min(a), hi.max(b))));
            }
        }
        match lo_hi {
            Some((lo, hi)) if hi > lo => {
                let pad = (hi - lo) * 0.08;
                (lo - pad, hi + pad)
            }
            Some((v, _)) => (v - v.abs().max(1.0) * 0.1, v + v.abs().max(1.0) * 0.1),
            None => (0.0, 1.0),
        }
    }

    /// The legend's title: the indicator and its parameters, e.g. `MACD (12,26,9)`.
    pub fn legend_title(&self) -> String {
        let kind = self.indicator.kind().title();
        match self.title().split_once(':') {
            Some((_, params)) if !params.is_empty() => format!("{kind} ({params})"),
            _ => kind.to_owned(),
        }
    }

    /// Horizontal guide levels of the pane (RSI 30/50/70, Stochastic 20/50/80, MACD 0).
    pub(crate) fn guides(&self) -> &'static [f64] {
        match self.indicator.kind() {
            IndicatorKind::Rsi => &[30.0, 50.0, 70.0],
            IndicatorKind::Stochastic => &[20.0, 50.0, 80.0],
            IndicatorKind::Macd | IndicatorKind::Roc => &[0.0],
            _ => &[],
        }
    }
}

/// Line colours of an indicator's outputs, in output order (the overlays' from the theme's
/// palette, apart from the candles and the moving averages; a histogram's are set from the
/// candles by [`IndicatorSet::set_colors`]).
fn line_colors(indicator: &Indicator) -> Vec<Color32> {
    let blue = Color32::from_rgb(41, 98, 255);
    let orange = Color32::from_rgb(255, 152, 0);
    let purple = Color32::from_rgb(156, 39, 176);
    let teal = Color32::from_rgb(0, 150, 136);
    match indicator {
        Indicator::Bollinger { .. } => vec![
            theme::BOLLINGER_BANDS,
            theme::BOLLINGER_MIDDLE,
            theme::BOLLINGER_BANDS,
        ],
        Indicator::EmaRibbon { periods } => (0..periods.len())
            .map(|i| theme::ema_ribbon_color(i, periods.len()))
            .collect(),
        Indicator::Rsi { .. } => vec![purple],
        Indicator::Macd { .. } => vec![blue, orange, theme::CandleColors::WESTERN.histogram_up()],
        Indicator::Stochastic { .. } => vec![blue, orange],
        Indicator::Atr { .. } | Indicator::Roc { .. } => vec![teal],
        Indicator::Obv => vec![Color32::from_rgb(121, 85, 72)],
    }
}

/// Computes `indicator` over `series` and builds a pyramid per line (on the compute pool).
fn compute_lines(
    indicator: &Indicator,
    series: &DailySeries,
) -> Result<Vec<IndicatorLine>, String> {
    let columns = indicator.compute(series).map_err(|e| e.to_string())?;
    let labels = indicator.line_labels();
    let colors = line_colors(indicator);
    let is_macd = matches!(indicator, Indicator::Macd { .. });
    Ok(columns
        .into_iter()
        .enumerate()
        .map(|(i, c)| IndicatorLine {
            label: labels.get(i).cloned().unwrap_or(c.name),
            color: colors.get(i).copied().unwrap_or(Color32::GRAY),
            histogram: is_macd && i == 2,
            down_color: theme::CandleColors::WESTERN.histogram_down(),
            gpu: GpuLine::new(LinePyramid::build(&c.values)),
            values: Arc::new(c.values),
        })
        .collect())
}

type JobResult = (String, Result<Arc<Vec<IndicatorLine>>, String>);

/// `lines` with their histogram bars in the candles' up and down colours (the same lines
/// when they have them already).
fn with_candle_colors(
    lines: &Arc<Vec<IndicatorLine>>,
    colors: theme::CandleColors,
) -> Arc<Vec<IndicatorLine>> {
    let (up, down) = (colors.histogram_up(), colors.histogram_down());
    if lines
        .iter()
        .all(|l| !l.histogram || (l.color == up && l.down_color == down))
    {
        return Arc::clone(lines);
    }
    Arc::new(
        lines
            .iter()
            .cloned()
            .map(|mut l| {
                if l.histogram {
                    l.color = up;
                    l.down_color = down;
                }
                l
            })
            .collect(),
    )
}

/// The indicators of one chart: what is shown, the background computations and their cache.
pub(crate) struct IndicatorSet {
    entries: Vec<ChartIndicator>,
    jobs: Jobs<JobResult>,
    cache: HashMap<String, Arc<Vec<IndicatorLine>>>,
    series: Option<Arc<DailySeries>>,
    /// The candles' colours, which histogram bars take.
    colors: theme::CandleColors,
    /// The toolbar's editor: open, and the text of each entry's parameter field.
    pub(crate) editor_open: bool,
    edit_texts: Vec<String>,
    edit_error: Option<String>,
}

impl IndicatorSet {
    pub(crate) fn new() -> Self {
        Self {
            entries: Vec::new(),
            jobs: Jobs::new(),
            cache: HashMap::new(),
            series: None,
            colors: theme::CandleColors::WESTERN,
            editor_open: false,
            edit_texts: Vec::new(),
            edit_error: None,
        }
    }

    /// A new series: every indicator is recomputed for it (the cache holds one series).
    pub(crate) fn set_series(&mut self, series: Arc<DailySeries>) {
        self.jobs.new_generation();
        self.cache.clear();
        self.series = Some(series);
        for e in &mut self.entries {
            e.lines = None;
            e.requested = false;
            e.error = None;
        }
    }

    /// The candles' colours: histogram bars above zero take the rising colour, below zero
    /// the falling one (red up, blue down under the Korean convention).
    pub(crate) fn set_colors(&mut self, colors: theme::CandleColors) {
        self.colors = colors;
        for lines in self.cache.values_mut() {
            *lines = with_candle_colors(lines, colors);
        }
        for e in &mut self.entries {
            if let Some(lines) = &e.lines {
                e.lines = Some(with_candle_colors(lines, colors));
            }
        }
    }

    pub(crate) fn entries(&self) -> &[ChartIndicator] {
        &self.entries
    }

    pub(crate) fn entries_mut(&mut self) -> &mut [ChartIndicator] {
        &mut self.entries
    }

    /// Replaces the set, keeping computed lines (and pane heights) of indicators still in it.
    pub(crate) fn set(&mut self, indicators: &[Indicator]) {
        let old = std::mem::take(&mut self.entries);
        self.entries = indicators
            .iter()
            .map(|ind| {
                old.iter()
                    .find(|e| e.indicator == *ind)
                    .cloned()
                    .unwrap_or_else(|| self.fresh(ind.clone()))
            })
            .collect();
        self.sync_texts();
    }

    fn fresh(&self, indicator: Indicator) -> ChartIndicator {
        let mut e = ChartIndicator::new(indicator);
        if let Some(lines) = self.cache.get(&e.indicator.to_string()) {
            e.lines = Some(Arc::clone(lines));
            e.requested = true;
        }
        e
    }

    fn sync_texts(&mut self) {
        self.edit_texts = self.entries.iter().map(ChartIndicator::title).collect();
    }

    pub(crate) fn add(&mut self, indicator: Indicator) {
        let e = self.fresh(indicator);
        self.entries.push(e);
        self.sync_texts();
    }

    pub(crate) fn remove(&mut self, index: usize) {
        if index < self.entries.len() {
            self.entries.remove(index);
            self.sync_texts();
        }
    }

    /// Changes the parameters of entry `index` (same place, same pane height).
    pub(crate) fn replace(&mut self, index: usize, indicator: Indicator) {
        if index >= self.entries.len() {
            return;
        }
        let height = self.entries[index].height;
        let collapsed = self.entries[index].collapsed;
        let mut e = self.fresh(indicator);
        e.height = height;
        e.collapsed = collapsed;
        self.entries[index] = e;
        self.sync_texts();
    }

    pub(crate) fn is_loading(&self) -> bool {
        self.jobs.is_busy()
            || self
                .entries
                .iter()
                .any(|e| e.lines.is_none() && e.error.is_none() && !e.requested)
    }

    /// Drains finished computations and starts the missing ones; true if lines arrived.
    pub(crate) fn poll(&mut self, ctx: &egui::Context) -> bool {
        let mut changed = false;
        let colors = self.colors;
        for (key, result) in self.jobs.poll() {
            let result = result.map(|lines| with_candle_colors(&lines, colors));
            for e in self
                .entries
                .iter_mut()
                .filter(|e| e.indicator.to_string() == key)
            {
                match &result {
                    Ok(lines) => e.lines = Some(Arc::clone(lines)),
                    Err(err) => e.error = Some(err.clone()),
                }
                changed = true;
            }
            if let Ok(lines) = result {
                self.cache.insert(key, lines);
            }
        }
        let Some(series) = &self.series else {
            return changed;
        };
        let mut asked: Vec<String> = Vec::new();
        for e in &mut self.entries {
            if e.requested || e.lines.is_some() || e.error.is_some() {
                continue;
            }
            e.requested = true;
            let key = e.indicator.to_string();
            if asked.contains(&key) {
                continue;
            }
            asked.push(key.clone());
            let indicator = e.indicator.clone();
            let series = Arc::clone(series);
            self.jobs.spawn(Some(ctx.clone()), move || {
                let result = compute_lines(&indicator, &series).map(Arc::new);
                if let Err(e) = &result {
                    tracing::warn!("indicator {indicator}: {e}");
                }
                (key, result)
            });
        }
        changed
    }

    /// The editor row under the toolbar: add buttons, one parameter field and a remove button
    /// per indicator. Returns whether the set changed.
    pub(crate) fn editor_ui(&mut self, ui: &mut egui::Ui) -> bool {
        let mut changed = false;
        ui.horizontal_wrapped(|ui| {
            ui.label("Add:");
            for kind in IndicatorKind::ALL {
                let button = ui
                    .button(format!("+ {}", kind.keyword().to_uppercase()))
                    .on_hover_text(format!("Add {}", kind.title()));
                if button.clicked() {
                    self.add(kind.default_indicator());
                    changed = true;
                }
            }
        });
        let mut remove = None;
        let mut apply: Option<(usize, String)> = None;
        ui.horizontal_wrapped(|ui| {
            for (i, e) in self.entries.iter().enumerate() {
                let Some(text) = self.edit_texts.get_mut(i) else {
                    continue;
                };
                let title = e.indicator.kind().title();
                ui.label(egui::RichText::new(title).strong());
                let edit = ui.add(
                    egui::TextEdit::singleline(text)
                        .desired_width(110.0)
                        .hint_text(format!("{title} parameters")),
                );
                if edit.lost_focus() && ui.input(|inp| inp.key_pressed(egui::Key::Enter)) {
                    apply = Some((i, text.clone()));
                }
                if ui
                    .small_button(format!("× {}", e.indicator.kind().keyword()))
                    .on_hover_text(format!("Remove {}", e.title()))
                    .clicked()
                {
                    remove = Some(i);
                }
                ui.separator();
            }
        });
        if let Some((i, text)) = apply {
            match text.parse::<Indicator>() {
                Ok(ind) => {
                    self.edit_error = None;
                    if self.entries.get(i).is_some_and(|e| e.indicator != ind) {
                        self.replace(i, ind);
                        changed = true;
                    }
                }
                Err(e) => self.edit_error = Some(e.to_string()),
            }
        }
        if let Some(i) = remove {
            self.remove(i);
            self.edit_error = None;
            changed = true;
        }
        if let Some(err) = &self.edit_error {
            ui.colored_label(Color32::LIGHT_RED, err);
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Bar;

    fn series(n: u32) -> Arc<DailySeries> {
        let d0 = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        let (s, _) = DailySeries::from_bars((0..n).map(|i| {
            let c = 100.0 + f64::from(i % 11) - f64::from(i % 4);
            Bar::ohlc(d0 + chrono::Days::new(i.into()), c, c + 1.0, c - 1.0, c)
        }));
        Arc::new(s)
    }

    #[test]
    fn lines_are_the_kernels_values_with_pyramids() {
        let s = series(300);
        let macd: Indicator = "macd:12,26,9".parse().unwrap_or(Indicator::Obv);
        let lines = compute_lines(&macd, &s).unwrap_or_default();
        assert_eq!(lines.len(), 3);
        let want = crate::compute::indicators::macd(s.close(), (12, 26, 9)).unwrap_or_default();
        assert_eq!(lines[0].label, "MACD");
        assert!(lines[2].histogram && !lines[0].histogram);
        assert!(
            lines[2]
                .values
                .iter()
                .zip(&want.hist)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        assert_eq!(lines[1].gpu.pyramid().len(), 300);
    }

    #[test]
    fn set_keeps_computed_entries_and_y_ranges_fit() {
        let mut set = IndicatorSet::new();
        set.set_series(series(200));
        let rsi = Indicator::Rsi { period: 14 };
        let atr = Indicator::Atr { period: 14 };
        set.set(std::slice::from_ref(&rsi));
        let lines = compute_lines(&rsi, &series(200)).map(Arc::new).ok();
        set.entries[0].lines = lines;
        set.entries[0].height = 200.0;
        set.set(&[atr.clone(), rsi.clone()]);
        assert!(set.entries[1].lines.is_some() && set.entries[1].height == 200.0);
        assert!(set.entries[0].lines.is_none());
        assert_eq!(set.entries[1].y_range(0..200), (0.0, 100.0));
        set.entries[0].lines = compute_lines(&atr, &series(200)).map(Arc::new).ok();
        let (lo, hi) = set.entries[0].y_range(100..150);
        let values = &set.entries[0].lines().unwrap_or(&[])[0].values[100..150];
        let (min, max) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        assert!(lo < min && hi > max && lo > min - (max - min) && hi < max + (max - min));
        set.remove(0);
        assert_eq!(set.entries.len(), 1);
        set.replace(0, Indicator::Rsi { period: 9 });
        assert_eq!(set.entries[0].height, 200.0);
        assert!(
            set.entries[0].lines.is_none(),
            "new parameters are recomputed"
        );
    }
}
