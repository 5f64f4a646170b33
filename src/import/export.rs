//! CSV export of stored bars with optional moving averages, a rebased close and technical
//! indicators.

use std::io::Write;

use std::collections::HashMap;

use chrono::NaiveDate;

use super::ImportError;
use crate::compute;
use crate::compute::indicators::Indicator;
use crate::model::DailySeries;
use crate::store::BarProvenance;

/// The column `--normalize` adds: the close rebased to 100 at the first exported day.
pub const REBASED_COLUMN: &str = "close_rebased_100";

/// The column added when the exported range ends on a provisional bar: `1` on that row.
pub const PROVISIONAL_COLUMN: &str = "provisional";

/// The next to last column, always written: the download source that wrote the bar
/// (`yahoo`, `naver`, …), empty where it is not recorded.
pub const SOURCE_COLUMN: &str = "source";

/// The last column, always written: the day's foreign ownership ratio in percent (KRX bars
/// from Naver), empty where none is stored.
pub const FOREIGN_RATIO_COLUMN: &str = "foreign_ratio";

/// What to export.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportOptions {
    /// First day (inclusive); `None` from the first stored day.
    pub from: Option<NaiveDate>,
    /// Last day (inclusive); `None` to the last stored day.
    pub to: Option<NaiveDate>,
    /// Simple moving-average windows, one `sma_<w>` column each.
    pub ma_windows: Vec<usize>,
    /// Add [`REBASED_COLUMN`].
    pub normalize: bool,
    /// Indicators, each adding its columns ([`Indicator::column_names`]) in this order.
    pub indicators: Vec<Indicator>,
    /// Write total-return prices (adjusted for dividends as well as splits,
    /// [`compute::adjust::total_return`]); averages and indicators follow them.
    pub total_return: bool,
    /// Write weekly or monthly bars ([`compute::resample`]: ISO weeks and calendar months,
    /// each dated by its last trading day); averages and indicators are computed on them.
    pub interval: compute::Interval,
}

fn cell(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}

/// [`write_export_with`] without stored provenance: the source and foreign ratio columns
/// are written empty.
pub fn write_export(
    series: &DailySeries,
    options: &ExportOptions,
    out: impl Write,
) -> Result<usize, ImportError> {
    write_export_with(series, &[], options, out)
}

/// Writes `series` as CSV: `date,open,high,low,close,volume` (open/high/low empty for a
/// close-only bar), then `sma_<w>` per window (empty where the window is not yet full), then
/// [`REBASED_COLUMN`] if asked, then each indicator's columns (empty until defined), then
/// [`PROVISIONAL_COLUMN`] if the last exported bar is provisional, then always
/// [`SOURCE_COLUMN`] and [`FOREIGN_RATIO_COLUMN`] from `provenance` (the stored days', in
/// any order; empty for a day it lacks). A weekly or monthly bar's source is its days' one
/// source, or their sources joined by `+` in order of appearance where they differ (days
/// without one left out), and its foreign ratio that of its last day. With a weekly or monthly
/// [`ExportOptions::interval`] the rows are the aggregated bars (total-return prices are
/// adjusted first, then aggregated), and `--from`/`--to` pick bars by their date. Moving averages and
/// indicators are computed over the whole series given (pandas `rolling(w).mean()`, TA-Lib for
/// the indicators) and then cut to the range, so the first exported days carry their true
/// values when earlier history exists. Prices are written in Rust's shortest round-trip form, so a
/// re-import reads back the same `f64`s (an import reads the prices and ignores the other
/// columns). Returns the rows written.
pub fn write_export_with(
    series: &DailySeries,
    provenance: &[BarProvenance],
    options: &ExportOptions,
    out: impl Write,
) -> Result<usize, ImportError> {
    let by_day: HashMap<NaiveDate, &BarProvenance> =
        provenance.iter().map(|p| (p.date, p)).collect();
    let adjusted;
    let series = if options.total_return {
        adjusted = compute::adjust::total_return(series);
        &adjusted
    } else {
        series
    };
    let resampled;
    // Per written bar's day: its source and foreign ratio cells.
    let provenance_cells: HashMap<NaiveDate, (String, String)>;
    let series = if options.interval == compute::Interval::Daily {
        provenance_cells = daily_provenance_cells(series, &by_day);
        series
    } else {
        provenance_cells = period_provenance_cells(series, &by_day, options.interval);
        resampled = compute::resample(series, options.interval);
        &resampled
    };
    let (mas, indicator_columns) = studies(series, options)?;
    let from = options.from.unwrap_or(NaiveDate::MIN);
    let to = options.to.unwrap_or(NaiveDate::MAX);
    let range = series.range_of(from, to);
    let rebased = options
        .normalize
        .then(|| compute::rebase(&series.close()[range.clone()], 0));

    let mut w = csv::Writer::from_writer(out);
    // A provisional last bar (fetched while its exchange was open) is marked.
    let provisional = series
        .provisional_day()
        .filter(|p| range.clone().any(|i| series.days()[i] == *p));
    let header = export_header(options, &indicator_columns, provisional.is_some());
    let io = |e: csv::Error| ImportError::Export(e.to_string());
    w.write_record(&header).map_err(io)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for (k, i) in range.clone().enumerate() {
        row.clear();
        row.push(series.days()[i].format("%Y-%m-%d").to_string());
        for col in [
            series.open(),
            series.high(),
            series.low(),
            series.close(),
            series.volume(),
        ] {
            // A close-only bar leaves open/high/low empty.
            row.push(cell(col[i]));
        }
        for ma in &mas {
            row.push(cell(ma[i]));
        }
        if let Some(r) = &rebased {
            row.push(cell(r[k]));
        }
        for c in &indicator_columns {
            row.push(cell(c.values[i]));
        }
        if let Some(p) = provisional {
            row.push(if series.days()[i] == p { "1" } else { "" }.to_owned());
        }
        let (source, ratio) = provenance_cells
            .get(&series.days()[i])
            .map_or(("", ""), |(s, r)| (s.as_str(), r.as_str()));
        row.push(source.to_owned());
        row.push(ratio.to_owned());
        w.write_record(&row).map_err(io)?;
    }
    w.flush().map_err(|e| ImportError::Export(e.to_string()))?;
    Ok(range.len())
}

/// The moving averages and the indicators' columns `options` asks for, over the whole of
/// `series`.
fn studies(
    series: &DailySeries,
    options: &ExportOptions,
) -> Result<(Vec<Vec<f64>>, Vec<compute::indicators::IndicatorColumn>), ImportError> {
    let mas = compute::sma(series.close(), &options.ma_windows)
        .map_err(|e| ImportError::Export(e.to_string()))?;
    let mut indicator_columns = Vec::new();
    for ind in &options.indicators {
        let cols = ind
            .compute(series)
            .map_err(|e| ImportError::Export(format!("{ind}: {e}")))?;
        indicator_columns.extend(cols);
    }
    Ok((mas, indicator_columns))
}

/// The source and foreign ratio cells of each day of `series` (daily rows).
fn daily_provenance_cells(
    series: &DailySeries,
    by_day: &HashMap<NaiveDate, &BarProvenance>,
) -> HashMap<NaiveDate, (String, String)> {
    series
        .days()
        .iter()
        .filter_map(|day| {
            let p = by_day.get(day)?;
            let source = p.source.clone().unwrap_or_default();
            Some((
                *day,
                (source, p.foreign_ratio.map_or_else(String::new, cell)),
            ))
        })
        .collect()
}

/// The source and foreign ratio cells of each `interval` bar of `series`, by the bar's
/// date (its period's last day): its days' sources joined by `+` in order of appearance,
/// its last day's ratio.
fn period_provenance_cells(
    series: &DailySeries,
    by_day: &HashMap<NaiveDate, &BarProvenance>,
    interval: compute::Interval,
) -> HashMap<NaiveDate, (String, String)> {
    compute::resample::periods(series.days(), interval)
        .into_iter()
        .map(|period| {
            let mut sources: Vec<&str> = Vec::new();
            for day in &series.days()[period.clone()] {
                if let Some(s) = by_day.get(day).and_then(|p| p.source.as_deref())
                    && !sources.contains(&s)
                {
                    sources.push(s);
                }
            }
            // An aggregated bar is dated by its period's last day.
            let last = series.days()[period.end - 1];
            let ratio = by_day.get(&last).and_then(|p| p.foreign_ratio);
            (
                last,
                (sources.join("+"), ratio.map_or_else(String::new, cell)),
            )
        })
        .collect()
}

/// The export's column names, in [`write_export_with`]'s order.
fn export_header(
    options: &ExportOptions,
    indicator_columns: &[compute::indicators::IndicatorColumn],
    provisional: bool,
) -> Vec<String> {
    let mut header: Vec<String> = ["date", "open", "high", "low", "close", "volume"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    header.extend(options.ma_windows.iter().map(|w| format!("sma_{w}")));
    if options.normalize {
        header.push(REBASED_COLUMN.to_owned());
    }
    header.extend(indicator_columns.iter().map(|c| c.name.clone()));
    if provisional {
        header.push(PROVISIONAL_COLUMN.to_owned());
    }
    header.push(SOURCE_COLUMN.to_owned());
    header.push(FOREIGN_RATIO_COLUMN.to_owned());
    header
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Bar;

    #[test]
    fn columns_mas_and_rebase() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
        let (s, _) = DailySeries::from_bars((2..=6).map(|day| {
            let c = f64::from(day) * 2.0;
            Bar::ohlc(d(day), c, c + 1.0, c - 1.0, c)
        }));
        let mut out = Vec::new();
        let n = write_export(
            &s,
            &ExportOptions {
                from: Some(d(3)),
                to: Some(d(5)),
                ma_windows: vec![2, 3],
                normalize: true,
                ..Default::default()
            },
            &mut out,
        )
        .unwrap();
        assert_eq!(n, 3);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "date,open,high,low,close,volume,sma_2,sma_3,close_rebased_100,source,foreign_ratio\n\
             2024-01-03,6,7,5,6,0,5,,100,,\n\
             2024-01-04,8,9,7,8,0,7,6,133.33333333333331,,\n\
             2024-01-05,10,11,9,10,0,9,8,166.66666666666669,,\n"
        );
        let mut p = s.clone();
        p.set_last_provisional(true);
        let mut out = Vec::new();
        write_export(
            &p,
            &ExportOptions {
                from: Some(d(5)),
                ..Default::default()
            },
            &mut out,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "date,open,high,low,close,volume,provisional,source,foreign_ratio\n\
             2024-01-05,10,11,9,10,0,,,\n\
             2024-01-06,12,13,11,12,0,1,,\n"
        );
        let (c, _) = DailySeries::from_bars([Bar::close_only(d(2), 7.94)]);
        let mut out = Vec::new();
        write_export(&c, &ExportOptions::default(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "date,open,high,low,close,volume,source,foreign_ratio\n2024-01-02,,,,7.94,0,,\n"
        );
        assert!(matches!(
            write_export(
                &s,
                &ExportOptions {
                    ma_windows: vec![0],
                    ..Default::default()
                },
                Vec::new()
            ),
            Err(ImportError::Export(_))
        ));
    }

    /// The source and foreign ratio of each stored day, last, after the provisional mark;
    /// a weekly bar has its days' sources and its last day's ratio; the file imports again.
    #[test]
    fn provenance_columns_come_last() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
        let (mut s, _) = DailySeries::from_bars([2, 3, 4, 5, 8, 9].into_iter().map(|day| {
            let c = 70000.0 + f64::from(day) * 100.0;
            Bar {
                volume: 1000.0,
                ..Bar::ohlc(d(day), c, c + 50.0, c - 50.0, c)
            }
        }));
        s.set_last_provisional(true);
        let prov = |day, source: Option<&str>, ratio| BarProvenance {
            date: d(day),
            source: source.map(str::to_owned),
            foreign_ratio: ratio,
        };
        let provenance = [
            prov(9, Some("naver"), Some(52.3)),
            prov(2, None, None),
            prov(3, Some("yahoo"), None),
            prov(4, Some("naver"), Some(52.31)),
            prov(5, Some("yahoo"), None),
            prov(8, Some("naver"), None),
        ];
        let mut out = Vec::new();
        write_export_with(&s, &provenance, &ExportOptions::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "date,open,high,low,close,volume,provisional,source,foreign_ratio\n\
             2024-01-02,70200,70250,70150,70200,1000,,,\n\
             2024-01-03,70300,70350,70250,70300,1000,,yahoo,\n\
             2024-01-04,70400,70450,70350,70400,1000,,naver,52.31\n\
             2024-01-05,70500,70550,70450,70500,1000,,yahoo,\n\
             2024-01-08,70800,70850,70750,70800,1000,,naver,\n\
             2024-01-09,70900,70950,70850,70900,1000,1,naver,52.3\n"
        );
        let back = super::super::read_csv(text.as_bytes()).unwrap();
        assert!(back.bad_rows.is_empty(), "{:?}", back.bad_rows);
        assert_eq!(
            back.series.bars().collect::<Vec<_>>(),
            s.bars().collect::<Vec<_>>()
        );

        let mut out = Vec::new();
        let weekly = ExportOptions {
            interval: compute::Interval::Weekly,
            ..Default::default()
        };
        write_export_with(&s, &provenance, &weekly, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "date,open,high,low,close,volume,provisional,source,foreign_ratio\n\
             2024-01-05,70200,70550,70150,70500,4000,,yahoo+naver,\n\
             2024-01-09,70800,70950,70750,70900,2000,1,naver,52.3\n"
        );
    }

    #[test]
    fn weekly_export_writes_aggregated_bars_and_their_averages() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
        // Two full weeks (Mon 1st .. Fri 5th, Mon 8th .. Fri 12th) and a Monday.
        let (s, _) = DailySeries::from_bars([1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 15].into_iter().map(
            |day| {
                let c = f64::from(day) + 10.0;
                Bar {
                    volume: 10.0,
                    ..Bar::ohlc(d(day), c, c + 1.0, c - 1.0, c + 0.5)
                }
            },
        ));
        let mut out = Vec::new();
        let n = write_export(
            &s,
            &ExportOptions {
                from: Some(d(3)),
                ma_windows: vec![2],
                interval: compute::Interval::Weekly,
                ..Default::default()
            },
            &mut out,
        )
        .unwrap();
        assert_eq!(n, 3);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "date,open,high,low,close,volume,sma_2,source,foreign_ratio\n\
             2024-01-05,11,16,10,15.5,50,,,\n\
             2024-01-12,18,23,17,22.5,50,19,,\n\
             2024-01-15,25,26,24,25.5,10,24,,\n"
        );
    }

    #[test]
    fn total_return_export_adjusts_prices_before_the_averages() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
        // A dividend of 1 on the 4th, the close before it 6: earlier prices x (1 - 1/6).
        let (s, _) = DailySeries::from_bars((2..=5).map(|day| {
            let c = f64::from(day) * 2.0;
            Bar {
                dividends: if day == 4 { 1.0 } else { 0.0 },
                ..Bar::ohlc(d(day), c, c + 1.0, c - 1.0, c)
            }
        }));
        let mut out = Vec::new();
        write_export(
            &s,
            &ExportOptions {
                ma_windows: vec![2],
                total_return: true,
                ..Default::default()
            },
            &mut out,
        )
        .unwrap();
        let f = 1.0 - 1.0 / 6.0;
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<Vec<f64>> = text
            .lines()
            .skip(1)
            .map(|l| {
                l.split(',')
                    .skip(1)
                    .map(|c| c.parse().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        assert!((rows[0][3] - 4.0 * f).abs() < 1e-12, "{text}");
        assert!(
            (rows[1][1] - 7.0 * f).abs() < 1e-12,
            "high adjusted too: {text}"
        );
        assert_eq!(rows[2][3], 8.0, "the ex-day and after as paid");
        assert!(
            (rows[2][5] - (6.0 * f + 8.0) / 2.0).abs() < 1e-12,
            "sma of adjusted closes"
        );
    }

    #[test]
    fn indicator_columns_follow_and_are_cut_after_computing() {
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let (s, _) = DailySeries::from_bars((0..30_u32).map(|i| {
            let c = 100.0 + f64::from(i % 5) * 3.0 - f64::from(i % 3);
            Bar::ohlc(d0 + chrono::Days::new(i.into()), c, c + 1.0, c - 1.5, c)
        }));
        let rsi: Indicator = "rsi:3".parse().unwrap();
        let macd: Indicator = "macd:2,4,2".parse().unwrap();
        let options = ExportOptions {
            from: Some(d0 + chrono::Days::new(3)),
            to: Some(d0 + chrono::Days::new(9)),
            ma_windows: vec![2],
            indicators: vec![rsi.clone(), macd.clone()],
            ..Default::default()
        };
        let mut out = Vec::new();
        assert_eq!(write_export(&s, &options, &mut out).unwrap(), 7);
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "date,open,high,low,close,volume,sma_2,rsi_3,macd_2_4_2,macd_signal_2_4_2,macd_hist_2_4_2,\
             source,foreign_ratio"
        );
        let full_rsi = compute::indicators::rsi(s.close(), 3).unwrap();
        let full_macd = compute::indicators::macd(s.close(), (2, 4, 2)).unwrap();
        for (k, line) in lines.enumerate() {
            let i = k + 3;
            let cells: Vec<&str> = line.split(',').collect();
            // Computed over the whole history, then cut: day 3 already has its RSI.
            assert_eq!(cells[7], cell(full_rsi[i]), "row {i}");
            assert_eq!(cells[8], cell(full_macd.macd[i]), "row {i}");
            assert_eq!(cells[10], cell(full_macd.hist[i]), "row {i}");
        }
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .split(',')
                .nth(7)
                .is_some_and(|c| !c.is_empty())
        );
        // MACD 2,4,2 is defined from day 4: the first exported row (day 3) is empty there.
        assert_eq!(text.lines().nth(1).unwrap().split(',').nth(8), Some(""));
    }
}
