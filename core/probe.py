"""Forward-only experiments on the initialization and activation pages, run through ``nn.MLP``.

``activation_stats``: the "activation statistics" experiment of cs231n lecture 6, Deep Learning
from Scratch ch. 6 (``weight_init_activation_histogram.py``) and Glorot & Bengio 2010 figs 6-7:
standard-normal inputs through ``depth`` hidden layers of ``width`` units; per layer the
distribution of activations and of back-propagated gradients.

``symmetry``: train a small net whose weights all start equal (zeros/constant) and measure
whether its hidden units stay copies of each other (they do: nothing breaks the symmetry).

Shapes: N inputs, H = width units per layer, L = depth hidden layers, B histogram bins.
"""

from dataclasses import dataclass, field

import numpy as np

from core import data, initializers, losses, nn, train

# |a| beyond which a unit counts as saturated (its local gradient is nearly 0), by activation
_SATURATION = {
    "tanh": lambda a: np.abs(a) > 0.99,
    "sigmoid": lambda a: (a < 0.01) | (a > 0.99),
}


@dataclass
class ActivationStats:
    """Per hidden layer statistics of one probe (arrays of shape (L,) unless noted).

    mean, std: of the activations a (all N·H values of the layer).
    saturated: share of |a| > 0.99 (tanh) or a < 0.01 or a > 0.99 (sigmoid); 0 for others.
    zero_fraction: share of activations exactly 0 (ReLU's inactive side).
    grad_mean, grad_std: of the back-propagated gradient dL/dz at the layer's pre-activation z
        (NaN-free zeros when ``backward`` was False).
    weight_grad_norm: ‖dL/dW‖ (Frobenius) of each hidden layer's dense weights.
    activations, gradients: the raw (N, H) arrays per layer, stored as float32 to halve the
        memory; use ``hist`` rather than sending them to a page.
    """

    depth: int
    width: int
    activation: str
    init: str
    mean: np.ndarray
    std: np.ndarray
    saturated: np.ndarray
    zero_fraction: np.ndarray
    grad_mean: np.ndarray
    grad_std: np.ndarray
    weight_grad_norm: np.ndarray
    activations: list = field(repr=False)
    gradients: list = field(repr=False)

    def hist(self, layer, bins=30, range=None, of="activation"):
        """Histogram of layer ``layer`` (0-based) -> (counts (B,), edges (B + 1,)) via np.histogram.

        of: "activation" or "gradient". range: (lo, hi) or None for the data's own range;
        values outside the range are not counted (DLFS ch. 6 plots [0, 1] with 30 bins).
        """
        source = {"activation": self.activations, "gradient": self.gradients}
        if of not in source:
            raise ValueError(f"unknown histogram source {of!r}; valid: activation, gradient")
        if not 0 <= layer < self.depth:
            raise ValueError(f"layer must be in [0, {self.depth}), got {layer}")
        values = source[of][layer]
        if values is None:
            raise ValueError("no gradients: the probe ran with backward=False")
        return np.histogram(values, bins=bins, range=range)


def activation_stats(depth, width, activation="tanh", init="xavier_normal", n=1000, d_in=None,
                     bias=False, seed=0, backward=True, batchnorm=False, init_kwargs=None,
                     dtype=np.float64, weight_grads=True):
    """Push x ~ N(0, 1), shape (n, d_in), through ``depth`` hidden layers of ``width`` units.

    init: an initializer name, or a float: W ~ N(0, init²) (cs231n's 0.01 and 1.0). d_in
    defaults to ``width`` (cs231n: 1000 inputs of 500 features). bias False as in the lecture.
    The network is ``nn.MLP([d_in] + [width] * depth + [width])``: the output layer only closes the
    net. backward: feed an upstream gradient dL/dlogits ~ N(0, 1), shape (n, width), at the output
    and back-propagate it; its scale is arbitrary, so read the gradients *across layers* (Glorot &
    Bengio 2010 fig. 7), not their absolute size. The forward runs in training mode so batch
    norm (``batchnorm=True``) uses the batch statistics.
    dtype: the probe's float type; float32 (the same weight and input draws, rounded) halves the cost of
    the 1000 x 500 products and keeps every statistic to a few digits.
    weight_grads False: skip dL/dW (``weight_grad_norm`` is then NaN) and back-propagate dL/dz only,
    half the backward's cost (without batch norm; with it the full backward runs).
    """
    for name, value in (("depth", depth), ("width", width), ("n", n)):
        if not (isinstance(value, (int, np.integer)) and value >= 1):
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    d_in = width if d_in is None else d_in
    if isinstance(init, str) and init_kwargs:
        init = initializers.get(init, **init_kwargs)
    net = nn.MLP([d_in] + [width] * depth + [width], activation=activation, init=init,
                 batchnorm=batchnorm, bias=bias, seed=seed, dtype=dtype)
    rng = np.random.default_rng([seed, 7])  # inputs: a stream apart from the weights'
    x = rng.standard_normal((n, d_in)).astype(net.dtype, copy=False)
    with np.errstate(all="ignore"):  # a saturated or exploding probe is a result, not an error
        if batchnorm or weight_grads:
            net.forward(x, train=True)
            if backward:
                net.backward(rng.standard_normal((n, width)).astype(net.dtype, copy=False))
            hidden = net.trace[:-1]
        else:
            hidden = _lean_pass(net, x, rng.standard_normal((n, width)).astype(net.dtype) if backward else None)
    acts = [t.a for t in hidden]
    saturates = _SATURATION.get(net.activations[0].name)
    stats = {
        "mean": [a.mean(dtype=np.float64) for a in acts],
        "std": [a.std(dtype=np.float64) for a in acts],
        "saturated": [saturates(a).mean() if saturates else 0.0 for a in acts],
        "zero_fraction": [np.mean(a == 0) for a in acts],
        "grad_mean": [t.grad_z.mean(dtype=np.float64) if backward else 0.0 for t in hidden],
        "grad_std": [t.grad_z.std(dtype=np.float64) if backward else 0.0 for t in hidden],
        "weight_grad_norm": [(np.linalg.norm(t.grad_W) if t.grad_W is not None else np.nan) if backward else 0.0
                             for t in hidden],
    }
    return ActivationStats(
        depth=depth, width=width, activation=net.activations[0].name, init=_init_name(init),
        **{key: np.array(values, dtype=float) for key, values in stats.items()},
        activations=[a.astype(np.float32, copy=False) for a in acts],
        gradients=[t.grad_z.astype(np.float32, copy=False) if backward else None for t in hidden],
    )


def _lean_pass(net, x, dout):
    """The hidden layers of a plain MLP forward (and, given dout, dL/dz backward) without dL/dW.

    Same arithmetic as ``net.forward``/``net.backward`` for the values the probe reads; the output layer's
    forward is skipped (only its W is needed, to carry dout back). -> a list of ``nn.LayerTrace``.
    """
    hidden, h = [], x
    for block in net.blocks[:-1]:
        z = block.dense.forward(h)
        a = block.act.forward(z, train=True)
        hidden.append(nn.LayerTrace(z=z, a=a, out=a))
        h = a
    if dout is not None:
        grad_a = dout @ net.blocks[-1].dense.W.T
        for i in range(len(hidden) - 1, -1, -1):
            t = hidden[i]
            t.grad_a = grad_a
            t.grad_z = net.blocks[i].act.backward(grad_a)
            if i:
                grad_a = t.grad_z @ net.blocks[i].dense.W.T
    for block in net.blocks:
        block.dense.x = None
    return hidden


@dataclass
class SymmetryResult:
    """Whether hidden units stay identical during training (per hidden layer, shape (L,)).

    weight_spread: max over pairs of units i, j of max |W[:, i] - W[:, j]| (their incoming weights).
    output_spread: max over pairs of units of max |a_i - a_j| over the training inputs.
    identical: both spreads <= ``tol``. loss: (T,) training loss per step; train_acc: final.
    weights: the trained W (H_prev, H) of every hidden layer (copies), e.g. for a heat map.
    """

    init: str
    steps: int
    weight_spread: np.ndarray
    output_spread: np.ndarray
    identical: np.ndarray
    loss: np.ndarray
    train_acc: float
    weights: list = field(default_factory=list, repr=False)


def symmetry(init="zeros", activation="tanh", hidden=(8, 8), dataset="moons", steps=100,
             optimizer="sgd", lr=0.5, seed=0, init_kwargs=None, tol=1e-12):
    """Train ``nn.MLP([2, *hidden, C])`` with ``init`` on every dense layer for ``steps`` full-batch
    updates and measure how different its hidden units became.

    With "zeros" or "constant" every unit of a layer receives the same gradient at every step,
    so the units remain copies (identical True) and the net is as narrow as one unit per layer;
    a random init (e.g. "xavier_normal") breaks the symmetry from the first step.
    """
    ds = data.get(dataset, seed=seed)
    init_obj = initializers.get(init, **(init_kwargs or {}))
    net = nn.MLP([ds.n_features, *hidden, ds.n_outputs], activation=activation, init=init_obj,
                 seed=seed)
    tr = train.fit(net, ds, steps, optimizer=optimizer, opt_kwargs={"lr": lr}, seed=seed)
    with np.errstate(all="ignore"):
        net.forward(ds.x_train, train=False)
    weight_spread = np.array([_spread(W) for W in net.weights[:-1]])
    output_spread = np.array([_spread(t.a) for t in net.trace[:-1]])
    h = tr.history
    return SymmetryResult(
        init=_init_name(init_obj), steps=tr.step, weight_spread=weight_spread,
        output_spread=output_spread, identical=(weight_spread <= tol) & (output_spread <= tol),
        loss=h["train_loss"], train_acc=float(h["train_acc"][-1]) if len(h["step"]) else float("nan"),
        weights=[W.copy() for W in net.weights[:-1]],
    )


def _spread(a):
    """a (R, H) -> max over unit pairs i, j of max_r |a[r, i] - a[r, j]| (= max_r of max - min)."""
    return float(np.max(a.max(axis=1) - a.min(axis=1)))


def _init_name(init):
    if isinstance(init, initializers.Initializer):
        return init.name
    return init if isinstance(init, str) else f"normal(std={float(init):g})"


@dataclass
class GradientProfile:
    """One real forward/backward pass of a classifier, per dense layer l = 1..L (L - 1 hidden
    layers, then the output layer), input side first. Arrays have shape (L,).

    loss: the data loss of the pass.
    weight_grad_norm: ‖∂L/∂W_l‖_F, what the optimizer receives for layer l.
    delta_norm: ‖δ_l‖_F with δ_l = ∂L/∂z_l at the activation's input (the logits for the output
        layer). Without batch norm, backprop gives δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ f'(z_l), hence
        ‖δ_l‖ ≤ max f' · ‖W_{l+1}‖_2 · ‖δ_{l+1}‖: the chain-rule bound (sigmoid: max f' = 1/4).
    weight_spectral_norm: ‖W_l‖_2, the largest singular value of each dense W.
    max_slope: max over z of the hidden activation's derivative f'(z) (sigmoid 0.25, tanh 1, relu 1),
        read on a fine grid of z in [-10, 10].
    """

    loss: float
    weight_grad_norm: np.ndarray
    delta_norm: np.ndarray
    weight_spectral_norm: np.ndarray
    max_slope: float


def gradient_profile(net, x, y, loss="cross_entropy", train=True):
    """Forward ``x`` (N, D) through ``net`` (an ``nn.MLP``), take ``loss`` against labels ``y`` (N,),
    back-propagate once, and measure every layer's gradient (nothing is updated).

    train: the forward's mode (batch norm uses the batch statistics, as in a training step).
    A saturated or overflowing net is a result, not an error: non-finite norms stay in the arrays.
    """
    with np.errstate(all="ignore"):
        out = net.forward(x, train=train)
        value, dout = losses.get(loss)(out, y)
        net.backward(dout)
        grid = np.linspace(-10.0, 10.0, 4001)
        slope = max(float(np.max(act.derivative(grid))) for act in net.activations) if net.n_hidden else 1.0
        return GradientProfile(
            loss=float(value),
            weight_grad_norm=np.array([_frobenius(t.grad_W) for t in net.trace]),
            delta_norm=np.array([_frobenius(t.grad_z) for t in net.trace]),
            weight_spectral_norm=np.array([np.linalg.norm(W, 2) if np.all(np.isfinite(W)) else np.inf
                                           for W in net.weights]),
            max_slope=slope,
        )


def relative_change(weights, initial):
    """How far each layer moved: ‖W_l − W_l⁰‖_F / ‖W_l⁰‖_F for aligned lists of arrays -> (L,)."""
    if len(weights) != len(initial):
        raise ValueError(f"got {len(weights)} weight arrays but {len(initial)} initial ones")
    with np.errstate(all="ignore"):
        return np.array([np.linalg.norm(W - W0) / max(np.linalg.norm(W0), 1e-12)
                         for W, W0 in zip(weights, initial)])


def _frobenius(a):
    """‖a‖_F by a plain sum: no BLAS call, whose thread start-up dominates for small arrays."""
    return float(np.sqrt(np.sum(np.square(a))))
