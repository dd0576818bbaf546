"""Figures of the batches page: loss curves per batch size, and the three descent paths on a loss contour.
Arrays and words in (``labels``, already translated), figure specs out."""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from figures import spec
from figures._layout import legend_below, log_y
from figures.common import finite_or_none
from figures.theme import color, figure

if TYPE_CHECKING:
    from lab.batches import BatchPaths

BATCH_COLORS = {"full": color(0), "mini": color(2), "single": color(3)}


def batch_curves(histories: Mapping[str, dict], x_key: str, labels: Mapping[str, str]) -> spec.Figure:
    """Loss per update: thin = the update's own batch, thick = the whole training set; x = step or epoch.
    histories: {"full" | "mini" | "single": a Trainer history}; x_key: "step" or "epoch" (then a log x axis).

    labels: "title", "x", "y", "batch" and "whole" (the two curves' suffixes), and one name per run in ``histories``.
    """
    fig = figure(labels["title"], labels["x"], labels["y"], height=420)
    for run, h in histories.items():
        if not len(h["step"]):
            continue
        x = h[x_key]
        fig.add_trace(spec.scatter(x=finite_or_none(x), y=finite_or_none(h["batch_loss"]), mode="lines",
                                   name=f"{labels[run]} · {labels['batch']}", opacity=0.35, legendgroup=run,
                                   line=dict(color=BATCH_COLORS[run], width=1)))
        fig.add_trace(spec.scatter(x=finite_or_none(x), y=finite_or_none(h["train_loss"]), mode="lines",
                                   name=f"{labels[run]} · {labels['whole']}", legendgroup=run,
                                   line=dict(color=BATCH_COLORS[run], width=3)))
    if x_key == "epoch":
        fig.update_xaxes(type="log", exponentformat="power")
    log_y(fig)
    return legend_below(fig)


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
                                   line=dict(color=BATCH_COLORS[run], width=2.5 if run == "full" else 1.5),
                                   marker=dict(size=4)))
    fig.add_trace(spec.scatter(x=[bp.optimum[0]], y=[bp.optimum[1]], mode="markers", name=labels["optimum"],
                               marker=dict(color="#000", size=14, symbol="star")))
    fig.add_trace(spec.scatter(x=[bp.paths["full"][0, 0]], y=[bp.paths["full"][0, 1]], mode="markers",
                               name=labels["start"], marker=dict(color="#000", size=10, symbol="circle-open")))
    return legend_below(fig)
