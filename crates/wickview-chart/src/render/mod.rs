//! GPU drawing of candles, OHLC bars, volume bars, lines, filled areas and histograms with wgpu
//! (WGSL in `shaders/`).
//!
//! Depends on `model` and `compute` (the level-of-detail pyramids); never on egui, `store`
//! or `source`. The UI wraps [`ChartRenderer`] in an egui_wgpu paint callback.
//!
//! Data flow: a series' pyramid is wrapped once in a [`GpuCandles`] / [`GpuLine`] (an `Arc`
//! with a unique id); each frame the UI builds a [`DrawList`] (view transform + commands);
//! [`ChartRenderer::prepare`] picks the pyramid level per command ([`plan_draw`]), uploads the
//! chunks of that level's instances on screen the first time they are needed (and the rest
//! of the level a few per frame after), and writes one small uniform per command;
//! [`ChartRenderer::paint`] issues one instanced draw per command and chunk on screen.

mod gpu;
mod plan;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::compute::lod;

pub use gpu::{
    CHUNK_BUCKETS, CandleInstance, ChartRenderer, HistogramInstance, PREFETCH_BYTES_PER_FRAME,
    PreparedDraws, RenderTarget, SegmentInstance, UploadStats, ViewUniform, VolumeInstance,
    candle_instances, histogram_instances, segment_instances, shader_source, volume_instances,
};
pub use plan::{DrawCmd, DrawList, DrawPlan, Rgba, ViewTransform, count_primitives, plan_draw};

/// Identifies uploaded data in the GPU cache; unique for the life of the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesId(u64);

fn next_series_id() -> SeriesId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    SeriesId(NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A series' candle pyramid, shareable with the renderer. Its GPU buffers are freed once
/// every `Arc` to it is dropped.
#[derive(Debug)]
pub struct GpuCandles {
    id: SeriesId,
    pyramid: lod::CandlePyramid,
}

impl GpuCandles {
    /// Wraps a pyramid with a fresh id.
    pub fn new(pyramid: lod::CandlePyramid) -> Arc<Self> {
        Arc::new(Self {
            id: next_series_id(),
            pyramid,
        })
    }
    /// The cache id.
    pub fn id(&self) -> SeriesId {
        self.id
    }
    /// The pyramid.
    pub fn pyramid(&self) -> &lod::CandlePyramid {
        &self.pyramid
    }
}

/// A line's pyramid (close, moving average, …), shareable with the renderer.
#[derive(Debug)]
pub struct GpuLine {
    id: SeriesId,
    pyramid: lod::LinePyramid,
}

impl GpuLine {
    /// Wraps a pyramid with a fresh id.
    pub fn new(pyramid: lod::LinePyramid) -> Arc<Self> {
        Arc::new(Self {
            id: next_series_id(),
            pyramid,
        })
    }
    /// The cache id.
    pub fn id(&self) -> SeriesId {
        self.id
    }
    /// The pyramid.
    pub fn pyramid(&self) -> &lod::LinePyramid {
        &self.pyramid
    }
}
