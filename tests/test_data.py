"""core.data: shapes, balance, determinism, noise, the shipped digits, outliers, bad input."""

import numpy as np
import pytest

from core import data

CLASSIFICATION = ("moons", "circles", "spirals", "xor", "blobs")


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_2d_shapes_split_and_balance(name):
    ds = data.get(name, n=300, test_ratio=0.3, seed=1)
    assert ds.x_train.shape == (210, 2) and ds.x_test.shape == (90, 2)
    assert ds.y_train.shape == (210,) and ds.y_train.dtype.kind == "i"
    assert ds.task == "classification" and ds.n_features == 2 and ds.name == name
    labels = np.concatenate([ds.y_train, ds.y_test])
    counts = np.bincount(labels)
    assert counts.size == ds.n_classes
    assert counts.max() - counts.min() <= 1  # classes as equal as n allows
    # the split is stratified: each class keeps its share in the test set
    assert np.allclose(np.bincount(ds.y_test) / counts, 0.3, atol=0.02)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_blobs_and_spirals_class_count(k):
    assert data.get("blobs", n_classes=k).n_classes == k
    assert set(data.get("spirals", n_classes=k).y_train) == set(range(k))


@pytest.mark.parametrize("name", data.NAMES)
def test_same_seed_same_arrays_other_seed_differs(name):
    a, b, c = data.get(name, seed=3), data.get(name, seed=3), data.get(name, seed=4)
    for field in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.x_train, c.x_train)


def test_noise_zero_lies_on_the_shapes_and_noise_moves_points():
    clean = data.get("circles", n=200, noise=0.0)
    radius = np.linalg.norm(clean.x_train, axis=1)
    expected = np.where(clean.y_train == 0, 1.0, 0.5)
    assert np.allclose(radius, expected)
    noisy = data.get("circles", n=200, noise=0.2)
    err = np.linalg.norm(noisy.x_train, axis=1) - np.where(noisy.y_train == 0, 1.0, 0.5)
    assert 0.1 < err.std() < 0.3  # radial spread of 2-D N(0, 0.2^2) noise is ~0.2

    moons = data.get("moons", n=200, noise=0.0)
    upper = moons.x_train[moons.y_train == 0] + [0.5, 0.25]
    assert np.allclose(np.linalg.norm(upper, axis=1), 1.0)  # the unit upper arc

    xor = data.get("xor", n=200, noise=0.0)
    assert np.array_equal(xor.y_train, (np.prod(xor.x_train, axis=1) > 0).astype(int))

    blobs = data.get("blobs", n=90, noise=0.0, n_classes=3)
    assert len(np.unique(blobs.x_train.round(12), axis=0)) == 3  # every point on its centre


def test_digits_file_and_scaling():
    x_raw, y_raw = data.load_digits_raw()
    assert x_raw.shape == (1797, 64) and y_raw.shape == (1797,)
    assert x_raw.min() == 0 and x_raw.max() == 16
    assert set(np.unique(y_raw)) == set(range(10))
    ds = data.get("digits")
    assert ds.n_train + len(ds.y_test) == 1797 and ds.n_classes == 10 and ds.n_features == 64
    assert ds.x_train.min() == 0.0 and ds.x_train.max() == 1.0
    raw = data.get("digits", scale=False)
    assert raw.x_train.max() == 16.0


def test_n_train_subsamples_train_only():
    full = data.get("digits", seed=0)
    small = data.get("digits", seed=0, n_train=300)
    assert small.x_train.shape == (300, 64)
    assert np.array_equal(small.x_test, full.x_test)
    # every kept row is one of the full training rows
    rows = {r.tobytes() for r in full.x_train}
    assert all(r.tobytes() in rows for r in small.x_train)


def test_line_outliers():
    clean = data.get("line", n=100, noise=0.0, seed=2)
    assert clean.task == "regression" and clean.y_train.shape == (70, 1)
    assert np.allclose(clean.y_train, 2.0 * clean.x_train + 0.5)
    ds = data.get("line", n=100, noise=0.0, seed=2, n_outliers=7, outlier_scale=4.0)
    residual = ds.y_train - (2.0 * ds.x_train + 0.5)
    shifted = np.flatnonzero(np.abs(residual[:, 0]) > 1e-12)
    assert np.array_equal(shifted, ds.info["outlier_index"]) and shifted.size == 7
    assert np.all((residual[shifted] >= 3.0) & (residual[shifted] <= 5.0))  # 4 * U[0.75, 1.25]
    assert np.allclose(ds.y_test, 2.0 * ds.x_test + 0.5)  # the test set stays clean


def test_standardize_uses_train_statistics():
    rng = np.random.default_rng(0)
    xtr = rng.normal(3.0, 2.0, (500, 3))
    xtr[:, 2] = 7.0  # a constant column must not divide by zero
    xte = rng.normal(3.0, 2.0, (100, 3))
    a, b, mean, std = data.standardize(xtr, xte)
    assert np.allclose(a[:, :2].mean(0), 0) and np.allclose(a[:, :2].std(0), 1)
    assert np.allclose(a[:, 2], 0)
    assert np.allclose(b, (xte - xtr.mean(0)) / np.where(xtr.std(0) < 1e-8, 1, xtr.std(0)))
    c, d, m = data.zero_center(xtr, xte)
    assert np.allclose(c.mean(0), 0) and np.allclose(d, xte - m)


@pytest.mark.parametrize("kwargs", [
    {"name": "nope"}, {"name": "moons", "noise": -0.1}, {"name": "moons", "test_ratio": 0.0},
    {"name": "moons", "test_ratio": 1.0}, {"name": "blobs", "n_classes": 5},
    {"name": "line", "n_outliers": -1}, {"name": "digits", "n_train": 5000},
    {"name": "moons", "preprocess": "whiten"},
])
def test_bad_parameters_raise(kwargs):
    with pytest.raises(ValueError):
        data.get(**kwargs)


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="moons"):
        data.get("mnist")
