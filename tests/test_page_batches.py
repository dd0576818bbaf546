"""The batches page: every claim it makes in words holds at its defaults, through the functions the page calls
(the shared run it plays, the paths it draws), and its largest learning rate is shown not to diverge."""
import math

import numpy as np
import pytest

from lab import batches as lab
from runs import shared
from tests.apptest_util import errors, invalid_charts, non_finite_in_charts, open_page


def last(settings=lab.DEFAULTS):
    """The finished run's last frame: what the page shows at these settings."""
    return shared.complete(lab.batch_run(settings)).frames[-1]


def test_against_iterations_small_batches_jump_and_full_batch_is_smooth_and_at_least_as_fast():
    c = last().data  # cap_step, q1_a
    assert c.noise["mini"] > 10 * c.noise["full"] and c.noise["single"] > 10 * c.noise["mini"]
    end = {k: float(h["train_loss"][-1]) for k, h in c.histories.items()}
    assert end["mini"] >= end["full"] - 0.005 and end["single"] >= end["full"] - 0.005  # "level with or above"
    assert end["full"] < 0.2 * float(c.histories["full"]["train_loss"][0])  # and it did train


def test_against_epochs_the_small_batches_are_far_lower():
    c = last().data  # cap_epoch, q1_2, q1_a: at equal epochs (the dotted line) at most half full batch's loss
    assert c.common_epoch == pytest.approx(lab.TOTAL / lab.N_TRAIN)
    measured = {k: round(v, 2) for k, v in c.at_common.items()}
    assert c.at_common["mini"] < 0.5 * c.at_common["full"], measured  # measured: full 0.75, mini 0.23, single 0.16
    assert c.at_common["single"] < 0.5 * c.at_common["full"], measured
    # the epoch axis is the runs' own: the full batch's k-th update is its k-th epoch
    # (B = 16: 44 epochs of 9 updates, then 4 more mini-batches of 16 of the 140 samples)
    assert c.epochs == pytest.approx({"full": 400.0, "mini": 44 + 4 * 16 / 140, "single": 400 / 140})


def test_the_try_this_prompts():
    noise = {b: last(lab.Settings(batch_size=b)).data.noise["mini"] for b in (2, 16, 128)}
    assert noise[2] > 5 * noise[16] and noise[16] > noise[128]  # the thin line jumps less as B grows
    small, large = last(lab.Settings(batch_size=2)).data.at_common, last(lab.Settings(batch_size=128)).data.at_common
    assert abs(small["mini"] - small["single"]) < abs(small["mini"] - small["full"])  # B = 2 sits near single
    assert abs(large["mini"] - large["full"]) < abs(large["mini"] - large["single"])  # B = 128 near full batch
    wild, calm, base = (last(lab.Settings(lr=lr)).data for lr in (2.0, 0.03, lab.DEFAULTS.lr))
    assert float(wild.histories["single"]["train_loss"].max()) > 5  # "jumps above 5"
    assert wild.histories["full"]["train_loss"][-1] < base.histories["full"]["train_loss"][-1]  # full: even faster
    assert all(calm.at_common[k] > base.at_common[k] for k in ("full", "mini"))  # at 0.03 all slower
    jumps = {k: lab.step_noise(c.histories["single"]["train_loss"]) for k, c in (("calm", calm), ("base", base))}
    assert jumps["calm"] < 0.5 * jumps["base"]  # the single-sample whole-set curve calms down


@pytest.mark.parametrize("lr", lab.LRS)
def test_no_learning_rate_diverges_which_the_page_explains(lr):
    """The note under the chart (lr >= BOUNDED_FROM_LR): tanh units and cross-entropy bound every update."""
    c = last(lab.Settings(lr=lr)).data
    assert c.diverged == {}
    assert all(np.all(np.isfinite(h["train_loss"])) for h in c.histories.values())


def test_the_paths_full_batch_goes_straight_and_single_sample_never_settles():
    bp = lab.batch_paths(lab.DEFAULTS.batch_size)
    assert np.linalg.norm(bp.paths["full"][-1] - bp.optimum) < 1e-2
    wobble = {k: np.var(np.diff(np.diff(p, axis=0), axis=0)) for k, p in bp.paths.items()}
    assert wobble["single"] > wobble["mini"] > wobble["full"]
    miss = {k: np.linalg.norm(p[-10:] - bp.optimum, axis=1).mean() for k, p in bp.paths.items()}
    assert miss["single"] > 10 * miss["full"]  # "keeps jittering around the minimum instead of settling"


@pytest.mark.parametrize("b", lab.BATCH_SIZES)
def test_epochs_count_ceil_n_over_b_and_the_page_says_when_the_last_batch_is_short(b):
    k = lab.iterations_per_epoch(lab.N_TRAIN, b)
    assert k == math.ceil(lab.N_TRAIN / b)
    rest = lab.N_TRAIN - (k - 1) * b
    assert 0 < rest <= b and (rest < b) == (lab.N_TRAIN % b != 0)  # the page picks epoch_rule or epoch_rule_exact


def test_the_run_has_enough_distinct_frames_and_is_shared():
    run = shared.complete(lab.batch_run())
    assert len(run.frames) == lab.FRAMES + 1 and run.frames[-1].step == lab.TOTAL
    curves = {tuple(np.round(f.data.histories["full"]["train_loss"][-1:], 4)) for f in run.frames[1:]}
    assert len(curves) >= 20
    assert shared.run(lab.batch_run(lab.Settings())) is run  # the same settings: the same shared run
    assert lab.batch_group().members["full"].x_train.shape[0] == lab.N_TRAIN == 140


def _play(at, key):
    next(b for b in at.button if b.key == f"{key}-train").click()
    at.run()
    for _ in range(80):
        if any(f"{lab.TOTAL} of {lab.TOTAL}" in p.proto.text for p in at.get("progress")):
            break
        at.run()
    assert errors(at) == []


def test_the_largest_learning_rate_plays_to_the_end_with_the_bounded_note_and_finite_charts():
    at = open_page("batches", "en", {"lr": "2"})
    _play(at, "batches")
    assert not at.error  # no divergence message
    assert any("never diverge" in c.value for c in at.caption)
    assert non_finite_in_charts(at) == [] and invalid_charts(at) == []


def test_the_first_screen_shows_the_finished_default_run_and_the_epoch_axis():
    lab.warm()  # as the server does at start
    at = open_page("batches", "en")
    assert errors(at) == []
    assert any(f"{lab.TOTAL} of {lab.TOTAL}" in p.proto.text for p in at.get("progress"))
    at.toggle(key="epochs").set_value(True).run()
    assert errors(at) == [] and invalid_charts(at) == []
    text = " ".join(m.value for m in at.markdown)
    assert "at **2.9 epochs**" in text
