"""Figures of the batches page: loss curves per batch size, and the three descent paths on a loss contour.
Arrays and words in (``labels``, already translated), figure specs out."""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from figures import describe, spec
from figures._layout import DECADES, legend_below, log_y
from figures.common import drawable
from figures.theme import color, dash, figure, symbol

if TYPE_CHECKING:
    from lab.batches import BatchPaths

BATCH_COLORS = {"full": color(0), "mini": color(2), "single": color(3)}
BATCH_DASHES = {"full": dash(0), "mini": dash(1), "single": dash(2)}
BATCH_SYMBOLS = {"full": symbol(0), "mini": symbol(1), "single": symbol(2)}
DRAW_ORDER = {"full": 0, "mini": 1, "single": 2}  # drawn from the highest: full batch last, on top


def batch_curves(histories: Mapping[str, dict], x_key: str, labels: Mapping[str, str],
                 common_epoch: float | None = None) -> spec.Figure:
    """Loss per update: thin = the update's own batch, thick = the whole training set; x = step or epoch.
    histories: {"full" | "mini" | "single": a history with "step", "epoch", "batch_loss", "train_loss" (T,)};
    x_key: "step" or "epoch" (then a log x axis, and a dotted line at ``common_epoch``, the epochs every run has
    done, where the page compares them).

    labels: "title", "x", "y", "batch" and "whole" (the two curves' suffixes, in their hover text), one name per
    run in ``histories`` (the legend: one entry per run, its thin line toggles with it), and "common" (the dotted
    line's note) when ``common_epoch`` is given.
    """
    fig = figure(labels["title"], labels["x"], labels["y"], height=460)
    order = list(histories)
    # drawn last = on top: the full-batch curve is smooth and often right under the mini-batch one, so it goes last
    for run in sorted(order, key=lambda r: -DRAW_ORDER.get(r, 0)):
        h = histories[run]
        if not len(h["step"]):
            continue
        x, rank = drawable(h[x_key]), 10 * order.index(run)  # the legend keeps the page's order
        fig.add_trace(spec.scatter(x=x, y=drawable(h["batch_loss"]), mode="lines",
                                   name=f"{labels[run]} · {labels['batch']}", opacity=0.35, legendgroup=run,
                                   showlegend=False, line=dict(color=BATCH_COLORS[run], width=1,
                                                               dash=BATCH_DASHES[run])))
        fig.add_trace(spec.scatter(x=x, y=drawable(h["train_loss"]), mode="lines", name=labels[run],
                                   hovertext=f"{labels[run]} · {labels['whole']}", legendgroup=run, legendrank=rank,
                                   line=dict(color=BATCH_COLORS[run], width=3.5 if run == "full" else 2.5,
                                             dash=BATCH_DASHES[run])))
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.lines({labels[r]: (histories[r][x_key], histories[r]["train_loss"])
                                           for r in order}, labels["x"], labels["y"]),
                           table=describe.series_table({labels[r]: (histories[r][x_key], histories[r]["train_loss"])
                                                        for r in order}, labels["x"]))
    if x_key == "epoch":
        fig.update_xaxes(type="log", exponentformat="power")
        if common_epoch:
            fig.add_vline(x=common_epoch, line=dict(color="#555", width=1.5, dash="dot"))
            fig.add_annotation(x=float(np.log10(common_epoch)), y=0, yref="paper", text=labels["common"],
                               showarrow=False, xanchor="left", yanchor="bottom", xshift=4,
                               font=dict(color="#333"), bgcolor="rgba(255,255,255,0.8)")
    log_y(fig, DECADES)
    # the legend in the plot's upper right, where the falling curves are not: on the first screen with the chart's
    # top, so its three lines can be told apart there (below the plot it was under the fold)
    fig.update_layout(legend=dict(orientation="v", x=0.99, xanchor="right", y=0.99, yanchor="top",
                                  bgcolor="rgba(255,255,255,0.85)", bordercolor="#ccc", borderwidth=1),
                      margin=dict(l=80, b=60))  # "0.001" and the axis title side by side, at presenter sizes too
    return fig


def batch_paths(bp: BatchPaths, labels: Mapping[str, str]) -> spec.Figure:
    """The three (w, b) paths over the full-data loss contour (axes: w, b).

    labels: "title", "optimum", "start", and one name per path in ``bp.paths`` ("full", "mini", "single").
    """
    fig = figure(labels["title"], "w", "b", height=460)
    fig.add_trace(spec.contour(x=bp.w_grid, y=bp.b_grid, z=np.log10(bp.loss + 1e-3), colorscale="Greys",
                               reversescale=True,
                               showscale=False, contours=dict(coloring="lines"), ncontours=18, hoverinfo="skip",
                               line=dict(width=1)))
    for run, path in bp.paths.items():
        fig.add_trace(spec.scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=labels[run],
                                   line=dict(color=BATCH_COLORS[run], width=2.5 if run == "full" else 1.5,
                                             dash=BATCH_DASHES[run]),
                                   marker=dict(size=6, symbol=BATCH_SYMBOLS[run])))
    fig.add_trace(spec.scatter(x=[bp.optimum[0]], y=[bp.optimum[1]], mode="markers", name=labels["optimum"],
                               marker=dict(color="#000", size=14, symbol="star")))
    fig.add_trace(spec.scatter(x=[bp.paths["full"][0, 0]], y=[bp.paths["full"][0, 1]], mode="markers",
                               name=labels["start"], marker=dict(color="#000", size=10, symbol="circle-open")))
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.paths({labels[run]: path for run, path in bp.paths.items()}),
                           describe.mark(labels["optimum"], bp.optimum))
    return legend_below(fig)
