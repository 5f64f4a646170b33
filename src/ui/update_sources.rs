//! The Update tab's account of its sources: which sources serve each category and in
//! what order, what each one adjusts and which exchange-rate fixing it publishes, how each
//! fared in the last run, and which tickers a fallback served and why.

use crate::model::Category;
use crate::source::{SourceConfig, SourceId};
use crate::update::UpdateSummary;

/// The "Sources" section: the configured order per category, each source's URL (where a
/// mirror replaces it), adjustment and fixing, and its health in `last` (the latest run
/// that ended).
pub fn sources_ui(ui: &mut egui::Ui, config: &SourceConfig, last: Option<&UpdateSummary>) {
    let health = last.map(|s| s.sources.as_slice()).unwrap_or_default();
    let tripped = health.iter().filter(|(_, h)| h.tripped).count();
    let title = if tripped > 0 {
        format!("Sources ({tripped} failing in the last run)")
    } else {
        "Sources".to_owned()
    };
    egui::CollapsingHeader::new(title)
        .id_salt("update_sources")
        .show(ui, |ui| {
            for category in Category::ALL {
                let order: Vec<&str> = config
                    .routes
                    .for_category(category)
                    .iter()
                    .map(|id| id.label())
                    .collect();
                ui.label(format!("{}: {}", category.label(), order.join(" → ")));
            }
            ui.separator();
            for id in SourceId::ALL {
                let used = Category::ALL
                    .iter()
                    .any(|c| config.routes.for_category(*c).contains(&id));
                if !used {
                    continue;
                }
                ui.horizontal_wrapped(|ui| {
                    ui.strong(id.label());
                    let url = config.url(id);
                    if url != id.default_url() {
                        ui.small(format!("at {url}"));
                    }
                });
                let mut about = id.adjustment().to_owned();
                if config.routes.for_category(Category::Currency).contains(&id) {
                    about.push_str(&format!("; exchange rates: {}", id.fixing()));
                }
                ui.small(about);
                if let Some((_, h)) = health.iter().find(|(s, _)| *s == id) {
                    let line = format!("Last run: {}", h.describe());
                    if h.tripped {
                        ui.colored_label(egui::Color32::LIGHT_RED, line);
                    } else {
                        ui.small(line);
                    }
                }
            }
            ui.small(
                "A ticker goes to the next source when one fails; a source failing \
                 several times in a row is skipped for the rest of the run. A fallback whose \
                 prices (or, for exchange rates, fixing) differ from the stored bars replaces \
                 the whole history instead of stitching it.",
            );
        });
}

/// One line per source that served tickers in a run: `Sources: 12 Yahoo Finance, 2 Naver
/// Finance` (`None` when no ticker was served).
pub fn served_line(summary: &UpdateSummary) -> Option<String> {
    if summary.served_by.is_empty() {
        return None;
    }
    let parts: Vec<String> = summary
        .served_by
        .iter()
        .map(|(id, n)| format!("{n} {}", id.label()))
        .collect();
    Some(format!("Served by: {}", parts.join(", ")))
}

/// The tickers a fallback served, with why.
pub fn fallbacks_ui(ui: &mut egui::Ui, salt: &str, fallbacks: &[(String, SourceId, String)]) {
    if fallbacks.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("Served by a fallback ({})", fallbacks.len()))
        .id_salt(("fallbacks", salt))
        .show(ui, |ui| {
            for (ticker, id, why) in fallbacks {
                ui.horizontal_wrapped(|ui| {
                    ui.strong(ticker);
                    ui.label(format!("from {}:", id.label()));
                    ui.small(why);
                });
            }
        });
}

/// The tickers whose stored close of the day an update fetched again differs from the
/// serving source's (the history was kept): what `verify` would look at first.
pub fn disagreements_ui(
    ui: &mut egui::Ui,
    salt: &str,
    disagreements: &[(String, SourceId, crate::check::Disagreement)],
) {
    if disagreements.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!(
        "Closes that differ from the stored ones ({})",
        disagreements.len()
    ))
    .id_salt(("disagreements", salt))
    .default_open(true)
    .show(ui, |ui| {
        for (ticker, id, d) in disagreements {
            ui.colored_label(
                egui::Color32::LIGHT_RED,
                crate::update::verify::overlap_line(ticker, *id, d),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_line_counts_per_source() {
        let mut s = UpdateSummary::default();
        assert_eq!(served_line(&s), None);
        s.served_by.insert(SourceId::Yahoo, 12);
        s.served_by.insert(SourceId::Naver, 2);
        assert_eq!(
            served_line(&s).unwrap(),
            "Served by: 12 Yahoo Finance, 2 Naver Finance"
        );
    }
}
