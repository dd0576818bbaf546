"""Live charts that redraw in place, and play frames computed ahead.

Why not ``st.plotly_chart`` in a live panel: Streamlit 1.67 names a chart element after its figure (the element id
hashes the spec; ``key_as_main_identity=False``), and its frontend keys React nodes by that id, so every new frame
of a live run unmounted the chart and mounted a new one: a fresh box, hidden until measured and empty until Plotly
had drawn it again (0.1-0.5 s on a busy laptop). Sampled every 50 ms in Chromium, 5-12 % of the samples of a
playing panel showed an empty chart (issue 23, item 2; tests/test_blink_browser.py).

This element is a Streamlit custom component (``st.components.v2``, in the page's own DOM) with a stable key: a new
message reaches the same element, whose script redraws the same plot with ``Plotly.react`` (ui/livechart.js). A
message may hold several frames of the chart; the browser draws the first at once and the others every ``period``
seconds, so a tick of the server can deliver a second of animation (ui/live.py). The Plotly it draws with is the
copy Streamlit loads for its own charts (``plotly_module``; tests/test_guards.py checks that it is still there).

A live panel's step slider (``scrubber``, ui/scrub.js) is a component too: a native range input that redraws the
chosen step at once from the frames the panel's charts have received, then asks the server for the rest.

The element carries Streamlit's chart test id (``stPlotlyChart``) and Plotly's own plot div inside it, so every
check that finds charts on a page finds these too; ``data-step`` says which training step it shows.
"""
from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import streamlit as st

_HTML = '<div class="dnn-live" data-testid="stPlotlyChart"><div class="dnn-live-plot"></div></div>'
_CSS = ".dnn-live { width: 100%; overflow: hidden; } .dnn-live-plot { width: 100%; height: 100%; }"
_JS = (Path(__file__).resolve().parent / "livechart.js").read_text()
_CHART = st.components.v2.component("dnnlab_live_chart", html=_HTML, css=_CSS, js=_JS, isolate_styles=False)
PREFIX = "_chart."  # the element's key: a chart key of its own, apart from the controls' keys
_SCRUB = st.components.v2.component(
    "dnnlab_scrub", isolate_styles=False,
    html='<div class="dnn-scrub"><label><span class="dnn-scrub-label"></span> <output></output>'
         '<input type="range" min="0" max="0" step="1" value="0"></label></div>',
    # one row: the label, the step, then the slider taking the rest (it wraps under them only where it must), so
    # the panel's charts start as high as they did before it had a slider (a phone's first screen)
    css=".dnn-scrub label { display: flex; flex-wrap: wrap; align-items: center; column-gap: 0.5rem;"
        " font-size: 0.875rem; }"
        ".dnn-scrub output { font-weight: 600; white-space: nowrap; }"
        ".dnn-scrub input { flex: 1 1 10rem; min-width: 10rem; margin: 0.25rem 0 0.5rem; accent-color:"
        " var(--st-primary-color); min-height: 24px; }"
        ".dnn-scrub input:focus-visible { outline: 2px solid var(--st-primary-color); outline-offset: 2px; }",
    js=(Path(__file__).resolve().parent / "scrub.js").read_text())


@lru_cache(maxsize=1)
def plotly_module() -> str | None:
    """The file name of Streamlit's Plotly module (static/js/PlotlyChart.<hash>.js), which sets ``window.Plotly`` when
    it loads; None when this Streamlit has none (tests/test_guards.py fails loudly then)."""
    folder = Path(st.__file__).resolve().parent / "static" / "static" / "js"
    found = sorted(folder.glob("PlotlyChart.*.js"))
    return found[0].name if found else None


# No toolbar on a live chart: it covered the title on every redraw, and added tab stops before the page's controls
CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": False}


def tag(*identity) -> str:
    """A short name for what a chart's frames depend on (the run, the chart, the language, presenter mode): the
    browser keeps received frames under it, and draws a kept frame only for the same tag."""
    return hashlib.blake2b(repr(identity).encode(), digest_size=8).hexdigest()


def payload(key: str, figures: Sequence[bytes], steps: Sequence[int], period: float, height: int,
            alt: str = "", config: dict | None = None, panel: str = "", tag: str = "", clicks: bool = False) -> bytes:
    """The message of one chart: a small JSON head, then the frames' figure JSON as they are (encoded once per
    frame and shared, ui.lesson.chart), so nothing is encoded again per student; ``b"null"`` for a frame the
    browser has (its chart keeps every frame it received)."""
    head = {"key": key, "steps": [int(s) for s in steps], "period": int(round(period * 1000)), "height": int(height),
            "panel": panel, "tag": tag, "alt": alt, "plotly": plotly_module(), "config": config or CONFIG,
            "clicks": clicks}
    return json.dumps(head, ensure_ascii=False).encode()[:-1] + b',"figs":[' + b",".join(figures) + b"]}"


def draw(key: str, figures: Sequence[bytes], steps: Sequence[int], period: float, height: int, alt: str = "",
         config: dict | None = None, panel: str = "", tag: str = "", on_click=None) -> None:
    """Draw (or redraw in place) the live chart ``key`` with ``figures`` (each a figure's JSON bytes, oldest first;
    the browser shows them ``period`` seconds apart). panel: the live panel it belongs to (its step slider draws
    the chart's kept frames); tag: ``tag(...)`` of what the frames depend on. on_click: called when the student
    clicks the plot (``clicked(key)`` is then the point's (x, y))."""
    extra = {"on_click_change": on_click} if on_click is not None else {}
    _CHART(key=PREFIX + key, data=payload(key, figures, steps, period, height, alt, config, panel, tag,
                                          on_click is not None), height="content", **extra)


def clicked(key: str) -> tuple[float, float] | None:
    """The (x, y) the student last clicked on live chart ``key`` (a client's JSON: anything but two finite numbers
    is None)."""
    value = (st.session_state.get(PREFIX + key) or {}).get("click")
    if not isinstance(value, dict):
        return None
    x, y = value.get("x"), value.get("y")
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y))
    return (float(x), float(y)) if ok else None


def scrubber(key: str, panel: str, steps: Sequence[int], value: int, label: str, help: str, fmt: str,
             on_scrub, progress: str = "") -> None:
    """A live panel's step slider over ``steps`` at ``value``; ``on_scrub`` runs when the student moves it (the step
    chosen is ``st.session_state[key]["scrub"]``). fmt: how a step is shown ("Step {step}"). progress: the text of
    the panel's progress bar just above the slider with "{step}" for the step ("Step {step} of 600"): while a run
    plays, the slider writes the step each visible chart of the panel draws into it, so the bar's words follow the
    picture (the server's text names the first frame of a batch the browser is about to play)."""
    _SCRUB(key=key, data={"panel": panel, "steps": [int(s) for s in steps], "value": int(value), "label": label,
                          "help": help, "format": fmt, "progress": progress}, on_scrub_change=on_scrub,
           height="content")


def read(data: bytes) -> dict:
    """A message back as a dict (tests, benchmarks): key, steps, period, height, alt, figs (figure dicts)."""
    return json.loads(bytes(data))
