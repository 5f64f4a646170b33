//! `wickview repair`: bringing a store written by other tools to wickview's model.
//!
//! What is found and fixed, per category collection (MongoDB) or table (embedded):
//! duplicate `(ticker, day)` rows (the last written is kept), dates stored at another
//! instant than 00:00 UTC (mapped to the trading day in the exchange's own time zone),
//! dates stored as text, numbers stored as text, NaN or null, bars filed under a Yahoo
//! symbol (`005930.KS` → `005930`, the suffix kept as the source symbol), and bars of
//! tickers without metadata (metadata created, category from the collection, named by the
//! ticker); `ticker_metadata` documents of other shapes are rewritten in wickview's form
//! (see `mongo/meta.rs`) and documents naming one ticker merged (MongoDB). Then the
//! unique indexes are built. A bar that has no duplicate is never deleted; a document that
//! cannot be read at all is left as it is and reported. A dry run changes nothing.
//!
//! Bars dated before 1900 or after tomorrow (UTC), which older versions and other tools
//! stored, are listed per ticker ([`BadDates`]) and left as they are: they are never shown,
//! and a future one stops the ticker's updates. [`Store::remove_bad_dates`] (`wickview repair
//! --remove-bad-dates`) deletes them on request.

use chrono::NaiveDate;

use crate::model::{Category, shown};

use super::{Backend, Store, StoreError, dispatch};

/// What a repair found (and, unless a dry run, fixed) in one category's bars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CategoryRepair {
    /// Rows removed because a later-written row has the same ticker and trading day.
    pub duplicates: u64,
    /// Kept rows whose date was an instant other than 00:00 UTC.
    pub shifted_dates: u64,
    /// Kept rows whose date was text.
    pub text_dates: u64,
    /// Kept rows with a number stored as text, NaN, null or not at all.
    pub untidy_numbers: u64,
    /// Kept rows filed under a Yahoo symbol instead of the canonical ticker.
    pub yahoo_symbols: u64,
    /// Kept rows rewritten (any of the above but duplicates).
    pub rewritten: u64,
}

impl CategoryRepair {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The outcome of [`Store::repair`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Whether this was a dry run (nothing was changed).
    pub dry_run: bool,
    /// Findings per category, in [`Category::ALL`] order (categories with none left out).
    pub categories: Vec<(Category, CategoryRepair)>,
    /// Tickers whose metadata was (or, in a dry run, would be) created.
    pub metadata_created: Vec<String>,
    /// Tickers whose metadata documents were (or would be) merged into one: duplicates, or
    /// documents filed under a Yahoo symbol (`005930.KS`), the last written kept (MongoDB).
    pub metadata_merged: Vec<String>,
    /// Tickers whose `ticker_metadata` document was (or would be) rewritten in the canonical
    /// form, each with what was untidy: `005930 (ticker was the number 5930, active was
    /// 'yes')` (MongoDB).
    pub metadata_fixed: Vec<String>,
    /// Whether unique `(ticker, date)` indexes were missing (MongoDB); built unless a dry run.
    pub indexes_missing: bool,
    /// Rows left as they are because they cannot be read (where, and why).
    pub unreadable: Vec<String>,
    /// Bars dated before 1900 or after tomorrow, per ticker, in [`Category::ALL`] then ticker
    /// order: left as they are unless `remove_bad_dates`.
    pub bad_dates: Vec<BadDates>,
    /// Whether `bad_dates` were (or, in a dry run, would be) deleted
    /// ([`Store::remove_bad_dates`]).
    pub remove_bad_dates: bool,
}

/// One ticker's stored bars dated before 1900 or after tomorrow (UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadDates {
    /// The category whose collection (table) holds them.
    pub category: Category,
    /// The ticker they are filed under, as stored.
    pub ticker: String,
    /// How many there are.
    pub bars: u64,
    /// The earliest of their days (`None` where the stored date is no calendar day at all).
    pub first: Option<NaiveDate>,
    /// The latest of their days.
    pub last: Option<NaiveDate>,
}

impl BadDates {
    fn line(&self, removal: Option<&str>) -> String {
        let day = |d: Option<NaiveDate>| d.map_or_else(|| "?".to_owned(), |d| d.to_string());
        let head = format!(
            "{}: {}: {} bars dated before 1900 or after tomorrow ({} to {})",
            self.category.collection(),
            shown(&self.ticker),
            self.bars,
            day(self.first),
            day(self.last)
        );
        match removal {
            Some(verb) => format!("{head} {verb}"),
            None => format!(
                "{head} left as they are: they are not shown, and updates stop at a future \
                 one; `wickview repair --remove-bad-dates` deletes them"
            ),
        }
    }
}

impl RepairReport {
    /// Whether there was nothing to fix (unreadable rows and bad dates, which are left alone
    /// unless asked, aside).
    pub fn nothing_to_do(&self) -> bool {
        self.categories.iter().all(|(_, c)| c.is_empty())
            && self.metadata_created.is_empty()
            && self.metadata_merged.is_empty()
            && self.metadata_fixed.is_empty()
            && !self.indexes_missing
            && (self.bad_dates.is_empty() || !self.remove_bad_dates)
    }

    /// `done` after a repair, `todo` on a dry run.
    fn verb(&self, done: &'static str, todo: &'static str) -> &'static str {
        if self.dry_run { todo } else { done }
    }

    /// What was (or would be) repaired in the rows of one category, or `None`.
    fn category_line(&self, category: Category, c: &CategoryRepair) -> Option<String> {
        let verb = |done, todo| self.verb(done, todo);
        let mut parts = Vec::new();
        if c.duplicates > 0 {
            parts.push(format!(
                "{} duplicate rows {} (the last written of each day {})",
                c.duplicates,
                verb("removed", "to remove"),
                verb("kept", "is kept")
            ));
        }
        if c.shifted_dates > 0 {
            parts.push(format!(
                "{} dates at a non-midnight instant {} to their trading day in the exchange's time zone",
                c.shifted_dates,
                verb("mapped", "to map")
            ));
        }
        if c.text_dates > 0 {
            parts.push(format!(
                "{} text dates {}",
                c.text_dates,
                verb("converted", "to convert")
            ));
        }
        if c.untidy_numbers > 0 {
            parts.push(format!(
                "{} rows with text, NaN, null or missing numbers {}",
                c.untidy_numbers,
                verb("fixed", "to fix")
            ));
        }
        if c.yahoo_symbols > 0 {
            parts.push(format!(
                "{} rows filed under a Yahoo symbol {} to the canonical ticker",
                c.yahoo_symbols,
                verb("moved", "to move")
            ));
        }
        (!parts.is_empty()).then(|| format!("{}: {}", category.collection(), parts.join("; ")))
    }

    /// One line per finding, for the command line.
    pub fn lines(&self) -> Vec<String> {
        let verb = |done, todo| self.verb(done, todo);
        let mut out: Vec<String> = self
            .categories
            .iter()
            .filter_map(|(category, c)| self.category_line(*category, c))
            .collect();
        if !self.metadata_merged.is_empty() {
            out.push(format!(
                "ticker_metadata: {} into one document each (the last written kept, under \
                 its canonical ticker) for {} tickers with duplicate or Yahoo-symbol documents: {}",
                verb("merged", "to merge"),
                self.metadata_merged.len(),
                self.metadata_merged.join(", ")
            ));
        }
        if !self.metadata_fixed.is_empty() {
            out.push(format!(
                "ticker_metadata: {} documents {} in wickview's form: {}",
                self.metadata_fixed.len(),
                verb("rewritten", "to rewrite"),
                self.metadata_fixed.join("; ")
            ));
        }
        if !self.metadata_created.is_empty() {
            out.push(format!(
                "ticker_metadata: {} for {} tickers with bars but no metadata: {}",
                verb("created", "to create"),
                self.metadata_created.len(),
                self.metadata_created.join(", ")
            ));
        }
        if self.indexes_missing {
            out.push(format!(
                "unique (ticker, date) indexes {}",
                verb("built", "to build")
            ));
        }
        if !self.unreadable.is_empty() {
            out.push(format!(
                "{} unreadable rows or documents left as they are (fix or delete them by hand):",
                self.unreadable.len()
            ));
        }
        for u in &self.unreadable {
            out.push(format!("left as it is (unreadable): {u}"));
        }
        let removal = self.remove_bad_dates.then(|| verb("removed", "to remove"));
        out.extend(self.bad_dates.iter().map(|b| b.line(removal)));
        if self.nothing_to_do() {
            out.push("nothing to repair".to_owned());
        } else if self.dry_run {
            out.push("dry run: nothing was changed; run `wickview repair` to fix it".to_owned());
        }
        out
    }
}

impl Store {
    /// What is wrong with the store that `wickview repair` fixes, found at open (MongoDB:
    /// duplicate rows that keep a unique index from being built), or `None`.
    pub fn repair_needed(&self) -> Option<String> {
        match &*self.backend {
            Backend::Embedded(_) => None,
            Backend::Mongo(b) => b.repair_needed(),
        }
    }

    /// Finds (and unless `dry_run`, fixes) what other tools left in the store; see the
    /// module documentation. Safe to interrupt and rerun: a second run finds nothing to do.
    pub async fn repair(&self, dry_run: bool) -> Result<RepairReport, StoreError> {
        let mut report = match &*self.backend {
            Backend::Embedded(b) => b.repair(dry_run).await?,
            Backend::Mongo(b) => b.repair(dry_run).await?,
        };
        report.dry_run = dry_run;
        report.categories.retain(|(_, c)| !c.is_empty());
        report.bad_dates = dispatch!(self.bad_dates(false))?;
        Ok(report)
    }

    /// Deletes the stored bars dated before 1900 or after tomorrow (UTC) and returns them,
    /// per ticker. Nothing else is touched; a rerun finds nothing.
    pub async fn remove_bad_dates(&self) -> Result<Vec<BadDates>, StoreError> {
        dispatch!(self.bad_dates(true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lines() {
        let mut report = RepairReport {
            dry_run: true,
            categories: vec![(
                Category::KoreanStock,
                CategoryRepair {
                    duplicates: 3,
                    shifted_dates: 40,
                    ..CategoryRepair::default()
                },
            )],
            metadata_created: vec!["035720".into()],
            metadata_merged: vec![],
            metadata_fixed: vec![],
            indexes_missing: true,
            unreadable: vec![],
            bad_dates: vec![],
            remove_bad_dates: false,
        };
        let lines = report.lines();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(lines[0].starts_with("korean_stocks: 3 duplicate rows to remove"));
        assert!(lines[0].contains("40 dates at a non-midnight instant to map"));
        assert!(lines[1].contains("to create for 1 tickers with bars but no metadata: 035720"));
        assert!(lines[3].starts_with("dry run: nothing was changed"));
        report.dry_run = false;
        assert!(report.lines()[0].contains("3 duplicate rows removed"));
        assert!(!report.nothing_to_do());
        assert_eq!(RepairReport::default().lines(), ["nothing to repair"]);

        let odd = RepairReport {
            metadata_fixed: vec!["005930 (ticker was the number 5930)".into()],
            unreadable: vec!["ticker_metadata: document _id 7: it has no ticker".into()],
            ..RepairReport::default()
        };
        assert!(!odd.nothing_to_do());
        assert_eq!(
            odd.lines(),
            [
                "ticker_metadata: 1 documents rewritten in wickview's form: 005930 (ticker was \
                 the number 5930)",
                "1 unreadable rows or documents left as they are (fix or delete them by hand):",
                "left as it is (unreadable): ticker_metadata: document _id 7: it has no ticker",
            ]
        );
    }
}
