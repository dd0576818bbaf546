"""The batch-norm page's numbers, through the functions the page calls (lab.batchnorm)."""
import numpy as np
import pytest

from lab import batchnorm as lab
from core import compare


@pytest.fixture(scope="module")
def trained_pair():
    """The page's live comparison (default settings), 600 updates each."""
    group = compare.Group({k: lab.sigmoid_trainer(k == "bn") for k in ("bn", "plain")})
    return group.run(600)


def test_init_scale_sweep_bn_wins_at_small_scales():
    # Deep Learning from Scratch's batch_norm_test.py at a small size: 16 scales from 1 to 1e-4
    scales = np.logspace(0, -4, 16)
    result = lab.sweep("init", scales, epochs=10, n_train=1000, eps=1e-7)
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
    result = lab.sweep("lr", [0.01, 1.0, 3.0], epochs=4, n_train=500)
    assert result.acc["bn"][1] >= 0.9 and not result.diverged["bn"].any()
    assert result.diverged["plain"][2] or result.acc["plain"][2] < 0.3


def test_percentiles_drift_without_bn_more_than_with(trained_pair):
    drift = {k: [lab.percentile_drift(trained_pair[k].percentiles, u) for u in range(10)] for k in ("bn", "plain")}
    # measured at defaults after 600 steps: plain ~1.5-3, BN ~0.6-0.8 for every one of the first units
    assert np.median(drift["plain"]) > 2 * np.median(drift["bn"])
    pct = trained_pair["bn"].percentiles
    assert pct.shape == (61, 3, 100) and np.all(pct[:, 0] <= pct[:, 1]) and np.all(pct[:, 1] <= pct[:, 2])


def test_bn_trains_faster(trained_pair):
    acc = {k: trained_pair[k].history["test_acc"] for k in ("bn", "plain")}
    assert acc["bn"][3] > 0.9 and acc["plain"][3] < 0.3  # after 100 updates


def test_running_stats_prediction_ignores_the_batch_batch_stats_do_not(trained_pair):
    net, ds = trained_pair["bn"].net, trained_pair["bn"].trainer.data
    dep = lab.batch_dependence(net, ds.x_test, ds.y_test, sample=0, seed=0)
    np.testing.assert_allclose(dep.running_prob, dep.running_prob[0, 0], rtol=0, atol=1e-12)
    assert np.ptp(dep.batch_prob[1:]) > 0.1  # batches of 2..8: the companions change the answer
    # a batch of 1 normalizes to x̂ = 0: every companion draw gives the same, input-independent output
    np.testing.assert_array_equal(dep.bn_out_single, 0.0)
    assert np.ptp(dep.batch_prob[0]) == 0


def test_batch_of_one_is_zero_before_gamma_beta_for_any_input():
    net = lab.sigmoid_trainer(True, seed=3).net
    net.blocks[0].bn.gamma[...] = 2.5
    net.blocks[0].bn.beta[...] = -0.7
    x = np.random.default_rng(0).random((2, 64))
    for row in x:  # in training mode the first BN's output is exactly β: x̂ = 0
        pre, act_in, _ = lab.layer_inputs(net, row[None, :], batch_stats=True)
        np.testing.assert_allclose(act_in[0], -0.7, atol=1e-12)
    _, _, logits_a = lab.layer_inputs(net, x[:1], batch_stats=True)
    _, _, logits_b = lab.layer_inputs(net, x[1:], batch_stats=True)
    np.testing.assert_allclose(logits_a, logits_b, atol=1e-12)


def test_layer_inputs_match_the_network_forward():
    member = lab.sigmoid_trainer(True, bn_position="after", seed=1).run(30)
    x = member.trainer.data.x_test[:50]
    _, _, logits = lab.layer_inputs(member.net, x, batch_stats=False)
    np.testing.assert_allclose(logits, member.net.forward(x, train=False), atol=1e-10)


def test_running_mean_converges_to_the_population_mean():
    population = np.random.default_rng(5).normal([2.0, -1.0], [3.0, 0.5], size=(5000, 2))
    trace = lab.running_stats_trace(population, momentum=0.1, batch_size=60, steps=300, unit=0, seed=0)
    # EMA of batch means: stationary sd = sd_batch * sqrt(m / (2 - m)) = 3/sqrt(60)*0.23 ≈ 0.09
    assert abs(trace.running_mean[-1] - trace.pop_mean) < 0.3
    assert abs(trace.running_mean[0] - 0.1 * trace.batch_mean[0]) < 1e-12  # starts from 0
    assert abs(np.mean(trace.running_mean[100:]) - trace.pop_mean) < 0.1
    assert abs(np.mean(trace.running_var[100:]) / trace.pop_var - 1) < 0.1


def test_probing_never_changes_training():
    a = lab.sigmoid_trainer(True, probe_every=7)
    a.run(5).run(13)
    b = lab.sigmoid_trainer(True, probe_every=7).run(18)
    np.testing.assert_array_equal(a.percentiles, b.percentiles)
    np.testing.assert_array_equal(a.probe_steps, [0, 7, 14])
    plain = lab.sigmoid_trainer(True, probe_every=1000).trainer.run(18)
    np.testing.assert_array_equal(plain.net.blocks[0].dense.W, a.net.blocks[0].dense.W)


def test_dropping_buffers_keeps_training_identical():
    a = lab.sigmoid_trainer(True).run(12)
    lab.drop_buffers(a.net)
    a.run(8)
    b = lab.sigmoid_trainer(True).run(20)
    np.testing.assert_array_equal(a.net.blocks[1].dense.W, b.net.blocks[1].dense.W)
    np.testing.assert_array_equal(a.percentiles, b.percentiles)


def test_pretrained_pair_is_the_live_pair_a_few_updates_in():
    pair, dep = lab.pretrained_pair(seed=2, steps=12)
    fresh = compare.Group({k: lab.sigmoid_trainer(k == "bn", seed=2, eval_every=10) for k in lab.VARIANTS}).run(12)
    assert tuple(pair.members) == lab.VARIANTS and pair.step == 12
    for k in lab.VARIANTS:
        np.testing.assert_array_equal(pair[k].net.blocks[1].dense.W, fresh[k].net.blocks[1].dense.W)
        np.testing.assert_array_equal(pair[k].history["test_acc"], fresh[k].history["test_acc"])
    ds = fresh["bn"].trainer.data
    again = lab.batch_dependence(fresh["bn"].net, ds.x_test, ds.y_test, sample=0, seed=2)
    np.testing.assert_array_equal(dep.batch_prob, again.batch_prob)
    pair.run(5)  # the dropped buffers cost nothing: it trains on exactly as the fresh pair
    fresh.run(5)
    np.testing.assert_array_equal(pair["bn"].percentiles, fresh["bn"].percentiles)


def test_population_trace_follows_the_first_layer_before_bn():
    trace = lab.population_trace(init_std=0.3, seed=4, unit=7, steps=20)
    net, ds = lab.sigmoid_net(True, init_std=0.3, seed=4)
    first = net.blocks[0].dense
    column = (ds.x_train @ first.W + (first.b if first.b is not None else 0.0))[:, 7]
    assert trace.pop_mean == pytest.approx(column.mean(), rel=1e-12)
    assert trace.pop_var == pytest.approx(column.var(), rel=1e-12)
    assert trace.batch_mean.shape == (20,)


def test_gamma_beta_of_the_last_hidden_batch_norm():
    bn_member, plain = lab.sigmoid_trainer(True), lab.sigmoid_trainer(False)
    assert plain.gamma_beta() is None
    gamma, beta = bn_member.gamma_beta()
    assert gamma is bn_member.net.blocks[-2].bn.gamma and beta is bn_member.net.blocks[-2].bn.beta
    np.testing.assert_array_equal(gamma, 1.0)
    np.testing.assert_array_equal(beta, 0.0)
