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
from tests.apptest_util import errors, open_page
from ui.catalog import LANGUAGES, load


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
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if s.get("frames"))


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
    for label, name in (("SGD", "sgd"), ("Momentum", "momentum"), ("AdaGrad", "adagrad"), ("Adam", "adam")):
        np.testing.assert_allclose(trails[label], expected[name], atol=1e-4)  # the figure rounds to 4 decimals
    assert len(spec["frames"]) == 31 and len(spec["frames"]) <= 60
    assert spec["layout"]["updatemenus"][0]["buttons"][0]["method"] == "animate"


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
        at = open_page("optimizers", "en", {"opts": "sgd,sgd_copy", "inspect": "sgd_copy", "at_step": "2"})
        assert errors(at) == []
        for key in ("opts", "inspect", "lr_opt"):
            menu = at.multiselect(key=key) if key == "opts" else at.selectbox(key=key)
            assert "sgd_copy" in menu.options, key
        assert at.select_slider(key="lr_sgd_copy").value == 0.3  # the entry's first learning rate
        copy_trail = _trails(_race_spec(at))[_missing_text("common.opt_sgd_copy")]
        np.testing.assert_allclose(copy_trail, optim.trajectory("sgd", "bowl", (-7.0, 2.0), 30, lr=0.3), atol=1e-4)
        # the entry's formula with step 2's numbers: θ1 = (−7 + 0.3·0.7, 2 − 0.3·4), g = (θ1x/10, 2θ1y)
        point = np.array([-7.0 + 0.21, 2.0 - 1.2])
        g = np.array(bowl_grad(*point))
        expected = (r"\begin{gathered}t = 2,\ \eta = 0.3,\ g = \left(%.3g,\ %.3g\right)\\\text{copy: }"
                    r"\Delta\theta = -\eta\,g = \left(%.3g,\ %.3g\right)\end{gathered}" % (*g, *(-0.3 * g)))
        assert [e.value for e in at.latex if r"\text{copy: }" in e.value] == [f"$$\n{expected}\n$$"]
    finally:
        optim.unregister("sgd_copy")


def _missing_text(key):
    """How the page writes a text key no catalog has (a registered optimizer without words)."""
    return f"⟨{key}⟩"
