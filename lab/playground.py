"""The playground's experiment: one network with every knob, built from a configuration and read while it trains.

    cfg = PlaygroundConfig(dataset="spirals", layers=3, activations=("relu", "relu", "tanh"))
    cfg2 = from_json(cfg.to_json())         # == cfg; a bad file -> ValueError naming the problem
    tr = build(cfg2)                        # a core.train.Trainer, seeded: same config, same run
    tr.run(cfg2.steps)
    probability_grid(tr, n=80)              # 2-D sets: P(class 1) on the plane
    confusion(y_true, y_pred, C)            # the digits: (C, C) counts; misclassified(tr) the images it gets wrong
    activation_histograms(tr.net, x)        # per hidden layer, counts on a fixed batch
    network(tr)                             # the network view: every unit's picture and numbers, the strongest weights
    inside(cfg, step)                       # update step + 1 narrated: the network before it, every number of it
    weights_npz(tr.net)                     # the weights as .npz bytes (load_weights reads them back)
    spec = training_run(cfg)                # the live run as frames, shared by every session (runs.shared)
    own = PlaygroundConfig(dataset="own", points=((0.5, 1.2, 0), ...))  # one's own points (lab.own_points)

The page draws ``Frame``s of ``training_run``: what it shows at a step (curves so far, the decision map or the
confusion matrix, the layer histograms) is kept once per frame and shared, never recomputed per student.

The configuration and its JSON file (``PlaygroundConfig``, ``from_json``, its settings ``SETTINGS``) live in
``lab._playground_config`` and are re-exported here: the page imports this module only.
Shapes: N samples, D features, C classes, k images.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np

from core import data, nn, train
from lab import own_points
from lab._inside import Inside, record_update
from lab._network import LINKS, TERMS, TILE, Links, NetView, RecordingTrainer, Units, network_view  # noqa: F401
from runs import shared
from lab._playground_config import (  # noqa: F401 (re-exported for the page)
    OWN_SET, DATASETS, MAX_LAYERS, SETTINGS, ConfigError, PlaygroundConfig, activation_setting, from_json, options,
    test_ratio_range, test_setting)
from lab.common import probability_grid  # noqa: F401 (the page draws it)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.nn.MLP.forward", "core.nn.MLP.backward", "core.layers.Dense.forward", "core.layers.Dense.backward",
               "core.train.Trainer._update")
SETS_2D = tuple(name for name in DATASETS if name in data.CLASSIFICATION_2D or name == OWN_SET)
GRID, HIST_BATCH, WRONG_SHOWN, FRAMES = 50, 256, 8, 40
N_2D = 400  # points in a 2-D set (train + test), as data.get's default
DIGITS_N = 900  # half of the 1,797 digits: a training step stays light enough for live training
# One's own points: the map covers the whole plane they may lie on (a little past its edge, so a point on the edge
# shows whole), and a click lands on a grid of CLICK_STEP (finer than a click aims; the points keep two decimals).
PLANE = own_points.LIMIT + 0.25
CLICK_STEP = 0.1


# ---------------------------------------------------------------- building a run

def eval_every(cfg: PlaygroundConfig) -> int:
    """A history row every few updates: about 250 points on the loss curves whatever the length."""
    return max(1, cfg.steps // 250)


def dataset(cfg: PlaygroundConfig) -> data.Dataset:
    """The data set of ``cfg`` (2-D sets: two classes, N_2D points; digits: DIGITS_N images; one's own points: split
    per class, own_points.DataError "too_few" when a class has fewer than own_points.MIN_PER_CLASS)."""
    if cfg.dataset == OWN_SET:
        return own_points.dataset(cfg.points, test_ratio=cfg.test_ratio, seed=cfg.seed)
    extra = {"n_classes": 2} if cfg.dataset == "blobs" else {}
    n = DIGITS_N if cfg.dataset == "digits" else N_2D
    return data.get(cfg.dataset, n=n, noise=cfg.noise, test_ratio=cfg.test_ratio, seed=cfg.seed, **extra)


def schedule_spec(cfg: PlaygroundConfig):
    """(name, hp) for core.train: each schedule is fitted to the run's length (lr = the optimizer's)."""
    T = cfg.steps
    hp = {
        "constant": {},
        "step": {"step_size": max(1, T // 3), "gamma": 0.1},  # ÷10 at 1/3 and 2/3 of the run
        "exponential": {"gamma": 0.01 ** (1.0 / T)},  # down to 1 % of lr at the end
        "cosine": {"T_max": T},
        "one_cycle": {"total_steps": T},
        "cyclic": {"base_lr": cfg.lr / 10, "max_lr": cfg.lr, "cycle_len": max(1, T // 4)},
    }[cfg.schedule]
    return None if cfg.schedule == "constant" else (cfg.schedule, hp)


def make_net(cfg: PlaygroundConfig, ds: data.Dataset | None = None) -> nn.MLP:
    """The network of ``cfg``: D inputs, ``layers`` hidden layers of ``width`` units, one output per class."""
    ds = dataset(cfg) if ds is None else ds
    return nn.MLP([ds.n_features] + [cfg.width] * cfg.layers + [ds.n_outputs], activation=list(cfg.activations),
                  init=cfg.init_std if cfg.init == "normal" else cfg.init, batchnorm=cfg.batchnorm,
                  dropout=cfg.dropout, seed=cfg.seed)


def build(cfg: PlaygroundConfig) -> train.Trainer:
    """Data + network + trainer from a configuration, deterministic given it."""
    ds = dataset(cfg)
    return RecordingTrainer(make_net(cfg, ds), ds, optimizer=cfg.optimizer, opt_kwargs={"lr": cfg.lr},
                         batch_size=min(cfg.batch_size, ds.n_train), schedule=schedule_spec(cfg),
                         l1=cfg.l1, l2=cfg.l2, max_norm=cfg.max_norm or None, seed=cfg.seed,
                         eval_every=eval_every(cfg), max_steps=cfg.steps)


# ---------------------------------------------------------------- reading a run

def weights_npz(net: nn.MLP, step: int | None = None) -> bytes:
    """``net.state_dict()`` as the bytes of an .npz file (np.savez: loadable with np.load), with the training
    step the weights belong to as the array "step" when it is given."""
    buffer = io.BytesIO()
    extra = {} if step is None else {"step": np.array(step)}
    np.savez(buffer, **net.state_dict(), **extra)
    return buffer.getvalue()


def load_weights(net: nn.MLP, blob: bytes) -> nn.MLP:
    """Load .npz bytes from ``weights_npz`` into ``net`` (keys and shapes must match)."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as f:
        net.load_state_dict({key: f[key] for key in f.files if key != "step"})
    return net


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(C, C) counts: row = true class, column = predicted class."""
    out = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(out, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return out


def misclassified(trainer: train.Trainer, k: int = 8):
    """Up to k test images the net gets wrong -> (images (k, 8, 8), true (k,), predicted (k,))."""
    pred = trainer.predict(trainer.x_test)
    wrong = np.flatnonzero(pred != trainer.labels_test)[:k]
    side = int(round(math.sqrt(trainer.x_test.shape[1])))
    return trainer.x_test[wrong].reshape(-1, side, side), trainer.labels_test[wrong], pred[wrong]


_BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # DLFS ch. 6 draws sigmoid layers on [0, 1]


def activation_histograms(net: nn.MLP, x: np.ndarray, bins: int = 25):
    """Per hidden layer, np.histogram of its activations on the fixed batch ``x`` (inference mode).

    The range is the activation's own (sigmoid [0, 1], tanh [-1, 1]; an odd bin count centres a bin on
    0.5 and on 0) or the values' range widened to include 0, so a signal squeezed into a narrow spike
    shows as a spike rather than being zoomed in on.
    -> list of (counts (bins,), edges (bins + 1,)) or None for a layer with no finite value.
    Non-finite values are left out, so a diverging layer never breaks the chart.
    """
    with np.errstate(all="ignore"):
        net.forward(x, train=False)
    out = []
    for layer, act in zip(net.trace[:-1], net.activations):
        a = layer.a[np.isfinite(layer.a)]
        if a.size == 0:
            out.append(None)
            continue
        lo, hi = _BOUNDED.get(act.name, (min(float(a.min()), 0.0), max(float(a.max()), 0.0)))
        if hi - lo < 1e-12:  # all exactly 0 (e.g. every ReLU dead): one visible bar around it
            lo, hi = lo - 0.5, hi + 0.5
        out.append(np.histogram(np.clip(a, lo, hi), bins=bins, range=(lo, hi)))
    return out


# ---------------------------------------------------------------- the live run, as frames

@dataclass(frozen=True)
class View:
    """What the page draws of a run at one step (one frame; shapes: T history rows, G grid side, C classes).

    history: step, train_loss, test_loss, train_acc, test_acc (T,); epoch, lr: at this step;
    grid: (xs (G,), ys (G,), p (G, G) float32) for a 2-D set, else None;
    confusion: (C, C) counts and wrong: (images (k, 8, 8), true (k,), predicted (k,)) for the digits, else None;
    hists: activation_histograms of the hidden layers on the first HIST_BATCH training samples;
    network: the network view (lab._network.NetView) for the chosen input points (``chosen_points``).
    """
    history: dict
    epoch: float
    lr: float
    grid: tuple | None
    confusion: np.ndarray | None
    wrong: tuple | None
    hists: list
    network: NetView | None = None


_KEPT = ("step", "train_loss", "test_loss", "train_acc", "test_acc")


def decision_grid(tr: train.Trainer, n: int = GRID):
    """probability_grid of a 2-D run: over its data, or over the whole plane [-PLANE, PLANE]² for one's own points
    (the map a student clicks on stays put while points come and go)."""
    return probability_grid(tr, n=n, extent=PLANE if tr.data.name == OWN_SET else None)


POINTS = 4  # the input points a student may choose for the network view's numbers


def chosen_points(tr: train.Trainer) -> np.ndarray:
    """Indices of the training points the network view gives numbers for: the first two of each class on 2-D data
    (both sides of the boundary), the first POINTS images of the digits."""
    y = np.asarray(tr.labels_train)
    if tr.data.n_features != 2:
        return np.arange(min(POINTS, len(y)))
    picks = [np.flatnonzero(y == c)[:POINTS // 2] for c in (0, 1)]
    return np.sort(np.concatenate(picks))[:POINTS]


def network(tr: train.Trainer) -> NetView:
    """The network view of a playground run now (lab._network.network_view): each unit over a TILE x TILE grid of
    the decision map's plane (2-D data), or its mean activation on HIST_BATCH training images (digits)."""
    idx = chosen_points(tr)
    plane = None
    if tr.data.n_features == 2:
        xs, ys = decision_grid_axes(tr, TILE)
        plane = (xs, ys)
    batch = tr.x_train[:HIST_BATCH] if plane is None else None
    return network_view(tr, tr.x_train[idx], tr.labels_train[idx], plane=plane, batch=batch)


def decision_grid_axes(tr: train.Trainer, n: int):
    """The axes of the decision map's plane at n points a side (as ``decision_grid``)."""
    from lab.common import plane_grid

    xs, ys, _ = plane_grid(np.concatenate([tr.x_train, tr.x_test]), n, extent=PLANE if tr.data.name == OWN_SET else None)
    return xs, ys


def snapshot(tr: train.Trainer) -> View:
    """The frame of a playground run at its current step (inference-mode passes only: the run is unchanged)."""
    view = network(tr)  # first: it reads the last training step's gradients
    h = tr.history
    history = {k: np.array(h[k]) for k in _KEPT if k in h}
    with np.errstate(all="ignore"):
        if tr.data.n_features == 2:
            xs, ys, p = decision_grid(tr)
            grid, matrix, wrong = (xs, ys, p.astype(np.float32)), None, None
        else:
            grid = None
            matrix = confusion(tr.labels_test, tr.predict(tr.x_test), tr.data.n_classes)
            wrong = misclassified(tr, WRONG_SHOWN)
        hists = activation_histograms(tr.net, tr.x_train[:HIST_BATCH])
    return View(history, float(tr.epoch), float(tr.lr), grid, matrix, wrong, hists, view)


def training_run(cfg: PlaygroundConfig) -> shared.RunSpec:
    """The live run of ``cfg`` as shared frames (``runs.shared``): FRAMES + 1 of them over cfg.steps."""
    return shared.RunSpec(key=("playground", cfg), build=lambda: build(cfg), snapshot=snapshot,
                          steps=shared.frame_steps(cfg.steps, FRAMES))


@shared.memo(max_bytes=8 * 2**20)
def inside(cfg: PlaygroundConfig, step: int) -> Inside:
    """Update ``step`` + 1 of ``cfg``'s run, narrated (the "Step inside" section): the network view before it and
    what the update computed (lab._inside.record_update). Runs are deterministic, so this starts from a copy of the
    class's live run when it stands at ``step`` (a paused run), else trains a fresh copy to ``step``; shared by the
    class, one computation per step. A step at or past the run's end is refused before anything trains
    (ValueError)."""
    if not 0 <= step < cfg.steps:
        raise ValueError(f"the run has no update after step {step}")
    tr = shared.live_copy(training_run(cfg), step) or build(cfg)
    tr.run(step - tr.step)
    if tr.done:
        raise ValueError(f"the run has no update after step {step}")
    return Inside(network(tr), record_update(tr))


@shared.memo(max_bytes=4 * 2**20)
def shared_dataset(cfg_data: tuple) -> data.Dataset:
    """The data set of a configuration's data fields (dataset, noise, test_ratio, seed, points), shared by its
    sessions."""
    name, noise, test_ratio, seed, points = cfg_data
    return dataset(PlaygroundConfig(dataset=name, noise=noise, test_ratio=test_ratio, seed=seed, points=points))


def data_of(cfg: PlaygroundConfig) -> data.Dataset:
    return shared_dataset((cfg.dataset, cfg.noise, cfg.test_ratio, cfg.seed, cfg.points))


@shared.memo(max_bytes=8 * 2**20)
def weights_at(cfg: PlaygroundConfig, step: int) -> bytes:
    """The weights of ``cfg``'s run after ``step`` updates, as .npz bytes naming that step. Runs are deterministic,
    so this trains a fresh copy to exactly that step: a download never mixes two steps, whatever else trains.
    Shared and computed once per (configuration, step) across the process (a download request is cheap to send:
    Streamlit runs a download's callable again for every request, ui/downloads.py)."""
    tr = build(cfg)
    tr.run(step)
    return weights_npz(tr.net, tr.step)


def warm() -> None:
    """The page's defaults, computed once at server start and kept (its first screen and its Train)."""
    with shared.pinned():
        cfg = PlaygroundConfig()
        data_of(cfg)
        shared.complete(training_run(cfg))



# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(cfg: PlaygroundConfig, shown: View | None):
    """The page's quick checks at its setting and the step shown: the network's size (``make_net``), the updates
    in an epoch (the data set of ``data_of`` and the batch size) and the train–test gap of the run at that step."""
    from lab.common import choice_check, exact_check

    ds = data_of(cfg)
    net = make_net(cfg, ds)
    total = int(sum(p.size for p in net.params))
    biases = int(sum(p.size for p, name in zip(net.params, net.param_names) if name.endswith("b")))
    n = int(ds.x_train.shape[0])
    per_epoch = -(-n // min(cfg.batch_size, n))
    gap = 0.0
    if shown is not None and len(shown.history.get("train_acc", [])):
        gap = float(shown.history["train_acc"][-1] - shown.history["test_acc"][-1])
    return [
        exact_check("check1", total, [total - biases, biases, 2 * total], dict(layers=cfg.layers, width=cfg.width),
                    fmt=",.0f"),
        exact_check("check2", per_epoch, [n, cfg.batch_size, max(1, n // cfg.batch_size - 1)],
                    dict(n=n, b=cfg.batch_size), fmt=",.0f"),
        choice_check("check3", ("overfit", "fine"), "overfit" if gap > 0.05 else "fine"),
    ]
