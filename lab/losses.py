"""The experiments of the loss-functions page: regression losses against outliers, and why classification uses
cross-entropy.

    fits = fit_lines(n_outliers=5, outlier_scale=6.0, delta=1.0)     # MSE / MAE / Huber lines on the same data
    r, values = residual_curves(delta=1.0)                            # each regression loss against the residual
    p, grads, at = gradient_curves(n_classes=2, wrong_p=0.01)         # |dL/dz_true| of CE and of MSE-on-softmax
    p, values = probability_curves()                                  # classification losses against p

Shapes: N samples, G grid points, T steps.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import data, losses


REGRESSION_LOSSES = ("mse", "mae", "huber")
# Defaults the page starts from (the tests check the page's claims with them); the batches page draws its paths
# on the same line
LINE = dict(n=100, noise=0.1, slope=2.0, intercept=0.5)
FIT = dict(steps=400, lr=0.5)


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
        slope[name], intercept[name], paths[name] = fit_line(x, y, losses.get(name, **_hp(name, delta)), steps, lr)
    return LineFits(x, y, outlier, (ds.info["slope"], ds.info["intercept"]), slope, intercept, paths)


def _hp(name, delta):
    return {"delta": delta} if name == "huber" else {}


def residual_curves(delta=1.0, limit=3.0, n=241):
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


def gradient_curves(n_classes=2, wrong_p=0.01, n=200):
    """``logit_gradients`` on a log grid of P(true class) from 0.001 to 0.999, and at ``wrong_p`` alone.

    -> p (G,), {"cross_entropy": (G,), "mse": (G,)}, {"cross_entropy": (1,), "mse": (1,)}.
    """
    p = np.logspace(-3, np.log10(0.999), n)
    return p, logit_gradients(p, n_classes), logit_gradients(np.array([wrong_p]), n_classes)


def probability_curves(n=300):
    """Classification losses against the predicted probability p on (0, 1).

    -> p (G,), {"ce1": CE with target 1, "bce0": BCE with target 0, "mse1": squared error with target 1}, each (G,).
    """
    p = np.linspace(0.001, 0.999, n)
    return p, {"ce1": losses.pointwise("cross_entropy", p, 1.0), "bce0": losses.pointwise("bce", p, 0.0),
               "mse1": losses.pointwise("mse", p, 1.0)}
