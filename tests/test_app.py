"""Every page in the navigation renders in both languages, and survives every control at both ends.

Pages are discovered from ui/nav.py, the registry app.py builds st.navigation from: a new page is
covered without editing this file.
"""
import pytest

from tests.a11y_util import chart_problems
from tests.apptest_util import errors, extremes, invalid_charts, non_finite_in_text, open_page, page_widgets
from ui import nav

pytestmark = pytest.mark.app
SLUGS = [p.slug for p in nav.PAGES]


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("slug", SLUGS)
def test_page_renders(slug, lang):
    at = open_page(slug, lang)
    assert errors(at) == []
    assert invalid_charts(at) == []  # every chart passes Plotly's schema
    assert at.title, "every page starts with its title"
    assert "⟨" not in at.title[0].value  # a missing text key shows as ⟨key⟩
    # issue 24: each chart's text alternative in the page's language, series apart by more than colour, marks at
    # 3:1, no Plotly toolbar or animation buttons; sections are h2 under the title (ui.lesson.section)
    assert chart_problems(at, lang) == []
    assert not at.subheader, [h.value for h in at.subheader]


@pytest.mark.parametrize("slug", SLUGS)
def test_every_control_at_both_ends(slug):
    at = open_page(slug, "en")
    keys = [(type(w).__name__, w.key) for w in page_widgets(at)]
    for kind, key in keys:
        widget = next((w for w in page_widgets(at) if w.key == key), None)
        if widget is None:  # a control that only appears for some settings
            continue
        for value in extremes(widget) or []:
            widget = next((w for w in page_widgets(at) if w.key == key), None)
            if widget is None:
                break
            widget.set_value(value)
            at.run()
            assert errors(at) == [], f"{slug}: {kind} {key} = {value!r}"
            assert non_finite_in_text(at) == [], f"{slug}: {kind} {key} = {value!r}"


@pytest.mark.parametrize("slug", SLUGS)
def test_train_buttons_train(slug):
    """Pressing Train trains a chunk (the progress moves) with no exception; Reset goes back to step 0."""
    at = open_page(slug, "en")
    trains = [b for b in at.button if b.key and b.key.endswith("-train")]
    for button in trains:
        button.click()
        for _ in range(3):  # the click's run, then ticks of the live fragment: check each one
            at.run()
            assert errors(at) == []
            assert invalid_charts(at) == []
        reset = next(b for b in at.button if b.key == button.key.replace("-train", "-reset"))
        reset.click()
        at.run()
        assert errors(at) == []


def test_language_and_presenter_mode_from_the_link():
    # AppTest only captures app.py's own sidebar widgets on the first run under st.navigation,
    # so app-level settings are driven through the URL here (the browser tests click them).
    at = open_page("home", "ko", {"present": "1"})
    assert errors(at) == []
    assert "실험실" in at.title[0].value
    assert at.toggle(key="present").value is True
    assert at.query_params["present"] == "1" and at.query_params["lang"] == "ko"


@pytest.mark.parametrize("bad", ["xx", "1e400", "nan", "-1", "🙂" * 300, ""])
def test_bad_url_values_fall_back_with_a_notice(bad):
    at = open_page("home", "en", {"present": bad})
    assert errors(at) == []
    assert at.toggle(key="present").value is False
    if bad:
        assert any("present" in w.value for w in at.warning)


def test_unknown_language_falls_back():
    at = open_page("home", "xx")
    assert errors(at) == []
    assert any("lang" in w.value for w in at.warning)


def test_an_empty_live_chart_says_how_it_fills():
    """Before the first step a live chart shows a hint, in the page's language; once trained, the data instead."""
    import json

    from runs import shared
    from tests.apptest_util import chart_specs
    from content.catalog import load

    shared.RUNS.clear(keep_pinned=False)  # batches opens on its finished run once that run exists
    for lang in ("en", "ko"):
        at = open_page("batches", lang)
        notes = [a["text"] for a in json.loads(chart_specs(at)[0])["layout"].get("annotations", [])]
        assert load(lang)["common.chart_empty"] in notes
    next(b for b in at.button if b.key and b.key.endswith("-train")).click()
    at.run()
    at.run()
    notes = [a["text"] for a in json.loads(chart_specs(at)[0])["layout"].get("annotations", [])]
    assert load("ko")["common.chart_empty"] not in notes
