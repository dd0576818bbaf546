"""The experiments of the loss-functions page: regression losses against outliers, and why classification uses
cross-entropy.

    fits = fit_lines(n_outliers=5, outlier_scale=6.0, delta=1.0)     # MSE / MAE / Huber lines on the same data
    r, values = residual_curves(delta=1.0)                            # each regression loss against the residual
    p, grads, at = gradient_curves(n_classes=2, wrong_p=0.01)         # |dL/dz_true| of CE and of MSE-on-softmax
    p, values = probability_curves()                                  # classification losses against p

Every result here is a pure function of a few numbers, shared by every session (``shared.memo``): a control change
computes at most what it changed (a new δ refits only the Huber line), and the defaults are computed at server
start (``warm``). Shapes: N samples, G grid points, T steps.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import data, losses
from runs import shared
from lab.settings import SEED, Settings as Declared, number

REGRESSION_LOSSES = ("mse", "mae", "huber")
# The data of the regression part; the batches page draws its paths on the same line
LINE = dict(n=100, noise=0.1, slope=2.0, intercept=0.5)
FIT = dict(steps=300, lr=0.8)  # within 0.005 of the exact fit for every δ, outlier count and size (0.03 at 400 × 0.5)
WRONG_P = 0.01  # "confidently wrong": the net gives the true class 1 %


@dataclass(frozen=True)
class Settings:
    """The page's settings; ``Settings()`` are its defaults (the page's controls, ``warm`` and the tests use them)."""
    n_outliers: int = 5
    outlier_size: float = 6.0
    delta: float = 1.0
    n_classes: int = 2
    seed: int = 0


DEFAULTS = Settings()
SETTINGS = Declared(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    number("outliers", "losses.n_outliers", 0, 20, DEFAULTS.n_outliers),
    number("size", "losses.outlier_size", 0.0, 15.0, DEFAULTS.outlier_size, 0.5, name="outlier_size"),
    number("delta", "losses.delta", 0.1, 3.0, DEFAULTS.delta, 0.1, help="losses.delta_help"),
    number("classes", "losses.classes", 2, 10, DEFAULTS.n_classes),
    SEED,
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.losses.MSE.__call__", "core.losses.MAE.__call__", "core.losses.Huber.__call__",
               "core.losses._huber", "core.losses.CrossEntropy.__call__", "core.losses.softmax")


# ---- 1. regression losses: fitting a line --------------------------------------------------------

@dataclass(frozen=True)
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
    xc, yc = x[:, None], y[:, None]
    for t in range(steps):
        _, dout = loss(w * xc + b, yc)  # dout = dL/dprediction, (N, 1)
        d = dout[:, 0]
        gw, gb = float(d @ x), float(d.sum())
        step = lr * (1 - 0.95 * t / steps)
        w, b = w - step * gw, b - step * gb
        path.append(w)
    return w, b, np.array(path)


@shared.memo(max_bytes=1 * 2**20)
def line_data(n_outliers=DEFAULTS.n_outliers, outlier_scale=DEFAULTS.outlier_size, seed=DEFAULTS.seed):
    """The ``line`` set with ``n_outliers`` pushed-up targets -> (x (N,), y (N,), outlier (N,) bool, (slope, intercept))."""
    ds = data.get("line", n=LINE["n"], noise=LINE["noise"], seed=seed, slope=LINE["slope"],
                  intercept=LINE["intercept"], n_outliers=n_outliers, outlier_scale=outlier_scale)
    outlier = np.zeros(ds.x_train.shape[0], dtype=bool)
    outlier[ds.info["outlier_index"]] = True
    return ds.x_train[:, 0], ds.y_train[:, 0], outlier, (ds.info["slope"], ds.info["intercept"])


@shared.memo(max_bytes=2 * 2**20)
def fit_one(name, n_outliers, outlier_scale, delta, seed, steps=FIT["steps"], lr=FIT["lr"]):
    """One loss's line on ``line_data`` -> (w, b, w_path (T + 1,)). ``delta`` is used by Huber only (pass None
    for the others: a new δ then refits only the Huber line)."""
    x, y, _, _ = line_data(n_outliers, outlier_scale, seed)
    return fit_line(x, y, losses.get(name, **_hp(name, delta)), steps, lr)


def fit_lines(n_outliers=DEFAULTS.n_outliers, outlier_scale=DEFAULTS.outlier_size, delta=DEFAULTS.delta,
              seed=DEFAULTS.seed, steps=FIT["steps"], lr=FIT["lr"]) -> LineFits:
    """The ``line`` set with ``n_outliers`` pushed-up targets, fitted with MSE, MAE and Huber(δ)."""
    x, y, outlier, true = line_data(n_outliers, outlier_scale, seed)
    slope, intercept, paths = {}, {}, {}
    for name in REGRESSION_LOSSES:
        slope[name], intercept[name], paths[name] = fit_one(name, n_outliers, outlier_scale,
                                                             delta if name == "huber" else None, seed, steps, lr)
    return LineFits(x, y, outlier, true, slope, intercept, paths)


def _hp(name, delta):
    return {"delta": delta} if name == "huber" else {}


@shared.memo(max_bytes=1 * 2**20)
def residual_curves(delta=1.0, limit=3.0, n=121):
    """Each regression loss against the residual r = prediction − target on [−limit, limit].

    -> r (G,), {loss: (G,)} in REGRESSION_LOSSES order (Huber with ``delta``).
    """
    r = np.linspace(-limit, limit, n)
    return r, {name: losses.pointwise(name, r, 0.0, **_hp(name, delta)) for name in REGRESSION_LOSSES}


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


@shared.memo(max_bytes=1 * 2**20)
def gradient_curves(n_classes=2, wrong_p=WRONG_P, n=120):
    """``logit_gradients`` on a log grid of P(true class) from 0.001 to 0.999, and at ``wrong_p`` alone.

    -> p (G,), {"cross_entropy": (G,), "mse": (G,)}, {"cross_entropy": (1,), "mse": (1,)}.
    """
    p = np.logspace(-3, np.log10(0.999), n)
    return p, logit_gradients(p, n_classes), logit_gradients(np.array([wrong_p]), n_classes)


@shared.memo(max_bytes=1 * 2**20)
def probability_curves(n=200):
    """Classification losses against the predicted probability p on (0, 1).

    -> p (G,), {"ce1": CE with target 1, "bce0": BCE with target 0, "mse1": squared error with target 1}, each (G,).
    """
    p = np.linspace(0.001, 0.999, n)
    return p, {"ce1": losses.pointwise("cross_entropy", p, 1.0), "bce0": losses.pointwise("bce", p, 0.0),
               "mse1": losses.pointwise("mse", p, 1.0)}


def warm() -> None:
    """The page's defaults, computed once at server start and kept (its first screen)."""
    d = DEFAULTS
    with shared.pinned():
        fit_lines(d.n_outliers, d.outlier_size, d.delta, d.seed)
        residual_curves(d.delta)
        gradient_curves(d.n_classes, WRONG_P)
        probability_curves()


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(fits: LineFits, delta: float, gradients_at: dict, n_classes: int, wrong_p: float = WRONG_P):
    """The page's three quick checks at its setting, answered from what the page drew: the fitted lines
    (``fit_lines``), the loss curves (``residual_curves`` at δ) and the logit gradients (``gradient_curves``)."""
    from lab.common import choice_check, nearest_check

    true_slope = fits.true[0]
    errors = {name: abs(fits.slope[name] - true_slope) for name in REGRESSION_LOSSES}
    worst = max(errors, key=errors.get)
    r, curves = residual_curves(delta, limit=3.0, n=121)
    huber_at_3 = float(curves["huber"][-1])  # r = 3, the grid's end
    ratio = float(gradients_at["cross_entropy"][0] / gradients_at["mse"][0])
    return [
        choice_check("check1", tuple(REGRESSION_LOSSES), worst,
                     dict(n=int(fits.outlier.sum()), true=f"{true_slope:.2f}")),
        nearest_check("check2", huber_at_3, [x / 2 for x in range(1, 19)], dict(delta=f"{delta:g}"), fmt=".3g"),
        nearest_check("check3", ratio, [1, 3, 10, 30, 100, 300, 1000, 3000, 10000], dict(p=f"{wrong_p:g}", c=n_classes),
                      fmt=",.0f", log=True),
    ]
