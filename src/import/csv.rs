//! CSV importer: the yfinance/Yahoo export layout (`Date,Open,High,Low,Close,Adj Close,Volume`,
//! or yfinance's `history()` layout with `Dividends,Stock Splits`) and the plain
//! `date,open,high,low,close,volume` layout, with or without a header.

use std::collections::HashMap;
use std::io::Read;

use chrono::NaiveDate;

use super::{BadRow, ImportError, RowRef, shown_list};
use crate::model::{Bar, BarIssue, DailySeries, SeriesBuilder, plausible_days, shown};

/// What one CSV file held.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CsvImport {
    /// The good rows, one bar per day (a repeated day keeps its last row).
    pub series: DailySeries,
    /// Rows left out, with their line numbers and why.
    pub bad_rows: Vec<BadRow>,
    /// Rows read (header excluded, blank lines excluded).
    pub rows_read: usize,
    /// Good rows kept after widening high/low around an open or close that lay outside
    /// them by rounding ([`Bar::checked`]); counted among the bars of `series`.
    pub repaired: usize,
}

#[derive(Clone, Copy, Debug)]
struct Columns {
    date: usize,
    /// Open, high and low: absent in a close-only layout (`date,close`).
    open: Option<usize>,
    high: Option<usize>,
    low: Option<usize>,
    close: usize,
    volume: Option<usize>,
    dividends: Option<usize>,
    splits: Option<usize>,
}

impl Columns {
    /// A headerless file of two columns: date, close.
    const CLOSE_ONLY: Self = Self {
        date: 0,
        open: None,
        high: None,
        low: None,
        close: 1,
        volume: None,
        dividends: None,
        splits: None,
    };

    /// The plain layout without a header: date, open, high, low, close, volume.
    const PLAIN: Self = Self {
        date: 0,
        open: Some(1),
        high: Some(2),
        low: Some(3),
        close: 4,
        volume: Some(5),
        dividends: None,
        splits: None,
    };

    /// Maps a header row, case-insensitively; `None` when the row is not a header.
    fn from_header(header: &csv::StringRecord) -> Result<Option<Self>, ImportError> {
        let names: Vec<String> = header
            .iter()
            .map(|h| {
                h.trim()
                    .trim_start_matches('\u{feff}')
                    .to_ascii_lowercase()
                    .replace(['_', ' '], "")
            })
            .collect();
        let find = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
        // `Date`, `Datetime`, …, or FRED's `observation_date`.
        let Some(date) = find(&["date", "datetime", "timestamp", "day"])
            .or_else(|| names.iter().position(|n| n.ends_with("date")))
        else {
            return Ok(None);
        };
        let missing = |column: &'static str| ImportError::MissingColumn {
            column,
            found: shown_list(header.iter()),
        };
        let (open, high, low) = (find(&["open"]), find(&["high"]), find(&["low"]));
        // A close-only layout has none of open/high/low; some of them is a broken header.
        if open.is_some() || high.is_some() || low.is_some() {
            open.ok_or_else(|| missing("open"))?;
            high.ok_or_else(|| missing("high"))?;
            low.ok_or_else(|| missing("low"))?;
        }
        // `date,close`, `date,price`, `date,value`, or a FRED-style `date,DGS10`.
        let close = match find(&["close", "price", "value"]) {
            Some(c) => c,
            None if open.is_none() && names.len() == 2 => 1 - date,
            None => return Err(missing("close")),
        };
        Ok(Some(Self {
            date,
            open,
            high,
            low,
            close,
            volume: find(&["volume", "vol"]),
            dividends: find(&["dividends", "dividend"]),
            splits: find(&["stocksplits", "splits", "split"]),
        }))
    }
}

pub(crate) use crate::model::parse_day;

fn parse_number(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("null") || t.eq_ignore_ascii_case("nan") {
        return Err(format!("missing value '{}'", shown(t)));
    }
    t.replace(',', "")
        .parse::<f64>()
        .map_err(|_| format!("'{}' is not a number", shown(t)))
}

fn field<'r>(record: &'r csv::StringRecord, i: usize, name: &str) -> Result<&'r str, String> {
    record.get(i).ok_or_else(|| format!("no {name} column"))
}

fn bar_of(record: &csv::StringRecord, cols: &Columns) -> Result<Bar, String> {
    let date_text = field(record, cols.date, "date")?;
    let date = parse_day(date_text)
        .ok_or_else(|| format!("'{}' is not a date", shown(date_text.trim())))?;
    let num = |i: usize, name: &str| -> Result<f64, String> {
        parse_number(field(record, i, name)?).map_err(|e| format!("{name}: {e}"))
    };
    let optional = |i: Option<usize>, name: &str| -> Result<f64, String> {
        match i.and_then(|i| record.get(i)).map(str::trim) {
            None | Some("") => Ok(0.0),
            Some(t) => parse_number(t).map_err(|e| format!("{name}: {e}")),
        }
    };
    // Open, high and low all empty (or no such columns): a close-only bar.
    let blank = |i: Option<usize>| {
        i.and_then(|i| record.get(i))
            .is_none_or(|t| t.trim().is_empty())
    };
    let close_only = blank(cols.open) && blank(cols.high) && blank(cols.low);
    let price = |i: Option<usize>, name: &str| -> Result<f64, String> {
        match i {
            Some(i) if !close_only => num(i, name),
            _ => Ok(f64::NAN),
        }
    };
    Ok(Bar {
        date,
        open: price(cols.open, "open")?,
        high: price(cols.high, "high")?,
        low: price(cols.low, "low")?,
        close: num(cols.close, "close")?,
        // A close-only row (a rate, an index level) may leave its volume empty too.
        volume: match cols.volume {
            Some(_) if close_only && blank(cols.volume) => 0.0,
            Some(i) => num(i, "volume")?,
            None => 0.0,
        },
        dividends: optional(cols.dividends, "dividends")?,
        stock_splits: optional(cols.splits, "stock splits")?,
    })
}

/// Whether `bytes` look like UTF-16 text: a UTF-16 byte-order mark, or (without one) a
/// start where every other byte is NUL, as ASCII text is in UTF-16.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(64) & !1];
    let nul_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let half = head.len() / 2;
    half >= 4 && (nul_at(0) == half || nul_at(1) == half)
}

/// Reads a CSV of daily bars. Good rows are kept; each bad row (unparsable, impossible
/// bar, repeated day) is reported with its line number. Fails only when the file has
/// no usable layout (a header missing a price column) or cannot be read. Never panics.
pub fn read_csv(mut reader: impl Read) -> Result<CsvImport, ImportError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::Read(e.to_string()))?;
    if looks_like_utf16(&bytes) {
        return Err(ImportError::Utf16);
    }
    let lines = Lines::of(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes.as_slice());
    let mut rows = Rows::new();
    let mut cols: Option<Columns> = None;
    let mut record = csv::StringRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => {
                let line = lines.line_at(err.position(), line);
                if matches!(err.kind(), csv::ErrorKind::Io(_)) {
                    return Err(ImportError::Read(err.to_string()));
                }
                rows.bad(line, err.to_string());
                continue;
            }
        }
        let line = lines.line_at(record.position(), line);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let cols = match cols {
            Some(c) => c,
            None => {
                let detected = Columns::from_header(&record)?;
                let is_header = detected.is_some();
                let c = detected.unwrap_or(if record.len() == 2 {
                    Columns::CLOSE_ONLY
                } else {
                    Columns::PLAIN
                });
                cols = Some(c);
                if is_header {
                    continue;
                }
                c
            }
        };
        rows.push(line, &record, &cols);
    }
    Ok(rows.finish())
}

/// Where the lines of a file start, for reporting a record by its line: the csv crate
/// does not count blank lines, so lines are counted from byte offsets instead.
struct Lines<'a> {
    bytes: &'a [u8],
    starts: Vec<u64>,
}

impl<'a> Lines<'a> {
    fn of(bytes: &'a [u8]) -> Self {
        let starts = std::iter::once(0)
            .chain(
                bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i as u64 + 1),
            )
            .collect();
        Self { bytes, starts }
    }

    /// The 1-based line of a record at `pos`, else `fallback`.
    fn line_at(&self, pos: Option<&csv::Position>, fallback: u64) -> u64 {
        pos.map_or(fallback, |p| {
            // A record's position may point at blank lines skipped before it.
            let mut byte = usize::try_from(p.byte()).unwrap_or(usize::MAX);
            while self
                .bytes
                .get(byte)
                .is_some_and(|b| *b == b'\n' || *b == b'\r')
            {
                byte += 1;
            }
            self.starts.partition_point(|s| *s <= byte as u64) as u64
        })
    }
}

/// The rows read so far: the bars kept and the rows reported.
struct Rows {
    out: CsvImport,
    // One clock reading for the whole file: every row is checked against the same days.
    days: std::ops::RangeInclusive<NaiveDate>,
    builder: SeriesBuilder,
    line_of_day: HashMap<NaiveDate, u64>,
    // Whether the row kept for each day was repaired (a later repeated row replaces it).
    repaired_on_day: HashMap<NaiveDate, bool>,
}

impl Rows {
    fn new() -> Self {
        let days = plausible_days();
        Self {
            out: CsvImport::default(),
            builder: SeriesBuilder::new().within(days.clone()),
            days,
            line_of_day: HashMap::new(),
            repaired_on_day: HashMap::new(),
        }
    }

    /// Reports the row at `line`.
    fn bad(&mut self, line: u64, reason: String) {
        self.out.bad_rows.push(BadRow {
            at: RowRef::Line(line),
            reason,
        });
    }

    /// Reads `record` (at `line`) as a bar in the layout `cols`: kept (repaired where it
    /// can be), or reported; a repeated day keeps the later row and reports the earlier.
    fn push(&mut self, line: u64, record: &csv::StringRecord, cols: &Columns) {
        self.out.rows_read += 1;
        let bar = match bar_of(record, cols) {
            Ok(bar) => bar,
            Err(reason) => return self.bad(line, reason),
        };
        let bar = match bar.checked_within(&self.days) {
            Ok((bar, repaired)) => {
                self.repaired_on_day.insert(bar.date, repaired);
                bar
            }
            Err(problem) => return self.bad(line, format!("{}: {problem}", bar.date)),
        };
        if let Some(first) = self.line_of_day.insert(bar.date, line) {
            self.bad(
                first,
                format!(
                    "{}: day repeated on line {line}; the later row is kept",
                    bar.date
                ),
            );
        }
        self.builder.push(bar);
    }

    fn finish(self) -> CsvImport {
        let mut out = self.out;
        let (series, issues) = self.builder.build();
        debug_assert!(
            issues
                .iter()
                .all(|i| matches!(i, BarIssue::Duplicate { .. }))
        );
        out.series = series;
        out.repaired = self.repaired_on_day.values().filter(|r| **r).count();
        out.bad_rows.sort_by_key(|b| b.at.clone());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn yahoo_export_layout() {
        let text = "Date,Open,High,Low,Close,Adj Close,Volume\n\
                    2024-01-02,187.15,188.44,183.89,185.64,184.94,82488700\n\
                    2024-01-03,184.22,185.88,183.43,184.25,183.55,58414500\n";
        let r = read_csv(text.as_bytes()).unwrap();
        assert!(r.bad_rows.is_empty());
        assert_eq!(r.series.days(), &[d(2024, 1, 2), d(2024, 1, 3)]);
        assert_eq!(r.series.close(), &[185.64, 184.25], "Close, not Adj Close");
        assert_eq!(r.series.volume(), &[82_488_700.0, 58_414_500.0]);
    }

    #[test]
    fn yfinance_history_layout_with_events_and_zones() {
        let text = "Date,Open,High,Low,Close,Volume,Dividends,Stock Splits\n\
                    2020-08-07 00:00:00-04:00,113.2,113.67,110.29,111.11,198045600,0.205,0.0\n\
                    2020-08-31 00:00:00-04:00,127.58,131.0,126.0,129.04,225702700,0.0,4.0\n";
        let r = read_csv(text.as_bytes()).unwrap();
        assert!(r.bad_rows.is_empty(), "{:?}", r.bad_rows);
        assert_eq!(r.series.days(), &[d(2020, 8, 7), d(2020, 8, 31)]);
        assert_eq!(r.series.dividends(), &[0.205, 0.0]);
        assert_eq!(r.series.stock_splits(), &[0.0, 4.0]);
    }

    #[test]
    fn plain_layout_with_and_without_header() {
        let with =
            "DATE,OPEN,HIGH,LOW,CLOSE,VOLUME\n2000-01-04,4325.9,4405.2,4080.7,4405.2,74195000\n";
        let without = "2000-01-04,4325.9,4405.2,4080.7,4405.2,74195000\n";
        let a = read_csv(with.as_bytes()).unwrap();
        let b = read_csv(without.as_bytes()).unwrap();
        assert_eq!(a.series, b.series);
        assert_eq!(a.series.len(), 1);
        assert_eq!(a.rows_read, 1);
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers_and_good_rows_kept() {
        let text = "date,open,high,low,close,volume\n\
                    2024-01-02,10,11,9,10.5,100\n\
                    2024-01-03,null,null,null,null,null\n\
                    not-a-date,10,11,9,10.5,100\n\
                    2024-01-05,10,8,9,10.5,100\n\
                    2024-01-08,10,11,9\n\
                    \n\
                    2024-01-09,10,11,9,10.5,100\n\
                    2024-01-09,10,12,9,11.5,200\n";
        let r = read_csv(text.as_bytes()).unwrap();
        assert_eq!(r.series.days(), &[d(2024, 1, 2), d(2024, 1, 9)]);
        assert_eq!(
            r.series.close(),
            &[10.5, 11.5],
            "the later repeated row wins"
        );
        let lines: Vec<RowRef> = r.bad_rows.iter().map(|b| b.at.clone()).collect();
        assert_eq!(
            lines,
            vec![
                RowRef::Line(3),
                RowRef::Line(4),
                RowRef::Line(5),
                RowRef::Line(6),
                RowRef::Line(8)
            ]
        );
        assert!(
            r.bad_rows[0].reason.contains("missing value"),
            "{}",
            r.bad_rows[0]
        );
        assert!(r.bad_rows[1].reason.contains("not a date"));
        assert!(r.bad_rows[2].reason.contains("high is below low"));
        assert!(r.bad_rows[3].reason.contains("no close column"));
        assert!(r.bad_rows[4].reason.contains("repeated on line 9"));
        assert_eq!(r.bad_rows[0].to_string().split(':').next(), Some("line 3"));
    }

    #[test]
    fn prices_and_days_no_market_has_are_bad_rows() {
        let text = "date,open,high,low,close,volume\n\
                    2024-01-02,10,11,9,10.5,100\n\
                    2024-01-03,1e308,1e308,1e308,1e308,100\n\
                    0000-01-01,10,11,9,10.5,100\n\
                    9999-12-31,10,11,9,10.5,100\n\
                    1899-12-29,10,11,9,10.5,100\n\
                    2024-01-04,10,11,9,10.5,1e300\n\
                    1900-01-02,10,11,9,10.5,100\n";
        let r = read_csv(text.as_bytes()).unwrap();
        assert_eq!(r.series.days(), &[d(1900, 1, 2), d(2024, 1, 2)]);
        assert_eq!(r.rows_read, 7);
        let said: Vec<String> = r.bad_rows.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "line 3: 2024-01-03: a price is above 10^12, which no market has",
                "line 4: 0000-01-01: the date is before 1900 or after tomorrow",
                "line 5: 9999-12-31: the date is before 1900 or after tomorrow",
                "line 6: 1899-12-29: the date is before 1900 or after tomorrow",
                "line 7: 2024-01-04: volume is negative, above 10^15 or not a number",
            ]
        );
    }

    #[test]
    fn utf16_is_named_and_hostile_cells_are_quoted_short() {
        let text = "Date,Close\n2024-01-02,1.5\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [
            [&[0xff, 0xfe][..], &le].concat(),
            [&[0xfe, 0xff][..], &be].concat(),
            le,
            be,
        ] {
            assert!(matches!(
                read_csv(bytes.as_slice()),
                Err(ImportError::Utf16)
            ));
        }
        let r = read_csv(&b"date,close\n2024-01-02,1\0\n2024-01-03,2\n"[..]).unwrap();
        assert_eq!(
            r.series.len(),
            1,
            "a NUL in a UTF-8 file is a bad cell, not UTF-16"
        );
        assert_eq!(r.bad_rows[0].reason, "close: '1\\u{0}' is not a number");
        let long = format!("date,open,{}\n", "x".repeat(100_000));
        let err = read_csv(long.as_bytes()).unwrap_err().to_string();
        assert!(err.len() < 200, "{err}");
    }

    #[test]
    fn close_only_layouts_and_blank_ohlc_cells() {
        let text = "DATE,DGS10\n1990-01-02,7.94\n1990-01-03,7.99\n1990-01-04,.\n";
        let r = read_csv(text.as_bytes()).unwrap();
        assert_eq!(r.series.days(), &[d(1990, 1, 2), d(1990, 1, 3)]);
        assert_eq!(r.series.close(), &[7.94, 7.99]);
        assert!(r.series.bars().all(|b| b.is_close_only()));
        assert_eq!(r.rows_read, 3);
        assert_eq!(r.bad_rows.len(), 1, "'.' is no number: {:?}", r.bad_rows);

        let headerless = read_csv("2024-01-02,4.5\n2024-01-03,4.6\n".as_bytes()).unwrap();
        assert_eq!(headerless.series.close(), &[4.5, 4.6]);
        assert!(headerless.series.has_close_only());

        let mixed = "Date,Open,High,Low,Close,Volume\n\
                     2024-01-02,,,,100.5,\n\
                     2024-01-03,100,102,99,101,5000\n\
                     2024-01-04,100,,99,101,5000\n";
        let r = read_csv(mixed.as_bytes()).unwrap();
        assert_eq!(r.series.len(), 2);
        assert!(r.series.bar(0).unwrap().is_close_only());
        assert_eq!(r.series.bar(1).unwrap().high, 102.0);
        assert_eq!(r.bad_rows.len(), 1);
        assert!(r.bad_rows[0].reason.contains("high"), "{}", r.bad_rows[0]);
    }

    #[test]
    fn rounding_glitches_are_repaired_and_counted() {
        let text = "date,open,high,low,close,volume\n\
                    2024-01-02,20.00,20.50,19.80,20.51,100\n\
                    2024-01-03,20.00,20.50,19.80,25.00,100\n\
                    2024-01-04,20.00,20.50,19.80,20.10,100\n\
                    2024-01-05,20.00,20.50,19.80,20.51,100\n\
                    2024-01-05,20.00,20.60,19.80,20.51,100\n";
        let r = read_csv(text.as_bytes()).unwrap();
        assert_eq!(
            r.series.days(),
            &[d(2024, 1, 2), d(2024, 1, 4), d(2024, 1, 5)]
        );
        assert_eq!(r.series.high()[0], 20.51, "widened to the close");
        assert_eq!(
            r.repaired, 1,
            "the repaired 01-05 row was replaced by a good one"
        );
        assert_eq!(
            r.rows_read,
            r.series.len() + r.bad_rows.len(),
            "counts add up"
        );
    }

    #[test]
    fn header_missing_a_price_column_fails_clearly() {
        let err = read_csv("Date,Open,High,Close\n2024-01-02,1,2,1.5\n".as_bytes()).unwrap_err();
        assert!(
            matches!(err, ImportError::MissingColumn { column: "low", .. }),
            "{err}"
        );
    }
}
