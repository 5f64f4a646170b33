//! The command line: one binary, a window by default, subcommands for scripts and cron.

pub mod bench;
pub mod bench_interact;
pub mod bench_render;
pub mod bench_store;
pub mod config;
pub mod export;
pub mod import;
pub mod repair;
pub mod tickers;
pub mod update;
pub mod verify;
pub mod watchlist;
pub mod window;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::{Category, MaSet, shown};
use crate::store::StoreArgs;
use crate::ui::app::{AppOptions, WickviewApp};
use crate::ui::chart::RangePreset;
use crate::ui::demo::{DemoApp, DemoSource};
use crate::ui::settings::{PanelTab, ViewKind};

pub use bench_render::BenchRenderArgs;

/// A native chart viewer for stocks, indices and exchange rates over decades of daily data.
#[derive(Debug, Parser)]
#[command(name = "wickview", version, about, long_about = None)]
pub struct Cli {
    /// Where the data lives (embedded database or MongoDB).
    #[command(flatten)]
    pub store: StoreArgs,

    /// What to do; with none, the chart window opens.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// What the window shows (when no subcommand is given).
    #[command(flatten)]
    pub window: WindowArgs,
}

/// Options of the chart window.
#[derive(Debug, Args)]
pub struct WindowArgs {
    /// Render the window once everything shown has loaded, save it as a PNG here, and exit.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// Show the series of this CSV file (date,open,high,low,close[,volume]).
    #[arg(long, value_name = "FILE", conflicts_with = "demo")]
    pub csv: Option<PathBuf>,
    /// Category of the CSV series: kr, us, index or fx (colours and moving averages).
    #[arg(long, default_value = "us", value_parser = parse_category)]
    pub category: Category,
    /// Show N synthetic series of D days (`--demo 1,6300`; N > 1 shows a comparison).
    #[arg(long, value_name = "N,D", value_parser = parse_pair)]
    pub demo: Option<(usize, usize)>,
    /// The range shown first: 1w, 1m, 3m, 6m, ytd, 1y, 3y, 5y, 10y or max (default: 1m of
    /// daily bars, 1y of weekly, 5y of monthly).
    #[arg(long, value_parser = parse_range)]
    pub range: Option<RangePreset>,
    /// The view to open: kr, us, index, fx or compare.
    #[arg(long, value_parser = parse_view)]
    pub view: Option<ViewKind>,
    /// Open this ticker in its category's viewer (e.g. 005930, AAPL, ^GSPC).
    #[arg(long, value_name = "TICKER")]
    pub ticker: Option<String>,
    /// Open the comparison view with these tickers (comma-separated); `@NAME` opens a
    /// watchlist.
    #[arg(long, value_name = "T1,T2,...", value_delimiter = ',')]
    pub compare: Vec<String>,
    /// Show every compared series in one currency: own (each in its own), usd, krw, or the
    /// code of any currency whose rate against the dollar is stored (jpy with JPY=X, eur
    /// with EURUSD=X, …).
    #[arg(long, value_name = "CODE", value_parser = parse_currency)]
    pub currency: Option<crate::ui::compare_fx::DisplayCurrency>,
    /// Do not load the bundled sample series into an empty embedded store.
    #[arg(long)]
    pub no_sample: bool,
    /// Start from default settings and do not save them (reproducible screenshots).
    #[arg(long)]
    pub fresh_settings: bool,
    /// Base URL of a download source, for a mirror or proxy: `NAME=URL` for a named source
    /// (yahoo, naver, ecb, fred), a bare URL for Yahoo (also WICKVIEW_SOURCE_URL);
    /// repeatable.
    #[arg(long, value_name = "[NAME=]URL")]
    pub source_url: Vec<String>,
    /// Open the side panel on this tab: update, tickers, benchmarks or storage.
    #[arg(long, value_name = "TAB", value_parser = parse_panel_tab)]
    pub panel_tab: Option<PanelTab>,
    /// The index viewer's moving-average set: a (5/20/60/120) or b (5/10/20/50/200).
    #[arg(long, value_name = "SET", value_parser = parse_ma_set)]
    pub ma_set: Option<MaSet>,
    /// Show this indicator on the category charts (repeatable): rsi:14, macd:12,26,9, bb:20,2,
    /// stoch:14,3,3, atr:14, ema:10,20,30, obv, roc:10.
    #[arg(long = "indicator", value_name = "SPEC", value_parser = parse_indicator)]
    pub indicators: Vec<crate::compute::indicators::Indicator>,
    /// How the category charts draw the price: candles, ohlc, line or area.
    #[arg(long, value_name = "TYPE", value_parser = parse_chart_type)]
    pub chart_type: Option<crate::ui::chart::ChartType>,
    /// Window width in points (default: as remembered, else 1000); wins over the
    /// remembered width.
    #[arg(long, value_parser = parse_window_side)]
    pub width: Option<f32>,
    /// Window height in points (default: as remembered, else 700); wins over the
    /// remembered height.
    #[arg(long, value_parser = parse_window_side)]
    pub height: Option<f32>,
    /// Bars of the candle charts: d (daily), w (weekly) or m (monthly); default: as
    /// remembered (daily for --csv and --demo).
    #[arg(long, value_name = "D|W|M", value_parser = parse_interval)]
    pub interval: Option<crate::compute::Interval>,
}

/// Smallest and largest window side accepted on the command line (points): a window system
/// refuses a zero-sized window and cannot create one millions of points wide.
const WINDOW_SIDE: std::ops::RangeInclusive<f32> = 200.0..=16_384.0;

/// Parses a window width or height in points, within [`WINDOW_SIDE`].
fn parse_window_side(s: &str) -> Result<f32, String> {
    match s.trim().parse::<f32>() {
        Ok(v) if WINDOW_SIDE.contains(&v) => Ok(v),
        _ => Err(format!(
            "'{}' is not a window size (points, {} to {})",
            shown(s),
            WINDOW_SIDE.start(),
            WINDOW_SIDE.end()
        )),
    }
}

/// Parses `d`, `w` or `m` (or `daily`, `weekly`, `monthly`).
pub(crate) fn parse_interval(s: &str) -> Result<crate::compute::Interval, String> {
    crate::compute::Interval::parse(s).ok_or_else(|| {
        format!(
            "unknown interval '{}' (d, w or m: daily, weekly, monthly)",
            shown(s)
        )
    })
}

fn parse_chart_type(s: &str) -> Result<crate::ui::chart::ChartType, String> {
    crate::ui::chart::ChartType::parse(s).ok_or_else(|| {
        format!(
            "unknown chart type '{}' (candles, ohlc, line, area)",
            shown(s)
        )
    })
}

fn parse_indicator(s: &str) -> Result<crate::compute::indicators::Indicator, String> {
    s.parse()
        .map_err(|e: crate::compute::indicators::SpecError| e.to_string())
}

fn parse_currency(s: &str) -> Result<crate::ui::compare_fx::DisplayCurrency, String> {
    use crate::ui::compare_fx::{CurrencyCode, DisplayCurrency};
    if s.eq_ignore_ascii_case("own") {
        return Ok(DisplayCurrency::Native);
    }
    CurrencyCode::parse(s)
        .map(DisplayCurrency::of)
        .ok_or_else(|| {
            format!(
                "'{}' is not a currency (own, usd, krw, or a three-letter code such as jpy)",
                shown(s)
            )
        })
}

fn parse_category(s: &str) -> Result<Category, String> {
    Category::parse(s).map_err(|e| e.to_string())
}

fn parse_range(s: &str) -> Result<RangePreset, String> {
    RangePreset::parse(s).ok_or_else(|| {
        format!(
            "unknown range '{}' (1w, 1m, 3m, 6m, ytd, 1y, 3y, 5y, 10y, max)",
            shown(s)
        )
    })
}

fn parse_view(s: &str) -> Result<ViewKind, String> {
    ViewKind::parse(s)
        .ok_or_else(|| format!("unknown view '{}' (kr, us, index, fx, compare)", shown(s)))
}

fn parse_panel_tab(s: &str) -> Result<PanelTab, String> {
    PanelTab::parse(s).ok_or_else(|| {
        format!(
            "unknown panel tab '{}' (update, tickers, benchmarks, storage)",
            shown(s)
        )
    })
}

fn parse_ma_set(s: &str) -> Result<MaSet, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "a" => Ok(MaSet::A),
        "b" => Ok(MaSet::B),
        _ => Err(format!(
            "unknown moving-average set '{}' (a or b)",
            shown(s)
        )),
    }
}

fn parse_pair(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s.split_once(',').ok_or("expected N,D")?;
    let n = a.trim().parse::<usize>().map_err(|e| e.to_string())?;
    let d = b.trim().parse::<usize>().map_err(|e| e.to_string())?;
    if n == 0 || d == 0 {
        return Err("N and D must be positive".to_owned());
    }
    Ok((n, d))
}

/// Subcommands that run without a window.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a built-in benchmark and print its timings.
    Bench(bench::BenchArgs),
    /// Download new daily bars into the store (Yahoo Finance first; Naver Finance, the ECB and
    /// FRED where Yahoo fails, per category).
    Update(update::UpdateArgs),
    /// Import CSV or SQLite files into the store.
    Import(import::ImportArgs),
    /// Write a ticker's stored bars (and moving averages) as CSV to stdout.
    Export(export::ExportArgs),
    /// List, add, remove, rename, activate or deactivate tickers.
    Tickers(tickers::TickersArgs),
    /// Fix what earlier tools left in the store (duplicates, shifted or text dates, text
    /// numbers, Yahoo symbols, bars without metadata) and build the unique indexes.
    Repair(repair::RepairArgs),
    /// List, show, create, edit and delete watchlists (named, ordered sets of tickers).
    Watchlist(watchlist::WatchlistArgs),
    /// Compare the stored closes of the last N days with a second source, check Korean
    /// stocks against the KRX daily price limit, or (--refetch) replace a history.
    Verify(verify::VerifyArgs),
}

/// An error and its causes on one line, each cause once: a cause whose text its error
/// already quotes (`store: cannot reach …` wrapping `cannot reach …`) is not repeated.
pub fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// The message of a command-line mistake (clap's, plain text) with every value and argument
/// it quotes as typed put through [`shown`] (at most 40 characters, control characters
/// escaped), so a 10,000-character or escape-laden argument cannot flood or drive the
/// terminal. Our own value parsers quote through [`shown`] already.
pub fn clap_error_text(mut err: clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let typed: Vec<(ContextKind, ContextValue)> = err
        .context()
        .filter_map(|(kind, value)| {
            let quoted = match value {
                ContextValue::String(s) => ContextValue::String(shown(s)),
                ContextValue::Strings(v) => {
                    ContextValue::Strings(v.iter().map(|s| shown(s)).collect())
                }
                _ => return None,
            };
            matches!(
                kind,
                ContextKind::InvalidValue | ContextKind::InvalidArg | ContextKind::SuggestedArg
            )
            .then_some((kind, quoted))
        })
        .collect();
    for (kind, value) in typed {
        err.insert(kind, value);
    }
    err.render().to_string()
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    init_logging();
    let runtime = runtime()?;
    match cli.command {
        None if cli.window.csv.is_some() || cli.window.demo.is_some() => run_demo(&cli.window),
        None => run_app(&cli.window, &cli.store, &runtime),
        Some(Command::Bench(args)) => bench::run(args, &cli.store, &runtime),
        Some(Command::Update(args)) => update::run(&args, &cli.store, &runtime),
        Some(Command::Import(args)) => import::run(&args, &cli.store, &runtime),
        Some(Command::Export(args)) => export::run(&args, &cli.store, &runtime),
        Some(Command::Tickers(args)) => tickers::run(&args, &cli.store, &runtime),
        Some(Command::Repair(args)) => repair::run(&args, &cli.store, &runtime),
        Some(Command::Watchlist(args)) => watchlist::run(&args, &cli.store, &runtime),
        Some(Command::Verify(args)) => verify::run(&args, &cli.store, &runtime),
    }
}

/// The one tokio runtime of the process, with named worker threads.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("wickview-tokio")
        .build()?)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,wickview=info"));
    // Colours only on a terminal: a log redirected to a file (cron) stays plain text.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

fn native_options(args: &WindowArgs) -> eframe::NativeOptions {
    let (width, height) = (args.width, args.height);
    let fixed = args.screenshot.is_some() || args.fresh_settings;
    eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("wickview")
            .with_inner_size([
                width.unwrap_or(window::DEFAULT_WIDTH),
                height.unwrap_or(window::DEFAULT_HEIGHT),
            ]),
        // Runs after eframe restored the remembered size: the command line's wins.
        window_builder: Some(Box::new(move |b| window::sized(b, width, height, fixed))),
        renderer: eframe::Renderer::Wgpu,
        multisampling: 0,
        depth_buffer: 0,
        // A screenshot must not depend on a remembered window size.
        persist_window: args.screenshot.is_none() && !args.fresh_settings,
        ..Default::default()
    }
}

/// The full application on the configured store.
fn run_app(
    args: &WindowArgs,
    store_args: &StoreArgs,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<std::process::ExitCode> {
    let config = crate::store::StoreConfig::resolve(store_args)?;
    let embedded = matches!(config, crate::store::StoreConfig::Embedded { .. });
    let options = AppOptions {
        store: Some(config),
        source_urls: {
            crate::source::SourceConfig::from_flags(&args.source_url)
                .map_err(anyhow::Error::msg)?;
            args.source_url.clone()
        },
        source_settings: config::source_settings(store_args)?,
        seed_sample: embedded && !args.no_sample,
        view: args.view,
        ticker: args.ticker.clone(),
        compare: args.compare.clone(),
        currency: args.currency,
        range: args.range,
        screenshot: args.screenshot.clone(),
        fresh_settings: args.fresh_settings || args.screenshot.is_some(),
        panel_tab: args.panel_tab,
        index_ma_set: args.ma_set,
        indicators: args.indicators.clone(),
        interval: args.interval,
        chart_type: args.chart_type,
    };
    // Background jobs spawn onto this runtime from the UI thread.
    let _guard = runtime.enter();
    let handle = runtime.handle().clone();
    let exit_error = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let exit_error_app = std::sync::Arc::clone(&exit_error);
    eframe::run_native(
        "wickview",
        native_options(args),
        Box::new(move |cc| {
            Ok(Box::new(ExitReporter {
                app: WickviewApp::new(cc, handle, options),
                exit_error: exit_error_app,
            }))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window failed: {e}"))?;
    if let Some(e) = exit_error
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    {
        anyhow::bail!(e);
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Passes the app's exit error (e.g. a screenshot that could not be saved) to `main`.
struct ExitReporter {
    app: WickviewApp,
    exit_error: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl eframe::App for ExitReporter {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.app.ui(ui, frame);
        if let Some(e) = self.app.exit_error() {
            *self
                .exit_error
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e.to_owned());
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.app.save(storage);
    }
}

/// A CSV file or synthetic series, without a store (docs, bug reports, benchmarks).
fn run_demo(args: &WindowArgs) -> anyhow::Result<std::process::ExitCode> {
    let source = match (&args.csv, args.demo) {
        (Some(path), _) => DemoSource::Csv {
            path: path.clone(),
            category: args.category,
        },
        (None, Some((series, days))) => DemoSource::Synthetic { series, days },
        (None, None) => anyhow::bail!("pass --csv FILE or --demo N,D"),
    };
    let interval = args.interval.unwrap_or_default();
    let range = args
        .range
        .unwrap_or_else(|| crate::ui::chart::interval_default_range(interval));
    let mut app = DemoApp::new(&source, range, args.screenshot.clone())?.with_interval(interval);
    if let Some(chart_type) = args.chart_type {
        app = app.with_chart_type(chart_type);
    }
    let error = std::sync::Arc::clone(&app.error);
    eframe::run_native(
        "wickview",
        native_options(args),
        Box::new(|cc| {
            match &cc.wgpu_render_state {
                Some(rs) => crate::ui::chart::init_render_resources(rs, 1, None),
                None => tracing::error!("no wgpu render state: charts cannot be drawn"),
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window failed: {e}"))?;
    if let Some(e) = error
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    {
        anyhow::bail!(e);
    }
    Ok(std::process::ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::compare_fx::{CurrencyCode, DisplayCurrency};

    #[test]
    fn window_sizes_a_window_system_refuses_are_explained() {
        for bad in ["0", "-5", "NaN", "inf", "1e9", "12x", ""] {
            let err = Cli::try_parse_from(["wickview", &format!("--width={bad}")]).unwrap_err();
            assert!(
                err.to_string().contains("is not a window size"),
                "{bad}: {err}"
            );
            assert!(Cli::try_parse_from(["wickview", &format!("--height={bad}")]).is_err());
        }
        let cli = Cli::try_parse_from(["wickview", "--width", "200", "--height", "16384"]).unwrap();
        assert_eq!(
            (cli.window.width, cli.window.height),
            (Some(200.0), Some(16_384.0))
        );
    }

    #[test]
    fn window_size_arguments_are_known_when_given() {
        let cli = Cli::try_parse_from(["wickview", "--width", "1400", "--height", "900"]).unwrap();
        assert_eq!(
            (cli.window.width, cli.window.height),
            (Some(1400.0), Some(900.0))
        );
        // The window's builder hook runs after eframe restored a remembered size.
        let remembered = egui::ViewportBuilder::default().with_inner_size([1600.0, 1000.0]);
        let hook = native_options(&cli.window).window_builder.unwrap();
        assert_eq!(
            hook(remembered.clone()).inner_size,
            Some(egui::vec2(1400.0, 900.0))
        );
        let cli = Cli::try_parse_from(["wickview", "--width", "800"]).unwrap();
        assert_eq!((cli.window.width, cli.window.height), (Some(800.0), None));
        // Not given: the remembered size (or the default) applies.
        let cli = Cli::try_parse_from(["wickview"]).unwrap();
        assert_eq!((cli.window.width, cli.window.height), (None, None));
        let options = native_options(&cli.window);
        assert_eq!(
            options.viewport.inner_size,
            Some(egui::vec2(window::DEFAULT_WIDTH, window::DEFAULT_HEIGHT))
        );
        let hook = options.window_builder.unwrap();
        assert_eq!(
            hook(remembered).inner_size,
            Some(egui::vec2(1600.0, 1000.0))
        );
    }

    #[test]
    fn currency_argument() {
        assert_eq!(parse_currency("own"), Ok(DisplayCurrency::Native));
        assert_eq!(parse_currency("USD"), Ok(DisplayCurrency::Usd));
        assert_eq!(parse_currency("krw"), Ok(DisplayCurrency::Krw));
        assert_eq!(
            parse_currency("jpy"),
            Ok(DisplayCurrency::Other(CurrencyCode::parse("JPY").unwrap()))
        );
        for bad in ["", "yens", "J1Y", "원화"] {
            let err = parse_currency(bad).unwrap_err();
            assert!(err.contains("is not a currency"), "{bad}: {err}");
        }
    }
}
