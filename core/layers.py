"""Layers as forward/backward pairs (cs231n style): each keeps only what its backward needs.

Every layer has ``forward(x, train, rng=None)``, ``backward(dout) -> dx``, and aligned lists
``params``, ``grads``, ``param_names``. ``grads[i]`` is written in place by ``backward`` and
``params[i]`` is only ever changed in place, so an optimizer may keep references to both.
A network may move a layer's arrays into views of one flat buffer with ``_rebind`` (``core.nn.MLP``
does, so one optimizer call updates every parameter); each ``params[i]`` is also the attribute
named ``param_names[i]`` (``Dense.W``, ``BatchNorm.gamma``, ...).
"""
import functools

import numpy as np

from . import activations, initializers


def _check_2d(x, dim, who):
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"{who} expects input of shape (N, {dim}), got {x.shape}")


class Layer:
    """Base: no parameters. Subclasses fill ``params``/``grads``/``param_names``."""

    def __init__(self):
        self.params, self.grads, self.param_names = [], [], []

    def forward(self, x, train=False, rng=None):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    _KEPT = ()  # what forward keeps for backward (attribute names); release() lets it go

    def release(self):
        """Drop what the last forward pass kept for backward. The next forward pass works as before; a backward
        pass needs a forward pass first again."""
        for name in self._KEPT:
            setattr(self, name, None)

    def _add_param(self, name, value):
        self.params.append(value)
        self.grads.append(np.zeros_like(value))
        self.param_names.append(name)

    def _rebind(self, params, grads):
        """Replace every parameter and gradient array by the given ones (same shapes, values copied
        by the caller), keeping the named attributes pointing at the new parameter arrays."""
        self.params, self.grads = list(params), list(grads)
        for name, p in zip(self.param_names, self.params):
            setattr(self, name, p)


@functools.lru_cache(maxsize=16)
def _ones(n: int, dtype) -> np.ndarray:
    ones = np.ones(n, dtype=dtype)
    ones.flags.writeable = False  # shared between layers: nobody may change it
    return ones


class Dense(Layer):
    """Fully connected: out = x W + b, W (d_in, d_out), b (d_out,).

    ``init``: an initializer name, a float std, or an Initializer (see ``core.initializers``).
    ``rng``: Generator for the weights (default: seeded 0, so the result is reproducible).
    """

    def __init__(self, d_in, d_out, init="he_normal", bias=True, rng=None, dtype=np.float64):
        super().__init__()
        rng = np.random.default_rng(0) if rng is None else rng
        self.d_in, self.d_out = d_in, d_out
        self.W = initializers.get(init)(d_in, d_out, rng, dtype)
        self._add_param("W", self.W)
        self.b = np.zeros(d_out, dtype=dtype) if bias else None
        if bias:
            self._add_param("b", self.b)
        self.x = None

    _KEPT = ("x",)

    def forward(self, x, train=False, rng=None):
        """x: (N, d_in) -> (N, d_out). Keeps x for the weight gradient."""
        _check_2d(x, self.d_in, "Dense")
        self.x = x
        out = x @ self.W
        if self.b is not None:
            out += self.b  # in place: out is a fresh array, one temporary fewer
        return out

    def backward_textbook(self, dout, need_dx=True):
        """The same backward pass as the cs231n notes write it (``backward`` computes exactly this, faster)::

            dW = xᵀ · δ        (d_in, d_out): each weight's gradient, summed over the batch
            db = Σ_n δ         (d_out,): the bias sees every sample's δ
            dx = δ · Wᵀ        (N, d_in): the δ the layer below receives

        δ = dout (N, d_out), the loss's gradient with respect to this layer's output. Tested equal to
        ``backward`` in tests/test_layers.py; it also fills ``grads``, so either can train a network.
        """
        x, W = self.x, self.W
        dW = x.T @ dout
        self.grads[0][...] = dW
        if self.b is not None:
            db = dout.sum(axis=0)
            self.grads[1][...] = db
        return dout @ W.T if need_dx else None

    def backward(self, dout, need_dx=True):
        """dout: (N, d_out) -> dx (N, d_in); fills dW = xᵀ dout and db = Σ_n dout (``backward_textbook``, without
        the speed tricks).

        need_dx=False skips the product dout Wᵀ and returns None (a network's first layer: no one
        uses the gradient of the input data)."""
        dW = self.grads[0]
        if self.x.dtype == dout.dtype == dW.dtype:
            np.matmul(self.x.T, dout, out=dW)  # straight into the gradient array, no temporary
        else:  # mixed dtypes: compute in the promoted type, then cast on assignment
            dW[...] = self.x.T @ dout
        if self.b is not None:
            db = self.grads[1]
            if dout.dtype == db.dtype and dout.ndim == 2:  # Σ_n as 1ᵀ dout: a BLAS product, twice sum()'s speed
                np.matmul(_ones(dout.shape[0], dout.dtype), dout, out=db)
            else:
                db[...] = dout.sum(axis=0)
        return dout @ self.W.T if need_dx else None


class BatchNorm(Layer):
    """Batch normalization over the batch axis (Ioffe & Szegedy 2015), x (N, D) -> (N, D).

    Training: x̂ = (x - μ_B) / √(σ²_B + eps) with the batch mean and *biased* batch variance,
    out = γ x̂ + β. Running statistics follow PyTorch's convention:
    ``running = (1 - momentum) · running + momentum · batch``, and ``running_var`` takes the
    *unbiased* batch variance σ²_B · N / (N - 1), as PyTorch does (and as Ioffe & Szegedy's
    inference step does). A batch of 1 carries no variance, so it leaves ``running_var`` as is.
    Inference: x̂ = (x - running_mean) / √(running_var + eps).
    """

    def __init__(self, dim, momentum=0.1, eps=1e-5, dtype=np.float64):
        super().__init__()
        if not 0 <= momentum <= 1:
            raise ValueError(f"batch norm momentum must be in [0, 1], got {momentum}")
        self.dim, self.momentum, self.eps = dim, momentum, eps
        self.gamma = np.ones(dim, dtype=dtype)
        self.beta = np.zeros(dim, dtype=dtype)
        self._add_param("gamma", self.gamma)
        self._add_param("beta", self.beta)
        self.running_mean = np.zeros(dim, dtype=dtype)
        self.running_var = np.ones(dim, dtype=dtype)
        self.x_hat = self.inv_std = None
        self.train = False

    _KEPT = ("x_hat", "inv_std")

    def forward(self, x, train=False, rng=None):
        """x: (N, D) -> (N, D). Keeps x̂ and 1/σ for the backward pass."""
        _check_2d(x, self.dim, "BatchNorm")
        self.train = train
        if train:
            n = x.shape[0]
            mean, var = x.mean(axis=0), x.var(axis=0)  # biased: Ioffe & Szegedy 2015, Alg. 1
            m = self.momentum
            self.running_mean *= 1 - m
            self.running_mean += m * mean
            if n > 1:
                self.running_var *= 1 - m
                self.running_var += m * var * (n / (n - 1))  # unbiased, PyTorch convention
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta

    def backward(self, dout):
        """dout: (N, D) -> dx (N, D); fills dγ = Σ dout·x̂ and dβ = Σ dout."""
        self.grads[0][...] = (dout * self.x_hat).sum(axis=0)
        self.grads[1][...] = dout.sum(axis=0)
        dx_hat = dout * self.gamma
        if not self.train:  # running stats are constants: BN is an affine map here
            return dx_hat * self.inv_std
        n = dout.shape[0]
        # μ_B and σ_B depend on every sample, hence the two mean-subtracted terms
        return (self.inv_std / n) * (n * dx_hat - dx_hat.sum(axis=0)
                                     - self.x_hat * (dx_hat * self.x_hat).sum(axis=0))


class Dropout(Layer):
    """Inverted dropout (Srivastava et al. 2014; cs231n): each unit is zeroed with probability ``rate``
    at training time and survivors are scaled by 1 / (1 - rate), so the expected activation is
    unchanged and inference is the identity.
    """

    def __init__(self, rate):
        super().__init__()
        if not 0 <= rate < 1:
            raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate = rate
        self.mask = None

    _KEPT = ("mask",)

    def forward(self, x, train=False, rng=None):
        """x: any shape -> same shape. Keeps the scaled mask (or None at inference)."""
        if not train or self.rate == 0:
            self.mask = None
            return x
        if rng is None:
            raise ValueError("dropout in training mode needs rng (a np.random.Generator)")
        keep = 1 - self.rate
        self.mask = (rng.random(x.shape) < keep).astype(x.dtype) / np.asarray(keep, x.dtype)
        return x * self.mask

    def backward(self, dout):
        return dout if self.mask is None else dout * self.mask


class ActivationLayer(Layer):
    """Wraps an activation (name or ``core.activations`` object) as a layer, z (N, H) -> a (N, H).

    prelu: its slope becomes a parameter ``alpha`` (H,), one per unit, initialised to
    ``hp["alpha"]`` (0.25); ``dim`` is then required. rrelu: slopes are drawn from ``rng`` in training
    and reused by backward.
    """

    def __init__(self, activation, dim=None, dtype=np.float64, **hp):
        super().__init__()
        self.activation = activations.get(activation, **hp)
        self.dim = dim
        self._random_slopes = isinstance(self.activation, activations.RReLU)
        if "alpha" in self.activation.learnable:
            if dim is None:
                raise ValueError(f"activation {self.activation.name!r} learns one slope per unit: pass dim")
            self.alpha = np.full(dim, self.activation.hp["alpha"], dtype=dtype)
            self._add_param("alpha", self.alpha)
        self.z = self.slopes = None

    _KEPT = ("z", "slopes")

    def release(self):
        super().release()
        self.activation.release()

    @property
    def name(self):
        return self.activation.name

    def _extra(self):
        if self.params:
            return {"alpha": self.alpha}
        if self.slopes is not None:
            return {"slopes": self.slopes}
        return {}

    def forward(self, x, train=False, rng=None):
        """z: (N, H) -> a (N, H). Keeps z (and rrelu's slopes) for the backward pass."""
        if self.dim is not None and (x.ndim != 2 or x.shape[1] != self.dim):
            _check_2d(x, self.dim, f"ActivationLayer({self.name})")
        self.z = x
        self.slopes = None
        if self._random_slopes:
            self.slopes = self.activation.slopes(x.shape, train, rng, x.dtype)
        elif not self.params:  # no extra arguments: skip building them (this runs every step)
            return self.activation.forward(x, train, rng)
        return self.activation.forward(x, train=train, rng=rng, **self._extra())

    def backward(self, dout):
        """dout = dL/da (N, H) -> dL/dz (N, H); prelu also fills dL/dalpha = Σ_n dout · min(z, 0)."""
        if self.params:
            self.grads[0][...] = (dout * self.activation.grad_alpha(self.z)).sum(axis=0)
        elif self.slopes is None:
            return self.activation.backward(self.z, dout)
        return self.activation.backward(self.z, dout, **self._extra())
