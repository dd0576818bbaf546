"""One look for every chart: a Plotly template (sent inside each figure), the Okabe-Ito colorblind-safe palette
(darkened where needed so every mark stands out from the white plot at 3:1, WCAG 2.2's non-text contrast), and one
cycle of dashes and marker symbols, so series never differ by colour alone."""
from __future__ import annotations

import numpy as np

from figures.spec import Figure, expand, subplots

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies. Their orange, reddish purple, sky
# blue and yellow (#E69F00, #CC79A7, #56B4E9, #F0E442: 1.3-3.1:1 on white) are darkened in the same hue to >= 3.3:1
# (tests/test_a11y_app.py checks every colour against the background).
PALETTE = ("#0072B2", "#B77A00", "#009E73", "#D55E00", "#B8609A", "#2A8FC7", "#8C8000", "#000000")
# The second code beside colour (WCAG 1.4.1): series i is drawn with DASHES[i] and SYMBOLS[i] (figures.theme.series)
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down")
# Bars of a group: PATTERNS[i] as their fill (the first plain)
PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|")
# Greys for marks that must still read at 3:1 on white (WCAG 1.4.11), and for text at 4.5:1 (1.4.3)
MARK_GREY = "#767676"
TEXT_GREY = "#595959"
SEQUENTIAL = "Viridis"  # perceptually uniform, also readable in grey
DIVERGING = "RdBu"
FONT = "Noto Sans, Noto Sans CJK KR, Arial, sans-serif"
BASE_FONT_SIZE = 14
PRESENTER_FONT_SIZE = 20

# A plotly.js template object: layout defaults every figure starts from (`layout.template`).
TEMPLATE = expand(dict(
    layout=dict(
        colorway=list(PALETTE),
        font=dict(family=FONT, size=BASE_FONT_SIZE, color="#222"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=60, r=20, t=50, b=50),
        # automargin and a standoff keep axis titles off the tick labels at presenter sizes
        xaxis=dict(showgrid=True, gridcolor="#e6e6e6", zeroline=False, linecolor="#888", ticks="outside",
                   automargin=True, title=dict(standoff=8)),
        yaxis=dict(showgrid=True, gridcolor="#e6e6e6", zeroline=False, linecolor="#888", ticks="outside",
                   automargin=True, title=dict(standoff=10)),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hoverlabel=dict(font_size=13),
        colorscale=dict(sequential=SEQUENTIAL),
    )
))


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def dash(i: int) -> str:
    return DASHES[i % len(DASHES)]


def symbol(i: int) -> str:
    return SYMBOLS[i % len(SYMBOLS)]


def pattern(i: int) -> dict:
    """A bar series' fill pattern (``marker_pattern``): none for the first, hatches after."""
    return {"shape": PATTERNS[i % len(PATTERNS)], "solidity": 0.35, "fgcolor": "white"}


def line(i: int, width: float = 2.5, **more) -> dict:
    """The line of series i: its colour and its dash."""
    return dict(color=color(i), width=width, dash=dash(i), **more)


def marks(i: int, size: float = 7, **more) -> dict:
    """The markers of series i: its colour and its symbol."""
    return dict(color=color(i), size=size, symbol=symbol(i), **more)


# Markers on a long line: a few of them, enough to tell the series apart where the lines cross or overlap
SPARSE = 12

def figure(title: str = "", x_title: str = "", y_title: str = "", height: int = 380) -> Figure:
    """An empty figure in the house style (its log axes get full-size labels when it is drawn: readable_log_axes)."""
    fig = Figure(dict(template=TEMPLATE, title=dict(text=title), height=height,
                      xaxis_title=x_title, yaxis_title=y_title))
    fig.finishers.append(readable_log_axes)
    return fig


def grid(rows: int = 1, cols: int = 1, **kwargs) -> Figure:
    """An empty rows x cols grid of subplots in the house style (keywords as `figures.spec.subplots`)."""
    fig = subplots(rows, cols, **kwargs)
    fig.update_layout(template=TEMPLATE)
    fig.finishers.append(readable_log_axes)
    return fig


def _bigger(container: dict, key: str, size: int) -> None:
    """container[key] is a font dict: raise its size to at least ``size`` (keep a larger one)."""
    font = container.setdefault(key, {})
    if isinstance(font, dict):
        font["size"] = max(int(font.get("size") or 0), size)


def _axis_values(fig: Figure, name: str) -> np.ndarray:
    """The positive finite values the traces draw on axis ``name`` ("xaxis", "yaxis2", ...)."""
    letter, number = name[0], name[5:]
    ref = letter + number  # "y", "y2", ...
    values = []
    for trace in fig.data:
        if trace.get(f"{letter}axis", letter) == ref and letter in trace:
            try:
                arr = np.asarray(trace[letter], dtype=float).ravel()
            except (TypeError, ValueError):
                continue
            values.append(arr[np.isfinite(arr) & (arr > 0)])
    return np.concatenate(values) if values else np.array([])


_MANTISSAS = (1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9)


def readable_log_axes(fig: Figure) -> Figure:
    """Log axes labelled in full-size text only. Plotly labels the values between two powers of ten at 3/4 size
    (10.5 px at the base 14 px: under the 12 px a phone needs): an axis over a decade or more is labelled at powers
    of ten (every k-th past 8 of them), a shorter one at a few round values. Axes a builder labelled itself
    (tickvals, or a dtick in decades) keep their labels."""
    for name, axis in list(fig.layout.items()):
        if not (isinstance(axis, dict) and name.startswith(("xaxis", "yaxis")) and axis.get("type") == "log"):
            continue
        if "tickvals" in axis or ("dtick" in axis and not str(axis["dtick"]).startswith("D")):
            continue  # labelled by its builder ("D1"/"D2" ask for the small in-between labels: replaced)
        axis.pop("dtick", None)
        found = _axis_values(fig, name)
        if not found.size:  # nothing drawn yet: Plotly's default log range has crowded labels (the playground's)
            axis.setdefault("range", [-1, 1])
            axis["dtick"] = 1
            continue
        lo, hi = float(found.min()), float(found.max())
        span = float(np.log10(hi / lo)) if lo > 0 else 0.0
        if span >= 1:
            axis["dtick"] = max(1, int(np.ceil(span / 8)))
            continue
        decades = range(int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi))) + 1)
        ticks = [m * 10.0 ** k for k in decades for m in _MANTISSAS if lo <= m * 10.0 ** k <= hi]
        while len(ticks) > 6:
            ticks = ticks[::2]
        if len(ticks) < 2:
            ticks = [lo, hi]
        axis.update(tickvals=ticks, ticktext=[f"{v:.3g}" for v in ticks])
    return fig


def presenter(fig: Figure) -> Figure:
    """Projection sizes, readable from the back row: every tick label, legend, axis title, annotation, colour bar,
    slider and button text at least PRESENTER_FONT_SIZE (20 px; titles larger), thicker lines (log axes carry
    full-size labels only: ``readable_log_axes``, applied to every chart)."""
    size = PRESENTER_FONT_SIZE
    layout = fig.layout
    fig.update_layout(font_size=size, title_font_size=size + 4)
    for name, axis in list(layout.items()):
        if isinstance(axis, dict) and (name.startswith(("xaxis", "yaxis")) or name in ("scene",)):
            targets = [axis] if name != "scene" else [axis.setdefault(k, {}) for k in ("xaxis", "yaxis", "zaxis")]
            for ax in targets:
                _bigger(ax, "tickfont", size)
                ax.setdefault("title", {})
                if isinstance(ax["title"], dict):
                    _bigger(ax["title"], "font", size)

    _bigger(layout.setdefault("legend", {}), "font", size)
    for note in layout.get("annotations", []):
        _bigger(note, "font", size)
    for menu in layout.get("updatemenus", []):
        _bigger(menu, "font", size)
        menu["pad"] = {"l": 10, "r": 10, "t": 10, "b": 10}
    for slider in layout.get("sliders", []):
        _bigger(slider, "font", size)
        _bigger(slider.setdefault("currentvalue", {}), "font", size)
    _bigger(layout.setdefault("hoverlabel", {}), "font", size)
    for trace in fig.data:
        colorbar = trace.get("colorbar")
        if isinstance(colorbar, dict):
            _bigger(colorbar, "tickfont", size)
            colorbar.setdefault("title", {})
            if isinstance(colorbar["title"], dict):
                _bigger(colorbar["title"], "font", size)
        if "texttemplate" in trace or "text" in trace and trace.get("type") == "heatmap":
            _bigger(trace, "textfont", size)
    fig.update_traces(selector=dict(type="scatter", mode="lines"), line_width=3.5)
    return fig
