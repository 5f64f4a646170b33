//! The command line: one binary, a window by default, subcommands for scripts and cron.

pub mod bench_store;

use clap::{Parser, Subcommand};

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
    /// Run benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// What `wickview bench` measures.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Write and read back many long series in the embedded store and MongoDB.
    Store(bench_store::BenchStoreArgs),
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    match cli.command {
        None => anyhow::bail!("the chart window is not built yet"),
        Some(Command::Bench(BenchCommand::Store(args))) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_name("wickview-tokio")
                .build()?;
            runtime.block_on(bench_store::run(&args, &cli.store))?;
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}
