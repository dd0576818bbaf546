"""The experiments of the data-preprocessing page: zero-centering and standardization, the all-positive zig-zag,
and the effect on training.

    views = preprocessing_views(shift=8.0)                            # the shifted set raw, centred, standardized
    runs = zigzag_runs(lr=0.5)                                        # per-sample descent, positive vs centred inputs
    group = preprocess_group("shifted", shift=8.0)                    # the same net on raw vs standardized inputs

Shapes: N samples, D features, T steps.
"""
from __future__ import annotations

import numpy as np

from core import compare, data, nn, train
from lab.activations import zigzag

# Defaults the page starts from (the tests check the page's claims with them)
PREPROCESS = dict(shift=8.0, hidden=(16,), lr=0.05, batch_size=32, seed=0)
PREPROCESSINGS = ("raw", "center", "standardize")
DATASETS = ("shifted", "digits")


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


def preprocessing_views(shift=PREPROCESS["shift"], seed=0) -> dict:
    """{"raw" | "center" | "standardize": Dataset}: ``shifted_set`` under each preprocessing."""
    ds = shifted_set(shift, seed)
    return {how: preprocessed(ds, how) for how in PREPROCESSINGS}


# ---- 2. why: all-positive inputs make gradient descent zig-zag --------------------------------------

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
