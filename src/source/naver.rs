//! Naver Finance's daily chart data for KRX stocks and funds and the KOSPI, KOSDAQ and
//! KOSPI 200 indices, behind the [`Source`] trait. No key is needed.
//!
//! Two public endpoints serve the same bars; both are what Naver's own chart pages use,
//! and both are read by the Korean data libraries (FinanceDataReader's
//! `NaverDailyReader` and pykrx's `naver` module read the XML, many tools the array):
//!
//! 1. **siseJson** (the primary, it takes a date window and carries the foreign ownership
//!    ratio): `https://api.finance.naver.com/siseJson.naver?symbol=005930&requestType=1&startTime=20240102&endTime=20240103&timeframe=day`
//!    answers a JavaScript array literal (not JSON: the header row is single-quoted),
//!    with newlines and tabs between the rows (shown here as spaces), in UTF-8:
//!
//!    ```text
//!     [['날짜', '시가', '고가', '저가', '종가', '거래량', '외국인소진율'],
//!
//!            ["20240102", 78200, 79800, 78200, 79600, 17142847, 54.05],
//!            ["20240103", 78500, 78800, 77000, 77000, 21753644, 54.04]
//!
//!    ]
//!    ```
//!
//!    Indices (`KOSPI`) have decimal prices, volume in thousands of shares and a ratio of
//!    0.0. A window without trading days is the header row alone.
//! 2. **fchart** (the fallback): `https://fchart.stock.naver.com/sise.nhn?symbol=005930&timeframe=day&count=N&requestType=0`
//!    answers the latest `N` bars as EUC-KR XML:
//!
//!    ```text
//!    <?xml version="1.0" encoding="EUC-KR" ?>
//!    <protocol>
//!        <chartdata symbol="005930" name="삼성전자" count="1835" timeframe="day" precision="0" origintime="19900103">
//!            <item data="20240102|78200|79800|78200|79600|17142847" />
//!        </chartdata>
//!    </protocol>
//!    ```
//!
//!    A symbol Naver does not know has no items (an empty `<protocol />`).
//!
//! Prices are adjusted for splits and other capital changes (수정주가); volume is as
//! traded. Days are KRX trading days (Asia/Seoul), prices in KRW. A day on which the
//! stock was halted (거래정지) carries only a close, with open, high and low 0 (as KRX
//! publishes it, see pykrx's "거래정지 종목은 종가만 존재하며 나머지는 0으로 채워진다"):
//! such rows are skipped and counted, never stored as bars of price 0.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveTime, TimeZone as _, Utc};
use futures::future::BoxFuture;
use quick_xml::events::Event;

use super::http::{BodyKind, get_with_retry};
use super::{ChartData, Fetched, Source, SourceConfig, SourceError, SourceId, malformed};
use crate::model::{Bar, Category, SeriesBuilder, Ticker, TickerMeta};

/// The public siseJson endpoint (the primary).
pub const SISE_JSON_URL: &str = "https://api.finance.naver.com/siseJson.naver";
/// The public fchart endpoint (the fallback).
pub const FCHART_URL: &str = "https://fchart.stock.naver.com/sise.nhn";
/// The time zone of Naver's trading days (KRX's).
pub const TIME_ZONE: &str = "Asia/Seoul";
/// The currency of every price Naver serves here.
pub const CURRENCY: &str = "KRW";

/// The Yahoo-style index symbols Naver covers, with Naver's symbol for each.
pub const INDEX_SYMBOLS: [(&str, &str); 3] = [
    ("^KS11", "KOSPI"),
    ("^KQ11", "KOSDAQ"),
    ("^KS200", "KPI200"),
];

/// The most bars asked of the fchart endpoint at once (about 120 years of trading days).
const MAX_FCHART_COUNT: i64 = 30_000;

/// The Naver symbol of a ticker: a KRX code as itself (a Korean stock, or a KRX fund
/// filed as an index: `005930`, `0126Z0`, `069500`), `^KS11` → `KOSPI`, `^KQ11` →
/// `KOSDAQ`, `^KS200` → `KPI200`; `None` for anything else (US stocks, other indices,
/// exchange rates).
pub fn naver_symbol(ticker: &Ticker) -> Option<String> {
    match ticker.category() {
        Category::KoreanStock | Category::Index if ticker.is_krx_code() => {
            Some(ticker.as_str().to_owned())
        }
        Category::Index => INDEX_SYMBOLS
            .iter()
            .find(|(yahoo, _)| *yahoo == ticker.as_str())
            .map(|(_, naver)| (*naver).to_owned()),
        Category::KoreanStock | Category::UsStock | Category::Currency => None,
    }
}

/// Whether a Naver symbol names an index (whose foreign ownership ratio is meaningless).
fn is_index_symbol(symbol: &str) -> bool {
    INDEX_SYMBOLS.iter().any(|(_, naver)| *naver == symbol)
}

/// One Naver answer, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct NaverChart {
    /// The valid bars (time zone Asia/Seoul, currency KRW, no name), with the rows left
    /// out counted in `skipped_nulls` (a missing price or day, a halted day with open,
    /// high and low 0) and impossible bars in `issues`.
    pub chart: ChartData,
    /// The foreign ownership ratio (외국인소진율, percent) by day, ascending, where the
    /// answer carries it (siseJson), for every row with a valid day.
    pub foreign_ratio: Vec<(NaiveDate, f64)>,
    /// The instrument's name in Korean where the answer carries it (fchart's
    /// `chartdata name`, `삼성전자`).
    pub name: Option<String>,
    /// Data rows in the answer, valid or not: 0 for siseJson's header row alone, or an
    /// fchart answer without items.
    pub rows: usize,
}

/// Text of a string that may be UTF-8 (siseJson) or EUC-KR.
fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::EUC_KR
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// A trading day written `YYYYMMDD`.
fn parse_yyyymmdd(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(t, "%Y%m%d").ok()
}

/// A number as Naver writes it, tolerating thousands separators.
fn parse_number(text: &str) -> Option<f64> {
    let t: String = text.trim().chars().filter(|c| *c != ',').collect();
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Collects rows into a chart, skipping halted days and rows without a day or price.
#[derive(Default)]
struct Rows {
    builder: SeriesBuilder,
    skipped: usize,
    rows: usize,
    ratio: Vec<(NaiveDate, f64)>,
}

impl Rows {
    /// One row: day, open, high, low, close, volume (missing volume is 0).
    fn push(&mut self, day: Option<NaiveDate>, ohlc: [Option<f64>; 4], volume: Option<f64>) {
        self.rows += 1;
        let (Some(date), [Some(open), Some(high), Some(low), Some(close)]) = (day, ohlc) else {
            self.skipped += 1;
            return;
        };
        if open == 0.0 && high == 0.0 && low == 0.0 {
            // A halted day: KRX publishes only the close (or nothing at all).
            self.skipped += 1;
            return;
        }
        self.builder.push(Bar {
            date,
            open,
            high,
            low,
            close,
            volume: volume.unwrap_or(0.0),
            dividends: 0.0,
            stock_splits: 0.0,
        });
    }

    fn finish(mut self, symbol: Option<String>, name: Option<String>) -> NaverChart {
        let (series, issues) = self.builder.build();
        // Ascending, the last of a repeated day kept (as the series does).
        self.ratio.reverse();
        self.ratio.sort_by_key(|(d, _)| *d);
        self.ratio.dedup_by_key(|(d, _)| *d);
        NaverChart {
            chart: ChartData {
                symbol,
                time_zone: TIME_ZONE.to_owned(),
                currency: Some(CURRENCY.to_owned()),
                name: None,
                series,
                skipped_nulls: self.skipped,
                issues,
                trading_period: None,
            },
            foreign_ratio: self.ratio,
            name,
            rows: self.rows,
        }
    }
}

// ---------------------------------------------------------------------------------------
// siseJson: a JavaScript array literal.

/// A value of the array literal.
#[derive(Debug, PartialEq)]
enum JsValue {
    Str(String),
    Num(f64),
    Null,
    Array(Vec<JsValue>),
}

/// A reader of JavaScript array literals: arrays, single- or double-quoted strings,
/// numbers and `null`, with any whitespace between tokens and trailing commas allowed.
/// Nesting is limited to rows of scalars. The end of the text inside a value means the
/// body was cut short.
struct JsReader<'a> {
    text: &'a [u8],
    pos: usize,
}

/// Arrays nest at most this deep: the document, its rows.
const MAX_DEPTH: usize = 2;

impl JsReader<'_> {
    fn skip_ws(&mut self) {
        while self
            .text
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn cut(&self, what: &str) -> SourceError {
        malformed(
            format!(
                "the array ends inside {what} (after {} bytes)",
                self.text.len()
            ),
            true,
        )
    }

    fn unexpected(&self, what: &str) -> SourceError {
        let at = self.pos.min(self.text.len());
        let near = String::from_utf8_lossy(&self.text[at..self.text.len().min(at + 24)]);
        malformed(format!("{what} at byte {at} ({near:?})"), false)
    }

    fn value(&mut self, depth: usize) -> Result<JsValue, SourceError> {
        self.skip_ws();
        let Some(&b) = self.text.get(self.pos) else {
            return Err(self.cut("a value"));
        };
        match b {
            b'[' => {
                if depth >= MAX_DEPTH {
                    return Err(self.unexpected("an array nested too deep"));
                }
                self.pos += 1;
                self.array(depth + 1)
            }
            b'\'' | b'"' => self.string(b).map(JsValue::Str),
            b'0'..=b'9' | b'-' | b'+' | b'.' => self.number(),
            b'n' => {
                if self.text[self.pos..].starts_with(b"null") {
                    self.pos += 4;
                    Ok(JsValue::Null)
                } else if b"null".starts_with(&self.text[self.pos..]) {
                    Err(self.cut("null"))
                } else {
                    Err(self.unexpected("an unexpected word"))
                }
            }
            _ => Err(self.unexpected("an unexpected character")),
        }
    }

    /// The rest of an array whose `[` was read.
    fn array(&mut self, depth: usize) -> Result<JsValue, SourceError> {
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            match self.text.get(self.pos) {
                None => return Err(self.cut("an array")),
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsValue::Array(items));
                }
                Some(_) => {}
            }
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.text.get(self.pos) {
                None => return Err(self.cut("an array")),
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                Some(_) => return Err(self.unexpected("a missing comma")),
            }
        }
    }

    fn string(&mut self, quote: u8) -> Result<String, SourceError> {
        self.pos += 1;
        let mut bytes = Vec::new();
        loop {
            let Some(&b) = self.text.get(self.pos) else {
                return Err(self.cut("a string"));
            };
            self.pos += 1;
            match b {
                _ if b == quote => return Ok(decode_text(&bytes)),
                b'\\' => {
                    let Some(&next) = self.text.get(self.pos) else {
                        return Err(self.cut("a string"));
                    };
                    self.pos += 1;
                    bytes.push(match next {
                        b'n' => b'\n',
                        b't' => b'\t',
                        other => other,
                    });
                }
                _ => bytes.push(b),
            }
        }
    }

    fn number(&mut self) -> Result<JsValue, SourceError> {
        let start = self.pos;
        while self
            .text
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or("");
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(JsValue::Num(v)),
            _ => {
                self.pos = start;
                Err(self.unexpected("a malformed number"))
            }
        }
    }
}

/// The columns of siseJson's rows, by their header labels.
struct Columns {
    date: usize,
    open: usize,
    high: usize,
    low: usize,
    close: usize,
    volume: Option<usize>,
    ratio: Option<usize>,
}

impl Columns {
    /// The documented order: 날짜, 시가, 고가, 저가, 종가, 거래량, 외국인소진율.
    const POSITIONAL: Self = Self {
        date: 0,
        open: 1,
        high: 2,
        low: 3,
        close: 4,
        volume: Some(5),
        ratio: Some(6),
    };

    /// The columns a header names; the documented order where the labels are not the
    /// known ones (another text encoding, say).
    fn from_header(labels: &[String]) -> Self {
        let find = |name: &str| labels.iter().position(|l| l.trim() == name);
        match (
            find("날짜"),
            find("시가"),
            find("고가"),
            find("저가"),
            find("종가"),
        ) {
            (Some(date), Some(open), Some(high), Some(low), Some(close)) => Self {
                date,
                open,
                high,
                low,
                close,
                volume: find("거래량"),
                ratio: find("외국인소진율"),
            },
            _ => Self::POSITIONAL,
        }
    }
}

fn js_number(value: Option<&JsValue>) -> Option<f64> {
    match value? {
        JsValue::Num(v) => Some(*v),
        JsValue::Str(s) => parse_number(s),
        JsValue::Null | JsValue::Array(_) => None,
    }
}

fn js_day(value: Option<&JsValue>) -> Option<NaiveDate> {
    match value? {
        JsValue::Str(s) => parse_yyyymmdd(s),
        JsValue::Num(v) if v.fract() == 0.0 && *v > 0.0 && *v < 1e8 => {
            parse_yyyymmdd(&format!("{v:.0}"))
        }
        JsValue::Num(_) | JsValue::Null | JsValue::Array(_) => None,
    }
}

/// Parses a siseJson answer (a JavaScript array: a header row, then one row per day).
///
/// The header row alone is a window without bars (an empty chart, `rows` 0). A body cut
/// short is [`SourceError::Malformed`] with `truncated` (retried); anything that is not
/// such an array (a stray object, a row that is no array, text after the array) is
/// `Malformed`. Rows without a valid day or price, and halted days (open, high and low 0),
/// are skipped and counted. The foreign ownership ratio of every row with a valid day is
/// kept. Never panics.
pub fn parse_sise_json(body: &[u8]) -> Result<NaverChart, SourceError> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut reader = JsReader { text, pos: 0 };
    reader.skip_ws();
    if reader.text.get(reader.pos) != Some(&b'[') {
        return Err(if reader.pos >= text.len() {
            malformed("an empty answer", false)
        } else {
            reader.unexpected("not an array")
        });
    }
    let document = reader.value(0)?;
    reader.skip_ws();
    if reader.text.get(reader.pos) == Some(&b';') {
        reader.pos += 1;
        reader.skip_ws();
    }
    if reader.pos < text.len() {
        return Err(reader.unexpected("text after the array"));
    }
    let JsValue::Array(rows) = document else {
        return Err(malformed("not an array", false));
    };
    let mut rows = rows.into_iter().peekable();
    // The header: a row of labels (never a day).
    let columns = match rows.peek() {
        Some(JsValue::Array(first)) if js_day(first.first()).is_none() => {
            let labels: Vec<String> = first
                .iter()
                .map(|v| match v {
                    JsValue::Str(s) => s.clone(),
                    _ => String::new(),
                })
                .collect();
            rows.next();
            Columns::from_header(&labels)
        }
        _ => Columns::POSITIONAL,
    };
    let mut out = Rows::default();
    for row in rows {
        let JsValue::Array(cells) = row else {
            return Err(malformed("a row of the array is not an array", false));
        };
        let day = js_day(cells.get(columns.date));
        let price = |i: usize| js_number(cells.get(i));
        out.push(
            day,
            [
                price(columns.open),
                price(columns.high),
                price(columns.low),
                price(columns.close),
            ],
            columns.volume.and_then(price),
        );
        if let (Some(day), Some(ratio)) = (day, columns.ratio.and_then(price))
            && (0.0..=100.0).contains(&ratio)
        {
            out.ratio.push((day, ratio));
        }
    }
    Ok(out.finish(None, None))
}

// ---------------------------------------------------------------------------------------
// fchart: EUC-KR XML.

/// The encoding an XML declaration names (`encoding="EUC-KR"`), if any.
fn declared_encoding(body: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &body[..body.len().min(200)];
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let rest = &decl[decl.find("encoding")? + "encoding".len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    let value = rest.get(1..)?.split(quote).next()?;
    encoding_rs::Encoding::for_label(value.trim().as_bytes())
}

/// One attribute of an element, decoded and unescaped.
fn attribute(
    element: &quick_xml::events::BytesStart<'_>,
    name: &str,
    decoder: quick_xml::Decoder,
) -> Result<Option<String>, SourceError> {
    let attr = element
        .try_get_attribute(name)
        .map_err(|e| malformed(format!("attribute {name}: {e}"), false))?;
    let Some(attr) = attr else {
        return Ok(None);
    };
    let value = attr
        .decoded_and_normalized_value(quick_xml::XmlVersion::Implicit1_0, decoder)
        .map_err(|e| malformed(format!("attribute {name}: {e}"), false))?;
    Ok(Some(value.into_owned()))
}

/// Parses an fchart answer: EUC-KR XML (or whatever its declaration names), a
/// `<protocol>` holding a `<chartdata>` of `<item data="YYYYMMDD|open|high|low|close|volume" />`.
///
/// No items (an empty `<protocol />`, or a `chartdata` without items) is an empty chart
/// with `rows` 0. A body cut short is [`SourceError::Malformed`] with `truncated`; other
/// XML, or a `chartdata` of another timeframe than `day`, is `Malformed`. Items without
/// a valid day or price, and halted days, are skipped and counted. Never panics.
pub fn parse_fchart_xml(body: &[u8]) -> Result<NaverChart, SourceError> {
    let encoding = declared_encoding(body).unwrap_or(encoding_rs::EUC_KR);
    let text: Cow<'_, str> = encoding.decode_without_bom_handling(body).0;
    let trimmed = text.trim_end();
    let closed = trimmed.ends_with("</protocol>") || trimmed.ends_with("/>");
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().trim_text(true);
    let mut open: Vec<String> = Vec::new();
    let mut root_seen = false;
    let mut symbol = None;
    let mut name = None;
    let mut out = Rows::default();
    loop {
        let event = reader.read_event().map_err(|e| {
            let truncated = !closed;
            malformed(format!("XML: {e}"), truncated)
        })?;
        let (element, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                open.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let tag = String::from_utf8_lossy(element.name().as_ref()).into_owned();
        if open.is_empty() {
            if root_seen || tag != "protocol" {
                return Err(malformed(
                    format!("an XML document of <{tag}>, not a Naver chart"),
                    false,
                ));
            }
            root_seen = true;
        }
        match tag.as_str() {
            "chartdata" => {
                if let Some(frame) = attribute(&element, "timeframe", reader.decoder())?
                    && frame != "day"
                {
                    return Err(malformed(
                        format!("a chart of timeframe {frame:?}, not days"),
                        false,
                    ));
                }
                symbol = attribute(&element, "symbol", reader.decoder())?
                    .filter(|s| !s.trim().is_empty());
                name = attribute(&element, "name", reader.decoder())?
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty());
            }
            "item" => {
                let data = attribute(&element, "data", reader.decoder())?.unwrap_or_default();
                let fields: Vec<&str> = data.split('|').collect();
                let num = |i: usize| fields.get(i).and_then(|f| parse_number(f));
                out.push(
                    fields.first().and_then(|f| parse_yyyymmdd(f)),
                    [num(1), num(2), num(3), num(4)],
                    num(5),
                );
            }
            _ => {}
        }
        if !empty {
            open.push(tag);
        }
    }
    if !root_seen {
        return Err(malformed("no XML element in the answer", !closed));
    }
    if !open.is_empty() {
        return Err(malformed(
            format!("the XML ends inside <{}>", open.join("><")),
            true,
        ));
    }
    Ok(out.finish(symbol, name))
}

// ---------------------------------------------------------------------------------------
// The source.

/// Naver Finance as a [`Source`]: KRX stocks and funds, and the KOSPI, KOSDAQ and KOSPI
/// 200 indices. Create one per run and share it.
///
/// Each fetch asks siseJson for the window; if that answers with something unusable (not
/// data, malformed, an HTTP failure) after its retries, it asks fchart for the latest bars
/// back to the window's first day and keeps the window. Both endpoints live under the
/// `--source-url naver=URL` base when one is given (`{URL}/siseJson.naver`,
/// `{URL}/sise.nhn`).
#[derive(Debug)]
pub struct NaverSource {
    http: reqwest::Client,
    config: SourceConfig,
    sise_json_url: String,
    fchart_url: String,
}

/// Where a fetch's bars came from.
enum Answer {
    /// The window's bars, from either endpoint.
    Bars(Box<NaverChart>, u32),
    /// A symbol Naver has no bars for at all.
    Unknown(String),
}

impl NaverSource {
    /// Builds the client (rustls, gzip, the configured timeouts and User-Agent, no
    /// cookies) and the endpoints' URLs.
    pub fn new(config: &SourceConfig) -> Result<Self, SourceError> {
        let http = super::http::client(config, false)?;
        let (sise_json_url, fchart_url) = match config.urls.get(&SourceId::Naver) {
            Some(base) => {
                let base = base.trim().trim_end_matches('/');
                (format!("{base}/siseJson.naver"), format!("{base}/sise.nhn"))
            }
            None => (SISE_JSON_URL.to_owned(), FCHART_URL.to_owned()),
        };
        Ok(Self {
            http,
            config: config.clone(),
            sise_json_url,
            fchart_url,
        })
    }

    /// The siseJson and fchart URLs this source asks.
    pub fn endpoints(&self) -> (&str, &str) {
        (&self.sise_json_url, &self.fchart_url)
    }

    /// Daily bars of one Naver `symbol` (`005930`, `KOSPI`) from `from` (inclusive) to
    /// `to`, within the per-ticker deadline: siseJson first, fchart when siseJson's
    /// answer is unusable. The header row alone (a window without trading days) is
    /// confirmed with a one-bar fchart request: a symbol without any bar is
    /// [`SourceError::UnknownSymbol`], otherwise the window is simply empty.
    pub async fn fetch_symbol(
        &self,
        symbol: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Fetched, SourceError> {
        let deadline = self.config.ticker_deadline;
        tokio::time::timeout(deadline, self.fetch_inner(symbol, from, to))
            .await
            .unwrap_or(Err(SourceError::DeadlineExceeded { after: deadline }))
    }

    async fn fetch_inner(
        &self,
        symbol: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Fetched, SourceError> {
        let (mut doc, attempts) = match self.answer(symbol, from, to).await? {
            Answer::Bars(doc, attempts) => (*doc, attempts),
            Answer::Unknown(detail) => {
                return Err(SourceError::UnknownSymbol {
                    symbol: symbol.to_owned(),
                    detail,
                });
            }
        };
        let series = &doc.chart.series;
        doc.chart.series = series.slice(series.range_of(from, to));
        doc.chart.symbol = Some(symbol.to_owned());
        doc.chart.trading_period = Some(session(Utc::now().timestamp()));
        let mut fetched = Fetched::new(symbol.to_owned(), doc.chart, attempts);
        if !is_index_symbol(symbol) {
            fetched.foreign_ratio = doc
                .foreign_ratio
                .into_iter()
                .filter(|(d, _)| (from..=to).contains(d))
                .collect();
        }
        Ok(fetched)
    }

    async fn answer(
        &self,
        symbol: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Answer, SourceError> {
        let url = format!(
            "{}?symbol={symbol}&requestType=1&startTime={}&endTime={}&timeframe=day",
            self.sise_json_url,
            from.format("%Y%m%d"),
            to.format("%Y%m%d")
        );
        let primary = get_with_retry(
            &self.http,
            &self.config,
            &url,
            symbol,
            BodyKind::Json,
            parse_sise_json,
        )
        .await;
        match primary {
            Ok((doc, attempts)) if doc.rows > 0 => Ok(Answer::Bars(Box::new(doc), attempts)),
            Ok((doc, attempts)) => {
                // The header alone: a window without trading days, or a symbol Naver
                // does not know. One bar of fchart tells them apart.
                match self.fchart(symbol, 1).await {
                    Ok((latest, _)) if latest.rows == 0 => Ok(Answer::Unknown(
                        "Naver has no bars for this symbol (siseJson sent only its header, fchart no items)"
                            .to_owned(),
                    )),
                    Ok(_) => Ok(Answer::Bars(Box::new(doc), attempts)),
                    Err(err) => {
                        tracing::warn!(symbol, "could not confirm an empty window with fchart: {err}");
                        Ok(Answer::Bars(Box::new(doc), attempts))
                    }
                }
            }
            Err(err) if falls_back(&err) => {
                tracing::info!(symbol, "siseJson failed ({err}); trying fchart");
                let count = fchart_count(from, seoul_today(Utc::now().timestamp()));
                match self.fchart(symbol, count).await {
                    Ok((doc, _)) if doc.rows == 0 => Ok(Answer::Unknown(format!(
                        "fchart has no bars for this symbol (siseJson: {err})"
                    ))),
                    Ok((doc, attempts)) => Ok(Answer::Bars(Box::new(doc), attempts)),
                    Err(fallback) => {
                        tracing::warn!(symbol, "fchart failed too: {fallback}");
                        Err(err)
                    }
                }
            }
            Err(err) => Err(err),
        }
    }

    /// The latest `count` bars from fchart.
    async fn fchart(&self, symbol: &str, count: i64) -> Result<(NaverChart, u32), SourceError> {
        let url = format!(
            "{}?symbol={symbol}&timeframe=day&count={count}&requestType=0",
            self.fchart_url
        );
        get_with_retry(
            &self.http,
            &self.config,
            &url,
            symbol,
            BodyKind::Xml,
            parse_fchart_xml,
        )
        .await
    }
}

/// Whether a siseJson failure is worth asking fchart (another host, another format):
/// everything but an unknown symbol, a spent deadline or a client that cannot be built.
fn falls_back(err: &SourceError) -> bool {
    !matches!(
        err.root(),
        SourceError::UnknownSymbol { .. }
            | SourceError::DeadlineExceeded { .. }
            | SourceError::Client(_)
    )
}

/// The bars to ask fchart for so that its latest bars reach back to `from`: the
/// weekdays from `from` to `today` (an upper bound of the trading days) and a margin.
fn fchart_count(from: NaiveDate, today: NaiveDate) -> i64 {
    let days = (today - from).num_days().max(0) + 1;
    (days * 5 / 7 + 10).min(MAX_FCHART_COUNT)
}

fn seoul() -> chrono_tz::Tz {
    chrono_tz::Asia::Seoul
}

/// The day in Seoul at `now` (Unix seconds).
fn seoul_today(now_secs: i64) -> NaiveDate {
    let now = chrono::DateTime::from_timestamp(now_secs, 0).unwrap_or_default();
    now.with_timezone(&seoul()).date_naive()
}

/// The KRX session of the day in Seoul at `now`: its day, and when its bar stops
/// changing (Unix seconds): 18:00 in Seoul, the end of after-hours trading, whose volume
/// KRX counts in the day's bar (the regular session closes at 15:30, an hour later on
/// the college entrance exam day).
fn session(now_secs: i64) -> (NaiveDate, i64) {
    let day = seoul_today(now_secs);
    let end_time = NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN);
    let end = seoul()
        .from_local_datetime(&day.and_time(end_time))
        .single()
        .map_or(now_secs, |t| t.timestamp());
    (day, end)
}

impl Source for NaverSource {
    fn id(&self) -> SourceId {
        SourceId::Naver
    }

    fn symbol(&self, meta: &TickerMeta) -> Option<String> {
        naver_symbol(&meta.ticker)
    }

    fn fetch<'a>(
        &'a self,
        meta: &'a TickerMeta,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFuture<'a, Result<Fetched, SourceError>> {
        Box::pin(async move {
            match naver_symbol(&meta.ticker) {
                Some(symbol) => self.fetch_symbol(&symbol, from, to).await,
                None => Err(SourceError::UnknownSymbol {
                    symbol: meta.ticker.as_str().to_owned(),
                    detail: "Naver Finance covers KRX stocks and funds and the KOSPI, KOSDAQ and KOSPI 200 indices only".to_owned(),
                }),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A siseJson answer as Naver writes it: a leading newline and space, a single-quoted
    /// header, double-quoted days, tabs and blank lines between rows.
    const SISE: &str = "\n [['날짜', '시가', '고가', '저가', '종가', '거래량', '외국인소진율'],\n\n\t\t\n[\"20240102\", 78200, 79800, 78200, 79600, 17142847, 54.05],\n\t\t\n[\"20240103\", 78500, 78800, 77000, 77000, 21753644, 54.04],\n\t\t\n[\"20240104\", 76100, 77300, 76100, 76600, 15324439, 54.01]\n\t\t\n]\n";

    fn fchart_euc_kr(items: &[&str]) -> Vec<u8> {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"EUC-KR\" ?>\n\n<protocol>\n\n\n\n\t\n\t\n\t\t\t<chartdata symbol=\"005930\" name=\"삼성전자\" count=\"3\" timeframe=\"day\" precision=\"0\" origintime=\"19900103\">\n",
        );
        for item in items {
            xml.push_str(&format!("\t\t\t\n\t\t\t\t<item data=\"{item}\" />\n"));
        }
        xml.push_str("\t\t\t\n\t\n\n\n\t</chartdata>\n</protocol>\n");
        encoding_rs::EUC_KR.encode(&xml).0.into_owned()
    }

    #[test]
    fn sise_json_rows_become_bars_and_ratios() {
        let doc = parse_sise_json(SISE.as_bytes()).unwrap();
        assert_eq!(doc.rows, 3);
        let s = &doc.chart.series;
        assert_eq!(s.days(), &[d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4)]);
        assert_eq!(s.open(), &[78200.0, 78500.0, 76100.0]);
        assert_eq!(s.high(), &[79800.0, 78800.0, 77300.0]);
        assert_eq!(s.low(), &[78200.0, 77000.0, 76100.0]);
        assert_eq!(s.close(), &[79600.0, 77000.0, 76600.0]);
        assert_eq!(s.volume(), &[17_142_847.0, 21_753_644.0, 15_324_439.0]);
        assert_eq!(
            doc.foreign_ratio,
            vec![
                (d(2024, 1, 2), 54.05),
                (d(2024, 1, 3), 54.04),
                (d(2024, 1, 4), 54.01)
            ]
        );
        assert_eq!(doc.chart.time_zone, "Asia/Seoul");
        assert_eq!(doc.chart.currency.as_deref(), Some("KRW"));
        assert_eq!(doc.chart.name, None);
        assert_eq!(doc.chart.skipped_nulls, 0);
        assert!(doc.chart.issues.is_empty());
    }

    #[test]
    fn sise_json_index_rows_have_decimals() {
        let body = "[['날짜','시가','고가','저가','종가','거래량','외국인소진율'],\n['20200811', 2396.11, 2429.36, 2396.11, 2418.67, 843437, 0.0],\n]";
        let doc = parse_sise_json(body.as_bytes()).unwrap();
        assert_eq!(doc.chart.series.close(), &[2418.67]);
        assert_eq!(doc.chart.series.open(), &[2396.11]);
        assert_eq!(doc.foreign_ratio, vec![(d(2020, 8, 11), 0.0)]);
    }

    #[test]
    fn sise_json_header_alone_is_an_empty_window() {
        for body in [
            " [['날짜', '시가', '고가', '저가', '종가', '거래량', '외국인소진율']\n\t\t\n]",
            "[['날짜', '시가', '고가', '저가', '종가', '거래량', '외국인소진율'],\n]",
        ] {
            let doc = parse_sise_json(body.as_bytes()).unwrap();
            assert_eq!(doc.rows, 0);
            assert!(doc.chart.series.is_empty());
            assert!(doc.foreign_ratio.is_empty());
        }
    }

    #[test]
    fn sise_json_halted_days_and_nulls_are_skipped_not_zero_bars() {
        let body = "[['날짜', '시가', '고가', '저가', '종가', '거래량', '외국인소진율'],\n\
            [\"20240102\", 78200, 79800, 78200, 79600, 17142847, 54.05],\n\
            [\"20240103\", 0, 0, 0, 79600, 0, 54.05],\n\
            [\"20240104\", null, null, null, 79600, 0, null],\n\
            [\"2024010\", 1, 1, 1, 1, 1, 1.0],\n\
            [\"20240105\", 79000, 78000, 77000, 78500, 100, 54.1]\n]";
        let doc = parse_sise_json(body.as_bytes()).unwrap();
        assert_eq!(doc.rows, 5);
        assert_eq!(doc.chart.series.days(), &[d(2024, 1, 2)]);
        assert!(doc.chart.series.close().iter().all(|c| *c > 0.0));
        assert_eq!(doc.chart.skipped_nulls, 3, "halted, nulls, bad day");
        assert!(
            matches!(
                doc.chart.issues.as_slice(),
                [crate::model::BarIssue::Rejected {
                    problem: crate::model::BarProblem::OpenCloseOutsideRange,
                    ..
                }]
            ),
            "open above high is rejected: {:?}",
            doc.chart.issues
        );
        // The ratio is kept for every row with a day, halted or not.
        assert_eq!(
            doc.foreign_ratio
                .iter()
                .map(|(d, _)| *d)
                .collect::<Vec<_>>(),
            [d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 5)]
        );
    }

    #[test]
    fn sise_json_cut_bodies_are_truncated_and_garbage_is_malformed() {
        let full = SISE.as_bytes();
        for cut in [10, 60, 120, full.len() - 8, full.len() - 3] {
            let err = parse_sise_json(&full[..cut]).unwrap_err();
            assert_eq!(
                err.malformed_truncated(),
                Some(true),
                "cut at {cut}: {err:?}"
            );
            assert!(err.is_transient());
        }
        for bad in [
            "{\"error\": 1}",
            "[['날짜'], [\"20240102\", 1, 2, 3, 4, 5] x]",
            "[['날짜'], \"20240102\"]",
            "[['날짜'], [[[1]]]]",
            "[['날짜'], [\"20240102\", 1e999, 1, 1, 1, 1]]",
            "[1] trailing",
            "",
        ] {
            let err = parse_sise_json(bad.as_bytes()).unwrap_err();
            assert_eq!(err.malformed_truncated(), Some(false), "{bad}: {err:?}");
        }
    }

    #[test]
    fn every_cut_of_a_real_answer_is_truncated() {
        let sise = SISE.as_bytes();
        let start = sise.iter().position(|b| *b == b'[').unwrap();
        let end = sise.iter().rposition(|b| *b == b']').unwrap();
        for cut in start + 1..=end {
            let err = parse_sise_json(&sise[..cut]).unwrap_err();
            assert_eq!(
                err.malformed_truncated(),
                Some(true),
                "cut at {cut}: {err:?}"
            );
        }
        assert!(parse_sise_json(&sise[..=end]).is_ok());
        let xml = fchart_euc_kr(&["20240102|78200|79800|78200|79600|17142847"]);
        let end = xml.iter().rposition(|b| *b == b'>').unwrap();
        for cut in 1..=end {
            let err = parse_fchart_xml(&xml[..cut]).unwrap_err();
            assert_eq!(
                err.malformed_truncated(),
                Some(true),
                "cut at {cut} ({:?}): {err:?}",
                String::from_utf8_lossy(&xml[..cut])
            );
        }
        assert_eq!(parse_fchart_xml(&xml[..=end]).unwrap().rows, 1);
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let _sise = parse_sise_json(&bytes);
            let _fchart = parse_fchart_xml(&bytes);
        }

        #[test]
        fn parsers_never_panic_on_near_answers(
            cut in 0usize..420,
            flip in 0usize..420,
            byte in proptest::prelude::any::<u8>(),
        ) {
            let mut sise = SISE.as_bytes().to_vec();
            let mut xml = fchart_euc_kr(&["20240102|78200|79800|78200|79600|17142847"]);
            for doc in [&mut sise, &mut xml] {
                let at = flip % doc.len();
                doc[at] = byte;
                doc.truncate(cut.min(doc.len()));
            }
            let _sise = parse_sise_json(&sise);
            let _fchart = parse_fchart_xml(&xml);
        }
    }

    #[test]
    fn fchart_xml_decodes_euc_kr_and_reads_items() {
        let body = fchart_euc_kr(&[
            "20240102|78200|79800|78200|79600|17142847",
            "20240103|78500|78800|77000|77000|21753644",
            "20240104|0|0|0|77000|0",
        ]);
        assert!(
            std::str::from_utf8(&body).is_err(),
            "the sample really is EUC-KR"
        );
        let doc = parse_fchart_xml(&body).unwrap();
        assert_eq!(doc.name.as_deref(), Some("삼성전자"));
        assert_eq!(doc.chart.symbol.as_deref(), Some("005930"));
        assert_eq!(doc.chart.name, None);
        assert_eq!(doc.rows, 3);
        assert_eq!(doc.chart.series.days(), &[d(2024, 1, 2), d(2024, 1, 3)]);
        assert_eq!(doc.chart.series.close(), &[79600.0, 77000.0]);
        assert_eq!(doc.chart.series.volume(), &[17_142_847.0, 21_753_644.0]);
        assert_eq!(doc.chart.skipped_nulls, 1, "the halted day");
        assert!(doc.foreign_ratio.is_empty());
        assert_eq!(doc.chart.time_zone, "Asia/Seoul");
    }

    #[test]
    fn fchart_names_with_entities_and_utf8_declarations() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><protocol><chartdata symbol=\"064960\" name=\"S&amp;T모티브\" timeframe=\"day\"><item data=\"20240102|40000|41000|39500|40500|12345\" /></chartdata></protocol>";
        let doc = parse_fchart_xml(xml.as_bytes()).unwrap();
        assert_eq!(doc.name.as_deref(), Some("S&T모티브"));
        assert_eq!(doc.chart.series.close(), &[40500.0]);
    }

    #[test]
    fn fchart_without_items_is_empty_and_cut_xml_is_truncated() {
        for body in [
            "<?xml version=\"1.0\" encoding=\"EUC-KR\" ?>\n\n<protocol />\n",
            "<?xml version=\"1.0\" encoding=\"EUC-KR\" ?><protocol><chartdata symbol=\"999999\" name=\"\" count=\"0\" timeframe=\"day\"></chartdata></protocol>",
        ] {
            let doc = parse_fchart_xml(body.as_bytes()).unwrap();
            assert_eq!(doc.rows, 0);
            assert!(doc.chart.series.is_empty());
            assert_eq!(doc.name, None);
        }
        let full = fchart_euc_kr(&["20240102|78200|79800|78200|79600|17142847"]);
        for cut in [60, 200, full.len() - 30, full.len() - 5] {
            let err = parse_fchart_xml(&full[..cut]).unwrap_err();
            assert_eq!(
                err.malformed_truncated(),
                Some(true),
                "cut at {cut}: {err:?}"
            );
        }
        for bad in [
            "<?xml version=\"1.0\"?><rss><channel/></rss>",
            "<protocol><chartdata timeframe=\"week\"></chartdata></protocol>",
            "<protocol/><protocol/>",
        ] {
            let err = parse_fchart_xml(bad.as_bytes()).unwrap_err();
            assert_eq!(err.malformed_truncated(), Some(false), "{bad}: {err:?}");
        }
    }

    #[test]
    fn symbols_map_krx_codes_and_korean_indices() {
        let t = |c: Category, s: &str| naver_symbol(&Ticker::parse(c, s).unwrap());
        assert_eq!(
            t(Category::KoreanStock, "005930").as_deref(),
            Some("005930")
        );
        assert_eq!(
            t(Category::KoreanStock, "0126Z0.KQ").as_deref(),
            Some("0126Z0")
        );
        assert_eq!(t(Category::Index, "069500").as_deref(), Some("069500"));
        assert_eq!(t(Category::Index, "^KS11").as_deref(), Some("KOSPI"));
        assert_eq!(t(Category::Index, "^kq11").as_deref(), Some("KOSDAQ"));
        assert_eq!(t(Category::Index, "^KS200").as_deref(), Some("KPI200"));
        assert_eq!(t(Category::Index, "^GSPC"), None);
        assert_eq!(t(Category::Index, "QQQ"), None);
        assert_eq!(t(Category::UsStock, "AAPL"), None);
        assert_eq!(t(Category::Currency, "KRW=X"), None);
        assert!(is_index_symbol("KOSPI") && !is_index_symbol("005930"));
    }

    #[test]
    fn fchart_count_covers_the_window_back_from_today() {
        // 2024-01-02 to 2024-12-31: 365 days, 260 weekdays, 246 KRX trading days.
        assert_eq!(
            fchart_count(d(2024, 1, 2), d(2024, 12, 31)),
            365 * 5 / 7 + 10
        );
        assert!(fchart_count(d(2024, 1, 2), d(2024, 12, 31)) >= 260);
        assert_eq!(fchart_count(d(2024, 1, 2), d(2024, 1, 2)), 10);
        assert_eq!(
            fchart_count(d(2025, 1, 2), d(2024, 1, 2)),
            10,
            "a window in the future"
        );
        assert_eq!(fchart_count(d(1000, 1, 1), d(2024, 1, 2)), MAX_FCHART_COUNT);
    }

    #[test]
    fn the_session_ends_at_six_in_seoul() {
        // 2024-01-02 05:00Z is 14:00 in Seoul; 2024-01-02 16:00Z is 01:00 on Jan 3.
        let (day, end) = session(1_704_171_600);
        assert_eq!(day, d(2024, 1, 2));
        assert_eq!(end, 1_704_186_000, "2024-01-02 09:00Z");
        assert_eq!(session(1_704_211_200).0, d(2024, 1, 3));
    }
}
