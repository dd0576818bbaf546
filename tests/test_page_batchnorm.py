"""The batch-norm page's numbers, through the functions the page calls (lab.batchnorm): first the claims the page
makes in words at its defaults (captions, predict-first answer, "try this"), then the machinery."""
import numpy as np
import pytest

from lab import batchnorm as lab
from runs import shared
from core import compare
from core.layers import BatchNorm
from tests.apptest_util import errors, non_finite_in_charts, open_page

D = lab.DEFAULTS
UNITS = range(lab.UNITS)


def pair_at(**changes):
    """The last frame of the page's live pair (its run, as the page plays it) at the defaults plus ``changes``."""
    s = dict(position=D.position, lr=D.lr, init_std=D.init_std, momentum=D.momentum, eps=D.eps, seed=D.seed)
    s.update(changes)
    return shared.complete(lab.pair_run(**s)).frames[-1].data


@pytest.fixture(scope="module")
def final():
    return pair_at()


# ---- the claims the page makes in words, at its defaults ---------------------------------------------

def test_claim_bn_is_near_its_final_accuracy_within_a_hundred_updates_plain_sits_at_chance(final):
    """cap_acc, intro: "near its final accuracy within about a hundred updates; the plain network stays at chance
    (10 %) for about 300 updates and passes 50 % only after about 500"."""
    bn, plain = final.members["bn"], final.members["plain"]
    at_100 = bn.test_acc[list(bn.step).index(100)]
    assert at_100 >= 0.9 and at_100 >= bn.test_acc[-1] - 0.05   # measured 0.96 at 100, 0.97 at 1,200
    leaves_chance = int(plain.step[np.argmax(plain.test_acc > 0.2)])
    passes_half = int(plain.step[np.argmax(plain.test_acc > 0.5)])
    assert 250 <= leaves_chance <= 400                  # measured: first above 20 % at update 340
    assert 400 <= passes_half <= 650                    # measured: first above 50 % at update 530
    assert plain.test_acc[-1] >= 0.85                   # ... then it learns (measured 0.93 at 1,200)


def test_claim_the_plain_sigmoid_input_wanders_with_bn_it_stays_centred_and_moves_at_most_half_as_far(final):
    """intro, cap_pct, q1_a, try: without BN the last layer's sigmoid input wanders; with BN it stays centred near
    0 and moves at most half as far, for most of the ten units a third as far or less; its spread changes only as
    γ grows. The caption prints the two distances for the followed unit (the default, unit 0: 0.73 vs 1.53)."""
    ratio = np.array([lab.percentile_drift(final.members["bn"].percentiles, u)
                      / lab.percentile_drift(final.members["plain"].percentiles, u) for u in UNITS])
    assert np.all(ratio <= 0.5), ratio.round(2)         # "at most half as far", every unit (max measured 0.48)
    assert np.sum(ratio <= 1 / 3) >= 6, ratio.round(2)  # "most ... a third or less" (measured 9 of 10)
    assert lab.percentile_drift(final.members["plain"].percentiles, D.unit) >= 1.0
    bn_median = final.members["bn"].percentiles[:, 1, :]
    assert np.all(np.abs(bn_median) <= 0.75)           # centred near 0 throughout (measured within ±0.6)
    spread = final.members["bn"].percentiles[-1, 2] - final.members["bn"].percentiles[-1, 0]
    gamma = final.gamma[:lab.UNITS]
    # x̂ on the probe batch is close to N(0, 1), whose 15th-85th percentile spread is 2.07: the spread is ~2.07·γ
    np.testing.assert_allclose(spread, 2.07 * np.abs(gamma), rtol=0.25)


def test_the_words_say_no_ratio_the_numbers_do_not_show():
    """The caption at the defaults prints 0.73 vs 1.53: no text may call that "a quarter" (issue 23, item 4)."""
    from content import catalog

    for lang, quarter in (("en", "quarter"), ("ko", "4분의 1")):
        entries = catalog.load(lang)
        assert not [k for k, text in entries.items() if k.startswith("batchnorm.") and quarter in text]


def test_claim_running_statistics_track_the_current_batch_statistics(final):
    """cap_live_stats: the running mean and variance lag a little, then track the statistics the current weights
    produce on held-out digits."""
    spread = np.sqrt(final.probe_var[-1])
    assert np.all(np.abs(final.running_mean[-1] - final.probe_mean[-1]) <= 0.1 * spread)
    np.testing.assert_allclose(final.running_var[-1], final.probe_var[-1], rtol=0.3)


def test_claim_gamma_and_beta_start_at_one_and_zero_and_are_learned(final):
    """cap_gamma: starts at γ = 1, β = 0 and learns a scale and shift per unit."""
    first = shared.run(lab.pair_run(D.position, D.lr, D.init_std, D.momentum, D.eps, D.seed)).frames[0].data
    np.testing.assert_array_equal(first.gamma, 1.0)
    np.testing.assert_array_equal(first.beta, 0.0)
    assert np.max(np.abs(final.gamma - 1)) > 0.2 and np.std(final.beta) > 0.02


def test_claim_running_averages_smooth_the_batch_statistics_and_settle_on_the_whole_set():
    """cap_trace, try (momentum): batch statistics scatter, the running average is smoother and settles on the
    whole-set value; with momentum 0.01 it is slow to get there, with 0.9 it copies the last batch."""
    trace = lab.running_trace(D.position, D.init_std, D.momentum, D.seed, D.unit)
    late = slice(len(trace.running_mean) // 2, None)
    assert np.std(trace.running_mean[late]) < 0.5 * np.std(trace.batch_mean)
    assert abs(np.mean(trace.running_mean[late]) - trace.pop_mean) < 2 * np.std(trace.batch_mean) / 3
    assert abs(np.mean(trace.running_var[late]) / trace.pop_var - 1) < 0.15
    slow = lab.running_trace(D.position, D.init_std, 0.01, D.seed, D.unit)
    assert abs(slow.running_mean[49] - slow.pop_mean) > 0.5 * abs(slow.pop_mean)  # far from the truth after 50
    fast = lab.running_trace(D.position, D.init_std, 0.9, D.seed, D.unit)
    np.testing.assert_allclose(fast.running_mean[1:], 0.9 * fast.batch_mean[1:] + 0.1 * fast.running_mean[:-1])
    assert np.corrcoef(fast.running_mean[75:], fast.batch_mean[75:])[0, 1] > 0.95  # it follows the last batch


def test_claim_batch_statistics_make_the_answer_depend_on_the_company_running_ones_do_not(final):
    """cap_dep (the BN network above, as the page shows it when the run is finished)."""
    dep = final.dependence
    assert np.ptp(dep.batch_prob[1:]) > 0.3            # batches of 2-8: the companions change the answer
    np.testing.assert_array_equal(dep.bn_out_single, 0.0)  # a batch of one: x̂ = 0 whatever the input
    assert np.ptp(dep.batch_prob[0]) == 0
    assert np.ptp(dep.running_prob) == 0                # running statistics: one answer whatever the batch


def test_claims_of_try_this_on_initial_scale_and_learning_rate():
    """try: std 0.01 stalls the plain network much longer, BN does not care; at lr 10 BN trains and the plain one
    does not; neither sigmoid network diverges, even there (the sidebar says why)."""
    small = pair_at(init_std=0.01)
    assert small.members["plain"].test_acc.max() < 0.3 and small.members["bn"].test_acc[-1] >= 0.9
    fast = pair_at(lr=10.0)
    assert fast.members["bn"].test_acc[-1] >= 0.9 and fast.members["plain"].test_acc[-1] < 0.3
    assert all(m.diverged_at is None for m in fast.members.values())


def test_claim_neither_sigmoid_network_can_diverge_even_at_the_largest_settings():
    """lr_bounded (the sidebar): sigmoids keep hidden values in [0, 1] and cross-entropy's gradient is bounded, so
    even the largest learning rate with the largest initial scale leaves every weight finite (issue 17: the page
    says why this pair cannot diverge; the sweep below shows divergence)."""
    view = pair_at(lr=max(lab.LRS), init_std=max(lab.STDS))
    for m in view.members.values():
        assert m.diverged_at is None and np.all(np.isfinite(m.train_loss)) and np.all(np.isfinite(m.percentiles))


@pytest.fixture(scope="module")
def sweeps():
    return {kind: shared.complete(lab.sweep_run(kind, D.epochs, D.position, D.momentum, D.eps, D.seed)).frames[-1].data
            for kind in lab.SWEEP_KINDS}


def test_claim_bn_trains_over_a_wide_band_of_initial_scales_plain_only_a_narrow_one(sweeps):
    """cap_sweep_init: with BN a wide band of initial scales trains; without it a narrow one, too large diverges,
    too small stays at chance (Deep Learning from Scratch's batch_norm_test.py)."""
    v = sweeps["init"]
    good = {k: int(np.sum(np.nan_to_num(v.acc[k]) >= 0.9)) for k in lab.VARIANTS}
    assert good["bn"] >= 6 and good["plain"] <= 2       # measured 8 and 1
    assert v.diverged["plain"][0] and not v.diverged["bn"].any()
    small = v.values <= 0.09
    assert np.all(v.acc["plain"][small] <= 0.2)
    assert v.done == 2 * len(v.values)


def test_claim_bn_keeps_large_learning_rates_usable_plain_peaks_in_a_narrow_band(sweeps):
    """cap_sweep_lr: with BN large rates stay usable; without it accuracy peaks in a narrow band and the largest
    rates diverge."""
    v = sweeps["lr"]
    assert np.all(v.acc["bn"][v.values >= 0.03] >= 0.9) and not v.diverged["bn"].any()
    assert int(np.sum(np.nan_to_num(v.acc["plain"]) >= 0.9)) <= 2
    assert v.diverged["plain"][-1] and np.nan_to_num(v.acc["plain"][v.values == 1.0])[0] < 0.3


def test_claim_a_large_eps_breaks_the_small_initial_scales():
    """try (ε): with ε = 10⁻² the smallest scales no longer train with BN (ε dominates their tiny variance)."""
    small = lab.sweep("init", [0.004], epochs=D.epochs, eps=1e-2)
    usual = lab.sweep("init", [0.004], epochs=D.epochs, eps=D.eps)
    assert small.acc["bn"][0] < 0.3 and usual.acc["bn"][0] >= 0.9


def test_the_sweep_page_shows_which_update_diverged_and_draws_no_infinite_value():
    """Issue 17: the init sweep diverges for the plain network at the largest scales: playing it names the update
    and no chart draws NaN or inf."""
    at = open_page("batchnorm", "en", {"epochs": "2"})
    assert errors(at) == []
    total = lab.sweep_total("init", 2)
    next(b for b in at.button if b.key == "bn-sweep-train").click()
    at.run()
    for _ in range(80):
        if any(f"{total} of {total}" in p.proto.text for p in at.get("progress")):
            break
        at.run()
    assert any(f"{total} of {total}" in p.proto.text for p in at.get("progress"))
    messages = [e.value for e in at.error]
    assert any("update 5" in m and "without batch norm" in m for m in messages), messages
    assert errors(at) == [] and non_finite_in_charts(at) == []


# ---- the machinery ------------------------------------------------------------------------------------


def test_the_sweep_played_as_a_run_equals_the_whole_sweep():
    """The page plays the sweep one network after the other; run(a); run(b) == run(a + b), and the result is the
    sweep computed at once (order of training does not matter: every network starts from its seed)."""
    values = (1.0, 0.01)
    whole = lab.sweep("init", values, epochs=2, n_train=300)
    runner = lab.SweepRun("init", values, epochs=2, n_train=300)
    for n in (3, 1, 17, 5, 100):
        runner.run(n)
    runner.run(runner.total)
    assert runner.step == runner.total and runner.stopped and runner.finished == 4
    for k in lab.VARIANTS:
        np.testing.assert_array_equal(runner.result().acc[k], whole.acc[k])
        np.testing.assert_array_equal(runner.result().diverged[k], whole.diverged[k])


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


def test_the_live_pair_frames_are_the_pair_trained_to_each_step():
    spec = lab.pair_run(seed=2)
    assert spec.steps[0] == 0 and spec.steps[-1] == lab.TOTAL_STEPS and len(spec.steps) == lab.FRAMES
    assert all(s % lab.PROBE_EVERY == 0 for s in spec.steps)  # every frame records something new
    group = spec.build().run(30)
    view = lab.pair_snapshot(group)
    fresh = compare.Group({k: lab.sigmoid_trainer(k == "bn", seed=2, eval_every=10) for k in lab.VARIANTS}).run(30)
    for k in lab.VARIANTS:
        np.testing.assert_array_equal(view.members[k].step, fresh[k].history["step"])
        np.testing.assert_allclose(view.members[k].test_acc, fresh[k].history["test_acc"], rtol=1e-6)
        np.testing.assert_allclose(view.members[k].percentiles, fresh[k].percentiles[:, :, :lab.UNITS], rtol=1e-6)
    ds = fresh["bn"].trainer.data
    again = lab.batch_dependence(fresh["bn"].net, ds.x_test, ds.y_test, sample=0, n_draws=8, seed=2)
    np.testing.assert_array_equal(view.dependence.batch_prob, again.batch_prob)


def test_running_stats_trace_is_what_the_engine_batch_norm_layer_keeps():
    population = np.random.default_rng(3).normal(1.0, 2.0, size=(500, 1))
    trace = lab.running_stats_trace(population, momentum=0.2, batch_size=20, steps=30, seed=4)
    rng = np.random.default_rng([4, 11])
    layer = BatchNorm(1, momentum=0.2)
    for t in range(30):
        batch = population[rng.choice(500, 20, replace=False)]
        layer.forward(batch, train=True)
        assert trace.batch_mean[t] == pytest.approx(batch.mean(), abs=1e-12)
        assert trace.running_mean[t] == pytest.approx(layer.running_mean[0], abs=1e-12)
        assert trace.running_var[t] == pytest.approx(layer.running_var[0], abs=1e-12)


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
