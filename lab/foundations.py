"""The experiments of the three foundation pages: loss functions, batches, data preprocessing.

    fits = fit_lines(n_outliers=5, outlier_scale=6.0, delta=1.0)     # MSE / MAE / Huber lines on the same data
    grads = logit_gradients(p_true, n_classes=2)                      # |dL/dz_true| of CE and of MSE-on-softmax
    group = batch_group(batch_size=16)                                # full batch vs mini-batch vs single sample
    paths = batch_paths(batch_size=16)                                # the same three on a 2-parameter loss contour
    raw, std = shifted_set(shift=8.0), ...                            # a 2-D set far from the origin
    group = preprocess_group("shifted", shift=8.0)                    # the same net on raw vs standardized inputs

Shapes: N samples, K losses or variants, T steps, G grid points per side.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import compare, data, losses, nn, train


REGRESSION_LOSSES = ("mse", "mae", "huber")
# Defaults the pages start from (the tests check the pages' claims with them)
LINE = dict(n=100, noise=0.1, slope=2.0, intercept=0.5)
FIT = dict(steps=400, lr=0.5)
BATCH = dict(dataset="moons", n=200, noise=0.2, hidden=(16,), lr=0.5, batch_size=16, seed=0)
PATHS = dict(steps=60, lr=0.3, start=(-1.0, 2.5))
PREPROCESS = dict(shift=8.0, hidden=(16,), lr=0.05, batch_size=32, seed=0)


# ---- 1. regression losses: fitting a line --------------------------------------------------------

@dataclass
class LineFits:
    """Lines fitted by gradient descent with each loss on the same data.

    x, y: (N,) training data; outlier: (N,) bool; true: (slope, intercept).
    slope, intercept: {loss: float}; slope_path: {loss: (T + 1,)} the slope after each step.
    """

    x: np.ndarray
    y: np.ndarray
    outlier: np.ndarray
    true: tuple
    slope: dict
    intercept: dict
    slope_path: dict


def fit_line(x, y, loss, steps=FIT["steps"], lr=FIT["lr"]):
    """Full-batch gradient descent on y ≈ w·x + b with an engine loss, from (w, b) = (0, 0).

    x, y: (N,); loss: a ``core.losses`` object. The learning rate decays linearly to 5 % of ``lr`` so MAE's
    constant-size subgradient settles instead of rattling around the optimum. -> (w, b, w_path (T + 1,)).
    """
    w, b, path = 0.0, 0.0, [0.0]
    xc = x[:, None]
    for t in range(steps):
        _, dout = loss(w * xc + b, y[:, None])  # dout = dL/dprediction, (N, 1)
        gw, gb = float(np.sum(dout[:, 0] * x)), float(np.sum(dout))
        step = lr * (1 - 0.95 * t / steps)
        w, b = w - step * gw, b - step * gb
        path.append(w)
    return w, b, np.array(path)


def fit_lines(n_outliers=5, outlier_scale=6.0, delta=1.0, seed=0, steps=FIT["steps"], lr=FIT["lr"]) -> LineFits:
    """The ``line`` set with ``n_outliers`` pushed-up targets, fitted with MSE, MAE and Huber(δ)."""
    ds = data.get("line", n=LINE["n"], noise=LINE["noise"], seed=seed, slope=LINE["slope"],
                  intercept=LINE["intercept"], n_outliers=n_outliers, outlier_scale=outlier_scale)
    x, y = ds.x_train[:, 0], ds.y_train[:, 0]
    outlier = np.zeros(x.size, dtype=bool)
    outlier[ds.info["outlier_index"]] = True
    slope, intercept, paths = {}, {}, {}
    for name in REGRESSION_LOSSES:
        hp = {"delta": delta} if name == "huber" else {}
        slope[name], intercept[name], paths[name] = fit_line(x, y, losses.get(name, **hp), steps, lr)
    return LineFits(x, y, outlier, (ds.info["slope"], ds.info["intercept"]), slope, intercept, paths)


# ---- 2. classification: the gradient on the logit when confidently wrong --------------------------

def logit_gradients(p_true, n_classes=2):
    """|∂L/∂z_true| for cross-entropy and for squared error on the softmax, at P(true class) = p_true.

    p_true: (G,) in (0, 1); the other C − 1 classes share 1 − p_true equally. Both through the engine's losses:
    CE's dout is the logit gradient p − y; MSE's dout (dL/dp) is chained through the softmax Jacobian
    diag(p) − p pᵀ. MSE here is the per-sample sum over classes Σ_k (p_k − y_k)² (the engine's mean × C).
    -> {"cross_entropy": (G,), "mse": (G,)}.
    """
    p_true = np.asarray(p_true, dtype=float)
    c = int(n_classes)
    if c < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes}")
    rest = (1 - p_true) / (c - 1)
    logits = np.zeros((p_true.size, c))
    logits[:, 0] = np.log(p_true) - np.log(rest)  # softmax(logits) = (p_true, rest, ..., rest)
    labels = np.zeros(p_true.size, dtype=np.int64)
    n = p_true.size
    _, d_ce = losses.get("cross_entropy")(logits, labels)
    p = losses.softmax(logits)
    _, d_p = losses.get("mse")(p, np.eye(c)[labels])
    d_p = d_p * c * n  # per sample, summed over classes
    d_z = p * (d_p - np.sum(d_p * p, axis=1, keepdims=True))  # softmax Jacobian-vector product
    return {"cross_entropy": np.abs(d_ce[:, 0] * n), "mse": np.abs(d_z[:, 0])}


# ---- 3. batches: full batch vs mini-batch vs one sample -------------------------------------------

def batch_labels(batch_size):
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


# ---- 4. preprocessing ------------------------------------------------------------------------------

def shifted_set(shift=PREPROCESS["shift"], seed=0) -> data.Dataset:
    """Moons moved to be centred at (shift, shift/2) with the first feature stretched ×3: every input positive
    once shift is large, and the two features on different scales (train and test moved alike)."""
    ds = data.get("moons", n=400, noise=0.15, seed=seed)
    move = np.array([shift, shift / 2])
    stretch = np.array([3.0, 1.0])
    ds.x_train = ds.x_train * stretch + move
    ds.x_test = ds.x_test * stretch + move
    return ds


def preprocessed(ds: data.Dataset, how: str) -> data.Dataset:
    """A copy of ``ds`` with inputs "raw", "center"ed or "standardize"d; statistics from the training set only."""
    out = data.Dataset(ds.x_train, ds.y_train, ds.x_test, ds.y_test, ds.task, ds.n_classes, ds.name, dict(ds.info))
    if how == "center":
        out.x_train, out.x_test, mean = data.zero_center(ds.x_train, ds.x_test)
        out.info["mean"] = mean
    elif how == "standardize":
        out.x_train, out.x_test, mean, std = data.standardize(ds.x_train, ds.x_test)
        out.info["mean"], out.info["std"] = mean, std
    elif how != "raw":
        raise ValueError(f"unknown preprocessing {how!r}; valid: raw, center, standardize")
    return out


def preprocess_source(dataset="shifted", shift=PREPROCESS["shift"], seed=0) -> data.Dataset:
    """"shifted": ``shifted_set``; "digits": 600 of the 8×8 digits with raw pixels 0..16 (every input >= 0)."""
    if dataset == "shifted":
        return shifted_set(shift, seed)
    if dataset == "digits":
        return data.get("digits", n=600, seed=seed, scale=False)
    raise ValueError(f"unknown dataset {dataset!r}; valid: shifted, digits")


def preprocess_group(dataset="shifted", shift=PREPROCESS["shift"], lr=PREPROCESS["lr"], seed=0) -> compare.Group:
    """The same net (same initial weights, same mini-batches) on raw and on standardized inputs."""
    ds = preprocess_source(dataset, shift, seed)
    members = {}
    for how in ("raw", "standardize"):
        net = nn.MLP([ds.n_features, *PREPROCESS["hidden"], ds.n_outputs], activation="relu", init="he_normal",
                     seed=seed)
        members[how] = train.Trainer(net, preprocessed(ds, how), optimizer="sgd", opt_kwargs={"lr": lr},
                                     batch_size=PREPROCESS["batch_size"], seed=seed, eval_every=5)
    return compare.Group(members)
