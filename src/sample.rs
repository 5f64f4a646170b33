//! The bundled sample series (real daily data, see `assets/sample/LICENSES.md`), loaded into
//! an empty store on first run so a fresh install opens onto real charts.

use crate::import::csv::read_csv;
use crate::model::{Category, ModelError, Ticker, TickerMeta};
use crate::store::{Store, StoreError, TickerQuery};

/// Errors of loading the sample.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The store refused a write.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bundled file did not parse (a build problem, not a user error).
    #[error("bundled sample {file}: {reason}")]
    Bundled {
        /// The file.
        file: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// A bundled ticker is invalid.
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// One bundled series.
pub struct Sample {
    /// File name under `assets/sample/`.
    pub file: &'static str,
    /// Category.
    pub category: Category,
    /// Canonical ticker.
    pub ticker: &'static str,
    /// Display name.
    pub name: &'static str,
    /// English name, where the display name is in another script (empty otherwise).
    pub name_en: &'static str,
    /// Resolved Yahoo symbol, where it differs from the ticker.
    pub source_symbol: Option<&'static str>,
    /// Whether updates collect it. The US samples are unadjusted prices, while Yahoo's chart
    /// API sends split-adjusted ones: appending one to the other would draw a false crash at
    /// the join, so they stay inactive. Samsung (split-adjusted) and the S&P 500 (an index)
    /// join Yahoo's data seamlessly.
    pub active: bool,
    /// The CSV text (date,open,high,low,close,volume).
    pub csv: &'static str,
}

/// Every bundled series.
pub const SAMPLES: &[Sample] = &[
    Sample {
        file: "005930.csv",
        category: Category::KoreanStock,
        ticker: "005930",
        name: "삼성전자",
        name_en: "Samsung Electronics",
        source_symbol: Some("005930.KS"),
        active: true,
        csv: include_str!("../assets/sample/005930.csv"),
    },
    Sample {
        file: "GSPC.csv",
        category: Category::Index,
        ticker: "^GSPC",
        name: "S&P 500",
        name_en: "",
        source_symbol: None,
        active: true,
        csv: include_str!("../assets/sample/GSPC.csv"),
    },
    Sample {
        file: "AAPL.csv",
        category: Category::UsStock,
        ticker: "AAPL",
        name: "Apple",
        name_en: "",
        source_symbol: None,
        active: false,
        csv: include_str!("../assets/sample/AAPL.csv"),
    },
    Sample {
        file: "MSFT.csv",
        category: Category::UsStock,
        ticker: "MSFT",
        name: "Microsoft",
        name_en: "",
        source_symbol: None,
        active: false,
        csv: include_str!("../assets/sample/MSFT.csv"),
    },
    Sample {
        file: "IBM.csv",
        category: Category::UsStock,
        ticker: "IBM",
        name: "IBM",
        name_en: "",
        source_symbol: None,
        active: false,
        csv: include_str!("../assets/sample/IBM.csv"),
    },
    Sample {
        file: "GOOG.csv",
        category: Category::UsStock,
        ticker: "GOOG",
        name: "Alphabet (Google)",
        name_en: "",
        source_symbol: None,
        active: false,
        csv: include_str!("../assets/sample/GOOG.csv"),
    },
];

/// Loads every sample into `store` if it holds no ticker at all; returns how many series were
/// loaded (0 when the store already had tickers). Safe to run twice: writes are upserts.
pub async fn seed_if_empty(store: &Store) -> Result<usize, SampleError> {
    let any = store
        .list_tickers(&TickerQuery {
            category: None,
            filter: None,
            active_only: false,
            offset: 0,
            limit: 1,
        })
        .await?;
    if any.total > 0 {
        return Ok(0);
    }
    for sample in SAMPLES {
        let parsed = read_csv(sample.csv.as_bytes()).map_err(|e| SampleError::Bundled {
            file: sample.file,
            reason: e.to_string(),
        })?;
        let ticker = Ticker::parse(sample.category, sample.ticker)?;
        let mut meta = TickerMeta::new(ticker.clone(), sample.name);
        meta.name_en = sample.name_en.to_owned();
        meta.source_symbol = sample.source_symbol.map(str::to_owned);
        meta.active = sample.active;
        match store.add_ticker(&meta).await {
            Ok(()) | Err(StoreError::DuplicateTicker(_)) => {}
            Err(e) => return Err(e.into()),
        }
        store.upsert_bars(&ticker, &parsed.series).await?;
        tracing::info!(
            "sample {}: {} bars ({} rows left out)",
            sample.ticker,
            parsed.series.len(),
            parsed.bad_rows.len()
        );
    }
    Ok(SAMPLES.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreConfig;

    #[tokio::test]
    async fn seeds_an_empty_store_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreConfig::Embedded {
            data_dir: dir.path().to_owned(),
        })
        .await
        .unwrap();
        assert_eq!(seed_if_empty(&store).await.unwrap(), SAMPLES.len());
        let samsung = store.ticker("005930").await.unwrap().unwrap();
        assert_eq!(samsung.name, "삼성전자");
        assert_eq!(samsung.name_en, "Samsung Electronics");
        assert_eq!(samsung.source_symbol.as_deref(), Some("005930.KS"));
        assert!(samsung.active);
        assert!(!store.ticker("AAPL").await.unwrap().unwrap().active);
        let s = store
            .load_series(&Ticker::parse(Category::UsStock, "AAPL").unwrap(), None)
            .await
            .unwrap();
        assert_eq!(s.len(), 3270);
        assert_eq!(s.first_day().unwrap().to_string(), "2000-03-01");
        // A second run leaves a non-empty store alone.
        assert_eq!(seed_if_empty(&store).await.unwrap(), 0);
        assert_eq!(store.bar_count("AAPL").await.unwrap(), 3270);
    }
}
