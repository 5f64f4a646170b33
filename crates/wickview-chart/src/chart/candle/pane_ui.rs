//! The candle chart's panes below the price pane, its legends and its axis tags: the
//! indicator panes (in a scroll area when they do not fit), one legend line per pane and the
//! crosshair's and last price's tags, for [`CandleChart::ui`].

use std::sync::Arc;

use egui::{Color32, Sense, Vec2b};
use egui_plot::{PlotBounds, PlotUi};

use super::super::axis_tags;
use super::super::legend::{Legend, LegendClick, LegendEntry};
use super::super::y_axis::YAxis;
use super::super::{GpuLayer, PriceFormat, format_volume, hidden_in_legend};
use super::{
    CandleChart, ChartIndicator, ChartSeries, IndicatorSet, OverlayItem, XView, bar_at, base_plot,
    hover_bar, navigate, pane_handle_ui,
};
use crate::render::{DrawList, count_primitives};

/// Which pane shows the dates under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DatesUnder {
    Price,
    Volume,
    /// The indicator pane at this position among the panes.
    Pane(usize),
}

/// What a pane on screen is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PaneRole {
    Price,
    Volume,
    /// The indicator at this index of the indicator set.
    Indicator(usize),
}

impl PaneRole {
    /// `price`, `volume`, or the indicator's spec (`rsi:14`).
    pub(super) fn name(self, indicators: &IndicatorSet) -> String {
        match self {
            Self::Price => "price".to_owned(),
            Self::Volume => "volume".to_owned(),
            Self::Indicator(k) => indicators
                .entries()
                .get(k)
                .map(ChartIndicator::title)
                .unwrap_or_default(),
        }
    }
}

/// A pane as drawn this frame: its plot rect (a collapsed pane: its line), the visible part
/// of it (`clip`: the scroll area's), and its transform (none when collapsed).
pub(super) struct PaneFrame {
    pub(super) role: PaneRole,
    pub(super) plot_id: egui::Id,
    pub(super) frame: egui::Rect,
    pub(super) clip: egui::Rect,
    pub(super) transform: Option<egui_plot::PlotTransform>,
    pub(super) axis: YAxis,
    pub(super) dates: bool,
}

/// What the indicator panes need from the frame.
pub(super) struct PanesArgs<'a> {
    pub(super) panes: &'a [(usize, ChartIndicator)],
    pub(super) heights: &'a [f32],
    pub(super) dates_under: DatesUnder,
    pub(super) axis_w: f32,
    pub(super) days: &'a Arc<[chrono::NaiveDate]>,
    pub(super) link: egui::Id,
    pub(super) line_px: f32,
    pub(super) series: &'a crate::model::DailySeries,
}

/// What the indicator panes did this frame.
pub(super) struct PanesState {
    pub(super) resize: Vec<(usize, f32)>,
    pub(super) hovered: Option<usize>,
    pub(super) view: XView,
    pub(super) primitives: u64,
    pub(super) frames: Vec<PaneFrame>,
}

/// The price legend's detail: the day, its OHLC (the close alone for a close-only bar) and
/// the change from the previous close.
fn ohlc_line(series: &crate::model::DailySeries, i: usize, fmt: PriceFormat) -> String {
    let Some(bar) = series.bar(i) else {
        return String::new();
    };
    let change = i
        .checked_sub(1)
        .and_then(|p| series.close().get(p))
        .map_or(String::new(), |prev| {
            format!(" {:+.2}%", (bar.close / prev - 1.0) * 100.0)
        });
    let provisional = if series.provisional_day() == Some(bar.date) {
        " (provisional)"
    } else {
        ""
    };
    let day = bar.date.format("%Y-%m-%d");
    if bar.is_close_only() {
        format!("{day}{provisional}  C {}{change}", fmt.price(bar.close))
    } else {
        format!(
            "{day}{provisional}  O {}  H {}  L {}  C {}{change}",
            fmt.price(bar.open),
            fmt.price(bar.high),
            fmt.price(bar.low),
            fmt.price(bar.close),
        )
    }
}

/// Panes, legends and axis tags.
impl CandleChart {
    /// The indicator panes (`args.panes`), each under its drag handle; a collapsed one is
    /// its legend's line alone.
    pub(super) fn indicator_panes_ui(
        &mut self,
        ui: &mut egui::Ui,
        args: &PanesArgs<'_>,
        state: &mut PanesState,
    ) {
        let n = args.series.len();
        for (i, (k, e)) in args.panes.iter().enumerate() {
            let k = *k;
            let Some(&height) = args.heights.get(i) else {
                break;
            };
            let pane_id = self.id.with(("pane", k));
            let axis = YAxis::of_indicator(e.indicator.kind());
            if e.collapsed {
                let (rect, _) = ui
                    .allocate_exact_size(egui::vec2(ui.available_width(), height), Sense::hover());
                state.frames.push(PaneFrame {
                    role: PaneRole::Indicator(k),
                    plot_id: pane_id,
                    frame: rect,
                    clip: ui.clip_rect(),
                    transform: None,
                    axis,
                    dates: false,
                });
                continue;
            }
            if let Some(dy) = pane_handle_ui(ui, &e.title()) {
                state.resize.push((k, height - dy));
            }
            let cmds = e.draw_cmds(args.line_px, &hidden_in_legend(ui.ctx(), pane_id));
            let (y0, y1) = e.y_range(state.view.bar_range(n));
            let guides = e.guides();
            let cmds_count = cmds.clone();
            let dates = args.dates_under == DatesUnder::Pane(i);
            let mut hovered = state.hovered;
            let mut pane_view = state.view;
            let response = base_plot(pane_id, Arc::clone(args.days), args.link)
                .height(height)
                .y_axis_min_width(args.axis_w)
                .show_axes(Vec2b::new(dates, true))
                .y_grid_spacer(move |input| axis.marks(&input))
                .y_axis_formatter(move |mark, _| axis.label(mark))
                .show(ui, |plot_ui: &mut PlotUi<'_>| {
                    let response = plot_ui.response().clone();
                    hover_bar(&response, plot_ui.transform(), n, &mut hovered);
                    let (view, changed) =
                        navigate(pane_view, n, &response, *plot_ui.transform().frame());
                    if changed {
                        pane_view = view;
                        plot_ui.ctx().request_repaint();
                    }
                    plot_ui.set_plot_bounds(PlotBounds::from_min_max(
                        [pane_view.start, y0],
                        [pane_view.end, y1],
                    ));
                    for &g in guides {
                        plot_ui.hline(
                            egui_plot::HLine::new("", g)
                                .color(Color32::from_gray(140).gamma_multiply(0.5))
                                .style(egui_plot::LineStyle::dashed_loose()),
                        );
                    }
                    plot_ui.add(GpuLayer::new(cmds, false));
                });
            state.hovered = hovered;
            state.view = pane_view;
            state.primitives += count_primitives(&DrawList {
                view: super::super::view_of(
                    &response.transform,
                    ui.ctx().pixels_per_point(),
                    false,
                ),
                cmds: cmds_count,
            });
            self.link
                .paint_x(ui.painter(), args.series, &response.transform);
            state.frames.push(PaneFrame {
                role: PaneRole::Indicator(k),
                plot_id: pane_id,
                frame: response.response.rect,
                clip: ui.clip_rect(),
                transform: Some(response.transform),
                axis,
                dates,
            });
        }
    }

    /// The bar the legends show: the one under the pointer, else the linked crosshair's day,
    /// else the last.
    fn legend_bar(&self, series: &crate::model::DailySeries) -> usize {
        let n = series.len();
        let linked = self
            .link
            .linked_day
            .and_then(|d| series.days().partition_point(|x| *x <= d).checked_sub(1));
        self.hovered
            .or(linked)
            .unwrap_or(n.saturating_sub(1))
            .min(n.saturating_sub(1))
    }

    /// One legend line per pane, at its top-left; applies this frame's clicks on them.
    pub(super) fn legends_ui(
        &mut self,
        ui: &mut egui::Ui,
        data: &ChartSeries,
        frames: &[PaneFrame],
        overlays: &[OverlayItem],
        hidden: &egui_plot::ItemIdSet,
    ) {
        // While the pointer is on a legend, its values stay (they would otherwise follow the
        // crosshair under it and move the names about).
        let on_legend = ui
            .ctx()
            .pointer_hover_pos()
            .is_some_and(|p| self.legend_areas.iter().any(|r| r.contains(p)));
        let i = match self.legend_bar_shown {
            Some(i) if on_legend => i.min(data.len().saturating_sub(1)),
            _ => self.legend_bar(&data.series),
        };
        self.legend_bar_shown = Some(i);
        let mut areas = Vec::new();
        let value_at = |values: &[f64]| values.get(i).copied().unwrap_or(f64::NAN);
        let mut clicks = Vec::new();
        let mut texts = Vec::new();
        for f in frames {
            let legend = match f.role {
                PaneRole::Price => Legend {
                    title: data.name.clone(),
                    detail: ohlc_line(&data.series, i, data.price_format),
                    entries: overlays
                        .iter()
                        .map(|(name, color, _, values)| LegendEntry {
                            name: name.clone(),
                            show_name: true,
                            value: data.price_format.price(value_at(values)),
                            color: *color,
                            hidden: hidden.contains(&egui_plot::ItemId::new(name.as_str())),
                        })
                        .collect(),
                    folded: self.legend_folded,
                    expanded: !self.legend_folded,
                    toggle_label: "Fold the price legend".to_owned(),
                },
                PaneRole::Volume => Legend {
                    title: "Volume".to_owned(),
                    detail: format_volume(value_at(data.series.volume())),
                    entries: Vec::new(),
                    folded: self.volume_legend_folded,
                    expanded: !self.volume_legend_folded,
                    toggle_label: "Fold the volume legend".to_owned(),
                },
                PaneRole::Indicator(k) => {
                    let Some(e) = self.indicators.entries().get(k) else {
                        continue;
                    };
                    let pane_hidden = hidden_in_legend(ui.ctx(), f.plot_id);
                    let lines = e.lines().unwrap_or(&[]);
                    Legend {
                        title: e.legend_title(),
                        detail: e.error().unwrap_or_default().to_owned(),
                        entries: lines
                            .iter()
                            .map(|l| LegendEntry {
                                name: l.label.clone(),
                                show_name: lines.len() > 1,
                                value: f.axis.value_label(value_at(&l.values)),
                                color: l.color,
                                hidden: pane_hidden
                                    .contains(&egui_plot::ItemId::new(l.label.as_str())),
                            })
                            .collect(),
                        folded: false,
                        expanded: !e.collapsed,
                        toggle_label: format!(
                            "{} the {} pane",
                            if e.collapsed { "Expand" } else { "Collapse" },
                            e.title()
                        ),
                    }
                }
            };
            texts.push(legend.text());
            let id = self.id.with(("legend", f.plot_id));
            let (click, area) = super::super::legend::show(ui, id, &legend, f.frame, f.clip);
            areas.push(area);
            if let Some(click) = click {
                clicks.push((f.role, f.plot_id, click));
            }
        }
        self.legend_texts = texts;
        self.legend_areas = areas;
        for (role, plot_id, click) in clicks {
            match click {
                LegendClick::Toggle => match role {
                    PaneRole::Price => self.legend_folded = !self.legend_folded,
                    PaneRole::Volume => self.volume_legend_folded = !self.volume_legend_folded,
                    PaneRole::Indicator(k) => {
                        if let Some(e) = self.indicators.entries_mut().get_mut(k) {
                            e.collapsed = !e.collapsed;
                        }
                    }
                },
                LegendClick::Entry(name) => {
                    super::super::legend::toggle_hidden(ui.ctx(), plot_id, &name);
                    let hidden = hidden_in_legend(ui.ctx(), self.id.with("price"));
                    self.update_y_with_hidden(&hidden);
                }
            }
            ui.ctx().request_repaint();
        }
    }

    /// The last-price tag on the price axis, and the crosshair's value on the hovered pane's
    /// axis and date on the time axis.
    pub(super) fn axis_tags_ui(&self, ui: &egui::Ui, data: &ChartSeries, frames: &[PaneFrame]) {
        let axis_w = self.axis_width;
        if let Some(f) = frames.iter().find(|f| f.role == PaneRole::Price)
            && let Some(t) = &f.transform
            && let Some((close, color)) = axis_tags::last_candle_color(&data.series, self.colors)
        {
            let value = if self.log_y { close.log10() } else { close };
            let y = t
                .position_from_point(&egui_plot::PlotPoint::new(0.0, value))
                .y;
            if y.is_finite() && f.frame.y_range().contains(y) {
                let painter = ui.painter().with_clip_rect(f.clip);
                let text = data.price_format.price(close);
                axis_tags::y_tag(&painter, f.frame, axis_w, y, &text, color);
            }
        }
        let Some(p) = ui.ctx().pointer_hover_pos() else {
            return;
        };
        let Some((f, t)) = frames.iter().find_map(|f| {
            let t = f.transform.as_ref()?;
            (f.frame.contains(p) && f.clip.contains(p)).then_some((f, t))
        }) else {
            return;
        };
        let fill = axis_tags::crosshair_fill(ui.visuals());
        let at = t.value_from_position(p);
        let painter = ui.painter().with_clip_rect(f.clip);
        axis_tags::y_tag(
            &painter,
            f.frame,
            axis_w,
            p.y,
            &f.axis.value_label(at.y),
            fill,
        );
        if let Some(dates) = frames.iter().find(|f| f.dates)
            && let Some(i) = bar_at(data.series.days(), at.x)
        {
            let text = data.series.days()[i].format("%a %Y-%m-%d").to_string();
            axis_tags::x_tag(ui.painter(), dates.frame, p.x, &text, fill);
        }
    }

    /// The panes' plot rects in the last frame: `price`, `volume`, then each open indicator
    /// pane by its spec (`rsi:14`).
    pub fn pane_rects(&self) -> &[(String, egui::Rect)] {
        &self.pane_rects
    }

    /// The legend of each pane in the last frame as text, top to bottom (a collapsed pane's
    /// line included).
    pub fn legend_texts(&self) -> &[String] {
        &self.legend_texts
    }

    /// Whether the volume pane is shown (not for a series without volume).
    pub fn has_volume_pane(&self) -> bool {
        self.has_volume
    }

    /// Collapses (or expands) the indicator at `index` (a pane) to one line.
    pub fn set_pane_collapsed(&mut self, index: usize, collapsed: bool) {
        if let Some(e) = self.indicators.entries_mut().get_mut(index) {
            e.collapsed = collapsed;
        }
    }

    /// The width of the price axis every pane shares (the widest labels of any pane).
    pub fn axis_width(&self) -> f32 {
        self.axis_width
    }
}
