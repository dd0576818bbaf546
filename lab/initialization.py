"""The experiments of the weight-initialization page: activation statistics layer by layer, symmetry, and
initializations trained side by side. Both heavy experiments are shared runs of frames (runs.shared): a class that
asks for the same setting computes it once, and a control change never waits for it.

    probe = Probe(depth=10, width=500, act="tanh", init="normal", std=0.01)   # cs231n lecture 6
    spec = stats_run(probe)       # frames: the batch goes forward one layer per step, then the gradient back
    shared.complete(spec).frames[-1].data.std       # (L,) std of the activations per layer
    sym = symmetry("constant")    # a net whose units all start equal, after 100 updates
    spec = training_run("deep_relu", std=0.01)     # one trainer per initialization, same data and seed
    sigma, gain = predicted_gain("relu", "he_normal", 1.0, 500)

The probe draws each layer's weights from its own random stream (seed, layer), so a layer can be computed (or its
weights drawn again for the backward pass) without drawing the others. Shapes: N = N_INPUTS inputs, K = KEPT of
them for the backward pass (HIST_INPUTS of those for the histograms), H = width units per layer,
L = depth hidden layers, B = BINS histogram bins, S shown layers (at most 10), T recorded steps.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core import activations, compare, data, initializers, losses, nn, probe, train
from runs import shared
from lab.settings import SEED, Settings, choice, level, number

N_INPUTS, KEPT, BINS = 1000, 200, 30  # cs231n lecture 6: randn(1000, 500) through 10 tanh layers of 500
HIST_INPUTS = 100  # the histograms count the values of the first 100 inputs (50,000 per layer at width 500)
INITS = ("normal", "zeros", "constant", "xavier_normal", "he_normal", "lecun_normal")
ACTIVATIONS = ("tanh", "sigmoid", "relu", "selu")
STDS = (1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)  # the σ slider of "normal"
WIDTHS = (50, 100, 200, 500)
# Side-by-side training presets (moons, full batch, SGD with momentum, STEPS updates). deep_relu is He et al.
# 2015's 30-layer ReLU experiment at small scale: Xavier's signal halves in variance per layer and stalls.
PRESETS = {
    "deep_relu": {"activation": "relu", "depth": 30, "width": 32, "lr": 0.01,
                  "inits": ("normal", "xavier_normal", "he_normal")},
    "tanh": {"activation": "tanh", "depth": 6, "width": 32, "lr": 0.05,
             "inits": ("zeros", "constant", "normal", "xavier_normal")},
}
STEPS, FRAMES = 300, 40
TRAIN_FRAMES = shared.frame_steps(STEPS, FRAMES)  # the steps the side-by-side run keeps a frame at
SYMMETRY_REFERENCE = "he_normal"  # the random init the symmetric one is shown beside
SYMMETRIC = ("constant", "zeros")
# |a| beyond which a unit counts as saturated (its local gradient is nearly 0), as core.probe counts it
_SATURATED = {"tanh": lambda a: np.abs(a) > 0.99, "sigmoid": lambda a: (a < 0.01) | (a > 0.99)}


@dataclass(frozen=True)
class Probe:
    """The activation-statistics experiment: N_INPUTS standard-normal inputs through ``depth`` hidden layers of
    ``width`` units, activation ``act``, no bias; ``init`` a name, or "normal": W ~ N(0, std²) (std is ignored, and
    kept at the default, for the named inits)."""
    depth: int = 10
    width: int = 500
    act: str = "tanh"
    init: str = "normal"
    std: float = 0.01
    seed: int = 0

    def __post_init__(self):
        if self.init != "normal":
            object.__setattr__(self, "std", 0.01)  # one key per experiment that is actually run


@dataclass(frozen=True)
class Defaults:
    """The page's defaults: the probe of section 1, the symmetric init of section 2, the preset of section 3."""
    probe: Probe = Probe()
    sym: str = "constant"
    preset: str = "deep_relu"


DEFAULTS = Defaults()
_P = DEFAULTS.probe
SETTINGS = Settings(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    choice("act", "initialization.activation", ACTIVATIONS, _P.act, name="activation"),
    choice("init", "initialization.init", INITS, _P.init),
    level("std", "initialization.std", STDS, _P.std, help="initialization.std_help", note="initialization_std_note"),
    number("depth", "initialization.depth", 2, 20, _P.depth),
    choice("width", "initialization.width", WIDTHS, _P.width),
    SEED.but(default=_P.seed),
    choice("sym", "initialization.sym_init", SYMMETRIC, DEFAULTS.sym),
    choice("preset", "initialization.preset", tuple(PRESETS), DEFAULTS.preset, words="initialization.preset_"),
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.initializers.Initializer.__call__", "core.initializers.Normal", "core.initializers.XavierNormal",
               "core.initializers.HeNormal", "core.initializers.LecunNormal", "core.initializers.Zeros",
               "core.layers.Dense.__init__", "core.probe.activation_stats")


# ---- 1. the classic experiment, one layer per step ------------------------------------------------------------

@shared.memo(max_bytes=16 * 2**20)
def inputs(seed: int, width: int) -> np.ndarray:
    """(N, H) standard-normal inputs of the probe (float32), the same for every experiment with this seed and width."""
    return np.random.default_rng([seed, 7]).standard_normal((N_INPUTS, width), dtype=np.float32)


class LayerProbe:
    """The probe as a live object: ``run(n)`` computes n more layer passes, forward (layer 1, 2, ... L) then
    backward (the gradient of layer L, L−1, ... 1); ``step`` counts them, 2L in all.

    The backward pass starts from dL/d(output) ~ N(0, 1) at an output layer of ``width`` units, as in
    core.probe.activation_stats (its scale is arbitrary: read the gradients across layers, Glorot & Bengio 2010
    fig. 7). float32 for speed; a layer whose values leave float32's range is computed again in float64.
    """

    def __init__(self, p: Probe):
        self.p, self.step, self.total = p, 0, 2 * p.depth
        self.act = activations.get(p.act)
        self.init = initializers.get(p.std if p.init == "normal" else p.init)
        self.h = inputs(p.seed, p.width)  # read-only, shared: every layer's output is a new array
        nan = np.full(p.depth, np.nan)
        self.mean, self.std, self.saturated, self.zeros, self.grad_std = (nan.copy() for _ in range(5))
        self.kept_a: list = []                  # per layer (HIST_INPUTS, H): the activations the histograms count
        self.kept_d: list = []                  # per layer (K, H): f'(z), what the backward pass needs
        self.kept_g: list = [None] * p.depth    # per layer (HIST_INPUTS, H): dL/dz, for the histograms
        self.grad_a = None                      # (K, H) dL/da of the layer the backward pass reaches next

    @property
    def stopped(self) -> bool:
        return self.step >= self.total

    def weights(self, layer: int) -> np.ndarray:
        """W (H, H) of dense layer ``layer`` (0-based; ``depth`` is the output layer), from its own stream."""
        n, rng = self.p.width, np.random.default_rng([self.p.seed, 11, layer])
        if self.init.name in ("zeros", "constant"):
            return self.init(n, n, rng, np.float32)
        return rng.standard_normal((n, n), dtype=np.float32) * np.float32(self.init.std(n, n))

    def run(self, n: int) -> "LayerProbe":
        with np.errstate(all="ignore"):  # a saturated or exploding probe is a result, not an error
            for _ in range(int(n)):
                if self.stopped:
                    break
                if self.step < self.p.depth:
                    self._forward(self.step)
                else:
                    self._backward(self.total - 1 - self.step)
                self.step += 1
        return self

    def _forward(self, layer: int) -> None:
        W = self.weights(layer)
        z = self.h @ W
        if not np.all(np.isfinite(z)):  # beyond float32's 3e38: this layer and the rest in float64
            z = self.h.astype(np.float64) @ W.astype(np.float64)
        a = self.act.forward(z)
        self.mean[layer], self.std[layer] = a.mean(dtype=np.float64), a.std(dtype=np.float64)
        saturates = _SATURATED.get(self.p.act)
        self.saturated[layer] = saturates(a).mean() if saturates else 0.0
        self.zeros[layer] = np.mean(a == 0)
        self.kept_a.append(a[:HIST_INPUTS].copy())
        self.kept_d.append(self.act.derivative(z[:KEPT]))
        self.h = a
        if layer == self.p.depth - 1:  # the top: dL/d(output) ~ N(0, 1) back through the output layer
            dout = np.random.default_rng([self.p.seed, 13]).standard_normal((KEPT, self.p.width), dtype=np.float32)
            self.grad_a = dout.astype(a.dtype) @ self.weights(self.p.depth).T.astype(a.dtype)
            self.h = None  # the forward signal is not needed any more

    def _backward(self, layer: int) -> None:
        grad_z = self.grad_a * self.kept_d[layer]
        self.kept_d[layer] = None
        self.grad_std[layer] = grad_z.std(dtype=np.float64)
        self.kept_g[layer] = grad_z[:HIST_INPUTS].copy()
        self.grad_a = grad_z @ self.weights(layer).T.astype(grad_z.dtype) if layer else None


@dataclass(frozen=True)
class StatsView:
    """The probe at one frame. forward / backward: layers computed so far in each direction.
    mean, std, saturated, zeros, grad_std: (L,), NaN where not computed yet; shown: the S layers drawn (0-based);
    a_range, g_range: the histograms' ranges; act_hists, grad_hists: S entries, (counts (B,), edges (B + 1,))
    or None for a layer not computed yet; gain: std_L / std_{L−1} once the last layer is computed, else NaN."""
    forward: int
    backward: int
    mean: np.ndarray
    std: np.ndarray
    saturated: np.ndarray
    zeros: np.ndarray
    grad_std: np.ndarray
    shown: tuple
    a_range: tuple
    act_hists: tuple
    g_range: tuple
    grad_hists: tuple
    gain: float


def shown_layers(depth: int) -> tuple:
    """At most 10 layers (0-based), spread over the depth, always the first and the last."""
    return tuple(sorted(set(np.linspace(0, depth - 1, min(depth, 10)).round().astype(int).tolist())))


def _act_range(act: str, kept: list) -> tuple:
    """tanh [-1, 1], sigmoid [0, 1]; ReLU (0, max] leaving out its exact zeros; else the values' range."""
    if act in ("tanh", "sigmoid"):
        return (-1.0, 1.0) if act == "tanh" else (0.0, 1.0)
    finite = [a[np.isfinite(a)] for a in kept]
    finite = [a for a in finite if a.size]
    lo, hi = (min(float(a.min()) for a in finite), max(float(a.max()) for a in finite)) if finite else (-1.0, 1.0)
    if act == "relu":
        lo = 1e-12  # zeros sit outside the range: the bars show the active half
    return (lo, hi) if hi > lo else (lo - 1.0, lo + 1.0)


def _hist(values: np.ndarray, value_range: tuple):
    finite = values[np.isfinite(values)]
    return np.histogram(finite, bins=BINS, range=value_range)


def stats_snapshot(pr: LayerProbe) -> StatsView:
    depth = pr.p.depth
    forward, backward = min(pr.step, depth), max(0, pr.step - depth)
    shown = shown_layers(depth)
    with np.errstate(all="ignore"):
        a_range = _act_range(pr.p.act, pr.kept_a)
        act_hists = tuple(_hist(pr.kept_a[i], a_range) if i < forward else None for i in shown)
        g_max = np.nanmax([3 * s for s in pr.grad_std if np.isfinite(s)] or [0.0])
        g_range = (-float(g_max), float(g_max)) if g_max > 0 else (-1.0, 1.0)
        grad_hists = tuple(_hist(pr.kept_g[i], g_range) if pr.kept_g[i] is not None else None for i in shown)
        gain = pr.std[-1] / pr.std[-2] if depth > 1 and forward == depth and pr.std[-2] > 0 else np.nan
    return StatsView(forward, backward, pr.mean.copy(), pr.std.copy(), pr.saturated.copy(), pr.zeros.copy(),
                     pr.grad_std.copy(), shown, a_range, act_hists, g_range, grad_hists,
                     float(gain) if np.isfinite(gain) else float("nan"))


def stats_run(p: Probe) -> shared.RunSpec:
    """The probe as shared frames: one per layer pass (2·depth + 1 frames, the first before any layer)."""
    return shared.RunSpec(key=("initialization", "stats", p), build=lambda: LayerProbe(p), snapshot=stats_snapshot,
                          steps=tuple(range(2 * p.depth + 1)))


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

@shared.memo(max_bytes=2**20)
def moons(seed: int = 0) -> data.Dataset:
    """The two-moons data every training experiment of the page uses."""
    return data.get("moons", seed=seed)


@shared.memo(max_bytes=2**20)
def symmetry(init: str, seed: int = 0, steps: int = 100, lr: float = 0.5) -> probe.SymmetryResult:
    """A tanh net with two hidden layers of 8 units, every weight started by ``init``, after ``steps`` full-batch
    SGD updates (lr 0.5) on moons: are its units still copies of each other? (core.probe.symmetry's experiment,
    with only the final state evaluated.)"""
    ds = moons(seed)
    net = nn.MLP([ds.n_features, 8, 8, ds.n_outputs], activation="tanh", init=initializers.get(init), seed=seed)
    loss = losses.get("cross_entropy")
    with np.errstate(all="ignore"):
        for _ in range(steps):
            _, dout = loss(net.forward(ds.x_train, train=True), ds.y_train)
            net.backward(dout, need_dx=False)
            net.flat_params -= lr * net.flat_grads  # plain SGD on every parameter at once
        out = net.forward(ds.x_train, train=False)
        value, _ = loss(out, ds.y_train)
    weight_spread = np.array([_spread(W) for W in net.weights[:-1]])
    output_spread = np.array([_spread(t.a) for t in net.trace[:-1]])
    return probe.SymmetryResult(
        init=init, steps=steps, weight_spread=weight_spread, output_spread=output_spread,
        identical=(weight_spread <= 1e-12) & (output_spread <= 1e-12), loss=np.array([value]),
        train_acc=float(np.mean(np.argmax(out, axis=1) == ds.y_train)), weights=[W.copy() for W in net.weights[:-1]])


def _spread(a) -> float:
    """a (R, H) -> max over unit pairs i, j of max_r |a[r, i] - a[r, j]| (= max_r of max - min)."""
    return float(np.max(a.max(axis=1) - a.min(axis=1)))


# ---- 3. side by side -------------------------------------------------------------------------------

def side_by_side(preset: str, std: float = 0.01, seed: int = 0) -> compare.Group:
    """One trainer per initialization of PRESETS[preset] ("normal" with W ~ N(0, std²)): the same moons,
    seed and network, full batch, SGD with momentum, a history row every 5 updates."""
    p = PRESETS[preset]
    ds = moons(seed)
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


@dataclass(frozen=True)
class MemberView:
    """One initialization at a frame: step, train_loss, first_grad ‖∂L/∂W₁‖ (T,), and where it diverged."""
    step: np.ndarray
    train_loss: np.ndarray
    first_grad: np.ndarray
    diverged_at: int | None


def training_snapshot(group: compare.Group) -> dict:
    """{init: MemberView} of the side-by-side group at its current step."""
    grads = first_layer_grad_norms(group)
    return {name: MemberView(np.array(tr.history["step"]), np.array(tr.history["train_loss"]),
                             np.array(grads[name][1]), tr.diverged_at) for name, tr in group.items()}


def training_run(preset: str, std: float = 0.01, seed: int = 0) -> shared.RunSpec:
    """The side-by-side run as shared frames (FRAMES + 1 over STEPS); std matters only when "normal" is in it."""
    std = std if "normal" in PRESETS[preset]["inits"] else None
    return shared.RunSpec(key=("initialization", "train", preset, std, seed),
                          build=lambda: side_by_side(preset, std, seed), snapshot=training_snapshot,
                          steps=TRAIN_FRAMES)


def warm() -> None:
    """The defaults of every section, computed at server start; then the probes the question and the "try this"
    list ask for next (σ = 1, Xavier; ReLU with Xavier and He; SELU with LeCun), and the other symmetric init."""
    d = DEFAULTS
    with shared.pinned():
        inputs(d.probe.seed, d.probe.width)
        shared.complete(stats_run(d.probe))
        for init in (d.sym, SYMMETRY_REFERENCE):
            symmetry(init, d.probe.seed)
        shared.complete(training_run(d.preset, d.probe.std, d.probe.seed))
    for variant in (replace(d.probe, std=1.0), replace(d.probe, init="xavier_normal"),
                    replace(d.probe, act="relu", init="xavier_normal"), replace(d.probe, act="relu", init="he_normal"),
                    replace(d.probe, act="selu", init="lecun_normal")):
        shared.complete(stats_run(variant))
    symmetry("zeros", d.probe.seed)


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(act: str, init: str, std: float, width: int):
    """The page's quick checks at its setting, from ``predicted_gain`` and ``recommended_stds``."""
    from lab.common import choice_check, exact_check, nearest_check

    sigma, gain = predicted_gain(act, init, std, width)
    stds = recommended_stds(width)
    gains = {name: abs(np.log(predicted_gain(act, name, std, width)[1])) for name in ("xavier_normal", "he_normal",
                                                                                       "normal")}
    return [
        nearest_check("check1", gain, [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30], log=True,
                      values=dict(act=act, sigma=f"{sigma:.3g}", width=width)),
        exact_check("check2", stds["he_normal"], [stds["xavier_normal"], 2 / width, 1 / width], dict(width=width)),
        choice_check("check3", ("xavier_normal", "he_normal", "normal"), min(gains, key=gains.get),
                     dict(act=act, std=f"{std:g}", width=width)),
    ]
