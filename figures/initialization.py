"""Figures of the weight-initialization page: per-layer histograms, per-layer statistics, symmetric
weight matrices and the side-by-side training curves. Arrays in, figure specs out; every label is passed in."""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from figures import spec
from figures.common import curves, finite_or_none, histogram_bars
from figures.theme import DIVERGING, color, grid


def layer_histograms(hists: Sequence[tuple[np.ndarray, np.ndarray]], titles: Sequence[str], x_title: str,
                     i_color: int = 0, x_range: tuple[float, float] | None = None) -> spec.Figure:
    """Small multiples, one histogram (counts, edges) per layer, five to a row, all on the same x range
    so a narrowing or saturating distribution is visible from panel to panel. Each panel has its own
    y scale (a spike and a bell both fill their panel). A panel whose counts are all 0 is drawn empty
    (used to hide the layer the reader is asked to predict)."""
    cols = min(5, max(1, len(hists)))
    rows = max(1, int(np.ceil(len(hists) / cols)))
    return _grid_figure([histogram_bars(counts, edges, titles[k], i_color) for k, (counts, edges) in enumerate(hists)],
                        rows, cols, titles, x_title, x_range, hspace=0.03,
                        vspace=0.32 / rows if rows > 1 else 0.05,
                        layout=dict(height=115 + 200 * rows, bargap=0, margin=dict(l=20, r=10, t=65, b=70)))


def _grid_figure(traces, rows: int, cols: int, titles: Sequence[str], x_title: str, x_range, hspace: float,
                 vspace: float, layout: dict, axes=None) -> spec.Figure:
    """Small multiples, one trace per panel, titles above each panel.
    axes(k) -> (x-axis dict, y-axis dict) for panel k replaces the histogram axes; x_title "" adds no note."""
    fig = grid(rows, cols, subplot_titles=titles, horizontal_spacing=hspace, vertical_spacing=vspace)
    fig.update_annotations(font_size=13)
    fig.update_layout(layout)
    for k, trace in enumerate(traces):
        row, col = divmod(k, cols)
        x_axis, y_axis = axes(k) if axes else (
            dict(tickfont=dict(size=11), nticks=5, **({"range": list(x_range)} if x_range is not None else {})),
            dict(showticklabels=False))
        fig.add_trace(trace, row=row + 1, col=col + 1)
        fig.update_xaxes(row=row + 1, col=col + 1, **x_axis)
        fig.update_yaxes(row=row + 1, col=col + 1, **y_axis)
    for k in range(len(traces), rows * cols):  # cells left over in the last row stay blank
        fig.update_xaxes(row=k // cols + 1, col=k % cols + 1, visible=False)
        fig.update_yaxes(row=k // cols + 1, col=k % cols + 1, visible=False)
    if x_title:
        fig.add_annotation(text=x_title, xref="paper", yref="paper", x=0.5, y=0, yshift=-50, showarrow=False)
    return fig


def layer_stats(layers: np.ndarray, act_mean: np.ndarray, act_std: np.ndarray, grad_std: np.ndarray,
                names: Mapping[str, str], titles: tuple[str, str], x_title: str) -> spec.Figure:
    """Left: mean and std of the activations per layer (linear axis). Right: std of the
    back-propagated gradient per layer (log axis: it can shrink or grow by orders of magnitude)."""
    fig = grid(rows=1, cols=2, subplot_titles=list(titles), horizontal_spacing=0.12)
    x = [int(v) for v in layers]
    fig.add_trace(spec.scatter(x=x, y=finite_or_none(act_mean), mode="lines+markers", name=names["mean"],
                               line=dict(color=color(1), width=2.5, dash="dash")), row=1, col=1)
    fig.add_trace(spec.scatter(x=x, y=finite_or_none(act_std), mode="lines+markers", name=names["std"],
                               line=dict(color=color(0), width=2.5)), row=1, col=1)
    g = np.asarray(grad_std, dtype=float)
    g = np.where(g > 0, g, np.nan)  # a log axis cannot show 0: a gap, never a broken chart
    fig.add_trace(spec.scatter(x=x, y=finite_or_none(g), mode="lines+markers", name=names["grad_std"],
                               line=dict(color=color(3), width=2.5)), row=1, col=2)
    fig.update_yaxes(type="log", exponentformat="power", dtick=_log_dtick([g]), row=1, col=2)
    fig.update_xaxes(title_text=x_title, dtick=1 if len(x) <= 12 else 2)
    fig.update_layout(height=340, margin=dict(l=60, r=20, t=70, b=50),
                      legend=dict(orientation="h", y=1.22, x=0))
    return fig


def weight_heatmaps(weights: Mapping[str, Sequence[np.ndarray]], col_titles: Sequence[str], x_title: str,
                    y_title: str) -> spec.Figure:
    """Rows: initializations; columns: hidden layers. Each cell shows a trained W (H_prev, H) as a
    heat map (rows: inputs of the layer, columns: its units) on one shared, zero-centred colour scale,
    so identical columns (units that are copies of each other) stand out."""
    labels = list(weights)
    n_cols = len(col_titles)
    titles = [f"{label} · {c}" for label in labels for c in col_titles]
    finite = [np.abs(W[np.isfinite(W)]).max() for ws in weights.values() for W in ws[:n_cols] if np.isfinite(W).any()]
    zmax = max(finite + [1e-6])
    traces = []
    for r, label in enumerate(labels):
        for c in range(n_cols):
            W = weights[label][c] if c < len(weights[label]) else np.zeros((1, 1))
            traces.append(spec.heatmap(z=[finite_or_none(row) for row in W],
                                       x=list(range(1, W.shape[1] + 1)), y=list(range(1, W.shape[0] + 1)),
                                       zmin=-zmax, zmax=zmax, colorscale=DIVERGING, reversescale=True,
                                       showscale=(r == 0 and c == n_cols - 1), xgap=1, ygap=1,
                                       colorbar=dict(thickness=14, len=0.9)))
    last_row = (len(labels) - 1) * n_cols

    def axes(k):
        x_axis = dict(dtick=1, showgrid=False, **({"title": dict(text=x_title)} if k >= last_row else {}))
        y_axis = dict(dtick=1, showgrid=False, autorange="reversed",
                      **({"title": dict(text=y_title)} if k % n_cols == 0 else {}))
        return x_axis, y_axis

    return _grid_figure(traces, len(labels), n_cols, titles, "", None, hspace=0.1, vspace=0.16,
                        layout=dict(height=170 + 190 * len(labels), margin=dict(l=60, r=20, t=60, b=50)), axes=axes)


def loss_curves(runs: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str, x_title: str,
                y_title: str) -> spec.Figure:
    """Training loss of each initialization on one log axis (chance level ln 2 ≈ 0.69 sits flat)."""
    fig = curves(runs, title=title, x_title=x_title, y_title=y_title, log_y=True, height=400)
    fig.add_hline(y=float(np.log(2)), line_dash="dot", line_color="#888")
    fig.update_yaxes(dtick=_log_dtick([y for _, y in runs.values()]))
    return _legend_below(fig)


def first_layer_grad(runs: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str, x_title: str, y_title: str,
                     floor: float = 1e-12) -> spec.Figure:
    """‖∂L/∂W₁‖ of the first dense layer over the steps, one line per initialization (log axis). The
    axis stops at ``floor``: a gradient of 1e-40 is "nothing arrives", and drawing it would squash the
    gap between the others; such a line runs below the chart."""
    fig = curves(runs, title=title, x_title=x_title, y_title=y_title, log_y=True, height=400)
    values = np.concatenate([np.asarray(y, dtype=float) for _, y in runs.values()] + [np.array([1.0])])
    values = values[np.isfinite(values) & (values > 0)]
    top = np.log10(max(values.max(), 10 * floor))
    bottom = np.log10(max(values.min(), floor))
    fig.update_yaxes(range=[bottom - 0.3, top + 0.3], dtick="D2" if top - bottom < 2 else 2 if top - bottom > 6 else 1)
    return _legend_below(fig)


def _legend_below(fig: spec.Figure) -> spec.Figure:
    """Legend under the plot, so long names never run into the title."""
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.22, x=0), margin=dict(l=70, r=20, t=50, b=110))
    return fig


def _log_dtick(arrays, limit_decades=8):
    """Tick spacing for a log axis: 1-2-5 within a couple of decades (else no label might show),
    powers of ten beyond, every other power past ``limit_decades``."""
    values = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays] + [np.array([])])
    values = values[np.isfinite(values) & (values > 0)]
    decades = np.log10(values.max() / values.min()) if values.size else 0.0
    return "D2" if decades < 2 else 1 if decades < limit_decades else 2
