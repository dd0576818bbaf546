"""The experiments of the data-preprocessing page: zero-centering and standardization, the all-positive zig-zag,
and the effect on training.

    views = preprocessing_views(shift=8.0)                            # the shifted set raw, centred, standardized
    runs = zigzag_runs(lr=0.5)                                        # per-sample descent, positive vs centred inputs
    group = preprocess_group("shifted", shift=8.0)                    # the same net on raw vs standardized inputs
    spec = preprocess_run(Settings())                                 # that group's training as shared frames

The static pictures are shared by every session (``shared.memo``) and the live run too (``runs.shared``); the
defaults are computed at server start (``warm``). Shapes: N samples, D features, H hidden units, T steps.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import compare, data, nn, train
from runs import shared
from lab.settings import SEED, Settings as Declared, choice, level, number
from lab.activations import zigzag

PREPROCESS = dict(shift=8.0, hidden=(16,), lr=0.05, batch_size=32, seed=0)
PREPROCESSINGS = ("raw", "center", "standardize")
DATASETS = ("shifted", "digits")
LRS = (0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3)
TOTAL, FRAMES = 400, 40


@dataclass(frozen=True)
class Settings:
    """The page's settings; ``Settings()`` are its defaults (the page's controls, ``warm`` and the tests use them)."""
    dataset: str = "shifted"
    shift: float = PREPROCESS["shift"]
    lr: float = PREPROCESS["lr"]
    zigzag_lr: float = 0.5
    seed: int = PREPROCESS["seed"]


DEFAULTS = Settings()
SETTINGS = Declared(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    choice("data", "preprocessing.dataset", DATASETS, DEFAULTS.dataset, name="dataset", words="preprocessing.ds_"),
    number("shift", "preprocessing.shift", 0.0, 30.0, DEFAULTS.shift, 1.0),
    level("lr", "preprocessing.lr", LRS, DEFAULTS.lr),
    number("zlr", "preprocessing.zz_lr", 0.1, 1.0, DEFAULTS.zigzag_lr, 0.1, name="zigzag_lr"),
    SEED.but(default=DEFAULTS.seed),
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.data.zero_center", "core.data.standardize", "core.layers.Dense.forward",
               "core.layers.Dense.backward")


# ---- 1. what the two operations do ---------------------------------------------------------------

def shifted_set(shift=PREPROCESS["shift"], seed=0) -> data.Dataset:
    """Moons moved to be centred at (shift, shift/2) with the first feature stretched ×3: every input positive
    once shift is large, and the two features on different scales (train and test moved alike)."""
    ds = data.get("moons", n=400, noise=0.15, seed=seed)
    move = np.array([shift, shift / 2])
    stretch = np.array([3.0, 1.0])
    ds.x_train = ds.x_train * stretch + move
    ds.x_test = ds.x_test * stretch + move
    return ds


def preprocessed(ds: data.Dataset, how: str) -> data.Dataset:
    """A copy of ``ds`` with inputs "raw", "center"ed or "standardize"d; statistics from the training set only
    (kept in ``info["mean"]`` (D,) and ``info["std"]`` (D,))."""
    out = data.Dataset(ds.x_train, ds.y_train, ds.x_test, ds.y_test, ds.task, ds.n_classes, ds.name, dict(ds.info))
    if how == "center":
        out.x_train, out.x_test, mean = data.zero_center(ds.x_train, ds.x_test)
        out.info["mean"] = mean
    elif how == "standardize":
        out.x_train, out.x_test, mean, std = data.standardize(ds.x_train, ds.x_test)
        out.info["mean"], out.info["std"] = mean, std
    elif how != "raw":
        raise ValueError(f"unknown preprocessing {how!r}; valid: {', '.join(PREPROCESSINGS)}")
    return out


@shared.memo(max_bytes=4 * 2**20)
def preprocessing_views(shift=PREPROCESS["shift"], seed=0) -> dict:
    """{"raw" | "center" | "standardize": Dataset}: ``shifted_set`` under each preprocessing."""
    ds = shifted_set(shift, seed)
    return {how: preprocessed(ds, how) for how in PREPROCESSINGS}


# ---- 2. why: all-positive inputs make gradient descent zig-zag --------------------------------------

@shared.memo(max_bytes=4 * 2**20)
def zigzag_runs(lr=0.5, seed=0, max_steps=300) -> dict:
    """{"positive" | "centered": lab.activations.Zigzag}: the sigmoid page's zig-zag experiment, both input kinds."""
    return {inputs: zigzag(inputs, lr=lr, seed=seed, max_steps=max_steps) for inputs in ("positive", "centered")}


def same_sign_fraction(run) -> float:
    """Share of a Zigzag run's updates (T, 2) that move both weights in the same direction."""
    return float(np.mean(np.sign(run.updates[:, 0]) == np.sign(run.updates[:, 1])))


# ---- 3. the real effect on training ---------------------------------------------------------------

def preprocess_source(dataset="shifted", shift=PREPROCESS["shift"], seed=0) -> data.Dataset:
    """"shifted": ``shifted_set``; "digits": 600 of the 8×8 digits with raw pixels 0..16 (every input >= 0)."""
    if dataset == "shifted":
        return shifted_set(shift, seed)
    if dataset == "digits":
        return data.get("digits", n=600, seed=seed, scale=False)
    raise ValueError(f"unknown dataset {dataset!r}; valid: {', '.join(DATASETS)}")


def preprocess_group(dataset="shifted", shift=PREPROCESS["shift"], lr=PREPROCESS["lr"], seed=0) -> compare.Group:
    """The same net (same initial weights, same mini-batches) on raw and on standardized inputs."""
    ds = preprocess_source(dataset, shift, seed)
    members = {}
    for how in ("raw", "standardize"):
        net = nn.MLP([ds.n_features, *PREPROCESS["hidden"], ds.n_outputs], activation="relu", init="he_normal",
                     seed=seed)
        members[how] = train.Trainer(net, preprocessed(ds, how), optimizer="sgd", opt_kwargs={"lr": lr},
                                     batch_size=PREPROCESS["batch_size"], seed=seed, eval_every=5)
    return compare.Group(members)


def dead_units(trainer: train.Trainer) -> int:
    """Hidden ReLU units whose output is 0 for every training input: they pass no gradient, so they never recover."""
    with np.errstate(all="ignore"):
        trainer.net.forward(trainer.x_train, train=False)
    return int(np.sum(trainer.net.trace[0].a.max(axis=0) <= 0))


@dataclass(frozen=True)
class Curves:
    """One frame of the preprocessing run: per copy ("raw", "standardize") its history so far (T rows of "step" and
    "train_loss", float32), its dead hidden units (of ``hidden``), and the failed update of a copy that diverged."""
    histories: dict
    dead: dict
    hidden: int
    n_classes: int
    diverged: dict


def snapshot(group: compare.Group) -> Curves:
    histories = {k: {key: np.array(m.history[key], dtype=np.float32) for key in ("step", "train_loss")}
                 for k, m in group.items()}
    return Curves(histories, {k: dead_units(m) for k, m in group.items()}, PREPROCESS["hidden"][0],
                  group["raw"].data.n_classes, dict(group.diverged_steps()))


def run_key(settings: Settings) -> tuple:
    """The settings the training run depends on (the digits ignore the shift: one run for every shift)."""
    shift = settings.shift if settings.dataset == "shifted" else DEFAULTS.shift
    return ("preprocessing", settings.dataset, shift, settings.lr, settings.seed)


def preprocess_run(settings: Settings = DEFAULTS) -> shared.RunSpec:
    """The raw-vs-standardized training of ``settings`` as FRAMES + 1 shared frames over TOTAL updates."""
    _, dataset, shift, lr, seed = key = run_key(settings)
    return shared.RunSpec(key=key, build=lambda: preprocess_group(dataset, shift, lr, seed), snapshot=snapshot,
                          steps=shared.frame_steps(TOTAL, FRAMES))


def warm() -> None:
    """The page's defaults, computed once at server start and kept: its first screen and its first Train."""
    d = DEFAULTS
    with shared.pinned():
        preprocessing_views(d.shift, d.seed)
        zigzag_runs(d.zigzag_lr, d.seed)
        shared.complete(preprocess_run(d))


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(views: dict, runs: dict, zigzag_lr: float):
    """The page's quick checks at its setting, from what it drew: the training statistics of the shifted set
    (``preprocessing_views``) and the zig-zag runs (``zigzag_runs``, ``same_sign_fraction``)."""
    from lab.common import choice_check, nearest_check

    std = views["standardize"].info["std"]
    same = 100 * same_sign_fraction(runs["positive"])
    steps = {k: (r.steps_to_target if r.steps_to_target is not None else np.inf) for k, r in runs.items()}
    faster = "tie" if steps["positive"] == steps["centered"] else min(steps, key=steps.get)
    return [
        nearest_check("check1", float(std[0] / std[1]), [1, 2, 5, 10, 20, 50], log=True, fmt=".3g"),
        nearest_check("check2", same, [0, 25, 50, 75, 100], fmt=".0f"),
        choice_check("check3", ("positive", "centered", "tie"), faster, dict(lr=f"{zigzag_lr:g}")),
    ]
