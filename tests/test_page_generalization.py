"""The numbers the regularization, ensembles and transfer pages show, through core.generalization (what they call).

Measured on the pages' defaults (seed 0), recorded here so a regression is visible:
- regularization, 400 steps, λ = 0.01: L1 (proximal) 60 % of weights exactly 0, L2 0 %; test accuracy
  none 77.8 %, L2 80.8 %, L1 80.6 %.
- ensembles, K = 5, 300 steps: members' mean 62.8 %, ensemble of averaged probabilities 66.1 %.
- transfer, 50 samples, 2 layers reused, 200 steps: frozen 94.4 %, from scratch 83.3 %.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as app.py: threaded BLAS on tiny matrices is slower

import numpy as np
import pytest

from core import data, nn, schedules, train
from lab import generalization as gen


@pytest.fixture(scope="module")
def reg_group():
    return gen.regularization_group(seed=0).run(gen.REG["steps"])


def test_l1_makes_more_zeros_than_l2_at_the_same_lambda(reg_group):
    l1 = gen.zero_fractions(reg_group["l1"].net.weights)
    l2 = gen.zero_fractions(reg_group["l2"].net.weights)
    none = gen.zero_fractions(reg_group["none"].net.weights)
    assert l1[0] > 0.3          # exactly zero, from the proximal step (measured 0.60)
    assert l2[0] == 0.0 and none[0] == 0.0
    assert l1[1] > l2[1] + 0.3  # and |w| < 1e-3 too


def test_soft_threshold_is_the_proximal_step():
    w = np.array([[-0.3, -0.05, 0.0, 0.02, 0.4]])
    gen.soft_threshold_(w, 0.1)
    assert np.allclose(w, [[-0.2, 0.0, 0.0, 0.0, 0.3]])


def test_max_norm_bounds_every_unit(reg_group):
    c = gen.REG["c"]
    for W in reg_group["maxnorm"].net.weights:
        assert np.all(gen.unit_norms(W) <= c + 1e-9)
    assert np.max(gen.unit_norms(reg_group["none"].net.weights[0])) > c  # the bound is active, not vacuous


def test_early_stopping_best_step_is_the_argmin_of_validation_loss(reg_group):
    for _, m in reg_group.items():
        h = m.history
        expected = int(h["step"][np.argmin(h["test_loss"])])
        assert gen.best_step(h) == expected == m.best_step
    none = reg_group["none"]
    restored = none.net_with(none.best_state)
    loss = train.Trainer(restored, none.trainer.data).evaluate(none.trainer.x_test, none.trainer.labels_test)[0]
    assert loss == pytest.approx(float(np.min(none.history["test_loss"])), rel=1e-9)


def test_regularization_shrinks_the_weights_and_keeps_the_table_consistent(reg_group):
    rows = {k: gen.summary(m, reg_group.test) for k, m in reg_group.items()}
    assert rows["l2"].weight_norm < rows["none"].weight_norm
    assert rows["decoupled"].weight_norm < rows["none"].weight_norm
    for r in rows.values():
        assert r.gap == pytest.approx(r.train_acc - r.test_acc)
        assert 0 <= r.test_acc <= 1


def test_ensemble_beats_the_mean_member_on_the_default():
    group = gen.seed_ensemble(5, seed=0).run(gen.ENS["steps"])
    sc = gen.score_ensemble([m.net for _, m in group.items()], group.test)
    assert sc.mean == pytest.approx(float(np.mean(sc.members)))
    assert sc.ensemble >= sc.mean + 0.01  # measured 66.1 % vs 62.8 %


def test_ensemble_proba_is_the_mean_of_the_members():
    p = np.random.default_rng(0).dirichlet(np.ones(3), size=(4, 6))
    assert np.allclose(gen.ensemble_proba(p), p.sum(axis=0) / 4)


@pytest.fixture(scope="module")
def snap_group():
    return gen.snapshot_group(seed=0).run(4 * gen.ENS["cycle_len"])


def test_snapshot_steps_equal_cycle_ends(snap_group):
    steps = 4 * gen.ENS["cycle_len"]
    assert snap_group["snap"].snapshot_steps == schedules.cycle_ends(steps, gen.ENS["cycle_len"])
    lrs, ends = gen.lr_curve(steps)
    assert ends == snap_group["snap"].snapshot_steps
    assert all(lrs[e] == pytest.approx(lrs.min(), rel=0.2, abs=1e-3) for e in ends)  # snapshots at the bottom
    assert len(snap_group["snap"].snapshots) == 4


def test_ema_of_the_weights_equals_the_formula():
    ds = data.get("moons", n=80, seed=0)
    decay = 0.9
    tr = train.Trainer(nn.MLP([2, 8, 2], seed=0), ds, optimizer="sgd", opt_kwargs={"lr": 0.1}, batch_size=16)
    m = gen.Member(tr, ema_decay=decay)
    path = [tr.net.flat_params.copy()]
    for _ in range(25):
        m.run(1)
        path.append(tr.net.flat_params.copy())
    path = np.array(path)
    ema = path[0].copy()
    for theta in path[1:]:
        ema = decay * ema + (1 - decay) * theta
    assert np.allclose(m.ema, ema, atol=1e-12)
    assert np.allclose(m.polyak, path.mean(axis=0), atol=1e-12)


def test_member_run_is_chunk_independent():
    a = gen.regularization_group(n_train=100, width=16, seed=3)
    b = gen.regularization_group(n_train=100, width=16, seed=3)
    a.run(23)
    b.run(7).run(16)
    for k in gen.REG_METHODS:
        assert np.array_equal(a[k].net.flat_params, b[k].net.flat_params)
        assert a[k].best_step == b[k].best_step


@pytest.fixture(scope="module")
def transfer_run():
    source, _ = gen.pretrain(0)
    return source, gen.transfer_group(source, seed=0).run(gen.TRANSFER["steps"])


def test_frozen_transfer_beats_scratch_on_the_few_sample_task(transfer_run):
    _, group = transfer_run
    frozen = group["frozen"].history["test_acc"][-1]
    scratch = group["scratch"].history["test_acc"][-1]
    assert frozen > scratch + 0.03  # measured 94.4 % vs 83.3 %


def test_frozen_layers_are_unchanged_and_the_rest_moved(transfer_run):
    source, group = transfer_run
    k = gen.TRANSFER["n_reuse"]
    frozen, tuned = group["frozen"].net, group["finetune"].net
    for i in range(k):
        assert np.array_equal(frozen.blocks[i].dense.W, source.blocks[i].dense.W)
        assert np.array_equal(frozen.blocks[i].dense.b, source.blocks[i].dense.b)
        assert not np.array_equal(tuned.blocks[i].dense.W, source.blocks[i].dense.W)
    assert frozen.sizes[-1] == 2 and source.sizes[-1] == 10  # the output layer is replaced
    fresh = gen.transfer_net(source, k, True, seed=0)
    for i in range(k, len(frozen.blocks)):
        assert not np.array_equal(frozen.blocks[i].dense.W, fresh.blocks[i].dense.W)


def test_transfer_rejects_too_many_layers():
    source = nn.MLP([64, 8, 8, 10], seed=0)
    with pytest.raises(ValueError):
        gen.transfer_net(source, 3, True)
