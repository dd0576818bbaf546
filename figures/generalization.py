"""Figures for the regularization, ensembles and transfer pages: arrays in, figure specs out (texts from the caller)."""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from figures import spec
from figures.common import curves, finite_or_none, small_multiples_hist
from figures.theme import color, figure, grid


def train_val(history, best_step, tx: Mapping[str, str], height: int = 360) -> spec.Figure:
    """Accuracy and loss on the training and validation sets, the best (early-stopping) step marked."""
    fig = grid(rows=1, cols=2, subplot_titles=[tx["acc_title"], tx["loss_title"]], horizontal_spacing=0.1)
    steps = finite_or_none(history["step"])
    for col, (tr_key, va_key) in enumerate((("train_acc", "test_acc"), ("train_loss", "test_loss")), start=1):
        for i, (key, name, dash) in enumerate(((tr_key, tx["train"], "solid"), (va_key, tx["val"], "dash"))):
            fig.add_trace(spec.scatter(x=steps, y=finite_or_none(history[key]), mode="lines", name=name,
                                       legendgroup=name, showlegend=col == 1,
                                       line=dict(color=color(i), width=2.5, dash=dash)), row=1, col=col)
    if best_step is not None:
        for col in (1, 2):
            fig.add_vline(x=best_step, line=dict(color=color(3), dash="dot", width=2), row=1, col=col)
        k = int(np.argmin(history["test_loss"]))
        fig.add_trace(spec.scatter(x=[best_step], y=[float(history["test_loss"][k])], mode="markers",
                                   marker=dict(color=color(3), size=12, symbol="star"), name=tx["best"]), row=1, col=2)
    fig.update_layout(height=height, margin=dict(l=50, r=20, t=40, b=90),
                      legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="center", x=0.5))
    fig.update_xaxes(title_text=tx["step"])
    return fig


def weight_hists(weights: Sequence[np.ndarray], titles: Sequence[str], x_title: str, limit: float = 0.5) -> spec.Figure:
    """One histogram (counts) of all dense weights per method, on the same range; the zero bin is narrow."""
    edges = np.linspace(-limit, limit, 51)
    hists = [np.histogram(np.clip(w, -limit, limit), bins=edges) for w in weights]
    fig = small_multiples_hist(hists, titles, cols=len(hists), height_per_row=240, x_title=x_title)
    fig.update_annotations(font_size=13)
    fig.update_annotations(selector=dict(text=x_title), y=-0.2)  # below the tick labels
    fig.update_layout(margin=dict(l=40, r=10, t=60, b=70))
    return fig


def unit_norms(norms: Mapping[str, np.ndarray], c: float, tx: Mapping[str, str]) -> spec.Figure:
    """The norm of each hidden unit's incoming weights, per run, with the max-norm line c."""
    fig = figure(tx["title"], tx["x"], tx["y"], 340)
    for i, (name, v) in enumerate(norms.items()):
        order = np.argsort(-np.asarray(v))
        fig.add_trace(spec.bar(x=np.arange(1, len(v) + 1), y=finite_or_none(np.asarray(v)[order]), name=name,
                               marker_color=color(0 if i == 0 else 4), opacity=1.0 if i == 0 else 0.55))
    fig.add_hline(y=c, line=dict(color=color(3), dash="dash", width=2.5),
                  annotation_text=tx["c_line"], annotation_position="top right")
    fig.update_layout(barmode="overlay", bargap=0.1, margin=dict(b=90),
                      legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="center", x=0.5))
    return fig


def score_bars(labels: Sequence[str], values: Sequence[float], kinds: Sequence[int], tx: Mapping[str,
                                                                                                 str]) -> spec.Figure:
    """Accuracy bars (percent). kinds: 0 a member, 1 a mean, 2 an ensemble (colour and text per kind)."""
    vals = 100 * np.asarray(values, dtype=float)
    fig = figure(tx["title"], "", tx["y"], 340)
    fig.add_trace(spec.bar(x=list(labels), y=finite_or_none(vals), marker_color=[color((0, 1, 2)[k]) for k in kinds],
                           text=[f"{v:.1f}" for v in vals], textposition="outside", showlegend=False))
    finite = vals[np.isfinite(vals)]
    lo = max(0.0, float(finite.min()) - 10) if finite.size else 0.0
    hi = min(100.0, float(finite.max()) + 6) if finite.size else 100.0
    fig.update_yaxes(range=[lo, hi])
    fig.update_xaxes(type="category")  # labels like "#1" would otherwise be read as numbers
    return fig


def schedule(lrs: np.ndarray, ends: Sequence[int], now: int, tx: Mapping[str, str]) -> spec.Figure:
    """The cyclic learning rate with the snapshot steps marked (filled once taken)."""
    fig = figure(tx["title"], tx["x"], tx["y"], 300)
    fig.add_trace(spec.scatter(x=np.arange(len(lrs)), y=finite_or_none(lrs), mode="lines", name=tx["lr"],
                               line=dict(color=color(0), width=2.5)))
    ends = list(ends)
    taken = [e < now for e in ends]  # a snapshot is taken once its step has run: filled marker
    fig.add_trace(spec.scatter(x=ends, y=[float(lrs[e]) for e in ends], mode="markers", name=tx["snap"],
                               marker=dict(size=14, symbol="diamond", line=dict(color=color(3), width=2.5),
                                           color=[color(3) if tk else "white" for tk in taken])))
    if now > 0:
        fig.add_vline(x=min(now, len(lrs) - 1), line=dict(color="#888", dash="dot", width=1.5))
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.3, xanchor="center", x=0.5),
                      margin=dict(b=100), height=330)
    return fig


BOTTOM_LEGEND = dict(orientation="h", yanchor="top", y=-0.25, xanchor="center", x=0.5)


def loss_curves(series: Mapping[str, tuple], tx: Mapping[str, str], dash: Mapping[str,
                                                                                  str] | None = None) -> spec.Figure:
    fig = curves(series, tx["title"], tx["x"], tx["y"], height=380, dash=dash)
    fig.update_layout(legend=BOTTOM_LEGEND, margin=dict(b=110))
    return fig


def layer_map(n_layers: int, n_reuse: int, tx: Mapping[str, str]) -> spec.Figure:
    """A row of boxes: input, hidden layers (reused or new), the new output layer."""
    fig = figure("", "", "", 150)
    names = [tx["input"]] + [tx["hidden"].format(i=i + 1) for i in range(n_layers)] + [tx["output"]]
    states = [tx["data"]] + [tx["reused"] if i < n_reuse else tx["new"] for i in range(n_layers)] + [tx["new"]]
    colours = ["#dddddd"] + [color(0) if i < n_reuse else color(1) for i in range(n_layers)] + [color(1)]
    for k, (name, state, col) in enumerate(zip(names, states, colours)):
        fig.add_shape(type="rect", x0=k, x1=k + 0.8, y0=0, y1=1, fillcolor=col, line=dict(color="#444"), opacity=0.85)
        fig.add_annotation(x=k + 0.4, y=0.5, text=f"<b>{name}</b><br>{state}", showarrow=False,
                           font=dict(color="white" if k else "#222", size=14))
        if k:
            fig.add_annotation(x=k - 0.02, y=0.5, ax=k - 0.18, ay=0.5, xref="x", yref="y", axref="x", ayref="y",
                               showarrow=True, arrowhead=2, text="")
    fig.update_xaxes(visible=False, range=[-0.1, len(names) - 0.1])
    fig.update_yaxes(visible=False, range=[-0.05, 1.05])
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10), showlegend=False)
    return fig
