"""The experiments of the weight-initialization page: activation statistics layer by layer, symmetry, and
initializations trained side by side.

    r = layer_statistics(10, 500, "tanh", 0.01)      # cs231n lecture 6: per-layer numbers and histogram counts
    sym = symmetry("constant")                         # a net whose units all start equal, after 100 updates
    group = side_by_side("deep_relu")                 # one trainer per initialization, same data and seed
    sigma, gain = predicted_gain("relu", "he_normal", 1.0, 500)

Shapes: N = N_INPUTS inputs, H = width units per layer, L = depth hidden layers, B = BINS histogram bins,
S shown layers (at most 10), T recorded steps.
"""
from __future__ import annotations

import numpy as np

from core import compare, data, initializers, nn, probe, train

N_INPUTS, BINS = 1000, 30  # cs231n lecture 6: randn(1000, 500) through 10 tanh layers of 500
INITS = ("normal", "zeros", "constant", "xavier_normal", "he_normal", "lecun_normal")
ACTIVATIONS = ("tanh", "sigmoid", "relu", "selu")
# Side-by-side training presets (moons, full batch, SGD with momentum, STEPS updates). deep_relu is He et al.
# 2015's 30-layer ReLU experiment at small scale: Xavier's signal halves in variance per layer and stalls.
PRESETS = {
    "deep_relu": {"activation": "relu", "depth": 30, "width": 32, "lr": 0.01,
                  "inits": ("normal", "xavier_normal", "he_normal")},
    "tanh": {"activation": "tanh", "depth": 6, "width": 32, "lr": 0.05,
             "inits": ("zeros", "constant", "normal", "xavier_normal")},
}
STEPS = 300
SYMMETRY_REFERENCE = "he_normal"  # the random init the symmetric one is shown beside


# ---- 1. the classic experiment ------------------------------------------------------------------

def layer_statistics(depth: int, width: int, act: str, init, seed: int = 0, gradients: bool = True) -> dict:
    """The activation-statistics probe (``probe.activation_stats`` on N_INPUTS standard-normal inputs, no bias),
    reduced to per-layer numbers and histogram counts.

    init: a name or a float std (W ~ N(0, std²)); gradients: run the backward pass too (the page shows it only
    once the guess is revealed). float32 and no dL/dW (half the cost): the statistics agree with float64 to ~4
    digits, gradients through saturated units to the same order of magnitude (tests/test_probe.py).

    -> mean, std, saturated, zeros: (L,); shown: the S layers drawn (0-based, spread over the depth);
    a_range: the activations' histogram range; act_hists: S (counts (B,), edges (B + 1,));
    gain: the measured std ratio of the last two layers (NaN when it cannot be read);
    with gradients also grad_std (L,), g_range and grad_hists (S histograms).
    """
    s = probe.activation_stats(depth, width, act, init, n=N_INPUTS, seed=seed, backward=gradients,
                               dtype=np.float32, weight_grads=False)
    if not (np.isfinite(s.std).all() and np.isfinite(s.grad_std).all()):  # beyond float32's 3e38: redo in float64
        s = probe.activation_stats(depth, width, act, init, n=N_INPUTS, seed=seed, backward=gradients,
                                   weight_grads=False)
    shown = sorted(set(np.linspace(0, depth - 1, min(depth, 10)).round().astype(int).tolist()))
    a_range = _act_range(act, s)
    r = dict(mean=s.mean, std=s.std, saturated=s.saturated, zeros=s.zero_fraction, shown=shown, a_range=a_range,
             act_hists=[s.hist(i, BINS, a_range) for i in shown], gain=_measured_gain(s.std))
    if gradients:
        finite = np.isfinite(s.grad_std)
        g_max = np.nanmax(np.where(finite, 3 * s.grad_std, np.nan)) if finite.any() else 0
        g_range = (-g_max, g_max) if g_max > 0 else (-1.0, 1.0)
        r.update(grad_std=s.grad_std, g_range=g_range,
                 grad_hists=[s.hist(i, BINS, g_range, of="gradient") for i in shown])
    return r


def _act_range(act, s):
    """tanh [-1, 1], sigmoid [0, 1]; ReLU (0, max] leaving out its exact zeros; else the data's range."""
    if act in ("tanh", "sigmoid"):
        return (-1.0, 1.0) if act == "tanh" else (0.0, 1.0)
    values = [(float(np.min(a[np.isfinite(a)])), float(np.max(a[np.isfinite(a)])))
              for a in s.activations if np.isfinite(a).any()]
    lo, hi = (min(v[0] for v in values), max(v[1] for v in values)) if values else (-1.0, 1.0)
    if act == "relu":
        lo = 1e-12  # zeros sit outside the range: the bars show the active half
    return (lo, hi) if hi > lo else (lo - 1.0, lo + 1.0)


def _measured_gain(std) -> float:
    """std (L,) -> std_L / std_{L-1}, what one layer multiplies the signal by (NaN for one layer or no signal)."""
    if len(std) > 1 and std[-2] > 0 and np.isfinite(std[-2:]).all():
        return std[-1] / std[-2]
    return float("nan")


def predicted_gain(act: str, init: str, std: float, width: int) -> tuple[float, float]:
    """(σ_W, √(k·n)·σ_W): the weights' std and the factor by which Var(z_l) ≈ k·n·σ_W²·Var(z_{l-1}) predicts
    the std grows per layer, with n = width and k = ½ for ReLU (it zeroes half its inputs; He et al. 2015), else 1."""
    sigma = std if init == "normal" else initializers.std(init, width, width)
    k = 0.5 if act == "relu" else 1.0
    return sigma, float(np.sqrt(k * width) * sigma)


def recommended_stds(width: int) -> dict:
    """{name: σ_W} of the named initializers for a square layer of ``width`` units (the page's table)."""
    return {name: initializers.std(name, width, width) for name in ("xavier_normal", "he_normal", "lecun_normal")}


# ---- 2. symmetry ----------------------------------------------------------------------------------

def symmetry(init: str, seed: int = 0) -> probe.SymmetryResult:
    """A tanh net with two hidden layers of 8 units, every weight started by ``init``, after 100 full-batch
    SGD updates (lr 0.5) on moons: are its units still copies of each other?"""
    return probe.symmetry(init, activation="tanh", hidden=(8, 8), steps=100, lr=0.5, seed=seed)


# ---- 3. side by side -------------------------------------------------------------------------------

def side_by_side(preset: str, std: float = 0.01, seed: int = 0) -> compare.Group:
    """One trainer per initialization of PRESETS[preset] ("normal" with W ~ N(0, std²)): the same moons,
    seed and network, full batch, SGD with momentum, a history row every 5 updates."""
    p = PRESETS[preset]
    ds = data.get("moons", seed=seed)
    members = {}
    for name in p["inits"]:
        net = nn.MLP([ds.n_features] + [p["width"]] * p["depth"] + [ds.n_outputs], activation=p["activation"],
                     init=std if name == "normal" else name, seed=seed)
        members[name] = train.Trainer(net, ds, optimizer="momentum", opt_kwargs={"lr": p["lr"]}, seed=seed,
                                      eval_every=5)
    return compare.Group(members)


def first_layer_grad_norms(group: compare.Group) -> dict:
    """{init: (steps (T,), ‖∂L/∂W₁‖ (T,))}: what reaches the first dense layer, per initialization."""
    return {name: (tr.history["step"], tr.history["grad_norm"][:, 0]) for name, tr in group.items()}
