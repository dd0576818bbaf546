"""The numbers the loss-functions page shows, through the functions the page calls."""
import numpy as np
import pytest

from lab import losses as lab


def test_outliers_pull_the_mse_slope_more_than_the_mae_slope():
    clean = lab.fit_lines(n_outliers=0, outlier_scale=6.0)
    dirty = lab.fit_lines(n_outliers=5, outlier_scale=6.0)  # the page's defaults
    true_slope = dirty.true[0]
    err = {k: abs(dirty.slope[k] - true_slope) for k in lab.REGRESSION_LOSSES}
    # measured: MSE 2.170 (off by 0.170), MAE 1.983 (0.017), Huber 2.023 (0.023)
    assert err["mse"] > 0.1 and err["mse"] > 5 * err["mae"]
    assert err["huber"] < err["mse"]
    # the intercept tells the same story: MSE 0.875 vs MAE 0.510 (true 0.5)
    assert dirty.intercept["mse"] - 0.5 > 0.3 > abs(dirty.intercept["mae"] - 0.5)
    # without outliers all three agree with the true line
    for k in lab.REGRESSION_LOSSES:
        assert abs(clean.slope[k] - true_slope) < 0.05


def test_line_fit_reaches_the_least_squares_solution_with_mse():
    f = lab.fit_lines(n_outliers=5, outlier_scale=6.0)
    w, b = np.polyfit(f.x, f.y, 1)
    assert f.slope["mse"] == pytest.approx(w, abs=1e-3) and f.intercept["mse"] == pytest.approx(b, abs=1e-3)


@pytest.mark.parametrize("c", [2, 10])
def test_cross_entropy_keeps_a_large_gradient_when_confidently_wrong(c):
    g = lab.logit_gradients(np.array([0.01, 0.5]), c)
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
    assert lab.logit_gradients(np.array([p_true]), c)["mse"][0] == pytest.approx(abs(numeric), rel=1e-6)
