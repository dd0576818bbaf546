"""Figures of the activation-functions page (engine results in, figure specs out). Every word arrives in the
builder's ``labels`` mapping (listed in its docstring)."""
from __future__ import annotations

from typing import Mapping

import numpy as np

from figures import describe, spec
from figures.common import curves, drawable, finite_or_none, histogram_bars
from figures.theme import DIVERGING, color, dash, figure, grid, pattern, symbol

SHADE_FLAT = "rgba(230, 159, 0, 0.16)"   # saturated stretches (palette orange, light)
SHADE_DEAD = "rgba(213, 94, 0, 0.20)"    # f' = 0 exactly: ReLU's dead side
SHADE_ALLOWED = "rgba(0, 114, 178, 0.10)"
# Under the x-axis title, at the bottom edge of the figure (container coordinates): subplot titles own the top
LEGEND_BELOW = dict(orientation="h", yref="container", yanchor="bottom", y=0.01, xanchor="center", x=0.5)


def function_chart(curve, labels: Mapping[str, str], height: int = 400) -> spec.Figure:
    """f (solid) and f' (dashed) of one activation (a ``Curve``) on one chart; saturated/dead stretches shaded;
    for RReLU the band its random training slope covers.

    labels: "x" (the z axis), "f", "d" (the two series), "flat", "dead" (the shaded stretches), "band"."""
    fig = figure("", labels["x"], "", height)
    for lo, hi in curve.flat:
        fig.add_vrect(x0=lo, x1=hi, fillcolor=SHADE_DEAD if curve.dead else SHADE_FLAT, line_width=0, layer="below",
                      annotation_text=labels["dead" if curve.dead else "flat"], annotation_position="top left")
    if curve.band is not None:
        lower, upper = curve.band
        fig.add_trace(spec.scatter(x=curve.z, y=lower, mode="lines", line=dict(width=0), showlegend=False,
                                   hoverinfo="skip"))
        fig.add_trace(spec.scatter(x=curve.z, y=upper, mode="lines", line=dict(width=0), fill="tonexty",
                                   fillcolor="rgba(0, 114, 178, 0.22)", name=labels["band"]))
    fig.add_trace(spec.scatter(x=curve.z, y=finite_or_none(curve.f), mode="lines", name=labels["f"],
                               line=dict(color=color(0), width=3)))
    fig.add_trace(spec.scatter(x=curve.z, y=finite_or_none(curve.d), mode="lines", name=labels["d"],
                               line=dict(color=color(3), width=3, dash="dash")))
    fig.add_hline(y=0, line=dict(color="#888", width=1))
    fig.add_vline(x=0, line=dict(color="#888", width=1))
    lowest = np.nanmin(np.minimum(*curve.band)) if curve.band is not None else np.nanmin(curve.f)
    lo = min(-1.2, float(lowest) - 0.2)
    fig.update_yaxes(range=[lo, 3.2])
    fig.update_layout(margin=dict(t=40))
    fig.alt = describe.Alt(describe.lines({labels["f"]: (curve.z, curve.f), labels["d"]: (curve.z, curve.d)},
                                          labels["x"], ""),
                           *[describe.text(f"{labels['dead' if curve.dead else 'flat']}: z {describe.num(lo_)} … "
                                           f"{describe.num(hi_)}") for lo_, hi_ in curve.flat],
                           table=describe.series_table({labels["f"]: (curve.z[::10], curve.f[::10]),
                                                        labels["d"]: (curve.z[::10], curve.d[::10])}, labels["x"]))
    return _roomy(fig)


def zigzag_chart(runs, labels: Mapping[str, str], height: int = 470) -> spec.Figure:
    """Two panels (positive vs zero-centered inputs, ``Zigzag`` runs): loss contours, the per-sample descent path,
    and on the positive panel the (+,+)/(−,−) quadrants every update must lie in (drawn around the start).

    labels: "positive", "centered" (the panels, by the runs' inputs), "path", "start", "target", "allowed";
    optional "x", "y" (the weight axes, default w₁ and w₂)."""
    w_titles = labels.get("x", "w₁"), labels.get("y", "w₂")
    fig = grid(rows=1, cols=2, subplot_titles=[labels[run.inputs] for run in runs], horizontal_spacing=0.08)
    for k, run in enumerate(runs, start=1):
        g = run.grid
        fig.add_trace(spec.contour(x=g, y=g, z=np.sqrt(run.loss), showscale=False, ncontours=14,
                                   contours=dict(coloring="lines"), colorscale=[[0, "#bbb"], [1, "#bbb"]],
                                   line=dict(width=1), hoverinfo="skip"), row=1, col=k)
        if run.inputs == "positive":
            x0, y0 = run.path[0]
            lo, hi = float(g[0]), float(g[-1])
            for xa, xb, ya, yb in ((x0, hi, y0, hi), (lo, x0, lo, y0)):
                fig.add_shape(type="rect", x0=xa, x1=xb, y0=ya, y1=yb, fillcolor=SHADE_ALLOWED, line_width=0,
                              layer="below", row=1, col=k)
            fig.add_annotation(x=hi, y=hi, text=labels["allowed"], xanchor="right", yanchor="top", showarrow=False,
                               font=dict(color=color(0)), row=1, col=k)
        fig.add_trace(spec.scatter(x=run.path[:, 0], y=run.path[:, 1], mode="lines+markers", name=labels["path"],
                                   line=dict(color=color(3), width=2), marker=dict(size=4), showlegend=k == 1),
                      row=1, col=k)
        fig.add_trace(spec.scatter(x=[run.path[0, 0]], y=[run.path[0, 1]], mode="markers", name=labels["start"],
                                   marker=dict(color="#222", size=11,
                                               symbol="circle"), showlegend=k == 1), row=1, col=k)
        fig.add_trace(spec.scatter(x=[run.target[0]], y=[run.target[1]], mode="markers", name=labels["target"],
                                   marker=dict(color=color(2), size=16, symbol="star", line=dict(color="#222", width=1)),
                                   showlegend=k == 1), row=1, col=k)
        fig.update_xaxes(range=[g[0], g[-1]], title_text=w_titles[0], row=1, col=k)
        fig.update_yaxes(range=[g[0], g[-1]], title_text=w_titles[1], scaleanchor=f"x{k if k > 1 else ''}",
                         row=1, col=k)
    fig.update_layout(height=height, margin=dict(l=50, r=20, t=40, b=100), legend=LEGEND_BELOW)
    fig.alt = describe.Alt(describe.paths({labels[run.inputs]: run.path for run in runs}),
                           describe.mark(labels["target"], runs[0].target) if len(runs) else [])
    return _roomy(fig)


def dead_chart(series: Mapping[str, tuple[np.ndarray, np.ndarray]], n_layers: int, x_max: int,
               labels: Mapping[str, str], height: int = 360) -> spec.Figure:
    """One panel per hidden layer: the share of dead units over training, one line per activation.

    series: {label: (steps (T,), fractions (T, L))}, L = n_layers; x_max: the last step of the run. Lines
    that sit on top of each other at 0 are told apart by dash and width.
    labels: "x", "y", "layer" (the panels are titled "<layer> 1", "<layer> 2", ...)."""
    layer_titles = [f"{labels['layer']} {i + 1}" for i in range(n_layers)]
    fig = grid(rows=1, cols=n_layers, subplot_titles=layer_titles, shared_yaxes=True, horizontal_spacing=0.03)
    dashes = ("solid", "dash", "dot", "dashdot")
    for i, (label, (steps, frac)) in enumerate(series.items()):
        for layer in range(n_layers):
            y = frac[:, layer] if len(frac) else []
            mode = "lines+markers" if len(steps) < 3 else "lines"  # a lone step-0 point needs a marker
            fig.add_trace(spec.scatter(x=list(steps), y=finite_or_none(y), mode=mode,
                                       name=label, legendgroup=label, showlegend=layer == 0,
                                       line=dict(color=color(i), width=max(1.5, 4 - i), dash=dashes[i % 4]),
                                       marker=dict(color=color(i), symbol=symbol(i), size=7)),
                          row=1, col=layer + 1)
    fig.update_yaxes(range=[-0.03, 1.03], tickformat=".0%")
    fig.update_xaxes(range=[-0.03 * x_max, 1.02 * x_max])  # a step-0 marker stays fully visible
    fig.update_yaxes(title_text=labels["y"], row=1, col=1)
    fig.update_xaxes(title_text=labels["x"], row=1, col=(n_layers + 1) // 2)
    fig.update_layout(height=height, margin=dict(l=60, r=20, t=40, b=120),
                      legend=LEGEND_BELOW)
    fig.alt = describe.Alt(*[describe.lines({f"{label} · {layer_titles[j]}": (steps, frac[:, j] if len(frac) else [])
                                             for label, (steps, frac) in series.items()}, labels["x"], labels["y"])
                             for j in range(n_layers)])
    return _roomy(fig)


def preactivation_hist(dead_z: np.ndarray | None, alive_z: np.ndarray | None, labels: Mapping[str, str],
                       bins: int = 40, height: int = 300) -> spec.Figure:
    """Histograms (counts) of one dead and one live unit's pre-activations (N,) over the training set; z = 0
    marked. labels: "x", "y", "dead", "alive" (the two units)."""
    fig = figure("", labels["x"], labels["y"], height)
    hists = {}
    values = [v for v in (dead_z, alive_z) if v is not None and len(v)]
    if values:
        both = np.concatenate(values)
        both = both[np.isfinite(both)]
        lo, hi = (float(both.min()), float(both.max())) if both.size else (-1.0, 1.0)
        edges = np.linspace(min(lo, -0.1), max(hi, 0.1), bins + 1)
        for k, (z, label, c) in enumerate(((dead_z, labels["dead"], 3), (alive_z, labels["alive"], 0))):
            if z is None or not len(z):
                continue
            counts, _ = np.histogram(z[np.isfinite(z)], bins=edges)
            bar = histogram_bars(counts, edges, label, c)
            bar.update(showlegend=True, opacity=0.75, marker=dict(bar["marker"], pattern=pattern(k)))
            fig.add_trace(bar)
            hists[label] = (counts, edges)
    fig.add_vline(x=0, line=dict(color="#222", width=2, dash="dash"))
    fig.update_layout(barmode="overlay", bargap=0)
    fig.alt = describe.Alt(describe.histograms(hists, labels["x"]))
    return _roomy(fig)


def boundaries(grids: Mapping[str, tuple], x_points: np.ndarray, y_points: np.ndarray, labels: Mapping[str, str],
               cols: int = 3, height_per_row: int = 250) -> spec.Figure:
    """Small multiples: P(class 1) on a grid for each activation, with the training points (N, 2), labels (N,)
    on top. grids: {title: (xs (n,), ys (n,), p (n, n))}. labels: "colorbar"."""
    titles = list(grids)
    n = len(titles)
    cols = max(1, min(cols, n))
    rows = int(np.ceil(n / cols))
    fig = grid(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.03,
               vertical_spacing=0.1 if rows > 1 else 0.05)
    for k, title in enumerate(titles):
        xs, ys, p = grids[title]
        r, c = k // cols + 1, k % cols + 1
        fig.add_trace(spec.heatmap(x=xs, y=ys, z=drawable(p), zmin=0, zmax=1,
                                   colorscale=DIVERGING, reversescale=True, showscale=k == 0, hoverinfo="skip",
                                   colorbar=dict(title=dict(text=labels["colorbar"]), thickness=12, len=0.8)), row=r, col=c)
        for label, symbol in ((0, "circle"), (1, "diamond")):
            pts = x_points[y_points == label]
            fig.add_trace(spec.scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", showlegend=False, hoverinfo="skip",
                                       marker=dict(size=5, symbol=symbol, color=color(3) if label else color(0),
                                                   line=dict(color="white", width=0.6))), row=r, col=c)
        fig.update_xaxes(range=[xs[0], xs[-1]], showticklabels=False, row=r, col=c)
        fig.update_yaxes(range=[ys[0], ys[-1]], showticklabels=False, row=r, col=c)
    fig.update_layout(height=max(260, rows * height_per_row + 40),
                      margin=dict(l=10, r=10, t=40, b=10))
    fig.alt = describe.Alt(*[describe.title(title) + describe.heatmap(grids[title][2], grids[title][0], grids[title][1],
                                                                      "x", "y", labels["colorbar"])
                             for title in titles])
    return fig


def std_per_layer(stds: Mapping[str, np.ndarray], labels: Mapping[str, str], height: int = 320) -> spec.Figure:
    """Activation std per layer, {setting: (L,)}, one line per setting (the SELU self-normalization probe).
    labels: "x", "y"."""
    fig = figure("", labels["x"], labels["y"], height)
    for i, (label, s) in enumerate(stds.items()):
        fig.add_trace(spec.scatter(x=np.arange(1, len(s) + 1), y=finite_or_none(s), mode="lines+markers", name=label,
                                   line=dict(color=color(i), width=3, dash=dash(i)),
                                   marker=dict(size=7, symbol=symbol(i))))
    fig.add_hline(y=1, line=dict(color="#888", width=1, dash="dot"))
    fig.update_yaxes(rangemode="tozero")
    fig.alt = describe.Alt(describe.axes(labels["x"], labels["y"]),
                           *[describe.values(label, labels["x"], np.arange(1, len(s) + 1), s)
                             for label, s in stds.items()])
    return _roomy(fig)


def loss_race(series: Mapping[str, tuple[np.ndarray, np.ndarray]], x_max: int, labels: Mapping[str, str],
              markers: bool = False, height: int = 340) -> spec.Figure:
    """Training loss per activation, {label: (steps (T,), loss (T,))}, on a log axis over steps 0..x_max.
    markers: draw points too (before training, when each line is a single step-0 point). labels: "x", "y"."""
    fig = curves(series, x_title=labels["x"], y_title=labels["y"], log_y=True, height=height)
    if markers:
        fig.update_traces(mode="lines+markers")
    fig.update_xaxes(range=[-0.03 * x_max, 1.02 * x_max])  # the step-0 marker stays fully visible
    return _roomy(fig)


# ---- formulas --------------------------------------------------------------------------------

def latex(name: str, hp: Mapping[str, float]) -> tuple[str, str]:
    """(definition, derivative) of activation ``name`` in LaTeX, with its current hyperparameters."""
    a = hp.get("alpha", 0.0)
    if name == "sigmoid":
        return r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z)) \le \sigma'(0) = 0.25"
    if name == "tanh":
        return r"\tanh z = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}} = 2\sigma(2z) - 1", r"\tanh'(z) = 1 - \tanh^2 z \le 1"
    if name == "relu":
        return r"\mathrm{ReLU}(z) = \max(0, z)", r"\mathrm{ReLU}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}"
    if name in ("leaky_relu", "prelu"):
        f = r"\mathrm{LeakyReLU}" if name == "leaky_relu" else r"\mathrm{PReLU}"
        return (rf"{f}_{{\alpha}}(z) = \max({a:g}\,z,\ z)\quad(\alpha = {a:g})",
                rf"{f}'(z) = \begin{{cases}} 1 & z > 0 \\ {a:g} & z \le 0 \end{{cases}}")
    if name == "rrelu":
        lo, hi = hp.get("lower", 0.125), hp.get("upper", 1 / 3)
        return (rf"\begin{{gathered}}\mathrm{{RReLU}}(z) = \begin{{cases}} z & z \ge 0 \\ a\,z & z < 0 \end{{cases}} \\ "
                rf"a \sim U[{lo:.3g}, {hi:.3g}],\quad \mathbb{{E}}[a] = {(lo + hi) / 2:.3g}"
                r"\end{gathered}",
                r"\mathrm{RReLU}'(z) = \begin{cases} 1 & z \ge 0 \\ a & z < 0 \end{cases}")
    if name == "elu":
        return (rf"\mathrm{{ELU}}_{{\alpha}}(z) = \begin{{cases}} z & z > 0 \\ {a:g}\,(e^{{z}} - 1) & z \le 0 \end{{cases}}",
                rf"\mathrm{{ELU}}'(z) = \begin{{cases}} 1 & z > 0 \\ {a:g}\,e^{{z}} & z \le 0 \end{{cases}}")
    if name == "selu":
        return (r"\mathrm{SELU}(z) = 1.0507 \begin{cases} z & z > 0 \\ 1.6733\,(e^{z} - 1) & z \le 0 \end{cases}",
                r"\mathrm{SELU}'(z) = 1.0507 \begin{cases} 1 & z > 0 \\ 1.6733\,e^{z} & z \le 0 \end{cases}")
    if name == "gelu":
        return (r"\mathrm{GELU}(z) \approx \tfrac12 z\left(1 + \tanh\!\left[\sqrt{2/\pi}\,(z + 0.044715 z^3)\right]\right)",
                r"\mathrm{GELU}'(z) \approx \sigma(2u) + 2z\,\sigma(2u)(1 - \sigma(2u))\sqrt{2/\pi}\,(1 + 0.134 z^2),"
                r"\ u = \sqrt{2/\pi}\,(z + 0.044715 z^3)")
    if name == "swish":
        b = hp.get("beta", 1.0)
        return (rf"\mathrm{{Swish}}(z) = z\,\sigma({b:g}\,z)",
                rf"\mathrm{{Swish}}'(z) = \sigma({b:g} z) + {b:g}\,z\,\sigma({b:g} z)\,(1 - \sigma({b:g} z))")
    raise ValueError(f"no formula for activation {name!r}")


def _roomy(fig: spec.Figure) -> spec.Figure:
    """Axis titles kept clear of their tick labels at any font size (presenter mode): Plotly widens the margins."""
    fig.update_xaxes(automargin=True, title_standoff=10)
    fig.update_yaxes(automargin=True, title_standoff=10)
    return fig
