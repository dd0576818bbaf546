"""Activation functions: each one a forward a = f(z) beside its derivative da/dz.

Every function is elementwise, so ``z`` may have any shape (N, H) or a 1-D plotting grid.
The output keeps the dtype of ``z``.

Registry::

    act = get("leaky_relu", alpha=0.1)
    act.name, act.hp                      # "leaky_relu", {"alpha": 0.1}
    a = act.forward(z, train=False, rng=None)
    slope = act.derivative(z)             # elementwise da/dz at inference
    dz = act.backward(z, dout)            # dout · da/dz (ReLU skips building the slope array)

Two activations have extra state, passed by keyword so the plain call still works:

- ``prelu``: the negative slope ``alpha`` is learned (He et al. 2015). ``hp["alpha"]`` (0.25) is
  its initial value; ``forward(z, alpha=...)`` / ``derivative(z, alpha=...)`` take the current
  slopes (scalar or (H,)), and ``grad_alpha(z)`` = da/dalpha. ``ActivationLayer`` owns the (H,) parameter.
- ``rrelu``: in training each negative element gets its own slope drawn from U[lower, upper]
  with the passed Generator (Xu et al. 2015); at inference it uses their mean (lower + upper) / 2.
  ``slopes(shape, train, rng)`` draws them and ``forward``/``derivative`` accept ``slopes=``, so a
  layer can reuse the same draw in its backward pass.

GELU uses the tanh approximation (Hendrycks & Gimpel 2016), because NumPy has no erf;
its derivative is that of the approximation, so a finite-difference check matches it exactly.
"""
import math

import numpy as np

from .registry import lookup


def _sigmoid(z):
    """Logistic 1 / (1 + e^-z), accurate to about one ulp over the whole range without branching on the sign:
    there is no cancellation on either side, and for z < -709 e^-z overflows to inf, whose reciprocal is the
    right limit 0, so that warning is silenced. (A third of the cost of the two-branch e^-|z| form.)"""
    e = np.negative(z)
    with np.errstate(over="ignore", under="ignore"):  # e^-z -> inf gives exactly 0, e^-z -> 0 exactly 1
        np.exp(e, out=e)
    e += 1.0
    return np.reciprocal(e, out=e)


def _as_float(z):
    """Integer grids become float64; float arrays keep their dtype (float32 stays float32)."""
    if type(z) is np.ndarray and z.dtype.kind == "f":  # the common case, checked cheaply
        return z
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(np.float64)


class Activation:
    """Base class: ``name``, ``hp`` (hyperparameters), ``forward`` and ``derivative``."""

    name = ""
    learnable = ()  # names of learned parameters (prelu: ("alpha",))

    def __init__(self):
        self.hp = {}  # subclasses with hyperparameters record them here, for labels and repr

    def forward(self, z, train=False, rng=None):
        """z: any shape -> a = f(z), same shape and dtype."""
        raise NotImplementedError

    def derivative(self, z):
        """z: any shape -> da/dz elementwise (inference behaviour)."""
        raise NotImplementedError

    def backward(self, z, dout, **extra):
        """dL/dz = dout · da/dz for dL/da = ``dout`` (same shape as z); ``extra`` goes to derivative."""
        return dout * self.derivative(z, **extra)

    def release(self):
        """Drop arrays kept between calls (none here; ReLU keeps zeros per input shape)."""

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hp.items())
        return f"{type(self).__name__}({args})"


class Sigmoid(Activation):
    """a = 1 / (1 + e^-z); da/dz = a (1 - a). Stable for |z| up to 1e4 and beyond."""

    name = "sigmoid"

    def forward(self, z, train=False, rng=None):
        return _sigmoid(_as_float(z))

    def derivative(self, z):
        s = _sigmoid(_as_float(z))
        return s * (1 - s)


class Tanh(Activation):
    """a = tanh z; da/dz = 1 - a^2."""

    name = "tanh"

    def forward(self, z, train=False, rng=None):
        return np.tanh(_as_float(z))

    def derivative(self, z):
        return 1 - np.tanh(_as_float(z)) ** 2


class ReLU(Activation):
    """a = max(0, z); da/dz = 1 for z > 0, else 0 (0 at the kink)."""

    name = "relu"

    def __init__(self):
        super().__init__()
        self._zeros = {}  # (shape, dtype) -> zeros: max against an array is NumPy's SIMD loop, ~3x the scalar 0's

    def forward(self, z, train=False, rng=None):
        z = _as_float(z)
        zeros = self._zeros.get((z.shape, z.dtype))
        if zeros is None:
            if len(self._zeros) > 8:  # batch, test set, probe...: a handful of shapes; never let it grow
                self._zeros.clear()
            zeros = self._zeros[(z.shape, z.dtype)] = np.zeros(z.shape, z.dtype)
        return np.maximum(z, zeros)

    def release(self):
        self._zeros.clear()

    def derivative(self, z):
        z = _as_float(z)
        return (z > 0).astype(z.dtype)

    def backward(self, z, dout, **extra):
        z = _as_float(z)
        if getattr(dout, "dtype", None) != z.dtype:  # mixed dtypes: promote exactly as dout * derivative
            return super().backward(z, dout)
        # the 0/1 mask casts inside the multiply (no float mask array); as uint8 that cast is ~20 % quicker than bool
        return np.multiply(dout, np.greater(z, 0).view(np.uint8))


class LeakyReLU(Activation):
    """a = z for z > 0, alpha z otherwise (Maas et al. 2013); da/dz = 1 or alpha."""

    name = "leaky_relu"

    def __init__(self, alpha=0.01):
        super().__init__()
        self.hp = dict(alpha=alpha)
        self.alpha = alpha

    def forward(self, z, train=False, rng=None):
        z = _as_float(z)
        return np.where(z > 0, z, self.alpha * z)

    def derivative(self, z):
        z = _as_float(z)
        return np.where(z > 0, 1, self.alpha).astype(z.dtype)


class RReLU(Activation):
    """Randomized leaky ReLU (Xu et al. 2015): a = z for z >= 0, s z otherwise.

    Training: s ~ U[lower, upper] per element, drawn from ``rng``. Inference: s = (lower + upper) / 2.
    """

    name = "rrelu"

    def __init__(self, lower=1 / 8, upper=1 / 3):
        if not 0 <= lower <= upper:
            raise ValueError(f"rrelu needs 0 <= lower <= upper, got lower={lower}, upper={upper}")
        super().__init__()
        self.hp = dict(lower=lower, upper=upper)
        self.lower, self.upper = lower, upper

    def slopes(self, shape, train=False, rng=None, dtype=np.float64):
        """Negative-side slopes of the given shape: random while training, their mean otherwise."""
        if not train:
            return np.full(shape, (self.lower + self.upper) / 2, dtype=dtype)
        if rng is None:
            raise ValueError("rrelu in training mode needs rng (a np.random.Generator)")
        return rng.uniform(self.lower, self.upper, size=shape).astype(dtype, copy=False)

    def forward(self, z, train=False, rng=None, slopes=None):
        z = _as_float(z)
        if slopes is None:
            slopes = self.slopes(z.shape, train, rng, z.dtype)
        return np.where(z >= 0, z, slopes * z)

    def derivative(self, z, slopes=None):
        z = _as_float(z)
        if slopes is None:
            slopes = (self.lower + self.upper) / 2
        return np.where(z >= 0, 1, slopes).astype(z.dtype)


class PReLU(Activation):
    """Parametric ReLU (He et al. 2015): a = z for z > 0, alpha z otherwise, alpha learned.

    ``hp["alpha"]`` is the initial slope (0.25, one per unit once wrapped in a layer).
    da/dz = 1 or alpha; da/dalpha = min(z, 0).
    """

    name = "prelu"
    learnable = ("alpha",)

    def __init__(self, alpha=0.25):
        super().__init__()
        self.hp = dict(alpha=alpha)
        self.alpha = alpha

    def forward(self, z, train=False, rng=None, alpha=None):
        z = _as_float(z)
        alpha = self.alpha if alpha is None else alpha
        return np.where(z > 0, z, alpha * z)

    def derivative(self, z, alpha=None):
        z = _as_float(z)
        alpha = self.alpha if alpha is None else alpha
        return np.where(z > 0, 1, alpha).astype(z.dtype)

    def grad_alpha(self, z):
        """da/dalpha elementwise: min(z, 0)."""
        return np.minimum(_as_float(z), 0)


class ELU(Activation):
    """a = z for z > 0, alpha (e^z - 1) otherwise (Clevert et al. 2016); da/dz = 1 or alpha e^z."""

    name = "elu"

    def __init__(self, alpha=1.0):
        super().__init__()
        self.hp = dict(alpha=alpha)
        self.alpha = alpha

    def forward(self, z, train=False, rng=None):
        z = _as_float(z)
        with np.errstate(under="ignore"):  # expm1 of a very negative z is just -1
            return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0)))

    def derivative(self, z):
        z = _as_float(z)
        with np.errstate(under="ignore"):
            return np.where(z > 0, 1, self.alpha * np.exp(np.minimum(z, 0))).astype(z.dtype)


class SELU(Activation):
    """Scaled ELU (Klambauer et al. 2017): a = scale * (z if z > 0 else alpha (e^z - 1)).

    The fixed constants make activations self-normalizing with lecun_normal init.
    """

    name = "selu"
    ALPHA = 1.6732632423543772848170429916717  # Klambauer et al. 2017, eq. 14
    SCALE = 1.0507009873554804934193349852946

    def forward(self, z, train=False, rng=None):
        z = _as_float(z)
        with np.errstate(under="ignore"):
            return self.SCALE * np.where(z > 0, z, self.ALPHA * np.expm1(np.minimum(z, 0)))

    def derivative(self, z):
        z = _as_float(z)
        with np.errstate(under="ignore"):
            d = np.where(z > 0, 1, self.ALPHA * np.exp(np.minimum(z, 0)))
        return (self.SCALE * d).astype(z.dtype)


class Linear(Activation):
    """a = z; da/dz = 1 (the identity; the output layer's 'activation')."""

    name = "linear"

    def forward(self, z, train=False, rng=None):
        return _as_float(z).copy()

    def derivative(self, z):
        return np.ones_like(_as_float(z))


class GELU(Activation):
    """GELU, tanh approximation (Hendrycks & Gimpel 2016):

    a = ½ z (1 + tanh u), u = √(2/π) (z + 0.044715 z³).
    Computed as a = z σ(2u), the same function (1 + tanh u = 2σ(2u)) without the cancellation
    in 1 + tanh u for negative z; da/dz = σ(2u) + 2 z σ(2u)(1 - σ(2u)) √(2/π)(1 + 3 · 0.044715 z²).
    """

    name = "gelu"
    _C = math.sqrt(2 / math.pi)  # a Python float, so float32 inputs stay float32
    _K = 0.044715

    def _s(self, z):
        return _sigmoid(2 * self._C * (z + self._K * z * z * z))

    def forward(self, z, train=False, rng=None):
        z = _as_float(z)
        return z * self._s(z)

    def derivative(self, z):
        z = _as_float(z)
        s = self._s(z)
        return s + 2 * z * s * (1 - s) * self._C * (1 + 3 * self._K * z * z)


class Swish(Activation):
    """Swish / SiLU (Ramachandran et al. 2017): a = z σ(βz); da/dz = σ(βz) + βz σ(βz)(1 - σ(βz))."""

    name = "swish"

    def __init__(self, beta=1.0):
        super().__init__()
        self.hp = dict(beta=beta)
        self.beta = beta

    def forward(self, z, train=False, rng=None):
        z = _as_float(z)
        return z * _sigmoid(self.beta * z)

    def derivative(self, z):
        z = _as_float(z)
        s = _sigmoid(self.beta * z)
        return s + self.beta * z * s * (1 - s)


_REGISTRY = {cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, RReLU, PReLU, ELU, SELU,
                                       Linear, GELU, Swish)}
NAMES = tuple(_REGISTRY)


def get(name, **hp):
    """Activation by name, e.g. ``get("elu", alpha=0.5)``; an Activation instance passes through.

    Unknown name or hyperparameter -> ValueError.
    """
    if isinstance(name, Activation):
        return name
    cls = lookup(_REGISTRY, name, "activation")
    try:
        return cls(**hp)
    except TypeError:
        raise ValueError(f"activation {name!r} does not take hyperparameters {sorted(hp)}") from None
