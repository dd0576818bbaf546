"""core.probe: the published activation-statistics experiments, histograms, init symmetry."""

import numpy as np
import pytest

from core import probe

# cs231n lecture 6: 1,000 inputs, 10 tanh/ReLU layers of 500 units, no bias


def test_tanh_small_std_activations_vanish():
    s = probe.activation_stats(10, 500, "tanh", 0.01, backward=False)
    assert s.std[-1] < 1e-4
    assert np.all(np.diff(s.std) < 0)  # shrinks layer after layer (about x0.22, cs231n)
    assert s.std[1] / s.std[0] == pytest.approx(0.22, abs=0.03)


def test_tanh_unit_std_saturates():
    s = probe.activation_stats(10, 500, "tanh", 1.0, backward=False)
    assert np.all(s.saturated > 0.85)


def test_tanh_xavier_keeps_a_spread():
    s = probe.activation_stats(10, 500, "tanh", "xavier_normal")
    assert 0.15 <= s.std[-1] <= 0.35
    assert np.all(s.saturated < 0.05)
    # the back-propagated gradient shrinks toward the lower layers (Glorot & Bengio 2010 fig. 7)
    assert np.all(np.diff(s.grad_std) > 0)
    assert s.weight_grad_norm.shape == (10,) and np.all(s.weight_grad_norm > 0)


def test_relu_xavier_collapses_and_he_holds():
    xavier = probe.activation_stats(10, 500, "relu", "xavier_normal", backward=False)
    he = probe.activation_stats(10, 500, "relu", "he_normal", backward=False)
    assert xavier.std[-1] < 0.05
    assert np.all((he.std >= 0.5) & (he.std <= 1.5))
    assert np.all(np.abs(he.zero_fraction - 0.5) < 0.1)  # ReLU zeroes about half the units


def test_statistics_and_histograms_agree_with_the_arrays():
    s = probe.activation_stats(3, 50, "sigmoid", 1.0, n=200, d_in=20)
    a = s.activations[2].astype(float)
    assert s.mean[2] == pytest.approx(a.mean(), rel=1e-5)
    assert s.saturated[2] == pytest.approx(np.mean((a < 0.01) | (a > 0.99)), abs=1e-3)
    counts, edges = s.hist(2, bins=30, range=(0, 1))
    assert counts.shape == (30,) and edges.shape == (31,) and counts.sum() == a.size
    g_counts, _ = s.hist(0, bins=10, of="gradient")
    assert g_counts.sum() == 200 * 50
    with pytest.raises(ValueError):
        s.hist(3)
    with pytest.raises(ValueError):
        probe.activation_stats(2, 8, backward=False).hist(0, of="gradient")


def test_same_seed_same_probe():
    a = probe.activation_stats(3, 40, "tanh", "xavier_normal", n=100, seed=3)
    b = probe.activation_stats(3, 40, "tanh", "xavier_normal", n=100, seed=3)
    c = probe.activation_stats(3, 40, "tanh", "xavier_normal", n=100, seed=4)
    assert np.array_equal(a.std, b.std) and np.array_equal(a.grad_std, b.grad_std)
    assert not np.array_equal(a.std, c.std)


def test_batchnorm_restores_unit_spread():
    s = probe.activation_stats(6, 100, "tanh", 0.01, batchnorm=True, backward=False)
    assert np.all(s.std > 0.5)  # BN re-normalizes each layer's input whatever the init


@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_symmetric_init_keeps_units_identical(init):
    r = probe.symmetry(init, steps=50)
    assert r.identical.all() and r.weight_spread.max() == 0.0 and r.output_spread.max() == 0.0
    assert r.steps == 50 and r.loss.shape == (50,)


def test_random_init_breaks_symmetry():
    r = probe.symmetry("xavier_normal", steps=20)
    assert not r.identical.any() and np.all(r.weight_spread > 0.1)


def test_lean_float32_probe_matches_the_full_float64_pass():
    """The page's fast path (float32, no dL/dW) reproduces the reference statistics (cs231n setting)."""
    for act, init in (("tanh", 0.01), ("relu", "he_normal"), ("sigmoid", "xavier_normal")):
        full = probe.activation_stats(10, 500, act, init)
        lean = probe.activation_stats(10, 500, act, init, dtype=np.float32, weight_grads=False)
        assert np.allclose(lean.std, full.std, rtol=1e-4)
        assert np.allclose(lean.grad_std, full.grad_std, rtol=1e-3)
        assert np.allclose(lean.saturated, full.saturated, atol=1e-3)
        assert np.all(np.isnan(lean.weight_grad_norm))  # not computed, and says so
    small = probe.activation_stats(10, 500, "tanh", 0.01, dtype=np.float32, weight_grads=False)
    assert small.std[-1] < 1e-4 and small.grad_std[0] < 1e-3 * small.grad_std[-1]
    # an exploding probe keeps finite statistics in float32 (they are accumulated in float64)
    big = probe.activation_stats(20, 500, "relu", 3.0, dtype=np.float32, weight_grads=False, backward=False)
    assert np.all(np.isfinite(big.std)) and big.std[-1] > 1e30
