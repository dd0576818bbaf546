"""The data-preprocessing page: every claim it makes in words holds at its defaults, through the functions the page
calls (the memoized pictures, the shared run it plays), and its largest settings are shown not to diverge."""
import math

import numpy as np
import pytest

from lab import preprocessing as lab
from runs import shared
from tests.apptest_util import errors, invalid_charts, non_finite_in_charts, open_page

D = lab.DEFAULTS


def last(**changes):
    """The finished run's last frame at the defaults with ``changes``: what the page shows."""
    settings = lab.Settings(**{**D.__dict__, **changes})
    return shared.complete(lab.preprocess_run(settings)).frames[-1].data


def test_standardized_data_uses_training_statistics():
    views = lab.preprocessing_views(D.shift, D.seed)  # cap_scatter, stats, leak
    raw, centered, std = (views[k] for k in lab.PREPROCESSINGS)
    assert np.allclose(centered.x_train.mean(axis=0), 0) and np.allclose(centered.x_train.std(axis=0),
                                                                        raw.x_train.std(axis=0))  # same shape
    assert np.allclose(std.x_train.mean(axis=0), 0, atol=1e-12) and np.allclose(std.x_train.std(axis=0), 1)
    assert raw.x_train.std(axis=0)[0] > 2 * raw.x_train.std(axis=0)[1]  # the stretched first feature...
    mean, sd = raw.x_train.mean(axis=0), raw.x_train.std(axis=0)
    assert np.allclose(std.x_test, (raw.x_test - mean) / sd)  # the train numbers, not the test set's own
    assert 0 < np.abs(std.x_test.mean(axis=0)).max() < 0.2  # close to 0 but not exactly
    assert (raw.x_train > 0).all()  # far from the origin: every input positive


@pytest.mark.parametrize("zz_lr", np.round(np.arange(0.1, 1.01, 0.1), 1))
def test_all_positive_inputs_move_both_weights_the_same_way_and_need_more_steps(zz_lr):
    runs = lab.zigzag_runs(float(zz_lr), D.seed)  # cap_zigzag, and "however you set it" (try)
    assert lab.same_sign_fraction(runs["positive"]) == 1.0  # the gradient is (dL/ds)·x with x > 0
    assert lab.same_sign_fraction(runs["centered"]) < 0.8
    pos, cen = runs["positive"].steps_to_target, runs["centered"].steps_to_target
    assert cen is not None and (pos is None or cen < pos)  # measured at 0.5: 13 vs 91


@pytest.mark.parametrize("dataset", lab.DATASETS)
def test_standardized_inputs_train_faster_and_lower(dataset):
    c = last(dataset=dataset)  # q1, cap_curves at the defaults
    raw, std = (c.histories[k]["train_loss"] for k in ("raw", "standardize"))
    assert std[-1] < 0.8 * raw[-1]  # measured: shifted 0.41 vs 0.21; digits 1.91 vs 0.13
    assert std[len(std) // 4] < raw[len(raw) // 4]  # faster too
    assert c.dead["standardize"] == 0


def test_raw_inputs_at_a_large_shift_or_learning_rate_kill_every_unit_and_stop_at_a_guess():
    for changes in ({"shift": 30.0}, {"lr": 0.3}):  # cap_curves, all_dead, try
        c = last(**changes)
        assert c.dead["raw"] == c.hidden and c.diverged == {}
        assert float(c.histories["raw"]["train_loss"][-1]) == pytest.approx(math.log(c.n_classes), abs=0.01)
        assert c.dead["standardize"] == 0
    faster = last(lr=0.3)  # "the standardized copy trains faster than before"
    assert faster.histories["standardize"]["train_loss"][-1] < last().histories["standardize"]["train_loss"][-1]
    digits = last(dataset="digits")  # "most of the raw copy's units die"
    assert digits.dead["raw"] > digits.hidden / 2


def test_with_no_shift_raw_inputs_train_as_well():
    c = last(shift=0.0)  # try: "as well as the standardized one (here even a little better)"
    assert c.histories["raw"]["train_loss"][-1] <= c.histories["standardize"]["train_loss"][-1]


@pytest.mark.parametrize("lr", lab.LRS)
@pytest.mark.parametrize("dataset", lab.DATASETS)
def test_no_allowed_setting_diverges(dataset, lr):
    c = last(dataset=dataset, lr=lr, shift=30.0)
    assert c.diverged == {}
    assert all(np.all(np.isfinite(h["train_loss"])) for h in c.histories.values())


def test_the_digits_share_one_run_whatever_the_shift():
    assert lab.run_key(lab.Settings(dataset="digits", shift=3.0)) == lab.run_key(lab.Settings(dataset="digits"))


def test_the_largest_learning_rate_plays_to_the_end_and_says_why_it_does_not_diverge():
    at = open_page("preprocessing", "en", {"lr": "0.3", "shift": "30"})
    next(b for b in at.button if b.key == "preprocessing-train").click()
    at.run()
    for _ in range(80):
        if any(f"{lab.TOTAL} of {lab.TOTAL}" in p.proto.text for p in at.get("progress")):
            break
        at.run()
    assert errors(at) == [] and not at.error  # no divergence message
    assert any("All 16 ReLU units of the raw copy are dead" in i.value for i in at.info)
    assert non_finite_in_charts(at) == [] and invalid_charts(at) == []
