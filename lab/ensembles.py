"""Ensembles and averaging (cs231n lecture 7): K nets from different seeds, snapshot ensembles from a cyclic
learning rate, Polyak and exponential averaging of the weights.

The page drives the groups through ``ui.live.panel`` (``.run(n)``, ``.step``; ``run(a); run(b)`` equals
``run(a + b)``). Shapes: N samples, C classes, K members, T steps.

    ens = seed_ensemble(k=5, seed=0).run(300)
    score_ensemble([m.net for _, m in ens.items()], ens.test)   # members, their mean, the ensemble
    snap = snapshot_group(seed=0).run(400); snap["snap"].snapshots; snap["avg"].avg_history()
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import nn, schedules, train
from lab._heldout import LiveGroup, Member, digits_holdout, proba

__all__ = ["ENS", "seed_ensemble", "snapshot_group", "lr_curve", "EnsembleScores", "score_ensemble",
           "ensemble_proba", "accuracy", "Member"]

ENS = dict(n_train=300, width=64, lr=1e-3, batch_size=50, steps=300, eval_every=10, noise=0.4,
           cycle_len=100, max_lr=0.05, base_lr=5e-4, ema_decay=0.98, sgd_lr=0.1)


def ensemble_proba(probas):
    """(K, N, C) member probabilities -> (N, C), their mean (cs231n: average the predictions)."""
    return np.mean(np.asarray(probas, dtype=float), axis=0)


def accuracy(proba, y):
    """proba (N, C), y (N,) labels -> the fraction whose most probable class is the label."""
    return float(np.mean(np.argmax(proba, axis=1) == np.asarray(y)))


def _ens_data(seed):
    return digits_holdout(ENS["n_train"], seed, ENS["noise"])


def seed_ensemble(k=5, seed=0):
    """K nets that differ only in their seed (initial weights and batch order), same data."""
    fit, test = _ens_data(seed)
    sizes = [fit.n_features, ENS["width"], fit.n_classes]
    members = {}
    for i in range(k):
        net = nn.MLP(sizes, activation="relu", init="he_normal", seed=seed * 100 + i)
        members[f"m{i}"] = Member(train.Trainer(net, fit, optimizer="adam", opt_kwargs={"lr": ENS["lr"]},
                                                batch_size=ENS["batch_size"], seed=seed * 100 + i,
                                                eval_every=ENS["eval_every"]))
    return LiveGroup(members, test)


@dataclass
class EnsembleScores:
    members: np.ndarray     # (K,) test accuracy of each member
    mean: float             # their mean
    ensemble: float         # accuracy of the averaged probabilities


def score_ensemble(nets, test):
    """K nets and test (x (N, D), y (N,)) -> EnsembleScores."""
    x, y = test
    probas = np.stack([proba(net, x) for net in nets])
    accs = np.array([accuracy(p, y) for p in probas])
    return EnsembleScores(accs, float(accs.mean()), accuracy(ensemble_proba(probas), y))


def snapshot_group(seed=0, cycle_len=ENS["cycle_len"], max_lr=ENS["max_lr"], ema_decay=ENS["ema_decay"]):
    """{"snap": SGD with a cyclic cosine learning rate, saving a snapshot at every cycle end;
    "avg": SGD at a constant, rather large learning rate, tracking the EMA and the Polyak mean of its weights}."""
    fit, test = _ens_data(seed)
    sizes = [fit.n_features, ENS["width"], fit.n_classes]

    def trainer(**kw):
        net = nn.MLP(sizes, activation="relu", init="he_normal", seed=seed)
        return train.Trainer(net, fit, optimizer="momentum", batch_size=ENS["batch_size"], seed=seed,
                             eval_every=ENS["eval_every"], **kw)

    cyclic = ("cyclic", {"base_lr": ENS["base_lr"], "max_lr": max_lr, "cycle_len": cycle_len})
    snap = Member(trainer(opt_kwargs={"lr": max_lr}, schedule=cyclic), snapshot_every=cycle_len, test=test)
    avg = Member(trainer(opt_kwargs={"lr": max_lr}), ema_decay=ema_decay, test=test)
    return LiveGroup({"snap": snap, "avg": avg}, test)


def lr_curve(steps, cycle_len=ENS["cycle_len"], max_lr=ENS["max_lr"]):
    """(T,) learning rates of the snapshot run and its cycle ends (the snapshot steps)."""
    lrs = schedules.curve("cyclic", steps, base_lr=ENS["base_lr"], max_lr=max_lr, cycle_len=cycle_len)
    return lrs, schedules.cycle_ends(steps, cycle_len)
