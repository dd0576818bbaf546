"""Figures of the optimizers page: animated race on a contour map, loss curves, the 3-D surface,
one update's arrows, the learning-rate study, schedules and the noisy runs. Plotly only.

Every function takes the words it shows as a ``labels`` dict (the page fills it from the text
catalog), so this module never touches Streamlit. Contours use ``optim_views.display_levels``:
log10(value + c) on surfaces with log-spaced levels, which plain Plotly contours then space evenly.
"""
from __future__ import annotations

import numpy as np

from core import surfaces
from lab import optimizers as optim_views
from figures import spec
from figures.common import curves, finite_or_none
from figures.theme import TEMPLATE, color, figure, grid

_PALE = [[0.0, "#f3f6fa"], [1.0, "#b9c8d9"]]  # light enough for coloured paths on top
_PICK_COLORS = (color(5), color(2), color(3))  # too small, good, too large (sky blue, green, vermillion)
_LEVELS = 24


def _r(values, digits=4):
    """Rounded plain floats: shorter JSON for the browser."""
    return np.round(np.asarray(values, dtype=float), digits).tolist()


def _contour(surface, n=100, xlim=None, ylim=None, **kwargs):
    xs, ys, z = optim_views.grid(surface, n, xlim, ylim)
    z = np.where(np.isfinite(z), z, np.nan).astype(np.float32)  # float32 arrays travel as compact binary
    return spec.contour(x=xs.astype(np.float32), y=ys.astype(np.float32), z=z, ncontours=_LEVELS,
                        colorscale=_PALE, showscale=False, line=dict(width=0.6, color="#8da2b8"),
                        hoverinfo="skip", **kwargs)


def _minima(surface, label, **where):
    surf = surfaces.get(surface)
    if not surf.minima:
        return None
    xs, ys = zip(*surf.minima)
    return spec.scatter(x=list(xs), y=list(ys), mode="markers", name=label, showlegend=False,
                        marker=dict(symbol="star", size=14, color="#222", line=dict(color="white", width=1)),
                        hovertemplate=f"{label}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>", **where)


def _equal_axes(fig, surface, row=None, col=None, xlim=None, ylim=None):
    surf = surfaces.get(surface)
    kw = {} if row is None else dict(row=row, col=col)
    fig.update_xaxes(range=list(xlim or surf.xlim), showgrid=False, **kw)
    fig.update_yaxes(range=list(ylim or surf.ylim), showgrid=False, **kw)


def race(result, frames, names, labels, click_grid=True, height=520) -> spec.Figure:
    """The race on the contour map, animated in the browser (Plotly frames + play/pause + slider).

    result: optim.Race. frames: steps shown as frames (optim_views.frame_steps). names: display
    name per entry. Faint full paths stay put; the bold trail and the ball move. With click_grid an
    invisible grid of markers lets a click pick the start point (a points selection in Streamlit).
    """
    surf = surfaces.get(result.surface)
    fig = spec.Figure(dict(template=TEMPLATE, height=height))
    fig.add_trace(_contour(result.surface))
    if click_grid:
        gx, gy = np.meshgrid(np.linspace(*surf.xlim, 31), np.linspace(*surf.ylim, 31))
        fig.add_trace(spec.scatter(x=_r(gx.ravel()), y=_r(gy.ravel()), mode="markers", hoverinfo="none",
                                   marker=dict(size=16, opacity=0), showlegend=False, name="click"))
    K, last = len(names), frames[-1]
    for k in range(K):  # faint full path, every step
        n = int(result.valid_len[k])
        fig.add_trace(spec.scatter(x=_r(result.paths[k, :n, 0]), y=_r(result.paths[k, :n, 1]), mode="lines",
                                   line=dict(color=color(k), width=1.2), opacity=0.45, showlegend=False,
                                   hoverinfo="skip"))
    first_animated = len(fig.data)

    def trail(k, upto):  # a fresh dict per call: the trace and every frame get their own
        n = min(int(result.valid_len[k]), upto + 1)  # the trail stops where the run diverged
        pts = result.paths[k, sorted({s for s in frames if s < n} | {n - 1})]
        return dict(type="scatter", x=_r(pts[:, 0]), y=_r(pts[:, 1]), mode="lines+markers", name=names[k],
                    line=dict(color=color(k), width=3), marker=dict(size=5, color=color(k)),
                    hovertemplate=f"{names[k]}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>")

    def head(k, upto):
        p = result.paths[k, min(int(result.valid_len[k]) - 1, upto)]
        return dict(type="scatter", x=_r([p[0]]), y=_r([p[1]]), mode="markers", showlegend=False,
                    hoverinfo="skip", marker=dict(size=15, color=color(k), line=dict(color="white", width=2)))

    for k in range(K):
        fig.add_trace(trail(k, last))
    for k in range(K):
        fig.add_trace(head(k, last))
    animated = list(range(first_animated, first_animated + 2 * K))
    start = result.paths[0, 0] if K else surf.default_start
    fig.add_trace(spec.scatter(x=[float(start[0])], y=[float(start[1])], mode="markers", name=labels["start"],
                               showlegend=False, hovertemplate=f"{labels['start']}<extra></extra>",
                               marker=dict(symbol="x", size=12, color="#222")))
    star = _minima(result.surface, labels["minimum"])
    if star is not None:
        fig.add_trace(star)
    if K:
        fig.frames = [dict(name=str(s), traces=animated,
                               data=[trail(k, s) for k in range(K)] + [head(k, s) for k in range(K)])
                          for s in frames]
        ms = int(np.clip(5000 / len(frames), 60, 200))
        play = dict(frame=dict(duration=ms, redraw=False), transition=dict(duration=0), mode="immediate")
        fig.update_layout(
            updatemenus=[dict(type="buttons", direction="left", x=0, y=-0.09, xanchor="left", yanchor="top",
                              pad=dict(t=4, r=6), showactive=False, buttons=[
                                  dict(label="▶ " + labels["play"], method="animate",
                                       args=[None, dict(play, fromcurrent=False)]),
                                  dict(label=labels["pause"], method="animate",
                                       args=[[None], dict(frame=dict(duration=0, redraw=False),
                                                          transition=dict(duration=0), mode="immediate")]),
                                  dict(label=labels["resume"], method="animate",
                                       args=[None, dict(play, fromcurrent=True)])])],
            sliders=[dict(active=len(frames) - 1, x=0.36, len=0.64, y=-0.05, yanchor="top", pad=dict(t=10),
                          currentvalue=dict(prefix=labels["step"] + " ", font=dict(size=13)),
                          steps=[dict(label=str(s), method="animate",
                                      args=[[str(s)], dict(frame=dict(duration=0, redraw=False),
                                                           transition=dict(duration=0), mode="immediate")])
                                 for s in frames])])
    _equal_axes(fig, result.surface)  # fixed ranges, not equal scales: the map fills the width
    fig.update_layout(margin=dict(l=40, r=20, t=40, b=120), hovermode="closest")
    return fig


def losses(result, names, labels) -> spec.Figure:
    """Loss against step, one line per entry, cut at its divergence; log scale unless it can go negative."""
    series = {names[k]: (np.arange(int(n)), result.losses[k, :int(n)]) for k, n in enumerate(result.valid_len)}
    log = result.surface != "saddle"
    return curves(series, x_title=labels["step_axis"], y_title=labels["loss_axis"], log_y=log, height=340)


def surface3d(result, names, labels, height=520) -> spec.Figure:
    """The surface in 3-D (height = the contour's display level) with each path lying on it."""
    xs, ys, z = optim_views.grid(result.surface, 60)
    fig = figure(height=height)
    fig.add_trace(spec.surface(x=_r(xs), y=_r(ys), z=np.round(np.where(np.isfinite(z), z, np.nan), 3).tolist(),
                               colorscale="Viridis", opacity=0.85, showscale=False, hoverinfo="skip"))
    surf = surfaces.get(result.surface)
    for k, name in enumerate(names):
        n = int(result.valid_len[k])
        p = np.clip(result.paths[k, :n], [surf.xlim[0], surf.ylim[0]], [surf.xlim[1], surf.ylim[1]])
        h = optim_views.display_levels(result.surface, surf.value(p[:, 0], p[:, 1]))
        fig.add_trace(spec.scatter3d(x=_r(p[:, 0]), y=_r(p[:, 1]), z=_r(h), mode="lines+markers", name=name,
                                     line=dict(color=color(k), width=6), marker=dict(size=2.5, color=color(k))))
    z_title = labels["level_log"] if surf.log_levels is not None else labels["loss_axis"]
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


def inside_step(info, surface, path, labels, height=480) -> spec.Figure:
    """One update's arrows on a contour window around the point (equal axes, so the gradient step is
    perpendicular to the contour lines). info: optim_views.inside_step. path: (n, 2) the run so far."""
    p = info["point"]
    arrows = [("update", labels["arrow_update"], 0, "solid", 6),  # drawn first: the others lie on top
              ("gradient_step", labels["arrow_grad"], 7, "dot", 2.5),
              ("momentum_step", labels["arrow_momentum"], 1, "dash", 2.5),
              ("adaptive_step", labels["arrow_adaptive"], 2, "dash", 2.5)]
    tips = [p, info["next_point"]] + [p + info[key] for key, *_ in arrows if info[key] is not None]
    if info["lookahead"] is not None:
        tips.append(info["lookahead"])
    tips = np.array(tips)
    lo, hi = tips.min(axis=0), tips.max(axis=0)
    center, half = (lo + hi) / 2, max(float((hi - lo).max()) * 0.65, 1e-3)
    surf = surfaces.get(surface)
    span = max(surf.xlim[1] - surf.xlim[0], surf.ylim[1] - surf.ylim[0])
    half = min(half, span)
    # the plot is about 1.8x wider than tall; equal scales then widen x, so the contour covers more
    xlim, ylim = (center[0] - 1.8 * half, center[0] + 1.8 * half), (center[1] - half, center[1] + half)
    fig = figure(height=height)
    fig.add_trace(_contour(surface, 90, (center[0] - 3 * half, center[0] + 3 * half),
                           (center[1] - 1.5 * half, center[1] + 1.5 * half)))
    fig.add_trace(spec.scatter(x=_r(path[:, 0]), y=_r(path[:, 1]), mode="lines+markers", name=labels["path"],
                               line=dict(color="#777", width=1.5), marker=dict(size=4, color="#777"),
                               hoverinfo="skip"))
    for key, name, i, dash, width in arrows:
        if info[key] is not None:
            fig.add_trace(_arrow(p, info[key], name, i, dash, width))
    if info["lookahead"] is not None:
        fig.add_trace(_arrow(p, info["lookahead"] - p, labels["lookahead"], 4, "dot", 2))
    fig.add_trace(spec.scatter(x=[float(p[0])], y=[float(p[1])], mode="markers", showlegend=False, hoverinfo="skip",
                               marker=dict(size=11, color="#222")))
    _equal_axes(fig, surface, xlim=xlim, ylim=ylim)
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    fig.update_layout(xaxis_title="x", yaxis_title="y", margin=dict(l=50, r=20, t=60, b=40),
                      legend=dict(font=dict(size=13)))
    return fig


def lr_sweep(study, labels, height=330) -> spec.Figure:
    """Final loss against learning rate (log-log); diverged rates as crosses on the floor; the three picks."""
    lrs, final = study.lrs, study.final
    fig = figure(x_title=labels["lr_axis"], y_title=labels["final_axis"], height=height)
    saddle = study.race.surface == "saddle"
    ok = np.isfinite(final) & ((final > 0) | saddle)
    fig.add_trace(spec.scatter(x=_r(lrs[ok], 6), y=finite_or_none(final[ok]), mode="lines+markers",
                               name=labels["final_axis"], showlegend=False, line=dict(color="#555", width=2),
                               hovertemplate="lr %{x:.3g}<br>%{y:.3g}<extra></extra>"))
    bad = ~np.isfinite(final)
    if bad.any():
        floor = float(np.nanmin(final[ok])) if ok.any() else 1.0
        fig.add_trace(spec.scatter(x=_r(lrs[bad], 6), y=[floor] * int(bad.sum()), mode="markers",
                                   name=labels["diverged_marker"],
                                   marker=dict(symbol="x", size=10, color="#888")))
    for j, (idx, key) in enumerate(zip(study.picks, ("too_small", "good", "too_large"))):
        y = final[idx] if np.isfinite(final[idx]) else (float(np.nanmin(final[ok])) if ok.any() else 1.0)
        fig.add_trace(spec.scatter(x=[float(lrs[idx])], y=[float(y)], mode="markers", name=labels[key],
                                   marker=dict(size=16, color=_PICK_COLORS[j], symbol="circle-open",
                                               line=dict(width=3))))
    fig.update_xaxes(type="log", exponentformat="power")
    if not saddle:
        fig.update_yaxes(type="log", exponentformat="power")
    return fig


def lr_panels(study, labels, height=330) -> spec.Figure:
    """Too small / good / too large side by side, each path cut at its divergence."""
    result = study.race
    titles = []
    for idx, key in zip(study.picks, ("too_small", "good", "too_large")):
        d = result.diverged_at[idx]
        note = f" · {labels['diverged_at'].format(step=d)}" if d is not None else ""
        titles.append(f"{labels[key]}: lr = {study.lrs[idx]:g}{note}")
    fig = grid(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.04)
    for c, idx in enumerate(study.picks, start=1):
        fig.add_trace(_contour(result.surface, 50), row=1, col=c)
        n = int(result.valid_len[idx])
        fig.add_trace(spec.scatter(x=_r(result.paths[idx, :n, 0]), y=_r(result.paths[idx, :n, 1]),
                                   mode="lines+markers", showlegend=False, line=dict(color=_PICK_COLORS[c - 1],
                                                                                     width=2.5),
                                   marker=dict(size=4), hoverinfo="skip"), row=1, col=c)
        star = _minima(result.surface, labels["minimum"])
        if star is not None:
            fig.add_trace(star, row=1, col=c)
        _equal_axes(fig, result.surface, row=1, col=c)
    fig.update_layout(height=height, margin=dict(l=30, r=10, t=50, b=30))
    fig.update_annotations(font_size=13)
    return fig


def schedule_curves(curve_dict, chosen, names, labels, height=300) -> spec.Figure:
    """lr multiplier against step for every schedule; the one applied to the race drawn bold."""
    fig = figure(x_title=labels["step_axis"], y_title=labels["factor_axis"], height=height)
    for i, (name, values) in enumerate(curve_dict.items()):
        bold = name == chosen
        fig.add_trace(spec.scatter(x=list(range(len(values))), y=_r(values, 5), mode="lines", name=names[name],
                                   line=dict(color=color(i), width=4 if bold else 1.5, dash="solid" if bold else "dot"),
                                   opacity=1.0 if bold else 0.8))
    return fig


def noisy(result, ema, polyak, names, labels, height=420) -> spec.Figure:
    """Side-by-side noisy runs: the raw iterate (thin), its EMA (bold) and the Polyak average (dashed)."""
    K = len(names)
    fig = grid(rows=1, cols=K, subplot_titles=list(names), horizontal_spacing=0.05)
    for k in range(K):
        n = int(result.valid_len[k])
        fig.add_trace(_contour(result.surface, 60), row=1, col=k + 1)
        for path, key, width, dash, i in ((result.paths, "raw", 1.2, "solid", 5), (ema, "ema_label", 3.5, "solid", 3),
                                          (polyak, "polyak", 2.5, "dash", 7)):
            fig.add_trace(spec.scatter(x=_r(path[k, :n, 0]), y=_r(path[k, :n, 1]), mode="lines", name=labels[key],
                                       legendgroup=key, showlegend=k == 0, hoverinfo="skip",
                                       line=dict(color=color(i), width=width, dash=dash)), row=1, col=k + 1)
        star = _minima(result.surface, labels["minimum"])
        if star is not None:
            fig.add_trace(star, row=1, col=k + 1)
        _equal_axes(fig, result.surface, row=1, col=k + 1)
    fig.update_layout(height=height, margin=dict(l=30, r=10, t=80, b=30),
                      legend=dict(y=1.12))
    return fig


def noisy_losses(result, ema, names, labels, height=320) -> spec.Figure:
    """Loss of the raw iterate (thin) and of its EMA (bold dashed), one colour per optimizer."""
    surf = surfaces.get(result.surface)
    fig = figure(x_title=labels["step_axis"], y_title=labels["loss_axis"], height=height)
    for k, name in enumerate(names):
        n = int(result.valid_len[k])
        ema_loss = surf.value(ema[k, :n, 0], ema[k, :n, 1])
        for values, key, width, dash in ((result.losses[k, :n], "raw", 1.5, "solid"), (ema_loss, "ema_label", 3,
                                                                                       "dash")):
            values = np.where(values > 0, values, np.nan) if result.surface != "saddle" else values
            fig.add_trace(spec.scatter(x=list(range(n)), y=finite_or_none(values), mode="lines",
                                       name=f"{name} · {labels[key]}", line=dict(color=color(k), width=width,
                                                                                 dash=dash)))
    if result.surface != "saddle":
        fig.update_yaxes(type="log", exponentformat="power")
    return fig


# ---------------------------------------------------------------- the rule with its numbers (LaTeX)
def _num(v) -> str:
    v = float(v)
    if v == 0 or 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}"
    mantissa, exp = f"{v:.2e}".split("e")
    return rf"{mantissa}\times 10^{{{int(exp)}}}"


def _vec(v) -> str:
    return rf"\left({_num(v[0])},\ {_num(v[1])}\right)"


def step_latex(name, hp, info) -> str:
    """The update rule of ``name`` with this step's numbers (PyTorch's convention: ε outside the root)."""
    lr, g, m, s, u = _num(info["lr"]), _vec(info["gradient"]), info["first_moment"], info["scale"], _vec(info["update"])
    t = info["step"]
    head = rf"t = {t},\ \eta = {lr},\ g = {g}"
    if name == "sgd":
        body = rf"\Delta\theta = -\eta\,g = {u}"
    elif name == "momentum":
        body = (rf"b \leftarrow {_num(hp['momentum'])}\,b + g = {_vec(m)}" r"\\"
                rf"\Delta\theta = -\eta\,b = {u}")
    elif name == "nesterov":
        body = (rf"b \leftarrow {_num(hp['momentum'])}\,b + g = {_vec(m)}" r"\\"
                rf"\theta - \eta\mu b = {_vec(info['lookahead'])}" r"\\"
                rf"\Delta\theta = -\eta\,(g + {_num(hp['momentum'])}\,b) = {u}")
    elif name == "adagrad":
        body = (rf"s \leftarrow s + g^2,\quad \sqrt{{s}} + {_num(hp['eps'])} = {_vec(s)}" r"\\"
                rf"\Delta\theta = -\eta\,\frac{{g}}{{\sqrt{{s}} + \varepsilon}} = {u}")
    elif name == "rmsprop":
        body = (rf"s \leftarrow {_num(hp['rho'])}\,s + (1 - {_num(hp['rho'])})\,g^2,\quad "
                rf"\sqrt{{s}} + \varepsilon = {_vec(s)}" r"\\"
                rf"\Delta\theta = -\eta\,\frac{{g}}{{\sqrt{{s}} + \varepsilon}} = {u}")
    elif name in ("adam", "nadam"):
        b1, b2 = _num(hp["beta1"]), _num(hp["beta2"])
        moment = r"\hat m = \frac{m}{1 - \beta_1^t}" if name == "adam" else "m"
        body = (rf"m \leftarrow {b1}\,m + (1 - {b1})\,g,\quad v \leftarrow {b2}\,v + (1 - {b2})\,g^2" r"\\"
                rf"{moment} = {_vec(m)},\quad \sqrt{{\hat v}} + \varepsilon = {_vec(s)}" r"\\")
        if name == "adam":
            body += rf"\Delta\theta = -\eta\,\frac{{\hat m}}{{\sqrt{{\hat v}} + \varepsilon}} = {u}"
        else:
            body += (r"\Delta\theta = -\eta\left(\frac{(1-\mu_t)\,g}{1-\prod_{i\le t}\mu_i} + "
                     r"\frac{\mu_{t+1}\,m}{1-\prod_{i\le t+1}\mu_i}\right)\frac{1}{\sqrt{\hat v} + \varepsilon}"
                     rf" = {u}")
    else:  # adamax
        b1, b2 = _num(hp["beta1"]), _num(hp["beta2"])
        body = (rf"m \leftarrow {b1}\,m + (1 - {b1})\,g,\quad \hat m = {_vec(m)}" r"\\"
                rf"u \leftarrow \max({b2}\,u,\ |g| + \varepsilon) = {_vec(s)}" r"\\"
                rf"\Delta\theta = -\eta\,\frac{{\hat m}}{{u}} = {u}")
    return r"\begin{gathered}" + head + r"\\" + body + r"\end{gathered}"
