"""Teacher links and routes (ui/teacher.py, ui/routes.py): hide, lock, reveal, trained, restore defaults, the link to
this view, and the guided routes, through the pages themselves (AppTest)."""
import pytest

from tests.apptest_util import charts, errors, open_page, page_widgets
from ui import nav, routes
from content.catalog import load
from ui.literal import literal

pytestmark = pytest.mark.app


def notices(at):
    return [e.value for e in list(at.warning) + list(at.info)]


def test_hide_all_draws_no_page_control_but_the_page():
    at = open_page("vanishing", "en", {"hide": "all"})
    assert errors(at) == []
    assert page_widgets(at) == []
    assert charts(at)  # the lesson is still there
    assert at.toggle(key="present") is not None  # the app's own controls stay


@pytest.mark.parametrize("params", [{"hide": "lr,seed"}, {"lr_hide": "1", "seed_hide": "true"}])
def test_hide_some_controls(params):
    at = open_page("vanishing", "en", {**params, "lr": "0.3"})
    keys = {w.key for w in page_widgets(at)}
    assert errors(at) == [] and "lr" not in keys and "seed" not in keys and "depth" in keys
    assert at.query_params["lr"] in ("0.3", ["0.3"])  # a hidden control still takes the link's value


def test_lock_all_shows_the_controls_disabled_and_offers_no_restore():
    at = open_page("vanishing", "en", {"lock": "all", "depth": "20"})
    widgets = page_widgets(at)
    assert errors(at) == [] and widgets and all(w.disabled for w in widgets)
    assert at.slider(key="depth").value == 20
    assert not [b for b in at.button if b.key == "_restore"]


def test_reveal_shows_the_predict_first_answer():
    at = open_page("vanishing", "en", {"reveal": "all"})
    answer = load("en")["vanishing.q1_a"]
    assert errors(at) == [] and any(s.value == answer for s in at.success)
    at = open_page("vanishing", "en")
    assert not any(s.value == answer for s in at.success)


def test_trained_opens_the_live_run_at_that_step():
    at = open_page("playground", "en", {"trained": "120"})
    assert errors(at) == []
    [progress] = at.get("progress")
    step, total = int(progress.proto.text.split()[1]), int(progress.proto.text.split()[3])
    assert 120 <= step < total  # the first saved step at or after 120, not the end of the run


@pytest.mark.parametrize("params", [{"hide": "<script>"}, {"lock": ",,"}, {"reveal": "x` [a](http://e.x) `"},
                                    {"trained": "-1"}, {"trained": "1e9"}, {"trained": "abc"}, {"trained": "١٢"}])
def test_bad_class_keys_get_a_notice_and_change_nothing(params):
    at = open_page("vanishing", "en", params)
    assert errors(at) == []
    key, raw = next(iter(params.items()))
    assert any(key in n and literal(raw) in n for n in notices(at)), notices(at)
    assert page_widgets(at) and not any(w.disabled for w in page_widgets(at))


def test_unknown_control_names_are_reported():
    at = open_page("vanishing", "en", {"hide": "lr,nosuch", "lock": "alsonot"})
    assert errors(at) == []
    assert any("nosuch" in n and "alsonot" in n for n in notices(at))
    assert "lr" not in {w.key for w in page_widgets(at)}


def test_restore_defaults_resets_the_controls_and_the_link():
    at = open_page("vanishing", "en", {"depth": "20", "act": "tanh"})
    assert at.slider(key="depth").value == 20
    next(b for b in at.button if b.key == "_restore").click()
    at.run()
    assert errors(at) == []
    assert at.slider(key="depth").value == 12 and at.selectbox(key="act").value == "sigmoid"
    assert "depth" not in at.query_params and "act" not in at.query_params


def test_the_link_to_this_view_holds_the_settings():
    at = open_page("vanishing", "en", {"depth": "20"})
    codes = [c.value for c in at.code]
    assert any("depth=20" in c and "lang=en" in c for c in codes), codes


# ---- routes ------------------------------------------------------------------------------------------------------

def test_routes_are_the_same_in_both_languages_and_name_real_pages():
    en, ko = routes.all_routes("en"), routes.all_routes("ko")
    assert list(en) == list(ko) and en
    slugs = {p.slug for p in nav.PAGES}
    for rid in en:
        assert [(s.slug, s.preset) for s in en[rid].steps] == [(s.slug, s.preset) for s in ko[rid].steps]
        assert en[rid].minutes == ko[rid].minutes > 0
        assert all(s.slug in slugs and s.goal for s in en[rid].steps + ko[rid].steps)


@pytest.mark.parametrize("rid, number", [(rid, n + 1) for rid, r in routes.all_routes("en").items()
                                         for n in range(len(r.steps))])
def test_every_route_step_opens_with_its_preset_goal_and_neighbours(rid, number):
    route = routes.all_routes("en")[rid]
    step = route.steps[number - 1]
    at = open_page(step.slug, "en", {**dict(step.preset), "route": rid, "step": str(number)})
    assert errors(at) == []
    assert not any("link" in n.lower() and "can't be used" in n for n in notices(at))  # the preset is valid
    assert any(step.goal in n for n in notices(at))  # the banner with the goal
    labels = [el.proto.label for el in at.get("page_link")]
    if number < len(route.steps):
        assert any(load("en")[f"{route.steps[number].slug}.nav"] in label for label in labels)
    if number > 1:
        assert any(load("en")[f"{route.steps[number - 2].slug}.nav"] in label for label in labels)


def test_a_route_step_on_the_wrong_page_is_ignored():
    at = open_page("losses", "en", {"route": "first", "step": "4"})  # step 4 is another page
    assert errors(at) == []
    assert not any("step 4" in n for n in notices(at))
