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


def _progress(at) -> tuple[int, int]:
    [progress] = at.get("progress")
    return int(progress.proto.text.split()[1]), int(progress.proto.text.split()[3])


def test_trained_opens_the_live_run_at_that_step():
    """A run nobody has computed plays up to the link's step and pauses there; a run computed already (here: the
    same setting, now computed) opens there at once."""
    params = {"trained": "120", "seed": "77"}
    at = open_page("playground", "en", params)
    for _ in range(80):
        assert errors(at) == []
        if not at.session_state["_live.playground"]["running"]:
            break
        at.run()
    step, total = _progress(at)
    assert 120 <= step < total  # the first saved step at or after 120, not the end of the run
    again = open_page("playground", "en", params)
    assert errors(again) == [] and _progress(again) == (step, total)
    assert not again.session_state["_live.playground"]["running"]


def test_a_trained_link_does_not_compute_the_run_before_the_page_draws():
    """Issue 21, item 3: `trained=5000` on a large setting nobody has computed cost 5.7 CPU-seconds before the page
    drew, and went on after the student had left. Now the page draws at step 0 with the run playing towards the
    step, computed only by the session's budgeted ticks: nothing more once the session stops asking."""
    import time

    from lab import playground

    from runs import shared

    cfg = playground.PlaygroundConfig(steps=5000, width=64, layers=6, activations=("relu",) * 6, batch_size=256,
                                      seed=9421)
    shared.RUNS.clear(keep_pinned=False)
    at = open_page("playground", "en", {"steps": "5000", "width": "64", "layers": "6", "batch": "256",
                                        "seed": "9421", "trained": "5000"})
    assert errors(at) == []
    run = shared.RUNS.get(("playground", cfg))
    entry = at.session_state["_live.playground"]
    assert run is not None and entry["running"] and entry["stop_at"] == len(run.spec.steps) - 1
    from runs import governor
    from ui import live

    per_tick = round(governor.TICK_SECONDS / live.FRAME_SECONDS)  # the frames one tick brings (and computes)
    assert run.available <= 1 + per_tick and run.compute_seconds < 1.0, (run.available, run.compute_seconds)
    assert _progress(at)[0] < 5000
    computed = run.available
    time.sleep(1.0)  # the student has gone: no tick, no computation
    assert run.available == computed


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


# ---- lock=all and hide=all cover every input (issue 21, item 7) ----------------------------------------------

WIDGETS = ("button", "slider", "select_slider", "selectbox", "radio", "number_input", "toggle", "checkbox",
           "multiselect", "segmented_control", "pills", "text_input", "text_area", "date_input", "time_input",
           "color_picker", "file_uploader", "chat_input", "feedback", "camera_input")
OWN_POINTS = "0:0:0;1:1:1;0:1:0;1:0:1;2:2:0;-1:-1:1"


def not_a_setting(kind: str, key: str) -> bool:
    """Inputs a teacher's link leaves to the student: playing the live run (Train, Step, Reset), looking inside it
    (the step inside an update, its Back and Next, the input point whose numbers the network view shows), the
    student's own predict-first guess and quick-check answers, joining or starting a class (ui/classroom), the app's
    language, presenter mode and fewer updates. Everything else changes the page's setting."""
    return (key.endswith(("-train", "-step", "-reset")) or key.startswith(("_guess.", "_reveal.", "_check.", "_class"))
            or key.startswith(("FormSubmitter:_class", "_inside.")) or key in ("lang", "present", "calm", "_net_point"))


def usable_inputs(at) -> list[str]:
    """Every widget of the page a student can still use, and every chart that takes clicks."""
    found = []
    for kind in WIDGETS:
        for widget in at.get(kind):
            key = getattr(widget, "key", None) or ""
            disabled = getattr(widget, "disabled", None)
            if disabled is None:
                disabled = getattr(widget.proto, "disabled", False)
            if not disabled and not not_a_setting(kind, key):
                found.append(f"{kind} {key or widget.proto.id[-30:]}")
    found += [f"clickable chart {c.proto.id[-30:]}" for c in at.get("plotly_chart") if list(c.proto.selection_mode)]
    return found


@pytest.mark.parametrize("slug, extra", [(p.slug, {}) for p in nav.PAGES]
                         + [("playground", {"data": "own", "points": OWN_POINTS})])
@pytest.mark.parametrize("how", ["lock", "hide"])
def test_a_teachers_link_covers_every_input_of_every_page(slug, extra, how):
    """Under lock=all (hide=all) no widget of any page changes the setting: every control, and the inputs that
    are not controls but change them (the playground's configuration file and points file, the optimizers' preset
    button and the click on its race map, dropout's resample button) are disabled (not drawn)."""
    at = open_page(slug, "en", {how: "all", **extra})
    assert errors(at) == []
    assert usable_inputs(at) == []


def test_restore_defaults_keeps_what_the_link_locks_or_hides():
    """Restore puts back what the student may change; a control the teacher's link locks or hides keeps the
    link's value (restore was a way around lock=points: it cleared locked points)."""
    at = open_page("vanishing", "en", {"lock": "act", "hide": "depth", "act": "tanh", "depth": "20", "width": "48"})
    assert at.slider(key="width").value == 48
    next(b for b in at.button if b.key == "_restore").click()
    at.run()
    assert errors(at) == []
    assert at.session_state["act"] == "tanh" and at.session_state["depth"] == 20
    assert at.slider(key="width").value != 48 and "width" not in at.query_params
