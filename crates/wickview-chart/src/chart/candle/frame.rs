//! One frame of the candle chart, step by step, for [`CandleChart::ui`]: the header (jobs,
//! keys, toolbars), the plan of the panes, the price pane, the volume pane, the indicator
//! panes, the legends and axis tags over them, and the range slider.

use std::sync::Arc;

use egui::Vec2b;
use egui_plot::{PlotBounds, PlotUi};

use super::super::pane_layout::{self, PaneLayout, PaneRequest};
use super::super::y_axis::YAxis;
use super::super::{GpuLayer, hidden_in_legend};
use super::pane_ui::{DatesUnder, PaneFrame, PaneRole, PanesArgs, PanesState};
use super::{
    CandleChart, ChartIndicator, ChartSeries, Geometry, OverlayItem, TooltipLine, Y_AXIS_WIDTH,
    base_plot, range_slider_with_axis,
};
use crate::render::{DrawCmd, DrawList, count_primitives};
use crate::theme;

/// Height of the range slider under the panes.
const SLIDER_HEIGHT: f32 = 18.0;

/// How this frame's panes are laid out, from the indicators, the room and the series.
pub(super) struct FramePlan {
    pub(super) price_id: egui::Id,
    /// Lines hidden by a click on their legend name.
    pub(super) hidden: egui_plot::ItemIdSet,
    /// The indicators drawn in panes of their own, with their index in the indicator set.
    pub(super) panes: Vec<(usize, ChartIndicator)>,
    pub(super) layout: PaneLayout,
    pub(super) dates_under: DatesUnder,
    pub(super) with_volume: bool,
    pub(super) gap: f32,
    pub(super) axis_w: f32,
    pub(super) days: Arc<[chrono::NaiveDate]>,
    /// The x link every pane's plot shares.
    pub(super) link: egui::Id,
    pub(super) line_px: f32,
}

/// The price pane as drawn this frame.
pub(super) struct PricePane {
    /// The price plot's response.
    pub(super) response: egui::Response,
    pub(super) frame: PaneFrame,
    /// The moving averages and indicator overlays drawn over the candles.
    pub(super) overlay_items: Vec<OverlayItem>,
    pub(super) primitives: u64,
}

impl CandleChart {
    /// The start of a frame: finished jobs, the keyboard, the toolbars. Returns the series to
    /// draw, or `None` after saying there is none; sets `moved` when a key or a button
    /// changed the interval (a move the view alone may not show).
    pub(super) fn header_ui(&mut self, ui: &mut egui::Ui, moved: &mut bool) -> Option<ChartSeries> {
        self.link.begin_frame();
        if self.link.keyboard {
            *moved |= self.handle_keys(ui.ctx());
        }
        if !self.toolbar_outside {
            *moved |= self.toolbar_buttons_ui(ui);
        }
        let Some(data) = self.data.clone() else {
            ui.centered_and_justified(|ui| ui.label("No series loaded"));
            return None;
        };
        if data.is_empty() {
            ui.centered_and_justified(|ui| ui.label(format!("{}: no bars", data.name)));
            return None;
        }
        if self.link.keyboard && !self.toolbar_outside {
            // One drawing toolbar: the active chart's (the only one in a one-chart viewer).
            self.drawings.toolbar_ui(ui);
        }
        Some(data)
    }

    /// Lays out the panes in the room left above the range slider.
    pub(super) fn plan_frame(&self, ui: &egui::Ui, data: &ChartSeries) -> FramePlan {
        let price_id = self.id.with("price");
        let panes: Vec<(usize, ChartIndicator)> = self
            .indicators
            .entries()
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_pane())
            .map(|(k, e)| (k, e.clone()))
            .collect();
        let gap = ui.spacing().item_spacing.y;
        let avail = (ui.available_height() - SLIDER_HEIGHT).max(120.0);
        let with_volume = self.has_volume;
        let requests: Vec<PaneRequest> = panes
            .iter()
            .map(|(_, e)| PaneRequest {
                height: e.height,
                collapsed: e.collapsed,
            })
            .collect();
        // The price (and volume) panes keep their share first; past what fits, the
        // indicator panes scroll.
        let layout = pane_layout::layout(avail, with_volume, &requests, gap);
        // The dates go under the lowest pane on screen.
        let last_open = panes.iter().rposition(|(_, e)| !e.collapsed);
        let dates_under = match last_open {
            Some(i) if !layout.scroll => DatesUnder::Pane(i),
            _ if with_volume => DatesUnder::Volume,
            _ => DatesUnder::Price,
        };
        FramePlan {
            price_id,
            hidden: hidden_in_legend(ui.ctx(), price_id),
            panes,
            layout,
            dates_under,
            with_volume,
            gap,
            axis_w: self.axis_width,
            days: Arc::from(data.series.days()),
            link: self.id.with("x_link"),
            line_px: theme::LINE_WIDTH_PT * ui.ctx().pixels_per_point(),
        }
    }

    /// The enabled, computed moving averages, then the indicators drawn over the candles.
    fn overlay_items(&self) -> Vec<OverlayItem> {
        let mut items: Vec<OverlayItem> = self
            .overlays
            .iter()
            .filter(|o| o.enabled)
            .filter_map(|o| Some((o.name(), o.color, o.line.clone()?, o.values.clone()?)))
            .collect();
        for e in self.indicators.entries().iter().filter(|e| !e.is_pane()) {
            for l in e.lines().unwrap_or(&[]) {
                items.push((
                    l.label.clone(),
                    l.color,
                    l.gpu_line(),
                    Arc::clone(&l.values),
                ));
            }
        }
        items
    }

    /// The lines the tooltip reads: the overlays shown over the candles, then every line of
    /// the indicator panes.
    fn tooltip_lines_of(overlay_items: &[OverlayItem], plan: &FramePlan) -> Vec<TooltipLine> {
        let mut lines: Vec<TooltipLine> = overlay_items
            .iter()
            .filter(|(n, ..)| !plan.hidden.contains(&egui_plot::ItemId::new(n.as_str())))
            .map(|(n, _, _, v)| (n.clone(), Arc::clone(v), true))
            .collect();
        for (_, e) in &plan.panes {
            for l in e.lines().unwrap_or(&[]) {
                lines.push((l.label.clone(), Arc::clone(&l.values), false));
            }
        }
        lines
    }

    /// The price pane: the bars as the chart type draws them, the overlays not hidden, the
    /// drawings, the context menu and the price axis' drag.
    pub(super) fn price_pane_ui(
        &mut self,
        ui: &mut egui::Ui,
        data: &ChartSeries,
        plan: &FramePlan,
    ) -> PricePane {
        let overlay_items = self.overlay_items();
        let line_px = plan.line_px;
        let mut cmds =
            super::super::chart_type::price_cmds(data, self.chart_type, self.colors, line_px);
        for (name, color, line, _) in &overlay_items {
            if !plan.hidden.contains(&egui_plot::ItemId::new(name.as_str())) {
                cmds.push(DrawCmd::Line {
                    data: Arc::clone(line),
                    color: theme::rgba(*color),
                    width_px: line_px,
                    y_scale: 1.0,
                    y_offset: 0.0,
                });
            }
        }
        let log_y = self.log_y;
        self.tooltip_lines = Self::tooltip_lines_of(&overlay_items, plan);
        let provisional = super::super::provisional::marker(&data.series, log_y);
        let mut menu_action = None;
        let price_axis = YAxis::Price {
            log: log_y,
            format: data.price_format,
        };
        let hidden = &plan.hidden;
        let response = base_plot(plan.price_id, Arc::clone(&plan.days), plan.link)
            .height(plan.layout.price)
            .y_axis_min_width(plan.axis_w)
            .show_axes(Vec2b::new(plan.dates_under == DatesUnder::Price, true))
            .y_axis_formatter(move |mark, _| price_axis.label(mark))
            .y_grid_spacer(move |input| price_axis.marks(&input))
            .show(ui, |plot_ui: &mut PlotUi<'_>| {
                let response = plot_ui.response().clone();
                let transform = *plot_ui.transform();
                self.track_hover(&response, &transform);
                let geometry = Geometry {
                    series: &data.series,
                    log_y,
                    transform: &transform,
                };
                if self.drawings.interact(&response, &geometry) {
                    self.update_y_with_hidden(hidden);
                } else {
                    self.interact_and_fit(&response, *transform.frame(), hidden);
                }
                let candles_only = self.price_scale.candles_only();
                menu_action =
                    self.context_menu
                        .ui(&response, &geometry, &mut self.drawings, candles_only);
                self.link
                    .hover(&data.series, &response, plot_ui.pointer_coordinate());
                let (y0, y1) = self.y_plot.unwrap_or((0.0, 1.0));
                plot_ui.set_plot_bounds(PlotBounds::from_min_max(
                    [self.view.start, y0],
                    [self.view.end, y1],
                ));
                plot_ui.add(GpuLayer::new(cmds, log_y));
                if let Some(marker) = provisional {
                    plot_ui.add(marker);
                }
            });
        let primitives = count_primitives(&DrawList {
            view: super::super::view_of(&response.transform, ui.ctx().pixels_per_point(), log_y),
            cmds: self.price_cmds_for_count(data, &overlay_items, hidden),
        });
        let geometry = Geometry {
            series: &data.series,
            log_y,
            transform: &response.transform,
        };
        self.drawings.paint(ui.painter(), &geometry);
        self.price_transform = Some(response.transform);
        self.price_axis_ui(ui, plan.price_id, menu_action);
        self.link
            .paint_x(ui.painter(), &data.series, &response.transform);
        PricePane {
            response: response.response.clone(),
            frame: PaneFrame {
                role: PaneRole::Price,
                plot_id: plan.price_id,
                frame: response.response.rect,
                clip: ui.clip_rect(),
                transform: Some(response.transform),
                axis: price_axis,
                dates: plan.dates_under == DatesUnder::Price,
            },
            overlay_items,
            primitives,
        }
    }

    /// The volume pane (only for a series with volume: not currencies or rates). Returns
    /// its frame and the primitives it drew.
    pub(super) fn volume_pane_ui(
        &mut self,
        ui: &mut egui::Ui,
        data: &ChartSeries,
        plan: &FramePlan,
    ) -> (PaneFrame, u64) {
        let volume_id = self.id.with("volume");
        let vol_cmds = vec![DrawCmd::Volume {
            data: Arc::clone(data.candles()),
            up: theme::rgba(self.colors.volume_up),
            down: theme::rgba(self.colors.volume_down),
        }];
        let vol_cmds_count = vol_cmds.clone();
        let hidden = &plan.hidden;
        let response = base_plot(volume_id, Arc::clone(&plan.days), plan.link)
            .height(plan.layout.volume)
            .y_axis_min_width(plan.axis_w)
            .show_axes(Vec2b::new(plan.dates_under == DatesUnder::Volume, true))
            .y_grid_spacer(|input| YAxis::Volume.marks(&input))
            .y_axis_formatter(|mark, _| YAxis::Volume.label(mark))
            .show(ui, |plot_ui: &mut PlotUi<'_>| {
                let response = plot_ui.response().clone();
                self.track_hover(&response, plot_ui.transform());
                let before = self.view;
                self.interact_and_fit(&response, *plot_ui.transform().frame(), hidden);
                self.link
                    .hover(&data.series, &response, plot_ui.pointer_coordinate());
                if self.view != before {
                    // The price pane above already drew this frame with the old view.
                    plot_ui.ctx().request_repaint();
                }
                let vtop = self.volume_top.unwrap_or(1.0);
                plot_ui.set_plot_bounds(PlotBounds::from_min_max(
                    [self.view.start, 0.0],
                    [self.view.end, vtop],
                ));
                plot_ui.add(GpuLayer::new(vol_cmds, false));
            });
        let primitives = count_primitives(&DrawList {
            view: super::super::view_of(&response.transform, ui.ctx().pixels_per_point(), false),
            cmds: vol_cmds_count,
        });
        self.link
            .paint_x(ui.painter(), &data.series, &response.transform);
        let frame = PaneFrame {
            role: PaneRole::Volume,
            plot_id: volume_id,
            frame: response.response.rect,
            clip: ui.clip_rect(),
            transform: Some(response.transform),
            axis: YAxis::Volume,
            dates: plan.dates_under == DatesUnder::Volume,
        };
        (frame, primitives)
    }

    /// The indicator panes, each under a drag handle that resizes it; in a scroll area when
    /// they do not fit in the room the price pane leaves. Their frames are added to
    /// `frames`; returns the primitives they drew.
    pub(super) fn indicator_section_ui(
        &mut self,
        ui: &mut egui::Ui,
        data: &ChartSeries,
        plan: &FramePlan,
        frames: &mut Vec<PaneFrame>,
    ) -> u64 {
        let mut state = PanesState {
            resize: Vec::new(),
            hovered: None,
            view: self.view,
            primitives: 0,
            frames: Vec::new(),
        };
        if !plan.panes.is_empty() {
            let args = PanesArgs {
                panes: &plan.panes,
                heights: &plan.layout.panes,
                dates_under: plan.dates_under,
                axis_w: plan.axis_w,
                days: &plan.days,
                link: plan.link,
                line_px: plan.line_px,
                series: &data.series,
            };
            if plan.layout.scroll {
                ui.scope(|ui| {
                    // A floating bar that shows even at rest: the panes below are found.
                    let bar = &mut ui.spacing_mut().scroll;
                    bar.dormant_handle_opacity = 0.8;
                    bar.dormant_background_opacity = 0.4;
                    egui::ScrollArea::vertical()
                        .id_salt(self.id.with("pane_scroll"))
                        .max_height((plan.layout.panes_room - plan.gap).max(0.0))
                        .auto_shrink([false, true])
                        .scroll_source(egui::containers::scroll_area::ScrollSource::SCROLL_BAR)
                        .scroll_bar_visibility(
                            egui::containers::scroll_area::ScrollBarVisibility::AlwaysVisible,
                        )
                        .show(ui, |ui| self.indicator_panes_ui(ui, &args, &mut state));
                });
            } else {
                self.indicator_panes_ui(ui, &args, &mut state);
            }
        }
        frames.append(&mut state.frames);
        if state.hovered.is_some() {
            self.hovered = state.hovered;
        }
        if state.view != self.view {
            self.view = state.view;
            self.update_y_with_hidden(&plan.hidden);
        }
        for (k, h) in state.resize {
            self.set_pane_height(k, h);
        }
        state.primitives
    }

    /// Legends and axis tags over the panes, now that the crosshair's day is known; one
    /// price axis width for every pane next frame (the widest labels of any pane).
    pub(super) fn over_panes_ui(
        &mut self,
        ui: &mut egui::Ui,
        data: &ChartSeries,
        frames: &[PaneFrame],
        overlay_items: &[OverlayItem],
        hidden: &egui_plot::ItemIdSet,
    ) {
        self.legends_ui(ui, data, frames, overlay_items, hidden);
        self.axis_tags_ui(ui, data, frames);
        let widest = frames
            .iter()
            .filter_map(|f| Some(f.axis.label_width(ui, f.transform.as_ref()?)))
            .fold(Y_AXIS_WIDTH, f32::max)
            .ceil();
        if (widest - self.axis_width).abs() > 0.5 {
            self.axis_width = widest;
            ui.ctx().request_repaint();
        }
        self.pane_rects = frames
            .iter()
            .filter(|f| f.transform.is_some())
            .map(|f| (f.role.name(&self.indicators), f.frame))
            .collect();
    }

    /// The range slider over the whole history.
    pub(super) fn slider_ui(&mut self, ui: &mut egui::Ui, n: usize, plan: &FramePlan) {
        if let Some(v) = range_slider_with_axis(ui, self.view, n, SLIDER_HEIGHT, plan.axis_w) {
            self.view = v;
            self.update_y_with_hidden(&plan.hidden);
        }
    }
}
