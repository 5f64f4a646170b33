//! The command line: one binary, a window by default, subcommands for scripts and cron.

pub mod bench_store;

use clap::{Parser, Subcommand};

pub mod bench;
pub mod export;
pub mod import;
pub mod update;

use crate::store::StoreArgs;

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
}

/// Subcommands that run without a window.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a built-in benchmark and print its timings.
    Bench(bench::BenchArgs),
    /// Download new daily bars from Yahoo Finance into the store.
    Update(update::UpdateArgs),
    /// Import CSV or SQLite files into the store.
    Import(import::ImportArgs),
    /// Write a ticker's stored bars (and moving averages) as CSV to stdout.
    Export(export::ExportArgs),
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    match cli.command {
        None => anyhow::bail!("the chart window is not built yet"),
        Some(Command::Bench(args)) => bench::run(args),
        Some(Command::Update(args)) => update::run(&args, &cli.store),
        Some(Command::Import(args)) => import::run(&args, &cli.store),
        Some(Command::Export(args)) => export::run(&args, &cli.store),
    }
}
