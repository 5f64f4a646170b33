//! `wickview bench-render`: headless frame cost of the GPU chart vs egui_plot drawing the
//! same series as plain lines, on whatever adapter wgpu finds.

use std::io::Write as _;

use clap::Args;

use crate::ui::bench_render::{RenderBenchConfig, bench, format_row, format_table};

/// Options of `wickview bench-render`.
#[derive(Debug, Args)]
pub struct BenchRenderArgs {
    /// Series counts to measure.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    pub series: Vec<usize>,
    /// History lengths in years (252 trading days each).
    #[arg(long, value_delimiter = ',', default_value = "1,25")]
    pub years: Vec<usize>,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Frame width in pixels.
    #[arg(long, default_value_t = 1000)]
    pub width: u32,
    /// Frame height in pixels.
    #[arg(long, default_value_t = 700)]
    pub height: u32,
    /// Measured frames per scenario (after warm-up).
    #[arg(long, default_value_t = 15)]
    pub frames: usize,
    /// Stop measuring a scenario after this many seconds (slow baselines).
    #[arg(long, default_value_t = 20.0)]
    pub max_seconds: f64,
}

/// Runs the benchmark and prints a table or JSON lines, row by row as they are measured.
pub fn run(args: &BenchRenderArgs) -> anyhow::Result<std::process::ExitCode> {
    let config = RenderBenchConfig {
        series: args.series.clone(),
        years: args.years.clone(),
        width: args.width,
        height: args.height,
        frames: args.frames,
        max_seconds: args.max_seconds,
    };
    let mut out = std::io::stdout().lock();
    if !args.json {
        write!(out, "{}", format_table(&[]))?;
    }
    let mut write_err = None;
    bench(&config, |row| {
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
