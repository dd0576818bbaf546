"""The numbers the regularization page shows, through lab.regularization (what it calls).

Measured on the page's defaults (seed 0), recorded here so a regression is visible: 400 steps, λ = 0.01:
L1 (proximal) 60 % of weights exactly 0, L2 0 %; test accuracy none 77.8 %, L2 80.8 %, L1 80.6 %.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as app.py: threaded BLAS on tiny matrices is slower

import numpy as np
import pytest

from core import train
from lab import regularization


@pytest.fixture(scope="module")
def reg_group():
    return regularization.regularization_group(seed=0).run(regularization.REG["steps"])


def test_l1_makes_more_zeros_than_l2_at_the_same_lambda(reg_group):
    l1 = regularization.zero_fractions(reg_group["l1"].net.weights)
    l2 = regularization.zero_fractions(reg_group["l2"].net.weights)
    none = regularization.zero_fractions(reg_group["none"].net.weights)
    assert l1[0] > 0.3          # exactly zero, from the proximal step (measured 0.60)
    assert l2[0] == 0.0 and none[0] == 0.0
    assert l1[1] > l2[1] + 0.3  # and |w| < 1e-3 too


def test_soft_threshold_is_the_proximal_step():
    w = np.array([[-0.3, -0.05, 0.0, 0.02, 0.4]])
    regularization.soft_threshold_(w, 0.1)
    assert np.allclose(w, [[-0.2, 0.0, 0.0, 0.0, 0.3]])


def test_max_norm_bounds_every_unit(reg_group):
    c = regularization.REG["c"]
    for W in reg_group["maxnorm"].net.weights:
        assert np.all(regularization.unit_norms(W) <= c + 1e-9)
    assert np.max(regularization.unit_norms(reg_group["none"].net.weights[0])) > c  # the bound is active, not vacuous


def test_early_stopping_best_step_is_the_argmin_of_validation_loss(reg_group):
    for _, m in reg_group.items():
        h = m.history
        expected = int(h["step"][np.argmin(h["test_loss"])])
        assert regularization.best_step(h) == expected == m.best_step
    none = reg_group["none"]
    restored = none.net_with(none.best_state)
    loss = train.Trainer(restored, none.trainer.data).evaluate(none.trainer.x_test, none.trainer.labels_test)[0]
    assert loss == pytest.approx(float(np.min(none.history["test_loss"])), rel=1e-9)


def test_regularization_shrinks_the_weights_and_keeps_the_table_consistent(reg_group):
    rows = {k: regularization.summary(m, reg_group.test) for k, m in reg_group.items()}
    assert rows["l2"].weight_norm < rows["none"].weight_norm
    assert rows["decoupled"].weight_norm < rows["none"].weight_norm
    for r in rows.values():
        assert r.gap == pytest.approx(r.train_acc - r.test_acc)
        assert 0 <= r.test_acc <= 1


def test_member_run_is_chunk_independent():
    a = regularization.regularization_group(n_train=100, width=16, seed=3)
    b = regularization.regularization_group(n_train=100, width=16, seed=3)
    a.run(23)
    b.run(7).run(16)
    for k in regularization.REG_METHODS:
        assert np.array_equal(a[k].net.flat_params, b[k].net.flat_params)
        assert a[k].best_step == b[k].best_step
