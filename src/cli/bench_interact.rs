//! `wickview bench interact`: a scripted session through the comparison view's widgets,
//! headless, on 1 to 500 series x 25 years of synthetic data in a temporary embedded store.

use std::io::Write as _;

use clap::Args;

use crate::ui::bench_interact::{InteractConfig, bench, format_row, format_table};

/// Options of `wickview bench interact`.
#[derive(Debug, Args)]
pub struct BenchInteractArgs {
    /// Series counts, one case each.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100,500")]
    pub series: Vec<usize>,
    /// Days per series (6,300 is about 25 years).
    #[arg(long, default_value_t = 6300, value_parser = clap::value_parser!(u32).range(2..))]
    pub days: u32,
    /// Frame width in pixels.
    #[arg(long, default_value_t = 1400)]
    pub width: u32,
    /// Frame height in pixels.
    #[arg(long, default_value_t = 900)]
    pub height: u32,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the benchmark and prints a table or JSON lines, case by case.
pub fn run(
    args: &BenchInteractArgs,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<std::process::ExitCode> {
    anyhow::ensure!(
        args.series.iter().all(|n| *n > 0),
        "--series counts must be positive"
    );
    let config = InteractConfig {
        series: args.series.clone(),
        days: args.days as usize,
        width: args.width,
        height: args.height,
        ..InteractConfig::default()
    };
    let mut out = std::io::stdout().lock();
    if !args.json {
        write!(out, "{}", format_table(&[]))?;
    }
    let mut write_err = None;
    bench(&config, runtime.handle(), |row| {
        let r = if args.json {
            serde_json::to_string(row)
                .map_err(std::io::Error::other)
                .and_then(|s| writeln!(out, "{s}"))
        } else {
            writeln!(out, "{}", format_row(row))
        };
        if let Err(e) = r {
            write_err.get_or_insert(e);
        }
    })?;
    if let Some(e) = write_err {
        return Err(e.into());
    }
    Ok(std::process::ExitCode::SUCCESS)
}
