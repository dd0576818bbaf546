"""Figures of the weight-initialization page: per-layer histograms, per-layer statistics, symmetric
weight matrices and the side-by-side training curves. Arrays in, figure specs out; every word arrives in the
builder's ``labels`` mapping (listed in its docstring)."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from figures import describe, spec
from figures.common import curves, finite_or_none, small_multiples_hist
from figures.theme import DIVERGING, color, grid, symbol


def layer_histograms(hists: Sequence[tuple[np.ndarray, np.ndarray]], labels: Mapping[str, Any], i_color: int = 0,
                     x_range: tuple[float, float] | None = None) -> spec.Figure:
    """Small multiples, one histogram (counts, edges) per layer, five to a row, all on the same x range
    so a narrowing or saturating distribution is visible from panel to panel. Each panel has its own
    y scale (a spike and a bell both fill their panel). A panel whose counts are all 0 is drawn empty
    (used to hide the layer the reader is asked to predict); a None entry has no bars (not computed yet).

    labels: "panels" (one title per histogram), "x" (the value axis, under the grid; "" for none)."""
    # a layer not computed yet (None) is an empty panel: no bars, the same axes
    hists = [h if h is not None else (np.zeros(0), np.zeros(1)) for h in hists]
    cols = min(5, max(1, len(hists)))
    rows = max(1, int(np.ceil(len(hists) / cols)))
    # three ticks a panel: five panels side by side leave no room for more at presenter sizes
    x_axis = dict(tickfont=dict(size=12), nticks=3, **({"range": list(x_range)} if x_range is not None else {}))
    fig = small_multiples_hist(hists, labels["panels"], cols=cols, i_color=i_color, x_axis=x_axis, blank_rest=True,
                               vertical_spacing=0.44 / rows if rows > 1 else 0.05)
    fig.update_annotations(font_size=13)
    fig.update_layout(height=125 + 210 * rows, margin=dict(l=20, r=10, t=65, b=85))
    if labels.get("x"):
        fig.add_annotation(text=labels["x"], xref="paper", yref="paper", x=0.5, y=0, yshift=-60, showarrow=False)
    fig.alt = describe.Alt(describe.histograms(dict(zip(labels["panels"], hists)), labels.get("x", "")),
                           table=_hist_table(labels["panels"], hists))
    return fig


def _hist_table(names, hists) -> list:
    """Per histogram: its values' range and its most common bin (a "Show the numbers" table)."""
    rows = []
    for name, (counts, edges) in zip(names, hists):
        counts, edges = np.asarray(counts, dtype=float), np.asarray(edges, dtype=float)
        filled = np.flatnonzero(counts > 0)
        if not filled.size:
            rows.append((name, "—", "—", "—"))
            continue
        k = int(np.argmax(counts))
        rows.append((name, describe.num(edges[filled[0]]), describe.num(edges[filled[-1] + 1]),
                     f"{describe.num(edges[k])} … {describe.num(edges[k + 1])}"))
    return [(describe.Word("col_series"), [r[0] for r in rows]), (describe.Word("col_low"), [r[1] for r in rows]),
            (describe.Word("col_high"), [r[2] for r in rows]), (describe.Word("col_peak"), [r[3] for r in rows])]


def layer_stats(layers: np.ndarray, act_mean: np.ndarray, act_std: np.ndarray, grad_std: np.ndarray,
                labels: Mapping[str, str]) -> spec.Figure:
    """Left: mean and std of the activations per layer (linear axis). Right: std of the
    back-propagated gradient per layer (log axis: it can shrink or grow by orders of magnitude).

    labels: "act_title", "grad_title" (the two panels), "x" (layer axis), "mean", "std", "grad_std" (series)."""
    fig = grid(rows=1, cols=2, subplot_titles=[labels["act_title"], labels["grad_title"]], horizontal_spacing=0.12)
    x = [int(v) for v in layers]
    fig.add_trace(spec.scatter(x=x, y=finite_or_none(act_mean), mode="lines+markers", name=labels["mean"],
                               line=dict(color=color(1), width=2.5, dash="dash"),
                               marker=dict(symbol=symbol(1), size=7)), row=1, col=1)
    fig.add_trace(spec.scatter(x=x, y=finite_or_none(act_std), mode="lines+markers", name=labels["std"],
                               line=dict(color=color(0), width=2.5), marker=dict(symbol=symbol(0), size=7)),
                  row=1, col=1)
    g = np.asarray(grad_std, dtype=float)
    g = np.where(g > 0, g, np.nan)  # a log axis cannot show 0: a gap, never a broken chart
    fig.add_trace(spec.scatter(x=x, y=finite_or_none(g), mode="lines+markers", name=labels["grad_std"],
                               line=dict(color=color(3), width=2.5, dash="dot"), marker=dict(symbol=symbol(2), size=7)),
                  row=1, col=2)
    fig.alt = describe.Alt(describe.title(labels["act_title"]),
                           describe.values(labels["mean"], labels["x"], x, act_mean),
                           describe.values(labels["std"], labels["x"], x, act_std),
                           describe.title(labels["grad_title"]), describe.values(labels["grad_std"], labels["x"], x, g))
    fig.update_yaxes(type="log", exponentformat="power", dtick=_log_dtick([g]), row=1, col=2)
    fig.update_xaxes(title_text=labels["x"], dtick=1 if len(x) <= 12 else 2)
    fig.update_layout(height=400, margin=dict(l=60, r=20, t=50, b=130),
                      legend=dict(orientation="h", yref="container", yanchor="bottom", y=0.01, x=0))
    return _roomy(fig)


def weight_heatmaps(weights: Mapping[str, Sequence[np.ndarray]], labels: Mapping[str, str],
                    n_layers: int = 2) -> spec.Figure:
    """Rows: initializations ({row name: [W (H_prev, H) per hidden layer]}); columns: the first ``n_layers``
    hidden layers, titled W1, W2, ... Each cell shows a trained W as a heat map (rows: inputs of the layer,
    columns: its units) on one shared, zero-centred colour scale, so identical columns (units that are
    copies of each other) stand out.

    labels: "x" (the unit axis, under the last row), "y" (the input axis, left of the first column)."""
    names = list(weights)
    titles = [f"{name} · W{c + 1}" for name in names for c in range(n_layers)]
    finite = [np.abs(W[np.isfinite(W)]).max() for ws in weights.values() for W in ws[:n_layers] if np.isfinite(W).any()]
    zmax = max(finite + [1e-6])
    fig = grid(len(names), n_layers, subplot_titles=titles, horizontal_spacing=0.1, vertical_spacing=0.16)
    fig.update_annotations(font_size=13)
    fig.update_layout(height=170 + 190 * len(names), margin=dict(l=60, r=20, t=60, b=50))
    for r, name in enumerate(names):
        for c in range(n_layers):
            W = weights[name][c] if c < len(weights[name]) else np.zeros((1, 1))
            fig.add_trace(spec.heatmap(z=[finite_or_none(row) for row in W],
                                       x=list(range(1, W.shape[1] + 1)), y=list(range(1, W.shape[0] + 1)),
                                       zmin=-zmax, zmax=zmax, colorscale=DIVERGING, reversescale=True,
                                       showscale=(r == 0 and c == n_layers - 1), xgap=1, ygap=1,
                                       colorbar=dict(thickness=14, len=0.9)), row=r + 1, col=c + 1)
            last_row, first_col = r == len(names) - 1, c == 0
            fig.update_xaxes(row=r + 1, col=c + 1, dtick=1, showgrid=False,
                             **({"title": dict(text=labels["x"])} if last_row else {}))
            fig.update_yaxes(row=r + 1, col=c + 1, dtick=1, showgrid=False, autorange="reversed",
                             **({"title": dict(text=labels["y"])} if first_col else {}))
    fig.alt = describe.Alt(*[describe.title(f"{name} · W{c + 1}") + _matrix(weights[name][c], labels)
                             for name in names for c in range(min(n_layers, len(weights[name])))])
    return _roomy(fig)


def _matrix(W, labels) -> list:
    """A weight matrix in words: its range, and how many of its columns (units) are copies of the first."""
    W = np.asarray(W, dtype=float)
    same = int(np.sum(np.all(np.isclose(W, W[:, :1], rtol=1e-6, atol=1e-12), axis=0))) if W.size else 0
    return describe.heatmap(W, np.arange(1, W.shape[1] + 1), np.arange(1, W.shape[0] + 1), labels["x"], labels["y"],
                            "W") + [("copies", {"n": str(same), "total": str(W.shape[1])})]


def loss_curves(runs: Mapping[str, tuple[np.ndarray, np.ndarray]], labels: Mapping[str, str]) -> spec.Figure:
    """Training loss of each initialization ({name: (steps (T,), loss (T,))}) on one log axis (chance level
    ln 2 ≈ 0.69 sits flat). labels: "title", "x", "y"."""
    fig = curves(runs, title=labels["title"], x_title=labels["x"], y_title=labels["y"], log_y=True, height=400)
    fig.add_hline(y=float(np.log(2)), line_dash="dot", line_color="#888")
    fig.update_yaxes(dtick=_log_dtick([y for _, y in runs.values()]))
    fig.alt.add(describe.level("ln 2", float(np.log(2))))
    return _legend_below(fig)


def first_layer_grad(runs: Mapping[str, tuple[np.ndarray, np.ndarray]], labels: Mapping[str, str],
                     floor: float = 1e-12) -> spec.Figure:
    """‖∂L/∂W₁‖ of the first dense layer over the steps, one line per initialization (log axis). The
    axis stops at ``floor``: a gradient of 1e-40 is "nothing arrives", and drawing it would squash the
    gap between the others; such a line runs below the chart. labels: "title", "x", "y"."""
    fig = curves(runs, title=labels["title"], x_title=labels["x"], y_title=labels["y"], log_y=True, height=400)
    values = np.concatenate([np.asarray(y, dtype=float) for _, y in runs.values()] + [np.array([1.0])])
    values = values[np.isfinite(values) & (values > 0)]
    top = np.log10(max(values.max(), 10 * floor))
    bottom = np.log10(max(values.min(), floor))
    fig.update_yaxes(range=[bottom - 0.3, top + 0.3], dtick="D2" if top - bottom < 2 else 2 if top - bottom > 6 else 1)
    return _legend_below(fig)


def _legend_below(fig: spec.Figure) -> spec.Figure:
    """Legend under the plot, so long names never run into the title."""
    fig.update_layout(legend=dict(orientation="h", yref="container", yanchor="bottom", y=0.01, x=0),
                      margin=dict(l=70, r=20, t=50, b=120))
    return _roomy(fig)


def _log_dtick(arrays, limit_decades=8):
    """Tick spacing for a log axis: 1-2-5 within a couple of decades (else no label might show),
    powers of ten beyond, every other power past ``limit_decades``."""
    values = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays] + [np.array([])])
    values = values[np.isfinite(values) & (values > 0)]
    decades = np.log10(values.max() / values.min()) if values.size else 0.0
    return "D2" if decades < 2 else 1 if decades < limit_decades else 2


def _roomy(fig: spec.Figure) -> spec.Figure:
    """Axis titles kept clear of their tick labels at any font size (presenter mode): Plotly widens the margins."""
    fig.update_xaxes(automargin=True, title_standoff=10)
    fig.update_yaxes(automargin=True, title_standoff=10)
    return fig
