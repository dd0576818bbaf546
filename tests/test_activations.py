"""Activations: formulas, derivatives against finite differences, stability, registry."""
import math
import warnings

import numpy as np
import pytest

from core import activations
from core.gradcheck import numerical_gradient_array, rel_error

# h = 1e-5: small enough that truncation error (~h²) is negligible, large enough that float64
# round-off (~1e-16 / h) stays far below the 1e-7 bar
H = 1e-5


def grid_away_from_kinks():
    """Points in [-3, 3] with |z| >= 0.05, so ReLU-like kinks at 0 are never crossed. (Further out,
    GELU's derivative is tiny while its third derivative is not, and h² truncation error shows.)"""
    z = np.linspace(-3, 3, 61)
    return z[np.abs(z) >= 0.05]


@pytest.mark.parametrize("name", activations.NAMES)
def test_derivative_matches_finite_difference(name):
    act = activations.get(name)
    z = grid_away_from_kinks()
    num = numerical_gradient_array(lambda v: act.forward(v), z.copy(), np.ones_like(z), h=H)
    assert rel_error(num, act.derivative(z)) <= 1e-7


@pytest.mark.parametrize("name", activations.NAMES)
def test_no_overflow_warning_at_large_inputs(name):
    z = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        a = activations.get(name).forward(z)
        d = activations.get(name).derivative(z)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))


def test_sigmoid_saturates_exactly_without_warning():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        a = activations.get("sigmoid").forward(np.array([-1e4, 1e4]))
    assert a[0] == 0.0 and a[1] == 1.0


def test_values_against_formulas():
    z = np.array([-2.0, -0.5, 0.7, 3.0])
    sig = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(activations.get("sigmoid").forward(z), sig, rtol=1e-15)
    np.testing.assert_allclose(activations.get("tanh").forward(z), np.tanh(z), rtol=1e-15)
    np.testing.assert_allclose(activations.get("relu").forward(z), [0, 0, 0.7, 3.0])
    np.testing.assert_allclose(activations.get("leaky_relu").forward(z), [-0.02, -0.005, 0.7, 3.0])
    np.testing.assert_allclose(activations.get("prelu").forward(z), [-0.5, -0.125, 0.7, 3.0])
    np.testing.assert_allclose(activations.get("elu").forward(z), [math.expm1(-2), math.expm1(-0.5), 0.7, 3.0])
    np.testing.assert_allclose(activations.get("linear").forward(z), z)
    np.testing.assert_allclose(activations.get("swish").forward(z), z * sig, rtol=1e-15)
    # SELU's published constants: scale·alpha ≈ 1.7581 is the negative saturation value
    selu = activations.get("selu")
    np.testing.assert_allclose(selu.forward(np.array([1.0, -1e4])), [1.0507009873554805, -1.7580993408473766])
    # GELU tanh approximation: ½ z (1 + tanh(√(2/π)(z + 0.044715 z³)))
    gelu_1 = 0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * (1 + 0.044715)))
    assert activations.get("gelu").forward(np.array([1.0]))[0] == pytest.approx(gelu_1, rel=1e-15)
    # it stays close to the exact erf form
    z_wide = np.linspace(-4, 4, 81)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in z_wide])
    assert np.max(np.abs(activations.get("gelu").forward(z_wide) - exact)) < 1e-3


def test_hyperparameters_change_the_function():
    z = np.array([-2.0])
    assert activations.get("leaky_relu", alpha=0.2).forward(z)[0] == pytest.approx(-0.4)
    assert activations.get("elu", alpha=0.5).forward(z)[0] == pytest.approx(0.5 * math.expm1(-2))
    assert activations.get("swish", beta=2.0).forward(z)[0] == pytest.approx(-2 / (1 + math.exp(4)))
    assert activations.get("prelu").hp == {"alpha": 0.25}


def test_rrelu_training_draws_slopes_in_range_and_inference_uses_their_mean():
    act = activations.get("rrelu")
    assert (act.lower, act.upper) == (1 / 8, 1 / 3)
    z = -np.ones((200, 50))
    a = act.forward(z, train=True, rng=np.random.default_rng(0))
    slopes = -a
    assert slopes.min() >= 1 / 8 and slopes.max() <= 1 / 3
    assert np.unique(slopes).size > 1000  # one slope per element
    assert abs(slopes.mean() - (1 / 8 + 1 / 3) / 2) < 0.005
    mean_slope = (1 / 8 + 1 / 3) / 2
    np.testing.assert_allclose(act.forward(z), -mean_slope)
    np.testing.assert_allclose(act.derivative(z), mean_slope)
    np.testing.assert_array_equal(act.forward(-z, train=True, rng=np.random.default_rng(0)), -z)


def test_rrelu_same_seed_same_slopes_and_training_needs_rng():
    act = activations.get("rrelu")
    z = np.linspace(-3, -0.1, 30)
    a1 = act.forward(z, train=True, rng=np.random.default_rng(7))
    a2 = act.forward(z, train=True, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a1, a2)
    with pytest.raises(ValueError, match="rng"):
        act.forward(z, train=True)


def test_rrelu_derivative_with_fixed_slopes():
    act = activations.get("rrelu")
    z = grid_away_from_kinks()
    slopes = act.slopes(z.shape, train=True, rng=np.random.default_rng(1))
    num = numerical_gradient_array(lambda v: act.forward(v, slopes=slopes), z.copy(), np.ones_like(z), h=H)
    assert rel_error(num, act.derivative(z, slopes=slopes)) <= 1e-7


def test_prelu_slope_gradient():
    act = activations.get("prelu")
    z = grid_away_from_kinks()
    alpha = np.full_like(z, 0.3)
    num = numerical_gradient_array(lambda al: act.forward(z, alpha=al), alpha, np.ones_like(z), h=H)
    assert rel_error(num, act.grad_alpha(z)) <= 1e-7


def test_float32_stays_float32():
    z = np.linspace(-3, 3, 7, dtype=np.float32)
    for name in activations.NAMES:
        act = activations.get(name)
        assert act.forward(z, train=True, rng=np.random.default_rng(0)).dtype == np.float32, name
        assert act.derivative(z).dtype == np.float32, name


def test_registry():
    assert set(activations.NAMES) == {"sigmoid", "tanh", "relu", "leaky_relu", "rrelu", "prelu", "elu",
                                      "selu", "linear", "gelu", "swish"}
    for name in activations.NAMES:
        assert activations.get(name).name == name
    with pytest.raises(ValueError, match=r"unknown activation 'relux'; valid: sigmoid, tanh, relu"):
        activations.get("relux")
    with pytest.raises(ValueError, match="hyperparameters"):
        activations.get("relu", alpha=0.1)


@pytest.mark.parametrize("name", activations.NAMES)
def test_backward_is_dout_times_derivative(name):
    """``backward(z, dout)`` (ReLU has its own, without a float slope array) = dout · da/dz."""
    rng = np.random.default_rng(8)
    z = rng.standard_normal((6, 5))
    z[0, 0] = 0.0  # the kink
    dout = rng.standard_normal((6, 5))
    act = activations.get(name)
    for dtype in (np.float64, np.float32):
        zt, dt = z.astype(dtype), dout.astype(dtype)
        got = act.backward(zt, dt)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, dt * act.derivative(zt))
    mixed = act.backward(z.astype(np.float32), dout)  # float64 dout: promoted, as the product would be
    np.testing.assert_array_equal(mixed, dout * act.derivative(z.astype(np.float32)))
