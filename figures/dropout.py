"""Figures for the dropout page: overfitting curves, the masked network, sub-network boundaries,
the two-input example and the variance shift. Arrays in, figure specs out.

Every builder takes its words in one mapping, ``labels``: "title", "x", "y" for the axes it has, plus its own keys
(series and panel names), listed in its docstring.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from figures import describe, spec
from figures.common import finite_or_none
from figures.theme import DIVERGING, color, figure, grid, pattern, symbol

if TYPE_CHECKING:
    from lab.dropout import EnsembleMaps, TwoInput, VarianceShift

GREY = "#949494"  # a dropped unit: faded, yet 3:1 on white (WCAG 1.4.11), and crossed out


def overfit_curves(histories: Mapping[str, dict], labels: Mapping[str, str], total_steps: int) -> spec.Figure:
    """Left: train (dashed) and test (solid) accuracy per member; right: the gap train − test. A dot marks where
    each line ends, so a run that has only its first record already shows where it starts.

    histories: {member: {"step", "train_acc", "test_acc"}} (T,) each. labels: x (steps), y (accuracy), gap (the
    right panel's axis), acc_title, gap_title (the panels), train, test, and a name per member.
    """
    fig = grid(rows=1, cols=2, subplot_titles=[labels["acc_title"], labels["gap_title"]], horizontal_spacing=0.1)
    for i, (key, h) in enumerate(histories.items()):
        steps = finite_or_none(h["step"])
        gap = np.asarray(h["train_acc"], dtype=float) - np.asarray(h["test_acc"], dtype=float)
        # every line carries its member's symbol (a few of them): train and test tell apart by dash, members by
        # colour and symbol
        for kind, dash in (("train", "dash"), ("test", "solid")):
            fig.add_trace(spec.scatter(x=steps, y=finite_or_none(h[f"{kind}_acc"]), mode="lines+markers",
                                       name=f"{labels[key]} · {labels[kind]}", legendgroup=key,
                                       line=dict(color=color(i), width=2.5, dash=dash),
                                       marker=dict(color=color(i), symbol=symbol(i), size=7, maxdisplayed=8)),
                          row=1, col=1)
        fig.add_trace(spec.scatter(x=steps, y=finite_or_none(gap), mode="lines+markers", name=labels[key],
                                   legendgroup=key, showlegend=False, line=dict(color=color(i), width=2.5),
                                   marker=dict(color=color(i), symbol=symbol(i), size=7, maxdisplayed=8)),
                      row=1, col=2)
        if len(steps):
            ends = [float(h["train_acc"][-1]), float(h["test_acc"][-1])]
            fig.add_trace(spec.scatter(x=[steps[-1]] * 2, y=finite_or_none(ends), mode="markers", legendgroup=key,
                                       showlegend=False, hoverinfo="skip",
                                       marker=dict(color=color(i), size=9, symbol=symbol(i))), row=1, col=1)
            fig.add_trace(spec.scatter(x=[steps[-1]], y=finite_or_none(gap[-1:]), mode="markers", legendgroup=key,
                                       showlegend=False, hoverinfo="skip",
                                       marker=dict(color=color(i), size=9, symbol=symbol(i))), row=1, col=2)
    fig.update_layout(height=420, margin=dict(l=60, r=20, t=90, b=50),
                      legend=dict(orientation="h", y=1.14, x=0, yanchor="bottom"))
    # fixed: the run fills the axis as it trains (a little room either side for the end dots)
    fig.update_xaxes(title_text=labels["x"], range=[-0.02 * total_steps, total_steps * 1.02])
    fig.update_yaxes(title_text=labels["y"], range=[0, 1.02], row=1, col=1)
    fig.update_yaxes(title_text=labels["gap"], range=[-0.15, 0.65], row=1, col=2)
    acc = {f"{labels[k]} · {labels[kind]}": (h["step"], h[f"{kind}_acc"]) for k, h in histories.items()
           for kind in ("train", "test")}
    gaps = {labels[k]: (h["step"], np.asarray(h["train_acc"], float) - np.asarray(h["test_acc"], float))
            for k, h in histories.items()}
    fig.alt = describe.Alt(describe.title(labels["acc_title"]), describe.lines(acc, labels["x"], labels["y"]),
                           describe.title(labels["gap_title"]), describe.lines(gaps, labels["x"], labels["gap"]),
                           table=describe.series_table(gaps, labels["x"]))
    return _room(fig)


def overfit_maps(xs: np.ndarray, ys: np.ndarray, maps: Mapping[str, np.ndarray], x: np.ndarray, y: np.ndarray,
                 labels: Mapping) -> spec.Figure:
    """One decision map per member side by side: P(class 1) on the grid (G, G), the 0.5 boundary, and the
    training points x (N, 2) coloured by their label y (N,).

    labels: prob (the colour bar), and a title per member (the keys of ``maps``)."""
    fig = grid(1, len(maps), subplot_titles=[labels[k] for k in maps], horizontal_spacing=0.03)
    fig.update_layout(height=330, margin=dict(l=20, r=70, t=50, b=20))
    gx, gy = _z(xs), _z(ys)
    points = [x[y == c] for c in (0, 1)]
    for k, z in enumerate(maps.values(), start=1):
        zz = _z(z)
        fig.update_xaxes(range=[float(xs[0]), float(xs[-1])], showticklabels=False, showgrid=False, row=1, col=k)
        fig.update_yaxes(range=[float(ys[0]), float(ys[-1])], showticklabels=False, showgrid=False, row=1, col=k)
        fig.add_trace(spec.heatmap(x=gx, y=gy, z=zz, zsmooth="best", colorscale=DIVERGING, reversescale=True, zmin=0,
                                   zmax=1, showscale=k == len(maps), hoverinfo="skip",
                                   colorbar=dict(thickness=12, len=0.9, title=dict(text=labels["prob"]))),
                      row=1, col=k)
        fig.add_trace(spec.contour(x=gx, y=gy, z=zz, showscale=False, showlegend=False, hoverinfo="skip",
                                   contours=dict(start=0.5, end=0.5, size=1, coloring="none"),
                                   line=dict(color="black", width=2)), row=1, col=k)
        for c, pts in enumerate(points):
            fig.add_trace(spec.scatter(x=_z(pts[:, 0]), y=_z(pts[:, 1]), mode="markers", showlegend=False,
                                       hoverinfo="skip", marker=dict(size=5, color="white" if c == 0 else "black",
                                                                     line=dict(width=0.8, color="black"))),
                          row=1, col=k)
    fig.alt = describe.Alt(*[describe.title(labels[k]) + _map_words(xs, ys, z, labels["prob"]) for k, z in maps.items()])
    return fig


def _map_words(xs, ys, p, prob_name) -> list:
    """A decision map in words: the share of the plane on the class-1 side, and the colour's range."""
    p = np.asarray(p, dtype=float)
    share = float(np.mean(p > 0.5)) if p.size else 0.0
    return describe.heatmap(p, xs, ys, "x", "y", prob_name) + [("class1_share", {"share": f"{100 * share:.0f}"})]


def network_diagram(sizes, masks, labels: Mapping) -> spec.Figure:
    """Units as markers in columns, connections as thin lines; dropped hidden units and their
    connections greyed out. sizes [D, H_1, ..., C]; masks: one (H_i,) bool per hidden layer.

    labels: title, kept, dropped (the two kinds of unit), columns (one name per layer, len(sizes))."""
    alive = [np.ones(sizes[0], bool), *[np.asarray(m, bool) for m in masks], np.ones(sizes[-1], bool)]
    ys = [(np.arange(n) - (n - 1) / 2) / max(max(sizes) - 1, 1) for n in sizes]
    fig = figure(labels["title"], height=440)
    for live in (False, True):  # grey connections first, live ones drawn on top
        xe, ye = [], []
        for layer in range(len(sizes) - 1):
            on = alive[layer][:, None] & alive[layer + 1][None, :]
            for i, j in zip(*np.nonzero(on if live else ~on)):
                xe += [layer, layer + 1, None]
                ye += [ys[layer][i], ys[layer + 1][j], None]
        fig.add_trace(spec.scatter(x=xe, y=ye, mode="lines", hoverinfo="skip", showlegend=False,
                                   line=dict(color=color(0) if live else "#ececec", width=0.8 if live else 0.6)))
    for live, name in ((True, labels["kept"]), (False, labels["dropped"])):
        xs = [layer for layer, a in enumerate(alive) for k in range(len(a)) if a[k] == live]
        yv = [ys[layer][k] for layer, a in enumerate(alive) for k in range(len(a)) if a[k] == live]
        fig.add_trace(spec.scatter(x=xs, y=yv, mode="markers", name=name, hoverinfo="skip",
                                   marker=dict(size=15, color=color(3) if live else GREY,
                                               symbol="circle" if live else "x-thin-open",
                                               line=dict(width=2, color="#555" if live else GREY))))
    fig.update_layout(margin=dict(l=20, r=20, t=60, b=40),
                      legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"))
    fig.update_xaxes(tickvals=list(range(len(sizes))), ticktext=list(labels["columns"]), showgrid=False)
    fig.update_yaxes(visible=False)
    kept = [int(np.sum(a)) for a in alive]
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.bars({labels["kept"]: (list(labels["columns"]), kept),
                                          labels["dropped"]: (list(labels["columns"]),
                                                              [n - k for n, k in zip(sizes, kept)])}, "", ""))
    return fig


def ensemble_grid(maps: EnsembleMaps, x: np.ndarray, y: np.ndarray, labels: Mapping) -> spec.Figure:
    """2×3 panels of class-1 probability (sub-networks, full net, MC mean) and the MC std map,
    with the training points. maps: lab.dropout.EnsembleMaps; x (N, 2), y (N,).

    labels: sub_titles (one per sub-network, the first three drawn), full_title, mc_title, std_title (the panels),
    prob, std (the two colour bars)."""
    panels = [*maps.sub[:3], maps.full, maps.mc_mean, maps.mc_std]
    titles = [*labels["sub_titles"][:3], labels["full_title"], labels["mc_title"], labels["std_title"]]
    # the maps as float32 arrays (sent as binary): as lists of Python floats this figure was 850 kB of JSON
    fig = grid(2, 3, subplot_titles=titles, horizontal_spacing=0.04, vertical_spacing=0.1)
    fig.update_layout(height=620, margin=dict(l=20, r=60, t=50, b=20))
    xs, ys = _z(maps.xs), _z(maps.ys)
    points = [x[y == c] for c in (0, 1)]
    for k, z in enumerate(panels):
        cell = dict(row=k // 3 + 1, col=k % 3 + 1)
        fig.update_xaxes(range=[maps.xs[0], maps.xs[-1]], showticklabels=False, showgrid=False, **cell)
        fig.update_yaxes(range=[maps.ys[0], maps.ys[-1]], showticklabels=False, showgrid=False, **cell)
        is_std = k == 5
        zz = _z(z)
        fig.add_trace(spec.heatmap(x=xs, y=ys, z=zz, zsmooth="best", colorscale="Viridis" if is_std else DIVERGING,
                                   reversescale=not is_std, zmin=0, zmax=0.5 if is_std else 1, showscale=k in (4, 5),
                                   colorbar=dict(len=0.42, y=0.22 if is_std else 0.78, x=1.01, thickness=12,
                                                 title=dict(text=labels["std"] if is_std else labels["prob"])),
                                   hoverinfo="skip"), **cell)
        if not is_std:
            fig.add_trace(spec.contour(x=xs, y=ys, z=zz, showscale=False, showlegend=False, hoverinfo="skip",
                                       contours=dict(start=0.5, end=0.5, size=1, coloring="none"),
                                       line=dict(color="black", width=2)), **cell)
        for c, pts in enumerate(points):
            fig.add_trace(spec.scatter(x=_z(pts[:, 0]), y=_z(pts[:, 1]), mode="markers", showlegend=False,
                                       hoverinfo="skip", marker=dict(size=4, color="white" if c == 0 else "black",
                                                                     line=dict(width=0.8, color="black"))), **cell)
    fig.alt = describe.Alt(*[describe.title(title) + (_map_words(maps.xs, maps.ys, z, labels["prob"]) if k < 5 else
                                                      describe.heatmap(z, maps.xs, maps.ys, "x", "y", labels["std"]))
                             for k, (title, z) in enumerate(zip(titles, panels))])
    return fig


def _room(fig: spec.Figure) -> spec.Figure:
    """Axis titles keep clear of their tick labels at any font size (presenter mode enlarges both)."""
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _z(values):
    """A float32 array when every entry is finite (sent as compact binary), else lists with gaps (None)."""
    arr = np.asarray(values, dtype=np.float32)
    if np.all(np.isfinite(arr)):
        return arr
    return [finite_or_none(row) for row in arr] if arr.ndim == 2 else finite_or_none(arr)


def two_input_bars(ex: TwoInput, labels: Mapping[str, str]) -> spec.Figure:
    """The four masks' outputs, raw (classic) and ×1/p (inverted), with their expectations as lines.

    labels: title, x (the masks), y (the output), raw, inverted (the bars), e_raw, e_inv (the expectations)."""
    masks = [f"({m[0]}, {m[1]})" for m in ex.masks]
    fig = figure(labels["title"], labels["x"], labels["y"], height=360)
    fig.add_trace(spec.bar(x=masks, y=finite_or_none(ex.raw), name=labels["raw"], marker_color=color(0),
                           marker_pattern=pattern(0)))
    fig.add_trace(spec.bar(x=masks, y=finite_or_none(ex.inverted), name=labels["inverted"], marker_color=color(1),
                           marker_pattern=pattern(1)))
    for value, name, i, dash in ((ex.expected_raw, labels["e_raw"], 0, "dot"),
                                 (ex.expected_inverted, labels["e_inv"], 1, "dash")):
        fig.add_trace(spec.scatter(x=[masks[0], masks[-1]], y=[value, value], mode="lines", name=name,
                                   line=dict(color=color(i), dash=dash, width=2.5)))
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.bars({labels["raw"]: (masks, ex.raw), labels["inverted"]: (masks, ex.inverted)},
                                         labels["x"], labels["y"]),
                           describe.level(labels["e_raw"], ex.expected_raw),
                           describe.level(labels["e_inv"], ex.expected_inverted))
    # the legend under the plot, in container coordinates: over the plot it lay under the enlarged title in presenter
    # mode (issue 23, item 6)
    fig.update_layout(barmode="group", margin=dict(l=60, r=20, t=60, b=140), height=420,
                      legend=dict(orientation="h", yref="container", y=0.01, yanchor="bottom", x=0, xanchor="left"))
    return _room(fig)


def variance_shift(current: VarianceShift, rates, ratios, rate: float, labels: Mapping[str, str]) -> spec.Figure:
    """Left: per unit, BN's running variance (x) vs the variance it sees at inference (y), with y = x.
    Right: the mean ratio inference / running against the dropout rate.

    labels: x (running variance), y (inference variance), rate, ratio (the right panel's axes; ratio also names
    its line), units_title, rates_title (the panels), equal (y = x), units (the dots), now (the current rate)."""
    fig = grid(rows=1, cols=2, subplot_titles=[labels["units_title"], labels["rates_title"]],
               horizontal_spacing=0.12)
    rv, iv = current.running_var, current.inference_var
    top = float(max(np.max(rv), np.max(iv))) * 1.05
    fig.add_trace(spec.scatter(x=[0, top], y=[0, top], mode="lines", name=labels["equal"],
                               line=dict(color="#888", dash="dash")), row=1, col=1)
    fig.add_trace(spec.scatter(x=finite_or_none(rv), y=finite_or_none(iv), mode="markers", name=labels["units"],
                               marker=dict(color=color(0), size=6, opacity=0.7)), row=1, col=1)
    fig.add_trace(spec.scatter(x=list(rates), y=finite_or_none(ratios), mode="lines+markers", name=labels["ratio"],
                               line=dict(color=color(3), width=2.5), marker=dict(symbol="square", size=7)), row=1, col=2)
    fig.add_trace(spec.scatter(x=[rate], y=[current.ratio], mode="markers", name=labels["now"],
                               marker=dict(color=color(1), size=14, symbol="diamond")), row=1, col=2)
    fig.update_layout(height=400, margin=dict(l=60, r=20, t=90, b=50),
                      legend=dict(orientation="h", y=1.14, yanchor="bottom"))
    fig.update_xaxes(title_text=labels["x"], row=1, col=1)
    fig.update_yaxes(title_text=labels["y"], row=1, col=1)
    fig.update_xaxes(title_text=labels["rate"], row=1, col=2)
    fig.update_yaxes(title_text=labels["ratio"], range=[0, 1.1], row=1, col=2)
    fig.alt = describe.Alt(describe.title(labels["units_title"]),
                           describe.points({labels["units"]: np.column_stack([rv, iv])}),
                           describe.title(labels["rates_title"]),
                           describe.values(labels["ratio"], labels["rate"], list(rates), ratios),
                           describe.mark(labels["now"], (rate, current.ratio)))
    return _room(fig)
