"""Regularization and overfitting: five copies of one net on a few noisy digits, side by side.

The page drives the group through ``ui.live.panel`` (``.run(n)``, ``.step``; ``run(a); run(b)`` equals
``run(a + b)``). Shapes: N samples, C classes, H units of a layer.

    group = regularization_group(n_train=200, width=128, lam=1e-3, c=1.5, seed=0)
    group.run(300); summary(group["l1"], group.test)   # train/test accuracy, gap, best step, ‖W‖, zeros
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import nn, train
from lab._heldout import LiveGroup, Member, digits_holdout, loss_acc, soft_threshold_

__all__ = ["REG", "REG_METHODS", "regularization_group", "Row", "summary", "best_step", "unit_norms",
           "zero_fractions", "soft_threshold_"]

REG = dict(n_train=200, width=64, depth=2, lr=0.05, batch_size=50, steps=400, eval_every=10, lam=0.01,
           c=1.5, noise=0.25)
REG_METHODS = ("none", "l2", "decoupled", "l1", "maxnorm")


def unit_norms(W):
    """W (H_prev, H) -> (H,): the norm of each unit's incoming weights (what max-norm bounds)."""
    return np.sqrt((W * W).sum(axis=0))


def zero_fractions(weights, near=1e-3):
    """(exactly 0, |w| < near) as fractions of all dense weights."""
    w = np.concatenate([W.ravel() for W in weights])
    return float(np.mean(w == 0)), float(np.mean(np.abs(w) < near))


def regularization_group(n_train=REG["n_train"], width=REG["width"], lam=REG["lam"], c=REG["c"], seed=0,
                         optimizer="momentum", lr=REG["lr"], depth=REG["depth"]):
    """Five copies of one net (same initial weights and batches) on few digits: no regularization,
    L2 penalty ½λΣW², decoupled weight decay λ (SGDW, Loshchilov & Hutter 2019), L1 λΣ|W| by a proximal step, max-norm c.
    Every member keeps its best-validation weights (early stopping)."""
    fit, test = digits_holdout(n_train, seed, REG["noise"])
    sizes = [fit.n_features] + [width] * depth + [fit.n_classes]

    def member(prox=0.0, **kw):
        opt = {"lr": lr}
        if kw.pop("decoupled", False):
            opt.update(weight_decay=lam, decoupled_weight_decay=True)
        tr = train.Trainer(nn.MLP(sizes, activation="relu", init="he_normal", seed=seed), fit,
                           optimizer=optimizer, opt_kwargs=opt, batch_size=min(REG["batch_size"], fit.n_train),
                           seed=seed, eval_every=REG["eval_every"], **kw)
        return Member(tr, prox_l1=prox, keep_best=True, test=test)

    return LiveGroup({"none": member(), "l2": member(l2=lam), "decoupled": member(decoupled=True),
                      "l1": member(prox=lam), "maxnorm": member(max_norm=c)}, test)


@dataclass
class Row:
    train_acc: float
    test_acc: float
    gap: float
    best_step: int
    best_epoch: float
    weight_norm: float
    zero_frac: float
    near_zero_frac: float


def summary(member, test, state=None):
    """The comparison table's row for a member (its current weights, or ``state``); test: (x (N, D), y (N,))."""
    tr = member.trainer
    net = tr.net if state is None else member.net_with(state)
    train_acc = loss_acc(net, tr.x_train, tr.labels_train)[1]
    test_acc = loss_acc(net, *test)[1]
    exact, near = zero_fractions(net.weights)
    norm = float(np.sqrt(sum(float((W * W).sum()) for W in net.weights)))
    epoch = member.best_step * min(tr.batch_size or tr.x_train.shape[0], tr.x_train.shape[0]) / tr.x_train.shape[0]
    return Row(train_acc, test_acc, train_acc - test_acc, member.best_step, epoch, norm, exact, near)


def best_step(history):
    """The step of the lowest validation loss (early stopping's choice); None before the first row."""
    if len(history["step"]) == 0:
        return None
    return int(history["step"][int(np.argmin(history["test_loss"]))])
