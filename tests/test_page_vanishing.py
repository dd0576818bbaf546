"""The numbers the vanishing/exploding page shows, through the functions it calls.

The page (through lab.vanishing) builds nn.MLP([64] + [width] * depth + [10]) on 600 of the digits, measures one
backward pass with probe.gradient_profile, trains with train.Trainer (plain SGD, batches of 64, a row every 2
steps) inside a compare.Group, and plots through figures.vanishing.
"""
import numpy as np
import pytest

from core import compare, probe, regularization, train
from figures import vanishing as fig
from lab import vanishing as lab

DEPTH, WIDTH = 12, 32  # the page's defaults


@pytest.fixture(scope="module")
def digits():
    ds = lab.dataset("digits", seed=0)  # the page's data set
    assert ds.n_features == 64 and len(ds.x_train) + len(ds.x_test) == 600
    return ds


def make_net(ds, depth=DEPTH, act="sigmoid", init="xavier_normal", seed=0, batchnorm=False, std=1.0):
    net = lab.network(ds, depth=depth, width=WIDTH, act=act, init=init, std=std, bn=batchnorm, seed=seed)
    assert net.sizes == [ds.n_features] + [WIDTH] * depth + [ds.n_outputs]
    return net


def make_trainer(ds, lr, act="relu", init="he_normal", eval_every=2, **clipping):
    """The page's trainer with a history row every ``eval_every`` updates (1: every update is checked)."""
    return train.Trainer(make_net(ds, act=act, init=init), ds, optimizer="sgd", opt_kwargs={"lr": lr},
                         batch_size=lab.BATCH, seed=0, eval_every=eval_every, **clipping)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_gradient_vanishes_toward_the_input(digits, seed):
    """Default page: 12 sigmoid layers, Xavier. The first layer's gradient is > 10^6 times smaller than the
    output layer's and grows monotonically toward the output (each layer multiplies by about 1/4)."""
    p = probe.gradient_profile(make_net(digits, seed=seed), digits.x_train, digits.y_train)
    g = p.weight_grad_norm
    assert p.max_slope == pytest.approx(0.25, abs=1e-6)
    assert g.shape == (DEPTH + 1,)
    assert g[0] / g[-1] < 1e-6
    assert np.all(np.diff(g) > 0)
    # the measured decay follows the dashed 0.25^(L-l) line: average factor per layer in [0.15, 0.3]
    per_layer = (g[0] / g[-1]) ** (1 / DEPTH)
    assert 0.15 < per_layer < 0.3


def test_chain_rule_bound_holds_layer_by_layer(digits):
    """The exact claim: without batch norm, δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ σ'(z_l) with 0 < σ' ≤ 1/4, and
    ‖A ⊙ B‖_F ≤ max|B| · ‖A‖_F, ‖δ Wᵀ‖_F ≤ ‖W‖_2 ‖δ‖_F. Hence ‖δ_l‖ ≤ 0.25 · ‖W_{l+1}‖_2 · ‖δ_{l+1}‖ for every
    layer, whatever the weights. A backward pass that used the wrong derivative or weights would break it."""
    net = make_net(digits)
    p = probe.gradient_profile(net, digits.x_train, digits.y_train)
    d, s = p.delta_norm, p.weight_spectral_norm
    assert np.all(d[:-1] <= 0.25 * s[1:] * d[1:] * (1 + 1e-9))
    # the spectral norms are what numpy says they are
    assert s == pytest.approx([np.linalg.norm(W, 2) for W in net.weights])


def test_unit_scale_weights_give_the_quarter_per_layer_bound(digits):
    """With every W rescaled to spectral norm 1 ("unit-scale weights") the bound above becomes
    ‖δ_l‖ ≤ 0.25 ‖δ_{l+1}‖ per layer, so ‖δ_1‖ / ‖δ_out‖ ≤ 0.25^depth (the formula on the page)."""
    net = make_net(digits)
    for W in net.weights:
        W /= np.linalg.norm(W, 2)  # in place: the MLP keeps references to its arrays
    p = probe.gradient_profile(net, digits.x_train, digits.y_train)
    d = p.delta_norm
    assert p.weight_spectral_norm == pytest.approx(1.0)
    assert np.all(d[:-1] / d[1:] <= 0.25 + 1e-12)
    assert d[0] / d[-1] <= 0.25 ** DEPTH
    # and not vacuously: near z = 0 the sigmoid's slope is close to its peak, so the decay is not much faster
    assert d[0] / d[-1] > 0.25 ** DEPTH * 1e-4


@pytest.mark.parametrize("depth", [12, 20])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_relu_he_keeps_the_gradient_within_an_order_of_magnitude(digits, depth, seed):
    """He et al. 2015: with ReLU and std √(2/fan_in) each layer's factor stays near 1."""
    p = probe.gradient_profile(make_net(digits, depth, "relu", "he_normal", seed), digits.x_train, digits.y_train)
    g = p.weight_grad_norm
    assert 0.1 <= g[0] / g[-1] <= 10
    sig = probe.gradient_profile(make_net(digits, depth, "sigmoid", "xavier_normal", seed), digits.x_train,
                                 digits.y_train).weight_grad_norm
    assert g[0] / g[-1] > 1e4 * sig[0] / sig[-1]  # the fix is many orders of magnitude


def test_clip_by_norm_bounds_the_global_norm_of_real_gradients(digits):
    net = make_net(digits, act="tanh", init="normal", std=1.0)  # std 1 tanh: exploding toward the input
    probe.gradient_profile(net, digits.x_train, digits.y_train)
    grads = [g.copy() for g in net.grads]
    clipped, total = regularization.clip_by_global_norm(grads, 1.0)
    assert total > 1.0  # the clip had something to do
    assert np.sqrt(sum(float((g * g).sum()) for g in clipped)) <= 1.0
    assert np.all(np.abs(np.concatenate([g.ravel() for g in regularization.clip_by_value(grads, 0.1)])) <= 0.1)


def test_clipped_sgd_steps_stay_within_lr_times_threshold(digits):
    """With clip_norm=c and plain SGD, every update moves the weights by at most lr·c in total, even when
    the raw gradient is 20 times larger; the same run without clipping diverges (the page's side by side)."""
    lr, c = 1.0, 1.0
    group = compare.Group({"yours": make_trainer(digits, lr, eval_every=1, clip_norm=c),
                           "plain": make_trainer(digits, lr, eval_every=1)})
    w_prev = np.array([np.linalg.norm(W) for W in group["yours"].net.weights])
    group.run(100)
    h = group["yours"].history
    assert group["yours"].diverged_at is None and group["plain"].diverged_at is not None
    previous = np.vstack([w_prev, h["weight_norm"][:-1]])
    moved = np.sqrt(((h["update_ratio"] * previous) ** 2).sum(axis=1))  # ‖ΔW‖ of the weight matrices
    assert np.all(moved <= lr * c * (1 + 1e-6))
    assert fig.global_norm(h["grad_norm"]).max() > 10 * c  # raw (recorded before clipping)


def test_huge_learning_rate_diverges_with_a_step_and_finite_charts(digits):
    group = lab.training_group(digits, 10.0, act="relu", init="he_normal")  # the page's build()
    assert list(group.members) == ["yours"]
    group.run(lab.TOTAL_STEPS)
    tr = group["yours"]
    assert isinstance(tr.diverged_at, int) and 1 <= tr.diverged_at <= 20
    assert group.diverged_steps() == {"yours": tr.diverged_at}
    h = tr.history
    for key in ("train_loss", "grad_norm", "update_ratio", "weight_norm"):
        assert np.all(np.isfinite(h[key]))
    words = {"title": "", "x": "", "y": "", "colorbar": "", "threshold": ""}
    figures = [fig.grad_heatmap(h["step"], h["grad_norm"], words),
               fig.run_curves({"x": (h["step"], h["train_loss"])}, words),
               fig.run_curves({"x": (h["step"], fig.global_norm(h["grad_norm"]))}, words, threshold=1.0)]
    for f in figures:
        for trace in f.to_dict()["data"]:
            values = np.ravel(np.array(trace["z"] if trace["type"] == "heatmap" else trace["y"], dtype=object))
            assert all(v is None or np.isfinite(v) for v in values)


def test_profile_overlay_is_scaled_to_the_last_layer():
    norms = np.array([1e-6, 1e-4, 1e-2, 0.5])
    f = fig.layer_profile(norms, 0.25, {"title": "", "x": "", "y": "", "measured": "measured", "bound": "bound"})
    bound = next(tr for tr in f.data if tr.get("name") == "bound")
    assert bound["y"][-1] == pytest.approx(0.5)
    assert bound["y"][0] == pytest.approx(0.5 * 0.25 ** 3)


def test_relative_change_measures_how_far_each_layer_moved():
    w0 = [np.ones((2, 2)), np.full((3, 1), 2.0)]
    w = [np.ones((2, 2)) * 1.5, np.full((3, 1), 2.0)]
    assert probe.relative_change(w, w0) == pytest.approx([0.5, 0.0])
    with pytest.raises(ValueError):
        probe.relative_change(w, w0[:1])


def test_the_first_training_chunk_before_any_history_row_draws_no_broken_chart():
    """Train's first chunk can end before the first history row (eval_every > 1): the view must wait, not fail."""
    from tests.apptest_util import errors, open_page

    at = open_page("vanishing", "en", {"lr": "10", "init": "normal", "std": "10"})
    next(b for b in at.button if b.key and b.key.endswith("-train")).click()
    at.run()
    assert errors(at) == []


def test_weights_moved_skips_runs_that_have_not_moved(digits):
    """Before the first update there is nothing to draw (the chart then says how it fills); a diverged run
    has no finite distance, so it is left out too."""
    group = lab.training_group(digits, 10.0, clip="norm", threshold=1.0, act="relu", init="he_normal")
    w0 = lab.initial_weights(digits, act="relu", init="he_normal")
    assert lab.weights_moved(group, w0) == {}
    group.run(40)
    assert group["plain"].diverged and not group["yours"].diverged
    moved = lab.weights_moved(group, w0)
    assert list(moved) == ["yours"] and moved["yours"].shape == (DEPTH + 1,) and np.all(moved["yours"] > 0)


def test_before_the_first_history_row_the_training_charts_are_drawn_empty():
    """One Step (a history row comes every 2): all four charts are drawn; those with nothing recorded say how they
    fill (no separate 'press Train' message)."""
    from tests.apptest_util import chart_specs, errors, open_page

    def empty(at):
        specs = chart_specs(at)
        assert len(specs) == 6  # profile, slope, then heat map, loss, gradient norm, weights moved
        return ["Press Train or Step" in s for s in specs]

    at = open_page("vanishing", "en", {})
    assert errors(at) == [] and empty(at) == [False, False, True, True, True, True]
    next(b for b in at.button if b.key and b.key.endswith("-step")).click()
    at.run()
    assert errors(at) == [] and empty(at) == [False, False, True, True, True, False]  # the weights have moved
