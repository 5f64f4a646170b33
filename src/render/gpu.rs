//! The wgpu side: pipelines built once, instance buffers uploaded once per series and pyramid
//! level (lazily, on first use), and a small per-draw uniform written each frame.

use std::collections::HashMap;
use std::num::NonZeroU64;
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

/// Histogram instances of one line pyramid level.
pub fn histogram_instances(level: &LineLevel) -> Vec<HistogramInstance> {
    (0..level.min.len())
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

/// Candle instances of one pyramid level.
pub fn candle_instances(level: &CandleLevel) -> Vec<CandleInstance> {
    (0..level.open.len())
        .map(|j| CandleInstance {
            bucket: j as f32,
            open: level.open[j] as f32,
            high: level.high[j] as f32,
            low: level.low[j] as f32,
            close: level.close[j] as f32,
        })
        .collect()
}

/// Volume instances of one pyramid level.
pub fn volume_instances(level: &CandleLevel) -> Vec<VolumeInstance> {
    (0..level.open.len())
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

/// Segment instances of one line pyramid level (NaN buckets produce no geometry).
pub fn segment_instances(level: &LineLevel) -> Vec<SegmentInstance> {
    let n = level.min.len();
    (0..n)
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

/// An uploaded level; dropped when its source series is dropped.
struct CachedLevel {
    buffer: wgpu::Buffer,
    instances: u32,
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
    Volume,
    Line,
    Histogram,
}

/// One draw, ready for the render pass.
#[derive(Debug)]
struct PreparedDraw {
    pipeline: PipelineKind,
    bind_group: wgpu::BindGroup,
    uniform_offset: u32,
    buffer: wgpu::Buffer,
    byte_range: std::ops::Range<u64>,
    instances: u32,
}

/// The draws of one paint callback, produced by [`ChartRenderer::prepare`].
#[derive(Debug, Default)]
pub struct PreparedDraws {
    draws: Vec<PreparedDraw>,
    viewport_px: [f32; 2],
    /// Quads (primitives) these draws rasterise.
    pub primitives: u64,
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
    volume_pipeline: wgpu::RenderPipeline,
    line_pipeline: wgpu::RenderPipeline,
    histogram_pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    ring: UniformRing,
    stride: u32,
    cache: HashMap<CacheKey, CachedLevel>,
    frame_finished: bool,
    linear_target: bool,
    stats: UploadStats,
}

const PRELUDE: &str = include_str!("../../shaders/prelude.wgsl");
const CANDLES_WGSL: &str = include_str!("../../shaders/candles.wgsl");
const VOLUME_WGSL: &str = include_str!("../../shaders/volume.wgsl");
const LINES_WGSL: &str = include_str!("../../shaders/lines.wgsl");
const HISTOGRAM_WGSL: &str = include_str!("../../shaders/histogram.wgsl");

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
            volume_pipeline,
            line_pipeline,
            histogram_pipeline,
            layout,
            ring,
            stride,
            cache: HashMap::new(),
            frame_finished: false,
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
            buffers_cached: self.cache.len(),
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

    /// Uploads what `list` needs that is not cached yet and writes its uniforms. Call once
    /// per paint callback per frame, then [`Self::finish_frame`] once all are prepared.
    pub fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        list: &DrawList,
    ) -> PreparedDraws {
        if self.frame_finished {
            // First prepare of a new frame: the previous frame's uniform slots are free again.
            self.ring.next = 0;
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
        for (k, (i, plan)) in plans.iter().enumerate() {
            let cmd = &list.cmds[*i];
            let uniform = self.uniform_for(cmd, &list.view, plan);
            let at = k * self.stride as usize;
            bytes[at..at + VIEW_UNIFORM_SIZE].copy_from_slice(bytemuck::bytes_of(&uniform));
            let Some((buffer, stride, pipeline)) = self.buffer_for(device, cmd, plan.level) else {
                continue;
            };
            let start = u64::from(plan.instances.start) * stride;
            let end = u64::from(plan.instances.end) * stride;
            out.primitives += plan.primitives();
            out.draws.push(PreparedDraw {
                pipeline,
                bind_group: self.ring.bind_group.clone(),
                uniform_offset: (first_slot + k as u32) * self.stride,
                buffer,
                byte_range: start..end,
                instances: plan.instances.end - plan.instances.start,
            });
        }
        queue.write_buffer(
            &self.ring.buffer,
            u64::from(first_slot) * u64::from(self.stride),
            &bytes,
        );
        self.ring.next += plans.len() as u32;
        out
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

    fn buffer_for(
        &mut self,
        device: &wgpu::Device,
        cmd: &DrawCmd,
        level: usize,
    ) -> Option<(wgpu::Buffer, u64, PipelineKind)> {
        let (series, kind, pipeline, stride) = match cmd {
            DrawCmd::Candles { data, .. } => (
                data.id(),
                BufferKind::Candles,
                PipelineKind::Candles,
                size_of::<CandleInstance>(),
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
        };
        let key = CacheKey {
            series,
            kind,
            level,
        };
        if let Some(cached) = self.cache.get(&key) {
            return (cached.instances > 0)
                .then(|| (cached.buffer.clone(), stride as u64, pipeline));
        }
        let (bytes, instances, alive): (Vec<u8>, usize, Alive) = match cmd {
            DrawCmd::Candles { data, .. } => {
                let inst = candle_instances(data.pyramid().levels().get(level)?);
                (
                    bytemuck::cast_slice(&inst).to_vec(),
                    inst.len(),
                    Alive::Candles(Arc::downgrade(data)),
                )
            }
            DrawCmd::Volume { data, .. } => {
                let inst = volume_instances(data.pyramid().levels().get(level)?);
                (
                    bytemuck::cast_slice(&inst).to_vec(),
                    inst.len(),
                    Alive::Candles(Arc::downgrade(data)),
                )
            }
            DrawCmd::Line { data, .. } => {
                let inst = segment_instances(data.pyramid().levels().get(level)?);
                (
                    bytemuck::cast_slice(&inst).to_vec(),
                    inst.len(),
                    Alive::Line(Arc::downgrade(data)),
                )
            }
            DrawCmd::Histogram { data, .. } => {
                let inst = histogram_instances(data.pyramid().levels().get(level)?);
                (
                    bytemuck::cast_slice(&inst).to_vec(),
                    inst.len(),
                    Alive::Line(Arc::downgrade(data)),
                )
            }
        };
        let buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("wickview_instances"),
            contents: &bytes,
            usage: wgpu::BufferUsages::VERTEX,
        });
        self.stats.buffers_created += 1;
        self.stats.bytes_uploaded += bytes.len() as u64;
        let instances = u32::try_from(instances).ok()?;
        self.cache.insert(
            key,
            CachedLevel {
                buffer: buffer.clone(),
                instances,
                alive,
            },
        );
        (instances > 0).then_some((buffer, stride as u64, pipeline))
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
                PipelineKind::Volume => &self.volume_pipeline,
                PipelineKind::Line => &self.line_pipeline,
                PipelineKind::Histogram => &self.histogram_pipeline,
            };
            let vertices = match draw.pipeline {
                PipelineKind::Volume | PipelineKind::Histogram => 6,
                PipelineKind::Candles | PipelineKind::Line => 12,
            };
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &draw.bind_group, &[draw.uniform_offset]);
            pass.set_vertex_buffer(0, draw.buffer.slice(draw.byte_range.clone()));
            pass.draw(0..vertices, 0..draw.instances);
        }
    }
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
        let l0 = segment_instances(&p.levels()[0]);
        assert_eq!(l0.len(), 6);
        assert_eq!(l0[0].flags, 0, "NaN start joins nothing");
        assert_eq!(l0[1].flags, 0, "NaN to a value joins nothing");
        assert_eq!(l0[2].flags, 2, "level 0 has no vertical extent");
        assert_eq!(l0[5].flags, 0, "the last bucket has no next");
        let l1 = segment_instances(&p.levels()[1]);
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
        let v = volume_instances(&p.levels()[1]);
        assert_eq!(v[0].volume, 300.0);
        assert_eq!(v[0].up, 1.0, "open 10, close 10.5");
        assert_eq!(v[1].up, 0.0, "open 12, close 11.5");
    }

    #[test]
    fn histogram_bars_reach_from_zero_and_skip_empty_buckets() {
        let p = LinePyramid::build(&[f64::NAN, f64::NAN, 2.0, -1.0, -3.0, 0.5]);
        let h = histogram_instances(&p.levels()[0]);
        assert_eq!(h[0].valid, 0.0);
        assert_eq!((h[2].low, h[2].high, h[2].valid), (0.0, 2.0, 1.0));
        assert_eq!((h[3].low, h[3].high, h[3].last_value), (-1.0, 0.0, -1.0));
        let coarse = histogram_instances(&p.levels()[1]);
        assert_eq!(coarse[0].valid, 0.0, "two NaN days");
        assert_eq!(
            (coarse[1].low, coarse[1].high, coarse[1].last_value),
            (-1.0, 2.0, -1.0)
        );
        assert_eq!((coarse[2].low, coarse[2].high), (-3.0, 0.5));
    }
}
