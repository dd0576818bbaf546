"""The experiments of the activation-functions page: curves, the sigmoid's zig-zag, its cost, dying ReLUs,
the same network with each activation, and SELU's self-normalization.

    curve = function_curve("elu", alpha=1.0)          # f and f' on a grid, with the flat (saturated) stretches
    runs = zigzag("positive", lr=0.5), zigzag("centered", lr=0.5)
    ms = time_per_million(("sigmoid", "relu"))        # median wall time per 1e6 evaluations, this machine
    group = dying_group(**DYING)                      # ReLU vs LeakyReLU vs ELU at a large learning rate
    mask = dead_units(group["relu"].net, x)           # per hidden layer, (H,) True where no gradient ever flows
    unit = dead_unit(group["relu"])                   # one dead unit's pre-activations beside a live one's
    group = compare_group(["relu", "selu"], **COMPARE)  # one net per activation, each with its recommended init
    stds = selu_stds()                                # activation std per layer of a deep SELU net, by init
    spec = dying_run(0.1, 0.0, seed=0)                # the two training experiments as shared runs of frames
    spec = race_run(("relu", "selu"), "spirals", 0.01, seed=0)

The page's defaults are in DEFAULTS (its controls and warm() read them). Both training experiments use Adam, whose
step moves every weight by about the learning rate at most, whatever the gradient: with these learning rates and
step counts no weight can grow far enough to overflow, so neither run can diverge (tests/test_page_activations.py
trains both at their largest settings).
Shapes: N samples, H units per hidden layer, L hidden layers, G grid points, T steps.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from core import activations, compare, data, nn, probe, train
from runs import shared
from lab.settings import SEED, Settings, choice, choices, level, number
from lab.common import probability_grid

FUNCTIONS = tuple(n for n in activations.NAMES if n != "linear")  # the page's menus
GUIDE_ORDER = ("selu", "elu", "leaky_relu", "relu", "tanh", "sigmoid")  # the notes' general ranking
FLAT_SLOPE = 0.05  # |f'(z)| below this counts as saturated: a unit there passes < 5 % of the gradient
_CONSTANT_NEGATIVE_SLOPE = ("leaky_relu", "prelu", "rrelu")  # f' = α on z < 0: small, but never 0 unless α = 0

# The recommended initialization for each activation (Hands-On ML ch. 11; He et al. 2015; Klambauer et al. 2017)
RECOMMENDED_INIT = {"sigmoid": "xavier_normal", "tanh": "xavier_normal", "selu": "lecun_normal"}

# Defaults of the dying-ReLU run (the page's sliders start here; tests check the claim with them).
# Adam at lr 0.1 takes steps big enough to push a ReLU unit's weighted sum below 0 on every sample.
DYING = dict(dataset="moons", hidden=(32, 32, 32), lr=0.1, bias_init=0.0, seed=0)
DYING_ACTIVATIONS = ("relu", "leaky_relu", "elu")

DYING_STEPS = 200

# Defaults of the side-by-side run
COMPARE = dict(dataset="spirals", hidden=(32, 32, 32, 32), lr=0.01, batch_size=32, seed=0)
COMPARE_DATASETS = ("spirals", "moons", "circles", "xor")
COMPARE_STEPS = 600
DYING_LRS = (1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3)  # the sliders' values (Adam)
COMPARE_LRS = (1e-3, 3e-3, 0.01, 0.03, 0.1)
FRAMES, GRID = 40, 32  # frames of a live run; side of a decision map (32 x 32 still shows each boundary)


@dataclass(frozen=True)
class Defaults:
    """The page's defaults, one place for its controls and for warm()."""
    fn: str = "relu"
    zz_lr: float = 0.5
    zz_spread: float = 1.0
    dy_lr: float = DYING["lr"]
    dy_bias: float = DYING["bias_init"]
    acts: tuple = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu")
    dataset: str = COMPARE["dataset"]
    cmp_lr: float = COMPARE["lr"]
    seed: int = 0


DEFAULTS = Defaults()
SETTINGS = Settings(  # the page's controls, each beside the section it drives (ui/controls draws them)
    SEED,
    choice("fn", "activations.function", FUNCTIONS, DEFAULTS.fn),
    # the shown function's own hyperparameter (one slider, or two for RReLU's band), at PyTorch's defaults
    number("leaky_alpha", "activations.alpha_leak", 0.0, 0.5, 0.1, 0.01),
    number("prelu_alpha", "activations.alpha_prelu", 0.0, 1.0, 0.25, 0.01),
    number("elu_alpha", "activations.alpha_elu", 0.1, 3.0, 1.0, 0.1),
    number("rrelu_lower", "activations.lower", 0.0, 1.0, 0.125, 0.005, format="%.3f"),
    number("rrelu_upper", "activations.upper", 0.0, 1.0, 0.335, 0.005, format="%.3f"),
    number("beta", "activations.beta", 0.1, 5.0, 1.0, 0.1),
    number("zz_lr", "activations.zz_lr", 0.05, 1.0, DEFAULTS.zz_lr, 0.05),
    number("zz_spread", "activations.zz_spread", 0.25, 3.0, DEFAULTS.zz_spread, 0.25),
    level("dy_lr", "activations.lr", DYING_LRS, DEFAULTS.dy_lr),
    number("dy_bias", "activations.bias", -1.0, 0.5, DEFAULTS.dy_bias, 0.05),
    choices("acts", "activations.acts", FUNCTIONS, DEFAULTS.acts, name="activations"),
    choice("ds", "activations.dataset", COMPARE_DATASETS, DEFAULTS.dataset, name="dataset"),
    level("cmp_lr", "activations.lr", COMPARE_LRS, DEFAULTS.cmp_lr, name="lr"),
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.activations._sigmoid", "core.activations.Sigmoid", "core.activations.Tanh",
               "core.activations.ReLU", "core.activations.LeakyReLU", "core.activations.ELU", "core.activations.SELU",
               "core.activations.GELU", "core.activations.Swish", "core.layers.ActivationLayer.backward")
# which hyperparameter slider each function shows: {function: {hyperparameter: setting key}}
HYPERPARAMETERS = {"leaky_relu": {"alpha": "leaky_alpha"}, "prelu": {"alpha": "prelu_alpha"},
                   "elu": {"alpha": "elu_alpha"}, "rrelu": {"lower": "rrelu_lower", "upper": "rrelu_upper"},
                   "swish": {"beta": "beta"}}
DYING_FRAMES, RACE_FRAMES = shared.frame_steps(DYING_STEPS, FRAMES), shared.frame_steps(COMPARE_STEPS, FRAMES)


# ---- each function and its derivative ---------------------------------------------------------------

@dataclass
class Curve:
    """f and f' of one activation on a grid. z, f, d: (G,).

    flat: [(z_start, z_end), ...] stretches where |f'(z)| < FLAT_SLOPE; dead: True if f' is exactly 0 there.
    band: for rrelu, (lower·z, upper·z) on z < 0 (the range the random slope covers in training), else None.
    """

    name: str
    hp: dict
    z: np.ndarray
    f: np.ndarray
    d: np.ndarray
    flat: list
    dead: bool
    band: tuple | None = None


def function_curve(name, z_range=(-6.0, 6.0), n=481, **hp) -> Curve:
    """f(z) and f'(z) of activation ``name`` (with hyperparameters ``hp``) on ``n`` points of ``z_range``.

    rrelu draws nothing here: its curve is the inference one (mean slope), its band the training range.
    """
    act = activations.get(name, **hp)
    z = np.linspace(*z_range, n)
    f, d = act.forward(z), act.derivative(z)
    band = None
    if name == "rrelu":
        neg = np.minimum(z, 0)
        band = (np.where(z < 0, act.lower * neg, z), np.where(z < 0, act.upper * neg, z))
    flat_mask = np.abs(d) < FLAT_SLOPE
    # Only the tails count: f' there tends to 0 (sigmoid, tanh, the ELU family) or is 0 (ReLU). GELU/Swish's
    # brief dip of f' through 0 near z = -1 is not saturation, and a leaky slope α > 0 never dies.
    flat = [r for r in _runs(z, flat_mask) if r[0] == z[0] or r[1] == z[-1]]
    dead = bool(flat) and bool(np.all(d[flat_mask] == 0))
    if name in _CONSTANT_NEGATIVE_SLOPE and not dead:
        flat = []
    return Curve(name, dict(act.hp), z, f, d, flat, dead, band)


def _runs(z, mask):
    """Contiguous stretches of ``mask`` as [(z_start, z_end), ...] (a stretch touching the grid's end runs to it)."""
    out, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        if start is not None and (not m or i == len(mask) - 1):
            end = i if m else i - 1
            if end > start:  # a single grid point (a zero crossing of f') is not a region
                out.append((float(z[start]), float(z[end])))
            start = None
    return out


# ---- the sigmoid's second problem: outputs that are not zero-centered ------------------------------

@dataclass
class Zigzag:
    """One run of per-sample gradient descent on a 2-weight linear unit s = w·x, loss ½(s − w*·x)².

    inputs: "positive" (x = σ(z), what a sigmoid layer passes on) or "centered" (x = σ(z) − ½ = ½ tanh(z/2)).
    path: (T + 1, 2) weights from start; updates: (T, 2) = path[1:] − path[:-1]; x: (T, 2) the sample of
    each step. steps_to_target: first step with ‖w − w*‖ < tol (None if not within max_steps).
    grid, loss: the mean loss ½ (w − w*)ᵀ E[x xᵀ] (w − w*) on a (G, G) grid over ``grid`` × ``grid``.
    """

    inputs: str
    path: np.ndarray
    updates: np.ndarray
    x: np.ndarray
    steps_to_target: int | None
    target: np.ndarray
    grid: np.ndarray
    loss: np.ndarray


def zigzag(inputs="positive", lr=0.5, spread=1.0, seed=0, start=(0.0, 0.0), target=(1.0, -1.0), tol=0.05,
           max_steps=1000, grid_n=60, lim=(-1.5, 2.5)) -> Zigzag:
    """Per-sample descent from ``start`` toward ``target`` w* (cs231n lecture 6, the sigmoid's 2nd problem).

    The gradient on w is (dL/ds)·x: a scalar times the input. With positive inputs both weights move with
    the same sign, so a step lies in the (+,+) or (−,−) quadrant and reaching w* = (1, −1) takes a zig-zag.
    Step: w ← w − lr · e · x / ‖x‖², e = (w − w*)·x. Dividing by ‖x‖² makes the step size the same for both
    input kinds (lr = 1 lands exactly on the sample's zero-error line), so only the direction differs.
    z ~ N(0, spread²) per coordinate; the same z for both kinds at the same seed.
    """
    if inputs not in ("positive", "centered"):
        raise ValueError(f"unknown inputs {inputs!r}; valid: positive, centered")
    if not 0 < lr <= 2:
        raise ValueError(f"lr must be in (0, 2], got {lr}")
    if not spread > 0:
        raise ValueError(f"spread must be > 0, got {spread}")
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, spread, (max_steps, 2))
    x = activations.get("sigmoid").forward(z)
    if inputs == "centered":
        x = x - 0.5
    target = np.asarray(target, dtype=float)
    w = np.asarray(start, dtype=float).copy()
    path, reached = [w.copy()], None
    for t in range(max_steps):
        xt = x[t]
        norm2 = float(xt @ xt)
        if norm2 > 1e-12:  # a zero input carries no gradient
            w = w - lr * float((w - target) @ xt) * xt / norm2
        path.append(w.copy())
        if np.linalg.norm(w - target) < tol:
            reached = t + 1
            break
    path = np.array(path)
    second = x.T @ x / len(x)  # E[x xᵀ], the loss surface's curvature
    grid = np.linspace(*lim, grid_n)
    d1, d2 = np.meshgrid(grid - target[0], grid - target[1])
    loss = 0.5 * (second[0, 0] * d1**2 + 2 * second[0, 1] * d1 * d2 + second[1, 1] * d2**2)
    steps = len(path) - 1
    return Zigzag(inputs, path, np.diff(path, axis=0), x[:steps], reached, target, grid, loss)


@shared.memo(max_bytes=8 * 2**20)
def zigzag_pair(lr=0.5, spread=1.0, seed=0) -> list:
    """[positive, centered]: the same draws of z, fed as σ(z) and as σ(z) − ½ (see ``zigzag``)."""
    return [zigzag(inputs, lr=lr, spread=spread, seed=seed) for inputs in ("positive", "centered")]


# ---- the sigmoid's third problem: exp is costly ------------------------------------------------------

@shared.memo(max_bytes=4096)
def time_per_million(names=("sigmoid", "relu"), repeats=3, seed=0) -> dict:
    """{name: median milliseconds} to evaluate the engine's forward on 1,000,000 float64 values.

    Wall time on whatever machine runs this: a measurement, not a constant (never assert on it). Shared: measured
    once per server (at warm-up), not per student.
    """
    z = np.random.default_rng(seed).standard_normal(1_000_000)
    out = {}
    for name in names:
        act = activations.get(name)
        act.forward(z[:1000])  # warm up
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            act.forward(z)
            times.append(time.perf_counter() - started)
        out[name] = 1000 * float(np.median(times))
    return out


@shared.memo(max_bytes=2**20)
def shared_data(name: str, seed: int = 0) -> data.Dataset:
    """A 2-D data set of the page, shared (its points are drawn under the decision maps)."""
    return data.get(name, seed=seed)


# ---- dying ReLUs ---------------------------------------------------------------------------------

def dying_group(dataset="moons", hidden=(32, 32, 32), lr=0.1, bias_init=0.0, seed=0,
                names=DYING_ACTIVATIONS) -> compare.Group:
    """The same net (same He-normal weights, every hidden bias set to ``bias_init``) with each activation
    in ``names``, trained full-batch with Adam at ``lr``. Full batch: history's dead_fraction is then
    measured on the whole training set."""
    ds = shared_data(dataset, seed)
    members = {}
    for name in names:
        net = nn.MLP([ds.n_features, *hidden, ds.n_outputs], activation=name, init="he_normal", seed=seed)
        for block in net.blocks[:-1]:
            block.dense.b[...] = bias_init  # a negative start pushes every unit toward its flat side
        members[name] = train.Trainer(net, ds, optimizer="adam", opt_kwargs={"lr": lr}, seed=seed)
    return compare.Group(members)


def preactivations(net, x) -> list:
    """x (N, D) -> per hidden layer the pre-activations z (N, H) in inference mode."""
    with np.errstate(all="ignore"):
        net.forward(x, train=False)
    zs = [t.z for t in net.trace[:-1]]
    net.release()  # the network in a live run keeps nothing of this pass
    return zs


def dead_units(net, x) -> list:
    """Per hidden layer a (H,) bool: the activation's derivative is 0 on every sample of x.

    Such a unit passes no gradient to its weights on any sample, so gradient descent can never revive it
    (Hands-On ML ch. 11). For ReLU this is z ≤ 0 on every sample; LeakyReLU and ELU never qualify.
    """
    out = []
    for z, block in zip(preactivations(net, x), net.blocks[:-1]):
        layer = block.act
        with np.errstate(all="ignore"):
            extra = {"alpha": layer.alpha} if layer.params else {}  # prelu: the learned slope per unit
            slope = layer.activation.derivative(z, **extra)
        out.append(np.all(slope == 0, axis=0) & np.all(np.isfinite(z), axis=0))
    return out


def dead_fractions(net, x) -> np.ndarray:
    """(L_hidden,) share of dead units per hidden layer (see ``dead_units``)."""
    return np.array([m.mean() for m in dead_units(net, x)])


def dead_series(group: compare.Group) -> dict:
    """{activation: (steps (T,), dead share (T, L))} of a ``dying_group``, from step 0 to the current step.

    History row t is measured on update t's batch before the update (the whole set: full batch), so it belongs
    to step t − 1; the current step is measured here. A diverged run keeps its recorded rows only."""
    series = {}
    for name, tr in group.items():
        h = tr.history
        steps, frac = h["step"] - 1, h["dead_fraction"]
        if not tr.diverged:
            steps = np.append(steps, tr.step)
            frac = np.vstack([frac, dead_fractions(tr.net, tr.x_train)])
        series[name] = (steps, frac)
    return series


@dataclass
class DeadUnit:
    """One dead unit of a trained net beside a live one of the same hidden layer.

    layer: the hidden layer (0-based) with the most dead units; unit: its first dead unit (0-based);
    z_dead (N,): that unit's pre-activations on the training set (all < 0 for ReLU);
    z_alive (N,): those of the layer's first live unit, None when the whole layer is dead.
    """

    layer: int
    unit: int
    z_dead: np.ndarray
    z_alive: np.ndarray | None


def dead_unit(trainer) -> DeadUnit | None:
    """The dead unit to show from a trained ``core.train.Trainer`` (None when no unit is dead)."""
    masks, zs = dead_units(trainer.net, trainer.x_train), preactivations(trainer.net, trainer.x_train)
    layer = int(np.argmax([m.sum() for m in masks]))
    if not masks[layer].any():
        return None
    dead, alive = int(np.flatnonzero(masks[layer])[0]), np.flatnonzero(~masks[layer])
    return DeadUnit(layer, dead, zs[layer][:, dead], zs[layer][:, alive[0]] if alive.size else None)


# ---- the same network with each activation -------------------------------------------------------

def compare_group(names, dataset="spirals", hidden=(32, 32, 32, 32), lr=0.01, batch_size=32, seed=0,
                  eval_every=5) -> compare.Group:
    """One net per activation in ``names``, each with its recommended initialization, same data,
    same seed, Adam at ``lr`` on mini-batches."""
    ds = shared_data(dataset, seed)
    members = {}
    for name in names:
        net = nn.MLP([ds.n_features, *hidden, ds.n_outputs], activation=name,
                     init=RECOMMENDED_INIT.get(name, "he_normal"), seed=seed)
        members[name] = train.Trainer(net, ds, optimizer="adam", opt_kwargs={"lr": lr}, batch_size=batch_size,
                                      seed=seed, eval_every=eval_every)
    group = compare.Group(members)
    # the loss before any update, so a curve can start at step 0 (history rows start after update 1)
    group.initial_loss = {name: tr.evaluate(ds.x_train, ds.y_train)[0] for name, tr in members.items()}
    return group


def compare_losses(group: compare.Group) -> dict:
    """{activation: (steps (T + 1,), training loss (T + 1,))} of a ``compare_group``, starting at step 0."""
    return {name: (np.r_[0, tr.history["step"]], np.r_[group.initial_loss[name], tr.history["train_loss"]])
            for name, tr in group.items()}


def guide_order(names) -> list:
    """``names`` in GUIDE_ORDER's ranking, the unranked ones after them in their given order."""
    return [n for n in GUIDE_ORDER if n in names] + [n for n in names if n not in GUIDE_ORDER]


# ---- the guidance: SELU needs LeCun's initialization --------------------------------------------------

@shared.memo(max_bytes=2**20)
def selu_stds(seed=0, depth=20, width=100) -> dict:
    """{init: (depth,) activation std per layer} of a SELU net (200 standard-normal inputs, no bias) started with
    LeCun-normal and with He-normal weights: LeCun keeps every layer near std 1 (Klambauer et al. 2017).
    The page draws seed 0 (a property of the initialization, not of one draw: computed once, at warm-up)."""
    return {init: probe.activation_stats(depth, width, "selu", init, n=200, bias=False, backward=False, seed=seed).std
            for init in ("lecun_normal", "he_normal")}


# ---- the live runs, as shared frames -----------------------------------------------------------------

@dataclass(frozen=True)
class DyingView:
    """The dying-ReLU run at one frame: dead {activation: (steps (T,), share dead (T, L))}, the dead ReLU unit to
    show (None when there is none, or ReLU diverged), and {activation: failed update} for those that diverged."""
    dead: dict
    unit: DeadUnit | None
    diverged: dict = field(default_factory=dict)


def dying_snapshot(group: compare.Group) -> DyingView:
    relu = group["relu"]
    unit = None if relu.diverged else dead_unit(relu)
    return DyingView({name: (np.array(s), np.array(f)) for name, (s, f) in dead_series(group).items()}, unit,
                     group.diverged_steps())


def dying_run(lr: float = DYING["lr"], bias_init: float = DYING["bias_init"], seed: int = 0) -> shared.RunSpec:
    """The dying-ReLU experiment (``dying_group`` on DYING's data and layers) as FRAMES + 1 shared frames."""
    return shared.RunSpec(key=("activations", "dying", lr, bias_init, seed),
                          build=lambda: dying_group(DYING["dataset"], DYING["hidden"], lr, bias_init, seed),
                          snapshot=dying_snapshot, steps=DYING_FRAMES)


@dataclass(frozen=True)
class RaceView:
    """The race at one frame, per activation: losses (steps (T + 1,), training loss (T + 1,)) from step 0,
    test_acc and train_loss (the last recorded, None before the first record), grids (xs (G,), ys (G,), P(class 1)
    (G, G) float32) for those that did not diverge, and diverged {activation: failed update}."""
    losses: dict
    test_acc: dict
    train_loss: dict
    grids: dict
    diverged: dict
    step: int


def race_snapshot(group: compare.Group) -> RaceView:
    def last(values):
        return float(values[-1]) if values is not None and len(values) else None

    grids = {}
    for name, tr in group.items():
        if not tr.diverged:
            xs, ys, p = probability_grid(tr, n=GRID)
            grids[name] = (xs, ys, p.astype(np.float32))
    return RaceView({name: (np.array(s), np.array(v)) for name, (s, v) in compare_losses(group).items()},
                    {name: last(tr.history.get("test_acc")) for name, tr in group.items()},
                    {name: last(tr.history["train_loss"]) for name, tr in group.items()},
                    grids, group.diverged_steps(), int(group.step))


def race_run(names: tuple, dataset_name: str = COMPARE["dataset"], lr: float = COMPARE["lr"],
             seed: int = 0) -> shared.RunSpec:
    """The same network with each activation in ``names`` (``compare_group``) as FRAMES + 1 shared frames."""
    names = tuple(names)
    return shared.RunSpec(key=("activations", "race", names, dataset_name, lr, seed),
                          build=lambda: compare_group(list(names), dataset_name, COMPARE["hidden"], lr,
                                                      COMPARE["batch_size"], seed),
                          snapshot=race_snapshot, steps=RACE_FRAMES)


def warm() -> None:
    """The page's defaults at server start: the zig-zag, the timing, the SELU probe and both trained runs."""
    d = DEFAULTS
    with shared.pinned():
        zigzag_pair(d.zz_lr, d.zz_spread, d.seed)
        time_per_million(("sigmoid", "relu"), repeats=3)
        selu_stds()
        shared.complete(dying_run(d.dy_lr, d.dy_bias, d.seed))
        shared.complete(race_run(d.acts, d.dataset, d.cmp_lr, d.seed))


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(curve: Curve, zigzags: list, selu: dict):
    """The page's quick checks at its setting, from what it drew: the function's slope (``function_curve``), the
    zig-zag pair (``zigzag_pair``) and the SELU probe (``selu_stds``)."""
    from lab.common import choice_check, nearest_check

    steps = {z.inputs: (z.steps_to_target if z.steps_to_target is not None else np.inf) for z in zigzags}
    faster = "tie" if steps["positive"] == steps["centered"] else min(steps, key=steps.get)
    return [
        nearest_check("check1", float(np.max(curve.d)), [0.1, 0.25, 0.5, 1.0, 1.75, 3.0], log=True),
        choice_check("check2", ("positive", "centered", "tie"), faster),
        nearest_check("check3", float(selu["he_normal"][-1]), [0.01, 0.1, 1, 10, 100, 1000], log=True),
    ]
