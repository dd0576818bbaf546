"""Figures of the optimizers page: animated race on a contour map, loss curves, the 3-D surface,
one update's arrows, the learning-rate study, schedules and the noisy runs. Plotly only.

Builders receive arrays and words: runs (``Race``), surface grids (``SurfaceMap``: lab.optimizers
evaluates the surfaces) and a ``labels`` mapping with the words each builder lists in its docstring
("x"/"y" axis titles, "names": one name per run or series, in order). Contour levels come as display
levels: log10(value + c) on surfaces with log-spaced levels, which plain Plotly contours then space evenly.
"""
from __future__ import annotations

from string import Template
from typing import TYPE_CHECKING

import numpy as np

from figures import describe, spec
from figures.common import curves, finite_or_none
from figures.theme import TEMPLATE, color, dash, figure, grid, symbol

_PALE = [[0.0, "#f3f6fa"], [1.0, "#b9c8d9"]]  # light enough for coloured paths on top
_SYMBOLS_3D = ("circle", "square", "diamond", "cross", "x", "circle-open", "square-open", "diamond-open")
_PICK_COLORS = (color(5), color(2), color(3))  # too small, good, too large (sky blue, green, vermillion)
_PICK_SYMBOLS = ("circle-open", "square-open", "diamond-open")
_LEVELS = 24

if TYPE_CHECKING:
    from core.optim import Race
    from lab.optimizers import LrStudy, NoisyRuns, SurfaceMap


def _r(values, digits=4):
    """Rounded plain floats: shorter JSON for the browser."""
    return np.round(np.asarray(values, dtype=float), digits).tolist()


def _fit(fig: spec.Figure) -> spec.Figure:
    """Margins that grow to hold the tick labels and axis titles (presenter mode enlarges them: a fixed margin
    put the titles on top of the tick labels)."""
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True, title_standoff=10)  # clear of the widest tick label (10⁻³ at 20 px)
    return fig


def _f32(values):
    """A compact typed array (float32, sent as base64) for a long series that is drawn, not read."""
    return np.asarray(values, dtype=np.float32)


def _contour(surface: SurfaceMap, **kwargs):
    z = np.where(np.isfinite(surface.levels), surface.levels, np.nan).astype(np.float32)  # compact binary
    return spec.contour(x=surface.xs.astype(np.float32), y=surface.ys.astype(np.float32), z=z, ncontours=_LEVELS,
                        colorscale=_PALE, showscale=False, line=dict(width=0.6, color="#8da2b8"),
                        hoverinfo="skip", **kwargs)


def _minima(surface: SurfaceMap, label, **where):
    if not surface.minima:
        return None
    xs, ys = zip(*surface.minima)
    return spec.scatter(x=list(xs), y=list(ys), mode="markers", name=label, showlegend=False,
                        marker=dict(symbol="star", size=14, color="#222", line=dict(color="white", width=1)),
                        hovertemplate=f"{label}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>", **where)


def _fixed_axes(fig, xlim, ylim, row=None, col=None):
    kw = {} if row is None else dict(row=row, col=col)
    fig.update_xaxes(range=list(xlim), showgrid=False, **kw)
    fig.update_yaxes(range=list(ylim), showgrid=False, **kw)


_RACE_MARGIN = dict(l=40, r=20, t=40, b=40)


def race(result: Race, surface: SurfaceMap, frames, labels, upto: int | None = None, click_grid=True,
         height=520) -> spec.Figure:
    """The race on the contour map at step ``upto`` (default: the end): each run's faint full path, its bold trail
    so far (a marker at every step of ``frames``, lab.optimizers.frame_steps) and the ball where it is now.

    The page plays it (ui.live's Train, Pause, Step: keyboard controls that redraw this picture frame by frame), so
    the figure has no Plotly animation of its own (Plotly's play buttons and slider cannot be reached by keyboard).
    result: the K runs. surface: the map over the surface's domain. labels: names (K), start, minimum.
    With click_grid an invisible grid of markers lets a click pick the start point (a points selection).
    """
    names = labels["names"]
    fig = spec.Figure(dict(template=TEMPLATE, height=height))
    fig.add_trace(_contour(surface))
    if click_grid:
        gx, gy = np.meshgrid(np.linspace(*surface.xlim, 31), np.linspace(*surface.ylim, 31))
        fig.add_trace(spec.scatter(x=_f32(gx.ravel()), y=_f32(gy.ravel()), mode="markers", hoverinfo="none",
                                   marker=dict(size=16, opacity=0), showlegend=False, name="click"))
    K, last = len(names), frames[-1]
    upto = last if upto is None else int(upto)
    for k in range(K):  # faint full path, every step
        n = int(result.valid_len[k])
        fig.add_trace(spec.scatter(x=_f32(result.paths[k, :n, 0]), y=_f32(result.paths[k, :n, 1]), mode="lines",
                                   line=dict(color=color(k), width=1.2, dash=dash(k)), opacity=0.45,
                                   showlegend=False, hoverinfo="skip", legendgroup=names[k]))
    rounded, marks = np.round(result.paths, 4), np.asarray(frames)  # rounded once: shorter JSON, one pass
    ends = []
    for k in range(K):
        n = min(int(result.valid_len[k]), upto + 1)  # the trail stops where the run diverged
        idx = marks[marks < n - 1].tolist() + [n - 1]
        fig.add_trace(spec.scatter(x=rounded[k, idx, 0].tolist(), y=rounded[k, idx, 1].tolist(), mode="lines+markers",
                                   name=names[k], legendgroup=names[k], line=dict(color=color(k), width=3, dash=dash(k)),
                                   marker=dict(size=7, color=color(k), symbol=symbol(k)),
                                   hovertemplate=f"{names[k]}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>"))
        ends.append(n - 1)
    for k in range(K):
        i = ends[k]
        fig.add_trace(spec.scatter(x=[float(rounded[k, i, 0])], y=[float(rounded[k, i, 1])], mode="markers",
                                   showlegend=False, hoverinfo="skip", legendgroup=names[k],
                                   marker=dict(size=16, color=color(k), symbol=symbol(k),
                                               line=dict(color="white", width=2))))
    start = result.paths[0, 0]  # a Race has at least one run
    fig.add_trace(spec.scatter(x=[float(start[0])], y=[float(start[1])], mode="markers", name=labels["start"],
                               showlegend=False, hovertemplate=f"{labels['start']}<extra></extra>",
                               marker=dict(symbol="x", size=12, color="#222")))
    star = _minima(surface, labels["minimum"])
    if star is not None:
        fig.add_trace(star)
    _fixed_axes(fig, surface.xlim, surface.ylim)  # fixed ranges, not equal scales: the map fills the width
    fig.update_layout(margin=dict(_RACE_MARGIN), hovermode="closest")
    fig.alt = describe.Alt(describe.mark(labels["start"], start),
                           describe.paths({names[k]: result.paths[k, :ends[k] + 1] for k in range(K)}),
                           *[describe.mark(labels["minimum"], m) for m in surface.minima],
                           table=[(describe.Word("col_series"), list(names)),
                                  ("x", [describe.num(result.paths[k, ends[k], 0]) for k in range(K)]),
                                  ("y", [describe.num(result.paths[k, ends[k], 1]) for k in range(K)]),
                                  ("f(x, y)", [describe.num(result.losses[k, ends[k]]) for k in range(K)])])
    return _fit(fig)


def losses(result: Race, labels) -> spec.Figure:
    """Loss against step, one line per run, cut at its divergence; log scale unless it can go negative.
    labels: names (K), x, y."""
    names = labels["names"]
    series = {names[k]: (np.arange(int(n)), result.losses[k, :int(n)]) for k, n in enumerate(result.valid_len)}
    log = result.surface != "saddle"
    return _fit(curves(series, x_title=labels["x"], y_title=labels["y"], log_y=log, height=340))


def surface3d(surface: SurfaceMap, paths, labels, height=520) -> spec.Figure:
    """The surface in 3-D (height = the contour's display level) with each path lying on it.
    paths: K arrays (n_k, 3) of x, y, display level (lab.optimizers.on_surface).
    labels: names (K), z (the height's title on a linear surface), z_log (on a log-levelled one)."""
    fig = figure(height=height)
    z = surface.levels
    fig.add_trace(spec.surface(x=_r(surface.xs), y=_r(surface.ys),
                               z=np.round(np.where(np.isfinite(z), z, np.nan), 3).tolist(),
                               colorscale="Viridis", opacity=0.85, showscale=False, hoverinfo="skip"))
    for k, (name, p) in enumerate(zip(labels["names"], paths)):
        fig.add_trace(spec.scatter3d(x=_r(p[:, 0]), y=_r(p[:, 1]), z=_r(p[:, 2]), mode="lines+markers", name=name,
                                     line=dict(color=color(k), width=6, dash=dash(k)),
                                     marker=dict(size=3.5, color=color(k), symbol=_SYMBOLS_3D[k % len(_SYMBOLS_3D)])))
    fig.alt = describe.Alt(describe.paths({name: p[:, :2] for name, p in zip(labels["names"], paths)}))
    z_title = labels["z_log"] if surface.log else labels["z"]
    fig.update_layout(scene=dict(xaxis_title="x", yaxis_title="y", zaxis_title=z_title,
                                 camera=dict(eye=dict(x=1.4, y=-1.5, z=1.0))),
                      margin=dict(l=0, r=0, t=30, b=0))
    return fig


def _arrow(start, delta, name, i, dash="solid", width=3):
    end = start + delta
    return spec.scatter(x=_r([start[0], end[0]], 6), y=_r([start[1], end[1]], 6), mode="lines+markers", name=name,
                        line=dict(color=color(i), width=width, dash=dash),
                        marker=dict(symbol=["circle", "arrow"], size=[5, 15], angleref="previous", color=color(i)),
                        hovertemplate=f"{name}<br>Δ = ({delta[0]:.3g}, {delta[1]:.3g})<extra></extra>")


def inside_step(info, path, labels, height=480) -> spec.Figure:
    """One update's arrows on a contour window around the point (equal axes, so the gradient step is
    perpendicular to the contour lines). info: lab.optimizers.inside_step (its window and map).
    path: (n, 2) the run so far. labels: arrow_update, arrow_grad, arrow_momentum, arrow_adaptive, lookahead,
    path."""
    p = info["point"]
    arrows = [("update", labels["arrow_update"], 0, "solid", 6),  # drawn first: the others lie on top
              ("gradient_step", labels["arrow_grad"], 7, "dot", 2.5),
              ("momentum_step", labels["arrow_momentum"], 1, "dash", 2.5),
              ("adaptive_step", labels["arrow_adaptive"], 2, "dashdot", 2.5)]
    fig = figure(height=height)
    fig.add_trace(_contour(info["map"]))
    fig.add_trace(spec.scatter(x=_r(path[:, 0]), y=_r(path[:, 1]), mode="lines+markers", name=labels["path"],
                               line=dict(color="#767676", width=1.5, dash="longdashdot"),
                               marker=dict(size=4, color="#767676"),
                               hoverinfo="skip"))
    for key, name, i, dash, width in arrows:
        if info[key] is not None:
            fig.add_trace(_arrow(p, info[key], name, i, dash, width))
    if info["lookahead"] is not None:
        fig.add_trace(_arrow(p, info["lookahead"] - p, labels["lookahead"], 4, "longdash", 2))
    fig.add_trace(spec.scatter(x=[float(p[0])], y=[float(p[1])], mode="markers", showlegend=False, hoverinfo="skip",
                               marker=dict(size=11, color="#222")))
    fig.alt = describe.Alt(describe.mark(labels["path"], p),
                           [("arrow", {"name": name, "d": (float(info[key][0]), float(info[key][1]))})
                            for key, name, *_ in arrows if info[key] is not None],
                           describe.mark(labels["lookahead"], info["lookahead"]) if info["lookahead"] is not None
                           else [])
    _fixed_axes(fig, *info["window"])
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    fig.update_layout(xaxis_title="x", yaxis_title="y", margin=dict(l=50, r=20, t=60, b=40),
                      legend=dict(font=dict(size=13)))
    return _fit(fig)


def lr_sweep(study: LrStudy, labels, height=330) -> spec.Figure:
    """Final loss against learning rate (log-log); diverged rates as crosses on the floor; the three picks.
    labels: x, y (also the curve's name), diverged_marker, too_small, good, too_large."""
    lrs, final = study.lrs, study.final
    fig = figure(x_title=labels["x"], y_title=labels["y"], height=height)
    saddle = study.race.surface == "saddle"
    ok = np.isfinite(final) & ((final > 0) | saddle)
    fig.add_trace(spec.scatter(x=_r(lrs[ok], 6), y=finite_or_none(final[ok]), mode="lines+markers",
                               name=labels["y"], showlegend=False, line=dict(color="#555", width=2),
                               hovertemplate="lr %{x:.3g}<br>%{y:.3g}<extra></extra>"))
    bad = ~np.isfinite(final)
    if bad.any():
        floor = float(np.nanmin(final[ok])) if ok.any() else 1.0
        fig.add_trace(spec.scatter(x=_r(lrs[bad], 6), y=[floor] * int(bad.sum()), mode="markers",
                                   name=labels["diverged_marker"],
                                   marker=dict(symbol="x", size=10, color="#767676")))
    for j, (idx, key) in enumerate(zip(study.picks, ("too_small", "good", "too_large"))):
        y = final[idx] if np.isfinite(final[idx]) else (float(np.nanmin(final[ok])) if ok.any() else 1.0)
        fig.add_trace(spec.scatter(x=[float(lrs[idx])], y=[float(y)], mode="markers", name=labels[key],
                                   marker=dict(size=16, color=_PICK_COLORS[j], symbol=_PICK_SYMBOLS[j],
                                               line=dict(width=3, color=_PICK_COLORS[j]))))
    fig.update_xaxes(type="log", exponentformat="power")
    if not saddle:
        fig.update_yaxes(type="log", exponentformat="power")
    fig.alt = describe.Alt(describe.values(labels["y"], labels["x"], [describe.num(v) for v in lrs], final),
                           [("pick", {"name": labels[key], "lr": float(lrs[idx])})
                            for idx, key in zip(study.picks, ("too_small", "good", "too_large"))],
                           table=[(labels["x"], [describe.num(v) for v in lrs]),
                                  (labels["y"], [describe.num(v) if np.isfinite(v) else labels["diverged_marker"]
                                                 for v in final])])
    return _fit(fig)


def lr_panels(study: LrStudy, surface: SurfaceMap, labels, height=330) -> spec.Figure:
    """Too small / good / too large side by side, each path cut at its divergence, on the map ``surface``.
    labels: too_small, good, too_large, diverged_at (with {step}), minimum."""
    result = study.race
    titles = []
    for idx, key in zip(study.picks, ("too_small", "good", "too_large")):
        d = result.diverged_at[idx]
        note = f" · {labels['diverged_at'].format(step=d)}" if d is not None else ""
        titles.append(f"{labels[key]}: lr = {study.lrs[idx]:g}{note}")
    fig = grid(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.04)
    for c, idx in enumerate(study.picks, start=1):
        fig.add_trace(_contour(surface), row=1, col=c)
        n = int(result.valid_len[idx])
        fig.add_trace(spec.scatter(x=_r(result.paths[idx, :n, 0]), y=_r(result.paths[idx, :n, 1]),
                                   mode="lines+markers", showlegend=False, line=dict(color=_PICK_COLORS[c - 1],
                                                                                     width=2.5, dash=dash(c - 1)),
                                   marker=dict(size=5, symbol=symbol(c - 1)), hoverinfo="skip"), row=1, col=c)
        star = _minima(surface, labels["minimum"])
        if star is not None:
            fig.add_trace(star, row=1, col=c)
        _fixed_axes(fig, surface.xlim, surface.ylim, row=1, col=c)
    fig.update_layout(height=height, margin=dict(l=30, r=10, t=50, b=30))
    fig.update_annotations(font_size=13)
    fig.alt = describe.Alt(describe.paths({title: result.paths[idx, :int(result.valid_len[idx])]
                                           for title, idx in zip(titles, study.picks)}))
    return _fit(fig)


def schedule_curves(curve_dict, shown, chosen, labels, height=300) -> spec.Figure:
    """lr multiplier against step for the schedules the viewer picked (``shown``) and the one applied to the race
    (``chosen``, drawn bold). curve_dict: {name: (T,) multipliers} of every schedule; each keeps its own palette
    colour whichever are shown; all lines solid (six dashed lines on top of each other could not be told apart).
    labels: names (one per schedule of curve_dict, in order), x, y."""
    fig = figure(x_title=labels["x"], y_title=labels["y"], height=height)
    for i, ((name, values), title) in enumerate(zip(curve_dict.items(), labels["names"])):
        if name != chosen and name not in shown:
            continue
        bold = name == chosen
        fig.add_trace(spec.scatter(x=list(range(len(values))), y=_r(values, 5), mode="lines+markers", name=title,
                                   line=dict(color=color(i), width=4.5 if bold else 2),
                                   marker=dict(color=color(i), symbol=symbol(i), size=8, maxdisplayed=10)))
    fig.update_yaxes(rangemode="tozero")
    drawn = {title: (np.arange(len(values)), values) for (name, values), title in zip(curve_dict.items(),
                                                                                       labels["names"])
             if name == chosen or name in shown}
    fig.alt = describe.Alt(describe.lines(drawn, labels["x"], labels["y"]))
    return _fit(fig)


def noisy(runs: NoisyRuns, surface: SurfaceMap, labels, height=420) -> spec.Figure:
    """Side-by-side noisy runs on the map ``surface``: the raw iterate (thin), its EMA (bold) and the Polyak
    average (dashed). labels: names (K, the panel titles), raw, ema_label, polyak, minimum."""
    result, ema, polyak, names = runs.race, runs.ema, runs.polyak, labels["names"]
    K = len(names)
    fig = grid(rows=1, cols=K, subplot_titles=list(names), horizontal_spacing=0.05)
    for k in range(K):
        n = int(result.valid_len[k])
        fig.add_trace(_contour(surface), row=1, col=k + 1)
        for path, key, width, style, i in ((result.paths, "raw", 1.2, "solid", 5),
                                           (ema, "ema_label", 3.5, "dot", 3), (polyak, "polyak", 2.5, "dash", 7)):
            fig.add_trace(spec.scatter(x=_r(path[k, :n, 0]), y=_r(path[k, :n, 1]), mode="lines", name=labels[key],
                                       legendgroup=key, showlegend=k == 0, hoverinfo="skip",
                                       line=dict(color=color(i), width=width, dash=style)), row=1, col=k + 1)
        star = _minima(surface, labels["minimum"])
        if star is not None:
            fig.add_trace(star, row=1, col=k + 1)
        _fixed_axes(fig, surface.xlim, surface.ylim, row=1, col=k + 1)
    fig.update_layout(height=height, margin=dict(l=30, r=10, t=80, b=30),
                      legend=dict(y=1.12))
    fig.alt = describe.Alt(*[describe.title(names[k]) + describe.paths(
        {labels["raw"]: result.paths[k, :int(result.valid_len[k])], labels["ema_label"]: ema[k, :int(result.valid_len[k])],
         labels["polyak"]: polyak[k, :int(result.valid_len[k])]}) for k in range(K)])
    return _fit(fig)


def noisy_losses(runs: NoisyRuns, labels, height=320) -> spec.Figure:
    """Loss of the raw iterate (thin) and of its EMA (bold dashed), one colour per optimizer.
    labels: names (K), x, y, raw, ema_label."""
    result = runs.race
    fig = figure(x_title=labels["x"], y_title=labels["y"], height=height)
    drawn = {}
    for k, name in enumerate(labels["names"]):
        n = int(result.valid_len[k])
        ema_loss = runs.ema_losses[k, :n]
        for values, key, width, style in ((result.losses[k, :n], "raw", 1.5, "solid"), (ema_loss, "ema_label", 3,
                                                                                        "dash")):
            values = np.where(values > 0, values, np.nan) if result.surface != "saddle" else values
            fig.add_trace(spec.scatter(x=list(range(n)), y=finite_or_none(values), mode="lines+markers",
                                       name=f"{name} · {labels[key]}", line=dict(color=color(k), width=width,
                                                                                 dash=style),
                                       marker=dict(color=color(k), symbol=symbol(k), size=7, maxdisplayed=8)))
            drawn[f"{name} · {labels[key]}"] = (np.arange(n), values)
    if result.surface != "saddle":
        fig.update_yaxes(type="log", exponentformat="power")
    fig.alt = describe.Alt(describe.lines(drawn, labels["x"], labels["y"]))
    return _fit(fig)


# ---------------------------------------------------------------- the rule with its numbers (LaTeX)
def _num(v) -> str:
    v = float(v)
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}"
    mantissa, exp = f"{v:.2e}".split("e")
    return rf"{mantissa}\times 10^{{{int(exp)}}}"


def _vec(v) -> str:
    return rf"\left({_num(v[0])},\ {_num(v[1])}\right)"


def step_latex(info) -> str:
    """The update rule of one step with its numbers: the optimizer's formula rows (info["latex"], ``$name``
    fields) under a row with t, η and g. info: lab.optimizers.inside_step (hp, lr, step and the 2-vectors)."""
    numbers = {key: _num(value) for key, value in info["hp"].items() if not isinstance(value, bool)}
    numbers.update({key: _vec(info[key]) for key in ("gradient", "first_moment", "scale", "lookahead", "update")
                    if info[key] is not None})
    numbers.update(t=str(info["step"]), lr=_num(info["lr"]))
    head = Template(r"t = $t,\ \eta = $lr,\ g = $gradient").substitute(numbers)
    rows = [Template(row).substitute(numbers) for row in info["latex"]]
    return r"\begin{gathered}" + r"\\".join([head, *rows]) + r"\end{gathered}"
