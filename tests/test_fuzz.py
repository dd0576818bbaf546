"""Robustness: random settings and hostile links on every page never raise, and charts never carry NaN/inf.

A seeded sample runs here (every page, both kinds of input); bench/fuzz.py runs the full-size campaign
(300 settings and 100 query strings per page) and prints its figures.
"""
import random
import re
import warnings
import zlib
from pathlib import Path

import pytest

from tests.apptest_util import (errors, hostile_query, invalid_charts, non_finite_in_charts, non_finite_in_text,
                                 open_page, page_widgets, random_value)
from ui import nav

pytestmark = pytest.mark.app
SETTINGS_PER_PAGE = 10
QUERIES_PER_PAGE = 6


def fuzz_settings(slug: str, n: int, seed: int) -> list[str]:
    """Apply n random settings one after another (as a student would); return what went wrong, NumPy's
    RuntimeWarnings included (a diverging run must be reported by the page, not leak overflow warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        problems = _fuzz_settings(slug, n, seed)
    return problems + sorted({f"warning: {w.message} ({Path(w.filename).name}:{w.lineno})" for w in caught
                              if issubclass(w.category, RuntimeWarning)})


def _fuzz_settings(slug: str, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    at = open_page(slug, "en")
    problems = [f"first load: {e}" for e in errors(at)]
    for i in range(n):
        widgets = page_widgets(at)
        if not widgets:
            break
        for widget in rng.sample(widgets, min(len(widgets), rng.randint(1, 3))):
            value = random_value(widget, rng)
            if value is not None:
                widget.set_value(value)
        at.run()
        problems += [f"setting {i}: {e}" for e in errors(at)]
        for button in [b for b in at.button if b.key and b.key.endswith("-train")][:1] if rng.random() < 0.3 else []:
            button.click()  # train a chunk in this setting too: divergence must show a message, not raise
            at.run()
            problems += [f"setting {i}, training: {e}" for e in errors(at)]
        problems += [f"setting {i}: non-finite chart {c}" for c in non_finite_in_charts(at)]
        problems += [f"setting {i}: {c}" for c in invalid_charts(at)]
        problems += [f"setting {i}: non-finite text {c}" for c in non_finite_in_text(at)]
    return problems


def fuzz_queries(slug: str, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    keys = [w.key for w in page_widgets(open_page(slug, "en"))] or ["x"]
    problems = []
    for i in range(n):
        params = hostile_query(keys, rng)
        at = open_page(slug, rng.choice(["en", "ko"]), params)
        problems += [f"query {params!r:.120}: {e}" for e in errors(at)]
        problems += [f"query {params!r:.120}: {p}" for p in markup_from_link(at, params)]
        problems += [f"query {params!r:.120}: {p}" for p in link_disagrees(at)]
    return problems


def outside_code_spans(text: str) -> str:
    """The text markdown renders as markup: everything but code spans (as CommonMark reads them: a run of N
    backticks opens a span that the next run of exactly N backticks closes; an unclosed run is plain text)."""
    runs = [(m.start(), m.end()) for m in re.finditer(r"`+", text)]
    out, pos, i = [], 0, 0
    while i < len(runs):
        start, end = runs[i]
        closing = next((j for j in range(i + 1, len(runs)) if runs[j][1] - runs[j][0] == end - start), None)
        if closing is None:
            i += 1
            continue
        out.append(text[pos:start])
        pos, i = runs[closing][1], closing + 1
    out.append(text[pos:])
    return "".join(out)


def markup_from_link(at, params: dict) -> list[str]:
    """A link's value shown outside a code span in a notice (where markdown would render it)."""
    found = []
    for el in list(at.warning) + list(at.info) + list(at.error):
        outside = outside_code_spans(el.value)
        for value in params.values():
            # the pieces of the value between its own backticks: what a badly quoted notice would render as markup
            for piece in value.split("`"):
                piece = piece.strip()
                if len(piece) >= 3 and any(c in piece for c in "[]()!#*:$<") and piece[:40] in outside:
                    found.append(f"link text outside a code span: {el.value[:120]!r}")
    return found


def link_disagrees(at) -> list[str]:
    """A numeric control whose value differs from what the link the page wrote says (the link must reproduce it)."""
    found = []
    for widget in page_widgets(at):
        written = at.query_params.get(widget.key)
        if isinstance(written, list):
            written = written[0] if written else None
        if written is None or type(widget).__name__ not in ("Slider", "NumberInput"):
            continue
        try:
            if float(written) != float(widget.value):
                found.append(f"{widget.key}: link says {written}, control shows {widget.value}")
        except (TypeError, ValueError):
            found.append(f"{widget.key}: link says {written!r}")
    return found


@pytest.mark.parametrize("slug", [p.slug for p in nav.PAGES])
def test_random_settings_never_raise(slug):
    assert fuzz_settings(slug, SETTINGS_PER_PAGE, seed=zlib.crc32(slug.encode())) == []


@pytest.mark.parametrize("slug", [p.slug for p in nav.PAGES])
def test_hostile_links_never_raise(slug):
    assert fuzz_queries(slug, QUERIES_PER_PAGE, seed=len(slug)) == []


def test_the_non_finite_detector_sees_typed_arrays():
    """Plotly 7 sends NumPy arrays as base64; the detector must decode them (and not be fooled by the text)."""
    import json

    import numpy as np
    import plotly.graph_objects as go

    from tests.apptest_util import _non_finite

    clean = json.loads(go.Figure(go.Scatter(y=np.array([1.0, 2.0, 3.0]))).to_json())
    dirty = json.loads(go.Figure(go.Scatter(y=np.array([1.0, np.inf, 3.0]))).to_json())
    assert not _non_finite(clean["data"]) and _non_finite(dirty["data"])


def test_the_markup_detector_sees_link_text_outside_code_spans():
    class Note:
        def __init__(self, value):
            self.value = value

    class Page:  # the old notice put the value in single backticks, which the value itself closed
        warning, info, error = [Note("The link's value for **seed** (`x` [a](https://e.x) ``) can't be used")], [], []

    payload = {"seed": "x` [a](https://e.x) `"}
    assert outside_code_spans("a `b` c ``d`e`` f `g") == "a  c  f `g"
    assert markup_from_link(Page, payload) != []
    Page.warning = [Note("The link's value for **seed** (`` x` [a](https://e.x) ` ``) can't be used")]
    assert markup_from_link(Page, payload) == []
