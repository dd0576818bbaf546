"""The network view: every unit of a network as a small picture of its activation over the input plane (2-D data) or
a square coloured by its mean activation (digits), the strongest weights between them as links coloured and dashed
by sign and thickened by size; hovering (or tapping) a unit gives its pre-activation with the current numbers for
the chosen input point, its activation and its gradient, hovering a link gives the weight, its gradient and its
last update. One figure, a few traces whatever the size: a picture per layer, one trace of links per sign and
thickness, one of invisible hover targets for the units and one for the links.

    fig = network(view, point=0, labels=words)            # view: lab.playground's NetView (duck-typed: arrays)
    fig = network(view, 0, words, highlight={"layer": 2})  # the narrated step's stops light up part of it
    text = summary(view, 0, words)                        # the sentence of its text alternative (fig.alt)

Arrays in, figure out; never imports the engine or the lab (the view's type only for readers).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from figures import describe, spec
from figures.theme import DIVERGING, color, figure

if TYPE_CHECKING:  # for readers: what ``view`` is
    from lab._network import NetView

_LEVELS = 250
_GAP = 255  # the level of the empty rows between two units' pictures
# The decision map's diverging scale (reversed: class 1 / positive red) over the levels 0.._LEVELS, white beyond
_TILE_SCALE = [[pos * _LEVELS / _GAP, c] for pos, c in reversed([[1 - p, c] for p, c in spec._named_scale(DIVERGING)])] \
    + [[(_LEVELS + 1) / _GAP, "#ffffff"], [1.0, "#ffffff"]]
_WIDTHS = (0.7, 1.5, 2.6, 4.0)  # link widths by |w| quarter of the layer's strongest
_OPACITY = (0.35, 0.55, 0.75, 0.95)  # the faint ones fainter: the strong weights stand out
_POS, _NEG = color(0), color(3)  # positive weights blue and solid, negative vermillion and dashed
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _rows(n: int, tallest: int) -> np.ndarray:
    """y of each of n units: centred on 0, one apart, the first at the top."""
    return (n - 1) / 2 - np.arange(n) if n else np.zeros(0)


PLOT_WIDTH = 340  # px: about what the page gives the view (beside the map at 1366 px); tiles are square at it


def height_for(sizes) -> int:
    """The figure's height for a network of layer sizes ``sizes``: 24 px a unit of its widest layer, bounded."""
    return int(np.clip(150 + 24 * max(sizes[1:]), 400, 960))


def network(view: "NetView", point: int, labels: Mapping[str, str], highlight: Mapping | None = None,
            height: int | None = None) -> spec.Figure:
    """The network view of ``view`` with the numbers of chosen input point ``point``.

    labels: title; layers (one column name per layer, inputs first); acts (each dense layer's activation name);
    pos, neg (the two kinds of link, for the legend); unit_hidden, unit_output, unit_z, unit_rest, unit_a, unit_grad
    (the lines of a unit's hover, str.format templates); link_hover, input_hover (Plotly hover templates, see below);
    shown (a note on the links drawn: {shown} of {total}).
    highlight: {"layer": l} lights up the units of layer l (0 = inputs), {"links": l} the weights into layer l,
    {"back": True} draws the highlight dotted (the gradient's way back); the other links are dimmed then.

    Hover templates get, per link: customdata [0, from, to, w, grad, update] and meta [the layer it goes into]; per
    input: [input, value]; per unit: [unit, z, a, delta, b, rest, w1, a1, w2, a2, ..., class] (``_unit_template``).
    The links are drawn on the axes x/y, the units' pictures and the hover targets on x2/y2 laid exactly over them
    (a second pair of axes is drawn above the first: a heatmap would otherwise go under every line).
    """
    sizes = list(view.sizes)
    n_cols = len(sizes)
    tallest = max(sizes[1:])
    height = height or height_for(sizes)
    unit_px = (height - 130) / max(tallest, 1)  # the plot area's height per unit
    th = 0.8
    tw = float(np.clip(th * unit_px / (PLOT_WIDTH / n_cols), 0.04, 0.4))  # a square picture at PLOT_WIDTH
    ys = [_rows(n, tallest) for n in sizes]
    if sizes[0] > tallest:  # many inputs (the digits' 64 pixels): squeezed into the widest layer's height
        ys[0] = ys[0] * (tallest - 1) / (sizes[0] - 1)
    light = dict(highlight or {})
    shown = sum(len(links.w) for links in view.links)
    total = sum(links.total for links in view.links)
    title = labels.get("title", "")
    if shown < total:
        note = labels["shown"].format(shown=f"{shown:,}", total=f"{total:,}")
        title += f"<br><sup>{note}</sup>"
    fig = figure(title, height=height)
    over = dict(xaxis="x2", yaxis="y2")
    # ---- links: one trace per sign and thickness (thin ones fainter); with a highlight, the weights into the
    # highlighted layer stay bright and the others are dimmed
    legend = set()
    for pos_sign, colour, dash, name in ((True, _POS, "solid", labels["pos"]), (False, _NEG, "dash", labels["neg"])):
        for lit in ((True, False) if light else (True,)):
            for b, width in enumerate(_WIDTHS):
                xe, ye = [], []
                for layer, links in enumerate(view.links, start=1):
                    if light and (light.get("links") == layer) != lit:
                        continue
                    w = np.asarray(links.w, float)
                    finite = np.abs(w[np.isfinite(w)])
                    strongest = float(finite.max()) if finite.size else 0.0
                    with np.errstate(all="ignore"):  # a diverged network's weights: no link drawn, no warning
                        bins = np.minimum(np.nan_to_num(np.abs(w) / strongest * len(_WIDTHS)).astype(int),
                                          len(_WIDTHS) - 1) if strongest > 0 else np.zeros(w.size, int)
                    for k in np.flatnonzero((bins == b) & ((w >= 0) == pos_sign) & np.isfinite(w)):
                        i, j = int(links.src[k]), int(links.dst[k])
                        xe += [round(layer - 1 + tw / 2, 4), round(layer - tw / 2, 4), None]
                        ye += [float(ys[layer - 1][i]), float(ys[layer][j]), None]
                if xe:
                    fig.add_trace(spec.scatter(
                        x=xe, y=ye, mode="lines", hoverinfo="skip", name=name, legendgroup=name, showlegend=False,
                        opacity=_OPACITY[b] if lit else 0.12, line=dict(color=colour, width=width, dash=dash)))
                    legend.add(name)
        if name in legend:  # the legend's sample: a line of middle width, the colour and the dash of the sign
            fig.add_trace(spec.scatter(x=[None], y=[None], mode="lines", name=name, legendgroup=name,
                                       line=dict(color=colour, width=2.5, dash=dash)))
    # ---- the units' pictures: one heatmap per layer, each unit a block of rows (the gaps a level drawn white)
    box = max(4, min(26, int(unit_px * th)))  # a unit's square in px, where it has no picture
    for layer, units in enumerate(view.units, start=1):
        n = sizes[layer]
        if units.tiles is not None:
            g = units.tiles.shape[-1]
            gap = max(1, round(g * (1 - th) / th))
            z = np.full((n * (g + gap) - gap, g), _GAP, np.uint8)
            for k in range(n):  # unit k's picture, the plane's top row first, from the top of the column down
                z[k * (g + gap):k * (g + gap) + g] = units.tiles[k][::-1]
            dy = 1.0 / (g + gap)
            fig.add_trace(spec.heatmap(z=z[::-1], x0=layer - tw / 2 + tw / g / 2, dx=tw / g, zmin=0, zmax=_GAP,
                                       y0=float(ys[layer][-1]) - th / 2 + dy / 2, dy=dy, colorscale=_TILE_SCALE,
                                       showscale=False, hoverinfo="skip", zsmooth=False, **over))
        else:  # no plane: a square per unit, coloured by its mean activation (symmetric scale per layer)
            m = np.nan_to_num(np.asarray(units.mean, float))
            top = float(np.max(np.abs(m))) or 1.0
            fig.add_trace(spec.scatter(x=np.full(n, float(layer)), y=ys[layer], mode="markers", hoverinfo="skip",
                                       showlegend=False, marker=dict(
                                           symbol="square", size=box, color=(m / top + 1) / 2 * _LEVELS, cmin=0,
                                           cmax=_LEVELS, colorscale=_TILE_SCALE[:-2] + [[1.0, _TILE_SCALE[-3][1]]],
                                           line=dict(width=0.5, color="#777")), **over))
    fig.add_trace(spec.scatter(x=np.zeros(sizes[0]), y=ys[0], mode="markers", hoverinfo="skip", showlegend=False,
                               marker=dict(symbol="square", size=min(box, 16), color="#d9d9d9",
                                           line=dict(width=1, color="#777")), **over))
    # ---- highlight boxes (the narrated step)
    for key in ("layer", "links"):
        if key in light:
            col = int(light[key])
            left, right = (col - tw, col + tw) if key == "layer" else (col - 1 + tw / 2, col - tw / 2)
            top = float(ys[col][0] if key == "layer" else max(ys[col - 1][0], ys[col][0])) + 0.6
            fig.add_shape(type="rect", x0=left, x1=right, y0=-top, y1=top, layer="below", line=dict(
                color=color(4), width=3, dash="dot" if light.get("back") else "solid"),
                fillcolor="rgba(204,121,167,0.15)")
    # ---- hover targets: invisible markers on the units, the inputs and the links' midpoints
    p = int(point)
    invisible = dict(opacity=0)
    for layer, units in enumerate(view.units, start=1):  # one trace a layer: its template, the numbers per unit
        n = sizes[layer]
        terms = min(sizes[layer - 1], units.term_i.shape[-1])
        data = np.column_stack([np.arange(1, n + 1), units.z[p], units.a[p], units.delta[p], units.bias, units.rest[p],
                                *[col for t in range(terms) for col in (units.term_w[p, :, t], units.term_a[p, :, t])],
                                np.arange(n)])  # (the class an output unit answers)
        fig.add_trace(spec.scatter(x=np.full(n, float(layer)), y=ys[layer], mode="markers", showlegend=False,
                                   name=f"units {layer}", customdata=_rounded(data),
                                   hovertemplate=_unit_template(view, layer, terms, labels) + "<extra></extra>",
                                   marker=dict(size=box + 4, symbol="square", **invisible), **over))
    for layer, links in enumerate(view.links, start=1):
        src, dst = np.asarray(links.src, int), np.asarray(links.dst, int)
        data = np.stack([src + 1, dst + 1, links.w, links.grad, links.update], axis=1).astype(np.float64)
        fig.add_trace(spec.scatter(x=np.full(len(src), layer - 0.5), y=(ys[layer - 1][src] + ys[layer][dst]) / 2,
                                   mode="markers", showlegend=False, name=f"links {layer}", meta=[labels["layers"][layer]],
                                   customdata=_rounded(np.column_stack([np.zeros(len(src)), data])),
                                   hovertemplate=labels["link_hover"] + "<extra></extra>",
                                   marker=dict(size=9, **invisible), **over))
    inputs = np.asarray(view.points, float)[p]
    fig.add_trace(spec.scatter(x=np.zeros(sizes[0]), y=ys[0], mode="markers", showlegend=False, name="inputs",
                               customdata=[[i + 1, float(v)] for i, v in enumerate(inputs)],
                               hovertemplate=labels["input_hover"] + "<extra></extra>",
                               marker=dict(size=box + 4, symbol="square", **invisible), **over))
    x_range, y_range = [-0.5, n_cols - 0.5], [-(tallest / 2 + 0.1), tallest / 2 + 0.1]
    fig.update_layout(
        xaxis=dict(tickvals=list(range(n_cols)), ticktext=list(labels["layers"]), showgrid=False, zeroline=False,
                   range=x_range, fixedrange=True, ticks="", showline=False),
        yaxis=dict(visible=False, range=y_range, fixedrange=True),
        xaxis2=dict(overlaying="x", range=x_range, visible=False, fixedrange=True),
        yaxis2=dict(overlaying="y", range=y_range, visible=False, fixedrange=True),
        margin=dict(l=10, r=10, t=70 if shown < total else 50, b=70), hovermode="closest", dragmode=False,
        hoverlabel=dict(bgcolor="white", bordercolor="#555", font=dict(color="#222"), align="left"),
        legend=dict(orientation="h", x=0.5, xanchor="center", y=0.01, yanchor="bottom", yref="container",
                    font_size=12))
    # its text alternative, from the same arrays (figures/describe.py): the network's shape, its strongest weight,
    # its answer for the chosen point
    fig.alt = describe.Alt(describe.title(labels.get("title", "")), describe.text(summary(view, p, labels)))
    return fig


def _rounded(data: np.ndarray):
    """Rows of numbers for hover templates: a float32 typed array (binary, a quarter of the text's size) when all are
    finite, else rows of numbers at 5 significant digits with None for the others."""
    data = np.asarray(data, float)
    if np.all(np.isfinite(data)):
        return data.astype(np.float32)
    return [[float(f"{v:.5g}") if np.isfinite(v) else None for v in row] for row in data]


def _unit_template(view, layer: int, terms: int, labels: Mapping) -> str:
    """A layer's units' hover (a Plotly template over customdata [unit, z, a, delta, b, rest, w1, a1, w2, a2, ...,
    class]):
    z as the sum of its largest terms w·a (the others summed) and b, its activation, its gradient."""
    n_in, output = view.sizes[layer - 1], layer == len(view.units)

    def num(k: int, fmt: str = ".3g") -> str:
        return f"%{{customdata[{k}]:{fmt}}}"

    summed = " + ".join(f"{num(6 + 2 * t)}·{num(7 + 2 * t)}" for t in range(terms))
    if n_in > terms:
        summed += " + " + labels["unit_rest"].format(rest=num(5), n=n_in - terms)
    # output unit k answers class k - 1: the class is the row's last number
    title = labels["unit_output"].format(unit=num(0, "d"), c=num(6 + 2 * terms, "d")) if output else \
        labels["unit_hidden"].format(layer=layer, unit=num(0, "d"))
    arg = "BN(z)" if view.batchnorm and not output else "z"
    return "<br>".join([title, labels["unit_z"].format(terms=summed, b=num(4), z=num(1)),
                        labels["unit_a"].format(act=labels["acts"][layer - 1], arg=arg, a=num(2)),
                        labels["unit_grad"].format(delta=num(3))])


def summary(view: "NetView", point: int, labels: Mapping[str, str]) -> str:
    """The network view in words, from the same arrays (the chart's text alternative): its shape, its strongest
    weight and what the network outputs for the chosen point.

    labels: summary (a template over {shape}, {step}, {w}, {src}, {dst}, {into}, {point}, {out}, {p}), layers."""
    sizes = list(view.sizes)
    best = (0.0, 1, 1, 1)
    for layer, links in enumerate(view.links, start=1):
        if len(links.w):
            k = int(np.nanargmax(np.abs(links.w)))
            if abs(float(links.w[k])) >= abs(best[0]):
                best = (float(links.w[k]), int(links.src[k]) + 1, int(links.dst[k]) + 1, layer)
    out = np.asarray(view.units[-1].a, float)[int(point)]
    point_text = ", ".join(f"{v:.2f}" for v in np.asarray(view.points, float)[int(point)][:4])
    return labels["summary"].format(
        shape=" → ".join(str(s) for s in sizes), step=view.step, w=f"{best[0]:+.3g}", src=best[1], dst=best[2],
        into=labels["layers"][best[3]], point=point_text + (" …" if sizes[0] > 4 else ""), out=int(np.argmax(out)),
        p=f"{float(np.max(out)):.2f}")
