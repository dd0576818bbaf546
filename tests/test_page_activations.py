"""The numbers the activation-functions page shows, through the functions it calls."""
import numpy as np
import pytest

from lab import activations as demos
from ui import _live_legacy


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
    np.testing.assert_allclose(demos.dead_fractions(relu.net, relu.x_train), np.mean(
        [np.all(t.a == 0, axis=0) for t in relu.net.trace[:-1]], axis=1))
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


def test_groups_work_in_the_live_panel():
    group = demos.dying_group(**demos.DYING)
    assert not _live_legacy._finished(group, 200)  # the panel reads .diverged as a flag (until it moves to frames)
    group.run(3)
    assert group.step == 3 and group["relu"].step == 3


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
    stds = demos.selu_stds(seed=0)  # the page's probe: 20 layers of 100, 200 inputs, no bias
    lecun, he = stds["lecun_normal"], stds["he_normal"]
    assert lecun.shape == he.shape == (20,)
    assert np.all(np.abs(lecun - 1) < 0.15)
    assert he[-1] > 3 * lecun[-1]


def test_timing_reports_positive_milliseconds():
    ms = demos.time_per_million(("sigmoid", "relu"), repeats=1)
    assert set(ms) == {"sigmoid", "relu"} and all(v > 0 for v in ms.values())  # values: never asserted
