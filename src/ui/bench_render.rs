//! The rendering benchmark as a table, for the side panel.

use crate::cli::bench_render::{BenchRenderArgs, bench};

/// Runs the rendering benchmark for `series` counts at 1 and 25 years and formats a table.
pub fn run_table(series: &[usize]) -> Result<String, String> {
    let args = BenchRenderArgs {
        series: series.to_vec(),
        years: vec![1, 25],
        json: false,
        width: 1000,
        height: 700,
        frames: 7,
        max_seconds: 10.0,
    };
    let rows = bench(&args, |_| {}).map_err(|e| format!("{e:#}"))?;
    let mut out = format!(
        "{:<17} {:>6} {:>6} {:>4} {:>9} {:>10} {:>9}\n",
        "scenario", "series", "days", "zoom", "cpu_ms", "primitives", "raster_ms"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<17} {:>6} {:>6} {:>4} {:>9.3} {:>10} {:>9.2}\n",
            r.scenario, r.series, r.days, r.zoom, r.frame_cpu_ms, r.primitives, r.raster_ms
        ));
    }
    Ok(out)
}
