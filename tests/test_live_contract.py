"""The live-run contract (runs/shared.LiveRun), checked over every implementation a lesson builds: each lesson's
live runs at its defaults build an object that the contract accepts, and chunked training equals one run."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from runs import shared


def specs():
    """Every live run the lessons play, at their defaults: (name, RunSpec)."""
    from lab import (activations, batches, batchnorm, dropout, ensembles, initialization, landscape, optimizers,
                     playground, preprocessing, regularization, transfer, vanishing)

    a, bn, ini, opt = activations.DEFAULTS, batchnorm.DEFAULTS, initialization.DEFAULTS, optimizers.DEFAULTS
    small_landscape = dataclasses.replace(landscape.DEFAULTS, steps=50, grid=21)
    return [
        ("activations.dying", activations.dying_run(a.dy_lr, a.dy_bias, a.seed)),
        ("activations.race", activations.race_run(a.acts[:2], a.dataset, a.cmp_lr, a.seed)),
        ("batches", batches.batch_run(batches.DEFAULTS)),
        ("batchnorm.pair", batchnorm.pair_run(bn.position, bn.lr, bn.init_std, bn.momentum, bn.eps, bn.seed)),
        ("batchnorm.sweep", batchnorm.sweep_run("lr", 2, bn.position, bn.momentum, bn.eps, bn.seed)),
        ("dropout", dropout.overfit_run(dropout.DEFAULTS.rate, dropout.DEFAULTS.l2, dropout.DEFAULTS.seed)),
        ("ensembles.seeds", ensembles.seeds_run(ensembles.DEFAULTS)),
        ("ensembles.snap", ensembles.snap_run(ensembles.DEFAULTS)),
        ("initialization.stats", initialization.stats_run(ini.probe)),
        ("initialization.train", initialization.training_run(ini.preset, ini.probe.std, ini.probe.seed)),
        ("landscape", landscape.landscape_run(small_landscape)),
        ("optimizers.race", optimizers.race_run(optimizers.entries_of(opt.opts, {}), opt.surface, opt.start, opt.steps,
                                                opt.schedule)),
        ("playground", playground.training_run(playground.PlaygroundConfig())),
        ("preprocessing", preprocessing.preprocess_run(preprocessing.DEFAULTS)),
        ("regularization", regularization.training_run(regularization.DEFAULTS)),
        ("transfer", transfer.transfer_run(transfer.DEFAULTS)),
        ("vanishing", vanishing.training_run(vanishing.DEFAULT_NET, vanishing.DEFAULT_TRAINING)),
    ]


SPECS = specs()


@pytest.mark.parametrize("name, spec", SPECS, ids=[n for n, _ in SPECS])
def test_every_live_run_keeps_the_contract(name, spec):
    one, two = spec.build(), spec.build()
    shared.check_live(one)
    assert isinstance(one, shared.LiveRun) and one.step == 0
    n = max(2, min(spec.steps[1], 6))
    _run_to(one, n, chunk=n)
    _run_to(two, n, chunk=1)  # in chunks of one: the same run
    assert one.step == two.step == n or getattr(one, "stopped", False) or one.diverged_at is not None
    a, b = spec.snapshot(one), spec.snapshot(two)
    assert _equal(a, b), f"{name}: run(1); run({n - 1}) differs from run({n})"
    release = getattr(one, "release", None)
    if release is not None:
        release()


def _run_to(obj, n: int, chunk: int) -> None:
    """Call run() until step n (an object may do fewer updates than asked per call), as runs.shared.Run does."""
    for _ in range(10_000):
        if obj.step >= n or getattr(obj, "stopped", False) or getattr(obj, "diverged_at", None) is not None:
            return
        obj.run(min(chunk, n - obj.step))
    raise AssertionError(f"{type(obj).__name__} made no progress")


def _equal(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    if dataclasses.is_dataclass(a):
        return all(_equal(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a == b


class _NoStep:
    def run(self, n):
        pass


class _BadStopped:
    step = 0
    stopped = "no"

    def run(self, n):
        pass


@pytest.mark.parametrize("obj, word", [(_NoStep(), "step"), (_BadStopped(), "stopped")])
def test_an_object_outside_the_contract_is_named_when_built(obj, word):
    with pytest.raises(TypeError, match=word):
        shared.check_live(obj)
    spec = shared.RunSpec(key=("contract-test", word), build=lambda: obj, snapshot=lambda o: 0, steps=(0, 1))
    with pytest.raises(TypeError, match="not a live run"):
        shared.Run(spec).advance(0, wait=True)
