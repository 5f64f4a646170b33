//! The wgpu side: pipelines built once, instance buffers uploaded once per series, pyramid
//! level and chunk of [`CHUNK_BUCKETS`] buckets (those on screen when first drawn, the rest
//! of the level a few per frame after), and a small per-draw uniform written each frame.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::ops::Range;
use std::sync::{Arc, Weak};

use wgpu::util::DeviceExt as _;

use super::plan::{DrawCmd, DrawList, DrawPlan, Rgba, ViewTransform, plan_draw};
use super::{GpuCandles, GpuLine, SeriesId};
use crate::compute::lod::{CandleLevel, LineLevel};

/// The per-draw uniform. Keep in sync with `View` in shaders/prelude.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ViewUniform {
    /// Visible x range in bar-index units, relative to `x_origin`.
    pub x_min: f32,
    /// See `x_min`.
    pub x_max: f32,
    /// Visible y range in plotted units (log10 in log mode).
    pub y_min: f32,
    /// See `y_min`.
    pub y_max: f32,
    /// Paint rect size in physical pixels.
    pub viewport_px: [f32; 2],
    /// Integer bar index subtracted from bucket positions.
    pub x_origin: f32,
    /// Bars per bucket of the level drawn.
    pub bucket_len: f32,
    /// `value * y_scale + y_offset` is plotted (before the log).
    pub y_scale: f32,
    /// See `y_scale`.
    pub y_offset: f32,
    /// 1 = log10 axis.
    pub log_mode: u32,
    /// Half line thickness in physical pixels.
    pub line_half_width_px: f32,
    /// Up colour or line colour, premultiplied, in the target's colour space.
    pub color_a: [f32; 4],
    /// Down colour, premultiplied.
    pub color_b: [f32; 4],
    /// Candle body width as a fraction of the bucket spacing.
    pub body_frac: f32,
    /// Explicit padding to a multiple of 16 bytes (WGSL struct alignment).
    pub _pad: [f32; 3],
}

const VIEW_UNIFORM_SIZE: usize = 96;
const _: () = assert!(size_of::<ViewUniform>() == VIEW_UNIFORM_SIZE);

/// One candle instance. Keep in sync with `CandleIn` in shaders/candles.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct CandleInstance {
    /// Bucket index at its level.
    pub bucket: f32,
    /// Open of the first bar.
    pub open: f32,
    /// Highest high.
    pub high: f32,
    /// Lowest low.
    pub low: f32,
    /// Close of the last bar.
    pub close: f32,
}
const _: () = assert!(size_of::<CandleInstance>() == 20);

/// One volume bar instance. Keep in sync with `VolumeIn` in shaders/volume.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct VolumeInstance {
    /// Bucket index at its level.
    pub bucket: f32,
    /// Largest daily volume in the bucket.
    pub volume: f32,
    /// 1 if the bucket closed at or above its open.
    pub up: f32,
}
const _: () = assert!(size_of::<VolumeInstance>() == 12);

/// One line bucket instance. Keep in sync with `SegmentIn` in shaders/lines.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SegmentInstance {
    /// Bucket index at its level.
    pub bucket: f32,
    /// Smallest finite value in the bucket.
    pub min_value: f32,
    /// Largest finite value in the bucket.
    pub max_value: f32,
    /// Last finite value of the bucket.
    pub last_value: f32,
    /// First finite value of the next bucket.
    pub next_first: f32,
    /// Bit 0: draw the min..max extent; bit 1: draw the join to the next bucket.
    pub flags: u32,
}
const _: () = assert!(size_of::<SegmentInstance>() == 24);

/// One histogram bucket instance. Keep in sync with `HistogramIn` in shaders/histogram.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct HistogramInstance {
    /// Bucket index at its level.
    pub bucket: f32,
    /// min(0, smallest finite value of the bucket).
    pub low: f32,
    /// max(0, largest finite value of the bucket).
    pub high: f32,
    /// Last finite value of the bucket (picks the colour).
    pub last_value: f32,
    /// 1 if the bucket holds a finite value, else 0 (nothing drawn).
    pub valid: f32,
}
const _: () = assert!(size_of::<HistogramInstance>() == 20);

/// Histogram instances of buckets `range` of one line pyramid level.
pub fn histogram_instances(level: &LineLevel, range: Range<usize>) -> Vec<HistogramInstance> {
    range
        .map(|j| {
            let (min, max, last) = (level.min[j], level.max[j], level.last[j]);
            let valid = min.is_finite() && max.is_finite();
            HistogramInstance {
                bucket: j as f32,
                low: if valid { min.min(0.0) as f32 } else { 0.0 },
                high: if valid { max.max(0.0) as f32 } else { 0.0 },
                last_value: if last.is_finite() { last as f32 } else { 0.0 },
                valid: if valid { 1.0 } else { 0.0 },
            }
        })
        .collect()
}

/// Candle instances of buckets `range` of one pyramid level.
pub fn candle_instances(level: &CandleLevel, range: Range<usize>) -> Vec<CandleInstance> {
    range
        .map(|j| CandleInstance {
            bucket: j as f32,
            open: level.open[j] as f32,
            high: level.high[j] as f32,
            low: level.low[j] as f32,
            close: level.close[j] as f32,
        })
        .collect()
}

/// Volume instances of buckets `range` of one pyramid level.
pub fn volume_instances(level: &CandleLevel, range: Range<usize>) -> Vec<VolumeInstance> {
    range
        .map(|j| VolumeInstance {
            bucket: j as f32,
            volume: level.volume_max[j] as f32,
            up: if level.close[j] >= level.open[j] {
                1.0
            } else {
                0.0
            },
        })
        .collect()
}

/// Segment instances of buckets `range` of one line pyramid level (NaN buckets produce no
/// geometry). The last bucket of a range still joins the first of the next.
pub fn segment_instances(level: &LineLevel, range: Range<usize>) -> Vec<SegmentInstance> {
    range
        .map(|j| {
            let (min, max) = (level.min[j], level.max[j]);
            let next_first = level.first.get(j + 1).copied().unwrap_or(f64::NAN);
            let last = level.last[j];
            let mut flags = 0;
            if level.bucket_len > 1 && min.is_finite() && max.is_finite() && max > min {
                flags |= 1;
            }
            if last.is_finite() && next_first.is_finite() {
                flags |= 2;
            }
            let finite_or_zero = |v: f64| if v.is_finite() { v as f32 } else { 0.0 };
            SegmentInstance {
                bucket: j as f32,
                min_value: finite_or_zero(min),
                max_value: finite_or_zero(max),
                last_value: finite_or_zero(last),
                next_first: finite_or_zero(next_first),
                flags,
            }
        })
        .collect()
}

/// What the pipelines render into: must match the render pass they are painted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderTarget {
    /// Colour attachment format.
    pub format: wgpu::TextureFormat,
    /// MSAA sample count (1 = off).
    pub msaa_samples: u32,
    /// Depth attachment format, if the pass has one.
    pub depth_format: Option<wgpu::TextureFormat>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum BufferKind {
    Candles,
    Volume,
    Line,
    Histogram,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct CacheKey {
    series: SeriesId,
    kind: BufferKind,
    level: usize,
}

/// Buckets per instance buffer: a level is uploaded in chunks of this many, those a draw
/// touches at once and the others a few per frame after it ([`PREFETCH_BYTES_PER_FRAME`]),
/// so the first frame of many long series uploads what is on screen, not decades of each.
pub const CHUNK_BUCKETS: usize = 1024;

/// Bytes of chunks not yet on screen uploaded per frame, nearest the view first.
pub const PREFETCH_BYTES_PER_FRAME: usize = 2 << 20;

/// One uploaded chunk of a level.
#[derive(Clone)]
struct Chunk {
    buffer: wgpu::Buffer,
    instances: u32,
}

/// A level's chunks as far as uploaded; dropped when its source series is dropped.
struct CachedLevel {
    /// Buckets of the level.
    len: usize,
    chunks: Vec<Option<Chunk>>,
    missing: usize,
    alive: Alive,
}

enum Alive {
    Candles(Weak<GpuCandles>),
    Line(Weak<GpuLine>),
}

impl Alive {
    fn is_alive(&self) -> bool {
        match self {
            Self::Candles(w) => w.strong_count() > 0,
            Self::Line(w) => w.strong_count() > 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PipelineKind {
    Candles,
    Ohlc,
    Volume,
    Line,
    Area,
    Histogram,
}

/// One draw, ready for the render pass.
#[derive(Debug)]
struct PreparedDraw {
    pipeline: PipelineKind,
    bind_group: wgpu::BindGroup,
    uniform_offset: u32,
    buffer: wgpu::Buffer,
    byte_range: Range<u64>,
    instances: u32,
}

/// The draws of one paint callback, produced by [`ChartRenderer::prepare`].
#[derive(Debug, Default)]
pub struct PreparedDraws {
    draws: Vec<PreparedDraw>,
    viewport_px: [f32; 2],
    /// Quads (primitives) these draws rasterise.
    pub primitives: u64,
    /// Whether chunks of the levels drawn are still to be uploaded: the host should run
    /// another frame soon (the chunks on screen are always there).
    pub uploads_pending: bool,
}

struct UniformRing {
    buffer: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
    capacity: u32,
    next: u32,
}

/// Counters of GPU uploads, for tests and benchmarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UploadStats {
    /// Instance buffers created so far.
    pub buffers_created: u64,
    /// Bytes uploaded into instance buffers so far.
    pub bytes_uploaded: u64,
    /// Instance buffers currently cached.
    pub buffers_cached: usize,
}

/// Pipelines, the uniform ring and the instance-buffer cache. Created once per device
/// (stored in egui_wgpu's callback resources by the UI) and reused every frame.
pub struct ChartRenderer {
    candle_pipeline: wgpu::RenderPipeline,
    ohlc_pipeline: wgpu::RenderPipeline,
    volume_pipeline: wgpu::RenderPipeline,
    line_pipeline: wgpu::RenderPipeline,
    area_pipeline: wgpu::RenderPipeline,
    histogram_pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    ring: UniformRing,
    stride: u32,
    cache: HashMap<CacheKey, CachedLevel>,
    frame_finished: bool,
    prefetch_left: usize,
    linear_target: bool,
    stats: UploadStats,
}

const PRELUDE: &str = include_str!("../../shaders/prelude.wgsl");
const CANDLES_WGSL: &str = include_str!("../../shaders/candles.wgsl");
const VOLUME_WGSL: &str = include_str!("../../shaders/volume.wgsl");
const LINES_WGSL: &str = include_str!("../../shaders/lines.wgsl");
const HISTOGRAM_WGSL: &str = include_str!("../../shaders/histogram.wgsl");
const OHLC_WGSL: &str = include_str!("../../shaders/ohlc.wgsl");
const AREA_WGSL: &str = include_str!("../../shaders/area.wgsl");

/// A shader's full source: the shared prelude followed by the shader.
pub fn shader_source(body: &str) -> String {
    format!("{PRELUDE}\n{body}")
}

impl ChartRenderer {
    /// Builds the pipelines for `target` on `device`.
    pub fn new(device: &wgpu::Device, target: RenderTarget) -> Self {
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("wickview_view_layout"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    min_binding_size: NonZeroU64::new(VIEW_UNIFORM_SIZE as u64),
                },
                count: None,
            }],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("wickview_pipeline_layout"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let candle_attrs = wgpu::vertex_attr_array![0 => Float32, 1 => Float32, 2 => Float32, 3 => Float32, 4 => Float32];
        let volume_attrs = wgpu::vertex_attr_array![0 => Float32, 1 => Float32, 2 => Float32];
        let line_attrs = wgpu::vertex_attr_array![0 => Float32, 1 => Float32, 2 => Float32, 3 => Float32, 4 => Float32, 5 => Uint32];
        let histogram_attrs = wgpu::vertex_attr_array![0 => Float32, 1 => Float32, 2 => Float32, 3 => Float32, 4 => Float32];
        let make = |name: &str, body: &str, stride: usize, attrs: &[wgpu::VertexAttribute]| {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(name),
                source: wgpu::ShaderSource::Wgsl(shader_source(body).into()),
            });
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(name),
                layout: Some(&pipeline_layout),
                vertex: wgpu::VertexState {
                    module: &module,
                    entry_point: Some("vs_main"),
                    compilation_options: wgpu::PipelineCompilationOptions::default(),
                    buffers: &[Some(wgpu::VertexBufferLayout {
                        array_stride: stride as u64,
                        step_mode: wgpu::VertexStepMode::Instance,
                        attributes: attrs,
                    })],
                },
                primitive: wgpu::PrimitiveState {
                    topology: wgpu::PrimitiveTopology::TriangleList,
                    cull_mode: None,
                    ..Default::default()
                },
                depth_stencil: target.depth_format.map(|format| wgpu::DepthStencilState {
                    format,
                    depth_write_enabled: Some(false),
                    depth_compare: Some(wgpu::CompareFunction::Always),
                    stencil: wgpu::StencilState::default(),
                    bias: wgpu::DepthBiasState::default(),
                }),
                multisample: wgpu::MultisampleState {
                    count: target.msaa_samples.max(1),
                    mask: !0,
                    alpha_to_coverage_enabled: false,
                },
                fragment: Some(wgpu::FragmentState {
                    module: &module,
                    entry_point: Some("fs_main"),
                    compilation_options: wgpu::PipelineCompilationOptions::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format: target.format,
                        blend: Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let candle_pipeline = make(
            "wickview_candles",
            CANDLES_WGSL,
            size_of::<CandleInstance>(),
            &candle_attrs,
        );
        // OHLC bars read the candle instances, the area the line segments: same buffers.
        let ohlc_pipeline = make(
            "wickview_ohlc",
            OHLC_WGSL,
            size_of::<CandleInstance>(),
            &candle_attrs,
        );
        let area_pipeline = make(
            "wickview_area",
            AREA_WGSL,
            size_of::<SegmentInstance>(),
            &line_attrs,
        );
        let volume_pipeline = make(
            "wickview_volume",
            VOLUME_WGSL,
            size_of::<VolumeInstance>(),
            &volume_attrs,
        );
        let line_pipeline = make(
            "wickview_lines",
            LINES_WGSL,
            size_of::<SegmentInstance>(),
            &line_attrs,
        );
        let histogram_pipeline = make(
            "wickview_histogram",
            HISTOGRAM_WGSL,
            size_of::<HistogramInstance>(),
            &histogram_attrs,
        );
        let align = device.limits().min_uniform_buffer_offset_alignment.max(1);
        let stride = (VIEW_UNIFORM_SIZE as u32).div_ceil(align) * align;
        let ring = Self::make_ring(device, &layout, stride, 64);
        Self {
            candle_pipeline,
            ohlc_pipeline,
            volume_pipeline,
            line_pipeline,
            area_pipeline,
            histogram_pipeline,
            layout,
            ring,
            stride,
            cache: HashMap::new(),
            frame_finished: false,
            prefetch_left: PREFETCH_BYTES_PER_FRAME,
            linear_target: target.format.is_srgb(),
            stats: UploadStats::default(),
        }
    }

    fn make_ring(
        device: &wgpu::Device,
        layout: &wgpu::BindGroupLayout,
        stride: u32,
        capacity: u32,
    ) -> UniformRing {
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("wickview_view_uniforms"),
            size: u64::from(stride) * u64::from(capacity),
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("wickview_view_bind_group"),
            layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &buffer,
                    offset: 0,
                    size: NonZeroU64::new(VIEW_UNIFORM_SIZE as u64),
                }),
            }],
        });
        UniformRing {
            buffer,
            bind_group,
            capacity,
            next: 0,
        }
    }

    /// Upload counters so far.
    pub fn stats(&self) -> UploadStats {
        UploadStats {
            buffers_cached: self
                .cache
                .values()
                .map(|l| l.chunks.len() - l.missing)
                .sum(),
            ..self.stats
        }
    }

    /// Converts an unmultiplied sRGB colour to what the shader writes.
    fn shader_color(&self, c: Rgba) -> [f32; 4] {
        let conv = |v: f32| {
            if self.linear_target {
                if v <= 0.04045 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            } else {
                v
            }
        };
        let a = c[3];
        [conv(c[0]) * a, conv(c[1]) * a, conv(c[2]) * a, a]
    }

    /// Uploads what `list` needs that is not cached yet (the chunks on screen, then some of
    /// the rest of their levels) and writes its uniforms. Call once per paint callback per
    /// frame, then [`Self::finish_frame`] once all are prepared.
    pub fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        list: &DrawList,
    ) -> PreparedDraws {
        if self.frame_finished {
            // First prepare of a new frame: the previous frame's uniform slots are free again.
            self.ring.next = 0;
            self.prefetch_left = PREFETCH_BYTES_PER_FRAME;
            self.frame_finished = false;
        }
        let mut out = PreparedDraws {
            viewport_px: [list.view.width_px, list.view.height_px],
            ..PreparedDraws::default()
        };
        if !list.view.is_drawable() {
            return out;
        }
        let plans: Vec<(usize, DrawPlan)> = list
            .cmds
            .iter()
            .enumerate()
            .filter_map(|(i, cmd)| plan_draw(cmd, &list.view).map(|p| (i, p)))
            .collect();
        if plans.is_empty() {
            return out;
        }
        let needed = self.ring.next + plans.len() as u32;
        if needed > self.ring.capacity {
            let capacity = needed.next_power_of_two().max(self.ring.capacity * 2);
            self.ring = Self::make_ring(device, &self.layout, self.stride, capacity);
            self.ring.next = 0;
        }
        let first_slot = self.ring.next;
        let mut bytes = vec![0u8; plans.len() * self.stride as usize];
        let mut shown = Vec::with_capacity(plans.len());
        for (k, (i, plan)) in plans.iter().enumerate() {
            let cmd = &list.cmds[*i];
            let uniform = self.uniform_for(cmd, &list.view, plan);
            let at = k * self.stride as usize;
            bytes[at..at + VIEW_UNIFORM_SIZE].copy_from_slice(bytemuck::bytes_of(&uniform));
            let Some(len) = self.level(cmd, plan.level) else {
                continue;
            };
            let start = (plan.instances.start as usize).min(len);
            let end = (plan.instances.end as usize).min(len);
            if end <= start {
                continue;
            }
            let (_, _, pipeline, stride) = describe(cmd);
            let (first_chunk, last_chunk) = (start / CHUNK_BUCKETS, (end - 1) / CHUNK_BUCKETS);
            for c in first_chunk..=last_chunk {
                let Some(chunk) = self.chunk(device, cmd, plan.level, c) else {
                    continue;
                };
                let c0 = c * CHUNK_BUCKETS;
                let (a, b) = (
                    start.max(c0) - c0,
                    end.min(c0 + chunk.instances as usize).saturating_sub(c0),
                );
                if b <= a {
                    continue;
                }
                out.draws.push(PreparedDraw {
                    pipeline,
                    bind_group: self.ring.bind_group.clone(),
                    uniform_offset: (first_slot + k as u32) * self.stride,
                    buffer: chunk.buffer,
                    byte_range: (a * stride) as u64..(b * stride) as u64,
                    instances: (b - a) as u32,
                });
            }
            out.primitives += plan.primitives();
            shown.push((*i, plan.level, first_chunk, last_chunk));
        }
        queue.write_buffer(
            &self.ring.buffer,
            u64::from(first_slot) * u64::from(self.stride),
            &bytes,
        );
        self.ring.next += plans.len() as u32;
        out.uploads_pending = self.prefetch(device, list, &shown);
        out
    }

    /// Uploads chunks of the levels drawn (`shown`: command, level, first and last chunk on
    /// screen) that are not on screen, nearest the view first and a few at a time across
    /// all of them, until this frame's budget is spent. Whether some are still missing.
    fn prefetch(
        &mut self,
        device: &wgpu::Device,
        list: &DrawList,
        shown: &[(usize, usize, usize, usize)],
    ) -> bool {
        let incomplete: Vec<_> = shown
            .iter()
            .filter(|(i, level, ..)| {
                let (series, kind, ..) = describe(&list.cmds[*i]);
                self.cache
                    .get(&CacheKey {
                        series,
                        kind,
                        level: *level,
                    })
                    .is_some_and(|l| l.missing > 0)
            })
            .copied()
            .collect();
        for distance in 1.. {
            let mut any = false;
            for &(i, level, first, last) in &incomplete {
                let cmd = &list.cmds[i];
                let (series, kind, ..) = describe(cmd);
                let key = CacheKey {
                    series,
                    kind,
                    level,
                };
                for c in [first.checked_sub(distance), last.checked_add(distance)]
                    .into_iter()
                    .flatten()
                {
                    let Some(cached) = self.cache.get(&key) else {
                        continue;
                    };
                    let Some(slot) = cached.chunks.get(c) else {
                        continue;
                    };
                    any = true;
                    if slot.is_some() {
                        continue;
                    }
                    if self.prefetch_left == 0 {
                        return true;
                    }
                    if let Some(chunk) = self.chunk(device, cmd, level, c) {
                        let (.., stride) = describe(cmd);
                        let used = chunk.instances as usize * stride;
                        self.prefetch_left = self.prefetch_left.saturating_sub(used);
                    }
                }
            }
            if !any {
                break;
            }
        }
        false
    }

    /// Marks the end of a frame's preparation and frees the buffers of series that are gone.
    pub fn finish_frame(&mut self) {
        self.frame_finished = true;
        self.cache.retain(|_, level| level.alive.is_alive());
    }

    fn uniform_for(&self, cmd: &DrawCmd, view: &ViewTransform, plan: &DrawPlan) -> ViewUniform {
        let origin = view.x_min.floor();
        let mut u = ViewUniform {
            x_min: (view.x_min - origin) as f32,
            x_max: (view.x_max - origin) as f32,
            y_min: view.y_min as f32,
            y_max: view.y_max as f32,
            viewport_px: [view.width_px, view.height_px],
            x_origin: origin as f32,
            bucket_len: plan.bucket_len as f32,
            y_scale: 1.0,
            y_offset: 0.0,
            log_mode: u32::from(view.log_y),
            line_half_width_px: 0.5,
            body_frac: 0.7,
            ..ViewUniform::default()
        };
        match cmd {
            DrawCmd::Candles { up, down, .. } => {
                u.color_a = self.shader_color(*up);
                u.color_b = self.shader_color(*down);
            }
            DrawCmd::Ohlc {
                up, down, width_px, ..
            } => {
                u.color_a = self.shader_color(*up);
                u.color_b = self.shader_color(*down);
                u.line_half_width_px = (width_px * 0.5).max(0.5);
            }
            DrawCmd::Area { color, .. } => {
                u.color_a = self.shader_color(*color);
            }
            DrawCmd::Volume { up, down, .. } => {
                u.color_a = self.shader_color(*up);
                u.color_b = self.shader_color(*down);
                // Volume is never on a log axis.
                u.log_mode = 0;
            }
            DrawCmd::Line {
                color,
                width_px,
                y_scale,
                y_offset,
                ..
            } => {
                u.color_a = self.shader_color(*color);
                u.line_half_width_px = (width_px * 0.5).max(0.5);
                u.y_scale = *y_scale as f32;
                u.y_offset = *y_offset as f32;
            }
            DrawCmd::Histogram { up, down, .. } => {
                u.color_a = self.shader_color(*up);
                u.color_b = self.shader_color(*down);
                // Signed values: never on a log axis.
                u.log_mode = 0;
            }
        }
        u
    }

    /// The number of buckets of `cmd`'s `level`, making its cache entry (no chunk uploaded
    /// yet) the first time; `None` if the pyramid has no such level.
    fn level(&mut self, cmd: &DrawCmd, level: usize) -> Option<usize> {
        let (series, kind, ..) = describe(cmd);
        let key = CacheKey {
            series,
            kind,
            level,
        };
        if let Some(cached) = self.cache.get(&key) {
            return Some(cached.len);
        }
        let (len, alive) = match cmd {
            DrawCmd::Candles { data, .. }
            | DrawCmd::Ohlc { data, .. }
            | DrawCmd::Volume { data, .. } => (
                data.pyramid().levels().get(level)?.open.len(),
                Alive::Candles(Arc::downgrade(data)),
            ),
            DrawCmd::Line { data, .. }
            | DrawCmd::Area { data, .. }
            | DrawCmd::Histogram { data, .. } => (
                data.pyramid().levels().get(level)?.min.len(),
                Alive::Line(Arc::downgrade(data)),
            ),
        };
        let chunks = len.div_ceil(CHUNK_BUCKETS);
        self.cache.insert(
            key,
            CachedLevel {
                len,
                chunks: vec![None; chunks],
                missing: chunks,
                alive,
            },
        );
        Some(len)
    }

    /// Chunk `c` of `cmd`'s `level`, uploaded now if it is not yet (after [`Self::level`]).
    fn chunk(
        &mut self,
        device: &wgpu::Device,
        cmd: &DrawCmd,
        level: usize,
        c: usize,
    ) -> Option<Chunk> {
        let (series, kind, ..) = describe(cmd);
        let key = CacheKey {
            series,
            kind,
            level,
        };
        let cached = self.cache.get_mut(&key)?;
        if let Some(chunk) = cached.chunks.get(c)? {
            return Some(chunk.clone());
        }
        let len = cached.len;
        let range = c * CHUNK_BUCKETS..((c + 1) * CHUNK_BUCKETS).min(len);
        let instances = u32::try_from(range.len()).ok()?;
        let buffer = match cmd {
            DrawCmd::Candles { data, .. } | DrawCmd::Ohlc { data, .. } => upload(
                device,
                &candle_instances(data.pyramid().levels().get(level)?, range),
            ),
            DrawCmd::Volume { data, .. } => upload(
                device,
                &volume_instances(data.pyramid().levels().get(level)?, range),
            ),
            DrawCmd::Line { data, .. } | DrawCmd::Area { data, .. } => upload(
                device,
                &segment_instances(data.pyramid().levels().get(level)?, range),
            ),
            DrawCmd::Histogram { data, .. } => upload(
                device,
                &histogram_instances(data.pyramid().levels().get(level)?, range),
            ),
        };
        let (.., stride) = describe(cmd);
        self.stats.buffers_created += 1;
        self.stats.bytes_uploaded += u64::from(instances) * stride as u64;
        let chunk = Chunk { buffer, instances };
        cached.chunks[c] = Some(chunk.clone());
        cached.missing -= 1;
        Some(chunk)
    }

    /// Records the prepared draws into `pass` (whose viewport is the chart's paint rect).
    pub fn paint(&self, pass: &mut wgpu::RenderPass<'_>, prepared: &PreparedDraws) {
        let _ = prepared.viewport_px;
        for draw in &prepared.draws {
            if draw.instances == 0 || draw.byte_range.is_empty() {
                continue;
            }
            let pipeline = match draw.pipeline {
                PipelineKind::Candles => &self.candle_pipeline,
                PipelineKind::Ohlc => &self.ohlc_pipeline,
                PipelineKind::Volume => &self.volume_pipeline,
                PipelineKind::Line => &self.line_pipeline,
                PipelineKind::Area => &self.area_pipeline,
                PipelineKind::Histogram => &self.histogram_pipeline,
            };
            let vertices = match draw.pipeline {
                PipelineKind::Volume | PipelineKind::Histogram => 6,
                PipelineKind::Candles | PipelineKind::Line | PipelineKind::Area => 12,
                PipelineKind::Ohlc => 18,
            };
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &draw.bind_group, &[draw.uniform_offset]);
            pass.set_vertex_buffer(0, draw.buffer.slice(draw.byte_range.clone()));
            pass.draw(0..vertices, 0..draw.instances);
        }
    }
}

/// The cache identity, pipeline and instance size of `cmd`.
fn describe(cmd: &DrawCmd) -> (SeriesId, BufferKind, PipelineKind, usize) {
    match cmd {
        DrawCmd::Candles { data, .. } => (
            data.id(),
            BufferKind::Candles,
            PipelineKind::Candles,
            size_of::<CandleInstance>(),
        ),
        DrawCmd::Ohlc { data, .. } => (
            data.id(),
            BufferKind::Candles,
            PipelineKind::Ohlc,
            size_of::<CandleInstance>(),
        ),
        DrawCmd::Area { data, .. } => (
            data.id(),
            BufferKind::Line,
            PipelineKind::Area,
            size_of::<SegmentInstance>(),
        ),
        DrawCmd::Volume { data, .. } => (
            data.id(),
            BufferKind::Volume,
            PipelineKind::Volume,
            size_of::<VolumeInstance>(),
        ),
        DrawCmd::Line { data, .. } => (
            data.id(),
            BufferKind::Line,
            PipelineKind::Line,
            size_of::<SegmentInstance>(),
        ),
        DrawCmd::Histogram { data, .. } => (
            data.id(),
            BufferKind::Histogram,
            PipelineKind::Histogram,
            size_of::<HistogramInstance>(),
        ),
    }
}

/// A vertex buffer holding `instances`.
fn upload<T: bytemuck::Pod>(device: &wgpu::Device, instances: &[T]) -> wgpu::Buffer {
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("wickview_instances"),
        contents: bytemuck::cast_slice(instances),
        usage: wgpu::BufferUsages::VERTEX,
    })
}

impl std::fmt::Debug for ChartRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChartRenderer")
            .field("cached_levels", &self.cache.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::lod::LinePyramid;

    #[test]
    fn segments_skip_nan_and_flag_extents() {
        let p = LinePyramid::build(&[f64::NAN, f64::NAN, 1.0, 3.0, 2.0, 5.0]);
        let l0 = segment_instances(&p.levels()[0], 0..6);
        assert_eq!(l0.len(), 6);
        assert_eq!(l0[0].flags, 0, "NaN start joins nothing");
        assert_eq!(l0[1].flags, 0, "NaN to a value joins nothing");
        assert_eq!(l0[2].flags, 2, "level 0 has no vertical extent");
        assert_eq!(l0[5].flags, 0, "the last bucket has no next");
        let l1 = segment_instances(&p.levels()[1], 0..3);
        // Buckets: [NaN, NaN], [1, 3], [2, 5]
        assert_eq!(l1[0].flags, 0);
        assert_eq!(l1[1].flags, 3);
        assert_eq!((l1[1].min_value, l1[1].max_value), (1.0, 3.0));
        assert_eq!((l1[1].last_value, l1[1].next_first), (3.0, 2.0));
    }

    #[test]
    fn volume_uses_bucket_max_and_direction() {
        let p = crate::compute::lod::CandlePyramid::build(
            &[10.0, 11.0, 12.0],
            &[12.0, 12.0, 13.0],
            &[9.0, 10.0, 11.0],
            &[11.0, 10.5, 11.5],
            &[100.0, 300.0, 50.0],
        );
        let v = volume_instances(&p.levels()[1], 0..2);
        assert_eq!(v[0].volume, 300.0);
        assert_eq!(v[0].up, 1.0, "open 10, close 10.5");
        assert_eq!(v[1].up, 0.0, "open 12, close 11.5");
    }

    #[test]
    fn histogram_bars_reach_from_zero_and_skip_empty_buckets() {
        let p = LinePyramid::build(&[f64::NAN, f64::NAN, 2.0, -1.0, -3.0, 0.5]);
        let h = histogram_instances(&p.levels()[0], 0..6);
        assert_eq!(h[0].valid, 0.0);
        assert_eq!((h[2].low, h[2].high, h[2].valid), (0.0, 2.0, 1.0));
        assert_eq!((h[3].low, h[3].high, h[3].last_value), (-1.0, 0.0, -1.0));
        let coarse = histogram_instances(&p.levels()[1], 0..3);
        assert_eq!(coarse[0].valid, 0.0, "two NaN days");
        assert_eq!(
            (coarse[1].low, coarse[1].high, coarse[1].last_value),
            (-1.0, 2.0, -1.0)
        );
        assert_eq!((coarse[2].low, coarse[2].high), (-3.0, 0.5));
    }

    /// OHLC bars draw from the candles' instance buffers and the area from the line's:
    /// switching the chart type uploads nothing new, and each draws its vertices.
    #[test]
    fn ohlc_and_area_share_the_buffers_of_candles_and_lines() {
        let rs = egui_kittest::wgpu::create_render_state(
            egui_kittest::wgpu::default_wgpu_setup(),
            egui_wgpu::RendererOptions::PREDICTABLE,
        );
        let (device, queue) = (&rs.device, &rs.queue);
        let mut r = ChartRenderer::new(
            device,
            RenderTarget {
                format: rs.target_format,
                msaa_samples: 1,
                depth_format: None,
            },
        );
        let values: Vec<f64> = (0..300).map(|i| 100.0 + (i as f64 * 0.1).sin()).collect();
        let hi: Vec<f64> = values.iter().map(|v| v + 1.0).collect();
        let lo: Vec<f64> = values.iter().map(|v| v - 1.0).collect();
        let candles = GpuCandles::new(crate::compute::lod::CandlePyramid::build(
            &values, &hi, &lo, &values, &values,
        ));
        let line = GpuLine::new(LinePyramid::build(&values));
        let list = |cmds| DrawList {
            view: ViewTransform {
                x_min: 250.0,
                x_max: 300.0,
                y_min: 90.0,
                y_max: 110.0,
                log_y: false,
                width_px: 800.0,
                height_px: 400.0,
            },
            cmds,
        };
        let first = list(vec![
            DrawCmd::Candles {
                data: Arc::clone(&candles),
                up: [1.0; 4],
                down: [1.0; 4],
            },
            DrawCmd::Line {
                data: Arc::clone(&line),
                color: [1.0; 4],
                width_px: 1.0,
                y_scale: 1.0,
                y_offset: 0.0,
            },
        ]);
        r.prepare(device, queue, &first);
        r.finish_frame();
        let created = r.stats().buffers_created;
        let second = list(vec![
            DrawCmd::Ohlc {
                data: Arc::clone(&candles),
                up: [1.0; 4],
                down: [1.0; 4],
                width_px: 1.0,
            },
            DrawCmd::Area {
                data: Arc::clone(&line),
                color: [1.0; 4],
            },
        ]);
        let p = r.prepare(device, queue, &second);
        r.finish_frame();
        assert_eq!(r.stats().buffers_created, created, "no new upload");
        let kinds: Vec<PipelineKind> = p.draws.iter().map(|d| d.pipeline).collect();
        assert_eq!(kinds, [PipelineKind::Ohlc, PipelineKind::Area]);
        assert!(p.primitives > 0);
    }

    fn line_list(line: &Arc<GpuLine>, x: Range<f64>) -> DrawList {
        DrawList {
            view: ViewTransform {
                x_min: x.start,
                x_max: x.end,
                y_min: 90.0,
                y_max: 110.0,
                log_y: false,
                width_px: 800.0,
                height_px: 400.0,
            },
            cmds: vec![DrawCmd::Line {
                data: Arc::clone(line),
                color: [1.0; 4],
                width_px: 1.0,
                y_scale: 1.0,
                y_offset: 0.0,
            }],
        }
    }

    fn drawn(p: &PreparedDraws) -> u32 {
        p.draws.iter().map(|d| d.instances).sum()
    }

    #[test]
    fn a_long_level_uploads_what_is_on_screen_first_and_the_rest_over_frames() {
        let rs = egui_kittest::wgpu::create_render_state(
            egui_kittest::wgpu::default_wgpu_setup(),
            egui_wgpu::RendererOptions::PREDICTABLE,
        );
        let (device, queue) = (&rs.device, &rs.queue);
        let mut r = ChartRenderer::new(
            device,
            RenderTarget {
                format: rs.target_format,
                msaa_samples: 1,
                depth_format: None,
            },
        );
        let n = 300_000;
        let values: Vec<f64> = (0..n).map(|i| 100.0 + (i as f64 * 0.01).sin()).collect();
        let line = GpuLine::new(LinePyramid::build(&values));
        let level_bytes = n * size_of::<SegmentInstance>();
        assert!(level_bytes > 2 * PREFETCH_BYTES_PER_FRAME);

        // The last 30 days: level 0, drawn at once from the chunk(s) holding them.
        let at_end = line_list(&line, (n - 30) as f64..n as f64);
        let plan = plan_draw(&at_end.cmds[0], &at_end.view).unwrap();
        assert_eq!(plan.level, 0);
        let first = r.prepare(device, queue, &at_end);
        r.finish_frame();
        assert_eq!(drawn(&first), plan.instances.end - plan.instances.start);
        assert!(first.uploads_pending, "the rest of the level follows");
        let chunk_bytes = CHUNK_BUCKETS * size_of::<SegmentInstance>();
        let uploaded = r.stats().bytes_uploaded as usize;
        assert!(
            uploaded <= PREFETCH_BYTES_PER_FRAME + 2 * chunk_bytes,
            "one frame's budget, not the whole level: {uploaded} of {level_bytes}"
        );

        // Later frames bring the rest, a budget at a time, then stop asking.
        let mut frames = 1;
        loop {
            let p = r.prepare(device, queue, &at_end);
            r.finish_frame();
            frames += 1;
            assert_eq!(drawn(&p), drawn(&first));
            if !p.uploads_pending {
                break;
            }
            assert!(frames < 100, "uploads never finished");
        }
        assert!(frames >= level_bytes / (PREFETCH_BYTES_PER_FRAME + chunk_bytes));
        assert_eq!(r.stats().bytes_uploaded as usize, level_bytes);
        assert_eq!(r.stats().buffers_cached, n.div_ceil(CHUNK_BUCKETS));

        // Panned to the start: everything is there already.
        let created = r.stats().buffers_created;
        let at_start = line_list(&line, 0.0..30.0);
        let p = r.prepare(device, queue, &at_start);
        r.finish_frame();
        assert!(!p.uploads_pending);
        assert_eq!(r.stats().buffers_created, created);
        let plan = plan_draw(&at_start.cmds[0], &at_start.view).unwrap();
        assert_eq!(drawn(&p), plan.instances.end - plan.instances.start);

        // A view across a chunk boundary draws from both chunks, each bucket once.
        let b = CHUNK_BUCKETS as f64;
        let across = line_list(&line, b - 20.0..b + 20.0);
        let p = r.prepare(device, queue, &across);
        r.finish_frame();
        let plan = plan_draw(&across.cmds[0], &across.view).unwrap();
        assert_eq!(p.draws.len(), 2);
        assert_eq!(drawn(&p), plan.instances.end - plan.instances.start);

        // The buffers go with the series.
        drop((at_end, at_start, across, line));
        r.finish_frame();
        assert_eq!(r.stats().buffers_cached, 0);
    }
}
