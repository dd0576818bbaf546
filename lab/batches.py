"""The experiments of the batches page: full batch vs mini-batch vs one sample, epochs vs iterations.

    group = batch_group(batch_size=16)                                # three nets trained side by side (live)
    k = iterations_per_epoch(N_TRAIN, 16)                             # ceil(N / B) updates make an epoch
    paths = batch_paths(batch_size=16)                                # the same three on a 2-parameter loss contour

Shapes: N samples, G grid points per side, T steps.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import compare, data, nn, train
from lab.losses import LINE

# Defaults the page starts from (the tests check the page's claims with them)
BATCH = dict(dataset="moons", n=200, noise=0.2, hidden=(16,), lr=0.5, batch_size=16, seed=0)
N_TRAIN = int(round(BATCH["n"] * 0.7))  # data.get keeps 70 % for training
PATHS = dict(steps=60, lr=0.3, start=(-1.0, 2.5))


# ---- 1. the loss curves: one net per batch size --------------------------------------------------

def batch_labels(batch_size):
    """{label: batch size}: "full" (None, the whole training set), "mini" (``batch_size``), "single" (1)."""
    return {"full": None, "mini": int(batch_size), "single": 1}


def batch_group(batch_size=BATCH["batch_size"], lr=BATCH["lr"], seed=BATCH["seed"]) -> compare.Group:
    """The same net (same initial weights) trained with plain SGD at ``lr`` by full batch, mini-batches of
    ``batch_size`` and single samples; every update is recorded (batch_loss: on the update's own batch,
    the number a training log prints; train_loss: on the whole training set after the update)."""
    ds = data.get(BATCH["dataset"], n=BATCH["n"], noise=BATCH["noise"], seed=seed)
    members = {}
    for label, size in batch_labels(batch_size).items():
        net = nn.MLP([ds.n_features, *BATCH["hidden"], ds.n_outputs], activation="tanh", init="xavier_normal",
                     seed=seed)
        members[label] = train.Trainer(net, ds, optimizer="sgd", opt_kwargs={"lr": lr},
                                       batch_size=None if size is None else min(size, ds.n_train), seed=seed)
    return compare.Group(members)


def iterations_per_epoch(n, batch_size):
    """ceil(N / B): the last mini-batch of an epoch may be smaller. Full batch (None): 1."""
    return 1 if batch_size is None else math.ceil(n / batch_size)


def step_noise(values):
    """Variance of the step-to-step change of a loss curve (T,) -> float: how jagged it is."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    return float(np.var(np.diff(values))) if values.size > 2 else 0.0


def progress(group) -> dict:
    """{label: (epochs done, step_noise of its batch losses)} for each member of a ``batch_group``."""
    return {k: (m.history["epoch"][-1] if len(m.history["epoch"]) else 0.0, step_noise(m.history["batch_loss"]))
            for k, m in group.items()}


# ---- 2. the paths on a 2-parameter loss ------------------------------------------------------------

@dataclass
class BatchPaths:
    """Gradient descent on a 2-parameter linear regression y ≈ w·x + b (MSE), each path from ``start``.

    w_grid, b_grid: (G,); loss: (G, G) the full-data loss, loss[i, j] at (w_grid[j], b_grid[i]).
    paths: {label: (T + 1, 2)} (w, b) after each update; optimum: (2,) the least-squares (w, b); n: N.
    """

    w_grid: np.ndarray
    b_grid: np.ndarray
    loss: np.ndarray
    paths: dict
    optimum: np.ndarray
    n: int


def batch_paths(batch_size=BATCH["batch_size"], steps=PATHS["steps"], lr=PATHS["lr"], seed=0,
                start=PATHS["start"], grid_n=80) -> BatchPaths:
    """Full-batch, mini-batch and single-sample paths of (w, b) on the ``line`` set (no outliers).

    Each update samples its batch like the Trainer does: a fresh permutation each epoch, taken in slices of B.
    The gradient of mean (w·x + b − y)² on the batch is (2·mean(r·x), 2·mean(r)).
    """
    ds = data.get("line", n=LINE["n"], noise=0.3, seed=seed, slope=LINE["slope"], intercept=LINE["intercept"])
    x, y = ds.x_train[:, 0], ds.y_train[:, 0]
    n = x.size
    paths = {}
    for k, (label, size) in enumerate(batch_labels(batch_size).items()):
        size = n if size is None else min(size, n)
        rng = np.random.default_rng([seed, k])
        w, b = map(float, start)
        path, order, cursor = [(w, b)], rng.permutation(n), 0
        for _ in range(steps):
            if cursor >= n:
                order, cursor = rng.permutation(n), 0
            idx = order[cursor:cursor + size]
            cursor += idx.size
            r = w * x[idx] + b - y[idx]
            w, b = w - lr * 2 * float(np.mean(r * x[idx])), b - lr * 2 * float(np.mean(r))
            path.append((w, b))
        paths[label] = np.array(path)
    design = np.stack([x, np.ones(n)], axis=1)
    optimum = np.linalg.lstsq(design, y, rcond=None)[0]
    every = np.concatenate(list(paths.values()))
    lo = np.minimum(every.min(axis=0), optimum) - 0.5
    hi = np.maximum(every.max(axis=0), optimum) + 0.5
    w_grid, b_grid = np.linspace(lo[0], hi[0], grid_n), np.linspace(lo[1], hi[1], grid_n)
    # mean (w x + b − y)² expanded in the data's moments: no (G, G, N) array
    mx, my, mxx, mxy, myy = x.mean(), y.mean(), (x * x).mean(), (x * y).mean(), (y * y).mean()
    W, B = np.meshgrid(w_grid, b_grid)
    loss = W**2 * mxx + B**2 + myy + 2 * W * B * mx - 2 * W * mxy - 2 * B * my
    return BatchPaths(w_grid, b_grid, loss, paths, optimum, n)
