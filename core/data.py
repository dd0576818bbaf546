"""Datasets for the lab: toy 2-D classification sets, a 1-D regression line, 8x8 digits.

Every set comes from ``get(name, ...)`` as a :class:`Dataset` split into train and test.
All randomness flows from ``seed`` through ``np.random.default_rng``, so the same call
returns the same arrays. Shapes: N samples, D features, C classes.

    >>> ds = get("moons", n=200, noise=0.1, seed=0)
    >>> ds.x_train.shape, ds.y_train.shape, ds.n_classes
    ((140, 2), (140,), 2)
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.registry import lookup

DIGITS_PATH = Path(__file__).parent / "datasets" / "digits.npz"

# Defaults per set: total samples n (train + test) and the noise level.
_DEFAULTS = {
    "moons": {"n": 400, "noise": 0.1},
    "circles": {"n": 400, "noise": 0.08},
    "spirals": {"n": 400, "noise": 0.05},
    "xor": {"n": 400, "noise": 0.1},
    "blobs": {"n": 400, "noise": 0.5},
    "line": {"n": 100, "noise": 0.1},
    "digits": {"n": None, "noise": 0.0},
}


@dataclass
class Dataset:
    """A train/test split.

    x_train: (N, D) float; y_train: (N,) int labels (classification) or (N, 1) float targets
    (regression); x_test, y_test likewise. n_classes is 0 for regression. ``info`` holds
    set-specific facts (e.g. the true line and the outlier indices for "line").
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str
    n_classes: int
    name: str
    info: dict = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        """D, the input width."""
        return self.x_train.shape[1]

    @property
    def n_outputs(self) -> int:
        """The network's output width: C for classification, target width for regression."""
        return self.n_classes if self.task == "classification" else self.y_train.shape[1]

    @property
    def n_train(self) -> int:
        return self.x_train.shape[0]


# ---------------------------------------------------------------- generators
# Each returns (x (n, D), y (n,)) with classes as equal in size as n allows.

def _class_sizes(n: int, k: int) -> np.ndarray:
    """Split n samples into k classes whose sizes differ by at most one."""
    return np.full(k, n // k) + (np.arange(k) < n % k)


def _moons(n, noise, rng, **kw):
    """Two interleaving half circles (upper arc: class 0, lower shifted arc: class 1)."""
    n0, n1 = _class_sizes(n, 2)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    x = np.concatenate([upper, lower]) - [0.5, 0.25]  # centre the pair on the origin
    return x, np.repeat([0, 1], [n0, n1])


def _circles(n, noise, rng, factor=0.5, **kw):
    """Outer circle of radius 1 (class 0) around an inner one of radius ``factor`` (class 1)."""
    if not 0 < factor < 1:
        raise ValueError(f"circles factor must be in (0, 1), got {factor}")
    sizes = _class_sizes(n, 2)
    parts = []
    for radius, size in zip((1.0, factor), sizes):
        t = rng.uniform(0, 2 * np.pi, size)
        parts.append(radius * np.stack([np.cos(t), np.sin(t)], axis=1))
    return np.concatenate(parts), np.repeat([0, 1], sizes)


def _spirals(n, noise, rng, n_classes=2, turns=1.5, **kw):
    """``n_classes`` interleaved arms r = s, angle = 2*pi*turns*s + 2*pi*k/K (s in [0.1, 1])."""
    _check_classes(n_classes, 2, 4, "spirals")
    if turns <= 0:
        raise ValueError(f"spirals turns must be > 0, got {turns}")
    sizes = _class_sizes(n, n_classes)
    parts = []
    for k, size in enumerate(sizes):
        s = rng.uniform(0.1, 1.0, size)  # start off the centre, where all arms meet
        angle = 2 * np.pi * (turns * s + k / n_classes)
        parts.append(s[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1))
    return np.concatenate(parts), np.repeat(np.arange(n_classes), sizes)


def _xor(n, noise, rng, **kw):
    """Points in [-1, 1]^2; class 1 where x1 and x2 share a sign (quadrants I and III)."""
    sizes = _class_sizes(n, 2)
    parts = []
    for label, size in enumerate(sizes):
        magnitude = rng.uniform(0.0, 1.0, (size, 2))
        sign = rng.choice([-1.0, 1.0], size)
        second = sign if label == 1 else -sign  # same sign -> class 1, opposite -> class 0
        parts.append(magnitude * np.stack([sign, second], axis=1))
    return np.concatenate(parts), np.repeat([0, 1], sizes)


def _blobs(n, noise, rng, n_classes=3, radius=2.0, **kw):
    """Gaussian blobs of std ``noise`` centred evenly on a circle of ``radius``."""
    _check_classes(n_classes, 2, 4, "blobs")
    sizes = _class_sizes(n, n_classes)
    angle = 2 * np.pi * np.arange(n_classes) / n_classes + np.pi / 4
    centres = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    x = np.repeat(centres, sizes, axis=0)  # noise is added by the caller
    return x, np.repeat(np.arange(n_classes), sizes)


_GENERATORS_2D = {"moons": _moons, "circles": _circles, "spirals": _spirals,
                  "xor": _xor, "blobs": _blobs}

NAMES = tuple(_GENERATORS_2D) + ("line", "digits")
CLASSIFICATION_2D = tuple(_GENERATORS_2D)


def _check_classes(k, lo, hi, name):
    if not (isinstance(k, (int, np.integer)) and lo <= k <= hi):
        raise ValueError(f"{name} n_classes must be an integer in [{lo}, {hi}], got {k!r}")


# ---------------------------------------------------------------- splitting

def _stratified_split(y, test_ratio, rng):
    """Indices (train, test), each class split in the same ratio, both shuffled."""
    train, test = [], []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(test_ratio * idx.size))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _split(x, y, test_ratio, rng, name, task, n_classes, info=None):
    strata = y if task == "classification" else np.zeros(len(y), dtype=int)
    tr, te = _stratified_split(strata, test_ratio, rng)
    if tr.size == 0 or te.size == 0:
        raise ValueError(f"{name}: n={len(y)} is too small for test_ratio={test_ratio}")
    return Dataset(x[tr], y[tr], x[te], y[te], task, n_classes, name, dict(info or {}))


def from_points(x, y, test_ratio=0.3, seed=0, name="points") -> Dataset:
    """A classification set from given points: x (N, D) float, y (N,) int labels 0..C-1, split per class into
    train and test (test_ratio of each class, at least one point of each class on each side when it has two).
    Labels must be 0..C-1 with every class present; ValueError otherwise."""
    x, y = np.asarray(x, dtype=float), np.asarray(y)
    if x.ndim != 2 or y.shape != (x.shape[0],) or not np.all(np.isfinite(x)):
        raise ValueError("x must be (N, D) finite numbers and y (N,) labels")
    labels = np.unique(y)
    if not np.issubdtype(y.dtype, np.integer) or labels.size < 2 or not np.array_equal(labels, np.arange(labels.size)):
        raise ValueError("labels must be 0 .. C-1 with every class present (C >= 2)")
    rng = np.random.default_rng(seed)
    return _split(x, y.astype(np.int64), test_ratio, rng, name, "classification", int(labels.size))


# ---------------------------------------------------------------- the sets

def _make_2d(name, n, noise, test_ratio, rng, **kw):
    x, y = _GENERATORS_2D[name](n, noise, rng, **kw)
    x = x + noise * rng.standard_normal(x.shape)  # Gaussian noise, std ``noise`` per coordinate
    return _split(x, y.astype(np.int64), test_ratio, rng, name, "classification",
                  int(y.max()) + 1)


def _make_line(n, noise, test_ratio, rng, slope=2.0, intercept=0.5, n_outliers=0,
               outlier_scale=5.0, **kw):
    """y = slope * x + intercept + noise * N(0, 1), x ~ U[-1, 1].

    ``n_outliers`` training targets (never test targets, so the test error measures the true
    line) are pushed up by outlier_scale * U[0.75, 1.25]: one-sided, so they pull an MSE fit.
    """
    x = rng.uniform(-1.0, 1.0, (n, 1))
    y = slope * x + intercept + noise * rng.standard_normal((n, 1))
    ds = _split(x, y, test_ratio, rng, "line", "regression", 0,
                {"slope": slope, "intercept": intercept})
    if not (isinstance(n_outliers, (int, np.integer)) and 0 <= n_outliers <= ds.n_train):
        raise ValueError(f"n_outliers must be an integer in [0, {ds.n_train}], got {n_outliers!r}")
    if outlier_scale < 0:
        raise ValueError(f"outlier_scale must be >= 0, got {outlier_scale}")
    where = np.sort(rng.choice(ds.n_train, n_outliers, replace=False))
    ds.y_train[where, 0] += outlier_scale * rng.uniform(0.75, 1.25, n_outliers)
    ds.info["outlier_index"] = where
    return ds


def load_digits_raw():
    """The shipped digits: X (1797, 64) uint8 in 0..16, y (1797,) uint8 in 0..9."""
    with np.load(DIGITS_PATH) as f:
        return f["X"], f["y"]


def _make_digits(n, noise, test_ratio, rng, scale=True, **kw):
    """8x8 digits; pixels / 16 -> [0, 1] when ``scale``. ``n`` subsamples the whole set."""
    x_raw, y_raw = load_digits_raw()
    x = x_raw.astype(np.float64) / (16.0 if scale else 1.0)
    y = y_raw.astype(np.int64)
    if n is not None:
        if not 20 <= n <= len(y):
            raise ValueError(f"digits n must be in [20, {len(y)}], got {n}")
        keep = rng.choice(len(y), n, replace=False)
        x, y = x[keep], y[keep]
    if noise > 0:
        x = x + noise * rng.standard_normal(x.shape)
    return _split(x, y, test_ratio, rng, "digits", "classification", 10)


def get(name, n=None, noise=None, test_ratio=0.3, seed=0, n_train=None, preprocess=None, **kw):
    """Build dataset ``name`` (one of NAMES) deterministically from ``seed``.

    n: total samples before the split (default per set; digits: all 1,797).
    noise: Gaussian noise std (blobs: the cluster std; line: the target noise; digits: added
    to the pixels, default 0). test_ratio in (0, 1): the test share, split per class.
    n_train: keep only this many training samples (the test set is unchanged), e.g. 300
    digits for the overfitting demos. preprocess: None, "center" or "standardize" (statistics
    from the training set). Set-specific keywords: circles ``factor``; spirals ``n_classes``
    (2-4), ``turns``; blobs ``n_classes`` (2-4), ``radius``; line ``slope``, ``intercept``,
    ``n_outliers``, ``outlier_scale``; digits ``scale`` (pixels to [0, 1], default True).
    """
    lookup(_DEFAULTS, name, "dataset")
    defaults = _DEFAULTS[name]
    n = defaults["n"] if n is None else n
    noise = defaults["noise"] if noise is None else noise
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    if not 0 < test_ratio < 1:
        raise ValueError(f"test_ratio must be in (0, 1), got {test_ratio}")
    if n is not None and (not isinstance(n, (int, np.integer)) or n < 4):
        raise ValueError(f"n must be an integer >= 4, got {n!r}")
    if preprocess not in (None, "center", "standardize"):
        raise ValueError(f"unknown preprocess {preprocess!r}; valid: None, center, standardize")
    rng = np.random.default_rng(seed)
    if name == "line":
        ds = _make_line(n, noise, test_ratio, rng, **kw)
    elif name == "digits":
        ds = _make_digits(n, noise, test_ratio, rng, **kw)
    else:
        ds = _make_2d(name, n, noise, test_ratio, rng, **kw)
    if n_train is not None:
        ds = subsample_train(ds, n_train, seed)
    if preprocess == "center":
        ds.x_train, ds.x_test, _ = zero_center(ds.x_train, ds.x_test)
    elif preprocess == "standardize":
        ds.x_train, ds.x_test, _, _ = standardize(ds.x_train, ds.x_test)
    return ds


def subsample_train(ds: Dataset, n_train: int, seed=0) -> Dataset:
    """A copy of ``ds`` keeping ``n_train`` random training samples (test set untouched)."""
    if not (isinstance(n_train, (int, np.integer)) and 1 <= n_train <= ds.n_train):
        raise ValueError(f"n_train must be an integer in [1, {ds.n_train}], got {n_train!r}")
    # A separate stream, so the subsample does not shift when other options change.
    keep = np.sort(np.random.default_rng([seed, 1]).choice(ds.n_train, n_train, replace=False))
    info = dict(ds.info)
    if "outlier_index" in info:  # re-index the outliers that survived the subsample
        info["outlier_index"] = np.flatnonzero(np.isin(keep, info["outlier_index"]))
    return Dataset(ds.x_train[keep], ds.y_train[keep], ds.x_test, ds.y_test, ds.task,
                   ds.n_classes, ds.name, info)


# ---------------------------------------------------------------- preprocessing

def zero_center(x_train, x_test=None):
    """Subtract the training mean per feature. -> (x_train', x_test' or None, mean (D,))."""
    mean = x_train.mean(axis=0)
    return x_train - mean, None if x_test is None else x_test - mean, mean


def standardize(x_train, x_test=None, eps=1e-8):
    """Zero mean, unit std per feature, statistics from the training set only.

    Constant features (std < eps, e.g. always-blank digit pixels) are only centred.
    -> (x_train', x_test' or None, mean (D,), std (D,)).
    """
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std = np.where(std < eps, 1.0, std)
    x_test = None if x_test is None else (x_test - mean) / std
    return (x_train - mean) / std, x_test, mean, std
