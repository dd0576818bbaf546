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

The element carries Streamlit's chart test id (``stPlotlyChart``) and Plotly's own plot div inside it, so every
check that finds charts on a page finds these too; ``data-step`` says which training step it shows.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import streamlit as st

_HTML = '<div class="dnn-live" data-testid="stPlotlyChart"><div class="dnn-live-plot"></div></div>'
_CSS = ".dnn-live { width: 100%; overflow: hidden; } .dnn-live-plot { width: 100%; height: 100%; }"
_JS = (Path(__file__).resolve().parent / "livechart.js").read_text()
_CHART = st.components.v2.component("dnnlab_live_chart", html=_HTML, css=_CSS, js=_JS, isolate_styles=False)
PREFIX = "_chart."  # the element's key: a chart key of its own, apart from the controls' keys


@lru_cache(maxsize=1)
def plotly_module() -> str | None:
    """The file name of Streamlit's Plotly module (static/js/PlotlyChart.<hash>.js), which sets ``window.Plotly`` when
    it loads; None when this Streamlit has none (tests/test_guards.py fails loudly then)."""
    folder = Path(st.__file__).resolve().parent / "static" / "static" / "js"
    found = sorted(folder.glob("PlotlyChart.*.js"))
    return found[0].name if found else None


CONFIG = {"displaylogo": False, "responsive": False}


def payload(key: str, figures: Sequence[bytes], steps: Sequence[int], period: float, height: int,
            alt: str = "", config: dict | None = None) -> bytes:
    """The message of one chart: a small JSON head, then the frames' figure JSON as they are (encoded once per
    frame and shared, ui.lesson.chart), so nothing is encoded again per student."""
    head = {"key": key, "steps": [int(s) for s in steps], "period": int(round(period * 1000)), "height": int(height),
            "alt": alt, "plotly": plotly_module(), "config": config or CONFIG}
    return json.dumps(head, ensure_ascii=False).encode()[:-1] + b',"figs":[' + b",".join(figures) + b"]}"


def draw(key: str, figures: Sequence[bytes], steps: Sequence[int], period: float, height: int, alt: str = "",
         config: dict | None = None) -> None:
    """Draw (or redraw in place) the live chart ``key`` with ``figures`` (each a figure's JSON bytes, oldest first;
    the browser shows them ``period`` seconds apart)."""
    _CHART(key=PREFIX + key, data=payload(key, figures, steps, period, height, alt, config), height="content")


def read(data: bytes) -> dict:
    """A message back as a dict (tests, benchmarks): key, steps, period, height, alt, figs (figure dicts)."""
    return json.loads(bytes(data))
