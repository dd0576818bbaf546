"""Figures of the regularization page: arrays in, figure specs out.

Every builder takes its words in one ``labels`` mapping (the page fills it from the text catalog).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from figures import describe, spec
from figures.common import finite_or_none, small_multiples_hist
from figures.theme import color, figure, grid, pattern, symbol


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
    acc = {labels["train"]: (history["step"], history["train_acc"]), labels["val"]: (history["step"], history["test_acc"])}
    loss = {labels["train"]: (history["step"], history["train_loss"]),
            labels["val"]: (history["step"], history["test_loss"])}
    fig.alt = describe.Alt(describe.title(labels["acc_title"]), describe.lines(acc, labels["x"], ""),
                           describe.title(labels["loss_title"]), describe.lines(loss, labels["x"], ""),
                           table=_history_table(history, labels))
    if best_step is not None:
        for col in (1, 2):
            fig.add_vline(x=best_step, line=dict(color=color(3), dash="dot", width=2), row=1, col=col)
        k = int(np.argmin(history["test_loss"]))
        fig.add_trace(spec.scatter(x=[best_step], y=[float(history["test_loss"][k])], mode="markers",
                                   marker=dict(color=color(3), size=12, symbol="star"), name=labels["best"]),
                      row=1, col=2)
        fig.alt.add(describe.mark(labels["best"], (best_step, float(history["test_loss"][k]))))
    # the legend at the figure's bottom edge and the axes' titles pushed clear of their tick labels, whatever the font
    # size (presenter mode put the x titles on the tick labels: issue 23, item 6)
    fig.update_layout(height=height + 30, margin=dict(l=50, r=20, t=40, b=110),
                      legend=dict(orientation="h", yref="container", yanchor="bottom", y=0.01, xanchor="center", x=0.5))
    fig.update_xaxes(title_text=labels["x"], automargin=True, title_standoff=12)
    fig.update_yaxes(automargin=True)
    return fig


def _history_table(history, labels) -> list:
    series = {(labels["acc_title"], labels["train"]): history["train_acc"],
              (labels["acc_title"], labels["val"]): history["test_acc"],
              (labels["loss_title"], labels["train"]): history["train_loss"],
              (labels["loss_title"], labels["val"]): history["test_loss"]}
    idx = describe.pick(len(history["step"]), describe.MAX_TABLE_ROWS)
    return [(labels["x"], [describe.num(history["step"][i]) for i in idx])] + [
        (name, [describe.num(v[i]) for i in idx]) for name, v in series.items()]


def weight_hists(edges: np.ndarray, counts: Mapping[str, np.ndarray], labels: Mapping[str, str],
                 cols: int = 3) -> spec.Figure:
    """One histogram of all dense weights per method, on the shared bins ``edges`` (B + 1,), ``cols`` to a row.

    counts: {panel title (one short line): (B,) counts}. labels: "x" (the shared value axis).
    """
    hists = [(np.asarray(c), edges) for c in counts.values()]
    rows = -(-len(hists) // cols)
    fig = small_multiples_hist(hists, list(counts), cols=cols, height_per_row=200, x_title=labels["x"],
                               blank_rest=True, vertical_spacing=0.22,
                               x_axis=dict(range=[float(edges[0]), float(edges[-1])]))
    fig.update_layout(height=rows * 230 + 90, margin=dict(l=30, r=10, t=40, b=70))
    fig.layout["annotations"][-1]["y"] = -0.12  # the value axis' name, under the bottom row's tick labels
    return fig  # its text alternative: each histogram's range and most common values (figures.common)


def unit_norms(norms: Mapping[str, np.ndarray], c: float, labels: Mapping[str, str]) -> spec.Figure:
    """The norm of each hidden unit's incoming weights, per run (bars side by side, each run sorted), with the
    max-norm line c.

    norms: {run name: (H,) norms}. labels: "title", "x", "y", "c_line" (the line's note).
    """
    fig = figure(labels["title"], labels["x"], labels["y"], 360)
    for i, (name, v) in enumerate(norms.items()):
        v = np.asarray(v, dtype=float)
        fig.add_trace(spec.bar(x=np.arange(1, len(v) + 1), y=finite_or_none(np.sort(v)[::-1]), name=name,
                               marker_color=color(i), marker_pattern=pattern(i)))
    # the line is named in the legend: a note at its end sat on the last bars, which max-norm holds at c (issue 23)
    fig.add_hline(y=c, line=dict(color=color(3), dash="dash", width=2.5))
    fig.add_trace(spec.scatter(x=[None], y=[None], mode="lines", name=labels["c_line"],
                               line=dict(color=color(3), dash="dash", width=2.5)))
    fig.update_layout(barmode="group", bargap=0.15, bargroupgap=0.0, margin=dict(b=120),
                      legend=dict(orientation="h", yanchor="top", y=-0.34, xanchor="center", x=0.5))
    fig.update_yaxes(rangemode="tozero")
    over = {name: int(np.sum(np.asarray(v, dtype=float) > c * (1 + 1e-9))) for name, v in norms.items()}
    fig.alt = describe.Alt(describe.title(labels["title"]), describe.axes(labels["x"], labels["y"]),
                           [("norms", {"name": name, "n": str(len(v)), "high": float(np.max(v)) if len(v) else 0.0,
                                       "over": str(over[name]), "c": labels["c_line"]}) for name, v in norms.items()],
                           table=[(describe.Word("col_series"), list(norms)),
                                  (describe.Word("col_high"), [describe.num(np.max(v)) if len(v) else "—"
                                                                for v in norms.values()]),
                                  (labels["c_line"], [str(n) for n in over.values()])])
    return fig
