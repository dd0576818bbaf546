"""Layers (Dense, BatchNorm, Dropout, ActivationLayer) and the initializers they draw from."""
import math

import numpy as np
import pytest

from core import activations, initializers
from core.gradcheck import numerical_gradient_array, rel_error
from core.layers import ActivationLayer, BatchNorm, Dense, Dropout

# h = 1e-5 keeps both truncation (~h²) and float64 round-off (~1e-16/h) far below the 1e-7 bar
H = 1e-5


def check_layer(layer, x, train=True, seed=None):
    """Finite-difference check of dx and of every parameter gradient for L = Σ out · dout.

    ``seed``: a fresh Generator with this seed for every forward, so dropout masks / rrelu slopes
    are the same in every evaluation (a fixed mask)."""
    def fwd():
        rng = None if seed is None else np.random.default_rng(seed)
        return layer.forward(x, train=train, rng=rng)

    dout = np.random.default_rng(99).standard_normal(fwd().shape)
    fwd()
    dx = layer.backward(dout)
    errors = {"x": rel_error(numerical_gradient_array(lambda _: fwd(), x, dout, h=H), dx)}
    for name, p, g in zip(layer.param_names, layer.params, layer.grads):
        errors[name] = rel_error(numerical_gradient_array(lambda _: fwd(), p, dout, h=H), g)
    return errors


# ---- Dense -----------------------------------------------------------------------------------

def test_dense_forward_and_gradients():
    rng = np.random.default_rng(0)
    layer = Dense(5, 4, init="xavier_normal", rng=rng)
    layer.b[...] = rng.standard_normal(4)
    x = rng.standard_normal((6, 5))
    np.testing.assert_allclose(layer.forward(x), x @ layer.W + layer.b)
    errors = check_layer(layer, x)
    assert max(errors.values()) <= 1e-7, errors
    assert layer.param_names == ["W", "b"]


def test_dense_without_bias_and_shape_errors():
    layer = Dense(3, 2, bias=False)
    assert layer.param_names == ["W"] and len(layer.grads) == 1
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        layer.forward(np.zeros((4, 5)))
    with pytest.raises(ValueError):
        layer.forward(np.zeros(3))


# ---- BatchNorm ---------------------------------------------------------------------------------

def make_bn(dim=4, seed=0):
    rng = np.random.default_rng(seed)
    bn = BatchNorm(dim)
    bn.gamma[...] = rng.uniform(0.5, 2.0, dim)
    bn.beta[...] = rng.standard_normal(dim)
    return bn, rng


def test_batchnorm_gradients_training_and_inference():
    bn, rng = make_bn()
    x = 3 * rng.standard_normal((8, 4)) + 1
    errors = check_layer(bn, x, train=True)
    assert max(errors.values()) <= 1e-7, errors
    bn.running_mean[...] = rng.standard_normal(4)
    bn.running_var[...] = rng.uniform(0.5, 2, 4)
    errors = check_layer(bn, x, train=False)
    assert max(errors.values()) <= 1e-7, errors


def test_batchnorm_training_normalizes_with_biased_batch_variance():
    bn, rng = make_bn()
    x = 5 * rng.standard_normal((10, 4)) - 2
    out = bn.forward(x, train=True)
    x_hat = (out - bn.beta) / bn.gamma
    np.testing.assert_allclose(x_hat.mean(axis=0), 0, atol=1e-12)
    expected_var = x.var(axis=0) / (x.var(axis=0) + bn.eps)  # biased variance in the denominator
    np.testing.assert_allclose(x_hat.var(axis=0), expected_var, rtol=1e-12)


def test_batchnorm_running_update_rule():
    bn = BatchNorm(3, momentum=0.1)
    x = np.random.default_rng(1).standard_normal((5, 3))
    bn.forward(x, train=True)
    np.testing.assert_allclose(bn.running_mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn.running_var, 0.9 * 1 + 0.1 * x.var(axis=0, ddof=1))  # unbiased, as PyTorch


def test_batchnorm_inference_uses_running_statistics():
    bn, rng = make_bn()
    bn.running_mean[...] = [1.0, -1.0, 0.5, 2.0]
    bn.running_var[...] = [4.0, 0.25, 1.0, 9.0]
    x = rng.standard_normal((3, 4))
    expected = bn.gamma * (x - bn.running_mean) / np.sqrt(bn.running_var + bn.eps) + bn.beta
    before = bn.running_mean.copy()
    np.testing.assert_allclose(bn.forward(x, train=False), expected)
    np.testing.assert_array_equal(bn.running_mean, before)  # inference never updates them


def test_batchnorm_batch_of_two_differs_between_modes():
    bn, rng = make_bn()
    x = rng.standard_normal((2, 4)) * 3 + 4
    assert not np.allclose(bn.forward(x, train=True), bn.forward(x, train=False))


def test_batchnorm_batch_of_one_gives_zero_before_affine():
    bn, rng = make_bn()
    x = rng.standard_normal((1, 4))
    out = bn.forward(x, train=True)
    np.testing.assert_array_equal(bn.x_hat, 0)
    np.testing.assert_allclose(out[0], bn.beta)
    np.testing.assert_array_equal(bn.running_var, 1)  # one sample has no variance to record


def test_batchnorm_running_stats_converge_to_data_statistics():
    rng = np.random.default_rng(3)
    mean, std = np.array([2.0, -1.0, 0.0]), np.array([3.0, 0.5, 1.0])
    bn = BatchNorm(3, momentum=0.1)
    for _ in range(300):
        bn.forward(mean + std * rng.standard_normal((64, 3)), train=True)
    # an EMA with momentum m keeps a variance factor m / (2 - m) ≈ 0.053 of one batch's: standard
    # errors ≈ 0.029 std for the mean and ≈ 4 % for the variance, so these bounds are ~3.5 sigma
    assert np.all(np.abs(bn.running_mean - mean) < 0.1 * std)
    np.testing.assert_allclose(bn.running_var, std**2, rtol=0.15)


def test_batchnorm_bad_momentum():
    with pytest.raises(ValueError):
        BatchNorm(3, momentum=1.5)


# ---- Dropout -------------------------------------------------------------------------------------

def test_dropout_keeps_expected_activation():
    rate = 0.3
    x = np.ones((200, 500))
    out = Dropout(rate).forward(x, train=True, rng=np.random.default_rng(0))
    # each output is 0 or 1/(1-rate); per-element std √(rate/(1-rate)) ≈ 0.65, so the mean of 1e5 is 1 ± 0.002
    assert abs(out.mean() - 1) < 0.01
    assert abs(np.mean(out == 0) - rate) < 0.01
    np.testing.assert_allclose(np.unique(out), [0, 1 / (1 - rate)])


def test_dropout_inference_is_identity_and_rate_zero_too():
    x = np.random.default_rng(0).standard_normal((4, 6))
    np.testing.assert_array_equal(Dropout(0.5).forward(x, train=False), x)
    np.testing.assert_array_equal(Dropout(0.0).forward(x, train=True), x)


def test_dropout_gradient_with_fixed_mask_and_same_seed_same_mask():
    layer = Dropout(0.4)
    x = np.random.default_rng(2).standard_normal((5, 7))
    errors = check_layer(layer, x, train=True, seed=11)
    assert max(errors.values()) <= 1e-7, errors
    a = layer.forward(x, True, np.random.default_rng(11))
    b = layer.forward(x, True, np.random.default_rng(11))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5])
def test_dropout_bad_rate(rate):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(rate)


def test_dropout_training_needs_rng():
    with pytest.raises(ValueError, match="rng"):
        Dropout(0.5).forward(np.ones((2, 2)), train=True)


# ---- ActivationLayer -------------------------------------------------------------------------------

def kink_free_input(shape, seed=0):
    """Standard normal entries pushed at least 0.1 away from 0 (the ReLU-family kink)."""
    z = np.random.default_rng(seed).standard_normal(shape)
    return z + 0.1 * np.sign(z)


@pytest.mark.parametrize("name", activations.NAMES)
def test_activation_layer_gradients(name):
    layer = ActivationLayer(name, dim=5)
    errors = check_layer(layer, kink_free_input((6, 5)), train=True, seed=4)
    assert max(errors.values()) <= 1e-7, errors


def test_prelu_layer_learns_one_slope_per_unit():
    layer = ActivationLayer("prelu", dim=5)
    assert layer.param_names == ["alpha"]
    np.testing.assert_array_equal(layer.alpha, 0.25)
    layer.alpha[...] = np.linspace(0.1, 0.5, 5)
    z = kink_free_input((6, 5), seed=1)
    np.testing.assert_allclose(layer.forward(z), np.where(z > 0, z, layer.alpha * z))
    errors = check_layer(layer, z)
    assert errors["alpha"] <= 1e-7 and errors["x"] <= 1e-7, errors
    with pytest.raises(ValueError, match="dim"):
        ActivationLayer("prelu")


def test_rrelu_layer_reuses_its_training_slopes_in_backward():
    layer = ActivationLayer("rrelu", dim=4)
    z = -np.ones((3, 4))
    a = layer.forward(z, train=True, rng=np.random.default_rng(0))
    np.testing.assert_allclose(layer.backward(np.ones_like(z)), -a)  # slope = a / z for z < 0
    layer.forward(z, train=False)
    np.testing.assert_allclose(layer.backward(np.ones_like(z)), (1 / 8 + 1 / 3) / 2)


# ---- initializers ---------------------------------------------------------------------------------

FAN_IN, FAN_OUT = 600, 400


@pytest.mark.parametrize("name", [n for n in initializers.NAMES if n not in ("zeros", "constant")])
def test_initializer_empirical_std_matches_theory(name):
    W = initializers.get(name)(FAN_IN, FAN_OUT, np.random.default_rng(0))
    assert W.shape == (FAN_IN, FAN_OUT)
    target = initializers.std(name, FAN_IN, FAN_OUT)
    # 240,000 draws: the sample std is within ~0.3 % of the truth
    assert W.std() == pytest.approx(target, rel=0.01)
    assert abs(W.mean()) < 0.01 * target


def test_initializer_theoretical_stds():
    s = initializers.std
    assert s("xavier_normal", FAN_IN, FAN_OUT) == pytest.approx(math.sqrt(2 / 1000))
    assert s("xavier_uniform", FAN_IN, FAN_OUT) == pytest.approx(math.sqrt(2 / 1000))
    assert s("he_normal", FAN_IN, FAN_OUT) == pytest.approx(math.sqrt(2 / 600))
    assert s("he_uniform", FAN_IN, FAN_OUT) == pytest.approx(math.sqrt(2 / 600))
    assert s("lecun_normal", FAN_IN, FAN_OUT) == pytest.approx(math.sqrt(1 / 600))
    assert s("uniform", FAN_IN, FAN_OUT, limit=0.3) == pytest.approx(0.3 / math.sqrt(3))
    assert s(0.01, FAN_IN, FAN_OUT) == 0.01
    assert s("zeros", 3, 3) == 0 and s("constant", 3, 3) == 0


def test_uniform_limits():
    rng = np.random.default_rng(1)
    W = initializers.get("xavier_uniform")(FAN_IN, FAN_OUT, rng)
    limit = math.sqrt(6 / (FAN_IN + FAN_OUT))  # Glorot & Bengio 2010, eq. 16
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit
    W = initializers.get("he_uniform")(FAN_IN, FAN_OUT, rng)
    limit = math.sqrt(6 / FAN_IN)
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit


def test_float_init_zeros_constant_and_dtype():
    W = initializers.get(0.01)(300, 300, np.random.default_rng(0), np.float32)
    assert W.dtype == np.float32 and W.std() == pytest.approx(0.01, rel=0.02)
    np.testing.assert_array_equal(initializers.get("zeros")(3, 2, None), np.zeros((3, 2)))
    np.testing.assert_array_equal(initializers.get("constant", value=0.5)(3, 2, None), np.full((3, 2), 0.5))


def test_initializer_registry_errors():
    with pytest.raises(ValueError, match=r"unknown initializer 'glorot'; valid: zeros, constant, normal"):
        initializers.get("glorot")
    with pytest.raises(ValueError, match="hyperparameters"):
        initializers.get("zeros", value=1)
    with pytest.raises(ValueError):
        initializers.get(-0.1)


def test_dense_backward_without_input_gradient():
    rng = np.random.default_rng(7)
    a, b = Dense(4, 3, rng=np.random.default_rng(0)), Dense(4, 3, rng=np.random.default_rng(0))
    x, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    a.forward(x)
    b.forward(x)
    np.testing.assert_allclose(a.backward(dout), dout @ a.W.T)
    assert b.backward(dout, need_dx=False) is None
    for ga, gb in zip(a.grads, b.grads):
        np.testing.assert_array_equal(ga, gb)


@pytest.mark.parametrize("dtypes", [(np.float64, np.float64), (np.float32, np.float32), (np.float32, np.float64)],
                         ids=["float64", "float32", "mixed"])
@pytest.mark.parametrize("bias", [True, False])
def test_dense_fast_backward_equals_the_textbook_form(dtypes, bias):
    """Dense.backward's speed tricks (matmul into the gradient array, Σ_n as 1ᵀ·δ, the dtype branches) compute
    the textbook dW = xᵀ·δ, db = Σ_n δ, dx = δ·Wᵀ that the vanishing page shows beside it."""
    layer_dtype, dout_dtype = dtypes
    rng = np.random.default_rng(3)
    fast = Dense(6, 4, rng=np.random.default_rng(0), bias=bias, dtype=layer_dtype)
    book = Dense(6, 4, rng=np.random.default_rng(0), bias=bias, dtype=layer_dtype)
    x = rng.standard_normal((9, 6)).astype(layer_dtype)
    dout = rng.standard_normal((9, 4)).astype(dout_dtype)
    fast.forward(x)
    book.forward(x)
    dx_fast, dx_book = fast.backward(dout), book.backward_textbook(dout)
    tol = 1e-12 if layer_dtype == dout_dtype == np.float64 else 1e-5
    np.testing.assert_allclose(dx_fast, dx_book, rtol=tol, atol=tol)
    np.testing.assert_allclose(book.grads[0], x.astype(np.float64).T @ dout.astype(np.float64), rtol=tol, atol=tol)
    for g_fast, g_book in zip(fast.grads, book.grads):
        assert g_fast.dtype == g_book.dtype
        np.testing.assert_allclose(g_fast, g_book, rtol=tol, atol=tol)
    assert book.backward_textbook(dout, need_dx=False) is None


def test_a_network_trained_with_the_textbook_backward_follows_the_fast_one():
    """Swap every Dense layer's backward for the textbook form: the same run, step for step."""
    from core import data, nn, train

    ds = data.get("moons", n=120, noise=0.2, seed=0)
    runs = []
    for textbook in (False, True):
        net = nn.MLP([2, 16, 16, 2], activation="tanh", init="xavier_normal", seed=1)
        if textbook:
            for block in net.blocks:
                block.dense.backward = block.dense.backward_textbook
        trainer = train.Trainer(net, ds, optimizer="sgd", opt_kwargs={"lr": 0.1}, batch_size=16, seed=2)
        trainer.run(30)
        runs.append(np.concatenate([p.ravel() for p in net.params]))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-10, atol=1e-12)
