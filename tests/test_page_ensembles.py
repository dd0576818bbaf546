"""The numbers the ensembles page shows, through lab.ensembles (what it calls).

Measured on the page's defaults (seed 0), recorded here so a regression is visible: K = 5, 300 steps:
members' mean 62.8 %, ensemble of averaged probabilities 66.1 %.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as app.py: threaded BLAS on tiny matrices is slower

import numpy as np
import pytest

from core import data, nn, schedules, train
from lab import ensembles


def test_ensemble_beats_the_mean_member_on_the_default():
    group = ensembles.seed_ensemble(5, seed=0).run(ensembles.ENS["steps"])
    sc = ensembles.score_ensemble([m.net for _, m in group.items()], group.test)
    assert sc.mean == pytest.approx(float(np.mean(sc.members)))
    assert sc.ensemble >= sc.mean + 0.01  # measured 66.1 % vs 62.8 %


def test_ensemble_proba_is_the_mean_of_the_members():
    p = np.random.default_rng(0).dirichlet(np.ones(3), size=(4, 6))
    assert np.allclose(ensembles.ensemble_proba(p), p.sum(axis=0) / 4)


@pytest.fixture(scope="module")
def snap_group():
    return ensembles.snapshot_group(seed=0).run(4 * ensembles.ENS["cycle_len"])


def test_snapshot_steps_equal_cycle_ends(snap_group):
    steps = 4 * ensembles.ENS["cycle_len"]
    assert snap_group["snap"].snapshot_steps == schedules.cycle_ends(steps, ensembles.ENS["cycle_len"])
    lrs, ends = ensembles.lr_curve(steps)
    assert ends == snap_group["snap"].snapshot_steps
    assert all(lrs[e] == pytest.approx(lrs.min(), rel=0.2, abs=1e-3) for e in ends)  # snapshots at the bottom
    assert len(snap_group["snap"].snapshots) == 4


def test_ema_of_the_weights_equals_the_formula():
    ds = data.get("moons", n=80, seed=0)
    decay = 0.9
    tr = train.Trainer(nn.MLP([2, 8, 2], seed=0), ds, optimizer="sgd", opt_kwargs={"lr": 0.1}, batch_size=16)
    m = ensembles.Member(tr, ema_decay=decay)
    path = [tr.net.flat_params.copy()]
    for _ in range(25):
        m.run(1)
        path.append(tr.net.flat_params.copy())
    path = np.array(path)
    ema = path[0].copy()
    for theta in path[1:]:
        ema = decay * ema + (1 - decay) * theta
    assert np.allclose(m.ema, ema, atol=1e-12)
    assert np.allclose(m.polyak, path.mean(axis=0), atol=1e-12)
