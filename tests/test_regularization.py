"""Penalties (values and finite-difference gradients), max-norm, gradient clipping."""
import numpy as np
import pytest

from core.gradcheck import numerical_gradient, rel_error
from core.regularization import clip_by_global_norm, clip_by_value, l1_penalty, l2_penalty, max_norm_

H = 1e-5


def weights(seed=0):
    rng = np.random.default_rng(seed)
    # entries pushed away from 0, where |W| has its kink
    ws = [rng.standard_normal((4, 3)), rng.standard_normal((3, 2))]
    return [w + 0.1 * np.sign(w) for w in ws]


def test_l2_value_is_half_lambda_sum_of_squares_and_gradient():
    ws = weights()
    value, grads = l2_penalty(ws, lam=0.3)
    assert value == pytest.approx(0.5 * 0.3 * sum((w**2).sum() for w in ws))
    for i, w in enumerate(ws):
        num = numerical_gradient(lambda _: l2_penalty(ws, 0.3)[0], w, h=H)
        assert rel_error(num, grads[i]) <= 1e-7


def test_l1_value_and_gradient():
    ws = weights(1)
    value, grads = l1_penalty(ws, lam=0.2)
    assert value == pytest.approx(0.2 * sum(np.abs(w).sum() for w in ws))
    for i, w in enumerate(ws):
        num = numerical_gradient(lambda _: l1_penalty(ws, 0.2)[0], w, h=H)
        assert rel_error(num, grads[i]) <= 1e-7


def test_penalties_reject_negative_lambda():
    with pytest.raises(ValueError):
        l2_penalty(weights(), -1.0)
    with pytest.raises(ValueError):
        l1_penalty(weights(), -1.0)


def test_max_norm_rescales_only_long_columns_in_place():
    W = np.array([[3.0, 0.1, 0.0], [4.0, 0.2, 2.0]])  # column norms 5, √0.05, 2
    original = W.copy()
    norms = max_norm_(W, 2.5)
    np.testing.assert_allclose(norms, [5.0, np.sqrt(0.05), 2.0])
    np.testing.assert_allclose(W[:, 0], original[:, 0] * 0.5)  # 5 -> 2.5, same direction
    np.testing.assert_array_equal(W[:, 1:], original[:, 1:])
    np.testing.assert_allclose(np.linalg.norm(W, axis=0), [2.5, np.sqrt(0.05), 2.0])
    with pytest.raises(ValueError):
        max_norm_(W, 0)


def test_clip_by_value():
    grads = [np.array([-3.0, 0.5, 2.0]), np.array([[0.1, -0.9]])]
    clipped = clip_by_value(grads, 1.0)
    np.testing.assert_array_equal(clipped[0], [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(clipped[1], grads[1])
    assert grads[0][0] == -3.0  # inputs untouched


def test_clip_by_global_norm():
    grads = [np.array([3.0, 0.0]), np.array([[0.0], [4.0]])]  # joint norm 5
    clipped, total = clip_by_global_norm(grads, 1.0)
    assert total == pytest.approx(5.0)
    joint = np.sqrt(sum((g**2).sum() for g in clipped))
    assert joint == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(clipped[0] / clipped[0][0], grads[0] / grads[0][0])  # direction kept
    same, total = clip_by_global_norm(grads, 10.0)
    assert total == pytest.approx(5.0)
    for a, b in zip(same, grads):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):
        clip_by_global_norm(grads, 0.0)
