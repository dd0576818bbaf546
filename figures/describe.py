"""Text alternatives of charts, written from the arrays the chart draws (WCAG 1.1.1: a screen reader hears what the
picture shows: what is plotted and the numbers that matter).

A builder describes its figure as it builds it, from the same arrays: ``fig.alt = describe.Alt(...)`` made of
sentences such as ``describe.lines(...)``. A sentence is a template name and its fields; the fields are the builder's
own words (titles, axis and series names from its ``labels``, already in the page's language) and numbers. The
templates are words too, so they live in the text catalog (``common.alt_<name>``, one per language): ``render``
joins them, given the catalog's templates. ``Alt.table`` holds the numbers behind the chart (the page's "Show the
numbers" table): column headers and values, a header being a builder's word or a ``Word`` of the catalog.

    fig.alt = describe.Alt(describe.title(labels["title"]),
                           *describe.lines({"measured": (layers, norms)}, labels["x"], labels["y"]))
    describe.render(fig.alt, {"line": "{name}: from {first} …", ...})   # the page's words
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

MAX_ITEMS = 16       # values named one by one before "…"
MAX_TABLE_ROWS = 25  # rows of a "Show the numbers" table (a longer series is sampled evenly, its last row kept)
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Word:
    """A word of the catalog (``common.alt_<key>``) used as a table header."""
    key: str


@dataclass
class Alt:
    """A chart's text alternative: sentences (template name, fields) and the numbers behind it."""
    parts: list[tuple[str, dict]] = field(default_factory=list)
    table: list[tuple[str | Word | tuple, list]] | None = None

    def __init__(self, *parts, table=None):
        self.parts = [p for group in parts for p in (group if isinstance(group, list) else [group]) if p]
        self.table = table

    def add(self, *parts) -> "Alt":
        self.parts += [p for group in parts for p in (group if isinstance(group, list) else [group]) if p]
        return self


def num(value) -> str:
    """A number as a listener hears it best: 3 significant digits, powers of ten written out (3.2×10⁻⁹)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "—"
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e5:
        text = f"{v:.3g}"
        return text if "e" not in text else f"{v:.0f}"
    mantissa, exponent = f"{v:.1e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def _field(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (int, float, np.number))
                                                                     for v in value):
        return f"({num(value[0])}, {num(value[1])})"
    if isinstance(value, (list, tuple)):
        return ", ".join(_field(v) for v in value)
    return num(value)


def render(alt: Alt | None, words: Mapping[str, str]) -> str:
    """The alternative as one text in the page's language: each sentence's template (``words[name]``) filled."""
    if alt is None:
        return ""
    out = []
    for name, fields in alt.parts:
        template = words[name]
        out.append(template.format(**{k: _field(v) for k, v in fields.items()}))
    return " ".join(part.strip() for part in out if part.strip())


def header(h, words: Mapping[str, str]) -> str:
    """A table header: a builder's word, a catalog ``Word``, or a tuple of them (joined with " · ")."""
    if isinstance(h, tuple):
        return " · ".join(header(part, words) for part in h)
    return words[h.key] if isinstance(h, Word) else str(h)


# ---- sentences -------------------------------------------------------------------------------------------------

def title(text: str) -> list:
    """The chart's title (nothing for an untitled chart)."""
    return [("title", {"title": text})] if text and text.strip() else []


def text(sentence: str) -> list:
    """A sentence of the builder's own, already in the page's language (from its labels)."""
    return [("text", {"text": sentence})] if sentence and sentence.strip() else []


def axes(x: str, y: str) -> list:
    """What is plotted against what."""
    if x and y:
        return [("axes", {"x": x, "y": y})]
    return []


def _finite(x, y):
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def lines(series: Mapping[str, tuple], x_name: str, y_name: str) -> list:
    """One sentence per line: where it starts and ends, its lowest and highest points. series: {name: (x, y)}."""
    parts = axes(x_name, y_name)
    for name, (x, y) in series.items():
        x, y = _finite(x, y)
        if not len(y):
            parts.append(("empty_series", {"name": name}))
        elif len(y) == 1:
            parts.append(("point", {"name": name, "xv": x[0], "y": y[0]}))
        else:
            lo, hi = int(np.argmin(y)), int(np.argmax(y))
            parts.append(("line", {"name": name, "x0": x[0], "y0": y[0], "x1": x[-1], "y1": y[-1],
                                   "low": y[lo], "xlow": x[lo], "high": y[hi], "xhigh": x[hi]}))
    return parts


def values(name: str, x_name: str, xs: Sequence, ys: Sequence) -> list:
    """Every value of a short series named one by one: "measured, by layer: 1: 3.2×10⁻⁹, 2: …" (at most MAX_ITEMS,
    evenly picked, the first and last included)."""
    x, y = np.asarray(xs).ravel(), np.asarray(ys, dtype=float).ravel()
    if not len(y):
        return [("empty_series", {"name": name})]
    idx = pick(len(y), MAX_ITEMS)
    items = [f"{_label(x[i])}: {num(y[i])}" for i in idx]
    if len(idx) < len(y):
        items.insert(-1, "…")
    return [("values_by" if x_name else "values", {"name": name, "x": x_name, "items": ", ".join(items)})]


def bars(series: Mapping[str, tuple], category_name: str, value_name: str) -> list:
    """Bars by category, one sentence per series: {name: (categories, values)}."""
    parts = axes(category_name, value_name)
    for name, (cats, vals) in series.items():
        parts += values(name, "", cats, vals)
    return parts


def heatmap(z, xs, ys, x_name: str, y_name: str, z_name: str) -> list:
    """A colour map: the range of its colour and where it is highest and lowest."""
    z = np.asarray(z, dtype=float)
    if z.size == 0 or not np.isfinite(z).any():
        return [("empty_series", {"name": z_name})]
    zz = np.where(np.isfinite(z), z, np.nan)
    lo, hi = np.unravel_index(np.nanargmin(zz), zz.shape), np.unravel_index(np.nanargmax(zz), zz.shape)
    xs, ys = np.asarray(xs).ravel(), np.asarray(ys).ravel()
    where = lambda ij: (float(xs[ij[1]]) if len(xs) > ij[1] else ij[1], float(ys[ij[0]]) if len(ys) > ij[0] else ij[0])
    return [("map", {"z": z_name, "x": x_name, "y": y_name, "low": zz[lo], "high": zz[hi],
                     "at_low": where(lo), "at_high": where(hi)})]


def histograms(panels: Mapping[str, tuple], x_name: str) -> list:
    """One sentence per histogram (counts (B,), edges (B + 1,)): the range of its values and its most common bin."""
    parts = []
    for name, (counts, edges) in panels.items():
        counts, edges = np.asarray(counts, dtype=float), np.asarray(edges, dtype=float)
        total = float(np.nansum(counts)) if counts.size else 0.0
        if total <= 0 or len(edges) < 2:
            parts.append(("empty_series", {"name": name}))
            continue
        filled = np.flatnonzero(counts > 0)
        k = int(np.argmax(counts))
        parts.append(("hist", {"name": name, "x": x_name, "lo": edges[filled[0]], "hi": edges[filled[-1] + 1],
                               "peak_lo": edges[k], "peak_hi": edges[k + 1],
                               "share": f"{100 * counts[k] / total:.0f}"}))
    return parts


def points(groups: Mapping[str, np.ndarray]) -> list:
    """Point clouds {name: (N, 2)}: how many and where their centre is."""
    parts = []
    for name, xy in groups.items():
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if not len(xy):
            continue
        parts.append(("points", {"name": name, "n": str(len(xy)), "centre": tuple(xy.mean(axis=0)),
                                 "xlo": xy[:, 0].min(), "xhi": xy[:, 0].max(), "ylo": xy[:, 1].min(),
                                 "yhi": xy[:, 1].max()}))
    return parts


def paths(series: Mapping[str, np.ndarray]) -> list:
    """Paths {name: (T, 2)} in a plane: where each starts and ends, and after how many steps."""
    parts = []
    for name, path in series.items():
        p = np.asarray(path, dtype=float).reshape(-1, 2)
        p = p[np.all(np.isfinite(p), axis=1)]
        if not len(p):
            parts.append(("empty_series", {"name": name}))
            continue
        parts.append(("path", {"name": name, "start": tuple(p[0]), "end": tuple(p[-1]), "n": str(len(p) - 1)}))
    return parts


def line_equation(name: str, slope: float, intercept: float) -> list:
    """A fitted straight line: "MSE: y = 1.2 x − 0.3" (mathematics reads the same in every language)."""
    sign = "−" if intercept < 0 else "+"
    return text(f"{name}: y = {num(slope)} x {sign} {num(abs(intercept))}.")


def mark(name: str, xy) -> list:
    """One marked place: "minimum at (1, 1)"."""
    return [("mark", {"name": name, "at": (float(xy[0]), float(xy[1]))})]


def level(name: str, value: float) -> list:
    """A reference line: "chance level at 0.69"."""
    return [("level", {"name": name, "value": float(value)})]


# ---- the numbers behind a chart ---------------------------------------------------------------------------------

def pick(n: int, at_most: int) -> list[int]:
    if n <= at_most:
        return list(range(n))
    return sorted({int(round(v)) for v in np.linspace(0, n - 1, at_most)})


def _label(v) -> str:
    if isinstance(v, (str, np.str_)):
        return str(v)
    return num(v)


def series_table(series: Mapping[str, tuple], x_name: str) -> list[tuple[str | Word, list]]:
    """The lines' numbers: on a shared x, one column each (sampled to MAX_TABLE_ROWS rows); on different x, one row
    per line (first, last, lowest, highest)."""
    items = [(name, *_finite(x, y)) for name, (x, y) in series.items()]
    items = [it for it in items if len(it[1])]
    if not items:
        return []
    xs = items[0][1]
    if all(len(x) == len(xs) and np.array_equal(x, xs) for _, x, _ in items):
        idx = pick(len(xs), MAX_TABLE_ROWS)
        return [(x_name, [num(xs[i]) for i in idx])] + [(name, [num(y[i]) for i in idx]) for name, _, y in items]
    return [(Word("col_series"), [name for name, _, _ in items]),
            (Word("col_first"), [num(y[0]) for _, _, y in items]), (Word("col_last"), [num(y[-1]) for _, _, y in items]),
            (Word("col_low"), [num(y.min()) for _, _, y in items]),
            (Word("col_high"), [num(y.max()) for _, _, y in items])]


def bar_table(series: Mapping[str, tuple], category_name: str) -> list[tuple[str | Word, list]]:
    """Bars' numbers: one row per category, one column per series."""
    if not series:
        return []
    cats = list(next(iter(series.values()))[0])
    idx = pick(len(cats), MAX_TABLE_ROWS * 2)
    cols = [(category_name or Word("col_item"), [_label(cats[i]) for i in idx])]
    for name, (c, v) in series.items():
        v = list(v)
        cols.append((name, [num(v[i]) if i < len(v) else "" for i in idx]))
    return cols
