"""The experiments of the vanishing/exploding gradients page: the gradient reaching every layer at initialization
(one real backward pass) beside the chain-rule bound computed from the measured weights, the activation's slope, and
plain vs clipped SGD trained side by side as a shared live run.

    net = Net(depth=12, act="sigmoid")                   # the network settings (hashable: results are shared)
    prof = profile(net)                                  # ‖δ_l‖ per layer, ‖W_l‖₂, the chain-rule bound
    spec = training_run(net, Training(lr=1.0, clip="norm"))   # "yours" (clipped) beside "plain", as frames
    group = training_group(dataset("digits"), lr=1.0, clip="norm", threshold=1.0)   # the same run, unframed

The network is nn.MLP([D] + [width] * depth + [C]). Backprop gives δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ f′(z_l), hence the
chain-rule bound ‖δ_l‖ ≤ max f′ · ‖W_{l+1}‖₂ · ‖δ_{l+1}‖: with the spectral norms of the weights actually drawn it
always holds (without batch norm, whose backward adds a factor per layer), whatever the initialization.
Shapes: N samples, D features, C classes, L = depth + 1 dense layers, G grid points, T recorded steps.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core import activations, compare, data, losses, nn, probe, train
from lab._inside import Inside, record_update
from lab._network import network_view
from runs import shared
from lab.settings import SEED, Settings, choice, flag, level, number

DATASETS = {"digits": {"n": 600}, "spirals": {}}  # 600 of the 1,797 digits keep a training step light
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
INITS = ("xavier_normal", "he_normal", "lecun_normal", "normal")
CLIPS = ("none", "norm", "value")
TOTAL_STEPS, EVAL_EVERY, BATCH, FRAMES = 300, 2, 64, 40
PROFILE_SAMPLES = 128  # the backward pass at initialization: enough samples for a stable norm, cheap at depth 50


@dataclass(frozen=True)
class Net:
    """The network settings of the page: ``depth`` hidden layers of ``width`` units, activation ``act``, init
    ("normal": W ~ N(0, std²); the page passes the default std with the named inits, which ignore it), batch norm,
    data and seed."""
    dataset: str = "digits"
    depth: int = 12
    width: int = 32
    act: str = "sigmoid"
    init: str = "xavier_normal"
    std: float = 1.0
    bn: bool = False
    seed: int = 0


@dataclass(frozen=True)
class Training:
    """The live run's settings: plain SGD at ``lr``, clipping "none", "norm" or "value" at ``threshold``."""
    lr: float = 0.1
    clip: str = "none"
    threshold: float = 1.0


DEFAULT_NET, DEFAULT_TRAINING = Net(), Training()  # the page's defaults (its controls and warm() read them)
_N, _T = DEFAULT_NET, DEFAULT_TRAINING
SETTINGS = Settings(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    choice("data", "vanishing.dataset", tuple(DATASETS), _N.dataset, name="dataset"),
    number("depth", "vanishing.depth", 2, 50, _N.depth),
    number("width", "vanishing.width", 8, 64, _N.width, 8),
    choice("act", "vanishing.activation", ACTIVATIONS, _N.act, name="activation"),
    choice("init", "vanishing.init", INITS, _N.init),
    level("std", "vanishing.std", (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0), _N.std, note="vanishing_std_note"),
    flag("bn", "vanishing.bn", _N.bn, name="batchnorm"),
    level("lr", "vanishing.lr", (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0), _T.lr),
    choice("clip", "vanishing.clip", CLIPS, _T.clip, words="vanishing.clip_", horizontal=True),
    level("thr", "vanishing.threshold", (0.01, 0.1, 0.3, 1.0, 3.0, 10.0), _T.threshold, name="threshold",
          note="vanishing_threshold_note"),
    SEED.but(default=_N.seed),
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.nn.MLP.backward", "core.layers.Dense.backward_textbook", "core.layers.Dense.backward",
               "core.activations.Sigmoid.derivative",
               "core.probe.gradient_profile", "core.regularization.clip_by_global_norm",
               "core.regularization.clip_by_value")
STEPS = shared.frame_steps(TOTAL_STEPS, FRAMES)  # the steps a run keeps a frame at (the same for every setting)


@shared.memo(max_bytes=4 * 2**20)
def dataset(name: str = "digits", seed: int = 0) -> data.Dataset:
    """The page's data set ``name`` (a key of DATASETS) drawn with ``seed``."""
    return data.get(name, seed=seed, **DATASETS[name])


def network(ds: data.Dataset, depth: int = 12, width: int = 32, act: str = "sigmoid", init: str = "xavier_normal",
            std: float = 1.0, bn: bool = False, seed: int = 0) -> nn.MLP:
    """``depth`` hidden layers of ``width`` units between ds's D inputs and C outputs; ``std`` is used by "normal"."""
    return nn.MLP([ds.n_features] + [width] * depth + [ds.n_outputs], activation=act,
                  init=std if init == "normal" else init, batchnorm=bn, seed=seed)


def _net_kwargs(net: Net) -> dict:
    return dict(depth=net.depth, width=net.width, act=net.act, init=net.init, std=net.std, bn=net.bn, seed=net.seed)


@shared.memo(max_bytes=16 * 2**20)
def initial_weights(net: Net) -> tuple:
    """The L weight matrices a network of these settings starts from: drawn once, shared by its profile and its
    runs (read-only)."""
    return tuple(network(dataset(net.dataset, net.seed), **_net_kwargs(net)).weights)


def fresh_network(net: Net) -> nn.MLP:
    """A network of these settings as ``network`` draws it, its weights copied from ``initial_weights``."""
    ds = dataset(net.dataset, net.seed)
    model = nn.MLP([ds.n_features] + [net.width] * net.depth + [ds.n_outputs], activation=net.act, init="zeros",
                   batchnorm=net.bn, seed=net.seed)
    for W, W0 in zip(model.weights, initial_weights(net)):
        W[...] = W0  # in place: the layers' arrays are views into the network's flat buffer
    return model


# ---- at initialization ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    """One forward/backward pass at initialization, per dense layer l = 1..L (input side first), arrays (L,).

    delta_norm: ‖δ_l‖ = ‖∂L/∂z_l‖, the gradient reaching layer l (the logits' for l = L);
    weight_grad_norm: ‖∂L/∂W_l‖ = ‖h_{l−1}ᵀ δ_l‖, what the optimizer receives;
    spectral_norm: ‖W_l‖₂ (largest singular value) of the weights drawn; max_slope: max_z f′(z);
    bound: the chain-rule bound on ‖δ_l‖, ‖δ_L‖ · Π_{k=l}^{L−1} max f′ · ‖W_{k+1}‖₂, or None with batch norm.
    """
    delta_norm: np.ndarray
    weight_grad_norm: np.ndarray
    spectral_norm: np.ndarray
    max_slope: float
    bound: np.ndarray | None

    @property
    def ratio(self) -> float:
        """‖δ_1‖ / ‖δ_out‖ measured (NaN when it cannot be read: an overflowed or silent pass)."""
        first, last = self.delta_norm[0], self.delta_norm[-1]
        with np.errstate(all="ignore"):
            value = first / last
        return float(value) if np.isfinite(value) and value > 0 else float("nan")

    @property
    def bound_ratio(self) -> float:
        """Π_{l=1}^{L−1} max f′ · ‖W_{l+1}‖₂: what the chain rule allows for ‖δ_1‖ / ‖δ_out‖ (NaN with batch norm)."""
        if self.bound is None:
            return float("nan")
        with np.errstate(all="ignore"):
            value = float(np.prod(self.max_slope * self.spectral_norm[1:]))
        return value if np.isfinite(value) else float("inf")


@shared.memo(max_bytes=4096)
def max_slope(act: str) -> float:
    """max_z f′(z) on a fine grid of z in [-10, 10] (sigmoid 0.25, tanh 1, the ReLU family 1)."""
    return float(np.max(activations.get(act).derivative(np.linspace(-10.0, 10.0, 4001))))


def spectral_norms(weights) -> np.ndarray:
    """(L,) ‖W‖₂ of each matrix; the square hidden ones in one batched call (inf for a non-finite matrix)."""
    out = np.full(len(weights), np.inf)
    square = [i for i, W in enumerate(weights) if W.shape[0] == W.shape[1] and np.all(np.isfinite(W))]
    if square:
        out[square] = np.linalg.svd(np.stack([weights[i] for i in square]), compute_uv=False)[:, 0]
    for i, W in enumerate(weights):
        if i not in square and np.all(np.isfinite(W)):
            out[i] = np.linalg.norm(W, 2)
    return out


@shared.memo(max_bytes=4 * 2**20)
def profile(net: Net) -> Profile:
    """The gradient of every layer at initialization on the first PROFILE_SAMPLES training samples (one real
    backward pass, training mode: batch norm uses the batch statistics)."""
    ds = dataset(net.dataset, net.seed)
    model = fresh_network(net)
    x, y = ds.x_train[:PROFILE_SAMPLES], ds.y_train[:PROFILE_SAMPLES]
    with np.errstate(all="ignore"):
        _, dout = losses.get("cross_entropy")(model.forward(x, train=True), y)
        model.backward(dout, need_dx=False)
        delta = np.array([_norm(t.grad_z) for t in model.trace])
        weight_grad = np.array([_norm(t.grad_W) for t in model.trace])
        spectral = spectral_norms(model.weights)
        slope = max_slope(net.act)
        bound = None
        if not net.bn:
            factors = slope * spectral[1:]  # layer l's δ is at most this times layer l+1's
            bound = delta[-1] * np.append(np.cumprod(factors[::-1])[::-1], 1.0)
    return Profile(delta, weight_grad, spectral, slope, bound)


def _norm(a) -> float:
    return float(np.sqrt(np.sum(np.square(a))))


@shared.memo(max_bytes=2**20)
def slope(act: str, z_max: float = 6.0, n: int = 241) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """z (G,) on [-z_max, z_max], f(z) (G,) and f'(z) (G,) of activation ``act``."""
    f, z = activations.get(act), np.linspace(-z_max, z_max, n)
    return z, f.forward(z), f.derivative(z)


# ---- while training --------------------------------------------------------------------------------------------

class Runs(compare.Group):
    """The page's runs side by side; once every member has diverged, ``diverged_at`` is the last failed update
    (what the progress bar names; a member that diverges alone is named by the page beside its chart)."""

    @property
    def diverged_at(self) -> int | None:
        steps = self.diverged_steps()
        return max(steps.values()) if self.stopped and steps else None


def training_group(ds: data.Dataset, lr: float, clip: str = "none", threshold: float = 1.0, make=None,
                   **net) -> compare.Group:
    """Plain SGD (batches of BATCH, a history row every EVAL_EVERY updates) on the network ``net``
    (``make()``, when given, builds that network).

    clip "none": one member, "yours". clip "norm"/"value": "yours" clips its gradient (by global norm or by value
    at ``threshold``) and "plain", the same network and batches without clipping, runs beside it."""
    if clip not in CLIPS:
        raise ValueError(f"unknown clip {clip!r}; valid: {', '.join(CLIPS)}")
    make = make or (lambda: network(ds, **net))

    def trainer(**clipping):
        return train.Trainer(make(), ds, optimizer="sgd", opt_kwargs={"lr": lr}, batch_size=BATCH,
                             seed=net.get("seed", 0), eval_every=EVAL_EVERY, **clipping)

    members = {"yours": trainer(**({f"clip_{clip}": threshold} if clip != "none" else {}))}
    if clip != "none":
        members["plain"] = trainer()
    group = Runs(members)
    group.initial_weights = [W.copy() for W in members["yours"].net.weights]  # what weights_moved measures from
    return group


def weights_moved(group: compare.Group, initial: list) -> dict:
    """{member: (L,) ‖W_l − W_l⁰‖ / ‖W_l⁰‖} for every member that has taken a step and not diverged."""
    return {label: probe.relative_change(tr.net.weights, initial) for label, tr in group.items()
            if tr.step and not tr.diverged}


@dataclass(frozen=True)
class MemberView:
    """One member of the run at a frame: step, train_loss (T,), grad_norm (T, L) ‖∂L/∂W_l‖ before clipping,
    moved (L,) relative change of each layer's weights (None before the first step or after divergence)."""
    step: np.ndarray
    train_loss: np.ndarray
    grad_norm: np.ndarray
    moved: np.ndarray | None
    diverged_at: int | None


@dataclass(frozen=True)
class View:
    """What the page draws of the run at one frame: its members ("yours", then "plain" when clipping) and step."""
    members: dict
    step: int


def snapshot(group: compare.Group) -> View:
    moved = weights_moved(group, group.initial_weights)
    members = {label: MemberView(np.array(tr.history["step"]), np.array(tr.history["train_loss"]),
                                 np.array(tr.history["grad_norm"]), moved.get(label), tr.diverged_at)
               for label, tr in group.items()}
    return View(members, int(group.step))


def training_run(net: Net, training: Training) -> shared.RunSpec:
    """The live run of ``net`` trained with ``training``, as FRAMES + 1 shared frames over TOTAL_STEPS."""
    def build():
        return training_group(dataset(net.dataset, net.seed), training.lr, training.clip, training.threshold,
                              make=lambda: fresh_network(net), **_net_kwargs(net))

    return shared.RunSpec(key=("vanishing", net, training), build=build, snapshot=snapshot,
                          steps=STEPS)


@shared.memo(max_bytes=8 * 2**20)
def inside(net: Net, training: Training, step: int) -> Inside:
    """Update ``step`` + 1 of the page's run ("yours"), narrated: the network before it (units coloured by their
    mean activation on a batch) and what the update computed, the gradient reaching every layer on its way back
    (lab._inside.record_update). Starts from a copy of the class's live run when it stands at ``step`` (a paused
    run), else trains a fresh copy to ``step``; shared by the class, one computation per step. A step at or past the
    run's end is refused before anything trains (ValueError)."""
    if not 0 <= step < TOTAL_STEPS:
        raise ValueError(f"the run has no update after step {step}")
    spec = training_run(net, training)
    group = shared.live_copy(spec, step) or spec.build()
    tr = dict(group.items())["yours"]
    tr.run(step - tr.step)
    if tr.done:
        raise ValueError(f"the run has no update after step {step}")
    x, y = tr.x_train[:1], tr.labels_train[:1]
    return Inside(network_view(tr, x, y, batch=tr.x_train[:BATCH]), record_update(tr))


def warm() -> None:
    """The page's defaults, computed at server start: the profile, the slope and the trained default run; then what
    the "try this" list asks for first (ReLU + He, tanh with std 1; ReLU + He trained at lr 1 with and without
    clipping), unpinned."""
    with shared.pinned():
        profile(DEFAULT_NET)
        slope(DEFAULT_NET.act)
        shared.complete(training_run(DEFAULT_NET, DEFAULT_TRAINING))
    relu = replace(DEFAULT_NET, act="relu", init="he_normal")
    for variant in (relu, replace(DEFAULT_NET, act="tanh", init="normal", std=1.0, depth=20)):
        profile(variant)
    for training in (DEFAULT_TRAINING, Training(lr=1.0), Training(lr=1.0, clip="norm")):  # "try this", in class
        shared.complete(training_run(relu, training))


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(prof: Profile, net: Net):
    """The page's quick checks at its setting, from the profile it drew (``profile``) and ``max_slope``."""
    from lab.common import choice_check, nearest_check

    delta = np.asarray(prof.delta_norm, dtype=float)
    ratio = float(delta[-1] / delta[0]) if np.isfinite(delta).all() and delta[0] > 0 else np.inf
    third = len(delta) // 3
    parts = {"first": delta[:third].max(initial=0), "middle": delta[third:2 * third].max(initial=0),
             "last": delta[2 * third:].max(initial=0)}
    # ratio = last layer's / layer 1's: binned by orders of magnitude, the edges far from the page's settings
    band = ("much_smaller" if ratio > 1000 else "smaller" if ratio > 10 else "same" if ratio >= 0.1 else "larger")
    return [
        choice_check("check1", ("much_smaller", "smaller", "same", "larger"), band, dict(depth=net.depth)),
        nearest_check("check2", max_slope(net.act), [0.25, 0.5, 1.0, 2.0], dict(act=net.act), log=True),
        choice_check("check3", ("first", "middle", "last"), max(parts, key=parts.get), dict(depth=net.depth)),
    ]
