"""Figures for the loss-landscape page: the slice as log-spaced contours (or a 3-D surface) with the training
path on it, and 1-D cross-sections. Arrays in (a ``lab.landscape.Landscape``), figure specs out; every builder
takes its words in one ``labels`` mapping (keys listed in its docstring)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from figures import describe, spec
from figures.common import curves, finite_or_none
from figures.theme import SEQUENTIAL, TEMPLATE, color, figure

if TYPE_CHECKING:
    from lab.landscape import Landscape

LOSS_CAP = 1e3  # beyond this the colour scale saturates: far corners would otherwise flatten the valley


def _log_loss(loss: np.ndarray) -> np.ndarray:
    """log10 of the loss, with non-finite points left as NaN and huge ones capped."""
    loss = np.asarray(loss, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log10(np.clip(loss, 1e-12, LOSS_CAP))
    return np.where(np.isfinite(loss), out, np.nan)


def _log_ticks(lo: float, hi: float, at_least: int = 4) -> list[float]:
    """Tick positions (log10 units) inside [lo, hi]: 1-2-5 per decade, only 1-3 when that gives too many,
    evenly spaced ones when fewer than ``at_least`` would show (a narrow range of losses)."""
    decades = range(int(np.floor(lo)), int(np.ceil(hi)) + 1)
    for mantissas in ((1, 2, 5), (1, 3), (1,)):
        inside = [k + np.log10(m) for k in decades for m in mantissas if lo - 1e-9 <= k + np.log10(m) <= hi + 1e-9]
        if len(inside) <= 9:
            break
    return inside if len(inside) >= at_least else list(np.linspace(lo, hi, at_least + 1))


def _levels(log_loss: np.ndarray, n_levels: int = 24, fixed: tuple | None = None):
    """Log-spaced contour levels and colour-bar ticks labelled with the loss itself (0.001, 0.01, 0.1, 1 ...);
    ``fixed``: the (lowest, highest) loss to span instead of the values' own range."""
    finite = log_loss[np.isfinite(log_loss)]
    if fixed is not None:
        finite = _log_loss(np.asarray(fixed, dtype=float))
        finite = finite[np.isfinite(finite)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi - lo < 1e-9:
        hi = lo + 1e-3
    tickvals = _log_ticks(lo, hi)
    ticktext = [f"{10 ** v:.2g}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e") for v in tickvals]
    return dict(start=lo, end=hi, size=(hi - lo) / n_levels), tickvals, ticktext


def _fit(fig: spec.Figure) -> spec.Figure:
    """Margins that grow to hold the tick labels and axis titles (presenter mode enlarges them)."""
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True, title_standoff=10)  # clear of the widest tick label (10⁻³ at 20 px)
    return fig


def contour(res: Landscape, labels: Mapping[str, str], height: int = 520) -> spec.Figure:
    """The slice f(α, β) as filled log-spaced contours, with the projected training path, start and end.

    The slice may be partly computed (res.betas: the rows so far): the contours cover those rows, the axes the
    whole range ±res.span and the colours res.loss_range, so the map grows in place as rows arrive. labels: x, y (the two directions), loss
    (colour bar), path, start, end (legend), step (the word before a path point's update number on hover);
    title optional.
    """
    fig = figure(labels.get("title", ""), labels["x"], labels["y"], height)
    if res.betas.size >= 2:  # a contour needs two rows
        z = _log_loss(res.loss)
        contours, tickvals, ticktext = _levels(z, fixed=res.loss_range)  # the same colours in every frame
        fig.add_trace(spec.contour(z=[finite_or_none(row) for row in z], x=res.alphas, y=res.betas,
                                   colorscale=SEQUENTIAL, contours=contours,
                                   line=dict(width=0.6, color="rgba(255,255,255,0.5)"),
                                   colorbar=dict(title=dict(text=labels["loss"]), tickvals=tickvals,
                                                 ticktext=ticktext),
                                   hovertemplate="α=%{x:.2f}<br>β=%{y:.2f}<br>log₁₀ L=%{z:.2f}<extra></extra>",
                                   showlegend=False))
    path = np.asarray(res.path, dtype=float)
    if path.size:
        fig.add_trace(spec.scatter(x=finite_or_none(path[:, 0]), y=finite_or_none(path[:, 1]), mode="lines+markers",
                                   name=labels["path"], line=dict(color="white", width=3),
                                   marker=dict(size=6, color="white", line=dict(width=1, color="black")),
                                   customdata=[[int(s), v] for s, v in zip(res.path_steps,
                                                                           finite_or_none(res.path_loss))],
                                   hovertemplate=labels["step"]
                                   + " %{customdata[0]}<br>L=%{customdata[1]:.3g}<extra></extra>",
                                   legendrank=2))
        fig.add_trace(spec.scatter(x=[0.0], y=[0.0], mode="markers", name=labels["end"],
                                   marker=dict(size=20, color=color(6), symbol="star",
                                               line=dict(width=1.5, color="black")),
                                   legendrank=3))
        # the start is drawn last: in a random slice it often sits right next to the star
        fig.add_trace(spec.scatter(x=finite_or_none(path[:1, 0]), y=finite_or_none(path[:1, 1]), mode="markers",
                                   name=labels["start"],
                                   marker=dict(size=14, color=color(1), symbol="circle",
                                               line=dict(width=2, color="black")),
                                   legendrank=1))
    edge = [-res.span, res.span]
    fig.update_xaxes(range=edge, showgrid=False, constrain="domain")
    fig.update_yaxes(range=edge, scaleanchor="x", scaleratio=1, showgrid=False, constrain="domain")
    fig.update_layout(margin=dict(l=60, r=20, t=40, b=50))
    fig.alt = _words(res, labels)
    return _fit(fig)


def _words(res: Landscape, labels) -> describe.Alt:
    """The slice in words: the loss over the rows computed so far, and the path from its start to θ* (0, 0)."""
    alt = describe.Alt(describe.title(labels.get("title", "")))
    if res.betas.size >= 2:
        loss = np.where(np.isfinite(res.loss), res.loss, np.nan)
        alt.add(describe.heatmap(loss, res.alphas, res.betas, labels["x"], labels["y"], labels.get("loss", "L")))
    path = np.asarray(res.path, dtype=float)
    if path.size:
        alt.add(describe.paths({labels["path"]: path}), describe.mark(labels["end"], (0.0, 0.0)))
    return alt


def surface(res: Landscape, labels: Mapping[str, str], height: int = 560) -> spec.Figure:
    """The same slice as a 3-D surface of log10 loss, the path drawn at the slice's height under it.

    labels: x, y (the two directions), z (the height, log10 loss), path (legend).
    """
    fig = spec.Figure()
    if res.betas.size >= 2:  # a partly computed slice: the rows so far
        z = _log_loss(res.loss)
        fig.add_trace(spec.surface(z=[finite_or_none(row) for row in z], x=res.alphas, y=res.betas,
                                   colorscale=SEQUENTIAL, showscale=False, opacity=0.95,
                                   contours=dict(z=dict(show=True, usecolormap=True, project=dict(z=True)))))
    path, pz = np.asarray(res.path, dtype=float), _log_loss(res.path_slice_loss)
    if path.size:
        fig.add_trace(spec.scatter3d(x=finite_or_none(path[:, 0]), y=finite_or_none(path[:, 1]),
                                     z=finite_or_none(pz + 0.02),
                                     mode="lines+markers", name=labels["path"], line=dict(color=color(3), width=6),
                                     marker=dict(size=2.5, color=color(3))))
    fig.update_layout(template=TEMPLATE, height=height, margin=dict(l=0, r=0, t=30, b=0),
                      scene=dict(xaxis=dict(title=labels["x"], range=[-res.span, res.span]),
                                 yaxis=dict(title=labels["y"], range=[-res.span, res.span]), zaxis_title=labels["z"],
                                 camera=dict(eye=dict(x=1.5, y=-1.5, z=1.0))))
    fig.alt = _words(res, {**labels, "end": "θ*", "loss": labels["z"]})
    return fig


def cross_sections(xs, cuts: Sequence[np.ndarray], labels: Mapping[str, str | Sequence[str]],
                   height: int = 360) -> spec.Figure:
    """1-D cuts f(α) through θ* (log y): a narrow valley is a sharp minimum, a wide one a flat minimum.

    xs: the positions (n,) shared by every cut, or one array per cut; cuts: each (n,) losses along one
    direction. labels: x, y, lines (one legend name per cut); title optional.
    """
    xs = [xs] * len(cuts) if isinstance(xs, np.ndarray) else list(xs)
    shown = {name: (np.asarray(x, dtype=float), np.minimum(np.asarray(v, dtype=float), LOSS_CAP))
             for name, x, v in zip(labels["lines"], xs, cuts, strict=True)}
    fig = curves(shown, labels.get("title", ""), labels["x"], labels["y"], log_y=True, height=height)
    values = np.concatenate([v[(v > 0) & np.isfinite(v)] for _, v in shown.values()] + [np.ones(0)])
    if values.size and np.log10(values.max() / values.min()) >= 2:
        fig.update_yaxes(dtick=1)  # one label per decade: the minor 2 and 5 labels crowd a short axis
    if values.size:
        fig.add_vline(x=0, line=dict(color="#888", width=1, dash="dot"))
    return _fit(fig)
