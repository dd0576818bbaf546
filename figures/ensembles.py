"""Figures of the ensembles page: arrays in, figure specs out.

Every builder takes its words in one ``labels`` mapping (the page fills it from the text catalog).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from figures import describe, spec
from figures.common import curves, finite_or_none
from figures.theme import PATTERNS, color, figure

BOTTOM_LEGEND = dict(orientation="h", yanchor="top", y=-0.3, xanchor="center", x=0.5)


def score_bars(names: Sequence[str], values: Sequence[float], kinds: Sequence[int],
               labels: Mapping[str, str]) -> spec.Figure:
    """Accuracy bars (percent), one per name. kinds: 0 a member, 1 a mean, 2 an ensemble (colour per kind).

    values: (K,) accuracies in [0, 1]. labels: "title", "y".
    """
    vals = 100 * np.asarray(values, dtype=float)
    fig = figure(labels["title"], "", labels["y"], 340)
    # the kind shows twice: its colour and its fill (plain, hatched, dotted)
    fig.add_trace(spec.bar(x=list(names), y=finite_or_none(vals), marker_color=[color((0, 1, 2)[k]) for k in kinds],
                           marker_pattern=dict(shape=[PATTERNS[k] for k in kinds], solidity=0.35, fgcolor="white"),
                           text=[f"{v:.1f}" for v in vals], textposition="outside", showlegend=False))
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.bars({labels["y"]: (list(names), vals)}, "", ""),
                           table=describe.bar_table({labels["y"]: (list(names), vals)}, ""))
    # from zero, so a bar's height is its accuracy (a cut axis would blow small differences up); the headroom
    # above 100 holds the value written over the tallest bar
    fig.update_yaxes(range=[0, 112], tickvals=[0, 20, 40, 60, 80, 100])
    fig.update_xaxes(type="category")  # names like "#1" would otherwise be read as numbers
    return fig


def schedule(lrs: np.ndarray, ends: Sequence[int], now: int, labels: Mapping[str, str]) -> spec.Figure:
    """The cyclic learning rate with the snapshot steps marked (filled once taken) and the current step.

    lrs: (T,), lrs[t - 1] the rate of update t; ends: the snapshot steps (updates done, 1 … T); now: updates done.
    labels: "title", "x", "y", "lr" (the curve), "snap" (the markers).
    """
    fig = figure(labels["title"], labels["x"], labels["y"], 300)
    fig.add_trace(spec.scatter(x=np.arange(1, len(lrs) + 1), y=finite_or_none(lrs), mode="lines", name=labels["lr"],
                               line=dict(color=color(0), width=2.5)))
    ends = list(ends)
    taken = [e <= now for e in ends]  # a snapshot is taken once its step has run: filled marker
    fig.add_trace(spec.scatter(x=ends, y=[float(lrs[e - 1]) for e in ends], mode="markers", name=labels["snap"],
                               marker=dict(size=14, symbol="diamond", line=dict(color=color(3), width=2.5),
                                           color=[color(3) if tk else "white" for tk in taken])))
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.lines({labels["lr"]: (np.arange(1, len(lrs) + 1), lrs)}, labels["x"], labels["y"]),
                           describe.values(labels["snap"], labels["x"], ends, [float(lrs[e - 1]) for e in ends]))
    if now > 0:
        fig.add_vline(x=min(now, len(lrs)), line=dict(color="#888", dash="dot", width=1.5))
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.42, xanchor="center", x=0.5),
                      margin=dict(b=120), height=350)
    return fig


def loss_curves(series: Mapping[str, tuple], labels: Mapping[str, str],
                dash: Mapping[str, str] | None = None) -> spec.Figure:
    """One line per named series {name: (x (T,), y (T,))}, the legend below. labels: "title", "x", "y"."""
    fig = curves(series, labels["title"], labels["x"], labels["y"], height=420, dash=dash)
    fig.update_layout(legend=BOTTOM_LEGEND, margin=dict(b=150))
    return fig
