//! Which sources serve which tickers, in what order, and the set of sources of one run.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::health::HealthBoard;
use super::{Source, SourceConfig, SourceError, SourceId};
use crate::model::{Category, TickerMeta};

/// The order in which each category's sources are tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routes {
    by_category: BTreeMap<Category, Vec<SourceId>>,
}

impl Default for Routes {
    /// KRX stocks: Yahoo, then Naver. US stocks: Yahoo. Indices: Yahoo, then Naver for the
    /// Korean ones. Exchange rates: Yahoo, then the ECB, then FRED.
    fn default() -> Self {
        use SourceId::{Ecb, Fred, Naver, Yahoo};
        let by_category = BTreeMap::from([
            (Category::KoreanStock, vec![Yahoo, Naver]),
            (Category::UsStock, vec![Yahoo]),
            (Category::Index, vec![Yahoo, Naver]),
            (Category::Currency, vec![Yahoo, Ecb, Fred]),
        ]);
        Self { by_category }
    }
}

impl Routes {
    /// One source for every category (a mirror of one source, tests).
    pub fn only(id: SourceId) -> Self {
        Self {
            by_category: Category::ALL.into_iter().map(|c| (c, vec![id])).collect(),
        }
    }

    /// The sources of `category`, in order.
    pub fn for_category(&self, category: Category) -> &[SourceId] {
        self.by_category.get(&category).map_or(&[], Vec::as_slice)
    }

    /// Sets the order of one category (at least one source, no repeats).
    pub fn set(&mut self, category: Category, order: Vec<SourceId>) -> Result<(), String> {
        if order.is_empty() {
            return Err(format!(
                "[source.order] {}: name at least one source",
                category.storage_name()
            ));
        }
        let mut seen = order.clone();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() != order.len() {
            return Err(format!(
                "[source.order] {}: a source is named twice",
                category.storage_name()
            ));
        }
        self.by_category.insert(category, order);
        Ok(())
    }
}

/// The sources of one run: built once, shared by every download, with their health.
#[derive(Debug)]
pub struct SourceSet {
    sources: BTreeMap<SourceId, Arc<dyn Source>>,
    routes: Routes,
    health: HealthBoard,
}

impl SourceSet {
    /// Builds every source named in the configured routes (one HTTP client each).
    pub fn new(config: &SourceConfig) -> Result<Self, SourceError> {
        let mut sources: BTreeMap<SourceId, Arc<dyn Source>> = BTreeMap::new();
        for category in Category::ALL {
            for &id in config.routes.for_category(category) {
                if let std::collections::btree_map::Entry::Vacant(slot) = sources.entry(id) {
                    slot.insert(build(id, config)?);
                }
            }
        }
        Ok(Self {
            sources,
            routes: config.routes.clone(),
            health: HealthBoard::new(config.breaker_failures),
        })
    }

    /// Adds `source` (one no route names, e.g. asked for by name), replacing a source of
    /// the same id.
    pub fn add(&mut self, source: Arc<dyn Source>) {
        self.sources.insert(source.id(), source);
    }

    /// A set of given sources (tests, tools), tried in the given routes' order.
    pub fn with_sources(
        sources: Vec<Arc<dyn Source>>,
        routes: Routes,
        breaker_failures: u32,
    ) -> Self {
        Self {
            sources: sources.into_iter().map(|s| (s.id(), s)).collect(),
            routes,
            health: HealthBoard::new(breaker_failures),
        }
    }

    /// The sources that cover `meta`, in the order they are tried (those whose breaker
    /// tripped included: the caller checks [`HealthBoard::allows`] right before asking).
    pub fn order_for(&self, meta: &TickerMeta) -> Vec<Arc<dyn Source>> {
        self.routes
            .for_category(meta.category())
            .iter()
            .filter_map(|id| self.sources.get(id))
            .filter(|s| s.symbol(meta).is_some())
            .cloned()
            .collect()
    }

    /// One source of the set.
    pub fn get(&self, id: SourceId) -> Option<Arc<dyn Source>> {
        self.sources.get(&id).cloned()
    }

    /// The run's health board.
    pub fn health(&self) -> &HealthBoard {
        &self.health
    }
}

/// Builds one source from the configuration.
pub fn build(id: SourceId, config: &SourceConfig) -> Result<Arc<dyn Source>, SourceError> {
    Ok(match id {
        SourceId::Yahoo => Arc::new(super::YahooSource::new(config.clone())?),
        SourceId::Ecb => Arc::new(super::EcbSource::new(config)?),
        SourceId::Fred => Arc::new(super::FredSource::new(config)?),
        SourceId::Naver => Arc::new(super::naver::NaverSource::new(config)?),
    })
}
