//! egui_wgpu glue: the renderer lives in the egui renderer's callback resources (created once
//! at start-up); each frame a [`ChartCallback`] per plot prepares and paints its draw list.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::render::{ChartRenderer, DrawList, PreparedDraws, RenderTarget};

/// Registers the chart renderer in `render_state`'s callback resources. Call once at
/// start-up (eframe: from `CreationContext::wgpu_render_state`; tests: on the harness'
/// render state). `msaa_samples` and `depth_format` must match the egui render pass
/// (eframe's `NativeOptions::multisampling` / `depth_buffer`; 1 and `None` by default).
pub fn init_render_resources(
    render_state: &egui_wgpu::RenderState,
    msaa_samples: u32,
    depth_format: Option<wgpu::TextureFormat>,
) {
    let renderer = ChartRenderer::new(
        &render_state.device,
        RenderTarget {
            format: render_state.target_format,
            msaa_samples,
            depth_format,
        },
    );
    render_state
        .renderer
        .write()
        .callback_resources
        .insert(renderer);
    tracing::debug!(format = ?render_state.target_format, "chart renderer registered");
}

static WARNED_MISSING: AtomicBool = AtomicBool::new(false);

fn warn_missing_once() {
    if !WARNED_MISSING.swap(true, Ordering::Relaxed) {
        tracing::error!(
            "chart renderer missing from egui_wgpu callback resources \
             (init_render_resources was not called): charts are not drawn"
        );
    }
}

/// One plot's GPU drawing for one frame.
pub struct ChartCallback {
    list: DrawList,
    prepared: Mutex<PreparedDraws>,
    repaint: Option<egui::Context>,
}

impl ChartCallback {
    /// A callback drawing `list`.
    pub fn new(list: DrawList) -> Self {
        Self {
            list,
            prepared: Mutex::new(PreparedDraws::default()),
            repaint: None,
        }
    }

    /// Asks `ctx` for another frame while parts of the levels drawn are still being
    /// uploaded (a few per frame), so they are there before the user pans to them.
    pub fn repaint_while_uploading(mut self, ctx: &egui::Context) -> Self {
        self.repaint = Some(ctx.clone());
        self
    }
}

impl egui_wgpu::CallbackTrait for ChartCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen_descriptor: &egui_wgpu::ScreenDescriptor,
        _egui_encoder: &mut wgpu::CommandEncoder,
        callback_resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        let Some(renderer) = callback_resources.get_mut::<ChartRenderer>() else {
            warn_missing_once();
            return Vec::new();
        };
        let prepared = renderer.prepare(device, queue, &self.list);
        if prepared.uploads_pending
            && let Some(ctx) = &self.repaint
        {
            ctx.request_repaint();
        }
        *self
            .prepared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = prepared;
        Vec::new()
    }

    fn finish_prepare(
        &self,
        _device: &wgpu::Device,
        _queue: &wgpu::Queue,
        _egui_encoder: &mut wgpu::CommandEncoder,
        callback_resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        if let Some(renderer) = callback_resources.get_mut::<ChartRenderer>() {
            renderer.finish_frame();
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        render_pass: &mut wgpu::RenderPass<'static>,
        callback_resources: &egui_wgpu::CallbackResources,
    ) {
        let Some(renderer) = callback_resources.get::<ChartRenderer>() else {
            warn_missing_once();
            return;
        };
        let prepared = self
            .prepared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        renderer.paint(render_pass, &prepared);
    }
}
