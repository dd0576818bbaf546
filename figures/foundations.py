"""Figures of the foundation pages (losses, batches, preprocessing): engine results in, figure specs out.

Every builder takes ``txt``, a dict of already translated labels, so no text lives here.
"""
from __future__ import annotations

import numpy as np

from figures import spec
from figures.common import finite_or_none
from figures.theme import color, figure, grid

LOSS_COLORS = {"mse": color(0), "mae": color(1), "huber": color(2), "cross_entropy": color(3), "bce": color(4)}
BATCH_COLORS = {"full": color(0), "mini": color(2), "single": color(3)}
OUTLIER = "#D55E00"


LOG_TICKS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]


def _log_y(fig):
    """A log y axis labelled 0.1, 0.2, 0.5, 1, 2, 5 … (Plotly's own minor labels crowd a short range)."""
    fig.update_yaxes(type="log", tickvals=LOG_TICKS, ticktext=[f"{v:g}" for v in LOG_TICKS])
    return fig


def _legend_below(fig):
    # below the x-axis title, not on it: the margin makes room
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.3, xanchor="left", x=0),
                      margin=dict(b=130))
    return fig


# ---- losses --------------------------------------------------------------------------------------

def line_fits(fits, names: dict, txt: dict) -> spec.Figure:
    """The data (outliers highlighted), the true line and the line each loss fitted."""
    fig = figure(txt["title"], "x", "y", height=430)
    normal = ~fits.outlier
    fig.add_trace(spec.scatter(x=fits.x[normal], y=fits.y[normal], mode="markers", name=txt["data"],
                               marker=dict(color="#999", size=6)))
    if fits.outlier.any():
        fig.add_trace(spec.scatter(x=fits.x[fits.outlier], y=fits.y[fits.outlier], mode="markers", name=txt["outliers"],
                                   marker=dict(color=OUTLIER, size=11, symbol="x")))
    xs = np.array([-1.0, 1.0])
    slope, intercept = fits.true
    fig.add_trace(spec.scatter(x=xs, y=slope * xs + intercept, mode="lines", name=txt["true"],
                               line=dict(color="#000", width=2, dash="dot")))
    for name, label in names.items():
        fig.add_trace(spec.scatter(x=xs, y=fits.slope[name] * xs + fits.intercept[name], mode="lines", name=label,
                                   line=dict(color=LOSS_COLORS[name], width=3.5 if name == "mse" else 2.5,
                                             dash="dash" if name == "huber" else "solid")))
    return _legend_below(fig)


def loss_vs_residual(r, values: dict, names: dict, delta: float, txt: dict) -> spec.Figure:
    """Each regression loss against the residual r = prediction − target; ±δ marked."""
    fig = figure(txt["title"], txt["x"], txt["y"], height=380)
    for name, label in names.items():
        fig.add_trace(spec.scatter(x=r, y=finite_or_none(values[name]), mode="lines", name=label,
                                   line=dict(color=LOSS_COLORS[name], width=2.5,
                                             dash="dash" if name == "huber" else "solid")))
    for sign in (-1, 1):
        fig.add_vline(x=sign * delta, line=dict(color="#888", width=1, dash="dot"))
    fig.add_annotation(x=delta, y=1, yref="paper", text="δ", showarrow=False, xshift=8, font=dict(color="#555"))
    fig.update_yaxes(range=[0, float(np.max(values["mae"])) * 1.6])
    return _legend_below(fig)


def logit_gradients(p, grads: dict, names: dict, marker_p: float, txt: dict) -> spec.Figure:
    """|∂L/∂z_true| against P(true class), log axes; the confidently wrong point marked."""
    fig = figure(txt["title"], txt["x"], txt["y"], height=400)
    for name, label in names.items():
        fig.add_trace(spec.scatter(x=p, y=finite_or_none(np.where(grads[name] > 0, grads[name], np.nan)), mode="lines",
                                   name=label, line=dict(color=LOSS_COLORS[name], width=3)))
    fig.add_vline(x=marker_p, line=dict(color="#888", width=1, dash="dot"))
    fig.add_annotation(x=np.log10(marker_p), y=0, yref="paper", text=txt["wrong"], showarrow=False,
                       xanchor="left", xshift=4, yanchor="bottom", font=dict(color="#555"))
    fig.update_xaxes(type="log", exponentformat="power")
    fig.update_yaxes(type="log", exponentformat="power")
    return _legend_below(fig)


def loss_vs_probability(p, values: dict, names: dict, txt: dict) -> spec.Figure:
    """Classification losses against the predicted probability p."""
    fig = figure(txt["title"], txt["x"], txt["y"], height=380)
    for i, (key, label) in enumerate(names.items()):
        fig.add_trace(spec.scatter(x=p, y=finite_or_none(values[key]), mode="lines", name=label,
                                   line=dict(color=color(i + 3), width=2.5, dash="dash" if "0" in key else "solid")))
    fig.update_yaxes(range=[0, 5])
    return _legend_below(fig)


# ---- batches -------------------------------------------------------------------------------------

def batch_curves(histories: dict, names: dict, x_key: str, txt: dict) -> spec.Figure:
    """Loss per update: thin = the update's own batch, thick = the whole training set; x = step or epoch."""
    fig = figure(txt["title"], txt["x"], txt["y"], height=420)
    for label, h in histories.items():
        if not len(h["step"]):
            continue
        x = h[x_key]
        fig.add_trace(spec.scatter(x=finite_or_none(x), y=finite_or_none(h["batch_loss"]), mode="lines",
                                   name=f"{names[label]} · {txt['batch']}", opacity=0.35, legendgroup=label,
                                   line=dict(color=BATCH_COLORS[label], width=1)))
        fig.add_trace(spec.scatter(x=finite_or_none(x), y=finite_or_none(h["train_loss"]), mode="lines",
                                   name=f"{names[label]} · {txt['whole']}", legendgroup=label,
                                   line=dict(color=BATCH_COLORS[label], width=3)))
    if x_key == "epoch":
        fig.update_xaxes(type="log", exponentformat="power")
    _log_y(fig)
    return _legend_below(fig)


def batch_paths(bp, names: dict, txt: dict) -> spec.Figure:
    """The three (w, b) paths over the full-data loss contour."""
    fig = figure(txt["title"], "w", "b", height=460)
    fig.add_trace(spec.contour(x=bp.w_grid, y=bp.b_grid, z=np.log10(bp.loss + 1e-3), colorscale="Greys",
                               reversescale=True,
                               showscale=False, contours=dict(coloring="lines"), ncontours=18, hoverinfo="skip",
                               line=dict(width=1)))
    for label, path in bp.paths.items():
        fig.add_trace(spec.scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=names[label],
                                   line=dict(color=BATCH_COLORS[label], width=2.5 if label == "full" else 1.5),
                                   marker=dict(size=4)))
    fig.add_trace(spec.scatter(x=[bp.optimum[0]], y=[bp.optimum[1]], mode="markers", name=txt["optimum"],
                               marker=dict(color="#000", size=14, symbol="star")))
    fig.add_trace(spec.scatter(x=[bp.paths["full"][0, 0]], y=[bp.paths["full"][0, 1]], mode="markers",
                               name=txt["start"], marker=dict(color="#000", size=10, symbol="circle-open")))
    return _legend_below(fig)


# ---- preprocessing -------------------------------------------------------------------------------

def preprocess_scatter(panels: list, titles: list, txt: dict) -> spec.Figure:
    """One panel per preprocessing (raw, centred, standardized): train and test points, the origin's axes."""
    fig = grid(rows=1, cols=len(panels), subplot_titles=titles, horizontal_spacing=0.07)
    for j, ds in enumerate(panels, start=1):
        for k, (x, name, symbol) in enumerate(((ds.x_train, txt["train"], "circle"), (ds.x_test, txt["test"], "x"))):
            fig.add_trace(spec.scatter(x=x[:, 0], y=x[:, 1], mode="markers", name=name, showlegend=j == 1,
                                       legendgroup=name, marker=dict(color=color(k), size=5, symbol=symbol,
                                                                     opacity=0.7)),
                          row=1, col=j)
        fig.add_hline(y=0, line=dict(color="#000", width=1), row=1, col=j)
        fig.add_vline(x=0, line=dict(color="#000", width=1), row=1, col=j)
    fig.update_layout(height=380, margin=dict(l=40, r=10, t=60, b=40))
    fig.update_xaxes(zeroline=False, title_text="x₁")
    fig.update_yaxes(zeroline=False)
    fig.update_yaxes(title_text="x₂", col=1)
    return _legend_below(fig)


def zigzag_paths(runs: dict, names: dict, txt: dict) -> spec.Figure:
    """Per-sample descent toward w* with all-positive vs zero-centred inputs, on the loss contour."""
    first = next(iter(runs.values()))
    fig = figure(txt["title"], "w₁", "w₂", height=460)
    fig.add_trace(spec.contour(x=first.grid, y=first.grid, z=runs["centered"].loss, colorscale="Greys",
                               reversescale=True,
                               showscale=False, contours=dict(coloring="lines"), ncontours=40, hoverinfo="skip",
                               line=dict(width=1)))
    for i, (key, run) in enumerate(runs.items()):
        fig.add_trace(spec.scatter(x=run.path[:, 0], y=run.path[:, 1], mode="lines+markers", name=names[key],
                                   line=dict(color=color(3 if key == "positive" else 0), width=2), marker=dict(size=4)))
    fig.add_trace(spec.scatter(x=[first.target[0]], y=[first.target[1]], mode="markers", name="w*",
                               marker=dict(color="#000", size=14, symbol="star")))
    # the paths run between the start (0, 0) and w* = (1, −1): frame that square, not the whole grid
    fig.update_xaxes(range=[-0.5, 1.7])
    fig.update_yaxes(range=[-1.5, 0.5])
    return _legend_below(fig)


def preprocess_curves(histories: dict, names: dict, txt: dict) -> spec.Figure:
    """Training loss of the same net on raw vs standardized inputs, against the update step."""
    fig = figure(txt["title"], txt["x"], txt["y"], height=400)
    for i, (key, h) in enumerate(histories.items()):
        fig.add_trace(spec.scatter(x=finite_or_none(h["step"]), y=finite_or_none(h["train_loss"]), mode="lines",
                                   name=names[key], line=dict(color=color(3 if key == "raw" else 2), width=3)))
    _log_y(fig)
    return _legend_below(fig)
