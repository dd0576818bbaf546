"""2-D test surfaces for the optimizer trajectories.

Each surface gives ``value(x, y)`` and its analytic ``grad(x, y) -> (gx, gy)``. Both are written
with arithmetic operators only, so the same function serves Python floats (the fast per-step
trajectory loop) and arrays of any shape (contour grids, K stacked points); shapes follow the
input. The trigonometric surface picks ``math`` for floats and ``numpy`` for arrays.

Public API::

    surfaces.NAMES                      # tuple of surface names
    s = surfaces.get("rosenbrock")      # Surface; unknown name -> ValueError listing the names
    s.value(x, y), s.grad(x, y)         # floats or arrays of one shape
    X, Y, Z = surfaces.grid("beale", n=150)   # (n, n) each, over s.xlim x s.ylim
"""

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from core.registry import lookup

_TWO_PI = 2.0 * math.pi


@dataclass(frozen=True)
class Surface:
    """A 2-D function with its analytic gradient and plotting hints.

    name: registry name. latex: the formula for the page.
    value(x, y) -> z and grad(x, y) -> (gx, gy): floats, or arrays of one shape S -> shape S.
    xlim, ylim: plotting domain (lo, hi). minima: global minima [(x, y), ...] (empty for the saddle).
    default_start: (x, y) where the trajectories start unless the page says otherwise.
    log_levels: None -> linear contour levels; a number c -> draw contours at log-spaced levels
        of ``value + c`` (c > 0 keeps the logarithm finite at a minimum of 0). The saddle is
        negative on half its domain and unbounded below, so it gets None.
    """

    name: str
    latex: str
    value: Callable
    grad: Callable
    xlim: tuple
    ylim: tuple
    minima: tuple
    default_start: tuple
    log_levels: Optional[float]


def _cos(x):
    return math.cos(x) if isinstance(x, float) else np.cos(x)


def _sin(x):
    return math.sin(x) if isinstance(x, float) else np.sin(x)


# --- bowl: the ill-conditioned bowl of Deep Learning from Scratch ch. 6 (x is 20x flatter than y)
def _bowl_value(x, y):
    return x * x / 20.0 + y * y


def _bowl_grad(x, y):
    return x / 10.0, 2.0 * y


# --- Rosenbrock (1960): a curved, flat-bottomed valley
def _rosenbrock_value(x, y):
    return (1.0 - x) * (1.0 - x) + 100.0 * (y - x * x) * (y - x * x)


def _rosenbrock_grad(x, y):
    valley = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * valley, 200.0 * valley


# --- Beale: flat plateaus and steep walls
def _beale_terms(x, y):
    a = 1.5 - x + x * y
    b = 2.25 - x + x * y * y
    c = 2.625 - x + x * y * y * y
    return a, b, c


def _beale_value(x, y):
    a, b, c = _beale_terms(x, y)
    return a * a + b * b + c * c


def _beale_grad(x, y):
    a, b, c = _beale_terms(x, y)
    gx = 2.0 * a * (y - 1.0) + 2.0 * b * (y * y - 1.0) + 2.0 * c * (y * y * y - 1.0)
    gy = 2.0 * a * x + 4.0 * b * x * y + 6.0 * c * x * y * y
    return gx, gy


# --- Himmelblau: four minima, the start decides which basin wins
def _himmelblau_value(x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return a * a + b * b


def _himmelblau_grad(x, y):
    a = x * x + y - 11.0
    b = x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


# --- saddle: no minimum; a point on the x axis stalls at the origin, one just off it escapes
def _saddle_value(x, y):
    return x * x - y * y


def _saddle_grad(x, y):
    return 2.0 * x, -2.0 * y


# --- Rastrigin: a bowl covered in local minima
def _rastrigin_value(x, y):
    return 20.0 + x * x - 10.0 * _cos(_TWO_PI * x) + y * y - 10.0 * _cos(_TWO_PI * y)


def _rastrigin_grad(x, y):
    return (2.0 * x + 10.0 * _TWO_PI * _sin(_TWO_PI * x),
            2.0 * y + 10.0 * _TWO_PI * _sin(_TWO_PI * y))


# --- Booth: a plain quadratic with a tilted valley
def _booth_value(x, y):
    a = x + 2.0 * y - 7.0
    b = 2.0 * x + y - 5.0
    return a * a + b * b


def _booth_grad(x, y):
    a = x + 2.0 * y - 7.0
    b = 2.0 * x + y - 5.0
    return 2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b


_SURFACES = {
    s.name: s
    for s in (
        Surface("bowl", r"\frac{x^2}{20} + y^2", _bowl_value, _bowl_grad,
                (-10.0, 10.0), (-5.0, 5.0), ((0.0, 0.0),), (-7.0, 2.0), None),
        Surface("rosenbrock", r"(1 - x)^2 + 100\,(y - x^2)^2", _rosenbrock_value, _rosenbrock_grad,
                (-2.0, 2.0), (-1.0, 3.0), ((1.0, 1.0),), (-1.5, 2.0), 0.1),
        Surface("beale",
                r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
                _beale_value, _beale_grad,
                (-4.5, 4.5), (-4.5, 4.5), ((3.0, 0.5),), (1.0, 1.5), 0.1),
        Surface("himmelblau", r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2", _himmelblau_value,
                _himmelblau_grad, (-5.0, 5.0), (-5.0, 5.0),
                ((3.0, 2.0),  # the four minima, refined by Newton's method to machine precision
                 (-2.805118086952745, 3.131312518250573),
                 (-3.779310253377747, -3.2831859912861696),
                 (3.5844283403304917, -1.8481265269644034)),
                (0.0, 0.0), 0.5),
        Surface("saddle", r"x^2 - y^2", _saddle_value, _saddle_grad,
                (-2.0, 2.0), (-2.0, 2.0), (), (-1.5, 1e-3), None),
        Surface("rastrigin", r"20 + \sum_i \left(x_i^2 - 10\cos 2\pi x_i\right)",
                _rastrigin_value, _rastrigin_grad,
                (-4.5, 4.5), (-4.5, 4.5), ((0.0, 0.0),), (3.2, -2.7), None),
        Surface("booth", r"(x + 2y - 7)^2 + (2x + y - 5)^2", _booth_value, _booth_grad,
                (-10.0, 10.0), (-10.0, 10.0), ((1.0, 3.0),), (-8.0, 8.0), 0.5),
    )
}

NAMES = tuple(_SURFACES)


def get(name) -> Surface:
    """The surface called ``name``; unknown name -> ValueError listing the valid names."""
    return lookup(_SURFACES, name, "surface")


def grid(name, n: int = 150):
    """Contour data: X, Y, Z of shape (n, n) over the surface's xlim x ylim (X varies along axis 1)."""
    if int(n) < 2:
        raise ValueError(f"grid needs n >= 2 points per axis, got {n}")
    surface = get(name)
    xs = np.linspace(*surface.xlim, int(n))
    ys = np.linspace(*surface.ylim, int(n))
    X, Y = np.meshgrid(xs, ys)
    return X, Y, surface.value(X, Y)
