"""The numbers the activation-functions page shows, through the functions it calls."""
import numpy as np
import pytest

from lab import activations as demos
from runs import shared

D = demos.DEFAULTS


def test_sigmoid_derivative_peaks_at_a_quarter_at_zero():
    curve = demos.function_curve("sigmoid")
    peak = int(np.argmax(curve.d))
    assert curve.z[peak] == pytest.approx(0.0, abs=1e-12)
    assert curve.d[peak] == pytest.approx(0.25, abs=1e-12)
    # saturated on both sides where σ'(z) < 0.05, i.e. |z| > ln((1 + √(1 - 0.2)) / (1 - √(1 - 0.2))) ≈ 2.89
    edge = np.log((1 + np.sqrt(0.8)) / (1 - np.sqrt(0.8)))
    (lo0, lo1), (hi0, hi1) = curve.flat
    assert lo0 == -6 and hi1 == 6 and lo1 == pytest.approx(-edge, abs=0.03) and hi0 == pytest.approx(edge, abs=0.03)


def test_relu_dead_side_and_leaky_never_dead():
    relu = demos.function_curve("relu")
    assert relu.dead and relu.flat == [(-6.0, 0.0)]
    assert demos.function_curve("leaky_relu", alpha=0.01).flat == []
    assert demos.function_curve("leaky_relu", alpha=0.0).dead  # α = 0 is ReLU
    band = demos.function_curve("rrelu", lower=0.1, upper=0.3).band
    z = demos.function_curve("rrelu").z
    assert np.allclose(band[0][z < 0], 0.1 * z[z < 0]) and np.allclose(band[1][z < 0], 0.3 * z[z < 0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_positive_inputs_zigzag_in_same_sign_quadrants_and_take_longer(seed):
    pos = demos.zigzag("positive", lr=0.5, seed=seed)
    cen = demos.zigzag("centered", lr=0.5, seed=seed)
    assert np.all(pos.x > 0)
    # every update of the all-positive run has two components of one sign: the (+,+) or (−,−) quadrant
    assert np.all(pos.updates[:, 0] * pos.updates[:, 1] >= 0)
    assert np.any(pos.updates[:, 0] > 0) and np.any(pos.updates[:, 0] < 0)  # it must turn back: a zig-zag
    # zero-centred inputs are free to move into the (+,−) quadrant, straight toward w* = (1, −1)
    assert np.any(cen.updates[:, 0] * cen.updates[:, 1] < 0)
    assert cen.steps_to_target is not None
    assert pos.steps_to_target is None or pos.steps_to_target > 2 * cen.steps_to_target
    assert np.linalg.norm(cen.path[-1] - cen.target) < 0.05


def test_the_page_pair_is_the_two_runs_on_the_same_draws():
    pos, cen = demos.zigzag_pair(lr=0.5, spread=2.0, seed=3)
    assert (pos.inputs, cen.inputs) == ("positive", "centered")
    np.testing.assert_array_equal(pos.path, demos.zigzag("positive", lr=0.5, spread=2.0, seed=3).path)
    k = min(len(pos.x), len(cen.x))  # the inputs seen until each run stopped
    np.testing.assert_allclose(cen.x[:k], pos.x[:k] - 0.5)


def test_zigzag_update_is_the_normalized_gradient_step():
    run = demos.zigzag("positive", lr=0.3, seed=4, max_steps=5)
    w, x = run.path[:-1], run.x
    e = np.sum((w - run.target) * x, axis=1)
    expected = -0.3 * e[:, None] * x / np.sum(x * x, axis=1, keepdims=True)
    np.testing.assert_allclose(run.updates, expected, atol=1e-12)


@pytest.fixture(scope="module")
def dying_run():
    group = demos.dying_group(**demos.DYING)
    group.run(120)
    return group


def test_page_defaults_kill_relu_units_but_no_leaky_or_elu_unit(dying_run):
    relu = dying_run["relu"]
    assert not dying_run.diverged_steps()
    hist = relu.history["dead_fraction"]
    assert hist.shape == (120, len(demos.DYING["hidden"]))
    assert hist[-1].mean() > 0.2  # a good share of the ReLU units is dead on the whole training set
    assert hist[-1].mean() > hist[0].mean() + 0.1  # ... and most of them died during training
    ours = demos.dead_fractions(relu.net, relu.x_train)
    relu.net.forward(relu.x_train, train=False)  # the same pass by hand: a unit whose output is 0 on every sample
    np.testing.assert_allclose(ours, np.mean([np.all(t.a == 0, axis=0) for t in relu.net.trace[:-1]], axis=1))
    ours, engine = demos.dead_fractions(relu.net, relu.x_train), relu.net.dead_unit_fraction(relu.x_train)
    np.testing.assert_allclose(ours, engine)  # for ReLU "f' = 0 everywhere" is "output 0 everywhere"
    for name in ("leaky_relu", "elu"):
        assert np.all(dying_run[name].history["dead_fraction"] == 0)
        assert np.all(demos.dead_fractions(dying_run[name].net, dying_run[name].x_train) == 0)


def test_the_page_series_and_the_unit_it_shows(dying_run):
    """The dead-share chart runs from step 0 to the current step, its last row measured now; the unit the
    histogram shows is dead (all z < 0) in the layer with most dead units, beside a live one of that layer."""
    series = demos.dead_series(dying_run)
    relu = dying_run["relu"]
    steps, frac = series["relu"]
    assert steps[0] == 0 and steps[-1] == relu.step == 120 and frac.shape == (121, len(demos.DYING["hidden"]))
    np.testing.assert_allclose(frac[-1], demos.dead_fractions(relu.net, relu.x_train))
    unit = demos.dead_unit(relu)
    masks = demos.dead_units(relu.net, relu.x_train)
    assert unit.layer == int(np.argmax([m.sum() for m in masks])) and masks[unit.layer][unit.unit]
    assert np.all(unit.z_dead < 0) and unit.z_dead.shape == (relu.x_train.shape[0],)
    assert unit.z_alive is not None and np.any(unit.z_alive > 0)
    assert demos.dead_unit(dying_run["elu"]) is None


def test_every_dead_unit_has_negative_preactivations_on_every_training_sample(dying_run):
    relu = dying_run["relu"]
    masks = demos.dead_units(relu.net, relu.x_train)
    zs = demos.preactivations(relu.net, relu.x_train)
    assert sum(int(m.sum()) for m in masks) > 0
    for mask, z in zip(masks, zs):
        assert z.shape[0] == relu.x_train.shape[0]
        assert np.all(z[:, mask] < 0)
        assert np.all(np.any(z[:, ~mask] > 0, axis=0))  # the others are alive somewhere


def test_a_dead_unit_stays_dead():
    group = demos.dying_group(**demos.DYING)
    group.run(60)
    before = [m.copy() for m in demos.dead_units(group["relu"].net, group["relu"].x_train)]
    group.run(40)
    after = demos.dead_units(group["relu"].net, group["relu"].x_train)
    for b, a in zip(before, after):
        assert np.all(a[b])  # no gradient reaches a dead unit, so it cannot come back


def last_frame(spec):
    return shared.complete(spec).frames[-1]


def test_the_dying_run_plays_as_frames_and_tells_the_caption_s_story():
    """cap_dead, q1_a at the defaults: ReLU's dead share climbs within the first few dozen steps and then stays put;
    LeakyReLU and ELU never have a dead unit; the dead unit shown has z < 0 on every training sample (cap_strip)."""
    run = shared.complete(demos.dying_run(D.dy_lr, D.dy_bias, D.seed))
    steps = [f.step for f in run.frames]
    assert steps[0] == 0 and steps[-1] == demos.DYING_STEPS and 20 <= len(set(steps)) == len(steps) <= 41
    v = run.frames[-1].data
    s, frac = v.dead["relu"]
    assert s[-1] == demos.DYING_STEPS and frac.shape == (len(s), len(demos.DYING["hidden"]))
    after = frac[s >= 50].mean(axis=1)
    assert after[0] > 0.2 and np.all(np.diff(after) >= 0) and after[-1] - after[0] < 0.05
    assert frac[-1].mean() > frac[0].mean() + 0.1  # most of them died during training
    for name in ("leaky_relu", "elu"):
        assert np.all(v.dead[name][1] == 0)
    assert v.diverged == {} and np.all(v.unit.z_dead < 0) and np.any(v.unit.z_alive > 0)


def test_a_small_learning_rate_kills_hardly_any_unit():
    """try: at 0.001, apart from the few units dead from the start (about 5-10 %), hardly any unit dies; with the
    initial bias at -0.5 many more are dead."""
    s, frac = last_frame(demos.dying_run(0.001, 0.0, 0)).data.dead["relu"]
    assert 0.02 < frac[0].mean() < 0.12 and frac[-1].mean() - frac[0].mean() < 0.05
    biased = last_frame(demos.dying_run(0.1, -0.5, 0)).data.dead["relu"][1]
    assert biased[-1].mean() > frac[-1].mean() + 0.3


def test_the_race_at_the_defaults():
    """cap_loss, try: on the spirals sigmoid's loss stays flat near ln 2 while ReLU's and ELU's fall; the table's
    numbers are the last recorded ones; every member gets a decision map."""
    run = shared.complete(demos.race_run(D.acts, D.dataset, D.cmp_lr, D.seed))
    steps = [f.step for f in run.frames]
    assert steps[-1] == demos.COMPARE_STEPS and 20 <= len(set(steps)) == len(steps) <= 41
    v = run.frames[-1].data
    assert list(v.losses) == list(D.acts) and v.diverged == {}
    s, sigmoid = v.losses["sigmoid"]
    assert np.all(np.abs(sigmoid[s <= 200] - np.log(2)) < 0.05) and sigmoid[-1] > 0.5  # flat on the log axis
    for name in ("relu", "elu"):
        assert v.train_loss[name] < 0.05 and v.test_acc[name] > 0.95
    assert v.train_loss["sigmoid"] > 100 * v.train_loss["relu"]
    assert set(v.grids) == set(D.acts) and all(g[2].shape == (demos.GRID, demos.GRID) for g in v.grids.values())
    assert run.frames[0].data.test_acc["relu"] is None  # before the first record the table shows a dash


@pytest.mark.parametrize("spec", [demos.dying_run(demos.DYING_LRS[-1], -1.0, 0),
                                  demos.dying_run(demos.DYING_LRS[-1], 0.5, 0),
                                  demos.race_run(demos.FUNCTIONS, "spirals", demos.COMPARE_LRS[-1], 0),
                                  demos.race_run(demos.FUNCTIONS, "xor", demos.COMPARE_LRS[-1], 3)],
                         ids=["dying-bias-low", "dying-bias-high", "race-spirals", "race-xor"])
def test_no_setting_makes_a_run_diverge(spec):
    """issue 17 item 3 and no_divergence: at the sliders' largest learning rates (Adam) nothing diverges and every
    number a chart draws is finite: the page says why instead."""
    for frame in shared.complete(spec).frames:
        v = frame.data
        assert v.diverged == {} and frame.diverged_at is None
        series = v.dead.values() if hasattr(v, "dead") else v.losses.values()
        assert all(np.all(np.isfinite(values)) for _, values in series)


def test_compare_group_uses_recommended_init_and_grid_is_a_probability():
    group = demos.compare_group(["sigmoid", "selu", "relu"], dataset="moons", lr=0.01)
    group.run(10)
    stds = {n: float(np.std(group[n].net.weights[1])) for n in ("sigmoid", "selu", "relu")}
    assert stds["selu"] == pytest.approx(np.sqrt(1 / 32), rel=0.2)  # LeCun
    assert stds["relu"] == pytest.approx(np.sqrt(2 / 32), rel=0.2)  # He
    assert stds["sigmoid"] == pytest.approx(np.sqrt(2 / 64), rel=0.2)  # Xavier
    xs, ys, p = demos.probability_grid(group["relu"], n=20)
    assert p.shape == (20, 20) and np.all((p >= 0) & (p <= 1))
    losses = demos.compare_losses(group)
    steps, loss = losses["relu"]
    assert steps[0] == 0 and loss[0] == group.initial_loss["relu"] and steps[-1] == 10
    assert demos.guide_order(["sigmoid", "gelu", "selu", "relu"]) == ["selu", "relu", "sigmoid", "gelu"]


def test_selu_self_normalizes_with_lecun_not_he():
    stds = demos.selu_stds()  # the page's probe: 20 layers of 100, 200 inputs, no bias
    lecun, he = stds["lecun_normal"], stds["he_normal"]
    assert lecun.shape == he.shape == (20,)
    assert np.all(np.abs(lecun - 1) < 0.15)
    assert he[-1] > 3 * lecun[-1]


def test_timing_reports_positive_milliseconds():
    ms = demos.time_per_million(("sigmoid", "relu"), repeats=1)
    assert set(ms) == {"sigmoid", "relu"} and all(v > 0 for v in ms.values())  # values: never asserted


def test_the_zigzag_caption_at_the_defaults():
    """cap_zz: the all-positive path needs many more steps than the zero-centred one."""
    pos, cen = demos.zigzag_pair(D.zz_lr, D.zz_spread, D.seed)
    assert cen.steps_to_target is not None and (pos.steps_to_target or 1000) > 3 * cen.steps_to_target


def test_tanh_is_written_tanh_in_the_table_and_the_chips():
    """issue 13: "하이퍼볼릭 탄젠트(tanh)" was cut off in the race table and the multiselect chips."""
    from content import catalog

    for lang in ("en", "ko"):
        assert catalog.load(lang)["common.opt_tanh"] == "tanh"  # every page, menu and chip uses this label


@pytest.mark.app
def test_the_largest_settings_show_no_divergence_and_no_infinite_chart():
    from tests.apptest_util import errors, non_finite_in_charts, non_finite_in_text, open_page

    params = {"dy_lr": "0.3", "dy_bias": "-1", "cmp_lr": "0.1", "ds": "xor"}
    shared.complete(demos.dying_run(0.3, -1.0, 0))
    shared.complete(demos.race_run(D.acts, "xor", 0.1, 0))
    for section in ("dying", "race"):  # one tab at a time: only the open one is drawn
        at = open_page("activations", "ko", {**params, "section": section})
        assert errors(at) == [] and [e.value for e in at.error] == []
        assert non_finite_in_charts(at) == [] and non_finite_in_text(at) == []
        if section == "race":
            assert any("tanh" in list(table.value.index) for table in at.table)  # the race table names each one
        assert sum(t.value == catalog_text("ko", "activations.no_divergence") for t in at.caption) == 1


@pytest.mark.app
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_secondary_sections_are_tabs_and_a_link_opens_one(lang):
    """Issue 23, item 8: the page was 6,600 px long. Its key chart (section 1) comes first, then sections 2-5 as tabs:
    only the open one is drawn; ?section= opens a tab, and so does a link that sets one of a tab's controls."""
    from tests.apptest_util import errors, open_page

    def drawn(at):
        from tests.apptest_util import charts

        return set(charts(at))

    at = open_page("activations", lang)
    assert errors(at) == [] and {"chart_fn", "chart_loss"} <= drawn(at)  # the key chart, then the race (first tab)
    assert not drawn(at) & {"chart_zigzag", "chart_dead", "chart_selu"}
    assert "section" not in at.query_params
    for params, charts in (({"section": "dying"}, {"chart_dead"}), ({"dy_bias": "-1"}, {"chart_dead"}),
                           ({"section": "sigmoid"}, {"chart_zigzag"}), ({"zz_lr": "0.2"}, {"chart_zigzag"}),
                           ({"section": "guide"}, {"chart_selu"})):
        at = open_page("activations", lang, params)
        assert errors(at) == [] and "chart_fn" in drawn(at) and charts <= drawn(at), (params, drawn(at))
        assert "chart_loss" not in drawn(at)
        assert at.query_params["section"] in (params.get("section"), "dying", "sigmoid")  # the link names it


@pytest.mark.app
@pytest.mark.parametrize("section", ["sigmoid", "dying", "guide"])
def test_every_tab_survives_its_controls_at_both_ends(section):
    """The app-wide tests open the first tab only: each other tab, from a link, with its controls at both ends."""
    from tests.apptest_util import errors, extremes, non_finite_in_text, open_page, page_widgets

    at = open_page("activations", "en", {"section": section})
    for key in [w.key for w in page_widgets(at)]:
        for value in extremes(next(w for w in page_widgets(at) if w.key == key)) or []:
            widget = next((w for w in page_widgets(at) if w.key == key), None)
            if widget is None:
                break
            widget.set_value(value)
            at.run()
            assert errors(at) == [] and non_finite_in_text(at) == [], f"{section}: {key} = {value!r}"


def catalog_text(lang, key):
    from content import catalog

    return catalog.load(lang)[key]
