"""The initialization page's numbers (cs231n lecture 6, Glorot & Bengio 2010, He et al. 2015), checked
through the functions the page calls: probe.activation_stats, probe.symmetry, nn.MLP + train.Trainer."""
import ast
from pathlib import Path

import numpy as np
import pytest

from core import compare, data, initializers, nn, probe, train

PAGE = Path(__file__).resolve().parent.parent / "lessons" / "initialization.py"


def _page_constant(name):
    """A literal constant of the page (its presets), read from the source so test and page cannot drift."""
    for node in ast.parse(PAGE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(name)


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


def test_table_stds_follow_the_formulas():
    n = 500
    assert initializers.std("xavier_normal", n, n) == pytest.approx(np.sqrt(1 / n))  # 1 / fan_avg
    assert initializers.std("he_normal", n, n) == pytest.approx(np.sqrt(2 / n))
    assert initializers.std("lecun_normal", n, n) == pytest.approx(np.sqrt(1 / n))
    assert initializers.std("xavier_normal", 2, 8) == pytest.approx(np.sqrt(2 / 10))


# ---- symmetry ----------------------------------------------------------------------------------

@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_symmetric_init_keeps_units_identical_after_training(init):
    r = probe.symmetry(init, activation="tanh", hidden=(8, 8), steps=100, lr=0.5, seed=0)  # as the page
    assert r.steps == 100 and np.all(r.identical)
    for W in r.weights:  # every column (a unit's incoming weights) equals the first
        assert np.array_equal(W, np.repeat(W[:, :1], W.shape[1], axis=1))
    he = probe.symmetry("he_normal", activation="tanh", hidden=(8, 8), steps=100, lr=0.5, seed=0)
    assert not np.any(he.identical) and he.train_acc > r.train_acc


# ---- side-by-side training ----------------------------------------------------------------------

def _group(preset, std=0.01, seed=0):
    """The page's build(): same data, seed and network; only the initialization differs."""
    p = _page_constant("PRESETS")[preset]
    ds = data.get("moons", seed=seed)
    return compare.Group({
        name: train.Trainer(nn.MLP([2] + [p["width"]] * p["depth"] + [2], activation=p["activation"],
                                   init=std if name == "normal" else name, seed=seed),
                            ds, optimizer="momentum", opt_kwargs={"lr": p["lr"]}, seed=seed, eval_every=5)
        for name in p["inits"]})


def test_deep_relu_he_trains_and_xavier_stalls():
    g = _group("deep_relu").run(5)
    # at the start Xavier's weight gradients are tiny in every layer: the signal halves in variance per
    # layer on the way forward and again on the way back (He et al. 2015)
    first = {k: g[k].history["grad_norm"][0] for k in ("he_normal", "xavier_normal")}
    assert np.all(first["xavier_normal"] < 1e-3 * np.median(first["he_normal"]))
    g.run(_page_constant("STEPS") - 5)
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
