"""Losses: values against formulas, dout against finite differences, stability at ±1e4 logits."""
import math
import warnings

import numpy as np
import pytest

from core import losses
from core.gradcheck import numerical_gradient, rel_error

H = 1e-5  # see tests/test_layers.py: truncation and round-off both far below 1e-7


def check_loss(loss, out, y):
    value, dout = loss(out, y)
    num = numerical_gradient(lambda _: loss(out, y)[0], out, h=H)
    assert value == pytest.approx(loss(out, y)[0])
    return rel_error(num, dout)


def regression_pair(shape=(6, 3), seed=0):
    """Outputs and targets whose residuals stay in 0.2 <= |r| <= 0.8 or 1.2 <= |r| <= 2:
    away from MAE's kink at 0 and Huber's switch at delta = 1."""
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(shape)
    mag = np.where(rng.random(shape) < 0.5, rng.uniform(0.2, 0.8, shape), rng.uniform(1.2, 2.0, shape))
    return y + mag * rng.choice([-1, 1], shape), y


@pytest.mark.parametrize("name", ["mse", "mae", "huber"])
def test_regression_loss_gradients(name):
    out, y = regression_pair()
    assert check_loss(losses.get(name), out, y) <= 1e-7


def test_regression_values_against_formulas():
    out, y = regression_pair()
    r = out - y
    assert losses.get("mse")(out, y)[0] == pytest.approx(np.mean(r**2))
    assert losses.get("mae")(out, y)[0] == pytest.approx(np.mean(np.abs(r)))
    huber = np.where(np.abs(r) <= 1, 0.5 * r**2, np.abs(r) - 0.5)
    assert losses.get("huber")(out, y)[0] == pytest.approx(np.mean(huber))
    # Huber with delta 0.5 on a residual of 2: 0.5 · (2 - 0.25)
    assert losses.get("huber", delta=0.5)(np.array([2.0]), np.array([0.0]))[0] == pytest.approx(0.875)


def test_regression_target_shape_handling():
    out = np.array([[1.0], [2.0], [3.0]])
    assert losses.get("mse")(out, np.array([1.0, 2.0, 5.0]))[0] == pytest.approx(4 / 3)
    with pytest.raises(ValueError, match="shape"):
        losses.get("mse")(out, np.zeros(4))


@pytest.mark.parametrize("one_hot", [False, True])
def test_cross_entropy_gradient_and_value(one_hot):
    rng = np.random.default_rng(1)
    out = 2 * rng.standard_normal((5, 4))
    labels = rng.integers(0, 4, 5)
    y = np.eye(4)[labels] if one_hot else labels
    loss = losses.get("cross_entropy")
    assert check_loss(loss, out, y) <= 1e-7
    p = np.exp(out) / np.exp(out).sum(axis=1, keepdims=True)
    assert loss(out, y)[0] == pytest.approx(-np.mean(np.log(p[np.arange(5), labels])))


def test_cross_entropy_uniform_logits_give_log_classes():
    value, _ = losses.get("cross_entropy")(np.zeros((3, 10)), np.array([0, 4, 9]))
    assert value == pytest.approx(math.log(10))


@pytest.mark.parametrize("shape", [(6, 1), (6,)])
def test_bce_gradient_and_value(shape):
    rng = np.random.default_rng(2)
    out = 2 * rng.standard_normal(shape)
    y = rng.integers(0, 2, 6).astype(float)
    loss = losses.get("bce")
    assert check_loss(loss, out, y) <= 1e-7
    p = 1 / (1 + np.exp(-out.ravel()))
    assert loss(out, y)[0] == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def test_cross_entropy_and_bce_stable_at_huge_logits():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        ce = losses.get("cross_entropy")
        value, dout = ce(np.array([[1e4, -1e4], [1e4, -1e4]]), np.array([1, 0]))
        assert value == pytest.approx(2e4 / 2)  # sample 0 is wrong by 2e4 nats, sample 1 exactly right
        np.testing.assert_allclose(dout, [[0.5, -0.5], [0.0, 0.0]])
        bce = losses.get("bce")
        value, dout = bce(np.array([1e4, -1e4, 1e4, -1e4]), np.array([0, 1, 1, 0]))
        assert value == pytest.approx(2e4 / 4)
        np.testing.assert_allclose(dout, [0.25, -0.25, 0.0, 0.0])


def test_softmax():
    z = np.array([[1.0, 2.0, 3.0], [1e4, 0.0, -1e4]])
    with np.errstate(all="raise"):
        p = losses.softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1)
    np.testing.assert_allclose(p[0], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    np.testing.assert_allclose(p[1], [1, 0, 0])


def test_cross_entropy_bad_labels():
    ce = losses.get("cross_entropy")
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        ce(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="shape"):
        ce(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="ints"):
        ce(np.zeros((2, 3)), np.array([0.0, 1.0]))


def test_pointwise():
    pred = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(losses.pointwise("mse", pred, 0.5), (pred - 0.5) ** 2)
    np.testing.assert_allclose(losses.pointwise("mae", pred, 0.5), np.abs(pred - 0.5))
    hub = losses.pointwise("huber", pred, 0.0, delta=1.0)
    np.testing.assert_allclose(hub, np.where(np.abs(pred) <= 1, 0.5 * pred**2, np.abs(pred) - 0.5))
    p = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(losses.pointwise("bce", p, 1.0), -np.log(p))
    np.testing.assert_allclose(losses.pointwise("bce", p, 0.0), -np.log(1 - p))
    np.testing.assert_allclose(losses.pointwise("cross_entropy", p, 1.0), -np.log(p))
    assert np.all(np.isfinite(losses.pointwise("bce", np.array([0.0, 1.0]), 1.0)))


def test_registry():
    assert losses.NAMES == ("mse", "mae", "huber", "cross_entropy", "bce")
    with pytest.raises(ValueError, match=r"unknown loss 'l2'; valid: mse, mae, huber, cross_entropy, bce"):
        losses.get("l2")
    with pytest.raises(ValueError, match="unknown loss"):
        losses.pointwise("l2", 0.0, 0.0)
    with pytest.raises(ValueError):
        losses.get("huber", delta=0)
    with pytest.raises(ValueError, match="hyperparameters"):
        losses.get("mse", delta=1)
