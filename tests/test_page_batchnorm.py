"""The batch-norm page's numbers, through the functions the page calls (core.bn_experiments)."""
import numpy as np
import pytest

from lab import batchnorm as bx
from core import compare


@pytest.fixture(scope="module")
def trained_pair():
    """The page's live comparison (default settings), 600 updates each."""
    group = compare.Group({k: bx.sigmoid_trainer(k == "bn") for k in ("bn", "plain")})
    return group.run(600)


def test_init_scale_sweep_bn_wins_at_small_scales():
    # Deep Learning from Scratch's batch_norm_test.py at a small size: 16 scales from 1 to 1e-4
    scales = np.logspace(0, -4, 16)
    result = bx.sweep("init", scales, epochs=10, n_train=1000, eps=1e-7)
    small = scales <= 0.011  # the 8 smallest scales: without BN the signal vanishes in 5 ReLU layers
    plain = np.nan_to_num(result.acc["plain"][small], nan=0.0)
    bn = result.acc["bn"][small]
    # measured: BN 0.99-1.0 down to 1e-3, >= 0.5 at the smallest; plain stays at chance (~0.1)
    assert np.all(bn >= plain - 1e-9)
    assert bn.mean() >= plain.mean() + 0.4
    assert np.all(plain <= 0.2)
    # and at the largest scale the plain net diverges while BN keeps finite weights
    assert result.diverged["plain"][0] and not result.diverged["bn"][0]


def test_lr_sweep_bn_tolerates_large_rates():
    result = bx.sweep("lr", [0.01, 1.0, 3.0], epochs=4, n_train=500)
    assert result.acc["bn"][1] >= 0.9 and not result.diverged["bn"].any()
    assert result.diverged["plain"][2] or result.acc["plain"][2] < 0.3


def test_percentiles_drift_without_bn_more_than_with(trained_pair):
    drift = {k: [bx.percentile_drift(trained_pair[k].percentiles, u) for u in range(10)] for k in ("bn", "plain")}
    # measured at defaults after 600 steps: plain ~1.5-3, BN ~0.6-0.8 for every one of the first units
    assert np.median(drift["plain"]) > 2 * np.median(drift["bn"])
    pct = trained_pair["bn"].percentiles
    assert pct.shape == (61, 3, 100) and np.all(pct[:, 0] <= pct[:, 1]) and np.all(pct[:, 1] <= pct[:, 2])


def test_bn_trains_faster(trained_pair):
    acc = {k: trained_pair[k].history["test_acc"] for k in ("bn", "plain")}
    assert acc["bn"][3] > 0.9 and acc["plain"][3] < 0.3  # after 100 updates


def test_running_stats_prediction_ignores_the_batch_batch_stats_do_not(trained_pair):
    net, ds = trained_pair["bn"].net, trained_pair["bn"].trainer.data
    dep = bx.batch_dependence(net, ds.x_test, ds.y_test, sample=0, seed=0)
    np.testing.assert_allclose(dep.running_prob, dep.running_prob[0, 0], rtol=0, atol=1e-12)
    assert np.ptp(dep.batch_prob[1:]) > 0.1  # batches of 2..8: the companions change the answer
    # a batch of 1 normalizes to x̂ = 0: every companion draw gives the same, input-independent output
    np.testing.assert_array_equal(dep.bn_out_single, 0.0)
    assert np.ptp(dep.batch_prob[0]) == 0


def test_batch_of_one_is_zero_before_gamma_beta_for_any_input():
    net = bx.sigmoid_trainer(True, seed=3).net
    net.blocks[0].bn.gamma[...] = 2.5
    net.blocks[0].bn.beta[...] = -0.7
    x = np.random.default_rng(0).random((2, 64))
    for row in x:  # in training mode the first BN's output is exactly β: x̂ = 0
        pre, act_in, _ = bx.layer_inputs(net, row[None, :], batch_stats=True)
        np.testing.assert_allclose(act_in[0], -0.7, atol=1e-12)
    _, _, logits_a = bx.layer_inputs(net, x[:1], batch_stats=True)
    _, _, logits_b = bx.layer_inputs(net, x[1:], batch_stats=True)
    np.testing.assert_allclose(logits_a, logits_b, atol=1e-12)


def test_layer_inputs_match_the_network_forward():
    member = bx.sigmoid_trainer(True, bn_position="after", seed=1).run(30)
    x = member.trainer.data.x_test[:50]
    _, _, logits = bx.layer_inputs(member.net, x, batch_stats=False)
    np.testing.assert_allclose(logits, member.net.forward(x, train=False), atol=1e-10)


def test_running_mean_converges_to_the_population_mean():
    population = np.random.default_rng(5).normal([2.0, -1.0], [3.0, 0.5], size=(5000, 2))
    trace = bx.running_stats_trace(population, momentum=0.1, batch_size=60, steps=300, unit=0, seed=0)
    # EMA of batch means: stationary sd = sd_batch * sqrt(m / (2 - m)) = 3/sqrt(60)*0.23 ≈ 0.09
    assert abs(trace.running_mean[-1] - trace.pop_mean) < 0.3
    assert abs(trace.running_mean[0] - 0.1 * trace.batch_mean[0]) < 1e-12  # starts from 0
    assert abs(np.mean(trace.running_mean[100:]) - trace.pop_mean) < 0.1
    assert abs(np.mean(trace.running_var[100:]) / trace.pop_var - 1) < 0.1


def test_probing_never_changes_training():
    a = bx.sigmoid_trainer(True, probe_every=7)
    a.run(5).run(13)
    b = bx.sigmoid_trainer(True, probe_every=7).run(18)
    np.testing.assert_array_equal(a.percentiles, b.percentiles)
    np.testing.assert_array_equal(a.probe_steps, [0, 7, 14])
    plain = bx.sigmoid_trainer(True, probe_every=1000).trainer.run(18)
    np.testing.assert_array_equal(plain.net.blocks[0].dense.W, a.net.blocks[0].dense.W)


def test_dropping_buffers_keeps_training_identical():
    a = bx.sigmoid_trainer(True).run(12)
    bx.drop_buffers(a.net)
    a.run(8)
    b = bx.sigmoid_trainer(True).run(20)
    np.testing.assert_array_equal(a.net.blocks[1].dense.W, b.net.blocks[1].dense.W)
    np.testing.assert_array_equal(a.percentiles, b.percentiles)
