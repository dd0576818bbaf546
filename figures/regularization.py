"""Figures of the regularization page: arrays in, figure specs out.

Every builder takes its words in one ``labels`` mapping (the page fills it from the text catalog).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from figures import spec
from figures.common import finite_or_none, small_multiples_hist
from figures.theme import color, figure, grid


def train_val(history, best_step, labels: Mapping[str, str], height: int = 360) -> spec.Figure:
    """Accuracy and loss on the training and validation sets, the best (early-stopping) step marked.

    history: {"step", "train_acc", "test_acc", "train_loss", "test_loss"}, each (T,); best_step: None before the
    first row. labels: "acc_title", "loss_title" (the two panels), "x" (step axis), "train", "val" (series), "best"
    (the star).
    """
    fig = grid(rows=1, cols=2, subplot_titles=[labels["acc_title"], labels["loss_title"]], horizontal_spacing=0.1)
    steps = finite_or_none(history["step"])
    for col, (tr_key, va_key) in enumerate((("train_acc", "test_acc"), ("train_loss", "test_loss")), start=1):
        for i, (key, name, dash) in enumerate(((tr_key, labels["train"], "solid"), (va_key, labels["val"], "dash"))):
            fig.add_trace(spec.scatter(x=steps, y=finite_or_none(history[key]), mode="lines", name=name,
                                       legendgroup=name, showlegend=col == 1,
                                       line=dict(color=color(i), width=2.5, dash=dash)), row=1, col=col)
    if best_step is not None:
        for col in (1, 2):
            fig.add_vline(x=best_step, line=dict(color=color(3), dash="dot", width=2), row=1, col=col)
        k = int(np.argmin(history["test_loss"]))
        fig.add_trace(spec.scatter(x=[best_step], y=[float(history["test_loss"][k])], mode="markers",
                                   marker=dict(color=color(3), size=12, symbol="star"), name=labels["best"]),
                      row=1, col=2)
    fig.update_layout(height=height, margin=dict(l=50, r=20, t=40, b=90),
                      legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="center", x=0.5))
    fig.update_xaxes(title_text=labels["x"])
    return fig


def weight_hists(weights: Mapping[str, np.ndarray], labels: Mapping[str, str], limit: float = 0.5) -> spec.Figure:
    """One histogram (counts) of all dense weights per method, on the same range; the zero bin is narrow.

    weights: {panel title: (P,) weights}. labels: "x" (the shared value axis).
    """
    edges = np.linspace(-limit, limit, 51)
    hists = [np.histogram(np.clip(w, -limit, limit), bins=edges) for w in weights.values()]
    x_title = labels["x"]
    fig = small_multiples_hist(hists, list(weights), cols=len(hists), height_per_row=240, x_title=x_title)
    fig.update_annotations(font_size=13)
    fig.update_annotations(selector=dict(text=x_title), y=-0.2)  # below the tick labels
    fig.update_layout(margin=dict(l=40, r=10, t=60, b=70))
    return fig


def unit_norms(norms: Mapping[str, np.ndarray], c: float, labels: Mapping[str, str]) -> spec.Figure:
    """The norm of each hidden unit's incoming weights, per run, with the max-norm line c.

    norms: {run name: (H,) norms}. labels: "title", "x", "y", "c_line" (the line's note).
    """
    fig = figure(labels["title"], labels["x"], labels["y"], 340)
    for i, (name, v) in enumerate(norms.items()):
        order = np.argsort(-np.asarray(v))
        fig.add_trace(spec.bar(x=np.arange(1, len(v) + 1), y=finite_or_none(np.asarray(v)[order]), name=name,
                               marker_color=color(0 if i == 0 else 4), opacity=1.0 if i == 0 else 0.55))
    fig.add_hline(y=c, line=dict(color=color(3), dash="dash", width=2.5),
                  annotation_text=labels["c_line"], annotation_position="top right")
    fig.update_layout(barmode="overlay", bargap=0.1, margin=dict(b=90),
                      legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="center", x=0.5))
    return fig
