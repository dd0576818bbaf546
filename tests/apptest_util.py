"""Helpers for driving pages through Streamlit's AppTest."""
from __future__ import annotations

import base64
import json
import math
import random
import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from ui import nav

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60


def open_page(slug: str, lang: str = "en", params: dict | None = None) -> AppTest:
    """Run app.py, then switch to the page (the router runs on every page, as in the browser)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if slug != "home":
        at.switch_page(nav.get(slug).path).run()
    return at


def errors(at: AppTest) -> list[str]:
    """Exceptions that reached the page."""
    return [f"{e.message}\n{''.join(e.stack_trace[-3:])}" for e in at.exception]


def extremes(widget):
    """The values a widget can be set to at its two ends (None when it has no range)."""
    kind = type(widget).__name__
    if kind == "Slider":
        return [widget.min, widget.max]
    if kind == "SelectSlider":
        return [widget.options[0], widget.options[-1]]
    if kind in ("Selectbox", "Radio"):
        return [widget.options[0], widget.options[-1]] if widget.options else None
    if kind == "NumberInput":
        return [widget.min, widget.max]
    if kind == "Toggle" or kind == "Checkbox":
        return [not widget.value, widget.value]
    if kind == "Multiselect":
        return [[], list(widget.options)[: widget.max_selections or None]]
    return None


def page_widgets(at: AppTest):
    """The page's own controls (app-level ones like language and presenter mode are tested once)."""
    found = []
    for kind in ("slider", "select_slider", "selectbox", "radio", "number_input", "toggle", "checkbox", "multiselect"):
        for w in getattr(at, kind):
            if w.key and not w.key.startswith("_") and w.key not in ("lang", "present", "calm"):
                found.append(w)
    return found


def random_value(widget, rng: random.Random):
    """A random legal value for a widget, its two ends included now and then (None: leave it alone)."""
    kind = type(widget).__name__
    if kind == "Slider":
        lo, hi = widget.min, widget.max
        if rng.random() < 0.25:
            return rng.choice([lo, hi])
        if isinstance(lo, int) and isinstance(hi, int):
            return rng.randint(lo, hi)
        return lo + (hi - lo) * rng.random()
    if kind in ("SelectSlider", "Selectbox", "Radio"):
        return rng.choice(list(widget.options)) if widget.options else None
    if kind == "NumberInput":
        return rng.choice([int(widget.min), int(widget.max), rng.randint(int(widget.min), int(min(widget.max, widget.min + 99)))])
    if kind in ("Toggle", "Checkbox"):
        return not widget.value
    if kind == "Multiselect":
        options = list(widget.options)
        k = rng.randint(0, min(len(options), widget.max_selections or len(options)))
        return rng.sample(options, k)
    return None


HOSTILE = ("nan", "NaN", "inf", "-inf", "1e309", "-1e308", "1e12", "-1", "0", "abc", "", " ", "1,2,3", "[1]", "true",
           "<script>alert(1)</script>", "%00", "\u0000", "🙂" * 50, "9" * 5000, "x" * 300, "0x10", "1_000", "--1",
           # markdown a notice must not render (issue 17, item 1)
           "x` [Log in again](https://evil.example) `", "x` ![i](http://127.0.0.1:9/x.png) `", "`\n# HEADING\n`",
           ":red[red] :material/home: $x^2$", "**bold** <b>b</b>", "a``b```c",
           # numbers written oddly (item 4): only plain ASCII decimals are read, then snapped to the control
           "1_0", "𝟓", "٣", "1e-400", "3.00000000001", "0.123456789012", "+5", ".5", "5.", "1E2", "0.30000000001")


def hostile_query(keys, rng: random.Random) -> dict:
    """A malformed or hostile query string: page keys with junk values, plus an unknown key now and then."""
    params = {}
    for key in rng.sample(list(keys), min(len(keys), rng.randint(1, 4))):
        params[key] = rng.choice(HOSTILE)
    if rng.random() < 0.5:
        params[rng.choice(["zzz", "__proto__", "lang2", "a" * 100])] = rng.choice(HOSTILE)
    return params


def _chart_elements(at) -> list:
    """Every chart element of the page in page order: st.plotly_chart and the live panels' charts (ui.livechart)."""
    return [el for el in at._tree if el.type == "plotly_chart" or (
        el.type == "bidi_component" and el.proto.component_name == "dnnlab_live_chart")]


class Chart:
    """A chart of the page as the tests read it, whichever element draws it: key, spec (figure dict: a live chart's
    last frame), alt (its text alternative), config (Plotly's), live (True for ui.livechart's element)."""

    def __init__(self, el):
        from ui import livechart

        self.live = el.type == "bidi_component"
        if self.live:
            message = livechart.read(el.proto.bytes)
            self.key, self.spec, self.alt, self.config = message["key"], message["figs"][-1], message["alt"], \
                message["config"]
        else:
            self.key, self.spec, self.alt = el.key, json.loads(el.proto.spec), el.proto.alt
            self.config = json.loads(el.proto.config or "{}")
        self.element = el


def all_charts(at) -> list[Chart]:
    """Every chart of the page in page order (st.plotly_chart and live charts alike)."""
    return [Chart(el) for el in _chart_elements(at)]


def charts(at) -> dict[str, dict]:
    """{chart key: figure dict} of every chart on the page, in page order; a live chart gives the frame its tick
    ended on (its last)."""
    from ui import livechart

    found = {}
    for el in _chart_elements(at):
        if el.type == "plotly_chart":
            found[el.key] = json.loads(el.proto.spec)
        else:
            message = livechart.read(el.proto.bytes)
            found[message["key"]] = message["figs"][-1]
    return found


def live_messages(at) -> dict[str, dict]:
    """{chart key: message} of the live charts (ui.livechart.read: steps, period, figs ...)."""
    from ui import livechart

    return {m["key"]: m for m in (livechart.read(el.proto.bytes) for el in _chart_elements(at)
                                  if el.type == "bidi_component")}


def chart_specs(at) -> list[str]:
    """The Plotly figure JSON of every chart on the page (AppTest has no chart accessor), every frame a live
    chart's message holds included."""
    from ui import livechart

    specs = []
    for el in _chart_elements(at):
        if el.type == "plotly_chart":
            specs.append(el.proto.spec)
        else:
            specs += [json.dumps(f) for f in livechart.read(el.proto.bytes)["figs"] if f is not None]
    return specs


def _non_finite(node) -> bool:
    """True when a figure JSON tree holds NaN/inf: as a number, or inside a typed array (Plotly's base64 'bdata')."""
    if isinstance(node, float):
        return not math.isfinite(node)
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            return values.dtype.kind == "f" and not np.all(np.isfinite(values))
        return any(_non_finite(v) for v in node.values())
    if isinstance(node, list):
        return any(_non_finite(v) for v in node)
    return False


def invalid_charts(at) -> list[str]:
    """Charts Plotly's own schema rejects. The app sends figure specs unvalidated (figures/spec.py); this is the check."""
    import plotly.graph_objects as go  # only the tests validate

    bad = []
    for i, spec in enumerate(chart_specs(at)):
        try:
            go.Figure(json.loads(spec))
        except ValueError as exc:  # Plotly raises ValueError naming the property and what it accepts
            bad.append(f"chart {i}: {str(exc).strip().splitlines()[0][:200]}")
    return bad


_NON_FINITE_TEXT = re.compile(r"(?<![A-Za-z])-?(nan|inf)(?![A-Za-z])")  # how Python formats float NaN / inf
_TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "latex", "text", "metric", "error",
                  "warning", "info", "success")


def non_finite_in_text(at) -> list[str]:
    """Text on the page showing a formatted NaN or inf ("nan %", "inf"): a number must be finite or a dash.
    (The catalog's own words say "NaN" with capitals, which this does not match.)"""
    bad = []
    for kind in _TEXT_ELEMENTS:
        for el in getattr(at, kind):
            text = " ".join(str(getattr(el, attr, "") or "") for attr in ("label", "value"))
            if _NON_FINITE_TEXT.search(text):
                bad.append(f"{kind}: {text[:160]}")
    return bad


def non_finite_in_charts(at) -> list[str]:
    """Charts whose data would draw NaN or inf (JSON null is a gap, which is fine)."""
    bad = []
    for spec in chart_specs(at):
        figure = json.loads(spec)  # a chart the browser could not parse would fail here
        for trace in figure.get("data", []):
            if _non_finite(trace):
                bad.append(f"{trace.get('type', 'scatter')} trace {trace.get('name', '')!r}")
    return bad


def plays_finite_and_says_why(slug: str, params: dict, specs, ticks: int = 3) -> None:
    """Issue 17 (item 3) for a page whose runs cannot diverge: at its strongest settings every run (runs.shared
    RunSpecs) completes with no failed update, and the page, opened there with each panel's Train pressed, shows no
    divergence message, draws nothing non-finite, and says why it cannot diverge (a caption with "cannot diverge")."""
    from runs import shared

    for spec in specs:
        last = shared.complete(spec).frames[-1]
        assert last.diverged_at is None and not getattr(last.data, "diverged", {})
    at = open_page(slug, "en", params)
    for button in [b for b in at.button if b.key and b.key.endswith("-train")]:
        button.click()
        at.run()
    for _ in range(ticks):
        at.run()
    assert errors(at) == [] and not at.error
    assert non_finite_in_charts(at) == [] and invalid_charts(at) == []
    assert any("cannot diverge" in c.value for c in at.caption)



def formulas(at) -> list[str]:
    """The LaTeX of every formula on the page (ui.lesson.formula writes display-style maths in a paragraph, so it
    can wrap on a phone), without the wrapper and the line-break hints it adds."""
    start = "$\\displaystyle "
    return [el.value[len(start):-1].replace("\\allowbreak ", "") for el in at.markdown
            if el.value.startswith(start) and el.value.endswith("$")]
