"""The vanishing/exploding page: every claim its words make, computed through the functions it calls (lab.vanishing:
profile, slope, training_run as shared frames), and the page itself in AppTest (divergence, legends, frames).

The page builds nn.MLP([64] + [width] * depth + [10]) on 600 of the digits, measures one backward pass at
initialization (lab.profile), and trains plain SGD (batches of 64, a row every 2 steps) as a shared run.
"""
from dataclasses import replace

import numpy as np
import pytest

from core import regularization
from figures import vanishing as fig
from runs import shared
from lab import vanishing as lab

D, T0 = lab.DEFAULT_NET, lab.DEFAULT_TRAINING


def per_layer(prof, depth):
    """The measured factor by which ‖δ‖ shrinks (or grows) per layer, on average."""
    return prof.ratio ** (1 / depth)


def final(net=D, training=T0):
    """The last frame of the page's live run for these settings."""
    return shared.complete(lab.training_run(net, training)).frames[-1]


# ---- at initialization: the chart, the bound and the formula ------------------------------------------------

def test_the_defaults_are_the_page_s():
    assert (D.dataset, D.depth, D.width, D.act, D.init, D.bn) == ("digits", 12, 32, "sigmoid", "xavier_normal", False)
    assert (T0.lr, T0.clip) == (0.1, "none")
    ds = lab.dataset("digits", 0)
    assert ds.n_features == 64 and len(ds.x_train) + len(ds.x_test) == 600


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_loses_about_a_quarter_per_layer(seed):
    """intro, cap_profile, cap_formula: with sigmoid and Xavier the gradient reaching layer 1 is > 10^6 times smaller
    than the output layer's, shrinking every layer by a factor of about 4 (0.25 × a weight gain of about 1)."""
    prof = lab.profile(replace(D, seed=seed))
    assert prof.max_slope == pytest.approx(0.25, abs=1e-6)
    assert prof.delta_norm.shape == (D.depth + 1,)
    assert prof.ratio < 1e-6
    assert np.all(np.diff(prof.delta_norm) > 0)  # it grows toward the output at every layer
    assert 0.15 < per_layer(prof, D.depth) < 0.3


SETTINGS = [dict(act=a, init=i, depth=d) for a in lab.ACTIVATIONS for i in ("xavier_normal", "he_normal")
            for d in (2, 12, 30)] + [
    dict(act="tanh", init="normal", std=1.0, depth=12), dict(act="relu", init="normal", std=3.0, depth=20),
    dict(act="sigmoid", init="normal", std=10.0, depth=50, width=64), dict(act="elu", init="lecun_normal", depth=12),
    dict(act="relu", init="he_normal", depth=12, dataset="spirals")]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(str(v) for v in s.values()))
def test_no_measured_point_is_above_the_dashed_bound(settings):
    """cap_profile: "dashed: the most the chain rule allows with these very weights, which no point can exceed";
    the formula's bound is the product of max f′ · ‖W_{l+1}‖₂ over the measured spectral norms, and it is at least
    the measured ratio (the issue: with ReLU + He the old "≤ 1" stood next to a measured 1.8, with tanh and std 1
    next to 2.5 × 10⁴)."""
    prof = lab.profile(replace(D, **settings))
    finite = np.isfinite(prof.bound) & np.isfinite(prof.delta_norm)
    assert np.all(prof.delta_norm[finite] <= prof.bound[finite] * (1 + 1e-9))
    assert prof.bound[-1] == prof.delta_norm[-1]  # scaled to the output layer, where the chain starts
    expected = np.prod(prof.max_slope * prof.spectral_norm[1:])
    assert prof.bound_ratio == pytest.approx(expected, rel=1e-9) or not np.isfinite(expected)
    if np.isfinite(prof.ratio) and np.isfinite(prof.bound_ratio):
        assert prof.ratio <= prof.bound_ratio * (1 + 1e-9)


def test_the_issue_s_two_cases_now_print_a_bound_that_holds():
    relu = lab.profile(replace(D, act="relu", init="he_normal"))
    tanh = lab.profile(replace(D, act="tanh", init="normal", std=1.0))
    assert relu.ratio > 0.3 and relu.bound_ratio > relu.ratio  # not "≤ 1": the measured weights have ‖W‖₂ > 1
    assert tanh.ratio > 100 and tanh.bound_ratio > tanh.ratio


def test_the_spectral_norms_are_numpy_s():
    net = lab.network(lab.dataset("digits", 0), depth=5, width=16)
    assert lab.spectral_norms(net.weights) == pytest.approx([np.linalg.norm(W, 2) for W in net.weights])
    broken = [W.copy() for W in net.weights]
    broken[2][0, 0] = np.inf
    assert np.isinf(lab.spectral_norms(broken)[2])


def test_the_bound_is_loose_with_random_weights_as_the_caption_says():
    """cap_formula: ‖W‖₂ of a random Xavier matrix is about twice its typical stretch, so the bound (0.25 × ‖W‖₂ per
    layer) sits far above the measured ratio: the caption quotes the range of ‖W‖₂."""
    prof = lab.profile(D)
    norms = prof.spectral_norm[1:]
    assert 1.5 < norms.min() and norms.max() < 2.5
    assert prof.bound_ratio > 100 * prof.ratio


@pytest.mark.parametrize("depth", [12, 20])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_relu_he_keeps_the_gradient_level(depth, seed):
    """cap_profile, try: with ReLU + He the points stay level (He et al. 2015): within a factor of 10, and many
    orders of magnitude above sigmoid's."""
    relu = lab.profile(replace(D, depth=depth, act="relu", init="he_normal", seed=seed))
    sig = lab.profile(replace(D, depth=depth, seed=seed))
    assert 0.1 <= relu.ratio <= 10
    assert relu.ratio > 1e4 * sig.ratio


def test_the_explanation_twenty_sigmoid_layers_lose_about_ten_to_the_twelve():
    """explain, q1_a's last sentence: depth 20, sigmoid, Xavier: about 10¹² (twelve powers of ten)."""
    prof = lab.profile(replace(D, depth=20))
    assert 1e-14 < prof.ratio < 1e-10


def _sci(x: float, digits: int = 2) -> str:
    """3.4e-08 -> "3.4 × 10⁻⁸", as the texts write a number."""
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    return f"{mantissa} × 10" + str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_question_asks_about_the_default_chart_and_its_answer_reads_it(lang):
    """q1 (issue 23, item 4): the predict-first question sits beside the default chart, so it asks about the
    default depth (12, not 20), and its answer quotes what that chart measures: δ₁/δ_out = 3.4 × 10⁻⁸, i.e. about
    3 × 10⁷ times smaller, between seven and eight powers of ten; 0.25¹² ≈ 6 × 10⁻⁸."""
    from content import catalog

    words = catalog.load(lang)
    prof = lab.profile(D)
    assert D.depth == 12 and prof.delta_norm.size == D.depth + 1        # the chart: 12 hidden layers + the output
    assert str(D.depth) in words["vanishing.q1_q"] and "20" not in words["vanishing.q1_q"]
    answer, option = words["vanishing.q1_a"], words["vanishing.q1_4"]
    assert _sci(prof.ratio) in answer                                   # the measured ratio, as the formula prints
    assert _sci(1 / prof.ratio, 1) in option and _sci(1 / prof.ratio, 1) in answer
    assert _sci(0.25 ** D.depth, 1) in answer and "0.25¹²" in answer
    assert 7 < -np.log10(prof.ratio) < 8                                  # "between seven and eight powers of ten"
    why = words["vanishing.q1_why1"]                                    # the right reason a class is offered
    assert str(D.depth) in why and "20" not in why and "0.25¹²" in why and _sci(0.25 ** D.depth, 1) in why


def test_tanh_with_std_one_explodes_toward_the_input():
    """try: tanh, normal std 1, depth 20: the gradient grows toward the input."""
    prof = lab.profile(replace(D, act="tanh", init="normal", std=1.0, depth=20))
    assert prof.ratio > 10 and prof.delta_norm[0] > prof.delta_norm[-1]


def test_batch_norm_brings_the_first_layer_back_and_drops_the_bound():
    """try, cap_profile_bn: with batch norm the first layer's gradient comes back by many powers of ten; the bound from
    the weights alone does not apply, so none is drawn or printed."""
    plain, bn = lab.profile(D), lab.profile(replace(D, bn=True))
    assert bn.bound is None and np.isnan(bn.bound_ratio)
    assert bn.ratio > 1e4 * plain.ratio


def test_the_slope_chart_peaks_where_the_caption_says():
    """cap_slope: sigmoid's derivative peaks at 0.25 at z = 0; tanh's at 1; ReLU is 1 for every positive input."""
    z, _, da = lab.slope("sigmoid")
    assert da.max() == pytest.approx(0.25) and z[np.argmax(da)] == pytest.approx(0.0)
    assert lab.slope("tanh")[2].max() == pytest.approx(1.0)
    z, _, da = lab.slope("relu")
    assert np.all(da[z > 0] == 1.0)


# ---- while training: the shared run ---------------------------------------------------------------------------

def test_the_default_run_shows_the_first_layers_not_learning():
    """cap_loss, cap_heat, cap_moved at the defaults: the loss stays near ln 10 (the net still guesses), the first
    layer's gradient stays orders of magnitude under the last one's, and its weights move far less."""
    last = final()
    m = last.data.members["yours"]
    assert last.step == lab.TOTAL_STEPS and m.diverged_at is None
    assert abs(m.train_loss[-1] - np.log(10)) < 0.2
    assert np.all(m.grad_norm[:, 0] < 1e-3 * m.grad_norm[:, -1])
    assert m.moved[0] < 1e-3 * m.moved[-1]


def test_relu_he_moves_every_layer():
    """try: with ReLU + He, after training every layer has moved."""
    m = final(replace(D, act="relu", init="he_normal")).data.members["yours"]
    assert m.diverged_at is None and np.all(m.moved > 1e-3)


def test_clipping_by_norm_trains_while_the_same_run_without_it_diverges():
    """try: ReLU + He at learning rate 1 diverges within a few steps; with clipping by global norm at 1 the clipped
    run trains while the plain one beside it diverges."""
    net = replace(D, act="relu", init="he_normal")
    alone = final(net, lab.Training(lr=1.0)).data.members["yours"]
    assert alone.diverged_at is not None and alone.diverged_at <= 20
    pair = final(net, lab.Training(lr=1.0, clip="norm", threshold=1.0)).data.members
    assert list(pair) == ["yours", "plain"]
    assert pair["yours"].diverged_at is None and pair["plain"].diverged_at is not None
    assert fig.global_norm(pair["yours"].grad_norm).max() > 1.0  # the raw gradient was clipped at least once


def test_clipped_sgd_steps_stay_within_lr_times_threshold():
    """cap_norm_norm: clipping by norm shrinks the whole gradient to the threshold, so an SGD step moves the weights
    by at most lr · c (recorded every update here)."""
    ds = lab.dataset("digits", 0)
    group = lab.training_group(ds, 1.0, "norm", 1.0, act="relu", init="he_normal")
    tr = group["yours"]
    tr.eval_every = 1
    w_prev = np.array([np.linalg.norm(W) for W in tr.net.weights])
    group.run(60)
    h = tr.history
    previous = np.vstack([w_prev, h["weight_norm"][:-1]])
    moved = np.sqrt(((h["update_ratio"] * previous) ** 2).sum(axis=1))
    assert np.all(moved <= 1.0 * (1 + 1e-6))
    clipped, total = regularization.clip_by_global_norm([np.full(3, 2.0)], 1.0)
    assert total > 1.0 and np.linalg.norm(clipped[0]) == pytest.approx(1.0)


def test_the_live_run_is_an_animation():
    """At most 41 frames over 300 steps, in order, each one a different picture (the first after step 0)."""
    run = shared.complete(lab.training_run(D, T0))
    steps = [f.step for f in run.frames]
    assert steps[0] == 0 and steps[-1] == lab.TOTAL_STEPS and steps == sorted(set(steps))
    assert 20 <= len(steps) <= lab.FRAMES + 1
    losses = {tuple(f.data.members["yours"].train_loss) for f in run.frames}
    assert len(losses) >= 20


# ---- figures -----------------------------------------------------------------------------------------------

WORDS = {"title": "t", "x": "x", "y": "y", "measured": "measured", "bound": "bound", "threshold": "c",
         "colorbar": ""}


def test_the_profile_chart_draws_the_bound_only_when_there_is_one():
    prof = lab.profile(D)
    f = fig.layer_profile(prof.delta_norm, prof.bound, WORDS)
    names = [tr.get("name") for tr in f.data]
    assert names == ["bound", "measured"]
    bound = next(tr for tr in f.data if tr.get("name") == "bound")
    assert bound["y"][-1] == pytest.approx(prof.delta_norm[-1])
    assert [tr.get("name") for tr in fig.layer_profile(prof.delta_norm, None, WORDS).data] == ["measured"]


def test_legends_sit_under_the_charts_never_on_their_titles():
    """issue 13: with clipping on, the two-run legends sat on the chart titles. Every legend of the page's charts is
    anchored to the bottom of the figure (container coordinates), below the plot and its x-axis title."""
    steps, values = np.arange(1, 4), np.ones(3)
    figures = [fig.run_curves({"a": (steps, values), "b": (steps, 2 * values)}, WORDS, threshold=1.0),
               fig.weight_change({"a": np.ones(3), "b": np.ones(3)}, WORDS),
               fig.layer_profile(np.ones(3), np.ones(3), WORDS)]
    for f in figures:
        legend = f.to_dict()["layout"]["legend"]
        assert legend["yref"] == "container" and legend["yanchor"] == "bottom" and legend["y"] < 0.05
        assert f.to_dict()["layout"]["margin"]["b"] >= 120


# ---- the page in AppTest --------------------------------------------------------------------------------------

def _play(at, key="vanishing", limit=80):
    from tests.apptest_util import errors

    next(b for b in at.button if b.key == f"{key}-train").click()
    at.run()
    for _ in range(limit):
        assert errors(at) == []
        if next(b for b in at.button if b.key == f"{key}-train").label != "Pause":
            break
        at.run()


@pytest.mark.app
def test_a_diverging_run_names_the_update_and_draws_nothing_infinite():
    """issue 17 item 3: a learning rate of 10 diverges; the message names the failed update and no chart or text
    shows NaN or inf."""
    from tests.apptest_util import errors, non_finite_in_charts, non_finite_in_text, open_page

    at = open_page("vanishing", "en", {"lr": "10", "act": "relu", "init": "he_normal"})
    _play(at)
    assert errors(at) == []
    messages = [e.value for e in at.error]
    assert len(messages) == 1 and "update" in messages[0]
    last = final(replace(D, act="relu", init="he_normal"), lab.Training(lr=10.0))
    step = last.data.members["yours"].diverged_at
    assert step is not None and last.diverged_at == step and str(step) in messages[0]
    progress = at.get("progress")[0].proto.text
    assert f"update {step}" in progress
    assert non_finite_in_charts(at) == [] and non_finite_in_text(at) == []


@pytest.mark.app
def test_the_page_shows_the_bound_formula_only_without_batch_norm():
    from tests.apptest_util import errors, formulas, open_page

    at = open_page("vanishing", "en", {})
    latex = formulas(at)
    assert errors(at) == [] and any(r"\le \prod" in body for body in latex)
    at = open_page("vanishing", "en", {"bn": "1"})
    latex = formulas(at)
    assert errors(at) == [] and not any(r"\le \prod" in body for body in latex)
    assert any("does not apply" in c.value for c in at.caption)


@pytest.mark.app
def test_the_english_page_has_no_korean():
    """issue 13: "(연쇄 법칙)" and "(그레이디언트 클리핑)" were in the English page."""
    import re

    from tests.apptest_util import open_page

    at = open_page("vanishing", "en", {"clip": "norm"})
    text = " ".join(str(el.value) for kind in ("markdown", "caption", "subheader", "title") for el in getattr(at, kind))
    assert text and not re.search(r"[\uac00-\ud7a3]", text)


@pytest.mark.parametrize("net", [D, replace(D, bn=True, act="elu", init="he_normal"),
                                 replace(D, init="normal", std=0.3, dataset="spirals", seed=4)])
def test_a_shared_start_is_the_network_as_drawn(net):
    """The profile and the runs build their network from the shared initial weights: the same network, to the bit,
    that drawing it again gives (weights, biases, batch-norm parameters)."""
    drawn = lab.network(lab.dataset(net.dataset, net.seed), **lab._net_kwargs(net))
    shared_start = lab.fresh_network(net)
    for a, b in zip(drawn.params, shared_start.params):
        np.testing.assert_array_equal(a, b)
    assert shared_start.weights[0].flags.writeable  # a copy the run may train, not the shared arrays


def test_a_diverged_run_does_not_flatten_the_clipped_one():
    """try (ReLU + He at lr 1, clipping by global norm at 1): the run without clipping reaches a loss of ~10⁴⁷
    before it diverges; the loss and gradient-norm charts keep their axis on the clipped run (issue 23, item 4),
    which spans a good part of the chart's height, and a note says how high the other one went."""
    from figures.vanishing import focus_range

    training = replace(T0, lr=1.0, clip="norm", threshold=1.0)
    members = final(replace(D, act="relu", init="he_normal"), training).data.members
    clipped, plain = members["yours"], members["plain"]
    assert clipped.diverged_at is None and plain.diverged_at is not None
    assert np.nanmax(plain.train_loss) > 1e40                          # what used to set the axis
    words = {"title": "", "x": "", "y": "", "threshold": "clip", "off_chart": "{name} {value} {step}"}
    series = {
        "loss": {"clipped": (clipped.step, clipped.train_loss), "plain": (plain.step, plain.train_loss)},
        "norm": {"clipped": (clipped.step, fig.global_norm(clipped.grad_norm)),
                 "plain": (plain.step, fig.global_norm(plain.grad_norm))}}
    for name, runs in series.items():
        chart = fig.run_curves(runs, words, threshold=1.0 if name == "norm" else None, focus=("clipped",)).to_dict()
        lo, hi = chart["layout"]["yaxis"]["range"]
        values = np.asarray(runs["clipped"][1], dtype=float)
        span = np.log10(values.max()) - np.log10(values.min())
        assert lo <= np.log10(values.min()) and np.log10(values.max()) <= hi
        assert span >= 0.4 * (hi - lo), (name, span, lo, hi)           # not a flat line at the bottom
        notes = [a["text"] for a in chart["layout"].get("annotations", []) if a["text"].startswith("plain")]
        assert len(notes) == 1 and "10⁴" in notes[0] or name == "norm", notes
    assert focus_range({"a": ([1, 2], [1.0, 2.0]), "b": ([1, 2], [1.5, 1.8])}, ("a",)) is None  # nothing to cut
