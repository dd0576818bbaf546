"""The experiments of the batches page: full batch vs mini-batch vs one sample, epochs vs iterations.

    spec = batch_run(Settings(batch_size=16, lr=0.1, seed=0))         # three nets trained side by side, as frames
    frame.data                                                        # a Curves: what the page draws at that step
    k = iterations_per_epoch(N_TRAIN, 16)                             # ceil(N / B) updates make an epoch
    paths = batch_paths(batch_size=16)                                # the same three on a 2-parameter loss contour

The live run is shared by every session (``runs.shared``): a class that presses Train together trains it once, and
the defaults are computed at server start (``warm``). Shapes: N samples, G grid points per side, T steps.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import compare, data, nn, train
from runs import shared
from lab.settings import SEED, Settings as Declared, choice, flag, level
from lab.losses import LINE

# The data and network of the curves. Three overlapping Gaussian clusters: a few epochs of small-batch updates
# bring the whole-set loss from ~1.1 to ~0.2, while full batch has made only a few updates by then, so "at equal
# epochs the small batches are far lower" shows at a glance (on the two moons every run sat on the same plateau).
BATCH = dict(dataset="blobs", n=200, noise=1.0, hidden=(16,))
N_TRAIN = int(round(BATCH["n"] * 0.7))  # data.get keeps 70 % for training
TOTAL = 400  # updates of each run
FRAMES = 40
BATCH_SIZES = (2, 4, 8, 16, 32, 64, 128)
LRS = (0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0)
# From this learning rate on the page says why the runs never diverge, however wild they get: tanh keeps every hidden
# output in [-1, 1] and cross-entropy's gradient on each logit is p - y, in [-1, 1], so every update is bounded.
BOUNDED_FROM_LR = 1.0
PATHS = dict(steps=60, lr=0.3, start=(-1.0, 2.5))


@dataclass(frozen=True)
class Settings:
    """The page's settings; ``Settings()`` are its defaults (the page's controls and ``warm`` both use them)."""
    batch_size: int = 16
    lr: float = 0.1
    seed: int = 0


DEFAULTS = Settings()
SETTINGS = Declared(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    choice("batch", "batches.batch_size", BATCH_SIZES, DEFAULTS.batch_size, name="batch_size"),
    level("lr", "batches.lr", LRS, DEFAULTS.lr),
    SEED,
    flag("epochs", "batches.xaxis", False, name="x_in_epochs"),  # the curves' x axis: epochs instead of updates
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.train.Trainer._next_batch", "core.optim.RULES.sgd.update", "core.train.Trainer.epoch",
               "core.train.Trainer.run")


# ---- 1. the loss curves: one net per batch size --------------------------------------------------

def batch_labels(batch_size):
    """{label: batch size}: "full" (None, the whole training set), "mini" (``batch_size``), "single" (1)."""
    return {"full": None, "mini": int(batch_size), "single": 1}


def dataset(seed=DEFAULTS.seed) -> data.Dataset:
    return data.get(BATCH["dataset"], n=BATCH["n"], noise=BATCH["noise"], seed=seed)


def batch_group(batch_size=DEFAULTS.batch_size, lr=DEFAULTS.lr, seed=DEFAULTS.seed) -> compare.Group:
    """The same net (same initial weights) trained with plain SGD at ``lr`` by full batch, mini-batches of
    ``batch_size`` and single samples; every update is recorded (batch_loss: on the update's own batch,
    the number a training log prints; train_loss: on the whole training set after the update)."""
    ds = dataset(seed)
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


def loss_at_epoch(history: dict, epoch: float) -> float:
    """The whole-set loss of a run when it had done ``epoch`` epochs (linear between its rows; NaN before its
    first row or past its last)."""
    e, loss = np.asarray(history["epoch"], float), np.asarray(history["train_loss"], float)
    if not e.size or epoch < e[0] - 1e-12 or epoch > e[-1] + 1e-12:
        return float("nan")
    return float(np.interp(epoch, e, loss))


@dataclass(frozen=True)
class Curves:
    """One frame of the batches run (T rows so far per run).

    histories: {"full" | "mini" | "single": {"step", "epoch", "batch_loss", "train_loss": (T,)}};
    epochs: {run: epochs done}; noise: {run: step_noise of its batch losses};
    common_epoch: the epochs every run has done (the single-sample run's, the fewest), and
    at_common: {run: whole-set loss at common_epoch}; diverged: {run: failed update}.
    """
    histories: dict
    epochs: dict
    noise: dict
    common_epoch: float
    at_common: dict
    diverged: dict


_KEPT = ("step", "epoch", "batch_loss", "train_loss")


def snapshot(group: compare.Group) -> Curves:
    full = {k: {key: np.array(m.history[key], dtype=float) for key in _KEPT} for k, m in group.items()}
    epochs = {k: float(h["epoch"][-1]) if h["epoch"].size else 0.0 for k, h in full.items()}
    common = min(epochs.values())
    at_common = {k: loss_at_epoch(h, common) for k, h in full.items()}
    noise = {k: step_noise(h["batch_loss"]) for k, h in full.items()}
    drawn = {k: {key: v.astype(np.float32) for key, v in h.items()} for k, h in full.items()}  # half the bytes
    return Curves(drawn, epochs, noise, common, at_common, dict(group.diverged_steps()))


def batch_run(settings: Settings = DEFAULTS) -> shared.RunSpec:
    """The live run of the three nets for ``settings``, as FRAMES + 1 shared frames over TOTAL updates."""
    s = settings
    return shared.RunSpec(key=("batches", s.batch_size, s.lr, s.seed),
                          build=lambda: batch_group(s.batch_size, s.lr, s.seed), snapshot=snapshot,
                          steps=shared.frame_steps(TOTAL, FRAMES))


# ---- 2. the paths on a 2-parameter loss ------------------------------------------------------------

@dataclass(frozen=True)
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


@shared.memo(max_bytes=2 * 2**20)
def batch_paths(batch_size=DEFAULTS.batch_size, steps=PATHS["steps"], lr=PATHS["lr"], seed=0,
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


def warm() -> None:
    """The page's defaults, computed once at server start and kept: its first screen and its first Train."""
    with shared.pinned():
        batch_paths(DEFAULTS.batch_size, seed=DEFAULTS.seed)
        shared.complete(batch_run(DEFAULTS))


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(batch_size: int, n_train: int, paths: BatchPaths):
    """The page's quick checks at its setting: the updates in an epoch (``iterations_per_epoch``) and, on the
    2-parameter loss (``batch_paths``), which path wanders most and which ends nearest the optimum."""
    from lab.common import choice_check, exact_check

    per_epoch = iterations_per_epoch(n_train, batch_size)
    length = {k: float(np.linalg.norm(np.diff(p, axis=0), axis=1).sum()) for k, p in paths.paths.items()}
    end = {k: float(np.linalg.norm(p[-1] - paths.optimum)) for k, p in paths.paths.items()}
    names = tuple(batch_labels(batch_size))
    return [
        exact_check("check1", per_epoch, [n_train // batch_size if n_train // batch_size != per_epoch else per_epoch - 1,
                                          batch_size, n_train], dict(n=n_train, b=batch_size), fmt=",.0f"),
        choice_check("check2", names, max(length, key=length.get), dict(b=batch_size)),
        choice_check("check3", names, min(end, key=end.get), dict(b=batch_size, steps=PATHS["steps"])),
    ]
