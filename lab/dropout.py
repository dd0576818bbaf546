"""The computations behind the dropout page: overfitting runs, masks, sub-networks, MC dropout,
cs231n's two-input example, and the variance shift of dropout before batch norm.

Conventions: ``rate`` is the *drop* probability (our ``layers.Dropout``); cs231n's ``p`` is the *keep*
probability, ``keep = 1 - rate``. Shapes: N samples, C classes, H units, G grid points per side,
K sub-networks, T stochastic passes.

The page draws one live run, shared by every session (``runs.shared``): ``overfit_run`` (three networks side by
side, as ``OverfitView`` frames); everything else is a memoized picture (``ensemble_net``, ``page_sub_maps``,
``page_mc_maps``, ``shift_curve``, ``shift_at``). The 2-D ensemble network and the variance-shift network have a
seed of their own, so every one of them is one of the slider's 17 rates and is computed at server start
(``warm``) with the page's defaults (``DEFAULTS``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import compare, data, losses, nn, train
from core.layers import Dropout
from runs import shared
from lab.common import plane_grid
from lab.settings import SEED, Settings, level, number

# Deep Learning from Scratch's overfitting experiment (overfit_weight_decay.py / overfit_dropout.py: 300 MNIST
# images, 6 hidden layers of 100) memorizes its training set; on our 8×8 digits dropout narrowed the gap by only 3
# points. The same idea on a set a student can see: 150 training points of two noisy spirals (they overlap, so
# fitting every training point means fitting noise), 4 hidden layers of 64 ReLU units, Adam, mini-batches of 50.
# Without regularization the train accuracy passes 95 % while the test accuracy stays near 65 %; dropout 0.3 and
# weight decay 0.01 end with gaps of 10 points or less and higher test accuracy (the page's claims, tested).
OVERFIT = dict(dataset="spirals", n=300, noise=0.15, test_ratio=0.5, hidden=(64,) * 4, optimizer="adam", lr=0.01,
               batch_size=50, steps=600, eval_every=10, rate=0.3, l2=0.01)
MEMBERS = ("none", "dropout", "l2")
MAP_GRID = 40  # the decision maps of a frame: 40 × 40 probabilities, kept as bytes
FRAMES = 40
# The 2-D net whose sub-networks the page draws (small enough to draw every unit). It has its own seed: it is one
# trained net per dropout rate, all computed at server start.
ENSEMBLE = dict(dataset="moons", n=300, noise=0.25, hidden=(16, 16), lr=0.03, steps=400, seed=0)
ENSEMBLE_GRID = 40
# The slider's values: dropout rates 0 … 0.8, weight decay λ, MC passes T (one run of 200 passes gives them all).
RATES = tuple(round(0.05 * i, 2) for i in range(17))
L2S = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.02, 0.05)  # from 0.02 on, Adam's net underfits: chance
PASSES = (1, 2, 5, 10, 30, 100, 200)
SHIFT_RATES = (0.0, 0.2, 0.4, 0.6, 0.8)
SHIFT_SEED = 0


@dataclass(frozen=True)
class Defaults:
    """The page's first screen: every control's default (the page's controls and ``warm`` both read it)."""
    rate: float = OVERFIT["rate"]
    l2: float = OVERFIT["l2"]
    seed: int = 0
    draw: int = 0
    passes: int = 30
    two_input: tuple = (1.0, 0.5, 1.5, 2.0, 0.5)  # cs231n's example: w1, w2, x, y and the keep probability p


DEFAULTS = Defaults()
_W1, _W2, _X, _Y, _KEEP = DEFAULTS.two_input
SETTINGS = Settings(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    number("rate", "dropout.rate", 0.0, 0.8, DEFAULTS.rate, 0.05, help="dropout.rate_help"),
    level("l2", "dropout.l2", L2S, DEFAULTS.l2),
    SEED.but(default=DEFAULTS.seed),
    number("draw", "dropout.draw", 0, 99, DEFAULTS.draw),
    level("passes", "dropout.passes", PASSES, DEFAULTS.passes),
    number("w1", "dropout.w1", -2.0, 2.0, _W1, 0.1),
    number("w2", "dropout.w2", -2.0, 2.0, _W2, 0.1),
    number("x", "dropout.x", -2.0, 2.0, _X, 0.1),
    number("y", "dropout.y", -2.0, 2.0, _Y, 0.1),
    number("keep", "dropout.keep", 0.1, 1.0, _KEEP, 0.05),
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.layers.Dropout.forward", "core.layers.Dropout.backward")


# ---- overfitting -------------------------------------------------------------------------------

def overfit_data(seed: int = 0, **overrides) -> data.Dataset:
    """The overfitting set: OVERFIT's noisy spirals, half of them for training, half for testing."""
    cfg = {**OVERFIT, **overrides}
    return data.get(cfg["dataset"], n=cfg["n"], noise=cfg["noise"], test_ratio=cfg["test_ratio"], seed=seed)


@shared.memo(max_bytes=2 * 2**20)
def shared_overfit_data(seed: int = 0) -> data.Dataset:
    """``overfit_data`` shared by the sessions (the page draws its training points on the decision maps)."""
    return overfit_data(seed)


def overfit_group(rate: float, l2: float, seed: int = 0, **overrides) -> compare.Group:
    """Three identical deep nets on few noisy points, side by side: {"none", "dropout", "l2"}.

    Same initial weights and mini-batch order (same seed); "dropout" drops hidden units with ``rate``,
    "l2" adds ½λΣW² with λ = ``l2``. run(n) advances all three.
    """
    cfg = {**OVERFIT, **overrides}
    ds = overfit_data(seed, **overrides)
    sizes = [ds.n_features, *cfg["hidden"], ds.n_classes]

    def member(drop, lam):
        net = nn.MLP(sizes, activation="relu", init="he_normal", dropout=drop, seed=seed)
        return train.Trainer(net, ds, optimizer=cfg["optimizer"], opt_kwargs={"lr": cfg["lr"]},
                             batch_size=cfg["batch_size"], l2=lam, seed=seed, eval_every=cfg["eval_every"])

    return compare.Group({"none": member(0.0, 0.0), "dropout": member(rate, 0.0), "l2": member(0.0, l2)})


def start_rows(group: compare.Group) -> dict:
    """{member: (train_acc, test_acc)} before any update (the Trainer's history starts after the first ones), so a
    frame at step 0 already has a point to draw: every curve starts where the untrained net is. Members with the
    same weights (all three: same seed) are evaluated once."""
    rows, seen = {}, []
    for key, tr in group.items():
        same = next((row for params, row in seen if np.array_equal(params, tr.net.flat_params)), None)
        if same is None:
            same = (tr.evaluate(tr.x_train, tr.labels_train)[1], tr.evaluate(tr.x_test, tr.labels_test)[1])
            seen.append((tr.net.flat_params.copy(), same))
        rows[key] = same
    return rows


def overfit_start(rate: float, l2: float, seed: int = 0) -> compare.Group:
    """``overfit_group`` with its ``start`` rows (``start_rows``) recorded: the live run's object."""
    group = overfit_group(rate, l2, seed)
    group.start = start_rows(group)
    return group


def gap(trainer) -> float | None:
    """Last recorded train accuracy minus test accuracy (None before the first record)."""
    h = trainer.history
    if len(h["step"]) == 0:
        return None
    return float(h["train_acc"][-1] - h["test_acc"][-1])


@dataclass(frozen=True)
class OverfitView:
    """A frame of the overfitting run: histories {member: {"step", "train_acc", "test_acc"} (T,)}; maps {member:
    (G, G) uint8}, P(class 1) × 255 on the grid xs (G,), ys (G,) (see ``map_probabilities``); diverged_at
    {member: the failed update or None}."""
    histories: dict
    maps: dict
    xs: np.ndarray
    ys: np.ndarray
    diverged_at: dict


def map_probabilities(code: np.ndarray) -> np.ndarray:
    """A frame's decision map (uint8) back to probabilities (float32, 0 … 1)."""
    return np.asarray(code, dtype=np.float32) / 255.0


def overfit_snapshot(group: compare.Group) -> OverfitView:
    """What the page draws of the three nets at their current step (inference-mode passes only): their histories
    from step 0 (``start_rows``, then the Trainer's rows). Nets with the same weights (all three at step 0: same
    seed) share one map, computed once."""
    histories, maps, done = {}, {}, []
    tr = next(iter(group.members.values()))
    xs, ys, pts = plane_grid(np.concatenate([tr.x_train, tr.x_test]), MAP_GRID)
    start = getattr(group, "start", None) or start_rows(group)
    for key, tr in group.items():
        h = tr.history
        first = {"step": 0, "train_acc": start[key][0], "test_acc": start[key][1]}
        histories[key] = {k: np.concatenate([[first[k]], h[k]]).astype(np.int32 if k == "step" else np.float32)
                          for k in ("step", "train_acc", "test_acc")}
        same = next((code for params, code in done if np.array_equal(params, tr.net.flat_params)), None)
        if same is None:
            p = np.nan_to_num(tr.predict_proba(pts)[:, 1], nan=0.5, posinf=1.0, neginf=0.0)
            same = np.round(np.clip(p, 0, 1) * 255).astype(np.uint8).reshape(MAP_GRID, MAP_GRID)
            done.append((tr.net.flat_params.copy(), same))
        maps[key] = same
    return OverfitView(histories, maps, xs.astype(np.float32), ys.astype(np.float32),
                      {k: tr.diverged_at for k, tr in group.items()})


def overfit_frame_steps() -> tuple[int, ...]:
    """FRAMES + 1 frame steps, each at a recorded row (every eval_every updates), so every frame shows more."""
    every = OVERFIT["eval_every"]
    return tuple(every * s for s in shared.frame_steps(OVERFIT["steps"] // every, FRAMES))


def overfit_run(rate: float, l2: float, seed: int = 0) -> shared.RunSpec:
    """The live comparison as shared frames (OVERFIT["steps"] updates)."""
    settings = (float(rate), float(l2), int(seed))
    return shared.RunSpec(key=("dropout", "overfit", *settings), build=lambda: overfit_start(*settings),
                          snapshot=overfit_snapshot, steps=overfit_frame_steps())


# ---- masks -------------------------------------------------------------------------------------

def sample_masks(widths, rate: float, seed: int, draw: int) -> list[np.ndarray]:
    """Keep-masks (H_i,) bool for hidden layers of the given widths: mask number ``draw`` of ``seed``.

    Drawn by the engine's own Dropout layer from Generator([seed, draw]), so a link (seed, draw)
    always shows the same masks, and draw k does not depend on which draws were looked at before.
    """
    rng = np.random.default_rng([seed, draw])
    layer = Dropout(rate)
    return [layer.forward(np.ones((1, h)), train=True, rng=rng)[0] > 0 if rate > 0 else np.ones(h, bool)
            for h in widths]


def forward_with_masks(net: nn.MLP, x: np.ndarray, masks) -> np.ndarray:
    """Logits (N, C) of the sub-network that keeps only the units in ``masks`` (one (H_i,) bool per
    hidden layer), with inverted-dropout scaling 1/keep: one fixed sub-network for every sample.
    The net must not use batch norm (a sub-network has no batch statistics of its own)."""
    if net.batchnorm:
        raise ValueError("forward_with_masks needs a net without batch norm")
    h = np.asarray(x, dtype=net.dtype)
    for b, mask in zip(net.blocks[:-1], masks):
        a = b.act.forward(b.dense.forward(h, False), False)
        keep = 1.0 - (b.drop.rate if b.drop is not None else 0.0)
        h = a * (np.asarray(mask, dtype=net.dtype) / keep)
    return net.blocks[-1].dense.forward(h, False)


@dataclass
class MCDropout:
    """T stochastic passes (dropout on, a fresh mask per sample and pass) averaged.

    mean_logits, mean_prob, std_prob: (N, C). For a net that is linear in its dropped units,
    mean_logits -> the inference output as T grows (inverted dropout keeps the expectation)."""

    mean_logits: np.ndarray
    mean_prob: np.ndarray
    std_prob: np.ndarray


def mc_dropout(net: nn.MLP, x: np.ndarray, passes: int, seed: int = 0) -> MCDropout:
    """Monte Carlo dropout: average ``passes`` forward passes in training mode (Gal & Ghahramani 2016).

    Uses its own Generator from ``seed`` (the net's rng is untouched). Without batch norm, a
    training-mode forward changes nothing in the net."""
    return mc_dropout_checkpoints(net, x, (passes,), seed)[passes]


def mc_dropout_checkpoints(net: nn.MLP, x: np.ndarray, checkpoints, seed: int = 0) -> dict:
    """``mc_dropout`` after each number of passes in ``checkpoints``, from one sequence of passes: {T: MCDropout};
    the average of the first T passes equals ``mc_dropout(net, x, T, seed)``."""
    checkpoints = sorted({int(c) for c in checkpoints})
    if not checkpoints or checkpoints[0] < 1:
        raise ValueError(f"passes must be >= 1, got {checkpoints}")
    if net.batchnorm:
        raise ValueError("mc_dropout would update batch-norm running statistics: use a net without batch norm")
    rng = np.random.default_rng([seed, 7])
    x = np.asarray(x, dtype=net.dtype)
    sum_logits = sum_p = sum_p2 = 0.0
    out = {}
    plain = not any(getattr(b.act, "_random_slopes", False) for b in net.blocks)  # rrelu: use the engine
    with np.errstate(all="ignore"):
        if plain:  # the layers before the first dropout give the same values in every pass: compute them once
            drops = [i for i, b in enumerate(net.blocks[:-1]) if b.drop is not None and b.drop.rate > 0]
            first = drops[0] if drops else len(net.blocks) - 1
            fixed = x
            for b in net.blocks[:first + 1]:
                fixed = b.dense.forward(fixed, False)
                fixed = b.act.forward(fixed, True) if b.act is not None else fixed
        for t in range(1, checkpoints[-1] + 1):
            if plain:
                logits = fixed if first == len(net.blocks) - 1 else _masked_rest(net, fixed, first, rng)
            else:
                logits = net.forward(x, train=True, rng=rng)
            p = losses.softmax(logits)
            sum_logits, sum_p, sum_p2 = sum_logits + logits, sum_p + p, sum_p2 + p * p
            if t in checkpoints:
                mean_p = sum_p / t
                out[t] = MCDropout(sum_logits / t, mean_p, np.sqrt(np.maximum(sum_p2 / t - mean_p ** 2, 0.0)))
    return out


def _masked_rest(net: nn.MLP, a: np.ndarray, first: int, rng: np.random.Generator) -> np.ndarray:
    """One stochastic pass from block ``first``'s activation ``a`` on: inverted dropout with masks drawn as
    float32 uniforms (half the cost of float64 draws; each unit is still kept with probability 1 - rate)."""
    h = a
    for i in range(first, len(net.blocks) - 1):
        b = net.blocks[i]
        if i > first:
            h = b.act.forward(b.dense.forward(h, False), True)
        if b.drop is not None and b.drop.rate > 0:
            keep = 1.0 - b.drop.rate
            h = h * ((rng.random(h.shape, dtype=np.float32) < np.float32(keep)) / np.asarray(keep, h.dtype))
    return net.blocks[-1].dense.forward(h, False)


# ---- the ensemble view on a 2-D set ------------------------------------------------------------

def ensemble_net(rate: float, seed: int = ENSEMBLE["seed"]):
    """Train ENSEMBLE's 2-D net with dropout ``rate``. -> (net, dataset)."""
    cfg = ENSEMBLE
    ds = data.get(cfg["dataset"], n=cfg["n"], noise=cfg["noise"], seed=seed)
    net = nn.MLP([2, *cfg["hidden"], ds.n_classes], dropout=rate, seed=seed)
    train.Trainer(net, ds, optimizer="adam", opt_kwargs={"lr": cfg["lr"]}, seed=seed,
                  eval_every=cfg["steps"]).run(cfg["steps"])
    return net, ds


@shared.memo(max_bytes=2 * 2**20)
def ensemble_weights(rate: float) -> tuple:
    """The trained weights of ``ensemble_net(rate)`` and its data set, shared: (state dict, dataset). Sessions
    never share the net itself (a forward pass writes into its layers); ``trained_ensemble`` rebuilds one."""
    net, ds = ensemble_net(rate)
    return net.state_dict(), ds


def trained_ensemble(rate: float):
    """A private copy of the trained 2-D net of ``rate`` (built from the shared weights, ~1 ms) and its data."""
    state, ds = ensemble_weights(rate)
    net = nn.MLP([2, *ENSEMBLE["hidden"], ds.n_classes], dropout=rate, seed=ENSEMBLE["seed"])
    net.load_state_dict(state)
    return net, ds


@dataclass
class EnsembleMaps:
    """Class-1 probability on a G×G grid: sub (K, G, G) one per fixed mask, full (G, G) at inference,
    mc_mean / mc_std (G, G) over T passes; xs, ys (G,) the grid axes; *_acc test accuracies."""

    xs: np.ndarray
    ys: np.ndarray
    sub: np.ndarray
    full: np.ndarray
    mc_mean: np.ndarray
    mc_std: np.ndarray
    sub_acc: np.ndarray
    full_acc: float
    mc_acc: float


def ensemble_maps(net, ds, rate: float, seed: int, draws, passes: int = 30, grid: int = ENSEMBLE_GRID) -> EnsembleMaps:
    """The sub-networks of masks ``draws`` (see sample_masks), the full net and MC dropout, on a grid."""
    return combine_maps(sub_maps(net, ds, rate, seed, draws, grid), mc_maps(net, ds, passes, seed, grid))


def _grid_inputs(ds, grid: int):
    """-> xs (G,), ys (G,), the G² grid points followed by the test points (G² + N_test, 2), and G²."""
    xs, ys, pts = plane_grid(np.concatenate([ds.x_train, ds.x_test]), grid)
    return xs, ys, np.concatenate([pts, ds.x_test]), pts.shape[0]


def _test_acc(p, n, ds) -> float:
    return float(np.mean(np.argmax(p[n:], axis=1) == ds.y_test))


def sub_maps(net, ds, rate: float, seed: int, draws, grid: int = ENSEMBLE_GRID) -> dict:
    """The part of ``ensemble_maps`` that depends on the mask draws: xs, ys, sub (K, G, G), sub_acc (K,),
    and the full net at inference, full (G, G) and full_acc (cheap: K + 1 forward passes)."""
    xs, ys, both, n = _grid_inputs(ds, grid)
    widths = net.sizes[1:-1]
    with np.errstate(all="ignore"):
        subs = [losses.softmax(forward_with_masks(net, both, sample_masks(widths, rate, seed, d))) for d in draws]
        full = losses.softmax(net.forward(both, train=False))
    return dict(xs=xs, ys=ys, sub=np.array([s[:n, 1].reshape(grid, grid) for s in subs]),
                sub_acc=np.array([_test_acc(s, n, ds) for s in subs]), full=full[:n, 1].reshape(grid, grid),
                full_acc=_test_acc(full, n, ds))


def mc_maps(net, ds, passes: int, seed: int, grid: int = ENSEMBLE_GRID) -> dict:
    """The part of ``ensemble_maps`` that depends on the number of passes T (not on the draws):
    mc_mean, mc_std (G, G) and mc_acc."""
    return mc_maps_checkpoints(net, ds, (passes,), seed, grid)[passes]


def mc_maps_checkpoints(net, ds, checkpoints, seed: int, grid: int = ENSEMBLE_GRID) -> dict:
    """``mc_maps`` for every T in ``checkpoints`` from one sequence of passes: {T: dict(mc_mean, mc_std, mc_acc)}."""
    _, _, both, n = _grid_inputs(ds, grid)
    out = {}
    for t, mc in mc_dropout_checkpoints(net, both, checkpoints, seed).items():
        out[t] = dict(mc_mean=mc.mean_prob[:n, 1].reshape(grid, grid).astype(np.float32),
                      mc_std=mc.std_prob[:n, 1].reshape(grid, grid).astype(np.float32),
                      mc_acc=_test_acc(mc.mean_prob, n, ds))
    return out


@shared.memo(max_bytes=4 * 2**20)
def page_sub_maps(rate: float, seed: int, draw: int) -> dict:
    """The page's three sub-networks (masks ``draw``, ``draw`` + 1, ``draw`` + 2 of ``seed``) and the full net."""
    net, ds = trained_ensemble(rate)
    return sub_maps(net, ds, rate, seed, [draw, draw + 1, draw + 2])


@shared.memo(max_bytes=8 * 2**20)
def page_mc_maps(rate: float) -> dict:
    """MC dropout of the 2-D net of ``rate`` for every T of PASSES: {T: dict(mc_mean, mc_std, mc_acc)} (one run of
    max(PASSES) passes with the net's own seed, so a new T costs nothing)."""
    net, ds = trained_ensemble(rate)
    return mc_maps_checkpoints(net, ds, PASSES, ENSEMBLE["seed"])


def combine_maps(sub: dict, mc: dict) -> EnsembleMaps:
    """``sub_maps`` + ``mc_maps`` -> EnsembleMaps (so a page can cache the two halves apart)."""
    return EnsembleMaps(**sub, **mc)


# ---- cs231n's two-input example -----------------------------------------------------------------

@dataclass
class TwoInput:
    """a = w1·x + w2·y with each input kept with probability ``keep`` (cs231n's p).

    masks (4, 2) 0/1, prob (4,), raw (4,) = a under each mask, inverted (4,) = raw / keep.
    expected_raw = Σ prob·raw = keep·(w1x + w2y); full = w1x + w2y (no dropout);
    classic_test = keep·full (scale at test time); expected_inverted = Σ prob·inverted = full."""

    masks: np.ndarray
    prob: np.ndarray
    raw: np.ndarray
    inverted: np.ndarray
    expected_raw: float
    full: float
    classic_test: float
    expected_inverted: float


def two_input(w1: float, w2: float, x: float, y: float, keep: float = 0.5) -> TwoInput:
    if not 0 < keep <= 1:
        raise ValueError(f"keep must be in (0, 1], got {keep}")
    masks = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])
    prob = np.prod(np.where(masks == 1, keep, 1 - keep), axis=1)
    terms = np.array([w1 * x, w2 * y])
    raw = masks @ terms
    inverted = raw / keep
    full = float(terms.sum())
    return TwoInput(masks, prob, raw, inverted, float(prob @ raw), full, keep * full, float(prob @ inverted))


# ---- dropout before batch norm: the variance shift ------------------------------------------------

@dataclass
class VarianceShift:
    """For the batch-norm layer right after a dropout: running_var (H,) that BN learned in training
    (dropout on) and inference_var (H,), the variance of the same BN input at inference (dropout off),
    over the training set. ratio = mean(inference_var / running_var) (1: no shift)."""

    running_var: np.ndarray
    inference_var: np.ndarray
    ratio: float


def variance_shift(rate: float, seed: int = 0, hidden=(100, 100), batches: int = 50,
                   batch_size: int = 50, bn_momentum: float = 0.2) -> VarianceShift:
    """dense -> BN -> ReLU -> dropout -> dense -> BN: run ``batches`` training-mode forward passes on
    digits so BN's running statistics settle (no weight update; momentum 0.2 leaves 0.8^50 ≈ 1e-5 of the
    initial value), then compare with the variance at inference.
    Li et al. 2019 call this the variance shift of dropout placed before batch norm."""
    ds = data.get("digits", seed=seed)
    net = nn.MLP([ds.n_features, *hidden, ds.n_classes], batchnorm=True, dropout=rate, seed=seed,
                 bn_momentum=bn_momentum)
    rng = np.random.default_rng([seed, 3])
    n = ds.x_train.shape[0]
    for _ in range(batches):
        net.forward(ds.x_train[rng.choice(n, batch_size, replace=False)], train=True)
    net.forward(ds.x_train, train=False)
    second = net.blocks[1]
    bn_input = second.dense.x @ second.dense.W + second.dense.b  # what BN 1 normalizes at inference
    inference_var = bn_input.var(axis=0, ddof=1)
    running_var = second.bn.running_var.copy()
    return VarianceShift(running_var, inference_var, float(np.mean(inference_var / running_var)))


@shared.memo(max_bytes=2 * 2**20)
def shift_at(rate: float) -> VarianceShift:
    """The page's variance shift at ``rate`` (its own seed: one result per slider value, computed at start)."""
    return variance_shift(rate, SHIFT_SEED)


def shift_curve() -> tuple[float, ...]:
    """The mean ratio inference / running variance at each of SHIFT_RATES."""
    return tuple(shift_at(r).ratio for r in SHIFT_RATES)


def warm() -> None:
    """The page's defaults, computed once at server start and kept: the overfitting run, and every dropout rate's
    2-D net (MC maps for every T) and variance shift, so moving the rate or T never trains anything."""
    d = DEFAULTS
    with shared.pinned():
        shared_overfit_data(d.seed)
        shared.complete(overfit_run(d.rate, d.l2, d.seed))
        page_sub_maps(d.rate, d.seed, d.draw)
        for rate in RATES:
            page_mc_maps(rate)
            shift_at(rate)


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(ex: TwoInput, keep: float, rate: float, widths=ENSEMBLE["hidden"]):
    """The page's quick checks at its setting: the two-input unit (``two_input``), the units a mask keeps
    (``sample_masks``, averaged over 200 draws) and the dropout rate."""
    from lab.common import exact_check, nearest_check

    kept = np.mean([sum(int(m.sum()) for m in sample_masks(widths, rate, 0, d)) for d in range(200)])
    total = int(sum(widths))
    return [
        exact_check("check1", round(ex.expected_inverted, 6), [round(ex.expected_raw, 6), round(ex.full / keep, 6), 0.0],
                    dict(keep=f"{keep:g}", full=f"{ex.full:.3g}")),
        exact_check("check2", round(ex.expected_raw, 6), [round(ex.full, 6), round(ex.full / keep, 6), 0.0],
                    dict(keep=f"{keep:g}", full=f"{ex.full:.3g}")),
        nearest_check("check3", float(kept), range(0, total + 1, 2), dict(rate=f"{rate:g}", total=total), fmt=".0f"),
    ]
