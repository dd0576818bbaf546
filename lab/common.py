"""What several lessons share: the 2-D grid a decision map is drawn on."""
from __future__ import annotations

import numpy as np


def plane_grid(points: np.ndarray, n: int, pad: float = 0.3, extent: float | None = None):
    """An (n, n) grid covering 2-D ``points`` (P, 2) with a margin ``pad`` on every side, or, with ``extent``, the
    square [-extent, extent]² whatever the points.

    -> xs (n,), ys (n,), grid points (n*n, 2) in row-major order: point k is at (xs[k % n], ys[k // n]).
    """
    if extent is not None:
        lo, hi = np.full(2, -float(extent)), np.full(2, float(extent))
    else:
        lo, hi = points.min(axis=0) - pad, points.max(axis=0) + pad
    xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    return xs, ys, np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


def probability_grid(trainer, n: int = 50, pad: float = 0.3, extent: float | None = None):
    """P(class 1) of a trained 2-D classifier (a ``core.train.Trainer``) on an (n, n) grid over its data (or over
    [-extent, extent]², see plane_grid).

    -> xs (n,), ys (n,), p (n, n) with p[i, j] at (xs[j], ys[i]). Non-finite probabilities (a diverged net)
    become NaN, which the figures leave blank.
    """
    xs, ys, pts = plane_grid(np.concatenate([trainer.x_train, trainer.x_test]), n, pad, extent)
    p = trainer.predict_proba(pts)[:, 1]
    return xs, ys, np.where(np.isfinite(p), p, np.nan).reshape(n, n)
