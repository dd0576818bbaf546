"""Figures of the playground: decision map, loss curves, confusion matrix, misclassified digits, histograms.

Arrays in, figure specs out; every builder takes its words in one ``labels`` mapping (keys listed in its docstring).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from figures import describe, spec
from figures.common import drawable, finite_or_none, small_multiples_hist
from figures.theme import DIVERGING, color, figure, grid


# The decision map travels as bytes: P(class 1) in 1/250 steps (no visible difference on a colour scale, a quarter of
# the float32 map's size), sent to every student on every live refresh. 250, not 255: a run of 0xFF bytes is "////"
# in base64, and the JSON encoder writes each "/" as six characters ("\u002f"); 0xFA encodes as "+vr6".
_LEVELS = 250
_PROB_TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def _axis_grid(values: np.ndarray, axis: str) -> dict:
    """An evenly spaced grid axis as a start and a step (x0, dx) instead of every coordinate."""
    values = np.asarray(values, dtype=float)
    if len(values) > 1 and np.all(np.isfinite(values)):
        step = (values[-1] - values[0]) / (len(values) - 1)
        if np.allclose(np.diff(values), step, rtol=1e-6, atol=1e-12):
            return {f"{axis}0": float(values[0]), f"d{axis}": float(step)}
    return {axis: finite_or_none(values)}


def boundary(xs, ys, p, train_xy, train_y, test_xy, test_y, labels: Mapping[str, str],
             height: int = 420, click: tuple[float, float] | None = None) -> spec.Figure:
    """P(class 1) over the plane (grid ≤ 100²) with the training points (filled) and test points (hollow), each with
    its legend entry ("class · set"; none for an empty test set).

    xs (n,), ys (n,), p (n, n) with p[i, j] at (xs[j], ys[i]); train_xy (N, 2), train_y (N,), test_xy, test_y alike.
    p None: the plane without a map (one's own points before there is a network); test_xy None: the points are not
    split yet, drawn filled and named by class only. labels: x, y, prob (colour bar), class0, class1, train, test
    (legend: "class · set"); title optional. click (limit, step): the chart takes clicks (``click_grid``).
    Light enough to resend on every live refresh: the map as bytes (uint8 levels), the grid as start and step, the
    points as float32 typed arrays.
    """
    fig = figure(labels.get("title", ""), labels["x"], labels["y"], height)
    if p is not None:
        p = np.asarray(p, dtype=np.float32)
        if np.all(np.isfinite(p)):
            z = np.round(np.clip(p, 0.0, 1.0) * _LEVELS).astype(np.uint8)
        else:  # a diverged net: the map is left blank where it is not finite
            z = drawable(p * np.float32(_LEVELS))
        fig.add_trace(spec.heatmap(z=z, zmin=0, zmax=_LEVELS, colorscale=DIVERGING, reversescale=True,
                                   hoverinfo="skip", zsmooth="best", **_axis_grid(xs, "x"), **_axis_grid(ys, "y"),
                                   colorbar=dict(title=dict(text=labels["prob"], side="right"), thickness=14,
                                                 len=0.85, tickvals=[v * _LEVELS for v in _PROB_TICKS],
                                                 ticktext=[f"{v:g}" for v in _PROB_TICKS])))
    parts = [(train_xy, train_y, False, "train")]
    if test_xy is not None:
        parts.append((test_xy, test_y, True, "test"))
    size = 10 if sum(len(y) for _, y, _, _ in parts) <= 100 else 7  # a few points of one's own: easy to see
    for label, symbol in ((0, "circle"), (1, "diamond")):
        name = labels[f"class{label}"]
        for xy, y, hollow, part in parts:
            c = color(3) if label else color(0)
            pts = np.asarray(xy, dtype=np.float32).reshape(-1, 2)[np.asarray(y) == label]
            # a click selects a point of the click grid; the data keep their look (Plotly dims unselected points)
            keep = dict(unselected=dict(marker=dict(opacity=1))) if click is not None else {}
            fig.add_trace(spec.scatter(
                x=pts[:, 0], y=pts[:, 1], mode="markers", hoverinfo="skip",
                name=f"{name} · {labels[part]}" if test_xy is not None else name,
                showlegend=len(pts) > 0 or not hollow,  # no held-out points (one's own, share 0): no legend entry
                marker=dict(size=size, symbol=symbol + ("-open" if hollow else ""), color=c,
                            line=dict(color=c if hollow else "white", width=1.5 if hollow else 0.7)), **keep))
    fig.update_xaxes(range=[float(xs[0]), float(xs[-1])], showgrid=p is None, automargin=True)
    fig.update_yaxes(range=[float(ys[0]), float(ys[-1])], showgrid=p is None, automargin=True)
    fig.update_layout(legend=dict(font_size=12), margin=dict(l=50, r=10, t=60, b=45))
    groups = {}
    for xy, y, _, part in parts:
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        for label in (0, 1):
            name = labels[f"class{label}"] + (f" · {labels[part]}" if test_xy is not None else "")
            groups[name] = xy[np.asarray(y) == label]
    fig.alt = describe.Alt(describe.title(labels.get("title", "")), describe.points(groups))
    if p is not None:
        fig.alt.add(describe.heatmap(p, xs, ys, labels["x"], labels["y"], labels["prob"]),
                    [("class1_share", {"share": f"{100 * float(np.mean(np.asarray(p) > 0.5)):.0f}"})])
    if click is not None:  # last: update_xaxes above would reach its hidden axes too
        click_grid(fig, (float(xs[0]), float(xs[-1])), (float(ys[0]), float(ys[-1])), *click)
    return fig


def click_grid(fig: spec.Figure, x_range, y_range, limit: float, step: float) -> spec.Figure:
    """Make a chart take clicks on its plane: an invisible marker every ``step`` over [-limit, limit]², as the
    figure's first trace, which a click selects (the nearest marker: a points selection in Streamlit, whose x and y
    times ``step`` are the clicked place). The markers travel as int8 multiples of ``step`` on a pair of hidden axes
    laid exactly over the visible ones (x_range, y_range, fixed: no zoom to shift them apart), so 81² markers cost
    13 kB rather than 52 kB of float32 on every refresh."""
    k = int(round(limit / step))
    if not 0 < k <= 127:
        raise ValueError(f"a click grid has at most 127 steps each way, got {k}")
    ticks = np.arange(-k, k + 1, dtype=np.int8)
    gx, gy = np.meshgrid(ticks, ticks)
    invisible = dict(marker=dict(opacity=0))
    fig.data.insert(0, spec.trace("scattergl", x=gx.ravel(), y=gy.ravel(), xaxis="x2", yaxis="y2", mode="markers",
                                    hoverinfo="none", showlegend=False, name="click",
                                    marker=dict(size=8, opacity=0), selected=invisible, unselected=invisible))
    fig.update_layout(hovermode="closest",
                      xaxis=dict(fixedrange=True), yaxis=dict(fixedrange=True),
                      xaxis2=dict(overlaying="x", range=[v / step for v in x_range], visible=False, fixedrange=True),
                      yaxis2=dict(overlaying="y", range=[v / step for v in y_range], visible=False, fixedrange=True))
    return fig


def loss_curves(history: Mapping[str, np.ndarray], labels: Mapping[str, str], height: int = 380) -> spec.Figure:
    """Train and test loss per update (data loss, inference mode): the gap between them is overfitting.

    history: step, train_loss, test_loss, each (T,) (T = 0 before training: the chart is drawn empty).
    labels: x, y, train, test (legend); title optional. The curves travel as typed arrays (steps as integers,
    losses as float32); a non-finite or non-positive loss is a gap (a log axis cannot show it).
    """
    fig = figure(labels.get("title", ""), labels["x"], labels["y"], height)
    steps = np.asarray(history["step"])
    x = steps.astype(np.int32) if steps.size and np.all(np.abs(steps) < 2**31) else finite_or_none(steps)
    for i, part in enumerate(("train", "test")):
        with np.errstate(over="ignore", invalid="ignore"):  # a loss past float32's range is a gap, not a warning
            y = np.asarray(history[f"{part}_loss"], dtype=np.float32)
            y = np.where((y > 0) & np.isfinite(y), y, np.float32(np.nan))
        fig.add_trace(spec.scatter(x=x, y=drawable(y), mode="lines", name=labels[part],
                                   line=dict(color=color(i), width=2.5, dash="dash" if part == "test" else "solid")))
    series = {labels[part]: (steps, history[f"{part}_loss"]) for part in ("train", "test")}
    fig.alt = describe.Alt(describe.title(labels.get("title", "")), describe.lines(series, labels["x"], labels["y"]),
                           table=describe.series_table(series, labels["x"]))
    fig.update_yaxes(type="log", exponentformat="power", automargin=True)
    fig.update_xaxes(automargin=True)  # presenter-size tick labels push the axis titles out instead of under them
    return fig


def confusion(matrix: np.ndarray, labels: Mapping[str, str], height: int = 460) -> spec.Figure:
    """Counts (C, C), row = true digit, column = predicted; the diagonal is what the net gets right.

    labels: x (predicted), y (true), hover (a Plotly hover template over %{x}, %{y}, %{z}: what the box says);
    title optional.
    """
    m = np.asarray(matrix)
    classes = [str(i) for i in range(m.shape[0])]
    fig = figure(labels.get("title", ""), labels["x"], labels["y"], height)
    fig.add_trace(spec.heatmap(z=m.tolist(), x=classes, y=classes, colorscale="Blues", showscale=False,
                               text=m.tolist(), texttemplate="%{text}",
                               hovertemplate=labels["hover"] + "<extra></extra>"))  # no trace name box
    fig.update_xaxes(type="category", side="bottom", showgrid=False)
    fig.update_yaxes(type="category", autorange="reversed", showgrid=False, scaleanchor="x")
    total = int(m.sum())
    right = int(np.trace(m)) if m.ndim == 2 else 0
    fig.alt = describe.Alt(describe.title(labels.get("title", "")),
                           [("confusion", {"right": str(right), "total": str(total)})],
                           describe.values(labels["y"], "", classes, np.diag(m) if m.ndim == 2 else []),
                           table=[(f"{labels['y']} \\ {labels['x']}", classes)]
                           + [(c, [str(int(v)) for v in m[:, j]]) for j, c in enumerate(classes)])
    return fig


def digit_gallery(images: np.ndarray, true: Sequence[int], pred: Sequence[int], labels: Mapping[str, str],
                  cols: int = 8, height: int = 190) -> spec.Figure:
    """Small 8×8 images with "true → predicted" above each (images: (k, 8, 8), k ≤ cols; true, pred (k,)).

    labels: image_title (a template with {true} and {pred}, filled per image).
    """
    k = max(1, len(images))
    titles = [labels["image_title"].format(true=int(a), pred=int(b)) for a, b in zip(true, pred)] or [""]
    fig = grid(rows=1, cols=min(cols, k), subplot_titles=titles, horizontal_spacing=0.02)
    for i, img in enumerate(images[:cols]):
        fig.add_trace(spec.heatmap(z=[finite_or_none(r) for r in img[::-1]],
                                   colorscale="Greys", showscale=False, hoverinfo="skip"), row=1, col=i + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    fig.update_layout(height=height, margin=dict(l=5, r=5, t=40, b=5))
    fig.alt = describe.Alt([("gallery", {"n": str(len(images)), "items": ", ".join(t for t in titles if t)})])
    return fig


def layer_histograms(hists, labels: Mapping[str, str | Sequence[str]]) -> spec.Figure:
    """One histogram (counts) per hidden layer in a row of small multiples; a layer with no finite value is blank.

    hists: per layer (counts (bins,), edges (bins + 1,)) or None. labels: x (the value axis, under the row),
    layers (one panel title per layer).
    """
    blank = (np.zeros(1), np.array([0.0, 1.0]))
    hists = [h if h is not None else blank for h in hists]
    cols = min(len(hists), 3)
    fig = small_multiples_hist(hists, labels["layers"], cols=cols, height_per_row=250)
    fig.add_annotation(text=labels["x"], xref="paper", yref="paper", x=0.5, y=0, yshift=-28, yanchor="top",
                       showarrow=False)
    fig.update_layout(margin=dict(l=20, r=10, t=40, b=60))
    fig.alt = describe.Alt(describe.histograms(dict(zip(labels["layers"], hists)), labels["x"]))
    return fig
