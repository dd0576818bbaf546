"""The experiments of the vanishing/exploding gradients page: the gradient of every layer at initialization
(one real backward pass), the activation's slope, and plain vs clipped SGD trained side by side.

    ds = dataset("digits", seed=0)                       # 600 of the 1,797 digits keep a training step light
    prof = profile(ds, depth=12, act="sigmoid")          # ‖∂L/∂W_l‖ per layer, the chain-rule bound's slope
    group = training_group(ds, lr=1.0, clip="norm", threshold=1.0)   # "yours" (clipped) beside "plain"
    moved = weights_moved(group, initial_weights(ds))    # ‖W − W⁰‖ / ‖W⁰‖ per layer, per run

The network is nn.MLP([D] + [width] * depth + [C]); ``net`` below stands for its settings
depth, width, act, init ("normal": W ~ N(0, std²)), std, bn (batch norm) and seed.
Shapes: N samples, D features, C classes, L = depth + 1 dense layers, G grid points, T recorded steps.
"""
from __future__ import annotations

import numpy as np

from core import activations, compare, data, nn, probe, train

DATASETS = {"digits": {"n": 600}, "spirals": {}}  # 600 of the 1,797 digits keep a training step light
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
INITS = ("xavier_normal", "he_normal", "lecun_normal", "normal")
CLIPS = ("none", "norm", "value")
TOTAL_STEPS, EVAL_EVERY, BATCH = 300, 2, 64


def dataset(name: str = "digits", seed: int = 0) -> data.Dataset:
    """The page's data set ``name`` (a key of DATASETS) drawn with ``seed``."""
    return data.get(name, seed=seed, **DATASETS[name])


def network(ds: data.Dataset, depth: int = 12, width: int = 32, act: str = "sigmoid", init: str = "xavier_normal",
            std: float = 1.0, bn: bool = False, seed: int = 0) -> nn.MLP:
    """``depth`` hidden layers of ``width`` units between ds's D inputs and C outputs; ``std`` is used by "normal"."""
    return nn.MLP([ds.n_features] + [width] * depth + [ds.n_outputs], activation=act,
                  init=std if init == "normal" else init, batchnorm=bn, seed=seed)


def profile(ds: data.Dataset, **net) -> probe.GradientProfile:
    """The gradient of every layer at initialization, on the whole training set (one real backward pass)."""
    return probe.gradient_profile(network(ds, **net), ds.x_train, ds.y_train)


def initial_weights(ds: data.Dataset, **net) -> list:
    """Copies of the L weight matrices the network starts from (what ``weights_moved`` measures against)."""
    return [W.copy() for W in network(ds, **net).weights]


def slope(act: str, z_max: float = 6.0, n: int = 241) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """z (G,) on [-z_max, z_max], f(z) (G,) and f'(z) (G,) of activation ``act``."""
    f, z = activations.get(act), np.linspace(-z_max, z_max, n)
    return z, f.forward(z), f.derivative(z)


def training_group(ds: data.Dataset, lr: float, clip: str = "none", threshold: float = 1.0, **net) -> compare.Group:
    """Plain SGD (batches of BATCH, a history row every EVAL_EVERY updates) on the network ``net``.

    clip "none": one member, "yours". clip "norm"/"value": "yours" clips its gradient (by global norm or by value
    at ``threshold``) and "plain", the same network and batches without clipping, runs beside it."""
    if clip not in CLIPS:
        raise ValueError(f"unknown clip {clip!r}; valid: {', '.join(CLIPS)}")

    def trainer(**clipping):
        return train.Trainer(network(ds, **net), ds, optimizer="sgd", opt_kwargs={"lr": lr}, batch_size=BATCH,
                             seed=net.get("seed", 0), eval_every=EVAL_EVERY, **clipping)

    members = {"yours": trainer(**({f"clip_{clip}": threshold} if clip != "none" else {}))}
    if clip != "none":
        members["plain"] = trainer()
    return compare.Group(members)


def weights_moved(group: compare.Group, initial: list) -> dict:
    """{member: (L,) ‖W_l − W_l⁰‖ / ‖W_l⁰‖} for every member that has taken a step and not diverged."""
    return {label: probe.relative_change(tr.net.weights, initial) for label, tr in group.items()
            if tr.step and not tr.diverged}
