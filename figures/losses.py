"""Figures of the loss-functions page: fitted lines, losses against the residual and the probability, and the
gradient on the logit. Arrays and words in (``labels``, already translated), figure specs out."""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from figures import describe, spec
from figures._layout import legend_below
from figures.common import drawable
from figures.theme import MARK_GREY, color, dash, figure, symbol

if TYPE_CHECKING:
    from lab.losses import LineFits

LOSS_ORDER = ("mse", "mae", "huber", "cross_entropy", "bce")  # one colour and one dash per loss, on every chart
LOSS_COLORS = {name: color(i) for i, name in enumerate(LOSS_ORDER)}
LOSS_DASHES = {name: dash(i) for i, name in enumerate(LOSS_ORDER)}
OUTLIER = "#D55E00"


def line_fits(fits: LineFits, labels: Mapping[str, str]) -> spec.Figure:
    """The data (outliers highlighted), the true line and the line each loss fitted (axes: x, y).

    labels: "title", "data", "outliers", "true", and one name per fitted loss ("mse", "mae", "huber").
    """
    fig = figure(labels["title"], "x", "y", height=430)
    normal = ~fits.outlier
    fig.add_trace(spec.scatter(x=fits.x[normal], y=fits.y[normal], mode="markers", name=labels["data"],
                               marker=dict(color=MARK_GREY, size=6)))
    if fits.outlier.any():
        fig.add_trace(spec.scatter(x=fits.x[fits.outlier], y=fits.y[fits.outlier], mode="markers",
                                   name=labels["outliers"], marker=dict(color=OUTLIER, size=11, symbol="x")))
    xs = np.array([-1.0, 1.0])
    slope, intercept = fits.true
    fig.add_trace(spec.scatter(x=xs, y=slope * xs + intercept, mode="lines", name=labels["true"],
                               line=dict(color="#000", width=2, dash="longdashdot")))
    for name in fits.slope:
        fig.add_trace(spec.scatter(x=xs, y=fits.slope[name] * xs + fits.intercept[name], mode="lines",
                                   name=labels[name],
                                   line=dict(color=LOSS_COLORS[name], width=3.5 if name == "mse" else 2.5,
                                             dash=LOSS_DASHES[name])))
    fig.alt = describe.Alt(
        describe.title(labels["title"]),
        describe.points({labels["data"]: np.column_stack([fits.x[normal], fits.y[normal]]),
                         labels["outliers"]: np.column_stack([fits.x[fits.outlier], fits.y[fits.outlier]])}),
        describe.line_equation(labels["true"], slope, intercept),
        *[describe.line_equation(labels[name], fits.slope[name], fits.intercept[name]) for name in fits.slope],
        table=[(describe.Word("col_series"), [labels["true"], *[labels[n] for n in fits.slope]]),
               ("w", [describe.num(slope), *[describe.num(fits.slope[n]) for n in fits.slope]]),
               ("b", [describe.num(intercept), *[describe.num(fits.intercept[n]) for n in fits.slope]])])
    return legend_below(fig)


def loss_vs_residual(r, values: Mapping[str, np.ndarray], delta: float, labels: Mapping[str, str]) -> spec.Figure:
    """Each regression loss against the residual r = prediction − target; ±δ marked. r: (G,); values: {loss: (G,)}.

    labels: "title", "x", "y", and one name per loss in ``values``.
    """
    fig = figure(labels["title"], labels["x"], labels["y"], height=380)
    for name, value in values.items():
        fig.add_trace(spec.scatter(x=r, y=drawable(value), mode="lines", name=labels[name],
                                   line=dict(color=LOSS_COLORS[name], width=2.5, dash=LOSS_DASHES[name])))
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.lines({labels[k]: (r, v) for k, v in values.items()}, labels["x"], labels["y"]),
                           describe.level("δ", delta))
    for sign in (-1, 1):
        fig.add_vline(x=sign * delta, line=dict(color="#888", width=1, dash="dot"))
    fig.add_annotation(x=delta, y=1, yref="paper", text="δ", showarrow=False, xshift=8, font=dict(color="#555"))
    fig.update_yaxes(range=[0, float(np.max(values["mae"])) * 1.6])
    return legend_below(fig)


def logit_gradients(p, grads: Mapping[str, np.ndarray], marker_p: float, labels: Mapping[str, str]) -> spec.Figure:
    """|∂L/∂z_true| against P(true class), log axes; the confidently wrong point ``marker_p`` marked.
    p: (G,); grads: {loss: (G,)}.

    labels: "title", "x", "y", "wrong" (the marker's note), and one name per loss in ``grads``.
    """
    fig = figure(labels["title"], labels["x"], labels["y"], height=400)
    for name, grad in grads.items():
        fig.add_trace(spec.scatter(x=p, y=drawable(np.where(grad > 0, grad, np.nan)), mode="lines",
                                   name=labels[name], line=dict(color=LOSS_COLORS[name], width=3,
                                                                dash=LOSS_DASHES[name])))
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.lines({labels[k]: (p, g) for k, g in grads.items()}, labels["x"], labels["y"]),
                           describe.text(labels["wrong"]))
    fig.add_vline(x=marker_p, line=dict(color="#888", width=1, dash="dot"))
    fig.add_annotation(x=np.log10(marker_p), y=0, yref="paper", text=labels["wrong"], showarrow=False,
                       xanchor="left", xshift=4, yanchor="bottom", font=dict(color="#555"))
    fig.update_xaxes(type="log", exponentformat="power")
    fig.update_yaxes(type="log", exponentformat="power")
    return legend_below(fig)


def loss_vs_probability(p, values: Mapping[str, np.ndarray], labels: Mapping[str, str]) -> spec.Figure:
    """Classification losses against the predicted probability p: (G,); values: {curve: (G,)}, a curve whose key
    holds "0" (target 0) drawn dashed.

    labels: "title", "x", "y", and one name per curve in ``values``.
    """
    fig = figure(labels["title"], labels["x"], labels["y"], height=380)
    for i, (key, value) in enumerate(values.items()):
        fig.add_trace(spec.scatter(x=p, y=drawable(value), mode="lines+markers", name=labels[key],
                                   line=dict(color=color(i + 3), width=2.5, dash="dash" if "0" in key else "solid"),
                                   marker=dict(color=color(i + 3), symbol=symbol(i), size=8, maxdisplayed=10)))
    fig.update_yaxes(range=[0, 5])
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.lines({labels[k]: (p, v) for k, v in values.items()}, labels["x"], labels["y"]))
    return legend_below(fig)
