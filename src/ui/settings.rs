//! What the window remembers between runs (eframe storage): open view, tickers shown,
//! moving-average choices, comparison set, panel state. Window size is kept by eframe.
//!
//! The stored settings are read field by field ([`Settings::from_stored`], `ui/lenient.rs`):
//! a field that no longer decodes keeps its default and is named, every other field is kept.
//! They are written whenever they change ([`SettingsSaver`]), not only at exit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::layout::LayoutSettings;
use super::lenient::{Fields, Reset, decode_fields};
use crate::model::{Category, MaSet};

/// Key of the settings in eframe's storage.
pub const STORAGE_KEY: &str = "wickview-settings";

/// Which view fills the central area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ViewKind {
    /// The viewer of one category.
    Category(Category),
    /// The comparison view.
    Comparison,
}

impl ViewKind {
    /// Every view, in tab order.
    pub const ALL: [Self; 5] = [
        Self::Category(Category::KoreanStock),
        Self::Category(Category::UsStock),
        Self::Category(Category::Index),
        Self::Category(Category::Currency),
        Self::Comparison,
    ];

    /// Tab label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Category(c) => c.label(),
            Self::Comparison => "Comparison",
        }
    }

    /// Parses `kr`, `us`, `index`, `fx` or `compare`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "compare" | "comparison" | "cmp" => Some(Self::Comparison),
            other => Category::parse(other).ok().map(Self::Category),
        }
    }
}

/// Tabs of the side panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PanelTab {
    /// Updaters.
    #[default]
    Update,
    /// Ticker lists and metadata editor.
    Tickers,
    /// Built-in benchmarks.
    Benchmarks,
    /// Which store is in use.
    Storage,
}

impl PanelTab {
    /// Every tab, in order.
    pub const ALL: [Self; 4] = [Self::Update, Self::Tickers, Self::Benchmarks, Self::Storage];

    /// Tab label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Update => "Update",
            Self::Tickers => "Tickers",
            Self::Benchmarks => "Benchmarks",
            Self::Storage => "Storage",
        }
    }

    /// Parses a tab name (`update`, `tickers`, `benchmarks`, `storage`), any case.
    pub fn parse(s: &str) -> Option<Self> {
        let lower = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|t| t.label().to_ascii_lowercase() == lower)
    }
}

/// How the comparison view picks its mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CompareChoice {
    /// Dual axis for two series of similar relative range, normalised otherwise.
    #[default]
    Auto,
    /// Rebased to 100 at the first visible day.
    Rebased100,
    /// Percent change since the first visible day.
    PercentChange,
    /// Two y axes (two series only).
    DualAxis,
    /// Raw values on one axis.
    Absolute,
}

impl CompareChoice {
    /// Every choice, in menu order.
    pub const ALL: [Self; 5] = [
        Self::Auto,
        Self::Rebased100,
        Self::PercentChange,
        Self::DualAxis,
        Self::Absolute,
    ];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Auto => "Auto",
            Self::Rebased100 => "Rebased to 100",
            Self::PercentChange => "% change",
            Self::DualAxis => "Dual axis",
            Self::Absolute => "Absolute",
        }
    }
}

/// Everything persisted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The open view.
    pub view: ViewKind,
    /// The ticker shown in each category viewer, by `Category::storage_name`.
    pub selected: BTreeMap<String, String>,
    /// Moving averages switched off, per category (`storage_name` → windows).
    pub ma_disabled: BTreeMap<String, Vec<usize>>,
    /// Extra moving averages switched on beyond the defaults, per category.
    pub ma_extra: BTreeMap<String, Vec<usize>>,
    /// The index view's moving-average set.
    pub index_ma_set: MaSet,
    /// Logarithmic price axis.
    pub log_y: bool,
    /// Prices adjusted for dividends as well as splits (total return, dividends
    /// reinvested), in every viewer and the comparison.
    pub total_return: bool,
    /// Tickers of the comparison view, in order.
    pub comparison: Vec<String>,
    /// Comparison mode choice.
    pub compare_choice: CompareChoice,
    /// Tickers of the comparison hidden with the series list.
    pub comparison_hidden: Vec<String>,
    /// Logarithmic y axis in the comparison.
    pub comparison_log_y: bool,
    /// Whether the comparison's series list is open.
    pub comparison_list_open: bool,
    /// The currency the comparison shows prices in.
    pub comparison_currency: super::compare_fx::DisplayCurrency,
    /// Whether the side panel is open.
    pub panel_open: bool,
    /// The side panel's tab.
    pub panel_tab: PanelTab,
    /// Rows per page of the ticker lists.
    pub page_size: u64,
    /// The chart layout of each category viewer (`storage_name` → layout).
    pub layouts: BTreeMap<String, LayoutSettings>,
    /// The indicators of each category's chart (`storage_name` → specs such as `rsi:14`),
    /// remembered as the user adds, edits and removes them.
    pub indicators: BTreeMap<String, Vec<String>>,
    /// The bar interval of each chart of each category viewer (`storage_name` → one per
    /// chart of its layout, the first chart first); daily where none is set.
    pub intervals: BTreeMap<String, Vec<crate::compute::Interval>>,
    /// How each category's chart draws the price (`storage_name` → candles, OHLC bars,
    /// line or area); candles when none is set.
    pub chart_types: BTreeMap<String, crate::ui::chart::ChartType>,
    /// Whether the price scale fits the bars only, not the moving averages and overlays.
    pub scale_candles_only: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            view: ViewKind::Category(Category::KoreanStock),
            selected: BTreeMap::new(),
            ma_disabled: BTreeMap::new(),
            ma_extra: BTreeMap::new(),
            index_ma_set: MaSet::A,
            log_y: false,
            total_return: false,
            comparison: Vec::new(),
            compare_choice: CompareChoice::Auto,
            comparison_hidden: Vec::new(),
            comparison_log_y: false,
            comparison_list_open: true,
            comparison_currency: super::compare_fx::DisplayCurrency::Native,
            panel_open: true,
            panel_tab: PanelTab::Update,
            page_size: 25,
            layouts: BTreeMap::new(),
            indicators: BTreeMap::new(),
            intervals: BTreeMap::new(),
            chart_types: BTreeMap::new(),
            scale_candles_only: true,
        }
    }
}

impl Settings {
    /// The settings stored at [`STORAGE_KEY`] in `storage` (defaults when none are), and the
    /// stored values that could not be read and were reset to their defaults.
    pub fn load(storage: Option<&dyn eframe::Storage>) -> (Self, Vec<Reset>) {
        match storage.and_then(|s| s.get_string(STORAGE_KEY)) {
            Some(text) => Self::from_stored(&text),
            None => (Self::default(), Vec::new()),
        }
    }

    /// Reads stored settings (RON) field by field: a field that does not decode keeps its
    /// default and is named in the resets, every other field is kept; in the maps, one bad
    /// entry is left out alone.
    pub fn from_stored(text: &str) -> (Self, Vec<Reset>) {
        let mut resets = Vec::new();
        let settings = match Fields::parse(text, "all settings", &mut resets) {
            Some(mut fields) => decode_fields!(
                fields,
                Settings {
                    view: field,
                    selected: map,
                    ma_disabled: map,
                    ma_extra: map,
                    index_ma_set: field,
                    log_y: field,
                    total_return: field,
                    comparison: field,
                    compare_choice: field,
                    comparison_hidden: field,
                    comparison_log_y: field,
                    comparison_list_open: field,
                    comparison_currency: field,
                    panel_open: field,
                    panel_tab: field,
                    page_size: field,
                    layouts: map_with(LayoutSettings::from_stored),
                    indicators: map,
                    intervals: map,
                    chart_types: map,
                    scale_candles_only: field,
                }
            ),
            None => Self::default(),
        };
        (settings, resets)
    }

    /// The indicators remembered for `category`'s chart (specs that no longer parse are
    /// skipped with a warning).
    pub fn indicators_for(&self, category: Category) -> Vec<crate::compute::indicators::Indicator> {
        self.indicators
            .get(category.storage_name())
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .filter_map(|spec| match spec.parse() {
                Ok(i) => Some(i),
                Err(e) => {
                    tracing::warn!("remembered indicator skipped: {e}");
                    None
                }
            })
            .collect()
    }

    /// Remembers `indicators` for `category`'s chart.
    pub fn set_indicators(
        &mut self,
        category: Category,
        indicators: &[crate::compute::indicators::Indicator],
    ) {
        let specs: Vec<String> = indicators.iter().map(ToString::to_string).collect();
        self.indicators
            .insert(category.storage_name().to_owned(), specs);
    }

    /// The bar interval of chart `slot` (0 is the first) of `category`'s viewer.
    pub fn interval(&self, category: Category, slot: usize) -> crate::compute::Interval {
        self.intervals
            .get(category.storage_name())
            .and_then(|v| v.get(slot))
            .copied()
            .unwrap_or_default()
    }

    /// How `category`'s chart draws the price.
    pub fn chart_type(&self, category: Category) -> crate::ui::chart::ChartType {
        self.chart_types
            .get(category.storage_name())
            .copied()
            .unwrap_or_default()
    }

    /// Remembers the bar interval of chart `slot` of `category`'s viewer.
    pub fn set_interval(
        &mut self,
        category: Category,
        slot: usize,
        interval: crate::compute::Interval,
    ) {
        if self.interval(category, slot) == interval {
            return;
        }
        let v = self
            .intervals
            .entry(category.storage_name().to_owned())
            .or_default();
        if v.len() <= slot {
            v.resize(slot + 1, crate::compute::Interval::Daily);
        }
        v[slot] = interval;
    }

    /// Remembers how `category`'s chart draws the price.
    pub fn set_chart_type(&mut self, category: Category, chart_type: crate::ui::chart::ChartType) {
        self.chart_types
            .insert(category.storage_name().to_owned(), chart_type);
    }

    /// The moving-average windows offered in `category`'s viewer, and whether each is on.
    pub fn ma_windows(&self, category: Category) -> Vec<(usize, bool)> {
        let key = category.storage_name();
        let defaults = category.default_ma_windows(self.index_ma_set);
        let disabled = self.ma_disabled.get(key).map(Vec::as_slice).unwrap_or(&[]);
        let extra = self.ma_extra.get(key).map(Vec::as_slice).unwrap_or(&[]);
        let mut out: Vec<(usize, bool)> = defaults
            .iter()
            .map(|w| (*w, !disabled.contains(w)))
            .collect();
        for w in category.available_ma_windows() {
            if !defaults.contains(&w) {
                out.push((w, extra.contains(&w)));
            }
        }
        out
    }

    /// Switches one moving average of `category` on or off.
    pub fn set_ma(&mut self, category: Category, window: usize, on: bool) {
        let key = category.storage_name().to_owned();
        let is_default = category
            .default_ma_windows(self.index_ma_set)
            .contains(&window);
        let (add_to, remove_from) = match (is_default, on) {
            (true, true) => (None, Some(&mut self.ma_disabled)),
            (true, false) => (Some(&mut self.ma_disabled), None),
            (false, true) => (Some(&mut self.ma_extra), None),
            (false, false) => (None, Some(&mut self.ma_extra)),
        };
        if let Some(map) = add_to {
            let v = map.entry(key.clone()).or_default();
            if !v.contains(&window) {
                v.push(window);
                v.sort_unstable();
            }
        }
        if let Some(map) = remove_from
            && let Some(v) = map.get_mut(&key)
        {
            v.retain(|w| *w != window);
        }
    }

    /// The active chart of `category`'s viewer (0 with one chart).
    pub fn active_slot(&self, category: Category) -> usize {
        self.layouts
            .get(category.storage_name())
            .filter(|l| l.layout.count() > 1)
            .map_or(0, |l| l.active.min(l.layout.count() - 1))
    }

    /// Puts `ticker` (any category) into the active chart of the open category viewer when
    /// that is a chart after the first of a multi-chart layout; returns whether it did (the
    /// first chart shows the viewer's own ticker, picked as in a one-chart viewer).
    pub fn place_in_active_chart(&mut self, ticker: &str) -> bool {
        let ViewKind::Category(category) = self.view else {
            return false;
        };
        let slot = self.active_slot(category);
        if slot == 0 {
            return false;
        }
        if let Some(l) = self.layouts.get_mut(category.storage_name()) {
            l.set_ticker(slot, ticker);
            return true;
        }
        false
    }
}

/// Writes the settings to eframe's storage as soon as they change, so a change survives a
/// crash or a kill (eframe itself saves every 30 s and at exit).
#[derive(Debug, Default)]
pub struct SettingsSaver {
    /// What was last written (`None`: nothing yet).
    written: Option<Settings>,
}

impl SettingsSaver {
    /// Writes `settings` and flushes `storage` when they differ from what was last
    /// written; returns whether it wrote.
    pub fn save_if_changed(
        &mut self,
        settings: &Settings,
        storage: &mut dyn eframe::Storage,
    ) -> bool {
        if self.written.as_ref() == Some(settings) {
            return false;
        }
        eframe::set_value(storage, STORAGE_KEY, settings);
        storage.flush();
        self.written = Some(settings.clone());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ma_defaults_and_switches() {
        let mut s = Settings::default();
        let kr = s.ma_windows(Category::KoreanStock);
        assert_eq!(
            kr.iter()
                .filter(|(_, on)| *on)
                .map(|(w, _)| *w)
                .collect::<Vec<_>>(),
            vec![5, 20, 60, 120]
        );
        assert!(s.ma_windows(Category::Currency).iter().all(|(_, on)| !on));
        s.set_ma(Category::KoreanStock, 20, false);
        s.set_ma(Category::Currency, 50, true);
        assert!(s.ma_windows(Category::KoreanStock).contains(&(20, false)));
        assert!(s.ma_windows(Category::Currency).contains(&(50, true)));
        s.set_ma(Category::KoreanStock, 20, true);
        assert!(s.ma_windows(Category::KoreanStock).contains(&(20, true)));
        s.index_ma_set = MaSet::B;
        let idx: Vec<usize> = s
            .ma_windows(Category::Index)
            .into_iter()
            .filter(|(_, on)| *on)
            .map(|(w, _)| w)
            .collect();
        assert_eq!(idx, vec![5, 10, 20, 50, 200]);
    }

    #[test]
    fn indicators_are_remembered_per_category() {
        use crate::compute::indicators::Indicator;
        let mut s = Settings::default();
        assert!(s.indicators_for(Category::UsStock).is_empty());
        let set = [
            Indicator::Rsi { period: 9 },
            "bb:20,2.5".parse::<Indicator>().unwrap(),
        ];
        s.set_indicators(Category::UsStock, &set);
        let back: Settings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back.indicators_for(Category::UsStock), set);
        assert!(back.indicators_for(Category::KoreanStock).is_empty());
        s.indicators.insert(
            Category::KoreanStock.storage_name().into(),
            vec!["rsi:1".into(), "atr:5".into()],
        );
        assert_eq!(
            s.indicators_for(Category::KoreanStock),
            vec![Indicator::Atr { period: 5 }]
        );
    }

    /// The chart type is remembered per category; settings written before it existed (no
    /// `chart_types`, no `scale_candles_only`) load with candles and the bars-only scale.
    #[test]
    fn chart_types_are_per_category_and_old_settings_load() {
        use crate::ui::chart::ChartType;
        let mut s = Settings::default();
        assert_eq!(s.chart_type(Category::UsStock), ChartType::Candles);
        assert!(s.scale_candles_only);
        s.set_chart_type(Category::UsStock, ChartType::Ohlc);
        assert_eq!(s.chart_type(Category::UsStock), ChartType::Ohlc);
        assert_eq!(s.chart_type(Category::KoreanStock), ChartType::Candles);
        let (back, resets) = Settings::from_stored(&stored(&s));
        assert_eq!(back.chart_type(Category::UsStock), ChartType::Ohlc);
        assert!(resets.is_empty(), "{resets:?}");

        let old = stored(&Settings::default())
            .replacen("chart_types:{},", "", 1)
            .replacen(",scale_candles_only:true", "", 1);
        assert!(
            !old.contains("chart_types") && !old.contains("scale_candles_only"),
            "{old}"
        );
        let (back, resets) = Settings::from_stored(&old);
        assert_eq!(back, Settings::default());
        assert!(resets.is_empty(), "{resets:?}");
        // An unknown type stored by a later version drops that entry alone.
        let text = stored(&s).replacen("\"us_stock\":ohlc", "\"us_stock\":renko", 1);
        assert_ne!(text, stored(&s));
        let (back, resets) = Settings::from_stored(&text);
        assert_eq!(back.chart_type(Category::UsStock), ChartType::Candles);
        assert_eq!(resets.len(), 1, "{resets:?}");
    }

    /// Settings unlike the defaults in every field.
    fn customised() -> Settings {
        use super::super::layout::Layout;
        let mut s = Settings {
            view: ViewKind::Category(Category::UsStock),
            selected: [("us".to_owned(), "AAPL".to_owned())].into(),
            index_ma_set: MaSet::B,
            log_y: true,
            total_return: true,
            comparison: vec!["005930".into(), "^GSPC".into()],
            compare_choice: CompareChoice::DualAxis,
            comparison_hidden: vec!["^GSPC".into()],
            comparison_log_y: true,
            comparison_list_open: false,
            comparison_currency: super::super::compare_fx::DisplayCurrency::Krw,
            panel_open: false,
            panel_tab: PanelTab::Tickers,
            page_size: 100,
            scale_candles_only: false,
            ..Settings::default()
        };
        s.set_chart_type(Category::UsStock, crate::ui::chart::ChartType::Area);
        s.set_ma(Category::KoreanStock, 20, false);
        s.set_ma(Category::Currency, 50, true);
        s.set_indicators(
            Category::UsStock,
            &[crate::compute::indicators::Indicator::Rsi { period: 9 }],
        );
        s.layouts.insert(
            "kr".into(),
            LayoutSettings {
                layout: Layout::Grid,
                tickers: vec!["AAPL".into(), String::new(), "MSFT".into()],
                link_crosshair: false,
                link_range: false,
                active: 2,
                linked_days: None,
            },
        );
        s.set_interval(Category::KoreanStock, 2, crate::compute::Interval::Monthly);
        s.set_interval(Category::UsStock, 0, crate::compute::Interval::Weekly);
        s
    }

    /// Each chart keeps its own interval; settings written before intervals existed read
    /// back with every chart daily and nothing reset.
    #[test]
    fn intervals_are_remembered_per_chart() {
        use crate::compute::Interval;
        let s = customised();
        assert_eq!(s.interval(Category::KoreanStock, 0), Interval::Daily);
        assert_eq!(s.interval(Category::KoreanStock, 2), Interval::Monthly);
        assert_eq!(s.interval(Category::UsStock, 0), Interval::Weekly);
        assert_eq!(s.interval(Category::Index, 3), Interval::Daily);
        let (back, resets) = Settings::from_stored(&stored(&s));
        assert!(resets.is_empty(), "{resets:?}");
        assert_eq!(back.interval(Category::KoreanStock, 2), Interval::Monthly);
        let old = stored(&s).replacen(
            ",intervals:{\"korean_stock\":[Daily,Daily,Monthly],\"us_stock\":[Weekly]}",
            "",
            1,
        );
        assert!(!old.contains("intervals"), "{old}");
        let (back, resets) = Settings::from_stored(&old);
        assert!(resets.is_empty(), "{resets:?}");
        assert!(back.intervals.is_empty());
        assert_eq!(back.interval(Category::UsStock, 0), Interval::Daily);
        // eframe's own reading of an old file takes the default too.
        assert!(ron::from_str::<Settings>(&old).is_ok());
    }

    /// eframe's way of writing them.
    fn stored(s: &Settings) -> String {
        ron::ser::to_string(s).unwrap()
    }

    #[test]
    fn stored_settings_read_back_whole() {
        let s = customised();
        let (back, resets) = Settings::from_stored(&stored(&s));
        assert_eq!(back, s);
        assert!(resets.is_empty(), "{resets:?}");
        // What eframe itself reads agrees.
        let theirs: Settings = ron::from_str(&stored(&s)).unwrap();
        assert_eq!(theirs, s);
    }

    /// A page size of `"big"` and an unknown layout reset those two values only: every
    /// other setting (the rest of that layout included) is kept, and both are named.
    #[test]
    fn one_bad_field_resets_only_itself() {
        let s = customised();
        let text = stored(&s);
        let bad = text
            .replacen("page_size:100", "page_size:\"big\"", 1)
            .replacen("layout:Grid", "layout:\"3x3\"", 1);
        assert_ne!(bad, text, "the stored form changed: {text}");
        let (back, resets) = Settings::from_stored(&bad);
        let mut expected = s.clone();
        expected.page_size = Settings::default().page_size;
        if let Some(l) = expected.layouts.get_mut("kr") {
            l.layout = super::super::layout::Layout::One;
        }
        assert_eq!(back, expected);
        let named: Vec<String> = resets.iter().map(ToString::to_string).collect();
        assert_eq!(
            named,
            vec![
                r#"page size ("big" is not a number)"#.to_owned(),
                r#"layouts → kr → layout (unknown layout "3x3")"#.to_owned(),
            ]
        );
        // eframe's own reading loses everything.
        assert!(ron::from_str::<Settings>(&bad).is_err());
    }

    /// A bad entry of a map leaves the category's entry out and keeps the others; text
    /// that is not settings at all resets everything, said once.
    #[test]
    fn bad_map_entries_drop_alone_and_unreadable_text_resets_all() {
        let s = customised();
        let text = stored(&s).replacen(
            "indicators:{",
            "indicators:{\"kr\":[1,2],\"fx\":\"rsi\",",
            1,
        );
        let (back, resets) = Settings::from_stored(&text);
        assert_eq!(back, s);
        assert_eq!(resets.len(), 2, "{resets:?}");
        assert!(
            resets.iter().any(|r| r.field == "indicators → kr"),
            "{resets:?}"
        );
        assert!(
            resets.iter().any(|r| r.field == "indicators → fx"),
            "{resets:?}"
        );
        let (back, resets) = Settings::from_stored("(view: Comparison, page_si");
        assert_eq!(back, Settings::default());
        assert_eq!(resets.len(), 1);
        assert_eq!(resets[0].field, "all settings");
    }

    /// Storage in memory that counts its flushes (eframe's file storage writes on flush).
    #[derive(Default)]
    struct Memory {
        kv: BTreeMap<String, String>,
        flushes: usize,
    }

    impl eframe::Storage for Memory {
        fn get_string(&self, key: &str) -> Option<String> {
            self.kv.get(key).cloned()
        }
        fn set_string(&mut self, key: &str, value: String) {
            self.kv.insert(key.to_owned(), value);
        }
        fn remove_string(&mut self, key: &str) {
            self.kv.remove(key);
        }
        fn flush(&mut self) {
            self.flushes += 1;
        }
    }

    /// A change is written and flushed at once (not at the next 30 s auto-save), and only
    /// a change.
    #[test]
    fn settings_are_written_when_they_change() {
        let mut storage = Memory::default();
        let mut saver = SettingsSaver::default();
        let mut s = customised();
        assert!(saver.save_if_changed(&s, &mut storage));
        assert_eq!(storage.flushes, 1);
        assert!(!saver.save_if_changed(&s, &mut storage));
        assert_eq!(storage.flushes, 1);
        s.comparison.retain(|t| t != "^GSPC");
        assert!(saver.save_if_changed(&s, &mut storage));
        assert_eq!(storage.flushes, 2);
        let (back, resets) = Settings::load(Some(&storage));
        assert_eq!(back, s);
        assert!(resets.is_empty());
    }

    #[test]
    fn settings_round_trip_through_json() {
        let s = Settings {
            view: ViewKind::Comparison,
            comparison: vec!["005930".into(), "^GSPC".into()],
            ..Settings::default()
        };
        let text = serde_json::to_string(&s).unwrap();
        let back: Settings = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
        // Unknown or missing fields fall back to defaults instead of failing.
        let partial: Settings = serde_json::from_str(r#"{"log_y": true}"#).unwrap();
        assert!(partial.log_y);
        assert_eq!(partial.page_size, 25);
        assert_eq!(ViewKind::parse("compare"), Some(ViewKind::Comparison));
        assert_eq!(
            ViewKind::parse("fx"),
            Some(ViewKind::Category(Category::Currency))
        );
    }
}
