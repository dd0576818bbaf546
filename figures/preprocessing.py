"""Figures of the data-preprocessing page: the data under each preprocessing, the zig-zag of all-positive inputs,
and the training curves. Arrays and words in (``labels``, already translated), figure specs out."""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from figures import describe, spec
from figures._layout import legend_below, log_y
from figures.common import drawable
from figures.theme import color, dash, figure, grid

if TYPE_CHECKING:
    from core.data import Dataset
    from lab.activations import Zigzag


def preprocess_scatter(panels: Mapping[str, Dataset], labels: Mapping[str, str]) -> spec.Figure:
    """One panel per preprocessing (e.g. raw, centred, standardized): train and test points (N, 2), the origin's
    axes (axes: x₁, x₂).

    labels: "train", "test", and one panel title per key of ``panels``.
    """
    fig = grid(rows=1, cols=len(panels), subplot_titles=[labels[how] for how in panels], horizontal_spacing=0.07)
    for j, ds in enumerate(panels.values(), start=1):
        for k, (x, name, symbol) in enumerate(((ds.x_train, labels["train"], "circle"),
                                               (ds.x_test, labels["test"], "x"))):
            fig.add_trace(spec.scatter(x=x[:, 0], y=x[:, 1], mode="markers", name=name, showlegend=j == 1,
                                       legendgroup=name, marker=dict(color=color(k), size=5, symbol=symbol,
                                                                     opacity=0.7)),
                          row=1, col=j)
        fig.add_hline(y=0, line=dict(color="#000", width=1), row=1, col=j)
        fig.add_vline(x=0, line=dict(color="#000", width=1), row=1, col=j)
    fig.update_layout(height=400, margin=dict(l=60, r=10, t=60, b=40))
    fig.update_xaxes(zeroline=False, title_text="x₁")
    fig.update_yaxes(zeroline=False)
    fig.update_yaxes(title_text="x₂", col=1)
    legend_below(fig)
    fig.update_layout(legend=dict(y=-0.4))  # under the x₁ titles of a short figure (presenter sizes included)
    fig.alt = describe.Alt(*[describe.points({f"{labels[how]} · {labels['train']}": ds.x_train,
                                              f"{labels[how]} · {labels['test']}": ds.x_test})
                             for how, ds in panels.items()])
    return fig


def zigzag_paths(runs: Mapping[str, Zigzag], labels: Mapping[str, str]) -> spec.Figure:
    """Per-sample descent toward w* with all-positive vs zero-centred inputs, on the loss contour (axes: w₁, w₂).
    runs: {"positive" | "centered": a Zigzag run, path (T + 1, 2)}.

    labels: "title", and one name per run in ``runs``.
    """
    first = next(iter(runs.values()))
    fig = figure(labels["title"], "w₁", "w₂", height=460)
    fig.add_trace(spec.contour(x=first.grid, y=first.grid, z=runs["centered"].loss, colorscale="Greys",
                               reversescale=True,
                               showscale=False, contours=dict(coloring="lines"), ncontours=40, hoverinfo="skip",
                               line=dict(width=1)))
    for key, run in runs.items():
        fig.add_trace(spec.scatter(x=run.path[:, 0], y=run.path[:, 1], mode="lines+markers", name=labels[key],
                                   line=dict(color=color(3 if key == "positive" else 0), width=2,
                                             dash="solid" if key == "positive" else "dash"),
                                   marker=dict(size=5, symbol="circle" if key == "positive" else "square")))
    fig.add_trace(spec.scatter(x=[first.target[0]], y=[first.target[1]], mode="markers", name="w*",
                               marker=dict(color="#000", size=14, symbol="star")))
    # the paths run between the start (0, 0) and w* = (1, −1): frame that square, not the whole grid
    fig.update_xaxes(range=[-0.5, 1.7])
    fig.update_yaxes(range=[-1.5, 0.5])
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.paths({labels[key]: run.path for key, run in runs.items()}),
                           describe.mark("w*", first.target))
    return legend_below(fig)


def preprocess_curves(histories: Mapping[str, dict], labels: Mapping[str, str]) -> spec.Figure:
    """Training loss of the same net on raw vs standardized inputs, against the update step.
    histories: {"raw" | "standardize": a Trainer history}.

    labels: "title", "x", "y", and one name per run in ``histories``.
    """
    fig = figure(labels["title"], labels["x"], labels["y"], height=400)
    for key, h in histories.items():
        fig.add_trace(spec.scatter(x=drawable(h["step"]), y=drawable(h["train_loss"]), mode="lines",
                                   name=labels[key], line=dict(color=color(3 if key == "raw" else 2), width=3,
                                                               dash=dash(0 if key == "raw" else 1))))
    series = {labels[key]: (h["step"], h["train_loss"]) for key, h in histories.items()}
    fig.alt = describe.Alt(describe.title(labels["title"]), describe.lines(series, labels["x"], labels["y"]),
                           table=describe.series_table(series, labels["x"]))
    log_y(fig)
    legend_below(fig)
    fig.update_layout(margin=dict(l=80))  # the tick labels and the axis title side by side at presenter sizes
    return fig
