"""Accessibility that AppTest can see (issue 24): every chart of every page, in every tab and after a step of
training, carries a text alternative written from its data in the page's language, tells its series apart by more
than colour and draws its marks at 3:1; a key chart has its numbers as a table; the text alternative follows the
frame; a point can be typed into the playground; fewer updates slow a live panel to one refresh a second.

The browser side (axe-core, <html lang>, role=figure and aria-label, the keyboard, reduced motion detected in
Chromium) is tests/test_a11y.py.
"""
import pytest

from tests.a11y_util import chart_problems
from tests.apptest_util import all_charts, errors, open_page
from ui import nav
from content.catalog import load

pytestmark = pytest.mark.app
LESSONS = [p.slug for p in nav.PAGES if p.slug != "home"]
# Settings that draw the charts a page's first screen does not: revealed answers, other tabs, 3-D views, other data
VARIANTS = {
    "initialization": [{"reveal": "all"}],
    "optimizers": [{"tab": "step"}, {"tab": "lr"}, {"tab": "noise"}, {"view3d": "1"}],
    "landscape": [{"surface": "1"}, {"compare": "1"}],
    "playground": [{"data": "digits"}, {"data": "own", "points": "-1:-1:0;-1.2:-0.8:0;-0.8:-1.1:0;-1:-0.6:0;"
                                                             "1:1:1;1.2:0.8:1;0.8:1.1:1;1:0.6:1"}],
    "vanishing": [{"clip": "norm"}],
    "batches": [{"epochs": "1"}],
}


TRAINED = {"trained": "20"}  # live panels play to step 20 (ui.teacher): their charts hold data and numbers


def _played(at, most: int = 12):
    """Rerun until no live panel plays any more (a trained= link plays up to its step, tick by tick)."""
    for _ in range(most):
        entries = [at.session_state[k] for k in at.session_state if str(k).startswith("_live.")]
        if not any(e.get("running") for e in entries):
            break
        at.run()
    return at


@pytest.mark.parametrize("slug", LESSONS)
def test_every_chart_has_its_words_and_more_than_colour(slug):
    for params in [{}] + VARIANTS.get(slug, []):
        for lang in ("en", "ko"):
            at = open_page(slug, lang, {**TRAINED, **params})
            if lang == "en":  # AppTest reruns Korean select boxes with English labels; Korean opens the frames English
                _played(at)   # computed (the runs are shared), so it needs no rerun
            assert errors(at) == [], (params, lang)
            assert all_charts(at), (params, lang)
            assert chart_problems(at, lang) == [], (params, lang)
            if not params:  # the page's key chart: its numbers as a table, headed in the page's language
                show = load(lang)["common.show_numbers"]
                boxes = [e for e in at.expander if e.label == show]
                assert boxes, f"{slug} ({lang}): no table of numbers"
                assert any(len(table.value) for box in boxes for table in box.table), f"{slug} ({lang}): empty table"


def test_the_text_alternative_follows_the_frame():
    """A live chart's alternative is written from the frame it shows: before training it says nothing is recorded;
    a few steps later it names the last loss the chart draws."""
    import json

    at = open_page("vanishing", "en")
    at.button(key="vanishing-reset").click().run()
    loss = lambda: next(c for c in all_charts(at)  # noqa: E731
                        if c.spec["layout"]["title"]["text"] == "Training loss")
    before = loss().alt
    assert "nothing recorded yet" in before
    for _ in range(8):  # the loss is recorded every few steps
        at.button(key="vanishing-step").click().run()
        if loss().alt != before:
            break
    after = loss().alt
    assert after != before and "nothing recorded" not in after
    spec = loss().spec
    import base64
    import numpy as np

    y = spec["data"][0]["y"]
    values = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]) if isinstance(y, dict) else np.array(y)
    from figures.describe import num
    assert num(values[-1]) in after


def test_a_point_can_be_typed_into_the_playground():
    """The keyboard's way to the map: x, y and a class typed into a small form add a point there; "remove the
    nearest" takes it away; a place off the plane is refused with the usual message and changes nothing."""
    at = open_page("playground", "en", {"data": "own"})
    assert at.session_state["points"] == ()
    at.number_input(key="_pt_x").set_value(1.25)
    at.number_input(key="_pt_y").set_value(-0.5)
    at.selectbox(key="_pt_class").set_value(1)
    next(b for b in at.button if "Add the point" in b.label).click()
    at.run()
    assert errors(at) == []
    assert at.session_state["points"] == ((1.25, -0.5, 1),)
    assert at.query_params["points"] == "1.25:-0.5:1"  # the link holds it, as for a click
    at.number_input(key="_pt_x").set_value(1.3)
    next(b for b in at.button if "Remove the nearest point" in b.label).click()
    at.run()
    assert at.session_state["points"] == ()


def test_fewer_updates_slow_a_live_panel_to_once_a_second():
    """The sidebar's "fewer updates" (or the browser's reduced-motion preference, tests/test_a11y.py) makes a
    playing panel tick about once a second instead of five times; the run keeps its pace (frames per tick)."""
    from runs import governor
    from ui import live

    governor._VIEWERS.clear()  # a lone student: sessions of earlier tests would otherwise count as a class
    governor._PLAYERS.clear()
    for calm in ("0", "1"):
        at = open_page("dropout", "en", {"calm": calm})
        at.button(key="overfit-reset").click().run()
        at.button(key="overfit-train").click().run()
        entry = at.session_state["_live.overfit"]
        assert entry["running"]
        assert (entry["interval"] >= live.CALM_SECONDS) == (calm == "1"), entry["interval"]
