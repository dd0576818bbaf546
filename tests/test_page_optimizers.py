"""The numbers the optimizers page shows, checked against plain loops and closed forms.

The page turns its controls into calls of lab.optimizers; the AppTest checks read the figure the
page actually sends (its Plotly JSON) and compare it with a computation written out here.
"""
import dataclasses
import json
import math

import numpy as np
import pytest

from core import optim, surfaces
from lab import optimizers as views
from tests.apptest_util import charts, errors, formulas, open_page
from content.catalog import LANGUAGES, load


def bowl_grad(x, y):
    return x / 10.0, 2.0 * y


def dlfs_loops(steps=30):
    """Deep Learning from Scratch ch. 6 preset, PyTorch's conventions, one plain loop per optimizer."""
    out = {}
    x, y, path = -7.0, 2.0, [(-7.0, 2.0)]  # SGD lr 0.95
    for _ in range(steps):
        gx, gy = bowl_grad(x, y)
        x, y = x - 0.95 * gx, y - 0.95 * gy
        path.append((x, y))
    out["sgd"] = path
    x, y, bx, by, path = -7.0, 2.0, 0.0, 0.0, [(-7.0, 2.0)]  # momentum lr 0.1, b ← 0.9b + g
    for _ in range(steps):
        gx, gy = bowl_grad(x, y)
        bx, by = 0.9 * bx + gx, 0.9 * by + gy
        x, y = x - 0.1 * bx, y - 0.1 * by
        path.append((x, y))
    out["momentum"] = path
    x, y, sx, sy, path = -7.0, 2.0, 0.0, 0.0, [(-7.0, 2.0)]  # AdaGrad lr 1.5, ε = 1e-10 outside the root
    for _ in range(steps):
        gx, gy = bowl_grad(x, y)
        sx, sy = sx + gx * gx, sy + gy * gy
        x, y = x - 1.5 * gx / (math.sqrt(sx) + 1e-10), y - 1.5 * gy / (math.sqrt(sy) + 1e-10)
        path.append((x, y))
    out["adagrad"] = path
    x, y, mx, my, vx, vy, path = -7.0, 2.0, 0.0, 0.0, 0.0, 0.0, [(-7.0, 2.0)]  # Adam lr 0.3
    for t in range(1, steps + 1):
        gx, gy = bowl_grad(x, y)
        mx, my = 0.9 * mx + 0.1 * gx, 0.9 * my + 0.1 * gy
        vx, vy = 0.999 * vx + 0.001 * gx * gx, 0.999 * vy + 0.001 * gy * gy
        c1, c2 = 1 - 0.9 ** t, 1 - 0.999 ** t
        x -= 0.3 * (mx / c1) / (math.sqrt(vx / c2) + 1e-8)
        y -= 0.3 * (my / c1) / (math.sqrt(vy / c2) + 1e-8)
        path.append((x, y))
    out["adam"] = path
    return {name: np.array(p) for name, p in out.items()}


PRESET_CONTROLS = {"lr_sgd": 0.95, "lr_momentum": 0.1, "momentum_momentum": 0.9, "lr_adagrad": 1.5,
                   "lr_adam": 0.3, "beta1_adam": 0.9, "beta2_adam": 0.999}


def test_first_load_controls_are_the_dlfs_preset():
    preset = optim.DLFS_PRESET
    assert preset["surface"] == "bowl" and surfaces.get("bowl").default_start == preset["start"]
    for name, hp in preset["entries"]:
        for key, value in hp.items():
            assert views.page_defaults(name)[key] == value
            assert value in views.slider_values(name, key)  # the control can show it


def test_preset_race_matches_plain_loops():
    names = ("sgd", "momentum", "adagrad", "adam")
    entries = [(n, views.hp_for(n, PRESET_CONTROLS)) for n in names]
    result = optim.race(entries, "bowl", (-7.0, 2.0), 30, views.schedule_for("constant", 30))
    expected = dlfs_loops()
    for k, name in enumerate(names):
        np.testing.assert_allclose(result.paths[k], expected[name], rtol=1e-12, atol=1e-12)
    # the predict question's answer: AdaGrad ends lowest, Adam highest
    assert list(np.argsort(result.losses[:, -1])) == [2, 0, 1, 3]


def _race_spec(at):
    """The race map (a live chart: its last frame): the chart that takes clicks (its invisible grid of markers is
    named "click")."""
    specs = list(charts(at).values())
    return next(s for s in specs if any(tr.get("name") == "click" for tr in s["data"]))


def _trails(spec):
    """The bold trail of each optimizer at the last frame: {legend name: (T+1, 2)}."""
    return {tr["name"]: np.column_stack([tr["x"], tr["y"]]) for tr in spec["data"]
            if tr.get("mode") == "lines+markers" and tr.get("name")}


@pytest.mark.app
def test_page_draws_the_preset_positions():
    at = open_page("optimizers", "en")
    assert errors(at) == []
    spec = _race_spec(at)
    trails = _trails(spec)
    expected = dlfs_loops()
    names = (("SGD", "sgd"), ("Momentum", "momentum"), ("AdaGrad", "adagrad"), ("Adam", "adam"))
    for label, name in names:
        np.testing.assert_allclose(trails[label], expected[name], atol=1e-4)  # the figure rounds to 4 decimals
    # the race opens on its last frame and plays with the page's own buttons (issue 24: Plotly's play button and
    # slider inside the figure could not be reached by keyboard): Reset shows the start, Step one step more
    assert "frames" not in spec and not spec["layout"].get("updatemenus") and not spec["layout"].get("sliders")
    assert len(views.race_run(tuple((n, ()) for _, n in names), "bowl", (-7.0, 2.0), 30).steps) == 31
    at.button(key="race-reset").click().run()
    assert all(len(trail) == 1 for trail in _trails(_race_spec(at)).values())
    at.button(key="race-step").click().run()
    trails = _trails(_race_spec(at))
    for label, name in names:
        np.testing.assert_allclose(trails[label], expected[name][:2], atol=1e-4)


@pytest.mark.app
def test_preset_button_restores_the_book_setting():
    at = open_page("optimizers", "en")
    at.selectbox(key="surface").set_value("rosenbrock").run()
    at.select_slider(key="lr_sgd").set_value(0.01).run()
    at.slider(key="steps").set_value(200).run()
    assert at.slider(key="x0").value == surfaces.get("rosenbrock").default_start[0]
    at.button(key="_preset").click().run()
    assert errors(at) == []
    assert at.selectbox(key="surface").value == "bowl"
    assert (at.slider(key="x0").value, at.slider(key="y0").value, at.slider(key="steps").value) == (-7.0, 2.0, 30)
    np.testing.assert_allclose(_trails(_race_spec(at))["SGD"], dlfs_loops()["sgd"], atol=1e-4)


@pytest.mark.app
def test_divergent_sgd_is_reported_and_never_plotted_as_nan():
    at = open_page("optimizers", "en")
    at.select_slider(key="lr_sgd").set_value(10.0).run()
    assert errors(at) == []
    assert any("diverged" in e.value for e in at.error)
    sgd = _trails(_race_spec(at))["SGD"]
    assert np.all(np.isfinite(sgd)) and np.all(np.abs(sgd) <= optim.DIVERGENCE_LIMIT)
    # y ← (1 − 2·10)·y = −19·y from y = 2: beyond the 1e6 limit at step 5, so 5 finite points
    assert len(sgd) == 5


def test_lr_study_matches_the_closed_form_on_the_bowl():
    """SGD on x²/20 + y²: x_T = x0(1 − η/10)^T, y_T = y0(1 − 2η)^T; y diverges for η > 1."""
    study = views.lr_study("sgd", {"lr": 0.95}, "bowl", (-7.0, 2.0), 30)
    for lr, final, d in zip(study.lrs, study.final, study.race.diverged_at):
        x, y = -7.0 * (1 - lr / 10) ** 30, 2.0 * (1 - 2 * lr) ** 30
        if abs(y) > optim.DIVERGENCE_LIMIT or d is not None:
            assert d is not None and np.isnan(final) and lr > 1
        else:
            assert final == pytest.approx(x * x / 20 + y * y, rel=1e-9)
    small, good, large = (study.lrs[i] for i in study.picks)
    assert small < good <= 1.0 < large
    assert study.race.diverged_at[study.picks[2]] is not None  # too large really blows up
    assert good == study.lrs[np.nanargmin(study.final)]


@pytest.mark.parametrize("name", optim.NAMES)
def test_inside_step_arrows_follow_the_rules(name):
    hp = views.page_defaults(name)
    info = views.inside_step(name, hp, "bowl", (-7.0, 2.0), 4)
    point, lr = info["point"], hp["lr"]
    np.testing.assert_allclose(info["gradient"], bowl_grad(*point), rtol=1e-12)
    np.testing.assert_allclose(info["gradient_step"], -lr * info["gradient"], rtol=1e-12)
    np.testing.assert_allclose(point + info["update"], info["next_point"], rtol=1e-12)
    path = optim.trajectory(name, "bowl", (-7.0, 2.0), 4, **hp)
    np.testing.assert_allclose(info["next_point"], path[4], rtol=1e-12)
    if name in ("momentum", "adam", "adamax"):  # Δθ is exactly −η·(first moment) / scale
        scale = 1.0 if info["scale"] is None else info["scale"]
        np.testing.assert_allclose(info["update"], info["momentum_step"] / scale, rtol=1e-12)
    if name == "nesterov":
        np.testing.assert_allclose(info["lookahead"], point - lr * hp["momentum"] * info["first_moment"])
    if name in ("adagrad", "rmsprop"):
        np.testing.assert_allclose(info["update"], info["adaptive_step"], rtol=1e-12)


def test_adam_first_step_is_plus_minus_lr():
    info = views.inside_step("adam", views.page_defaults("adam"), "bowl", (-7.0, 2.0), 1)
    np.testing.assert_allclose(info["update"], [0.3, -0.3], rtol=1e-6)  # −η·g/|g| after bias correction


def test_schedule_applied_to_the_race_matches_a_loop():
    steps = 30
    schedule = views.schedule_for("step", steps)  # ×0.3 every 10 steps
    result = optim.race([("sgd", {"lr": 0.5})], "bowl", (-7.0, 2.0), steps, schedule)
    x, y = -7.0, 2.0
    for t in range(steps):
        lr = 0.5 * 0.3 ** (t // 10)
        gx, gy = bowl_grad(x, y)
        x, y = x - lr * gx, y - lr * gy
    np.testing.assert_allclose(result.paths[0, -1], [x, y], rtol=1e-12)
    curves = views.schedule_curves(steps)
    assert curves["cosine"][0] == 1.0 and curves["cosine"][-1] < 0.01
    assert np.argmax(curves["one_cycle"]) == round(0.3 * steps) - 1 and curves["one_cycle"].max() == pytest.approx(1)
    assert curves["exponential"][-1] == pytest.approx(0.02 ** ((steps - 1) / steps))
    assert views.schedule_for("constant", steps) is None


@pytest.mark.parametrize("steps", [1, 5, 30, 59, 60, 61, 300])
def test_frames_stay_within_sixty(steps):
    frames = views.frame_steps(steps)
    assert frames[0] == 0 and frames[-1] == steps and len(frames) <= 60
    assert all(b > a for a, b in zip(frames, frames[1:]))
    if steps < 60:
        assert frames == list(range(steps + 1))


def test_averaged_iterate_is_closer_to_the_minimum_under_noise():
    entries = [("sgd", {"lr": 0.3}), ("adam", {"lr": 0.3})]
    runs = views.noisy_pair(entries, "bowl", (-7.0, 2.0), 300, 2.0, 0, 0.9)
    result, ema = runs.race, runs.ema
    again = views.noisy_pair(entries, "bowl", (-7.0, 2.0), 300, 2.0, 0, 0.9)
    np.testing.assert_array_equal(result.paths, again.race.paths)  # reproducible from the seed
    tail = slice(150, None)
    # In the steep y direction the iterates jitter around 0 and the EMA averages the noise out
    # (SGD: y ← 0.4·y + 0.3·noise, a fast, stationary jitter). The flat x direction drifts slowly,
    # which an EMA of decay 0.9 cannot average away; the page's caption speaks of the jitter.
    assert np.abs(ema[0, tail, 1]).mean() < 0.5 * np.abs(result.paths[0, tail, 1]).mean()
    assert np.abs(ema[1, tail, 1]).mean() < 0.8 * np.abs(result.paths[1, tail, 1]).mean()
    manual = result.paths[0, 0].copy()  # EMA written out
    for t in range(1, 11):
        manual = 0.9 * manual + 0.1 * result.paths[0, t]
    np.testing.assert_allclose(ema[0, 10], manual, rtol=1e-12)


def test_display_levels_are_log_spaced_where_the_surface_asks():
    assert views.display_levels("rosenbrock", 0.0) == pytest.approx(math.log10(0.1))
    assert views.display_levels("bowl", 3.0) == 3.0
    xs, ys, z = views.grid("saddle", 11)
    assert z.shape == (11, 11) and z[5, 0] == pytest.approx(4.0)  # x² − y² at (−2, 0)


def test_every_optimizer_and_slider_has_its_words():
    """What the page shows of an entry that content must name: common.opt_<name> and optimizers.hp_<key>."""
    for lang in LANGUAGES:
        text = load(lang)
        for name in optim.NAMES:
            assert f"common.opt_{name}" in text, (lang, name)
            for key in views.page_defaults(name):
                assert f"optimizers.hp_{key}" in text, (lang, name, key)


def test_every_first_learning_rate_is_on_the_slider():
    for name in optim.NAMES:
        for key, value in views.page_defaults(name).items():
            assert value in views.slider_values(name, key), (name, key)


@pytest.mark.app
def test_an_optimizer_registered_at_run_time_is_on_the_page():
    """One registry entry is the whole of a new optimizer: its menus, its first learning rate, its formula."""
    copy = dataclasses.replace(optim.rule("sgd"), name="sgd_copy", first_lr=0.3,
                               latex=(r"\text{copy: }\Delta\theta = -\eta\,g = $update",))
    optim.register(copy)
    try:
        params = {"opts": "sgd,sgd_copy", "inspect": "sgd_copy", "at_step": "2", "lr_opt": "sgd_copy"}
        for tab, key in (("race", "opts"), ("step", "inspect"), ("lr", "lr_opt")):  # only the open tab is drawn
            at = open_page("optimizers", "en", {**params, "tab": tab})
            assert errors(at) == []
            menu = at.multiselect(key=key) if key == "opts" else at.selectbox(key=key)
            assert "sgd_copy" in menu.options, key
        at = open_page("optimizers", "en", params)
        assert at.select_slider(key="lr_sgd_copy").value == 0.3  # the entry's first learning rate
        copy_trail = _trails(_race_spec(at))[_missing_text("common.opt_sgd_copy")]
        np.testing.assert_allclose(copy_trail, optim.trajectory("sgd", "bowl", (-7.0, 2.0), 30, lr=0.3), atol=1e-4)
        # the entry's formula with step 2's numbers: θ1 = (−7 + 0.3·0.7, 2 − 0.3·4), g = (θ1x/10, 2θ1y)
        at = open_page("optimizers", "en", {**params, "tab": "step"})
        point = np.array([-7.0 + 0.21, 2.0 - 1.2])
        g = np.array(bowl_grad(*point))
        expected = (r"\begin{gathered}t = 2,\ \eta = 0.3,\ g = \left(%.3g,\ %.3g\right)\\\text{copy: }"
                    r"\Delta\theta = -\eta\,g = \left(%.3g,\ %.3g\right)\end{gathered}" % (*g, *(-0.3 * g)))
        assert [f for f in formulas(at) if r"\text{copy: }" in f] == [expected]
    finally:
        optim.unregister("sgd_copy")


def _missing_text(key):
    """How the page writes a text key no catalog has (a registered optimizer without words)."""
    return f"⟨{key}⟩"


# ---------------------------------------------------------------- what the page says in words, at its defaults

D = views.DEFAULTS


def _default_race(schedule=None, settings=None, names=None, surface=None, start=None, steps=None):
    names = D.opts if names is None else names
    return views.race_of(views.entries_of(names, settings or {}), surface or D.surface, start or D.start,
                         steps or D.steps, schedule or D.schedule)


def test_the_predict_answer_holds_at_the_defaults():
    """q1_a: AdaGrad ≈ 7·10⁻⁴ after 30 steps, SGD ≈ 0.013, Momentum ≈ 0.048, Adam ≈ 0.10 (the defaults are the
    book's preset)."""
    race = _default_race()
    final = dict(zip(D.opts, race.losses[:, -1]))
    assert final["adagrad"] == pytest.approx(7e-4, rel=0.1)
    assert final["sgd"] == pytest.approx(0.013, rel=0.1)
    assert final["momentum"] == pytest.approx(0.048, rel=0.1)
    assert final["adam"] == pytest.approx(0.10, rel=0.1)
    assert min(final, key=final.get) == "adagrad"


def test_the_race_shows_what_the_intro_and_caption_say():
    """Intro and cap_race: SGD zig-zags across the steep y direction and crawls along x; Momentum overshoots
    the minimum (x passes 0); AdaGrad walks almost straight (its y never changes sign)."""
    race = _default_race()
    sgd, momentum, adagrad = (race.paths[D.opts.index(n)] for n in ("sgd", "momentum", "adagrad"))
    assert np.all(np.sign(sgd[1:, 1]) == -np.sign(sgd[:-1, 1]))  # y flips sign every step: the zig-zag
    assert np.abs(np.diff(sgd[:, 1])).mean() > 4 * np.abs(np.diff(sgd[:, 0])).mean()
    assert momentum[:, 0].max() > 0.5  # past the minimum at x = 0, then back
    assert np.all(np.sign(adagrad[1:, 1]) == np.sign(adagrad[0, 1]))


def test_the_learning_rate_study_shows_what_its_captions_say():
    """cap_sweep / cap_panels at the defaults (SGD on the bowl): too small is still far up the valley, the good
    rate sits just below the cliff, too large diverges."""
    study = views.lr_study_of(D.lr_opt, views.frozen_hp(D.lr_opt, {}), D.surface, D.start, D.steps)
    small, good, large = study.picks
    assert study.final[small] > 10 * study.final[good]
    first_diverging = next(k for k, d in enumerate(study.race.diverged_at) if d is not None)
    assert good < first_diverging <= good + 2  # the good rate is at most two grid steps below the cliff
    assert study.race.diverged_at[large] is not None
    y = study.race.paths[large, :study.race.valid_len[large], 1]
    assert np.all(np.abs(y[2:]) > np.abs(y[1:-1]))  # growing swings until it leaves


def test_a_decaying_schedule_lets_the_oscillating_run_settle():
    """cap_sched: SGD at lr 0.95 still bounces across the valley after 30 steps at a constant rate; every decaying
    schedule ends with the bounce gone."""
    swing = {name: np.abs(_default_race(name, names=("sgd",)).paths[0, -5:, 1]).mean()
             for name in views.SCHEDULE_NAMES}
    assert swing["constant"] > 0.05
    for name in ("step", "exponential", "cosine", "one_cycle"):
        assert swing[name] < 1e-3 * swing["constant"], name


def test_averaging_removes_the_jitter_at_the_defaults():
    """cap_noise and cap_noise_loss at the defaults: in the second half of the run the EMA and the Polyak average
    move much less per step than the raw iterate, and the EMA's loss is lower."""
    noisy = views.noisy_of(views.entries_of(views.NOISY_PAIR, {}), D.surface, D.start, D.nsteps, D.noise, D.seed,
                           D.ema)
    tail = slice(D.nsteps // 2, None)

    def wander(path):
        return np.linalg.norm(np.diff(path, axis=0), axis=1).mean()

    for k in range(len(views.NOISY_PAIR)):
        raw = wander(noisy.race.paths[k, tail])
        assert wander(noisy.ema[k, tail]) < 0.6 * raw and wander(noisy.polyak[k, tail]) < 0.6 * raw
        assert noisy.ema_losses[k, tail].mean() < noisy.race.losses[k, tail].mean()


def test_the_try_this_claims():
    # SGD at lr 1.0 bounces between y = ±2 forever; at 1.5 it diverges
    bounce = _default_race(names=("sgd",), settings={"lr_sgd": 1.0}).paths[0]
    np.testing.assert_allclose(np.abs(bounce[:, 1]), 2.0)
    assert _default_race(names=("sgd",), settings={"lr_sgd": 1.5}).diverged_at[0] is not None
    # the saddle: from y0 = 0 nobody leaves the axis; from 0.001, at lr 0.05 for all, momentum and the adaptive
    # methods escape (|y| > 0.5) within the 30 steps and SGD does not
    names = ("sgd", "momentum", "adagrad", "adam")
    settings = {f"lr_{n}": 0.05 for n in names}
    x0 = surfaces.get("saddle").default_start[0]
    on_axis = _default_race(names=names, settings=settings, surface="saddle", start=(x0, 0.0))
    assert np.all(on_axis.paths[:, :, 1] == 0)
    off_axis = _default_race(names=names, settings=settings, surface="saddle", start=(x0, 0.001))
    escaped = np.abs(off_axis.paths[:, -1, 1]) > 0.5
    assert escaped.tolist() == [False, True, True, True]


@pytest.mark.app
def test_only_the_open_tab_is_computed_and_a_link_opens_a_tab():
    at = open_page("optimizers", "en")
    assert list(charts(at)) == ["race", "race_loss"]  # the race and its losses; the other tabs are not drawn
    at = open_page("optimizers", "en", {"tab": "lr", "scheds": "cosine", "schedule": "step"})
    assert errors(at) == []
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    sched = specs[-1]
    names = [tr["name"] for tr in sched["data"]]
    assert names == ["step decay (in the race)", "cosine annealing"]  # the viewer's pick plus the race's schedule
    assert all("dash" not in tr["line"] for tr in sched["data"])


def test_the_race_at_a_step_draws_each_trail_to_that_step():
    """The page plays the race frame by frame (issue 24): the figure at step s holds each run's path up to s (its
    frame steps and s itself), the ball at s, and no Plotly animation (buttons no keyboard could reach)."""
    from figures import optimizers as fig

    race = _default_race()
    frames = views.frame_steps(D.steps)
    words = {"names": list(D.opts), "start": "s", "minimum": "m"}
    for upto in (0, 7, D.steps):
        spec = fig.race(race, views.map_of(D.surface), frames, words, upto=upto).to_dict()
        assert "frames" not in spec and "updatemenus" not in spec["layout"]
        trails = _trails(spec)
        for k, name in enumerate(D.opts):
            np.testing.assert_allclose(trails[name], race.paths[k, :upto + 1], atol=1e-4)
        alt = fig.race(race, views.map_of(D.surface), frames, words, upto=upto).alt
        assert any(part[0] == "path" and part[1]["n"] == str(upto) for part in alt.parts)


@pytest.mark.app
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("tab", ["step", "lr", "noise"])
def test_every_tab_renders_and_survives_its_controls_at_both_ends(tab, lang):
    """The app-wide tests open the first tab only (the others are not drawn until opened): each other tab, from
    its link, with every control it draws at both ends."""
    from tests.apptest_util import extremes, invalid_charts, non_finite_in_charts, non_finite_in_text, page_widgets

    at = open_page("optimizers", lang, {"tab": tab})
    assert errors(at) == [] and invalid_charts(at) == []
    assert len(at.get("plotly_chart")) >= 1
    if lang != "en":  # AppTest formats option labels in its own thread (English): controls are moved in English
        return
    sidebar = {"surface", "x0", "y0", "steps", "opts", "schedule", "view3d"} | {
        w.key for w in page_widgets(at) if "_" in w.key}  # the race's settings are covered by the app tests
    for key in [w.key for w in page_widgets(at) if w.key not in sidebar]:
        for value in extremes(next(w for w in page_widgets(at) if w.key == key)) or []:
            next(w for w in page_widgets(at) if w.key == key).set_value(value)
            at.run()
            assert errors(at) == [], f"{tab}: {key} = {value!r}"
            assert non_finite_in_text(at) == [] and non_finite_in_charts(at) == [], f"{tab}: {key} = {value!r}"


@pytest.mark.parametrize("name", surfaces.NAMES)
def test_the_start_sliders_can_show_every_surface_s_own_start(name):
    """The race checks that its start is the sliders' (a map click moves it): a start the sliders could not show
    (the saddle's 0.001 on a 0.01 grid) made choosing that surface rerun the page for ever (the CI's time-out)."""
    start = surfaces.get(name).default_start
    for setting, value in zip(views.start_settings(name), start):
        assert setting.snap(value) == pytest.approx(value, abs=1e-12)
        assert setting.default == value


@pytest.mark.app
def test_choosing_the_saddle_draws_its_race_from_just_off_the_axis():
    at = open_page("optimizers", "en")
    at.selectbox(key="surface").set_value("saddle").run()
    assert errors(at) == []
    assert (at.slider(key="x0").value, at.slider(key="y0").value) == surfaces.get("saddle").default_start
    trail = next(iter(_trails(_race_spec(at)).values()))
    assert tuple(trail[0]) == pytest.approx(surfaces.get("saddle").default_start)



def test_a_start_far_off_the_map_snaps_to_its_edge():
    """A map click's x and y are JSON from the client: 1e308 snapped to the grid was an OverflowError in the click's
    callback (NaN and infinities are dropped before, lessons/optimizers.pick_start)."""
    for setting, value in zip(views.start_settings("bowl"), (1e308, -1e308)):
        assert setting.snap(value) == (setting.hi if value > 0 else setting.lo)
