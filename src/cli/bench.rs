//! `wickview bench ...`: built-in benchmarks, runnable without cargo.

use std::io::Write as _;

use clap::{Args, Subcommand};

use crate::compute::bench::{
    ComputeBenchConfig, format_json_lines, format_table, run_compute_bench,
};
use crate::compute::panel::DEFAULT_SEED;

/// Arguments of `wickview bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Which benchmark to run.
    #[command(subcommand)]
    pub target: BenchTarget,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchTarget {
    /// Time the compute kernels (SMA, EMA, normalisation, indicators, level of detail) on a
    /// synthetic panel.
    Compute(ComputeArgs),
    /// Write and read back many long series in the embedded store and MongoDB.
    Store(super::bench_store::BenchStoreArgs),
    /// Time chart frames headless (GPU chart vs egui_plot lines) on whatever adapter wgpu finds.
    Render(super::bench_render::BenchRenderArgs),
    /// Time a scripted session (zoom, pan, pointer sweep, rebase day) through the comparison
    /// view's widgets, headless, on 1 to 500 series x 25 years from an embedded store.
    Interact(super::bench_interact::BenchInteractArgs),
}

/// Arguments of `wickview bench compute`.
#[derive(Debug, Args)]
pub struct ComputeArgs {
    /// Number of series in the synthetic panel.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub series: u32,
    /// Days per series.
    #[arg(long, default_value_t = 6300, value_parser = clap::value_parser!(u32).range(1..))]
    pub days: u32,
    /// Timed runs per kernel; the median is reported.
    #[arg(long, default_value_t = 11, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,
    /// Seed of the synthetic panel.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Print one JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Instead of timing, write the synthetic panel to this directory (high.f64, low.f64,
    /// close.f64, volume.f64: little-endian f64, series after series; panel.json: the sizes),
    /// so other tools can be timed on the same panel (benches/talib_pandas_compare.py).
    #[arg(long, value_name = "DIR")]
    pub write_panel: Option<std::path::PathBuf>,
}

/// Runs `wickview bench ...` and returns the exit code.
pub fn run(
    args: BenchArgs,
    store_args: &crate::store::StoreArgs,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<std::process::ExitCode> {
    match args.target {
        BenchTarget::Compute(args) => run_compute(&args),
        BenchTarget::Store(args) => {
            runtime.block_on(super::bench_store::run(&args, store_args))?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        BenchTarget::Render(args) => super::bench_render::run(&args),
        BenchTarget::Interact(args) => super::bench_interact::run(&args, runtime),
    }
}

fn run_compute(args: &ComputeArgs) -> anyhow::Result<std::process::ExitCode> {
    if let Some(dir) = &args.write_panel {
        write_panel(dir, args.series as usize, args.days as usize, args.seed)?;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let config = ComputeBenchConfig {
        series: args.series as usize,
        days: args.days as usize,
        repeat: args.repeat as usize,
        seed: args.seed,
        ..ComputeBenchConfig::default()
    };
    let rows = run_compute_bench(&config)?;
    let text = if args.json {
        format_json_lines(&rows)
    } else {
        format_table(&rows)
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// Writes the synthetic panel of `series` x `days` (seed `seed`) as raw columns into `dir`.
fn write_panel(dir: &std::path::Path, series: usize, days: usize, seed: u64) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let panel = crate::compute::panel::SyntheticPanel::generate(series, days, seed);
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, values) in [
        ("high", panel.high()),
        ("low", panel.low()),
        ("close", panel.close()),
        ("volume", panel.volume()),
    ] {
        let path = dir.join(format!("{name}.f64"));
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    let meta = serde_json::json!({
        "series": panel.n_series(),
        "days": panel.n_days(),
        "seed": seed,
        "layout": "series-major little-endian f64",
    });
    let path = dir.join("panel.json");
    std::fs::write(&path, meta.to_string())
        .with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(dir = %dir.display(), "panel written");
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};

    #[test]
    fn parses_bench_compute() {
        let cli = Cli::try_parse_from([
            "wickview", "bench", "compute", "--series", "7", "--days", "100", "--repeat", "3",
            "--json",
        ])
        .unwrap();
        let Some(Command::Bench(BenchArgs {
            target: BenchTarget::Compute(a),
        })) = cli.command
        else {
            panic!("not bench compute");
        };
        assert_eq!((a.series, a.days, a.repeat, a.json), (7, 100, 3, true));
        assert!(Cli::try_parse_from(["wickview", "bench", "compute", "--series", "0"]).is_err());
        assert!(Cli::try_parse_from(["wickview", "bench"]).is_err());
    }

    #[test]
    fn writes_the_panel_for_other_tools() {
        let dir = tempfile::tempdir().unwrap();
        write_panel(dir.path(), 3, 50, 7).unwrap();
        let panel = crate::compute::panel::SyntheticPanel::generate(3, 50, 7);
        let bytes = std::fs::read(dir.path().join("close.f64")).unwrap();
        let close: Vec<f64> = bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
            .collect();
        assert_eq!(close, panel.close());
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("panel.json")).unwrap())
                .unwrap();
        assert_eq!(
            (meta["series"].as_u64(), meta["days"].as_u64()),
            (Some(3), Some(50))
        );
    }
}
