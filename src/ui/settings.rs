//! What the window remembers between runs (eframe storage): open view, tickers shown,
//! moving-average choices, comparison set, panel state. Window size is kept by eframe.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
    pub layouts: BTreeMap<String, super::layout::LayoutSettings>,
    /// The indicators of each category's chart (`storage_name` → specs such as `rsi:14`),
    /// remembered as the user adds, edits and removes them.
    pub indicators: BTreeMap<String, Vec<String>>,
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
        }
    }
}

impl Settings {
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
