"""Generic builders reused by the topic figures: curves, histogram bars, heat maps, small multiples."""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from figures import describe, spec
from figures.theme import DASHES, SPARSE, color, dash as dash_of, figure, grid, symbol


def finite_or_none(values) -> list:
    """Non-finite entries become gaps: a chart never draws NaN or inf."""
    arr = np.asarray(values, dtype=float)
    return [float(v) if np.isfinite(v) else None for v in arr.ravel()]


def drawable(values):
    """Like finite_or_none, for large arrays (a decision map, a heat map): when every value is finite, the array
    itself (float32 kept), which travels as a compact Plotly typed array; building and encoding lists of Python
    floats for an 80×80 map was most of a class's server time. Otherwise lists with None for the gaps (rows for 2-D).
    """
    arr = np.asarray(values)
    arr = arr if arr.dtype in (np.float32, np.float64) else arr.astype(float)
    if np.all(np.isfinite(arr)):
        return arr
    return [finite_or_none(row) for row in arr] if arr.ndim == 2 else finite_or_none(arr)


def curves(series: Mapping[str, tuple[Sequence[float], Sequence[float]]], title: str = "", x_title: str = "",
           y_title: str = "", log_y: bool = False, height: int = 380, dash: Mapping[str,
                                                                                    str] | None = None) -> spec.Figure:
    """One line per named series: {name: (x, y)}, each in its own colour and dash (``dash``: {name: dash} for some,
    the others take the next unused dashes); past six series the lines carry a few markers too, one symbol each.
    The figure's text alternative says where each line starts and ends and its lowest and highest point."""
    fig = figure(title, x_title, y_title, height)
    chosen = dict(dash or {})
    spare = iter([d for d in DASHES if d not in chosen.values()] * 2)
    many = len(series) > len(DASHES)
    for i, (name, (x, y)) in enumerate(series.items()):
        y = np.asarray(y, dtype=float)
        if log_y:  # log axes cannot show zero or negatives: leave a gap instead of a broken chart
            y = np.where(y > 0, y, np.nan)
        style = chosen.get(name) or next(spare, dash_of(i))
        fig.add_trace(spec.scatter(x=finite_or_none(x), y=finite_or_none(y), mode="lines+markers" if many else "lines",
                                   name=name, line=dict(color=color(i), width=2.5, dash=style),
                                   marker=dict(color=color(i), symbol=symbol(i), size=7, maxdisplayed=SPARSE)))
    if log_y:
        fig.update_yaxes(type="log", exponentformat="power")
    fig.alt = describe.Alt(describe.title(title), describe.lines(series, x_title, y_title),
                           table=describe.series_table(series, x_title))
    return fig


def histogram_bars(counts: np.ndarray, edges: np.ndarray, name: str = "", i: int = 0) -> dict:
    """A histogram already counted by np.histogram, drawn as bars (only bins travel to the browser)."""
    widths = np.diff(edges)
    centers = edges[:-1] + widths / 2  # not (a + b) / 2: near the float limit the sum overflows to inf
    return spec.bar(x=centers, y=counts, width=widths, name=name, marker_color=color(i),
                  marker_line_width=0, showlegend=False)


def small_multiples_hist(hists: Sequence[tuple[np.ndarray, np.ndarray]], titles: Sequence[str], cols: int = 5,
                         height_per_row: int = 170, share_y: bool = False, i_color: int = 0,
                         x_title: str = "", *, x_axis: Mapping | None = None, vertical_spacing: float | None = None,
                         blank_rest: bool = False) -> spec.Figure:
    """A grid of histograms (counts, edges), one per layer, ``cols`` to a row, each panel on its own y scale
    (no tick labels: the shapes are compared, not the counts) unless ``share_y``.

    x_axis: properties of every drawn panel's x axis (e.g. one shared ``range``, so a narrowing or saturating
    distribution shows from panel to panel). vertical_spacing: between rows (default 0.12, one row 0.05).
    blank_rest: hide the cells left over in the last row (else they keep empty axes). A panel whose counts
    are all 0 is drawn empty (a page can hide the layer it asks the reader to predict).
    """
    n = len(hists)
    rows = max(1, int(np.ceil(n / cols)))
    if vertical_spacing is None:
        vertical_spacing = 0.12 if rows > 1 else 0.05
    fig = grid(rows, cols, subplot_titles=list(titles), shared_yaxes=share_y,
               horizontal_spacing=0.03, vertical_spacing=vertical_spacing)
    for k in range(rows * cols):
        row, col = k // cols + 1, k % cols + 1
        if k < n:
            counts, edges = hists[k]
            fig.add_trace(histogram_bars(counts, edges, titles[k], i_color), row=row, col=col)
            fig.update_xaxes(row=row, col=col, **(x_axis or {}))
        elif blank_rest:
            fig.update_xaxes(row=row, col=col, visible=False)
            fig.update_yaxes(row=row, col=col, visible=False)
            continue
        fig.update_yaxes(row=row, col=col, showticklabels=False)
    fig.update_layout(height=max(220, rows * height_per_row + 60), bargap=0, margin=dict(l=30, r=10, t=40, b=30))
    if x_title:
        fig.add_annotation(text=x_title, xref="paper", yref="paper", x=0.5, y=-0.08, showarrow=False)
    fig.alt = describe.Alt(describe.histograms(dict(zip(titles, hists)), x_title))
    return fig


def heatmap(z: np.ndarray, x=None, y=None, title: str = "", x_title: str = "", y_title: str = "",
            colorbar_title: str = "", log: bool = False, height: int = 380, colorscale: str = "Viridis") -> spec.Figure:
    """A heat map; with log=True the colour shows log10 of positive values."""
    z = np.asarray(z, dtype=float)
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(z > 0, np.log10(z), np.nan)
    fig = figure(title, x_title, y_title, height)
    fig.add_trace(spec.heatmap(z=[finite_or_none(row) for row in z], x=x, y=y, colorscale=colorscale,
                               colorbar=dict(title=dict(text=colorbar_title))))
    fig.alt = describe.Alt(describe.title(title), describe.heatmap(z, x if x is not None else np.arange(z.shape[1]),
                                                                   y if y is not None else np.arange(z.shape[0]),
                                                                   x_title, y_title, colorbar_title))
    return fig
