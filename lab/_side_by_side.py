"""What the regularization, ensembles and transfer lessons share: runs trained side by side (a group of members
with extras), scored on held-out digits.

``Member`` is a ``core.train.Trainer`` with the extras those pages apply after single updates (an L1 proximal
step, early stopping's best weights, snapshots, weight averages); ``LiveGroup`` drives several of them (or plain
trainers) through ``ui.live.panel`` and carries the test set they are scored on; ``digits_holdout`` makes that
split. Every object here keeps ``run(a); run(b)`` equal to ``run(a + b)``.
Shapes: N samples, C classes, P parameters, H units of a layer.
"""
from __future__ import annotations

import numpy as np

from core import compare, data, losses


def soft_threshold_(W, tau):
    """In place: W ← sign(W)·max(|W| − τ, 0), the proximal step of τ·Σ|W|. Entries within τ of 0 become 0."""
    np.copyto(W, np.sign(W) * np.maximum(np.abs(W) - tau, 0.0))
    return W


def ema_update(avg, theta, decay):
    """avg (P,) ← decay·avg + (1 − decay)·θ (exponential moving average of the parameter vector, in place)."""
    avg *= decay
    avg += (1.0 - decay) * theta
    return avg


def proba(net, x):
    """x (N, D) -> (N, C) softmax probabilities of ``net`` in evaluation mode."""
    with np.errstate(all="ignore"):
        return losses.softmax(net.forward(x, train=False))


def loss_acc(net, x, y):
    """x (N, D), y (N,) labels -> (cross-entropy loss, accuracy) of ``net``."""
    with np.errstate(all="ignore"):
        p = proba(net, x)
        loss = float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-300, None))))
    return loss, float(np.mean(np.argmax(p, axis=1) == y))


# ---- a trainer with extras ---------------------------------------------------------------------

class Member:
    """A ``train.Trainer`` plus what the regularization and ensembles pages need, applied after each update.

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

    def release(self):
        self.trainer.release()

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
            self.snapshot_steps.append(t + 1)  # the number of updates done, as the step axis and progress count
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
                rows["raw"].append(loss_acc(self.trainer.net, x, y)[0])
                for key, flat in (("ema", self.ema), ("polyak", self.polyak)):
                    np.copyto(self._scratch.flat_params, flat)
                    rows[key].append(loss_acc(self._scratch, x, y)[0])
        self._rows = n

    def avg_history(self):
        """{"step", "raw", "ema", "polyak"}: (T,) test loss of the last iterate and of the averaged weights."""
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
    """Split ds's held-out set in two halves: (train/validation Dataset, (x_test (N, D), y_test (N,)))."""
    order = np.random.default_rng([seed, 7]).permutation(len(ds.y_test))
    val, test = order[: len(order) // 2], order[len(order) // 2:]
    fit = data.Dataset(ds.x_train, ds.y_train, ds.x_test[val], ds.y_test[val], ds.task, ds.n_classes, ds.name,
                       ds.info)
    return fit, (ds.x_test[test], ds.y_test[test])


def flip_labels(ds, fraction, seed):
    """A copy of ``ds`` whose training labels are wrong for ``fraction`` of the samples (each moved to another
    class at random, as careless labelling does); its ``info["flipped"]`` is the (N,) mask of those samples.
    The held-out labels stay right."""
    rng = np.random.default_rng([seed, 11])
    n = ds.n_train
    flipped = np.zeros(n, dtype=bool)
    flipped[rng.choice(n, int(round(fraction * n)), replace=False)] = True
    y = ds.y_train.copy()
    y[flipped] = (y[flipped] + rng.integers(1, ds.n_classes, int(flipped.sum()))) % ds.n_classes
    return data.Dataset(ds.x_train, y, ds.x_test, ds.y_test, ds.task, ds.n_classes, ds.name,
                        {**ds.info, "flipped": flipped})


def digits_holdout(n_train, seed, noise=0.0, label_noise=0.0):
    """Digits with n_train training samples (``label_noise``: that fraction of their labels wrong), the rest
    split into validation and test halves."""
    ds = data.get("digits", seed=seed, noise=noise, test_ratio=0.4, n_train=n_train)
    if label_noise > 0:
        ds = flip_labels(ds, label_noise, seed)
    return _split_holdout(ds, seed)


def eval_frames(total, every, frames=40):
    """The frame steps of a run that records a history row every ``every`` updates: 0, then multiples of
    ``every`` (a frame between two rows would show nothing new), a quarter of them spaced geometrically over the
    first quarter of the run (where the curves change most), the rest evenly to ``total``."""
    early = np.geomspace(every, total / 4, max(2, frames // 3))
    late = np.linspace(total / 4, total, frames - frames // 4)
    steps = np.unique(np.round(np.concatenate([early, late]) / every).astype(int) * every)
    return (0, *(int(s) for s in steps if 0 < s <= total), *(() if steps[-1] == total else (int(total),)))
