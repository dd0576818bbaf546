"""The initialization page's numbers (cs231n lecture 6, Glorot & Bengio 2010, He et al. 2015), checked
through the functions the page calls: lab.initialization (on probe.activation_stats, probe.symmetry,
nn.MLP + train.Trainer)."""
import numpy as np
import pytest

from core import initializers, probe
from lab import initialization as lab


def classic(activation, init):
    """The page's default experiment: 1,000 standard-normal inputs, 10 layers x 500, no bias."""
    return probe.activation_stats(10, 500, activation, init, n=1000, seed=0)


# ---- tanh (cs231n lecture 6) -----------------------------------------------------------------

def test_small_weights_make_the_signal_vanish():
    s = classic("tanh", 0.01)
    assert s.std[-1] < 1e-4
    ratios = s.std[1:5] / s.std[:4]  # each layer multiplies the std by about sqrt(500) * 0.01 = 0.22
    assert np.allclose(ratios, np.sqrt(500) * 0.01, rtol=0.1)
    assert s.grad_std[0] < 1e-3 * s.grad_std[-1]  # and the gradient vanishes toward layer 1


def test_unit_weights_saturate_tanh():
    s = classic("tanh", 1.0)
    layer10 = s.activations[-1]
    assert np.mean(np.abs(layer10) > 0.99) > 0.85
    assert s.saturated[-1] > 0.85  # the number the page prints in the panel title


def test_xavier_keeps_tanh_alive():
    s = classic("tanh", "xavier_normal")
    assert 0.15 < s.std[-1] < 0.35
    assert np.all(s.std > 0.15)


# ---- ReLU (cs231n; He et al. 2015) -------------------------------------------------------------

def test_xavier_halves_the_variance_per_relu_layer():
    s = classic("relu", "xavier_normal")
    assert s.std[-1] < 0.05
    mean_ratio = (s.std[-1] / s.std[0]) ** (1 / 9)
    assert abs(mean_ratio - 1 / np.sqrt(2)) < 0.05


def test_he_keeps_every_relu_layer_steady():
    s = classic("relu", "he_normal")
    assert np.all((s.std >= 0.5) & (s.std <= 1.5))


def test_the_page_statistics_agree_with_the_float64_probe():
    """The page runs the probe in float32 (half the cost): the same numbers to a few digits, and the measured
    gain per layer (the caption's) matches the one the formula predicts, √500 · 0.01 ≈ 0.22."""
    r = lab.layer_statistics(10, 500, "tanh", 0.01, seed=0, gradients=True)
    s = classic("tanh", 0.01)
    np.testing.assert_allclose(r["std"], s.std, rtol=1e-3)
    np.testing.assert_allclose(r["grad_std"], s.grad_std, rtol=1e-3)
    assert r["shown"] == list(range(10)) and len(r["act_hists"]) == len(r["grad_hists"]) == 10
    assert r["act_hists"][0][0].sum() == lab.N_INPUTS * 500  # tanh's whole range [-1, 1] is binned
    sigma, gain = lab.predicted_gain("tanh", "normal", 0.01, 500)
    assert sigma == 0.01 and gain == pytest.approx(np.sqrt(500) * 0.01)
    assert r["gain"] == pytest.approx(gain, rel=0.1)
    assert np.isnan(lab.layer_statistics(1, 50, "tanh", "xavier_normal", gradients=False)["gain"])


def test_table_stds_follow_the_formulas():
    n = 500
    assert initializers.std("xavier_normal", n, n) == pytest.approx(np.sqrt(1 / n))  # 1 / fan_avg
    assert initializers.std("he_normal", n, n) == pytest.approx(np.sqrt(2 / n))
    assert initializers.std("lecun_normal", n, n) == pytest.approx(np.sqrt(1 / n))
    assert initializers.std("xavier_normal", 2, 8) == pytest.approx(np.sqrt(2 / 10))
    assert lab.recommended_stds(n) == {name: initializers.std(name, n, n)
                                       for name in ("xavier_normal", "he_normal", "lecun_normal")}


# ---- symmetry ----------------------------------------------------------------------------------

@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_symmetric_init_keeps_units_identical_after_training(init):
    r = lab.symmetry(init, seed=0)  # as the page
    assert r.steps == 100 and np.all(r.identical)
    for W in r.weights:  # every column (a unit's incoming weights) equals the first
        assert np.array_equal(W, np.repeat(W[:, :1], W.shape[1], axis=1))
    he = lab.symmetry(lab.SYMMETRY_REFERENCE, seed=0)
    assert he.init == "he_normal"
    assert not np.any(he.identical) and he.train_acc > r.train_acc


# ---- side-by-side training ----------------------------------------------------------------------

def _group(preset, std=0.01, seed=0):
    """The page's build(): same data, seed and network; only the initialization differs."""
    group = lab.side_by_side(preset, std, seed)
    p = lab.PRESETS[preset]
    assert list(group.members) == list(p["inits"])
    for name, tr in group.items():
        assert tr.net.sizes == [2] + [p["width"]] * p["depth"] + [2]
    return group


def test_deep_relu_he_trains_and_xavier_stalls():
    g = _group("deep_relu").run(5)
    # at the start Xavier's weight gradients are tiny in every layer: the signal halves in variance per
    # layer on the way forward and again on the way back (He et al. 2015)
    first = {k: g[k].history["grad_norm"][0] for k in ("he_normal", "xavier_normal")}
    assert np.all(first["xavier_normal"] < 1e-3 * np.median(first["he_normal"]))
    g.run(lab.STEPS - 5)
    he, xavier = (g[k].history["train_loss"][-1] for k in ("he_normal", "xavier_normal"))
    assert g.diverged_steps() == {}
    assert he < 0.1
    assert xavier > 0.6  # stuck near ln 2, a coin toss


def test_tanh_preset_zeros_never_learns():
    g = _group("tanh").run(100)
    assert g["zeros"].history["train_loss"][-1] == pytest.approx(np.log(2), abs=1e-3)
    assert g["xavier_normal"].history["train_loss"][-1] < 0.3


# ---- the page itself, in the states tests/test_app.py does not reach ------------------------------

@pytest.mark.app
@pytest.mark.parametrize("params", [
    {},
    {"act": "relu", "init": "normal", "std": "3", "depth": "20", "width": "50"},  # explodes: still finite charts
    {"act": "selu", "init": "lecun_normal", "depth": "2"},
    {"act": "sigmoid", "init": "zeros", "sym": "zeros", "preset": "tanh"},
])
def test_page_revealed_in_every_regime(params):
    from streamlit.testing.v1 import AppTest

    from tests.apptest_util import APP, TIMEOUT, errors

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in {"lang": "ko", **params}.items():
        at.query_params[key] = value
    at.session_state["_revealed.initialization.q1"] = True  # the guess was made and revealed
    at.run()
    at.switch_page("lessons/initialization.py").run()
    assert errors(at) == []
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(specs) == 6  # activations, per-layer stats, gradients, symmetry, loss, gradient norms
    assert all("NaN" not in s and "Infinity" not in s for s in specs)
