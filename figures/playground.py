"""Figures of the playground: decision map, loss curves, confusion matrix, misclassified digits, histograms."""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from figures import spec
from figures.common import curves, finite_or_none, small_multiples_hist
from figures.theme import DIVERGING, color, figure, grid


def boundary(xs, ys, p, train_xy, train_y, test_xy, test_y, txt: Mapping[str, str], height: int = 460) -> spec.Figure:
    """P(class 1) over the plane (grid ≤ 100²) with the training points (filled) and test points (hollow).

    txt: prob (colour bar title), train, test, class0, class1, x, y.
    """
    fig = figure("", txt["x"], txt["y"], height)
    fig.add_trace(spec.heatmap(x=finite_or_none(xs), y=finite_or_none(ys), z=[finite_or_none(np.round(r,
                                                                                                      3)) for r in p],
                               zmin=0, zmax=1, colorscale=DIVERGING, reversescale=True, hoverinfo="skip",
                               colorbar=dict(title=dict(text=txt["prob"]), thickness=14, len=0.85)))
    for label, symbol in ((0, "circle"), (1, "diamond")):
        name = txt[f"class{label}"]
        for pts, hollow, part in ((train_xy[train_y == label], False, "train"),
                                  (test_xy[test_y == label], True, "test")):
            c = color(3) if label else color(0)
            fig.add_trace(spec.scatter(
                x=pts[:, 0], y=pts[:, 1], mode="markers", name=f"{name} · {txt[part]}", hoverinfo="skip",
                marker=dict(size=7, symbol=symbol + ("-open" if hollow else ""), color=c,
                            line=dict(color=c if hollow else "white", width=1.5 if hollow else 0.7))))
    fig.update_xaxes(range=[xs[0], xs[-1]], showgrid=False)
    fig.update_yaxes(range=[ys[0], ys[-1]], showgrid=False)
    fig.update_layout(legend=dict(font_size=12), margin=dict(l=50, r=10, t=60, b=45))
    return fig


def loss_curves(history: Mapping[str, np.ndarray], txt: Mapping[str, str], height: int = 380) -> spec.Figure:
    """Train and test loss per update (data loss, inference mode): the gap between them is overfitting."""
    series = {txt["train"]: (history["step"], history["train_loss"]),
              txt["test"]: (history["step"], history["test_loss"])}
    fig = curves(series, "", txt["x"], txt["y"], log_y=True, height=height, dash={txt["test"]: "dash"})
    return fig


def confusion(matrix: np.ndarray, txt: Mapping[str, str], height: int = 460) -> spec.Figure:
    """Counts, row = true digit, column = predicted; the diagonal is what the net gets right."""
    m = np.asarray(matrix)
    labels = [str(i) for i in range(m.shape[0])]
    fig = figure("", txt["pred"], txt["true"], height)
    fig.add_trace(spec.heatmap(z=m.tolist(), x=labels, y=labels, colorscale="Blues", showscale=False,
                               text=m.tolist(), texttemplate="%{text}", hovertemplate=txt["hover"]))
    fig.update_xaxes(type="category", side="bottom", showgrid=False)
    fig.update_yaxes(type="category", autorange="reversed", showgrid=False, scaleanchor="x")
    return fig


def digit_gallery(images: np.ndarray, true: Sequence[int], pred: Sequence[int], title_fmt: str,
                  cols: int = 8, height: int = 190) -> spec.Figure:
    """Small 8×8 images with "true → predicted" above each (images: (k, 8, 8), k ≤ cols)."""
    k = max(1, len(images))
    titles = [title_fmt.format(true=int(a), pred=int(b)) for a, b in zip(true, pred)] or [""]
    fig = grid(rows=1, cols=min(cols, k), subplot_titles=titles, horizontal_spacing=0.02)
    for i, img in enumerate(images[:cols]):
        fig.add_trace(spec.heatmap(z=[finite_or_none(r) for r in img[::-1]],
                                   colorscale="Greys", showscale=False, hoverinfo="skip"), row=1, col=i + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    fig.update_layout(height=height, margin=dict(l=5, r=5, t=40, b=5))
    return fig


def layer_histograms(hists, titles: Sequence[str], x_title: str) -> spec.Figure:
    """One histogram (counts) per hidden layer in a row of small multiples; a layer with no finite value is blank."""
    blank = (np.zeros(1), np.array([0.0, 1.0]))
    hists = [h if h is not None else blank for h in hists]
    cols = min(len(hists), 3)
    fig = small_multiples_hist(hists, titles, cols=cols, height_per_row=250)
    fig.add_annotation(text=x_title, xref="paper", yref="paper", x=0.5, y=0, yshift=-28, yanchor="top",
                       showarrow=False)
    fig.update_layout(margin=dict(l=20, r=10, t=40, b=60))
    return fig
