"""Plotly figures written directly as JSON-ready dicts: the small part of the `plotly.graph_objects` API we use.

Why not `go.Figure`: it validates every property on every call. A six-line chart costs ~11 ms to build that
way and ~0.1 ms as dicts; with thirty students rerunning pages on one server, Plotly held the GIL a third of
the time (py-spy --gil under `bench/load.py`; `update_layout` alone 20 %). The schema check still happens, once, in the tests:
`tests/apptest_util.invalid_charts` feeds every chart a page draws through `go.Figure`.

Usage mirrors Plotly so the builders read the same:

    fig = Figure(layout=dict(height=300))
    fig.add_trace(scatter(x=[0, 1], y=[1, 0], mode="lines", line_color="#0072B2"))
    fig.update_yaxes(type="log")
    fig.to_dict()   # {"data": [...], "layout": {...}}: what Streamlit serializes

Keyword names use Plotly's "magic underscores" (``marker_line_width=0`` is ``marker.line.width``) and a bare
string for a ``title`` becomes ``{"text": ...}``, as Plotly does.
"""
from __future__ import annotations

import base64
from functools import lru_cache, partial
from typing import Any

import numpy as np
from plotly.colors import get_colorscale

# Property names that contain an underscore themselves (everything else splits at "_").
_ATOMIC = frozenset({"paper_bgcolor", "plot_bgcolor", "error_x", "error_y"})
# Plotly.js typed arrays: compact base64 for numeric arrays (what Plotly's own validators send).
_TYPED = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4", "uint32": "u4",
          "float32": "f4", "float64": "f8"}
# Colour-scale names resolve in Python as Plotly's validators do (plotly.js has its own, different "RdBu", "Greys").
_SCALES = frozenset({"colorscale", "sequential", "sequentialminus", "diverging"})
# The font size make_subplots gives subplot titles.
_SUBPLOT_TITLE_SIZE = 16


def _path(key: str) -> list[str]:
    """'marker_line_width' -> ['marker', 'line', 'width']; 'paper_bgcolor' stays whole."""
    parts, out, i = key.split("_"), [], 0
    while i < len(parts):
        if i + 1 < len(parts) and f"{parts[i]}_{parts[i + 1]}" in _ATOMIC:
            out.append(f"{parts[i]}_{parts[i + 1]}")
            i += 2
        else:
            out.append(parts[i])
            i += 1
    return out


def _put(target: dict, key: str, value: Any) -> None:
    """Set target[key] (magic underscores expanded), merging dicts into what is already there."""
    *parents, leaf = _path(key)
    node = target
    for name in parents:
        node = node.setdefault(name, {})
        if isinstance(node, str) and name == "title":  # title="x" then title_font=... : keep the text
            node = {"text": node}
    if leaf == "title" and isinstance(value, str):
        value = {"text": value}
    elif leaf in _SCALES and isinstance(value, str):
        value = _named_scale(value)
    if isinstance(value, dict):
        merged = node.get(leaf) if isinstance(node.get(leaf), dict) else {}
        for k, v in value.items():
            _put(merged, k, v)
        node[leaf] = merged
    elif isinstance(value, (list, tuple)) and value and isinstance(value[0], dict):
        node[leaf] = [expand(v) for v in value]
    else:
        node[leaf] = value


@lru_cache(maxsize=64)
def _named_scale(name: str) -> list:
    return [list(pair) for pair in get_colorscale(name)]


def expand(props: dict) -> dict:
    """A new dict with every magic-underscore key (at any depth) spelled out as nested dicts."""
    out: dict = {}
    for k, v in props.items():
        _put(out, k, v)
    return out


def trace(kind: str, **props) -> dict:
    """One trace: trace('scatter', x=..., y=..., line_width=2)."""
    return expand({"type": kind, **props})


# The trace types the lab draws: scatter(x=..., y=...) is trace("scatter", x=..., y=...).
scatter = partial(trace, "scatter")
bar = partial(trace, "bar")
heatmap = partial(trace, "heatmap")
contour = partial(trace, "contour")
surface = partial(trace, "surface")
scatter3d = partial(trace, "scatter3d")


def encode(value: Any) -> Any:
    """JSON-ready copy: numeric NumPy arrays become Plotly typed arrays, NumPy scalars plain numbers."""
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value] if value and isinstance(value[0], (dict, np.ndarray, list)) else list(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iu" and value.dtype.itemsize == 8:  # plotly.js has no 64-bit integers
            value = value.astype(_smallest_int(value))
        code = _TYPED.get(str(value.dtype))
        if code is None or value.size == 0:
            return value.tolist()
        spec = {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(value)).decode("ascii")}
        if value.ndim > 1:
            spec["shape"] = ", ".join(str(n) for n in value.shape)
        return spec
    if isinstance(value, np.generic):
        return value.item()
    return value


def _smallest_int(values: np.ndarray):
    """The narrowest integer type holding every value (as Plotly does: shorter base64)."""
    lo, hi = (int(values.min()), int(values.max())) if values.size else (0, 0)
    for kind in (np.int8, np.int16, np.int32):
        if np.iinfo(kind).min <= lo and hi <= np.iinfo(kind).max:
            return kind
    return np.float64


class Figure:
    """Traces and a layout as plain dicts; optionally a rows x cols grid of subplots (see `subplots`)."""

    def __init__(self, layout: dict | None = None):
        self.data: list[dict] = []
        self.layout: dict = expand(layout or {})
        self.frames: list | None = None
        self._grid: tuple[int, int] | None = None
        self.alt = None  # the chart's text alternative (figures.describe.Alt), set by its builder
        # idempotent last touches applied by to_dict, once every trace is in (figures.theme: readable log axes), so
        # a page and a notebook drawing the same builder get the same figure
        self.finishers: list = []

    # --- traces -------------------------------------------------------------------------------------
    def add_trace(self, trace: dict, row: int | None = None, col: int | None = None) -> "Figure":
        if row is not None and col is not None:
            n = self._cell(row, col)
            trace["xaxis"], trace["yaxis"] = _ref("x", n), _ref("y", n)
        self.data.append(trace)
        return self

    def update_traces(self, selector: dict | None = None, **props) -> "Figure":
        for tr in self.data:
            if all(tr.get(k, "scatter" if k == "type" else None) == v for k, v in (selector or {}).items()):
                for k, v in props.items():
                    _put(tr, k, v)
        return self

    # --- layout -------------------------------------------------------------------------------------
    def update_layout(self, props: dict | None = None, **more) -> "Figure":
        for k, v in {**(props or {}), **more}.items():
            _put(self.layout, k, v)
        return self

    def update_xaxes(self, row: int | None = None, col: int | None = None, **props) -> "Figure":
        return self._update_axes("x", row, col, props)

    def update_yaxes(self, row: int | None = None, col: int | None = None, **props) -> "Figure":
        return self._update_axes("y", row, col, props)

    def add_annotation(self, row: int | None = None, col: int | None = None, **props) -> "Figure":
        return self._add_item("annotations", row, col, props)

    def update_annotations(self, **props) -> "Figure":
        for ann in self.layout.get("annotations", []):
            for k, v in props.items():
                _put(ann, k, v)
        return self

    def add_shape(self, row: int | None = None, col: int | None = None, **props) -> "Figure":
        return self._add_item("shapes", row, col, props)

    def _add_item(self, kind: str, row, col, props: dict) -> "Figure":
        """An annotation or shape; with a cell, its axis references point at that subplot."""
        item = expand(props)
        if row is not None and col is not None:
            _to_cell(item, self._cell(row, col))
        self.layout.setdefault(kind, []).append(item)
        return self

    def add_hline(self, y: float, row=None, col=None, annotation_text: str | None = None,
                  annotation_position: str = "top right", annotation: dict | None = None, **line) -> "Figure":
        """A horizontal line across the plot (x in axis-domain units), like Plotly's add_hline."""
        self.add_shape(row, col, type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y, **line)
        if annotation_text is not None:
            vertical, horizontal = _position(annotation_position, "top", "right")
            x = {"left": 0, "center": 0.5, "right": 1}[horizontal]
            self.add_annotation(row, col, text=annotation_text, showarrow=False, xref="x domain", x=x,
                                xanchor=horizontal, yref="y", y=y,
                                yanchor="bottom" if vertical == "top" else "top", **(annotation or {}))
        return self

    def add_vline(self, x: float, row=None, col=None, annotation_text: str | None = None,
                  annotation_position: str = "top right", annotation: dict | None = None, **line) -> "Figure":
        """A vertical line over the plot's height, like Plotly's add_vline."""
        self.add_shape(row, col, type="line", yref="y domain", y0=0, y1=1, xref="x", x0=x, x1=x, **line)
        if annotation_text is not None:
            self._line_note(x, x, row, col, annotation_text, annotation_position, annotation)
        return self

    def add_vrect(self, x0: float, x1: float, row=None, col=None, annotation_text: str | None = None,
                  annotation_position: str = "top left", annotation: dict | None = None, **props) -> "Figure":
        """A band between x0 and x1 over the plot's height."""
        self.add_shape(row, col, type="rect", yref="y domain", y0=0, y1=1, xref="x", x0=x0, x1=x1, **props)
        if annotation_text is not None:
            self._line_note(x0, x1, row, col, annotation_text, annotation_position, annotation)
        return self

    def _line_note(self, x0, x1, row, col, text, position, extra) -> None:
        vertical, horizontal = _position(position, "top", "right")
        x = {"left": x0, "center": (x0 + x1) / 2, "right": x1}[horizontal]
        self.add_annotation(row, col, text=text, showarrow=False, xref="x", x=x,
                            xanchor={"left": "right", "right": "left", "center": "center"}[horizontal]
                            if x0 == x1 else horizontal,
                            yref="y domain", y={"top": 1, "middle": 0.5, "bottom": 0}[vertical],
                            yanchor=vertical if vertical != "middle" else "middle", **(extra or {}))

    # --- subplots -----------------------------------------------------------------------------------
    def _cell(self, row: int, col: int) -> int:
        if self._grid is None:
            raise ValueError("row/col given but the figure has no subplot grid (use subplots())")
        rows, cols = self._grid
        if not (1 <= row <= rows and 1 <= col <= cols):
            raise ValueError(f"cell ({row}, {col}) is outside the {rows} x {cols} grid")
        return (row - 1) * cols + col

    def _update_axes(self, axis: str, row, col, props: dict) -> "Figure":
        if row is not None or col is not None:
            rows, cols = self._grid or (1, 1)
            cells = [self._cell(r, c) for r in range(1, rows + 1) for c in range(1, cols + 1)
                     if (row is None or r == row) and (col is None or c == col)]
            names = [_axis_name(axis, n) for n in cells]
        else:
            names = [k for k in self.layout if k == f"{axis}axis" or (k.startswith(f"{axis}axis") and k[5:].isdigit())]
            names = names or [f"{axis}axis"]
        for name in names:
            for k, v in props.items():
                _put(self.layout.setdefault(name, {}), k, v)
        return self

    def has_data(self) -> bool:
        """True when some trace has at least one value to draw (an empty chart gets a hint instead)."""
        for tr in self.data:
            for key in ("x", "y", "z"):
                values = tr.get(key)
                if values is not None and len(values):
                    return True
        return False

    # --- output -------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        for finish in self.finishers:
            finish(self)
        out = {"data": encode(self.data), "layout": encode(self.layout)}
        if self.frames:
            out["frames"] = encode(self.frames)
        return out

    def show(self, renderer: str | None = None, **kwargs) -> None:
        """Display the figure as ``go.Figure.show`` does (Jupyter, VS Code, Colab, or a browser tab from a script),
        through ``plotly.io.show``: a lesson's notebook draws its chart with the page's own builder."""
        import plotly.io as pio  # imported on use: the app itself never shows a figure this way

        pio.show(self.to_dict(), renderer=renderer, **kwargs)


def _to_cell(item: dict, n: int) -> None:
    """Point a shape's or annotation's axis references ('x', 'x domain', ...) at subplot cell n."""
    for axis in ("x", "y"):
        ref = item.get(f"{axis}ref", axis)
        if ref != "paper":
            item[f"{axis}ref"] = _ref(axis, n) + ref[1:]


def _ref(axis: str, n: int) -> str:
    return axis if n == 1 else f"{axis}{n}"


def _axis_name(axis: str, n: int) -> str:
    return f"{axis}axis" if n == 1 else f"{axis}axis{n}"


def _position(text: str, vertical: str, horizontal: str) -> tuple[str, str]:
    """'top right' / 'bottom left' / 'right' -> (vertical, horizontal) with defaults for the missing half."""
    for word in text.split():
        if word in ("top", "bottom", "middle"):
            vertical = word
        elif word in ("left", "right", "center"):
            horizontal = word
    return vertical, horizontal


def _domains(n: int, spacing: float) -> list[tuple[float, float]]:
    """n equal cells with ``spacing`` between them, as (start, end) fractions of the paper."""
    size = (1.0 - spacing * (n - 1)) / n
    return [(k * (size + spacing), min(1.0, k * (size + spacing) + size)) for k in range(n)]


def subplots(rows: int = 1, cols: int = 1, subplot_titles=None, horizontal_spacing: float | None = None,
             vertical_spacing: float | None = None, shared_yaxes: bool = False) -> Figure:
    """A rows x cols grid like Plotly's make_subplots (row 1 on top), titles as annotations over each cell."""
    fig = Figure()
    fig._grid = (rows, cols)
    h = 0.2 / cols if horizontal_spacing is None else horizontal_spacing
    v = (0.5 if subplot_titles else 0.3) / rows if vertical_spacing is None else vertical_spacing  # Plotly's defaults
    x_dom = _domains(cols, h)
    y_dom = _domains(rows, v)[::-1]
    titles = list(subplot_titles or [])
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            n = (r - 1) * cols + c
            xa = fig.layout.setdefault(_axis_name("x", n), {})
            ya = fig.layout.setdefault(_axis_name("y", n), {})
            xa.update(domain=list(x_dom[c - 1]), anchor=_ref("y", n))
            ya.update(domain=list(y_dom[r - 1]), anchor=_ref("x", n))
            if shared_yaxes and c > 1:
                ya.update(matches=_ref("y", (r - 1) * cols + 1), showticklabels=False)
            if n <= len(titles) and titles[n - 1]:
                fig.layout.setdefault("annotations", []).append(dict(
                    text=titles[n - 1], showarrow=False, xref="paper", yref="paper",
                    x=(x_dom[c - 1][0] + x_dom[c - 1][1]) / 2, y=y_dom[r - 1][1],
                    xanchor="center", yanchor="bottom", font=dict(size=_SUBPLOT_TITLE_SIZE)))
    return fig
