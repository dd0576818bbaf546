"""The initialization page's claims (cs231n lecture 6, Glorot & Bengio 2010, He et al. 2015), computed through the
functions it calls: lab.initialization's probe as shared frames (stats_run), symmetry, and the side-by-side run."""
from dataclasses import replace

import numpy as np
import pytest

from core import initializers, probe
from lab import initialization as lab
from runs import shared

P = lab.DEFAULTS.probe


def stats(**changes):
    """The last frame of the page's probe: every layer forward, then every gradient back."""
    return shared.complete(lab.stats_run(replace(P, **changes))).frames[-1].data


def side(preset="deep_relu", std=0.01, seed=0):
    return shared.complete(lab.training_run(preset, std, seed)).frames[-1].data


def test_the_defaults_are_cs231n_s_experiment():
    assert (P.depth, P.width, P.act, P.init, P.std) == (10, 500, "tanh", "normal", 0.01)
    assert lab.N_INPUTS == 1000 and lab.DEFAULTS.sym == "constant" and lab.DEFAULTS.preset == "deep_relu"


# ---- tanh (cs231n lecture 6; the question q1) --------------------------------------------------------------------

def test_small_weights_make_the_signal_vanish():
    """q1_a: a spike at 0. Each layer multiplies the std by about √500 × 0.01 ≈ 0.22 and the gradients vanish too."""
    v = stats()
    assert v.std[-1] < 1e-4
    np.testing.assert_allclose(v.std[1:5] / v.std[:4], np.sqrt(500) * 0.01, rtol=0.1)
    assert v.grad_std[0] < 1e-3 * v.grad_std[-1]
    counts, edges = v.act_hists[-1]
    middle = np.abs((edges[:-1] + edges[1:]) / 2) < 0.05
    assert counts[middle].sum() == counts.sum()  # every value of layer 10 in the two bins around 0


def test_unit_weights_saturate_tanh():
    """q1_a: with σ = 1 the values pile up at −1 and +1 (the percentage is in the panel title)."""
    v = stats(std=1.0)
    assert v.saturated[-1] > 0.85
    counts, _ = v.act_hists[-1]
    assert counts[0] + counts[-1] > 0.85 * counts.sum()


def test_xavier_keeps_tanh_alive():
    v = stats(init="xavier_normal")
    assert 0.15 < v.std[-1] < 0.35 and np.all(v.std > 0.15)


def test_the_measured_gain_matches_the_formula():
    """cap_formula: the measured std ratio of the last two layers is what √n·σ predicts (0.22 here)."""
    sigma, gain = lab.predicted_gain("tanh", "normal", 0.01, 500)
    assert sigma == 0.01 and gain == pytest.approx(np.sqrt(500) * 0.01)
    assert stats().gain == pytest.approx(gain, rel=0.1)
    frames = shared.complete(lab.stats_run(P)).frames
    assert all(np.isnan(f.data.gain) for f in frames[:P.depth])  # "—" until the last layer is computed
    assert np.isfinite(frames[P.depth].data.gain)


# ---- ReLU and SELU (cs231n; He et al. 2015; Klambauer et al. 2017) ---------------------------------------------

def test_xavier_halves_the_variance_per_relu_layer():
    """try: with ReLU, Xavier shrinks the std by about √2 per layer; He keeps it steady."""
    v = stats(act="relu", init="xavier_normal")
    assert v.std[-1] < 0.05
    assert abs((v.std[-1] / v.std[0]) ** (1 / 9) - 1 / np.sqrt(2)) < 0.05
    he = stats(act="relu", init="he_normal")
    assert np.all((he.std >= 0.5) & (he.std <= 1.5))
    assert stats(act="relu", init="he_normal", depth=20).std[-1] > 0.5  # "set the depth to 20: still fine"


def test_selu_with_lecun_self_normalizes():
    v = stats(act="selu", init="lecun_normal")
    assert np.all(np.abs(v.mean) < 0.1) and np.all(np.abs(v.std - 1) < 0.1)


def test_a_well_scaled_init_keeps_both_lines_nearly_flat():
    """cap_stats: forward std and backward gradient std stay within a factor of 2 (He + ReLU) across layers, while
    σ = 0.01 loses a million in the gradient."""
    v = stats(act="relu", init="he_normal")
    assert v.std.max() / v.std.min() < 2 and v.grad_std.max() / v.grad_std.min() < 2


# ---- the probe as frames ------------------------------------------------------------------------------------

def test_the_probe_plays_one_layer_per_frame_forward_then_back():
    run = shared.complete(lab.stats_run(P))
    frames = [f.data for f in run.frames]
    assert [f.step for f in run.frames] == list(range(2 * P.depth + 1))
    assert [f.forward for f in frames] == list(range(P.depth + 1)) + [P.depth] * P.depth
    assert [f.backward for f in frames] == [0] * (P.depth + 1) + list(range(1, P.depth + 1))
    assert all(h is None for h in frames[0].act_hists)  # nothing computed: the chart says how it fills
    assert frames[3].act_hists[2] is not None and frames[3].act_hists[3] is None
    assert frames[-1].grad_hists[0] is not None and frames[P.depth + 1].grad_hists[-1] is not None
    assert frames[P.depth + 1].grad_hists[0] is None  # the gradient reaches the top layer first
    assert run.frames[-1].final and lab.shown_layers(20) == (0, 2, 4, 6, 8, 11, 13, 15, 17, 19)


def test_the_probe_agrees_with_the_engine_s():
    """The page's lazy probe (per-layer random streams, float32, K inputs for histograms and gradients) and
    core.probe.activation_stats tell the same story: per-layer std within 5 % (float64, other draws; a deep ReLU
    net's std wanders more from draw to draw, so tanh is compared)."""
    for init in (0.01, "xavier_normal"):
        v = stats(init=init) if isinstance(init, str) else stats(std=init)
        engine = probe.activation_stats(10, 500, "tanh", init, n=1000, seed=0)
        np.testing.assert_allclose(v.std[:5], engine.std[:5], rtol=0.05)


def test_an_exploding_probe_stays_finite_or_blank():
    """ReLU with σ = 3 at width 500 grows ×47 per layer: float32 overflows, the layer is redone in float64."""
    v = stats(act="relu", std=3.0, depth=20)
    assert np.all(np.isfinite(v.std)) and v.std[-1] > 1e30
    for hist in v.act_hists + v.grad_hists:
        assert hist is None or np.all(np.isfinite(hist[1]))


def test_table_stds_follow_the_formulas():
    n = 500
    assert initializers.std("xavier_normal", n, n) == pytest.approx(np.sqrt(1 / n))  # 1 / fan_avg
    assert initializers.std("he_normal", n, n) == pytest.approx(np.sqrt(2 / n))
    assert initializers.std("lecun_normal", n, n) == pytest.approx(np.sqrt(1 / n))
    assert lab.recommended_stds(n) == {name: initializers.std(name, n, n)
                                       for name in ("xavier_normal", "he_normal", "lecun_normal")}


# ---- symmetry ----------------------------------------------------------------------------------

@pytest.mark.parametrize("init", lab.SYMMETRIC)
def test_symmetric_init_keeps_units_identical_after_training(init):
    """cap_sym: every column the same after 100 updates; He's random start breaks the symmetry and fits better."""
    r = lab.symmetry(init, seed=0)
    assert r.steps == 100 and np.all(r.identical)
    for W in r.weights:
        assert np.array_equal(W, np.repeat(W[:, :1], W.shape[1], axis=1))
    he = lab.symmetry(lab.SYMMETRY_REFERENCE, seed=0)
    assert he.init == "he_normal" and not np.any(he.identical) and he.train_acc > r.train_acc


def test_the_symmetry_experiment_is_the_engine_s():
    """lab.symmetry trains only what core.probe.symmetry trains (plain full-batch SGD), evaluating once at the end."""
    for init in ("constant", "he_normal"):
        mine, engine = lab.symmetry(init, seed=3), probe.symmetry(init, steps=100, lr=0.5, seed=3)
        np.testing.assert_allclose(mine.weight_spread, engine.weight_spread, rtol=1e-9, atol=1e-12)
        assert mine.train_acc == pytest.approx(engine.train_acc)


# ---- side-by-side training ----------------------------------------------------------------------------------

def test_deep_relu_he_trains_and_xavier_stalls():
    """cap_loss, cap_gnorm: in the 30-layer ReLU net He trains while Xavier sits at ln 2, and Xavier's first layer
    starts with a gradient more than 10,000 times smaller than He's (N(0, 0.01²)'s is below 10⁻¹²)."""
    v = side()
    assert list(v) == list(lab.PRESETS["deep_relu"]["inits"])
    assert all(m.diverged_at is None for m in v.values())
    assert v["he_normal"].train_loss[-1] < 0.1
    assert v["xavier_normal"].train_loss[-1] > 0.6 and v["normal"].train_loss[-1] > 0.6
    first = {k: m.first_grad[0] for k, m in v.items()}
    assert 1e-5 < first["xavier_normal"] / first["he_normal"] < 1e-4
    assert first["normal"] < 1e-12


def test_tanh_preset_zeros_never_learns_and_constant_only_a_little():
    """try: zeros never learns, a constant learns only what one unit per layer can, Xavier learns."""
    v = side("tanh")
    assert v["zeros"].train_loss[-1] == pytest.approx(np.log(2), abs=1e-3)
    assert 0.2 < v["constant"].train_loss[-1] < 0.6
    assert v["xavier_normal"].train_loss[-1] < 0.05


def test_the_side_by_side_run_is_an_animation_and_shares_its_key():
    run = shared.complete(lab.training_run("deep_relu", 0.01, 0))
    steps = [f.step for f in run.frames]
    assert steps[0] == 0 and steps[-1] == lab.STEPS and len(set(steps)) == len(steps) >= 20
    # std is part of the key only when the preset trains "normal"
    assert lab.training_run("tanh", 0.01, 0).key != lab.training_run("tanh", 1.0, 0).key
    assert lab.training_run("deep_relu", 0.01, 0).key != lab.training_run("deep_relu", 1.0, 0).key
    assert lab.Probe(init="he_normal", std=3.0) == lab.Probe(init="he_normal", std=0.01)


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

    from tests.apptest_util import APP, TIMEOUT, charts, errors, non_finite_in_charts
    from ui import nav

    settings = {"depth": int, "width": int, "act": str, "init": str, "std": float}
    shared.complete(lab.stats_run(replace(P, **{k: settings[k](v) for k, v in params.items() if k in settings})))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in {"lang": "ko", **params}.items():
        at.query_params[key] = value
    at.session_state["_revealed.initialization.q1"] = True  # the guess was made and revealed
    at.run()
    at.switch_page(nav.get("initialization").path).run()  # the finished probe (start="last"), every layer drawn
    assert errors(at) == []
    specs = list(charts(at).values())
    assert len(specs) == 6  # activations, per-layer stats, gradients, symmetry, loss, gradient norms
    assert non_finite_in_charts(at) == []


@pytest.mark.app
def test_the_last_layer_stays_hidden_until_the_guess_is_revealed():
    from tests.apptest_util import charts, errors, open_page

    shared.complete(lab.stats_run(P))  # the warmed default: the page opens on the finished probe
    import json

    at = open_page("initialization", "en", {})
    assert errors(at) == []
    titles = [a.get("text", "") for a in next(iter(charts(at).values()))["layout"]["annotations"]]
    assert "layer 10 · ?" in titles
    assert len(charts(at)) == 4  # histograms, symmetry, loss, gradient norms: no stats before the guess


@pytest.mark.app
def test_a_member_that_diverges_is_named_and_its_curve_stops():
    """Deep ReLU with N(0, 1²): that member's first update overflows; the page names it and the failed update, the
    other initializations go on, and no chart draws NaN or inf."""
    from tests.apptest_util import errors, non_finite_in_charts, non_finite_in_text, open_page

    v = side(std=1.0)
    assert v["normal"].diverged_at == 2 and len(v["normal"].step) == 0
    assert v["he_normal"].diverged_at is None and v["he_normal"].train_loss[-1] < 0.1
    at = open_page("initialization", "en", {"std": "1"})
    messages = [e.value for e in at.error]
    assert errors(at) == [] and len(messages) == 1 and "N(0, 1²)" in messages[0] and "2" in messages[0]
    assert non_finite_in_charts(at) == [] and non_finite_in_text(at) == []


@pytest.mark.app
def test_revealing_the_answer_unlocks_the_last_layer_and_the_statistics():
    """The question sits beside the chart, inside the live view: answering and revealing redraws the view with the
    last layer, the per-layer statistics and the gradients."""
    from tests.apptest_util import charts, errors, open_page

    shared.complete(lab.stats_run(P))
    at = open_page("initialization", "en", {})
    at.radio(key="_guess.initialization.q1").set_value(at.radio(key="_guess.initialization.q1").options[1]).run()
    at.button(key="_reveal.initialization.q1").click().run()
    assert errors(at) == []
    import json

    titles = [a.get("text", "") for a in next(iter(charts(at).values()))["layout"]["annotations"]]
    assert len(charts(at)) == 6 and "layer 10" in titles and not any("?" in t for t in titles)
    assert any("spike at 0" in s.value for s in at.success)
