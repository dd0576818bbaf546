"""Losses: ``loss(out, y) -> (value, dout)`` with dout = dLoss/dout, the loss averaged over the batch.

Registry::

    loss = get("huber", delta=1.0)
    value, dout = loss(out, y)        # value: float, dout: same shape as out

Reductions (PyTorch's ``reduction="mean"``): mse, mae and huber average over every element of
``out`` (N·C of them; N for a single output); cross_entropy and bce average over the N samples.
MSE has no ½ factor (PyTorch's ``MSELoss``).

``pointwise(name, pred, target)`` gives each element's loss for plotting a loss against the
prediction; ``softmax(z)`` is the stable softmax used by cross_entropy.
"""
import numpy as np

from .registry import lookup


def softmax(z):
    """z: (..., C) -> probabilities (..., C); subtracting the row max keeps exp from overflowing."""
    z = np.asarray(z)
    shifted = z - z.max(axis=-1, keepdims=True)
    with np.errstate(under="ignore"):  # e^(-2e4) underflowing to 0 is exact enough
        e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    with np.errstate(under="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _match_target(out, y, name):
    """y for an elementwise loss: same shape as out; (N,) is accepted for out (N, 1)."""
    y = np.asarray(y, dtype=out.dtype)
    if y.shape != out.shape and y.ndim == 1 and out.shape == (y.shape[0], 1):
        y = y[:, None]
    if y.shape != out.shape:
        raise ValueError(f"{name}: target shape {y.shape} does not match output shape {out.shape}")
    return y


def _huber(r, delta):
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))  # Huber 1964


class Loss:
    """A named loss: ``name``, ``hp``, and ``__call__(out, y) -> (value, dout)``."""

    name = ""

    def __init__(self):
        self.hp = {}  # subclasses with hyperparameters record them here

    def __call__(self, out, y):
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hp.items())
        return f"{type(self).__name__}({args})"


class MSE(Loss):
    """mean (out - y)²; dout = 2 (out - y) / size. out (N, C) or (N,); y the same shape."""

    name = "mse"

    def __call__(self, out, y):
        out = np.asarray(out)
        r = out - _match_target(out, y, self.name)
        return float(np.mean(r**2)), 2 * r / r.size


class MAE(Loss):
    """mean |out - y|; dout = sign(out - y) / size (0 at the kink). Robust to outliers."""

    name = "mae"

    def __call__(self, out, y):
        out = np.asarray(out)
        r = out - _match_target(out, y, self.name)
        return float(np.mean(np.abs(r))), np.sign(r) / r.size


class Huber(Loss):
    """mean of ½ r² for |r| <= delta, delta (|r| - ½ delta) beyond; dout = clip(r, ±delta) / size."""

    name = "huber"

    def __init__(self, delta=1.0):
        if delta <= 0:
            raise ValueError(f"huber needs delta > 0, got {delta}")
        super().__init__()
        self.hp = dict(delta=delta)

    def __call__(self, out, y):
        out = np.asarray(out)
        r = out - _match_target(out, y, self.name)
        d = self.hp["delta"]
        return float(np.mean(_huber(r, d))), np.clip(r, -d, d) / r.size


class CrossEntropy(Loss):
    """Softmax cross-entropy from logits: -mean_n log softmax(out)[n, y_n]; dout = (p - onehot(y)) / N.

    out: logits (N, C); y: int labels (N,) in [0, C) or one-hot / soft targets (N, C).
    Log-softmax is computed with the max shifted out, so logits of ±1e4 stay finite.
    """

    name = "cross_entropy"

    def __call__(self, out, y):
        out = np.asarray(out)
        if out.ndim != 2:
            raise ValueError(f"cross_entropy expects logits of shape (N, C), got {out.shape}")
        n, c = out.shape
        y = np.asarray(y)
        if y.ndim == 1:
            if y.shape[0] != n or y.dtype.kind not in "iu":  # integer labels (signed or not)
                raise ValueError(f"cross_entropy: labels must be ints of shape ({n},), got {y.dtype} {y.shape}")
            if y.size and (y.min() < 0 or y.max() >= c):
                raise ValueError(f"cross_entropy: labels must lie in [0, {c}), got [{y.min()}, {y.max()}]")
        elif y.shape != out.shape:
            raise ValueError(f"cross_entropy: target shape {y.shape} does not match logits {out.shape}")
        # one exp serves both log-softmax and softmax: the same numbers as _log_softmax and softmax
        shifted = out - out.max(axis=-1, keepdims=True)
        with np.errstate(under="ignore"):
            e = np.exp(shifted)
        total = e.sum(axis=-1, keepdims=True)
        dout = e / total
        if y.ndim == 1:  # labels pick one log-probability per row: no one-hot matrix needed
            rows = np.arange(n)
            value = -float(np.sum(shifted[rows, y]) - np.sum(np.log(total))) / n
            dout[rows, y] -= 1
        else:
            target = y.astype(out.dtype)
            value = -float(np.sum(target * (shifted - np.log(total)))) / n
            dout -= target
        dout /= n
        return value, dout


class BCE(Loss):
    """Binary cross-entropy from logits z: mean of max(z, 0) - z y + log(1 + e^-|z|); dout = (σ(z) - y) / N.

    out: logits (N, 1) or (N,); y in {0, 1} (soft targets in [0, 1] work too), (N,) or out's shape.
    The log-sum-exp form never exponentiates a positive number, so logits of ±1e4 are safe.
    """

    name = "bce"

    def __call__(self, out, y):
        z = np.asarray(out)
        y = _match_target(z, y, self.name)
        with np.errstate(under="ignore"):
            e = np.exp(-np.abs(z))
            value = np.mean(np.maximum(z, 0) - z * y + np.log1p(e))
            p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))  # stable sigmoid
        return float(value), (p - y) / z.size


_REGISTRY = {cls.name: cls for cls in (MSE, MAE, Huber, CrossEntropy, BCE)}
NAMES = tuple(_REGISTRY)


def get(name, **hp):
    """Loss by name, e.g. ``get("huber", delta=0.5)``. Unknown name or hyperparameter -> ValueError."""
    cls = lookup(_REGISTRY, name, "loss")
    try:
        return cls(**hp)
    except TypeError:
        raise ValueError(f"loss {name!r} does not take hyperparameters {sorted(hp)}") from None


def pointwise(name, pred, target, **hp):
    """Per-element loss values, for plotting a loss against the prediction (no reduction).

    mse: (pred - target)²; mae: |pred - target|; huber: ½ r² or delta (|r| - ½ delta).
    cross_entropy: -target · log(pred), pred the predicted probability (of the target class when target = 1).
    bce: -[target log(pred) + (1 - target) log(1 - pred)], pred a probability.
    Probabilities are clipped to [1e-12, 1 - 1e-12] so the curve ends finite at 0 and 1.
    pred and target broadcast against each other.
    """
    lookup(_REGISTRY, name, "loss")
    pred = np.asarray(pred, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if name == "mse":
        return (pred - target) ** 2
    if name == "mae":
        return np.abs(pred - target)
    if name == "huber":
        return _huber(pred - target, get("huber", **hp).hp["delta"])
    p = np.clip(pred, 1e-12, 1 - 1e-12)
    if name == "cross_entropy":
        return -target * np.log(p)
    return -(target * np.log(p) + (1 - target) * np.log1p(-p))
