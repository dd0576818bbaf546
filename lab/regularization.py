"""Regularization and overfitting: five copies of one net on a few digits, 30 % of them labelled wrong, side by side.

A net that fits its training set perfectly here has learned the wrong labels by heart, so memorizing shows as
plainly as it can: training accuracy on the labels as given climbs past the 70 % a net that only learned the
digits would score, while test accuracy falls. Each method keeps the net from that in its own way.
Shapes: N samples, C classes, H units of a layer.

    s = Settings()                                      # the page's defaults (DEFAULTS)
    group = regularization_group(s).run(REG["steps"])   # {"none", "l2", "decoupled", "l1", "maxnorm"}
    summary(group["l1"], group.test)                    # train/test accuracy, gap, best step, ‖W‖, zeros
    spec = training_run(s)                              # the live run as shared frames (runs.shared)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import nn, train
from runs import shared
from lab.settings import SEED, Settings as Declared, choice, level, number
from lab._side_by_side import LiveGroup, Member, digits_holdout, eval_frames, loss_acc, soft_threshold_

__all__ = ["REG", "REG_METHODS", "CHOICES", "Settings", "DEFAULTS", "regularization_group", "Row", "summary",
           "best_step", "unit_norms", "zero_fractions", "soft_threshold_", "weight_histograms", "training_run",
           "View", "snapshot", "warm"]

# lr 0.05 with momentum 0.9, 800 steps of 50 (200 epochs at the default 200 samples): long enough that the
# unregularized net learns every wrong label. Larger rates do not make these runs diverge (see NO_DIVERGENCE).
REG = dict(depth=2, lr=0.05, momentum=0.9, batch_size=50, steps=800, eval_every=10, label_noise=0.3, frames=40)
REG_METHODS = ("none", "l2", "decoupled", "l1", "maxnorm")
CHOICES = dict(n_train=(50, 100, 200, 400, 700, 1000), width=(8, 16, 32, 64, 128, 256),
               lam=(1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1), wd=(0.01, 0.03, 0.1, 0.3, 1.0))


@dataclass(frozen=True)
class Settings:
    """The page's settings (every one is part of the run's key). lam: λ of L1 and L2; wd: λ of decoupled weight
    decay (with momentum 0.9, L2's pull passes through the velocity and acts about 1/(1 − 0.9) = 10 times
    stronger, so the same effect needs a 10 times larger decoupled λ); c: the max-norm bound."""
    n_train: int = 200
    width: int = 64
    lam: float = 0.03
    wd: float = 0.3
    c: float = 1.0
    seed: int = 0


DEFAULTS = Settings()
SETTINGS = Declared(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    level("n", "regularization.n_train", CHOICES["n_train"], DEFAULTS.n_train, name="n_train"),
    level("width", "regularization.width", CHOICES["width"], DEFAULTS.width),
    level("lam", "regularization.lam", CHOICES["lam"], DEFAULTS.lam),
    level("wd", "regularization.wd", CHOICES["wd"], DEFAULTS.wd),
    number("c", "regularization.c", 0.25, 4.0, DEFAULTS.c, 0.25),
    SEED.but(default=DEFAULTS.seed),
    choice("show", "regularization.show", REG_METHODS, "none", name="shown", words="regularization.m_",
           horizontal=True),  # the method whose curves are drawn
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.regularization.l2_penalty", "core.regularization.l1_penalty", "core.regularization.max_norm_",
               "core.optim.Optimizer.step")


def unit_norms(W):
    """W (H_prev, H) -> (H,): the norm of each unit's incoming weights (what max-norm bounds)."""
    return np.sqrt((W * W).sum(axis=0))


def zero_fractions(weights, near=1e-3):
    """(exactly 0, |w| < near) as fractions of all dense weights."""
    w = np.concatenate([W.ravel() for W in weights])
    return float(np.mean(w == 0)), float(np.mean(np.abs(w) < near))


def regularization_group(s: Settings = DEFAULTS, optimizer="momentum", lr=REG["lr"], depth=REG["depth"]):
    """Five copies of one net (same initial weights and batches) on few digits with wrong labels: no
    regularization, L2 penalty ½λΣW², decoupled weight decay (SGDW, Loshchilov & Hutter 2019), L1 λΣ|W| by a
    proximal step, max-norm c. Every member keeps its best-validation weights (early stopping)."""
    fit, test = digits_holdout(s.n_train, s.seed, label_noise=REG["label_noise"])
    sizes = [fit.n_features] + [s.width] * depth + [fit.n_classes]

    def member(prox=0.0, **kw):
        opt = {"lr": lr}
        if kw.pop("decoupled", False):
            opt.update(weight_decay=s.wd, decoupled_weight_decay=True)
        tr = train.Trainer(nn.MLP(sizes, activation="relu", init="he_normal", seed=s.seed), fit,
                           optimizer=optimizer, opt_kwargs=opt, batch_size=min(REG["batch_size"], fit.n_train),
                           seed=s.seed, eval_every=REG["eval_every"], **kw)
        return Member(tr, prox_l1=prox, keep_best=True, test=test)

    return LiveGroup({"none": member(), "l2": member(l2=s.lam), "decoupled": member(decoupled=True),
                      "l1": member(prox=s.lam), "maxnorm": member(max_norm=s.c)}, test)


@dataclass(frozen=True)
class Row:
    train_acc: float    # on the training labels as given (the wrong ones included)
    test_acc: float
    gap: float          # train_acc − test_acc
    best_step: int
    best_epoch: float
    weight_norm: float
    zero_frac: float
    near_zero_frac: float
    memorized: float    # share of the wrongly labelled training digits predicted with their wrong label


def summary(member, test, state=None):
    """The comparison table's row for a member (its current weights, or ``state``); test: (x (N, D), y (N,))."""
    tr = member.trainer
    net = tr.net if state is None else member.net_with(state)
    with np.errstate(all="ignore"):
        pred = np.argmax(net.forward(tr.x_train, train=False), axis=1)
    train_acc = float(np.mean(pred == tr.labels_train))
    flipped = tr.data.info.get("flipped")
    memorized = float(np.mean(pred[flipped] == tr.labels_train[flipped])) if flipped is not None and flipped.any() \
        else float("nan")
    test_acc = loss_acc(net, *test)[1]
    exact, near = zero_fractions(net.weights)
    norm = float(np.sqrt(sum(float((W * W).sum()) for W in net.weights)))
    epoch = member.best_step * min(tr.batch_size or tr.x_train.shape[0], tr.x_train.shape[0]) / tr.x_train.shape[0]
    return Row(train_acc, test_acc, train_acc - test_acc, member.best_step, epoch, norm, exact, near, memorized)


def best_step(history):
    """The step of the lowest validation loss (early stopping's choice); None before the first row."""
    if len(history["step"]) == 0:
        return None
    return int(history["step"][int(np.argmin(history["test_loss"]))])


def weight_histograms(weights, bins=81):
    """{name: (P,) weights} -> (edges (bins + 1,), {name: counts (bins,)}) on one shared range that holds every
    weight (nothing is clipped into the end bins), with an odd bin count so one narrow bin is centred on 0."""
    finite = [np.abs(w[np.isfinite(w)]) for w in weights.values()]
    top = max((float(f.max()) for f in finite if f.size), default=1.0)
    limit = float(np.ceil(max(top, 1e-3) * 1.02 * 10) / 10)  # a round bound just past the largest weight
    edges = np.linspace(-limit, limit, bins + 1)
    return edges, {k: np.histogram(w[np.isfinite(w)], bins=edges)[0] for k, w in weights.items()}


# ---------------------------------------------------------------- the live run, as frames

@dataclass(frozen=True)
class View:
    """What the page draws at one step. histories: {method: {"step", "train_acc", "test_acc", "train_loss",
    "test_loss"} (T,)}; rows: {method or "early": Row} (None before the first evaluation); edges (B + 1,) and
    hists {method: (B,) counts} of all dense weights; norms: {"maxnorm", "none": (H,) first-layer unit norms};
    diverged: {method: failed update}."""
    step: int
    histories: dict
    rows: dict | None
    edges: np.ndarray
    hists: dict
    norms: dict
    diverged: dict


_KEPT = ("step", "train_acc", "test_acc", "train_loss", "test_loss")


def snapshot(group: LiveGroup) -> View:
    histories = {k: {key: np.array(m.history[key]) for key in _KEPT} for k, m in group.items()}
    rows = None
    if len(group["none"].history["step"]):
        rows = {k: summary(m, group.test) for k, m in group.items()}
        rows["early"] = summary(group["none"], group.test, group["none"].best_state)
    edges, hists = weight_histograms({k: np.concatenate([W.ravel() for W in m.net.weights]) for k, m in group.items()})
    norms = {k: unit_norms(group[k].net.weights[0]) for k in ("maxnorm", "none")}
    return View(group.step, histories, rows, edges, hists, norms, group.diverged_steps())


def training_run(s: Settings = DEFAULTS) -> shared.RunSpec:
    """The five runs of ``s`` as shared frames: REG["frames"] + 1 of them over REG["steps"] updates (the first
    ones at the first evaluations, so every frame has something new to draw)."""
    return shared.RunSpec(key=("regularization", s), build=lambda: regularization_group(s), snapshot=snapshot,
                          steps=eval_frames(REG["steps"], REG["eval_every"], REG["frames"]))


def warm() -> None:
    """The page's defaults, computed once at server start and kept (its first screen and its Train)."""
    with shared.pinned():
        shared.complete(training_run(DEFAULTS))


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(s: Settings, lr: float = REG["lr"]):
    """The page's quick checks at its setting: one update of each penalty on a single weight, through the engine's
    own regularizers (what the formulas section writes out)."""
    from core import regularization as reg
    from lab.common import exact_check

    w = np.array([[0.5]])
    l2 = lr * float(reg.l2_penalty([w], s.lam)[1][0][0, 0])             # the L2 penalty's pull on w in one update
    small = lr * s.lam / 2                                               # a weight smaller than one L1 step
    l1 = float(soft_threshold_(np.array([[small]]), lr * s.lam)[0, 0])   # the page's proximal L1 step
    unit = np.full((4, 1), s.c)                                          # incoming weights of norm 2c
    reg.max_norm_(unit, s.c)
    capped = float(np.linalg.norm(unit))
    return [
        exact_check("check1", l2, [l2 / 2, lr * 0.5, 2 * l2], dict(lam=f"{s.lam:g}", lr=f"{lr:g}"), fmt=".3g"),
        exact_check("check2", l1, [small, small / 2, -small], dict(lam=f"{s.lam:g}", lr=f"{lr:g}", w=f"{small:.3g}")),
        exact_check("check3", capped, [2 * s.c, s.c / 2, 1.0 if s.c != 1.0 else 4.0], dict(c=f"{s.c:g}")),
    ]
