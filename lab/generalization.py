"""Generalization experiments: regularizers side by side, ensembles and weight averaging, transfer learning.

The pages drive these objects through ``ui.live.panel``: each has ``.run(n)`` and ``.step``, and
``run(a); run(b)`` equals ``run(a + b)`` (every extra below acts after single updates).
Shapes: N samples, C classes, K members, P parameters, H units of a layer.

    group = regularization_group(n_train=200, width=128, lam=1e-3, c=1.5, seed=0)
    group.run(300); group.table()                  # one row per method (train/test accuracy, gap, ...)
    ens = seed_ensemble(k=5, seed=0).run(300); ens.scores()   # members, their mean, the ensemble
    tg = transfer_group(pretrain(0)[0], n_target=50).run(200)   # frozen / fine-tuned / from scratch
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import compare, data, losses, nn, schedules, train


# ---- small pieces ------------------------------------------------------------------------------

def soft_threshold_(W, tau):
    """In place: W ← sign(W)·max(|W| − τ, 0), the proximal step of τ·Σ|W|. Entries within τ of 0 become 0."""
    np.copyto(W, np.sign(W) * np.maximum(np.abs(W) - tau, 0.0))
    return W


def ema_update(avg, theta, decay):
    """avg ← decay·avg + (1 − decay)·θ (exponential moving average of the parameter vector, in place)."""
    avg *= decay
    avg += (1.0 - decay) * theta
    return avg


def ensemble_proba(probas):
    """(K, N, C) member probabilities -> (N, C), their mean (cs231n: average the predictions)."""
    return np.mean(np.asarray(probas, dtype=float), axis=0)


def accuracy(proba, y):
    return float(np.mean(np.argmax(proba, axis=1) == np.asarray(y)))


def unit_norms(W):
    """W (H_prev, H) -> (H,): the norm of each unit's incoming weights (what max-norm bounds)."""
    return np.sqrt((W * W).sum(axis=0))


def zero_fractions(weights, near=1e-3):
    """(exactly 0, |w| < near) as fractions of all dense weights."""
    w = np.concatenate([W.ravel() for W in weights])
    return float(np.mean(w == 0)), float(np.mean(np.abs(w) < near))


def _proba(net, x):
    with np.errstate(all="ignore"):
        return losses.softmax(net.forward(x, train=False))


def _loss_acc(net, x, y):
    with np.errstate(all="ignore"):
        p = _proba(net, x)
        loss = float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-300, None))))
    return loss, float(np.mean(np.argmax(p, axis=1) == y))


# ---- a trainer with extras ---------------------------------------------------------------------

class Member:
    """A ``train.Trainer`` plus what the generalization pages need, applied after each update.

    prox_l1: λ > 0 -> after every update, soft-threshold the trainable dense weights by lr_t·λ (proximal
        gradient for λΣ|W|: exact zeros; a plain subgradient only makes weights hover around 0).
    keep_best: keep a copy of the weights at the lowest validation loss (``history["test_loss"]`` is the
        validation loss here): early stopping with the best weights restored.
    snapshot_every: cycle length of a cyclic schedule -> save the weights at every cycle end
        (``schedules.cycle_ends``): a snapshot ensemble (Huang et al. 2017).
    ema_decay: track θ̄_ema ← β·θ̄_ema + (1 − β)·θ and the running mean (Polyak) of θ after every update,
        and record their test loss at every history row (``avg_history``).
    """

    def __init__(self, trainer, prox_l1=0.0, keep_best=False, snapshot_every=None, ema_decay=None,
                 test=None):
        self.trainer, self.prox_l1, self.keep_best = trainer, prox_l1, keep_best
        self.snapshot_every, self.ema_decay = snapshot_every, ema_decay
        self.test = test  # (x, y) held out from both training and validation
        self.best_loss, self.best_step, self.best_state = np.inf, 0, trainer.net.state_dict()
        self.snapshots, self.snapshot_steps = [], []
        self.ema = self.polyak = None
        self._n_avg = 0
        self.avg_rows = {"step": [], "raw": [], "ema": [], "polyak": []}
        if ema_decay is not None:
            self.ema = trainer.net.flat_params.copy()
            self.polyak = trainer.net.flat_params.copy()
            self._n_avg = 1  # θ_0 counts, as in optim.polyak_path
            self._scratch = trainer.net.copy()
        self._rows = 0
        self._per_step = bool(prox_l1 > 0 or snapshot_every or ema_decay is not None)

    # trainer-like surface for compare.Group and the pages
    net = property(lambda self: self.trainer.net)
    step = property(lambda self: self.trainer.step)
    history = property(lambda self: self.trainer.history)
    diverged = property(lambda self: self.trainer.diverged)
    diverged_at = property(lambda self: self.trainer.diverged_at)

    def run(self, n_steps):
        if not self._per_step:
            target = self.trainer.step + n_steps
            while self.trainer.step < target and not self.trainer.done:  # stop at each row to track the best
                before = self.trainer.step
                gap = self.trainer.eval_every - self.trainer.step % self.trainer.eval_every
                self.trainer.run(min(gap, target - self.trainer.step))
                self._after_rows()
                if self.trainer.step == before:
                    break
            return self
        for _ in range(n_steps):
            if self.trainer.done:
                break
            lr = self.trainer.lr
            self.trainer.run(1)
            if self.trainer.diverged:
                break
            self._after_update(lr)
            self._after_rows()
        return self

    def _after_update(self, lr):
        net, t = self.trainer.net, self.trainer.step - 1  # t: the schedule step of the update just made
        if self.prox_l1 > 0:
            for W, ok in zip(net.weights, self._trainable_weights()):
                if ok:
                    soft_threshold_(W, lr * self.prox_l1)
        if self.snapshot_every and (t + 1) % self.snapshot_every == 0:
            self.snapshots.append(net.state_dict())
            self.snapshot_steps.append(t)
        if self.ema_decay is not None:
            ema_update(self.ema, net.flat_params, self.ema_decay)
            self._n_avg += 1
            self.polyak += (net.flat_params - self.polyak) / self._n_avg  # running mean, one update at a time

    def _trainable_weights(self):
        net = self.trainer.net
        ids = {id(p): ok for p, ok in zip(net.params, net.trainable)}
        return [ids[id(W)] for W in net.weights]

    def _after_rows(self):
        h = self.trainer.history
        n = len(h["step"])
        for i in range(self._rows, n):
            if self.keep_best and h["test_loss"][i] < self.best_loss:
                self.best_loss, self.best_step = float(h["test_loss"][i]), int(h["step"][i])
                self.best_state = self.trainer.net.state_dict()
            if self.ema_decay is not None and self.test is not None:
                x, y = self.test
                rows = self.avg_rows
                rows["step"].append(int(h["step"][i]))
                rows["raw"].append(_loss_acc(self.trainer.net, x, y)[0])
                for key, flat in (("ema", self.ema), ("polyak", self.polyak)):
                    np.copyto(self._scratch.flat_params, flat)
                    rows[key].append(_loss_acc(self._scratch, x, y)[0])
        self._rows = n

    def avg_history(self):
        """{"step", "raw", "ema", "polyak"}: test loss of the last iterate and of the averaged weights."""
        return {k: np.asarray(v, dtype=int if k == "step" else float) for k, v in self.avg_rows.items()}

    def net_with(self, state):
        """A copy of the net holding ``state`` (a state_dict), for evaluation."""
        net = self.trainer.net.copy()
        net.load_state_dict(state)
        return net


class LiveGroup(compare.Group):
    """compare.Group with the held-out test set the tables and ensembles are scored on."""

    def __init__(self, members, test):
        super().__init__(members)
        self.test = test


# ---- data -------------------------------------------------------------------------------------

def _split_holdout(ds, seed):
    """Split ds's held-out set in two halves: (train/validation Dataset, (x_test, y_test))."""
    order = np.random.default_rng([seed, 7]).permutation(len(ds.y_test))
    val, test = order[: len(order) // 2], order[len(order) // 2:]
    fit = data.Dataset(ds.x_train, ds.y_train, ds.x_test[val], ds.y_test[val], ds.task, ds.n_classes, ds.name)
    return fit, (ds.x_test[test], ds.y_test[test])


def digits_holdout(n_train, seed, noise=0.0):
    """Digits with n_train training samples, the rest split into validation and test halves."""
    ds = data.get("digits", seed=seed, noise=noise, test_ratio=0.4, n_train=n_train)
    return _split_holdout(ds, seed)


# ---- regularization ----------------------------------------------------------------------------

REG = dict(n_train=200, width=64, depth=2, lr=0.05, batch_size=50, steps=400, eval_every=10, lam=0.01,
           c=1.5, noise=0.25)
REG_METHODS = ("none", "l2", "decoupled", "l1", "maxnorm")


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
    """The comparison table's row for a member (its current weights, or ``state``)."""
    tr = member.trainer
    net = tr.net if state is None else member.net_with(state)
    train_acc = _loss_acc(net, tr.x_train, tr.labels_train)[1]
    test_acc = _loss_acc(net, *test)[1]
    exact, near = zero_fractions(net.weights)
    norm = float(np.sqrt(sum(float((W * W).sum()) for W in net.weights)))
    epoch = member.best_step * min(tr.batch_size or tr.x_train.shape[0], tr.x_train.shape[0]) / tr.x_train.shape[0]
    return Row(train_acc, test_acc, train_acc - test_acc, member.best_step, epoch, norm, exact, near)


def best_step(history):
    """The step of the lowest validation loss (early stopping's choice); None before the first row."""
    if len(history["step"]) == 0:
        return None
    return int(history["step"][int(np.argmin(history["test_loss"]))])


# ---- ensembles ----------------------------------------------------------------------------------

ENS = dict(n_train=300, width=64, lr=1e-3, batch_size=50, steps=300, eval_every=10, noise=0.4,
           cycle_len=100, max_lr=0.05, base_lr=5e-4, ema_decay=0.98, sgd_lr=0.1)


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
    x, y = test
    probas = np.stack([_proba(net, x) for net in nets])
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


# ---- transfer learning --------------------------------------------------------------------------

TRANSFER = dict(hidden=(64, 64, 64), pretrain_steps=300, lr=3e-3, batch_size=32, steps=200, eval_every=5,
                n_target=50, n_reuse=2)


def digit_tasks(n_target, seed=0):
    """Source task: which digit (10 classes), on one half of the training images. Target task: is the digit
    odd? (2 classes), with only ``n_target`` images from the other half, which the source never saw.
    Both are tested on the same held-out digits (30 %)."""
    ds = data.get("digits", seed=seed, test_ratio=0.3)
    order = np.random.default_rng([seed, 3]).permutation(ds.n_train)
    src, pool = order[: ds.n_train // 2], order[ds.n_train // 2:]
    source = data.Dataset(ds.x_train[src], ds.y_train[src], ds.x_test, ds.y_test, "classification", 10,
                          "digits 0-9")
    keep = np.sort(pool[: min(int(n_target), pool.size)])
    target = data.Dataset(ds.x_train[keep], ds.y_train[keep] % 2, ds.x_test, ds.y_test % 2, "classification", 2,
                          "odd digit")
    return source, target


def pretrain(seed=0, steps=TRANSFER["pretrain_steps"]):
    """The source net, trained to tell the 10 digits apart. -> (MLP, its test accuracy)."""
    source, _ = digit_tasks(TRANSFER["n_target"], seed)
    net = nn.MLP([source.n_features, *TRANSFER["hidden"], source.n_classes], activation="relu", init="he_normal",
                 seed=seed)
    tr = train.Trainer(net, source, optimizer="adam", opt_kwargs={"lr": TRANSFER["lr"]}, batch_size=64, seed=seed,
                       eval_every=steps)
    tr.run(steps)
    return net, float(tr.history["test_acc"][-1]) if len(tr.history["step"]) else float("nan")


def transfer_net(source_net, n_reuse, freeze, seed=0, n_out=2):
    """A fresh net with the source's hidden layers and a new output layer of ``n_out`` units; the lowest
    ``n_reuse`` dense layers are copied from the source (frozen if ``freeze``)."""
    n_hidden = source_net.n_hidden
    if not 0 <= n_reuse <= n_hidden:
        raise ValueError(f"n_reuse must be in [0, {n_hidden}], got {n_reuse}")
    net = nn.MLP(source_net.sizes[:-1] + [n_out], activation="relu", init="he_normal", seed=seed + 1)
    for i in range(n_reuse):
        src, dst = source_net.blocks[i].dense, net.blocks[i].dense
        np.copyto(dst.W, src.W)
        np.copyto(dst.b, src.b)
    if freeze and n_reuse:
        net.freeze(list(range(n_reuse)))
    return net


def transfer_group(source_net, n_target=TRANSFER["n_target"], n_reuse=TRANSFER["n_reuse"], seed=0, lr=TRANSFER["lr"]):
    """{"frozen", "finetune", "scratch"} on the few-sample target task: same new layers' initial weights,
    same batch order; only what is reused and whether it may change differ."""
    _, target = digit_tasks(n_target, seed)

    def member(net):
        return train.Trainer(net, target, optimizer="adam", opt_kwargs={"lr": lr},
                             batch_size=min(TRANSFER["batch_size"], target.n_train), seed=seed,
                             eval_every=TRANSFER["eval_every"])

    n_out = target.n_classes
    return LiveGroup({"frozen": member(transfer_net(source_net, n_reuse, True, seed, n_out)),
                      "finetune": member(transfer_net(source_net, n_reuse, False, seed, n_out)),
                      "scratch": member(transfer_net(source_net, 0, False, seed, n_out))},
                     (target.x_test, target.y_test))
