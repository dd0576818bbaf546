"""The numbers the dropout page shows, through the functions it calls (lab.dropout)."""
import numpy as np
import pytest

from lab import dropout as lab
from core import nn


@pytest.mark.parametrize("w1, w2, x, y", [(1.0, 0.5, 1.5, 2.0), (-2.0, 1.3, 0.7, -1.1), (0.0, 2.0, -2.0, 2.0)])
def test_two_input_example_cs231n(w1, w2, x, y):
    ex = lab.two_input(w1, w2, x, y, keep=0.5)
    full = w1 * x + w2 * y
    # the four masks give w1x + w2y, w1x, w2y, 0 (cs231n lecture 7), each with probability 1/4
    assert np.allclose(sorted(ex.raw), sorted([full, w1 * x, w2 * y, 0.0]))
    assert np.allclose(ex.prob, 0.25)
    assert ex.raw.mean() == pytest.approx(0.5 * full, abs=1e-12)
    assert ex.expected_raw == pytest.approx(0.5 * full, abs=1e-12)
    assert ex.classic_test == pytest.approx(ex.expected_raw, abs=1e-12)  # classic: ×p at test time
    assert ex.expected_inverted == pytest.approx(full, abs=1e-12)        # inverted: ÷p in training
    assert ex.full == pytest.approx(full, abs=1e-12)


@pytest.mark.parametrize("keep", [0.1, 0.3, 0.8, 1.0])
def test_two_input_any_keep_probability(keep):
    ex = lab.two_input(0.9, -1.4, 1.2, 0.6, keep)
    assert ex.prob.sum() == pytest.approx(1.0)
    assert ex.expected_raw == pytest.approx(keep * ex.full)
    assert ex.classic_test == pytest.approx(ex.expected_raw)
    assert ex.expected_inverted == pytest.approx(ex.full)


def test_mc_dropout_converges_to_inference_for_a_linear_net():
    net = nn.MLP([3, 40, 2], activation="linear", dropout=0.5, seed=1)
    x = np.random.default_rng(2).standard_normal((5, 3))
    exact = net.forward(x, train=False)
    errs = []
    for passes in (50, 5000):
        mc = lab.mc_dropout(net, x, passes, seed=0)
        errs.append(np.max(np.abs(mc.mean_logits - exact)))
    assert errs[1] < 0.1 * np.max(np.abs(exact))
    assert errs[1] < errs[0] / 4  # the error falls roughly like 1/sqrt(T): sqrt(100) = 10


def test_rate_zero_makes_every_sub_network_the_full_network():
    net = nn.MLP([2, 16, 16, 2], dropout=0.0, seed=0)
    x = np.random.default_rng(0).standard_normal((20, 2))
    masks = lab.sample_masks([16, 16], 0.0, seed=0, draw=5)
    assert all(m.all() for m in masks)
    assert np.allclose(lab.forward_with_masks(net, x, masks), net.forward(x, train=False))


def test_forward_with_masks_matches_the_engine_dropout_layer():
    """A fixed mask applied to every sample equals MLP.forward(train=True) with that mask drawn."""
    net = nn.MLP([2, 8, 8, 2], dropout=0.5, seed=3)
    x = np.random.default_rng(1).standard_normal((1, 2))
    out = net.forward(x, train=True, rng=np.random.default_rng(9))
    masks = [b.drop.mask[0] > 0 for b in net.blocks[:-1]]
    assert np.allclose(lab.forward_with_masks(net, x, masks), out)


def test_same_seed_same_masks_and_draws_differ():
    a = lab.sample_masks([16, 16], 0.5, seed=4, draw=7)
    b = lab.sample_masks([16, 16], 0.5, seed=4, draw=7)
    c = lab.sample_masks([16, 16], 0.5, seed=4, draw=8)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not all(np.array_equal(p, q) for p, q in zip(a, c))
    kept = np.mean([np.concatenate(lab.sample_masks([16, 16], 0.3, 0, d)).mean() for d in range(300)])
    assert kept == pytest.approx(0.7, abs=0.02)  # each unit kept with probability 1 - rate


def test_variance_shift_of_dropout_before_batch_norm():
    no_drop, half = lab.variance_shift(0.0), lab.variance_shift(0.5)
    assert no_drop.ratio == pytest.approx(1.0, abs=0.05)  # no dropout: BN's running variance fits inference
    assert half.ratio < 0.6                                # dropout 0.5 before BN: inference variance far smaller


def test_overfitting_gap_shrinks_with_dropout_and_weight_decay():
    """Page defaults (300 noisy digits, 6×100 ReLU, SGD 0.05, batch 100, 600 updates, r = 0.2, λ = 0.02, seed 0).

    Measured: gap train − test 28.4 % without regularization, 25.2 % with dropout, 23.4 % with weight decay;
    test accuracy 71.6 %, 74.8 %, 76.6 %.
    """
    o = lab.OVERFIT
    group = lab.overfit_group(o["rate"], o["l2"], seed=0).run(o["steps"])
    gaps = {k: lab.gap(m) for k, m in group.items()}
    assert group["none"].history["train_acc"][-1] == 1.0          # memorized the 300 images
    assert gaps["none"] > 0.25                                     # and the test set shows it
    assert gaps["dropout"] < gaps["none"] - 0.02
    assert gaps["l2"] < gaps["none"] - 0.02
    for k in ("dropout", "l2"):
        assert group[k].history["test_acc"][-1] > group["none"].history["test_acc"][-1]


def test_the_live_group_is_trainable_until_the_target():
    group = lab.overfit_group(0.2, 0.02, seed=0, steps=20)
    assert group.diverged is False and group.diverged_steps() == {}
    group.run(10)
    assert group.step == 10 and all(m.step == 10 for _, m in group.items())


def test_cached_halves_rebuild_the_ensemble_maps():
    """The page caches the mask-dependent maps and the MC maps apart; together they equal ensemble_maps."""
    net, ds = lab.ensemble_net(0.3, seed=1)
    whole = lab.ensemble_maps(net, ds, 0.3, 1, [4, 5, 6], passes=7, grid=20)
    parts = lab.combine_maps(lab.sub_maps(net, ds, 0.3, 1, [4, 5, 6], grid=20),
                               lab.mc_maps(net, ds, 7, 1, grid=20))
    for name in ("sub", "full", "mc_mean", "mc_std", "sub_acc"):
        assert np.array_equal(getattr(whole, name), getattr(parts, name))
    assert (whole.full_acc, whole.mc_acc) == (parts.full_acc, parts.mc_acc)
