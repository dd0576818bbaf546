"""The app's changes to Streamlit and Plotly (ui/guards.py) happen at the entry point, never on import, and fail
loudly here when the library underneath no longer has what they wrap. (The link and clear-cache guards' behaviour is
tested in tests/test_controls.py.)"""
from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def test_streamlit_still_has_what_the_guards_wrap():
    """If one of these moves in a new Streamlit or Plotly, ui.guards.install would return False: say which."""
    import plotly.io
    from streamlit.elements import plotly_chart
    from streamlit.runtime import app_session

    assert callable(app_session.sanitize_query_string)
    assert callable(app_session.AppSession._handle_clear_cache_request)
    assert callable(plotly.io.to_json)
    # the figure-text reuse works only while st.plotly_chart encodes through plotly.io.to_json
    assert "plotly.io.to_json(figure" in inspect.getsource(plotly_chart)


def test_streamlit_still_has_what_the_live_charts_use():
    """ui.livechart draws with the Plotly that Streamlit loads for its own charts: its module must still exist and set
    window.Plotly, and a keyed custom component must keep its element id when its data changes (a chart redrawn in
    place, not mounted again)."""
    from streamlit.components.v2.bidi_component import main as bidi
    from ui import livechart

    name = livechart.plotly_module()
    assert name is not None, "Streamlit no longer ships static/js/PlotlyChart.*.js"
    text = (Path(inspect.getfile(bidi)).resolve().parents[3] / "static" / "static" / "js" / name).read_text()
    assert "window.Plotly=" in text
    assert "key_as_main_identity=True" in inspect.getsource(bidi)


def test_importing_the_app_modules_patches_nothing():
    """A fresh interpreter imports every ui module and the lessons' lab modules: Plotly's and Streamlit's functions
    are still their own; ui.guards.install (the entry point's) is what changes them."""
    code = """
import importlib, pkgutil
import plotly.io
from streamlit.runtime import app_session
before = (plotly.io.to_json, app_session.sanitize_query_string, app_session.AppSession._handle_clear_cache_request)
import ui
for info in pkgutil.iter_modules(ui.__path__):
    if info.name != "launch":
        importlib.import_module(f"ui.{info.name}")
after = (plotly.io.to_json, app_session.sanitize_query_string, app_session.AppSession._handle_clear_cache_request)
assert before == after, "a module changed Streamlit or Plotly on import"
from ui import guards
assert guards.install()
assert plotly.io.to_json is not before[0] and plotly.io.to_json.__wrapped__ is before[0]
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-2000:]


def _draw_encoded():
    import streamlit as st

    from ui import guards, lesson

    guards.install()
    spec = lesson._SpecDict({"data": [{"type": "bar", "y": [1, 2]}], "layout": {}})
    spec.json_text = '{"data":[{"type":"bar","y":[3,4]}],"layout":{"title":{"text":"kept"}}}'
    st.plotly_chart(lesson._Prebuilt(spec), key="c", theme=None)
    plain = lesson._SpecDict({"data": [{"type": "bar", "y": [5]}], "layout": {}})
    st.plotly_chart(lesson._Prebuilt(plain), key="d", theme=None)


def test_a_figure_encoded_once_is_sent_as_its_text():
    at = AppTest.from_function(_draw_encoded, default_timeout=30).run()
    assert not at.exception
    first, second = (el.proto.spec for el in at.get("plotly_chart"))
    assert first == '{"data":[{"type":"bar","y":[3,4]}],"layout":{"title":{"text":"kept"}}}'  # the text, as it is
    assert json.loads(second)["data"][0]["y"] == [5]  # any other figure: encoded as Streamlit would


@pytest.mark.parametrize("name", ["sanitize_query_string", "_handle_clear_cache_request", "to_json"])
def test_installing_twice_wraps_once(name):
    import plotly.io
    from streamlit.runtime import app_session

    from ui import guards

    assert guards.install() and guards.install()
    wrapped = {"sanitize_query_string": app_session.sanitize_query_string,
               "_handle_clear_cache_request": app_session.AppSession._handle_clear_cache_request,
               "to_json": plotly.io.to_json}[name]
    assert not hasattr(wrapped.__wrapped__, "__wrapped__")
