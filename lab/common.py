"""What several lessons share: the 2-D grid a decision map is drawn on, and the shape of a quick check."""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Check:
    """A quick check at the end of a lesson, answered by the lesson's own functions at the page's setting.

    key: its text keys are ``<page>.<key>_q`` (the question; ``values`` fill its {placeholders}) and, for options
    that are names, ``<page>.<key>_<name>``. options: numbers (shown with ``fmt``) or names. answer: the index of
    the right option. measured: for numeric options, the quantity the answer is the nearest option to (a test checks
    that, and that the nearest is unambiguous).
    """
    key: str
    options: tuple
    answer: int
    values: dict = field(default_factory=dict)
    measured: float | None = None
    fmt: str = ".3g"
    log: bool = False   # nearness on a log scale (quantities spanning decades)


def nearest_check(key: str, measured: float, ladder, values: dict | None = None, fmt: str = ".3g",
                  log: bool = False, n: int = 4) -> Check:
    """A numeric check: ``n`` consecutive values of ``ladder`` (sorted, spaced so neighbours are easy to tell
    apart) around ``measured``, the right one the nearest. Where the right one sits among the n is fixed per key (a
    student cannot learn "always the second"), and moves only when the measured value nears the ladder's ends."""
    ladder = sorted(float(v) for v in ladder)
    scale = (lambda v: math.log10(abs(v)) if v > 0 else -12.0) if log else float
    distances = [abs(scale(v) - scale(float(measured))) for v in ladder]
    right = int(np.argmin(distances))
    n = min(n, len(ladder))
    offset = zlib.crc32(key.encode()) % n          # the right option's position among the n shown
    first = min(max(right - offset, 0), len(ladder) - n)
    options = tuple(ladder[first:first + n])
    return Check(key, options, right - first, dict(values or {}), float(measured), fmt, log)


def choice_check(key: str, names: tuple, right: str, values: dict | None = None) -> Check:
    """A check whose options are names (text keys ``<page>.<key>_<name>``); ``right`` is the computed one."""
    return Check(key, tuple(names), names.index(right), dict(values or {}))


def exact_check(key: str, value, distractors, values: dict | None = None, fmt: str = ".3g") -> Check:
    """A numeric check whose options are the computed value and distractors made from common slips (the wrong
    formula, the other quantity); duplicates are dropped, options sorted, at least three kept (value × 2 and
    value + 1 fill in)."""
    options = [float(value)]
    for d in list(distractors) + [2 * float(value) or 1.0, float(value) + 1]:
        if len(options) >= 4:
            break
        if all(abs(float(d) - o) > 1e-9 * max(1.0, abs(o)) for o in options):
            options.append(float(d))
    options.sort()
    return Check(key, tuple(options), options.index(float(value)), dict(values or {}), float(value), fmt)
