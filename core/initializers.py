"""Weight initializers: W (fan_in, fan_out) drawn so its std suits the activation that follows.

Registry::

    init = get("he_normal")             # or get(0.01): N(0, 0.01²), the "std" knob of DLFS ch. 6
    W = init(fan_in, fan_out, rng, dtype)   # (fan_in, fan_out)
    std("xavier_uniform", 500, 500)     # theoretical std, for the page's table

Normal variants are plain (untruncated) Gaussians, as in PyTorch's ``*_normal_`` functions.
Biases are not drawn here: dense layers start them at 0.
"""
import math
import numbers

import numpy as np

from .registry import lookup


class Initializer:
    """A named rule for W: ``name``, ``hp``, ``__call__`` draws, ``std`` gives the theoretical std."""

    name = ""
    gaussian = True  # False: uniform on [-limit, limit] with limit = √3 · std

    def __init__(self):
        self.hp = {}  # subclasses with hyperparameters record them here

    def std(self, fan_in, fan_out):
        """Standard deviation of one entry of W."""
        raise NotImplementedError

    def __call__(self, fan_in, fan_out, rng, dtype=np.float64):
        """-> W (fan_in, fan_out) of ``dtype``, drawn from ``rng`` (a np.random.Generator)."""
        _check_fans(fan_in, fan_out)
        s = self.std(fan_in, fan_out)
        if self.gaussian:
            W = rng.normal(0.0, s, size=(fan_in, fan_out))
        else:
            limit = math.sqrt(3) * s  # U[-L, L] has std L / √3
            W = rng.uniform(-limit, limit, size=(fan_in, fan_out))
        return W.astype(dtype, copy=False)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hp.items())
        return f"{type(self).__name__}({args})"


def _check_fans(fan_in, fan_out):
    if fan_in < 1 or fan_out < 1:
        raise ValueError(f"fan_in and fan_out must be >= 1, got {fan_in}, {fan_out}")


class Zeros(Initializer):
    """W = 0: every unit computes the same thing, so symmetry is never broken (a teaching foil)."""

    name = "zeros"

    def std(self, fan_in, fan_out):
        return 0.0

    def __call__(self, fan_in, fan_out, rng=None, dtype=np.float64):
        _check_fans(fan_in, fan_out)
        return np.zeros((fan_in, fan_out), dtype=dtype)


class Constant(Initializer):
    """W = value everywhere (default 0.1): as symmetric as zeros, but the signal is not 0."""

    name = "constant"

    def __init__(self, value=0.1):
        super().__init__()
        self.hp = dict(value=value)

    def std(self, fan_in, fan_out):
        return 0.0

    def __call__(self, fan_in, fan_out, rng=None, dtype=np.float64):
        _check_fans(fan_in, fan_out)
        return np.full((fan_in, fan_out), self.hp["value"], dtype=dtype)


class Normal(Initializer):
    """W ~ N(0, std²), a fixed std whatever the layer size (default 0.01, cs231n's "small random numbers")."""

    name = "normal"

    def __init__(self, std=0.01):
        if std < 0:
            raise ValueError(f"normal init needs std >= 0, got {std}")
        super().__init__()
        self.hp = dict(std=std)

    def std(self, fan_in, fan_out):
        return float(self.hp["std"])


class Uniform(Initializer):
    """W ~ U[-limit, limit] (default limit 0.05); std = limit / √3."""

    name = "uniform"
    gaussian = False

    def __init__(self, limit=0.05):
        if limit < 0:
            raise ValueError(f"uniform init needs limit >= 0, got {limit}")
        super().__init__()
        self.hp = dict(limit=limit)

    def std(self, fan_in, fan_out):
        return self.hp["limit"] / math.sqrt(3)


class XavierNormal(Initializer):
    """Glorot & Bengio 2010 "normalized" init, Gaussian: std = √(2 / (fan_in + fan_out))."""

    name = "xavier_normal"

    def std(self, fan_in, fan_out):
        return math.sqrt(2 / (fan_in + fan_out))  # Var(W) = 2 / (n_in + n_out), Glorot & Bengio 2010 eq. 12


class XavierUniform(XavierNormal):
    """Glorot & Bengio 2010 eq. 16: W ~ U[-√(6 / (fan_in + fan_out)), +√(6 / (fan_in + fan_out))]."""

    name = "xavier_uniform"
    gaussian = False


class HeNormal(Initializer):
    """He et al. 2015, for ReLU: std = √(2 / fan_in) (ReLU zeroes half the variance, the 2 gives it back)."""

    name = "he_normal"

    def std(self, fan_in, fan_out):
        return math.sqrt(2 / fan_in)  # He et al. 2015, eq. 10


class HeUniform(HeNormal):
    """He et al. 2015, uniform: W ~ U[-√(6 / fan_in), +√(6 / fan_in)], same std √(2 / fan_in)."""

    name = "he_uniform"
    gaussian = False


class LecunNormal(Initializer):
    """LeCun et al. 1998: std = √(1 / fan_in); what SELU needs to self-normalize (Klambauer et al. 2017)."""

    name = "lecun_normal"

    def std(self, fan_in, fan_out):
        return math.sqrt(1 / fan_in)


_REGISTRY = {cls.name: cls for cls in (Zeros, Constant, Normal, Uniform, XavierNormal, XavierUniform,
                                       HeNormal, HeUniform, LecunNormal)}
NAMES = tuple(_REGISTRY)


def get(name_or_std, **hp):
    """Initializer by name (``get("uniform", limit=0.1)``); a bare number means N(0, number²).

    An Initializer instance passes through. Unknown name or hyperparameter -> ValueError.
    """
    if isinstance(name_or_std, Initializer):
        return name_or_std
    if isinstance(name_or_std, numbers.Real) and not isinstance(name_or_std, bool):
        return Normal(std=float(name_or_std))
    cls = lookup(_REGISTRY, name_or_std, "initializer")
    try:
        return cls(**hp)
    except TypeError:
        raise ValueError(f"initializer {name_or_std!r} does not take hyperparameters {sorted(hp)}") from None


def std(name, fan_in, fan_out, **hp):
    """Theoretical std of one weight for initializer ``name`` (or a float std) at these fans."""
    return get(name, **hp).std(fan_in, fan_out)
