"""The numbers the losses, batches and preprocessing pages show, through the functions the pages call."""
import math

import numpy as np
import pytest

from lab import foundations as F


def test_outliers_pull_the_mse_slope_more_than_the_mae_slope():
    clean = F.fit_lines(n_outliers=0, outlier_scale=6.0)
    dirty = F.fit_lines(n_outliers=5, outlier_scale=6.0)  # the page's defaults
    true_slope = dirty.true[0]
    err = {k: abs(dirty.slope[k] - true_slope) for k in F.REGRESSION_LOSSES}
    # measured: MSE 2.170 (off by 0.170), MAE 1.983 (0.017), Huber 2.023 (0.023)
    assert err["mse"] > 0.1 and err["mse"] > 5 * err["mae"]
    assert err["huber"] < err["mse"]
    # the intercept tells the same story: MSE 0.875 vs MAE 0.510 (true 0.5)
    assert dirty.intercept["mse"] - 0.5 > 0.3 > abs(dirty.intercept["mae"] - 0.5)
    # without outliers all three agree with the true line
    for k in F.REGRESSION_LOSSES:
        assert abs(clean.slope[k] - true_slope) < 0.05


def test_line_fit_reaches_the_least_squares_solution_with_mse():
    f = F.fit_lines(n_outliers=5, outlier_scale=6.0)
    w, b = np.polyfit(f.x, f.y, 1)
    assert f.slope["mse"] == pytest.approx(w, abs=1e-3) and f.intercept["mse"] == pytest.approx(b, abs=1e-3)


@pytest.mark.parametrize("c", [2, 10])
def test_cross_entropy_keeps_a_large_gradient_when_confidently_wrong(c):
    g = F.logit_gradients(np.array([0.01, 0.5]), c)
    assert g["cross_entropy"][0] == pytest.approx(0.99)  # p − 1
    p, rest = 0.01, 0.99 / (c - 1)
    assert g["mse"][0] == pytest.approx(2 * p * ((1 - p) ** 2 + (c - 1) * rest**2))
    assert g["cross_entropy"][0] > 10 * g["mse"][0]  # 25x for C = 2, 45x for C = 10


def test_logit_gradient_matches_finite_differences():
    from core import losses
    p_true, c, eps = 0.2, 3, 1e-6
    rest = (1 - p_true) / (c - 1)
    z = np.array([[np.log(p_true) - np.log(rest), 0.0, 0.0]])
    def mse(z):
        return float(np.sum((losses.softmax(z) - np.eye(c)[[0]]) ** 2))
    dz = np.zeros_like(z); dz[0, 0] = eps
    numeric = (mse(z + dz) - mse(z - dz)) / (2 * eps)
    assert F.logit_gradients(np.array([p_true]), c)["mse"][0] == pytest.approx(abs(numeric), rel=1e-6)


def test_small_batches_give_noisier_loss_curves_and_epochs_count_ceil_n_over_b():
    group = F.batch_group()  # page defaults: B = 16, lr 0.5
    group.run(150)
    noise = {k: F.step_noise(m.history["batch_loss"]) for k, m in group.items()}
    assert noise["mini"] > 10 * noise["full"] and noise["single"] > noise["mini"]
    n = group["full"].x_train.shape[0]
    for label, size in F.batch_labels(16).items():
        h = group[label].history
        k = F.iterations_per_epoch(n, size)
        assert h["epoch"][k - 1] == pytest.approx(1.0)  # the k-th update completes the first epoch
        if k > 1:
            assert h["epoch"][k - 2] < 1.0
    assert F.iterations_per_epoch(140, 16) == math.ceil(140 / 16) == 9


def test_batch_paths_full_batch_is_smooth_and_converges():
    bp = F.batch_paths(16)
    assert np.linalg.norm(bp.paths["full"][-1] - bp.optimum) < 1e-2
    wobble = {k: np.var(np.diff(np.diff(p, axis=0), axis=0)) for k, p in bp.paths.items()}
    assert wobble["single"] > wobble["mini"] > wobble["full"]


def test_standardized_data_uses_training_statistics():
    ds = F.shifted_set(8.0)
    std = F.preprocessed(ds, "standardize")
    assert np.allclose(std.x_train.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(std.x_train.std(axis=0), 1)
    mean, sd = ds.x_train.mean(axis=0), ds.x_train.std(axis=0)
    assert np.allclose(std.x_test, (ds.x_test - mean) / sd)  # the train numbers, not the test set's own
    assert not np.allclose(std.x_test.mean(axis=0), 0, atol=1e-3)
    centered = F.preprocessed(ds, "center")
    assert np.allclose(centered.x_train.mean(axis=0), 0) and np.allclose(centered.x_train.std(axis=0), sd)


@pytest.mark.parametrize("dataset", ["shifted", "digits"])
def test_standardized_inputs_train_to_a_lower_loss(dataset):
    group = F.preprocess_group(dataset)
    group.run(300)
    raw, std = (group[k].history["train_loss"][-1] for k in ("raw", "standardize"))
    # measured: shifted 0.40 vs 0.23; digits (lr 0.05) 1.95 vs 0.18
    assert std < 0.8 * raw
