"""Ensembles and averaging (cs231n lecture 7): K nets from different seeds, snapshot ensembles from a cyclic
learning rate, Polyak and exponential averaging of the weights.

The page drives the groups through ``ui.live.panel`` (``.run(n)``, ``.step``; ``run(a); run(b)`` equals
``run(a + b)``). Shapes: N samples, C classes, K members, T steps.

    ens = seed_ensemble(k=5, seed=0).run(300)
    score_ensemble([m.net for _, m in ens.items()], ens.test)   # members, their mean, the ensemble
    snap = snapshot_group(seed=0).run(400); snap["snap"].snapshots; snap["avg"].avg_history()
    seeds_run(DEFAULTS), snap_run(DEFAULTS)                     # the two live runs as shared frames (runs.shared)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import nn, schedules, train
from runs import shared
from lab.settings import SEED, Settings as Declared, level, number
from lab._side_by_side import LiveGroup, Member, digits_holdout, proba

__all__ = ["ENS", "Settings", "DEFAULTS", "CHOICES", "seed_ensemble", "snapshot_group", "lr_curve", "EnsembleScores",
           "score_ensemble", "ensemble_proba", "accuracy", "Member", "seeds_run", "snap_run", "warm"]

ENS = dict(n_train=300, width=64, lr=1e-3, batch_size=50, steps=300, eval_every=10, noise=0.4,
           cycle_len=100, cycles=4, max_lr=0.05, base_lr=5e-4, ema_decay=0.98, frames=40)
SNAP_STEPS = ENS["cycles"] * ENS["cycle_len"]
CHOICES = dict(max_lr=(0.01, 0.02, 0.05, 0.1, 0.2, 0.5), decay=(0.9, 0.95, 0.98, 0.99, 0.995, 0.999))


@dataclass(frozen=True)
class Settings:
    """The page's settings: k networks in section 1; the snapshot and averaging runs' peak learning rate and EMA
    decay; the seed of everything."""
    k: int = 5
    max_lr: float = ENS["max_lr"]
    decay: float = ENS["ema_decay"]
    seed: int = 0


DEFAULTS = Settings()
SETTINGS = Declared(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    number("k", "ensembles.k", 2, 10, DEFAULTS.k),
    level("lr", "ensembles.max_lr", CHOICES["max_lr"], DEFAULTS.max_lr, name="max_lr"),
    level("decay", "ensembles.decay", CHOICES["decay"], DEFAULTS.decay),
    SEED.but(default=DEFAULTS.seed),
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.losses.softmax", "core.schedules._cyclic", "core.optim.ema_path", "core.optim.polyak_path")


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


@dataclass(frozen=True)
class EnsembleScores:
    members: np.ndarray     # (K,) test accuracy of each member
    mean: float             # their mean
    ensemble: float         # accuracy of the averaged probabilities
    disagree: float         # share of test samples on which the members do not all predict the same class


def score_ensemble(nets, test):
    """K nets and test (x (N, D), y (N,)) -> EnsembleScores."""
    x, y = test
    probas = np.stack([proba(net, x) for net in nets])
    accs = np.array([accuracy(p, y) for p in probas])
    votes = np.argmax(probas, axis=2)  # (K, N)
    disagree = float(np.mean(np.any(votes != votes[:1], axis=0)))
    return EnsembleScores(accs, float(accs.mean()), accuracy(ensemble_proba(probas), y), disagree)


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


@shared.memo(max_bytes=2**20)
def lr_curve(steps, cycle_len=ENS["cycle_len"], max_lr=ENS["max_lr"]):
    """-> (lrs (T,), snapshot steps): lrs[t - 1] is the rate of update t (t = 1 … T, the step axis counts updates
    done); a snapshot is saved after the last update of each cycle (t = cycle_len, 2·cycle_len, …), where the rate
    is at its lowest."""
    lrs = schedules.curve("cyclic", steps, base_lr=ENS["base_lr"], max_lr=max_lr, cycle_len=cycle_len)
    return lrs, tuple(t + 1 for t in schedules.cycle_ends(steps, cycle_len))


# ---------------------------------------------------------------- the live runs, as frames

@dataclass(frozen=True)
class SeedView:
    """Section 1 at one step: the K members' scores (None at step 0: untrained nets score at chance)."""
    step: int
    scores: EnsembleScores | None
    diverged: dict


def _seed_snapshot(group: LiveGroup) -> SeedView:
    scores = score_ensemble([m.net for _, m in group.items()], group.test) if group.step else None
    return SeedView(group.step, scores, group.diverged_steps())


def seeds_run(s: Settings = DEFAULTS) -> shared.RunSpec:
    """Section 1's K networks as shared frames (only k and the seed matter)."""
    return shared.RunSpec(key=("ensembles", "seeds", s.k, s.seed), build=lambda: seed_ensemble(s.k, s.seed),
                          snapshot=_seed_snapshot, steps=shared.frame_steps(ENS["steps"], ENS["frames"]))


@dataclass(frozen=True)
class SnapView:
    """Sections 2 and 3 at one step: the snapshots taken so far (their steps and scores, None before the first)
    and the averaging run's test losses {"step", "raw", "ema", "polyak"} (T,)."""
    step: int
    snapshot_steps: tuple
    scores: EnsembleScores | None
    avg: dict
    diverged: dict


def _snap_snapshot(group: LiveGroup) -> SnapView:
    snap = group["snap"]
    scores = score_ensemble([snap.net_with(x) for x in snap.snapshots], group.test) if snap.snapshots else None
    return SnapView(group.step, tuple(snap.snapshot_steps), scores, group["avg"].avg_history(),
                    group.diverged_steps())


def snap_run(s: Settings = DEFAULTS) -> shared.RunSpec:
    """Sections 2 and 3 as shared frames (the peak learning rate, the EMA decay and the seed matter); a frame
    right after each snapshot, so every one shows as it is taken."""
    steps = sorted(set(shared.frame_steps(SNAP_STEPS, ENS["frames"])) | set(lr_curve(SNAP_STEPS)[1]))
    return shared.RunSpec(key=("ensembles", "snap", s.max_lr, s.decay, s.seed),
                          build=lambda: snapshot_group(s.seed, max_lr=s.max_lr, ema_decay=s.decay),
                          snapshot=_snap_snapshot, steps=tuple(steps))


def warm() -> None:
    """The page's defaults, computed once at server start and kept (its first screen and its Train)."""
    with shared.pinned():
        lr_curve(SNAP_STEPS, max_lr=DEFAULTS.max_lr)
        shared.complete(seeds_run(DEFAULTS))
        shared.complete(snap_run(DEFAULTS))


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def ema_memory(decay: float) -> float:
    """How many recent updates an exponential moving average mostly remembers: 1 / (1 − decay)."""
    return 1.0 / (1.0 - decay)


def quick_checks(s: Settings):
    """The page's quick checks at its setting: three members' probabilities averaged by ``ensemble_proba`` and
    scored by ``accuracy``, the snapshots of the cyclic schedule (``lr_curve``) and the EMA's memory."""
    from lab.common import choice_check, exact_check, nearest_check

    probas = np.array([[[0.1, 0.9]], [[0.6, 0.4]], [[0.6, 0.4]]])       # one sample of class 1, three members
    right = accuracy(ensemble_proba(probas), np.array([1])) == 1.0
    _, snaps = lr_curve(SNAP_STEPS, ENS["cycle_len"], s.max_lr)
    return [
        choice_check("check1", ("right", "wrong"), "right" if right else "wrong"),
        exact_check("check2", len(snaps), [SNAP_STEPS // 10, SNAP_STEPS, ENS["cycle_len"]],
                    dict(steps=SNAP_STEPS, cycle=ENS["cycle_len"]), fmt=".0f"),
        nearest_check("check3", ema_memory(s.decay), [2, 5, 10, 20, 50, 100, 200, 500, 1000], log=True,
                      values=dict(decay=f"{s.decay:g}")),
    ]
